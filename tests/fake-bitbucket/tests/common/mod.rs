//! Helpers shared by the fake's own tests. Every client here has timeouts: no test can hang.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use fake_bitbucket::{demo, FakeBitbucket};
use serde_json::Value;

pub async fn demo_fake() -> FakeBitbucket {
    let fake = FakeBitbucket::start().await.expect("fake starts");
    fake.seed_demo();
    fake
}

pub fn client() -> reqwest::Client {
    client_with_timeout(Duration::from_secs(20))
}

pub fn client_with_timeout(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// How a test authenticates.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    Basic(&'a str, &'a str),
    Raw(&'a str),
}

pub fn get(fake: &FakeBitbucket, path: &str, auth: Auth<'_>) -> reqwest::RequestBuilder {
    request(&client(), reqwest::Method::GET, fake, path, auth)
}

pub fn request(
    client: &reqwest::Client,
    method: reqwest::Method,
    fake: &FakeBitbucket,
    path: &str,
    auth: Auth<'_>,
) -> reqwest::RequestBuilder {
    let rb = client.request(method, format!("{}{}", fake.base_url(), path));
    match auth {
        Auth::None => rb,
        Auth::Bearer(t) => rb.bearer_auth(t),
        Auth::Basic(u, p) => rb.basic_auth(u, Some(p)),
        Auth::Raw(v) => rb.header("authorization", v),
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn scopes(&self) -> Vec<String> {
        split_scopes(&self.header("x-oauth-scopes").unwrap_or_default())
    }
    pub fn accepted(&self) -> Vec<String> {
        split_scopes(&self.header("x-accepted-oauth-scopes").unwrap_or_default())
    }
}

pub fn split_scopes(v: &str) -> Vec<String> {
    v.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
}

pub async fn fetch(fake: &FakeBitbucket, path: &str, auth: Auth<'_>) -> Reply {
    send(get(fake, path, auth)).await
}

pub async fn send(rb: reqwest::RequestBuilder) -> Reply {
    let resp = rb.send().await.expect("request succeeds");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    Reply { status, headers, text }
}

pub fn sqai() -> Auth<'static> {
    Auth::Bearer(demo::SQAI_READY)
}

pub fn autoheal() -> Auth<'static> {
    Auth::Basic(demo::ADMIN_EMAIL, demo::API_TOKEN_AUTOHEAL)
}

/// A blocking HTTP/1.1 GET on a plain socket, for synchronous tests. Returns (status, raw head,
/// body) or the io error.
pub fn raw_get(addr: SocketAddr, path: &str, auth: Option<&str>) -> std::io::Result<(u16, String, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(a) = auth {
        req.push_str(&format!("Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok((status, head.to_owned(), body.to_owned()))
}

/// The committed spec extract, read here on its own (not through the fake).
pub const EXTRACT: &str = include_str!("../../../data/bitbucket-spec-extract.json");

pub fn extract() -> Value {
    serde_json::from_str(EXTRACT).expect("extract is JSON")
}

/// The scopes the extract lists for `method` on `template`: (oauth2, api_token).
pub fn op_scopes(template: &str, method: &str) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let x = extract();
    let op = &x["operations"][template][method.to_ascii_lowercase()];
    let list = |v: &Value| v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect());
    (list(&op["oauth2"]), list(&op["api_token"]))
}
