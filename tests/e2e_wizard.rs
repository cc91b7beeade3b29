//! The wizard, end to end: the real app binary in a real WebKit window (WebKitWebDriver under
//! Xvfb), talking to the fake Bitbucket over HTTP and saving to the real OS keychain.
//!
//! Run them all with `scripts/test.sh`, or only these:
//!
//! ```sh
//! scripts/test.sh --test e2e_wizard
//! ```
//!
//! With `SCREENSHOTS_DIR=docs` the tests also save the screenshots the README shows
//! (`scripts/screenshots.sh`).
//!
//! One window serves all the tests of this file (see `support::app`); each test gets it back
//! reloaded on step 1. Under `CI=true` a missing display, driver or keychain fails the tests.

mod support;

use fake_bitbucket::{demo, Fault};
use fantoccini::key::Key;
use serde_json::json;
use support::app::{self, app, block_on, in_days, keychain_secrets, Setup};

const SQAI_LOCATION: &str = "https://bitbucket.org/acme/website";

#[test]
fn sqai_repository_token_is_checked_and_saved_to_the_keychain() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };

        app.axe("step 1 (choose), empty").await;
        app.choose("sqai", SQAI_LOCATION, "repository_token").await;
        assert_eq!(app.text(".understood").await, "Understood: acme/website");
        app.axe("step 1 (choose), filled in").await;
        app.js("window.scrollTo(0, 0); return true;").await;
        app.shot("wizard-1-choose").await;
        app.js("document.querySelector('input[name=location]').scrollIntoView({ block: 'start' }); window.scrollBy(0, -72); return true;").await;
        app.shot("wizard-1-choose-kind").await;
        app.click_button("Continue").await;

        app.wait_step(2).await;
        app.wait_for("#open-page").await;
        let guide = app.text("#step").await;
        // Every box SQAI's guide names is listed; those Pull requests: Write includes say so.
        let boxes = app.text("#step .checklist").await;
        for label in ["Repositories: Read", "Repositories: Write", "Pull requests: Read", "Pull requests: Write"] {
            assert!(boxes.contains(label), "{label}: {boxes}");
        }
        assert_eq!(boxes.matches("included when you tick Pull requests: Write").count(), 3, "{boxes}");
        assert!(guide.contains("Scopes: tick the boxes listed below, and no others."), "{guide}");
        assert!(guide.contains("https://bitbucket.org/acme/website/admin/access-tokens"), "{guide}");
        app.axe("step 2 (create)").await;
        // The page to open, the steps and the whole list with its hint, above the buttons.
        app.js("document.querySelector('#step .where').scrollIntoView({ block: 'start' }); window.scrollBy(0, -72); return true;").await;
        app.shot("wizard-2-create").await;
        app.click_button("I have the token").await;

        app.wait_step(3).await;
        app.paste(demo::SQAI_READY, None).await;
        app.wait_text("#step .shape", "Looks like an access token").await;
        app.set_value("input[name=expires]", &in_days(180)).await;
        app.axe("step 3 (paste)").await;
        app.shot("wizard-3-paste").await;
        let before = app::fake().request_count();
        app.click_button("Check it").await;

        app.wait_step(4).await;
        let verdict = app.verdict().await;
        assert!(app::fake().request_count() > before, "the check went to the fake Bitbucket");
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let facts = app.text("#verdict .facts").await;
        assert!(facts.contains("Repository access token"), "{facts}");
        assert!(facts.contains("repo_access_token"), "{facts}");
        assert!(facts.contains("Default branch\nmain"), "{facts}");
        app.assert_not_in_page(demo::SQAI_READY).await;
        app.axe("step 4 (check), passed").await;
        app.shot("wizard-4-check").await;

        app.click_button("Continue").await;
        app.wait_step(5).await;
        // The name Bitbucket's token got in step 2 is suggested.
        let name = "SQAI Suite (acme/website)";
        assert_eq!(app.value("input[name=name]").await, name);
        assert_eq!(app.value("input[name=expires]").await, in_days(180), "the expiry from step 3 is carried over");
        app.axe("step 5 (save)").await;
        app.shot("wizard-5-save").await;
        app.click_button("Save").await;
        app.wait_for("#saved").await;
        app.wait_gone("#step .actions").await;
        app.axe("step 5 (saved)").await;
        app.shot("wizard-5-saved").await;

        let record = app.record(name).expect("the connection is in the config file");
        assert_eq!(record["workspace"], "acme");
        assert_eq!(record["repository"], "website");
        assert_eq!(record["base_branch"], "main");
        assert_eq!(record["kind"], "repository_token");
        assert_eq!(record["expires"], json!(in_days(180)));
        let id = record["id"].as_str().expect("the record has an id");
        let secrets = keychain_secrets(id);
        assert_eq!(secrets.len(), 1, "one keychain item for the connection");
        assert!(secrets[0] == demo::SQAI_READY, "the keychain holds the token that was pasted");
        let leaks = app.files_containing(demo::SQAI_READY);
        assert!(leaks.is_empty(), "files written by the app contain the token: {leaks:?}");
        app.assert_not_in_page(demo::SQAI_READY).await;
    });
}

