#![cfg_attr(feature = "link_libfuzzer", no_main)]
//! Any x-oauth-scopes header value: parsing is total and idempotent; expansion keeps the input.
use bitbucket_cloud::scopes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = scopes::parse_header(text);
    assert_eq!(once, scopes::parse_header(&once.join(", ")));
    let expanded = scopes::expand(&once);
    for s in &once {
        // Each scope is kept, under its canonical name when it has one ("Read:Me" → read:me).
        assert!(expanded.contains(s) || scopes::canonical(s).is_some_and(|c| expanded.contains(c)));
        let _ = scopes::label(s);
        let _ = scopes::is_powerful(s);
    }
});

/// Without libFuzzer (the workspace's own build and tests): replays the inputs named on the
/// command line (tests/seeds.rs replays the committed seeds).
#[cfg(not(feature = "link_libfuzzer"))]
fn main() -> std::process::ExitCode {
    bitbucket_setup_fuzz::replay()
}
