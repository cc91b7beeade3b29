//! Exports a saved connection as the configuration a target product or tool asks for
//! ([`crate::import`] reads one back).
//!
//! Free of Tauri types: the command line and the window call the same three functions:
//!
//! * [`render`]`(connection, format, secret, meta)` → [`Rendered`] `{file_name, contents, mode}`;
//! * [`fields`]`(connection, preset)` → the product's form, field by field, for "copy" buttons;
//! * [`write::write_file`] writes a [`Rendered`] atomically, `0600` when it holds the secret.
//!
//! ## The secret
//!
//! An export holds the token only when the caller passes it (the user asked for it: a flag on
//! the command line, a checkbox in the window). Otherwise the token's field holds a *reference*, `keychain:bitbucket-setup:ID`
//! ([`secret_reference`], the connection's id, which needs no quoting anywhere), which
//! `bitbucket-setup token` resolves from the OS keychain, so a script can do (sh, then
//! PowerShell; [`crate::shell`] writes every such line in the user's shell)
//! `BITBUCKET_TOKEN=$(bitbucket-setup token "$BITBUCKET_TOKEN")` or
//! `BITBUCKET_TOKEN=$(bitbucket-setup token acme-web)`;
//! `$env:BITBUCKET_TOKEN = bitbucket-setup token $env:BITBUCKET_TOKEN` or
//! `$env:BITBUCKET_TOKEN = bitbucket-setup token acme-web` (on Windows the program's full path
//! in PowerShell's call form, `& 'C:\…\bitbucket-setup.exe'`, unless it is on the PATH).
//!
//! ## Metadata
//!
//! Every format carries the same facts ([`ExportMeta`] and the connection): app version,
//! exported-at, validated-at (or why the configuration is unvalidated), the credential type
//! Bitbucket reported, the scopes it granted, the preset it was checked against, the token's
//! expiry date, and whether the file holds the token. Structured formats carry them in a
//! `metadata` object, text formats in comment lines or an "About this file" section.
//!
//! ## The generic JSON / YAML schema (`bitbucket-setup/connection-export`, version 1)
//!
//! ```yaml
//! schema: "bitbucket-setup/connection-export"
//! schema_version: 1
//! connection:
//!   name: "acme-web"              # 1-50 characters
//!   description: "…"              # or null; at most 255 characters
//!   preset: "sqai"                # what it is for (sqai, autoheal, katalon, cubyts, nirvai, n8n, git, custom)
//!   credential_kind: "repository_token"   # repository_token | project_token | workspace_token | api_token | app_password
//!   workspace: "acme"
//!   repository: "website"         # or null (workspace-wide credential)
//!   web_url: "https://bitbucket.org/acme/website"
//!   clone_url: "https://bitbucket.org/acme/website.git"   # or null
//!   base_branch: "main"           # or null
//!   api_url: "https://api.bitbucket.org/2.0"
//!   auth_scheme: "bearer"         # bearer (access tokens) | basic (API tokens: email + token)
//!   email: null                   # API tokens: the Atlassian account email
//!   username: null                # app passwords only (retired)
//!   git_username: "x-token-auth"  # x-token-auth | x-bitbucket-api-token-auth
//!   expires: "2027-01-31"         # or null
//! token: "keychain:bitbucket-setup:8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"   # the connection's id; the token itself only when asked for
//! metadata:
//!   generator: "Bitbucket Setup Assistant"
//!   app_version: "0.1.0"
//!   exported_at: "2026-11-20T09:30:00Z"
//!   validation: "validated"       # validated | unvalidated
//!   validated_at: "2026-11-20T09:00:00Z"   # the last passing check, or null
//!   unvalidated_reason: null      # why, when unvalidated
//!   credential_type: "repo_access_token"   # x-credential-type as Bitbucket reported it
//!   granted_scopes: ["repository:write", "pullrequest:write"]
//!   checked_against_preset: "sqai"
//!   expires: "2027-01-31"
//!   secret_included: false
//!   token_command: "bitbucket-setup token 8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"   # in the exporting system's shell
//! ```
//!
//! Strings are always double-quoted in the YAML (see [`doc`]), dates are `YYYY-MM-DD`, times
//! RFC 3339 in UTC. Readers must ignore keys they do not know; a larger `schema_version` means
//! an incompatible change.
//!
//! ## Layout
//!
//! [`registry`] lists the formats, [`reference`] is the secret-reference scheme, [`meta`] the
//! metadata, [`error`] why an export failed; one file per format renders it. What an export has
//! to tell the user comes back as facts ([`Warning`], [`Note`], [`ExportError`]): each front
//! end words the next step in its own terms.

mod doc;
mod env;
mod error;
mod forms;
mod generic;
mod gitcred;
mod meta;
mod n8n;
pub(crate) use n8n::{email_of, CredentialData, N8N_LEGACY_TYPE, N8N_TESTED_VERSION, N8N_TYPE};
mod netrc;
mod reference;
mod registry;
mod text;
pub mod write;

