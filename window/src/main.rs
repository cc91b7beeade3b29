// No console window on Windows in release builds: this is the wizard, started from the Start
// menu or by `bitbucket-setup` with no arguments.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! `bitbucket-setup-window`: the wizard window (Tauri 2). The command line is another program
//! (`bitbucket-setup`, installed beside this one), so nothing that git or a script calls loads
//! WebKit.

mod advice;
mod commands;
mod export_commands;
mod git_commands;
mod reminders;
mod renderer;
mod support;
mod webview2;

// The domain, under the names the window's code uses for it (`crate::store`, ...).
use bitbucket_setup_core::{bitbucket, deliver, exit_code, export, freshness, git, guide, links, manage, platform, presets, remind, safe_text, shell, store};
use tauri::{Builder, Runtime};

fn main() {
    // First, before anything holds a token: no core dumps (see the module's notes). Best
    // effort: the app works without it, and the tests check that it took effect.
    let _ = bitbucket_setup_core::hardening::apply();
    // `reminders run` (Windows' daily task): the job, with no window and no Tauri; it ends here.
    reminders::run_if_asked();
    // Before any thread starts (see the module's notes).
    renderer::apply_default();
    run();
}

/// Plugins and commands, shared by [`run`] and by the tests that use a mock runtime.
fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(navigation_guard())
        // Used from Rust only (save dialog, clipboard); the window is granted neither.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(commands::AppState::default())
        .invoke_handler(tauri::generate_handler![
            commands::catalog::catalog,
            commands::catalog::parse_location,
            commands::catalog::creation_guide,
            commands::catalog::open_page,
            commands::catalog::ui_ready,
            commands::check::preconnect,
            commands::check::check_credential,
            commands::check::cancel_check,
            commands::check::discard_pending,
            commands::check::save_connection,
            commands::connections::list_connections,
            commands::connections::retest_connection,
            commands::connections::remove_connection,
            commands::connections::replace_token,
            commands::clipboard::copy_check_details,
            commands::clipboard::copy_connection_details,
            commands::send::send_n8n,
            commands::send::n8n_key_kept,
            commands::reminders::reminders_status,
            commands::reminders::reminders_set,
            export_commands::export_view,
            export_commands::export_save,
            export_commands::copy_field,
            git_commands::git_plan,
            git_commands::git_apply,
            git_commands::git_retire,
        ])
}

/// Keeps the window on the app's own pages: a navigation to anything else is refused (links to
/// Bitbucket go through the `open_page` command, which opens the default browser).
fn navigation_guard<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| links::is_app_page(url))
        .build()
}

/// Opens the wizard window.
fn run() {
    // Before Tauri: without WebView2 on Windows it would panic, unseen in a release build.
    if let Err(missing) = webview2::check() {
        webview2::report(&missing);
        std::process::exit(exit_code::UNAVAILABLE);
    }
    // No opener plugin: the window gets no opener permission at all; `open_page` calls
    // tauri_plugin_opener::open_url itself after checking the address.
    let result = builder(tauri::Builder::default())
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Bitbucket Setup Assistant could not start its window: {err}");
        std::process::exit(exit_code::SOFTWARE);
    }
}
