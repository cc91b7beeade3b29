//! The validation engine: read-only probes sent concurrently, their headers and bodies folded
//! into one [`Report`] with exactly one primary [`Problem`] when something is wrong.
//!
//! The flow is: [`plan`] checks the inputs without the network (and catches problems that
//! need no request, such as a retired app password), then [`run`] sends at most
//! [`MAX_PROBES`] GETs at once and [`judge`] reads the answers.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::client::{ApiBase, BodyProblem, Client, NetworkError, ProbeResponse, Timeouts};
use super::creation;
use super::credential::{self, Credential, CredentialKind, PastedKind};
use super::location::Location;
use super::scopes;
use super::target::Target;

/// The most requests one validation sends.
pub const MAX_PROBES: usize = 6;

/// What went wrong, one name per cause. The names are part of the command line's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Unauthorized,
    MissingScopes,
    NotFound,
    AppPasswordRetired,
    ApiTokenNeedsEmail,
    UnscopedApiToken,
    WrongTokenForLocation,
    /// The token holds what is needed, but the account it acts as lacks a role Bitbucket asks
    /// for (managing a repository's webhooks needs its Admin permission): a new token cannot help.
    NotRepositoryAdmin,
    PublicRepoWithoutValidCredential,
    WrongCredentialKind,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    Network,
    NotCloud,
}

impl Problem {
    pub fn name(self) -> &'static str {
        match self {
            Problem::Unauthorized => "unauthorized",
            Problem::MissingScopes => "missing_scopes",
            Problem::NotFound => "not_found",
            Problem::AppPasswordRetired => "app_password_retired",
            Problem::ApiTokenNeedsEmail => "api_token_needs_email",
            Problem::UnscopedApiToken => "unscoped_api_token",
            Problem::WrongTokenForLocation => "wrong_token_for_location",
            Problem::NotRepositoryAdmin => "not_repository_admin",
            Problem::PublicRepoWithoutValidCredential => "public_repo_without_valid_credential",
            Problem::WrongCredentialKind => "wrong_credential_kind",
            Problem::RateLimited => "rate_limited",
            Problem::ServerError => "server_error",
            Problem::UnexpectedResponse => "unexpected_response",
            Problem::Network => "network",
            Problem::NotCloud => "not_cloud",
        }
    }
}

/// A scope named in the UI's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeLabel {
    pub scope: String,
    pub label: String,
}

fn labelled(names: impl IntoIterator<Item = String>) -> Vec<ScopeLabel> {
    names
        .into_iter()
        .map(|scope| ScopeLabel { label: scopes::label(&scope), scope })
        .collect()
}

/// One probe as the report shows it: what was asked, why, and what came back (never a
/// secret). The same fields go into the support details, so a person helping the user sees
/// exactly what Bitbucket answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeSummary {
    pub name: String,
    /// Why it was sent, which decides what its answer may do to the verdict.
    #[serde(flatten)]
    pub role: Role,
    pub path: String,
    pub status: Option<u16>,
    /// The network error, when no answer came.
    pub error: Option<String>,
    /// `x-credential-type`.
    pub credential_type: Option<String>,
    /// `x-oauth-scopes`, as listed.
    pub oauth_scopes: Option<String>,
    /// `x-accepted-oauth-scopes`.
    pub accepted_scopes: Option<String>,
    /// `error.message` of Bitbucket's error body (control characters removed).
    pub server_message: Option<String>,
}

/// The result of one validation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub problem: Option<Problem>,
    /// A one-paragraph verdict in plain language.
    pub message: String,
    /// What to do next (empty when all is well).
    pub next_step: String,
    /// `x-credential-type` as Bitbucket reported it.
    pub credential_type: Option<String>,
    /// The kind Bitbucket's answer shows, or the one chosen when Bitbucket did not say.
    pub credential_kind: CredentialKind,
    /// Scopes held, implications applied.
    pub granted: Vec<String>,
    /// Scopes held, as Bitbucket listed them.
    pub granted_raw: Vec<String>,
    pub required: Vec<String>,
    pub missing: Vec<String>,
    pub missing_labels: Vec<ScopeLabel>,
    /// Powerful scopes (admin, delete) beyond what the target needs.
    pub extra: Vec<String>,
    pub extra_labels: Vec<ScopeLabel>,
    pub warnings: Vec<String>,
    pub default_branch: Option<String>,
    pub repository: Option<String>,
    pub workspace: String,
    pub workspace_name: Option<String>,
    pub account: Option<String>,
    /// The target's id ([`Target::id`]), as the caller named it.
    pub preset: String,
    pub api_url: String,
    pub requests: usize,
    pub probes: Vec<ProbeSummary>,
    pub checked_at: chrono::DateTime<chrono::Utc>,
}

impl Report {
    /// What a person helping the user needs to know about this check: everything Bitbucket
    /// said, and nothing about the person (no account name; the token is never in a report).
    pub fn details(&self) -> CheckDetails {
        CheckDetails {
            checked_at: self.checked_at,
            api_url: self.api_url.clone(),
            preset: self.preset.clone(),
            credential_kind: self.credential_kind,
            credential_type: self.credential_type.clone(),
            ok: self.ok,
            problem: self.problem.map(|p| p.name().to_string()),
            message: self.message.clone(),
            next_step: self.next_step.clone(),
            workspace: self.workspace.clone(),
            repository: self.repository.clone(),
            required: self.required.clone(),
            granted_raw: self.granted_raw.clone(),
            missing: self.missing.clone(),
            warnings: self.warnings.clone(),
            probes: self.probes.clone(),
        }
    }
}

