//! What a check comes to: the [`Report`], its [`Problem`], and what support sees of it.

use serde::{Deserialize, Serialize};

use super::outside_text;
use super::plan::{Plan, Probe, Role};
use crate::client::{NetworkError, ProbeResponse};
use crate::credential::CredentialKind;
use crate::scopes;

/// What went wrong, one name per cause. The names are part of the report's JSON, which scripts read.
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

/// Which of the check's own inputs the next step asks the user to look at again, when it is one
/// a front end shows in a place of its own: the next step says it in neutral words, and each
/// front end may add where that input is found in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// The API address the check was sent to.
    ApiAddress,
    /// The scopes the target needs ([`Report::required`]): the boxes to tick when the token is
    /// created.
    RequiredScopes,
}

/// A scope named in the UI's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeLabel {
    pub scope: String,
    pub label: String,
}

pub(super) fn labelled(names: impl IntoIterator<Item = String>) -> Vec<ScopeLabel> {
    names.into_iter().map(|scope| ScopeLabel { label: scopes::label(&scope), scope }).collect()
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

impl ProbeSummary {
    pub(super) fn of(p: &Probe, r: &Result<ProbeResponse, NetworkError>) -> ProbeSummary {
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
    /// Which input the next step points to, when a front end shows it in a place of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
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
    /// The target's id ([`crate::target::Target::id`]), as the caller named it.
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

    /// The report of `plan` before any answer is read: its verdict, the scopes it needs, the
    /// place as given, and a warning for each needed scope this crate does not know.
    pub(super) fn base(plan: &Plan, verdict: Verdict, checked_at: chrono::DateTime<chrono::Utc>) -> Report {
        let req = &plan.request;
        let mut warnings = Vec::new();
        let unknown: Vec<&str> =
            plan.required.iter().map(String::as_str).filter(|s| scopes::lookup(s).is_none()).collect();
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
            ok: verdict.problem.is_none(),
            problem: verdict.problem,
            message: verdict.message,
            next_step: verdict.next_step,
            fix: verdict.fix,
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
            checked_at,
        }
    }
}

/// The facts of one check that support needs, kept with a saved connection so that its
/// "Copy details for support" works later too. See [`Report::details`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckDetails {
    pub checked_at: chrono::DateTime<chrono::Utc>,
    pub api_url: String,
    /// The target's id ([`crate::target::Target::id`]).
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

/// What one rule of the judge (or the plan, for what needs no request) concludes: the problem,
/// none when all is well, the verdict in plain words, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Verdict {
    pub problem: Option<Problem>,
    pub message: String,
    pub next_step: String,
    pub fix: Option<Fix>,
}

impl Verdict {
    pub fn fails(problem: Problem, message: impl Into<String>, next_step: impl Into<String>) -> Verdict {
        Verdict { problem: Some(problem), message: message.into(), next_step: next_step.into(), fix: None }
    }

    pub fn passes(message: String) -> Verdict {
        Verdict { problem: None, message, next_step: String::new(), fix: None }
    }

    /// The same, with its next step pointing to `fix`.
    pub fn about(self, fix: Fix) -> Verdict {
        Verdict { fix: Some(fix), ..self }
    }
}
