//! The judge on answers made by hand: no server, no client, no clock. One test (at least) per
//! verdict, then the precedence between rules that can both apply. The same verdicts against a
//! fake Bitbucket, in every plausible world, are in the root package's `tests/worlds.rs`.

use serde_json::json;

use super::judge::{judge, Outcome};
use super::plan::{plan, CheckRequest, Plan, ProbeKind, Role};
use super::report::{Fix, Problem, Report};
use crate::client::{ApiBase, BodyProblem, NetworkError, ProbeResponse, Timeouts};
use crate::credential::{Credential, CredentialKind, PastedKind, Secret};
use crate::target::Target;

const REPO: &str = "https://bitbucket.org/acme/website";

/// Reads a repository and its pull requests.
const REVIEW: (&[&str], &[&str]) =
    (&["read:repository:bitbucket", "read:pullrequest:bitbucket"], &["repository", "pullrequest"]);

/// Reads a repository and manages its webhooks.
const HOOKS: (&[&str], &[&str]) =
    (&["read:repository:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket"], &["repository", "webhook"]);

fn target(scopes: (&[&str], &[&str])) -> Target {
    let (api, access) = scopes;
    Target::new("test", "Test Product", false, |kind| {
        let names = if kind == CredentialKind::ApiToken { api } else { access };
        Ok(names.iter().map(|s| s.to_string()).collect())
    })
}

fn request(kind: CredentialKind, secret: &str, scopes: (&[&str], &[&str])) -> CheckRequest {
    let email = (kind == CredentialKind::ApiToken).then(|| "dev@example.com".to_string());
    CheckRequest {
        credential: Credential { kind, secret: Secret::new(secret), email, username: None },
        location: crate::location::parse(REPO).unwrap(),
        target: target(scopes),
        api_base: ApiBase::cloud(),
        timeouts: Timeouts::default(),
    }
}

fn planned(kind: CredentialKind, scopes: (&[&str], &[&str])) -> Plan {
    plan(request(kind, "ATCTsecretvalue-for-tests", scopes), PastedKind::Unknown).unwrap()
}

/// Every probe of `plan` paired with the answer `answer` gives for its kind.
fn answers(plan: &Plan, answer: impl Fn(ProbeKind) -> Result<ProbeResponse, NetworkError>) -> Vec<Outcome> {
    plan.probes.iter().map(|p| (p.clone(), answer(p.kind))).collect()
}

fn judged(plan: &Plan, outcomes: &[Outcome]) -> Report {
    judge(plan, outcomes, chrono::DateTime::UNIX_EPOCH)
}

/// An answer that accepts a credential of Bitbucket's `kind` holding `scopes`.
fn accepted(kind: &str, scopes: &[&str], status: u16) -> ProbeResponse {
    ProbeResponse {
        status,
        credential_type: Some(kind.to_string()),
        oauth_scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
        json: Some(json!({})),
        ..ProbeResponse::default()
    }
}

fn api(scopes: &[&str], status: u16) -> Result<ProbeResponse, NetworkError> {
    Ok(accepted("api_token", scopes, status))
}

fn with_json(mut r: ProbeResponse, json: serde_json::Value) -> Result<ProbeResponse, NetworkError> {
    r.json = Some(json);
    Ok(r)
}

fn bare(status: u16) -> Result<ProbeResponse, NetworkError> {
    Ok(ProbeResponse { status, ..ProbeResponse::default() })
}

fn repository(private: bool) -> serde_json::Value {
    json!({"full_name": "acme/website", "is_private": private, "mainbranch": {"name": "main"}, "workspace": {"name": "Acme"}})
}

fn timeout() -> Result<ProbeResponse, NetworkError> {
    Err(NetworkError::Timeout { host: "api.bitbucket.org".into(), seconds: 10 })
}

const ALL_REVIEW: &[&str] = &["read:repository:bitbucket", "read:pullrequest:bitbucket"];

