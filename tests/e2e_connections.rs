//! The saved-connections view, end to end: the real window lists what the wizard (and the
//! command line) saved, re-tests it against the fake Bitbucket with the token from the real
//! keychain, replaces a token only when the new one passes, and removes a connection (after
//! a confirmation) from the list and from the keychain.
//!
//! `scripts/test.sh --test e2e_connections`; see tests/e2e_wizard.rs for how the window runs.

mod support;

use fake_bitbucket::{demo, FakeToken, TokenState};
use serde_json::json;
use support::app::{self, block_on, in_days, keychain_secrets, App, Setup};
use support::run_cli;

/// A repository access token for acme/website with SQAI's scopes that only this test uses, so
/// it can be revoked in the fake without touching other tests. Looks like a real one.
fn own_token(tag: &str) -> String {
    let secret = format!("ATCTT3xFfGN0e2e{tag}{}", uuid::Uuid::new_v4().simple()).replace('-', "_");
    app::fake().add_token(
        FakeToken::repository(&secret, demo::WORKSPACE, demo::REPO_WEBSITE, &["repository:write", "pullrequest:write"])
            .with_display_name(tag),
    );
    secret
}

/// Saves a connection through the wizard; returns its record.
async fn save_through_wizard(app: &App, name: &str, token: &str) -> serde_json::Value {
    app.to_paste("sqai", "https://bitbucket.org/acme/website", "repository_token").await;
    let verdict = app.paste_and_check(token, None).await;
    assert!(verdict.contains("Ready to use"), "{verdict}");
    app.save_as(name).await
}

