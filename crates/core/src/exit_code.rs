//! Every exit status of the command line and the window, one table. The mapping from what went
//! wrong to a status is the command line's (`cli/exit_code.rs`); README's "Exit status" table
//! is this table.

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
