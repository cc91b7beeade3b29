//! The git credential helper with real git: a Bitbucket-like smart-HTTP server on 127.0.0.1
//! (git http-backend behind Basic auth as Bitbucket checks it), a throwaway HOME whose only
//! helper is this app's, the real Secret Service, and every kind of saved token.

mod support;

use std::path::Path;
use std::process::Output;

use fake_bitbucket::git_http::GitServer;
use fake_bitbucket::{demo, FakeToken};
use support::git_home::GitHome as Home;
use support::cli_session::{ok_stdout as ok, text, CliSession as Session};

const PROJECT_TOKEN: &str = "ATCTT3xFfGN0gitHelperProjectTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D01";
const WORKSPACE_TOKEN: &str = "ATCTT3xFfGN0gitHelperWorkspaceTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D02";
const API_TOKEN: &str = "ATATT3xFfGF0gitHelperApiTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D03";

fn server(root: &Path) -> GitServer {
    support::git_home::git_server(root, PROJECT_TOKEN, WORKSPACE_TOKEN, API_TOKEN)
}

fn add_tokens(s: &Session) {
    s.fake.add_token(FakeToken::project(PROJECT_TOKEN, "acme", "WEB", &["repository:write"]));
    s.fake.add_token(FakeToken::workspace(WORKSPACE_TOKEN, "acme", &["repository:write"]));
    s.fake.add_token(FakeToken::api(API_TOKEN, demo::ADMIN_EMAIL, "acme", &["read:repository:bitbucket", "write:repository:bitbucket"]));
}

#[test]
fn git_clones_and_pushes_with_the_helper_and_each_kind_of_token() {
    for (kind, token, user, extra) in [
        ("repository-token", demo::SQAI_READY, "x-token-auth", &[][..]),
        ("project-token", PROJECT_TOKEN, "x-token-auth", &[][..]),
        ("workspace-token", WORKSPACE_TOKEN, "x-token-auth", &[][..]),
        ("api-token", API_TOKEN, "x-bitbucket-api-token-auth", &["--email", demo::ADMIN_EMAIL][..]),
    ] {
        let Some(s) = Session::start() else { return };
        add_tokens(&s);
        // Only this connection is saved: it is the one that must answer.
        s.save(kind, kind, "acme/website", "git", token, extra);
        let root = tempfile::tempdir().unwrap();
        let server = server(root.path());
        let home = Home::new(&s, &server);
        let remote = format!("{}/acme/website.git", server.url());

        // Before: no helper, git is refused.
        assert!(!home.git(home.path(), &["ls-remote", &remote]).status.success(), "{kind}: the server let git in without credentials");

        // git setup shows its lines, then adds them to the global configuration only.
        let shown = ok(home.app(&s, &["git", "setup", "--global"], ""), "git setup");
        let section = format!("credential.{}", server.url());
        assert!(shown.contains(&format!("git config --global --add {section}.helper")) && shown.contains(&format!("{section}.useHttpPath true")), "{shown}");
        let config = std::fs::read_to_string(home.path().join(".gitconfig")).expect("git setup writes ~/.gitconfig");
        assert!(config.contains("git-credential") && config.contains("useHttpPath = true"), "{config}");

        ok(home.git(home.path(), &["ls-remote", &remote]), "git ls-remote");
        ok(home.git(home.path(), &["clone", "-q", &remote, "clone"]), "git clone");
        let dir = home.path().join("clone");
        assert!(dir.join("README.md").exists(), "{kind}: the clone has the repository's file");
        std::fs::write(dir.join("pushed.txt"), kind).unwrap();
        ok(home.git(&dir, &["add", "pushed.txt"]), "add");
        ok(home.git(&dir, &["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-qm", "push test"]), "commit");
        ok(home.git(&dir, &["push", "-q", "origin", "HEAD:main"]), "git push");
        let users: Vec<String> = server.requests().into_iter().filter_map(|r| r.user).collect();
        assert!(!users.is_empty() && users.iter().all(|u| u == user), "{kind}: git sent {users:?}, not {user}");

        // Nothing under HOME holds the token: not the config, not the clone.
        assert_eq!(support::files_containing(home.path(), token), Vec::<std::path::PathBuf>::new(), "{kind}");

        // --undo removes exactly what was added, and git is refused again.
        let undone = ok(home.app(&s, &["git", "setup", "--undo"], ""), "git setup --undo");
        assert!(undone.contains("Removed"), "{undone}");
        let config = std::fs::read_to_string(home.path().join(".gitconfig")).unwrap_or_default();
        assert!(!config.contains("git-credential") && !config.contains("useHttpPath"), "left behind:\n{config}");
        assert!(!home.git(home.path(), &["ls-remote", &remote]).status.success(), "{kind}: git still got in with the helper removed");
    }
}

