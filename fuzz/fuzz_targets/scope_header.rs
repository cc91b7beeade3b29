#![no_main]
//! Any x-oauth-scopes header value: parsing is total and idempotent; expansion keeps the input.
use bitbucket_setup::bitbucket::scopes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = scopes::parse_header(text);
    assert_eq!(once, scopes::parse_header(&once.join(", ")));
    let expanded = scopes::expand(&once);
    for s in &once {
        assert!(expanded.contains(s));
        let _ = scopes::label(s);
        let _ = scopes::is_powerful(s);
    }
});
