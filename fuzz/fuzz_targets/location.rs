#![cfg_attr(feature = "link_libfuzzer", no_main)]
//! Any text pasted as a Bitbucket address: never panics; what it accepts follows the slug rules.
use bitbucket_cloud::location;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match location::parse(text) {
        Ok(loc) => {
            assert!(!loc.workspace.is_empty());
            let again = location::parse(&loc.web_url()).expect("what was understood parses again");
            assert_eq!(again.workspace, loc.workspace);
            assert_eq!(again.repository, loc.repository);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let mid = (0..=text.len() / 2).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let (a, b) = text.split_at(mid);
    let _ = location::parse_parts(a, Some(b));
});

/// Without libFuzzer (the workspace's own build and tests): replays the inputs named on the
/// command line (tests/seeds.rs replays the committed seeds).
#[cfg(not(feature = "link_libfuzzer"))]
fn main() -> std::process::ExitCode {
    bitbucket_setup_fuzz::replay()
}
