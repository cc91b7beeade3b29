//! `bitbucket-setup`: a subcommand (`check`, `token`, `git-credential`, ...) runs in this
//! process, which links no window and needs no display. No arguments: the wizard window, a
//! program of its own installed beside this one (`bitbucket-setup-window`).

fn main() {
    // First, before anything holds a token: no core dumps (see the module's notes). Best
    // effort: the app works without it, and the tests check that it took effect.
    let _ = bitbucket_setup_core::hardening::apply();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() > 1 {
        std::process::exit(bitbucket_setup::main(args));
    }
    std::process::exit(bitbucket_setup::window::start());
}
