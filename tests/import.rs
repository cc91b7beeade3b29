//! `bitbucket-setup import` (issue #6): our JSON and YAML exports and n8n credentials come
//! back as new connections, checked with Bitbucket (the fake) before anything is saved; a file
//! that holds only a reference asks for the token on standard input or BITBUCKET_TOKEN.
//!
//! Needs the OS keychain: run through scripts/test.sh (under CI=true a missing Secret Service
//! fails the tests instead of skipping them).

mod support;


use fake_bitbucket::demo;
use support::cli_session::{text, CliSession as Session};

/// The settings two connections must share after a round trip.
fn same_settings(a: &serde_json::Value, b: &serde_json::Value) {
    for k in ["preset", "kind", "workspace", "repository", "email", "base_branch", "expires", "description", "credential_type", "granted_scopes"] {
        assert_eq!(a[k], b[k], "{k} differs");
    }
    assert_ne!(a["id"], b["id"]);
}

#[test]
fn json_and_yaml_exports_round_trip_into_new_connections() {
    let Some(s) = Session::start() else { return };
    s.ok(
        &["save", "--name", "Acme Web", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai",
          "--description", "it's \"quoted\" $HOME\nline two", "--expires", "2099-01-31"],
        demo::SQAI_READY,
    );
    let original = s.connection("Acme Web").unwrap();
    for format in ["json", "yaml"] {
        let file = format!("web.{format}");
        s.ok(&["export", "Acme Web", "-f", format, "-o", &file], "");
        let copy = format!("Copy from {format}");
        // The file holds only a reference: the token comes from standard input.
        let out = s.ok(&["import", &file, "--name", &copy], demo::SQAI_READY);
        let err = text(&out.stderr);
        assert!(err.contains("holds a reference to the connection \"Acme Web\""), "{err}");
        assert!(text(&out.stdout).contains(&format!("Imported \"{copy}\"")), "{}", text(&out.stdout));
        same_settings(&original, &s.connection(&copy).unwrap());
        assert_eq!(s.token_of(&copy), demo::SQAI_READY);
    }
    // BITBUCKET_TOKEN works as well as standard input.
    let out = s.run_env(&["import", "web.json", "--name", "From env"], "", &[("BITBUCKET_TOKEN", demo::SQAI_READY)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Importing under a taken name is refused before anything is asked or sent.
    s.fake.reset_requests();
    let out = s.run(&["import", "web.json"], demo::SQAI_READY);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("A connection called \"Acme Web\" already exists"), "{}", text(&out.stderr));
    assert_eq!(s.fake.request_count(), 0);
    assert_eq!(s.connections().len(), 4);
    assert!(support::files_containing(s.config.path(), demo::SQAI_READY).is_empty());
}

#[test]
fn an_export_with_the_secret_imports_without_asking() {
    let Some(s) = Session::start() else { return };
    s.ok(&["save", "--name", "Autoheal prod", "--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme", "--preset", "autoheal"], demo::API_TOKEN_AUTOHEAL);
    s.ok(&["export", "Autoheal prod", "-f", "yaml", "-o", "secret.yaml", "--include-secret"], "");
    let out = s.ok(&["import", "secret.yaml", "--name", "Autoheal copy", "--json"], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["source"], "yaml");
    assert_eq!(v["imported"]["email"], demo::ADMIN_EMAIL);
    assert!(!text(&out.stdout).contains(demo::API_TOKEN_AUTOHEAL) && !text(&out.stderr).contains(demo::API_TOKEN_AUTOHEAL));
    assert_eq!(s.token_of("Autoheal copy"), demo::API_TOKEN_AUTOHEAL);
}

#[test]
fn n8n_credentials_import_with_a_workspace() {
    let Some(s) = Session::start() else { return };
    // As n8n export:credentials --decrypted writes it: an array, other credential types beside.
    let file = s.write(
        "n8n-export.json",
        &format!(
            r#"[{{"id": "1", "name": "GitHub", "type": "githubApi", "data": {{"accessToken": "gh-secret"}}}},
               {{"id": "2", "name": "Bitbucket (n8n)", "type": "bitbucketAccessTokenApi", "data": {{"email": "{}", "accessToken": "{}"}}}}]"#,
            demo::ADMIN_EMAIL,
            demo::API_TOKEN_AUTOHEAL
        ),
    );
    let out = s.run(&["import", &file], "");
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("Add --workspace WORKSPACE"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(demo::API_TOKEN_AUTOHEAL));
    // The n8n preset needs webhook scopes the Autoheal token lacks: the check says so and
    // nothing is saved.
    let out = s.run(&["import", &file, "--workspace", "acme"], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Nothing was imported"));
    assert!(s.connection("Bitbucket (n8n)").is_none());
    // Checked against what it is used for here, it passes.
    s.ok(&["import", &file, "--workspace", "https://bitbucket.org/acme/", "--preset", "autoheal"], "");
    let c = s.connection("Bitbucket (n8n)").unwrap();
    assert_eq!((c["kind"].as_str(), c["email"].as_str(), c["workspace"].as_str()), (Some("api_token"), Some(demo::ADMIN_EMAIL), Some("acme")));
    // And our own n8n export (reference only) comes back with the token from stdin.
    s.ok(&["export", "Bitbucket (n8n)", "-f", "n8n", "-o", "ours.n8n.json"], "");
    s.ok(&["import", "ours.n8n.json", "--name", "n8n again", "--preset", "autoheal", "--workspace", "acme"], demo::API_TOKEN_AUTOHEAL);
    assert_eq!(s.token_of("n8n again"), demo::API_TOKEN_AUTOHEAL);
}

#[test]
fn import_checks_before_it_saves() {
    let Some(s) = Session::start() else { return };
    s.ok(&["save", "--name", "Acme Web", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"], demo::SQAI_READY);
    s.ok(&["export", "Acme Web", "-f", "json", "-o", "web.json"], "");
    for (token, code, words) in [
        (demo::REVOKED_TOKEN, 2, "NOT READY (unauthorized)"),
        (demo::READ_ONLY, 1, "NOT READY (missing_scopes)"),
    ] {
        let out = s.run(&["import", "web.json", "--name", "Bad copy"], token);
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains(words), "{}", text(&out.stdout));
        assert!(text(&out.stderr).contains("Nothing was imported: the check did not pass."));
        assert!(s.connection("Bad copy").is_none());
        assert!(!text(&out.stdout).contains(token) && !text(&out.stderr).contains(token));
    }
    // The API address in the file is never used on its own (it would receive the token).
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(s.path("web.json")).unwrap()).unwrap();
    v["connection"]["api_url"] = serde_json::json!("https://collector.invalid/2.0");
    std::fs::write(s.path("evil.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    let out = s.ok(&["import", "evil.json", "--name", "Checked at the fake"], demo::SQAI_READY);
    assert!(text(&out.stderr).contains("names another API address (https://collector.invalid/2.0); it was not used"), "{}", text(&out.stderr));
}

#[test]
fn bad_files_get_plain_messages() {
    let Some(s) = Session::start() else { return };
    s.ok(&["save", "--name", "Acme Web", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"], demo::SQAI_READY);
    s.ok(&["export", "Acme Web", "-f", "sqai", "-o", "form.json"], "");
    let canary = "ATCTT3xFfGN0CANARYinBrokenFile";
    let cases: Vec<(String, &str)> = vec![
        ("missing.json".into(), "There is no file missing.json"),
        (s.write("broken.json", &format!("{{\"token\": \"{canary}\", oops")), "neither JSON nor YAML (the first problem is at line 1"),
        (s.write("notes.txt", "just some words"), "not a Bitbucket Setup Assistant export or an n8n Bitbucket credential"),
        (s.write("empty.json", "  \n"), "The file is empty"),
        ("form.json".into(), "This is a SQAI Suite form export"),
        (s.write("newer.json", "{\"schema\": \"bitbucket-setup/connection-export\", \"schema_version\": 9}"), "newer version of Bitbucket Setup Assistant"),
        (s.write("github.json", &format!("{{\"name\": \"GH\", \"type\": \"githubApi\", \"data\": {{\"accessToken\": \"{canary}\"}}}}")), "not Bitbucket's \"bitbucketAccessTokenApi\""),
        (s.write("encrypted.json", "{\"name\": \"BB\", \"type\": \"bitbucketApi\", \"data\": \"U2FsdGVkX1+abc\"}"), "export:credentials --decrypted"),
        (s.write("apppw.json", "{\"name\": \"BB\", \"type\": \"bitbucketApi\", \"data\": {\"username\": \"jdoe\", \"appPassword\": \"ATBBxyz\"}}"), "App passwords stopped working on 2026-07-28"),
        (s.write("odd.json", &format!("[{{\"id\": \"x\", \"name\": \"BB\", \"type\": \"bitbucketApi\", \"data\": {{\"oauthToken\": \"{canary}\"}}}}]")), "has the fields oauthToken"),
        (".".into(), "is a folder"),
    ];
    for (file, words) in cases {
        let out = s.run(&["import", &file], demo::SQAI_READY);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{file}: {err}");
        assert!(err.contains(words), "{file}: {err}");
        assert!(!err.contains(canary) && !text(&out.stdout).contains(canary), "{file}: the file's contents were repeated");
    }
    let out = s.run(&["import", "form.json", "--json"], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["problem"].as_str()), (Some(false), Some("bad_input")));
    assert_eq!(s.connections().len(), 1);
}
