//! The networks admins really have: a company root CA that only the system's trust store
//! (here `SSL_CERT_FILE`) knows, a CONNECT proxy, a proxy that wants a password or refuses,
//! a SOCKS5 proxy, a dead one, proxy variables set the way curl reads them, and the rule that
//! a request to this computer never goes through a proxy. The command line runs as its own
//! process, with the environment a user's shell would give it.
//!
//! The API is at `api.bitbucket.test`, a name only the test proxies resolve (to the fake): a
//! request that skips the proxy ends in "could not be found (DNS)", so a test sees which way
//! it went.

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

/// The fake at `api.bitbucket.test` (with the company root that signed its certificate, in a
/// bundle for `SSL_CERT_FILE`), for the proxy tests.
struct Company {
    _rt: tokio::runtime::Runtime,
    fake: FakeBitbucket,
    _dir: tempfile::TempDir,
    bundle: String,
}

fn company() -> Option<Company> {
    if !prerequisites() {
        return None;
    }
    let rt = runtime();
    let (fake, root) = rt.block_on(FakeBitbucket::start_tls_with_root(&["api.bitbucket.test"])).unwrap();
    fake.seed_demo();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(dir.path(), &root).to_str().unwrap().to_string();
    Some(Company { _rt: rt, fake, _dir: dir, bundle })
}

impl Company {
    fn check(&self, env: &[(&str, &str)]) -> Output {
        let mut all = vec![("SSL_CERT_FILE", self.bundle.as_str())];
        all.extend_from_slice(env);
        check(&self.fake.base_url(), &all)
    }
}

fn went_direct(o: &Output) -> bool {
    text(o).contains("api.bitbucket.test could not be found (DNS)")
}

