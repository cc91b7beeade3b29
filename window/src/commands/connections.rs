//! The saved connections: the list, a re-test, a new token swapped in only when it passes, and
//! removal after the person confirms it in a native dialog.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use zeroize::Zeroizing;

use bitbucket_setup_core::deliver::refresh;
use bitbucket_setup_core::deliver::summary::Summary;

use super::check::expiry_of;
use super::{open_store, UiError};
use crate::advice::redeliver::{self, DeliveredView};
use crate::bitbucket::client::Timeouts;
use crate::bitbucket::credential;
use crate::bitbucket::validate::Report;
use crate::manage;
use crate::store::connections::Connection;
use crate::store::Store;

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
    let loaded = store.list()?;
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
    store.remove(&c.id)?;
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

/// What `replace_token` did: the check's report (its fields, as before) and, after a passing
/// check, what the new token was delivered to again.
#[derive(Serialize)]
pub struct Replaced {
    #[serde(flatten)]
    report: Report,
    /// The re-delivery, as facts (`None`: the token was not replaced, or the connection could
    /// not be read back).
    delivered: Option<Summary>,
    /// The same in the window's words, grouped, for the page to show.
    delivered_view: Option<DeliveredView>,
    /// Why nothing could be delivered again after the token was replaced.
    delivery_problem: Option<String>,
}

/// Checks a new token for a saved connection and swaps it in only when it passes; then writes
/// it into the files the app wrote and the tools it sent it to ([`refresh::after_replacement`]).
#[tauri::command]
pub async fn replace_token(input: ReplaceInput) -> Result<Replaced, UiError> {
    let pasted = credential::classify(&input.token)?;
    let expires = expiry_of(input.expires.as_deref())?;
    let store = open_store()?;
    let c = manage::find(&store, &input.id)?;
    let email = crate::safe_text::non_blank(input.email.as_deref()).map(str::to_string);
    let report = manage::replace_token(&store, &c, pasted.secret, pasted.kind, email, expires, Timeouts::default()).await?;
    if !report.ok {
        return Ok(Replaced { report, delivered: None, delivered_view: None, delivery_problem: None });
    }
    Ok(match refresh::after_replacement(&store, &c.id).await {
        Ok(summary) => {
            let view = redeliver::view(&summary);
            Replaced { report, delivered: Some(summary), delivered_view: Some(view), delivery_problem: None }
        }
        Err(e) => Replaced {
            report,
            delivered: None,
            delivered_view: None,
            delivery_problem: Some(format!(
                "The token is replaced, but where it was delivered could not be read, so nothing was delivered again: {e}"
            )),
        },
    })
}
