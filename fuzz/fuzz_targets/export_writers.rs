#![cfg_attr(feature = "link_libfuzzer", no_main)]
//! Every export writer with arbitrary connection text (names, descriptions, workspaces,
//! emails, branches): never panics, and without the token no output contains it.
use bitbucket_cloud::credential::{CredentialKind, Secret};
use bitbucket_setup_core::export::{self, ExportMeta};
use bitbucket_setup_core::presets::PresetId;
use bitbucket_setup_core::store::connections::Connection;
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "ATCTT3xFfGF0FUZZTOKENfuzztoken0123456789";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\u{1}');
    let mut next = || parts.next().unwrap_or("").to_string();
    let opt = |s: String| if s.is_empty() { None } else { Some(s) };
    let selector = data.first().copied().unwrap_or(0);
    let kinds = [CredentialKind::RepositoryToken, CredentialKind::WorkspaceToken, CredentialKind::ApiToken, CredentialKind::ProjectToken];
    let presets = [PresetId::Sqai, PresetId::Autoheal, PresetId::Katalon, PresetId::Cubyts, PresetId::Nirvai, PresetId::N8n, PresetId::Git, PresetId::Custom];
    // Taken in the order the seeds were written for.
    let (name, description, workspace, repository, email) = (next(), opt(next()), next(), opt(next()), opt(next()));
    let (api_url, base_branch, granted, credential_type) = (next(), opt(next()), next(), opt(next()));
    let c = Connection {
        id: "0b7d2f1a-3c4e-4f5a-8b9c-0d1e2f3a4b5c".into(),
        description,
        email,
        api_url,
        base_branch,
        granted_scopes: granted.split(',').map(str::to_string).collect(),
        credential_type,
        // Every other field at its default: a new field of the record does not break this target.
        ..Connection::new(name, presets[(selector % 8) as usize], kinds[((selector / 8) % 4) as usize], workspace, repository.as_deref())
    };
    let meta = ExportMeta::now(&c);
    let secret = Secret::new(TOKEN);
    for info in export::formats() {
        if let Ok(r) = export::render(&c, info.format, None, &meta) {
            assert!(!r.contains_secret);
            if !text.contains(TOKEN) {
                assert!(!r.contents.contains(TOKEN), "{:?} leaked the token", info.format);
            }
        }
        let _ = export::render(&c, info.format, Some(&secret), &meta);
    }
});

/// Without libFuzzer (the workspace's own build and tests): replays the inputs named on the
/// command line (tests/seeds.rs replays the committed seeds).
#[cfg(not(feature = "link_libfuzzer"))]
fn main() -> std::process::ExitCode {
    bitbucket_setup_fuzz::replay()
}
