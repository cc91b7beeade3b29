//! From the answers to a verdict. [`judge`] is a pure function of the plan and of what came back
//! for each probe (and of the time of the check, given): no request, no client, no clock. So
//! each rule is tested on answers made by hand (`tests.rs`).
//!
//! The verdict is the first rule that applies, in this order: the credential refused
//! ([`unscoped_api_token`], [`retired_app_password`], [`unauthorized`]); trouble on the way
//! ([`network`], [`rate_limited`], [`server_error`], [`redirected`], [`not_an_api_answer`],
//! [`api_removed`], [`bad_request`]); nothing proven ([`unproven`],
//! [`refused_after_accepted`]); the wrong place ([`wrong_token_for_location`], [`not_found`],
//! [`feature_missing`]); then the scopes ([`wrong_credential_kind`], [`missing_scopes`],
//! [`not_repository_admin`], [`refused_unnamed`]); and otherwise [`works`].

use std::collections::BTreeSet;

use super::outside_text;
use super::plan::{read_scope, CheckRequest, Plan, Probe, ProbeKind, Role};
use super::report::{labelled, Fix, ProbeSummary, Problem, Report, Verdict};
use crate::client::{ApiBase, BodyProblem, NetworkError, ProbeResponse, DEFAULT_API_URL};
use crate::creation;
use crate::credential::{CredentialKind, PastedKind};
use crate::scopes;

/// One probe and what came back: its answer, or why none came.
pub(super) type Outcome = (Probe, Result<ProbeResponse, NetworkError>);

/// The scopes Bitbucket offers only through the Atlassian platform, not Bitbucket itself.
/// Whether `x-oauth-scopes` ever lists them is UNCONFIRMED (published captures show only
/// `*:bitbucket` names), so their absence from the header proves nothing by itself.
pub const PLATFORM_SCOPES: [&str; 2] = ["read:account", "read:me"];

