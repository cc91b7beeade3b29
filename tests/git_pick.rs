//! Which saved token the git credential helper gives for each repository, with real git against
//! a Bitbucket-like git server (tests/fake-bitbucket/src/git_http.rs) and the real Secret
//! Service, or through the helper's protocol directly: a project token whose project may not
//! hold the repository comes after a workspace token, a token refused at a repository is not
//! offered there again while another may work, a refusal at one repository (a mistyped name)
//! does not mark the connection for the others, plain http goes only to this computer, and
//! input that is not git's is read only up to git's limit.

mod support;

use std::process::{Command, Output, Stdio};

use fake_bitbucket::git_http::{make_bare_repository, GitServer};
use fake_bitbucket::{demo, FakeToken};
use support::cli_session::{text, CliSession as Session};

const PROJECT_TOKEN: &str = "ATCTT3xFfGN0gitPickinProjectTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D01";
const WORKSPACE_TOKEN: &str = "ATCTT3xFfGN0gitPickinWorkspaceTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D02";
const API_TOKEN: &str = "ATATT3xFfGF0gitPickinApiTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D03";

/// A session with the project, workspace and API tokens known to the fake Bitbucket (the
/// project token's project, WEB, holds acme/website only), a throwaway HOME whose git asks only
/// this app, and a git server with acme/website and acme/other that lets in `accepted` only.
struct World {
    s: Session,
    _root: tempfile::TempDir,
    server: GitServer,
    home: tempfile::TempDir,
}

impl World {
    fn new(accepted: &[(&str, &str)]) -> Option<World> {
        let s = Session::start()?;
        if support::require("git", support::runs("git", &["--version"])) {
            return None;
        }
        s.fake.add_token(FakeToken::project(PROJECT_TOKEN, "acme", demo::PROJECT_WEB, &["repository:write"]));
        s.fake.add_token(FakeToken::workspace(WORKSPACE_TOKEN, "acme", &["repository:write"]));
        s.fake.add_token(FakeToken::api(API_TOKEN, demo::ADMIN_EMAIL, "acme", &["read:repository:bitbucket", "write:repository:bitbucket"]));
        let root = tempfile::tempdir().unwrap();
        make_bare_repository(root.path(), "acme", "website").unwrap();
        make_bare_repository(root.path(), "acme", "other").unwrap();
        let server = GitServer::start(root.path(), accepted.iter().map(|(u, p)| (u.to_string(), p.to_string())).collect()).unwrap();
        let w = World { s, _root: root, server, home: tempfile::tempdir().unwrap() };
        ok(w.app(&["git", "setup"], ""), "git setup");
        Some(w)
    }

    /// Saves `token` for git, checked against `place` (git's preset needs a repository).
    fn save(&self, name: &str, credential: &str, place: &str, token: &str) {
        let extra: &[&str] = if credential == "api-token" { &["--email", demo::ADMIN_EMAIL] } else { &[] };
        self.s.save(name, credential, place, "git", token, extra);
    }

    /// This HOME's environment, git's host as `git_url` (the git server's unless given).
    fn env(&self, git_url: Option<&str>) -> Vec<(String, String)> {
        let home = self.home.path().display().to_string();
        vec![
            ("HOME".into(), home.clone()),
            ("XDG_CONFIG_HOME".into(), format!("{home}/.config")),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            ("GIT_TERMINAL_PROMPT".into(), "0".into()),
            ("GIT_ASKPASS".into(), "/bin/false".into()),
            ("BITBUCKET_GIT_URL".into(), git_url.map(str::to_string).unwrap_or_else(|| self.server.url())),
            ("BITBUCKET_API_URL".into(), self.s.fake.base_url()),
        ]
    }

    fn app_at(&self, git_url: Option<&str>, args: &[&str], stdin: &str) -> Output {
        let env = self.env(git_url);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        support::run_cli_in(self.home.path(), args, stdin, &env, self.s.config.path())
    }

    fn app(&self, args: &[&str], stdin: &str) -> Output {
        self.app_at(None, args, stdin)
    }

    /// `git ls-remote` of acme/`repo`, as the user runs it.
    fn ls_remote(&self, repo: &str) -> Output {
        let mut cmd = Command::new("git");
        cmd.args(["ls-remote", &format!("{}/acme/{repo}.git", self.server.url())]).current_dir(self.home.path()).stdin(Stdio::null());
        cmd.env("BITBUCKET_SETUP_CONFIG_DIR", self.s.config.path()).env_remove("SSH_ASKPASS").env_remove("BITBUCKET_TOKEN");
        for (k, v) in self.env(None) {
            cmd.env(k, v);
        }
        cmd.output().expect("git")
    }

