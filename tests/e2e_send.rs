//! "Send to n8n" from the window's export page, end to end: the real window (started as a user
//! does, `bitbucket-setup` with no arguments), the fake Bitbucket for the check, the real
//! keychain, and a real n8n (2.39.10, from `scripts/consumers-setup.sh target/consumers`)
//! started by this test with its own SQLite in a throwaway folder.
//!
//! An n8n connection saved through the wizard is sent: n8n's "Bitbucket Access Token API"
//! credential is created, and n8n's own `export:credentials --decrypted` gives the token back;
//! sent again with the key field empty (the key kept in the keychain), it is updated. A bad
//! address, a key n8n refuses (401), a key without the credential scopes (403) and an n8n that
//! does not answer are each said plainly, and the key is never in the page's storage, its
//! markup once sent, or a file.
//!
//! `scripts/test.sh --test e2e_send`; see tests/e2e_wizard.rs for how the window runs. Under
//! CI=true a missing n8n, keychain or display fails the test.

mod support;

use fake_bitbucket::{demo, FakeToken};
use fantoccini::key::Key;
use serde_json::Value;
use support::app::{self, block_on, App, Setup};
use support::n8n::N8n;

/// An API token of this test's own with the n8n preset's scopes, added to the fake Bitbucket.
fn api_token() -> String {
    let token = format!(
        "ATATT3xFfGF0WinSend{}XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D03",
        uuid::Uuid::new_v4().simple()
    );
    let scopes = bitbucket_setup_core::presets::get(bitbucket_setup_core::presets::PresetId::N8n).api_token_scopes;
    app::fake().add_token(FakeToken::api(&token, demo::ADMIN_EMAIL, demo::WORKSPACE, scopes));
    token
}

/// The keychain account of the n8n API key kept for `url`.
fn key_account(url: &str) -> String {
    format!("n8n:{url}")
}

/// The credential id recorded for the connection `name` at `url`.
fn sent_id(app: &App, name: &str, url: &str) -> Option<String> {
    let record = app.record(name)?;
    record["sent"]
        .as_array()?
        .iter()
        .find(|s| s["to"] == "n8n" && s["url"] == url)
        .and_then(|s| s["credential_id"].as_str().map(str::to_string))
}

/// Presses "Send to n8n" and waits for its outcome; returns the send section's text.
async fn send(app: &App, expect: &str) -> String {
    app.click_button("Send to n8n").await;
    app.wait_js("the send to end", "!document.getElementById('send-n8n-button').disabled && !document.getElementById('send-n8n-form').hasAttribute('aria-busy')").await;
    app.wait_text("#send-n8n", expect).await
}

/// Whether the page marks the field `name` as wrong, and the message shown under it.
async fn field_error(app: &App, name: &str) -> (bool, String) {
    let out = app
        .js(&format!(
            "const i = document.querySelector('input[name={name}]'); const e = document.getElementById(i.id + '-error');
             return [i.getAttribute('aria-invalid') === 'true', e.hidden ? '' : e.innerText];"
        ))
        .await;
    (out[0] == Value::Bool(true), out[1].as_str().unwrap_or_default().to_string())
}

