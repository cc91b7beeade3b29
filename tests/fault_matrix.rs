//! The fault matrix: every answer Bitbucket (or the network) can give, on every probe, through
//! the validation engine. Each must yield the intended problem with a plain message, with no
//! panic, no hang and no token in the output. The table is docs/fault-matrix.md: the test
//! compares it (timings aside) and rewrites it only with `UPDATE_DOCS=1`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bitbucket_cloud::credential::CredentialKind;
use bitbucket_cloud::validate::{Problem, Report};
use bitbucket_setup_core::presets::PresetId;
use fake_bitbucket::{demo, FakeBitbucket, FakeToken, Fault};

mod support;
use support::check::Check;

const CANARY: &str = "ATATT3xFfGF0CANARY-fault-matrix-CANARY";

async fn run(base: &str, secret: &str, timeout: Duration) -> Report {
    Check::new(CredentialKind::ApiToken, secret, "acme/website", PresetId::Autoheal)
        .email(demo::ADMIN_EMAIL)
        .timeouts(Duration::from_secs(2), timeout)
        .run_at(base)
        .await
}

fn name(p: Option<Problem>) -> &'static str {
    p.map(|p| p.name()).unwrap_or("(none: valid)")
}

/// What each fault must produce when it hits every probe.
fn expected_everywhere(fault: &Fault) -> Option<Problem> {
    use Problem::*;
    Some(match fault {
        Fault::Latency(_) | Fault::OddHeaderSpacing | Fault::SlowBody { .. } => return None,
        // The credential headers are undocumented: the private repository's (and the account's)
        // answer proves the token without them; only the scopes go unseen, which is a warning.
        Fault::MissingHeaders => return None,
        Fault::Redirect { .. } | Fault::MalformedJson | Fault::WrongContentType | Fault::HugeBody { .. } => UnexpectedResponse,
        Fault::RateLimited { .. } => RateLimited,
        Fault::ConnectionReset | Fault::HangBeforeHeaders | Fault::BodyNeverEnds => Network,
        Fault::Status(s) => match s {
            400 | 410 => UnexpectedResponse,
            401 => Unauthorized,
            403 => MissingScopes,
            404 => NotFound,
            _ => ServerError,
        },
    })
}

