//! The fake on its own runtime, used from synchronous code (plain #[test]), and its binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::raw_get;
use fake_bitbucket::{demo, FakeBitbucket, Fault};

#[test]
fn background_server_from_sync_code() {
    let fake = FakeBitbucket::start_in_background().unwrap();
    fake.seed_demo();
    assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    assert!(fake.base_url().ends_with("/2.0"));
    assert_eq!(fake.base_url(), format!("http://{}/2.0", fake.addr()));
    let (status, head, body) =
        raw_get(fake.addr(), "/2.0/repositories/acme/website", Some(&format!("Bearer {}", demo::SQAI_READY))).unwrap();
    assert_eq!(status, 200, "{head}");
    assert!(head.to_ascii_lowercase().contains("x-credential-type: repo_access_token"), "{head}");
    assert!(body.contains("\"full_name\":\"acme/website\""));
    let (status, _, _) = raw_get(fake.addr(), "/2.0/user", None).unwrap();
    assert_eq!(status, 401);
    assert_eq!(fake.request_count(), 2);

    // a fault that hangs does not keep the process from stopping the fake
    fake.set_fault(Fault::HangBeforeHeaders);
    let addr = fake.addr();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(raw_get(addr, "/2.0/user", None));
    });
    std::thread::sleep(Duration::from_millis(200));
    drop(fake);
    let res = rx.recv_timeout(Duration::from_secs(5)).expect("the hanging request ends when the fake stops");
    assert!(res.map(|(s, _, _)| s).unwrap_or(0) != 200);
    std::thread::sleep(Duration::from_millis(200));
    assert!(raw_get(addr, "/2.0/user", None).is_err(), "stopped");
}

#[test]
fn several_fakes_at_once() {
    let a = FakeBitbucket::start_in_background().unwrap();
    let b = FakeBitbucket::start_in_background().unwrap();
    assert_ne!(a.addr(), b.addr());
    a.seed_demo();
    let (sa, _, _) = raw_get(a.addr(), "/2.0/repositories/acme/public-docs", None).unwrap();
    let (sb, _, _) = raw_get(b.addr(), "/2.0/repositories/acme/public-docs", None).unwrap();
    assert_eq!((sa, sb), (200, 404));
}

/// `fake-bitbucket --quiet`: prints the base URL first, serves the demo world, and stops at the
/// end of its standard input.
#[test]
fn binary_serves_the_demo_and_stops_at_stdin_eof() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-bitbucket"))
        .arg("--quiet")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(l) => l,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no base URL printed");
        }
    };
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with("/2.0"), "{base:?}");
    let addr = base.trim_start_matches("http://").trim_end_matches("/2.0").parse().unwrap();
    let (status, _, body) =
        raw_get(addr, "/2.0/user", Some(&format!("Basic {}", basic(demo::ADMIN_EMAIL, demo::API_TOKEN_AUTOHEAL)))).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains(demo::ADMIN_DISPLAY_NAME));

    drop(child.stdin.take()); // EOF
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(st.success(), "{st:?}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("did not stop at stdin EOF");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn binary_prints_the_demo_tokens() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-bitbucket"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdin.take()); // stops as soon as it has printed
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut all = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stdout), &mut all);
        let _ = tx.send(all);
    });
    let out = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    for (name, _, secret) in demo::ALL {
        assert!(out.contains(name) && out.contains(secret), "{name} missing from:\n{out}");
    }
    assert!(out.contains("FAKE"));
}

#[test]
fn binary_rejects_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_fake-bitbucket"))
        .args(["--port", "nope"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}

fn basic(user: &str, pass: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
}