/// Saves a connection with the command line (token on standard input) into the window's
/// config folder.
fn save_through_cli(app: &App, name: &str, args: &[&str], token: &str) {
    let mut all = vec!["save", "--name", name];
    all.extend_from_slice(args);
    let out = run_cli(&all, token, &[("BITBUCKET_API_URL", app.api_url.as_str())], &app.config);
    assert!(out.status.success(), "bitbucket-setup save failed:\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

fn card(name: &str) -> String {
    format!("article.connection[data-name={}]", serde_json::to_string(name).unwrap())
}

async fn open_connections(app: &App) {
    app.click("#tab-connections").await;
    app.wait_js("the connections view", "!document.getElementById('connections').hidden && document.querySelector('#connections h1')").await;
}

#[test]
fn saved_connection_is_listed_retested_and_removed() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        let token = own_token("listed");
        let website = "Website for SQAI";
        let record = save_through_wizard(&app, website, &token).await;
        let id = record["id"].as_str().unwrap().to_string();
        assert_eq!(keychain_secrets(&id).len(), 1);

        // A second one, saved from the command line, runs out in 10 days.
        let mobile = "Mobile app (git)";
        let expires = in_days(10);
        save_through_cli(
            &app,
            mobile,
            &["--credential", "repository-token", "--workspace", "acme/mobile-app", "--preset", "git", "--expires", &expires],
            demo::MOBILE_WRITE,
        );

        // "See saved connections" from the Saved panel.
        app.click_button("See saved connections").await;
        app.wait_for(&card(website)).await;
        app.wait_for(&card(mobile)).await;
        let first = app.text(&card(website)).await;
        assert!(first.contains("Valid"), "{first}");
        assert!(first.contains("acme/website"), "{first}");
        assert!(first.contains("for SQAI Suite"), "{first}");
        let second = app.text(&card(mobile)).await;
        assert!(second.contains("Expiring soon") && second.contains("Expires in 10 days"), "{second}");
        let banner = app.wait_text("#expiry-banner", mobile).await;
        assert!(banner.contains("needs replacing soon"), "{banner}");
        let tab = app.text("#tab-connections").await;
        assert!(tab.ends_with("(2)"), "the tab counts the connections: {tab}");
        app.axe("the connections view").await;
        app.shot("connections").await;

        // Re-test: the token comes from the keychain, the check goes to the fake.
        let before = app::fake().request_count();
        app.click(&format!("{} [data-action=retest]", card(website))).await;
        app.wait_text("#connections-status", &format!("{website}: passed.")).await;
        assert!(app::fake().request_count() > before, "the re-test asked the fake Bitbucket");
        // The status line is announced before the list is drawn again: wait for the card.
        let passed = app.wait_text(&card(website), "Valid").await;
        assert!(passed.contains("Valid"), "{passed}");

        // Revoked in Bitbucket: the re-test says so, and the card asks for attention.
        assert!(app::fake().set_token_state(&token, TokenState::Revoked));
        app.click(&format!("{} [data-action=retest]", card(website))).await;
        app.wait_text("#connections-status", &format!("{website}: did not pass.")).await;
        let revoked = app.wait_text(&card(website), "Needs attention").await;
        assert!(revoked.contains("revoked or expired"), "{revoked}");
        app.axe("the connections view with a failing connection").await;
        // "Copy details for support" copies that last check: what Bitbucket answered, no token.
        app.click(&format!("{} [data-action=support]", card(website))).await;
        app.click(&format!("{} .support-details summary", card(website))).await;
        let details = app.wait_text(&format!("{} .support-text", card(website)), "details for support").await;
        assert!(details.contains("Verdict: unauthorized"), "{details}");
        assert!(details.contains("GET /repositories/acme/website (reach): HTTP 401"), "{details}");
        assert!(!details.contains(&token), "{details}");
        assert!(app.files_containing(&token).is_empty(), "the last check's details on disk hold no token");
        assert!(app::fake().set_token_state(&token, TokenState::Active));

        // Remove asks first, in the app's own (native) dialog; "Keep it" keeps it.
        app.answer_removal(false);
        app.click(&format!("{} [data-action=remove]", card(website))).await;
        app.wait_text(&card(website), &format!("Kept {website}.")).await;
        assert!(app.record(website).is_some());
        assert_eq!(keychain_secrets(&id).len(), 1);
        // The page alone cannot remove a connection: the command itself asks.
        let kept = app
            .js_async(&format!("window.__TAURI_INTERNALS__.invoke('remove_connection', {{ id: {} }}).then((o) => done(o.removed), (e) => done(e.message));", serde_json::to_string(&id).unwrap()))
            .await;
        assert_eq!(kept, serde_json::Value::Bool(false));
        assert!(app.record(website).is_some());

        // Remove: gone from the list, the file and the keychain.
        app.answer_removal(true);
        app.click(&format!("{} [data-action=remove]", card(website))).await;
        app.wait_text("#connections-status", &format!("Removed {website}.")).await;
        app.wait_gone(&card(website)).await;
        assert!(app.record(website).is_none(), "the record is gone from connections.json");
        assert!(keychain_secrets(&id).is_empty(), "the keychain item is gone");
        assert!(app.text(&card(mobile)).await.contains(mobile), "the other connection stays");
        assert!(app.files_containing(&token).is_empty());
    });
}

#[test]
fn replacing_a_token_checks_the_new_one_first() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        let old = own_token("old");
        let name = "Replace me";
        let record = save_through_wizard(&app, name, &old).await;
        let id = record["id"].as_str().unwrap().to_string();
        open_connections(&app).await;
        app.click(&format!("{} [data-action=replace]", card(name))).await;
        let field = format!("{} input[name=token]", card(name));
        app.wait_for(&field).await;
        app.axe("the replace-token form").await;

        // A token without the scopes SQAI needs is refused and the old one is kept.
        app.fill(&field, demo::READ_ONLY).await;
        app.click_button("Check and replace").await;
        let refused = app.wait_text(&card(name), "did not pass, so the old one was kept").await;
        assert!(refused.contains("Pull requests: Write"), "{refused}");
        assert!(keychain_secrets(&id) == vec![old.clone()], "the old token stays in the keychain");
        assert_eq!(app.value(&field).await, "", "the field is cleared when the check starts");

        // A wrong paste is caught before any check.
        app.fill(&field, "https://bitbucket.org/acme/website").await;
        app.click_button("Check and replace").await;
        app.wait_text(&card(name), "This looks like a web address, not a token.").await;

        // A good one is swapped in.
        let new = own_token("new");
        app.fill(&field, &new).await;
        app.click_button("Check and replace").await;
        app.wait_text("#connections-status", "Token replaced").await;
        assert!(keychain_secrets(&id) == vec![new.clone()], "the new token is in the keychain");
        assert!(app.files_containing(&new).is_empty() && app.files_containing(&old).is_empty());
        assert_eq!(app.js("return [...document.querySelectorAll('input')].filter((i) => i.value.startsWith('ATCT')).length").await, json!(0));

        // Tidy up through the window, so the other tests' screenshots show only theirs.
        app.answer_removal(true);
        app.click(&format!("{} [data-action=remove]", card(name))).await;
        app.wait_gone(&card(name)).await;
        assert!(keychain_secrets(&id).is_empty());
    });
}

