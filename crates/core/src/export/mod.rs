//! Exports a saved connection as the configuration a target product or tool asks for
//! ([`crate::import`] reads one back).
//!
//! Free of Tauri types: the command line ([`crate::cli`]) and, later, the window call the same
//! three functions:
//!
//! * [`render`]`(connection, format, secret, meta)` → [`Rendered`] `{file_name, contents, mode}`;
//! * [`fields`]`(connection, preset)` → the product's form, field by field, for "copy" buttons;
//! * [`write::write_file`] writes a [`Rendered`] atomically, `0600` when it holds the secret.
//!
//! ## The secret
//!
//! An export holds the token only when the caller passes it (`--include-secret` on the command
//! line). Otherwise the token's field holds a *reference*, `keychain:bitbucket-setup:ID`
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
//! token: "keychain:bitbucket-setup:8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"   # the connection's id; the token itself only with --include-secret
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

mod doc;
mod env;
mod forms;
mod generic;
mod gitcred;
mod n8n;
pub(crate) use n8n::{N8N_LEGACY_TYPE, N8N_TYPE};
mod netrc;
mod text;
pub mod write;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::bitbucket::credential::{CredentialKind, Secret};
use crate::bitbucket::githost::GitBase;
use crate::presets::{self, PresetId};
use crate::shell::Program;
use crate::store::connections::Connection;

pub use crate::freshness::{validation_of, Validation, MAX_VALIDATION_AGE_HOURS};
pub use doc::Node;
pub use forms::{fields, fields_with, FieldValue};

/// What a token field holds instead of the token: this prefix and the connection's name.
pub const REFERENCE_PREFIX: &str = "keychain:bitbucket-setup:";
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

/// Every export format. The command-line names are the kebab-case variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Sqai,
    SqaiSheet,
    SqaiHtml,
    Autoheal,
    AutohealSheet,
    AutohealHtml,
    Katalon,
    KatalonSheet,
    KatalonHtml,
    Cubyts,
    CubytsSheet,
    CubytsHtml,
    Nirvai,
    NirvaiSheet,
    NirvaiHtml,
    N8n,
    Env,
    Json,
    Yaml,
    GitCredentials,
    Netrc,
}

/// How a product form is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStyle {
    Json,
    Text,
    Html,
}

/// One row of the format registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormatInfo {
    pub format: Format,
    /// The command-line name (`--format sqai-sheet`).
    pub id: &'static str,
    pub label: &'static str,
    /// The file extension, without the dot.
    pub extension: &'static str,
    /// The default file name is the connection's name made file-safe, then this.
    pub file_suffix: &'static str,
    /// Whether the format can hold the token (with `--include-secret`).
    pub can_carry_secret: bool,
    /// The product whose form this is, for product formats.
    pub product: Option<PresetId>,
    pub style: Option<FormStyle>,
    pub description: &'static str,
}

impl FormatInfo {
    /// `acme-web.sqai.json` for a connection named "Acme Web" (see [`file_stem`]).
    pub fn default_file_name(&self, connection: &Connection) -> String {
        format!("{}{}", file_stem(&connection.name), self.file_suffix)
    }
}

#[allow(clippy::too_many_arguments)]
const fn form(
    format: Format,
    id: &'static str,
    label: &'static str,
    extension: &'static str,
    file_suffix: &'static str,
    product: PresetId,
    style: FormStyle,
    description: &'static str,
) -> FormatInfo {
    FormatInfo {
        format,
        id,
        label,
        extension,
        file_suffix,
        can_carry_secret: true,
        product: Some(product),
        style: Some(style),
        description,
    }
}

const fn plain(
    format: Format,
    id: &'static str,
    label: &'static str,
    extension: &'static str,
    file_suffix: &'static str,
    description: &'static str,
) -> FormatInfo {
    FormatInfo {
        format,
        id,
        label,
        extension,
        file_suffix,
        can_carry_secret: true,
        product: None,
        style: None,
        description,
    }
}

use FormStyle::{Html, Json as JsonStyle, Text};

