//! An n8n credential file for `n8n import:credentials --input=FILE`: a JSON array holding one
//! credential, `[{"id", "name", "type": "bitbucketAccessTokenApi", "data": {"email",
//! "accessToken"}}]`.
//!
//! Read from n8n 2.39.10's own code and checked with n8n itself (tests/consumers.rs):
//! * `bitbucketAccessTokenApi` ("Bitbucket Access Token API") is the credential that takes an
//!   Atlassian API token: n8n sends `Basic email:accessToken` and tests it with `GET
//!   /2.0/user`. `bitbucketApi` holds a username and an app password, which stopped working on
//!   2026-07-28. So only API tokens fit.
//! * `import:credentials` wants an array, and every entry needs an `id` (n8n does not make
//!   one); it updates the credential with the same id. The id here is the first 16 hex digits
//!   of the connection's id, so exporting again and importing updates instead of duplicating.
//! * n8n drops keys it does not know, so the file holds nothing else: its metadata is said
//!   when it is written ([`super::Rendered::about`]).

use zeroize::Zeroizing;

use super::doc::Node;
use super::{info, Ctx, ExportError, Format, Note};
use crate::bitbucket::credential::CredentialKind;
use crate::store::connections::Connection;

/// n8n's credential type for an Atlassian API token (email + token).
pub const N8N_TYPE: &str = "bitbucketAccessTokenApi";
/// n8n's credential type for the retired app passwords (username + app password); this app's
/// exports before it used it, wrongly, with `email` and `apiToken`.
pub const N8N_LEGACY_TYPE: &str = "bitbucketApi";
/// The n8n version these files were checked with.
pub const N8N_TESTED_VERSION: &str = "2.39.10";

/// The n8n credential id of a connection: 16 characters, as n8n's own ids.
pub fn n8n_id(connection_id: &str) -> String {
    let hex: String = connection_id.chars().filter(char::is_ascii_hexdigit).collect();
    let mut id: String = hex.chars().take(16).collect();
    while id.len() < 16 {
        id.push('0');
    }
    id
}

/// The Atlassian account email an n8n credential of `c` holds: `c` must be an API token saved
/// with its email.
pub fn email_of(c: &Connection) -> Result<String, ExportError> {
    if c.kind != CredentialKind::ApiToken {
        return Err(ExportError::NeedsApiToken { format: info(Format::N8n).label, kind: c.kind.label() });
    }
    c.email.clone().ok_or(ExportError::MissingEmail)
}

/// The `data` of an n8n [`N8N_TYPE`] credential, in n8n's field names: the one mapping, for the
/// file ([`render`]) and for n8n's API (`crate::deliver::n8n`).
pub struct CredentialData {
    email: String,
    access_token: Zeroizing<String>,
}

impl CredentialData {
    /// The data of connection `c`'s credential with `token` (which may be a reference).
    pub fn of(c: &Connection, token: &str) -> Result<CredentialData, ExportError> {
        Ok(CredentialData { email: email_of(c)?, access_token: Zeroizing::new(token.to_string()) })
    }

    /// n8n's field names with their values.
    pub fn fields(&self) -> [(&'static str, &str); 2] {
        [("email", self.email.as_str()), ("accessToken", self.access_token.as_str())]
    }

    /// The fields as a document node (`{"email", "accessToken"}`).
    pub fn node(&self) -> Node {
        Node::map(self.fields().iter().map(|(k, v)| (*k, Node::str(v))).collect())
    }
}

impl std::fmt::Debug for CredentialData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialData").field("email", &self.email).field("access_token", &"[redacted]").finish()
    }
}

pub(crate) fn render(ctx: &Ctx<'_>, about: &mut Vec<Note>) -> Result<Zeroizing<String>, ExportError> {
    let c = ctx.c;
    let data = CredentialData::of(c, ctx.token.as_str())?;
    about.push(Note::Says(format!(
        "An n8n \"Bitbucket Access Token API\" credential (tested with n8n {N8N_TESTED_VERSION}): n8n import:credentials --input=FILE. n8n does not store the workspace ({}).",
        c.workspace
    )));
    if !ctx.secret_included {
        about.push(Note::TokenIsAReference { format: Format::N8n, token_command: super::token_command(&ctx.meta.program, c) });
    }
    for (k, v) in ctx.metadata_lines() {
        about.push(Note::Says(format!("{k}: {v}")));
    }
    let entry = Node::map(vec![
        ("id", Node::str(n8n_id(&c.id))),
        ("name", Node::str(&c.name)),
        ("type", Node::str(N8N_TYPE)),
        ("data", data.node()),
    ]);
    Ok(Node::List(vec![entry]).to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_data_is_n8n_s_fields_and_hides_the_token_when_debugged() {
        use crate::presets::PresetId;
        let mut c = Connection::new("n8n", PresetId::N8n, CredentialKind::ApiToken, "acme", None);
        assert!(matches!(CredentialData::of(&c, "ATATTsecret"), Err(ExportError::MissingEmail)));
        c.email = Some("admin@acme.example".into());
        let data = CredentialData::of(&c, "ATATTsecret").unwrap();
        assert_eq!(data.fields(), [("email", "admin@acme.example"), ("accessToken", "ATATTsecret")]);
        assert!(!format!("{data:?}").contains("ATATTsecret"));
        c.kind = CredentialKind::RepositoryToken;
        assert!(matches!(CredentialData::of(&c, "x"), Err(ExportError::NeedsApiToken { .. })));
    }

    #[test]
    fn ids_are_stable_sixteen_characters() {
        assert_eq!(n8n_id("8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"), "8a0f1d3e4c554f0e");
        assert_eq!(n8n_id("abc").len(), 16);
    }
}
