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

#[test]
fn a_file_on_standard_input_takes_its_token_from_the_environment() {
    let Some(s) = Session::start() else { return };
    s.ok(&["save", "--name", "Acme Web", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"], demo::SQAI_READY);
    s.ok(&["export", "Acme Web", "-f", "json", "-o", "web.json"], "");
    let file = std::fs::read_to_string(s.path("web.json")).unwrap();
    // The file holds a reference and came on standard input: the token cannot come there too.
    s.fake.reset_requests();
    let out = s.run(&["import", "-", "--name", "From stdin"], &file);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(err.contains("The file came on standard input, so the token cannot come from there too, and BITBUCKET_TOKEN is not set."), "{err}");
    assert_eq!(s.fake.request_count(), 0);
    assert!(s.connection("From stdin").is_none());
    // With BITBUCKET_TOKEN it goes through.
    let out = s.run_env(&["import", "-", "--name", "From stdin"], &file, &[("BITBUCKET_TOKEN", demo::SQAI_READY)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("The token must come from BITBUCKET_TOKEN, since the file came on standard input."), "{}", text(&out.stderr));
    assert_eq!(s.token_of("From stdin"), demo::SQAI_READY);
    // A file with the token itself needs nothing more.
    s.ok(&["export", "Acme Web", "-f", "yaml", "-o", "secret.yaml", "--include-secret"], "");
    let secret_file = std::fs::read_to_string(s.path("secret.yaml")).unwrap();
    s.ok(&["import", "-", "--name", "Secret from stdin"], &secret_file);
    assert_eq!(s.token_of("Secret from stdin"), demo::SQAI_READY);
    // More than an export could be is refused after 1 MiB + 1 byte, whatever follows.
    let out = s.run(&["import", "-"], &" ".repeat(imp_limit() + 4096));
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("The file is larger than 1 MiB"), "{}", text(&out.stderr));
    assert_eq!(s.connections().len(), 3);
}

fn imp_limit() -> usize {
    bitbucket_setup_core::import::MAX_FILE_BYTES
}

/// Runs the CLI and fails, instead of hanging the test run, if it is still running after 10 s.
#[cfg(unix)]
fn run_within_10s(args: &[&str], cwd: &std::path::Path, config: &std::path::Path) -> std::process::Output {
    use std::time::{Duration, Instant};
    let mut cmd = support::cli_command(args, &[], config);
    cmd.current_dir(cwd);
    let mut child = cmd.spawn().expect("start the app binary");
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} was still running after 10 s: it blocked on its input");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("collect the output")
}

/// A named pipe nobody writes to, a device that never ends, standard input given as a path:
/// each is refused at once with a plain message (before, a pipe made import wait forever and
/// /dev/zero was read until memory ran out). No keychain needed: nothing gets that far.
#[cfg(unix)]
#[test]
fn special_files_are_refused_without_waiting() {
    let work = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    assert!(support::runs("mkfifo", &[work.path().join("pipe.json").to_str().unwrap()]), "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", work.path().join("zero.json")).unwrap();
    for (file, words) in [
        ("pipe.json", "pipe.json is a named pipe, not a regular file, so it was not read."),
        ("/dev/zero", "/dev/zero is a device, not a regular file"),
        ("zero.json", "zero.json is a device, not a regular file"),
        ("/dev/stdin", "/dev/stdin is a named pipe, not a regular file"),
    ] {
        let out = run_within_10s(&["import", file], work.path(), config.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{file}: {err}");
        assert!(err.contains(words), "{file}: {err}");
        assert!(err.contains("to read standard input, give - as the file name"), "{file}: {err}");
        assert!(!err.contains("os error") && !err.contains("Os {"), "{file}: {err}");
    }
}