/// Folds the probes' answers into one report with one primary problem.
pub(super) fn judge(plan: &Plan, outcomes: &[Outcome], checked_at: chrono::DateTime<chrono::Utc>) -> Report {
    let req = &plan.request;
    let chosen = req.credential.kind;
    let mut report = Report::base(plan, Verdict::passes(String::new()), checked_at);
    report.requests = outcomes.len();
    if let Some(warning) = elsewhere_warning(&req.api_base, outcomes) {
        report.warnings.push(warning);
    }
    report.probes = outcomes.iter().map(|(p, r)| ProbeSummary::of(p, r)).collect();

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

    read_facts(&mut report, outcomes, chosen);

    // Extra powerful scopes: least privilege.
    let required_set: BTreeSet<&str> = plan.required.iter().map(String::as_str).collect();
    report.extra =
        granted_raw.iter().filter(|s| scopes::is_powerful(s) && !required_set.contains(s.as_str())).cloned().collect();
    report.extra_labels = labelled(report.extra.clone());
    if !report.extra.is_empty() {
        report.warnings.push(format!(
            "This token can do more than {} needs: {}. Consider a new token without these (least privilege).",
            req.target.name,
            report.extra_labels.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }

    let answers = Answers::new(plan, outcomes, &granted, raw_scopes.as_deref(), seen_kind.unwrap_or(chosen));
    let verdict = verdict(&answers, &mut report);
    report.ok = verdict.problem.is_none() && report.missing.is_empty();
    report.problem = verdict.problem;
    report.message = verdict.message;
    report.next_step = verdict.next_step;
    report.fix = verdict.fix;
    report
}

/// The token went to this address: said whenever it is not Bitbucket Cloud's, so that no page or
/// file can send it elsewhere unseen.
fn elsewhere_warning(api_base: &ApiBase, outcomes: &[Outcome]) -> Option<String> {
    if *api_base == ApiBase::cloud() {
        return None;
    }
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
    Some(format!(
        "This check went to {}, not to Bitbucket Cloud's API ({}): {fate}",
        outside_text(api_base.as_str(), 200),
        DEFAULT_API_URL
    ))
}

/// Facts for the success view (names, default branch, account), read whatever the verdict.
fn read_facts(report: &mut Report, outcomes: &[Outcome], chosen: CredentialKind) {
    if let Some(repo) = ok_response(outcomes, ProbeKind::Repository).filter(|r| r.status == 200) {
        if let Some(json) = &repo.json {
            // Names from the server are shown and stored: made safe here, once.
            report.default_branch =
                json.pointer("/mainbranch/name").and_then(|v| v.as_str()).map(|s| outside_text(s, 255));
            if let Some(full) = json.get("full_name").and_then(|v| v.as_str()) {
                report.repository = Some(outside_text(full, 255));
            }
            report.workspace_name =
                json.pointer("/workspace/name").and_then(|v| v.as_str()).map(|s| outside_text(s, 255));
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
    if let Some(ws) = ok_response(outcomes, ProbeKind::Workspace).filter(|r| r.status == 200) {
        if let Some(name) = ws.json.as_ref().and_then(|j| j.get("name")).and_then(|v| v.as_str()) {
            report.workspace_name = Some(outside_text(name, 255));
        }
    }
    if let Some(user) = ok_response(outcomes, ProbeKind::User).filter(|r| r.status == 200) {
        report.account = user.json.as_ref().and_then(|j| {
            j.get("display_name").or_else(|| j.get("nickname")).and_then(|v| v.as_str()).map(|s| outside_text(s, 255))
        });
    }
}

/// The answers as the rules read them, worked out once.
struct Answers<'a> {
    plan: &'a Plan,
    req: &'a CheckRequest,
    outcomes: &'a [Outcome],
    /// Every answer that came, informational probes' included.
    all: Vec<&'a ProbeResponse>,
    /// The probes the verdict rests on (an informational probe's trouble is not the token's),
    /// with what came back.
    decisive: Vec<&'a Outcome>,
    /// The answers among those.
    responses: Vec<(&'a Probe, &'a ProbeResponse)>,
    /// The kind chosen.
    chosen: CredentialKind,
    /// The kind Bitbucket's answer shows, or the one chosen.
    kind: CredentialKind,
    /// Scopes held, implications applied.
    granted: &'a BTreeSet<String>,
    /// `x-oauth-scopes`, when an answer sent it.
    listed: Option<&'a [String]>,
    /// Whether any answer proves that Bitbucket accepted the credential.
    proven: bool,
    /// Where a new credential of `kind` is created, for next steps.
    create_where: String,
    /// The repository, or the workspace when none is given, as the user named it.
    place: String,
}

impl<'a> Answers<'a> {
    fn new(
        plan: &'a Plan,
        outcomes: &'a [Outcome],
        granted: &'a BTreeSet<String>,
        listed: Option<&'a [String]>,
        kind: CredentialKind,
    ) -> Answers<'a> {
        let req = &plan.request;
        let decisive: Vec<&Outcome> = outcomes.iter().filter(|(p, _)| p.role != Role::Info).collect();
        let responses = decisive.iter().filter_map(|(p, r)| r.as_ref().ok().map(|r| (p, r))).collect();
        Answers {
            plan,
            req,
            outcomes,
            all: outcomes.iter().filter_map(|(_, r)| r.as_ref().ok()).collect(),
            decisive,
            responses,
            chosen: req.credential.kind,
            kind,
            granted,
            listed,
            proven: credential_proven(outcomes),
            create_where: creation::page(kind, &req.location).hint(),
            place: req.location.full_name().unwrap_or_else(|| req.location.workspace.clone()),
        }
    }

    /// The first decisive answer that `test` accepts.
    fn answer(&self, test: impl Fn(&ProbeResponse) -> bool) -> Option<(&'a Probe, &'a ProbeResponse)> {
        self.responses.iter().copied().find(|(_, r)| test(r))
    }

    /// The refusal (401) that no answer contradicts: the credential itself is refused.
    fn refusal(&self) -> Option<&'a ProbeResponse> {
        if self.proven {
            return None;
        }
        self.all.iter().copied().find(|r| r.status == 401)
    }

    /// Whether a probe that proves reach got a 404.
    fn out_of_reach_anywhere(&self) -> bool {
        self.responses.iter().any(|(p, r)| p.role == Role::Reach && r.status == 404)
    }

    /// The probe that proves the place out of reach (404), when it did.
    fn out_of_reach(&self) -> Option<&'a Probe> {
        let (p, r) = self.responses.iter().copied().find(|(p, _)| p.role == Role::Reach)?;
        (r.status == 404).then_some(p)
    }
}

