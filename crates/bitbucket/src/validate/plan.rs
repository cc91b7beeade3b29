//! Which probes to send: the inputs checked without the network, and the read-only GETs that
//! will tell whether the credential authenticates, reaches the place and holds the scopes.

use serde::{Deserialize, Serialize};

use super::report::{Problem, Verdict};
use crate::client::{ApiBase, Timeouts};
use crate::credential::{self, Credential, CredentialKind, PastedKind};
use crate::location::Location;
use crate::target::Target;

/// The most requests one validation sends.
pub const MAX_PROBES: usize = 6;

/// What the user asked to check.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub credential: Credential,
    pub location: Location,
    /// What the credential is for: the scopes it needs and whether it needs a repository.
    pub target: Target,
    pub api_base: ApiBase,
    pub timeouts: Timeouts,
}

/// An input that cannot be checked at all (the user must change it first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Preset(String),
    #[error("A {kind} reaches repositories only, so it is checked on one: give a repository's address (for example https://bitbucket.org/{workspace}/REPOSITORY).")]
    RepositoryNeeded { kind: &'static str, workspace: String },
    #[error("{preset} works on one repository. Give the repository's address (for example https://bitbucket.org/{workspace}/REPOSITORY).")]
    PresetNeedsRepository { preset: String, workspace: String },
}

/// A checked request, ready to send.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(super) request: CheckRequest,
    pub(super) required: Vec<String>,
    pub(super) probes: Vec<Probe>,
    /// Set when the answer is known without asking Bitbucket.
    pub(super) early: Option<Verdict>,
}

