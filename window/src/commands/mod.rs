//! Thin Tauri commands: parse input, call the domain, map errors to plain messages.
//!
//! The token crosses IPC once, in [`check_credential`] (or [`replace_token`]); after a passing
//! check it waits here, in Rust memory, until [`save_connection`] moves it to the keychain.
//! The window never gets it back.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use zeroize::Zeroizing;

use crate::bitbucket::client::{api_url_from_env, ApiBase, Client, Timeouts, DEFAULT_API_URL};
use crate::bitbucket::credential::{self, Credential, CredentialKind, KindFacts};
use crate::bitbucket::location::{self, Location};
use crate::bitbucket::validate::{self, CheckRequest, Report};
use crate::guide::{self, Guide};
use crate::links;
use crate::manage::{self, SaveOptions};
use crate::presets::{self, PresetId};
use crate::store::connections::{self, Connection};
use crate::store::Store;
use crate::support;

/// An error the window shows next to the field it is about.
#[derive(Debug, Serialize)]
pub struct UiError {
    pub message: String,
    pub field: Option<&'static str>,
}

impl UiError {
    pub(crate) fn new(message: impl Into<String>) -> UiError {
        UiError { message: message.into(), field: None }
    }

    pub(crate) fn on(field: &'static str, message: impl Into<String>) -> UiError {
        UiError { message: message.into(), field: Some(field) }
    }
}

impl From<manage::ManageError> for UiError {
    fn from(e: manage::ManageError) -> Self {
        UiError::new(e.to_string())
    }
}

/// A checked credential waiting to be saved.
struct Pending {
    request: CheckRequest,
    report: Report,
}

/// What the commands share.
#[derive(Default)]
pub struct AppState {
    pending: Mutex<HashMap<String, Pending>>,
    running: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    /// The last check of step 4 and the email it used, for "Copy details for support".
    last_check: Mutex<Option<(validate::CheckDetails, Option<String>)>>,
    /// One HTTP client per API address, kept so the connection [`preconnect`] opened while
    /// the person created the token serves the check.
    clients: Mutex<HashMap<String, Client>>,
}

impl AppState {
    fn client_for(&self, base: &ApiBase) -> Result<Client, crate::bitbucket::client::NetworkError> {
        let mut clients = lock(&self.clients);
        if let Some(c) = clients.get(base.as_str()) {
            return Ok(c.clone());
        }
        let c = Client::new(base.clone(), Timeouts::default())?;
        clients.insert(base.as_str().to_string(), c.clone());
        Ok(c)
    }
}

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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn open_store() -> Result<Store, UiError> {
    Store::open_default().map_err(|e| UiError::new(e.to_string()))
}

#[derive(Serialize)]
pub struct PresetView {
    id: PresetId,
    name: &'static str,
    summary: &'static str,
    kinds: Vec<CredentialKind>,
    recommended: CredentialKind,
    needs_repository: bool,
    notes: &'static [&'static str],
}

#[derive(Serialize)]
pub struct KindView {
    id: CredentialKind,
    label: &'static str,
    needs_email: bool,
    /// A repository, project or workspace access token.
    access_token: bool,
    retired: bool,
    /// Who creates it, what it reaches, which plans (none for the retired app password).
    facts: Option<KindFacts>,
}

#[derive(Serialize)]
pub struct Catalog {
    version: &'static str,
    presets: Vec<PresetView>,
    kinds: Vec<KindView>,
    default_api_url: &'static str,
    /// `BITBUCKET_API_URL`, for tests and tunnels.
    api_url: String,
    /// This system's words: the keychain's name, the paste keys, …
    platform: crate::platform::Words,
}

#[tauri::command]
pub fn catalog() -> Catalog {
    let presets = presets::all()
        .iter()
        .map(|p| PresetView {
            id: p.id,
            name: p.name,
            summary: p.summary,
            kinds: p.kinds.to_vec(),
            recommended: p.recommended,
            needs_repository: p.needs_repository,
            notes: p.notes,
        })
        .collect();
    let kinds = CredentialKind::ALL
        .iter()
        .map(|&k| KindView {
            id: k,
            label: k.label(),
            needs_email: k.needs_email(),
            access_token: k.is_access_token(),
            retired: k == CredentialKind::AppPassword,
            facts: k.facts(),
        })
        .collect();
    Catalog { version: env!("CARGO_PKG_VERSION"), presets, kinds, default_api_url: DEFAULT_API_URL, api_url: api_url_from_env(), platform: crate::platform::here() }
}

#[derive(Serialize)]
pub struct LocationView {
    location: Location,
    display: String,
    web_url: String,
}