/// The rules before the scopes are read, in order of precedence.
const BEFORE_SCOPES: [fn(&Answers) -> Option<Verdict>; 15] = [
    unscoped_api_token,
    retired_app_password,
    unauthorized,
    network,
    rate_limited,
    server_error,
    redirected,
    not_an_api_answer,
    api_removed,
    bad_request,
    unproven,
    refused_after_accepted,
    wrong_token_for_location,
    not_found,
    feature_missing,
];

/// The first rule that applies, in order of precedence.
fn verdict(a: &Answers, report: &mut Report) -> Verdict {
    if let Some(verdict) = BEFORE_SCOPES.iter().find_map(|rule| rule(a)) {
        return verdict;
    }
    let found = ScopeFindings::read(a, &mut report.warnings);
    wrong_credential_kind(a, &found)
        .or_else(|| missing_scopes(a, &found, report))
        .or_else(|| not_repository_admin(a, &found, report.account.as_deref()))
        .or_else(|| refused_unnamed(a, &found, &mut report.warnings))
        .unwrap_or_else(|| works(a, report))
}

// 1. The credential refused: a 401, and no answer accepted it.

/// An API token made without scopes: Bitbucket recognises it and lists none.
fn unscoped_api_token(a: &Answers) -> Option<Verdict> {
    let r401 = a.refusal()?;
    let unscoped = r401.credential_type.as_deref() == Some("api_token")
        && r401.oauth_scopes.as_ref().is_some_and(|s| s.is_empty());
    unscoped.then(|| Verdict::fails(
        Problem::UnscopedApiToken,
        "Bitbucket recognised an API token, but it has no Bitbucket scopes. It was probably made with \"Create API token\" instead of \"Create API token with scopes\".",
        "At id.atlassian.com > Security > API tokens, choose \"Create API token with scopes\", pick the Bitbucket app and tick the scopes listed here; then paste the new token.",
    ))
}

/// A refused value with the shape of an old app password.
fn retired_app_password(a: &Answers) -> Option<Verdict> {
    a.refusal()?;
    let legacy = crate::credential::classify(a.req.credential.secret.expose())
        .map(|p| p.kind == PastedKind::LegacyAppPassword)
        .unwrap_or(false);
    legacy.then(|| Verdict::fails(
        Problem::AppPasswordRetired,
        "Bitbucket rejected this value, and it has the shape of an old app password. App passwords were switched off on 2026-07-28.",
        "Create an API token with scopes (or an access token) and check that instead.",
    ))
}

/// Any other refused credential: mistyped, revoked or expired.
fn unauthorized(a: &Answers) -> Option<Verdict> {
    a.refusal()?;
    let message = if a.chosen == CredentialKind::ApiToken {
        "Bitbucket rejected the email and API token. The token may be mistyped, revoked or expired, the email may not be your Atlassian account email, or the token was made with \"Create API token\" instead of \"Create API token with scopes\".".to_string()
    } else {
        format!("Bitbucket rejected this {}. It may be mistyped, revoked or expired.", a.chosen.label())
    };
    Some(Verdict::fails(
        Problem::Unauthorized,
        message,
        format!("Copy the token again (it is shown only once), or create a new one: {}", a.create_where),
    ))
}

// 2. Trouble reaching Bitbucket.

/// A decisive probe got no answer.
fn network(a: &Answers) -> Option<Verdict> {
    let err = a.decisive.iter().find_map(|(_, r)| r.as_ref().err())?;
    Some(Verdict::fails(
        Problem::Network,
        format!("Could not reach Bitbucket at {}: {err}", a.req.api_base.host()),
        err.next_step(),
    ))
}

fn rate_limited(a: &Answers) -> Option<Verdict> {
    let (_, r429) = a.answer(|r| r.status == 429)?;
    let wait = r429
        .retry_after
        .map(|s| format!("Wait {s} seconds, then try again."))
        .unwrap_or_else(|| "Wait a few minutes, then try again.".to_string());
    Some(Verdict::fails(
        Problem::RateLimited,
        "Bitbucket is limiting requests right now. Its limits are counted per user (1,000 requests an hour; access tokens get more on repository endpoints), so other tools using the same account or token count too.",
        wait,
    ))
}