/// The facts of one check that support needs, kept with a saved connection so that its
/// "Copy details for support" works later too. See [`Report::details`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckDetails {
    pub checked_at: chrono::DateTime<chrono::Utc>,
    pub api_url: String,
    /// The target's id ([`Target::id`]).
    pub preset: String,
    pub credential_kind: CredentialKind,
    pub credential_type: Option<String>,
    pub ok: bool,
    pub problem: Option<String>,
    pub message: String,
    pub next_step: String,
    pub workspace: String,
    pub repository: Option<String>,
    pub required: Vec<String>,
    pub granted_raw: Vec<String>,
    pub missing: Vec<String>,
    pub warnings: Vec<String>,
    pub probes: Vec<ProbeSummary>,
}

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
    request: CheckRequest,
    required: Vec<String>,
    probes: Vec<Probe>,
    /// Set when the answer is known without asking Bitbucket.
    early: Option<(Problem, String, String)>,
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
enum ProbeKind {
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
    fn name(self) -> &'static str {
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
    fn what(self) -> &'static str {
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
struct Probe {
    kind: ProbeKind,
    role: Role,
    segments: Vec<String>,
    /// Query pairs (Bitbucket's `q` filter), rarely any.
    query: Vec<(String, String)>,
}

/// The scopes Bitbucket offers only through the Atlassian platform, not Bitbucket itself.
/// Whether `x-oauth-scopes` ever lists them is UNCONFIRMED (published captures show only
/// `*:bitbucket` names), so their absence from the header proves nothing by itself.
pub const PLATFORM_SCOPES: [&str; 2] = ["read:account", "read:me"];

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

fn early_problem(request: &CheckRequest, pasted: PastedKind) -> Option<(Problem, String, String)> {
    let kind = request.credential.kind;
    if kind == CredentialKind::AppPassword || pasted == PastedKind::AppPassword {
        return Some((
            Problem::AppPasswordRetired,
            "This is a Bitbucket app password. Atlassian switched app passwords off on 2026-07-28, so it can no longer be used.".into(),
            "Create an API token with scopes at id.atlassian.com (or a repository or workspace access token) and check that instead.".into(),
        ));
    }
    if kind == CredentialKind::ApiToken {
        let email_ok = request
            .credential
            .email
            .as_deref()
            .is_some_and(|e| credential::check_email(e).is_ok());
        if !email_ok {
            let message = match (&request.credential.email, &request.credential.username) {
                (None, Some(_)) => "API tokens are used with your Atlassian account email, not your Bitbucket username.".to_string(),
                (Some(e), _) if !e.trim().is_empty() => credential::check_email(e).err().unwrap_or_default(),
                _ => "An API token is used together with your Atlassian account email, and none was given.".to_string(),
            };
            return Some((
                Problem::ApiTokenNeedsEmail,
                message,
                "Enter the email address you log in to Bitbucket with (id.atlassian.com > Account settings shows it).".into(),
            ));
        }
    }
    if pasted == PastedKind::ApiToken && kind.is_access_token() {
        return Some((
            Problem::ApiTokenNeedsEmail,
            format!("This looks like an Atlassian API token, but you chose {}. API tokens are sent with your Atlassian account email.", kind.label()),
            "Choose \"API token with scopes\" and enter your Atlassian account email, or paste the access token you created in Bitbucket.".into(),
        ));
    }
    if pasted == PastedKind::AccessToken && kind == CredentialKind::ApiToken {
        return Some((
            Problem::WrongCredentialKind,
            "This looks like a Bitbucket access token (repository, project or workspace), but you chose API token with scopes.".into(),
            "Choose the access token kind you created, or paste the API token from id.atlassian.com.".into(),
        ));
    }
    None
}

/// The scope of `kind`'s vocabulary that reads what `word` names (`pullrequest` → `pullrequest`
/// or `read:pullrequest:bitbucket`).
fn read_scope(kind: CredentialKind, word: &str) -> String {
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
            let mut p = probe(ProbeKind::Permission, Role::Info, &["user", "workspaces", &ws, "permissions", "repositories"]);
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

type Outcome = (Probe, Result<ProbeResponse, NetworkError>);

/// Sends the probes concurrently and judges the answers, on a client of its own.
pub async fn run(plan: Plan) -> Report {
    if let Some((problem, message, next)) = plan.early.clone() {
        return base_report(&plan, Some(problem), message, next);
    }
    match Client::new(plan.request.api_base.clone(), plan.request.timeouts) {
        Ok(client) => run_with(plan, &client).await,
        Err(e) => {
            let next = e.next_step().to_string();
            base_report(&plan, Some(Problem::Network), e.to_string(), next)
        }
    }
}

/// [`run`] on `client`, whose connection may already be open ([`Client::preconnect`]): the
/// window opens it while the person creates the token, so the check costs one round trip.
/// `client` must be for the plan's API address.
pub async fn run_with(plan: Plan, client: &Client) -> Report {
    if let Some((problem, message, next)) = plan.early.clone() {
        return base_report(&plan, Some(problem), message, next);
    }
    if client.base() != &plan.request.api_base {
        return match Client::new(plan.request.api_base.clone(), plan.request.timeouts) {
            Ok(own) => Box::pin(run_with(plan, &own)).await,
            Err(e) => {
                let next = e.next_step().to_string();
                base_report(&plan, Some(Problem::Network), e.to_string(), next)
            }
        };
    }
    let outcomes = send_probes(&plan, client).await;
    judge(&plan, outcomes)
}

/// Sends the probes together, over as few connections as the server allows.
///
/// On a client with no open connection, requests sent together would each open one: the
/// pool learns that the server speaks HTTP/2 only when the first TLS handshake ends. So the
/// first probe goes alone, and the others follow the moment its connection is up (not when
/// its answer comes back), sharing it over HTTP/2; over HTTP/1.1 they open their own, as
/// concurrency needs. If the first probe found a pooled connection, the others go at once.
/// If its connection could not be opened (offline, DNS, refused, proxy, TLS), the others
/// would fail the same way: they are given the same error instead of waiting for their own.
async fn send_probes(plan: &Plan, client: &Client) -> Vec<Outcome> {
    use std::task::Poll;
    let credential = &plan.request.credential;
    let send = |probe: &Probe| {
        let probe = probe.clone();
        async move {
            let segments: Vec<&str> = probe.segments.iter().map(String::as_str).collect();
            let query: Vec<(&str, &str)> = probe.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let answer = client.get_query(&segments, &query, Some(credential)).await;
            (probe, answer)
        }
    };
    let Some((first, rest)) = plan.probes.split_first() else {
        return Vec::new();
    };
    let mut first = std::pin::pin!(send(first));
    // One poll: the request either takes a pooled connection or starts opening one.
    let early = match futures::poll!(first.as_mut()) {
        Poll::Ready(outcome) => Some(outcome),
        Poll::Pending if client.opening_connections() == 0 => None,
        // Biased: in the poll where its connection comes up, the first probe also reaches
        // the pool (and sends its request) before the others look for a connection.
        Poll::Pending => tokio::select! {
            biased;
            outcome = first.as_mut() => Some(outcome),
            () = client.connections_opened() => None,
        },
    };
    let mut outcomes = Vec::with_capacity(plan.probes.len());
    match early {
        Some((probe, Err(error))) if client.last_connect_failed() => {
            outcomes.push((probe, Err(error.clone())));
            outcomes.extend(rest.iter().map(|p| (p.clone(), Err(error.clone()))));
        }
        Some(outcome) => {
            outcomes.push(outcome);
            outcomes.extend(futures::future::join_all(rest.iter().map(send)).await);
        }
        None => {
            let (outcome, others) = futures::future::join(first, futures::future::join_all(rest.iter().map(send))).await;
            outcomes.push(outcome);
            outcomes.extend(others);
        }
    }
    outcomes
}

/// Convenience: plan and run in one call (input errors come back as `Err`).
pub async fn validate(request: CheckRequest, pasted: PastedKind) -> Result<Report, InputError> {
    Ok(run(plan(request, pasted)?).await)
}

fn base_report(plan: &Plan, problem: Option<Problem>, message: String, next_step: String) -> Report {
    let req = &plan.request;
    let mut warnings = Vec::new();
    let unknown: Vec<&str> = plan
        .required
        .iter()
        .map(String::as_str)
        .filter(|s| scopes::lookup(s).is_none())
        .collect();
    if !unknown.is_empty() {
        warnings.push(format!(
            "{} {} not in this app's list of Bitbucket scopes (Atlassian may have added {} since); {} checked by name only.",
            unknown.join(", "),
            if unknown.len() == 1 { "is" } else { "are" },
            if unknown.len() == 1 { "it" } else { "them" },
            if unknown.len() == 1 { "it is" } else { "they are" },
        ));
    }
    Report {
        ok: problem.is_none(),
        problem,
        message,
        next_step,
        credential_type: None,
        credential_kind: req.credential.kind,
        granted: Vec::new(),
        granted_raw: Vec::new(),
        required: plan.required.clone(),
        missing: Vec::new(),
        missing_labels: Vec::new(),
        extra: Vec::new(),
        extra_labels: Vec::new(),
        warnings,
        default_branch: None,
        repository: req.location.full_name(),
        workspace: req.location.workspace.clone(),
        workspace_name: None,
        account: None,
        preset: req.target.id.clone(),
        api_url: req.api_base.as_str().to_string(),
        requests: 0,
        probes: Vec::new(),
        checked_at: chrono::Utc::now(),
    }
}

fn find(outcomes: &[Outcome], kind: ProbeKind) -> Option<&Result<ProbeResponse, NetworkError>> {
    outcomes.iter().find(|(p, _)| p.kind == kind).map(|(_, r)| r)
}

fn ok_response(outcomes: &[Outcome], kind: ProbeKind) -> Option<&ProbeResponse> {
    match find(outcomes, kind) {
        Some(Ok(r)) => Some(r),
        _ => None,
    }
}

/// Whether the answer shows that Bitbucket recognised the credential: it names the
/// credential's type and does not refuse it.
fn authenticated(r: &ProbeResponse) -> bool {
    r.credential_type.is_some() && r.status != 401
}

/// Whether the answer proves the credential without Bitbucket's credential headers (which are
/// observed, not documented): only a credential that authenticates is shown a private
/// repository, or the account behind it. A public repository, and a workspace, answer anyone.
fn proves_without_headers(p: &Probe, r: &ProbeResponse) -> bool {
    // 403 is "authenticated, but not allowed" (a credential Bitbucket does not accept gets 401);
    // only Bitbucket's own error body counts, not a page from something in between.
    if r.status == 403 && r.error_message.is_some() && r.body_problem.is_none() {
        return true;
    }
    if r.status != 200 || r.body_problem.is_some() {
        return false;
    }
    let private = |v: &serde_json::Value| v.get("is_private").and_then(|b| b.as_bool()) == Some(true);
    match p.kind {
        ProbeKind::Repository => r.json.as_ref().is_some_and(private),
        ProbeKind::WorkspaceRepositories => r
            .json
            .as_ref()
            .and_then(|j| j.get("values"))
            .and_then(|v| v.as_array())
            .is_some_and(|values| values.iter().any(private)),
        ProbeKind::User => r.json.as_ref().is_some_and(|j| j.get("account_id").is_some() || j.get("uuid").is_some()),
        _ => false,
    }
}

/// Whether any answer proves that Bitbucket accepted the credential.
fn credential_proven(outcomes: &[Outcome]) -> bool {
    outcomes
        .iter()
        .any(|(p, r)| r.as_ref().is_ok_and(|r| authenticated(r) || proves_without_headers(p, r)))
}

/// The account's permission on the repository (`read`, `write`, `admin`), when the permission
/// probe answered with it.
fn repository_permission(outcomes: &[Outcome], full_name: Option<&str>) -> Option<String> {
    let full_name = full_name?;
    let r = ok_response(outcomes, ProbeKind::Permission).filter(|r| r.status == 200)?;
    let values = r.json.as_ref()?.get("values")?.as_array()?;
    values
        .iter()
        .find(|v| {
            v.pointer("/repository/full_name")
                .and_then(|f| f.as_str())
                .is_some_and(|f| f.eq_ignore_ascii_case(full_name))
        })
        .and_then(|v| v.get("permission"))
        .and_then(|p| p.as_str())
        .map(|p| outside_text(p, 20))
}

/// A scope as a list may show it: its label, with the scope's own name when the label lacks it.
fn scope_with_name(scope: &str) -> String {
    let label = scopes::label(scope);
    if label.contains(scope) {
        label
    } else {
        format!("{label} ({scope})")
    }
}

/// Folds the probes' answers into one report with one primary problem.
fn judge(plan: &Plan, outcomes: Vec<Outcome>) -> Report {
    let req = &plan.request;
    let chosen = req.credential.kind;
    let mut report = base_report(plan, None, String::new(), String::new());
    report.requests = outcomes.len();
    // The token went to this address: say so whenever it is not Bitbucket Cloud's, so that no
    // page or file can send it elsewhere unseen.
    if req.api_base != super::client::ApiBase::cloud() {
        // An answer means the request, token included, reached that address; with none, the
        // connection was never made (a timeout or a cut may still have carried it).
        let answered = outcomes.iter().any(|(_, r)| r.is_ok());
        let never_connected = outcomes.iter().all(|(_, r)| r.as_ref().err().is_some_and(NetworkError::never_connected));
        let fate = if answered {
            "the token was sent there."
        } else if never_connected {
            "no connection was made, so the token was not sent."
        } else {
            "the token may have reached it."
        };
        report.warnings.push(format!(
            "This check went to {}, not to Bitbucket Cloud's API ({}): {fate}",
            outside_text(req.api_base.as_str(), 200),
            super::client::DEFAULT_API_URL
        ));
    }
    report.probes = outcomes.iter().map(|(p, r)| summary(p, r)).collect();

    let responses: Vec<&ProbeResponse> = outcomes.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();

    // What Bitbucket says the credential is, and what it holds: from an answer that accepted
    // it when there is one (a refusing answer may describe it less well).
    let describing = responses
        .iter()
        .filter(|r| authenticated(r))
        .chain(responses.iter().filter(|r| !authenticated(r)))
        .copied()
        .collect::<Vec<_>>();
    report.credential_type = describing.iter().find_map(|r| r.credential_type.as_deref().map(|t| outside_text(t, 64)));
    let seen_kind = report.credential_type.as_deref().and_then(CredentialKind::from_bitbucket_type);
    if let Some(seen) = seen_kind {
        report.credential_kind = seen;
        if seen != chosen {
            report.warnings.push(format!(
                "Bitbucket says this is a {}, but you chose {}. It is treated as a {}.",
                seen.label(),
                chosen.label(),
                seen.label()
            ));
        }
    }
    let raw_scopes: Option<Vec<String>> = describing.iter().find_map(|r| r.oauth_scopes.clone());
    let granted_raw = raw_scopes.clone().unwrap_or_default();
    let granted: BTreeSet<String> = scopes::expand(&granted_raw);
    report.granted_raw = granted_raw.clone();
    report.granted = granted.iter().cloned().collect();

    // Facts for the success view, read whatever the verdict.
    if let Some(repo) = ok_response(&outcomes, ProbeKind::Repository).filter(|r| r.status == 200) {
        if let Some(json) = &repo.json {
            // Names from the server are shown and stored: made safe here, once.
            report.default_branch = json.pointer("/mainbranch/name").and_then(|v| v.as_str()).map(|s| outside_text(s, 255));
            if let Some(full) = json.get("full_name").and_then(|v| v.as_str()) {
                report.repository = Some(outside_text(full, 255));
            }
            report.workspace_name = json.pointer("/workspace/name").and_then(|v| v.as_str()).map(|s| outside_text(s, 255));
            // Bitbucket shows a public repository to anyone; whether it shows one to an access
            // token made elsewhere is unknown (docs/bitbucket-behaviour.md, U12).
            let public = json.get("is_private").and_then(|v| v.as_bool()) == Some(false);
            if public && matches!(chosen, CredentialKind::RepositoryToken | CredentialKind::ProjectToken) {
                report.warnings.push(format!(
                    "{} is public, so Bitbucket shows it to anyone: this check cannot confirm that the token was made for it. Make sure it was created in this repository's (or its project's) settings.",
                    report.repository.as_deref().unwrap_or("This repository")
                ));
            }
        }
    }
    if let Some(ws) = ok_response(&outcomes, ProbeKind::Workspace).filter(|r| r.status == 200) {
        if let Some(name) = ws.json.as_ref().and_then(|j| j.get("name")).and_then(|v| v.as_str()) {
            report.workspace_name = Some(outside_text(name, 255));
        }
    }
    if let Some(user) = ok_response(&outcomes, ProbeKind::User).filter(|r| r.status == 200) {
        report.account = user.json.as_ref().and_then(|j| {
            j.get("display_name").or_else(|| j.get("nickname")).and_then(|v| v.as_str()).map(|s| outside_text(s, 255))
        });
    }

    // Extra powerful scopes: least privilege.
    let required_set: BTreeSet<&str> = plan.required.iter().map(String::as_str).collect();
    report.extra = granted_raw
        .iter()
        .filter(|s| scopes::is_powerful(s) && !required_set.contains(s.as_str()))
        .cloned()
        .collect();
    report.extra_labels = labelled(report.extra.clone());
    if !report.extra.is_empty() {
        report.warnings.push(format!(
            "This token can do more than {} needs: {}. Consider a new token without these (least privilege).",
            req.target.name,
            report.extra_labels.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }

    let (problem, message, next) = primary_problem(plan, &outcomes, &granted, raw_scopes.as_deref(), seen_kind, &mut report);
    report.ok = problem.is_none() && report.missing.is_empty();
    report.problem = problem;
    report.message = message;
    report.next_step = next;
    report
}

fn summary(p: &Probe, r: &Result<ProbeResponse, NetworkError>) -> ProbeSummary {
    let joined = |v: &Option<Vec<String>>| v.as_ref().map(|v| v.join(", "));
    match r {
        Ok(r) => ProbeSummary {
            name: p.kind.name().to_string(),
            role: p.role.clone(),
            path: format!("/{}", p.segments.join("/")),
            status: Some(r.status),
            error: None,
            credential_type: r.credential_type.clone(),
            oauth_scopes: joined(&r.oauth_scopes),
            accepted_scopes: joined(&r.accepted_scopes),
            server_message: r.error_message.as_deref().map(|m| outside_text(m, 300)),
        },
        Err(e) => ProbeSummary {
            name: p.kind.name().to_string(),
            role: p.role.clone(),
            path: format!("/{}", p.segments.join("/")),
            status: None,
            error: Some(e.to_string()),
            credential_type: None,
            oauth_scopes: None,
            accepted_scopes: None,
            server_message: None,
        },
    }
}

/// Server text made safe to show anywhere (see [`crate::safe_text::visible`]), at most `max`
/// characters.
fn outside_text(text: &str, max: usize) -> String {
    crate::safe_text::visible(&text.chars().take(max).collect::<String>())
}

/// The scope a probe reads (in the credential's vocabulary), when one scope covers it.
fn own_scope(probe: &Probe, kind: CredentialKind) -> Option<String> {
    match &probe.role {
        Role::Scope(s) => Some(s.clone()),
        Role::Reach if matches!(probe.kind, ProbeKind::Repository | ProbeKind::WorkspaceRepositories) => Some(read_scope(kind, "repository")),
        Role::Reach if kind == CredentialKind::ApiToken => Some("read:workspace:bitbucket".to_string()),
        _ => None,
    }
}

/// The scopes a refusing (403) answer proves missing, among those the target needs and the
/// kind can hold. The probe's own scope is proven missing when Bitbucket names it (in either
/// vocabulary), or names nothing while the scope header does not list it either; other scopes
/// Bitbucket names count when the target needs them. `held`: what the header lists, with
/// implications, when it was sent.
fn proven_missing(probe: &Probe, r: &ProbeResponse, required: &[String], kind: CredentialKind, held: Option<&BTreeSet<String>>) -> Vec<String> {
    let holdable = |s: &String| required.contains(s) && (scopes::lookup(s).is_none() || scopes::offered_to(s, kind));
    let granted_in_detail = scopes::expand(&r.granted);
    let mut out: Vec<String> = Vec::new();
    let named = |scope: &str| {
        r.required.iter().any(|n| {
            scopes::canonical(n) == scopes::canonical(scope)
                || scopes::old_to_new(n).contains(&scope)
                || scopes::new_to_old(scope) == scopes::canonical(n)
        })
    };
    if let Some(own) = own_scope(probe, kind) {
        let listed_as_held = held.is_some_and(|h| scopes::satisfies(h, &own));
        if holdable(&own) && (named(&own) || (r.required.is_empty() && !listed_as_held)) {
            out.push(own);
        }
    }
    for n in &r.required {
        if let Some(name) = scopes::canonical(n) {
            let name = name.to_string();
            if holdable(&name) && !out.contains(&name) && !scopes::satisfies(&granted_in_detail, &name) {
                out.push(name);
            }
        }
    }
    out
}

#[allow(clippy::too_many_lines)]
fn primary_problem(
    plan: &Plan,
    outcomes: &[Outcome],
    granted: &BTreeSet<String>,
    listed: Option<&[String]>,
    seen_kind: Option<CredentialKind>,
    report: &mut Report,
) -> (Option<Problem>, String, String) {
    let req = &plan.request;
    let chosen = req.credential.kind;
    let kind = seen_kind.unwrap_or(chosen);
    let preset_name = &req.target.name;
    let all: Vec<&ProbeResponse> = outcomes.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    // Only the probes the verdict rests on; an informational probe's trouble is not the token's.
    let decisive: Vec<&Outcome> = outcomes.iter().filter(|(p, _)| p.role != Role::Info).collect();
    let responses: Vec<(&Probe, &ProbeResponse)> =
        decisive.iter().filter_map(|(p, r)| r.as_ref().ok().map(|r| (p, r))).collect();
    let create_where = creation::page(kind, &req.location).hint();

    let proven = credential_proven(outcomes);
    // 1. Rejected credential: refused, and no answer accepted it.
    if !proven {
        if let Some(r401) = all.iter().find(|r| r.status == 401) {
            return rejected(req, r401, &create_where);
        }
    }

    // 2. Trouble reaching Bitbucket.
    if let Some(err) = decisive.iter().find_map(|(_, r)| r.as_ref().err()) {
        let message = format!("Could not reach Bitbucket at {}: {err}", req.api_base.host());
        return (Some(Problem::Network), message, err.next_step().to_string());
    }
    if let Some((_, r429)) = responses.iter().find(|(_, r)| r.status == 429) {
        let wait = r429
            .retry_after
            .map(|s| format!("Wait {s} seconds, then try again."))
            .unwrap_or_else(|| "Wait a few minutes, then try again.".to_string());
        return (
            Some(Problem::RateLimited),
            "Bitbucket is limiting requests right now. Its limits are counted per user (1,000 requests an hour; access tokens get more on repository endpoints), so other tools using the same account or token count too.".into(),
            wait,
        );
    }
    if let Some((_, r5)) = responses.iter().find(|(_, r)| r.status >= 500) {
        return (
            Some(Problem::ServerError),
            format!("Bitbucket had a problem answering (HTTP {}). This is on Bitbucket's side, not your token's.", r5.status),
            "Try again in a few minutes; bitbucket.status.atlassian.com shows ongoing incidents.".into(),
        );
    }
    if let Some((_, r3)) = responses.iter().find(|(_, r)| (300..400).contains(&r.status)) {
        let to = r3.location.as_deref().map(|l| format!(" to {}", outside_text(l, 120))).unwrap_or_default();
        return (
            Some(Problem::UnexpectedResponse),
            format!("The API address answered with a redirect{to} (HTTP {}). Bitbucket's API does not redirect, so the address is probably wrong; the token was not sent on.", r3.status),
            format!("Check the API address (advanced setting); for Bitbucket Cloud it is {}.", super::client::DEFAULT_API_URL),
        );
    }
    if let Some((_, bad)) = responses.iter().find(|(_, r)| r.status == 200 && r.body_problem.is_some()) {
        let what = match bad.body_problem {
            Some(BodyProblem::TooLarge) => "an answer far larger than any Bitbucket answer",
            Some(BodyProblem::NotJson) => "a web page instead of an API answer",
            Some(BodyProblem::Incomplete) => "an answer that was cut off",
            _ => "an answer that is not valid JSON",
        };
        return (
            Some(Problem::UnexpectedResponse),
            format!("The API address sent {what}. It may not be Bitbucket's API, or a proxy changed the answer."),
            format!("Check the API address (advanced setting); for Bitbucket Cloud it is {}. Then try again.", super::client::DEFAULT_API_URL),
        );
    }
    if responses.iter().any(|(_, r)| r.status == 410) {
        return (
            Some(Problem::UnexpectedResponse),
            "Bitbucket says this part of its API has been removed (HTTP 410).".into(),
            "Update Bitbucket Setup Assistant to a newer version.".into(),
        );
    }
    if let Some((_, r)) = responses.iter().find(|(_, r)| r.status == 400) {
        let detail = r.error_message.as_deref().map(|m| outside_text(m, 300)).unwrap_or_default();
        return (
            Some(Problem::UnexpectedResponse),
            format!("Bitbucket did not accept the request (HTTP 400). {detail}").trim().to_string(),
            "Check the workspace and repository names, then try again.".into(),
        );
    }

    // 3. Did the credential prove anything? (A 404 for the place itself is answered below: the
    // place is out of reach either way.)
    let reach_not_found = responses.iter().any(|(p, r)| p.role == Role::Reach && r.status == 404);
    if !proven && !reach_not_found {
        // Only a repository that says it is public explains the answer; a private one that
        // answers without credential headers means something in between removed them.
        let public = ok_response(outcomes, ProbeKind::Repository).is_some_and(|r| {
            r.status == 200 && r.json.as_ref().and_then(|j| j.get("is_private")).and_then(|v| v.as_bool()) == Some(false)
        });
        return (
            Some(Problem::PublicRepoWithoutValidCredential),
            if public {
                "The repository answered, but Bitbucket did not confirm any credential: the repository is public, so this proves nothing about the token.".into()
            } else {
                "Bitbucket answered without confirming any credential, so nothing is known about the token.".into()
            },
            format!("Check that the token was pasted whole and that no proxy removes the Authorization header; or create a new token: {create_where}"),
        );
    }
    // Accepted by one endpoint and refused by another that the verdict needs.
    if let Some((p, r)) = responses.iter().find(|(_, r)| r.status == 401) {
        let said = r.error_message.as_deref().map(|m| format!(" Bitbucket said: \"{}\"", outside_text(m, 200))).unwrap_or_default();
        return (
            Some(Problem::UnexpectedResponse),
            format!("Bitbucket accepted this {} but refused it for the {} (HTTP 401).{said}", kind.label(), p.kind.what()),
            format!("Try again in a few minutes. If it stays so, create a new token: {create_where}"),
        );
    }

    // 4. Wrong place: the token is fine but does not reach this workspace or repository.
    let reach = responses.iter().find(|(p, _)| p.role == Role::Reach);
    let target = req.location.full_name().unwrap_or_else(|| req.location.workspace.clone());
    if let Some((p, r)) = reach {
        if r.status == 404 {
            if kind.is_access_token() {
                let reach = match kind {
                    CredentialKind::RepositoryToken => "A repository access token reaches only the repository it was created in.",
                    CredentialKind::ProjectToken => "A project access token reaches only the repositories of its project.",
                    _ => "A workspace access token reaches only its own workspace.",
                };
                let works = if proven { "works, but not for" } else { "does not reach" };
                return (
                    Some(Problem::WrongTokenForLocation),
                    format!("This {} {works} {target}. {reach}", kind.label()),
                    format!("Check the address, or create the token where it is needed: {create_where}"),
                );
            }
            let what = if p.kind == ProbeKind::Repository { "repository" } else { "workspace" };
            return (
                Some(Problem::NotFound),
                format!("Bitbucket found no {what} {target}. It may not exist, or this account may not have access to it (Bitbucket answers the same in both cases)."),
                "Check the spelling of the workspace and repository (copy the address from your browser), and that your account can open it in Bitbucket.".into(),
            );
        }
    }
    if let Some((p, _)) = responses.iter().find(|(p, r)| matches!(p.role, Role::Scope(_)) && r.status == 404) {
        return (
            Some(Problem::UnexpectedResponse),
            format!("Bitbucket found the repository but not its {} (HTTP 404).", p.kind.what()),
            "Check that this feature is switched on for the repository in Bitbucket, then try again.".into(),
        );
    }

    // 5. Scopes: as Bitbucket lists them, and as a refusal of a probe that needs exactly one
    // proves them.
    let listed_platform = listed.is_some_and(|l| l.iter().any(|s| PLATFORM_SCOPES.contains(&s.as_str())));
    let mut missing: Vec<String> = Vec::new();
    let mut unconfirmed: Vec<String> = Vec::new();
    if listed.is_some() {
        for s in &plan.required {
            if scopes::satisfies(granted, s) {
                continue;
            }
            if PLATFORM_SCOPES.contains(&s.as_str()) && !listed_platform {
                unconfirmed.push(s.clone());
            } else {
                missing.push(s.clone());
            }
        }
    } else {
        // Without the scope header, what a probe read with the token is confirmed; the rest
        // (writes above all, which are never tried) is named, not failed.
        // (The workspace's repository list reads repositories whatever its role.)
        let confirmed: BTreeSet<String> = outcomes
            .iter()
            .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200))
            .filter_map(|(p, _)| match p.kind {
                ProbeKind::WorkspaceRepositories => Some(read_scope(kind, "repository")),
                _ if p.role != Role::Info => own_scope(p, kind),
                _ => None,
            })
            .collect();
        let unseen: Vec<String> = plan.required.iter().filter(|s| !confirmed.contains(*s)).map(|s| scope_with_name(s)).collect();
        if !unseen.is_empty() {
            report.warnings.push(format!(
                "Bitbucket did not list the token's scopes, so {} could not be confirmed (only what the check could read with the token was). Make sure {} ticked when the token was created.",
                unseen.join(", "),
                if unseen.len() == 1 { "it was" } else { "they were" }
            ));
        }
    }
    // Webhooks refused while the account's permission on the repository is known to be below
    // admin: the role, not a scope (unless Bitbucket names one).
    let permission = repository_permission(outcomes, req.location.full_name().as_deref());
    let below_admin = permission.as_deref().is_some_and(|p| !p.eq_ignore_ascii_case("admin"));
    let mut role_refused = false;
    let mut refused_unexplained: Vec<&Probe> = Vec::new();
    for (p, r) in &responses {
        if r.status != 403 {
            continue;
        }
        if p.kind == ProbeKind::Webhooks && kind == CredentialKind::ApiToken && r.required.is_empty() {
            let held = listed.is_some() && own_scope(p, kind).is_some_and(|s| scopes::satisfies(granted, &s));
            if below_admin || (held && permission.is_none()) {
                role_refused = true;
                continue;
            }
        }
        let proven = proven_missing(p, r, &plan.required, kind, listed.map(|_| granted));
        if proven.is_empty() {
            refused_unexplained.push(p);
        }
        for s in proven {
            if !missing.contains(&s) {
                missing.push(s);
            }
        }
    }
    if !unconfirmed.is_empty() {
        let labels: Vec<String> = unconfirmed.iter().map(|s| scopes::label(s)).collect();
        report.warnings.push(format!(
            "Bitbucket does not show whether this token has {} (it lists only Bitbucket's own scopes). Make sure you ticked {} when you created the token.",
            labels.join(" and "),
            if unconfirmed.len() == 1 { "it" } else { "them" }
        ));
    }
    // A scope this kind cannot hold is never asked for: when Bitbucket says the token is of
    // another kind than the one chosen, and that kind cannot have what is missing, the kind is
    // the problem.
    let impossible: Vec<String> = missing
        .iter()
        .filter(|s| scopes::lookup(s).is_some() && !scopes::offered_to(s, kind))
        .cloned()
        .collect();
    if !impossible.is_empty() {
        let labels: Vec<String> = impossible.iter().map(|s| scopes::label(s)).collect();
        return (
            Some(Problem::WrongCredentialKind),
            format!(
                "Bitbucket says this is a {}, but {preset_name} needs {} here, which a {} cannot have.",
                kind.label(),
                labels.join(", "),
                kind.label()
            ),
            format!("Create a {} instead: {}", chosen.label(), creation::page(chosen, &req.location).hint()),
        );
    }
    if !missing.is_empty() {
        if role_refused {
            report.warnings.push(role_warning(req, permission.as_deref()));
        }
        report.missing = missing.clone();
        report.missing_labels = labelled(missing);
        let names = report.missing_labels.iter().map(|l| l.label.clone()).collect::<Vec<_>>().join(", ");
        return (
            Some(Problem::MissingScopes),
            format!("The token works, but {preset_name} also needs: {names}."),
            format!("Scopes cannot be added to an existing token. Create a new {} with these boxes ticked: {create_where}", kind.label()),
        );
    }
    if role_refused {
        return not_repository_admin(req, permission.as_deref(), report.account.as_deref());
    }
    // Refused without a scope to blame: a read the target needs still failed.
    for p in refused_unexplained {
        let needed = own_scope(p, kind).is_some_and(|s| plan.required.contains(&s));
        if matches!(p.role, Role::Scope(_)) || needed {
            return (
                Some(Problem::MissingScopes),
                format!("The token works, but Bitbucket refused to show it the {} (HTTP 403) without naming a missing scope.", p.kind.what()),
                format!("Check in Bitbucket that the token's boxes include everything listed in step 2; if one is missing, create a new {} with them ticked: {create_where}", kind.label()),
            );
        }
        report.warnings.push(format!(
            "Bitbucket did not show this token the {} itself (HTTP 403), so whether it reaches {target} could not be confirmed.",
            p.kind.what()
        ));
    }

    let what = match (&report.repository, &report.default_branch) {
        (Some(repo), Some(branch)) => format!(" for {repo} (default branch {branch})"),
        (Some(repo), None) => format!(" for {repo}"),
        _ => format!(" for workspace {}", req.location.workspace),
    };
    (
        None,
        format!("This {} works{what} and has everything {preset_name} needs.", kind.label()),
        String::new(),
    )
}

/// Where an account is given a role on a repository, in Bitbucket's menus.
const PERMISSIONS_MENU: &str = "Repository settings > Repository permissions";

fn role_said(permission: Option<&str>) -> String {
    match permission {
        Some(p) => format!("Bitbucket says the account has {} permission on it", p.to_ascii_lowercase()),
        None => "the token holds the webhook scopes, so the account's role is what is missing".to_string(),
    }
}

/// The verdict for an API token whose account may not manage the repository's webhooks.
fn not_repository_admin(req: &CheckRequest, permission: Option<&str>, account: Option<&str>) -> (Option<Problem>, String, String) {
    let repo = req.location.full_name().unwrap_or_else(|| req.location.workspace.clone());
    let who = account.map(|a| format!(" ({a})")).unwrap_or_default();
    (
        Some(Problem::NotRepositoryAdmin),
        format!(
            "Bitbucket refused this API token the webhooks of {repo} (HTTP 403): the account it belongs to{who} is not an admin of the repository ({}). {} creates webhooks, and Bitbucket lets only repository admins manage them, whatever the token's scopes. A new token from the same account would be refused the same way.",
            role_said(permission),
            req.target.name
        ),
        format!(
            "Ask a workspace admin to give your account Admin permission on {repo} ({PERMISSIONS_MENU}), then check again. Or have someone who is an admin of {repo} create the API token and connect it."
        ),
    )
}

/// The same, as a warning beside another problem.
fn role_warning(req: &CheckRequest, permission: Option<&str>) -> String {
    let repo = req.location.full_name().unwrap_or_else(|| req.location.workspace.clone());
    format!(
        "Bitbucket also refused the webhooks of {repo} because the account is not an admin of the repository ({}); a workspace admin can give it Admin permission ({PERMISSIONS_MENU}).",
        role_said(permission)
    )
}

/// The verdict for a credential Bitbucket refused (401) on every probe.
fn rejected(req: &CheckRequest, r401: &ProbeResponse, create_where: &str) -> (Option<Problem>, String, String) {
    let chosen = req.credential.kind;
    if r401.credential_type.as_deref() == Some("api_token") && r401.oauth_scopes.as_ref().is_some_and(|s| s.is_empty()) {
        return (
            Some(Problem::UnscopedApiToken),
            "Bitbucket recognised an API token, but it has no Bitbucket scopes. It was probably made with \"Create API token\" instead of \"Create API token with scopes\".".into(),
            "At id.atlassian.com > Security > API tokens, choose \"Create API token with scopes\", pick the Bitbucket app and tick the scopes listed here; then paste the new token.".into(),
        );
    }
    let legacy = crate::credential::classify(req.credential.secret.expose())
        .map(|p| p.kind == PastedKind::LegacyAppPassword)
        .unwrap_or(false);
    if legacy {
        return (
            Some(Problem::AppPasswordRetired),
            "Bitbucket rejected this value, and it has the shape of an old app password. App passwords were switched off on 2026-07-28.".into(),
            "Create an API token with scopes (or an access token) and check that instead.".into(),
        );
    }
    let message = if chosen == CredentialKind::ApiToken {
        "Bitbucket rejected the email and API token. The token may be mistyped, revoked or expired, the email may not be your Atlassian account email, or the token was made with \"Create API token\" instead of \"Create API token with scopes\".".to_string()
    } else {
        format!("Bitbucket rejected this {}. It may be mistyped, revoked or expired.", chosen.label())
    };
    (
        Some(Problem::Unauthorized),
        message,
        format!("Copy the token again (it is shown only once), or create a new one: {create_where}"),
    )
}