#[tauri::command]
pub fn parse_location(input: String) -> Result<LocationView, UiError> {
    let location = location::parse(&input).map_err(|e| UiError::on("location", e.to_string()))?;
    Ok(LocationView { display: location.display(), web_url: location.web_url(), location })
}

#[tauri::command]
pub fn creation_guide(
    preset: PresetId,
    kind: CredentialKind,
    location: Location,
    scopes: Vec<String>,
) -> Result<Guide, UiError> {
    guide::guide(preset, kind, &location, &scopes).map_err(|e| UiError::new(e.to_string()))
}

/// Opens a page in the default browser, only when it is https on bitbucket.org or
/// id.atlassian.com.
#[tauri::command]
pub fn open_page(url: String) -> Result<(), UiError> {
    let url = links::check_external(&url).map_err(|e| UiError::new(e.to_string()))?;
    tauri_plugin_opener::open_url(url.as_str(), None::<&str>)
        .map_err(|_| UiError::new(format!("The browser could not be opened. Open this address yourself: {url}")))
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
    let raw = raw.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).unwrap_or_else(api_url_from_env);
    ApiBase::parse(&raw).map_err(|e| UiError::on("api_url", e.to_string()))
}

/// Validates a pasted credential. The previous check still running is cancelled first.
#[tauri::command]
pub async fn check_credential(state: State<'_, AppState>, input: CheckInput) -> Result<CheckOutcome, UiError> {
    // A new check supersedes the last one: its token is not kept waiting any longer.
    lock(&state.pending).clear();
    let pasted = credential::classify(&input.token).map_err(|e| UiError::on("token", e.to_string()))?;
    drop(input.token);
    let location = location::parse(&input.location).map_err(|e| UiError::on("location", e.to_string()))?;
    let email = input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string);
    let request = CheckRequest {
        credential: Credential { kind: input.kind, secret: pasted.secret.clone(), email, username: None },
        location,
        target: input.preset.target(&input.scopes),
        api_base: api_base(input.api_url.as_deref())?,
        timeouts: Timeouts::default(),
    };
    let plan = validate::plan(request.clone(), pasted.kind).map_err(|e| UiError::on("location", e.to_string()))?;
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
    let report = rx.await.map_err(|_| UiError::new("The check was cancelled."))?;
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

#[tauri::command]
pub fn save_connection(state: State<'_, AppState>, input: SaveInput) -> Result<Connection, UiError> {
    let today = chrono::Local::now().date_naive();
    let expires = match input.expires.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(manage::parse_expiry(d, today).map_err(|m| UiError::on("expires", m))?),
        None => None,
    };
    connections::validate_name(&input.name).map_err(|e| UiError::on("name", e.to_string()))?;
    let store = open_store()?;
    let mut pending = lock(&state.pending);
    let Some(p) = pending.get(&input.pending_id) else {
        return Err(UiError::new("The checked token is no longer here (the check was redone or the app restarted). Go back to step 3 and paste it again."));
    };
    let options = SaveOptions { name: input.name, description: input.description, expires };
    let saved = manage::save_validated(&store, &p.request, &p.report, &options).map_err(|e| match e {
        manage::ManageError::Connections(c) => UiError::on("name", c.to_string()),
        other => UiError::from(other),
    })?;
    pending.remove(&input.pending_id);
    Ok(saved)
}

#[derive(Serialize)]
pub struct ConnectionView {
    #[serde(flatten)]
    connection: Connection,
    #[serde(flatten)]
    status: manage::StatusText,
}

#[derive(Serialize)]
pub struct ConnectionsView {
    connections: Vec<ConnectionView>,
    /// What could not be read and was kept aside, not yet seen.
    set_aside: Vec<String>,
    path: String,
}

fn view_of(store: &Store, c: Connection) -> ConnectionView {
    let status = manage::describe(store, &c, chrono::Local::now().date_naive());
    ConnectionView { connection: c, status }
}

#[tauri::command]
pub fn list_connections() -> Result<ConnectionsView, UiError> {
    let store = open_store()?;
    let loaded = store.list().map_err(|e| UiError::new(e.to_string()))?;
    let set_aside: Vec<String> = loaded.set_aside.iter().map(|a| a.message()).collect();
    if !set_aside.is_empty() {
        // The window shows it now: later readers stop repeating it.
        let _ = store.acknowledge_set_aside();
    }
    let connections = loaded.connections.into_iter().map(|c| view_of(&store, c)).collect();
    Ok(ConnectionsView { connections, set_aside, path: store.file().path().display().to_string() })
}

#[tauri::command]
pub async fn retest_connection(id: String) -> Result<Report, UiError> {
    let store = open_store()?;
    let c = manage::find(&store, &id)?;
    Ok(manage::retest(&store, &c, Timeouts::default()).await?)
}

