//! `bitbucket-setup send n8n NAME --n8n-url URL` against a real n8n: the n8n 2.39.10 installed
//! by `scripts/consumers-setup.sh target/consumers`, started by this test with a user folder
//! (and SQLite database) of its own in a throwaway folder. The test makes n8n's owner and API
//! keys through n8n's REST API, sends a saved connection, and reads the credential back through
//! n8n's public API and `n8n export:credentials --decrypted`; sends again (the same credential
//! is updated), after the credential was deleted in n8n (it is created again), and with keys n8n
//! refuses (401) or that lack the credential scopes (403).
//!
//! The failures n8n itself cannot show come from tiny local servers: nothing listening, a web
//! page instead of JSON, no API (404), an n8n that does not know the credential type, and https
//! to a server that does not speak it.
//!
//! Under CI=true a missing n8n (or keychain) fails the test.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_bitbucket::{demo, FakeToken};
use serde_json::{json, Value};
use support::cli_session::{text, CliSession as Session};

/// FAKE API tokens of this test's own, with the n8n preset's scopes.
const TOKEN: &str = "ATATT3xFfGF0n8nSendTestApiTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D01";
const OTHER_TOKEN: &str = "ATATT3xFfGF0n8nSendTestOtherTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D02";
const NAME: &str = "Acme's n8n \"CI\" é";
const OTHER: &str = "Second n8n";
/// The header n8n's REST API ties its session cookie to.
const BROWSER_ID: &str = "bitbucket-setup-n8n-send-test";

fn session_with_connections() -> Option<Session> {
    let s = Session::start()?;
    // The scopes the n8n preset asks for: these tests are about sending, not about scopes.
    let scopes = bitbucket_setup_core::presets::get(bitbucket_setup_core::presets::PresetId::N8n).api_token_scopes;
    s.fake.add_token(FakeToken::api(TOKEN, demo::ADMIN_EMAIL, "acme", scopes));
    s.fake.add_token(FakeToken::api(OTHER_TOKEN, demo::ADMIN_EMAIL, "acme", scopes));
    s.save(NAME, "api-token", "acme", "n8n", TOKEN, &["--email", demo::ADMIN_EMAIL]);
    Some(s)
}

/// `send n8n NAME --n8n-url URL` with `key` on standard input (none when empty) and `env`.
fn send(s: &Session, name: &str, url: &str, key: &str, env: &[(&str, &str)]) -> Output {
    let mut all = vec![("N8N_API_KEY", "")];
    all.extend_from_slice(env);
    s.run_env(&["send", "n8n", name, "--n8n-url", url], key, &all)
}

fn sent_ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The send failed with `status`, saying `says` on standard error; returns what it said.
fn refused(out: &Output, status: i32, says: &[&str]) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(status), "stdout:\n{}\nstderr:\n{err}", text(&out.stdout));
    for s in says {
        assert!(err.contains(s), "{s:?} not in:\n{err}");
    }
    err
}

/// The id recorded for `name`'s credential at `url`.
fn sent_id(s: &Session, name: &str, url: &str) -> Option<String> {
    let c = s.connection(name).expect("the connection");
    c["sent"]
        .as_array()?
        .iter()
        .find(|e| e["to"] == "n8n" && e["url"] == url)
        .map(|e| e["credential_id"].as_str().unwrap().to_string())
}

fn key_account(url: &str) -> String {
    format!("n8n:{url}")
}

// ---------------------------------------------------------------------------------------------
// A real n8n

