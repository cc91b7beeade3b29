//! Every fault, each bounded in time.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use common::*;
use fake_bitbucket::{demo, Fault};
use futures_util::StreamExt;

const R: &str = "/repositories/acme/website";

fn error_chain_has(e: &(dyn std::error::Error + 'static), pred: &dyn Fn(&std::io::Error) -> bool) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if pred(io) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

#[tokio::test]
async fn latency() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::Latency(Duration::from_millis(300)));
    let t = Instant::now();
    let r = fetch(&fake, R, sqai()).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-credential-type").as_deref(), Some("repo_access_token"));
}

#[tokio::test]
async fn rate_limited() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::RateLimited { retry_after: None });
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.text, "Rate limit for this resource has been exceeded");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(r.header("retry-after").is_none());
    fake.set_fault(Fault::RateLimited { retry_after: Some(30) });
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("30"));
}

#[tokio::test]
async fn statuses() {
    let fake = demo_fake().await;
    for (code, keeps_cred) in [(500, true), (502, false), (503, false), (504, false), (400, true), (410, true), (404, true)] {
        fake.set_fault(Fault::Status(code));
        let r = fetch(&fake, R, sqai()).await;
        assert_eq!(r.status, code);
        let j = r.json();
        assert_eq!(j["type"], "error");
        assert!(j["error"]["message"].is_string());
        assert_eq!(r.header("x-credential-type").is_some(), keeps_cred, "{code}");
    }
    // a nonsense status does not crash the fake
    fake.set_fault(Fault::Status(42));
    assert_eq!(fetch(&fake, R, sqai()).await.status, 500);
}

#[tokio::test]
async fn redirect() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::Redirect { status: 301, location: "https://evil.example/2.0/repositories/acme/website".into() });
    let r = fetch(&fake, R, sqai()).await; // the client here never follows redirects
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location").as_deref(), Some("https://evil.example/2.0/repositories/acme/website"));
    assert!(r.header("x-credential-type").is_none());
    assert!(r.text.is_empty());
    fake.set_fault(Fault::Redirect { status: 307, location: "bad\nvalue".into() });
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.status, 307);
    assert!(r.header("location").is_none());
}

#[tokio::test]
async fn connection_reset_sends_rst() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::ConnectionReset);
    let err = get(&fake, R, sqai()).send().await.expect_err("the connection is reset");
    assert!(!err.is_timeout(), "{err:?}");
    assert!(err.status().is_none());

    // on a plain socket: the read fails with ECONNRESET (not a clean EOF)
    let addr = fake.addr();
    let result = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(format!("GET /2.0/user HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).map(|_| buf)
    })
    .await
    .unwrap();
    match result {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e:?}"),
        Ok(bytes) => panic!("read {} bytes instead of a reset", bytes.len()),
    }
    assert!(error_chain_has(&err, &|io| io.kind() == ErrorKind::ConnectionReset), "{err:?}");
    assert_eq!(fake.request_count(), 2, "faulted requests are recorded");
}

