#![no_main]
//! Any bytes as the saved-connections file: never panics (a bad file is set aside, not lost).
use bitbucket_setup_core::store::connections;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = connections::parse(data);
});
