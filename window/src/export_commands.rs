//! Thin Tauri commands for exporting a saved connection from the window: the formats and the
//! product's form field by field, saving through the native save dialog (opened from Rust, so
//! the window needs no file or dialog permission), and "Copy" buttons that put one field on
//! the clipboard. A copied token is cleared from the clipboard after 60 seconds.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;

use crate::export::{self, ExportOptions, Format, FormatInfo};
use crate::manage;
use crate::store::connections::Connection;

use crate::advice::export as advice;
use crate::commands::{open_store, UiError};

/// How long a copied token stays on the clipboard.
pub const CLIPBOARD_CLEAR_AFTER: Duration = Duration::from_secs(60);

#[derive(Serialize)]
pub struct ExportView {
    connection: Connection,
    formats: Vec<FormatView>,
    default_format: &'static str,
    /// The product's form; the token field holds the keychain reference (the token is never
    /// sent to the window: "Copy" fetches it in Rust).
    fields: Vec<export::FieldValue>,
    validated: bool,
    validation_note: Option<String>,
}

/// A format as the window lists it, with the file name "Save file" suggests (made by Rust, so
/// the page shows the name the file will get).
#[derive(Serialize)]
pub struct FormatView {
    #[serde(flatten)]
    info: FormatInfo,
    file_name: String,
}

/// Formats that make sense for this connection: its product's forms first, then the generic ones.
fn formats_for(c: &Connection) -> Vec<FormatView> {
    let own = export::formats().iter().filter(|f| f.product == Some(c.preset));
    let generic = export::formats().iter().filter(|f| f.product.is_none());
    own.chain(generic).map(|f| FormatView { info: *f, file_name: f.default_file_name(c) }).collect()
}

