//! Bitbucket Cloud's two scope vocabularies, what each scope is called in the screens the user
//! ticks boxes in, which scopes include which, and how to translate between the vocabularies.
//!
//! * **Old style** (`repository`, `pullrequest:write`, …), [`Vocabulary::AccessToken`]: used by
//!   repository, project and workspace access tokens, by OAuth consumers and by the retired app
//!   passwords. Bitbucket's `x-accepted-oauth-scopes` header is always in this vocabulary, and
//!   `x-oauth-scopes` is too for access tokens. Some old scopes include others (see
//!   [`implied_by`]).
//! * **New style** (`read:repository:bitbucket`, …, plus the Atlassian platform scopes
//!   `read:account` and `read:me`), [`Vocabulary::ApiToken`]: used by API tokens with scopes.
//!   Nothing implies anything: `write:repository:bitbucket` does not include read.
//!
//! The data is in `tables.rs`, taken from Atlassian's OpenAPI spec of the REST API 2.0 (its scope
//! lists per operation and its "Bitbucket OAuth 2.0 scopes" / "Forge app and API token scopes"
//! narrative) and Atlassian's permission pages; `docs/scopes.md` holds every table in words with
//! its public source. `spec_check.rs` reads the committed extract
//! `tests/data/bitbucket-spec-extract.json`, so the tables cannot drift from Atlassian's spec
//! unnoticed. A user's own scope list is read in `custom.rs`; why one cannot be used is
//! [`ScopeError`] (`error.rs`). This file reads the tables: names, labels, implications,
//! translations and what each kind of credential can be given.
//!
//! Functions take names in any case and with stray whitespace; nothing here panics on input.

mod custom;
mod error;
#[cfg(test)]
mod spec_check;
mod tables;

use std::collections::BTreeSet;

use crate::credential::CredentialKind;

pub use custom::{for_kind, newer_bitbucket_scope, suggest};
pub use error::ScopeError;
pub use tables::{all_scopes, ScopeInfo, Vocabulary, ACCESS_TOKEN_SCOPES, API_TOKEN_SCOPES, OAUTH_ONLY_SCOPES};

/// Adds the scope `name` to a list unless the list holds it already: scope lists keep the order
/// they were given in, without repeats.
pub fn push_unique(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|s| s == name) {
        out.push(name.to_string());
    }
}
use tables::{
    find_exact, EITHER_OF, IMPLICATIONS, NEW_TO_OLD, OLD_TO_NEW, PROJECT_TOKEN_EXTRAS, REPOSITORY_TOKEN_OFFERS,
    WORKSPACE_TOKEN_EXTRAS,
};

/// Lowercases and drops every whitespace character, so " Pull requests : Write " and
/// "pull requests:write" compare equal. Quotes and stray separators around a name go too.
fn squash(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | ',' | ';'))
        .to_ascii_lowercase()
}

/// The exact name of the scope `name` refers to, accepting any case and spacing, the
/// shorthand without `:bitbucket` that product guides use (`read:repository`), the
/// common slip `repository:read` for `repository`, and the Bitbucket UI labels ("Pull
/// requests: Write").
pub fn canonical(name: &str) -> Option<&'static str> {
    let key = squash(name);
    if key.is_empty() {
        return None;
    }
    if let Some(info) = find_exact(&key) {
        return Some(info.name);
    }
    if key.matches(':').count() == 1 {
        if let Some(info) = find_exact(&format!("{key}:bitbucket")) {
            return Some(info.name);
        }
        if let Some(base) = key.strip_suffix(":read") {
            if let Some(info) = find_exact(base).filter(|i| i.vocabulary == Vocabulary::AccessToken) {
                return Some(info.name);
            }
        }
    }
    ACCESS_TOKEN_SCOPES
        .iter()
        .chain(OAUTH_ONLY_SCOPES)
        .find(|s| squash(s.label) == key)
        .map(|s| s.name)
}

/// The scope `name` refers to (see [`canonical`] for what is accepted).
pub fn lookup(name: &str) -> Option<&'static ScopeInfo> {
    canonical(name).and_then(find_exact)
}

