//! The data: every scope Bitbucket Cloud knows in either vocabulary, the words its screens show
//! for it, which kind of credential can be given which, which old-style scope includes which, and
//! how the two vocabularies translate. Each table is written out, with its public sources, in
//! `docs/scopes.md`; `spec_check.rs` holds the tables against Atlassian's OpenAPI spec.

use serde::Serialize;

use crate::credential::CredentialKind;

/// Which naming scheme a scope name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Vocabulary {
    /// Old-style names (`repository`, `pullrequest:write`, …): access tokens, OAuth consumers,
    /// app passwords, and every `x-accepted-oauth-scopes` header.
    AccessToken,
    /// New-style names (`read:repository:bitbucket`, …, `read:account`, `read:me`): API tokens.
    ApiToken,
}

impl Vocabulary {
    /// The vocabulary a credential of `kind` is created with and reports in `x-oauth-scopes`.
    /// App passwords used the old names.
    pub fn of_kind(kind: CredentialKind) -> Vocabulary {
        match kind {
            CredentialKind::ApiToken => Vocabulary::ApiToken,
            CredentialKind::RepositoryToken
            | CredentialKind::ProjectToken
            | CredentialKind::WorkspaceToken
            | CredentialKind::AppPassword => Vocabulary::AccessToken,
        }
    }

    /// A short phrase for messages.
    pub fn label(self) -> &'static str {
        match self {
            Vocabulary::AccessToken => "access-token scope names (such as repository:write)",
            Vocabulary::ApiToken => "API-token scope names (such as read:repository:bitbucket)",
        }
    }
}

/// One scope: its exact name, vocabulary, the words the user sees, and whether it is powerful
/// enough to warn about when a target does not need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScopeInfo {
    pub name: &'static str,
    pub vocabulary: Vocabulary,
    /// For old-style scopes, the Bitbucket UI's words ("Pull requests: Write"). For new-style
    /// scopes, the raw name followed by plain words, because the id.atlassian.com scope picker
    /// shows the raw names.
    pub label: &'static str,
    /// Admin and delete rights and the like: worth a "least privilege" warning.
    pub powerful: bool,
}

const fn old(name: &'static str, label: &'static str, powerful: bool) -> ScopeInfo {
    ScopeInfo { name, vocabulary: Vocabulary::AccessToken, label, powerful }
}

const fn new(name: &'static str, label: &'static str, powerful: bool) -> ScopeInfo {
    ScopeInfo { name, vocabulary: Vocabulary::ApiToken, label, powerful }
}

/// Old-style scopes that at least one kind of access token can be given, with the labels of
/// Bitbucket's "Create access token" screen. Which kind offers which is in [`offered_to`](super::offered_to).
pub static ACCESS_TOKEN_SCOPES: &[ScopeInfo] = &[
    old("repository", "Repositories: Read", false),
    old("repository:write", "Repositories: Write", false),
    old("repository:admin", "Repositories: Admin", true),
    old("repository:delete", "Repositories: Delete", true),
    old("pullrequest", "Pull requests: Read", false),
    old("pullrequest:write", "Pull requests: Write", false),
    old("webhook", "Webhooks: Read and write", false),
    old("pipeline", "Pipelines: Read", false),
    old("pipeline:write", "Pipelines: Write", false),
    old("pipeline:variable", "Pipelines: Edit variables", true),
    old("runner", "Runners: Read", false),
    old("runner:write", "Runners: Write", false),
    old("project", "Projects: Read", false),
    old("project:admin", "Projects: Admin", true),
    old("account", "Account: Read", false),
];

/// Old-style scopes that no access token can be given: only OAuth consumers and (retired) app
/// passwords held them. They are known so that headers and 403 details naming them (Bitbucket's
/// own example names `team`) get a label, and so that a custom list naming them gets a precise
/// answer instead of "unknown". Labels are those of the app-password screen.
pub static OAUTH_ONLY_SCOPES: &[ScopeInfo] = &[
    old("account:write", "Account: Write", true),
    old("email", "Account: Email", false),
    old("issue", "Issues: Read", false),
    old("issue:write", "Issues: Write", false),
    old("snippet", "Snippets: Read", false),
    old("snippet:write", "Snippets: Write", false),
    old("team", "Workspace membership: Read", false),
    old("team:write", "Workspace membership: Write", true),
    old("wiki", "Wikis: Read and write", false),
    old("test", "Tests: Read", false),
    old("test:write", "Tests: Write", false),
];