/// An API token is replaced with its email: the form shows the saved email, a wrong email is
/// refused with the old token kept, the right one swaps the token in.
#[test]
fn replacing_an_api_token_uses_the_email_too() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        let name = "Autoheal with an API token";
        save_through_cli(
            &app,
            name,
            &["--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme", "--preset", "autoheal"],
            demo::API_TOKEN_AUTOHEAL,
        );
        let id = app.record(name).expect("saved")["id"].as_str().unwrap().to_string();
        let new = format!("ATATT3xFfGF0e2eReplace{}", uuid::Uuid::new_v4().simple());
        app::fake().add_token(FakeToken::api(&new, demo::ADMIN_EMAIL, demo::WORKSPACE, &demo::AUTOHEAL_SCOPES));
        app.reload().await;
        open_connections(&app).await;
        app.click(&format!("{} [data-action=replace]", card(name))).await;
        let token = format!("{} input[name=token]", card(name));
        let email = format!("{} input[name=email]", card(name));
        app.wait_for(&token).await;
        assert_eq!(app.value(&email).await, demo::ADMIN_EMAIL, "the saved email is filled in");
        assert_eq!(app.js(&format!("return document.querySelector({}).closest('.field').hidden", json!(email))).await, json!(false));

        // The new token with another account's email: Bitbucket refuses it, the old one stays.
        app.fill(&email, demo::READER_EMAIL).await;
        app.fill(&token, &new).await;
        app.click_button("Check and replace").await;
        app.wait_text(&card(name), "did not pass, so the old one was kept").await;
        assert!(keychain_secrets(&id) == vec![demo::API_TOKEN_AUTOHEAL.to_string()], "the old token stays in the keychain");

        // With its own email it is swapped in, and the record keeps that email.
        app.fill(&email, demo::ADMIN_EMAIL).await;
        app.fill(&token, &new).await;
        app.click_button("Check and replace").await;
        app.wait_text("#connections-status", "Token replaced").await;
        assert!(keychain_secrets(&id) == vec![new.clone()], "the new token is in the keychain");
        assert_eq!(app.record(name).unwrap()["email"], json!(demo::ADMIN_EMAIL));
        assert!(app.files_containing(&new).is_empty());

        app.answer_removal(true);
        app.click(&format!("{} [data-action=remove]", card(name))).await;
        app.wait_gone(&card(name)).await;
        assert!(keychain_secrets(&id).is_empty());
    });
}

#[test]
fn connections_view_passes_axe_in_dark_mode() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::DARK).await else { return };
        save_through_cli(
            &app,
            "SQAI Suite for the website",
            &["--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--expires", &in_days(5)],
            demo::SQAI_READY,
        );
        app.reload().await;
        app.wait_for("#expiry-banner").await;
        open_connections(&app).await;
        app.wait_for(&card("SQAI Suite for the website")).await;
        app.axe("the connections view").await;
        app.shot("connections-dark").await;
        app.answer_removal(true);
        app.click(&format!("{} [data-action=remove]", card("SQAI Suite for the website"))).await;
        app.wait_gone(&card("SQAI Suite for the website")).await;
    });
}
