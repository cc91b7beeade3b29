//! What the wizard shows before any token: the presets and credential kinds, this system's
//! words, a pasted place read back, the creation guide, and Bitbucket's pages in the browser.

use serde::Serialize;

use super::UiError;
use crate::bitbucket::client::{api_url_from_env, DEFAULT_API_URL};
use crate::bitbucket::credential::{CredentialKind, KindFacts};
use crate::bitbucket::location::{self, Location};
use crate::guide::{self, Guide};
use crate::links;
use crate::presets::{self, PresetId};

#[derive(Serialize)]
pub struct PresetView {
    id: PresetId,
    name: &'static str,
    summary: &'static str,
    kinds: Vec<CredentialKind>,
    recommended: CredentialKind,
    needs_repository: bool,
    notes: &'static [&'static str],
}

#[derive(Serialize)]
pub struct KindView {
    id: CredentialKind,
    label: &'static str,
    needs_email: bool,
    /// A repository, project or workspace access token.
    access_token: bool,
    retired: bool,
    /// Who creates it, what it reaches, which plans (none for the retired app password).
    facts: Option<KindFacts>,
}

#[derive(Serialize)]
pub struct Catalog {
    version: &'static str,
    presets: Vec<PresetView>,
    kinds: Vec<KindView>,
    default_api_url: &'static str,
    /// `BITBUCKET_API_URL`, for tests and tunnels.
    api_url: String,
    /// This system's words: the keychain's name, the paste keys, …
    platform: crate::platform::Words,
}

#[tauri::command]
pub fn catalog() -> Catalog {
    let presets = presets::all()
        .iter()
        .map(|p| PresetView {
            id: p.id,
            name: p.name,
            summary: p.summary,
            kinds: p.kinds.to_vec(),
            recommended: p.recommended,
            needs_repository: p.needs_repository,
            notes: p.notes,
        })
        .collect();
    let kinds = CredentialKind::ALL
        .iter()
        .map(|&k| KindView {
            id: k,
            label: k.label(),
            needs_email: k.needs_email(),
            access_token: k.is_access_token(),
            retired: k == CredentialKind::AppPassword,
            facts: k.facts(),
        })
        .collect();
    Catalog { version: env!("CARGO_PKG_VERSION"), presets, kinds, default_api_url: DEFAULT_API_URL, api_url: api_url_from_env(), platform: crate::platform::here() }
}

#[derive(Serialize)]
pub struct LocationView {
    location: Location,
    display: String,
    web_url: String,
}

#[tauri::command]
pub fn parse_location(input: String) -> Result<LocationView, UiError> {
    let location = location::parse(&input)?;
    Ok(LocationView { display: location.display(), web_url: location.web_url(), location })
}

/// Where the window takes the expiry date: the guide says Bitbucket never tells the app.
const EXPIRY_GOES_IN: &str = "Enter it in step 3 and the assistant will remind you before it runs out.";

#[tauri::command]
pub fn creation_guide(
    preset: PresetId,
    kind: CredentialKind,
    location: Location,
    scopes: Vec<String>,
) -> Result<Guide, UiError> {
    let mut guide = guide::guide(preset, kind, &location, &scopes)?;
    guide.expiry_advice = format!("{} {EXPIRY_GOES_IN}", guide.expiry_advice);
    Ok(guide)
}

/// Opens a page in the default browser, only when it is https on bitbucket.org or
/// id.atlassian.com.
#[tauri::command]
pub fn open_page(url: String) -> Result<(), UiError> {
    let url = links::check_external(&url)?;
    tauri_plugin_opener::open_url(url.as_str(), None::<&str>)
        .map_err(|_| UiError::new(format!("The browser could not be opened. Open this address yourself: {url}")))
}

/// The window calls this once its first step is on screen. For the start-up and memory
/// benchmarks, `BITBUCKET_SETUP_READY_FILE` names a file written at that moment.
#[tauri::command]
pub fn ui_ready() {
    if let Some(path) = std::env::var_os("BITBUCKET_SETUP_READY_FILE") {
        let _ = std::fs::write(path, b"ready");
    }
}