#[tauri::command]
pub fn export_view(id: String) -> Result<ExportView, UiError> {
    let store = open_store()?;
    let c = manage::find(&store, &id)?;
    let fields = export::fields(&c, c.preset).unwrap_or_default();
    let formats = formats_for(&c);
    let default_format = formats.first().map(|f| f.info.id).unwrap_or("json");
    let validation = crate::freshness::validation_of(&c, chrono::Utc::now());
    let validation_note = match &validation {
        crate::freshness::Validation::Unvalidated { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    Ok(ExportView { validated: validation.is_validated(), validation_note, connection: c, formats, default_format, fields })
}

#[derive(Deserialize)]
pub struct ExportInput {
    id: String,
    format: String,
    #[serde(default)]
    include_secret: bool,
    /// Export even when the connection cannot be validated now (the file says so).
    #[serde(default)]
    allow_unvalidated: bool,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    folder: Option<String>,
}

#[derive(Serialize)]
pub struct ExportDone {
    /// None when the user closed the save dialog.
    path: Option<String>,
    contains_secret: bool,
    message: String,
    warnings: Vec<String>,
    /// What the file cannot say about itself (netrc, git-credentials, n8n).
    about: Vec<String>,
}

/// Where to save: the native dialog, or (for tests and scripted runs)
/// `BITBUCKET_SETUP_EXPORT_DIR` with the default file name.
fn choose_path<R: Runtime>(app: &AppHandle<R>, file_name: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BITBUCKET_SETUP_EXPORT_DIR") {
        return Some(PathBuf::from(dir).join(file_name));
    }
    let mut dialog = app.dialog().file().set_file_name(file_name).set_title("Save the configuration");
    if let Some(docs) = dirs::document_dir().or_else(dirs::home_dir) {
        dialog = dialog.set_directory(docs);
    }
    dialog.blocking_save_file().and_then(|p| p.into_path().ok())
}

/// Runs the export flow (re-checks when needed, renders), asks where to save, and writes
/// (0600 with the token).
#[tauri::command]
pub async fn export_save<R: Runtime>(app: AppHandle<R>, input: ExportInput) -> Result<ExportDone, UiError> {
    let format: Format = export::from_slug(&input.format).ok_or_else(|| export::ExportError::unknown_format(&input.format))?;
    let store = open_store()?;
    let request = manage::ExportRequest {
        format,
        include_secret: input.include_secret,
        options: ExportOptions { branch: input.branch.clone(), folder: input.folder.clone() },
        // Last check failed or is older than 24 hours: check again first (the page says so).
        recheck: manage::Recheck::IfStale,
        allow_unvalidated: input.allow_unvalidated,
    };
    // An unvalidated export comes back on "unvalidated", where the page offers to export anyway.
    let prepared = manage::prepare_export(&store, &input.id, &request, |_| {}).await?;
    let (c, rendered) = (&prepared.connection, &prepared.rendered);
    let app2 = app.clone();
    let file_name = rendered.file_name.clone();
    let chosen = tauri::async_runtime::spawn_blocking(move || choose_path(&app2, &file_name))
        .await
        .map_err(|_| UiError::new("The save dialog could not be opened."))?;
    let Some(path) = chosen else {
        return Ok(ExportDone { path: None, contains_secret: false, message: "Not saved: the save dialog was closed.".into(), warnings: vec![], about: vec![] });
    };
    // Recorded with the connection, so a replaced token is written into it again.
    let saved = manage::write_export(&store, &prepared, &request, &path, true)?;
    let written = &saved.path;
    let message = if rendered.contains_secret {
        format!("Saved {}. This file now contains the token in plain text: it is a secret. It was made readable only by you; keep it out of shared folders and delete it when done.", written.display())
    } else {
        format!(
            "Saved {}. The token is not in the file; its field holds {}, which `{}` turns into the token for scripts.",
            written.display(),
            export::secret_reference(c),
            export::token_command(&crate::shell::Program::current(), c)
        )
    };
    let mut warnings: Vec<String> = rendered.warnings.iter().map(ToString::to_string).collect();
    warnings.extend(saved.warning());
    Ok(ExportDone {
        path: Some(written.display().to_string()),
        contains_secret: rendered.contains_secret,
        message,
        warnings,
        about: rendered.about.iter().map(advice::about_line).collect(),
    })
}

#[derive(Serialize)]
pub struct Copied {
    label: String,
    /// Seconds until the clipboard is cleared (the token only).
    clears_in: Option<u64>,
}

/// Puts one field of the product's form on the clipboard. The token is read from the keychain
/// here and cleared from the clipboard after [`CLIPBOARD_CLEAR_AFTER`] if it is still there.
#[tauri::command]
pub async fn copy_field<R: Runtime>(app: AppHandle<R>, id: String, key: String) -> Result<Copied, UiError> {
    let store = open_store()?;
    let c = manage::find(&store, &id)?;
    let not_in_form = || UiError::new("That field is not part of this tool's form.");
    let unusable = |_| UiError::new("The clipboard could not be used. Select the value and copy it by hand.");
    let plain = export::fields(&c, c.preset)?;
    let field = plain.into_iter().find(|f| f.key == key).ok_or_else(not_in_form)?;
    if !field.secret {
        // Nothing secret: no keychain read (which may prompt, or fail while it is locked).
        app.clipboard().write_text(field.value.as_str()).map_err(unusable)?;
        return Ok(Copied { label: field.label, clears_in: None });
    }
    let secret = store.secret(&c.id)?;
    let fields = export::fields_with(&c, c.preset, Some(&secret), &ExportOptions::default())?;
    drop(secret);
    let field = fields.into_iter().find(|f| f.key == key).ok_or_else(not_in_form)?;
    // Marked for clipboard managers to leave out of their history (and, on Windows, out of
    // cloud sync): the clear below only empties the live clipboard.
    app.clipboard().write_secret(field.value.as_str()).map_err(unusable)?;
    let value = field.value.clone();
    let app2 = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLIPBOARD_CLEAR_AFTER).await;
        // Clear only if the user has not copied something else since.
        if app2.clipboard().read_text().map(|t| t == *value).unwrap_or(false) {
            let _ = app2.clipboard().clear();
        }
    });
    Ok(Copied { label: field.label, clears_in: Some(CLIPBOARD_CLEAR_AFTER.as_secs()) })
}
