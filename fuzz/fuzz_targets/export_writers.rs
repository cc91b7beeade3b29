#![no_main]
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
    let now = chrono::Utc::now();
    let c = Connection {
        id: "0b7d2f1a-3c4e-4f5a-8b9c-0d1e2f3a4b5c".into(),
        name: next(),
        description: opt(next()),
        preset: presets[(selector % 8) as usize],
        kind: kinds[((selector / 8) % 4) as usize],
        workspace: next(),
        repository: opt(next()),
        email: opt(next()),
        username: None,
        api_url: next(),
        base_branch: opt(next()),
        granted_scopes: next().split(',').map(str::to_string).collect(),
        credential_type: opt(next()),
        last_check: None,
        expires: None,
        created_at: now,
        updated_at: now,
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
