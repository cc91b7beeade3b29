//! What a user does with connections — save after a passing check, re-test, replace the
//! token, remove — in one place, so the window and the command line follow the same rules:
//! nothing is saved before it validates, and a new token replaces the old one only after it
//! validates.

use chrono::{NaiveDate, Utc};

use crate::bitbucket::client::{ApiBase, ApiBaseError, Timeouts};
use crate::bitbucket::credential::{self, Credential, Secret};
use crate::bitbucket::location;
use crate::bitbucket::validate::{self, CheckRequest, Report};
use crate::presets::PresetId;
use crate::store::connections::{self, Connection, LastCheck};
use crate::store::{Recorded, Store, StoreError};

mod export_flow;
mod status;

pub use export_flow::{prepare_export, write_export, ExportFlowError, ExportRequest, Prepared, Recheck, Written};
pub use status::{describe, status_of, ConnectionStatus, StatusText};

/// Why a connection could not be saved, found or checked: `Display` is the user's sentence,
/// the facts only; each front end adds its own next step (where to see the saved connections,
/// how to store a missing token again) by matching the variant.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error(transparent)]
    Connections(#[from] connections::ConnectionsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No saved connection has this name or id (as the user gave it, trimmed).
    #[error("No saved connection is called \"{0}\".")]
    NoSuchConnection(String),
    #[error("The check did not pass, so nothing was saved: {0}")]
    NotValid(String),
    /// A saved connection's place cannot be read back.
    #[error(transparent)]
    Location(#[from] location::LocationError),
    /// A saved connection's API address cannot be used.
    #[error(transparent)]
    ApiBase(#[from] ApiBaseError),
    /// The check cannot be made as asked (a preset's scope list, a place the kind cannot reach).
    #[error(transparent)]
    Check(#[from] validate::InputError),
    #[error("{0}")]
    Input(String),
}

/// Non-secret settings the user gives when saving.
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    pub name: String,
    pub description: Option<String>,
    pub expires: Option<NaiveDate>,
}

/// Why an expiry date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    #[error("\"{0}\" is not a date. Write the expiry date as YYYY-MM-DD, for example 2027-06-30.")]
    NotADate(String),
    #[error("The expiry date {0} is in the past. Enter the date you chose when you created the token.")]
    InThePast(NaiveDate),
}

/// Reads a `YYYY-MM-DD` date, as the user types it and as an export file holds it: the one
/// reader of expiry dates.
pub fn read_expiry(raw: &str) -> Result<NaiveDate, ExpiryError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ExpiryError::NotADate(crate::safe_text::visible_clip(raw.trim(), 40)))
}

/// Reads an expiry date the user gives for a new token ([`read_expiry`]); it may not be in the
/// past.
pub fn parse_expiry(raw: &str, today: NaiveDate) -> Result<NaiveDate, ExpiryError> {
    let date = read_expiry(raw)?;
    if date < today {
        return Err(ExpiryError::InThePast(date));
    }
    Ok(date)
}

/// Builds the record of a connection from a passing report.
pub fn record_from_report(
    request: &CheckRequest,
    report: &Report,
    options: &SaveOptions,
) -> Result<Connection, ManageError> {
    let name = connections::validate_name(&options.name)?;
    let description = match options.description.as_deref().map(str::trim) {
        Some(d) if d.chars().count() > 255 => {
            return Err(ManageError::Input("The description is longer than 255 characters.".into()))
        }
        Some("") | None => None,
        Some(d) => Some(d.to_string()),
    };
    let now = Utc::now();
    Ok(Connection {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        description,
        preset: PresetId::from_target_id(&request.target.id)
            .ok_or_else(|| ManageError::Input(format!("\"{}\" is not a preset of this app.", request.target.id)))?,
        kind: report.credential_kind,
        workspace: request.location.workspace.clone(),
        repository: request.location.repository.clone(),
        email: request.credential.email.clone(),
        username: request.credential.username.clone(),
        api_url: request.api_base.as_str().to_string(),
        base_branch: report.default_branch.clone(),
        granted_scopes: report.granted_raw.clone(),
        credential_type: report.credential_type.clone(),
        last_check: Some(last_check(report)),
        expires: options.expires,
        created_at: now,
        updated_at: now,
        project: None,
        // The repository the check reached, so that git is given this token there first.
        reaches: match &request.location.repository {
            Some(repo) if report.ok => vec![format!("{}/{repo}", request.location.workspace).to_lowercase()],
            _ => Vec::new(),
        },
        git_refused: Vec::new(),
        sent: Vec::new(),
        exports: Vec::new(),
    })
}

fn last_check(report: &Report) -> LastCheck {
    LastCheck {
        at: report.checked_at,
        ok: report.ok,
        problem: report.problem.map(|p| p.name().to_string()),
        message: report.message.clone(),
        details: Some(Box::new(report.details())),
    }
}

/// Saves a connection whose check passed: secret to the keychain, settings to the file.
pub fn save_validated(
    store: &Store,
    request: &CheckRequest,
    report: &Report,
    options: &SaveOptions,
) -> Result<Connection, ManageError> {
    if !report.ok {
        return Err(ManageError::NotValid(report.message.clone()));
    }
    let record = record_from_report(request, report, options)?;
    Ok(store.save_new(record, &request.credential.secret)?)
}