/// The registry: every format, in the order the app lists them.
static FORMATS: [FormatInfo; 21] = [
    form(Format::Sqai, "sqai", "SQAI Suite (JSON)", "json", ".sqai.json", PresetId::Sqai, JsonStyle, "The fields of SQAI Suite's Bitbucket page, in the form's order, as JSON."),
    form(Format::SqaiSheet, "sqai-sheet", "SQAI Suite (sheet to copy from)", "txt", ".sqai.txt", PresetId::Sqai, Text, "A printable \"copy these into the form\" sheet for SQAI Suite."),
    form(Format::SqaiHtml, "sqai-html", "SQAI Suite (printable page)", "html", ".sqai.html", PresetId::Sqai, Html, "The same sheet as a printable web page."),
    form(Format::Autoheal, "autoheal", "Autoheal (JSON)", "json", ".autoheal.json", PresetId::Autoheal, JsonStyle, "Autoheal's Bitbucket integration: name, email and API token (or access token), workspace."),
    form(Format::AutohealSheet, "autoheal-sheet", "Autoheal (sheet to copy from)", "txt", ".autoheal.txt", PresetId::Autoheal, Text, "A printable sheet for Autoheal's form."),
    form(Format::AutohealHtml, "autoheal-html", "Autoheal (printable page)", "html", ".autoheal.html", PresetId::Autoheal, Html, "The same sheet as a printable web page."),
    form(Format::Katalon, "katalon", "Katalon TestOps (JSON)", "json", ".katalon.json", PresetId::Katalon, JsonStyle, "Katalon TestOps' account-level integration and project-level repository URL."),
    form(Format::KatalonSheet, "katalon-sheet", "Katalon TestOps (sheet to copy from)", "txt", ".katalon.txt", PresetId::Katalon, Text, "A printable sheet for Katalon TestOps' forms."),
    form(Format::KatalonHtml, "katalon-html", "Katalon TestOps (printable page)", "html", ".katalon.html", PresetId::Katalon, Html, "The same sheet as a printable web page."),
    form(Format::Cubyts, "cubyts", "Cubyts (JSON)", "json", ".cubyts.json", PresetId::Cubyts, JsonStyle, "Cubyts' token level (repository or workspace) and token."),
    form(Format::CubytsSheet, "cubyts-sheet", "Cubyts (sheet to copy from)", "txt", ".cubyts.txt", PresetId::Cubyts, Text, "A printable sheet for Cubyts' form."),
    form(Format::CubytsHtml, "cubyts-html", "Cubyts (printable page)", "html", ".cubyts.html", PresetId::Cubyts, Html, "The same sheet as a printable web page."),
    form(Format::Nirvai, "nirvai", "Nirvai (JSON)", "json", ".nirvai.json", PresetId::Nirvai, JsonStyle, "Nirvai's Bitbucket credential: the access token."),
    form(Format::NirvaiSheet, "nirvai-sheet", "Nirvai (sheet to copy from)", "txt", ".nirvai.txt", PresetId::Nirvai, Text, "A printable sheet for Nirvai's form."),
    form(Format::NirvaiHtml, "nirvai-html", "Nirvai (printable page)", "html", ".nirvai.html", PresetId::Nirvai, Html, "The same sheet as a printable web page."),
    plain(Format::N8n, "n8n", "n8n credential (JSON)", "json", ".n8n.json", "An n8n \"Bitbucket Access Token API\" credential ([{\"id\", \"name\", \"type\": \"bitbucketAccessTokenApi\", \"data\": {email, accessToken}}]) for `n8n import:credentials` (tested with n8n 2.39.10); API tokens only."),
    plain(Format::Env, "env", ".env file", "env", ".env", "KEY='value' lines that bash, python-dotenv, Node's dotenv and docker compose read back exactly; a value they would read differently is left out, and the file says so."),
    plain(Format::Json, "json", "JSON", "json", ".json", "Every setting and the metadata, schema bitbucket-setup/connection-export v1; `bitbucket-setup import` reads it back."),
    plain(Format::Yaml, "yaml", "YAML", "yaml", ".yaml", "The same document as the JSON export, in YAML; `bitbucket-setup import` reads it back."),
    plain(Format::GitCredentials, "git-credentials", "git credential entry", "git-credentials", ".git-credentials", "One line for git credential-store (~/.git-credentials): https://USERNAME:TOKEN@bitbucket.org/…, with the right git username for the kind, and nothing else."),
    plain(Format::Netrc, "netrc", ".netrc entry", "netrc", ".netrc", "machine/login/password lines, and nothing else, for curl --netrc-file, Python's netrc, requests and git."),
];

