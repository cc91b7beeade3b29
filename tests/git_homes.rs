//! git beside every other credential helper and in every home (issue 23), with real git in a
//! throwaway HOME, the real Secret Service and a Bitbucket-like smart-HTTP server on 127.0.0.1:
//!
//! * another helper configured before `git setup` (a generic one answering every host with a
//!   stale password, and `store`) is never asked for Bitbucket: the saved token answers, and
//!   after git gets in no file holds it;
//! * the user's own `useHttpPath` survives setup and undo, two of them are left and nothing is
//!   half-applied, and undo removes exactly the lines setup wrote (another tool's
//!   `…bitbucket-setup-wrapper git-credential` stays; the app's own line goes after the program
//!   was moved and renamed; a value with a line break is one value);
//! * each `git-credentials` export answers `git credential fill` through git's own store under
//!   the configuration `git setup` writes (`useHttpPath = true`).

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use fake_bitbucket::git_http::GitServer;
use fake_bitbucket::{demo, FakeToken};
use support::git_home::GitHome;
use support::cli_session::{ok_stdout as ok, text, CliSession as Session};

const PROJECT_TOKEN: &str = "ATCTT3xFfGN0gitHomesProjectTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D11";
const WORKSPACE_TOKEN: &str = "ATCTT3xFfGN0gitHomesWorkspaceTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D12";
const API_TOKEN: &str = "ATATT3xFfGF0gitHomesApiTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D13";

/// A generic helper that answers every host with a stale password, as an old setup does.
const STALE_HELPER: &str = "!f() { test \"$1\" = get && printf \"username=u\\npassword=stale\\n\"; }; f";
/// Another tool's helper whose name holds this app's.
const WRAPPER: &str = "/opt/corp/corp-bitbucket-setup-wrapper git-credential";

/// A throwaway HOME (`support::git_home`), with the section git setup writes there.
struct Home {
    base: GitHome,
    /// `credential.http://127.0.0.1:PORT`: the section git setup writes.
    section: String,
    /// `host=` as git names the server.
    host: String,
}

impl std::ops::Deref for Home {
    type Target = GitHome;
    fn deref(&self) -> &GitHome {
        &self.base
    }
}

impl Home {
    fn new(s: &Session, server: &GitServer) -> Home {
        let host = server.url().trim_start_matches("http://").to_string();
        Home { base: GitHome::new(s, server), section: format!("credential.{}", server.url()), host }
    }

    /// git in this HOME.
    fn git(&self, args: &[&str]) -> Output {
        self.base.git(self.path(), args)
    }

