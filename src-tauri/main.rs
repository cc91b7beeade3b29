// No console window on Windows in release builds; the command-line mode attaches to the
// parent console through its own output.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! No arguments: the wizard window. A subcommand (`check`, ...): command-line mode, which
//! never opens a window and needs no display.

fn main() {
    // First, before anything holds a token: no core dumps (see the module's notes). Best
    // effort: the app works without it, and the tests check that it took effect.
    let _ = bitbucket_setup::hardening::apply();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() > 1 {
        std::process::exit(bitbucket_setup::cli::main(args));
    }
    // Before any thread starts (see the module's notes).
    bitbucket_setup::renderer::apply_default();
    bitbucket_setup::run();
}
