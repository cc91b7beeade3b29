//! The command line's sentences that tell the user a line to type. Pure functions of the
//! [`Program`] (which carries the shell), so a test on Linux can read the Windows wording too;
//! the commands call them with [`Program::current`].

use bitbucket_setup_core::shell::Program;

/// After an export without the token: where the reference is and the line that turns it into
/// the token. `place` is "output" or "file".
pub fn token_not_exported(program: &Program, place: &str, reference: &str, connection_id: &str) -> String {
    format!(
        "The token is not in the {place}; its field holds {reference}. Scripts get the token with: {}",
        program.set_token(connection_id)
    )
}

/// `import -` with a file that holds only a reference, and no `BITBUCKET_TOKEN`.
pub fn import_needs_token_variable(program: &Program) -> String {
    format!(
        "The file came on standard input, so the token cannot come from there too, and BITBUCKET_TOKEN is not set. Set BITBUCKET_TOKEN to the token (for example {}), or give the file's name instead of - and the token on standard input. Nothing was imported.",
        program.set_token("NAME")
    )
}
