//! The command line's next steps, by error type, as gh's `printError` does: the layers below
//! say what went wrong, as facts (which file, which connection, which scope); this is the one
//! place where a fact becomes a flag to add or a command to type. The window has its own
//! (`window/src/advice/`).

use bitbucket_setup_core::shell::Program;

use bitbucket_setup_core::git::setup::SetupError;

use crate::Failure;

mod check;
pub mod export;
pub mod redeliver;
pub mod reminders;
pub mod send;
pub mod store;

/// What the user does next after `failure`, in this shell's words; `None` when the error's own
/// sentence says it all.
pub fn next_step(failure: &Failure, program: &Program) -> Option<String> {
    match failure {
        Failure::Store(e) => store::for_store(e, program),
        Failure::NotRemoved { source, .. } => store::for_store(source, program),
        Failure::Manage(e) => store::for_manage(e, program),
        Failure::Export(e) => export::for_export(e, program),
        Failure::ExportFlow(e) => export::for_export_flow(e, program),
        Failure::Send(e) => send::for_send(e, program),
        Failure::Remind(e) => reminders::for_remind(e, program),
        Failure::Notify(e) => reminders::for_notify(e, program),
        Failure::GitSetup(SetupError::NotARepository) => Some("Run it inside the repository, or add --global.".into()),
        _ => None,
    }
}
