//! The plan of an import: what the file says, the user's overrides and the token, as a check
//! request and save options.

use chrono::NaiveDate;

use super::{short, ImportDraft, ImportError};
use crate::bitbucket::client::{ApiBase, Timeouts};
use crate::bitbucket::credential::{Credential, CredentialKind, Secret};
use crate::bitbucket::location;
use crate::bitbucket::validate::CheckRequest;
use crate::manage::SaveOptions;
use crate::presets::PresetId;

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
    pub warnings: Vec<PlanWarning>,
}

/// Something the user should know about an import's plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanWarning {
    /// The file names an API address other than the one checked against; it is never used (a
    /// file from elsewhere could name a server that would receive the token).
    #[error("The file names another API address ({given}); it was not used.")]
    OtherApiAddress { given: String },
    #[error("The file says the token expired on {on}.")]
    Expired { on: NaiveDate },
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
        .ok_or(ImportError::NoName)?;
    let workspace = overrides.workspace.clone().or_else(|| draft.workspace.clone()).ok_or(ImportError::NoWorkspace)?;
    let repository = overrides.repository.clone().or_else(|| draft.repository.clone());
    let location = location::parse_parts(&workspace, repository.as_deref())?;
    let api_base = ApiBase::parse(api_url)?;
    if let Some(file_api) = &draft.api_url {
        if ApiBase::parse(file_api).map(|b| b != api_base).unwrap_or(true) {
            warnings.push(PlanWarning::OtherApiAddress { given: short(file_api) });
        }
    }
    let preset = overrides.preset.or(draft.preset).unwrap_or(PresetId::Custom);
    let custom_scopes = if preset == PresetId::Custom { draft.granted_scopes.clone() } else { Vec::new() };
    let expires = overrides.expires.or(draft.expires);
    if let Some(d) = expires {
        if d < chrono::Local::now().date_naive() {
            warnings.push(PlanWarning::Expired { on: d });
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