/// An API token for REVIEW whose answers are all 200 except as `change` says.
fn review_case(change: impl Fn(ProbeKind) -> Option<Result<ProbeResponse, NetworkError>>) -> Report {
    let plan = planned(CredentialKind::ApiToken, REVIEW);
    let outcomes = answers(&plan, |k| {
        change(k).unwrap_or_else(|| match k {
            ProbeKind::Repository => with_json(accepted("api_token", ALL_REVIEW, 200), repository(true)),
            _ => api(ALL_REVIEW, 200),
        })
    });
    judged(&plan, &outcomes)
}

fn assert_fails(r: &Report, problem: Problem) {
    assert_eq!(r.problem, Some(problem), "{r:#?}");
    assert!(!r.ok, "{r:#?}");
    assert!(!r.message.is_empty() && !r.next_step.is_empty(), "{r:#?}");
}

// Each verdict.

#[test]
fn works_when_every_answer_accepts_and_every_scope_is_listed() {
    let r = review_case(|_| None);
    assert!(r.ok && r.problem.is_none(), "{r:#?}");
    assert_eq!(r.message, "This API token with scopes works for acme/website (default branch main) and has everything Test Product needs.");
    assert!(r.next_step.is_empty() && r.fix.is_none() && r.missing.is_empty());
    assert_eq!(r.workspace_name.as_deref(), Some("Acme"));
    assert_eq!(r.requests, 2);
    assert_eq!(r.probes.len(), 2);
    assert_eq!(r.credential_type.as_deref(), Some("api_token"));
}

#[test]
fn unauthorized_when_every_answer_refuses() {
    let r = review_case(|_| Some(bare(401)));
    assert_fails(&r, Problem::Unauthorized);
    assert!(r.message.contains("rejected the email and API token"), "{}", r.message);
    assert!(r.next_step.contains("Copy the token again"), "{}", r.next_step);
}

#[test]
fn unscoped_api_token_when_bitbucket_lists_no_scope() {
    let r = review_case(|_| Some(api(&[], 401)));
    assert_fails(&r, Problem::UnscopedApiToken);
    assert!(r.next_step.contains("Create API token with scopes"), "{}", r.next_step);
}

#[test]
fn retired_app_password_when_a_refused_value_has_its_shape() {
    let req = request(CredentialKind::RepositoryToken, "abcdEFGH1234ijklMNOP", REVIEW);
    let plan = plan(req, PastedKind::LegacyAppPassword).unwrap();
    let r = judged(&plan, &answers(&plan, |_| bare(401)));
    assert_fails(&r, Problem::AppPasswordRetired);
    assert!(r.message.contains("shape of an old app password"), "{}", r.message);
}

#[test]
fn network_when_a_decisive_probe_gets_no_answer() {
    let r = review_case(|k| (k == ProbeKind::PullRequests).then(timeout));
    assert_fails(&r, Problem::Network);
    assert!(r.message.starts_with("Could not reach Bitbucket at api.bitbucket.org: "), "{}", r.message);
}

#[test]
fn rate_limited_says_how_long_to_wait() {
    let r = review_case(|k| {
        (k == ProbeKind::PullRequests)
            .then(|| Ok(ProbeResponse { status: 429, retry_after: Some(30), ..ProbeResponse::default() }))
    });
    assert_fails(&r, Problem::RateLimited);
    assert_eq!(r.next_step, "Wait 30 seconds, then try again.");
}

#[test]
fn server_error_on_a_5xx() {
    let r = review_case(|k| (k == ProbeKind::PullRequests).then(|| bare(502)));
    assert_fails(&r, Problem::ServerError);
    assert!(r.message.contains("HTTP 502"), "{}", r.message);
}

#[test]
fn a_redirect_points_to_the_api_address() {
    let r = review_case(|k| {
        (k == ProbeKind::Repository).then(|| {
            Ok(ProbeResponse {
                status: 302,
                location: Some("https://login.example/".into()),
                ..ProbeResponse::default()
            })
        })
    });
    assert_fails(&r, Problem::UnexpectedResponse);
    assert!(r.message.contains("redirect to https://login.example/ (HTTP 302)"), "{}", r.message);
    assert_eq!(r.fix, Some(Fix::ApiAddress));
    assert_eq!(r.next_step, "Check the API address; for Bitbucket Cloud it is https://api.bitbucket.org/2.0.");
}

