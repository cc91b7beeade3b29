//! Bitbucket Setup Assistant.
//!
//! Data flows one way: the window ([`commands`]) or the command line ([`cli`]) → the domain
//! ([`bitbucket`], [`presets`]) → Bitbucket. The domain knows nothing of Tauri.

pub mod bitbucket;
pub mod cli;
mod commands;
pub mod export;
pub mod guide;
pub mod links;
pub mod manage;
pub mod presets;
pub mod store;

use tauri::{Builder, Runtime};

/// Plugins and commands, shared by [`run`] and by the tests that use a mock runtime.
pub fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .manage(commands::AppState::default())
        .invoke_handler(tauri::generate_handler![
            commands::catalog,
            commands::parse_location,
            commands::creation_guide,
            commands::open_page,
            commands::check_credential,
            commands::cancel_check,
            commands::discard_pending,
            commands::save_connection,
            commands::list_connections,
            commands::retest_connection,
            commands::remove_connection,
            commands::replace_token,
        ])
}

/// Opens the wizard window.
pub fn run() {
    let result = builder(tauri::Builder::default())
        .plugin(tauri_plugin_opener::init())
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Bitbucket Setup Assistant could not start its window: {err}");
        std::process::exit(1);
    }
}
