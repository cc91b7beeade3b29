//! Every exit status of the command line, and the one mapping from what went wrong to a status,
//! so the same cause gives the same status in every command. README's "Exit status" table is
//! this table. The errors of the layers below carry no status: it is decided here, and only
//! here.

use super::Failure;
use crate::bitbucket::validate::{Problem, Report};
use crate::export::ExportError;
use crate::manage::{ExportFlowError, ManageError};

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
/// A part of the system the window needs is not installed: on Windows, Microsoft Edge
/// WebView2 Runtime (BSD `EX_UNAVAILABLE`).
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
    (NOT_READY, "authenticates but lacks scopes or access; or an export refused as unvalidated"),
    (REJECTED, "Bitbucket rejected the credential"),
    (TROUBLE, "network, rate limit or server trouble"),
    (USAGE, "bad usage or input"),
    (UNAVAILABLE, "the window cannot open: a part of the system it needs is missing (WebView2 on Windows)"),
    (SOFTWARE, "the program could not start its work"),
    (CANNOT_CREATE, "an output file could not be created"),
    (IO, "the keychain or the connections file could not be read or written"),
];

/// A check's problem.
pub fn for_problem(p: Problem) -> i32 {
    match p {
        Problem::MissingScopes | Problem::NotFound | Problem::WrongTokenForLocation | Problem::NotRepositoryAdmin => NOT_READY,
        Problem::Unauthorized
        | Problem::AppPasswordRetired
        | Problem::ApiTokenNeedsEmail
        | Problem::UnscopedApiToken
        | Problem::PublicRepoWithoutValidCredential => REJECTED,
        Problem::RateLimited | Problem::ServerError | Problem::UnexpectedResponse | Problem::Network => TROUBLE,
        Problem::WrongCredentialKind | Problem::NotCloud => USAGE,
    }
}

/// A check's report.
pub fn for_report(r: &Report) -> i32 {
    match r.problem {
        None if r.ok => OK,
        None => NOT_READY,
        Some(p) => for_problem(p),
    }
}

/// A command that stopped: usage, a domain error, or a refusal that carries its own status.
pub fn for_failure(f: &Failure) -> i32 {
    match f {
        Failure::Input { .. } => USAGE,
        Failure::Start(_) => SOFTWARE,
        Failure::Store(crate::store::StoreError::Connections(e)) if e.is_input() => USAGE,
        Failure::Io(_) | Failure::Store(_) => IO,
        Failure::Manage(e) => for_manage(e),
        Failure::Export(e) => for_export(e),
        Failure::ExportFlow(e) => for_export_flow(e),
        Failure::GitSetup(crate::git::setup::SetupError::NotARepository) => USAGE,
        Failure::GitSetup(_) => SOFTWARE,
        Failure::Doctor(_) => IO,
    }
}

/// The export flow: refused as unvalidated gives what the re-check gave, and at least
/// [`NOT_READY`].
pub fn for_export_flow(e: &ExportFlowError) -> i32 {
    match e {
        ExportFlowError::Export(e) => for_export(e),
        ExportFlowError::Manage(e) => for_manage(e),
        ExportFlowError::Unvalidated { checked, .. } => match checked.as_deref() {
            Some(Ok(report)) => for_report(report),
            Some(Err(e)) => for_manage(e),
            None => NOT_READY,
        }
        .max(NOT_READY),
    }
}

pub fn for_export(e: &ExportError) -> i32 {
    match e {
        ExportError::Exists { .. } | ExportError::NoFolder { .. } | ExportError::IsFolder { .. } | ExportError::NotRegular { .. } => CANNOT_CREATE,
        ExportError::Io { .. } => IO,
        _ => USAGE,
    }
}

pub fn for_manage(e: &ManageError) -> i32 {
    match e {
        ManageError::NotValid(_) => NOT_READY,
        // A name taken meanwhile, a description the list refuses: the user's input.
        ManageError::Store(crate::store::StoreError::Connections(e)) | ManageError::Connections(e) if e.is_input() => USAGE,
        ManageError::Store(_) | ManageError::Connections(_) => IO,
        _ => USAGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_complete_and_distinct() {
        let codes: std::collections::BTreeSet<i32> = TABLE.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes.len(), TABLE.len());
        for p in [Problem::MissingScopes, Problem::Unauthorized, Problem::Network, Problem::NotCloud] {
            assert!(codes.contains(&for_problem(p)));
        }
    }

    #[test]
    fn a_file_that_cannot_be_created_is_cannot_create() {
        let path = std::path::PathBuf::from("x");
        assert_eq!(for_export(&ExportError::NotRegular { path: path.clone(), what: "a named pipe" }), CANNOT_CREATE);
        assert_eq!(for_export(&ExportError::Exists { path }), CANNOT_CREATE);
        assert_eq!(for_export(&ExportError::MissingEmail), USAGE);
    }

    #[test]
    fn a_name_or_description_the_list_refuses_is_bad_input_and_a_busy_file_is_not() {
        use crate::store::connections::ConnectionsError;
        use crate::store::StoreError;
        let dup = || ConnectionsError::DuplicateName { name: "x".into() };
        assert_eq!(for_manage(&ManageError::Store(StoreError::Connections(dup()))), USAGE);
        assert_eq!(for_manage(&ManageError::Connections(ConnectionsError::DescriptionHasControlCharacters)), USAGE);
        assert_eq!(for_failure(&Failure::Store(StoreError::Connections(dup()))), USAGE);
        assert_eq!(for_manage(&ManageError::Store(StoreError::Connections(ConnectionsError::Busy { seconds: 10 }))), IO);
        assert_eq!(for_failure(&Failure::Store(StoreError::Connections(ConnectionsError::NoConfigDir))), IO);
    }
}