impl Plan {
    pub fn probe_count(&self) -> usize {
        if self.early.is_some() {
            0
        } else {
            self.probes.len()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProbeKind {
    Repository,
    /// `/workspaces/{ws}`.
    Workspace,
    /// `/repositories/{ws}`: the repositories of the workspace this credential sees.
    WorkspaceRepositories,
    User,
    PullRequests,
    Pipelines,
    Webhooks,
    Projects,
    /// `/user/workspaces/{ws}/permissions/repositories?q=repository.full_name="ws/repo"`: the
    /// account's permission (read, write, admin) on the repository (API tokens only).
    Permission,
}

impl ProbeKind {
    pub(super) fn name(self) -> &'static str {
        match self {
            ProbeKind::Repository => "repository",
            ProbeKind::Workspace => "workspace",
            ProbeKind::WorkspaceRepositories => "workspace_repositories",
            ProbeKind::User => "user",
            ProbeKind::PullRequests => "pull_requests",
            ProbeKind::Pipelines => "pipelines",
            ProbeKind::Webhooks => "webhooks",
            ProbeKind::Projects => "projects",
            ProbeKind::Permission => "repository_permission",
        }
    }

    /// What the probe reads, in words, for messages.
    pub(super) fn what(self) -> &'static str {
        match self {
            ProbeKind::Repository => "repository",
            ProbeKind::Workspace => "workspace",
            ProbeKind::WorkspaceRepositories => "list of repositories",
            ProbeKind::User => "account",
            ProbeKind::PullRequests => "pull requests",
            ProbeKind::Pipelines => "pipelines",
            ProbeKind::Webhooks => "webhooks",
            ProbeKind::Projects => "projects",
            ProbeKind::Permission => "account's permission on the repository",
        }
    }
}

/// Why a probe is sent. It decides what the probe's answer may do to the verdict: the verdict
/// rests on whether the credential authenticates, holds the scopes the target needs and
/// reaches the target, and on nothing else. A probe that only adds facts never fails a check
/// and never names a scope, so an answer of Bitbucket's that nobody has observed (for example
/// what a repository access token gets on its workspace) cannot turn a good token into a
/// failed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role", content = "scope")]
pub enum Role {
    /// Proves that the credential reaches the target: the repository, or the workspace when no
    /// repository is given. Its 404 fails the check.
    Reach,
    /// Reads something that needs exactly this scope (in the credential's vocabulary), which
    /// the target needs: its 403 proves the scope missing.
    Scope(String),
    /// Adds facts (names, lists) only.
    Info,
}

#[derive(Debug, Clone)]
pub(super) struct Probe {
    pub(super) kind: ProbeKind,
    pub(super) role: Role,
    pub(super) segments: Vec<String>,
    /// Query pairs (Bitbucket's `q` filter), rarely any.
    pub(super) query: Vec<(String, String)>,
}

impl Probe {
    /// The scope this probe reads (in `kind`'s vocabulary), when one scope covers it.
    pub(super) fn own_scope(&self, kind: CredentialKind) -> Option<String> {
        match &self.role {
            Role::Scope(s) => Some(s.clone()),
            Role::Reach if matches!(self.kind, ProbeKind::Repository | ProbeKind::WorkspaceRepositories) => {
                Some(read_scope(kind, "repository"))
            }
            Role::Reach if kind == CredentialKind::ApiToken => Some("read:workspace:bitbucket".to_string()),
            _ => None,
        }
    }
}

/// Checks the inputs and decides which probes to send. Problems that need no request
/// (retired app password, API token without email, a paste of the wrong kind) end here.
pub fn plan(request: CheckRequest, pasted: PastedKind) -> Result<Plan, InputError> {
    let kind = request.credential.kind;
    let workspace = request.location.workspace.clone();

    let early = early_problem(&request, pasted);
    let required = if early.is_some() && kind == CredentialKind::AppPassword {
        Vec::new()
    } else {
        request.target.required_scopes(kind).map_err(InputError::Preset)?
    };
    if early.is_none() && request.location.repository.is_none() {
        // Repository and project tokens reach repositories only: without one to look at,
        // nothing would prove the token reaches anything (Bitbucket may refuse them the
        // workspace itself).
        if matches!(kind, CredentialKind::RepositoryToken | CredentialKind::ProjectToken) {
            return Err(InputError::RepositoryNeeded { kind: kind.label(), workspace });
        }
        if request.target.needs_repository {
            return Err(InputError::PresetNeedsRepository { preset: request.target.name.clone(), workspace });
        }
    }

    let probes = choose_probes(&request.location, kind, &required);
    Ok(Plan { request, required, probes, early })
}

fn early_problem(request: &CheckRequest, pasted: PastedKind) -> Option<Verdict> {
    let kind = request.credential.kind;
    if kind == CredentialKind::AppPassword || pasted == PastedKind::AppPassword {
        return Some(Verdict::fails(
            Problem::AppPasswordRetired,
            "This is a Bitbucket app password. Atlassian switched app passwords off on 2026-07-28, so it can no longer be used.",
            "Create an API token with scopes at id.atlassian.com (or a repository or workspace access token) and check that instead.",
        ));
    }
    if kind == CredentialKind::ApiToken {
        let email_ok = request.credential.email.as_deref().is_some_and(|e| credential::check_email(e).is_ok());
        if !email_ok {
            let message = match (&request.credential.email, &request.credential.username) {
                (None, Some(_)) => {
                    "API tokens are used with your Atlassian account email, not your Bitbucket username.".to_string()
                }
                (Some(e), _) if !e.trim().is_empty() => credential::check_email(e).err().unwrap_or_default(),
                _ => "An API token is used together with your Atlassian account email, and none was given.".to_string(),
            };
            return Some(Verdict::fails(
                Problem::ApiTokenNeedsEmail,
                message,
                "Enter the email address you log in to Bitbucket with (id.atlassian.com > Account settings shows it).",
            ));
        }
    }
    if pasted == PastedKind::ApiToken && kind.is_access_token() {
        return Some(Verdict::fails(
            Problem::ApiTokenNeedsEmail,
            format!("This looks like an Atlassian API token, but you chose {}. API tokens are sent with your Atlassian account email.", kind.label()),
            "Choose \"API token with scopes\" and enter your Atlassian account email, or paste the access token you created in Bitbucket.",
        ));
    }
    if pasted == PastedKind::AccessToken && kind == CredentialKind::ApiToken {
        return Some(Verdict::fails(
            Problem::WrongCredentialKind,
            "This looks like a Bitbucket access token (repository, project or workspace), but you chose API token with scopes.",
            "Choose the access token kind you created, or paste the API token from id.atlassian.com.",
        ));
    }
    None
}

/// The scope of `kind`'s vocabulary that reads what `word` names (`pullrequest` → `pullrequest`
/// or `read:pullrequest:bitbucket`).
pub(super) fn read_scope(kind: CredentialKind, word: &str) -> String {
    if kind == CredentialKind::ApiToken {
        format!("read:{word}:bitbucket")
    } else {
        word.to_string()
    }
}

fn choose_probes(location: &Location, kind: CredentialKind, required: &[String]) -> Vec<Probe> {
    let ws = location.workspace_segment();
    let repo = location.repository_segment();
    let api = kind == CredentialKind::ApiToken;
    let requires = |s: &str| required.iter().any(|r| r == s);
    let needs = |word: &str| required.iter().any(|s| s.split(':').any(|part| part == word));
    let mut probes = Vec::new();
    let probe = |kind, role, segments: &[&str]| Probe {
        kind,
        role,
        segments: segments.iter().map(|s| s.to_string()).collect(),
        query: Vec::new(),
    };

    match &repo {
        Some(repo) => probes.push(probe(ProbeKind::Repository, Role::Reach, &["repositories", &ws, repo])),
        // No repository (workspace tokens and API tokens only, see `plan`): the workspace is
        // the target. A workspace token reads its workspace with no scope; an API token needs
        // read:workspace there, so without it the workspace's repository list (read:repository)
        // stands in.
        None if api && !requires("read:workspace:bitbucket") && requires("read:repository:bitbucket") => {
            probes.push(probe(ProbeKind::WorkspaceRepositories, Role::Reach, &["repositories", &ws]))
        }
        None => probes.push(probe(ProbeKind::Workspace, Role::Reach, &["workspaces", &ws])),
    }
    // API tokens that need read:workspace: the workspace proves it. (Access tokens are not
    // sent there when a repository is given: the repository's answer names its workspace,
    // and what Bitbucket answers a repository or project token on a workspace is unknown.)
    if repo.is_some() && api && requires("read:workspace:bitbucket") {
        probes.push(probe(ProbeKind::Workspace, Role::Scope("read:workspace:bitbucket".into()), &["workspaces", &ws]));
    }
    // Access tokens have no user behind them: /user answers them with an error by design.
    // Only API tokens have an account to read, and /user needs read:user.
    if api && requires("read:user:bitbucket") {
        probes.push(probe(ProbeKind::User, Role::Scope("read:user:bitbucket".into()), &["user"]));
    }
    if let Some(repo) = &repo {
        for (kind_, word, tail) in [
            (ProbeKind::PullRequests, "pullrequest", "pullrequests"),
            (ProbeKind::Pipelines, "pipeline", "pipelines"),
            (ProbeKind::Webhooks, "webhook", "hooks"),
        ] {
            if needs(word) {
                probes.push(probe(kind_, Role::Scope(read_scope(kind, word)), &["repositories", &ws, repo, tail]));
            }
        }
        // Webhooks need the account's Admin permission on the repository as well as the scopes:
        // an API token acts as its account, so when the webhooks are refused, the account's
        // permission tells a missing role from a missing scope. (Access tokens have no account.)
        let plain = |s: &str| !s.is_empty() && !s.starts_with('{');
        if api && needs("webhook") && plain(&location.workspace) && location.repository.as_deref().is_some_and(plain) {
            let mut p =
                probe(ProbeKind::Permission, Role::Info, &["user", "workspaces", &ws, "permissions", "repositories"]);
            let full = location.full_name().unwrap_or_default();
            p.query.push(("q".into(), format!("repository.full_name=\"{}\"", full.to_ascii_lowercase())));
            probes.push(p);
        }
    } else if !probes.iter().any(|p| p.kind == ProbeKind::WorkspaceRepositories) && needs("repository") {
        // A workspace-level check: a workspace answers anyone, so only a private repository in
        // the workspace's list proves the credential when Bitbucket sends no credential
        // headers (they are undocumented).
        probes.push(probe(ProbeKind::WorkspaceRepositories, Role::Info, &["repositories", &ws]));
    }
    // The project list adds facts only: what Bitbucket shows a narrow token there is unknown.
    if needs("project") {
        probes.push(probe(ProbeKind::Projects, Role::Info, &["workspaces", &ws, "projects"]));
    }
    probes.truncate(MAX_PROBES);
    probes
}
