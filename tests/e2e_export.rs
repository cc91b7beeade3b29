//! Export from the window, the webview lockdown, and the secret-hygiene audit, end to end in
//! the real window against the fake Bitbucket and the real keychain.
//!
//! `scripts/test.sh --test e2e_export`; see tests/e2e_wizard.rs for how the window runs.

mod support;

use fake_bitbucket::{demo, FakeToken};
use support::app::{self, app, block_on, App, Setup};
use support::files_under;

/// A canary token of SQAI's kind that only this file uses.
fn canary() -> String {
    let secret = format!("ATCTT3xFfGN0CANARY{}", uuid::Uuid::new_v4().simple());
    app::fake().add_token(FakeToken::repository(&secret, demo::WORKSPACE, demo::REPO_WEBSITE, &["repository:write", "pullrequest:write"]));
    secret
}

async fn saved(app: &App, name: &str, token: &str) -> serde_json::Value {
    app.to_paste("sqai", "https://bitbucket.org/acme/website", "repository_token").await;
    let verdict = app.paste_and_check(token, None).await;
    assert!(verdict.contains("Ready to use"), "{verdict}");
    app.save_as(name).await
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn export_from_the_saved_panel_copy_fields_and_save_files() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        let token = canary();
        let name = format!("Export SQAI {}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        let record = saved(&app, &name, &token).await;

        app.click("#export-saved").await;
        app.wait_text("#export-title", "Export").await;
        // The tool's form, field by field, in its order, without the token.
        let table = app.text("table.fields").await;
        for label in ["API key", "Workspace", "Repository"] {
            assert!(table.contains(label), "{label} missing from:\n{table}");
        }
        assert!(!table.contains(&token), "the token is shown in the window");
        app.click("button[data-copy=workspace]").await;
        app.wait_text("#export-status", "Copied").await;
        app.click("button[data-copy=api_key]").await;
        app.wait_text("#export-status", "cleared in 60 seconds").await;
        app.axe("the export view").await;
        app.shot("export").await;
        // "Send to n8n" (tests/e2e_send.rs) is for n8n: hidden for SQAI until n8n's format is chosen.
        let format = app.value("select[name=format]").await;
        assert_eq!(app.js("return document.getElementById('send-n8n').hidden;").await, true);
        app.set_value("select[name=format]", "n8n").await;
        app.wait_for("#send-n8n").await;
        app.set_value("select[name=format]", &format).await;
        app.wait_gone("#send-n8n").await;

        // Save without the token: a reference instead, an ordinary file mode.
        app.click_button("Save file…").await;
        let msg = app.wait_text("#export-result", "Saved").await;
        assert!(msg.contains("keychain:bitbucket-setup:"), "{msg}");
        let files: Vec<_> = std::fs::read_dir(&app.exports).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        // The page names the file that was written.
        let written = files[0].file_name().unwrap().to_string_lossy().into_owned();
        let hint = app.text("p.hint[id^=format-][id$=-hint]").await;
        assert!(hint.ends_with(&format!("File: {written}")), "the page said {hint:?}, the file is {written}");
        let plain = std::fs::read_to_string(&files[0]).unwrap();
        assert!(!plain.contains(&token), "an export without the token contains it");
        assert!(plain.contains("acme") && plain.contains("website"), "{plain}");

        // With the token: the window says the file is a secret, and it is 0600.
        app.js("document.querySelector('input[name=include_secret]').click(); return true;").await;
        app.wait_for("#include-warning").await;
        app.click_button("Save file…").await;
        let msg = app.wait_text("#export-result", "secret").await;
        assert!(msg.contains("plain text"), "{msg}");
        let with_token = std::fs::read_to_string(&files[0]).unwrap();
        assert!(with_token.contains(&token), "the file asked to hold the token does not");
        #[cfg(unix)]
        assert_eq!(mode(&files[0]), 0o600);
        std::fs::remove_file(&files[0]).unwrap();

        // The audit: after the whole run, the canary is nowhere but the keychain.
        let leaks = app.files_containing(&token);
        assert!(leaks.is_empty(), "the token is in plain files: {leaks:?}");
        let id = record["id"].as_str().unwrap();
        assert_eq!(app::keychain_secrets(id), vec![token.clone()]);
        // localStorage and sessionStorage of the page hold nothing of it either.
        let storage = app.js("return JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage));").await;
        assert!(!storage.as_str().unwrap_or("").contains(&token), "{storage}");
        // WebKit's own data and cache folders are under the app's HOME, already searched; if
        // WebKit wrote none there, the search above proved less.
        let webkit_files = files_under(&app.home).len();
        assert!(webkit_files > 0, "WebKit wrote nothing under the app's HOME {}: the search proved little", app.home.display());
        assert!(app.log.exists(), "the app's log {} is missing", app.log.display());
        let log_bytes = std::fs::metadata(&app.log).map(|m| m.len()).unwrap_or(0);
        // G_MESSAGES_DEBUG=all makes the app's stack write there: an empty log means its
        // output never reached the file, and the search proved nothing.
        assert!(log_bytes > 0, "the app's log {} is empty", app.log.display());
        eprintln!("secret audit: {webkit_files} files under the app's HOME, its config and its log ({log_bytes} bytes) searched, none holds the token");
    });
}

#[test]
fn the_window_never_navigates_to_a_remote_page() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        let before = app.js("return location.href;").await;
        // A link to a remote page, clicked; then a scripted navigation.
        app.js("const a = document.createElement('a'); a.href = 'https://example.com/'; a.id = 'evil-link'; a.textContent = 'x'; document.body.append(a); return true;").await;
        app.click("#evil-link").await;
        app.js("setTimeout(() => { window.location.href = 'https://example.com/other'; }, 0); return true;").await;
        // Give a navigation every chance to happen, then check that the page is still ours.
        app.js_async("requestAnimationFrame(() => requestAnimationFrame(() => done(true)));").await;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let after = app.js("return location.href;").await;
        assert_eq!(after, before, "the window left the app");
        assert!(after.as_str().unwrap().starts_with("tauri://localhost"), "{after}");
        assert!(app.js("return document.body.dataset.ready === 'true';").await.as_bool().unwrap());
    });
}
