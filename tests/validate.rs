//! The validation engine against the fake Bitbucket over real HTTP: a sufficient credential of
//! every kind for every preset, and every problem the engine must tell apart.

mod support;

use std::time::Duration;

use bitbucket_cloud::credential::CredentialKind;
use bitbucket_cloud::validate::{Problem, Report, MAX_PROBES};
use bitbucket_setup_core::presets::{self, PresetId};
use fake_bitbucket::{demo, DetailMode, FakeBitbucket, Fault};
use support::check::{token_for, Check};

const EMAIL: &str = demo::ADMIN_EMAIL;

async fn demo_fake() -> FakeBitbucket {
    let fake = FakeBitbucket::start().await.expect("start the fake");
    fake.seed_demo();
    fake
}

fn assert_problem(report: &Report, problem: Problem) {
    assert_eq!(report.problem, Some(problem), "report: {report:#?}");
    assert!(!report.ok);
    assert!(!report.message.is_empty() && !report.next_step.is_empty(), "{report:#?}");
    // Never the raw HTTP error alone: the message is a sentence for a person.
    assert!(report.message.ends_with('.') || report.message.ends_with(')'), "{}", report.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preset_accepts_a_token_holding_exactly_its_scopes() {
    let fake = demo_fake().await;
    let mut checked = 0;
    for (i, preset) in presets::all().iter().enumerate() {
        for (j, &kind) in preset.kinds.iter().enumerate() {
            let custom = if preset.id == PresetId::Custom {
                vec![if kind == CredentialKind::ApiToken { "read:repository:bitbucket" } else { "repository" }.to_string()]
            } else {
                Vec::new()
            };
            let scopes = presets::required_scopes(preset.id, kind, &custom).expect("accepted kind");
            let prefix = if kind == CredentialKind::ApiToken { "ATAT" } else { "ATCT" };
            let secret = format!("{prefix}T3xFfGF0preset{i}kind{j}{}", "x".repeat(150));
            fake.add_token(token_for(kind, &secret, &scopes));
            let mut check = Check::new(kind, &secret, "https://bitbucket.org/acme/website", preset.id);
            check.scopes = custom;
            if kind == CredentialKind::ApiToken {
                check = check.email(EMAIL);
            }
            fake.reset_requests();
            let report = check.run(&fake).await;
            assert!(report.ok, "{} with a {} holding {scopes:?}: {report:#?}", preset.name, kind.label());
            assert_eq!(report.problem, None);
            assert!(report.missing.is_empty());
            assert_eq!(report.credential_kind, kind);
            assert_eq!(report.credential_type.as_deref(), Some(kind.bitbucket_type()));
            assert_eq!(report.default_branch.as_deref(), Some("main"));
            if kind.is_access_token() || scopes.iter().any(|s| s == "read:workspace:bitbucket") {
                assert_eq!(report.workspace_name.as_deref(), Some("Acme Corp"), "{report:#?}");
            }
            assert!(report.requests <= MAX_PROBES, "{} requests", report.requests);
            assert_eq!(fake.request_count(), report.requests);
            assert!(fake.requests().iter().all(|r| r.method == "GET"), "only reads are sent");
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} preset/kind pairs were checked");
}

#[tokio::test]
async fn sufficient_demo_credentials_report_what_they_are() {
    let fake = demo_fake().await;
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.granted.contains(&"repository".to_string()), "implications applied: {:?}", r.granted);
    assert!(r.message.contains("acme/website") && r.message.contains("main"), "{}", r.message);

    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Autoheal)
        .email(EMAIL)
        .run(&fake)
        .await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.account.as_deref(), Some(demo::ADMIN_DISPLAY_NAME));
    assert_eq!(r.requests, 6);

    let r = Check::new(CredentialKind::WorkspaceToken, demo::WORKSPACE_TOKEN, "https://bitbucket.org/acme/", PresetId::Cubyts).run(&fake).await;
    assert!(r.ok, "workspace-level check: {r:#?}");
    assert_eq!(r.default_branch, None);

    let mut c = Check::new(CredentialKind::ProjectToken, demo::PROJECT_TOKEN, "git@bitbucket.org:acme/website.git", PresetId::Custom);
    c.scopes = vec!["pullrequest".into()];
    let r = c.run(&fake).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn missing_scopes_are_named_in_the_ui_words() {
    let fake = demo_fake().await;
    let r = Check::new(CredentialKind::RepositoryToken, demo::READ_ONLY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::MissingScopes);
    assert!(r.missing.contains(&"repository:write".to_string()), "{:?}", r.missing);
    assert!(r.missing.contains(&"pullrequest:write".to_string()), "{:?}", r.missing);
    let labels: Vec<&str> = r.missing_labels.iter().map(|l| l.label.as_str()).collect();
    assert!(labels.iter().any(|l| l.contains("Pull requests") && l.contains("Write")), "{labels:?}");
    assert!(r.message.contains("SQAI Suite"), "{}", r.message);
    assert!(r.next_step.contains("cannot be added"), "{}", r.next_step);
    assert_eq!(bitbucket_setup::exit_code::for_report(&r), 1);

    // An API token missing most of Autoheal's scopes.
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_REPO_READ, "acme/website", PresetId::Autoheal)
        .email(demo::READER_EMAIL)
        .run(&fake)
        .await;
    assert_problem(&r, Problem::MissingScopes);
    assert!(r.missing.contains(&"read:pipeline:bitbucket".to_string()), "{:?}", r.missing);
}