fn server_error(a: &Answers) -> Option<Verdict> {
    let (_, r5) = a.answer(|r| r.status >= 500)?;
    Some(Verdict::fails(
        Problem::ServerError,
        format!(
            "Bitbucket had a problem answering (HTTP {}). This is on Bitbucket's side, not your token's.",
            r5.status
        ),
        "Try again in a few minutes; bitbucket.status.atlassian.com shows ongoing incidents.",
    ))
}

/// Bitbucket's API never redirects: the address is not its API.
fn redirected(a: &Answers) -> Option<Verdict> {
    let (_, r3) = a.answer(|r| (300..400).contains(&r.status))?;
    let to = r3.location.as_deref().map(|l| format!(" to {}", outside_text(l, 120))).unwrap_or_default();
    Some(
        Verdict::fails(
            Problem::UnexpectedResponse,
            format!("The API address answered with a redirect{to} (HTTP {}). Bitbucket's API does not redirect, so the address is probably wrong; the token was not sent on.", r3.status),
            format!("Check the API address; for Bitbucket Cloud it is {DEFAULT_API_URL}."),
        )
        .about(Fix::ApiAddress),
    )
}

/// A 200 whose body is not an API answer (a web page, cut off, too large).
fn not_an_api_answer(a: &Answers) -> Option<Verdict> {
    let (_, bad) = a.answer(|r| r.status == 200 && r.body_problem.is_some())?;
    let what = match bad.body_problem {
        Some(BodyProblem::TooLarge) => "an answer far larger than any Bitbucket answer",
        Some(BodyProblem::NotJson) => "a web page instead of an API answer",
        Some(BodyProblem::Incomplete) => "an answer that was cut off",
        _ => "an answer that is not valid JSON",
    };
    Some(
        Verdict::fails(
            Problem::UnexpectedResponse,
            format!("The API address sent {what}. It may not be Bitbucket's API, or a proxy changed the answer."),
            format!("Check the API address; for Bitbucket Cloud it is {DEFAULT_API_URL}. Then try again."),
        )
        .about(Fix::ApiAddress),
    )
}

fn api_removed(a: &Answers) -> Option<Verdict> {
    a.answer(|r| r.status == 410)?;
    Some(Verdict::fails(
        Problem::UnexpectedResponse,
        "Bitbucket says this part of its API has been removed (HTTP 410).",
        "Update Bitbucket Setup Assistant to a newer version.",
    ))
}

fn bad_request(a: &Answers) -> Option<Verdict> {
    let (_, r) = a.answer(|r| r.status == 400)?;
    let detail = r.error_message.as_deref().map(|m| outside_text(m, 300)).unwrap_or_default();
    Some(Verdict::fails(
        Problem::UnexpectedResponse,
        format!("Bitbucket did not accept the request (HTTP 400). {detail}").trim().to_string(),
        "Check the workspace and repository names, then try again.",
    ))
}

// 3. Did the credential prove anything? (A 404 for the place itself is answered below: the place
// is out of reach either way.)

/// Answers that confirm no credential.
fn unproven(a: &Answers) -> Option<Verdict> {
    if a.proven || a.out_of_reach_anywhere() {
        return None;
    }
    // Only a repository that says it is public explains the answer; a private one that answers
    // without credential headers means something in between removed them.
    let public = ok_response(a.outcomes, ProbeKind::Repository).is_some_and(|r| {
        r.status == 200 && r.json.as_ref().and_then(|j| j.get("is_private")).and_then(|v| v.as_bool()) == Some(false)
    });
    Some(Verdict::fails(
        Problem::PublicRepoWithoutValidCredential,
        if public {
            "The repository answered, but Bitbucket did not confirm any credential: the repository is public, so this proves nothing about the token."
        } else {
            "Bitbucket answered without confirming any credential, so nothing is known about the token."
        },
        format!("Check that the token was pasted whole and that no proxy removes the Authorization header; or create a new token: {}", a.create_where),
    ))
}


