//! Linux: the units go to the user's own unit folder (`$XDG_CONFIG_HOME/systemd/user`, which
//! systemd's user manager reads: systemd.unit(5), "User Unit Search Path"), then
//! `systemctl --user daemon-reload` and `systemctl --user enable --now` the timer. No
//! administrator rights: it is the user's own service manager.
//!
//! Before anything is written, `systemctl --user` must reach that manager: on a server, in a
//! container or on a desktop that does not run on systemd there is none, and the files would
//! do nothing.

use std::path::PathBuf;

use super::{Registered, Removed, State};
use crate::remind::error::RemindError;
use crate::remind::files::{self, Written};
use crate::remind::job::Job;
use crate::remind::systemd;
use crate::remind::tool::{self, Ran};

const SYSTEMCTL: &str = "systemctl";

/// `$XDG_CONFIG_HOME/systemd/user` (`~/.config/systemd/user`).
pub fn unit_folder() -> Result<PathBuf, RemindError> {
    Ok(dirs::config_dir()
        .ok_or(RemindError::NoFolder { what: "settings folder (XDG_CONFIG_HOME or HOME)" })?
        .join("systemd/user"))
}

fn systemctl(args: &[&str]) -> Result<Ran, RemindError> {
    let mut all = vec!["--user"];
    all.extend_from_slice(args);
    tool::run(SYSTEMCTL, &all)
}

/// Whether `systemctl --user` reaches the user's service manager; `Err` says what it said.
fn manager() -> Result<(), RemindError> {
    let ran = systemctl(&["show", "--property=Version"])?;
    if ran.ok {
        Ok(())
    } else {
        Err(RemindError::NoUserManager { detail: ran.said() })
    }
}

pub fn on(job: &Job) -> Result<Registered, RemindError> {
    manager()?;
    let folder = unit_folder()?;
    let units = systemd::render(job);
    let timer = systemd::timer_name();
    let was_enabled = systemctl(&["is-enabled", "--quiet", &timer])?.ok;
    let mut written = Written::default();
    let step = (|| {
        written.write(&folder.join(systemd::service_name()), units.service.as_bytes())?;
        written.write(&folder.join(&timer), units.timer.as_bytes())?;
        let reload = systemctl(&["daemon-reload"])?;
        if !reload.ok {
            return Err(reload.failed(true));
        }
        let enable = systemctl(&["enable", "--now", &timer])?;
        if !enable.ok {
            return Err(enable.failed(true));
        }
        Ok(())
    })();
    match step {
        Ok(()) => Ok(Registered { scheduler: "a systemd user timer", name: timer, files: written.paths() }),
        Err(e) => {
            // Nothing half-applied: `enable --now` may have made the timer's link before its
            // start failed.
            if !was_enabled {
                let _ = systemctl(&["disable", &timer]);
            }
            written.undo();
            let _ = systemctl(&["daemon-reload"]);
            Err(e)
        }
    }
}

pub fn off() -> Result<Removed, RemindError> {
    let folder = unit_folder()?;
    let timer = systemd::timer_name();
    let paths = [folder.join(systemd::service_name()), folder.join(&timer)];
    let reachable = manager().is_ok();
    let mut was_there = paths.iter().any(|p| p.exists());
    if reachable && was_there {
        let disable = systemctl(&["disable", "--now", &timer])?;
        if !disable.ok {
            return Err(disable.failed(false));
        }
    }
    // The link `enable` made, also when the manager cannot be asked to remove it.
    was_there |= files::remove(&folder.join("timers.target.wants").join(&timer))?;
    for path in &paths {
        files::remove(path)?;
    }
    if reachable && was_there {
        let reload = systemctl(&["daemon-reload"])?;
        if !reload.ok {
            return Err(reload.failed(false));
        }
    }
    Ok(if was_there { Removed::Removed } else { Removed::WasOff })
}

pub fn status() -> Result<State, RemindError> {
    let folder = unit_folder()?;
    let timer = systemd::timer_name();
    let in_place = folder.join(&timer).exists();
    if let Err(e) = manager() {
        let detail = match e {
            RemindError::NoUserManager { detail } => detail,
            other => return Err(other),
        };
        return Ok(if in_place {
            State::Unknown {
                why: format!("The timer's files are in {}, but systemctl --user could not reach your user session's service manager to say whether it runs (systemctl said: {detail})", folder.display()),
            }
        } else {
            State::Off
        });
    }
    if !systemctl(&["is-enabled", "--quiet", &timer])?.ok {
        return Ok(State::Off);
    }
    let shown = systemctl(&["show", &timer, "--property=LastTriggerUSec", "--property=NextElapseUSecRealtime"])?;
    let value = |key: &str| {
        shown
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "n/a" && *v != "0")
            .map(str::to_string)
    };
    Ok(State::On { name: timer.clone(), last_run: value("LastTriggerUSec"), next_run: value("NextElapseUSecRealtime") })
}