#[tokio::test]
async fn hang_before_headers_until_the_client_gives_up() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::HangBeforeHeaders);
    let c = client_with_timeout(Duration::from_millis(400));
    let t = Instant::now();
    let err = request(&c, reqwest::Method::GET, &fake, R, sqai()).send().await.expect_err("hangs");
    assert!(err.is_timeout(), "{err:?}");
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn hanging_requests_end_when_the_fake_stops() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::HangBeforeHeaders);
    let url = format!("{}{R}", fake.base_url());
    let pending = tokio::spawn(async move { client().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    drop(fake);
    let res = tokio::time::timeout(Duration::from_secs(5), pending).await.expect("ends soon").unwrap();
    assert!(res.is_err() || res.unwrap().status().is_server_error());
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn slow_body() {
    let fake = demo_fake().await;
    let normal = fetch(&fake, R, sqai()).await;
    fake.set_fault(Fault::SlowBody { chunk_every: Duration::from_millis(60) });
    let t = Instant::now();
    let resp = get(&fake, R, sqai()).send().await.unwrap();
    let to_headers = t.elapsed();
    assert!(to_headers < Duration::from_millis(500), "headers fast: {to_headers:?}");
    assert_eq!(resp.headers()["x-credential-type"], "repo_access_token");
    let text = resp.text().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(9 * 60), "body trickles: {:?}", t.elapsed());
    assert_eq!(text, normal.text);
    // a total timeout shorter than the trickle fails the read
    fake.set_fault(Fault::SlowBody { chunk_every: Duration::from_millis(300) });
    let c = client_with_timeout(Duration::from_millis(800));
    let resp = request(&c, reqwest::Method::GET, &fake, R, sqai()).send().await.unwrap();
    assert!(resp.text().await.unwrap_err().is_timeout());
}

#[tokio::test]
async fn body_never_ends() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::BodyNeverEnds);
    let resp = get(&fake, R, sqai()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let mut stream = resp.bytes_stream();
    let mut got = 0usize;
    let deadline = Instant::now() + Duration::from_millis(600);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), stream.next()).await {
            Ok(Some(Ok(chunk))) => got += chunk.len(),
            Ok(other) => panic!("the body ended: {other:?}"),
            Err(_) => panic!("no chunk for 500 ms"),
        }
    }
    assert!(got > 10_000, "{got}");
    drop(stream);
    // with a total timeout the read fails
    let c = client_with_timeout(Duration::from_millis(500));
    let resp = request(&c, reqwest::Method::GET, &fake, R, sqai()).send().await.unwrap();
    assert!(resp.bytes().await.unwrap_err().is_timeout());
}

#[tokio::test]
async fn huge_body() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::HugeBody { bytes: 50_000_000 });
    let resp = get(&fake, R, sqai()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.content_length().is_none(), "streamed, no Content-Length");
    let mut stream = resp.bytes_stream();
    let mut total = 0usize;
    let mut head = Vec::new();
    let mut tail = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(10), stream.next()).await.expect("keeps coming") {
        let chunk = chunk.unwrap();
        if head.len() < 64 {
            head.extend_from_slice(&chunk[..chunk.len().min(64)]);
        }
        total += chunk.len();
        tail = chunk.to_vec();
    }
    assert_eq!(total, 50_000_000);
    assert!(head.starts_with(b"{\"type\":\"repository\""));
    assert!(tail.ends_with(b"\"}"));
    // a small one is valid JSON of exactly that size
    fake.set_fault(Fault::HugeBody { bytes: 1000 });
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.text.len(), 1000);
    assert_eq!(r.json()["type"], "repository");
    // and a tiny one does not crash
    fake.set_fault(Fault::HugeBody { bytes: 5 });
    assert_eq!(fetch(&fake, R, sqai()).await.text.len(), 5);
    fake.set_fault(Fault::HugeBody { bytes: 0 });
    assert_eq!(fetch(&fake, R, sqai()).await.text.len(), 0);
}

#[tokio::test]
async fn malformed_json() {
    let fake = demo_fake().await;
    for path in [R, "/user", "/nope"] {
        fake.set_fault(Fault::MalformedJson);
        let r = fetch(&fake, path, sqai()).await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap().starts_with("application/json"));
        assert_eq!(r.header("x-credential-type").as_deref(), Some("repo_access_token"));
        assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err(), "{}", r.text);
    }
}

#[tokio::test]
async fn missing_headers() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::MissingHeaders);
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.status, 200);
    for h in ["x-credential-type", "x-oauth-scopes", "x-accepted-oauth-scopes"] {
        assert!(r.header(h).is_none(), "{h}");
    }
    assert_eq!(r.json()["full_name"], "acme/website");
}

#[tokio::test]
async fn wrong_content_type() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::WrongContentType);
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text.contains("<html"));
    assert!(r.header("x-credential-type").is_none());
}