    /// `git` with `input` on standard input.
    fn git_in(&self, args: &[&str], input: &str) -> Output {
        let mut cmd = self.command(Path::new("git"), self.path(), args);
        cmd.stdin(Stdio::piped());
        let mut child = cmd.spawn().expect("git");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// The app (the binary cargo built, or a copy of it at `program`) in this HOME.
    fn app_at(&self, program: &Path, args: &[&str]) -> Output {
        support::output_of_fresh_copy(&mut self.command(program, self.path(), args))
    }

    fn app(&self, args: &[&str]) -> Output {
        self.app_at(&support::app_binary(), args)
    }

    /// The values of `name` (`helper`, `useHttpPath`) in the section git setup writes, as git
    /// reads them (`-z`: a value may hold a line break).
    fn values(&self, name: &str) -> Vec<String> {
        let out = self.git(&["config", "--global", "-z", "--get-all", &format!("{}.{name}", self.section)]);
        if out.stdout.is_empty() {
            return Vec::new();
        }
        let raw = text(&out.stdout);
        raw.strip_suffix('\0').unwrap_or(&raw).split('\0').map(str::to_string).collect()
    }

    fn add(&self, key: &str, value: &str) {
        ok(self.git(&["config", "--global", "--add", key, value]), &format!("git config --add {key}"));
    }

    /// `git credential fill` for acme/website; the answer, or None when git got none.
    fn fill(&self) -> Option<String> {
        let out = self.git_in(&["credential", "fill"], &format!("protocol=http\nhost={}\npath=acme/website.git\n\n", self.host));
        out.status.success().then(|| text(&out.stdout))
    }
}

/// The user name and password in a `git credential fill` answer, the password shown only as
/// whether it is `token`.
fn answered(answer: &str, token: &str) -> (String, bool) {
    let field = |k: &str| answer.lines().find_map(|l| l.strip_prefix(k)).unwrap_or("").to_string();
    (field("username="), field("password=") == token)
}

fn server(root: &Path) -> GitServer {
    support::git_home::git_server(root, PROJECT_TOKEN, WORKSPACE_TOKEN, API_TOKEN)
}

struct World {
    s: Session,
    _root: tempfile::TempDir,
    server: GitServer,
    home: Home,
}

/// A session with the repository token of acme/website saved as "web", a git server, a HOME.
fn world() -> Option<World> {
    let s = Session::start()?;
    if support::require("git", support::runs("git", &["--version"])) {
        return None;
    }
    s.save("web", "repository-token", "acme/website", "git", demo::SQAI_READY, &[]);
    let root = tempfile::tempdir().unwrap();
    let server = server(root.path());
    let home = Home::new(&s, &server);
    Some(World { s, _root: root, server, home })
}

#[test]
fn a_helper_configured_before_never_answers_for_bitbucket_and_store_never_gets_the_token() {
    let Some(World { s: _s, _root, server, home }) = world() else { return };
    // The user's own helpers, before git setup: store, then one answering every host.
    home.add("credential.helper", "store");
    home.add("credential.helper", STALE_HELPER);
    let (user, _) = answered(&home.fill().expect("the stale helper answers"), demo::SQAI_READY);
    assert_eq!(user, "u", "the stand-in for an old helper answers before setup");

    let said = ok(home.app(&["git", "setup", "--global"]), "git setup");
    let answer = home.fill().expect("git credential fill answers after setup");
    assert_eq!(answered(&answer, demo::SQAI_READY), ("x-token-auth".to_string(), true), "the saved token answers, not the stale password");
    assert!(said.contains("no longer asks") && said.contains("store"), "setup says which helpers git stops asking for Bitbucket:\n{said}");

    // What git does after it got in: `approve` goes to every helper it asks. None writes it.
    ok(home.git_in(&["credential", "approve"], &format!("protocol=http\nhost={}\npath=acme/website.git\n{answer}\n", home.host)), "approve");
    // And a real round trip: ls-remote gets in with the token, then approves it.
    ok(home.git(&["ls-remote", &format!("{}/acme/website.git", server.url())]), "git ls-remote");
    assert!(server.requests().iter().any(|r| r.user.as_deref() == Some("x-token-auth") && r.status == 200), "git got in with the token");
    assert_eq!(support::files_containing(home.path(), demo::SQAI_READY), Vec::<PathBuf>::new(), "a file under HOME holds the token");
    // The user's helpers are still there, for every other host.
    let generic = ok(home.git(&["config", "--global", "--get-all", "credential.helper"]), "the user's helpers");
    assert!(generic.lines().any(|l| l == "store"), "{generic}");
    let other = home.git_in(&["credential", "fill"], "protocol=https\nhost=example.com\n\n");
    assert!(text(&other.stdout).contains("password=stale"), "the user's helper still answers other hosts");

    // --undo gives the user's helpers back Bitbucket.
    ok(home.app(&["git", "setup", "--undo"]), "undo");
    assert_eq!(answered(&home.fill().expect("the stale helper answers again"), demo::SQAI_READY).0, "u");
    assert_eq!(home.values("helper"), Vec::<String>::new(), "undo leaves none of its helper lines");
}

#[test]
fn the_users_own_use_http_path_survives_setup_and_undo() {
    let Some(World { s: _s, _root, server: _server, home }) = world() else { return };
    let key = format!("{}.useHttpPath", home.section);
    home.add(&key, "false");
    let out = home.app(&["git", "setup"]);
    let said = ok(out.clone(), "git setup");
    assert_eq!(home.values("useHttpPath"), vec!["false"], "setup overwrote the user's useHttpPath");
    assert!(said.contains("useHttpPath false"), "setup says it left the user's line:\n{said}");
    assert!(text(&out.stderr).contains("with useHttpPath off"), "and what it means:\n{}", text(&out.stderr));
    ok(home.app(&["git", "setup", "--undo"]), "undo");
    assert_eq!(home.values("useHttpPath"), vec!["false"], "undo removed the user's useHttpPath");
    assert_eq!(home.values("helper"), Vec::<String>::new());
}

#[test]
fn two_use_http_path_lines_are_left_and_nothing_is_half_applied() {
    let Some(World { s: _s, _root, server: _server, home }) = world() else { return };
    let key = format!("{}.useHttpPath", home.section);
    // Two lines, the last one off: `git config KEY true` would fail on them ("multiple values").
    home.add(&key, "true");
    home.add(&key, "false");
    let before = std::fs::read_to_string(home.path().join(".gitconfig")).unwrap();
    let said = ok(home.app(&["git", "setup"]), "git setup");
    assert!(said.contains("git uses the last"), "{said}");
    assert_eq!(home.values("useHttpPath"), vec!["true", "false"], "both of the user's lines stay as they were");
    let helpers = home.values("helper");
    assert_eq!(helpers.len(), 2, "the empty line and the app's, once each: {helpers:?}");
    assert!(helpers[0].is_empty() && helpers[1].ends_with(" git-credential"), "{helpers:?}");
    ok(home.app(&["git", "setup", "--undo"]), "undo");
    assert_eq!(std::fs::read_to_string(home.path().join(".gitconfig")).unwrap().replace("[credential \"", "").lines().filter(|l| l.contains('=')).collect::<Vec<_>>(), before.replace("[credential \"", "").lines().filter(|l| l.contains('=')).collect::<Vec<_>>(), "undo leaves exactly the user's lines");
}

/// A copy of the app at `dir/name`.
fn copy_of_the_app(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let copy = dir.join(name);
    std::fs::copy(support::app_binary(), &copy).expect("copy the app");
    copy
}

#[test]
fn undo_removes_exactly_its_own_lines_even_after_the_program_moved() {
    let Some(World { s: _s, _root, server: _server, home }) = world() else { return };
    let helper_key = format!("{}.helper", home.section);
    home.add(&helper_key, WRAPPER);
    let programs = tempfile::tempdir().unwrap();
    let first = copy_of_the_app(&programs.path().join("old"), "bitbucket-setup");
    ok(home.app_at(&first, &["git", "setup"]), "git setup from the first copy");
    let written = home.values("helper");
    assert!(written.contains(&WRAPPER.to_string()) && written.contains(&format!("{} git-credential", first.display())), "{written:?}");

    // The program is moved and renamed (a new install): its name no longer says what it is.
    let moved = programs.path().join("new/bbs");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&first, &moved).unwrap();
    let said = ok(home.app_at(&moved, &["git", "setup", "--undo"]), "undo from the moved program");
    assert!(said.contains("Removed"), "{said}");
    assert_eq!(home.values("helper"), vec![WRAPPER.to_string()], "undo removed another tool's line, or left its own");
    assert_eq!(home.values("useHttpPath"), Vec::<String>::new(), "the useHttpPath setup wrote goes too");
}