#[test]
fn a_web_page_instead_of_an_answer_points_to_the_api_address() {
    let r = review_case(|k| {
        (k == ProbeKind::Repository).then(|| {
            Ok(ProbeResponse { status: 200, body_problem: Some(BodyProblem::NotJson), ..ProbeResponse::default() })
        })
    });
    assert_fails(&r, Problem::UnexpectedResponse);
    assert!(r.message.contains("a web page instead of an API answer"), "{}", r.message);
    assert_eq!(r.fix, Some(Fix::ApiAddress));
}

#[test]
fn a_removed_api_asks_for_a_newer_version() {
    let r = review_case(|k| (k == ProbeKind::PullRequests).then(|| bare(410)));
    assert_fails(&r, Problem::UnexpectedResponse);
    assert!(r.message.contains("HTTP 410") && r.next_step.contains("newer version"), "{r:#?}");
}

#[test]
fn a_bad_request_quotes_bitbucket() {
    let r = review_case(|k| {
        (k == ProbeKind::PullRequests).then(|| {
            Ok(ProbeResponse { status: 400, error_message: Some("bad\u{1b}name".into()), ..ProbeResponse::default() })
        })
    });
    assert_fails(&r, Problem::UnexpectedResponse);
    assert!(r.message.starts_with("Bitbucket did not accept the request (HTTP 400). bad"), "{}", r.message);
    assert!(!r.message.contains('\u{1b}'), "{}", r.message);
}

#[test]
fn unproven_when_a_public_repository_answers_without_credential_headers() {
    let r = review_case(|k| {
        Some(match k {
            ProbeKind::Repository => {
                with_json(ProbeResponse { status: 200, ..ProbeResponse::default() }, repository(false))
            }
            _ => bare(200),
        })
    });
    assert_fails(&r, Problem::PublicRepoWithoutValidCredential);
    assert!(r.message.contains("the repository is public"), "{}", r.message);
}

#[test]
fn a_private_repository_without_headers_proves_the_credential() {
    let r = review_case(|k| {
        Some(match k {
            ProbeKind::Repository => {
                with_json(ProbeResponse { status: 200, ..ProbeResponse::default() }, repository(true))
            }
            _ => bare(200),
        })
    });
    assert!(r.ok, "{r:#?}");
    // No header listed the scopes, but both reads succeeded with the token: nothing is left unconfirmed.
    assert!(r.warnings.iter().all(|w| !w.contains("could not be confirmed")), "{:#?}", r.warnings);
}

#[test]
fn refused_after_accepted_is_not_a_rejected_token() {
    let r = review_case(|k| (k == ProbeKind::PullRequests).then(|| bare(401)));
    assert_fails(&r, Problem::UnexpectedResponse);
    assert!(
        r.message.contains("accepted this API token with scopes but refused it for the pull requests (HTTP 401)"),
        "{}",
        r.message
    );
}

#[test]
fn wrong_token_for_location_when_an_access_token_does_not_reach_the_repository() {
    let plan = planned(CredentialKind::RepositoryToken, REVIEW);
    let r = judged(
        &plan,
        &answers(&plan, |k| {
            Ok(accepted(
                "repo_access_token",
                &["repository", "pullrequest"],
                if k == ProbeKind::Repository { 404 } else { 200 },
            ))
        }),
    );
    assert_fails(&r, Problem::WrongTokenForLocation);
    assert!(r.message.starts_with("This repository access token works, but not for acme/website."), "{}", r.message);
}

#[test]
fn not_found_when_an_api_token_does_not_reach_the_repository() {
    let r = review_case(|k| (k == ProbeKind::Repository).then(|| api(ALL_REVIEW, 404)));
    assert_fails(&r, Problem::NotFound);
    assert!(r.message.starts_with("Bitbucket found no repository acme/website."), "{}", r.message);
}

