//! How to create a credential, as data: which Bitbucket (or id.atlassian.com) page creates it,
//! which boxes to tick there in Bitbucket's own words, what to call the token and which expiry
//! to pick. The window renders it (and says where in the window the date goes); the tests read
//! it.

use serde::Serialize;

use crate::bitbucket::creation;
use crate::bitbucket::credential::CredentialKind;
use crate::bitbucket::location::Location;
use crate::bitbucket::scopes;
use crate::presets::{self, PresetId};

/// One box to tick on the creation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    pub scope: String,
    pub label: String,
    /// The label of another box in the list whose scope includes this one (Pull requests: Write
    /// includes Pull requests: Read, Repositories: Write and Repositories: Read), said beside
    /// the box. The box stays in the list: the products' guides name it, and no source says
    /// Bitbucket's creation screen ticks it by itself.
    pub implied_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    /// The page that creates this kind of credential (https, bitbucket.org or id.atlassian.com).
    pub url: String,
    /// Where that page is, in Bitbucket's menus.
    pub where_: String,
    /// The steps on that page, in order.
    pub steps: Vec<String>,
    /// The boxes to tick, in Bitbucket's labels.
    pub checklist: Vec<CheckItem>,
    pub token_name: String,
    /// Which expiry to pick, and that Bitbucket never tells the app the date (where the user
    /// gives it is the front end's to say).
    pub expiry_advice: String,
    pub notes: Vec<String>,
}

/// The steps on Bitbucket's "Create access token" screen, the same for every kind of access
/// token.
fn access_token_steps(token_name: &str) -> Vec<String> {
    vec![
        "Select \"Create access token\".".to_string(),
        format!("Name: {token_name}"),
        "Expiry: pick a date (see below) and write it down.".to_string(),
        "Scopes: tick the boxes listed below, and no others.".to_string(),
        "Select \"Create\", then copy the token. Bitbucket shows it only once.".to_string(),
    ]
}

/// A token name that says what it is for when someone finds it in Bitbucket a year later.
pub fn suggested_name(preset: PresetId, location: &Location) -> String {
    let place = location.full_name().unwrap_or_else(|| location.workspace.clone());
    let name = format!("{} ({place})", presets::get(preset).name);
    name.chars().take(50).collect()
}

/// Every box to tick: the required scopes and, for an access token, every scope they imply
/// that the kind offers (so "tick the boxes listed below, and no others" holds whether or not
/// Bitbucket's screen ticks implied boxes by itself). Access-token boxes come in the order of
/// Bitbucket's screen ([`scopes::ACCESS_TOKEN_SCOPES`]), names newer than that table after them
/// in the caller's order; API-token scopes stay in the caller's order (they imply nothing).
/// A box another box of the list includes names it in [`CheckItem::implied_by`]: the first, in
/// list order, of those that no other box includes ("Pull requests: Write", not
/// "Repositories: Write", for Repositories: Read).
fn boxes_to_tick(required: &[String], kind: CredentialKind) -> Vec<CheckItem> {
    let mut names: Vec<String> = required.to_vec();
    if kind.is_access_token() {
        for implied in scopes::expand(required) {
            if scopes::offered_to(&implied, kind) && !names.contains(&implied) {
                names.push(implied);
            }
        }
        let on_screen = |s: &String| scopes::ACCESS_TOKEN_SCOPES.iter().position(|i| i.name == s.as_str());
        names.sort_by_key(|s| on_screen(s).unwrap_or(usize::MAX));
    }
    let includes = |a: &String, b: &String| a != b && scopes::expand([a.as_str()]).contains(b.as_str());
    names
        .iter()
        .map(|s| {
            let implied_by = names
                .iter()
                .filter(|o| includes(o, s))
                .find(|o| !names.iter().any(|top| includes(top, o)))
                .map(|o| scopes::label(o));
            CheckItem { scope: s.clone(), label: scopes::label(s), implied_by }
        })
        .collect()
}

