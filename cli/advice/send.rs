//! Next steps for `send`: how the command line takes a tool's API key.

use bitbucket_setup_core::deliver::n8n::SendError;
use bitbucket_setup_core::shell::Program;

use crate::send::N8N_KEY_VAR;

pub fn for_send(e: &SendError, program: &Program) -> Option<String> {
    match e {
        SendError::NoKey { .. } | SendError::KeyNotText => Some(format!("Give the key on standard input or in {N8N_KEY_VAR}.")),
        SendError::WrongKey { .. } | SendError::MissingScope { .. } => Some(format!(
            "Give the new key on standard input or in {N8N_KEY_VAR}; once it works, it replaces the key kept for this address."
        )),
        SendError::Store(e) | SendError::NotRecorded { source: e, .. } => super::store::for_store(e, program),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitbucket_setup_core::shell::Shell;

    #[test]
    fn a_missing_or_refused_key_is_given_on_standard_input_or_in_the_variable() {
        let program = Program::named(Shell::Posix);
        let missing = for_send(&SendError::NoKey { address: "https://n8n.example.com".into() }, &program).unwrap();
        assert!(missing.contains("standard input") && missing.contains("N8N_API_KEY"), "{missing}");
        let refused = for_send(&SendError::WrongKey { address: "https://n8n.example.com".into() }, &program).unwrap();
        assert!(refused.contains("N8N_API_KEY") && refused.contains("replaces"), "{refused}");
        assert_eq!(
            for_send(&SendError::NoApi { address: "https://x".into() }, &program),
            None,
            "the sentence says it all"
        );
    }
}