/// The label to show for a scope, or the name itself (trimmed) when it is unknown.
pub fn label(name: &str) -> String {
    match lookup(name) {
        Some(info) => info.label.to_string(),
        None => name.trim().to_string(),
    }
}

/// The vocabulary of a known scope. An unknown name ending in `:bitbucket` is taken as
/// new-style, so a scope Atlassian adds later is still sorted into the right vocabulary.
pub fn vocabulary_of(name: &str) -> Option<Vocabulary> {
    if let Some(info) = lookup(name) {
        return Some(info.vocabulary);
    }
    if squash(name).ends_with(":bitbucket") {
        return Some(Vocabulary::ApiToken);
    }
    None
}

/// Splits an `x-oauth-scopes` or `x-accepted-oauth-scopes` value: commas and/or whitespace
/// separate names; each is trimmed and lowercased; empty items and repeats are dropped; the
/// order of first appearance is kept.
pub fn parse_header(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in value.split(|c: char| c == ',' || c.is_whitespace()) {
        let name = item.trim().to_ascii_lowercase();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The scopes directly implied by an old-style scope (see the table's sources). New-style and
/// unknown names imply nothing.
pub fn implied_by(scope: &str) -> &'static [&'static str] {
    let key = squash(scope);
    IMPLICATIONS.iter().find(|(name, _)| *name == key).map_or(&[], |(_, implied)| *implied)
}

/// `name` followed by everything it implies, transitively, in breadth-first order.
fn closure(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    let mut next = 0;
    while next < out.len() {
        for implied in implied_by(&out[next]) {
            if !out.iter().any(|s| s == implied) {
                out.push((*implied).to_string());
            }
        }
        next += 1;
    }
    out
}

/// The granted scopes closed under the old-style implications: `pullrequest:write` brings
/// `pullrequest`, `repository:write` and `repository`. Names are normalised (known names to
/// their exact spelling, unknown ones lowercased and trimmed); new-style names stay as they are.
pub fn expand<I: IntoIterator<Item = S>, S: AsRef<str>>(granted: I) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in granted {
        let raw = item.as_ref();
        let name = canonical(raw).map_or_else(|| raw.trim().to_ascii_lowercase(), str::to_string);
        if name.is_empty() {
            continue;
        }
        out.extend(closure(&name));
    }
    out
}

/// Whether `granted_expanded` (the result of [`expand`]) covers `required`.
///
/// Same vocabulary: plain membership. Across vocabularies (a check asks in one vocabulary,
/// the credential reports the other, e.g. the old-style `x-accepted-oauth-scopes` against an
/// API token): an old-style requirement needs every scope of [`old_to_new`] (for `account`,
/// any one of them, since the endpoint decides); a new-style requirement needs the old-style
/// scope of [`new_to_old`]. Unknown requirements are satisfied only by the identical name.
pub fn satisfies(granted_expanded: &BTreeSet<String>, required: &str) -> bool {
    let Some(required) = canonical(required) else {
        let raw = required.trim().to_ascii_lowercase();
        return !raw.is_empty() && granted_expanded.contains(&raw);
    };
    if granted_expanded.contains(required) {
        return true;
    }
    match vocabulary_of(required) {
        Some(Vocabulary::AccessToken) => {
            let counterparts = old_to_new(required);
            let has = |n: &&str| granted_expanded.contains(*n);
            if counterparts.is_empty() {
                false
            } else if EITHER_OF.contains(&required) {
                counterparts.iter().any(has)
            } else {
                counterparts.iter().all(has)
            }
        }
        Some(Vocabulary::ApiToken) => {
            new_to_old(required).is_some_and(|o| granted_expanded.contains(o))
        }
        None => false,
    }
}

/// The new-style scopes an old-style scope corresponds to (see the table's notes); empty for
/// unknown names and for old scopes without a counterpart (`wiki`, `team:write`).
pub fn old_to_new(old: &str) -> &'static [&'static str] {
    let key = squash(old);
    OLD_TO_NEW.iter().find(|(name, _)| *name == key).map_or(&[], |(_, new)| *new)
}

