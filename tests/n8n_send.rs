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
use std::process::Output;
use std::time::Duration;

use fake_bitbucket::{demo, FakeToken};
use serde_json::Value;
use support::cli_session::{text, CliSession as Session};
use support::n8n::N8n;

/// FAKE API tokens of this test's own, with the n8n preset's scopes.
const TOKEN: &str = "ATATT3xFfGF0n8nSendTestApiTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D01";
const OTHER_TOKEN: &str = "ATATT3xFfGF0n8nSendTestOtherTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0D0D0D02";
const NAME: &str = "Acme's n8n \"CI\" é";
const OTHER: &str = "Second n8n";

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

/// The issue's "done when": the credential the app sent to a real n8n holds the new token after
/// `bitbucket-setup replace`, sent again with the key kept in the keychain (none is given).
#[test]
fn replace_sends_the_new_token_to_the_n8n_credential() {
    let Some(n8n) = N8n::start() else { return };
    let Some(s) = session_with_connections() else { return };
    let (full, _) = n8n.owner_and_keys();
    let url = n8n.url();
    sent_ok(&send(&s, NAME, &url, &full, &[]), "send");
    let id = sent_id(&s, NAME, &url).expect("the credential's id is recorded");
    let token_in_n8n = |n8n: &N8n| -> Vec<String> {
        n8n.export_decrypted()
            .iter()
            .filter(|c| c["id"] == id.as_str())
            .map(|c| c["data"]["accessToken"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(token_in_n8n(&n8n), vec![TOKEN.to_string()]);

    let out = s.run_env(&["replace", NAME], OTHER_TOKEN, &[("N8N_API_KEY", "")]);
    let said = sent_ok(&out, "replace");
    eprintln!("---- bitbucket-setup replace ----\n{said}----");
    assert!(said.contains(&format!("The n8n credential at {url} (id {id}) now holds the new token.")), "{said}");
    assert_eq!(token_in_n8n(&n8n), vec![OTHER_TOKEN.to_string()], "n8n holds the new token");
    assert_eq!(sent_id(&s, NAME, &url).as_deref(), Some(id.as_str()), "the same credential, updated");
    assert_eq!(s.token_of(NAME), OTHER_TOKEN);

    // Without the kept key: the token is still replaced, and the way to send again is given.
    support::keychain::clear(&key_account(&url));
    let out = s.run_env(&["replace", NAME], TOKEN, &[("N8N_API_KEY", "")]);
    let said = sent_ok(&out, "replace without a kept key");
    assert!(said.contains(&format!("The n8n credential at {url} was not updated: no n8n API key is kept")), "{said}");
    assert!(said.contains(&format!("--n8n-url {url}, with the n8n API key on standard input or in N8N_API_KEY")), "{said}");
    assert_eq!(s.token_of(NAME), TOKEN);
    assert_eq!(token_in_n8n(&n8n), vec![OTHER_TOKEN.to_string()], "n8n was not touched");
    support::assert_no_file_contains(s.config.path(), &full);
    support::assert_no_file_contains(s.config.path(), OTHER_TOKEN);
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
    let refusing = support::RefusedPort::new();
    let closed = refusing.url();
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