use std::fmt;

use zeroize::Zeroizing;

use crate::bitbucket::credential::{CredentialKind, Secret};
use crate::presets::{self, PresetId};
use crate::store::connections::Connection;

pub use crate::freshness::{validation_of, Validation, MAX_VALIDATION_AGE_HOURS};
pub use doc::Node;
pub use error::ExportError;
pub use forms::{fields, fields_with, FieldValue};
pub use meta::{ExportMeta, ExportOptions};
pub(crate) use meta::{date, rfc3339};
pub use reference::{parse_reference, secret_reference, token_command, REFERENCE_PREFIX};
pub use registry::{file_stem, formats, from_slug, info, FormStyle, Format, FormatInfo};

/// The `schema` of the generic JSON and YAML exports.
pub const SCHEMA: &str = "bitbucket-setup/connection-export";
/// The `schema` of the product form exports (JSON).
pub const FORM_SCHEMA: &str = "bitbucket-setup/form-export";
/// The version of both schemas this build writes and reads.
pub const SCHEMA_VERSION: u64 = 1;
/// The host git uses over HTTPS for Bitbucket Cloud.
pub const GIT_HOST: &str = "bitbucket.org";
/// The website of Bitbucket Cloud.
pub const WEB_BASE: &str = "https://bitbucket.org";
/// The generator named in every export.
pub const GENERATOR: &str = "Bitbucket Setup Assistant";
/// File mode of an export that holds the token.
pub const SECRET_MODE: u32 = 0o600;
/// File mode of an export without the token.
pub const PLAIN_MODE: u32 = 0o644;

/// Something the user should know about an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The configuration is exported unvalidated: Bitbucket has not confirmed it in the last 24
    /// hours. A front end that already says so more loudly leaves this one out.
    Unvalidated,
    /// Anything else (a value longer than the product allows, a value left out), in plain words.
    Says(String),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Unvalidated => {
                f.write_str("This configuration is exported unvalidated: Bitbucket has not confirmed it in the last 24 hours.")
            }
            Warning::Says(text) => f.write_str(text),
        }
    }
}

/// One line of what a file cannot say about itself ([`Rendered::about`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A plain sentence about the file.
    Says(String),
    /// The token's field holds [`secret_reference`], not the token: exported again with the token
    /// the file works as it is; or `token_command` (in the exporting system's shell) prints the
    /// token for a script or a credential helper. Each front end says how to include the token.
    TokenIsAReference { format: Format, token_command: String },
}

/// An export ready to be written or shown.
pub struct Rendered {
    pub format: Format,
    /// The suggested file name (no folder).
    pub file_name: String,
    /// The file's text; wiped from memory when dropped.
    pub contents: Zeroizing<String>,
    /// The Unix file mode to create the file with: [`SECRET_MODE`] when it holds the token.
    pub mode: u32,
    pub contains_secret: bool,
    /// Things the user should know (e.g. a value longer than the product allows).
    pub warnings: Vec<Warning>,
    /// What the file cannot say about itself because its readers allow nothing but the
    /// credential (netrc, git-credentials, n8n): its metadata, to show when it is written.
    pub about: Vec<Note>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let contents: &dyn fmt::Debug = if self.contains_secret { &"[holds the token: redacted]" } else { &self.contents.as_str() };
        f.debug_struct("Rendered")
            .field("format", &self.format)
            .field("file_name", &self.file_name)
            .field("mode", &format_args!("{:o}", self.mode))
            .field("contains_secret", &self.contains_secret)
            .field("warnings", &self.warnings)
            .field("contents", contents)
            .finish()
    }
}

/// What every renderer gets: the connection, the token or its reference, and the metadata.
pub(crate) struct Ctx<'a> {
    pub c: &'a Connection,
    /// The token, or [`secret_reference`] when it is not exported.
    pub token: Zeroizing<String>,
    pub secret_included: bool,
    pub meta: &'a ExportMeta,
}

impl Ctx<'_> {
    /// The base branch: the user's choice for this export, else the connection's.
    pub fn branch(&self) -> Option<String> {
        self.meta
            .options
            .branch
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string)
            .or_else(|| self.c.base_branch.clone())
    }

    pub fn git_username(&self) -> Option<String> {
        self.c.kind.git_username().map(str::to_string).or_else(|| self.c.username.clone())
    }

    pub fn clone_url(&self) -> Option<String> {
        let repo = crate::safe_text::non_blank(self.c.repository.as_deref())?;
        Some(self.meta.git_base.clone_url(&self.c.workspace, repo))
    }

    pub fn web_url(&self) -> String {
        match crate::safe_text::non_blank(self.c.repository.as_deref()) {
            Some(repo) => format!("{WEB_BASE}/{}/{repo}", self.c.workspace),
            None => format!("{WEB_BASE}/{}", self.c.workspace),
        }
    }

}

