//! Registering the daily job with this system's own scheduler, for the user alone and without
//! administrator rights: a systemd user timer on Linux ([`linux`]), a launchd agent on macOS
//! ([`macos`]), a Task Scheduler task on Windows ([`windows`]). Each module is built on its
//! own system only; the files they register are rendered by [`super::systemd`],
//! [`super::launchd`] and [`super::task_xml`], which build everywhere.
//!
//! Registering again replaces the job (a program that moved is then run from its new place).
//! A registration that fails half-way puts back what it wrote.

use std::path::PathBuf;


#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as here;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as here;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as here;

/// A job registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// What kind of job it is, in words: "a systemd user timer".
    pub scheduler: &'static str,
    /// Its name in the scheduler: the timer unit, the agent's label, the task's name.
    pub name: String,
    /// The files written (none on Windows, where Task Scheduler keeps the definition).
    pub files: Vec<PathBuf>,
}

/// What turning the reminders off found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    Removed,
    /// There was no job to remove.
    WasOff,
}

/// Whether the job is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Registered, under `name`; when it last ran and runs next, as the scheduler says it,
    /// when it says so cheaply.
    On {
        name: String,
        last_run: Option<String>,
        next_run: Option<String>,
    },
    Off,
    /// The scheduler could not be asked; `why` says so, as a sentence without its full stop.
    Unknown {
        why: String,
    },
}

// Each system's module has `on` (register `job` to run every day, or register it again),
// `off` (remove it) and `status` (whether it is registered).
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
pub use here::{off, on, status};
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub use unsupported::{off, on, status};

/// A system with no scheduler this app knows.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod unsupported {
    use super::{Registered, Removed, State};
    use crate::remind::error::RemindError;
    use crate::remind::job::Job;

    pub fn on(_job: &Job) -> Result<Registered, RemindError> {
        Err(RemindError::Unsupported)
    }

    pub fn off() -> Result<Removed, RemindError> {
        Err(RemindError::Unsupported)
    }

    pub fn status() -> Result<State, RemindError> {
        Err(RemindError::Unsupported)
    }
}