#[test]
fn autoheal_api_token_with_email_is_checked_and_saved() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        app.choose("autoheal", "acme", "api_token").await;
        // Autoheal recommends an API token; the comparison says who can create which.
        assert!(app.text("label.choice:has(input[value=api_token])").await.contains("Recommended"));
        app.click_button("Continue").await;
        app.wait_step(2).await;
        let guide = app.wait_text("#step", "read:repository:bitbucket").await;
        assert!(guide.contains("https://id.atlassian.com/manage-profile/security/api-tokens"), "{guide}");
        app.click_button("I have the token").await;

        app.wait_step(3).await;
        app.wait_for("input[name=email]").await;
        let verdict = app.paste_and_check(demo::API_TOKEN_AUTOHEAL, Some(demo::ADMIN_EMAIL)).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let facts = app.text("#verdict .facts").await;
        assert!(facts.contains("API token with scopes"), "{facts}");
        assert!(facts.contains(demo::ADMIN_DISPLAY_NAME), "the account is shown: {facts}");

        let record = app.save_as("Autoheal (acme)").await;
        assert_eq!(record["kind"], "api_token");
        assert_eq!(record["email"], demo::ADMIN_EMAIL);
        assert_eq!(record["preset"], "autoheal");
        let secrets = keychain_secrets(record["id"].as_str().unwrap());
        assert!(secrets.len() == 1 && secrets[0] == demo::API_TOKEN_AUTOHEAL, "the API token is in the keychain");
        let leaks = app.files_containing(demo::API_TOKEN_AUTOHEAL);
        assert!(leaks.is_empty(), "files written by the app contain the token: {leaks:?}");
    });
}

/// The least helpful Bitbucket that is still plausible (repository tokens refused on the
/// workspace with a scope they cannot have, platform scopes unlisted, only the highest scope
/// levels listed): SQAI's recommended path still passes, and the support details copy
/// everything Bitbucket said but neither the token nor the email.
#[test]
fn sqai_and_autoheal_pass_in_the_strictest_bitbucket_and_support_details_hold_no_secret() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app::fake().set_behaviour(fake_bitbucket::Behaviour::strictest());

        app.to_paste("sqai", SQAI_LOCATION, "repository_token").await;
        let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        assert!(!verdict.contains("Account"), "no scope a repository token cannot have: {verdict}");
        assert!(app.text("#verdict .facts").await.contains("Default branch\nmain"));
        app.click("#verdict button[data-action=support]").await;
        app.click("#verdict .support-details summary").await;
        let copied = app.wait_text("#verdict .support-text", "details for support").await;
        assert!(copied.contains("GET /repositories/acme/website (reach): HTTP 200"), "{copied}");
        assert!(copied.contains("x-oauth-scopes: pullrequest:write"), "{copied}");
        assert!(copied.contains("Verdict: ready"), "{copied}");
        assert!(!copied.contains(demo::SQAI_READY), "{copied}");
        app.axe("step 4 (check) with support details").await;
        app.shot("wizard-4-check-support-details").await;

        app.reload().await;
        app::fake().set_behaviour(fake_bitbucket::Behaviour::strictest());
        app.to_paste("autoheal", "acme/website", "api_token").await;
        let verdict = app.paste_and_check(demo::API_TOKEN_AUTOHEAL, Some(demo::ADMIN_EMAIL)).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        assert!(verdict.contains("Make sure you ticked them"), "the unlisted platform scopes are a warning: {verdict}");
        app.click("#verdict button[data-action=support]").await;
        app.click("#verdict .support-details summary").await;
        let copied = app.wait_text("#verdict .support-text", "details for support").await;
        assert!(copied.contains("x-credential-type: api_token"), "{copied}");
        assert!(!copied.to_lowercase().contains(demo::ADMIN_EMAIL), "{copied}");
        assert!(!copied.contains(demo::ADMIN_DISPLAY_NAME), "{copied}");
        assert!(!copied.contains(demo::API_TOKEN_AUTOHEAL), "{copied}");
    });
}

