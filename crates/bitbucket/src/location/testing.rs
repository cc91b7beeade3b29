//! Helpers shared by the location tests.

use super::*;

// What the tests of each part reach for, wherever it lives.
pub(super) use super::names::is_uuid;

pub(super) const UUID: &str = "{0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b}";
pub(super) const UUID2: &str = "{11111111-2222-4333-8444-555555555555}";

/// Messages are for people: sentences, no debug output, never a bare "invalid".
pub(super) fn assert_plain(e: &LocationError) {
    let message = e.to_string();
    assert!(message.len() > 20, "{message}");
    assert!(
        message.ends_with('.') || message.ends_with(".)"),
        "{message}"
    );
    for word in [
        "invalid",
        "Invalid",
        "LocationError",
        "NameProblem",
        "BadCharacter",
        "Some(",
        "Err(",
    ] {
        assert!(!message.contains(word), "{word:?} in {message}");
    }
    assert!(!e.to_string().is_empty());
}

pub(super) fn err(input: &str) -> LocationError {
    let e = parse(input).expect_err(input);
    assert_plain(&e);
    e
}
