//! Windows: `schtasks /Create /TN <name> /XML <file> /F` registers the task definition
//! ([`crate::remind::task_xml`]) for the user who runs it, `schtasks /Delete /TN <name> /F`
//! removes it (<https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/schtasks>).
//! A user may register tasks that run as themselves, so no administrator rights are needed.
//! schtasks registers a task whole or not at all, so a failure leaves nothing half-applied.
//!
//! The definition is written to a temporary file for schtasks to read, and removed after.

use std::io::Write as _;

use super::{Registered, Removed, State};
use crate::remind::error::RemindError;
use crate::remind::job::{Job, TASK_NAME};
use crate::remind::task_xml;
use crate::remind::tool::{self, Ran};

const SCHTASKS: &str = "schtasks";

fn schtasks(args: &[&str]) -> Result<Ran, RemindError> {
    tool::run(SCHTASKS, args)
}

/// "DOMAIN\name" of the user running this program, from the environment Windows gives it.
fn current_user() -> Option<String> {
    let name = std::env::var("USERNAME").ok().filter(|n| !n.trim().is_empty())?;
    Some(match std::env::var("USERDOMAIN").ok().filter(|d| !d.trim().is_empty()) {
        Some(domain) => format!("{domain}\\{name}"),
        None => name,
    })
}

pub fn on(job: &Job) -> Result<Registered, RemindError> {
    let xml = task_xml::render(job, current_user().as_deref());
    let dir = std::env::temp_dir();
    let write_err = |source| RemindError::Write { path: dir.clone(), source };
    let mut file = tempfile::Builder::new()
        .prefix("bitbucket-setup-reminders-")
        .suffix(".xml")
        .tempfile_in(&dir)
        .map_err(write_err)?;
    file.write_all(&task_xml::file_bytes(&xml)).map_err(write_err)?;
    file.as_file().sync_all().map_err(write_err)?;
    // Closed before schtasks opens it (it shares it for reading only); removed when dropped.
    let file = file.into_temp_path();
    let path = file
        .to_str()
        .ok_or_else(|| RemindError::NotText { path: crate::safe_text::visible(&file.to_string_lossy()) })?
        .to_string();
    let created = schtasks(&["/Create", "/TN", TASK_NAME, "/XML", &path, "/F"])?;
    if !created.ok {
        return Err(created.failed(true));
    }
    Ok(Registered { scheduler: "a Task Scheduler task", name: TASK_NAME.to_string(), files: Vec::new() })
}

pub fn off() -> Result<Removed, RemindError> {
    let deleted = schtasks(&["/Delete", "/TN", TASK_NAME, "/F"])?;
    if deleted.ok {
        return Ok(Removed::Removed);
    }
    // Not there at all is not a failure.
    if !schtasks(&["/Query", "/TN", TASK_NAME])?.ok {
        return Ok(Removed::WasOff);
    }
    Err(deleted.failed(false))
}

pub fn status() -> Result<State, RemindError> {
    let queried = schtasks(&["/Query", "/TN", TASK_NAME, "/XML", "ONE"])?;
    if !queried.ok {
        return Ok(State::Off);
    }
    // Without the NULs, in case schtasks writes UTF-16 to a pipe.
    if queried.stdout.replace('\0', "").contains("<Task") {
        return Ok(State::On { name: TASK_NAME.to_string(), last_run: None, next_run: None });
    }
    // Wine's schtasks, for one, has no /Query and prints nothing.
    Ok(State::Unknown { why: format!("schtasks /Query gave no answer about the task \"{TASK_NAME}\"") })
}