#[test]
fn missing_scopes_are_named_in_bitbucket_words_with_the_page_to_fix_them() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app.to_paste("sqai", SQAI_LOCATION, "repository_token").await;
        let verdict = app.paste_and_check(demo::READ_ONLY, None).await;
        assert!(verdict.contains("Not ready yet"), "{verdict}");
        let missing = app.text("#missing").await;
        assert!(missing.contains("Repositories: Write"), "{missing}");
        assert!(missing.contains("Pull requests: Write"), "{missing}");
        assert!(!missing.contains("Repositories: Read"), "a held scope is not listed as missing: {missing}");
        assert!(verdict.contains("Scopes cannot be added"), "says why a new token is needed: {verdict}");
        // The button that opens the creation page again (not pressed: no browser in tests).
        let reopen = app.wait_for("#reopen-page").await;
        assert_eq!(reopen.text().await.unwrap(), "Open the Bitbucket page again");
        assert!(!app.client.find(fantoccini::Locator::Css("#step button[type=submit]")).await.unwrap().is_enabled().await.unwrap(), "Continue is off");
        app.axe("step 4 (check), missing scopes").await;
        app.shot("wizard-4-check-missing-scopes").await;

        // A look at the saved connections and back: the same verdict, not a new paste.
        app.click("#tab-connections").await;
        app.wait_for("#connections h1").await;
        app.click("#tab-wizard").await;
        app.wait_step(4).await;
        assert!(app.verdict().await.contains("Not ready yet"));
        assert!(app.text("#missing").await.contains("Pull requests: Write"));

        // "Paste another token" goes back to an empty field.
        app.click_button("Paste another token").await;
        app.wait_step(3).await;
        assert_eq!(app.value("input[name=token]").await, "");
    });
}

#[test]
fn wrong_pastes_get_a_plain_message_before_any_check() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app.to_paste("sqai", SQAI_LOCATION, "repository_token").await;
        let before = app::fake().request_count();
        for (pasted, expected) in [
            (demo::API_TOKEN_AUTOHEAL, "This looks like an Atlassian API token, but you chose repository access token."),
            ("https://bitbucket.org/acme/website", "This looks like a web address, not a token."),
            ("admin@acme.example", "This looks like an email address, not a token."),
            (demo::APP_PASSWORD, "This is an app password. App passwords stopped working on 2026-07-28"),
            ("ATCTT3xFfGN0 abc def", "The token has spaces or line breaks inside it."),
        ] {
            app.paste_token(pasted).await;
            // Shown as it is pasted …
            app.wait_text("#step .field:has(input[name=token]) .error", expected).await;
            // … and "Check it" does not send it anywhere.
            app.click_button("Check it").await;
            app.wait_js("the token field marked invalid", "document.querySelector('input[name=token]').getAttribute('aria-invalid') === 'true'").await;
            assert_eq!(app.step().await, 3, "still on the paste step after {expected:?}");
        }
        app.axe("step 3 (paste) with a wrong paste").await;
        app.shot("wizard-3-paste-wrong").await;

        // Nothing pasted at all.
        app.paste_token("").await;
        app.click_button("Check it").await;
        app.wait_text("#step .field:has(input[name=token]) .error", "Paste the token you copied from Bitbucket.").await;

        // An API token needs the account email; an access token pasted there is caught too.
        app.click_button("Back").await;
        app.wait_step(2).await;
        app.click_button("Back").await;
        app.wait_step(1).await;
        // SQAI takes no API token: Autoheal does.
        app.click("label.choice:has(input[name=preset][value=autoheal])").await;
        app.click("label.choice:has(input[name=kind][value=api_token])").await;
        app.click_button("Continue").await;
        app.wait_step(2).await;
        app.click_button("I have the token").await;
        app.wait_step(3).await;
        app.paste_token(demo::SQAI_READY).await;
        app.wait_text("#step .field:has(input[name=token]) .error", "This looks like an access token (repository, project or workspace), but you chose API token with scopes.").await;
        app.paste_token(demo::API_TOKEN_AUTOHEAL).await;
        app.fill("input[name=email]", "not-an-email").await;
        app.click_button("Check it").await;
        app.wait_text("#step .field:has(input[name=email]) .error", "That is not an email address.").await;
        app.fill("input[name=email]", "").await;
        app.click_button("Check it").await;
        app.wait_text("#step .field:has(input[name=email]) .error", "Enter your Atlassian account email").await;
        app.axe("step 3 (paste) with a missing email").await;
        assert_eq!(app.step().await, 3);
        assert_eq!(app::fake().request_count(), before, "no wrong paste reached Bitbucket");
    });
}

