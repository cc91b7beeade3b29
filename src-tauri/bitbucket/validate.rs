//! The validation engine: read-only probes sent concurrently, their headers and bodies folded
//! into one [`Report`] with exactly one primary [`Problem`] when something is wrong.
//!
//! The flow is: [`plan`] checks the inputs without the network (and catches problems that
//! need no request, such as a retired app password), then [`run`] sends at most
//! [`MAX_PROBES`] GETs at once and [`judge`] reads the answers.

use std::collections::BTreeSet;

use serde::Serialize;

use super::client::{ApiBase, BodyProblem, Client, NetworkError, ProbeResponse, Timeouts};
use super::credential::{self, Credential, CredentialKind, PastedKind};
use super::location::Location;
use super::scopes;
use crate::presets::{self, PresetId};

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
            Problem::PublicRepoWithoutValidCredential => "public_repo_without_valid_credential",
            Problem::WrongCredentialKind => "wrong_credential_kind",
            Problem::RateLimited => "rate_limited",
            Problem::ServerError => "server_error",
            Problem::UnexpectedResponse => "unexpected_response",
            Problem::Network => "network",
            Problem::NotCloud => "not_cloud",
        }
    }

    /// The command line's exit status: 1 authenticates but lacks scopes or access,
    /// 2 rejected credential, 3 network / rate limit / server trouble, 64 bad input.
    pub fn exit_code(self) -> i32 {
        match self {
            Problem::MissingScopes | Problem::NotFound | Problem::WrongTokenForLocation => 1,
            Problem::Unauthorized
            | Problem::AppPasswordRetired
            | Problem::ApiTokenNeedsEmail
            | Problem::UnscopedApiToken
            | Problem::PublicRepoWithoutValidCredential => 2,
            Problem::RateLimited
            | Problem::ServerError
            | Problem::UnexpectedResponse
            | Problem::Network => 3,
            Problem::WrongCredentialKind | Problem::NotCloud => 64,
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

/// One probe as the report shows it: what was asked and what came back (never a secret).
#[derive(Debug, Clone, Serialize)]
pub struct ProbeSummary {
    pub name: &'static str,
    pub path: String,
    pub status: Option<u16>,
    pub error: Option<String>,
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
    pub preset: PresetId,
    pub api_url: String,
    pub requests: usize,
    pub probes: Vec<ProbeSummary>,
    pub checked_at: chrono::DateTime<chrono::Utc>,
}

impl Report {
    pub fn exit_code(&self) -> i32 {
        match self.problem {
            None if self.ok => 0,
            None => 1,
            Some(p) => p.exit_code(),
        }
    }
}

/// What the user asked to check.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub credential: Credential,
    pub location: Location,
    pub preset: PresetId,
    /// Scopes of a custom list, or extra scopes on top of a preset.
    pub custom_scopes: Vec<String>,
    pub api_base: ApiBase,
    pub timeouts: Timeouts,
}

/// An input that cannot be checked at all (the user must change it first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Preset(String),
    #[error("A {kind} belongs to one repository. Give the repository's address (for example https://bitbucket.org/{workspace}/REPOSITORY).")]
    RepositoryNeeded { kind: &'static str, workspace: String },
    #[error("{preset} works on one repository. Give the repository's address (for example https://bitbucket.org/{workspace}/REPOSITORY).")]
    PresetNeedsRepository { preset: &'static str, workspace: String },
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
    Workspace,
    User,
    PullRequests,
    Pipelines,
    Webhooks,
    Projects,
}

#[derive(Debug, Clone)]
struct Probe {
    kind: ProbeKind,
    segments: Vec<String>,
}

impl ProbeKind {
    fn name(self) -> &'static str {
        match self {
            ProbeKind::Repository => "repository",
            ProbeKind::Workspace => "workspace",
            ProbeKind::User => "user",
            ProbeKind::PullRequests => "pull_requests",
            ProbeKind::Pipelines => "pipelines",
            ProbeKind::Webhooks => "webhooks",
            ProbeKind::Projects => "projects",
        }
    }
}

/// Checks the inputs and decides which probes to send. Problems that need no request
/// (retired app password, API token without email, a paste of the wrong kind) end here.
pub fn plan(request: CheckRequest, pasted: PastedKind) -> Result<Plan, InputError> {
    let kind = request.credential.kind;
    let preset = presets::get(request.preset);
    let workspace = request.location.workspace.clone();

    let early = early_problem(&request, pasted);
    let required = if early.is_some() && kind == CredentialKind::AppPassword {
        Vec::new()
    } else {
        presets::required_scopes(request.preset, kind, &request.custom_scopes)
            .map_err(|e| InputError::Preset(e.user_message()))?
    };
    if early.is_none() && request.location.repository.is_none() {
        if kind == CredentialKind::RepositoryToken {
            return Err(InputError::RepositoryNeeded { kind: kind.label(), workspace });
        }
        if preset.needs_repository {
            return Err(InputError::PresetNeedsRepository { preset: preset.name, workspace });
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

fn choose_probes(location: &Location, kind: CredentialKind, required: &[String]) -> Vec<Probe> {
    let ws = location.workspace_segment();
    let repo = location.repository_segment();
    let mut probes = Vec::new();
    if let Some(repo) = &repo {
        probes.push(Probe { kind: ProbeKind::Repository, segments: vec!["repositories".into(), ws.clone(), repo.clone()] });
    }
    // Access tokens read a workspace they belong to with no scope at all; API tokens need
    // read:workspace, so asking without it would only earn a 403. With no repository the
    // workspace is the only place to look.
    let wants_workspace = kind.is_access_token()
        || repo.is_none()
        || required.iter().any(|s| s == "read:workspace:bitbucket");
    if wants_workspace {
        probes.push(Probe { kind: ProbeKind::Workspace, segments: vec!["workspaces".into(), ws.clone()] });
    }
    // Access tokens have no user behind them: /user answers 403 by design. Only API tokens
    // (and the retired app passwords, which never get here) have an account to read.
    // /user needs read:user, so it is asked only when the target needs that scope anyway.
    if kind == CredentialKind::ApiToken && required.iter().any(|s| s == "read:user:bitbucket") {
        probes.push(Probe { kind: ProbeKind::User, segments: vec!["user".into()] });
    }
    let needs = |word: &str| required.iter().any(|s| s.split(':').any(|part| part == word));
    if let Some(repo) = &repo {
        let repo_probe = |kind, tail: &str| Probe {
            kind,
            segments: vec!["repositories".into(), ws.clone(), repo.clone(), tail.into()],
        };
        if needs("pullrequest") {
            probes.push(repo_probe(ProbeKind::PullRequests, "pullrequests"));
        }
        if needs("pipeline") {
            probes.push(repo_probe(ProbeKind::Pipelines, "pipelines"));
        }
        if needs("webhook") {
            probes.push(repo_probe(ProbeKind::Webhooks, "hooks"));
        }
    }
    if needs("project") {
        probes.push(Probe { kind: ProbeKind::Projects, segments: vec!["workspaces".into(), ws, "projects".into()] });
    }
    probes.truncate(MAX_PROBES);
    probes
}

type Outcome = (Probe, Result<ProbeResponse, NetworkError>);

/// Sends the probes concurrently and judges the answers.
pub async fn run(plan: Plan) -> Report {
    if let Some((problem, message, next)) = plan.early.clone() {
        return base_report(&plan, Some(problem), message, next);
    }
    let client = match Client::new(plan.request.api_base.clone(), plan.request.timeouts) {
        Ok(c) => c,
        Err(e) => {
            let next = e.next_step().to_string();
            return base_report(&plan, Some(Problem::Network), e.to_string(), next);
        }
    };
    let credential = &plan.request.credential;
    let futures = plan.probes.iter().map(|probe| {
        let client = &client;
        async move {
            let segments: Vec<&str> = probe.segments.iter().map(String::as_str).collect();
            (probe.clone(), client.get(&segments, Some(credential)).await)
        }
    });
    let outcomes: Vec<Outcome> = futures::future::join_all(futures).await;
    judge(&plan, outcomes)
}

/// Convenience: plan and run in one call (input errors come back as `Err`).
pub async fn validate(request: CheckRequest, pasted: PastedKind) -> Result<Report, InputError> {
    Ok(run(plan(request, pasted)?).await)
}

fn base_report(plan: &Plan, problem: Option<Problem>, message: String, next_step: String) -> Report {
    let req = &plan.request;
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
        warnings: Vec::new(),
        default_branch: None,
        repository: req.location.full_name(),
        workspace: req.location.workspace.clone(),
        workspace_name: None,
        account: None,
        preset: req.preset,
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

/// Folds the probes' answers into one report with one primary problem.
fn judge(plan: &Plan, outcomes: Vec<Outcome>) -> Report {
    let req = &plan.request;
    let chosen = req.credential.kind;
    let mut report = base_report(plan, None, String::new(), String::new());
    report.requests = outcomes.len();
    report.probes = outcomes
        .iter()
        .map(|(p, r)| ProbeSummary {
            name: p.kind.name(),
            path: format!("/{}", p.segments.join("/")),
            status: r.as_ref().ok().map(|r| r.status),
            error: r.as_ref().err().map(|e| e.to_string()),
        })
        .collect();

    let responses: Vec<&ProbeResponse> = outcomes.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();

    // What Bitbucket says the credential is, and what it holds.
    report.credential_type = responses.iter().find_map(|r| r.credential_type.clone());
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
    let raw_scopes: Option<Vec<String>> = responses.iter().find_map(|r| r.oauth_scopes.clone());
    let granted_raw = raw_scopes.clone().unwrap_or_default();
    let granted: BTreeSet<String> = scopes::expand(&granted_raw);
    report.granted_raw = granted_raw.clone();
    report.granted = granted.iter().cloned().collect();

    // Facts for the success view, read whatever the verdict.
    if let Some(repo) = ok_response(&outcomes, ProbeKind::Repository).filter(|r| r.status == 200) {
        if let Some(json) = &repo.json {
            report.default_branch = json.pointer("/mainbranch/name").and_then(|v| v.as_str()).map(str::to_string);
            if let Some(full) = json.get("full_name").and_then(|v| v.as_str()) {
                report.repository = Some(full.to_string());
            }
        }
    }
    if let Some(ws) = ok_response(&outcomes, ProbeKind::Workspace).filter(|r| r.status == 200) {
        report.workspace_name = ws.json.as_ref().and_then(|j| j.get("name")).and_then(|v| v.as_str()).map(str::to_string);
    }
    if let Some(user) = ok_response(&outcomes, ProbeKind::User).filter(|r| r.status == 200) {
        report.account = user.json.as_ref().and_then(|j| {
            j.get("display_name").or_else(|| j.get("nickname")).and_then(|v| v.as_str()).map(str::to_string)
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
            presets::get(req.preset).name,
            report.extra_labels.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }

    let (problem, message, next) = primary_problem(plan, &outcomes, &granted, raw_scopes.is_some(), seen_kind, &mut report);
    report.ok = problem.is_none() && report.missing.is_empty();
    report.problem = problem;
    report.message = message;
    report.next_step = next;
    report
}

#[allow(clippy::too_many_lines)]
fn primary_problem(
    plan: &Plan,
    outcomes: &[Outcome],
    granted: &BTreeSet<String>,
    scopes_listed: bool,
    seen_kind: Option<CredentialKind>,
    report: &mut Report,
) -> (Option<Problem>, String, String) {
    let req = &plan.request;
    let chosen = req.credential.kind;
    let kind = seen_kind.unwrap_or(chosen);
    let preset_name = presets::get(req.preset).name;
    let responses: Vec<&ProbeResponse> = outcomes.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    let create_where = create_hint(kind, &req.location);

    // 1. Rejected credential.
    if let Some(r401) = responses.iter().find(|r| r.status == 401) {
        if r401.credential_type.as_deref() == Some("api_token")
            && r401.oauth_scopes.as_ref().is_some_and(|s| s.is_empty())
        {
            return (
                Some(Problem::UnscopedApiToken),
                "Bitbucket recognised an API token, but it has no Bitbucket scopes. It was probably made with \"Create API token\" instead of \"Create API token with scopes\".".into(),
                "At id.atlassian.com > Security > API tokens, choose \"Create API token with scopes\", pick the Bitbucket app and tick the scopes listed here; then paste the new token.".into(),
            );
        }
        let legacy = crate::bitbucket::credential::classify(req.credential.secret.expose())
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
            "Bitbucket rejected the email and API token. The token may be mistyped, revoked or expired, the email may not be your Atlassian account email, or the token was made without scopes.".to_string()
        } else {
            format!("Bitbucket rejected this {}. It may be mistyped, revoked or expired.", chosen.label())
        };
        return (
            Some(Problem::Unauthorized),
            message,
            format!("Copy the token again (it is shown only once), or create a new one: {create_where}"),
        );
    }

    // 2. Trouble reaching Bitbucket.
    let network: Vec<&NetworkError> = outcomes.iter().filter_map(|(_, r)| r.as_ref().err()).collect();
    if let Some(err) = network.first() {
        let message = format!("Could not reach Bitbucket at {}: {err}", req.api_base.host());
        return (Some(Problem::Network), message, err.next_step().to_string());
    }
    if let Some(r429) = responses.iter().find(|r| r.status == 429) {
        let wait = r429
            .retry_after
            .map(|s| format!("Wait {s} seconds, then try again."))
            .unwrap_or_else(|| "Wait a few minutes, then try again.".to_string());
        return (
            Some(Problem::RateLimited),
            "Bitbucket is limiting requests right now (rate limit: 1,000 requests an hour for each credential).".into(),
            wait,
        );
    }
    if let Some(r5) = responses.iter().find(|r| r.status >= 500) {
        return (
            Some(Problem::ServerError),
            format!("Bitbucket had a problem answering (HTTP {}). This is on Bitbucket's side, not your token's.", r5.status),
            "Try again in a few minutes; bitbucket.status.atlassian.com shows ongoing incidents.".into(),
        );
    }
    if let Some(r3) = responses.iter().find(|r| (300..400).contains(&r.status)) {
        let to = r3.location.as_deref().map(|l| format!(" to {}", l.chars().take(120).collect::<String>())).unwrap_or_default();
        return (
            Some(Problem::UnexpectedResponse),
            format!("The API address answered with a redirect{to} (HTTP {}). Bitbucket's API does not redirect, so the address is probably wrong; the token was not sent on.", r3.status),
            format!("Check the API address (advanced setting); for Bitbucket Cloud it is {}.", super::client::DEFAULT_API_URL),
        );
    }
    if let Some(bad) = responses.iter().find(|r| r.status == 200 && r.body_problem.is_some()) {
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
    if responses.iter().any(|r| r.status == 410) {
        return (
            Some(Problem::UnexpectedResponse),
            "Bitbucket says this part of its API has been removed (HTTP 410).".into(),
            "Update Bitbucket Setup Assistant to a newer version.".into(),
        );
    }
    if let Some(r) = responses.iter().find(|r| r.status == 400) {
        let detail = r.error_message.clone().unwrap_or_default();
        return (
            Some(Problem::UnexpectedResponse),
            format!("Bitbucket did not accept the request (HTTP 400). {detail}").trim().to_string(),
            "Check the workspace and repository names, then try again.".into(),
        );
    }

    // 3. Did the credential prove anything?
    let proven = responses.iter().any(|r| r.credential_type.is_some());
    if !proven {
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

    // 4. Wrong place: the token is fine but does not reach this workspace or repository.
    let repo_status = ok_response(outcomes, ProbeKind::Repository).map(|r| r.status);
    let ws_status = ok_response(outcomes, ProbeKind::Workspace).map(|r| r.status);
    let target = req.location.full_name().unwrap_or_else(|| req.location.workspace.clone());
    let repo_404 = repo_status == Some(404);
    let ws_404 = ws_status == Some(404);
    if repo_404 || ws_404 {
        if kind.is_access_token() {
            let reach = match kind {
                CredentialKind::RepositoryToken => "A repository access token reaches only the repository it was created in.",
                CredentialKind::ProjectToken => "A project access token reaches only the repositories of its project.",
                _ => "A workspace access token reaches only its own workspace.",
            };
            return (
                Some(Problem::WrongTokenForLocation),
                format!("This {} works, but not for {target}. {reach}", kind.label()),
                format!("Check the address, or create the token where it is needed: {create_where}"),
            );
        }
        return (
            Some(Problem::NotFound),
            format!("Bitbucket found no {} {target}. It may not exist, or this account may not have access to it (Bitbucket answers the same in both cases).", if repo_404 { "repository" } else { "workspace" }),
            "Check the spelling of the workspace and repository (copy the address from your browser), and that your account can open it in Bitbucket.".into(),
        );
    }

    if let Some((p, _)) = outcomes.iter().find(|(_, r)| matches!(r, Ok(r) if r.status == 404)) {
        return (
            Some(Problem::UnexpectedResponse),
            format!("Bitbucket found the repository but not its {} (HTTP 404).", p.kind.name().replace('_', " ")),
            "Check that this feature is switched on for the repository in Bitbucket, then try again.".into(),
        );
    }

    // 5. Scopes.
    let mut missing: Vec<String> = plan
        .required
        .iter()
        .filter(|s| scopes_listed && !scopes::satisfies(granted, s))
        .cloned()
        .collect();
    // Every probe reads only what the target needs, so a scope a 403 names is missing even
    // when the header listed it (Bitbucket's answer wins over our reading of the header).
    for r in &responses {
        if r.status == 403 {
            let held = scopes::expand(&r.granted);
            for s in &r.required {
                if !missing.contains(s) && !scopes::satisfies(&held, s) {
                    missing.push(s.clone());
                }
            }
        }
    }
    // A 403 with no scope named: the token lacks what that probe reads.
    let forbidden: Vec<&Probe> = outcomes
        .iter()
        .filter(|(_, r)| matches!(r, Ok(r) if r.status == 403 && r.required.is_empty()))
        .map(|(p, _)| p)
        .collect();
    if !scopes_listed {
        report.warnings.push("Bitbucket did not list the token's scopes, so only what the probes could read was confirmed; write access could not be confirmed.".into());
    }
    if !missing.is_empty() {
        report.missing = missing.clone();
        report.missing_labels = labelled(missing);
        let names = report.missing_labels.iter().map(|l| l.label.clone()).collect::<Vec<_>>().join(", ");
        return (
            Some(Problem::MissingScopes),
            format!("The token works, but {preset_name} also needs: {names}."),
            format!("Scopes cannot be added to an existing token. Create a new {} with these boxes ticked: {create_where}", kind.label()),
        );
    }
    if let Some(p) = forbidden.first() {
        return (
            Some(Problem::MissingScopes),
            format!("The token works, but Bitbucket refused to show its {} (HTTP 403).", p.kind.name().replace('_', " ")),
            format!("Create a new {} with the boxes listed here ticked: {create_where}", kind.label()),
        );
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

/// Where the user creates a credential of this kind, in words and with the page's address.
pub fn create_hint(kind: CredentialKind, location: &Location) -> String {
    match kind {
        CredentialKind::RepositoryToken => match &location.repository {
            Some(repo) => format!("Repository settings > Security > Access tokens (https://bitbucket.org/{}/{}/admin/access-tokens).", location.workspace, repo),
            None => "Repository settings > Security > Access tokens.".into(),
        },
        CredentialKind::ProjectToken => "Project settings > Security > Access tokens.".into(),
        CredentialKind::WorkspaceToken => format!(
            "Workspace settings > Security > Access tokens (https://bitbucket.org/{}/workspace/settings/access-tokens).",
            location.workspace
        ),
        CredentialKind::ApiToken | CredentialKind::AppPassword => {
            "id.atlassian.com > Security > API tokens > Create API token with scopes (https://id.atlassian.com/manage-profile/security/api-tokens).".into()
        }
    }
}