#[test]
fn lower_case_proxy_variables_win_as_in_curl() {
    let Some(c) = company() else { return };
    let good = Proxy::start(ProxyMode::Tunnel(c.fake.addr())).unwrap();
    let refusing = Proxy::start(ProxyMode::Refuse).unwrap();
    for (lower, upper) in [("https_proxy", "HTTPS_PROXY"), ("all_proxy", "ALL_PROXY")] {
        let out = c.check(&[(lower, &good.url()), (upper, &refusing.url())]);
        assert_eq!(out.status.code(), Some(0), "{lower} should win over {upper}: {}", text(&out));
        // And the other way round: the lower-case one is the one used.
        let out = c.check(&[(lower, &refusing.url()), (upper, &good.url())]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(text(&out).contains(&format!("(set in {lower}) refused the connection to api.bitbucket.test")), "{}", text(&out));
    }
    // https_proxy / HTTPS_PROXY before all_proxy; an empty variable counts as unset.
    let out = c.check(&[("HTTPS_PROXY", &good.url()), ("all_proxy", &refusing.url())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = c.check(&[("https_proxy", ""), ("HTTPS_PROXY", &good.url())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // HTTP_PROXY and http_proxy are for http addresses only: the check goes straight.
    let out = c.check(&[("HTTP_PROXY", &good.url()), ("http_proxy", &good.url())]);
    assert!(went_direct(&out), "{}", text(&out));
    let tunnels = good.requests();
    assert!(tunnels.iter().all(|r| r.method == "CONNECT" && r.target.starts_with("api.bitbucket.test:")), "{tunnels:?}");
    assert!(!good.received(demo::SQAI_READY) && !refusing.received(demo::SQAI_READY));
}

#[test]
fn no_proxy_is_read_as_curl_reads_it() {
    let Some(c) = company() else { return };
    let proxy = Proxy::start(ProxyMode::Tunnel(c.fake.addr())).unwrap();
    let url = proxy.url();
    // Straight: the whole value *, a domain with leading or trailing dots, blanks around
    // commas, no_proxy before NO_PROXY, an empty no_proxy counting as unset.
    let direct: &[&[(&str, &str)]] = &[
        &[("no_proxy", "*")],
        &[("no_proxy", "example.com ,\t.bitbucket.test.")],
        &[("NO_PROXY", "BITBUCKET.TEST")],
        &[("no_proxy", "api.bitbucket.test"), ("NO_PROXY", "example.com")],
        &[("no_proxy", ""), ("NO_PROXY", "bitbucket.test")],
    ];
    for vars in direct {
        let before = proxy.requests().len();
        let mut env = vec![("https_proxy", url.as_str())];
        env.extend_from_slice(vars);
        let out = c.check(&env);
        assert!(went_direct(&out), "{vars:?}: {}", text(&out));
        assert_eq!(proxy.requests().len(), before, "{vars:?} should skip the proxy");
    }
    // Through the proxy: a * among other entries, entries separated by blanks only (curl
    // reads the first), a wildcard inside an entry, an entry with a port, no_proxy hiding
    // NO_PROXY.
    let proxied: &[&[(&str, &str)]] = &[
        &[("no_proxy", "example.com, *")],
        &[("no_proxy", "example.com .bitbucket.test")],
        &[("no_proxy", "*.bitbucket.test")],
        &[("no_proxy", "api.bitbucket.test:443")],
        &[("no_proxy", "example.com"), ("NO_PROXY", "bitbucket.test")],
    ];
    for vars in proxied {
        let before = proxy.requests().len();
        let mut env = vec![("https_proxy", url.as_str())];
        env.extend_from_slice(vars);
        let out = c.check(&env);
        assert_eq!(out.status.code(), Some(0), "{vars:?}: {}", text(&out));
        assert!(proxy.requests().len() > before, "{vars:?} should go through the proxy");
    }
}

#[test]
fn a_proxy_address_that_cannot_be_read_is_an_error_and_nothing_goes_straight() {
    let Some(c) = company() else { return };
    for (var, raw, why) in [
        ("https_proxy", "http://ann:hunter2@proxy.corp:99999", "its port is not a number from 1 to 65535"),
        ("HTTPS_PROXY", "ftp://proxy.corp:21", "\"ftp://\" is not a kind of proxy this app knows"),
        ("ALL_PROXY", "http://:3128", "it has no host name"),
        ("all_proxy", "http://[proxy.corp", "it is not a proxy address"),
    ] {
        let out = c.check(&[(var, raw)]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(3), "{all}");
        assert!(all.contains(&format!("The proxy address in {var} cannot be used: {why}")), "{all}");
        assert!(all.contains(&format!("Correct {var}")), "{all}");
        assert!(!went_direct(&out), "it went straight: {all}");
        assert!(!all.contains("hunter2") && !all.contains("ann:"), "{all}");
    }
    assert_eq!(c.fake.request_count(), 0);
}

#[test]
fn a_socks5_proxy_works_and_its_failures_are_named_as_socks() {
    let Some(c) = company() else { return };
    let open = Proxy::start(ProxyMode::Socks5 { to: c.fake.addr(), login: None }).unwrap();
    let out = c.check(&[("https_proxy", &open.url())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let asked = open.requests();
    assert!(!asked.is_empty() && asked.iter().all(|r| r.method == "SOCKS5" && r.target.starts_with("api.bitbucket.test:")), "socks5h lets the proxy look the name up: {asked:?}");
    assert!(!open.received(demo::SQAI_READY) && !open.received("Bearer"));

    let locked = Proxy::start(ProxyMode::Socks5 { to: c.fake.addr(), login: Some(("ann", "p@ss:word")) }).unwrap();
    let out = c.check(&[("ALL_PROXY", &locked.url_with_login("ann", "p@ss:word"))]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = c.check(&[("ALL_PROXY", &locked.url_with_login("ann", "wrong"))]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("through the SOCKS proxy socks5h://127.0.0.1:") && all.contains("(set in ALL_PROXY) failed: the proxy did not accept the user name and password given"), "{all}");
    assert!(!all.contains("wrong"), "{all}");

    let dead_port = support::RefusedPort::new();
    let dead = format!("socks5h://127.0.0.1:{}", dead_port.port);
    let out = c.check(&[("https_proxy", &dead)]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains(&format!("through the SOCKS proxy {dead} (set in https_proxy) failed: the proxy could not be reached")), "{all}");
    assert!(!all.contains("refused the connection to api.bitbucket.test"), "{all}");
}

#[test]
fn a_dead_proxy_is_not_called_a_refusing_one() {
    let Some(c) = company() else { return };
    let dead_port = support::RefusedPort::new();
    let dead = dead_port.url();
    let out = c.check(&[("https_proxy", &dead)]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains(&format!("The proxy server {dead} (set in https_proxy) could not be reached: nothing accepts connections at that address and port")), "{all}");
    assert!(all.contains("Check the host and port in https_proxy"), "{all}");
    assert!(!all.contains("refused the connection to"), "{all}");
    // A proxy name that does not resolve.
    let out = c.check(&[("HTTPS_PROXY", "http://proxy.invalid:3128")]);
    let all = text(&out);
    assert!(all.contains("The proxy server http://proxy.invalid:3128 (set in HTTPS_PROXY) could not be reached: its name could not be found (DNS)"), "{all}");
}

#[test]
fn a_407_says_to_add_credentials_only_when_none_were_given() {
    let Some(c) = company() else { return };
    let proxy = Proxy::start(ProxyMode::Login { user: "ann", password: "p@ss:word/1", to: c.fake.addr() }).unwrap();
    // None given: say to add them, percent-encoded.
    let out = c.check(&[("https_proxy", &proxy.url())]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("asks for a user name and password (HTTP 407) before it lets the connection to api.bitbucket.test through"), "{all}");
    assert!(all.contains(&format!("Put the proxy's user name and password in https_proxy: http://USER:PASSWORD@{}", proxy.addr())), "{all}");
    assert!(all.contains("percent-encode @, : and / in them as %40, %3A and %2F"), "{all}");
    // Wrong ones given: say they were rejected, not to add them.
    let out = c.check(&[("https_proxy", &proxy.url_with_login("ann", "nope"))]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("did not accept the user name and password given in https_proxy (HTTP 407)"), "{all}");
    assert!(all.contains("Check the user name and password in https_proxy"), "{all}");
    assert!(!all.contains("Put the proxy's user name and password"), "{all}");
    assert!(!all.contains("nope"), "{all}");
    // The right ones, percent-encoded in the address: through.
    let out = c.check(&[("https_proxy", &proxy.url_with_login("ann", "p@ss:word/1"))]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!proxy.received(demo::SQAI_READY));
}