#[test]
fn send_to_n8n_from_the_export_page_creates_then_updates_and_says_what_went_wrong() {
    // n8n is started outside the window's runtime (it has its own, and takes longer than one
    // window test may).
    let Some(n8n) = N8n::start() else { return };
    let (full, narrow) = n8n.owner_and_keys();
    let url = n8n.url();
    let token = api_token();
    // Alone in its window's throwaway config folder: a plain name, as the README's screenshot shows it.
    let name = "Acme workflows".to_string();

    // Saved through the wizard, sent from its export page: created.
    let first = block_on(async {
        let app = app::with_keychain(Setup::LIGHT).await?;
        app.to_paste("n8n", demo::WORKSPACE, "api_token").await;
        let verdict = app.paste_and_check(&token, Some(demo::ADMIN_EMAIL)).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        app.save_as(&name).await;
        app.click("#export-saved").await;
        app.wait_text("#export-title", "Export").await;
        app.wait_for("#send-n8n").await;

        // Every field labelled, the key hidden as typed, and where to create one in n8n.
        let labels = app.js("return [...document.querySelectorAll('#send-n8n input')].map((i) => [i.name, i.type, i.labels.length ? i.labels[0].innerText : '']);").await;
        assert_eq!(
            labels,
            serde_json::json!([["n8n_url", "url", "n8n address"], ["n8n_key", "password", "n8n API key"]])
        );
        let section = app.text("#send-n8n").await;
        assert!(section.contains("https://n8n.example.com"), "an example address: {section}");
        assert!(
            section.contains("Settings → n8n API → Create an API key")
                && section.contains("credential:create and credential:update"),
            "{section}"
        );

        // An address that is not one: said under the address field, nothing sent.
        app.fill("input[name=n8n_url]", "n8n.example.com").await;
        send(&app, "Not sent").await;
        let (invalid, said) = field_error(&app, "n8n_url").await;
        assert!(invalid && said.contains("not a web address such as https://n8n.example.com"), "{said}");

        // The address and the key, sent with the keyboard (Enter in the key field).
        app.fill("input[name=n8n_url]", &url).await;
        assert_eq!(field_error(&app, "n8n_url").await, (false, String::new()), "typing clears the message");
        app.set_value("input[name=n8n_key]", &full).await;
        app.js("document.querySelector('input[name=n8n_key]').focus(); return true;").await;
        app.press(Key::Enter).await;
        let said = app.wait_text("#send-n8n-result", "Created").await;
        let id = sent_id(&app, &name, &url).expect("the credential's id is recorded with the connection");
        assert!(said.contains(&format!("Created the n8n credential “{name}” (id {id}) at {url}.")), "{said}");
        assert!(said.contains(&format!("The API key is now kept in your keychain for {url}")), "{said}");
        assert_eq!(app.js("return document.getElementById('send-n8n-done').dataset.action;").await, "created");
        assert_eq!(app.value("input[name=n8n_key]").await, "", "the key field is emptied once sent");
        assert_eq!(
            support::keychain::secrets(&key_account(&url)),
            vec![full.clone()],
            "the key is kept in the keychain"
        );
        app.wait_text("#send-n8n", "A key is kept in your keychain").await;
        app.assert_not_in_page(&full).await;
        app.assert_not_in_page(&token).await;

        app.axe("the send to n8n section").await;
        app.js("document.getElementById('send-n8n').scrollIntoView({ block: 'start' }); return true;").await;
        app.shot("screenshot-send-n8n").await;
        Some(id)
    });
    let Some(id) = first else { return };

    // n8n itself gives the credential back, decrypted: this connection's email and token.
    let exported = n8n.export_decrypted();
    let ours: Vec<&Value> = exported.iter().filter(|c| c["id"] == id.as_str()).collect();
    assert_eq!(ours.len(), 1, "{exported:?}");
    assert_eq!(
        (ours[0]["name"].as_str(), ours[0]["type"].as_str()),
        (Some(name.as_str()), Some("bitbucketAccessTokenApi"))
    );
    assert_eq!(ours[0]["data"]["email"], demo::ADMIN_EMAIL);
    assert_eq!(ours[0]["data"]["accessToken"], token.as_str());

    // From the saved connections again: the address is filled in, the key may stay empty.
    block_on(async {
        let app = app::with_keychain(Setup::LIGHT).await.expect("the window, as before");
        app.click("#tab-connections").await;
        let card = format!("article.connection[data-name={}]", serde_json::to_string(&name).unwrap());
        app.click(&format!("{card} button[data-action=export]")).await;
        app.wait_for("#send-n8n").await;
        assert_eq!(app.value("input[name=n8n_url]").await, url, "the address it was sent to");
        app.wait_text("#send-n8n", &format!("A key is kept in your keychain for {url}: leave this field empty")).await;
        assert!(app.text("#send-n8n-before").await.contains(&format!("(n8n credential id {id})")));
        let said = send(&app, "Updated").await;
        assert!(said.contains(&format!("Updated the n8n credential “{name}” (id {id}) at {url}")), "{said}");
        assert!(said.contains("Sent with the API key kept in your keychain"), "{said}");
        assert_eq!(app.js("return document.getElementById('send-n8n-done').dataset.action;").await, "updated");
        assert_eq!(sent_id(&app, &name, &url).as_deref(), Some(id.as_str()), "the same credential");

        // A key n8n does not know: n8n says 401, the window says it plainly under the key field,
        // and the kept key stays.
        let wrong = format!("n8n_api_not-a-key-{}", uuid::Uuid::new_v4().simple());
        app.set_value("input[name=n8n_key]", &wrong).await;
        send(&app, "Not sent").await;
        let (invalid, said) = field_error(&app, "n8n_key").await;
        assert!(invalid, "the key field is marked");
        assert!(said.contains(&format!("n8n at {url} did not accept the API key (HTTP 401)")), "{said}");
        assert!(said.contains("Paste the new key in the API key field"), "{said}");
        assert!(!said.contains(&wrong) && !said.contains("N8N_API_KEY") && !said.contains("--"), "{said}");
        assert_eq!(
            app.js("return document.activeElement && document.activeElement.name;").await,
            "n8n_key",
            "the focus is on the field to fix"
        );
        assert_eq!(support::keychain::secrets(&key_account(&url)), vec![full.clone()], "a refused key is not kept");

        // A key without the credential scopes: 403, naming the scope.
        app.set_value("input[name=n8n_key]", &narrow).await;
        send(&app, "Not sent").await;
        let said = field_error(&app, "n8n_key").await.1;
        assert!(said.contains("(HTTP 403)") && said.contains("lacks the scope credential:update"), "{said}");

        // No n8n at the address: said in the section, not at a field.
        let closed = support::RefusedPort::new();
        app.fill("input[name=n8n_url]", &closed.url()).await;
        let said = send(&app, "Nothing answered").await;
        assert!(app.text("#send-n8n-error").await.contains("the connection was refused"), "{said}");
        assert_eq!(sent_id(&app, &name, &url).as_deref(), Some(id.as_str()), "nothing recorded by the failures");

        // The keys and the token: in no storage of the page, no markup, no file of the app's.
        app.assert_not_in_page(&full).await;
        app.assert_not_in_page(&token).await;
        let markup_and_storage = app
            .js("return document.documentElement.outerHTML + JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage)) + location.href;")
            .await;
        for secret in [&wrong, &narrow] {
            assert!(
                !markup_and_storage.as_str().unwrap().contains(secret.as_str()),
                "a refused key is in the page's markup or storage"
            );
        }
        for secret in [&full, &narrow, &wrong, &token] {
            let leaks = app.files_containing(secret);
            assert!(leaks.is_empty(), "a secret is in plain files: {leaks:?}");
        }
    });
    support::keychain::clear(&key_account(&url));
}
