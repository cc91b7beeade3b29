//! Sending a connection to n8n as a "Bitbucket Access Token API" credential, through n8n's
//! public REST API. Read from n8n 2.39.10's shipped code and checked with n8n itself
//! (tests/n8n_send.rs):
//!
//! * `GET /api/v1/credentials/schema/{type}`: a credential type's fields (any valid key may
//!   ask; 404 for a type this n8n does not know).
//! * `POST /api/v1/credentials` `{name, type, data}`: creates a credential (key scope
//!   `credential:create`) and answers it with its `id`.
//! * `PATCH /api/v1/credentials/{id}` `{name, type, data}`: replaces its name and data (scope
//!   `credential:update`); 404 when there is no credential with that id.
//! * The API key travels in the `X-N8N-API-KEY` header; 401: the key is not valid, 403: it
//!   lacks the endpoint's scope.
//!
//! [`send`] asks for the type's fields first (a key that works, an address that is n8n's API,
//! an n8n that knows the type), then updates the credential sent before to this address, or
//! creates one; a credential deleted in n8n meanwhile is created again. The credential's data
//! is the export's ([`CredentialData`]): the mapping is written once.
//!
//! The key and the token go only into a sensitive header and the request body: never into an
//! error, a URL or a log. n8n's own message in a refusal is shown only when it holds neither.

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use serde_json::Value;
use url::{Host, Url};

use crate::bitbucket::credential::Secret;
use crate::export::{email_of, CredentialData, ExportError, Node, N8N_TESTED_VERSION, N8N_TYPE};
use crate::store::connections::{Connection, Sent};
use crate::store::secrets::SecretStoreError;
use crate::store::{Store, StoreError};

/// The name [`Sent::to`] and the keychain give n8n.
pub const TO: &str = "n8n";
/// The header n8n reads its API key from.
pub const KEY_HEADER: &str = "X-N8N-API-KEY";
/// The scopes an n8n API key needs to send (the first time, and again).
pub const NEEDED_SCOPES: [&str; 2] = ["credential:create", "credential:update"];
/// A credential type every n8n knows: asked for when ours is not found, to tell an n8n too old
/// for ours from an address with no n8n API.
const ALWAYS_KNOWN_TYPE: &str = "httpBasicAuth";
/// The most of an answer that is read.
const MAX_BODY_BYTES: usize = 1 << 20;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(8);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest message of n8n's that an error repeats.
const MAX_SAID_CHARS: usize = 300;

/// n8n's address, as the user opens n8n: `https://n8n.example.com` (or with a path, when n8n
/// is served under one). Plain `http://` only for an n8n on this computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct N8nAddress {
    base: Url,
    text: String,
}

impl N8nAddress {
    /// Reads an address; `…/api/v1` at its end is taken off (the API's own address, pasted).
    pub fn parse(raw: &str) -> Result<N8nAddress, SendError> {
        let raw = raw.trim();
        let bad = |why: &'static str| SendError::BadAddress { why };
        if raw.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut url = Url::parse(raw).map_err(|_| bad("it is not a web address such as https://n8n.example.com"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(bad("it does not start with https://"));
        }
        if url.host().is_none() {
            return Err(bad("it names no computer"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it holds a user name or password (n8n takes an API key instead)"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it has a ? or # part (give the address you open n8n at)"));
        }
        if url.scheme() == "http" && !on_this_computer(&url) {
            return Err(SendError::NotEncrypted { host: host_of(&url) });
        }
        let path = url.path().trim_end_matches('/');
        let path = path.strip_suffix("/api/v1").unwrap_or(path).to_string();
        url.set_path(&path);
        let text = url.as_str().trim_end_matches('/').to_string();
        Ok(N8nAddress { base: url, text })
    }

    /// The address as recorded and shown: `https://n8n.example.com`, no trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `host` or `host:port`.
    pub fn host(&self) -> String {
        host_of(&self.base)
    }

    /// `…/api/v1/segments…`, each segment percent-encoded.
    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        url
    }
}

