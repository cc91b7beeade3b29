//! The wizard's check and save: the connection opened while the token is created, the check of
//! a pasted token, and the save of one that passed.

use serde::{Deserialize, Serialize};
use tauri::State;
use zeroize::Zeroizing;

use super::{lock, open_store, AppState, Pending, UiError};
use crate::bitbucket::client::{api_url_from_env, ApiBase, Timeouts};
use crate::bitbucket::credential::{self, Credential, CredentialKind};
use crate::bitbucket::location;
use crate::bitbucket::validate::{self, CheckRequest, Report};
use crate::manage::{self, SaveOptions};
use crate::presets::PresetId;
use crate::store::connections::{self, Connection};

/// What [`preconnect`] found.
#[derive(Serialize)]
pub struct Preconnect {
    /// The connection to the API is open (or the API answered).
    ok: bool,
    /// When it is not: what is wrong, in one sentence, and what to do.
    message: Option<String>,
    /// No network at all (no route, no DNS): the window says so before anything is pasted.
    offline: bool,
}

/// Opens the connection to the API while the person creates the token (steps 2 and 3), with
/// no credential in it, so the check in step 4 costs one request; and tells the window when
/// there is no network at all.
#[tauri::command]
pub async fn preconnect(state: State<'_, AppState>, api_url: Option<String>) -> Result<Preconnect, UiError> {
    let base = api_base(api_url.as_deref())?;
    let client = match state.client_for(&base) {
        Ok(c) => c,
        Err(e) => return Ok(Preconnect { ok: false, message: Some(format!("{e} {}", e.next_step())), offline: false }),
    };
    match client.preconnect().await {
        Ok(()) => Ok(Preconnect { ok: true, message: None, offline: false }),
        Err(e) => Ok(match e.offline_notice() {
            Some(notice) => Preconnect { ok: false, message: Some(notice), offline: true },
            None => Preconnect { ok: false, message: Some(format!("{e} {}", e.next_step())), offline: false },
        }),
    }
}

#[derive(Deserialize)]
pub struct CheckInput {
    kind: CredentialKind,
    token: Zeroizing<String>,
    email: Option<String>,
    location: String,
    preset: PresetId,
    #[serde(default)]
    scopes: Vec<String>,
    api_url: Option<String>,
}

#[derive(Serialize)]
pub struct CheckOutcome {
    report: Report,
    /// Present when the check passed: what `save_connection` takes.
    pending_id: Option<String>,
    /// A plain note when the pasted value looks like another kind than the one chosen.
    paste_warning: Option<String>,
}

fn api_base(raw: Option<&str>) -> Result<ApiBase, UiError> {
    let raw = crate::safe_text::non_blank(raw).map(str::to_string).unwrap_or_else(api_url_from_env);
    Ok(ApiBase::parse(&raw)?)
}

/// Validates a pasted credential. The previous check still running is cancelled first.
#[tauri::command]
pub async fn check_credential(state: State<'_, AppState>, input: CheckInput) -> Result<CheckOutcome, UiError> {
    // A new check supersedes the last one: its token is not kept waiting any longer.
    lock(&state.pending).clear();
    let pasted = credential::classify(&input.token)?;
    drop(input.token);
    let location = location::parse(&input.location)?;
    let email = crate::safe_text::non_blank(input.email.as_deref()).map(str::to_string);
    let request = CheckRequest {
        credential: Credential { kind: input.kind, secret: pasted.secret.clone(), email, username: None },
        location,
        target: input.preset.target(&input.scopes),
        api_base: api_base(input.api_url.as_deref())?,
        timeouts: Timeouts::default(),
    };
    let plan = validate::plan(request.clone(), pasted.kind)?;
    let client = state.client_for(&request.api_base).ok();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let handle = tauri::async_runtime::spawn(async move {
        let report = match client {
            // The connection preconnect opened, if it is still there.
            Some(client) => validate::run_with(plan, &client).await,
            None => validate::run(plan).await,
        };
        let _ = tx.send(report);
    });
    if let Some(previous) = lock(&state.running).replace(handle) {
        previous.abort();
    }
    let report = crate::advice::check::for_wizard(rx.await.map_err(|_| UiError::new("The check was cancelled."))?);
    *lock(&state.last_check) = Some((report.details(), request.credential.email.clone()));
    let paste_warning = credential::mismatch_warning(pasted.kind, input.kind);
    let pending_id = if report.ok {
        let id = uuid::Uuid::new_v4().to_string();
        let mut pending = lock(&state.pending);
        pending.clear();
        pending.insert(id.clone(), Pending { request, report: report.clone() });
        Some(id)
    } else {
        None
    };
    Ok(CheckOutcome { report, pending_id, paste_warning })
}

#[tauri::command]
pub fn cancel_check(state: State<'_, AppState>) {
    if let Some(handle) = lock(&state.running).take() {
        handle.abort();
    }
}

/// Forgets a checked token that will not be saved.
#[tauri::command]
pub fn discard_pending(state: State<'_, AppState>) {
    lock(&state.pending).clear();
}

#[derive(Deserialize)]
pub struct SaveInput {
    pending_id: String,
    name: String,
    description: Option<String>,
    expires: Option<String>,
}

/// The expiry date typed in the form, if any.
pub(super) fn expiry_of(raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, UiError> {
    let today = chrono::Local::now().date_naive();
    match crate::safe_text::non_blank(raw) {
        Some(d) => Ok(Some(manage::parse_expiry(d, today).map_err(|e| UiError::on("expires", e.to_string()))?)),
        None => Ok(None),
    }
}

#[tauri::command]
pub fn save_connection(state: State<'_, AppState>, input: SaveInput) -> Result<Connection, UiError> {
    let expires = expiry_of(input.expires.as_deref())?;
    connections::validate_name(&input.name)?;
    let store = open_store()?;
    let mut pending = lock(&state.pending);
    let Some(p) = pending.get(&input.pending_id) else {
        return Err(UiError::new("The checked token is no longer here (the check was redone or the app restarted). Go back to step 3 and paste it again."));
    };
    let options = SaveOptions { name: input.name, description: input.description, expires };
    let saved = manage::save_validated(&store, &p.request, &p.report, &options)?;
    pending.remove(&input.pending_id);
    Ok(saved)
}
