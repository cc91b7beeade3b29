//! Next steps for `reminders`: what to do where no daily job can be registered, and where the
//! check ran but its notification could not be shown.

use bitbucket_setup_core::remind::{NotifyError, RemindError};
use bitbucket_setup_core::shell::Program;

pub fn for_remind(e: &RemindError, program: &Program) -> Option<String> {
    match e {
        // A server or a container: no user session to hold a timer; the user's own scheduler
        // (cron, say) can run the same check.
        RemindError::NoUserManager { .. } | RemindError::ToolMissing { .. } | RemindError::Unsupported => Some(format!(
            "Where no daily job can be registered, have your own scheduler run `{}` every day: it checks every saved connection and ends with a status other than 0 when one needs you.",
            program.command(&["test", "--all"])
        )),
        RemindError::ToolFailed { undone: false, .. } => Some(format!("`{}` says what is still registered.", program.command(&["reminders", "status"]))),
        _ => None,
    }
}

pub fn for_notify(_e: &NotifyError, program: &Program) -> Option<String> {
    Some(format!(
        "The check itself ran and was recorded: `{}` shows how each connection stands.",
        program.command(&["list"])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitbucket_setup_core::shell::Shell;

    #[test]
    fn without_a_user_session_the_check_is_offered_for_another_scheduler() {
        let program = Program::named(Shell::Posix);
        let step =
            for_remind(&RemindError::NoUserManager { detail: "Failed to connect to bus.".into() }, &program).unwrap();
        assert!(step.contains("`bitbucket-setup test --all`"), "{step}");
        assert_eq!(for_remind(&RemindError::NoProgram, &program), None, "the sentence says it all");
        let shown = for_notify(&NotifyError::NotShown { detail: "x".into() }, &program).unwrap();
        assert!(shown.contains("`bitbucket-setup list`"), "{shown}");
    }
}