#[test]
fn git_setup_leaves_other_helpers_in_place_and_undo_removes_only_its_own() {
    let Some(s) = Session::start() else { return };
    let root = tempfile::tempdir().unwrap();
    let server = server(root.path());
    let home = Home::new(&s, &server);
    ok(home.git(home.path(), &["config", "--global", "credential.helper", "cache"]), "a helper of the user's");
    ok(home.git(home.path(), &["config", "--global", "--add", &format!("credential.{}.helper", server.url()), "manager"]), "another helper for the host");
    let before = std::fs::read_to_string(home.path().join(".gitconfig")).unwrap();
    ok(home.app(&s, &["git", "setup"], ""), "git setup");
    ok(home.app(&s, &["git", "setup"], ""), "git setup again");
    let helpers = ok(home.git(home.path(), &["config", "--global", "--get-all", &format!("credential.{}.helper", server.url())]), "helpers");
    assert_eq!(helpers.lines().filter(|l| l.contains("git-credential")).count(), 1, "added once:\n{helpers}");
    assert!(helpers.lines().any(|l| l == "manager"), "{helpers}");
    ok(home.app(&s, &["git", "setup", "--undo"], ""), "undo");
    let after = std::fs::read_to_string(home.path().join(".gitconfig")).unwrap();
    let values = |t: &str| t.lines().map(str::trim).filter(|l| l.contains('=')).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(values(&after), values(&before), "undo leaves the user's own lines as they were");
    // A dry run changes nothing.
    ok(home.app(&s, &["git", "setup", "--dry-run"], ""), "dry run");
    assert_eq!(std::fs::read_to_string(home.path().join(".gitconfig")).unwrap(), after);
}

/// A session with one repository token saved as "web", a git server and a HOME; `host` is the
/// server's host as git names it.
struct Web {
    s: Session,
    _root: tempfile::TempDir,
    server: GitServer,
    home: Home,
    host: String,
}

fn web() -> Option<Web> {
    let s = Session::start()?;
    s.save("web", "repository-token", "acme/website", "git", demo::SQAI_READY, &[]);
    let root = tempfile::tempdir().unwrap();
    let server = server(root.path());
    let home = Home::new(&s, &server);
    let host = server.url().trim_start_matches("http://").to_string();
    Some(Web { s, _root: root, server, home, host })
}

/// Runs the helper as git would, with `input` on standard input.
fn helper(home: &Home, s: &Session, op: &str, input: &str) -> Output {
    home.app(s, &["git-credential", op], input)
}

