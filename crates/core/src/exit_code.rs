//! Every exit status of the command line and the window, one table. The mapping from what went
//! wrong to a status is the command line's (`cli/exit_code.rs`), except for what both programs
//! run: the daily job's `reminders run` ([`for_reminders_run`], which Windows' task runs in the
//! window program), and the causes it shares with the command line ([`for_store`],
//! [`for_notify`]), which `cli/exit_code.rs` uses from here. README's "Exit status" table is
//! this table.

use crate::remind::{Found, NotifyError, RunError};
use crate::store::StoreError;

/// Valid and sufficient; or the command did what was asked.
pub const OK: i32 = 0;
/// The credential authenticates but lacks scopes or access; an export refused as unvalidated.
pub const NOT_READY: i32 = 1;
/// Bitbucket rejected the credential (revoked, expired, mistyped, retired app password).
pub const REJECTED: i32 = 2;
/// The network, a rate limit, or Bitbucket itself (nothing known about the credential).
pub const TROUBLE: i32 = 3;
/// Bad usage or input: a wrong argument, an unusable file, a name that does not exist.
pub const USAGE: i32 = 64;
/// A part of the system is missing: the window's (on Windows, Microsoft Edge WebView2 Runtime),
/// or the reminders' (a user service manager or scheduler, a notification service) (BSD
/// `EX_UNAVAILABLE`).
pub const UNAVAILABLE: i32 = 69;
/// The program itself could not start its work (BSD `EX_SOFTWARE`).
pub const SOFTWARE: i32 = 70;
/// An output file could not be created: it exists (without --force), its folder is missing,
/// or it is not a regular file (BSD `EX_CANTCREAT`).
pub const CANNOT_CREATE: i32 = 73;
/// The keychain or the connections file could not be read or written (BSD `EX_IOERR`).
pub const IO: i32 = 74;

/// The table, for the README and `--help`: (status, meaning).
pub const TABLE: [(i32, &str); 9] = [
    (OK, "valid and sufficient, or done"),
    (NOT_READY, "authenticates but lacks scopes or access; or an export refused as unvalidated; or a reminder was due"),
    (REJECTED, "Bitbucket rejected the credential"),
    (TROUBLE, "network, rate limit or server trouble"),
    (USAGE, "bad usage or input"),
    (UNAVAILABLE, "a part of the system is missing: the window's (WebView2 on Windows), or the reminders' (a user service manager, a notification service)"),
    (SOFTWARE, "the program could not start its work"),
    (CANNOT_CREATE, "an output file could not be created"),
    (IO, "the keychain or the connections file could not be read or written"),
];

/// The saved connections could not be read or written: bad input when the user's own input is
/// the cause (a name, a description), otherwise the keychain's or the file's trouble.
pub fn for_store(e: &StoreError) -> i32 {
    match e {
        StoreError::Connections(c) if c.is_input() => USAGE,
        _ => IO,
    }
}

/// A notification that could not be shown: the system's notification service is missing.
pub fn for_notify(_e: &NotifyError) -> i32 {
    UNAVAILABLE
}

/// `reminders run`, in either program: something due (and shown) is [`NOT_READY`], as a
/// connection that needs the user is in `test`; nothing due is [`OK`].
pub fn for_reminders_run(result: &Result<Found, RunError>) -> i32 {
    match result {
        Ok(found) if found.notice.is_some() => NOT_READY,
        Ok(_) => OK,
        Err(RunError::Start(_)) => SOFTWARE,
        Err(RunError::Store(e)) => for_store(e),
        Err(RunError::Notify(e)) => for_notify(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remind::{notice, Alert, Need};
    use crate::store::connections::ConnectionsError;

    #[test]
    fn the_jobs_status_says_whether_something_was_due() {
        let alerts = vec![Alert { name: "a".into(), need: Need::TokenMissing, sentence: "a.".into() }];
        let due = Found { retested: Vec::new(), notice: notice(&alerts), alerts };
        assert_eq!(for_reminders_run(&Ok(due)), NOT_READY);
        let well = Found { retested: Vec::new(), alerts: Vec::new(), notice: None };
        assert_eq!(for_reminders_run(&Ok(well)), OK);
        let unseen = RunError::Notify(NotifyError::NotShown { detail: "x.".into() });
        assert_eq!(for_reminders_run(&Err(unseen)), UNAVAILABLE);
        let unread = RunError::Store(StoreError::Connections(ConnectionsError::NoConfigDir));
        assert_eq!(for_reminders_run(&Err(unread)), IO);
        let dup = StoreError::Connections(ConnectionsError::DuplicateName { name: "x".into() });
        assert_eq!(for_store(&dup), USAGE);
    }
}
