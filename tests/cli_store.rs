//! save / list / test / token / remove through the command line, with the real Secret Service
//! (gnome-keyring started by scripts/test.sh) and the fake Bitbucket. The keychain is checked
//! with `secret-tool`, a client this project did not write.

mod support;

use std::path::Path;

use fake_bitbucket::{demo, TokenState};
use support::cli_session::{text, CliSession};

/// The Secret Service and `secret-tool` (fails under CI=true when either is missing).
fn keychain_ready() -> bool {
    support::app::keychain_available()
}

/// A CLI session (`support::cli_session`) whose commands answer (exit code, stdout, stderr).
struct Env(CliSession);

impl Env {
    /// After [`keychain_ready`], which fails under CI=true when the keychain is missing.
    fn new() -> Env {
        Env(CliSession::start().expect("the keychain was found ready"))
    }

    fn cli(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        let out = self.0.run(args, stdin);
        (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
    }

    fn list(&self) -> serde_json::Value {
        serde_json::Value::Array(self.0.connections())
    }
}

/// The one secret the keychain holds for this connection id, if any.
fn keychain_secret(id: &str) -> Option<String> {
    let mut found = support::keychain::secrets(id);
    assert!(found.len() <= 1, "{} items for one connection", found.len());
    found.pop()
}

fn keychain_label(id: &str) -> String {
    support::keychain::items(id).into_iter().map(|i| i.label).collect::<Vec<_>>().join("\n")
}

fn no_file_contains(dir: &Path, secret: &str) {
    support::assert_no_file_contains(dir, secret);
}

#[test]
fn save_list_test_token_remove() {
    if !keychain_ready() {
        return;
    }
    let env = Env::new();
    let name = format!("Website SQAI {}", uuid::Uuid::new_v4().simple());
    let (code, out, err) = env.cli(
        &["save", "--credential", "repository-token", "--workspace", "https://bitbucket.org/acme/website", "--preset", "sqai",
          "--name", &name, "--description", "SQAI pushes test code here", "--expires", "2099-01-31"],
        demo::SQAI_READY,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Saved"), "{out}");

    let list = env.list();
    let entry = list.as_array().unwrap().iter().find(|c| c["name"] == name.as_str()).expect("listed").clone();
    assert_eq!(entry["status"], "valid", "{entry}");
    assert_eq!(entry["kind"], "repository_token");
    assert_eq!(entry["base_branch"], "main");
    assert_eq!(entry["expires"], "2099-01-31");
    let id = entry["id"].as_str().unwrap().to_string();

    // The keychain has it, under our service, with a label a person understands.
    assert_eq!(keychain_secret(&id).as_deref(), Some(demo::SQAI_READY));
    let label = keychain_label(&id);
    assert!(label.contains("Bitbucket Setup Assistant: acme/website (repository access token)"), "{label}");
    no_file_contains(env.0.config.path(), demo::SQAI_READY);

    // Scripts read it back with `token`.
    let (code, out, _) = env.cli(&["token", &name], "");
    assert_eq!(code, 0);
    assert_eq!(out.trim(), demo::SQAI_READY);

    // Re-test passes, then fails once Bitbucket revokes the token.
    let (code, out, err) = env.cli(&["test", &name, "--json"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(env.0.fake.set_token_state(demo::SQAI_READY, TokenState::Revoked));
    let (code, out, _) = env.cli(&["test", &name], "");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unauthorized"), "{out}");
    let entry = env.list().as_array().unwrap().iter().find(|c| c["name"] == name.as_str()).unwrap().clone();
    assert_eq!(entry["status"], "needs_attention", "{entry}");
    let (code, _, _) = env.cli(&["test", "--all"], "");
    assert_ne!(code, 0, "test --all fails when one connection fails");

    // Remove deletes the keychain entry and the record.
    let (code, out, err) = env.cli(&["remove", &name], "");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(keychain_secret(&id), None);
    assert!(env.list().as_array().unwrap().iter().all(|c| c["name"] != name.as_str()));
    let (code, _, err) = env.cli(&["remove", &name], "");
    assert_eq!(code, 64);
    assert!(err.contains("No saved connection"), "{err}");
}

#[test]
fn nothing_is_saved_when_the_check_fails() {
    if !keychain_ready() {
        return;
    }
    let env = Env::new();
    let name = format!("read only {}", uuid::Uuid::new_v4().simple());
    let (code, out, err) = env.cli(
        &["save", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--name", &name],
        demo::READ_ONLY,
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("Nothing was saved"), "{err}");
    assert!(env.list().as_array().unwrap().is_empty());
    no_file_contains(env.0.config.path(), demo::READ_ONLY);
    assert!(!support::keychain::service_secrets().iter().any(|s| s == demo::READ_ONLY));
}

#[test]
fn names_dates_and_duplicates_are_checked_plainly() {
    if !keychain_ready() {
        return;
    }
    let env = Env::new();
    let name = format!("dup {}", uuid::Uuid::new_v4().simple());
    let save = |name: &str, extra: &[&str]| {
        let mut args = vec!["save", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--name", name];
        args.extend_from_slice(extra);
        env.cli(&args, demo::SQAI_READY)
    };
    assert_eq!(save(&name, &[]).0, 0);
    let (code, _, err) = save(&format!("  {}  ", name.to_uppercase()), &[]);
    assert_eq!(code, 64, "a duplicate name is refused: {err}");
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = save(&"x".repeat(51), &[]);
    assert_eq!(code, 64);
    assert!(err.contains("50"), "{err}");
    let (code, _, err) = save("   ", &[]);
    assert_eq!(code, 64, "{err}");
    let (code, _, err) = save("dated", &["--expires", "31/01/2099"]);
    assert_eq!(code, 64);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    let (code, _, err) = save("dated", &["--expires", "2001-01-01"]);
    assert_eq!(code, 64);
    assert!(err.contains("in the past"), "{err}");
    // Clean up the keychain entry of the first save.
    assert_eq!(env.cli(&["remove", &name], "").0, 0);
}

/// The window and the command line may change the list at the same moment: eight `save`
/// commands started together each keep their connection (the list's lock makes each read,
/// modify and write whole; without it, changes overwrite each other).
#[test]
fn saves_from_parallel_processes_are_all_kept() {
    if !keychain_ready() {
        return;
    }
    let env = Env::new();
    let base = env.0.fake.base_url();
    let names: Vec<String> = (1..=8).map(|i| format!("Parallel {i}")).collect();
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            let args = ["save", "--name", name, "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"];
            let mut cmd = support::cli_command(&args, &[("BITBUCKET_API_URL", &base)], env.0.config.path());
            let mut child = cmd.spawn().expect("start save");
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(demo::SQAI_READY.as_bytes()).unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a parallel save failed:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    let list = env.list();
    let mut saved: Vec<String> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    saved.sort();
    assert_eq!(saved, names, "every parallel save is in the list");
    for c in list.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert_eq!(keychain_secret(id).as_deref(), Some(demo::SQAI_READY), "the keychain holds each one's token");
        let (code, out, err) = env.cli(&["remove", id], "");
        assert_eq!(code, 0, "{out}{err}");
    }
}

/// `remove --all` (what the Windows uninstaller runs when asked to remove saved connections):
/// every record and every keychain item goes; with nothing saved it says so and succeeds.
#[test]
fn remove_all_removes_every_connection_and_its_token() {
    if !keychain_ready() {
        return;
    }
    let env = Env::new();
    for name in ["First", "Second"] {
        let (code, out, err) = env.cli(
            &["save", "--name", name, "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"],
            demo::SQAI_READY,
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    let ids: Vec<String> = env.list().as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2);
    let (code, out, err) = env.cli(&["remove", "--all"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Removed \"First\"") && out.contains("Removed \"Second\""), "{out}");
    assert!(env.list().as_array().unwrap().is_empty());
    for id in &ids {
        assert_eq!(keychain_secret(id), None, "the keychain item of {id} is gone");
    }
    let (code, out, err) = env.cli(&["remove", "--all"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("There are no saved connections to remove."), "{out}");
    // A name or --all, never both, never neither.
    assert_eq!(env.cli(&["remove"], "").0, 64);
    assert_eq!(env.cli(&["remove", "First", "--all"], "").0, 64);
}