#[tokio::test]
async fn missing_scopes_when_bitbucket_names_only_the_first() {
    let fake = demo_fake().await;
    // Bitbucket's 403 detail sometimes names one of several missing scopes; the headers
    // still tell the whole story.
    fake.set_detail_mode(DetailMode::FirstOnly);
    let r = Check::new(CredentialKind::RepositoryToken, demo::READ_ONLY, "acme/website", PresetId::Cubyts).run(&fake).await;
    assert_problem(&r, Problem::MissingScopes);
    assert_eq!(r.missing, vec!["pullrequest".to_string()], "{r:#?}");
}

#[tokio::test]
async fn extra_powerful_scopes_are_warned_about() {
    let fake = demo_fake().await;
    let r = Check::new(CredentialKind::RepositoryToken, demo::OVER_PRIVILEGED, "acme/website", PresetId::Sqai).run(&fake).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.extra.contains(&"repository:admin".to_string()) && r.extra.contains(&"repository:delete".to_string()), "{:?}", r.extra);
    assert!(r.warnings.iter().any(|w| w.contains("least privilege")), "{:?}", r.warnings);
}

#[tokio::test]
async fn rejected_credentials() {
    let fake = demo_fake().await;
    for secret in [demo::EXPIRED_TOKEN, demo::REVOKED_TOKEN, "ATCTT3xFfGF0neverissued0000000000"] {
        let r = Check::new(CredentialKind::RepositoryToken, secret, "acme/website", PresetId::Sqai).run(&fake).await;
        assert_problem(&r, Problem::Unauthorized);
        assert_eq!(bitbucket_setup::exit_code::for_report(&r), 2);
    }
    // API token with the wrong email.
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Autoheal)
        .email("someone.else@acme.example")
        .run(&fake)
        .await;
    assert_problem(&r, Problem::Unauthorized);
    assert!(r.message.contains("email"), "{}", r.message);
}

#[tokio::test]
async fn unscoped_api_token() {
    let fake = demo_fake().await;
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_UNSCOPED, "acme/website", PresetId::Autoheal)
        .email(EMAIL)
        .run(&fake)
        .await;
    assert_problem(&r, Problem::UnscopedApiToken);
    assert!(r.next_step.contains("Create API token with scopes"), "{}", r.next_step);
}

#[tokio::test]
async fn api_token_needs_the_email_and_sends_nothing_without_it() {
    let fake = demo_fake().await;
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Autoheal).run(&fake).await;
    assert_problem(&r, Problem::ApiTokenNeedsEmail);
    let mut with_username = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Autoheal);
    with_username.username = Some("ada".into());
    let r = with_username.run(&fake).await;
    assert_problem(&r, Problem::ApiTokenNeedsEmail);
    assert!(r.message.contains("not your Bitbucket username"), "{}", r.message);
    // An API token pasted as an access token.
    let r = Check::new(CredentialKind::RepositoryToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::ApiTokenNeedsEmail);
    assert_eq!(fake.request_count(), 0, "nothing is sent when the answer is known");
}

