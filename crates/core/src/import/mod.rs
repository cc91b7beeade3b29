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

use chrono::NaiveDate;
use serde_json::Value;

use crate::export::{parse_reference, FORM_SCHEMA, N8N_LEGACY_TYPE, N8N_TYPE, SCHEMA, SCHEMA_VERSION};
use crate::bitbucket::client::{ApiBase, Timeouts};
use crate::bitbucket::credential::{self, Credential, CredentialKind, Secret};
use crate::bitbucket::location;
use crate::bitbucket::validate::CheckRequest;
use crate::manage::SaveOptions;
use crate::presets::{self, PresetId};

/// The largest file import reads.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The deepest nesting of lists and maps import reads. An export is 3 levels deep; YAML nested
/// 100,000 levels (200 KB) kept the YAML parser busy for 29 seconds before its own depth limit
/// applied, so [`check_depth`] refuses anything that might be deeper than this first.
pub const MAX_DEPTH: usize = 64;

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
    pub notes: Vec<String>,
}

/// What to do with a file that is not an export: the advice several messages end with.
const CHOOSE_AN_EXPORT: &str = "Choose a file made by `bitbucket-setup export NAME --format json` (or yaml), or an n8n Bitbucket credential.";
/// What to do with a value the file lacks or has wrong.
const CORRECT_IT: &str = "Correct the file, or give the value on the command line.";

/// Why a file cannot be imported: `Display` is the whole message, what went wrong and what to
/// do about it. Messages never contain file contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is larger than 1 MiB; an export is a few kilobytes. {CHOOSE_AN_EXPORT}")]
    TooLarge,
    #[error("The file is not text (UTF-8). {CHOOSE_AN_EXPORT}")]
    NotText,
    #[error("The file is empty. {CHOOSE_AN_EXPORT}")]
    Empty,
    #[error("The file is nested more deeply than an export can be (more than {MAX_DEPTH} levels of lists and maps; an export has 3). {CHOOSE_AN_EXPORT}")]
    TooDeep,
    #[error("The file is neither JSON nor YAML (the first problem is at line {line}, column {column}). {CHOOSE_AN_EXPORT}")]
    Unparsable { line: usize, column: usize },
    #[error("This file is not a Bitbucket Setup Assistant export or an n8n Bitbucket credential. {CHOOSE_AN_EXPORT}")]
    NotRecognised,
    #[error("This file was written by a newer version of Bitbucket Setup Assistant (schema version {version}; this version reads {SCHEMA_VERSION}). Update Bitbucket Setup Assistant, then import again.")]
    NewerSchema { version: u64 },
    #[error("This is a {product} form export, made for pasting into {product}. Import reads the json or yaml export instead: bitbucket-setup export NAME --format json.")]
    FormExport { product: String },
    #[error("This n8n credential is of type \"{kind}\", not Bitbucket's \"{N8N_TYPE}\". Export the Bitbucket credential from n8n.")]
    WrongN8nType { kind: String },
    #[error("This n8n \"{kind}\" credential has the fields {fields}; Bitbucket Setup Assistant reads \"{N8N_TYPE}\" (email, accessToken). In n8n, create a \"Bitbucket Access Token API\" credential with your Atlassian account email and an API token, then export it again.")]
    UnknownN8nFields { kind: String, fields: String },
    #[error("The file holds {count} n8n Bitbucket credentials. Export just the one you want (n8n export:credentials --id ID --decrypted).")]
    SeveralN8n { count: usize },
    #[error("The n8n credential's data is encrypted. Export it with n8n export:credentials --decrypted, import, then delete that file.")]
    EncryptedN8n,
    #[error("The n8n credential (\"{N8N_LEGACY_TYPE}\") holds a Bitbucket username and an app password. App passwords stopped working on 2026-07-28. Create an API token with scopes (id.atlassian.com > Security > \"Create API token with scopes\", app Bitbucket) and check it with bitbucket-setup (the n8n preset). Then, in n8n, replace the credential with a \"Bitbucket Access Token API\" credential: your Atlassian account email and the new API token (bitbucket-setup export NAME --format n8n writes one).")]
    AppPassword,
    #[error("The file has no {field}. {}", if *.field == "workspace" { "Add --workspace WORKSPACE (the part after bitbucket.org/ in your Bitbucket address)." } else { CORRECT_IT })]
    Missing { field: &'static str },
    #[error("The {field} in the file is not valid: {why} {CORRECT_IT}")]
    Invalid { field: &'static str, why: String },
    #[error("{0}")]
    Input(String),
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
            let bitbucket: Vec<&Value> = items.iter().filter(|v| is_bitbucket_n8n(v)).collect();
            match bitbucket.len() {
                1 => n8n(bitbucket[0]),
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
                    return ours(&value, source);
                }
                return Err(ImportError::NotRecognised);
            }
            if map.contains_key("type") && map.contains_key("data") {
                return n8n(&value);
            }
            Err(ImportError::NotRecognised)
        }
        _ => Err(ImportError::NotRecognised),
    }
}

