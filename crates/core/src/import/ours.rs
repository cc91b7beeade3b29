//! This app's own export, schema `bitbucket-setup/connection-export` (JSON or YAML).

use serde_json::Value;

use super::{opt_str, short, token_field, ImportDraft, ImportError, Source};
use crate::bitbucket::credential::CredentialKind;
use crate::export::SCHEMA_VERSION;
use crate::presets;

pub(super) fn read(v: &Value, source: Source) -> Result<ImportDraft, ImportError> {
    let version = v.get("schema_version").and_then(Value::as_u64).ok_or(ImportError::Missing { field: "schema_version" })?;
    if version > SCHEMA_VERSION {
        return Err(ImportError::NewerSchema { version });
    }
    let c = v.get("connection").filter(|c| c.is_object()).ok_or(ImportError::Missing { field: "connection" })?;
    let kind_raw = opt_str(c, "credential_kind")?.ok_or(ImportError::Missing { field: "credential_kind" })?;
    let kind = serde_json::from_value::<CredentialKind>(Value::String(kind_raw.clone()))
        .ok()
        .or_else(|| CredentialKind::from_slug(&kind_raw))
        .ok_or_else(|| ImportError::Invalid {
            field: "credential_kind",
            why: format!("\"{}\" is not one of repository_token, project_token, workspace_token, api_token.", short(&kind_raw)),
        })?;
    let preset = match opt_str(c, "preset")? {
        None => None,
        Some(p) => Some(presets::from_slug(&p).ok_or_else(|| ImportError::Invalid {
            field: "preset",
            why: format!("\"{}\" is not a preset this version knows.", short(&p)),
        })?),
    };
    let expires = match opt_str(c, "expires")? {
        None => None,
        Some(d) => Some(crate::manage::read_expiry(&d)?),
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