/// Accepted by one endpoint and refused by another that the verdict needs.
fn refused_after_accepted(a: &Answers) -> Option<Verdict> {
    let (p, r) = a.answer(|r| r.status == 401)?;
    let said = r
        .error_message
        .as_deref()
        .map(|m| format!(" Bitbucket said: \"{}\"", outside_text(m, 200)))
        .unwrap_or_default();
    Some(Verdict::fails(
        Problem::UnexpectedResponse,
        format!(
            "Bitbucket accepted this {} but refused it for the {} (HTTP 401).{said}",
            a.kind.label(),
            p.kind.what()
        ),
        format!("Try again in a few minutes. If it stays so, create a new token: {}", a.create_where),
    ))
}

// 4. Wrong place: the token is fine but does not reach this workspace or repository.

/// An access token out of reach: it was made for another place.
fn wrong_token_for_location(a: &Answers) -> Option<Verdict> {
    a.out_of_reach()?;
    if !a.kind.is_access_token() {
        return None;
    }
    let reach = match a.kind {
        CredentialKind::RepositoryToken => "A repository access token reaches only the repository it was created in.",
        CredentialKind::ProjectToken => "A project access token reaches only the repositories of its project.",
        _ => "A workspace access token reaches only its own workspace.",
    };
    let works = if a.proven { "works, but not for" } else { "does not reach" };
    Some(Verdict::fails(
        Problem::WrongTokenForLocation,
        format!("This {} {works} {}. {reach}", a.kind.label(), a.place),
        format!("Check the address, or create the token where it is needed: {}", a.create_where),
    ))
}

/// Any other credential out of reach: the place does not exist, or the account cannot see it.
fn not_found(a: &Answers) -> Option<Verdict> {
    let p = a.out_of_reach()?;
    let what = if p.kind == ProbeKind::Repository { "repository" } else { "workspace" };
    Some(Verdict::fails(
        Problem::NotFound,
        format!("Bitbucket found no {what} {}. It may not exist, or this account may not have access to it (Bitbucket answers the same in both cases).", a.place),
        "Check the spelling of the workspace and repository (copy the address from your browser), and that your account can open it in Bitbucket.",
    ))
}

/// The repository answered, but a part of it the target needs did not (404).
fn feature_missing(a: &Answers) -> Option<Verdict> {
    let (p, _) = a.responses.iter().copied().find(|(p, r)| matches!(p.role, Role::Scope(_)) && r.status == 404)?;
    Some(Verdict::fails(
        Problem::UnexpectedResponse,
        format!("Bitbucket found the repository but not its {} (HTTP 404).", p.kind.what()),
        "Check that this feature is switched on for the repository in Bitbucket, then try again.",
    ))
}

// 5. Scopes: as Bitbucket lists them, and as a refusal of a probe that needs exactly one proves
// them.

/// What the answers say about the scopes the target needs.
struct ScopeFindings<'a> {
    /// Needed, and proven missing (by the scope header, or by a refusal).
    missing: Vec<String>,
    /// The webhooks were refused for the account's role, not for a scope.
    role_refused: bool,
    /// The account's permission on the repository, when Bitbucket said.
    permission: Option<String>,
    /// Probes refused (403) with no scope to blame.
    refused_unexplained: Vec<&'a Probe>,
}

