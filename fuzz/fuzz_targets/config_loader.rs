#![cfg_attr(feature = "link_libfuzzer", no_main)]
//! Any bytes as the saved-connections file: never panics (a bad file is set aside, not lost).
use bitbucket_setup_core::store::connections;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = connections::parse(data);
});

/// Without libFuzzer (the workspace's own build and tests): replays the inputs named on the
/// command line (tests/seeds.rs replays the committed seeds).
#[cfg(not(feature = "link_libfuzzer"))]
fn main() -> std::process::ExitCode {
    bitbucket_setup_fuzz::replay()
}