#[test]
fn step_one_says_what_is_missing_or_wrong() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app.click_button("Continue").await;
        let problems = app.wait_text("#step .form-error", "Choose the tool you are connecting.").await;
        assert!(problems.contains("Give a Bitbucket address that the assistant understands."), "{problems}");
        app.wait_text("#step .field:has(input[name=location]) .error", "Paste the address of the repository (or workspace) in Bitbucket.").await;
        app.axe("step 1 with every field missing").await;

        app.fill("input[name=location]", "https://github.com/acme/website").await;
        app.wait_text("#step .field:has(input[name=location]) .error", "That is a GitHub address (github.com).").await;
        app.fill("input[name=location]", "acme website").await;
        app.wait_text("#step .field:has(input[name=location]) .error", "If you meant a workspace and a repository, write \"acme/website\".").await;

        // SQAI works on one repository: a workspace alone is not enough.
        app.choose("sqai", "acme", "repository_token").await;
        app.click_button("Continue").await;
        app.wait_text("#step .field:has(input[name=location]) .error", "SQAI Suite works on one repository: paste the repository's address, not only the workspace.").await;
        assert_eq!(app.step().await, 1);

        // Custom needs its scopes.
        app.click("label.choice:has(input[name=preset][value=custom])").await;
        app.fill("input[name=location]", "acme/website").await;
        app.wait_text(".understood", "acme/website").await;
        app.click_button("Continue").await;
        app.wait_text("#step .field:has(textarea[name=scopes]) .error", "List at least one scope.").await;
        app.axe("step 1 with a custom list missing").await;
        assert_eq!(app.step().await, 1);
    });
}

#[test]
fn revoked_or_expired_token_gets_a_plain_message() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app.to_paste("sqai", SQAI_LOCATION, "repository_token").await;
        let verdict = app.paste_and_check(demo::REVOKED_TOKEN, None).await;
        assert!(verdict.contains("Not ready yet"), "{verdict}");
        assert!(verdict.contains("Bitbucket rejected this repository access token. It may be mistyped, revoked or expired."), "{verdict}");
        assert!(verdict.contains("create a new one: Repository settings > Security > Access tokens"), "{verdict}");
        app.wait_for("#reopen-page").await;
        app.assert_not_in_page(demo::REVOKED_TOKEN).await;
        app.axe("step 4 (check), rejected token").await;

        app.click_button("Paste another token").await;
        let verdict = app.paste_and_check(demo::EXPIRED_TOKEN, None).await;
        assert!(verdict.contains("revoked or expired"), "{verdict}");
    });
}

#[test]
fn unreachable_bitbucket_gets_a_plain_message() {
    block_on(async {
        let Some(app) = app(Setup::OFFLINE).await else { return };
        app.to_paste("sqai", SQAI_LOCATION, "repository_token").await;
        // Said before anything is pasted: the window tried the connection on step 2.
        let notice = app.wait_text("#network-notice", "refused the connection").await;
        assert!(notice.contains("127.0.0.1"), "{notice}");
        let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
        assert!(verdict.contains("Not ready yet"), "{verdict}");
        assert!(verdict.contains("Could not reach Bitbucket at 127.0.0.1"), "{verdict}");
        assert!(verdict.contains("refused the connection"), "{verdict}");
        assert!(app.client.find(fantoccini::Locator::Css("#reopen-page")).await.is_err(), "no creation page is offered for a network problem");
        app.assert_not_in_page(demo::SQAI_READY).await;
        app.axe("step 4 (check), network failure").await;
    });
}