/// Every new-style scope: the 35 Bitbucket scopes of the spec's "Forge app and API token
/// scopes" list, in its order, then the Atlassian platform scopes `read:account` and `read:me`
/// (not in Bitbucket's spec, but in the id.atlassian.com picker and asked for by Autoheal).
pub static API_TOKEN_SCOPES: &[ScopeInfo] = &[
    new("read:repository:bitbucket", "read:repository:bitbucket (Repositories: Read)", false),
    new("write:repository:bitbucket", "write:repository:bitbucket (Repositories: Write)", false),
    new("admin:repository:bitbucket", "admin:repository:bitbucket (Repositories: Admin)", true),
    new("delete:repository:bitbucket", "delete:repository:bitbucket (Repositories: Delete)", true),
    new("read:pullrequest:bitbucket", "read:pullrequest:bitbucket (Pull requests: Read)", false),
    new("write:pullrequest:bitbucket", "write:pullrequest:bitbucket (Pull requests: Write)", false),
    new("read:project:bitbucket", "read:project:bitbucket (Projects: Read)", false),
    new("admin:project:bitbucket", "admin:project:bitbucket (Projects: Admin)", true),
    new("read:workspace:bitbucket", "read:workspace:bitbucket (Workspaces: Read)", false),
    new("admin:workspace:bitbucket", "admin:workspace:bitbucket (Workspaces: Admin)", true),
    new("read:user:bitbucket", "read:user:bitbucket (User data: Read)", false),
    new("write:user:bitbucket", "write:user:bitbucket (User data: Write)", true),
    new("read:pipeline:bitbucket", "read:pipeline:bitbucket (Pipelines: Read)", false),
    new("write:pipeline:bitbucket", "write:pipeline:bitbucket (Pipelines: Write)", false),
    new("admin:pipeline:bitbucket", "admin:pipeline:bitbucket (Pipelines: Admin, edit variables)", true),
    new("read:runner:bitbucket", "read:runner:bitbucket (Runners: Read)", false),
    new("write:runner:bitbucket", "write:runner:bitbucket (Runners: Write)", false),
    new("read:issue:bitbucket", "read:issue:bitbucket (Issues: Read)", false),
    new("write:issue:bitbucket", "write:issue:bitbucket (Issues: Write)", false),
    new("delete:issue:bitbucket", "delete:issue:bitbucket (Issues: Delete)", true),
    new("read:webhook:bitbucket", "read:webhook:bitbucket (Webhooks: Read)", false),
    new("write:webhook:bitbucket", "write:webhook:bitbucket (Webhooks: Write)", false),
    new("delete:webhook:bitbucket", "delete:webhook:bitbucket (Webhooks: Delete)", true),
    new("read:snippet:bitbucket", "read:snippet:bitbucket (Snippets: Read)", false),
    new("write:snippet:bitbucket", "write:snippet:bitbucket (Snippets: Write)", false),
    new("delete:snippet:bitbucket", "delete:snippet:bitbucket (Snippets: Delete)", true),
    new("read:ssh-key:bitbucket", "read:ssh-key:bitbucket (SSH keys: Read)", false),
    new("write:ssh-key:bitbucket", "write:ssh-key:bitbucket (SSH keys: Write)", true),
    new("delete:ssh-key:bitbucket", "delete:ssh-key:bitbucket (SSH keys: Delete)", true),
    new("read:gpg-key:bitbucket", "read:gpg-key:bitbucket (GPG keys: Read)", false),
    new("write:gpg-key:bitbucket", "write:gpg-key:bitbucket (GPG keys: Write)", true),
    new("delete:gpg-key:bitbucket", "delete:gpg-key:bitbucket (GPG keys: Delete)", true),
    new("read:permission:bitbucket", "read:permission:bitbucket (Permissions: Read)", false),
    new("write:permission:bitbucket", "write:permission:bitbucket (Permissions: Write)", true),
    new("delete:permission:bitbucket", "delete:permission:bitbucket (Permissions: Delete)", true),
    new("read:account", "read:account (Atlassian user profiles: Read)", false),
    new("read:me", "read:me (Your own Atlassian profile: Read)", false),
];