/// An n8n started for this test, stopped (with its process group) when dropped.
struct N8n {
    cache: PathBuf,
    folder: tempfile::TempDir,
    port: u16,
    child: Child,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl N8n {
    fn start() -> Option<N8n> {
        let cache = std::env::var_os("CONSUMERS_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/consumers"));
        let ready = ["node24/bin/node", "npm/node_modules/n8n/bin/n8n"].iter().all(|p| cache.join(p).exists());
        if support::require("n8n from scripts/consumers-setup.sh target/consumers", ready) {
            return None;
        }
        let folder = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = std::fs::File::create(folder.path().join("n8n.log")).unwrap();
        let mut cmd = n8n_command(&cache, folder.path());
        cmd.arg("start")
            .env("N8N_PORT", port.to_string())
            .env("N8N_LISTEN_ADDRESS", "127.0.0.1")
            .env("N8N_SECURE_COOKIE", "false")
            .env("N8N_PUBLIC_API_SWAGGERUI_DISABLED", "true")
            .env("N8N_LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd.spawn().expect("start n8n");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // No idle connections kept: n8n closes them after a few seconds, and a request sent on
        // one it is closing fails.
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut n8n = N8n { cache, folder, port, child, rt, http };
        n8n.wait_ready();
        Some(n8n)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("n8n.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("n8n stopped ({status}) before it was ready:\n{}", self.log());
            }
            if let Ok((200, _, _)) = self.request(reqwest::Method::GET, "/healthz/readiness", &[], None) {
                return;
            }
            assert!(Instant::now() < deadline, "n8n was not ready within 180 s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// One request: (status, Set-Cookie values, body as JSON or as a string).
    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<(u16, Vec<String>, Value), reqwest::Error> {
        self.rt.block_on(async {
            let mut req = self.http.request(method, format!("{}{path}", self.url()));
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            let res = req.send().await?;
            let status = res.status().as_u16();
            let cookies = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect();
            let bytes = res.bytes().await?;
            let body = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            Ok((status, cookies, body))
        })
    }

    /// Sets up the owner (through the REST API as n8n's first page does) and makes two API
    /// keys: one with the credential scopes, one with a workflow scope only.
    fn owner_and_keys(&self) -> (String, String) {
        let owner = json!({"email": "owner@example.com", "firstName": "Test", "lastName": "Owner", "password": "Passw0rdForTests"});
        let (status, cookies, body) = self
            .request(reqwest::Method::POST, "/rest/owner/setup", &[("browser-id", BROWSER_ID)], Some(owner))
            .unwrap();
        assert_eq!(status, 200, "owner setup: {body}\n{}", self.log());
        let auth = cookies
            .iter()
            .filter_map(|c| c.split(';').next())
            .find(|c| c.starts_with("n8n-auth="))
            .unwrap_or_else(|| panic!("no n8n-auth cookie in {cookies:?}"))
            .to_string();
        let key = |label: &str, scopes: &[&str]| {
            let body = json!({"label": label, "scopes": scopes, "expiresAt": null});
            let (status, _, body) = self
                .request(
                    reqwest::Method::POST,
                    "/rest/api-keys",
                    &[("browser-id", BROWSER_ID), ("cookie", &auth)],
                    Some(body),
                )
                .unwrap();
            assert_eq!(status, 200, "api key {label}: {body}");
            body["data"]["rawApiKey"].as_str().unwrap_or_else(|| panic!("no rawApiKey in {body}")).to_string()
        };
        let full = key(
            "bitbucket-setup test",
            &["credential:create", "credential:update", "credential:read", "credential:list", "credential:delete"],
        );
        let narrow = key("workflows only", &["workflow:read"]);
        (full, narrow)
    }

    /// The public API's view of credential `id` (no secret in it).
    fn credential(&self, key: &str, id: &str) -> (u16, Value) {
        let (status, _, body) = self
            .request(reqwest::Method::GET, &format!("/api/v1/credentials/{id}"), &[("X-N8N-API-KEY", key)], None)
            .unwrap();
        (status, body)
    }

    fn delete_credential(&self, key: &str, id: &str) {
        let (status, _, body) = self
            .request(reqwest::Method::DELETE, &format!("/api/v1/credentials/{id}"), &[("X-N8N-API-KEY", key)], None)
            .unwrap();
        assert_eq!(status, 200, "delete: {body}");
    }

    /// Every credential, decrypted, as `n8n export:credentials --all --decrypted` writes them.
    fn export_decrypted(&self) -> Vec<Value> {
        let file = self.folder.path().join("export.json");
        let out = n8n_command(&self.cache, self.folder.path())
            .args(["export:credentials", "--all", "--decrypted", &format!("--output={}", file.display())])
            .output()
            .expect("n8n export:credentials");
        assert!(out.status.success(), "n8n export:credentials failed:\n{}\n{}", text(&out.stdout), text(&out.stderr));
        let all: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        std::fs::remove_file(&file).unwrap();
        all.as_array().expect("an array").clone()
    }
}

impl Drop for N8n {
    fn drop(&mut self) {
        // n8n and anything it started: its own process group.
        let group = -(self.child.id() as i32);
        unsafe {
            libc::kill(group, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        unsafe {
            libc::kill(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// n8n through scripts/consumers-n8n.sh, with `folder` as its user folder.
fn n8n_command(cache: &Path, folder: &Path) -> Command {
    let mut cmd = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/consumers-n8n.sh"));
    cmd.arg(cache).env("N8N_USER_FOLDER", folder.join("user"));
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn send_creates_then_updates_the_n8n_credential_and_n8n_gives_it_back() {
    let Some(n8n) = N8n::start() else { return };
    let Some(s) = session_with_connections() else { return };
    let (full, narrow) = n8n.owner_and_keys();
    let url = n8n.url();

    // First send: the key on standard input; the credential is created and its id recorded.
    let said = sent_ok(&send(&s, NAME, &url, &full, &[]), "first send");
    let id = sent_id(&s, NAME, &url).expect("the credential's id is recorded");
    assert!(said.contains(&format!("Created the n8n credential \"{NAME}\" (id {id}) at {url}.")), "{said}");
    assert!(said.contains("kept in the keychain"), "{said}");
    assert_eq!(support::keychain::secrets(&key_account(&url)), vec![full.clone()], "the key is its own keychain item");

    // n8n's API and n8n's own export give it back.
    let (status, public) = n8n.credential(&full, &id);
    assert_eq!(status, 200, "{public}");
    assert_eq!(
        (public["name"].as_str(), public["type"].as_str()),
        (Some(NAME), Some("bitbucketAccessTokenApi")),
        "{public}"
    );
    let exported = n8n.export_decrypted();
    let ours: Vec<&Value> = exported.iter().filter(|c| c["id"] == id.as_str()).collect();
    assert_eq!(ours.len(), 1, "{exported:?}");
    assert_eq!(ours[0]["name"], NAME);
    assert_eq!(ours[0]["type"], "bitbucketAccessTokenApi");
    assert_eq!(ours[0]["data"]["email"], demo::ADMIN_EMAIL);
    assert_eq!(ours[0]["data"]["accessToken"], TOKEN);

    // Sending again needs no key (the kept one is used) and updates the same credential.
    let said = sent_ok(&send(&s, NAME, &url, "", &[]), "second send");
    assert!(said.contains(&format!("Updated the n8n credential \"{NAME}\" (id {id}) at {url}.")), "{said}");
    assert!(!said.contains("kept in the keychain"), "the kept key was used: {said}");
    assert_eq!(sent_id(&s, NAME, &url).as_deref(), Some(id.as_str()));
    let exported = n8n.export_decrypted();
    assert_eq!(exported.iter().filter(|c| c["name"] == NAME).count(), 1, "updated, not duplicated: {exported:?}");

    // A key n8n does not know: 401, said plainly, and the kept key stays.
    let bad_key = "n8n_api_this-is-not-a-key-CANARY";
    let err = refused(
        &send(&s, NAME, &url, "", &[("N8N_API_KEY", bad_key)]),
        64,
        &["did not accept the API key (HTTP 401)", "N8N_API_KEY"],
    );
    assert!(!err.contains(bad_key) && !err.contains(&full), "{err}");
    assert_eq!(support::keychain::secrets(&key_account(&url)), vec![full.clone()]);

    // A key without the credential scopes: 403, naming the scope the step needed.
    refused(&send(&s, NAME, &url, &narrow, &[]), 64, &["(HTTP 403)", "lacks the scope credential:update"]);
    s.save(OTHER, "api-token", "acme", "n8n", OTHER_TOKEN, &["--email", demo::ADMIN_EMAIL]);
    refused(&send(&s, OTHER, &url, &narrow, &[]), 64, &["(HTTP 403)", "lacks the scope credential:create"]);
    assert_eq!(sent_id(&s, OTHER, &url), None, "nothing recorded for a refused send");
    assert_eq!(support::keychain::secrets(&key_account(&url)), vec![full.clone()], "a refused key is not kept");

    // Deleted in n8n meanwhile: created again, and the new id recorded.
    n8n.delete_credential(&full, &id);
    let said = sent_ok(&send(&s, NAME, &url, "", &[]), "send after the delete");
    let again = sent_id(&s, NAME, &url).unwrap();
    assert_ne!(again, id);
    assert!(
        said.contains(&format!("(id {id}) is gone from {url}")) && said.contains(&format!("(id {again})")),
        "{said}"
    );
    assert_eq!(n8n.credential(&full, &again).0, 200);

    // Neither the key nor the token is in any file of the app's.
    support::assert_no_file_contains(s.config.path(), &full);
    support::assert_no_file_contains(s.config.path(), TOKEN);
    support::keychain::clear(&key_account(&url));
}

// ---------------------------------------------------------------------------------------------
// Tiny servers for what n8n cannot show

/// A server on 127.0.0.1 that answers each request with `answer(method, path)`: (status,
/// content type, body). A TLS handshake is answered in plain HTTP.
fn serve(answer: fn(&str, &str) -> (u16, &'static str, String)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer_one(stream, answer);
        }
    });
    format!("127.0.0.1:{port}")
}

fn answer_one(mut stream: TcpStream, answer: fn(&str, &str) -> (u16, &'static str, String)) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&chunk[..n]);
        if seen[0] == 0x16 {
            // A TLS ClientHello: answer as a plain web server would.
            stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
            return Ok(());
        }
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while seen.len() < head_end + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&chunk[..n]);
    }
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let (status, content_type, body) = answer(method, path);
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

#[test]
fn what_is_not_a_working_n8n_is_said_plainly() {
    let Some(s) = session_with_connections() else { return };
    let key = [("N8N_API_KEY", "n8n_api_key-for-the-tiny-servers-CANARY")];

    // Nothing listening.
    let closed = format!("http://127.0.0.1:{}", free_port());
    refused(&send(&s, NAME, &closed, "", &key), 3, &["Nothing answered at", "connection was refused"]);

    // A sign-in page (HTML) instead of n8n's API.
    let page =
        serve(|_, _| (200, "text/html; charset=utf-8", "<!doctype html><title>Sign in</title><form>…</form>".into()));
    refused(
        &send(&s, NAME, &format!("http://{page}"), "", &key),
        64,
        &["answered with a web page instead of n8n's API (JSON)"],
    );

    // https to a server that speaks plain http: TLS.
    refused(&send(&s, NAME, &format!("https://{page}"), "", &key), 3, &["secure connection", "(TLS)"]);

    // No API at that address (404 in JSON, as an API gateway answers).
    let none = serve(|_, _| (404, "application/json", r#"{"message":"not found"}"#.into()));
    refused(&send(&s, NAME, &format!("http://{none}"), "", &key), 64, &["has no n8n API (HTTP 404 at /api/v1)"]);

    // An n8n that does not know the credential type: too old.
    let old = serve(|_, path| {
        if path.ends_with("/schema/httpBasicAuth") {
            (
                200,
                "application/json",
                r#"{"type":"object","properties":{"user":{"type":"string"},"password":{"type":"string"}}}"#.into(),
            )
        } else {
            (404, "application/json", r#"{"message":"Not Found"}"#.into())
        }
    });
    refused(
        &send(&s, NAME, &format!("http://{old}"), "", &key),
        64,
        &["does not know the \"Bitbucket Access Token API\" credential", "Update n8n"],
    );

    // A name that does not exist (the .invalid domain never does).
    refused(&send(&s, NAME, "https://n8n.bitbucket-setup-test.invalid", "", &key), 3, &["could not be found (DNS)"]);

    // Plain http to another computer is refused before anything is sent.
    refused(&send(&s, NAME, "http://n8n.example.com", "", &key), 64, &["unencrypted"]);
    // No key given and none kept.
    refused(&send(&s, NAME, &format!("http://{none}"), "", &[]), 64, &["No n8n API key was given", "N8N_API_KEY"]);

    assert_eq!(sent_id(&s, NAME, &format!("http://{page}")), None);
    for address in [&closed, &format!("http://{page}"), &format!("http://{none}"), &format!("http://{old}")] {
        assert!(
            support::keychain::secrets(&key_account(address)).is_empty(),
            "a key that did not work is not kept ({address})"
        );
    }
}