/// Rebuilds the check request of a saved connection with the given secret.
pub fn request_for(c: &Connection, secret: Secret, timeouts: Timeouts) -> Result<CheckRequest, ManageError> {
    let location = location::parse_parts(&c.workspace, c.repository.as_deref())?;
    let api_base = ApiBase::parse(&c.api_url)?;
    Ok(CheckRequest {
        credential: Credential { kind: c.kind, secret, email: c.email.clone(), username: c.username.clone() },
        location,
        target: c.preset.target(&custom_scopes_of(c)),
        api_base,
        timeouts,
    })
}

/// Custom connections keep the scopes they were checked against in `granted_scopes`;
/// their required list is what they hold at save time.
fn custom_scopes_of(c: &Connection) -> Vec<String> {
    if c.preset == PresetId::Custom {
        c.granted_scopes.clone()
    } else {
        Vec::new()
    }
}

/// Finds a connection by name or id.
pub fn find(store: &Store, name_or_id: &str) -> Result<Connection, ManageError> {
    store
        .find(name_or_id)?
        .ok_or_else(|| ManageError::NoSuchConnection(name_or_id.trim().to_string()))
}

/// Validates a saved connection again with the secret in the keychain, and records the result.
pub async fn retest(store: &Store, c: &Connection, timeouts: Timeouts) -> Result<Report, ManageError> {
    retest_recorded(store, c, timeouts).await.map(|(report, _)| report)
}

/// [`retest`], also returning the connection as it was recorded.
async fn retest_recorded(store: &Store, c: &Connection, timeouts: Timeouts) -> Result<(Report, Connection), ManageError> {
    let secret = store.secret(&c.id)?;
    let pasted = credential::classify(secret.expose()).map(|p| p.kind).unwrap_or(credential::PastedKind::Unknown);
    let checked_secret = secret.clone();
    let request = request_for(c, secret, timeouts)?;
    let report = validate::validate(request, pasted).await?;
    // Recorded only if the connection is as it was when the check began: a token replaced
    // (or a connection removed) meanwhile is not overwritten with this older result.
    let check = last_check(&report);
    let outcome = store.record_check(c, &checked_secret, |u| {
        u.last_check = Some(check);
        if report.problem.is_none() {
            u.granted_scopes = report.granted_raw.clone();
            u.credential_type = report.credential_type.clone();
            if report.default_branch.is_some() {
                u.base_branch = report.default_branch.clone();
            }
            // It reaches its repository now: a refusal git met there is over.
            if report.ok {
                if let Some(place) = u.repository_place() {
                    u.git_refused.retain(|r| r.place != place);
                }
            }
        }
        u.updated_at = Utc::now();
    })?;
    match outcome {
        Recorded::Saved(recorded) => Ok((report, *recorded)),
        Recorded::Changed => {
            let mut report = report;
            report.warnings.push("The connection changed while it was being checked (its token was replaced or it was removed), so this result was not recorded. Check it again.".into());
            let current = store.find(&c.id)?.unwrap_or_else(|| c.clone());
            Ok((report, current))
        }
    }
}

/// Before an export: checks `c` again with Bitbucket when it has no passing check from the
/// last 24 hours (the rule of [`crate::freshness::validation_of`]), calling `before` first so the
/// caller can say so. Returns the connection as the store holds it afterwards, and the check's
/// outcome (`None` when no check was needed).
pub async fn recheck_if_stale(
    store: &Store,
    c: Connection,
    before: impl FnOnce(&Connection),
) -> (Connection, Option<Result<Report, ManageError>>) {
    if crate::freshness::validation_of(&c, Utc::now()).is_validated() {
        return (c, None);
    }
    before(&c);
    match retest_recorded(store, &c, Timeouts::default()).await {
        Ok((report, recorded)) => (recorded, Some(Ok(report))),
        Err(e) => (c, Some(Err(e))),
    }
}

/// Swaps the token of a saved connection, but only after the new one validates; the old
/// token stays in the keychain when it does not.
pub async fn replace_token(
    store: &Store,
    c: &Connection,
    new_secret: Secret,
    pasted: credential::PastedKind,
    email: Option<String>,
    expires: Option<NaiveDate>,
    timeouts: Timeouts,
) -> Result<Report, ManageError> {
    let mut probe = c.clone();
    if email.is_some() {
        probe.email = email;
    }
    let request = request_for(&probe, new_secret, timeouts)?;
    let secret = request.credential.secret.clone();
    let report = validate::validate(request, pasted).await?;
    if !report.ok {
        return Ok(report);
    }
    let mut updated = probe;
    updated.last_check = Some(last_check(&report));
    updated.granted_scopes = report.granted_raw.clone();
    updated.credential_type = report.credential_type.clone();
    updated.kind = report.credential_kind;
    if expires.is_some() {
        updated.expires = expires;
    }
    // Where git got in or was refused was learnt with the old token.
    updated.reaches = updated.repository_place().into_iter().collect();
    updated.git_refused.clear();
    updated.updated_at = Utc::now();
    // Token and record change as one (the store puts the old token back if the record fails).
    store.replace_token(updated, &secret)?;
    Ok(report)
}

