//! The one mapping from what went wrong to an exit status, so the same cause gives the same
//! status in every command. The statuses themselves are the table in
//! `bitbucket_setup_core::exit_code`, shared with the window. The errors of the layers below
//! carry no status: it is decided here, except for the causes of `reminders run`, which the
//! window program runs too (Windows' task starts it): those are decided there, once for both.

pub use bitbucket_setup_core::exit_code::*;

use super::Failure;
use bitbucket_cloud::validate::{Problem, Report};
use bitbucket_setup_core::deliver::n8n::SendError;
use bitbucket_setup_core::export::ExportError;
use bitbucket_setup_core::manage::{ExportFlowError, ManageError};
use bitbucket_setup_core::remind::RemindError;


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
        Failure::Input { .. } | Failure::Invalid { .. } => USAGE,
        Failure::Start(_) => SOFTWARE,
        Failure::Store(e) => for_store(e),
        Failure::Io(_) | Failure::NotRemoved { .. } => IO,
        Failure::Manage(e) => for_manage(e),
        Failure::Export(e) => for_export(e),
        Failure::ExportFlow(e) => for_export_flow(e),
        Failure::GitSetup(bitbucket_setup_core::git::setup::SetupError::NotARepository) => USAGE,
        Failure::GitSetup(_) => SOFTWARE,
        Failure::Doctor(_) => IO,
        Failure::Send(e) => for_send(e),
        Failure::Remind(e) => for_remind(e),
        Failure::Notify(e) => for_notify(e),
    }
}

/// `reminders`: no scheduler to register with is a part of the system that is missing; a file
/// that cannot be written is I/O; a scheduler that refused, or a program that cannot name
/// itself, is the program's trouble.
pub fn for_remind(e: &RemindError) -> i32 {
    match e {
        RemindError::NoUserManager { .. } | RemindError::ToolMissing { .. } | RemindError::Unsupported => UNAVAILABLE,
        RemindError::Write { .. } => CANNOT_CREATE,
        RemindError::Remove { .. } | RemindError::NoFolder { .. } => IO,
        RemindError::NoProgram | RemindError::NotText { .. } | RemindError::ToolFailed { .. } => SOFTWARE,
    }
}

/// `send`: what the user gave (an address, a key, a connection n8n cannot take) is bad input;
/// no answer or a failing server is trouble; the keychain or the connections file is I/O.
pub fn for_send(e: &SendError) -> i32 {
    match e {
        SendError::BadAddress { .. }
        | SendError::NotEncrypted { .. }
        | SendError::NeedsApiToken { .. }
        | SendError::MissingEmail
        | SendError::Unsendable(_)
        | SendError::NoKey { .. }
        | SendError::KeyNotText
        | SendError::WrongKey { .. }
        | SendError::MissingScope { .. }
        | SendError::NoApi { .. }
        | SendError::WebPage { .. }
        | SendError::UnknownType { .. }
        | SendError::FieldsDiffer { .. }
        | SendError::TooOld { .. }
        | SendError::Declined { .. } => USAGE,
        SendError::ConnectionRefused { .. }
        | SendError::NameNotFound { .. }
        | SendError::Tls { .. }
        | SendError::Timeout { .. }
        | SendError::Network { .. }
        | SendError::ServerError { .. }
        | SendError::Unexpected { .. } => TROUBLE,
        SendError::ClientSetup { .. } => SOFTWARE,
        SendError::Store(e) if matches!(&**e, bitbucket_setup_core::store::StoreError::Connections(c) if c.is_input()) => USAGE,
        SendError::Store(_) | SendError::NotRecorded { .. } => IO,
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
        ManageError::Store(bitbucket_setup_core::store::StoreError::Connections(e)) | ManageError::Connections(e) if e.is_input() => USAGE,
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
    fn a_refused_key_is_bad_input_and_an_unreachable_n8n_is_trouble() {
        assert_eq!(for_failure(&Failure::from(SendError::WrongKey { address: "x".into() })), USAGE);
        assert_eq!(for_send(&SendError::MissingScope { address: "x".into(), scope: "credential:create" }), USAGE);
        assert_eq!(for_send(&SendError::ConnectionRefused { address: "x".into() }), TROUBLE);
        assert_eq!(for_send(&SendError::Tls { host: "x".into() }), TROUBLE);
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
        use bitbucket_setup_core::store::connections::ConnectionsError;
        use bitbucket_setup_core::store::StoreError;
        let dup = || ConnectionsError::DuplicateName { name: "x".into() };
        assert_eq!(for_manage(&ManageError::Store(StoreError::Connections(dup()))), USAGE);
        assert_eq!(for_manage(&ManageError::Connections(ConnectionsError::DescriptionHasControlCharacters)), USAGE);
        assert_eq!(for_failure(&Failure::Store(StoreError::Connections(dup()))), USAGE);
        assert_eq!(for_manage(&ManageError::Store(StoreError::Connections(ConnectionsError::Busy { seconds: 10 }))), IO);
        assert_eq!(for_failure(&Failure::Store(StoreError::Connections(ConnectionsError::NoConfigDir))), IO);
    }
}