/// Refuses, before the real parse and in one linear pass, a text that might be nested deeper
/// than [`MAX_DEPTH`].
///
/// JSON is measured exactly: outside strings every `[`/`{` opens a level and every `]`/`}`
/// closes one (serde_json refuses anything where that reading would be wrong).
///
/// YAML gets an upper bound that no quoting can fool. Where a YAML string starts and ends
/// depends on context a cheap scan cannot follow (`it's` in a plain scalar is no quote, a block
/// scalar holds anything), and a scan that guessed wrong could take real brackets for string
/// contents and let a deep file through. So:
/// * flow nesting is bounded by the number of `[` and `{` anywhere in the text, each counted
///   twice (`[a: [b: c]]` is a list, a map, a list, a map), closing brackets never subtracting;
/// * block nesting is bounded by columns: each block list or map starts at a greater column
///   than the one it is in (a list under a map key may share the key's column, hence twice
///   again), and one starts only at a line's first token or after the `- `, `? `, `: ` (and
///   `&anchor`, `!tag`) that open a line, so twice the column after those, plus one, bounds it.
///
/// An export (3 levels, indented 4 columns, no `[` or `{`) is far inside the bound; a
/// hand-written file with more than about 30 brackets or indented more than about 30 columns
/// is refused, which is the price of a bound that holds.
pub fn check_depth(text: &str, json: bool) -> Result<(), ImportError> {
    let deep = if json { json_depth_exceeds(text.as_bytes(), MAX_DEPTH) } else { yaml_depth_bound_exceeds(text.as_bytes(), MAX_DEPTH) };
    if deep {
        return Err(ImportError::TooDeep);
    }
    Ok(())
}