#[test]
fn no_network_is_said_before_anything_is_pasted() {
    block_on(async {
        let Some(app) = app(Setup::NO_DNS).await else { return };
        app.choose("sqai", SQAI_LOCATION, "repository_token").await;
        app.click_button("Continue").await;
        app.wait_step(2).await;
        let notice = app.wait_text("#network-notice", "seems to be offline").await;
        assert!(notice.contains("cannot look up bitbucket.invalid"), "{notice}");
        assert!(notice.contains("connect to the network or VPN"), "{notice}");
        assert_eq!(notice.matches(". ").count(), 0, "one sentence: {notice}");
        app.axe("step 2, offline notice").await;
        app.shot("wizard-2-offline").await;
    });
}

#[test]
fn the_connection_to_bitbucket_is_opened_while_the_token_is_made() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        let before = app::fake().requests().len();
        app.to_paste("sqai", SQAI_LOCATION, "repository_token").await;
        // The window asked the API with no credential while the person was on Bitbucket's page.
        let mut opened = false;
        for _ in 0..100 {
            let requests = app::fake().requests();
            if requests[before..].iter().any(|r| r.method == "GET" && r.path.starts_with("/2.0") && r.auth.is_none()) {
                opened = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(opened, "no pre-connect reached the fake: {:?}", &app::fake().requests()[before..]);
        assert!(app.client.find(fantoccini::Locator::Css("#network-notice:not([hidden])")).await.is_err(), "no network notice when Bitbucket answers");
        let preconnects = app::fake().requests().len();
        let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let check = app::fake().requests();
        assert!(check[preconnects..].iter().all(|r| r.auth.is_some()), "the check's requests carry the token: {:?}", &check[preconnects..]);
    });
}

#[test]
fn back_and_forward_keep_the_inputs_but_never_the_token() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app.to_paste("autoheal", "https://bitbucket.org/acme/website/src/main/", "api_token").await;
        app.fill("input[name=email]", demo::ADMIN_EMAIL).await;
        app.set_value("input[name=expires]", &in_days(90)).await;
        // Back before checking: what was typed stays.
        app.click_button("Back").await;
        app.wait_step(2).await;
        app.click_button("I have the token").await;
        app.wait_step(3).await;
        assert_eq!(app.value("input[name=email]").await, demo::ADMIN_EMAIL);
        assert_eq!(app.value("input[name=expires]").await, in_days(90));

        let verdict = app.paste_and_check(demo::API_TOKEN_AUTOHEAL, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let requests = app::fake().request_count();

        // Back to step 1: everything is still chosen and typed; the token field is empty.
        app.click_button("Back").await;
        app.wait_step(3).await;
        assert_eq!(app.value("input[name=token]").await, "", "the token field is not refilled after a check");
        assert_eq!(app.value("input[name=email]").await, demo::ADMIN_EMAIL);
        assert_eq!(app.value("input[name=expires]").await, in_days(90));
        let placeholder = app.js("return document.querySelector('input[name=token]').placeholder").await;
        assert_eq!(placeholder, json!("Already checked — paste again to replace it"));
        app.click_button("Back").await;
        app.wait_step(2).await;
        app.click_button("Back").await;
        app.wait_step(1).await;
        assert_eq!(app.value("input[name=location]").await, "https://bitbucket.org/acme/website/src/main/");
        app.wait_text(".understood", "acme/website").await;
        let checked = app
            .js("return [document.querySelector('input[name=preset]:checked')?.value, document.querySelector('input[name=kind]:checked')?.value]")
            .await;
        assert_eq!(checked, json!(["autoheal", "api_token"]));

        // Forward again without pasting: the earlier verdict is shown, nothing is re-sent.
        app.click_button("Continue").await;
        app.wait_step(2).await;
        app.click_button("I have the token").await;
        app.wait_step(3).await;
        app.click_button("Check it").await;
        app.wait_step(4).await;
        assert!(app.verdict().await.contains("Ready to use"));
        assert_eq!(app::fake().request_count(), requests, "the check is not redone");
        app.assert_not_in_page(demo::API_TOKEN_AUTOHEAL).await;

        // Changing what the check depended on (the email) makes it stale: paste again.
        app.click_button("Back").await;
        app.wait_step(3).await;
        app.fill("input[name=email]", demo::READER_EMAIL).await;
        app.click_button("Check it").await;
        app.wait_text("#step .field:has(input[name=token]) .error", "Paste the token you copied from Bitbucket.").await;
        assert_eq!(app.step().await, 3);
    });
}

