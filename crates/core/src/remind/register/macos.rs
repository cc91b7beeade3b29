//! macOS: the agent's property list goes to `~/Library/LaunchAgents`, and
//! `launchctl bootstrap gui/<uid>` loads it into the user's own launchd domain (`bootout`
//! takes it out): no administrator rights. See launchctl(1):
//! <https://keith.github.io/xcode-man-pages/launchctl.1.html>.

use std::path::PathBuf;

use super::{Registered, Removed, State};
use crate::remind::error::RemindError;
use crate::remind::files::{self, Written};
use crate::remind::job::{Job, LAUNCHD_LABEL};
use crate::remind::launchd;
use crate::remind::tool::{self, Ran};

const LAUNCHCTL: &str = "launchctl";

/// `~/Library/LaunchAgents/org.bitbucket-setup.reminders.plist`.
pub fn plist_path() -> Result<PathBuf, RemindError> {
    let home = dirs::home_dir().ok_or(RemindError::NoFolder { what: "home folder" })?;
    Ok(home.join("Library/LaunchAgents").join(launchd::file_name()))
}

/// The user's launchd domain, `gui/<uid>`.
fn domain() -> String {
    // SAFETY: getuid cannot fail and touches no memory of ours.
    format!("gui/{}", unsafe { libc::getuid() })
}

fn launchctl(args: &[&str]) -> Result<Ran, RemindError> {
    tool::run(LAUNCHCTL, args)
}

pub fn on(job: &Job) -> Result<Registered, RemindError> {
    let path = plist_path()?;
    let path_text = path
        .to_str()
        .ok_or_else(|| RemindError::NotText { path: crate::safe_text::visible(&path.to_string_lossy()) })?
        .to_string();
    let domain = domain();
    let service = format!("{domain}/{LAUNCHD_LABEL}");
    let was_loaded = launchctl(&["print", &service])?.ok;
    let mut written = Written::default();
    written.write(&path, launchd::render(job).as_bytes())?;
    // A loaded agent keeps its old definition until it is taken out and loaded again.
    if was_loaded {
        let _ = launchctl(&["bootout", &service]);
    }
    let bootstrap = launchctl(&["bootstrap", &domain, &path_text])?;
    if bootstrap.ok {
        return Ok(Registered {
            scheduler: "a launchd agent",
            name: LAUNCHD_LABEL.to_string(),
            files: written.paths(),
        });
    }
    // Nothing half-applied: the file as it was, and loaded again if it was.
    written.undo();
    if was_loaded && path.exists() {
        let _ = launchctl(&["bootstrap", &domain, &path_text]);
    }
    Err(bootstrap.failed(true))
}

pub fn off() -> Result<Removed, RemindError> {
    let path = plist_path()?;
    let service = format!("{}/{LAUNCHD_LABEL}", domain());
    let loaded = launchctl(&["print", &service])?.ok;
    if loaded {
        let bootout = launchctl(&["bootout", &service])?;
        if !bootout.ok {
            return Err(bootout.failed(false));
        }
    }
    let had_file = files::remove(&path)?;
    Ok(if loaded || had_file { Removed::Removed } else { Removed::WasOff })
}

pub fn status() -> Result<State, RemindError> {
    let service = format!("{}/{LAUNCHD_LABEL}", domain());
    let printed = launchctl(&["print", &service])?;
    if !printed.ok {
        return Ok(if plist_path()?.exists() {
            State::Unknown {
                why: format!(
                    "The agent's file is in place, but launchd has not loaded it ({})",
                    printed.said().trim_end_matches('.')
                ),
            }
        } else {
            State::Off
        });
    }
    // `launchctl print` counts the runs and keeps the last exit status; it says nothing of when.
    let value = |key: &str| {
        printed
            .stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(key)?.trim().strip_prefix('='))
            .map(|v| v.trim().to_string())
    };
    let last_run = match (value("runs"), value("last exit code")) {
        (Some(runs), _) if runs == "0" => None,
        (Some(runs), Some(code)) => Some(format!("{runs} runs so far, the last one ended with {code}")),
        (Some(runs), None) => Some(format!("{runs} runs so far")),
        _ => None,
    };
    Ok(State::On { name: LAUNCHD_LABEL.to_string(), last_run, next_run: None })
}
