//! The networks admins really have: a company root CA that only the system's trust store
//! (here `SSL_CERT_FILE`) knows, a CONNECT proxy, a proxy that wants a password or refuses,
//! and the rule that a request to this computer never goes through a proxy. The command line
//! runs as its own process, with the environment a user's shell would give it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use fake_bitbucket::proxy::{Proxy, ProxyMode};
use fake_bitbucket::{demo, FakeBitbucket};

/// The distribution's bundle of trusted roots (Debian/Ubuntu: ca-certificates).
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// A bundle like the OS store of a company machine: the system's roots and the company's.
fn bundle(dir: &Path, root_pem: &str) -> PathBuf {
    let mut text = std::fs::read_to_string(SYSTEM_BUNDLE).expect("the system's certificate bundle (ca-certificates)");
    text.push('\n');
    text.push_str(root_pem);
    let path = dir.join("company-bundle.pem");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `check` for SQAI with the demo token on standard input, against `api`, with `env`
/// on top of a clean proxy environment.
fn check(api: &str, env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::cli_command(
        &["check", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--api-url", api],
        env,
        dir.path(),
    );
    for var in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if !env.iter().any(|(k, _)| k == &var) {
            cmd.env_remove(var);
        }
    }
    let mut child = cmd.spawn().expect("start the app binary");
    use std::io::Write as _;
    let _ = child.stdin.take().unwrap().write_all(demo::SQAI_READY.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn prerequisites() -> bool {
    !support::require(&format!("{SYSTEM_BUNDLE} (Debian package ca-certificates)"), Path::new(SYSTEM_BUNDLE).exists())
}

#[test]
fn a_company_root_ca_in_the_system_store_is_trusted() {
    if !prerequisites() {
        return;
    }
    let rt = runtime();
    let (fake, root) = rt.block_on(FakeBitbucket::start_tls_with_root(&["localhost", "127.0.0.1"])).unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(dir.path(), &root);
    let api = fake.base_url();
    assert!(api.starts_with("https://localhost:"), "{api}");

    let trusted = check(&api, &[("SSL_CERT_FILE", bundle.to_str().unwrap())]);
    assert_eq!(trusted.status.code(), Some(0), "{}", text(&trusted));
    assert!(fake.request_count() > 0);

    // The same server, without the company root: the named TLS problem, no token sent.
    let before = fake.request_count();
    let untrusted = check(&api, &[("SSL_CERT_FILE", SYSTEM_BUNDLE)]);
    assert_eq!(untrusted.status.code(), Some(3), "{}", text(&untrusted));
    assert!(text(&untrusted).contains("TLS certificate problem"), "{}", text(&untrusted));
    assert_eq!(fake.request_count(), before, "nothing reached the server");
}

#[test]
fn https_goes_through_a_connect_proxy_and_the_proxy_sees_no_secret() {
    if !prerequisites() {
        return;
    }
    let rt = runtime();
    // The company name of the API: only the proxy knows where it is.
    let (fake, root) = rt.block_on(FakeBitbucket::start_tls_with_root(&["api.bitbucket.test"])).unwrap();
    fake.seed_demo();
    let proxy = Proxy::start(ProxyMode::Tunnel(fake.addr())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(dir.path(), &root);
    let api = fake.base_url();
    let out = check(&api, &[("HTTPS_PROXY", &proxy.url()), ("SSL_CERT_FILE", bundle.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let requests = proxy.requests();
    assert!(!requests.is_empty() && requests.iter().all(|r| r.method == "CONNECT"), "{requests:?}");
    assert_eq!(requests.len(), 1, "the probes share one tunnel (HTTP/2): {requests:?}");
    assert_eq!(fake.connection_count(), 1);
    assert!(requests[0].target.starts_with("api.bitbucket.test:"), "{requests:?}");
    assert!(!proxy.received(demo::SQAI_READY), "the token went through the proxy in clear text");
    assert!(!proxy.received("Bearer"), "no Authorization header in clear text");
}

#[test]
fn a_request_to_this_computer_never_goes_through_a_proxy() {
    let rt = runtime();
    let fake = rt.block_on(FakeBitbucket::start()).unwrap();
    fake.seed_demo();
    let proxy = Proxy::start(ProxyMode::Tunnel(fake.addr())).unwrap();
    let url = proxy.url();
    let out = check(&fake.base_url(), &[("HTTP_PROXY", &url), ("http_proxy", &url), ("ALL_PROXY", &url), ("HTTPS_PROXY", &url)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(proxy.requests().is_empty(), "the proxy got {:?}", proxy.requests());
    assert!(!proxy.received(demo::SQAI_READY));
}

#[test]
fn a_proxy_that_wants_a_password_or_refuses_is_named_plainly() {
    if !prerequisites() {
        return;
    }
    let rt = runtime();
    let (fake, root) = rt.block_on(FakeBitbucket::start_tls_with_root(&["api.bitbucket.test"])).unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(dir.path(), &root);
    for (mode, words) in [(ProxyMode::NeedsAuth, "asks for a user name and password (HTTP 407)"), (ProxyMode::Refuse, "refused the connection to api.bitbucket.test")] {
        let proxy = Proxy::start(mode).unwrap();
        let out = check(&fake.base_url(), &[("HTTPS_PROXY", &proxy.url()), ("SSL_CERT_FILE", bundle.to_str().unwrap())]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(text(&out).contains(words), "{mode:?}: {}", text(&out));
        assert!(!proxy.received(demo::SQAI_READY));
        // The first probe's failure to connect stands for the others: they do not each ask.
        assert_eq!(proxy.requests().len(), 1, "{mode:?}: {:?}", proxy.requests());
    }
    assert_eq!(fake.request_count(), 0);
}

#[test]
fn a_check_over_http2_opens_one_connection() {
    if !prerequisites() {
        return;
    }
    let rt = runtime();
    let (fake, root) = rt.block_on(FakeBitbucket::start_tls_with_root(&["localhost"])).unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(dir.path(), &root);
    let out = check(&fake.base_url(), &[("SSL_CERT_FILE", bundle.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let requests = fake.request_count();
    assert!(requests >= 2, "the check sent {requests} requests");
    assert_eq!(fake.connection_count(), 1, "{requests} requests should share one HTTP/2 connection");
}

#[test]
fn an_unknown_api_host_is_named_and_nothing_is_said_to_be_sent() {
    // `.invalid` never resolves (RFC 6761): no DNS answer, as on a computer with no network.
    let out = check("https://bitbucket.invalid/2.0", &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("bitbucket.invalid could not be found (DNS)"), "{all}");
    assert!(all.contains("no connection was made, so the token was not sent"), "{all}");
    assert!(!all.contains("the token was sent there"), "{all}");
}