/// Whether JSON text nests deeper than `limit` (exact for valid JSON; stops at the first level
/// too many).
fn json_depth_exceeds(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Whether YAML text might nest deeper than `limit`: the bound described at [`check_depth`].
fn yaml_depth_bound_exceeds(text: &[u8], limit: usize) -> bool {
    let flow = text.iter().filter(|&&b| b == b'[' || b == b'{').count().saturating_mul(2);
    if flow > limit {
        return true;
    }
    let mut block = 0usize;
    for line in text.split(|&b| b == b'\n' || b == b'\r') {
        block = block.max(block_start_column(line).saturating_add(1).saturating_mul(2));
        if flow.saturating_add(block) > limit {
            return true;
        }
    }
    false
}

/// The column (in bytes, never fewer than characters) after a line's indentation and the
/// indicators that may open block collections on it: `- `, `? `, `: `, `--- `, `&anchor`,
/// `!tag`. No block list or map can start further right on that line.
fn block_start_column(line: &[u8]) -> usize {
    let blank = |i: usize| line.get(i).is_none_or(|&b| b == b' ' || b == b'\t');
    let mut i = 0;
    loop {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        match line.get(i) {
            Some(b'-' | b'?' | b':') if blank(i + 1) => i += 1,
            Some(b'-') if line[i..].starts_with(b"---") && blank(i + 3) => i += 3,
            Some(b'&' | b'!') => {
                while !blank(i) {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
}

/// A value from the file for a message, bounded and single-line (never used for tokens).
fn short(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(60).collect()
}

fn opt_str(v: &Value, field: &'static str) -> Result<Option<String>, ImportError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(ImportError::Invalid { field, why: "it should be text".into() }),
    }
}

/// The token field: a reference, nothing, or the token (checked like a paste).
fn token_field(raw: Option<String>) -> Result<(Option<Secret>, Option<String>), ImportError> {
    let Some(raw) = raw else { return Ok((None, None)) };
    if let Some(name) = parse_reference(&raw) {
        return Ok((None, Some(name.to_string())));
    }
    // n8n writes this placeholder for an empty password field.
    if raw.starts_with("__n8n_BLANK_VALUE_") {
        return Ok((None, None));
    }
    let pasted = credential::classify(&raw).map_err(|e| ImportError::Invalid { field: "token", why: e.to_string() })?;
    Ok((Some(pasted.secret), None))
}

fn ours(v: &Value, source: Source) -> Result<ImportDraft, ImportError> {
    let version = v.get("schema_version").and_then(Value::as_u64).ok_or(ImportError::Missing { field: "schema_version" })?;
    if version > SCHEMA_VERSION {
        return Err(ImportError::NewerSchema { version });
    }
    let c = v.get("connection").filter(|c| c.is_object()).ok_or(ImportError::Missing { field: "connection" })?;
    let kind_raw = opt_str(c, "credential_kind")?.ok_or(ImportError::Missing { field: "credential_kind" })?;
    let kind = serde_json::from_value::<CredentialKind>(Value::String(kind_raw.clone()))
        .ok()
        .or_else(|| CredentialKind::from_cli_name(&kind_raw))
        .ok_or_else(|| ImportError::Invalid {
            field: "credential_kind",
            why: format!("\"{}\" is not one of repository_token, project_token, workspace_token, api_token.", short(&kind_raw)),
        })?;
    let preset = match opt_str(c, "preset")? {
        None => None,
        Some(p) => Some(presets::from_cli_name(&p).ok_or_else(|| ImportError::Invalid {
            field: "preset",
            why: format!("\"{}\" is not a preset this version knows.", short(&p)),
        })?),
    };
    let expires = match opt_str(c, "expires")? {
        None => None,
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| ImportError::Invalid {
            field: "expires",
            why: "write the date as YYYY-MM-DD.".into(),
        })?),
    };
    let granted_scopes = v
        .get("metadata")
        .and_then(|m| m.get("granted_scopes"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let (token, reference) = token_field(opt_str(v, "token")?)?;
    Ok(ImportDraft {
        source,
        name: opt_str(c, "name")?,
        description: opt_str(c, "description")?,
        preset,
        kind,
        workspace: opt_str(c, "workspace")?,
        repository: opt_str(c, "repository")?,
        email: opt_str(c, "email")?,
        username: opt_str(c, "username")?,
        api_url: opt_str(c, "api_url")?,
        expires,
        granted_scopes,
        token,
        reference,
        notes: Vec::new(),
    })
}

fn is_bitbucket_n8n(v: &Value) -> bool {
    matches!(v.get("type").and_then(Value::as_str), Some(N8N_TYPE | N8N_LEGACY_TYPE))
}

fn n8n(v: &Value) -> Result<ImportDraft, ImportError> {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if !is_bitbucket_n8n(v) {
        return Err(ImportError::WrongN8nType { kind: short(kind) });
    }
    let data = match v.get("data") {
        Some(d @ Value::Object(_)) => d,
        Some(Value::String(_)) => return Err(ImportError::EncryptedN8n),
        _ => return Err(ImportError::Missing { field: "data" }),
    };
    let has = |f: &str| data.get(f).is_some_and(|x| !x.is_null());
    let mut notes = Vec::new();
    let (email, token) = if kind == N8N_TYPE {
        (opt_str(data, "email")?, opt_str(data, "accessToken")?)
    } else if has("email") || has("apiToken") {
        notes.push(format!(
            "This file was written by an older Bitbucket Setup Assistant (n8n type \"{N8N_LEGACY_TYPE}\" with email and apiToken), which n8n itself does not read. Export the connection again for n8n: bitbucket-setup export NAME --format n8n."
        ));
        (opt_str(data, "email")?, opt_str(data, "apiToken")?)
    } else if has("username") || has("appPassword") {
        return Err(ImportError::AppPassword);
    } else {
        let fields: Vec<String> = data.as_object().map(|m| m.keys().map(|k| short(k)).collect()).unwrap_or_default();
        return Err(ImportError::UnknownN8nFields {
            kind: short(kind),
            fields: if fields.is_empty() { "none".into() } else { fields.join(", ") },
        });
    };
    let email = email.ok_or(ImportError::Missing { field: "email (data.email)" })?;
    let (token, reference) = token_field(token)?;
    // This app's older n8n exports carried the workspace beside the credential.
    let extra = v.get("bitbucketSetup");
    let from_extra = |f: &'static str| extra.map(|e| opt_str(e, f)).transpose().map(Option::flatten);
    Ok(ImportDraft {
        source: Source::N8n,
        name: opt_str(v, "name")?,
        description: None,
        preset: Some(PresetId::N8n),
        kind: CredentialKind::ApiToken,
        workspace: from_extra("workspace")?,
        repository: from_extra("repository")?,
        email: Some(email),
        username: None,
        api_url: from_extra("api_url")?,
        expires: None,
        granted_scopes: Vec::new(),
        token,
        reference,
        notes,
    })
}

/// What the user says on top of the file.
#[derive(Debug, Clone, Default)]
pub struct ImportOverrides {
    pub name: Option<String>,
    pub workspace: Option<String>,
    pub repository: Option<String>,
    pub preset: Option<PresetId>,
    pub expires: Option<NaiveDate>,
    pub description: Option<String>,
}

/// A check request and save options for an import, with things to tell the user.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub request: CheckRequest,
    pub save: SaveOptions,
    pub warnings: Vec<String>,
}

/// Builds the check of an imported connection. `api_url` is the API to check against (the
/// user's choice or Bitbucket Cloud): the file's own API address is never trusted, since a
/// file from elsewhere could name a server that would receive the token.
pub fn plan(
    draft: &ImportDraft,
    overrides: &ImportOverrides,
    secret: Secret,
    api_url: &str,
    timeouts: Timeouts,
) -> Result<ImportPlan, ImportError> {
    let mut warnings = Vec::new();
    let name = overrides
        .name
        .clone()
        .or_else(|| draft.name.clone())
        .ok_or(ImportError::Missing { field: "connection name" })
        .map_err(|_| ImportError::Input("The file names no connection. Add --name NAME.".into()))?;
    let workspace = overrides.workspace.clone().or_else(|| draft.workspace.clone()).ok_or(ImportError::Missing { field: "workspace" })?;
    let repository = overrides.repository.clone().or_else(|| draft.repository.clone());
    let location = location::parse_parts(&workspace, repository.as_deref()).map_err(|e| ImportError::Input(e.to_string()))?;
    let api_base = ApiBase::parse(api_url).map_err(|e| ImportError::Input(e.to_string()))?;
    if let Some(file_api) = &draft.api_url {
        if ApiBase::parse(file_api).map(|b| b != api_base).unwrap_or(true) {
            warnings.push(format!(
                "The file names another API address ({}); it was not used. Give --api-url to check against it.",
                short(file_api)
            ));
        }
    }
    let preset = overrides.preset.or(draft.preset).unwrap_or(PresetId::Custom);
    let custom_scopes = if preset == PresetId::Custom { draft.granted_scopes.clone() } else { Vec::new() };
    let expires = overrides.expires.or(draft.expires);
    if let Some(d) = expires {
        if d < chrono::Local::now().date_naive() {
            warnings.push(format!("The file says the token expired on {d}."));
        }
    }
    if draft.kind == CredentialKind::ApiToken && draft.email.is_none() {
        return Err(ImportError::Missing { field: "email (an API token is used with the Atlassian account email)" });
    }
    Ok(ImportPlan {
        request: CheckRequest {
            credential: Credential { kind: draft.kind, secret, email: draft.email.clone(), username: draft.username.clone() },
            location,
            target: preset.target(&custom_scopes),
            api_base,
            timeouts,
        },
        save: SaveOptions { name, description: overrides.description.clone().or_else(|| draft.description.clone()), expires },
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(d.notes[0].contains("older Bitbucket Setup Assistant"), "{:?}", d.notes);
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
        assert!(parse(form.as_bytes()).unwrap_err().to_string().contains("--format json"));
        let bad_token = OURS.replace("keychain:bitbucket-setup:Acme Web", "ATCT has spaces CANARY");
        let e = parse(bad_token.as_bytes()).unwrap_err();
        assert!(matches!(e, ImportError::Invalid { field: "token", .. }));
        assert!(!e.to_string().contains("CANARY"));
        let bad_kind = OURS.replace("repository_token", "magic");
        assert!(parse(bad_kind.as_bytes()).unwrap_err().to_string().contains("\"magic\" is not one of"));
        assert_eq!(parse(&vec![b' '; MAX_FILE_BYTES + 1]).unwrap_err(), ImportError::TooLarge);
    }

    /// 100,000 levels (100 to 200 KB) of each kind of nesting are refused at once. Without
    /// check_depth the YAML ones keep serde_norway busy for many seconds.
    #[test]
    fn deep_nesting_is_refused_before_the_parse() {
        let indented: String = (0..600).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let cases = [
            ("YAML flow [", format!("a: {}", "[".repeat(100_000))),
            ("YAML flow {", format!("a: {}", "{".repeat(100_000))),
            ("YAML block - ", format!("{}x\n", "- ".repeat(100_000))),
            ("YAML block ? ", format!("{}x\n", "? ".repeat(100_000))),
            ("YAML indentation, 600 levels", indented),
            ("JSON", "[".repeat(100_000)),
        ];
        for (what, text) in cases {
            let started = std::time::Instant::now();
            let e = parse(text.as_bytes()).unwrap_err();
            let took = started.elapsed();
            assert!(took < std::time::Duration::from_secs(2), "{what}: took {took:?}");
            assert_eq!(e, ImportError::TooDeep, "{what}");
            assert!(e.to_string().contains("more than 64 levels"), "{}", e.to_string());
        }
    }

    #[test]
    fn ordinary_nesting_passes_the_depth_check() {
        // Every golden YAML and JSON export is far inside the bound.
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/golden");
        let mut seen = 0;
        for entry in std::fs::read_dir(golden).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext == "yaml" || ext == "json" {
                let text = std::fs::read_to_string(&path).unwrap();
                assert_eq!(check_depth(&text, ext == "json"), Ok(()), "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 10, "only {seen} golden files");
        // JSON is measured exactly: 64 levels pass, 65 do not; brackets in strings do not count.
        let json = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(check_depth(&json(64), true), Ok(()));
        assert_eq!(check_depth(&json(65), true), Err(ImportError::TooDeep));
        assert_eq!(check_depth(&format!("[\"{}\\\"\"]", "[".repeat(500)), true), Ok(()));
        // YAML: a flow list of scopes, compact lists, an anchor, a document start.
        let yaml = "--- &doc\nscopes: [repository, \"pullrequest:write\"]\nlist:\n  - - a\n    - b\n  - ? k\n    : v\n";
        assert_eq!(check_depth(yaml, false), Ok(()));
        assert_eq!(block_start_column(b"  - - ? : &a !t key: value"), 16);
        assert_eq!(block_start_column(b"--- - x"), 6);
        assert_eq!(block_start_column(b"-x"), 0);
    }

    #[test]
    fn plan_never_trusts_the_files_api_address() {
        let mut d = parse(OURS.as_bytes()).unwrap();
        d.api_url = Some("https://evil.example/2.0".into());
        let p = plan(&d, &ImportOverrides::default(), Secret::new("ATCTx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap();
        assert_eq!(p.request.api_base.as_str(), "https://api.bitbucket.org/2.0");
        assert!(p.warnings[0].contains("evil.example"), "{:?}", p.warnings);
        assert_eq!(p.save.name, "Acme Web");
        let n = parse(br#"{"name": "BB", "type": "bitbucketApi", "data": {"email": "a@b.example", "apiToken": "ATATx"}}"#).unwrap();
        let e = plan(&n, &ImportOverrides::default(), Secret::new("ATATx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap_err();
        assert!(e.to_string().contains("--workspace"), "{}", e.to_string());
        let o = ImportOverrides { workspace: Some("acme".into()), ..Default::default() };
        let p = plan(&n, &o, Secret::new("ATATx"), "https://api.bitbucket.org/2.0", Timeouts::default()).unwrap();
        assert_eq!(p.request.target.id, "n8n");
        assert_eq!(p.request.credential.email.as_deref(), Some("a@b.example"));
    }
}
