//! The secret-reference scheme: what a token field holds when the token is not exported,
//! `keychain:bitbucket-setup:ID` (the connection's id), and the command that turns it back into
//! the token.

use crate::shell::Program;
use crate::store::connections::Connection;

/// What a token field holds instead of the token: this prefix and the connection's id.
pub const REFERENCE_PREFIX: &str = "keychain:bitbucket-setup:";

/// What the token field holds when the token is not exported. It names the connection by its
/// id, so that no format has to quote a user-chosen name for it to work.
pub fn secret_reference(connection: &Connection) -> String {
    format!("{REFERENCE_PREFIX}{}", connection.id)
}

/// The connection name inside a reference, if `value` is one.
pub fn parse_reference(value: &str) -> Option<&str> {
    value
        .trim()
        .strip_prefix(REFERENCE_PREFIX)
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

/// `bitbucket-setup token ID` as `program` is typed in its shell (the id is a UUID: sh takes it
/// bare, PowerShell quotes one that starts with a digit).
pub fn token_command(program: &Program, connection: &Connection) -> String {
    program.token(&connection.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::credential::CredentialKind;
    use crate::presets::PresetId;

    #[test]
    fn references_round_trip() {
        let c = Connection {
            id: "8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11".into(),
            ..Connection::new("Acme Web", PresetId::Sqai, CredentialKind::RepositoryToken, "acme", Some("website"))
        };
        assert_eq!(secret_reference(&c), "keychain:bitbucket-setup:8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11");
        assert_eq!(parse_reference(&secret_reference(&c)), Some("8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"));
        assert_eq!(parse_reference("keychain:bitbucket-setup:Acme Web"), Some("Acme Web"), "older exports named the connection");
        assert_eq!(parse_reference("ATCTabc"), None);
        assert_eq!(parse_reference("keychain:bitbucket-setup:  "), None);
        let posix = Program::named(crate::shell::Shell::Posix);
        assert_eq!(token_command(&posix, &c), "bitbucket-setup token 8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11");
        let windows = Program::resolve(crate::shell::Shell::PowerShell, r"C:\Program Files\B\bitbucket-setup.exe", None, |_| false);
        assert_eq!(token_command(&windows, &c), r"& 'C:\Program Files\B\bitbucket-setup.exe' token '8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11'");
    }
}
