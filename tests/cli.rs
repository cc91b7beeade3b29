//! The `check` command line against the fake Bitbucket: output, JSON, exit status, and that
//! the token never shows up in any output.

mod support;

use std::path::Path;

use fake_bitbucket::{demo, FakeBitbucket, Fault};
use support::run_cli;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(fake: &FakeBitbucket, args: &[&str], token: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base_url();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--api-url", &base]);
    let out = run_cli(&all, token, &[], dir.path());
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", run.stdout, run.stderr))
}

fn fake() -> FakeBitbucket {
    let fake = FakeBitbucket::start_in_background().expect("start the fake");
    fake.seed_demo();
    fake
}

#[test]
fn a_sufficient_token_exits_0_with_a_plain_summary() {
    let fake = fake();
    let run = check(&fake, &["--credential", "repository-token", "--workspace", "https://bitbucket.org/acme/website/src/main/README.md", "--preset", "sqai"], demo::SQAI_READY);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("OK: "), "{}", run.stdout);
    assert!(run.stdout.contains("Default branch: main"), "{}", run.stdout);
    assert!(run.stdout.contains("Credential type: repo_access_token"), "{}", run.stdout);
}

#[test]
fn json_output_has_the_documented_fields() {
    let fake = fake();
    let run = check(
        &fake,
        &["--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme", "--repo", "website", "--preset", "autoheal", "--json"],
        demo::API_TOKEN_AUTOHEAL,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let v = json(&run);
    assert_eq!(v["ok"], true);
    assert!(v["problem"].is_null());
    assert_eq!(v["credential_type"], "api_token");
    assert!(v["granted"].as_array().unwrap().iter().any(|s| s == "read:pipeline:bitbucket"));
    assert_eq!(v["missing"], serde_json::json!([]));
    assert!(v["extra"].is_array());
    assert_eq!(v["default_branch"], "main");
    assert!(v["message"].as_str().unwrap().contains("Autoheal"));
}

#[test]
fn exit_status_tells_the_kind_of_failure() {
    let fake = fake();
    let cases: Vec<(&[&str], &str, i32, &str)> = vec![
        (&["--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--json"], demo::READ_ONLY, 1, "missing_scopes"),
        (&["--credential", "repository-token", "--workspace", "acme/mobile-app", "--preset", "sqai", "--json"], demo::SQAI_READY, 1, "wrong_token_for_location"),
        (&["--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme/nope", "--preset", "autoheal", "--json"], demo::API_TOKEN_AUTOHEAL, 1, "not_found"),
        (&["--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--json"], demo::REVOKED_TOKEN, 2, "unauthorized"),
        (&["--credential", "api-token", "--workspace", "acme/website", "--preset", "autoheal", "--json"], demo::API_TOKEN_AUTOHEAL, 2, "api_token_needs_email"),
        (&["--credential", "api-token", "--username", "ada", "--workspace", "acme/website", "--preset", "autoheal", "--json"], demo::API_TOKEN_AUTOHEAL, 2, "api_token_needs_email"),
        (&["--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme/website", "--preset", "autoheal", "--json"], demo::API_TOKEN_UNSCOPED, 2, "unscoped_api_token"),
        (&["--credential", "app-password", "--username", "jdoe", "--workspace", "acme/website", "--json"], demo::APP_PASSWORD, 2, "app_password_retired"),
        (&["--credential", "repository-token", "--workspace", "https://bitbucket.mycorp.com/projects/X/repos/y/browse", "--json"], demo::SQAI_READY, 64, "not_cloud"),
        (&["--credential", "magic-token", "--workspace", "acme/website", "--json"], demo::SQAI_READY, 64, "bad_input"),
        (&["--credential", "repository-token", "--workspace", "acme/website", "--preset", "nope", "--json"], demo::SQAI_READY, 64, "bad_input"),
        (&["--credential", "repository-token", "--workspace", "acme", "--preset", "sqai", "--json"], demo::SQAI_READY, 64, "bad_input"),
        (&["--credential", "repository-token", "--workspace", "acme/website", "--json"], "https://bitbucket.org/acme/website", 64, "bad_input"),
        (&["--credential", "repository-token", "--workspace", "acme/website", "--json"], "", 64, "bad_input"),
    ];
    for (args, token, code, problem) in cases {
        let run = check(&fake, args, token);
        assert_eq!(run.code, code, "{args:?}: {}{}", run.stdout, run.stderr);
        let v = json(&run);
        assert_eq!(v["ok"], false, "{args:?}");
        assert_eq!(v["problem"], problem, "{args:?}: {}", run.stdout);
        assert!(v["message"].as_str().is_some_and(|m| m.len() > 20), "{args:?}: a plain message: {}", run.stdout);
    }
    fake.set_fault(Fault::RateLimited { retry_after: None });
    let run = check(&fake, &["--credential", "repository-token", "--workspace", "acme/website", "--json"], demo::SQAI_READY);
    assert_eq!(run.code, 3);
    assert_eq!(json(&run)["problem"], "rate_limited");
}

#[test]
fn the_token_may_come_from_the_environment() {
    let fake = fake();
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base_url();
    let out = run_cli(
        &["check", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--api-url", &base],
        "",
        &[("BITBUCKET_TOKEN", demo::SQAI_READY)],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_api_url_may_come_from_the_environment_and_must_be_safe() {
    let fake = fake();
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base_url();
    let out = run_cli(&["check", "--credential", "repository-token", "--workspace", "acme/website"], demo::SQAI_READY, &[("BITBUCKET_API_URL", &base)], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_cli(&["check", "--credential", "repository-token", "--workspace", "acme/website", "--api-url", "http://api.example.com/2.0"], demo::SQAI_READY, &[], dir.path());
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://"));
}

#[test]
fn usage_errors_exit_64_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(&["check", "--workspace", "acme"], "", &[], dir.path());
    assert_eq!(out.status.code(), Some(64));
    let out = run_cli(&["frobnicate"], "", &[], dir.path());
    assert_eq!(out.status.code(), Some(64));
    let out = run_cli(&["--help"], "", &[], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("check"));
}

fn assert_no_canary(run: &Run, what: &str) {
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.to_ascii_lowercase().contains("canary"), "{what}: the token leaked:\n{text}");
    }
}

#[test]
fn a_canary_token_never_appears_in_any_output() {
    let fake = fake();
    let access = "ATCTT3xFfGF0CANARYcanaryCANARYcanary";
    let api = "ATATT3xFfGF0CANARYcanaryCANARYcanary";
    let faults = [None, Some(Fault::Status(500)), Some(Fault::Status(502)), Some(Fault::ConnectionReset), Some(Fault::MalformedJson), Some(Fault::WrongContentType)];
    for fault in faults {
        fake.clear_faults();
        if let Some(f) = fault.clone() {
            fake.set_fault(f);
        }
        for json_flag in [false, true] {
            let mut runs = Vec::new();
            let mut args: Vec<Vec<&str>> = vec![
                vec!["--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"],
                vec!["--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme/website", "--preset", "autoheal"],
                vec!["--credential", "api-token", "--workspace", "acme/website"],
                vec!["--credential", "repository-token", "--workspace", "not a workspace!"],
            ];
            for a in &mut args {
                if json_flag {
                    a.push("--json");
                }
            }
            runs.push(check(&fake, &args[0], access));
            runs.push(check(&fake, &args[1], api));
            runs.push(check(&fake, &args[2], api));
            runs.push(check(&fake, &args[3], access));
            runs.push(check(&fake, &args[0], "ATCT CANARY with spaces"));
            runs.push(check(&fake, &args[0], "canary@example.com"));
            for run in &runs {
                assert_ne!(run.code, 0);
                assert_no_canary(run, &format!("{fault:?} json={json_flag}"));
            }
        }
    }
}

#[test]
fn the_command_line_needs_no_display() {
    let fake = fake();
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base_url();
    let mut cmd = std::process::Command::new(support::app_binary());
    cmd.args(["check", "--credential", "repository-token", "--workspace", "acme/website", "--api-url", &base])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("BITBUCKET_TOKEN", demo::SQAI_READY)
        .env("BITBUCKET_SETUP_CONFIG_DIR", dir.path())
        .stdin(std::process::Stdio::null());
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = Path::new("unused");
}

/// A hostile server: names with terminal escape sequences and a direction override. Nothing of
/// it reaches the terminal raw: the output shows visible escapes, and the saved connection and
/// its exports hold none.
#[test]
fn names_from_the_server_cannot_drive_the_terminal() {
    let fake = fake();
    let evil = "main\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gnp.exe";
    fake.add_workspace("acme", "Acme\u{1b}[31m Corp\u{9b}1A");
    fake.add_repository(fake_bitbucket::FakeRepo {
        workspace: "acme".into(),
        slug: "website".into(),
        name: "Website".into(),
        private: true,
        main_branch: evil.into(),
        project: Some("WEB".into()),
    });
    let run = check(&fake, &["--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"], demo::SQAI_READY);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for (name, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{9b}') && !out.contains('\u{202e}'), "{name}: {out:?}");
    }
    assert!(run.stdout.contains("main\\u{1b}]0;pwned"), "shown as visible escapes: {}", run.stdout);

    // Saved and exported: the stored branch and every text export are clean too.
    if support::require("an unlocked Secret Service (run through scripts/test.sh)", support::keychain_available()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env = [("BITBUCKET_API_URL", fake.base_url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = run_cli(&["save", "--name", "evil", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"], demo::SQAI_READY, &env, dir.path());
    assert!(saved.status.success(), "{}", String::from_utf8_lossy(&saved.stderr));
    let file = std::fs::read_to_string(dir.path().join("connections.json")).unwrap();
    assert!(!file.contains("\\u001b") && !file.contains('\u{202e}'), "{file}");
    for format in ["sqai-sheet", "sqai-html", "env", "json", "yaml"] {
        let out = run_cli(&["export", "evil", "--format", format, "--output", "-"], "", &env, dir.path());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains("\\u001b"), "{format}: {text}");
    }
}

#[test]
fn an_api_address_with_a_password_is_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(
        &["check", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--api-url", "https://user:hunter2@[bad"],
        demo::SQAI_READY,
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(64));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("not a web address"), "{all}");
}

/// Without arguments the command line opens the window beside it; a command line installed
/// without one says what is missing and ends with 69 (EX_UNAVAILABLE), opening nothing.
#[test]
fn without_the_window_beside_it_no_arguments_say_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join(format!("bitbucket-setup{}", std::env::consts::EXE_SUFFIX));
    std::fs::copy(support::app_binary(), &alone).unwrap();
    let out = support::output_of_fresh_copy(std::process::Command::new(&alone).env_remove("DISPLAY"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(bitbucket_setup::exit_code::UNAVAILABLE), "{err}");
    assert!(err.contains("the window of Bitbucket Setup Assistant is missing") && err.contains("bitbucket-setup-window"), "{err}");
    assert!(err.contains("Install the assistant again"), "{err}");
}
