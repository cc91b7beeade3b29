//! Declares the app's own commands to Tauri so that each gets an `allow-…` permission: the
//! window may call only the commands its capability in tauri.conf.json lists.

const COMMANDS: &[&str] = &[
    "catalog",
    "parse_location",
    "creation_guide",
    "open_page",
    "check_credential",
    "cancel_check",
    "discard_pending",
    "save_connection",
    "list_connections",
    "retest_connection",
    "remove_connection",
    "replace_token",
    "ui_ready",
    "export_view",
    "export_save",
    "copy_field",
    "copy_check_details",
    "copy_connection_details",
    "preconnect",
    "git_plan",
    "git_apply",
    "git_retire",
    "send_n8n",
    "n8n_key_kept",
    "reminders_status",
    "reminders_set",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run the Tauri build script");
}
