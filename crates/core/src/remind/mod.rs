//! Reminders outside the app: a daily job of the user's own (no administrator rights) that runs
//! the command line's check of the saved connections and shows a notification when a token
//! expires within 14 days or fails its check, and nothing at all when all is well. The app's
//! banner only helps when the app is opened; this reaches the user when it is not.
//!
//! * [`due`]: what is due, a pure function from the connections as the check left them to the
//!   alerts and the one notification that names them;
//! * [`check`]: the check itself (each connection re-tested, then seen as the connections view
//!   sees it);
//! * [`job`]: what the job runs, and its names; [`systemd`], [`launchd`], [`task_xml`]: the
//!   job as each system's file (pure, so each can be read and checked on any system);
//! * [`register`]: registering, removing and asking about the job on this system;
//! * [`notify`]: the notification, through the system's own service;
//! * [`run`]: the job's run, shared by the command line's `reminders run` and the window
//!   program's (which Windows' task starts, as it has no console window).
//!
//! Both front ends use [`on`], [`off`] and [`status`]; `reminders run` is what the job runs.

pub mod check;
pub mod due;
pub mod error;
// The job's files on disk: Linux and macOS write them; Task Scheduler keeps its own.
#[cfg(any(target_os = "linux", target_os = "macos", test))]
mod files;
pub mod job;
pub mod launchd;
pub mod notify;
pub mod register;
pub mod run;
pub mod systemd;
pub mod task_xml;
mod tool;
mod xml;

pub use check::{check_saved, Checked, Retested};
pub use due::{due, notice, Alert, Need, Notice, Observed};
pub use error::{NotifyError, RemindError};
pub use job::Job;
pub use register::{Registered, Removed, State};
pub use run::{Found, RunError};

/// Turns the reminders on for the command line installed with this program (the job is
/// registered again, and so updated, when it already is).
pub fn on() -> Result<Registered, RemindError> {
    register::on(&Job::for_this_program()?)
}

/// Turns the reminders off.
pub fn off() -> Result<Removed, RemindError> {
    register::off()
}

/// Whether the reminders are on.
pub fn status() -> Result<State, RemindError> {
    register::status()
}
