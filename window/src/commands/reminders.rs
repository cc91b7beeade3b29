//! The "Daily reminders outside the app" switch of the saved connections: whether the daily job
//! is registered, and turning it on or off. The job, its files and its scheduler are the
//! domain's ([`crate::remind`]); this file says the state in the window's words.
//!
//! Registering runs the system's scheduler tool (systemctl, launchctl, schtasks) and waits for
//! it, so each command does its work on the blocking pool, never on the thread that draws the
//! window.

use std::path::Path;

use serde::Serialize;

use super::UiError;
use crate::remind::{self, Job, State};

/// When the job runs, in words that hold for each system's scheduler (as the command line says
/// it).
const WHEN: &str = "every day at midnight, or as soon as the computer is on again after a missed day";

/// What the switch shows.
#[derive(Debug, Serialize)]
pub struct RemindersView {
    /// "on", "off" or "unknown" (the job's files are there, but the scheduler did not say
    /// whether it runs).
    state: &'static str,
    /// The sentence beside the switch.
    message: String,
}

/// Whether the reminders are on.
#[tauri::command]
pub async fn reminders_status() -> Result<RemindersView, UiError> {
    off_the_ui_thread(|| Ok(view_of(remind::status()?))).await
}

/// Turns the reminders on or off; then says how they stand, as [`reminders_status`] does.
#[tauri::command]
pub async fn reminders_set(on: bool) -> Result<RemindersView, UiError> {
    off_the_ui_thread(move || {
        if on {
            turn_on()?;
        } else {
            remind::off()?;
        }
        Ok(view_of(remind::status()?))
    })
    .await
}

async fn off_the_ui_thread<F>(work: F) -> Result<RemindersView, UiError>
where
    F: FnOnce() -> Result<RemindersView, UiError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work).await.unwrap_or_else(|_| {
        Err(UiError::new("The reminders could not be changed: the work stopped unexpectedly. Nothing more was done."))
    })
}

/// Registers the job for the program [`Job::for_this_program`] names: from the window, the
/// command line installed beside it (`crate::exe::command_line`). A job that names a program
/// which is not there would fail every day without a word, so that is refused first.
fn turn_on() -> Result<(), UiError> {
    let job = Job::for_this_program()?;
    if !Path::new(&job.program).is_file() {
        return Err(missing_program(&job.program));
    }
    remind::register::on(&job)?;
    Ok(())
}

fn missing_program(program: &str) -> UiError {
    UiError::new(format!(
        "The reminders could not be turned on: the daily job would run {}, which is not there. Nothing was changed. Installing Bitbucket Setup Assistant again puts it back.",
        crate::safe_text::visible(program)
    ))
}

/// The sentence for `state`.
fn view_of(state: State) -> RemindersView {
    match state {
        State::On { next_run, .. } => {
            let mut message = format!("On: your saved connections are checked {WHEN}.");
            if let Some(next) = next_run {
                message.push_str(&format!(" Next check: {next}."));
            }
            RemindersView { state: "on", message }
        }
        State::Off => RemindersView {
            state: "off",
            message: "Off: only this window warns you, when it is open.".to_string(),
        },
        State::Unknown { .. } => RemindersView {
            state: "unknown",
            message: "It is not known whether the reminders are on: the daily job is in place, but this system's scheduler did not say whether it runs. Turning the switch on registers it again; off removes it.".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_has_its_own_words() {
        let on = view_of(State::On {
            name: "bitbucket-setup-reminders.timer".into(),
            last_run: None,
            next_run: Some("Fri 2026-12-04 00:00:00 UTC".into()),
        });
        assert_eq!(on.state, "on");
        assert!(on.message.starts_with("On: your saved connections are checked every day"), "{}", on.message);
        assert!(on.message.ends_with("Next check: Fri 2026-12-04 00:00:00 UTC."), "{}", on.message);
        let on = view_of(State::On { name: "x".into(), last_run: None, next_run: None });
        assert!(!on.message.contains("Next check"), "{}", on.message);
        assert_eq!(view_of(State::Off).state, "off");
        let unknown = view_of(State::Unknown { why: "systemctl --user said no".into() });
        assert_eq!(unknown.state, "unknown");
        assert!(!unknown.message.contains("--"), "{}", unknown.message);
    }

    #[test]
    fn a_missing_program_is_named_and_nothing_is_registered() {
        let e = missing_program("/opt/app/bitbucket-setup");
        assert!(
            e.message.contains("/opt/app/bitbucket-setup, which is not there. Nothing was changed."),
            "{}",
            e.message
        );
    }
}