#[tokio::test]
async fn app_passwords_are_retired() {
    let fake = demo_fake().await;
    let mut c = Check::new(CredentialKind::AppPassword, demo::APP_PASSWORD, "acme/website", PresetId::Git);
    c.username = Some(demo::APP_PASSWORD_USERNAME.into());
    let r = c.run(&fake).await;
    assert_problem(&r, Problem::AppPasswordRetired);
    assert!(r.message.contains("2026-07-28"), "{}", r.message);
    // Pasted where an access token was expected.
    let r = Check::new(CredentialKind::RepositoryToken, demo::APP_PASSWORD, "acme/website", PresetId::Git).run(&fake).await;
    assert_problem(&r, Problem::AppPasswordRetired);
    assert_eq!(fake.request_count(), 0);
    // A legacy 20-character app password is sent (it could be anything) and explained on 401.
    let r = Check::new(CredentialKind::RepositoryToken, "abcdEFGH1234ijklMNOP", "acme/website", PresetId::Git).run(&fake).await;
    assert_problem(&r, Problem::AppPasswordRetired);
}

#[tokio::test]
async fn not_found_and_wrong_location() {
    let fake = demo_fake().await;
    // A repository token used for another repository of its workspace.
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/mobile-app", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::WrongTokenForLocation);
    assert!(r.message.contains("acme/mobile-app"), "{}", r.message);
    // A workspace token used for another workspace.
    let r = Check::new(CredentialKind::WorkspaceToken, demo::WORKSPACE_TOKEN, "other-co/secret", PresetId::Cubyts).run(&fake).await;
    assert_problem(&r, Problem::WrongTokenForLocation);
    // An API token and a repository that does not exist (or is not visible).
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/no-such-repo", PresetId::Autoheal)
        .email(EMAIL)
        .run(&fake)
        .await;
    assert_problem(&r, Problem::NotFound);
    assert!(r.message.contains("may not exist") && r.message.contains("access"), "{}", r.message);
}

#[tokio::test]
async fn a_public_repository_answering_proves_nothing() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::MissingHeaders);
    let r = Check::new(CredentialKind::WorkspaceToken, demo::WORKSPACE_TOKEN, "acme/public-docs", PresetId::Cubyts).run(&fake).await;
    assert_problem(&r, Problem::PublicRepoWithoutValidCredential);
    assert!(r.message.contains("public"), "{}", r.message);
}

#[tokio::test]
async fn server_side_trouble() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::RateLimited { retry_after: None });
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::RateLimited);
    assert_eq!(bitbucket_setup::exit_code::for_report(&r), 3);
    fake.set_fault(Fault::RateLimited { retry_after: Some(30) });
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert!(r.next_step.contains("30 seconds"), "{}", r.next_step);
    for status in [500, 502, 503] {
        fake.set_fault(Fault::Status(status));
        let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
        assert_problem(&r, Problem::ServerError);
        assert!(r.message.contains(&status.to_string()), "{}", r.message);
    }
    fake.set_fault(Fault::MalformedJson);
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::UnexpectedResponse);
    fake.set_fault(Fault::WrongContentType);
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::UnexpectedResponse);
    fake.set_fault(Fault::Redirect { status: 302, location: "https://login.example.com/".into() });
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::UnexpectedResponse);
    assert!(r.message.contains("redirect"), "{}", r.message);
    assert!(!fake.requests().iter().any(|r| r.path.contains("login")), "redirects are not followed");
}

#[tokio::test]
async fn network_failures_say_which() {
    let fake = demo_fake().await;
    // Connection refused: a port nothing listens on.
    let closed = support::RefusedPort::new();
    let port = closed.port;
    let mut c = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai);
    c.api_url = Some(format!("http://127.0.0.1:{port}/2.0"));
    let r = c.run(&fake).await;
    assert_problem(&r, Problem::Network);
    assert!(r.message.contains("refused"), "{}", r.message);
    // DNS: a name that cannot exist.
    let mut c = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai);
    c.api_url = Some("https://no-such-host.invalid/2.0".into());
    let r = c.run(&fake).await;
    assert_problem(&r, Problem::Network);
    assert!(r.message.contains("DNS"), "{}", r.message);
    // Timeout: no answer, then a body that never ends.
    for fault in [Fault::HangBeforeHeaders, Fault::BodyNeverEnds] {
        fake.set_fault(fault.clone());
        let mut c = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai);
        c.timeout = Duration::from_millis(800);
        let started = std::time::Instant::now();
        let r = c.run(&fake).await;
        assert_problem(&r, Problem::Network);
        assert!(r.message.contains("did not answer"), "{fault:?}: {}", r.message);
        assert!(started.elapsed() < Duration::from_secs(8), "{fault:?} must not hang");
    }
    // Reset.
    fake.set_fault(Fault::ConnectionReset);
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert_problem(&r, Problem::Network);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_are_sent_concurrently() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::Latency(Duration::from_millis(300)));
    let r = Check::new(CredentialKind::ApiToken, demo::API_TOKEN_AUTOHEAL, "acme/website", PresetId::Autoheal)
        .email(EMAIL)
        .run(&fake)
        .await;
    assert!(r.ok, "{r:#?}");
    let requests = fake.requests();
    assert_eq!(requests.len(), 6);
    let first = requests.iter().map(|r| r.at).min().unwrap();
    let last = requests.iter().map(|r| r.at).max().unwrap();
    // Sequential probes would arrive 300 ms apart; concurrent ones arrive together.
    assert!(last.duration_since(first) < Duration::from_millis(250), "probes were not concurrent: {:?}", last.duration_since(first));
}