#[tokio::test]
async fn odd_header_spacing() {
    let fake = demo_fake().await;
    fake.set_fault(Fault::OddHeaderSpacing);
    let r = fetch(&fake, R, Auth::Bearer(demo::WORKSPACE_TOKEN)).await;
    assert_eq!(r.status, 200);
    let raw = r.header("x-oauth-scopes").unwrap();
    assert_ne!(raw, "repository, pullrequest, webhook, pipeline, project, account");
    assert!(raw.trim_end().ends_with(','), "{raw:?}");
    assert!(raw.chars().any(|c| c.is_ascii_uppercase()), "{raw:?}");
    // read leniently it is the same list
    assert_eq!(r.scopes(), ["repository", "pullrequest", "webhook", "pipeline", "project", "account"]);
    assert_eq!(r.header("x-credential-type").unwrap().trim().to_ascii_lowercase(), "workspace_access_token");
    assert_eq!(r.accepted(), ["repository"]);
    let r = fetch(&fake, R, sqai()).await;
    assert_eq!(r.scopes(), ["repository:write", "pullrequest:write"]);
    assert!(r.header("x-oauth-scopes").unwrap().contains("PULLREQUEST:write"));
}

#[tokio::test]
async fn faults_by_path_and_clearing() {
    let fake = demo_fake().await;
    fake.set_fault_for("/user", Fault::Status(503));
    assert_eq!(fetch(&fake, "/user", autoheal()).await.status, 503);
    assert_eq!(fetch(&fake, R, sqai()).await.status, 200);
    // a path fault wins over the global one; the latest matching path fault wins
    fake.set_fault(Fault::Status(500));
    fake.set_fault_for("/repositories", Fault::RateLimited { retry_after: None });
    fake.set_fault_for("/repositories/acme/website", Fault::Status(502));
    assert_eq!(fetch(&fake, R, sqai()).await.status, 502);
    assert_eq!(fetch(&fake, "/repositories/acme/public-docs", Auth::None).await.status, 429);
    assert_eq!(fetch(&fake, "/workspaces/acme", sqai()).await.status, 500);
    fake.set_fault_for("/repositories", Fault::Status(400)); // replaces the same key
    assert_eq!(fetch(&fake, "/repositories/acme/public-docs", Auth::None).await.status, 400);
    fake.clear_faults();
    assert_eq!(fetch(&fake, R, sqai()).await.status, 200);
    assert_eq!(fetch(&fake, "/user", autoheal()).await.status, 200);
}

#[tokio::test]
async fn the_fake_survives_every_fault() {
    let fake = demo_fake().await;
    let faults = [
        Fault::Latency(Duration::from_millis(5)),
        Fault::RateLimited { retry_after: Some(1) },
        Fault::Status(503),
        Fault::Redirect { status: 302, location: "/2.0/user".into() },
        Fault::ConnectionReset,
        Fault::HangBeforeHeaders,
        Fault::SlowBody { chunk_every: Duration::from_millis(5) },
        Fault::BodyNeverEnds,
        Fault::HugeBody { bytes: 200_000 },
        Fault::MalformedJson,
        Fault::MissingHeaders,
        Fault::WrongContentType,
        Fault::OddHeaderSpacing,
    ];
    let c = client_with_timeout(Duration::from_millis(300));
    for f in faults {
        fake.set_fault(f);
        for (path, auth) in [(R, sqai()), ("/user", autoheal()), ("/nope", Auth::None), ("/workspaces", Auth::Raw("junk"))] {
            if let Ok(resp) = request(&c, reqwest::Method::GET, &fake, path, auth).send().await {
                let _ = resp.bytes().await;
            }
        }
    }
    fake.clear_faults();
    assert_eq!(fetch(&fake, R, sqai()).await.status, 200);
}

#[tokio::test]
async fn dropping_the_fake_stops_it() {
    let fake = demo_fake().await;
    let addr = fake.addr();
    let clone = fake.clone();
    drop(fake);
    assert_eq!(fetch(&clone, R, sqai()).await.status, 200, "a clone keeps it running");
    drop(clone);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let res = client_with_timeout(Duration::from_secs(2)).get(format!("http://{addr}/2.0/user")).send().await;
    assert!(res.is_err(), "{res:?}");
}