#[test]
fn a_helper_value_with_a_line_break_is_one_value() {
    let Some(World { s: _s, _root, server: _server, home }) = world() else { return };
    let helper_key = format!("{}.helper", home.section);
    // The user's own helper over two lines (git keeps it as one value, written `\n`).
    let users = "!f() {\n  test \"$1\" = get && echo username=bitbucket-setup; }; f";
    home.add(&helper_key, users);
    // The app in a folder whose name holds a line break.
    let programs = tempfile::tempdir().unwrap();
    let app = copy_of_the_app(&programs.path().join("new\nline"), "bitbucket-setup");
    ok(home.app_at(&app, &["git", "setup"]), "git setup");
    let written = home.values("helper");
    assert_eq!(written.iter().filter(|v| v.contains("new\nline/bitbucket-setup") && v.ends_with(" git-credential")).count(), 1, "{written:?}");
    assert!(answered(&home.fill().expect("the app answers from that folder"), demo::SQAI_READY).1);
    ok(home.app_at(&app, &["git", "setup", "--undo"]), "undo");
    assert_eq!(home.values("helper"), vec![users.to_string()], "undo keeps the user's two-line helper whole and removes its own");
}

#[test]
fn each_git_credentials_export_answers_under_the_configuration_git_setup_writes() {
    let Some(World { s, _root, server, home }) = world() else { return };
    s.fake.add_token(FakeToken::project(PROJECT_TOKEN, "acme", "WEB", &["repository:write"]));
    s.fake.add_token(FakeToken::workspace(WORKSPACE_TOKEN, "acme", &["repository:write"]));
    s.fake.add_token(FakeToken::api(API_TOKEN, demo::ADMIN_EMAIL, "acme", &["read:repository:bitbucket", "write:repository:bitbucket"]));
    s.save("project", "project-token", "acme/website", "git", PROJECT_TOKEN, &[]);
    s.save("workspace", "workspace-token", "acme/website", "git", WORKSPACE_TOKEN, &[]);
    s.save("api", "api-token", "acme/website", "git", API_TOKEN, &["--email", demo::ADMIN_EMAIL]);
    // Git over HTTPS asks for a repository; a workspace-wide connection is saved for scripts.
    s.save("whole workspace", "workspace-token", "acme", "custom", WORKSPACE_TOKEN, &["--scope", "repository"]);
    let git_url = server.url();
    let env = [("BITBUCKET_GIT_URL", git_url.as_str())];
    // The configuration git setup writes, with git's store reading the export in the app's place.
    let helper_key = format!("{}.helper", home.section);
    home.add(&helper_key, "");
    let store_line = |file: &Path| format!("store --file={}", file.display());
    home.add(&format!("{}.useHttpPath", home.section), "true");
    for (name, user, token) in [
        ("web", "x-token-auth", demo::SQAI_READY),
        ("project", "x-token-auth", PROJECT_TOKEN),
        ("workspace", "x-token-auth", WORKSPACE_TOKEN),
        ("api", "x-bitbucket-api-token-auth", API_TOKEN),
    ] {
        let file = s.path(&format!("{}.git-credentials", bitbucket_setup_core::export::file_stem(name)));
        let out = s.run_env(&["export", name, "-f", "git-credentials", "-o", file.to_str().unwrap(), "--include-secret"], "", &env);
        assert!(out.status.success(), "export {name}: {}", text(&out.stderr));
        let contents = std::fs::read_to_string(&file).unwrap();
        assert_eq!(contents.lines().count(), 1, "{name}: one entry");
        home.add(&helper_key, &store_line(&file));
        let answer = home.fill();
        ok(home.git(&["config", "--global", "--fixed-value", "--unset", &helper_key, &store_line(&file)]), "take the store away");
        let answer = answer.unwrap_or_else(|| panic!("{name}: git's store gave no answer under useHttpPath"));
        assert_eq!(answered(&answer, token), (user.to_string(), true), "{name}: the export's entry does not answer");
        assert!(contents.trim_end().ends_with("/acme/website.git"), "{name}: the entry names the repository git asks for");
    }
    // Saved without a repository: a path-less entry, which git never matches under useHttpPath,
    // and the export says so.
    let file = s.path("whole-workspace.git-credentials");
    let out = s.run_env(&["export", "whole workspace", "-f", "git-credentials", "-o", file.to_str().unwrap(), "--include-secret"], "", &env);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success() && said.contains("useHttpPath is off"), "{said}");
    home.add(&helper_key, &store_line(&file));
    assert!(home.fill().is_none(), "a path-less entry answered under useHttpPath");
}