#[test]
fn a_missing_feature_is_not_a_missing_scope() {
    let r = review_case(|k| (k == ProbeKind::PullRequests).then(|| api(ALL_REVIEW, 404)));
    assert_fails(&r, Problem::UnexpectedResponse);
    assert!(r.message.contains("not its pull requests (HTTP 404)"), "{}", r.message);
}

#[test]
fn wrong_credential_kind_when_the_kind_bitbucket_sees_cannot_hold_a_needed_scope() {
    let needs_projects: (&[&str], &[&str]) = (&["read:repository:bitbucket"], &["repository", "project"]);
    let plan = planned(CredentialKind::WorkspaceToken, needs_projects);
    let r = judged(
        &plan,
        &answers(&plan, |k| {
            let r = accepted("repo_access_token", &["repository"], 200);
            if k == ProbeKind::Repository {
                with_json(r, repository(true))
            } else {
                Ok(r)
            }
        }),
    );
    assert_fails(&r, Problem::WrongCredentialKind);
    assert!(
        r.message
            .starts_with("Bitbucket says this is a repository access token, but Test Product needs Projects: Read"),
        "{}",
        r.message
    );
    assert!(r.next_step.starts_with("Create a workspace access token instead: "), "{}", r.next_step);
    assert_eq!(r.credential_kind, CredentialKind::RepositoryToken);
    assert!(r.warnings.iter().any(|w| w.contains("but you chose workspace access token")), "{:#?}", r.warnings);
}

#[test]
fn missing_scopes_named_from_the_scope_header() {
    let held = &["read:repository:bitbucket"];
    let r = review_case(|k| {
        Some(match k {
            ProbeKind::Repository => with_json(accepted("api_token", held, 200), repository(true)),
            _ => api(held, 403),
        })
    });
    assert_fails(&r, Problem::MissingScopes);
    assert_eq!(r.missing, ["read:pullrequest:bitbucket"]);
    assert_eq!(r.missing_labels.len(), 1);
    assert!(r.message.starts_with("The token works, but Test Product also needs: "), "{}", r.message);
    assert!(r.next_step.starts_with("Scopes cannot be added to an existing token."), "{}", r.next_step);
    assert!(r.fix.is_none());
}

#[test]
fn missing_scopes_named_by_a_refusal_without_the_header() {
    let r = review_case(|k| {
        Some(match k {
            ProbeKind::Repository => with_json(
                ProbeResponse { status: 200, credential_type: Some("api_token".into()), ..ProbeResponse::default() },
                repository(true),
            ),
            _ => Ok(ProbeResponse {
                status: 403,
                credential_type: Some("api_token".into()),
                error_message: Some("Your credential lacks one or more required privilege scopes.".into()),
                required: vec!["read:pullrequest:bitbucket".into()],
                ..ProbeResponse::default()
            }),
        })
    });
    assert_fails(&r, Problem::MissingScopes);
    assert_eq!(r.missing, ["read:pullrequest:bitbucket"]);
}

#[test]
fn missing_scopes_unnamed_when_a_needed_read_is_refused_with_every_scope_listed() {
    let r = review_case(|k| (k == ProbeKind::PullRequests).then(|| api(ALL_REVIEW, 403)));
    assert_fails(&r, Problem::MissingScopes);
    assert!(r.missing.is_empty(), "{r:#?}");
    assert!(
        r.message.contains("refused to show it the pull requests (HTTP 403) without naming a missing scope"),
        "{}",
        r.message
    );
    assert_eq!(r.fix, Some(Fix::RequiredScopes));
    assert!(
        r.next_step.starts_with("Check in Bitbucket that the token's boxes include every one Test Product needs ("),
        "{}",
        r.next_step
    );
    // Facts, not a front end's place: no step, no flag.
    assert!(!r.next_step.to_lowercase().contains("step ") && !r.next_step.contains("--"), "{}", r.next_step);
}