/// Builds the guide. An app password (retired) gets the API-token guide.
pub fn guide(
    preset: PresetId,
    kind: CredentialKind,
    location: &Location,
    custom: &[String],
) -> Result<Guide, presets::PresetError> {
    let kind = if kind == CredentialKind::AppPassword { CredentialKind::ApiToken } else { kind };
    let required = presets::required_scopes(preset, kind, custom)?;
    let checklist = boxes_to_tick(&required, kind);
    let token_name = suggested_name(preset, location);
    let page = creation::page(kind, location);
    let (where_, steps) = match kind {
        CredentialKind::RepositoryToken | CredentialKind::WorkspaceToken => (page.menu.to_string(), access_token_steps(&token_name)),
        CredentialKind::ProjectToken => (
            format!("{} (open the project from this list)", page.menu),
            [vec!["Open the project, then Project settings > Access tokens.".to_string()], access_token_steps(&token_name)].concat(),
        ),
        _ => (
            page.menu.to_string(),
            vec![
                "Select \"Create API token with scopes\" (not \"Create API token\").".to_string(),
                format!("Name: {token_name}"),
                "Expires on: pick a date within 365 days and write it down.".to_string(),
                "App: select \"Bitbucket\".".to_string(),
                "Scopes: tick the scopes listed below (filter by \"read\" or \"write\" to find them).".to_string(),
                "Select \"Create\", then copy the token. It is shown only once.".to_string(),
            ],
        ),
    };
    let expiry_advice = if kind == CredentialKind::ApiToken {
        "API tokens must expire within 365 days. Bitbucket never tells apps the date.".to_string()
    } else {
        "Pick the longest expiry your workspace allows (often up to 365 days) or the one your policy asks for. Bitbucket never tells apps the date.".to_string()
    };
    let mut notes: Vec<String> = presets::get(preset).notes.iter().map(|n| n.to_string()).collect();
    if matches!(kind, CredentialKind::ProjectToken | CredentialKind::WorkspaceToken) {
        notes.push("Project and workspace access tokens need a Bitbucket Premium plan and admin rights on the project or workspace.".into());
    }
    if kind.is_access_token() {
        notes.push("Scopes cannot be changed after the token is created: if one is missing, create a new token.".into());
    }
    let newer: Vec<&str> = checklist.iter().map(|c| c.scope.as_str()).filter(|s| scopes::lookup(s).is_none()).collect();
    if !newer.is_empty() {
        notes.push(format!(
            "{} {} newer than this app's list of Bitbucket scopes: look for {} by name in the scope list, and the check will look for {} by name too.",
            newer.join(", "),
            if newer.len() == 1 { "is" } else { "are" },
            if newer.len() == 1 { "it" } else { "them" },
            if newer.len() == 1 { "it" } else { "them" },
        ));
    }
    Ok(Guide { url: page.url, where_, steps, checklist, token_name, expiry_advice, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::location;
    use crate::links;

    #[test]
    fn every_guide_url_is_openable() {
        let loc = location::parse("https://bitbucket.org/acme/website").unwrap();
        for preset in presets::all() {
            for &kind in preset.kinds {
                let g = guide(preset.id, kind, &loc, &["repository".to_string()]).unwrap();
                assert!(links::check_external(&g.url).is_ok(), "{}", g.url);
                assert!(!g.checklist.is_empty() || preset.id == PresetId::Custom, "{:?} {:?}", preset.id, kind);
                assert!(g.token_name.chars().count() <= 50);
            }
        }
    }

    fn boxes(g: &Guide) -> Vec<(&str, Option<&str>)> {
        g.checklist.iter().map(|c| (c.label.as_str(), c.implied_by.as_deref())).collect()
    }

    #[test]
    fn sqai_repository_token_boxes() {
        let loc = location::parse("acme/website").unwrap();
        let g = guide(PresetId::Sqai, CredentialKind::RepositoryToken, &loc, &[]).unwrap();
        assert_eq!(g.url, "https://bitbucket.org/acme/website/admin/access-tokens");
        // All four boxes SQAI's guide names, each implied one saying which box includes it.
        assert_eq!(
            boxes(&g),
            vec![
                ("Repositories: Read", Some("Pull requests: Write")),
                ("Repositories: Write", Some("Pull requests: Write")),
                ("Pull requests: Read", Some("Pull requests: Write")),
                ("Pull requests: Write", None),
            ]
        );
        assert!(g.steps.iter().any(|s| s == "Scopes: tick the boxes listed below, and no others."));
    }

    #[test]
    fn implied_boxes_are_listed_not_dropped() {
        let loc = location::parse("acme/website").unwrap();
        let g = guide(PresetId::Cubyts, CredentialKind::RepositoryToken, &loc, &[]).unwrap();
        assert_eq!(boxes(&g), vec![("Repositories: Read", Some("Pull requests: Read")), ("Pull requests: Read", None)]);
        // A custom list naming only the top box gets every box it includes, so "no others" holds.
        let g = guide(PresetId::Custom, CredentialKind::RepositoryToken, &loc, &["pullrequest:write".to_string()]).unwrap();
        let scopes: Vec<&str> = g.checklist.iter().map(|c| c.scope.as_str()).collect();
        assert_eq!(scopes, ["repository", "repository:write", "pullrequest", "pullrequest:write"]);
        // What the kind cannot be given is not listed: Projects: Read implies Repositories: Read
        // on a workspace token, and a repository token offers no Projects box at all.
        let g = guide(PresetId::Autoheal, CredentialKind::RepositoryToken, &loc, &[]).unwrap();
        assert_eq!(
            boxes(&g),
            vec![("Repositories: Read", Some("Pull requests: Read")), ("Pull requests: Read", None), ("Pipelines: Read", None)]
        );
        // API-token scopes imply nothing: the list is the preset's, in its order, with no notes.
        let g = guide(PresetId::Autoheal, CredentialKind::ApiToken, &loc, &[]).unwrap();
        assert_eq!(g.checklist.len(), 8);
        assert!(g.checklist.iter().all(|c| c.implied_by.is_none()));
        // Every preset's list holds every required scope, and every box it names as including
        // another is in the list too.
        for p in presets::all().iter().filter(|p| p.id != PresetId::Custom) {
            for &kind in p.kinds {
                let g = guide(p.id, kind, &loc, &[]).unwrap();
                let listed: Vec<&str> = g.checklist.iter().map(|c| c.scope.as_str()).collect();
                for s in presets::required_scopes(p.id, kind, &[]).unwrap() {
                    assert!(listed.contains(&s.as_str()), "{} / {kind:?}: {s} is not listed", p.name);
                }
                for c in &g.checklist {
                    if let Some(by) = &c.implied_by {
                        assert!(g.checklist.iter().any(|o| &o.label == by), "{} / {kind:?}: {by}", p.name);
                    }
                }
            }
        }
    }

    #[test]
    fn access_token_pages_use_atlassians_current_words() {
        let loc = location::parse("acme/website").unwrap();
        for kind in [CredentialKind::RepositoryToken, CredentialKind::ProjectToken, CredentialKind::WorkspaceToken] {
            let g = guide(PresetId::Git, kind, &loc, &[]).unwrap();
            assert!(g.steps.iter().any(|s| s == "Select \"Create access token\"."), "{kind:?}: {:?}", g.steps);
            assert!(g.steps.iter().any(|s| s.starts_with("Expiry:")), "{kind:?} has an expiry step: {:?}", g.steps);
        }
    }

    #[test]
    fn a_newer_scope_is_ticked_by_name() {
        let loc = location::parse("acme").unwrap();
        let g = guide(PresetId::Custom, CredentialKind::ApiToken, &loc, &["read:package:bitbucket".to_string()]).unwrap();
        assert_eq!(
            g.checklist,
            vec![CheckItem { scope: "read:package:bitbucket".into(), label: "read:package:bitbucket".into(), implied_by: None }]
        );
        assert!(g.notes.iter().any(|n| n.contains("read:package:bitbucket is newer")), "{:?}", g.notes);
    }

    #[test]
    fn api_token_guide_points_to_atlassian() {
        let loc = location::parse("acme").unwrap();
        let g = guide(PresetId::Autoheal, CredentialKind::ApiToken, &loc, &[]).unwrap();
        assert_eq!(g.url, "https://id.atlassian.com/manage-profile/security/api-tokens");
        assert!(g.steps[0].contains("with scopes"));
        assert!(g.checklist.iter().any(|c| c.scope == "read:pipeline:bitbucket"));
    }
}
