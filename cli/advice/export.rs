//! Next steps for exports and imports, in the command line's words: the flags to add
//! (`--force`, `--include-secret`, `--name`, …) and the commands to type. The layers below say
//! only what happened.

use bitbucket_setup_core::export::{ExportError, Format, Note, Warning};
use bitbucket_setup_core::import::{ImportError, ImportNote, PlanWarning};
use bitbucket_setup_core::manage::ExportFlowError;
use bitbucket_setup_core::shell::Program;

/// What to do with a file that is not an export.
const CHOOSE_AN_EXPORT: &str =
    "Choose a file made by `bitbucket-setup export NAME --format json` (or yaml), or an n8n Bitbucket credential.";
/// What to do with a value the file lacks or has wrong.
const CORRECT_IT: &str = "Correct the file, or give the value on the command line.";

pub fn for_export(e: &ExportError, _program: &Program) -> Option<String> {
    Some(
        match e {
            ExportError::Exists { .. } => "Choose another file name, or add --force to replace it.",
            // Never --force: it would not help, and replacing a device or a pipe is the harm.
            ExportError::NotRegular { .. } => "Give the name of a file; to write to standard output use -o -.",
            ExportError::FolderNeedsBranch => "Add --branch BRANCH.",
            ExportError::MissingEmail => {
                "Replace the token with `bitbucket-setup` giving your email, or save the connection again."
            }
            _ => return None,
        }
        .to_string(),
    )
}

pub fn for_export_flow(e: &ExportFlowError, program: &Program) -> Option<String> {
    match e {
        ExportFlowError::Export(e) => for_export(e, program),
        ExportFlowError::Manage(e) => super::store::for_manage(e, program),
        // Worded whole by `output::failure`, which names the connection's test command.
        ExportFlowError::Unvalidated { .. } => None,
    }
}

/// Whether the command line prints `warning` after the export. The unvalidated one is not: the
/// command line has already said so louder ("WARNING: exporting an UNVALIDATED configuration").
pub fn shows_warning(warning: &Warning) -> bool {
    !matches!(warning, Warning::Unvalidated)
}

/// One line of "About this file", in the command line's words.
pub fn about_line(note: &Note) -> String {
    match note {
        Note::Says(text) => text.clone(),
        Note::TokenIsAReference { format: Format::GitCredentials, token_command } => format!(
            "The password part is a reference, not the token: export with --include-secret for a working entry, or use {token_command} in a credential helper."
        ),
        Note::TokenIsAReference { format: Format::N8n, token_command } => format!(
            "accessToken holds a reference, not the token: export with --include-secret for n8n, or get it with {token_command}."
        ),
        Note::TokenIsAReference { token_command, .. } => format!(
            "The password is a reference, not the token: export with --include-secret, or get the token with {token_command}."
        ),
    }
}

pub fn for_import(e: &ImportError, _program: &Program) -> Option<String> {
    Some(match e {
        ImportError::TooLarge
        | ImportError::NotText
        | ImportError::Empty
        | ImportError::TooDeep
        | ImportError::Unparsable { .. }
        | ImportError::NotRecognised => CHOOSE_AN_EXPORT.to_string(),
        ImportError::FormExport { .. } => "Make one with: bitbucket-setup export NAME --format json.".to_string(),
        ImportError::AppPassword => "`bitbucket-setup export NAME --format n8n` writes one.".to_string(),
        ImportError::NoName => "Add --name NAME.".to_string(),
        ImportError::NoWorkspace => {
            "Add --workspace WORKSPACE (the part after bitbucket.org/ in your Bitbucket address).".to_string()
        }
        ImportError::Missing { .. } | ImportError::Invalid { .. } | ImportError::BadToken(_) => CORRECT_IT.to_string(),
        _ => return None,
    })
}

/// An import error's sentence with the command line's next step.
pub fn import_sentence(e: &ImportError, program: &Program) -> String {
    match for_import(e, program) {
        Some(step) => format!("{e} {step}"),
        None => e.to_string(),
    }
}

pub fn import_note(note: &ImportNote) -> String {
    match note {
        ImportNote::OlderN8nExport => {
            format!("{note} Export the connection again for n8n: bitbucket-setup export NAME --format n8n.")
        }
    }
}

pub fn import_warning(warning: &PlanWarning) -> String {
    match warning {
        PlanWarning::OtherApiAddress { .. } => format!("{warning} Give --api-url to check against it."),
        PlanWarning::Expired { .. } => warning.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitbucket_setup_core::shell::Shell;

    #[test]
    fn the_command_line_adds_its_flags_to_the_facts() {
        let program = Program::named(Shell::Posix);
        let exists = ExportError::Exists { path: "a.env".into() };
        assert_eq!(for_export(&exists, &program).as_deref(), Some("Choose another file name, or add --force to replace it."));
        let device = ExportError::NotRegular { path: "/dev/null".into(), what: "a device" };
        let step = for_export(&device, &program).unwrap();
        assert!(step.contains("-o -") && !step.contains("--force"), "{step}");
        assert_eq!(import_sentence(&ImportError::NoName, &program), "The file names no connection. Add --name NAME.");
        assert!(import_sentence(&ImportError::NoWorkspace, &program).contains("Add --workspace WORKSPACE"));
        let warning = PlanWarning::OtherApiAddress { given: "https://evil.example/2.0".into() };
        assert!(import_warning(&warning).ends_with("it was not used. Give --api-url to check against it."));
        let note = Note::TokenIsAReference { format: Format::Netrc, token_command: "bitbucket-setup token X".into() };
        assert!(about_line(&note).contains("export with --include-secret"));
        assert!(!shows_warning(&Warning::Unvalidated) && shows_warning(&Warning::Says("x".into())));
    }
}
