//! The tables against Atlassian's OpenAPI spec of the REST API 2.0 (the committed extract
//! `tests/data/bitbucket-spec-extract.json`, made by `tests/data/extract-spec.py` from
//! https://dac-static.atlassian.com/cloud/bitbucket/swagger.v3.json), so they cannot drift from it
//! unnoticed. What each check holds is in `docs/scopes.md`.

use std::collections::BTreeSet;

use super::tables::{find_exact, IMPLICATIONS};
use super::*;

const SPEC: &str = include_str!("../../../../tests/data/bitbucket-spec-extract.json");

/// (old, new) pairs where one operation's two scope lists disagree with `OLD_TO_NEW` for
/// a reason particular to those endpoints. Each must still occur in the spec, so the list
/// shrinks when Atlassian fixes its data.
const SPEC_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("account", "read:ssh-key:bitbucket", "user SSH keys: old `account` covers them, new has key scopes"),
    ("account", "read:gpg-key:bitbucket", "user GPG keys: as for SSH keys"),
    ("account:write", "read:ssh-key:bitbucket", "adding/changing user SSH keys"),
    ("account:write", "write:ssh-key:bitbucket", "adding/changing user SSH keys"),
    ("account:write", "delete:ssh-key:bitbucket", "deleting user SSH keys"),
    ("account:write", "read:gpg-key:bitbucket", "adding user GPG keys"),
    ("account:write", "write:gpg-key:bitbucket", "adding user GPG keys"),
    ("account:write", "delete:gpg-key:bitbucket", "deleting user GPG keys"),
    ("account", "read:repository:bitbucket", "GET /workspaces/{ws}/permissions/repositories"),
    ("issue", "write:issue:bitbucket", "voting for / watching an issue: old `issue` (+ account:write), new write:issue"),
    ("repository:admin", "read:repository:bitbucket", "repository permissions-config GETs: admin old, read new"),
    ("repository:admin", "write:ssh-key:bitbucket", "repository deploy keys"),
    ("repository:admin", "delete:ssh-key:bitbucket", "repository deploy keys"),
    ("repository:admin", "write:permission:bitbucket", "repository permission changes"),
    ("repository:admin", "delete:permission:bitbucket", "repository permission removal"),
    ("project:admin", "read:project:bitbucket", "project permissions-config GETs: admin old, read new"),
    ("project:admin", "read:pullrequest:bitbucket", "project default reviewers GETs"),
    ("project:admin", "read:repository:bitbucket", "project branching model GET"),
    ("project:admin", "write:ssh-key:bitbucket", "project deploy keys"),
    ("project:admin", "delete:ssh-key:bitbucket", "project deploy keys"),
    ("project:admin", "write:permission:bitbucket", "project permission changes"),
    ("project:admin", "delete:permission:bitbucket", "project permission removal"),
    ("pipeline", "admin:pipeline:bitbucket", "creating/changing deployment environments: `pipeline` old, admin new"),
    ("pipeline", "write:pipeline:bitbucket", "POST …/pipelines (run a pipeline): old list says `pipeline`, the narrative says running needs pipeline:write"),
    ("snippet", "write:snippet:bitbucket", "snippet comment endpoints: old read scope, new write scope"),
];

fn spec() -> serde_json::Value {
    serde_json::from_str(SPEC).expect("the committed spec extract is valid JSON")
}

/// (method path, old list, new list) of every operation.
fn operations(spec: &serde_json::Value) -> Vec<(String, Vec<String>, Vec<String>)> {
    let list = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    let mut out = Vec::new();
    for (path, methods) in spec["operations"].as_object().expect("operations") {
        for (method, op) in methods.as_object().expect("methods") {
            out.push((format!("{} {path}", method.to_uppercase()), list(&op["oauth2"]), list(&op["api_token"])));
        }
    }
    assert!(out.len() > 150, "the extract lost its operations");
    out
}

#[test]
fn spec_extract_resolves_from_this_file() {
    let spec = spec();
    assert!(spec["source"].as_str().unwrap_or_default().contains("Bitbucket"));
}

