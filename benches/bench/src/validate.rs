//! Benchmark: how long one validation takes against the fake Bitbucket with latency added to
//! every response, as a ratio to a single request, and how many requests it sends. The probes
//! run concurrently, so the ratio stays near 1 however many there are.
//!
//! `cargo run --features bench --bin bench-validate [-- --output docs/benchmarks.md]`

use std::time::{Duration, Instant};

use bitbucket_cloud::client::{ApiBase, Client, Timeouts};
use bitbucket_cloud::credential::{classify, Credential, CredentialKind};
use bitbucket_cloud::location;
use bitbucket_cloud::validate::{self, CheckRequest};
use bitbucket_setup_core::presets::PresetId;
use fake_bitbucket::{demo, FakeBitbucket, Fault};

const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Paste to verdict over TLS, as on a real network: the fake speaks TLS (HTTP/2 offered) with a
/// certificate from a throwaway root the process trusts through `SSL_CERT_FILE`, and waits
/// `latency` before serving a new connection (the TCP and TLS handshakes' round trips) and
/// before each answer. "Cold": a new client, as the command line has. "Pre-connected": the
/// window opened the connection while the person created the token. Also how many connections
/// a check opens, over TLS (HTTP/2) and over plain HTTP/1.1.
async fn tls_table(cases: &[Case], plain: &FakeBitbucket, fake: &FakeBitbucket) -> String {
    let base = ApiBase::parse(&fake.base_url()).expect("fake URL");
    let plain_base = ApiBase::parse(&plain.base_url()).expect("fake URL");
    let mut table = String::from(
        "## Paste to verdict over TLS\n\nThe fake over TLS (HTTP/2 offered), with the latency added to each new connection (a handshake's round trips) \
         and to each answer. Cold: a new client, as the command line has. Pre-connected: the window opens the connection while the \
         person creates the token (steps 2 and 3), so the check finds it open. Target: pre-connected within 1.1x of one request. The cold check pays for one new connection (one latency unit here) and then one round trip, so about 2x; it opens one connection because the probes wait for the first one's TLS handshake and then share it over HTTP/2. Over plain HTTP/1.1 (this computer only) each concurrent probe needs a connection of its own.\n\n\
         | latency | case | one request | cold check | ratio | pre-connected check | ratio | connections opened: cold (TLS, HTTP/2) | pre-connected | plain HTTP/1.1 |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for latency_ms in [100u64, 200] {
        let latency = Duration::from_millis(latency_ms);
        for f in [fake, plain] {
            f.clear_faults();
            f.set_fault(Fault::Latency(latency));
            f.set_connect_delay(latency);
        }
        for case in cases {
            let credential = Credential {
                kind: case.kind,
                secret: classify(case.secret).expect("demo token").secret,
                email: case.email.map(str::to_string),
                username: None,
            };
            let request = |base: &ApiBase| CheckRequest {
                credential: credential.clone(),
                location: location::parse("acme/website").expect("location"),
                target: case.preset.target(&[]),
                api_base: base.clone(),
                timeouts: Timeouts::default(),
            };
            let pasted = classify(case.secret).expect("demo").kind;
            let warm = Client::new(base.clone(), Timeouts::default()).expect("client");
            warm.preconnect().await.expect("connect");
            let (mut single, mut cold, mut pre) = (Vec::new(), Vec::new(), Vec::new());
            let (mut tls_connections, mut pre_connections, mut plain_connections) = (0, 0, 0);
            for _ in 0..RUNS {
                let t = Instant::now();
                warm.get(&["repositories", "acme", "website"], Some(&credential)).await.expect("single request");
                single.push(t.elapsed());

                let before = fake.connection_count();
                let t = Instant::now();
                let report = validate::validate(request(&base), pasted).await.expect("plan");
                cold.push(t.elapsed());
                tls_connections = fake.connection_count() - before;
                assert!(report.ok, "{}: {}", case.name, report.message);

                let client = Client::new(base.clone(), Timeouts::default()).expect("client");
                client.preconnect().await.expect("preconnect");
                let plan = validate::plan(request(&base), pasted).expect("plan");
                let before = fake.connection_count();
                let t = Instant::now();
                let report = validate::run_with(plan, &client).await;
                pre.push(t.elapsed());
                pre_connections = fake.connection_count() - before;
                assert!(report.ok, "{}: {}", case.name, report.message);

                let before = plain.connection_count();
                let report = validate::validate(request(&plain_base), pasted).await.expect("plan");
                plain_connections = plain.connection_count() - before;
                assert!(report.ok);
            }
            let (one, cold, pre) = (median(single), median(cold), median(pre));
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let line = format!(
                "| {latency_ms} ms | {} | {:.0} ms | {:.0} ms | {:.2}x | {:.0} ms | {:.2}x | {tls_connections} | {pre_connections} | {plain_connections} |\n",
                case.name,
                ms(one),
                ms(cold),
                cold.as_secs_f64() / one.as_secs_f64(),
                ms(pre),
                pre.as_secs_f64() / one.as_secs_f64()
            );
            print!("{line}");
            table.push_str(&line);
        }
    }
    for f in [fake, plain] {
        f.clear_faults();
        f.set_connect_delay(Duration::ZERO);
    }
    table
}

