//! "Replace token" in the real window, and the summary of where the new token went (issue 25):
//! a connection saved through the wizard, two files saved from its export page (a copy sheet
//! holding the token, a .env file without it), the .env file edited by hand, then the token
//! replaced. The copy sheet must be written again with the new token and listed as written
//! again; the edited file must be listed as left as it is, byte for byte as the user left it;
//! SQAI Suite must be listed as still to paste by hand, naming the copy sheet. The summary
//! must be reachable by keyboard, pass axe-core in light and dark mode, name no command to
//! type, and the page must hold neither token.
//!
//! `scripts/test.sh --test e2e_replace`; see tests/e2e_wizard.rs for how the window runs.

mod support;

use std::path::Path;

use fake_bitbucket::{demo, FakeToken};
use fantoccini::key::Key;
use serde_json::{json, Value};
use support::app::{self, block_on, keychain_secrets, App, Setup};
use support::run_cli;

/// A repository access token for acme/website with SQAI Suite's scopes that only this test
/// uses. Looks like a real one.
fn own_token(tag: &str) -> String {
    let secret = format!("ATCTT3xFfGN0e2e{tag}{}", uuid::Uuid::new_v4().simple());
    app::fake().add_token(FakeToken::repository(
        &secret,
        demo::WORKSPACE,
        demo::REPO_WEBSITE,
        &["repository:write", "pullrequest:write"],
    ));
    secret
}

fn card(name: &str) -> String {
    format!("article.connection[data-name={}]", serde_json::to_string(name).unwrap())
}

/// On the export page: picks `format`, ticks or unticks "Include the token in the file" and
/// presses "Save file…" (which saves into the window's export folder); waits for the result.
async fn save_file(app: &App, format: &str, include_secret: bool, expect: &str) {
    app.set_value("select[name=format]", format).await;
    let checked = app.js("return document.querySelector('input[name=include_secret]').checked;").await;
    if checked != Value::Bool(include_secret) {
        app.click("input[name=include_secret]").await;
    }
    // The result of the save before says "Saved" too: wait for this one's.
    app.js("document.getElementById('export-result').replaceChildren(); return true;").await;
    app.click_button("Save file…").await;
    app.wait_text("#export-result", expect).await;
}

/// The summary's items of group `group` (`updated`, `left`, `by_hand`): each one's name, its
/// path as shown, and its whole text.
async fn items(app: &App, group: &str) -> Vec<(String, String, String)> {
    let found = app
        .js(&format!(
            "return [...document.querySelectorAll('#connections-delivered [data-group={group}] li')].map((li) =>
               [li.querySelector('strong').innerText, (li.querySelector('code') || {{ innerText: '' }}).innerText, li.innerText]);"
        ))
        .await;
    serde_json::from_value(found).expect("the items as strings")
}

/// Opens the saved connections and replaces the token of `name` with `new`; waits for the
/// summary.
async fn replace(app: &App, name: &str, new: &str) {
    app.click("#tab-connections").await;
    app.click(&format!("{} [data-action=replace]", card(name))).await;
    app.fill(&format!("{} input[name=token]", card(name)), new).await;
    app.click_button("Check and replace").await;
    app.wait_text("#connections-status", "Token replaced").await;
    app.wait_for("#connections-delivered").await;
}

