//! The "Daily reminders outside the app" switch of the saved connections, end to end: the real
//! window, where no user manager can be reached, says so beside the switch and writes nothing;
//! with a `systemd --user` of the test's own (tests/support/systemd.rs), it registers the daily
//! timer for the command line beside the window, says it is on, and removes it again.
//!
//! `scripts/test.sh --test e2e_reminders`; see tests/e2e_wizard.rs for how the window runs.

mod support;

use std::path::PathBuf;

use fake_bitbucket::demo;
use fantoccini::key::Key;
use support::app::{self, block_on, App, Setup, UserSession};
use support::cli_session::text;
use support::run_cli;

const SWITCH: &str = "#reminders-switch";

async fn open_connections(app: &App) {
    app.click("#tab-connections").await;
    app.wait_js(
        "the connections view",
        "!document.getElementById('connections').hidden && document.querySelector('#connections h1')",
    )
    .await;
}

/// Waits until the reminders box says `state` ("on", "off", "unknown") and the switch can be
/// used again.
async fn wait_state(app: &App, state: &str) {
    app.wait_js(
        &format!("the reminders to be {state}"),
        &format!(
            "document.getElementById('reminders').dataset.state === '{state}' && !document.querySelector('{SWITCH}').disabled && !document.getElementById('reminders').hasAttribute('aria-busy')"
        ),
    )
    .await;
}

async fn checked(app: &App) -> bool {
    app.js(&format!("return document.querySelector('{SWITCH}').checked;")).await.as_bool().unwrap()
}

/// Flips the switch from the keyboard, as a person tabbing to it would: focus, then Space.
async fn press_switch(app: &App) {
    app.js(&format!("document.querySelector('{SWITCH}').focus();")).await;
    app.press(Key::Space).await;
}

/// The command line beside the window program, which the daily job must run.
fn command_line_beside_the_window() -> PathBuf {
    let window = std::fs::canonicalize(support::window_binary()).unwrap();
    window.with_file_name(format!("bitbucket-setup{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn without_a_user_manager_the_switch_says_so_and_stays_off() {
    block_on(async {
        if support::require("systemctl (Debian package systemd)", support::on_path("systemctl")) {
            return;
        }
        let setup = Setup { session: UserSession::NoManager, ..Setup::LIGHT };
        let Some(app) = app::app(setup).await else { return };
        open_connections(&app).await;
        wait_state(&app, "off").await;
        let shown = app.text("#reminders").await;
        assert!(shown.contains("Daily reminders outside the app"), "{shown}");
        assert!(
            shown.contains("A notification appears only when a token expires within 14 days or fails its check; when all is well, nothing is shown."),
            "{shown}"
        );
        assert!(!checked(&app).await);

        app.click(SWITCH).await;
        let error = app.wait_text("#reminders-error", "No daily job can be registered here").await;
        wait_state(&app, "off").await;
        assert!(!checked(&app).await, "the switch went back to off");
        assert!(
            error.starts_with("No daily job can be registered here: this computer runs no service manager for your user session (systemd)"),
            "{error}"
        );
        assert!(error.contains("Nothing was changed. (systemctl said: "), "{error}");
        assert!(
            error.ends_with(
                "still warns you of a token that expires within 14 days or has expired, each time you open it."
            ),
            "{error}"
        );
        assert!(!error.contains("--"), "no command line words in the window: {error}");
        let focused = app.js("return document.activeElement && document.activeElement.id;").await;
        assert_eq!(focused, "reminders-switch", "the focus stays on the switch");

        // Nothing was written: no unit file under the window's HOME (XDG_CONFIG_HOME is in it).
        let units: Vec<PathBuf> = support::files_under(&app.home)
            .into_iter()
            .filter(|p| {
                p.to_string_lossy().contains("systemd") || p.to_string_lossy().contains("bitbucket-setup-reminders")
            })
            .collect();
        assert_eq!(units, Vec::<PathBuf>::new(), "no unit files were written");
        assert!(!app.home.join(".config/systemd").exists());
        app.axe("the connections view with the reminders' error").await;
    });
}

#[test]
fn with_a_user_manager_the_switch_registers_and_removes_the_daily_timer() {
    block_on(async {
        if !support::systemd::user_manager_available() {
            return;
        }
        let setup = Setup { session: UserSession::PrivateManager, ..Setup::LIGHT };
        let Some(app) = app::with_keychain(setup).await else { return };
        let manager = app.user_manager.as_ref().expect("the window's own user manager");
        // A connection to look at in the screenshot.
        let out = run_cli(
            &[
                "save",
                "--name",
                "Mobile app (git)",
                "--credential",
                "repository-token",
                "--workspace",
                "acme/mobile-app",
                "--preset",
                "git",
            ],
            demo::MOBILE_WRITE,
            &[("BITBUCKET_API_URL", app.api_url.as_str())],
            &app.config,
        );
        assert!(out.status.success(), "save failed:\n{}", text(&out.stderr));

        open_connections(&app).await;
        wait_state(&app, "off").await;
        assert!(app.text("#reminders-state").await.starts_with("Off:"));
        press_switch(&app).await;
        wait_state(&app, "on").await;
        assert!(checked(&app).await);
        let state = app.text("#reminders-state").await;
        assert!(state.starts_with("On: your saved connections are checked every day at midnight"), "{state}");
        assert!(state.contains("Next check: "), "the manager says when: {state}");
        assert_eq!(app.text("#reminders-error").await, "", "no error");

        let enabled = manager.systemctl(&["is-enabled", "bitbucket-setup-reminders.timer"]);
        assert_eq!(text(&enabled.stdout).trim(), "enabled", "{}", text(&enabled.stderr));
        let exec =
            text(&manager.systemctl(&["show", "bitbucket-setup-reminders.service", "--property=ExecStart"]).stdout);
        let program = command_line_beside_the_window();
        assert!(
            exec.contains(&format!("path={} ;", program.display()))
                && exec.contains(&format!("argv[]={} reminders run ;", program.display())),
            "the job runs the command line beside the window, {}:\n{exec}",
            program.display()
        );
        let unit = std::fs::read_to_string(manager.units().join("bitbucket-setup-reminders.service")).unwrap();
        assert!(
            unit.contains(&format!("BITBUCKET_SETUP_CONFIG_DIR={}", app.config.display())),
            "the window's connections: {unit}"
        );

        // A fresh page asks Rust again: still on.
        app.reload().await;
        open_connections(&app).await;
        wait_state(&app, "on").await;
        app.axe("the connections view with the reminders on").await;
        app.shot("connections-reminders").await;

        app.click(SWITCH).await;
        wait_state(&app, "off").await;
        assert!(!checked(&app).await);
        assert!(!manager.systemctl(&["is-enabled", "bitbucket-setup-reminders.timer"]).status.success());
        assert!(!manager.units().join("bitbucket-setup-reminders.service").exists());
        assert!(!manager.units().join("bitbucket-setup-reminders.timer").exists());
        assert!(app.text("#reminders-state").await.starts_with("Off:"));
    });
}