/// What a repository access token can be given (`docs/scopes.md`, "Access-token scopes": the
/// spec narrative's "Repository access tokens" list).
pub(super) const REPOSITORY_TOKEN_OFFERS: &[&str] = &[
    "repository",
    "repository:write",
    "repository:admin",
    "repository:delete",
    "pullrequest",
    "pullrequest:write",
    "webhook",
    "pipeline",
    "pipeline:write",
    "pipeline:variable",
    "runner",
    "runner:write",
];

/// Project access tokens add Projects: Read (`docs/scopes.md`, "Access-token scopes").
pub(super) const PROJECT_TOKEN_EXTRAS: &[&str] = &["project"];

/// Workspace access tokens add Projects: Read and Admin and Account: Read, which no other kind
/// of access token has (`docs/scopes.md`, "Access-token scopes").
pub(super) const WORKSPACE_TOKEN_EXTRAS: &[&str] = &["project", "project:admin", "account"];

/// Direct implications between old-style scopes: holding the first also grants each of the
/// second. Each row, with its source, is in `docs/scopes.md`, "Implications":
///
/// * `repository:write` ⊃ `repository`; `pullrequest` ⊃ `repository`; `pullrequest:write` ⊃
///   `pullrequest` + `repository:write`; `project` ⊃ `repository`: the spec narrative says so in
///   words ("implicitly grants", "implies").
/// * `issue:write` ⊃ `issue`; `snippet:write` ⊃ `snippet`: the spec narrative says so in words.
/// * `pipeline:write` ⊃ `pipeline`, `pipeline:variable` ⊃ `pipeline`, `runner:write` ⊃
///   `runner`, `account:write` ⊃ `account`, `team:write` ⊃ `team`, `test:write` ⊃ `test`:
///   UNCONFIRMED. No Atlassian page says it in words; the spec's one-line scope descriptions do
///   ("Access and rerun your repositories' build pipelines", "Access your repositories' build
///   pipelines and configure their variables", "Access and edit … runners", "Read and modify
///   your account information", …). They matter because `x-oauth-scopes` may list only the
///   highest level granted (UNCONFIRMED); if one of these were wrong, the pipeline/runner
///   probes (which need the read scope) still catch it. `pipeline:variable` does not imply
///   `pipeline:write`: the narrative says write access to pipelines does not include variables
///   and nothing says the reverse.
/// * Admin and delete scopes (`repository:admin`, `repository:delete`, `project:admin`) imply
///   nothing (narrative: "doesn't implicitly grant"); neither do `webhook`, `wiki`, `issue`
///   ("doesn't give implicit access to the repository"), `email`, `account`.
pub(super) const IMPLICATIONS: &[(&str, &[&str])] = &[
    ("repository:write", &["repository"]),
    ("pullrequest", &["repository"]),
    ("pullrequest:write", &["pullrequest", "repository:write"]),
    ("project", &["repository"]),
    ("issue:write", &["issue"]),
    ("snippet:write", &["snippet"]),
    ("pipeline:write", &["pipeline"]),
    ("pipeline:variable", &["pipeline"]),
    ("runner:write", &["runner"]),
    ("account:write", &["account"]),
    ("team:write", &["team"]),
    ("test:write", &["test"]),
];