/// Renders a connection in `format`. The token goes in only when `secret` is given; otherwise
/// its field holds [`secret_reference`]. Nothing is written anywhere.
pub fn render(
    connection: &Connection,
    format: Format,
    secret: Option<&Secret>,
    meta: &ExportMeta,
) -> Result<Rendered, ExportError> {
    let info = info(format);
    let ctx = Ctx {
        c: connection,
        token: Zeroizing::new(match secret {
            Some(s) => s.expose().to_string(),
            None => secret_reference(connection),
        }),
        secret_included: secret.is_some(),
        meta,
    };
    let mut warnings = Vec::new();
    let mut about = Vec::new();
    let contents = match (info.product, info.style) {
        (Some(product), Some(style)) => forms::render(&ctx, product, style, &mut warnings)?,
        _ => match format {
            Format::N8n => n8n::render(&ctx, &mut about)?,
            Format::Env => env::render(&ctx, &mut warnings)?,
            Format::Json => generic::render_json(&ctx),
            Format::Yaml => generic::render_yaml(&ctx),
            Format::GitCredentials => gitcred::render(&ctx, &mut warnings, &mut about)?,
            Format::Netrc => netrc::render(&ctx, &mut about)?,
            _ => unreachable!("product formats have a product and a style"),
        },
    };
    if !meta.validation.is_validated() {
        warnings.push(Warning::Unvalidated);
    }
    Ok(Rendered {
        format,
        file_name: info.default_file_name(connection),
        contents,
        mode: if secret.is_some() { SECRET_MODE } else { PLAIN_MODE },
        contains_secret: secret.is_some(),
        warnings,
        about,
    })
}

/// The kinds a product's form accepts, as an [`ExportError`] when `kind` is not one.
pub(crate) fn check_kind(format: &'static str, product: PresetId, kind: CredentialKind) -> Result<(), ExportError> {
    match presets::required_scopes(product, kind, &[]) {
        Err(source @ presets::PresetError::KindNotAccepted { .. }) => Err(ExportError::KindNotAccepted { format, source }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::connections::LastCheck;
    use chrono::{TimeZone, Utc};

    fn conn() -> Connection {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        Connection {
            id: "8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11".into(),
            base_branch: Some("main".into()),
            granted_scopes: vec!["repository:write".into()],
            credential_type: Some("repo_access_token".into()),
            last_check: Some(LastCheck { at: t, ok: true, problem: None, message: "OK".into(), details: None }),
            created_at: t,
            updated_at: t,
            ..Connection::new("Acme Web", PresetId::Sqai, CredentialKind::RepositoryToken, "acme", Some("website"))
        }
    }

    #[test]
    fn rendered_debug_hides_the_secret() {
        let c = conn();
        let meta = ExportMeta::now(&c);
        let secret = Secret::new("ATCTcanary123");
        for f in formats() {
            let Ok(r) = render(&c, f.format, Some(&secret), &meta) else { continue };
            assert!(r.contents.contains("ATCTcanary123"), "{}", f.id);
            assert_eq!(r.mode, SECRET_MODE);
            assert!(!format!("{r:?}").contains("ATCTcanary123"), "{}", f.id);
            let r = render(&c, f.format, None, &meta).unwrap();
            assert!(!r.contents.contains("ATCTcanary123"));
            assert_eq!(r.mode, PLAIN_MODE);
        }
    }

    /// Without the token, the files whose readers allow nothing else say so as a fact, which
    /// each front end words; with it, they do not.
    #[test]
    fn a_reference_is_a_note_not_a_flag() {
        let c = conn();
        let meta = ExportMeta::now(&c);
        for format in [Format::GitCredentials, Format::Netrc] {
            let r = render(&c, format, None, &meta).unwrap();
            let refs: Vec<&Note> = r.about.iter().filter(|n| matches!(n, Note::TokenIsAReference { .. })).collect();
            assert_eq!(refs, [&Note::TokenIsAReference { format, token_command: token_command(&meta.program, &c) }]);
            for n in &r.about {
                if let Note::Says(text) = n {
                    assert!(!text.contains("--include-secret"), "{text}");
                }
            }
            let r = render(&c, format, Some(&Secret::new("ATCTx")), &meta).unwrap();
            assert!(!r.about.iter().any(|n| matches!(n, Note::TokenIsAReference { .. })));
        }
    }

    #[test]
    fn an_unvalidated_export_says_so_as_a_fact() {
        let mut c = conn();
        c.last_check = None;
        let r = render(&c, Format::Json, None, &ExportMeta::now(&c)).unwrap();
        assert_eq!(r.warnings, [Warning::Unvalidated]);
        assert!(r.warnings[0].to_string().contains("exported unvalidated"));
    }
}
