//! `reminders on|off|status`: the daily job outside the app, and `reminders run`, what the job
//! runs. The job, its files and the notification are the domain's
//! (`bitbucket_setup_core::remind`); this file chooses the words on the terminal.

use std::io::IsTerminal as _;

use super::args::{RemindersArgs, RemindersCommand};
use super::output::{self, say};
use super::{exit_code, open_store, Exit, Failure};
use bitbucket_cloud::client::Timeouts;
use bitbucket_setup_core::remind::{self, Removed, State};
use bitbucket_setup_core::shell::Program;

/// When the job runs, in words that hold for each system's scheduler.
const WHEN: &str =
    "every day at midnight (a day missed while the computer was off or asleep is made up when it is next on)";

pub fn reminders(args: RemindersArgs, runtime: &tokio::runtime::Runtime) -> Exit {
    match args.command {
        RemindersCommand::On => on(),
        RemindersCommand::Off => off(),
        RemindersCommand::Status => status(),
        RemindersCommand::Run => run(runtime),
    }
}

fn on() -> Exit {
    let registered = remind::on()?;
    say!(
        "Reminders are on: {} ({}) checks your saved connections {WHEN}, and shows a notification when a token expires within 14 days or fails its check. When all is well it shows nothing.",
        registered.scheduler,
        registered.name
    );
    for file in &registered.files {
        say!("  {}", file.display());
    }
    say!("`{}` turns them off.", Program::current().command(&["reminders", "off"]));
    Ok(exit_code::OK)
}

fn off() -> Exit {
    match remind::off()? {
        Removed::Removed => say!("Reminders are off: the daily job is removed."),
        Removed::WasOff => say!("Reminders were already off: there was no daily job to remove."),
    }
    Ok(exit_code::OK)
}

fn status() -> Exit {
    match remind::status()? {
        State::On { name, last_run, next_run } => {
            say!("Reminders are on ({name}): the saved connections are checked {WHEN}.");
            match last_run {
                Some(when) => say!("  Last run: {when}"),
                None => say!("  Last run: not yet, or this system does not say."),
            }
            if let Some(when) = next_run {
                say!("  Next run: {when}");
            }
        }
        State::Off => say!("Reminders are off. `{}` turns them on.", Program::current().command(&["reminders", "on"])),
        State::Unknown { why } => say!("It is not known whether the reminders are on: {why}."),
    }
    Ok(exit_code::OK)
}

/// The job: each saved connection checked again, then one notification if anything is due.
/// At a terminal it also says what it found; otherwise (the job) it prints only what is due,
/// as the window program's `reminders run` does (`remind::run`, which Windows' task runs).
fn run(runtime: &tokio::runtime::Runtime) -> Exit {
    let store = open_store()?;
    let today = chrono::Local::now().date_naive();
    let words = bitbucket_setup_core::platform::here();
    let mut found = runtime.block_on(remind::run::find(&store, Timeouts::default(), today, &words))?;
    let at_terminal = std::io::stdout().is_terminal();
    if at_terminal {
        if found.retested.is_empty() {
            say!("No saved connections to check.");
        }
        for r in std::mem::take(&mut found.retested) {
            match r.outcome {
                Ok(report) if report.ok => say!("{}: checked, it works.", r.name),
                Ok(report) => say!("{}: {}", r.name, report.message),
                Err(e) => say!("{}: not checked now: {}", r.name, output::sentence(&Failure::from(e))),
            }
        }
    }
    let Some(notice) = &found.notice else {
        if at_terminal {
            say!("All is well: nothing to remind you of.");
        }
        return Ok(exit_code::OK);
    };
    for line in found.due_lines() {
        say!("{line}");
    }
    // A notification that cannot be shown is this command's failure (said on standard error,
    // with its own status), never a panic.
    remind::notify::show(notice)?;
    Ok(exit_code::NOT_READY)
}
