//! Why the reminder job could not be registered, removed or asked about, and why a notification
//! could not be shown: the facts, in plain sentences. Each front end adds its own next step by
//! variant (`cli/advice/`).

use std::path::PathBuf;

/// Why `reminders on`, `off` or `status` could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum RemindError {
    /// This program cannot find its own file, so the job would not know what to run.
    #[error(
        "The reminders could not be set up: this program cannot find its own file, which the daily job would run."
    )]
    NoProgram,
    /// A path (the program's, the settings folder's) holds something the job's file cannot
    /// say: bytes that are not text, or a control character.
    #[error("The reminders could not be set up: the path {path} cannot be written into the daily job's file (it holds characters that are not text).")]
    NotText { path: String },
    /// The user's folder for the job's file is not known.
    #[error("The reminders could not be set up: this system does not say where your {what} is.")]
    NoFolder { what: &'static str },
    /// The job's file (or its folder) could not be written.
    #[error("The daily job's file {path} could not be written: {source}. Nothing was changed.")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The job's file could not be removed.
    #[error("The daily job's file {path} could not be removed: {source}.")]
    Remove {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `systemctl --user` reached no service manager of the user's session (a server, a
    /// container, a desktop that does not run on systemd). `detail` is what systemctl said.
    #[error("systemctl --user could not reach your user session's service manager, so no daily job can be registered here. Nothing was changed. (systemctl said: {detail})")]
    NoUserManager { detail: String },
    /// The system's tool for jobs is not installed or could not be started.
    #[error("The reminders need {tool}, which could not be started: {detail}. Nothing was changed.")]
    ToolMissing { tool: &'static str, detail: String },
    /// A command of the system's tool failed; `message` is its own, shortened. `undone` says
    /// whether what had been written was taken back.
    #[error("{command} failed: {message}{}", if *undone { " Nothing was changed." } else { "" })]
    ToolFailed { command: String, message: String, undone: bool },
    /// The system has no job scheduler this app knows.
    #[error("Reminders outside the app are not available on this system.")]
    Unsupported,
}

/// Why a notification could not be shown: no notification service answered (on Linux,
/// nothing owns org.freedesktop.Notifications on the session bus, or there is no session bus),
/// or the one that did refused. `detail` is the system's own words, shortened.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("The notification could not be shown: {detail}")]
    NotShown { detail: String },
}

/// The longest piece of another program's message an error repeats.
pub(crate) const MESSAGE_MAX_CHARS: usize = 300;

/// Another program's message, on one line and at most [`MESSAGE_MAX_CHARS`] long, made safe to
/// show.
pub(crate) fn clipped(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = one_line.trim_end_matches('.');
    let said = if trimmed.is_empty() { "it gave no reason" } else { trimmed };
    format!("{}.", crate::safe_text::visible_clip(said, MESSAGE_MAX_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_programs_message_is_one_short_line() {
        assert_eq!(
            clipped("Failed to connect to bus:\n  No such file or directory\n"),
            "Failed to connect to bus: No such file or directory."
        );
        assert_eq!(clipped("  "), "it gave no reason.");
        let long = "x".repeat(1000);
        assert!(clipped(&long).chars().count() <= MESSAGE_MAX_CHARS + 1);
        assert_eq!(clipped("a\u{1b}[31mred"), "a\\u{1b}[31mred.");
    }

    #[test]
    fn a_failed_command_says_whether_anything_changed() {
        let undone = RemindError::ToolFailed {
            command: "systemctl --user daemon-reload".into(),
            message: "Access denied.".into(),
            undone: true,
        };
        assert_eq!(undone.to_string(), "systemctl --user daemon-reload failed: Access denied. Nothing was changed.");
        let kept = RemindError::ToolFailed {
            command: "schtasks /Delete".into(),
            message: "Access denied.".into(),
            undone: false,
        };
        assert_eq!(kept.to_string(), "schtasks /Delete failed: Access denied.");
    }
}
