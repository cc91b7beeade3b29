#![cfg_attr(feature = "link_libfuzzer", no_main)]
//! Any pasted value: never panics, and a rejection is one of the fixed messages (nothing of the
//! value is ever put into it; only the length of an over-long paste).
use bitbucket_cloud::credential::{classify, PasteError, MAX_SECRET_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match classify(text) {
        Ok(p) => {
            assert!(!p.secret.is_empty());
            assert_eq!(p.secret.expose(), p.secret.expose().trim());
        }
        Err(PasteError::TooLong { len }) => assert!(len > MAX_SECRET_LEN),
        Err(e) => {
            let fixed = [
                PasteError::Empty,
                PasteError::LooksLikeUrl,
                PasteError::LooksLikeEmail,
                PasteError::WhitespaceInside,
                PasteError::ControlCharacters,
            ]
            .map(|f| f.to_string());
            assert!(fixed.contains(&e.to_string()));
        }
    }
});

/// Without libFuzzer (the workspace's own build and tests): replays the inputs named on the
/// command line (tests/seeds.rs replays the committed seeds).
#[cfg(not(feature = "link_libfuzzer"))]
fn main() -> std::process::ExitCode {
    bitbucket_setup_fuzz::replay()
}