/// The old-style scope an access token needs for what a new-style scope allows, if there is
/// one. Accepts the shorthand without `:bitbucket`.
pub fn new_to_old(new: &str) -> Option<&'static str> {
    let name = canonical(new)?;
    NEW_TO_OLD.iter().find(|(n, _)| *n == name).map(|(_, old)| *old)
}

/// Whether a scope is powerful enough (admin, delete, variables, permissions, keys, account
/// changes) to deserve a "least privilege" warning when the target does not need it. Unknown
/// names are judged by their shape (`admin:`/`delete:` prefixes, `:admin`/`:delete` suffixes),
/// so a scope Atlassian adds later is not waved through.
pub fn is_powerful(name: &str) -> bool {
    if let Some(info) = lookup(name) {
        return info.powerful;
    }
    let key = squash(name);
    key.starts_with("admin:")
        || key.starts_with("delete:")
        || key.ends_with(":admin")
        || key.ends_with(":delete")
}

/// Whether Bitbucket lets a credential of `kind` be created with this scope. Access tokens
/// offer only their own short lists; API tokens offer every new-style scope; app passwords
/// had every old-style scope (they are retired, but their scope lists still get read).
pub fn offered_to(name: &str, kind: CredentialKind) -> bool {
    let Some(info) = lookup(name) else {
        return false;
    };
    match kind {
        CredentialKind::RepositoryToken => REPOSITORY_TOKEN_OFFERS.contains(&info.name),
        CredentialKind::ProjectToken => {
            REPOSITORY_TOKEN_OFFERS.contains(&info.name) || PROJECT_TOKEN_EXTRAS.contains(&info.name)
        }
        CredentialKind::WorkspaceToken => {
            REPOSITORY_TOKEN_OFFERS.contains(&info.name) || WORKSPACE_TOKEN_EXTRAS.contains(&info.name)
        }
        CredentialKind::ApiToken => info.vocabulary == Vocabulary::ApiToken,
        CredentialKind::AppPassword => info.vocabulary == Vocabulary::AccessToken,
    }
}

/// The scopes the creation screen of `kind` shows, in table order: the boxes a custom setup
/// can tick.
pub fn offered_scopes(kind: CredentialKind) -> Vec<&'static ScopeInfo> {
    all_scopes().filter(|s| offered_to(s.name, kind)).collect()
}

