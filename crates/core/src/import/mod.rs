//! Reading an export back into a new connection: our generic JSON or YAML export (schema
//! `bitbucket-setup/connection-export`), or an n8n credential as `n8n export:credentials
//! --decrypted` writes it: an array of `{"id", "name", "type", "data", …}`. n8n's
//! `bitbucketAccessTokenApi` (`data: {email, accessToken}`) is an Atlassian API token; its
//! `bitbucketApi` (`data: {username, appPassword}`) holds an app password, retired on
//! 2026-07-28; this app's own exports before version 0.1.1 wrote `bitbucketApi` with `email`
//! and `apiToken`, which is read too.
//!
//! [`parse`] only reads the file; [`plan`] turns what it found, the user's overrides and the
//! token into a check request. The caller validates with Bitbucket and saves only when the
//! check passes (the command line: `bitbucket-setup import`). A file that holds a reference
//! instead of the token ([`crate::export::REFERENCE_PREFIX`]) yields no token: the caller asks for it.
//!
//! Messages never repeat file contents (a token may be anywhere in a broken file): parse errors
//! give a line and column only. YAML is read with serde_norway, the maintained fork of the
//! archived serde_yaml (JSON is read with serde_json).

//!
//! [`depth`] guards the parse; [`ours`] reads this app's own exports, [`n8n`] n8n's credentials;
//! [`plan`] builds the check. Errors and notes are facts (which field, which file): the command
//! line words the next step (`cli/advice/export.rs`).

use serde_json::Value;

use crate::bitbucket::client::ApiBaseError;
use crate::bitbucket::credential::{self, PasteError, Secret};
use crate::bitbucket::location::LocationError;
use crate::bitbucket::credential::CredentialKind;
use crate::export::{parse_reference, FORM_SCHEMA, N8N_LEGACY_TYPE, N8N_TYPE, SCHEMA, SCHEMA_VERSION};
use crate::presets::PresetId;
use chrono::NaiveDate;

mod depth;
mod n8n;
mod ours;
mod plan;

pub use depth::{check_depth, MAX_DEPTH};
pub use plan::{plan, ImportOverrides, ImportPlan, PlanWarning};

/// The largest file import reads.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// What kind of file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Json,
    Yaml,
    N8n,
}

/// What a file says about a connection.
#[derive(Debug, Clone)]
pub struct ImportDraft {
    pub source: Source,
    pub name: Option<String>,
    pub description: Option<String>,
    pub preset: Option<PresetId>,
    pub kind: CredentialKind,
    pub workspace: Option<String>,
    pub repository: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub api_url: Option<String>,
    pub expires: Option<NaiveDate>,
    pub granted_scopes: Vec<String>,
    /// The token, when the file holds it.
    pub token: Option<Secret>,
    /// The connection named by the file's reference, when it holds one instead.
    pub reference: Option<String>,
    /// Things to tell the user about how the file was read.
    pub notes: Vec<ImportNote>,
}

/// Something to tell the user about how a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImportNote {
    /// This app's n8n exports before 0.1.1: `bitbucketApi` with `email` and `apiToken`, read
    /// here but not by n8n. Exporting again for n8n writes what n8n reads.
    #[error("This file was written by an older Bitbucket Setup Assistant (n8n type \"{N8N_LEGACY_TYPE}\" with email and apiToken), which n8n itself does not read.")]
    OlderN8nExport,
}

