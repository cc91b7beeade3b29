//! `bitbucket-setup-window reminders run`: the daily job as Windows' task runs it. The task
//! starts this program rather than the command line because this one has no console (see
//! `windows_subsystem` in main.rs): a console program would flash a console window up once a
//! day. It does what `bitbucket-setup reminders run` does when no terminal is attached
//! (`bitbucket_setup_core::remind::run`), with the same exit status, and opens no window:
//! `main` calls [`run_if_asked`] before anything of Tauri starts.

use std::ffi::OsString;

use bitbucket_setup_core::remind::{job::RUN_ARGS, run};

/// When this program was started with exactly [`RUN_ARGS`], runs the job and ends the process
/// with its status; otherwise returns, and the window opens as usual.
pub fn run_if_asked() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args != RUN_ARGS {
        return;
    }
    // Printed for a log where one is attached; with none (the task), the lines go nowhere.
    let result = run::unattended(&mut |line| println!("{}", crate::safe_text::for_terminal(line)));
    if let Err(e) = &result {
        eprintln!("{}", crate::safe_text::for_terminal(&format!("error: {e}")));
    }
    std::process::exit(crate::exit_code::for_reminders_run(&result));
}