#[tokio::test]
async fn odd_header_spacing_and_case_are_read() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::OddHeaderSpacing);
    let r = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai).run(&fake).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.credential_type.as_deref(), Some("repo_access_token"));
}

#[tokio::test]
async fn a_canary_token_never_appears_in_any_report() {
    let fake = demo_fake().await;
    let canary = "ATCTT3xFfGF0CANARY0canary0CANARY0canary";
    let api_canary = "ATATT3xFfGF0CANARY0canary0CANARY0canary";
    let faults = [
        None,
        Some(Fault::Status(500)),
        Some(Fault::RateLimited { retry_after: Some(1) }),
        Some(Fault::MalformedJson),
        Some(Fault::ConnectionReset),
        Some(Fault::Redirect { status: 301, location: "https://elsewhere.example/".into() }),
    ];
    for fault in faults {
        fake.clear_faults();
        if let Some(f) = fault.clone() {
            fake.set_fault(f);
        }
        for (kind, secret, email) in [
            (CredentialKind::RepositoryToken, canary, None),
            (CredentialKind::ApiToken, api_canary, Some(EMAIL)),
            (CredentialKind::ApiToken, api_canary, None),
            (CredentialKind::RepositoryToken, api_canary, None),
        ] {
            let mut c = Check::new(kind, secret, "acme/website", PresetId::Sqai);
            if kind == CredentialKind::ApiToken {
                c.preset = PresetId::Autoheal;
            }
            c.email = email.map(str::to_string);
            let r = c.run(&fake).await;
            assert!(!r.ok);
            let json = serde_json::to_string(&r).unwrap();
            let debug = format!("{r:?}");
            for text in [&json, &debug] {
                assert!(!text.to_lowercase().contains("canary"), "{fault:?}: the token leaked: {text}");
            }
        }
    }
}

#[tokio::test]
async fn a_self_signed_certificate_is_a_tls_failure() {
    let tls = FakeBitbucket::start_tls_self_signed().await.expect("TLS fake");
    tls.seed_demo();
    let mut c = Check::new(CredentialKind::RepositoryToken, demo::SQAI_READY, "acme/website", PresetId::Sqai);
    c.api_url = Some(tls.base_url());
    let r = c.run(&tls).await;
    assert_problem(&r, Problem::Network);
    assert!(r.message.contains("TLS"), "{}", r.message);
    assert!(r.next_step.contains("proxy") || r.next_step.contains("date"), "{}", r.next_step);
    assert_eq!(tls.request_count(), 0, "nothing was sent over the untrusted connection");
}

#[tokio::test]
async fn a_scope_newer_than_the_app_is_checked_by_name() {
    let fake = demo_fake().await;
    let with = |secret: &str, scopes: &[&str]| fake.add_token(fake_bitbucket::FakeToken::api(secret, EMAIL, "acme", scopes));
    with("ATATT3xFfGF0packages-yes", &["read:repository:bitbucket", "read:package:bitbucket"]);
    with("ATATT3xFfGF0packages-no", &["read:repository:bitbucket"]);
    let custom = ["read:repository:bitbucket".to_string(), "read:package:bitbucket".to_string()];
    let r = Check::new(CredentialKind::ApiToken, "ATATT3xFfGF0packages-yes", "acme/website", PresetId::Custom)
        .email(EMAIL)
        .scopes(&custom)
        .run(&fake)
        .await;
    assert!(r.ok, "{r:#?}");
    assert!(r.warnings.iter().any(|w| w.contains("read:package:bitbucket is not in this app's list")), "{:?}", r.warnings);
    let r = Check::new(CredentialKind::ApiToken, "ATATT3xFfGF0packages-no", "acme/website", PresetId::Custom)
        .email(EMAIL)
        .scopes(&custom)
        .run(&fake)
        .await;
    assert_problem(&r, Problem::MissingScopes);
    assert_eq!(r.missing, vec!["read:package:bitbucket".to_string()]);
}