/// What `remove_connection` did.
#[derive(Serialize)]
pub struct RemoveOutcome {
    removed: bool,
    message: String,
}

/// Removes a saved connection after the person confirms it in a native dialog that this
/// command shows itself: the page cannot remove anything on its own. (For the window tests,
/// which cannot click a native dialog, `BITBUCKET_SETUP_CONFIRM_FILE` names a file holding the
/// answer, `remove` or anything else, read at each removal.)
#[tauri::command]
pub async fn remove_connection<R: Runtime>(app: AppHandle<R>, id: String) -> Result<RemoveOutcome, UiError> {
    let store = open_store()?;
    let c = manage::find(&store, &id)?;
    let name = crate::safe_text::visible(&c.name);
    if !confirm_removal(&app, &name).await {
        return Ok(RemoveOutcome { removed: false, message: format!("Kept {name}.") });
    }
    store.remove(&c.id).map_err(|e| UiError::new(e.to_string()))?;
    Ok(RemoveOutcome { removed: true, message: format!("Removed {name}.") })
}

async fn confirm_removal<R: Runtime>(app: &AppHandle<R>, name: &str) -> bool {
    if let Some(path) = std::env::var_os("BITBUCKET_SETUP_CONFIRM_FILE") {
        return std::fs::read_to_string(path).map(|a| a.trim() == "remove").unwrap_or(false);
    }
    use tauri::Manager;
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
    let mut dialog = app
        .dialog()
        .message("This deletes its token from your system keychain and the connection from this app. The token itself keeps working in Bitbucket until you revoke it there.")
        .title(format!("Remove \u{201c}{name}\u{201d}?"))
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom("Remove".into(), "Keep it".into()));
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.parent(&window);
    }
    tauri::async_runtime::spawn_blocking(move || dialog.blocking_show()).await.unwrap_or(false)
}

#[derive(Deserialize)]
pub struct ReplaceInput {
    id: String,
    token: Zeroizing<String>,
    email: Option<String>,
    expires: Option<String>,
}

/// Checks a new token for a saved connection and swaps it in only when it passes.
#[tauri::command]
pub async fn replace_token(input: ReplaceInput) -> Result<Report, UiError> {
    let pasted = credential::classify(&input.token).map_err(|e| UiError::on("token", e.to_string()))?;
    let today = chrono::Local::now().date_naive();
    let expires = match input.expires.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(manage::parse_expiry(d, today).map_err(|m| UiError::on("expires", m))?),
        None => None,
    };
    let store = open_store()?;
    let c = manage::find(&store, &input.id)?;
    let email = input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string);
    Ok(manage::replace_token(&store, &c, pasted.secret, pasted.kind, email, expires, Timeouts::default()).await?)
}

/// What "Copy details for support" put on the clipboard (also shown in the window, so the
/// user sees exactly what they would send).
#[derive(Serialize)]
pub struct SupportDetails {
    text: String,
}

fn to_clipboard<R: Runtime>(app: &AppHandle<R>, text: String) -> Result<SupportDetails, UiError> {
    app.clipboard()
        .write_text(text.as_str())
        .map_err(|_| UiError::new("The clipboard could not be used. Select the details below and copy them by hand."))?;
    Ok(SupportDetails { text })
}

/// Step 4's "Copy details for support": the last check, redacted, on the clipboard.
#[tauri::command]
pub fn copy_check_details<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<SupportDetails, UiError> {
    let last = lock(&state.last_check).clone();
    let Some((details, email)) = last else {
        return Err(UiError::new("There is no check to describe yet."));
    };
    to_clipboard(&app, support::details_text(&details, email.as_deref()))
}

/// The saved-connections view's "Copy details for support": the connection's last check.
#[tauri::command]
pub fn copy_connection_details<R: Runtime>(app: AppHandle<R>, id: String) -> Result<SupportDetails, UiError> {
    let store = open_store()?;
    let c = manage::find(&store, &id)?;
    let Some(details) = c.last_check.as_ref().and_then(|l| l.details.as_deref()) else {
        return Err(UiError::new("This connection has no recorded check with details yet. Select \"Re-test\" first, then copy the details."));
    };
    to_clipboard(&app, support::details_text(details, c.email.as_deref()))
}

/// The window calls this once its first step is on screen. For the start-up and memory
/// benchmarks, `BITBUCKET_SETUP_READY_FILE` names a file written at that moment.
#[tauri::command]
pub fn ui_ready() {
    if let Some(path) = std::env::var_os("BITBUCKET_SETUP_READY_FILE") {
        let _ = std::fs::write(path, b"ready");
    }
}