    /// What `git-credential OP` says for acme/`repo` (with `password`, for store and erase).
    fn helper(&self, op: &str, repo: &str, password: Option<&str>) -> Output {
        let host = self.server.url().trim_start_matches("http://").to_string();
        let password = password.map(|p| format!("username=x-token-auth\npassword={p}\n")).unwrap_or_default();
        self.app(&["git-credential", op], &format!("protocol=http\nhost={host}\npath=acme/{repo}.git\n{password}\n"))
    }

    /// The token `get` gives for acme/`repo`, named by which constant it is.
    fn given(&self, repo: &str) -> &'static str {
        let out = ok(self.helper("get", repo, None), "get");
        let password = out.lines().find_map(|l| l.strip_prefix("password=")).unwrap_or("");
        [("project", PROJECT_TOKEN), ("workspace", WORKSPACE_TOKEN), ("api", API_TOKEN)]
            .into_iter()
            .find(|(_, t)| *t == password)
            .map(|(n, _)| n)
            .unwrap_or("nothing")
    }

    fn status(&self, name: &str) -> String {
        self.s.connection(name).map(|c| c["status"].as_str().unwrap_or_default().to_string()).unwrap_or_default()
    }
}

fn ok(out: Output, what: &str) -> String {
    let hide = |t: String| [PROJECT_TOKEN, WORKSPACE_TOKEN, API_TOKEN].iter().fold(t, |t, s| t.replace(s, "<token>"));
    assert!(out.status.success(), "{what} failed ({:?}):\n{}\n{}", out.status.code(), hide(text(&out.stdout)), hide(text(&out.stderr)));
    text(&out.stdout)
}

/// The project token was checked against acme/website; whether its project holds acme/other is
/// unknown. The workspace token reaches every repository of the workspace, so git gets it first
/// there, and gets in at once.
#[test]
fn a_workspace_token_comes_before_a_project_token_of_unknown_membership() {
    let Some(w) = World::new(&[("x-token-auth", WORKSPACE_TOKEN)]) else { return };
    w.save("project", "project-token", "acme/website", PROJECT_TOKEN);
    w.save("workspace", "workspace-token", "acme/website", WORKSPACE_TOKEN);
    assert_eq!(w.given("other"), "workspace");
    assert_eq!(w.given("website"), "project", "the repository its check reached");
    ok(w.ls_remote("other"), "git ls-remote acme/other, first try");
    assert_eq!(w.status("project"), "valid", "the project token was never refused");
    // git's `store` after it got in: the workspace token is now known to reach acme/other.
    let workspace = w.s.connection("workspace").unwrap();
    assert!(workspace["reaches"].as_array().is_some_and(|r| r.iter().any(|p| p == "acme/other")), "{workspace}");
}

/// With no workspace token, the project token is the narrowest that may reach acme/other and is
/// offered first; its project does not hold acme/other, so git is refused. The next time, the
/// API token is offered there, and the project token is not marked as failing: it still reaches
/// its own repository.
#[test]
fn a_token_refused_at_a_repository_is_not_offered_there_again() {
    let Some(w) = World::new(&[("x-bitbucket-api-token-auth", API_TOKEN)]) else { return };
    w.save("project", "project-token", "acme/website", PROJECT_TOKEN);
    w.save("api", "api-token", "acme/website", API_TOKEN);
    assert_eq!(w.given("other"), "project");
    let first = w.ls_remote("other");
    assert!(!first.status.success(), "the server let the project token into another project's repository");
    assert!(text(&first.stderr).contains("refused at acme/other"), "{}", text(&first.stderr));
    assert_eq!(w.given("other"), "api", "after the refusal");
    ok(w.ls_remote("other"), "git ls-remote acme/other, second try");
    assert_eq!(w.given("website"), "project", "refused at acme/other only");
    assert_eq!(w.status("project"), "valid", "{:?}", w.s.connection("project"));
    for again in 0..2 {
        ok(w.ls_remote("other"), &format!("git ls-remote acme/other, again ({again})"));
    }
}