impl<'a> ScopeFindings<'a> {
    /// Reads them, warning about the scopes that could not be confirmed either way.
    fn read(a: &Answers<'a>, warnings: &mut Vec<String>) -> ScopeFindings<'a> {
        let kind = a.kind;
        let listed_platform = a.listed.is_some_and(|l| l.iter().any(|s| PLATFORM_SCOPES.contains(&s.as_str())));
        let mut missing: Vec<String> = Vec::new();
        let mut unconfirmed: Vec<String> = Vec::new();
        if a.listed.is_some() {
            for s in &a.plan.required {
                if scopes::satisfies(a.granted, s) {
                    continue;
                }
                if PLATFORM_SCOPES.contains(&s.as_str()) && !listed_platform {
                    unconfirmed.push(s.clone());
                } else {
                    missing.push(s.clone());
                }
            }
        } else if let Some(warning) = unseen_warning(a) {
            warnings.push(warning);
        }
        // Webhooks refused while the account's permission on the repository is known to be
        // below admin: the role, not a scope (unless Bitbucket names one).
        let permission = repository_permission(a.outcomes, a.req.location.full_name().as_deref());
        let below_admin = permission.as_deref().is_some_and(|p| !p.eq_ignore_ascii_case("admin"));
        let mut role_refused = false;
        let mut refused_unexplained: Vec<&Probe> = Vec::new();
        for &(p, r) in &a.responses {
            if r.status != 403 {
                continue;
            }
            if p.kind == ProbeKind::Webhooks && kind == CredentialKind::ApiToken && r.required.is_empty() {
                let held = a.listed.is_some() && p.own_scope(kind).is_some_and(|s| scopes::satisfies(a.granted, &s));
                if below_admin || (held && permission.is_none()) {
                    role_refused = true;
                    continue;
                }
            }
            let proven = proven_missing(p, r, &a.plan.required, kind, a.listed.map(|_| a.granted));
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
            warnings.push(format!(
                "Bitbucket does not show whether this token has {} (it lists only Bitbucket's own scopes). Make sure you ticked {} when you created the token.",
                labels.join(" and "),
                if unconfirmed.len() == 1 { "it" } else { "them" }
            ));
        }
        ScopeFindings { missing, role_refused, permission, refused_unexplained }
    }
}

/// Without the scope header, what a probe read with the token is confirmed; the rest (writes
/// above all, which are never tried) is named, not failed.
fn unseen_warning(a: &Answers) -> Option<String> {
    // (The workspace's repository list reads repositories whatever its role.)
    let confirmed: BTreeSet<String> = a
        .outcomes
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200))
        .filter_map(|(p, _)| match p.kind {
            ProbeKind::WorkspaceRepositories => Some(read_scope(a.kind, "repository")),
            _ if p.role != Role::Info => p.own_scope(a.kind),
            _ => None,
        })
        .collect();
    let unseen: Vec<String> =
        a.plan.required.iter().filter(|s| !confirmed.contains(*s)).map(|s| scope_with_name(s)).collect();
    if unseen.is_empty() {
        return None;
    }
    Some(format!(
        "Bitbucket did not list the token's scopes, so {} could not be confirmed (only what the check could read with the token was). Make sure {} ticked when the token was created.",
        unseen.join(", "),
        if unseen.len() == 1 { "it was" } else { "they were" }
    ))
}

/// A scope this kind cannot hold is never asked for: when Bitbucket says the token is of another
/// kind than the one chosen, and that kind cannot have what is missing, the kind is the problem.
fn wrong_credential_kind(a: &Answers, found: &ScopeFindings) -> Option<Verdict> {
    let impossible: Vec<&String> =
        found.missing.iter().filter(|s| scopes::lookup(s).is_some() && !scopes::offered_to(s, a.kind)).collect();
    if impossible.is_empty() {
        return None;
    }
    let labels: Vec<String> = impossible.iter().map(|s| scopes::label(s)).collect();
    Some(Verdict::fails(
        Problem::WrongCredentialKind,
        format!(
            "Bitbucket says this is a {}, but {} needs {} here, which a {} cannot have.",
            a.kind.label(),
            a.req.target.name,
            labels.join(", "),
            a.kind.label()
        ),
        format!("Create a {} instead: {}", a.chosen.label(), creation::page(a.chosen, &a.req.location).hint()),
    ))
}

/// Needed scopes proven missing: a new token is the way (scopes cannot be added).
fn missing_scopes(a: &Answers, found: &ScopeFindings, report: &mut Report) -> Option<Verdict> {
    if found.missing.is_empty() {
        return None;
    }
    if found.role_refused {
        report.warnings.push(role_warning(a.req, found.permission.as_deref()));
    }
    report.missing = found.missing.clone();
    report.missing_labels = labelled(found.missing.clone());
    let names = report.missing_labels.iter().map(|l| l.label.clone()).collect::<Vec<_>>().join(", ");
    Some(Verdict::fails(
        Problem::MissingScopes,
        format!("The token works, but {} also needs: {names}.", a.req.target.name),
        format!(
            "Scopes cannot be added to an existing token. Create a new {} with these boxes ticked: {}",
            a.kind.label(),
            a.create_where
        ),
    ))
}

/// Where an account is given a role on a repository, in Bitbucket's menus.
const PERMISSIONS_MENU: &str = "Repository settings > Repository permissions";