/// Old-style scope → the new-style scopes that give the same rights on the endpoints
/// integrations use (`docs/scopes.md`, "Old names to new names"). Source: the spec's
/// per-operation lists, held against this table by `spec_check.rs`; every departure from
/// one-to-one is explained:
///
/// * `pullrequest:write` → write + read of pull requests (the spec asks for both on most
///   pull-request writes).
/// * `pipeline:variable` → `admin:pipeline` (the new vocabulary has no "variables" scope).
/// * `account` → `read:user` + `read:workspace`: the old scope covers both user and workspace
///   endpoints; which one an endpoint needs depends on the endpoint (see [`satisfies`](super::satisfies)).
/// * `email` → `read:user` (`GET /user/emails`).
/// * `webhook` → read + write + delete of webhooks: the old scope is "Read and modify" and the
///   spec asks for `delete:webhook` on `DELETE …/hooks/{uid}`, which old-style needs `webhook`.
/// * `issue:write` / `snippet:write` → write + delete: deleting issues and snippets needs the
///   old write scope but the new delete scope.
/// * `team` → `read:workspace` (UNCONFIRMED: no operation in the spec uses `team`; it read the
///   user's workspace memberships, which `read:workspace` covers now).
/// * `test` / `test:write` → `read:pipeline` / `write:pipeline` (UNCONFIRMED: no operation
///   uses them; the new pipeline scopes' descriptions cover tests).
/// * `team:write` and `wiki` → nothing: the new vocabulary has no counterpart.
///
/// SSH/GPG keys and permission endpoints use `account`/`account:write`/admin scopes in the
/// old vocabulary but dedicated key and permission scopes in the new one; they are left out
/// here on purpose (the spec check lists them as endpoint-specific) because no target needs
/// them and access tokens cannot manage keys or permissions.
pub(super) const OLD_TO_NEW: &[(&str, &[&str])] = &[
    ("repository", &["read:repository:bitbucket"]),
    ("repository:write", &["write:repository:bitbucket"]),
    ("repository:admin", &["admin:repository:bitbucket"]),
    ("repository:delete", &["delete:repository:bitbucket"]),
    ("pullrequest", &["read:pullrequest:bitbucket"]),
    ("pullrequest:write", &["write:pullrequest:bitbucket", "read:pullrequest:bitbucket"]),
    ("webhook", &["read:webhook:bitbucket", "write:webhook:bitbucket", "delete:webhook:bitbucket"]),
    ("pipeline", &["read:pipeline:bitbucket"]),
    ("pipeline:write", &["write:pipeline:bitbucket"]),
    ("pipeline:variable", &["admin:pipeline:bitbucket"]),
    ("runner", &["read:runner:bitbucket"]),
    ("runner:write", &["write:runner:bitbucket"]),
    ("project", &["read:project:bitbucket"]),
    ("project:admin", &["admin:project:bitbucket"]),
    ("account", &["read:user:bitbucket", "read:workspace:bitbucket"]),
    ("account:write", &["write:user:bitbucket"]),
    ("email", &["read:user:bitbucket"]),
    ("issue", &["read:issue:bitbucket"]),
    ("issue:write", &["write:issue:bitbucket", "delete:issue:bitbucket"]),
    ("snippet", &["read:snippet:bitbucket"]),
    ("snippet:write", &["write:snippet:bitbucket", "delete:snippet:bitbucket"]),
    ("team", &["read:workspace:bitbucket"]),
    ("team:write", &[]),
    ("wiki", &[]),
    ("test", &["read:pipeline:bitbucket"]),
    ("test:write", &["write:pipeline:bitbucket"]),
];

/// Old-style scopes whose new-style counterparts are alternatives (the endpoint decides which
/// one it needs) rather than all needed together.
pub(super) const EITHER_OF: &[&str] = &["account"];