/// Removes `name` through the window, so its keychain item goes too.
async fn remove(app: &App, name: &str) {
    app.click("#tab-connections").await;
    app.answer_removal(true);
    app.click(&format!("{} [data-action=remove]", card(name))).await;
    app.wait_gone(&card(name)).await;
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn replacing_a_token_says_what_was_written_again_left_as_it_is_and_left_to_paste() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::LIGHT).await else { return };
        let old = own_token("old");
        let name = "Acme website";
        app.to_paste("sqai", "https://bitbucket.org/acme/website", "repository_token").await;
        let verdict = app.paste_and_check(&old, None).await;
        assert!(verdict.contains("Ready to use"), "{verdict}");
        let id = app.save_as(name).await["id"].as_str().unwrap().to_string();

        // Two files from the export page: SQAI Suite's copy sheet with the token, a .env
        // file without it.
        app.click("#export-saved").await;
        app.wait_text("#export-title", "Export").await;
        save_file(&app, "sqai-sheet", true, "plain text").await;
        save_file(&app, "env", false, "The token is not in the file").await;
        let sheet = app.exports.join("acme-website.sqai.txt");
        let env = app.exports.join("acme-website.env");
        assert!(read(&sheet).contains(&old), "the copy sheet holds the token");
        assert!(!read(&env).contains(&old), "the .env file was saved without the token");
        // The user edits the .env file.
        let edited =
            format!("{}# the proxy for the build agents\nHTTPS_PROXY='http://proxy.acme.example:3128'\n", read(&env));
        std::fs::write(&env, &edited).unwrap();

        let new = own_token("new");
        replace(&app, name, &new).await;
        assert_eq!(keychain_secrets(&id), vec![new.clone()], "the new token is in the keychain");

        // Written again: the copy sheet, which now holds the new token.
        let sheet_path = sheet.display().to_string();
        let env_path = env.display().to_string();
        let updated = items(&app, "updated").await;
        assert_eq!(updated.len(), 1, "{updated:?}");
        assert_eq!((updated[0].0.as_str(), updated[0].1.as_str()), ("acme-website.sqai.txt", sheet_path.as_str()));
        assert!(updated[0].2.contains("Now holds the new token."), "{}", updated[0].2);
        let on_disk = read(&sheet);
        assert!(on_disk.contains(&new) && !on_disk.contains(&old), "the copy sheet on disk:\n{on_disk}");

        // Left as it is: the edited file, exactly as the user left it.
        let left = items(&app, "left").await;
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!((left[0].0.as_str(), left[0].1.as_str()), ("acme-website.env", env_path.as_str()));
        assert!(left[0].2.contains("Changed after the app wrote it."), "{}", left[0].2);
        assert_eq!(std::fs::read(&env).unwrap(), edited.as_bytes(), "the edited file was changed");

        // Still to paste by hand: SQAI Suite's form, with the copy sheet named.
        let by_hand = items(&app, "by_hand").await;
        assert_eq!(by_hand.len(), 1, "{by_hand:?}");
        assert_eq!(by_hand[0].0, "SQAI Suite");
        assert!(by_hand[0].2.contains("paste the new token into its form"), "{}", by_hand[0].2);
        assert!(by_hand[0].2.contains(&format!("Copy sheet: {sheet_path}")), "{}", by_hand[0].2);
        let titles =
            app.js("return [...document.querySelectorAll('#connections-delivered h3')].map((t) => t.innerText);").await;
        assert_eq!(titles, json!(["Written again", "Left as it is", "Still to paste by hand"]));

        // The window's words: no command line to type, no flag (the paths aside: the test's
        // folder is named after the app).
        let summary = app.text("#connections-delivered").await;
        assert!(summary.starts_with(&format!("Token replaced for \u{201c}{name}\u{201d}")), "{summary}");
        let words = summary.replace(&sheet_path, "").replace(&env_path, "");
        for command in ["bitbucket-setup", " --", "`"] {
            assert!(!words.contains(command), "{command:?} in the summary:\n{summary}");
        }
        // Neither token in the page, its storage, or a file of the app.
        app.assert_not_in_page(&new).await;
        app.assert_not_in_page(&old).await;
        assert!(app.files_containing(&new).is_empty() && app.files_containing(&old).is_empty());
        app.axe("the summary after a token replacement").await;
        // The picture shows the whole summary, scrolled up to it as a person would.
        app.js("const top = document.getElementById('connections-delivered').getBoundingClientRect().top; window.scrollBy(0, top - document.querySelector('.app-header').offsetHeight - 16); return true;").await;
        app.shot("connections-replaced").await;

        // The keyboard starts at the summary; Tab then Enter open the form's fields to copy.
        assert_eq!(app.js("return document.activeElement.id;").await, json!("delivered-title"));
        app.press(Key::Tab).await;
        assert_eq!(app.js("return document.activeElement.dataset.action || null;").await, json!("form-fields"));
        app.press(Key::Enter).await;
        app.wait_text("#export-title", name).await;
        app.wait_for("table.fields").await;

        remove(&app, name).await;
        assert!(keychain_secrets(&id).is_empty());
    });
}

/// The summary in dark mode passes axe-core (its colours are the stylesheet's variables).
/// The files are written with the command line here: what the window shows is the same.
#[test]
fn the_summary_passes_axe_in_dark_mode() {
    block_on(async {
        let Some(app) = app::with_keychain(Setup::DARK).await else { return };
        let old = own_token("dark");
        let name = "Acme website dark";
        let env = [("BITBUCKET_API_URL", app.api_url.as_str())];
        let cli = |args: &[&str], stdin: &str| {
            let out = run_cli(args, stdin, &env, &app.config);
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(out.status.success(), "bitbucket-setup {args:?} failed:\n{said}");
        };
        cli(
            &[
                "save",
                "--name",
                name,
                "--credential",
                "repository-token",
                "--workspace",
                "acme/website",
                "--preset",
                "sqai",
            ],
            &old,
        );
        let sheet = app.exports.join("dark.sqai.txt");
        let json = app.exports.join("dark.json");
        let (sheet_arg, json_arg) = (sheet.display().to_string(), json.display().to_string());
        cli(&["export", name, "--format", "sqai-sheet", "--include-secret", "--output", &sheet_arg], "");
        cli(&["export", name, "--format", "json", "--output", &json_arg], "");
        std::fs::write(&json, "{}\n").unwrap();
        app.reload().await;

        let new = own_token("darknew");
        replace(&app, name, &new).await;
        assert_eq!(items(&app, "updated").await.len(), 1);
        assert_eq!(items(&app, "left").await.len(), 1);
        assert_eq!(items(&app, "by_hand").await.len(), 1);
        app.axe("the summary after a token replacement").await;
        remove(&app, name).await;
    });
}