/// Why a file cannot be imported, as facts: `Display` says what went wrong; what the user does
/// next is the front end's to say. Messages never contain file contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is larger than 1 MiB; an export is a few kilobytes.")]
    TooLarge,
    #[error("The file is not text (UTF-8).")]
    NotText,
    #[error("The file is empty.")]
    Empty,
    #[error("The file is nested more deeply than an export can be (more than {MAX_DEPTH} levels of lists and maps; an export has 3).")]
    TooDeep,
    #[error("The file is neither JSON nor YAML (the first problem is at line {line}, column {column}).")]
    Unparsable { line: usize, column: usize },
    #[error("This file is not a Bitbucket Setup Assistant export or an n8n Bitbucket credential.")]
    NotRecognised,
    #[error("This file was written by a newer version of Bitbucket Setup Assistant (schema version {version}; this version reads {SCHEMA_VERSION}). Update Bitbucket Setup Assistant, then import again.")]
    NewerSchema { version: u64 },
    #[error("This is a {product} form export, made for pasting into {product}. Import reads the json or yaml export instead.")]
    FormExport { product: String },
    #[error("This n8n credential is of type \"{kind}\", not Bitbucket's \"{N8N_TYPE}\". Export the Bitbucket credential from n8n.")]
    WrongN8nType { kind: String },
    #[error("This n8n \"{kind}\" credential has the fields {fields}; Bitbucket Setup Assistant reads \"{N8N_TYPE}\" (email, accessToken). In n8n, create a \"Bitbucket Access Token API\" credential with your Atlassian account email and an API token, then export it again.")]
    UnknownN8nFields { kind: String, fields: String },
    #[error("The file holds {count} n8n Bitbucket credentials. Export just the one you want (n8n export:credentials --id ID --decrypted).")]
    SeveralN8n { count: usize },
    #[error("The n8n credential's data is encrypted. Export it with n8n export:credentials --decrypted, import, then delete that file.")]
    EncryptedN8n,
    #[error("The n8n credential (\"{N8N_LEGACY_TYPE}\") holds a Bitbucket username and an app password. App passwords stopped working on 2026-07-28. Create an API token with scopes (id.atlassian.com > Security > \"Create API token with scopes\", app Bitbucket) and check it with bitbucket-setup (the n8n preset). Then, in n8n, replace the credential with a \"Bitbucket Access Token API\" credential: your Atlassian account email and the new API token.")]
    AppPassword,
    /// Neither the file nor the user names the connection.
    #[error("The file names no connection.")]
    NoName,
    /// Neither the file nor the user names the workspace.
    #[error("The file has no workspace.")]
    NoWorkspace,
    #[error("The file has no {field}.")]
    Missing { field: &'static str },
    #[error("The {field} in the file is not valid: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("The expiry date in the file is not valid. {0}")]
    Expires(#[from] crate::manage::ExpiryError),
    #[error("The token in the file is not valid: {0}")]
    BadToken(#[source] PasteError),
    /// The workspace or repository (from the file or the user) is not one.
    #[error("{0}")]
    Location(#[from] LocationError),
    /// The API address to check against is not one.
    #[error("{0}")]
    ApiUrl(#[from] ApiBaseError),
}

/// Reads a file's contents. Nothing is sent anywhere.
pub fn parse(bytes: &[u8]) -> Result<ImportDraft, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotText)?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    // A file that starts like JSON is judged as JSON (YAML would read a broken JSON object as
    // something else); anything else as YAML.
    let looks_json = text.trim_start().starts_with(['{', '[']);
    check_depth(text, looks_json)?;
    let (value, source) = if looks_json {
        let v = serde_json::from_str::<Value>(text)
            .map_err(|e| ImportError::Unparsable { line: e.line(), column: e.column() })?;
        (v, Source::Json)
    } else {
        let v = serde_norway::from_str::<Value>(text).map_err(|e| {
            let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
            ImportError::Unparsable { line, column }
        })?;
        (v, Source::Yaml)
    };
    match &value {
        Value::Array(items) => {
            let bitbucket: Vec<&Value> = items.iter().filter(|v| n8n::is_bitbucket(v)).collect();
            match bitbucket.len() {
                1 => n8n::read(bitbucket[0]),
                0 if items.iter().any(|v| v.get("type").is_some() && v.get("data").is_some()) => {
                    let kind = items.iter().find_map(|v| v.get("type").and_then(Value::as_str)).unwrap_or("").to_string();
                    Err(ImportError::WrongN8nType { kind: short(&kind) })
                }
                0 => Err(ImportError::NotRecognised),
                count => Err(ImportError::SeveralN8n { count }),
            }
        }
        Value::Object(map) => {
            if let Some(schema) = map.get("schema").and_then(Value::as_str) {
                if schema == FORM_SCHEMA {
                    let product = map.get("product").and_then(Value::as_str).unwrap_or("product");
                    return Err(ImportError::FormExport { product: short(product) });
                }
                if schema == SCHEMA {
                    return ours::read(&value, source);
                }
                return Err(ImportError::NotRecognised);
            }
            if map.contains_key("type") && map.contains_key("data") {
                return n8n::read(&value);
            }
            Err(ImportError::NotRecognised)
        }
        _ => Err(ImportError::NotRecognised),
    }
}
/// A value from the file for a message, bounded and single-line (never used for tokens).
pub(crate) fn short(s: &str) -> String {
    crate::safe_text::visible_clip(s, 60)
}

pub(crate) fn opt_str(v: &Value, field: &'static str) -> Result<Option<String>, ImportError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(ImportError::Invalid { field, why: "it should be text".into() }),
    }
}

/// The token field: a reference, nothing, or the token (checked like a paste).
pub(crate) fn token_field(raw: Option<String>) -> Result<(Option<Secret>, Option<String>), ImportError> {
    let Some(raw) = raw else { return Ok((None, None)) };
    if let Some(name) = parse_reference(&raw) {
        return Ok((None, Some(name.to_string())));
    }
    // n8n writes this placeholder for an empty password field.
    if raw.starts_with("__n8n_BLANK_VALUE_") {
        return Ok((None, None));
    }
    let pasted = credential::classify(&raw).map_err(ImportError::BadToken)?;
    Ok((Some(pasted.secret), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::client::Timeouts;
    use crate::bitbucket::credential::Secret;

    const OURS: &str = r#"{"schema": "bitbucket-setup/connection-export", "schema_version": 1,
        "connection": {"name": "Acme Web", "description": null, "preset": "sqai", "credential_kind": "repository_token",
          "workspace": "acme", "repository": "website", "api_url": "https://api.bitbucket.org/2.0", "expires": "2027-01-31"},
        "token": "keychain:bitbucket-setup:Acme Web", "metadata": {"granted_scopes": ["repository:write"]}}"#;

    #[test]
    fn reads_our_json_and_yaml() {
        let d = parse(OURS.as_bytes()).unwrap();
        assert_eq!(d.source, Source::Json);
        assert_eq!(d.name.as_deref(), Some("Acme Web"));
        assert_eq!(d.kind, CredentialKind::RepositoryToken);
        assert_eq!(d.preset, Some(PresetId::Sqai));
        assert_eq!(d.reference.as_deref(), Some("Acme Web"));
        assert!(d.token.is_none());
        assert_eq!(d.expires, NaiveDate::from_ymd_opt(2027, 1, 31));
        let yaml = "schema: \"bitbucket-setup/connection-export\"\nschema_version: 1\nconnection:\n  name: \"on\"\n  credential_kind: \"api_token\"\n  preset: \"autoheal\"\n  workspace: \"acme\"\n  email: \"a@b.example\"\ntoken: \"ATATT3xsecret\"\n";
        let d = parse(yaml.as_bytes()).unwrap();
        assert_eq!(d.source, Source::Yaml);
        assert_eq!(d.name.as_deref(), Some("on"));
        assert_eq!(d.token.as_ref().unwrap().expose(), "ATATT3xsecret");
    }

    #[test]
    fn reads_n8n() {
        let one = r#"{"id": "AbCdEfGhIjKlMnOp", "name": "BB", "type": "bitbucketAccessTokenApi", "data": {"email": "a@b.example", "accessToken": "ATATT3xabc"}}"#;
        let d = parse(one.as_bytes()).unwrap();
        assert_eq!((d.source, d.kind, d.preset), (Source::N8n, CredentialKind::ApiToken, Some(PresetId::N8n)));
        assert_eq!(d.email.as_deref(), Some("a@b.example"));
        assert!(d.workspace.is_none() && d.notes.is_empty());
        // This app's older exports: bitbucketApi with email and apiToken, read with a note.
        let older = r#"{"name": "BB", "type": "bitbucketApi", "data": {"email": "a@b.example", "apiToken": "ATATT3xabc"}, "bitbucketSetup": {"workspace": "acme"}}"#;
        let d = parse(older.as_bytes()).unwrap();
        assert_eq!((d.kind, d.workspace.as_deref()), (CredentialKind::ApiToken, Some("acme")));
        assert_eq!(d.notes, [ImportNote::OlderN8nExport]);
        assert!(d.notes[0].to_string().contains("older Bitbucket Setup Assistant"));
        let odd = r#"{"name": "BB", "type": "bitbucketApi", "data": {"oauth": "x", "clientId": "y"}}"#;
        assert!(matches!(parse(odd.as_bytes()).unwrap_err(), ImportError::UnknownN8nFields { .. }));
        let arr = format!("[{{\"name\": \"x\", \"type\": \"githubApi\", \"data\": {{}}}}, {one}]");
        assert_eq!(parse(arr.as_bytes()).unwrap().name.as_deref(), Some("BB"));
        let two = format!("[{one}, {one}]");
        assert_eq!(parse(two.as_bytes()).unwrap_err(), ImportError::SeveralN8n { count: 2 });
        let enc = r#"{"name": "BB", "type": "bitbucketApi", "data": "U2FsdGVkX1secret"}"#;
        assert_eq!(parse(enc.as_bytes()).unwrap_err(), ImportError::EncryptedN8n);
        let app = r#"{"name": "BB", "type": "bitbucketApi", "data": {"username": "jdoe", "appPassword": "ATBBx"}}"#;
        assert_eq!(parse(app.as_bytes()).unwrap_err(), ImportError::AppPassword);
        let gh = r#"{"name": "GH", "type": "githubApi", "data": {"accessToken": "secretvalue"}}"#;
        let e = parse(gh.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("githubApi") && !e.to_string().contains("secretvalue"));
    }

    #[test]
    fn bad_files_get_plain_messages_without_contents() {
        for (bytes, want) in [
            (&b""[..], ImportError::Empty),
            (b"\xff\xfe", ImportError::NotText),
            (b"[1, 2]", ImportError::NotRecognised),
            (b"just words", ImportError::NotRecognised),
        ] {
            assert_eq!(parse(bytes).unwrap_err(), want);
        }
        let e = parse(b"{\"token\": \"ATCTsecretCANARY\", oops}").unwrap_err();
        assert!(matches!(e, ImportError::Unparsable { line: 1, .. }), "{e:?}");
        assert!(!e.to_string().contains("CANARY"));
        let e = parse(b"a: \"ATCTsecretCANARY\n  b: c\n\tx: [").unwrap_err();
        assert!(matches!(e, ImportError::Unparsable { .. }), "{e:?}");
        assert!(!e.to_string().contains("CANARY"));
        let newer = OURS.replace("\"schema_version\": 1", "\"schema_version\": 2");
        assert_eq!(parse(newer.as_bytes()).unwrap_err(), ImportError::NewerSchema { version: 2 });
        let form = r#"{"schema": "bitbucket-setup/form-export", "schema_version": 1, "product": "SQAI Suite"}"#;
        assert_eq!(parse(form.as_bytes()).unwrap_err(), ImportError::FormExport { product: "SQAI Suite".into() });
        let bad_token = OURS.replace("keychain:bitbucket-setup:Acme Web", "ATCT has spaces CANARY");
        let e = parse(bad_token.as_bytes()).unwrap_err();
        assert!(matches!(e, ImportError::BadToken(_)), "{e:?}");
        assert!(std::error::Error::source(&e).is_some(), "the paste error is kept as the cause");
        assert!(!e.to_string().contains("CANARY"));
        let bad_kind = OURS.replace("repository_token", "magic");
        assert!(parse(bad_kind.as_bytes()).unwrap_err().to_string().contains("\"magic\" is not one of"));
        assert_eq!(parse(&vec![b' '; MAX_FILE_BYTES + 1]).unwrap_err(), ImportError::TooLarge);
    }

    #[test]
    fn plan_never_trusts_the_files_api_address() {
        let mut d = parse(OURS.as_bytes()).unwrap();
        d.api_url = Some("https://evil.example/2.0".into());
        let p = plan(&d, &ImportOverrides::default(), Secret::new("ATCTx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap();
        assert_eq!(p.request.api_base.as_str(), "https://api.bitbucket.org/2.0");
        assert_eq!(p.warnings, [PlanWarning::OtherApiAddress { given: "https://evil.example/2.0".into() }]);
        assert_eq!(p.save.name, "Acme Web");
        let n = parse(br#"{"name": "BB", "type": "bitbucketApi", "data": {"email": "a@b.example", "apiToken": "ATATx"}}"#).unwrap();
        let e = plan(&n, &ImportOverrides::default(), Secret::new("ATATx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap_err();
        assert_eq!(e, ImportError::NoWorkspace);
        let unnamed = ImportDraft { name: None, ..n.clone() };
        let o = ImportOverrides { workspace: Some("acme".into()), ..Default::default() };
        let e = plan(&unnamed, &o, Secret::new("ATATx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap_err();
        assert_eq!(e, ImportError::NoName, "the missing name is the error, not a sentence in its place");
        let bad = ImportOverrides { workspace: Some("not a workspace!".into()), ..Default::default() };
        let e = plan(&n, &bad, Secret::new("ATATx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap_err();
        assert!(matches!(e, ImportError::Location(_)) && std::error::Error::source(&e).is_some(), "{e:?}");
        let o = ImportOverrides { workspace: Some("acme".into()), ..Default::default() };
        let p = plan(&n, &o, Secret::new("ATATx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap();
        assert_eq!(p.request.target.id, "n8n");
        assert_eq!(p.request.credential.email.as_deref(), Some("a@b.example"));
    }
}
