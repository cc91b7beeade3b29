//! Whether git reaches a repository now: `git ls-remote`, run the way the user's git runs, so
//! that the helper this app set up is what answers. Never waits for a prompt.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What `git ls-remote` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reach {
    pub ok: bool,
    /// The user's sentence.
    pub message: String,
}

/// Runs `git ls-remote --symref URL HEAD` for `place` ("acme/website"), within `timeout`.
pub fn ls_remote(url: &str, place: &str, timeout: Duration, cwd: &Path) -> Reach {
    let child = Command::new("git")
        .args(["ls-remote", "--symref", url, "HEAD"])
        .current_dir(cwd)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", if cfg!(windows) { "echo" } else { "false" })
        .env_remove("SSH_ASKPASS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return Reach { ok: false, message: "git is not installed (or not on the PATH), so it could not be tried. Install git, then try again.".into() };
    };
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < timeout => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Reach { ok: false, message: format!("git did not answer within {} seconds. Check the network, then try again.", timeout.as_secs()) };
            }
        }
    }
    let Ok(out) = child.wait_with_output() else {
        return Reach { ok: false, message: "git's answer could not be read.".into() };
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        let branch = stdout.lines().find_map(|l| l.strip_prefix("ref: refs/heads/")?.split('\t').next().map(str::to_string));
        let message = match branch {
            Some(b) => format!("git reached {place} with the saved token (default branch {b})."),
            None => format!("git reached {place} with the saved token."),
        };
        return Reach { ok: true, message };
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
    let first = crate::safe_text::visible_clip(first, 200);
    let message = if stderr.contains("Authentication failed") || stderr.contains("could not read Username") || stderr.contains(" 401") || stderr.contains(" 403") {
        format!("git was refused at {place}: no saved token was accepted ({first}). Re-test the connection; if the token is revoked or expired, replace it.")
    } else {
        format!("git could not reach {place}: {first}")
    };
    Reach { ok: false, message }
}