impl std::fmt::Display for N8nAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Whether `url` names this computer (loopback), where plain http never crosses a network.
fn on_this_computer(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why a send did not happen, or did not finish: `Display` is the user's sentence. None holds
/// the API key or the token.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("The n8n address cannot be used: {why}.")]
    BadAddress { why: &'static str },
    #[error("The n8n address starts with http://, so the API key and the Bitbucket token would cross the network to {host} unencrypted. Use n8n's https:// address (plain http:// is accepted only for an n8n on this computer).")]
    NotEncrypted { host: String },
    #[error("n8n's Bitbucket credential takes an API token with scopes and its Atlassian account email; this connection holds {kind}. Create an API token with scopes (id.atlassian.com > Security > \"Create API token with scopes\", app Bitbucket), save it as a new connection, and send that.")]
    NeedsApiToken { kind: &'static str },
    #[error(
        "The connection has no Atlassian account email, which n8n's Bitbucket credential needs with the API token."
    )]
    MissingEmail,
    /// The connection cannot be turned into n8n's credential for another reason.
    #[error(transparent)]
    Unsendable(ExportError),
    #[error("No n8n API key was given, and none is kept for {address}. Create one in n8n (Settings > n8n API) with the scopes credential:create and credential:update.")]
    NoKey { address: String },
    #[error(
        "The n8n API key holds characters no API key has (a line break or a space inside it?). Copy it again from n8n."
    )]
    KeyNotText,
    #[error(
        "The connection to {host} could not be prepared: this computer has no trusted certificates to check it with."
    )]
    ClientSetup { host: String },
    #[error("Nothing answered at {address}: the connection was refused. Check the address and its port, and that n8n is running.")]
    ConnectionRefused { address: String },
    #[error("The name {host} could not be found (DNS). Check the n8n address, and that this computer is online (or on the VPN n8n is reached through).")]
    NameNotFound { host: String },
    #[error("A secure connection to {host} could not be set up (TLS): its certificate is not trusted on this computer, or it does not speak https at that address. Check that the address and port are the ones you open n8n at; if n8n uses a company certificate, this computer needs that certificate authority installed.")]
    Tls { host: String },
    #[error("{host} did not answer within {seconds} seconds. Check the n8n address and the network, then try again.")]
    Timeout { host: String, seconds: u64 },
    #[error("The connection to {host} failed. Check the n8n address and the network, then try again.")]
    Network { host: String },
    #[error("n8n at {address} did not accept the API key (HTTP 401): it is mistyped, expired or deleted, or it is another n8n's. Nothing was changed in n8n. Create a new key in n8n (Settings > n8n API).")]
    WrongKey { address: String },
    #[error("The n8n API key may not do this (HTTP 403): it lacks the scope {scope}. Nothing was changed in n8n. Give the key the scopes credential:create and credential:update in n8n (Settings > n8n API), or create one that has them.")]
    MissingScope { address: String, scope: &'static str },
    #[error("{address} has no n8n API (HTTP 404 at /api/v1): it is not the address of an n8n, or n8n's public API is turned off there (N8N_PUBLIC_API_DISABLED). Give the address you open n8n at, for example https://n8n.example.com.")]
    NoApi { address: String },
    #[error("{address} answered with {} instead of n8n's API (JSON): a sign-in page or a proxy stands in front of n8n, or the address is not n8n's. Give the address you open n8n at; if a sign-in page guards it, ask whoever runs n8n to let its API (/api/v1) through.", if *.redirected { "a redirect to a web page" } else { "a web page" })]
    WebPage { address: String, redirected: bool },
    #[error("The n8n at {address} does not know the \"Bitbucket Access Token API\" credential: it is older than the versions that have it. Update n8n (this app was tested with n8n {N8N_TESTED_VERSION}).")]
    UnknownType { address: String },
    #[error("The n8n at {address} describes its \"Bitbucket Access Token API\" credential with other fields than email and accessToken, so this app cannot fill it in (it was tested with n8n {N8N_TESTED_VERSION}).")]
    FieldsDiffer { address: String },
    #[error("The n8n at {address} cannot {what} through its API: it is older than that part of the API. Update n8n (this app was tested with n8n {N8N_TESTED_VERSION}).")]
    TooOld { address: String, what: &'static str },
    #[error("n8n at {address} refused the credential (HTTP {status}){}", match says { Some(s) => format!(": {s}"), None => ".".to_string() })]
    Declined { address: String, status: u16, says: Option<String> },
    #[error("n8n at {address} failed with a server error (HTTP {status}). Try again in a minute; if it keeps failing, look at n8n's log.")]
    ServerError { address: String, status: u16 },
    #[error("n8n at {address} answered in a way this app does not understand ({what}); it was tested with n8n {N8N_TESTED_VERSION}.")]
    Unexpected { address: String, what: &'static str },
    /// The keychain or the connections file (boxed: it is large).
    #[error(transparent)]
    Store(Box<StoreError>),
    #[error("The credential is in n8n at {address} (id {credential_id}), but that could not be recorded with the connection: {source} Sending again will create a second credential in n8n; delete one of them there.")]
    NotRecorded {
        address: String,
        credential_id: String,
        #[source]
        source: Box<StoreError>,
    },
}

impl From<StoreError> for SendError {
    fn from(e: StoreError) -> SendError {
        SendError::Store(Box::new(e))
    }
}

impl From<ExportError> for SendError {
    fn from(e: ExportError) -> SendError {
        match e {
            ExportError::NeedsApiToken { kind, .. } => SendError::NeedsApiToken { kind },
            ExportError::MissingEmail => SendError::MissingEmail,
            other => SendError::Unsendable(other),
        }
    }
}

/// What [`send`] did in n8n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    /// The credential sent before (`old_id`) was gone from n8n: it was created again.
    CreatedAgain {
        old_id: String,
    },
}

/// What became of the API key given to [`send`].
#[derive(Debug)]
pub enum KeyKept {
    /// The key kept in the keychain was used.
    AlreadyKept,
    /// The key given is now kept in the keychain for this address.
    Kept,
    /// The key given worked but could not be kept: it is asked for again next time.
    NotKept(SecretStoreError),
}

/// What [`send`] did.
#[derive(Debug)]
pub struct Outcome {
    /// The connection's record, with the send recorded.
    pub connection: Connection,
    pub credential_id: String,
    pub action: Action,
    pub key: KeyKept,
}

/// Sends `connection` to the n8n at `address` with `key` (or, when `None`, the key kept for
/// that address): updates the credential sent there before, or creates one; records its id on
/// the connection, and keeps a key that was given in the keychain.
pub async fn send(
    store: &Store,
    connection: &Connection,
    address: &N8nAddress,
    key: Option<Secret>,
) -> Result<Outcome, SendError> {
    email_of(connection)?;
    let (key, given) = match key {
        Some(key) => (key, true),
        None => match store.service_key(TO, address.as_str())? {
            Some(key) => (key, false),
            None => return Err(SendError::NoKey { address: address.to_string() }),
        },
    };
    let token = store.secret(&connection.id)?;
    let data = CredentialData::of(connection, token.expose())?;
    let api = Api::new(address, &key, &token)?;
    api.check_type().await?;

    let body =
        Node::map(vec![("name", Node::str(&connection.name)), ("type", Node::str(N8N_TYPE)), ("data", data.node())]);
    let (credential_id, action) = match connection.sent_to(TO, address.as_str()) {
        Some(before) => match api.update(&before.credential_id, &body).await? {
            Some(id) => (id, Action::Updated),
            None => (api.create(&body).await?, Action::CreatedAgain { old_id: before.credential_id.clone() }),
        },
        None => (api.create(&body).await?, Action::Created),
    };

    let sent =
        Sent { to: TO.to_string(), url: address.to_string(), credential_id: credential_id.clone(), at: Utc::now() };
    let connection = store.record_sent(&connection.id, sent).map_err(|source| SendError::NotRecorded {
        address: address.to_string(),
        credential_id: credential_id.clone(),
        source: Box::new(source),
    })?;
    let key = if given {
        match store.put_service_key(TO, address.as_str(), &key) {
            Ok(()) => KeyKept::Kept,
            Err(e) => KeyKept::NotKept(e),
        }
    } else {
        KeyKept::AlreadyKept
    };
    Ok(Outcome { connection, credential_id, action, key })
}

/// What a request asked, for reading its refusal.
#[derive(Debug, Clone, Copy)]
enum Step {
    Schema,
    Create,
    Update,
}

/// One answer of n8n's.
#[derive(Debug)]
struct Answer {
    status: u16,
    json: Option<Value>,
    /// The body was there and not JSON (an HTML page, most often).
    web_page: bool,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// n8n's API at one address, with one key.
struct Api<'a> {
    http: reqwest::Client,
    address: &'a N8nAddress,
    key: &'a Secret,
    token: &'a Secret,
}

impl<'a> Api<'a> {
    fn new(address: &'a N8nAddress, key: &'a Secret, token: &'a Secret) -> Result<Api<'a>, SendError> {
        let setup = || SendError::ClientSetup { host: address.host() };
        let tls = tls_config().map_err(|_| setup())?;
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("bitbucket-setup-assistant/", env!("CARGO_PKG_VERSION")));
        // An n8n on this computer is never reached through a proxy (which would then see the
        // key); elsewhere the proxy settings apply as for any web request.
        if on_this_computer(&address.base) {
            builder = builder.no_proxy();
        }
        Ok(Api { http: builder.build().map_err(|_| setup())?, address, key, token })
    }

    fn address(&self) -> String {
        self.address.to_string()
    }

    /// Asks for the fields of n8n's Bitbucket credential: the key works, the address is n8n's
    /// API, and this n8n knows the type with the fields this app fills in.
    async fn check_type(&self) -> Result<(), SendError> {
        let answer = self.call(Method::GET, &["credentials", "schema", N8N_TYPE], None).await?;
        if answer.ok() {
            let properties = answer.json.as_ref().and_then(|j| j.get("properties")).and_then(Value::as_object);
            return match properties {
                Some(p) if p.contains_key("email") && p.contains_key("accessToken") => Ok(()),
                Some(_) => Err(SendError::FieldsDiffer { address: self.address() }),
                None => Err(self.refusal(&answer, Step::Schema)),
            };
        }
        if answer.status == 404 && !answer.web_page {
            // Our type unknown, or no API here at all: a type every n8n has tells which.
            let known = self.call(Method::GET, &["credentials", "schema", ALWAYS_KNOWN_TYPE], None).await?;
            if known.ok() && known.json.is_some() {
                return Err(SendError::UnknownType { address: self.address() });
            }
            return Err(self.refusal(&known, Step::Schema));
        }
        Err(self.refusal(&answer, Step::Schema))
    }

    /// Creates the credential; returns its id.
    async fn create(&self, body: &Node) -> Result<String, SendError> {
        let answer = self.call(Method::POST, &["credentials"], Some(body)).await?;
        if !answer.ok() {
            return Err(self.refusal(&answer, Step::Create));
        }
        self.id_in(&answer)
    }

    /// Updates credential `id`; returns its id, or `None` when n8n has no credential `id`.
    async fn update(&self, id: &str, body: &Node) -> Result<Option<String>, SendError> {
        let answer = self.call(Method::PATCH, &["credentials", id], Some(body)).await?;
        if answer.status == 404 && !answer.web_page {
            return Ok(None);
        }
        if !answer.ok() {
            return Err(self.refusal(&answer, Step::Update));
        }
        self.id_in(&answer).map(Some)
    }

    fn id_in(&self, answer: &Answer) -> Result<String, SendError> {
        match answer.json.as_ref().and_then(|j| j.get("id")) {
            Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ if answer.web_page => Err(SendError::WebPage { address: self.address(), redirected: false }),
            _ => Err(SendError::Unexpected { address: self.address(), what: "no credential id" }),
        }
    }

    /// What an answer that is not a success means.
    fn refusal(&self, answer: &Answer, step: Step) -> SendError {
        let address = self.address();
        match answer.status {
            300..=399 => SendError::WebPage { address, redirected: true },
            500..=599 => SendError::ServerError { address, status: answer.status },
            _ if answer.web_page => SendError::WebPage { address, redirected: false },
            401 => SendError::WrongKey { address },
            403 => SendError::MissingScope {
                address,
                scope: match step {
                    Step::Update => "credential:update",
                    Step::Schema | Step::Create => "credential:create",
                },
            },
            404 | 405 => match step {
                Step::Schema => SendError::NoApi { address },
                Step::Create => SendError::TooOld { address, what: "create credentials" },
                Step::Update => SendError::TooOld { address, what: "update credentials" },
            },
            200..=299 => SendError::Unexpected { address, what: "not the credential type's fields" },
            status => SendError::Declined { address, status, says: self.said(answer) },
        }
    }

    /// n8n's `message`, when it holds neither the key nor the token.
    fn said(&self, answer: &Answer) -> Option<String> {
        let message = answer.json.as_ref()?.get("message")?.as_str()?.trim();
        let secrets = [self.key.expose(), self.token.expose()];
        if message.is_empty() || secrets.iter().any(|s| !s.is_empty() && message.contains(s)) {
            return None;
        }
        let mut said: String = message.chars().take(MAX_SAID_CHARS).collect();
        if said.len() < message.len() {
            said.push('…');
        }
        Some(said)
    }

    async fn call(&self, method: Method, segments: &[&str], body: Option<&Node>) -> Result<Answer, SendError> {
        let mut key = HeaderValue::from_str(self.key.expose()).map_err(|_| SendError::KeyNotText)?;
        key.set_sensitive(true);
        let mut request = self
            .http
            .request(method, self.address.endpoint(segments))
            .header(KEY_HEADER, key)
            .header("Accept", "application/json");
        if let Some(body) = body {
            // reqwest owns the bytes from here (as it owns the header): they are not wiped.
            let bytes = serde_json::to_vec(body).map_err(|_| SendError::Unexpected {
                address: self.address(),
                what: "the credential could not be written",
            })?;
            request = request.header(CONTENT_TYPE, "application/json").body(bytes);
        }
        let mut response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if bytes.len() + chunk.len() <= MAX_BODY_BYTES => bytes.extend_from_slice(&chunk),
                Ok(Some(_)) => break,
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(self.unreachable(&e)),
                Err(_) => break,
            }
        }
        let json = serde_json::from_slice::<Value>(&bytes).ok();
        let web_page = json.is_none() && !bytes.iter().all(u8::is_ascii_whitespace);
        Ok(Answer { status, json, web_page })
    }

    /// A request that got no answer, by its typed causes (TLS, a refused or timed-out
    /// connection); a name that could not be looked up is known only by hyper's text.
    fn unreachable(&self, e: &reqwest::Error) -> SendError {
        let host = self.address.host();
        if e.is_timeout() {
            return SendError::Timeout { host, seconds: REQUEST_TIMEOUT.as_secs() };
        }
        let mut text = String::new();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(c) = cause {
            if c.downcast_ref::<rustls::Error>().is_some() {
                return SendError::Tls { host };
            }
            text.push_str(&c.to_string().to_ascii_lowercase());
            text.push(' ');
            cause = match c.downcast_ref::<std::io::Error>() {
                Some(io) => {
                    match io.kind() {
                        std::io::ErrorKind::ConnectionRefused => {
                            return SendError::ConnectionRefused { address: self.address() }
                        }
                        std::io::ErrorKind::TimedOut => {
                            return SendError::Timeout { host, seconds: CONNECT_TIMEOUT.as_secs() }
                        }
                        _ => {}
                    }
                    // An io::Error's source() skips the error it wraps (rustls's, or another
                    // io::Error): go into it instead.
                    match io.get_ref() {
                        Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                        None => c.source(),
                    }
                }
                None => c.source(),
            };
        }
        if text.contains("dns error") || text.contains("failed to lookup address") {
            SendError::NameNotFound { host }
        } else {
            SendError::Network { host }
        }
    }
}

