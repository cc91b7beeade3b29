//! With no arguments, `bitbucket-setup` opens the wizard: the window program installed beside
//! it (`bitbucket-setup-window`). On Linux and macOS this process becomes the window (`exec`),
//! so a desktop launcher, a terminal and a test see one process; on Windows it waits for the
//! window and ends with its status.

use std::process::Command;

use bitbucket_setup_core::exe;

use crate::exit_code;
use crate::output::tell;

/// Starts the window and returns the exit status to end with.
pub fn start() -> i32 {
    let Some(window) = std::env::current_exe().ok().and_then(|me| exe::window_for(&me)) else {
        tell!("error: Bitbucket Setup Assistant could not find its own program file, so it cannot open its window.");
        return exit_code::SOFTWARE;
    };
    if !window.is_file() {
        tell!(
            "error: the window of Bitbucket Setup Assistant is missing: {} is not there. Install the assistant again; the command line works without it (`{} --help`).",
            window.display(),
            exe::COMMAND_LINE
        );
        return exit_code::UNAVAILABLE;
    }
    let mut command = Command::new(&window);
    run(&mut command, &window)
}

#[cfg(unix)]
fn run(command: &mut Command, window: &std::path::Path) -> i32 {
    use std::os::unix::process::CommandExt;
    let err = command.exec();
    tell!("error: could not start {}: {err}", window.display());
    exit_code::SOFTWARE
}

#[cfg(not(unix))]
fn run(command: &mut Command, window: &std::path::Path) -> i32 {
    match command.status() {
        Ok(status) => status.code().unwrap_or(exit_code::SOFTWARE),
        Err(err) => {
            tell!("error: could not start {}: {err}", window.display());
            exit_code::SOFTWARE
        }
    }
}