#[test]
fn the_helper_answers_only_for_bitbucket_and_erase_marks_the_connection() {
    let Some(Web { s, _root, server: _server, home, host }) = web() else { return };

    let answer = ok(helper(&home, &s, "get", &format!("protocol=http\nhost={host}\npath=acme/website.git\n\n")), "get");
    assert_eq!(answer, format!("username=x-token-auth\npassword={}\n", demo::SQAI_READY));
    for other in ["protocol=https\nhost=github.com\npath=acme/website.git\n\n".to_string(), format!("protocol=http\nhost={host}\npath=globex/other.git\n\n")] {
        let out = helper(&home, &s, "get", &other);
        assert!(out.status.success() && out.stdout.is_empty(), "silent for {other:?}: {}", text(&out.stdout).replace(demo::SQAI_READY, "<token>"));
    }
    // store keeps nothing; an unknown operation is ignored.
    for op in ["store", "frobnicate"] {
        let out = helper(&home, &s, op, &format!("protocol=http\nhost={host}\npath=acme/website.git\nusername=x-token-auth\npassword=other\n\n"));
        assert!(out.status.success() && out.stdout.is_empty(), "{op}");
    }
    // erase with another password: not ours, nothing changes.
    ok(helper(&home, &s, "erase", &format!("protocol=http\nhost={host}\npath=acme/website.git\nusername=x-token-auth\npassword=ATCTTnotours\n\n")), "erase other");
    let listed: serde_json::Value = serde_json::from_str(&ok(home.app(&s, &["list", "--json"], ""), "list")).unwrap();
    assert_eq!(listed[0]["status"], "valid", "{listed}");
    // erase of the token it gave: marked as needing attention, and the token stays.
    let erased = helper(&home, &s, "erase", &format!("protocol=http\nhost={host}\npath=acme/website.git\nusername=x-token-auth\npassword={}\n\n", demo::SQAI_READY));
    assert!(text(&erased.stderr).contains("needing attention"), "{}", text(&erased.stderr));
    let listed: serde_json::Value = serde_json::from_str(&ok(home.app(&s, &["list", "--json"], ""), "list")).unwrap();
    assert_eq!(listed[0]["status"], "needs_attention", "{listed}");
    assert!(listed[0]["last_check"]["message"].as_str().unwrap().contains("git was refused"), "{listed}");
    assert_eq!(ok(home.app(&s, &["token", "web"], ""), "token").trim(), demo::SQAI_READY, "erase deletes nothing");
}

#[test]
fn git_doctor_finds_and_replaces_a_stored_app_password() {
    let Some(Web { s, _root, server: _server, home, host }) = web() else { return };
    let store = home.path().join(".git-credentials");
    let github = "https://bob:ghp_notbitbucket@github.com\n";
    std::fs::write(&store, format!("{github}http://jdoe:{}@{host}\n", demo::APP_PASSWORD)).unwrap();
    // A remote with the app password in its URL.
    let repo = home.path().join("project");
    ok(home.git(home.path(), &["init", "-q", "project"]), "init");
    ok(home.git(&repo, &["remote", "add", "origin", &format!("http://jdoe:{}@{host}/acme/website.git", demo::APP_PASSWORD)]), "remote");

    let out = home.app(&s, &["git", "doctor", "--repo", repo.to_str().unwrap()], "");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "found something: {said}");
    assert!(said.contains(".git-credentials, line 2") && said.contains("app password (retired)") && said.contains("\"jdoe\"") && said.contains("remote \"origin\""), "{said}");
    assert!(!said.contains(demo::APP_PASSWORD), "never the secret:\n{said}");

    // The user's own store helper (it wrote the file in the first place) stays for other hosts;
    // the reset line that --fix sets up before the app's own keeps git from asking it for
    // Bitbucket, so there is nothing to warn about.
    ok(home.git(home.path(), &["config", "--global", "credential.helper", "store"]), "store helper");
    let fixing = home.app(&s, &["git", "doctor", "--fix", "--repo", repo.to_str().unwrap()], "");
    assert!(!text(&fixing.stderr).contains("\"store\" helper is still set up"), "{}", text(&fixing.stderr));
    assert_eq!(ok(home.git(home.path(), &["config", "--global", "credential.helper"]), "store kept").trim(), "store");
    let fixed = ok(fixing, "git doctor --fix");
    assert!(!fixed.contains(demo::APP_PASSWORD), "{fixed}");
    assert_eq!(std::fs::read_to_string(&store).unwrap(), github, "only the Bitbucket entry went");
    let backups: Vec<_> = std::fs::read_dir(home.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with(".git-credentials.bitbucket-setup-backup-")).collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let url = ok(home.git(&repo, &["remote", "get-url", "origin"]), "get-url");
    assert_eq!(url.trim(), format!("http://{host}/acme/website.git"));
    // The helper is set up and answers now: git reaches the repository with the saved token.
    ok(home.git(&repo, &["ls-remote", "origin"]), "ls-remote after the fix");
    let again = home.app(&s, &["git", "doctor", "--repo", repo.to_str().unwrap()], "");
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