/// rustls with the operating system's verifier, as the Bitbucket client's: a company root
/// CA the browser trusts is trusted here too. Built once.
fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    static CONFIG: std::sync::OnceLock<Result<rustls::ClientConfig, rustls::Error>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt;
            let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_platform_verifier()?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_as_n8n_is_opened() {
        let a = N8nAddress::parse(" https://N8N.example.com/ ").unwrap();
        assert_eq!(a.as_str(), "https://n8n.example.com");
        assert_eq!(
            a.endpoint(&["credentials", "schema", N8N_TYPE]).as_str(),
            "https://n8n.example.com/api/v1/credentials/schema/bitbucketAccessTokenApi"
        );
        let pasted = N8nAddress::parse("https://example.com/n8n/api/v1/").unwrap();
        assert_eq!(pasted.as_str(), "https://example.com/n8n");
        assert_eq!(
            pasted.endpoint(&["credentials", "a/b"]).as_str(),
            "https://example.com/n8n/api/v1/credentials/a%2Fb"
        );
        let local = N8nAddress::parse("http://127.0.0.1:5678").unwrap();
        assert_eq!((local.as_str(), local.host().as_str()), ("http://127.0.0.1:5678", "127.0.0.1:5678"));
        assert!(N8nAddress::parse("http://localhost:5678").is_ok());
        assert!(N8nAddress::parse("http://[::1]:5678").is_ok());
    }

    #[test]
    fn unusable_addresses_say_why_and_never_repeat_a_password() {
        for (raw, why) in [
            ("", "empty"),
            ("n8n.example.com", "not a web address"),
            ("ftp://n8n.example.com", "https://"),
            ("https://me:hunter2@n8n.example.com", "user name or password"),
            ("https://n8n.example.com/?x=1", "? or #"),
        ] {
            let e = N8nAddress::parse(raw).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, SendError::BadAddress { .. }) && text.contains(why), "{raw}: {text}");
            assert!(!text.contains("hunter2"));
        }
        let e = N8nAddress::parse("http://n8n.example.com").unwrap_err();
        assert!(matches!(&e, SendError::NotEncrypted { host } if host == "n8n.example.com"), "{e:?}");
    }

    fn api_answer(status: u16, json: Option<Value>, web_page: bool) -> Answer {
        Answer { status, json, web_page }
    }

    #[test]
    fn refusals_are_told_apart_by_status_and_body() {
        let address = N8nAddress::parse("https://n8n.example.com").unwrap();
        let key = Secret::new("n8n-key-CANARY");
        let token = Secret::new("ATATT-token-CANARY");
        let api = Api::new(&address, &key, &token).unwrap();
        let json = |m: &str| Some(serde_json::json!({ "message": m }));
        assert!(matches!(
            api.refusal(&api_answer(401, json("Unauthorized"), false), Step::Schema),
            SendError::WrongKey { .. }
        ));
        assert!(matches!(
            api.refusal(&api_answer(403, json("Forbidden"), false), Step::Update),
            SendError::MissingScope { scope: "credential:update", .. }
        ));
        assert!(matches!(
            api.refusal(&api_answer(403, json("Forbidden"), false), Step::Create),
            SendError::MissingScope { scope: "credential:create", .. }
        ));
        assert!(matches!(
            api.refusal(&api_answer(404, json("not found"), false), Step::Schema),
            SendError::NoApi { .. }
        ));
        assert!(matches!(
            api.refusal(&api_answer(405, None, false), Step::Update),
            SendError::TooOld { what: "update credentials", .. }
        ));
        assert!(matches!(
            api.refusal(&api_answer(200, None, true), Step::Schema),
            SendError::WebPage { redirected: false, .. }
        ));
        assert!(
            matches!(api.refusal(&api_answer(401, None, true), Step::Schema), SendError::WebPage { .. }),
            "a proxy's sign-in page"
        );
        assert!(matches!(
            api.refusal(&api_answer(302, None, false), Step::Schema),
            SendError::WebPage { redirected: true, .. }
        ));
        assert!(matches!(
            api.refusal(&api_answer(502, None, true), Step::Create),
            SendError::ServerError { status: 502, .. }
        ));
        let said =
            api.refusal(&api_answer(400, json("request.body.data requires property \"email\""), false), Step::Create);
        assert!(said.to_string().ends_with("(HTTP 400): request.body.data requires property \"email\""), "{said}");
        for echoed in ["bad key n8n-key-CANARY", "bad token ATATT-token-CANARY"] {
            let e = api.refusal(&api_answer(400, json(echoed), false), Step::Create);
            assert!(!e.to_string().contains("CANARY") && !format!("{e:?}").contains("CANARY"), "{e}");
        }
    }
}