fn hooks_case(permission: &str, held: &[&str]) -> Report {
    let plan = planned(CredentialKind::ApiToken, HOOKS);
    assert!(plan.probes.iter().any(|p| p.kind == ProbeKind::Permission && p.role == Role::Info), "{:#?}", plan.probes);
    judged(
        &plan,
        &answers(&plan, |k| match k {
            ProbeKind::Repository => with_json(accepted("api_token", held, 200), repository(true)),
            ProbeKind::Webhooks => api(held, 403),
            ProbeKind::Permission => with_json(
                accepted("api_token", held, 200),
                json!({"values": [{"repository": {"full_name": "acme/website"}, "permission": permission}]}),
            ),
            _ => api(held, 200),
        }),
    )
}

const ALL_HOOKS: &[&str] = &["read:repository:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket"];

#[test]
fn not_repository_admin_when_the_webhooks_are_refused_to_a_writer() {
    let r = hooks_case("write", ALL_HOOKS);
    assert_fails(&r, Problem::NotRepositoryAdmin);
    assert!(r.message.contains("Bitbucket says the account has write permission on it"), "{}", r.message);
    assert!(r.next_step.contains("Admin permission on acme/website"), "{}", r.next_step);
    assert!(!r.next_step.contains("new token"), "{}", r.next_step);
}

#[test]
fn an_admin_refused_the_webhooks_lacks_a_scope_not_a_role() {
    let r = hooks_case("admin", ALL_HOOKS);
    assert_fails(&r, Problem::MissingScopes);
    assert_eq!(r.fix, Some(Fix::RequiredScopes));
}

#[test]
fn the_early_verdicts_come_from_the_plan_without_a_request() {
    let mut req = request(CredentialKind::ApiToken, "ATATsecret", REVIEW);
    req.credential.email = None;
    let p = plan(req, PastedKind::ApiToken).unwrap();
    assert_eq!(p.probe_count(), 0);
    assert_eq!(p.early.as_ref().and_then(|v| v.problem), Some(Problem::ApiTokenNeedsEmail));

    let p = plan(request(CredentialKind::AppPassword, "ATBBsecret", REVIEW), PastedKind::AppPassword).unwrap();
    assert_eq!(p.early.as_ref().and_then(|v| v.problem), Some(Problem::AppPasswordRetired));
    assert!(p.required.is_empty());

    let p = plan(request(CredentialKind::ApiToken, "ATCTsecret", REVIEW), PastedKind::AccessToken).unwrap();
    assert_eq!(p.early.as_ref().and_then(|v| v.problem), Some(Problem::WrongCredentialKind));
}

// Precedence between rules that can both apply.

#[test]
fn a_refused_credential_comes_before_a_network_error() {
    let r = review_case(|k| Some(if k == ProbeKind::Repository { bare(401) } else { timeout() }));
    assert_eq!(r.problem, Some(Problem::Unauthorized), "{r:#?}");
}

#[test]
fn a_network_error_comes_before_a_rate_limit() {
    let r = review_case(|k| Some(if k == ProbeKind::Repository { bare(429) } else { timeout() }));
    assert_eq!(r.problem, Some(Problem::Network), "{r:#?}");
}

#[test]
fn an_informational_probe_never_decides() {
    let plan = planned(CredentialKind::ApiToken, HOOKS);
    let r = judged(
        &plan,
        &answers(&plan, |k| match k {
            ProbeKind::Repository => with_json(accepted("api_token", ALL_HOOKS, 200), repository(true)),
            ProbeKind::Permission => timeout(),
            _ => api(ALL_HOOKS, 200),
        }),
    );
    assert!(r.ok, "{r:#?}");
}

#[test]
fn a_rate_limit_comes_before_a_server_error_and_that_before_a_redirect() {
    let r = review_case(|k| Some(if k == ProbeKind::Repository { bare(500) } else { bare(429) }));
    assert_eq!(r.problem, Some(Problem::RateLimited), "{r:#?}");
    let r = review_case(|k| Some(if k == ProbeKind::Repository { bare(302) } else { bare(503) }));
    assert_eq!(r.problem, Some(Problem::ServerError), "{r:#?}");
}