fn role_said(permission: Option<&str>) -> String {
    match permission {
        Some(p) => format!("Bitbucket says the account has {} permission on it", p.to_ascii_lowercase()),
        None => "the token holds the webhook scopes, so the account's role is what is missing".to_string(),
    }
}

/// An API token whose account may not manage the repository's webhooks: the role is missing, and
/// a new token from the same account would be refused the same way.
fn not_repository_admin(a: &Answers, found: &ScopeFindings, account: Option<&str>) -> Option<Verdict> {
    if !found.role_refused {
        return None;
    }
    let repo = &a.place;
    let who = account.map(|name| format!(" ({name})")).unwrap_or_default();
    Some(Verdict::fails(
        Problem::NotRepositoryAdmin,
        format!(
            "Bitbucket refused this API token the webhooks of {repo} (HTTP 403): the account it belongs to{who} is not an admin of the repository ({}). {} creates webhooks, and Bitbucket lets only repository admins manage them, whatever the token's scopes. A new token from the same account would be refused the same way.",
            role_said(found.permission.as_deref()),
            a.req.target.name
        ),
        format!(
            "Ask a workspace admin to give your account Admin permission on {repo} ({PERMISSIONS_MENU}), then check again. Or have someone who is an admin of {repo} create the API token and connect it."
        ),
    ))
}

/// The same, as a warning beside another problem.
fn role_warning(req: &CheckRequest, permission: Option<&str>) -> String {
    let repo = req.location.full_name().unwrap_or_else(|| req.location.workspace.clone());
    format!(
        "Bitbucket also refused the webhooks of {repo} because the account is not an admin of the repository ({}); a workspace admin can give it Admin permission ({PERMISSIONS_MENU}).",
        role_said(permission)
    )
}

/// Refused without a scope to blame: a read the target needs still failed. A refused read it
/// does not need is only a warning.
fn refused_unnamed(a: &Answers, found: &ScopeFindings, warnings: &mut Vec<String>) -> Option<Verdict> {
    for p in &found.refused_unexplained {
        let needed = p.own_scope(a.kind).is_some_and(|s| a.plan.required.contains(&s));
        if matches!(p.role, Role::Scope(_)) || needed {
            let boxes: Vec<String> = a.plan.required.iter().map(|s| scopes::label(s)).collect();
            return Some(
                Verdict::fails(
                    Problem::MissingScopes,
                    format!("The token works, but Bitbucket refused to show it the {} (HTTP 403) without naming a missing scope.", p.kind.what()),
                    format!(
                        "Check in Bitbucket that the token's boxes include every one {} needs ({}); if one is missing, create a new {} with them ticked: {}",
                        a.req.target.name,
                        boxes.join(", "),
                        a.kind.label(),
                        a.create_where
                    ),
                )
                .about(Fix::RequiredScopes),
            );
        }
        warnings.push(format!(
            "Bitbucket did not show this token the {} itself (HTTP 403), so whether it reaches {} could not be confirmed.",
            p.kind.what(),
            a.place
        ));
    }
    None
}

/// No rule applies: the credential works and has everything needed.
fn works(a: &Answers, report: &Report) -> Verdict {
    let what = match (&report.repository, &report.default_branch) {
        (Some(repo), Some(branch)) => format!(" for {repo} (default branch {branch})"),
        (Some(repo), None) => format!(" for {repo}"),
        _ => format!(" for workspace {}", a.req.location.workspace),
    };
    Verdict::passes(format!("This {} works{what} and has everything {} needs.", a.kind.label(), a.req.target.name))
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
    outcomes.iter().any(|(p, r)| r.as_ref().is_ok_and(|r| authenticated(r) || proves_without_headers(p, r)))
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

/// The scopes a refusing (403) answer proves missing, among those the target needs and the
/// kind can hold. The probe's own scope is proven missing when Bitbucket names it (in either
/// vocabulary), or names nothing while the scope header does not list it either; other scopes
/// Bitbucket names count when the target needs them. `held`: what the header lists, with
/// implications, when it was sent.
fn proven_missing(
    probe: &Probe,
    r: &ProbeResponse,
    required: &[String],
    kind: CredentialKind,
    held: Option<&BTreeSet<String>>,
) -> Vec<String> {
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
    if let Some(own) = probe.own_scope(kind) {
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
