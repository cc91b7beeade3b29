//! The daily job's run, as both programs run it: the command line's `reminders run` (Linux's
//! and macOS's jobs, and a user at a terminal) and the window program's (Windows' task, which
//! starts the window program because it has no console: a console program would flash a
//! console window up once a day). Each connection is re-tested, what is due is decided
//! ([`super::due`]), printed, and shown as one notification ([`super::notify`]).
//!
//! [`find`] is the part both share; [`unattended`] is the whole run as a job runs it, with no
//! terminal to talk to: it prints only what is due (a job's output goes to its log, where
//! there is one). Its exit status is [`crate::exit_code::for_reminders_run`]'s, the same as the
//! command line's for the same causes.

use chrono::NaiveDate;

use super::check::{check_saved, Retested};
use super::due::{due, notice, Alert, Notice};
use super::error::NotifyError;
use crate::bitbucket::client::Timeouts;
use crate::platform::Words;
use crate::store::{Store, StoreError};

/// What the job found.
#[derive(Debug)]
pub struct Found {
    /// Each connection's re-test, in the list's order.
    pub retested: Vec<Retested>,
    /// What needs the user, most urgent first.
    pub alerts: Vec<Alert>,
    /// The one notification for [`Found::alerts`]; `None` when all is well.
    pub notice: Option<Notice>,
}

impl Found {
    /// What the job prints about what is due: the notification's title, then one line per
    /// connection. Nothing when all is well.
    pub fn due_lines(&self) -> Vec<String> {
        let Some(notice) = &self.notice else { return Vec::new() };
        let mut lines = vec![format!("{}:", notice.summary)];
        lines.extend(self.alerts.iter().map(|a| format!("  {}", a.sentence)));
        lines
    }
}

/// Why the job stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The job could not start its work (no async runtime).
    #[error("The reminders' check could not start: {0}.")]
    Start(String),
    /// The saved connections could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something is due, and the notification that says so could not be shown.
    #[error(transparent)]
    Notify(#[from] NotifyError),
}

/// Every saved connection re-tested, and what is due on `today`, in `words`' system's words.
pub async fn find(store: &Store, timeouts: Timeouts, today: NaiveDate, words: &Words) -> Result<Found, StoreError> {
    let checked = check_saved(store, timeouts, today).await?;
    let alerts = due(&checked.observed, words);
    let notice = notice(&alerts);
    Ok(Found { retested: checked.retested, alerts, notice })
}

/// The whole job with no terminal: the saved connections of this user (the default store),
/// re-tested today, what is due handed to `print` line by line, then the notification.
pub fn unattended(print: &mut dyn FnMut(&str)) -> Result<Found, RunError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Start(e.to_string()))?;
    let store = Store::open_default()?;
    let today = chrono::Local::now().date_naive();
    let found = runtime.block_on(find(&store, Timeouts::default(), today, &crate::platform::here()))?;
    for line in found.due_lines() {
        print(&line);
    }
    if let Some(notice) = &found.notice {
        super::notify::show(notice)?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remind::due::Need;

    fn alert(name: &str) -> Alert {
        Alert {
            name: name.into(),
            need: Need::TokenMissing,
            sentence: format!("\"{name}\": its token is no longer in the keychain."),
        }
    }

    #[test]
    fn what_is_due_is_printed_as_the_title_then_one_line_each() {
        let alerts = vec![alert("a"), alert("b")];
        let found = Found { retested: Vec::new(), notice: notice(&alerts), alerts };
        assert_eq!(
            found.due_lines(),
            [
                "2 Bitbucket connections need attention:",
                "  \"a\": its token is no longer in the keychain.",
                "  \"b\": its token is no longer in the keychain.",
            ]
        );
        let well = Found { retested: Vec::new(), alerts: Vec::new(), notice: None };
        assert!(well.due_lines().is_empty(), "nothing printed when all is well");
    }
}