#[test]
fn a_redirect_comes_before_a_removed_api_and_that_before_a_bad_request() {
    let r = review_case(|k| Some(if k == ProbeKind::Repository { bare(410) } else { bare(301) }));
    assert_eq!((r.problem, r.fix), (Some(Problem::UnexpectedResponse), Some(Fix::ApiAddress)), "{r:#?}");
    let r = review_case(|k| Some(if k == ProbeKind::Repository { bare(400) } else { bare(410) }));
    assert!(r.message.contains("HTTP 410"), "{}", r.message);
}

#[test]
fn the_place_out_of_reach_comes_before_the_scopes() {
    let held = &["read:repository:bitbucket"];
    let r = review_case(|k| Some(if k == ProbeKind::Repository { api(held, 404) } else { api(held, 403) }));
    assert_eq!(r.problem, Some(Problem::NotFound), "{r:#?}");
    assert!(r.missing.is_empty());
}

#[test]
fn a_404_on_the_place_is_answered_as_out_of_reach_even_unproven() {
    let plan = planned(CredentialKind::RepositoryToken, REVIEW);
    let r = judged(&plan, &answers(&plan, |k| bare(if k == ProbeKind::Repository { 404 } else { 200 })));
    assert_eq!(r.problem, Some(Problem::WrongTokenForLocation), "{r:#?}");
    assert!(r.message.contains("does not reach acme/website"), "{}", r.message);
}

#[test]
fn a_kind_that_cannot_hold_the_scope_comes_before_the_missing_scope() {
    let needs: (&[&str], &[&str]) = (&["read:repository:bitbucket"], &["repository", "pullrequest", "project"]);
    let plan = planned(CredentialKind::WorkspaceToken, needs);
    let r = judged(&plan, &answers(&plan, |_| Ok(accepted("repo_access_token", &["repository"], 200))));
    assert_eq!(r.problem, Some(Problem::WrongCredentialKind), "{r:#?}");
    assert!(r.missing.is_empty(), "{r:#?}");
}

#[test]
fn a_missing_scope_comes_before_the_missing_role_which_becomes_a_warning() {
    let held = &["read:repository:bitbucket", "read:webhook:bitbucket"];
    let r = hooks_case("read", held);
    assert_eq!(r.problem, Some(Problem::MissingScopes), "{r:#?}");
    assert_eq!(r.missing, ["write:webhook:bitbucket"]);
    assert!(r.warnings.iter().any(|w| w.contains("also refused the webhooks of acme/website")), "{:#?}", r.warnings);
}

// What the judge is.

#[test]
fn the_same_answers_give_the_same_report() {
    let plan = planned(CredentialKind::ApiToken, REVIEW);
    let outcomes =
        answers(&plan, |k| if k == ProbeKind::PullRequests { api(ALL_REVIEW, 403) } else { api(ALL_REVIEW, 200) });
    let once = serde_json::to_value(judged(&plan, &outcomes)).unwrap();
    assert_eq!(once, serde_json::to_value(judged(&plan, &outcomes)).unwrap());
    assert_eq!(once["checked_at"], "1970-01-01T00:00:00Z");
    assert_eq!(once["fix"], "required_scopes");
}

#[test]
fn the_fix_is_left_out_of_the_json_when_there_is_none() {
    let r = serde_json::to_value(review_case(|_| None)).unwrap();
    assert!(r.get("fix").is_none(), "{r}");
}

#[test]
fn another_api_address_is_said_with_the_token_s_fate() {
    let mut req = request(CredentialKind::ApiToken, "ATATsecret", REVIEW);
    req.api_base = ApiBase::parse("http://127.0.0.1:9/2.0").unwrap();
    let plan = plan(req, PastedKind::ApiToken).unwrap();
    let r = judged(&plan, &answers(&plan, |_| Err(NetworkError::Refused { host: "127.0.0.1".into() })));
    assert_eq!(r.problem, Some(Problem::Network), "{r:#?}");
    assert!(
        r.warnings.iter().any(|w| w.starts_with("This check went to http://127.0.0.1:9/2.0")
            && w.ends_with("no connection was made, so the token was not sent.")),
        "{:#?}",
        r.warnings
    );
}