#[test]
fn spec_old_style_scopes_are_all_known() {
    let spec = spec();
    let mut used = BTreeSet::new();
    for (_, old, _) in operations(&spec) {
        used.extend(old);
    }
    let declared: BTreeSet<String> = spec["old_scopes"].as_object().expect("old_scopes").keys().cloned().collect();
    for name in used.iter().chain(&declared) {
        let info = find_exact(name).unwrap_or_else(|| panic!("spec scope {name} missing from the tables"));
        assert_eq!(info.vocabulary, Vocabulary::AccessToken, "{name}");
    }
    // Nothing in the old-style tables that the spec does not know (typos, inventions).
    for info in ACCESS_TOKEN_SCOPES.iter().chain(OAUTH_ONLY_SCOPES) {
        assert!(declared.contains(info.name), "{} is not an old-style scope of the spec", info.name);
    }
}

#[test]
fn spec_new_style_scopes_are_all_known() {
    let spec = spec();
    let listed: BTreeSet<String> = spec["new_scopes"]
        .as_array()
        .expect("new_scopes")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    for name in &listed {
        let info = find_exact(name).unwrap_or_else(|| panic!("spec scope {name} missing from API_TOKEN_SCOPES"));
        assert_eq!(info.vocabulary, Vocabulary::ApiToken, "{name}");
    }
    // Ours beyond the extract's list (which holds only scopes some operation uses):
    // read:permission (listed in the spec's narrative, used by no operation) and the
    // Atlassian platform scopes.
    let extra = ["read:permission:bitbucket", "read:account", "read:me"];
    for info in API_TOKEN_SCOPES {
        assert!(listed.contains(info.name) || extra.contains(&info.name), "{} is not in the spec", info.name);
    }
}

#[test]
fn spec_old_to_new_agrees_for_single_scope_operations() {
    let spec = spec();
    let mut mismatches = Vec::new();
    let mut exceptions_seen = BTreeSet::new();
    for (op, old, new) in operations(&spec) {
        if let ([o], [n]) = (old.as_slice(), new.as_slice()) {
            if old_to_new(o).contains(&n.as_str()) {
                continue;
            }
            if SPEC_EXCEPTIONS.iter().any(|(eo, en, _)| eo == o && en == n) {
                exceptions_seen.insert((o.clone(), n.clone()));
                continue;
            }
            mismatches.push(format!("{op}: {o} -> {n}"));
        }
    }
    assert!(mismatches.is_empty(), "old_to_new disagrees with the spec:\n{}", mismatches.join("\n"));
    assert!(!exceptions_seen.is_empty());
}

#[test]
fn spec_every_new_scope_is_reachable_from_the_old_ones() {
    // Wider than the single-scope check: for every operation with both lists, each new
    // scope is the translation of one of the old scopes or what they imply.
    let spec = spec();
    let mut mismatches = Vec::new();
    let mut exceptions_used = BTreeSet::new();
    for (op, old, new) in operations(&spec) {
        if old.is_empty() || new.is_empty() {
            continue;
        }
        let reachable: BTreeSet<&str> = expand(&old).iter().flat_map(|o| old_to_new(o).iter().copied()).collect();
        for n in &new {
            if reachable.contains(n.as_str()) {
                continue;
            }
            if let Some((eo, en, _)) = SPEC_EXCEPTIONS.iter().find(|(eo, en, _)| old.iter().any(|o| o == eo) && en == n) {
                exceptions_used.insert((*eo, *en));
                continue;
            }
            mismatches.push(format!("{op}: {old:?} -> {n}"));
        }
    }
    assert!(mismatches.is_empty(), "new scopes the mapping cannot reach:\n{}", mismatches.join("\n"));
    // No stale exception: each still describes something in the spec.
    for (o, n, why) in SPEC_EXCEPTIONS {
        assert!(exceptions_used.contains(&(*o, *n)), "stale exception {o} -> {n} ({why})");
    }
}

#[test]
fn spec_implications_match_the_scope_descriptions() {
    // Each implication must be backed by the spec's own one-line description of the
    // implying scope: it reads or accesses what it implies ("Read and modify …",
    // "Access and rerun …", "Read your repositories and their pull requests").
    let spec = spec();
    let descriptions = spec["old_scopes"].as_object().expect("old_scopes");
    for (name, implied) in IMPLICATIONS {
        let d: String = descriptions
            .get(*name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(d.starts_with("read") || d.starts_with("access"), "{name}: {d}");
        for i in *implied {
            let resource = i.split(':').next().unwrap_or_default();
            let stem = &resource[..resource.len().min(6)];
            assert!(d.contains(stem), "{name} implies {i} but its description is: {d}");
        }
    }
    // Admin and delete scopes imply nothing.
    for name in ["repository:admin", "repository:delete", "project:admin"] {
        assert!(implied_by(name).is_empty(), "{name}");
    }
}
