//! The command line (`bitbucket-setup`), for people, scripts and git. It links no window: with no
//! arguments it starts the window program beside it ([`window`]).
//!
//! Arguments are parsed in [`args`] (a pure step, tested in-process); each group of commands has
//! its file and returns `Result<status, Failure>`; [`output`] prints, and [`exit_code`] is the
//! one place a cause becomes an exit status. The secret comes from standard input or
//! `BITBUCKET_TOKEN` ([`secret`]), never from an argument, so it cannot show up in `ps` or shell
//! history.

use std::ffi::OsString;

use bitbucket_setup_core::export::ExportError;
use bitbucket_setup_core::manage::{ExportFlowError, ManageError};
use bitbucket_setup_core::store::{Store, StoreError};

pub mod advice;
pub mod args;
mod check;
mod connections;
pub mod exit_code;
mod export;
mod git;
pub mod hints;
mod import;
mod output;
mod reminders;
mod replace;
mod secret;
mod send;
pub mod window;

use args::Command;
use output::tell;

/// Why a command stopped. `Display` is what the user reads after `error: `; the exit status is
/// [`exit_code::for_failure`]'s.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad usage or input; `problem` names it for `--json` ("bad_input", "not_cloud").
    #[error("{message}")]
    Input { problem: &'static str, message: String },
    /// Bad input that an error of the layers below describes (a value that cannot be a token, a
    /// check that cannot be made as asked, a name the list refuses), kept as the cause; `--json`
    /// names it "bad_input".
    #[error("{source}")]
    Invalid {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The program could not start its work.
    #[error("{0}")]
    Start(String),
    /// Standard output, a file or the keychain could not be written or read.
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `remove` could not remove the connection called `name` (boxed: it is large).
    #[error("{source} \"{name}\" was kept.")]
    NotRemoved {
        name: String,
        #[source]
        source: Box<StoreError>,
    },
    #[error(transparent)]
    Manage(#[from] ManageError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    GitSetup(#[from] bitbucket_setup_core::git::setup::SetupError),
    #[error(transparent)]
    Doctor(#[from] bitbucket_setup_core::git::doctor::DoctorError),
    /// Boxed: a refused export carries the re-check's report.
    #[error(transparent)]
    ExportFlow(Box<ExportFlowError>),
    /// `send`: boxed, as it may carry the store's error.
    #[error(transparent)]
    Send(Box<bitbucket_setup_core::deliver::n8n::SendError>),
    /// `reminders`: the daily job could not be registered, removed or asked about.
    #[error(transparent)]
    Remind(#[from] bitbucket_setup_core::remind::RemindError),
    /// `reminders run`: the notification could not be shown.
    #[error(transparent)]
    Notify(#[from] bitbucket_setup_core::remind::NotifyError),
}

impl From<bitbucket_setup_core::deliver::n8n::SendError> for Failure {
    fn from(e: bitbucket_setup_core::deliver::n8n::SendError) -> Failure {
        Failure::Send(Box::new(e))
    }
}

impl From<ExportFlowError> for Failure {
    fn from(e: ExportFlowError) -> Failure {
        Failure::ExportFlow(Box::new(e))
    }
}

impl Failure {
    /// Bad input, in the user's words.
    pub fn input(message: impl Into<String>) -> Failure {
        Failure::Input { problem: "bad_input", message: message.into() }
    }

    /// Bad input, as an error of the layers below says it (kept as the cause).
    pub fn invalid(source: impl std::error::Error + Send + Sync + 'static) -> Failure {
        Failure::Invalid { source: Box::new(source) }
    }
}

/// What a command returns: the exit status it ended with (from [`exit_code`]), or why it stopped.
type Exit = Result<i32, Failure>;

/// Runs the command line and returns the exit status.
pub fn main(argv: Vec<OsString>) -> i32 {
    let cli = match args::parse(argv) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { exit_code::USAGE } else { exit_code::OK };
        }
    };
    let as_json = wants_json(&cli.command);
    match run(cli.command) {
        Ok(status) => status,
        Err(failure) => {
            output::failure(&failure, as_json);
            exit_code::for_failure(&failure)
        }
    }
}

/// Whether the command prints its result, and so its input problems, as JSON.
fn wants_json(command: &Command) -> bool {
    match command {
        Command::Check(a) => a.json,
        Command::Save(a) => a.check.json,
        Command::Import(a) => a.json,
        Command::Replace(a) => a.json,
        Command::Git(args::GitArgs { command: args::GitCommand::Doctor(a) }) => a.json,
        _ => false,
    }
}

fn run(command: Command) -> Exit {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Start(format!("could not start: {e}")))?;
    match command {
        Command::Check(a) => runtime.block_on(check::check(a)),
        Command::Save(a) => runtime.block_on(check::save(a)),
        Command::List(a) => connections::list(a),
        Command::Test(a) => runtime.block_on(connections::test(a)),
        Command::Remove(a) => connections::remove(a),
        Command::Replace(a) => runtime.block_on(replace::replace(a)),
        Command::Token(a) => connections::token(a),
        Command::Export(a) => runtime.block_on(export::export(a)),
        Command::Import(a) => runtime.block_on(import::import(a)),
        Command::GitCredential(a) => git::credential(a),
        Command::Git(a) => git::git(a),
        Command::Send(a) => runtime.block_on(send::send(a)),
        Command::Reminders(a) => reminders::reminders(a, &runtime),
    }
}

/// The connections file and the keychain.
fn open_store() -> Result<Store, Failure> {
    Ok(Store::open_default()?)
}

/// Says what was set aside and not yet seen (every command, until `list` or the window has
/// shown it once). Returns whether there was anything.
fn report_set_aside(store: &Store) -> bool {
    let Ok(loaded) = store.list() else { return false };
    for aside in &loaded.set_aside {
        tell!("warning: {}", aside.message());
    }
    !loaded.set_aside.is_empty()
}

/// Refuses a name that is taken, before anything is checked with Bitbucket.
fn name_is_free(store: &Store, name: &str, advice: &str) -> Result<(), Failure> {
    match store.find(name) {
        Ok(Some(_)) => Err(Failure::input(format!("A connection called \"{}\" already exists. {advice}", name.trim()))),
        _ => Ok(()),
    }
}