/// The kinds of credential that can be given a scope (to say "only workspace access tokens
/// have Account: Read").
pub fn kinds_offering(name: &str) -> Vec<CredentialKind> {
    CredentialKind::ALL
        .into_iter()
        .filter(|k| *k != CredentialKind::AppPassword && offered_to(name, *k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialKind::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn labels() {
        assert_eq!(label("pullrequest:write"), "Pull requests: Write");
        assert_eq!(label("repository:admin"), "Repositories: Admin");
        assert_eq!(label("pipeline:variable"), "Pipelines: Edit variables");
        assert_eq!(label("account"), "Account: Read");
        assert_eq!(label(" REPOSITORY "), "Repositories: Read");
        assert_eq!(label("read:pullrequest:bitbucket"), "read:pullrequest:bitbucket (Pull requests: Read)");
        assert_eq!(label("read:me"), "read:me (Your own Atlassian profile: Read)");
        assert_eq!(label("team"), "Workspace membership: Read");
        assert_eq!(label("  something:new "), "something:new");
        assert_eq!(label(""), "");
    }

    #[test]
    fn lookup_accepts_variants() {
        assert_eq!(canonical("read:repository"), Some("read:repository:bitbucket"));
        assert_eq!(canonical("Read : Webhook"), Some("read:webhook:bitbucket"));
        assert_eq!(canonical("repository:read"), Some("repository"));
        assert_eq!(canonical("pullrequest:read"), Some("pullrequest"));
        assert_eq!(canonical("Pull requests: Write"), Some("pullrequest:write"));
        assert_eq!(canonical("\"webhook\""), Some("webhook"));
        assert_eq!(canonical("read:account"), Some("read:account"));
        assert_eq!(canonical("read:account:bitbucket"), None);
        assert_eq!(canonical("   "), None);
        assert_eq!(canonical("repo"), None);
        assert_eq!(lookup("PIPELINE:WRITE").map(|i| i.name), Some("pipeline:write"));
    }

    #[test]
    fn vocabularies() {
        assert_eq!(vocabulary_of("repository"), Some(Vocabulary::AccessToken));
        assert_eq!(vocabulary_of("email"), Some(Vocabulary::AccessToken));
        assert_eq!(vocabulary_of("read:repository:bitbucket"), Some(Vocabulary::ApiToken));
        assert_eq!(vocabulary_of("read:me"), Some(Vocabulary::ApiToken));
        assert_eq!(vocabulary_of("read:future-thing:bitbucket"), Some(Vocabulary::ApiToken));
        assert_eq!(vocabulary_of("nonsense"), None);
        assert_eq!(Vocabulary::of_kind(ApiToken), Vocabulary::ApiToken);
        assert_eq!(Vocabulary::of_kind(WorkspaceToken), Vocabulary::AccessToken);
        assert_eq!(serde_json::to_string(&Vocabulary::AccessToken).unwrap(), "\"access_token\"");
    }

    #[test]
    fn header_parsing() {
        assert_eq!(parse_header("repository, pullrequest:write"), s(&["repository", "pullrequest:write"]));
        assert_eq!(parse_header(" Repository ,,PULLREQUEST  webhook,\tpipeline , "), s(&["repository", "pullrequest", "webhook", "pipeline"]));
        assert_eq!(parse_header("account account,account"), s(&["account"]));
        assert_eq!(parse_header(""), Vec::<String>::new());
        assert_eq!(parse_header(" , ,, "), Vec::<String>::new());
        assert_eq!(parse_header("read:me read:account,read:user:bitbucket"), s(&["read:me", "read:account", "read:user:bitbucket"]));
    }

    #[test]
    fn implications_follow_docs_scopes_md() {
        assert_eq!(implied_by("repository:write"), &["repository"]);
        assert_eq!(implied_by("pullrequest"), &["repository"]);
        assert_eq!(implied_by("pullrequest:write"), &["pullrequest", "repository:write"]);
        assert_eq!(implied_by("project"), &["repository"]);
        assert_eq!(implied_by(" Pipeline:Write "), &["pipeline"]);
        assert_eq!(implied_by("runner:write"), &["runner"]);
        for admin in ["repository:admin", "repository:delete", "project:admin", "webhook", "read:repository:bitbucket", "write:repository:bitbucket", "x"] {
            assert!(implied_by(admin).is_empty(), "{admin}");
        }
    }

    #[test]
    fn expansion() {
        let e = expand(["pullrequest:write"]);
        assert_eq!(e, ["pullrequest:write", "pullrequest", "repository:write", "repository"].iter().map(|x| x.to_string()).collect());
        let e = expand(vec![" Project ".to_string(), "repository:admin".to_string()]);
        assert!(e.contains("repository") && e.contains("project") && e.contains("repository:admin"));
        assert!(!e.contains("repository:write"));
        let e = expand(["write:repository:bitbucket", "", "  ", "Unknown:Thing"]);
        assert_eq!(e, ["write:repository:bitbucket", "unknown:thing"].iter().map(|x| x.to_string()).collect());
        assert!(expand(Vec::<String>::new()).is_empty());
    }

    #[test]
    fn satisfaction() {
        let old = expand(["pullrequest:write"]);
        assert!(satisfies(&old, "repository"));
        assert!(satisfies(&old, "Repository:Write"));
        assert!(!satisfies(&old, "repository:admin"));
        assert!(!satisfies(&old, "webhook"));
        let new = expand(["write:repository:bitbucket", "read:user:bitbucket"]);
        assert!(satisfies(&new, "write:repository:bitbucket"));
        assert!(!satisfies(&new, "read:repository:bitbucket"), "write does not include read");
        // Across vocabularies.
        assert!(satisfies(&new, "repository:write"));
        assert!(!satisfies(&new, "repository"));
        assert!(satisfies(&new, "account"), "account needs read:user or read:workspace");
        assert!(!satisfies(&new, "pullrequest:write"));
        assert!(satisfies(&old, "read:pullrequest:bitbucket"));
        assert!(satisfies(&old, "write:repository:bitbucket"));
        assert!(!satisfies(&old, "read:pipeline:bitbucket"));
        assert!(!satisfies(&old, "wiki"));
        assert!(!satisfies(&old, ""));
        assert!(satisfies(&expand(["new:thing"]), "New:Thing"));
    }

    #[test]
    fn translations() {
        assert_eq!(old_to_new("repository"), &["read:repository:bitbucket"]);
        assert_eq!(old_to_new("pullrequest:write"), &["write:pullrequest:bitbucket", "read:pullrequest:bitbucket"]);
        assert_eq!(old_to_new("pipeline:variable"), &["admin:pipeline:bitbucket"]);
        assert_eq!(old_to_new("account"), &["read:user:bitbucket", "read:workspace:bitbucket"]);
        assert_eq!(old_to_new("email"), &["read:user:bitbucket"]);
        assert_eq!(old_to_new("repository:write"), &["write:repository:bitbucket"]);
        assert!(old_to_new("wiki").is_empty());
        assert!(old_to_new("read:repository:bitbucket").is_empty());
        assert_eq!(new_to_old("read:repository:bitbucket"), Some("repository"));
        assert_eq!(new_to_old("read:repository"), Some("repository"));
        assert_eq!(new_to_old("delete:webhook:bitbucket"), Some("webhook"));
        assert_eq!(new_to_old("read:me"), None);
        assert_eq!(new_to_old("write:permission:bitbucket"), None);
        assert_eq!(new_to_old("repository"), None);
        // Round trip: whatever maps back, maps forward to include the start.
        for info in API_TOKEN_SCOPES {
            if let Some(o) = new_to_old(info.name) {
                assert!(old_to_new(o).contains(&info.name), "{} -> {o}", info.name);
            }
        }
    }

    #[test]
    fn powerful() {
        for p in ["repository:admin", "repository:delete", "project:admin", "pipeline:variable", "admin:pipeline:bitbucket", "write:permission:bitbucket", "delete:repository:bitbucket", "admin:workspace:bitbucket", "admin:future:bitbucket", "future:admin"] {
            assert!(is_powerful(p), "{p}");
        }
        for p in ["repository", "repository:write", "pullrequest:write", "webhook", "read:repository:bitbucket", "write:repository:bitbucket", "read:me", "", "nonsense"] {
            assert!(!is_powerful(p), "{p}");
        }
    }

    #[test]
    fn offers() {
        assert!(offered_to("repository:write", RepositoryToken));
        assert!(!offered_to("project", RepositoryToken));
        assert!(offered_to("project", ProjectToken));
        assert!(!offered_to("account", ProjectToken));
        assert!(offered_to("account", WorkspaceToken));
        assert!(!offered_to("issue", WorkspaceToken));
        assert!(offered_to("read:me", ApiToken));
        assert!(!offered_to("repository", ApiToken));
        assert!(offered_to("issue", AppPassword));
        assert_eq!(kinds_offering("account"), vec![WorkspaceToken]);
        assert_eq!(kinds_offering("repository"), vec![RepositoryToken, ProjectToken, WorkspaceToken]);
        assert_eq!(kinds_offering("read:repository:bitbucket"), vec![ApiToken]);
        assert_eq!(offered_scopes(RepositoryToken).len(), 12);
        assert_eq!(offered_scopes(WorkspaceToken).len(), 15);
        assert_eq!(offered_scopes(ApiToken).len(), API_TOKEN_SCOPES.len());
    }
}