/// A 401 at a mistyped repository name: the workspace token is not marked as failing, and is
/// still given for the repository it reaches. Refused at the repository its check reached, it is.
#[test]
fn a_refusal_at_a_mistyped_repository_does_not_mark_the_connection() {
    let Some(w) = World::new(&[("x-token-auth", WORKSPACE_TOKEN)]) else { return };
    w.save("workspace", "workspace-token", "acme/website", WORKSPACE_TOKEN);
    assert_eq!(w.given("webiste"), "workspace");
    let erased = w.helper("erase", "webiste", Some(WORKSPACE_TOKEN));
    assert!(text(&erased.stderr).contains("refused at acme/webiste"), "{}", text(&erased.stderr));
    assert_eq!(w.status("workspace"), "valid", "{:?}", w.s.connection("workspace"));
    assert_eq!(w.given("website"), "workspace");
    assert_eq!(w.given("other"), "workspace");
    assert_eq!(w.given("webiste"), "workspace", "nothing else may work there: offered again");
    ok(w.ls_remote("website"), "git ls-remote acme/website");

    let erased = w.helper("erase", "website", Some(WORKSPACE_TOKEN));
    assert!(text(&erased.stderr).contains("needing attention"), "{}", text(&erased.stderr));
    assert_eq!(w.status("workspace"), "needs_attention");
}

/// `BITBUCKET_GIT_URL=http://127.evil.example` names a host on the network, not this computer:
/// the helper does not answer for it, so no token goes there over plain http. The git server's
/// `http://127.0.0.1:PORT` is this computer, and gets its answer.
#[test]
fn plain_http_only_to_this_computer() {
    let Some(w) = World::new(&[("x-token-auth", WORKSPACE_TOKEN)]) else { return };
    w.save("workspace", "workspace-token", "acme/website", WORKSPACE_TOKEN);
    for host in ["127.evil.example", "127.0.0.1.evil.example", "localhost.evil.example"] {
        let out = w.app_at(Some(&format!("http://{host}")), &["git-credential", "get"], &format!("protocol=http\nhost={host}\npath=acme/website.git\n\n"));
        assert!(out.status.success() && out.stdout.is_empty(), "{host} got an answer over plain http");
    }
    let host = w.server.url().trim_start_matches("http://").to_string();
    let out = w.app(&["git-credential", "get"], &format!("protocol=http\nhost={host}\npath=acme/website.git\n\n"));
    assert!(ok(out, "get").contains("username=x-token-auth\n"));
}

/// Peak memory (KiB) of `bitbucket-setup git-credential get` fed `total` bytes made by `chunk`,
/// with its exit status and standard error. Measured by wait4's rusage, so the whole life of
/// the process counts.
#[cfg(unix)]
#[allow(clippy::zombie_processes, reason = "waited for by wait4, which also gives its peak memory")]
fn helper_fed(config: &std::path::Path, total: usize, chunk: Vec<u8>) -> (i64, Option<i32>, String) {
    use std::io::Write;
    let mut child = support::cli_command(&["git-credential", "get"], &[], config).spawn().expect("the app binary");
    let mut stdin = child.stdin.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut sent = 0;
        while sent < total {
            // The helper stops reading at its limit and exits: the pipe then breaks.
            if stdin.write_all(&chunk).is_err() {
                break;
            }
            sent += chunk.len();
        }
    });
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    writer.join().unwrap();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (usage.ru_maxrss, code, reader.join().unwrap())
}

/// 300 MB of zeros, and a 300 MB line with no line break: the helper reads up to git's limit
/// on a line, says the request is not git's, and ends with the usage status, its memory no
/// larger than when it answers git's own short request (the program alone takes tens of MiB:
/// the window's libraries are loaded).
#[cfg(unix)]
#[test]
fn input_that_is_not_git_is_read_only_to_the_limit() {
    let config = tempfile::tempdir().unwrap();
    let (baseline_kib, code, err) = helper_fed(config.path(), 1, b"protocol=https\nhost=github.com\npath=a/b.git\n\n".to_vec());
    assert_eq!(code, Some(0), "{err}");
    for (what, chunk) in [("300 MB of zeros", vec![0u8; 1 << 20]), ("a 300 MB line", vec![b'x'; 1 << 20])] {
        let (peak_kib, code, err) = helper_fed(config.path(), 300_000_000, chunk);
        assert_eq!(code, Some(64), "{what}: {err}");
        assert!(err.contains("longer than git writes"), "{what}: {err}");
        let grew_mib = (peak_kib - baseline_kib) / 1024;
        assert!(grew_mib < 16, "{what}: the helper's memory grew by {grew_mib} MiB (to {} MiB; {} MiB for git's own request)", peak_kib / 1024, baseline_kib / 1024);
    }
}
