//! Shared test helpers: a throwaway config directory, the app binary, and prerequisites that
//! must fail loudly under CI instead of skipping.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::io::Write;

/// The variable WebKitGTK reads for its renderer; the window sets it (window/src/renderer.rs).
pub const DMABUF_VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

pub mod app;
pub mod check;
pub mod cli_session;
pub mod keychain;
pub mod webdriver;
pub mod git_home;
pub mod n8n;
#[cfg(unix)]
pub mod systemd;
pub mod wine;

/// A port on 127.0.0.1 that was free a moment ago, for a server the test starts (WebKitWebDriver,
/// n8n) to listen on. Unlike [`RefusedPort`], it is not kept: the server must take it.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

/// A port on 127.0.0.1 where every connection is refused, for as long as this value lives.
///
/// The port is bound but never listened on, so the system refuses a connection to it, and no
/// other program can take it meanwhile. Binding a listener and dropping it would leave the port
/// free, and a test program running beside this one (a fake server, a WebDriver, an n8n on a
/// port of the system's choosing) could get it and answer.
pub struct RefusedPort {
    _socket: socket2::Socket,
    pub port: u16,
}

impl RefusedPort {
    pub fn new() -> RefusedPort {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a TCP socket");
        socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into()).expect("bind a port on 127.0.0.1");
        let port = socket.local_addr().ok().and_then(|a| a.as_socket()).expect("the bound port").port();
        RefusedPort { _socket: socket, port }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The command line cargo built for these tests.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bitbucket-setup"))
}

/// The window program beside it. Another package of the workspace: `cargo build --workspace`
/// (the test command's first step) builds it; cargo cannot make a test depend on it.
pub fn window_binary() -> PathBuf {
    let window = app_binary().with_file_name(format!("bitbucket-setup-window{}", std::env::consts::EXE_SUFFIX));
    assert!(window.is_file(), "{} is missing: build it first (cargo build --workspace)", window.display());
    window
}

/// Whether `program` is on PATH, as the shell finds it (`command -v`).
pub fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// True under CI (`CI=true`), where a missing prerequisite is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false)
}

/// Panics under CI, otherwise prints a loud SKIPPED line; returns whether to skip.
pub fn require(what: &str, available: bool) -> bool {
    if available {
        return false;
    }
    if in_ci() {
        panic!("prerequisite missing under CI=true: {what}");
    }
    // Straight to the process's stderr, past the test harness's output capture, so the skip
    // is seen even though the test "passes".
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "\nSKIPPED (not under CI): prerequisite missing: {what}\n");
    true
}

/// Runs the CLI with the token on standard input (never as an argument).
pub fn run_cli(args: &[&str], stdin: &str, env: &[(&str, &str)], config_dir: &Path) -> Output {
    run(cli_command(args, env, config_dir), stdin)
}

/// The app binary in command-line mode, with a throwaway config folder and no token or API
/// address inherited from the environment.
pub fn cli_command(args: &[&str], env: &[(&str, &str)], config_dir: &Path) -> Command {
    let mut cmd = Command::new(app_binary());
    cmd.args(args)
        .env("BITBUCKET_SETUP_CONFIG_DIR", config_dir)
        .env_remove("BITBUCKET_TOKEN")
        .env_remove("BITBUCKET_API_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd.spawn().expect("start the app binary");
    // A command that fails on its arguments exits without reading: a broken pipe is fine.
    let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
    child.wait_with_output().expect("wait for the app binary")
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Fails if any file under `dir` contains `needle` ("no file holds the token"). Returns how
/// many files were looked at, so a caller can tell that there was something to look at.
pub fn assert_no_file_contains(dir: &Path, needle: &str) -> usize {
    let files = files_under(dir);
    let hits: Vec<&PathBuf> = files.iter().filter(|p| contains(p, needle)).collect();
    assert!(hits.is_empty(), "the secret is in plain files: {hits:?}");
    files.len()
}

fn contains(path: &Path, needle: &str) -> bool {
    std::fs::read(path).map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes())).unwrap_or(false)
}

/// Files under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|p| contains(p, needle)).collect()
}

/// Like [`run_cli`], run in `cwd` (so default output files land there).
pub fn run_cli_in(cwd: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)], config_dir: &Path) -> Output {
    let mut cmd = cli_command(args, env, config_dir);
    cmd.current_dir(cwd);
    run(cmd, stdin)
}

/// Whether the OS keychain answers (on Linux: a Secret Service on the session bus).
pub fn keychain_available() -> bool {
    use bitbucket_setup_core::store::secrets::{KeyringStore, SecretStore, SecretStoreError};
    matches!(
        KeyringStore::new().get(&uuid::Uuid::new_v4().to_string()),
        Ok(_) | Err(SecretStoreError::NotFound)
    )
}

/// Whether `program args…` runs and exits 0.
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// `cmd`'s output, where `cmd` runs a program file this test has just written (a copy of the
/// app). Such a file may be briefly "busy" (ETXTBSY): another test thread that forked while the
/// file was open for writing holds that descriptor until its child execs. Tried again then, as
/// Go's os/exec does.
pub fn output_of_fresh_copy(cmd: &mut Command) -> Output {
    let mut tries = 0;
    loop {
        match cmd.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.expect("run the copy of the app"),
        }
    }
}