#[test]
fn enter_submits_a_step_and_escape_goes_back() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        app.choose("sqai", SQAI_LOCATION, "repository_token").await;
        // Enter in a text field.
        app.click("input[name=location]").await;
        app.press(Key::Enter).await;
        app.wait_step(2).await;
        // Enter with the focus on the step's heading (where it lands on each step).
        app.wait_for("#open-page").await;
        assert_eq!(app.js("return document.activeElement.tagName").await, json!("H1"));
        app.press(Key::Enter).await;
        app.wait_step(3).await;
        app.paste_token(demo::SQAI_READY).await;
        app.press(Key::Enter).await;
        app.wait_step(4).await;
        assert!(app.verdict().await.contains("Ready to use"));
        app.press(Key::Enter).await;
        app.wait_step(5).await;

        // Escape goes back, one step at a time, down to step 1 (and no further).
        for step in [4, 3, 2, 1, 1] {
            app.press(Key::Escape).await;
            app.wait_step(step).await;
        }
        assert_eq!(app.value("input[name=location]").await, SQAI_LOCATION);

        // Escape during a slow check cancels it; nothing is kept.
        app.press(Key::Enter).await;
        app.wait_step(2).await;
        app.press(Key::Enter).await;
        app.wait_step(3).await;
        app::fake().set_fault(Fault::Latency(std::time::Duration::from_secs(30)));
        app.paste_token(demo::SQAI_READY).await;
        app.press(Key::Enter).await;
        app.wait_for("#cancel-check").await;
        app.press(Key::Escape).await;
        app.wait_text("#step", "Check cancelled. Nothing was saved.").await;
        app::fake().clear_faults();
        app.press(Key::Escape).await;
        app.wait_step(3).await;
        assert_eq!(app.value("input[name=token]").await, "");
    });
}

#[test]
fn open_page_refuses_anything_but_https_bitbucket_and_atlassian_id() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        for (url, expected) in [
            ("https://example.com/", "The app opens only pages on bitbucket.org and id.atlassian.com."),
            ("https://bitbucket.org.evil.example/acme", "The app opens only pages on bitbucket.org and id.atlassian.com."),
            ("https://api.bitbucket.org/2.0/user", "The app opens only pages on bitbucket.org and id.atlassian.com."),
            ("http://bitbucket.org/acme/website", "The app opens only secure (https) pages."),
            ("file:///etc/passwd", "The app opens only secure (https) pages."),
            ("javascript:alert(1)", "The app opens only secure (https) pages."),
            ("https://user:pw@bitbucket.org/", "That address contains a user name or password"),
        ] {
            let out = app
                .js_async(&format!(
                    "window.__TAURI__.core.invoke('open_page', {{ url: {} }}).then(() => done({{ opened: true }}), (e) => done({{ opened: false, error: e }}));",
                    serde_json::to_string(url).unwrap()
                ))
                .await;
            assert_eq!(out["opened"], json!(false), "{url} must be refused: {out}");
            let message = out["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(expected), "{url}: {message}");
        }
    });
}