/// Every format, in the order the app lists them.
pub fn formats() -> &'static [FormatInfo] {
    &FORMATS
}

/// The registry row of a format.
pub fn info(format: Format) -> &'static FormatInfo {
    FORMATS
        .iter()
        .find(|f| f.format == format)
        .expect("every format has a registry row")
}

/// The format for a command-line name (case and `_`/`-` ignored), with a few aliases.
pub fn from_cli_name(name: &str) -> Option<Format> {
    let key: String = name
        .trim()
        .trim_start_matches('.')
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() })
        .collect();
    let alias = match key.as_str() {
        "sqai-suite" | "sqai-json" => Some(Format::Sqai),
        "sqai-text" | "sqai-txt" => Some(Format::SqaiSheet),
        "autoheal-json" => Some(Format::Autoheal),
        "autoheal-text" | "autoheal-txt" => Some(Format::AutohealSheet),
        "katalon-testops" | "katalon-json" => Some(Format::Katalon),
        "katalon-text" | "katalon-txt" => Some(Format::KatalonSheet),
        "cubyts-json" => Some(Format::Cubyts),
        "cubyts-text" | "cubyts-txt" => Some(Format::CubytsSheet),
        "nirvai-json" => Some(Format::Nirvai),
        "nirvai-text" | "nirvai-txt" => Some(Format::NirvaiSheet),
        "n8n-json" => Some(Format::N8n),
        "dotenv" => Some(Format::Env),
        "yml" => Some(Format::Yaml),
        "git" | "git-credential" | "gitcredentials" => Some(Format::GitCredentials),
        _ => None,
    };
    alias.or_else(|| FORMATS.iter().find(|f| f.id == key).map(|f| f.format))
}

/// The connection's name as a file name: ASCII letters and digits kept (lowercased), every run
/// of anything else one `-`; "connection" when nothing is left.
pub fn file_stem(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "connection".to_string()
    } else {
        out
    }
}

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

/// Choices the user makes at export time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// A branch other than the connection's base branch (Katalon's project URL).
    #[serde(default)]
    pub branch: Option<String>,
    /// A folder in the repository (Katalon's project URL, e.g. "Test Cases").
    #[serde(default)]
    pub folder: Option<String>,
}

/// What an export says about itself, beyond the connection. Tests inject fixed values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportMeta {
    pub app_version: String,
    pub exported_at: DateTime<Utc>,
    pub validation: Validation,
    pub options: ExportOptions,
    /// Where git reaches Bitbucket (`BITBUCKET_GIT_URL` for tests and tunnels).
    #[serde(skip)]
    pub git_base: GitBase,
    /// How the command lines the export shows start this program, in the shell of the system
    /// that exports ([`Program::current`]; tests choose one).
    #[serde(skip)]
    pub program: Program,
}