/// New-style scope → the old-style scope an access token needs for the same thing. Scopes
/// missing here have no access-token counterpart: `admin:workspace` (only app-property
/// endpoints use it), SSH/GPG keys and permissions (access tokens "cannot manipulate or query
/// permissions" and cannot manage keys), and the platform scopes `read:account`, `read:me`
/// (access tokens are not users; `/user` answers them 403).
pub(super) const NEW_TO_OLD: &[(&str, &str)] = &[
    ("read:repository:bitbucket", "repository"),
    ("write:repository:bitbucket", "repository:write"),
    ("admin:repository:bitbucket", "repository:admin"),
    ("delete:repository:bitbucket", "repository:delete"),
    ("read:pullrequest:bitbucket", "pullrequest"),
    ("write:pullrequest:bitbucket", "pullrequest:write"),
    ("read:project:bitbucket", "project"),
    ("admin:project:bitbucket", "project:admin"),
    ("read:workspace:bitbucket", "account"),
    ("read:user:bitbucket", "account"),
    ("write:user:bitbucket", "account:write"),
    ("read:pipeline:bitbucket", "pipeline"),
    ("write:pipeline:bitbucket", "pipeline:write"),
    ("admin:pipeline:bitbucket", "pipeline:variable"),
    ("read:runner:bitbucket", "runner"),
    ("write:runner:bitbucket", "runner:write"),
    ("read:issue:bitbucket", "issue"),
    ("write:issue:bitbucket", "issue:write"),
    ("delete:issue:bitbucket", "issue:write"),
    ("read:webhook:bitbucket", "webhook"),
    ("write:webhook:bitbucket", "webhook"),
    ("delete:webhook:bitbucket", "webhook"),
    ("read:snippet:bitbucket", "snippet"),
    ("write:snippet:bitbucket", "snippet:write"),
    ("delete:snippet:bitbucket", "snippet:write"),
];

/// Every known scope, both vocabularies.
pub fn all_scopes() -> impl Iterator<Item = &'static ScopeInfo> {
    ACCESS_TOKEN_SCOPES.iter().chain(OAUTH_ONLY_SCOPES).chain(API_TOKEN_SCOPES)
}

/// The scope with exactly this name (already normalised), in either vocabulary.
pub(super) fn find_exact(name: &str) -> Option<&'static ScopeInfo> {
    all_scopes().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::scopes::{kinds_offering, vocabulary_of};

    #[test]
    fn tables_have_unique_names_of_the_right_vocabulary() {
        let mut seen = BTreeSet::new();
        for info in all_scopes() {
            assert!(seen.insert(info.name), "duplicate {}", info.name);
            assert_eq!(info.name, info.name.trim().to_ascii_lowercase());
            let new_style = info.name.ends_with(":bitbucket") || info.name.starts_with("read:");
            assert_eq!(new_style, info.vocabulary == Vocabulary::ApiToken, "{}", info.name);
        }
        for info in API_TOKEN_SCOPES {
            assert!(info.label.starts_with(info.name), "{}: the picker shows raw names", info.name);
        }
        for (name, implied) in IMPLICATIONS {
            assert!(find_exact(name).is_some(), "{name}");
            assert!(implied.iter().all(|i| find_exact(i).is_some()), "{name}");
        }
        for (o, n) in OLD_TO_NEW {
            assert_eq!(vocabulary_of(o), Some(Vocabulary::AccessToken), "{o}");
            assert!(n.iter().all(|x| vocabulary_of(x) == Some(Vocabulary::ApiToken)), "{o}");
        }
        for (n, o) in NEW_TO_OLD {
            assert_eq!(vocabulary_of(n), Some(Vocabulary::ApiToken), "{n}");
            assert_eq!(vocabulary_of(o), Some(Vocabulary::AccessToken), "{o}");
        }
        // Every old-style scope has a translation entry (possibly empty), so none is forgotten.
        for info in ACCESS_TOKEN_SCOPES.iter().chain(OAUTH_ONLY_SCOPES) {
            assert!(OLD_TO_NEW.iter().any(|(o, _)| *o == info.name), "{}", info.name);
        }
        // The offered lists name only access-token-table scopes, and every one is offered.
        for n in REPOSITORY_TOKEN_OFFERS.iter().chain(PROJECT_TOKEN_EXTRAS).chain(WORKSPACE_TOKEN_EXTRAS) {
            assert!(ACCESS_TOKEN_SCOPES.iter().any(|i| i.name == *n), "{n}");
        }
        for info in ACCESS_TOKEN_SCOPES {
            assert!(!kinds_offering(info.name).is_empty(), "{}", info.name);
        }
        for info in OAUTH_ONLY_SCOPES {
            assert!(kinds_offering(info.name).is_empty(), "{}", info.name);
        }
    }
}