struct Case {
    name: &'static str,
    kind: CredentialKind,
    secret: &'static str,
    email: Option<&'static str>,
    preset: PresetId,
}

#[tokio::main]
async fn main() {
    let output = std::env::args()
        .skip_while(|a| a != "--output")
        .nth(1)
        .unwrap_or_else(|| "docs/benchmarks.md".to_string());
    // The TLS part's throwaway root is trusted through SSL_CERT_FILE, read once when the first
    // client is made: write it now.
    let (tls_fake, root) = FakeBitbucket::start_tls_with_root(&["localhost"]).await.expect("start the TLS fake");
    tls_fake.seed_demo();
    let trust = std::env::temp_dir().join(format!("bench-validate-root-{}.pem", std::process::id()));
    std::fs::write(&trust, &root).expect("write the throwaway root");
    // SAFETY: no other thread reads the environment yet (the runtime's workers do not).
    unsafe { std::env::set_var("SSL_CERT_FILE", &trust) };
    let fake = FakeBitbucket::start().await.expect("start the fake Bitbucket");
    fake.seed_demo();
    let base = ApiBase::parse(&fake.base_url()).expect("fake URL");
    let cases = [
        Case { name: "repository token, SQAI Suite", kind: CredentialKind::RepositoryToken, secret: demo::SQAI_READY, email: None, preset: PresetId::Sqai },
        Case { name: "API token, Autoheal", kind: CredentialKind::ApiToken, secret: demo::API_TOKEN_AUTOHEAL, email: Some(demo::ADMIN_EMAIL), preset: PresetId::Autoheal },
    ];
    let mut table = String::from("| latency added | case | one request (median) | validation (median) | ratio | requests |\n|---|---|---|---|---|---|\n");
    for latency_ms in [100u64, 200, 300] {
        fake.clear_faults();
        fake.set_fault(Fault::Latency(Duration::from_millis(latency_ms)));
        for case in &cases {
            let credential = Credential {
                kind: case.kind,
                secret: classify(case.secret).expect("demo token").secret,
                email: case.email.map(str::to_string),
                username: None,
            };
            let client = Client::new(base.clone(), Timeouts::default()).expect("client");
            let mut single = Vec::new();
            for _ in 0..RUNS {
                let t = Instant::now();
                client.get(&["repositories", "acme", "website"], Some(&credential)).await.expect("single request");
                single.push(t.elapsed());
            }
            let mut full = Vec::new();
            let mut requests = 0;
            for _ in 0..RUNS {
                let request = CheckRequest {
                    credential: credential.clone(),
                    location: location::parse("acme/website").expect("location"),
                    target: case.preset.target(&[]),
                    api_base: base.clone(),
                    timeouts: Timeouts::default(),
                };
                fake.reset_requests();
                let t = Instant::now();
                let report = validate::validate(request, classify(case.secret).expect("demo").kind).await.expect("plan");
                full.push(t.elapsed());
                requests = fake.request_count();
                assert!(report.ok, "benchmark case {} must validate: {}", case.name, report.message);
            }
            let (one, all) = (median(single), median(full));
            let ratio = all.as_secs_f64() / one.as_secs_f64();
            let line = format!(
                "| {latency_ms} ms | {} | {:.0} ms | {:.0} ms | {ratio:.2}x | {requests} |\n",
                case.name,
                one.as_secs_f64() * 1000.0,
                all.as_secs_f64() * 1000.0
            );
            print!("{line}");
            table.push_str(&line);
        }
    }
    let tls = tls_table(&cases, &fake, &tls_fake).await;
    let _ = std::fs::remove_file(&trust);
    let doc = format!(
        "# Benchmarks\n\nMade by `cargo run --features bench --bin bench-validate` against the fake Bitbucket on 127.0.0.1, \
         with the latency added to every response. Medians of {RUNS} runs. Targets: validation within 2x (issue 2) / 1.5x \
         (issue 5) of one request, at most 6 requests.\n\n{table}\n{tls}"
    );
    if let Err(e) = std::fs::write(&output, doc) {
        eprintln!("could not write {output}: {e}");
        std::process::exit(1);
    }
    println!("written to {output}");
}