impl ExportMeta {
    /// This build's version, the current time, and the connection's validation now.
    pub fn now(connection: &Connection) -> ExportMeta {
        let now = Utc::now();
        ExportMeta {
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            exported_at: now,
            validation: validation_of(connection, now),
            options: ExportOptions::default(),
            git_base: GitBase::from_env(),
            program: Program::current(),
        }
    }
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
    pub warnings: Vec<String>,
    /// What the file cannot say about itself because its readers allow nothing but the
    /// credential (netrc, git-credentials, n8n): its metadata, to show when it is written.
    pub about: Vec<String>,
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

/// Why an export could not be made or written: `Display` is the whole message, what went wrong
/// and what to do about it. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Unknown format \"{given}\". Use one of: {}.", format_names())]
    UnknownFormat { given: String },
    #[error("The {format} format cannot hold the token. Export without --include-secret.")]
    CannotCarrySecret { format: &'static str },
    #[error("{message}")]
    KindNotAccepted { format: &'static str, message: String },
    #[error("The {format} format needs an API token with scopes and its Atlassian account email; this connection holds {kind}. Create an API token with scopes (id.atlassian.com > Security > \"Create API token with scopes\", app Bitbucket), save it as a new connection, and export that.")]
    NeedsApiToken { format: &'static str, kind: &'static str },
    #[error("The connection has no Atlassian account email, which an API token needs. Replace the token with `bitbucket-setup` giving your email, or save the connection again.")]
    MissingEmail,
    #[error("There is no form for {preset}. Use the env, json or yaml format instead.")]
    NoForm { preset: &'static str },
    #[error("The {field} cannot be written to {format}: {why} Change the value in the connection and export again.")]
    Unrepresentable { format: &'static str, field: &'static str, why: &'static str },
    #[error("{0}")]
    BadOption(String),
    #[error("{} already exists. Choose another file name, or add --force to replace it.", .path.display())]
    Exists { path: std::path::PathBuf },
    #[error("The folder {} does not exist. Create it first, or choose another place.", .path.display())]
    NoFolder { path: std::path::PathBuf },
    #[error("{} is a folder. Give a file name, for example {}.", .path.display(), FORMATS[0].file_suffix.trim_start_matches('.'))]
    IsFolder { path: std::path::PathBuf },
    // Never "--force": it would not help, and replacing a device or a pipe is the harm.
    #[error("{} is not a regular file ({what}), so nothing was written to it. Give the name of a file; to write to standard output use -o -.", .path.display())]
    NotRegular { path: std::path::PathBuf, what: &'static str },
    #[error("Could not {action} {}: {source}.{}", .path.display(), write_advice(source))]
    Io {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Every format's command-line name, for "Use one of: …".
fn format_names() -> String {
    FORMATS.iter().map(|f| f.id).collect::<Vec<_>>().join(", ")
}

fn write_advice(source: &std::io::Error) -> std::borrow::Cow<'static, str> {
    if crate::replace::is_held_open(source) {
        return crate::replace::held_open_advice().into();
    }
    std::borrow::Cow::Borrowed(match source.kind() {
        std::io::ErrorKind::PermissionDenied => " Check that you may write to that folder.",
        std::io::ErrorKind::StorageFull => " Free some disk space and try again.",
        _ => " Try again, or choose another place.",
    })
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
        let repo = self.c.repository.as_deref().map(str::trim).filter(|r| !r.is_empty())?;
        Some(self.meta.git_base.clone_url(&self.c.workspace, repo))
    }

    pub fn web_url(&self) -> String {
        match self.c.repository.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(repo) => format!("{WEB_BASE}/{}/{repo}", self.c.workspace),
            None => format!("{WEB_BASE}/{}", self.c.workspace),
        }
    }

    /// The metadata every structured export carries, in a fixed order.
    pub fn metadata_node(&self) -> Node {
        let v = &self.meta.validation;
        Node::map(vec![
            ("generator", Node::str(GENERATOR)),
            ("app_version", Node::str(&self.meta.app_version)),
            ("exported_at", Node::str(rfc3339(self.meta.exported_at))),
            ("validation", Node::str(if v.is_validated() { "validated" } else { "unvalidated" })),
            ("validated_at", Node::opt(v.validated_at().map(rfc3339))),
            (
                "unvalidated_reason",
                match v {
                    Validation::Unvalidated { reason, .. } => Node::str(reason),
                    Validation::Validated { .. } => Node::Null,
                },
            ),
            ("credential_type", Node::opt(self.c.credential_type.clone())),
            ("granted_scopes", Node::List(self.c.granted_scopes.iter().map(Node::str).collect())),
            ("checked_against_preset", Node::str(self.c.preset.cli_name())),
            ("expires", Node::opt(self.c.expires.map(date))),
            ("secret_included", Node::Bool(self.secret_included)),
            ("token_command", Node::str(token_command(&self.meta.program, self.c))),
        ])
    }

    /// The same facts as `(label, value)` lines for text formats.
    pub fn metadata_lines(&self) -> Vec<(&'static str, String)> {
        let v = &self.meta.validation;
        let validation = match v {
            Validation::Validated { at } => format!("validated {}", rfc3339(*at)),
            Validation::Unvalidated { reason, .. } => format!("UNVALIDATED: {reason}"),
        };
        let scopes = if self.c.granted_scopes.is_empty() { "(none reported)".to_string() } else { self.c.granted_scopes.join(", ") };
        vec![
            ("Exported by", format!("{GENERATOR} {}", self.meta.app_version)),
            ("Exported at", rfc3339(self.meta.exported_at)),
            ("Validation", validation),
            ("Credential type (reported by Bitbucket)", self.c.credential_type.clone().unwrap_or_else(|| "(not reported)".into())),
            ("Granted scopes", scopes),
            ("Checked against", format!("{} ({})", presets::get(self.c.preset).name, self.c.preset.cli_name())),
            ("Token expires", self.c.expires.map(date).unwrap_or_else(|| "(no date given)".into())),
            (
                "Token in this file",
                if self.secret_included {
                    "YES: this file is a secret; keep it like a password and delete it when done".into()
                } else {
                    format!("no; get it with: {}", token_command(&self.meta.program, self.c))
                },
            ),
        ]
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
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
    if secret.is_some() && !info.can_carry_secret {
        return Err(ExportError::CannotCarrySecret { format: info.label });
    }
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
        warnings.push("This configuration is exported unvalidated: Bitbucket has not confirmed it in the last 24 hours.".into());
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
        Err(e @ presets::PresetError::KindNotAccepted { .. }) => {
            Err(ExportError::KindNotAccepted { format, message: e.to_string() })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::connections::LastCheck;
    use chrono::TimeZone;

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
    fn registry_is_complete_and_names_round_trip() {
        let mut ids = std::collections::BTreeSet::new();
        for f in formats() {
            assert!(ids.insert(f.id), "duplicate id {}", f.id);
            assert_eq!(from_cli_name(f.id), Some(f.format));
            assert_eq!(from_cli_name(&f.id.to_uppercase()), Some(f.format));
            assert_eq!(serde_json::to_value(f.format).unwrap(), serde_json::json!(f.id));
            assert!(f.file_suffix.ends_with(&format!(".{}", f.extension)), "{}", f.id);
            assert_eq!(info(f.format).id, f.id);
            assert_eq!(f.product.is_some(), f.style.is_some());
        }
        assert_eq!(from_cli_name("dotenv"), Some(Format::Env));
        assert_eq!(from_cli_name(".env"), Some(Format::Env));
        assert_eq!(from_cli_name("YML"), Some(Format::Yaml));
        assert_eq!(from_cli_name("sqai_text"), Some(Format::SqaiSheet));
        assert_eq!(from_cli_name("nope"), None);
        let e = ExportError::UnknownFormat { given: "nope".into() };
        assert!(e.to_string().contains("sqai-sheet, sqai-html"), "{}", e.to_string());
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_stem("Acme Web"), "acme-web");
        assert_eq!(file_stem("  ../../etc/passwd "), "etc-passwd");
        assert_eq!(file_stem("Ünïcode только"), "n-code");
        assert_eq!(file_stem("!!!"), "connection");
        assert_eq!(info(Format::SqaiSheet).default_file_name(&conn()), "acme-web.sqai.txt");
        assert_eq!(info(Format::Env).default_file_name(&conn()), "acme-web.env");
    }

    #[test]
    fn references_round_trip() {
        let c = conn();
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

    #[test]
    fn validation_ages_out_after_a_day() {
        let mut c = conn();
        let at = c.last_check.as_ref().unwrap().at;
        assert_eq!(validation_of(&c, at + chrono::Duration::hours(23)), Validation::Validated { at });
        let old = validation_of(&c, at + chrono::Duration::hours(25));
        assert!(!old.is_validated());
        assert_eq!(old.validated_at(), Some(at));
        let Validation::Unvalidated { reason, .. } = old else { unreachable!() };
        assert!(reason.contains("more than 24 hours ago"), "{reason}");
        c.last_check.as_mut().unwrap().ok = false;
        c.last_check.as_mut().unwrap().problem = Some("unauthorized".into());
        let failed = validation_of(&c, at);
        assert_eq!(failed.validated_at(), None);
        assert!(matches!(&failed, Validation::Unvalidated { reason, .. } if reason.contains("did not pass (unauthorized)")));
        c.last_check = None;
        assert!(matches!(validation_of(&c, at), Validation::Unvalidated { reason, .. } if reason.contains("never been checked")));
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
}