#[test]
fn the_page_runs_no_inline_script_but_the_tests_can_inject_axe() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        // The CSP (script-src 'self') stops a script element with inline code …
        let out = app
            .js_async(
                r#"document.addEventListener("securitypolicyviolation", (e) => done({ blocked: e.violatedDirective }), { once: true });
                const s = document.createElement("script");
                s.textContent = "window.__inlineRan = true";
                document.head.append(s);
                setTimeout(() => done({ ran: window.__inlineRan === true }), 2000);"#,
            )
            .await;
        assert!(out["blocked"].as_str().is_some_and(|d| d.starts_with("script-src")), "inline script not blocked: {out}");
        assert_eq!(app.js("return window.__inlineRan === true").await, json!(false));
        // … while WebDriver's script execution works, so axe-core runs, and it finds a planted
        // problem (the check can fail).
        app.js("const i = document.createElement('img'); i.id = 'planted'; i.src = 'logo.svg'; document.getElementById('step').append(i); return true;").await;
        let violations = app.axe_violations("a page with an image without alt text").await;
        assert!(violations.iter().any(|v| v["id"] == "image-alt"), "axe-core did not see the planted problem: {violations:?}");
    });
}

#[test]
fn every_step_passes_axe_in_dark_mode() {
    block_on(async {
        let Some(app) = app(Setup::DARK).await else { return };
        assert_eq!(app.js("return matchMedia('(prefers-color-scheme: dark)').matches").await, json!(true));
        app.axe("step 1 (choose)").await;
        app.choose("sqai", SQAI_LOCATION, "repository_token").await;
        app.axe("step 1 (choose), filled in").await;
        app.click_button("Continue").await;
        app.wait_for("#open-page").await;
        app.axe("step 2 (create)").await;
        app.click_button("I have the token").await;
        app.wait_step(3).await;
        app.paste_token(demo::API_TOKEN_AUTOHEAL).await;
        app.wait_text("#step .field:has(input[name=token]) .error", "you chose repository access token").await;
        app.axe("step 3 (paste) with an error").await;
        let verdict = app.paste_and_check(demo::READ_ONLY, None).await;
        assert!(verdict.contains("Not ready yet"));
        app.axe("step 4 (check), missing scopes").await;
        app.shot("wizard-dark-check-missing-scopes").await;
        app.click_button("Paste another token").await;
        let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
        assert!(verdict.contains("Ready to use"));
        app.axe("step 4 (check), passed").await;
        app.click_button("Continue").await;
        app.wait_step(5).await;
        app.axe("step 5 (save)").await;
    });
}

#[test]
fn nothing_overflows_sideways_at_the_smallest_window_size() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        // tauri.conf.json: minWidth 720, minHeight 560.
        app.client.set_window_size(720, 560).await.expect("resize the window");
        app.wait_js("the window to be 720 wide", "window.innerWidth === 720").await;
        const OVERFLOW: &str = "(() => {
            const w = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
              .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > w + 0.5)
              .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className);
            return { scroll: document.documentElement.scrollWidth > w, wide };
          })()";
        let check = |what: &'static str| {
            let app = &app;
            async move {
                let out = app.js(&format!("return {OVERFLOW};")).await;
                assert_eq!(out, json!({"scroll": false, "wide": []}), "{what} overflows at 720x560");
            }
        };
        check("step 1").await;
        app.choose("sqai", SQAI_LOCATION, "repository_token").await;
        app.js("document.querySelector('details.compare').open = true; return true;").await;
        check("step 1 with the comparison open").await;
        app.click_button("Continue").await;
        app.wait_for("#open-page").await;
        check("step 2").await;
        app.click_button("I have the token").await;
        app.paste_token(demo::API_TOKEN_AUTOHEAL).await;
        app.js("document.querySelector('details.advanced').open = true; return true;").await;
        check("step 3 with an error").await;
        let verdict = app.paste_and_check(demo::READ_ONLY, None).await;
        assert!(verdict.contains("Not ready yet"));
        app.js("document.querySelector('details.granted').open = true; return true;").await;
        check("step 4, missing scopes").await;
        app.shot("wizard-small-window").await;
        app.click("#tab-connections").await;
        app.wait_for("#connections h1").await;
        check("the connections view").await;
        app.client.set_window_size(960, 720).await.expect("resize the window back");
        app.wait_js("the window to be 960 wide", "window.innerWidth === 960").await;
    });
}