/// What a fault on one secondary probe (pull requests, pipelines, user, projects) produces.
/// The projects probe only adds facts: nothing it answers may fail the check.
fn expected_on_one(fault: &Fault, informational: bool) -> Option<Problem> {
    if informational {
        return None;
    }
    match fault {
        // The other probes still carry the credential headers, so the credential is proven.
        Fault::MissingHeaders => None,
        Fault::Status(404) => Some(Problem::UnexpectedResponse),
        // Accepted by the other probes: refused for this one endpoint, not a rejected token.
        Fault::Status(401) => Some(Problem::UnexpectedResponse),
        other => expected_everywhere(other),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let fake = FakeBitbucket::start().await.unwrap();
    fake.seed_demo();
    fake.add_token(FakeToken::api(CANARY, demo::ADMIN_EMAIL, "acme", &demo::AUTOHEAL_SCOPES));
    let faults = vec![
        ("200 without credential headers", Fault::MissingHeaders),
        ("301 redirect", Fault::Redirect { status: 301, location: "https://elsewhere.example/".into() }),
        ("302 redirect", Fault::Redirect { status: 302, location: "https://id.example/login".into() }),
        ("400", Fault::Status(400)),
        ("401", Fault::Status(401)),
        ("403 without detail", Fault::Status(403)),
        ("404", Fault::Status(404)),
        ("410", Fault::Status(410)),
        ("429 without Retry-After", Fault::RateLimited { retry_after: None }),
        ("429 with Retry-After", Fault::RateLimited { retry_after: Some(20) }),
        ("500", Fault::Status(500)),
        ("502", Fault::Status(502)),
        ("503", Fault::Status(503)),
        ("connection reset", Fault::ConnectionReset),
        ("timeout before headers", Fault::HangBeforeHeaders),
        ("a body that never ends", Fault::BodyNeverEnds),
        ("a 50 MB body", Fault::HugeBody { bytes: 50 * 1024 * 1024 }),
        ("malformed JSON", Fault::MalformedJson),
        ("wrong content type (HTML)", Fault::WrongContentType),
        ("headers with odd spacing and case", Fault::OddHeaderSpacing),
        ("slow body within the time limit", Fault::SlowBody { chunk_every: Duration::from_millis(20) }),
        ("300 ms latency", Fault::Latency(Duration::from_millis(300))),
    ];
    let targets: [(&str, Option<&str>); 5] = [
        ("every probe", None),
        ("pull requests probe", Some("/pullrequests")),
        ("pipelines probe", Some("/pipelines")),
        ("user probe", Some("/2.0/user")),
        ("projects probe", Some("/projects")),
    ];
    let mut table = String::from("| answer | where | problem | message (start) | time |\n|---|---|---|---|---|\n");
    let mut failures = Vec::new();
    let timeout = Duration::from_millis(1500);
    for (label, fault) in &faults {
        for (target, path) in &targets {
            fake.clear_faults();
            match path {
                None => fake.set_fault(fault.clone()),
                Some(p) => fake.set_fault_for(p, fault.clone()),
            }
            let want = if path.is_none() { expected_everywhere(fault) } else { expected_on_one(fault, *target == "projects probe") };
            let started = Instant::now();
            let report = run(&fake.base_url(), CANARY, timeout).await;
            let took = started.elapsed();
            check(&report, want, took, &format!("{label} on {target}"), &mut failures);
            row(&mut table, label, target, &report, took);
        }
    }
    // Missing scopes with Bitbucket's detail, and network failures below HTTP.
    fake.clear_faults();
    let report = run(&fake.base_url(), demo::API_TOKEN_REPO_READ, timeout).await;
    // (That token belongs to another email: Bitbucket rejects the pair.)
    check(&report, Some(Problem::Unauthorized), Duration::ZERO, "API token with another account's email", &mut failures);
    row(&mut table, "401 (email and token do not match)", "every probe", &report, Duration::ZERO);
    fake.add_token(FakeToken::api("ATATT3xFfGF0-scope-poor-token", demo::ADMIN_EMAIL, "acme", &["read:repository:bitbucket", "read:workspace:bitbucket"]));
    let report = run(&fake.base_url(), "ATATT3xFfGF0-scope-poor-token", timeout).await;
    check(&report, Some(Problem::MissingScopes), Duration::ZERO, "403 with detail", &mut failures);
    row(&mut table, "403 with detail (scopes missing)", "capability probes", &report, Duration::ZERO);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let tls = FakeBitbucket::start_tls_self_signed().await.unwrap();
    for (label, base) in [
        ("connection refused", format!("http://127.0.0.1:{port}/2.0")),
        ("DNS failure", "https://no-such-host.invalid/2.0".to_string()),
        ("TLS failure (self-signed certificate)", tls.base_url()),
    ] {
        let started = Instant::now();
        let report = run(&base, CANARY, timeout).await;
        let took = started.elapsed();
        check(&report, Some(Problem::Network), took, label, &mut failures);
        row(&mut table, label, "every probe", &report, took);
    }

    let doc = format!(
        "# Fault matrix\n\nGenerated by `cargo test --test fault_matrix` (part of `scripts/test.sh`): the validation engine \
         against the fake Bitbucket, an API token checked for Autoheal (six probes: repository, workspace, user, pull \
         requests, pipelines, projects), each answer injected on every probe or on one. Request time limit {} ms. Every \
         row is asserted: the problem shown, a plain message, no hang, no token in the report. The projects probe only adds \
         facts, so nothing it answers changes the verdict.\n\n{table}",
        timeout.as_millis()
    );
    assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fault-matrix.md");
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, doc).expect("write docs/fault-matrix.md");
        return;
    }
    // The committed table must be this run's, timings aside: the document stays true, and a
    // test run leaves the checkout as it was.
    let committed = std::fs::read_to_string(&path).expect("read docs/fault-matrix.md");
    assert_eq!(
        without_timings(&committed),
        without_timings(&doc),
        "docs/fault-matrix.md no longer matches the engine's answers: run `UPDATE_DOCS=1 scripts/test.sh --test fault_matrix` and commit it"
    );
}

/// The document with the time column of each row left out.
fn without_timings(doc: &str) -> String {
    doc.lines()
        .map(|l| match l.strip_suffix(" ms |").and_then(|r| r.rsplit_once("| ")) {
            Some((row, ms)) if ms.chars().all(|c| c.is_ascii_digit()) => format!("{row}|"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn timings_are_left_out_and_nothing_else() {
    assert_eq!(without_timings("| a | b | 12 ms |\n| c | d | x ms |"), "| a | b |\n| c | d | x ms |");
}

fn check(report: &Report, want: Option<Problem>, took: Duration, what: &str, failures: &mut Vec<String>) {
    let json = serde_json::to_string(report).unwrap();
    if report.problem != want {
        failures.push(format!("{what}: wanted {}, got {} ({})", name(want), name(report.problem), report.message));
    }
    if want.is_some() && (report.message.len() < 20 || report.next_step.is_empty()) {
        failures.push(format!("{what}: message not plain: {:?} / {:?}", report.message, report.next_step));
    }
    if json.contains("CANARY") || json.contains("scope-poor") {
        failures.push(format!("{what}: the token is in the report"));
    }
    if took > Duration::from_secs(6) {
        failures.push(format!("{what}: took {took:?}"));
    }
}

fn row(table: &mut String, label: &str, target: &str, report: &Report, took: Duration) {
    let msg: String = report.message.chars().take(90).collect::<String>().replace('|', "/");
    let _ = writeln!(table, "| {label} | {target} | `{}` | {msg}… | {} ms |", name(report.problem), took.as_millis());
}
