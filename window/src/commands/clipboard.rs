//! "Copy details for support": the last check, redacted ([`crate::support`]), on the clipboard.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use super::{lock, open_store, AppState, UiError};
use crate::manage;
use crate::support;

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
