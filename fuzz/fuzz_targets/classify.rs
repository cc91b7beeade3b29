#![no_main]
//! Any pasted value: never panics, and a rejection never quotes the value back.
use bitbucket_setup::bitbucket::credential::classify;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match classify(text) {
        Ok(p) => assert!(!p.secret.is_empty()),
        Err(e) => {
            let trimmed = text.trim();
            // Shorter values can match ordinary words of the message ("he tok" in "the token").
            if trimmed.chars().count() >= 16 {
                assert!(!e.user_message().contains(trimmed));
            }
        }
    }
});