#[test]
fn the_helper_never_prints_the_token_to_a_place_other_than_git() {
    let Some(Web { s, _root, server, home, host: _ }) = web() else { return };
    ok(home.app(&s, &["git", "setup"], ""), "git setup");
    let remote = format!("{}/acme/website.git", server.url());
    let out = home.command(Path::new("git"), home.path(), &["ls-remote", &remote]).env("GIT_TRACE", "1").env("GIT_CURL_VERBOSE", "0").output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(demo::SQAI_READY), "the token reached git's trace");
}

#[test]
fn undo_keeps_use_http_path_that_the_user_set() {
    let Some(s) = Session::start() else { return };
    let root = tempfile::tempdir().unwrap();
    let server = server(root.path());
    let home = Home::new(&s, &server);
    let key = format!("credential.{}.useHttpPath", server.url());
    ok(home.git(home.path(), &["config", "--global", &key, "true"]), "the user's own useHttpPath");
    ok(home.app(&s, &["git", "setup"], ""), "git setup");
    ok(home.app(&s, &["git", "setup", "--undo"], ""), "undo");
    assert_eq!(ok(home.git(home.path(), &["config", "--global", "--get", &key]), "still set").trim(), "true", "undo removed a line it did not add");
}

/// The helper value `git setup` writes on Windows, run by real git and sh (as Git for Windows
/// runs a `!` helper with its own sh): on Linux `C:` is an ordinary folder name, so the value's
/// `C:/Program Files/…/bitbucket-setup.exe` is a relative path sh can run from the current
/// folder, where a stand-in prints what it was given and answers like the app.
#[cfg(unix)]
#[test]
fn the_windows_helper_value_is_run_by_git_and_sh() {
    use bitbucket_setup_core::git::setup::helper_command_for;
    use bitbucket_setup_core::platform::Os;
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};
    if support::require("git", support::runs("git", &["--version"])) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe");
    std::fs::create_dir_all(stub.parent().unwrap()).unwrap();
    let args_file = dir.path().join("args.txt");
    std::fs::write(&stub, format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncat > /dev/null\nprintf 'username=x-token-auth\\npassword=T\\n'\n", args_file.display())).unwrap();
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();

    let value = helper_command_for(Os::Windows, r"C:\Program Files\Bitbucket Setup Assistant\bitbucket-setup.exe", None);
    assert_eq!(value, "!'C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe' git-credential");
    // git alone: HOME is the temporary folder, no system or inherited configuration.
    let git = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(dir.path()).env("HOME", dir.path()).env("XDG_CONFIG_HOME", dir.path().join(".config")).env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_TERMINAL_PROMPT", "0").env("GIT_ASKPASS", "/bin/false");
        for v in ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_DIR", "SSH_ASKPASS"] {
            cmd.env_remove(v);
        }
        cmd
    };
    let config = dir.path().join(".gitconfig");
    let config_arg = config.display().to_string();
    ok(git(&["config", "--file", &config_arg, "--add", "credential.https://bitbucket.org.helper", &value]).output().unwrap(), "git config --add");
    let stored = ok(git(&["config", "--global", "--get-all", "credential.https://bitbucket.org.helper"]).output().unwrap(), "git config --get-all");
    assert_eq!(stored.trim_end(), value, "git stores the value as it is");

    let mut fill = git(&["credential", "fill"]);
    fill.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = fill.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"protocol=https\nhost=bitbucket.org\npath=ws/repo.git\n\n").unwrap();
    let answer = ok(child.wait_with_output().unwrap(), "git credential fill");
    assert!(answer.contains("username=x-token-auth\n") && answer.contains("password=T\n"), "git did not get the stand-in's answer:\n{answer}");
    assert_eq!(std::fs::read_to_string(&args_file).expect("sh ran the stand-in"), "git-credential\nget\n");
}
