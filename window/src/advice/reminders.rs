//! The window's words for [`RemindError`]: why the "Daily reminders outside the app" switch
//! could not be turned on or off. The domain's sentences name the system's tool with its flags
//! (`systemctl --user ...`), as the command line shows them; the window says what happened
//! instead, and where no daily job can be registered, that the banner of this window still warns.

use crate::commands::UiError;
use crate::remind::RemindError;

/// Where the reminders cannot run, what still warns of a token about to expire.
pub const BANNER_STILL_WARNS: &str = "The banner at the top of this window still warns you of a token that expires within 14 days or has expired, each time you open it.";

/// What the user does next in the window after `e`, when its sentence does not say it all.
pub fn for_remind(e: &RemindError) -> Option<&'static str> {
    match e {
        RemindError::NoUserManager { .. } | RemindError::ToolMissing { .. } | RemindError::Unsupported => {
            Some(BANNER_STILL_WARNS)
        }
        RemindError::ToolFailed { undone: false, .. } => {
            Some("Part of the daily job may still be registered: the switch shows how it stands now.")
        }
        _ => None,
    }
}

/// The sentence of `e` in the window's words (no command with its flags).
fn sentence(e: &RemindError) -> String {
    match e {
        RemindError::NoUserManager { detail } => format!(
            "No daily job can be registered here: this computer runs no service manager for your user session (systemd), as on a server, in a container, or on a desktop that does not start one. Nothing was changed. (systemctl said: {detail})"
        ),
        RemindError::ToolFailed { command, message, undone } => {
            // The tool's name without its flags: "systemctl", "launchctl", "schtasks".
            let tool = command.split_whitespace().next().unwrap_or("The system's scheduler");
            let changed = if *undone { " Nothing was changed." } else { "" };
            format!("The system's scheduler ({tool}) refused the daily job: {message}{changed}")
        }
        e => e.to_string(),
    }
}

impl From<RemindError> for UiError {
    fn from(e: RemindError) -> UiError {
        let error = UiError::new(sentence(&e));
        match for_remind(&e) {
            Some(step) => UiError::new(format!("{} {step}", error.message)),
            None => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<RemindError> {
        vec![
            RemindError::NoProgram,
            RemindError::NotText { path: "/opt/a\\nb".into() },
            RemindError::NoFolder { what: "settings folder (XDG_CONFIG_HOME or HOME)" },
            RemindError::Write {
                path: "/home/a/.config/systemd/user/x.timer".into(),
                source: std::io::ErrorKind::PermissionDenied.into(),
            },
            RemindError::Remove {
                path: "/home/a/.config/systemd/user/x.timer".into(),
                source: std::io::ErrorKind::PermissionDenied.into(),
            },
            RemindError::NoUserManager { detail: "Failed to connect to bus: No such file or directory.".into() },
            RemindError::ToolMissing { tool: "systemctl", detail: "No such file or directory (os error 2)".into() },
            RemindError::ToolFailed {
                command: "systemctl --user enable --now bitbucket-setup-reminders.timer".into(),
                message: "Access denied.".into(),
                undone: true,
            },
            RemindError::ToolFailed {
                command: "schtasks /Delete /TN x".into(),
                message: "Access denied.".into(),
                undone: false,
            },
            RemindError::Unsupported,
        ]
    }

    #[test]
    fn no_command_line_words_in_the_window() {
        for e in all() {
            let what = format!("{e:?}");
            let ui = UiError::from(e);
            for cli in ["--", "schtasks /", "`", "bitbucket-setup reminders", "test --all"] {
                assert!(!ui.message.contains(cli), "{what}: {cli:?} in {}", ui.message);
            }
            assert!(ui.message.ends_with('.') || ui.message.ends_with(')'), "{what}: {}", ui.message);
        }
    }

    #[test]
    fn without_a_user_session_it_says_what_that_means_and_that_the_banner_still_warns() {
        let ui =
            UiError::from(RemindError::NoUserManager { detail: "Failed to connect to bus: No medium found.".into() });
        assert!(
            ui.message.starts_with(
                "No daily job can be registered here: this computer runs no service manager for your user session"
            ),
            "{}",
            ui.message
        );
        assert!(
            ui.message.contains("Nothing was changed. (systemctl said: Failed to connect to bus: No medium found.)"),
            "{}",
            ui.message
        );
        assert!(ui.message.ends_with(BANNER_STILL_WARNS), "{}", ui.message);
        assert!(UiError::from(RemindError::Unsupported).message.ends_with(BANNER_STILL_WARNS));
    }

    #[test]
    fn a_refusal_names_the_tool_and_whether_anything_changed() {
        let ui = UiError::from(RemindError::ToolFailed {
            command: "systemctl --user enable --now bitbucket-setup-reminders.timer".into(),
            message: "Access denied.".into(),
            undone: true,
        });
        assert_eq!(
            ui.message,
            "The system's scheduler (systemctl) refused the daily job: Access denied. Nothing was changed."
        );
        let ui = UiError::from(RemindError::ToolFailed {
            command: "schtasks /Delete".into(),
            message: "Access denied.".into(),
            undone: false,
        });
        assert!(ui.message.ends_with("the switch shows how it stands now."), "{}", ui.message);
        assert!(!ui.message.contains("Nothing was changed"), "{}", ui.message);
    }
}