/// Workspace and project access tokens, and a custom list of scopes, through the window: each
/// is checked for what it is, and a scope added to the list after a check is asked for again.
#[test]
fn workspace_project_and_custom_scope_tokens_are_checked() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        // Cubyts reads a whole workspace: a workspace access token.
        app.to_paste("cubyts", "https://bitbucket.org/acme", "workspace_token").await;
        let verdict = app.paste_and_check(demo::WORKSPACE_TOKEN, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let facts = app.text("#verdict .facts").await;
        assert!(facts.contains("Workspace access token"), "{facts}");
        assert!(facts.contains("Acme Corp"), "{facts}");

        // Our own scopes, with a project access token for the project that holds the repository.
        app.reload().await;
        app.wait_step(1).await;
        app.click("label.choice:has(input[name=preset][value=custom])").await;
        app.wait_js("the scopes field", "!document.querySelector('textarea[name=scopes]').closest('.field').hidden").await;
        app.fill("textarea[name=scopes]", "repository, read:pullrequest:bitbucket").await;
        app.fill("input[name=location]", "https://bitbucket.org/acme/website").await;
        app.wait_text(".understood", "Understood").await;
        app.click("label.choice:has(input[name=kind][value=project_token])").await;
        app.click_button("Continue").await;
        app.wait_step(2).await;
        // The checklist arrives from Rust after the step is drawn: wait for it.
        app.wait_for("#open-page").await;
        let guide = app.text("#step").await;
        assert!(guide.contains("Pull requests: Read"), "the checklist names the custom scopes: {guide}");
        app.click_button("I have the token").await;
        let verdict = app.paste_and_check(demo::PROJECT_TOKEN, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        assert!(app.text("#verdict .facts").await.contains("Project access token"));

        // One more scope: the check is stale, the token is not kept, and the new check names
        // the scope the token lacks.
        app.click_button("Back").await;
        app.wait_step(3).await;
        app.click_button("Back").await;
        app.wait_step(2).await;
        app.click_button("Back").await;
        app.wait_step(1).await;
        app.fill("textarea[name=scopes]", "repository, pullrequest:write").await;
        app.click_button("Continue").await;
        app.wait_step(2).await;
        app.click_button("I have the token").await;
        app.wait_step(3).await;
        assert_eq!(app.value("input[name=token]").await, "", "the token is asked for again");
        let verdict = app.paste_and_check(demo::PROJECT_TOKEN, None).await;
        assert!(verdict.contains("Not ready yet"), "{verdict}");
        assert!(verdict.contains("Pull requests: Write"), "{verdict}");
    });
}

/// The app starts WebKit on its legacy renderer (see window/src/renderer.rs): the window's web
/// process was started with WEBKIT_DISABLE_DMABUF_RENDERER=1, which the test did not set.
#[test]
fn the_window_starts_on_webkits_legacy_renderer() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        let seen = app.web_process_env(support::DMABUF_VAR);
        assert_eq!(seen, vec![Some("1".to_string())], "the renderer variable each web process started with");
    });
}

#[test]
fn a_git_connection_is_offered_to_git_and_git_reaches_the_repository() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        app.to_paste("git", SQAI_LOCATION, "repository_token").await;
        let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let name = format!("git {}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        app.save_as(&name).await;
        // The step shows the exact lines before it changes anything.
        app.wait_for("#git-use").await;
        let section = format!("credential.{}", app::git_server().url());
        let shown = app.text("#git-commands").await;
        assert!(shown.contains(&format!("--add {section}.helper")) && shown.contains(&format!("{section}.useHttpPath true")), "{shown}");
        app.axe("the git step").await;
        app.click("#git-use").await;
        app.wait_for("#git-reach").await;
        let reach = app.text("#git-reach").await;
        assert!(reach.starts_with("git reached acme/website with the saved token (default branch main)"), "{reach}");
        app.js("document.getElementById('git-reach').scrollIntoView({ block: 'end' }); return true;").await;
        app.shot("wizard-6-git").await;
        let config = std::fs::read_to_string(app.home.join(".gitconfig")).expect("git's configuration in the app's HOME");
        assert!(config.contains("git-credential") && config.contains(&app::git_server().url()), "{config}");
        assert!(app.files_containing(demo::SQAI_READY).is_empty(), "the token is in a file: {:?}", app.files_containing(demo::SQAI_READY));
        // Taken back, for the next test in this window.
        let undo = std::process::Command::new("git")
            .args(["config", "--global", "--remove-section", &format!("credential.{}", app::git_server().url())])
            .env("HOME", &app.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(undo.status.success());
    });
}
