//! Thin Tauri commands: parse input, call the domain, and turn its errors into [`UiError`]
//! through the `From` impls of [`crate::advice`] (one per error type, with the window's next
//! step). One file per job:
//! * [`catalog`]: what the wizard shows before any token (presets, kinds, this system's words,
//!   a place's parsing, the creation guide, opening a Bitbucket page);
//! * [`check`]: the wizard's check and save of a pasted token;
//! * [`connections`]: the saved connections (list, re-test, replace the token, remove);
//! * [`clipboard`]: "Copy details for support";
//! * [`send`]: "Send to n8n" on the export page (the n8n API key crosses IPC there, once);
//! * [`reminders`]: the "Daily reminders outside the app" switch of the saved connections.
//!
//! The token crosses IPC once, in [`check::check_credential`] (or
//! [`connections::replace_token`]); after a passing check it waits here, in Rust memory, until
//! [`check::save_connection`] moves it to the keychain. The window never gets it back.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::bitbucket::client::{ApiBase, Client, NetworkError, Timeouts};
use crate::bitbucket::validate::{CheckDetails, CheckRequest, Report};
use crate::store::Store;

pub mod catalog;
pub mod check;
pub mod clipboard;
pub mod connections;
pub mod reminders;
pub mod send;

/// An error the window shows, next to the field it is about when there is one. Built from the
/// domain's errors by the `From` impls in [`crate::advice`], which add the window's next step.
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

    /// `error`'s sentence, then the window's next step for it when there is one.
    pub(crate) fn with_step(error: &impl std::fmt::Display, step: Option<&str>) -> UiError {
        match step {
            Some(step) => UiError::new(format!("{error} {step}")),
            None => UiError::new(error.to_string()),
        }
    }

    /// The same error, shown next to `field`.
    pub(crate) fn at(self, field: &'static str) -> UiError {
        UiError { field: Some(field), ..self }
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
    last_check: Mutex<Option<(CheckDetails, Option<String>)>>,
    /// One HTTP client per API address, kept so the connection [`check::preconnect`] opened
    /// while the person created the token serves the check.
    clients: Mutex<HashMap<String, Client>>,
}

impl AppState {
    fn client_for(&self, base: &ApiBase) -> Result<Client, NetworkError> {
        let mut clients = lock(&self.clients);
        if let Some(c) = clients.get(base.as_str()) {
            return Ok(c.clone());
        }
        let c = Client::new(base.clone(), Timeouts::default())?;
        clients.insert(base.as_str().to_string(), c.clone());
        Ok(c)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The connections file and the keychain.
pub(crate) fn open_store() -> Result<Store, UiError> {
    Ok(Store::open_default()?)
}