#[tokio::test]
async fn repository_and_project_tokens_are_checked_on_a_repository() {
    use bitbucket_cloud::validate::{self, InputError};
    let fake = demo_fake().await;
    for (kind, secret) in [(CredentialKind::RepositoryToken, demo::SQAI_READY), (CredentialKind::ProjectToken, demo::PROJECT_TOKEN)] {
        let (request, pasted) = Check::new(kind, secret, "acme", PresetId::Custom).scopes(&["repository".to_string()]).request(&fake.base_url());
        let err = validate::plan(request, pasted).unwrap_err();
        assert!(matches!(err, InputError::RepositoryNeeded { .. }), "{err:?}");
        assert!(err.to_string().contains("give a repository's address"), "{err}");
    }
    assert_eq!(fake.request_count(), 0, "nothing is sent for an input that cannot be checked");
}

/// Webhooks need the account's Admin permission on the repository as well as the scopes. An
/// API token holding every webhook scope, on an account that is only a writer, is refused the
/// webhooks: that is the role, and the fix is the role, never a new token. With Bitbucket's
/// credential headers gone and a 403 that names nothing, the account's permission still tells.
#[tokio::test]
async fn an_account_without_admin_rights_is_told_about_the_role_not_a_scope() {
    use fake_bitbucket::{AccountRole, Behaviour, FakeToken};
    let fake = demo_fake().await;
    let scopes = presets::required_scopes(PresetId::N8n, CredentialKind::ApiToken, &[]).unwrap();
    let secret = format!("ATATT3xFfGF0notadmin{}", "y".repeat(150));
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    fake.add_token(FakeToken::api(&secret, EMAIL, "acme", &scope_refs).with_role(AccountRole::Write));
    let check = || Check::new(CredentialKind::ApiToken, &secret, "acme/website", PresetId::N8n).email(EMAIL);

    let r = check().run(&fake).await;
    assert_problem(&r, Problem::NotRepositoryAdmin);
    assert!(r.missing.is_empty(), "no scope is missing: {:?}", r.missing);
    assert!(r.message.contains("acme/website") && r.message.contains("write permission"), "{}", r.message);
    assert!(r.message.contains("n8n"), "{}", r.message);
    assert!(r.next_step.contains("Admin permission on acme/website"), "{}", r.next_step);
    assert!(!r.next_step.to_lowercase().contains("new token") && !r.next_step.contains("boxes"), "{}", r.next_step);
    assert!(r.probes.iter().any(|p| p.name == "repository_permission" && p.status == Some(200)), "{:#?}", r.probes);

    // Without the credential headers, and with 403s that name no scope: the same verdict.
    fake.set_behaviour(Behaviour { credential_headers: fake_bitbucket::behaviour::CredentialHeaders::Absent, ..Behaviour::default() });
    fake.set_detail_mode(DetailMode::None);
    let r = check().run(&fake).await;
    assert_problem(&r, Problem::NotRepositoryAdmin);

    // An admin's token with the same scopes passes; one without Webhooks: Read still misses it.
    fake.set_behaviour(Behaviour::default());
    fake.set_detail_mode(DetailMode::All);
    fake.add_token(FakeToken::api(&secret, EMAIL, "acme", &scope_refs).with_role(AccountRole::Admin));
    assert!(check().run(&fake).await.ok);
    let fewer: Vec<&str> = scope_refs.iter().copied().filter(|s| *s != "read:webhook:bitbucket").collect();
    fake.add_token(FakeToken::api(&secret, EMAIL, "acme", &fewer).with_role(AccountRole::Admin));
    let r = check().run(&fake).await;
    assert_problem(&r, Problem::MissingScopes);
    assert_eq!(r.missing, vec!["read:webhook:bitbucket"]);
}
