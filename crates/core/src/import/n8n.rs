//! An n8n credential, as `n8n export:credentials --decrypted` writes it: `bitbucketAccessTokenApi`
//! (email and API token), or this app's older `bitbucketApi` exports (email and apiToken).

use serde_json::Value;

use super::{opt_str, short, token_field, ImportDraft, ImportError, ImportNote, Source};
use crate::bitbucket::credential::CredentialKind;
use crate::export::{N8N_LEGACY_TYPE, N8N_TYPE};
use crate::presets::PresetId;

pub(super) fn is_bitbucket(v: &Value) -> bool {
    matches!(v.get("type").and_then(Value::as_str), Some(N8N_TYPE | N8N_LEGACY_TYPE))
}

pub(super) fn read(v: &Value) -> Result<ImportDraft, ImportError> {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if !is_bitbucket(v) {
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
        notes.push(ImportNote::OlderN8nExport);
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
