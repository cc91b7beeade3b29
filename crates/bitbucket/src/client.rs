//! One HTTP client for Bitbucket's REST API: read-only GETs with timeouts, the credential in a
//! sensitive header, the scope headers and Bitbucket's error bodies parsed, and network
//! failures told apart (DNS, refused, TLS, proxy, timeout) so the user hears which. The proxy is
//! chosen as curl chooses it ([`super::proxy`]), and a proxy's failure names the proxy and the
//! variable it came from.
//!
//! Redirects are never followed: Bitbucket's API does not redirect, and following one could
//! hand the credential to another host.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::Serialize;
use url::Url;

use super::credential::Credential;
use super::proxy::{self, is_loopback, shown, Route};
use super::scopes;

/// Bitbucket Cloud's REST API.
pub const DEFAULT_API_URL: &str = "https://api.bitbucket.org/2.0";

/// The API base URL to use when the user gave none: `BITBUCKET_API_URL` (tests, tunnels),
/// else Bitbucket Cloud.
pub fn api_url_from_env() -> String {
    std::env::var("BITBUCKET_API_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_API_URL.to_string())
}

/// Bodies larger than this are not read to the end: no probe answer is anywhere near it.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The API base URL, checked: https anywhere, or plain http only to this machine (tests,
/// tunnels). A token is never sent in clear text over a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(Url);

/// Why an API address cannot be used; `Display` is the user's sentence, with the way out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiBaseError {
    #[error("The API address is empty. {}", use_default())]
    Empty,
    #[error("\"{0}\" is not a web address. {hint}", hint = use_default())]
    NotAUrl(String),
    #[error("The API address must start with https:// (plain http is allowed only for this computer, such as http://127.0.0.1). {}", use_default())]
    NotHttps,
    #[error("The API address must not contain a user name, password, query or fragment. {}", use_default())]
    HasExtras,
}

fn use_default() -> String {
    format!("Bitbucket Cloud's API address is {DEFAULT_API_URL}, the one used when none is given.")
}

impl ApiBase {
    pub fn parse(raw: &str) -> Result<ApiBase, ApiBaseError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ApiBaseError::Empty);
        }
        let url = Url::parse(raw).map_err(|_| ApiBaseError::NotAUrl(shown(raw)))?;
        if url.host_str().is_none() {
            return Err(ApiBaseError::NotAUrl(shown(raw)));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            _ => return Err(ApiBaseError::NotHttps),
        }
        if !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(ApiBaseError::HasExtras);
        }
        let mut url = url;
        // Path segments are appended, so the base must end without a slash.
        let trimmed = url.path().trim_end_matches('/').to_string();
        url.set_path(&trimmed);
        Ok(ApiBase(url))
    }

    pub fn cloud() -> ApiBase {
        ApiBase::parse(DEFAULT_API_URL).expect("the default API URL is valid")
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn host(&self) -> String {
        self.0.host_str().unwrap_or_default().to_string()
    }

    /// Whether the address is this computer (tests, tunnels).
    pub fn is_local(&self) -> bool {
        is_loopback(&self.0)
    }

    /// The URL of a path below the base; each segment is percent-encoded on its own.
    pub fn join(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for segment in segments {
                path.push(segment);
            }
        }
        url
    }
}

impl Default for ApiBase {
    fn default() -> Self {
        ApiBase::cloud()
    }
}

/// How long a request may take. Every request has both limits, so nothing hangs the UI.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(8), request: Duration::from_secs(20) }
    }
}

/// A failure below HTTP: the request never got an answer.
///
/// The proxy failures name the proxy (`proxy`: scheme, host and port, never its user name or
/// password; empty for the system's proxy) and where it was set (`set_in`: the variable,
/// `https_proxy`, `HTTPS_PROXY`, `all_proxy` or `ALL_PROXY`, or "the system's proxy settings").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NetworkError {
    #[error("The name {host} could not be found (DNS).")]
    Dns { host: String },
    #[error("{host} refused the connection.")]
    Refused { host: String },
    #[error("A secure connection to {host} could not be set up (TLS certificate problem).")]
    Tls { host: String },
    /// A connection through the proxy failed in a way not told apart below.
    #[error("The connection through the proxy server failed.")]
    Proxy,
    #[error("The proxy server {} could not be reached: {why}.", via(proxy, set_in))]
    ProxyDown { proxy: String, set_in: String, why: String },
    #[error("The company proxy {} asks for a user name and password (HTTP 407) before it lets the connection to {host} through.", via(proxy, set_in))]
    ProxyAuth { host: String, proxy: String, set_in: String },
    #[error("The company proxy {proxy} did not accept the user name and password given in {set_in} (HTTP 407), so it did not let the connection to {host} through.")]
    ProxyAuthRejected { host: String, proxy: String, set_in: String },
    #[error("The company proxy {} refused the connection to {host}.", via(proxy, set_in))]
    ProxyRefused { host: String, proxy: String, set_in: String },
    #[error("The connection to {host} through the SOCKS proxy {} failed: {why}.", via(proxy, set_in))]
    Socks { host: String, proxy: String, set_in: String, why: String },
    #[error("The proxy address in {set_in} cannot be used: {why} (it is \"{shown}\"). Nothing was sent.")]
    ProxyAddress { set_in: String, shown: String, why: String },
    #[error("This computer is not connected to a network (no route to {host}).")]
    Offline { host: String },
    #[error("This computer has no trusted certificates to check {host} with.")]
    NoTrustedCertificates { host: String },
    #[error("{host} did not answer within {seconds} seconds.")]
    Timeout { host: String, seconds: u64 },
    #[error("The connection to {host} was cut off.")]
    Reset { host: String },
    #[error("The connection to {host} failed.")]
    Other { host: String },
}

/// A proxy as a message names it: its address and the variable that set it, or the system's
/// settings (whose address reqwest does not tell).
fn via(proxy: &str, set_in: &str) -> String {
    if proxy.is_empty() {
        format!("in {set_in}")
    } else {
        format!("{proxy} (set in {set_in})")
    }
}

/// The name a proxy failure gives the system's proxy settings as where the proxy was set.
const SYSTEM_SETTINGS: &str = "the system's proxy settings";

/// How to write a user name and password into a proxy address.
const PERCENT_ENCODE: &str = "percent-encode @, : and / in them as %40, %3A and %2F";

impl NetworkError {
    /// One sentence for the window to show before anything is pasted, when this failure
    /// means the computer cannot reach any network (no route, no name service); `None` for
    /// failures that say something about the server or the proxy instead.
    pub fn offline_notice(&self) -> Option<String> {
        match self {
            NetworkError::Offline { host } => Some(format!(
                "This computer is offline (there is no network route to {host}): connect to the network or VPN, and the check will work."
            )),
            NetworkError::Dns { host } => Some(format!(
                "This computer cannot look up {host}, so it seems to be offline: connect to the network or VPN (or correct the API address), and the check will work."
            )),
            _ => None,
        }
    }

    /// Whether the request surely never reached the API, so no credential was sent: the
    /// connection (or the proxy's tunnel) was never opened.
    pub fn never_connected(&self) -> bool {
        match self {
            NetworkError::Dns { .. }
            | NetworkError::Refused { .. }
            | NetworkError::Tls { .. }
            | NetworkError::Proxy
            | NetworkError::ProxyDown { .. }
            | NetworkError::ProxyAuth { .. }
            | NetworkError::ProxyAuthRejected { .. }
            | NetworkError::ProxyRefused { .. }
            | NetworkError::Socks { .. }
            | NetworkError::ProxyAddress { .. }
            | NetworkError::Offline { .. }
            | NetworkError::NoTrustedCertificates { .. } => true,
            NetworkError::Timeout { .. } | NetworkError::Reset { .. } | NetworkError::Other { .. } => false,
        }
    }

    /// What the user can do about it.
    pub fn next_step(&self) -> String {
        match self {
            NetworkError::Dns { .. } => "Check that this computer is online and that the API address is spelled right.".into(),
            NetworkError::Refused { .. } => "Check the API address and that nothing blocks the connection.".into(),
            NetworkError::Tls { .. } => "A firewall or proxy may be intercepting secure connections; ask your IT team, or check the computer's date and time.".into(),
            NetworkError::Proxy => "Check the proxy settings (https_proxy, HTTPS_PROXY, all_proxy, no_proxy) or ask your IT team.".into(),
            NetworkError::ProxyDown { set_in, .. } if set_in == SYSTEM_SETTINGS => {
                "Check the proxy in the system's network settings (the one the browser uses), or ask your IT team.".into()
            }
            NetworkError::ProxyDown { set_in, .. } => {
                format!("Check the host and port in {set_in} and that the proxy is running, or ask your IT team for the right address.")
            }
            NetworkError::ProxyAuth { set_in, .. } if set_in == SYSTEM_SETTINGS => format!(
                "Set https_proxy to the proxy's address with its user name and password in it (http://USER:PASSWORD@PROXY:PORT; {PERCENT_ENCODE}), or ask your IT team to let api.bitbucket.org through."
            ),
            NetworkError::ProxyAuth { proxy, set_in, .. } => {
                let host_port = proxy.split_once("://").map_or(proxy.as_str(), |(_, rest)| rest);
                let scheme = proxy.split_once("://").map_or("http", |(scheme, _)| scheme);
                format!(
                    "Put the proxy's user name and password in {set_in}: {scheme}://USER:PASSWORD@{host_port} ({PERCENT_ENCODE}), or ask your IT team to let api.bitbucket.org through."
                )
            }
            NetworkError::ProxyAuthRejected { set_in, .. } => format!(
                "Check the user name and password in {set_in} ({PERCENT_ENCODE}), or ask your IT team whether this account may use the proxy."
            ),
            NetworkError::ProxyRefused { .. } => "Ask your IT team to allow api.bitbucket.org (and bitbucket.org) through the proxy.".into(),
            NetworkError::Socks { set_in, .. } => {
                format!("Check the SOCKS proxy address in {set_in} (and its user name and password, if it needs them), or ask your IT team.")
            }
            NetworkError::ProxyAddress { set_in, .. } => format!(
                "Correct {set_in} (for example http://proxy.example.com:8080, or socks5h://proxy.example.com:1080), or remove it to connect directly."
            ),
            NetworkError::Offline { .. } => "Connect to the network (or VPN), then try again.".into(),
            NetworkError::NoTrustedCertificates { .. } => "Install the system's certificate bundle (Debian/Ubuntu: the ca-certificates package), or point SSL_CERT_FILE at one.".into(),
            NetworkError::Timeout { .. } => "The network or Bitbucket is slow right now. Try again in a minute.".into(),
            NetworkError::Reset { .. } | NetworkError::Other { .. } => "Try again in a minute; if it keeps happening, check the network or proxy.".into(),
        }
    }
}

/// What came back from one GET, with Bitbucket's headers and error body already read.
#[derive(Debug, Clone, Default)]
pub struct ProbeResponse {
    pub status: u16,
    /// `x-credential-type`, lowercased. `None` when absent: the request was not authenticated.
    pub credential_type: Option<String>,
    /// `x-oauth-scopes`, parsed. `None` when the header is absent (not the same as empty).
    pub oauth_scopes: Option<Vec<String>>,
    /// `x-accepted-oauth-scopes`, parsed.
    pub accepted_scopes: Option<Vec<String>>,
    /// `Retry-After` in seconds, when sent.
    pub retry_after: Option<u64>,
    /// `Location` of a redirect, when sent.
    pub location: Option<String>,
    /// The JSON body, when the body was JSON and could be read.
    pub json: Option<serde_json::Value>,
    /// Why the body could not be used, when it could not.
    pub body_problem: Option<BodyProblem>,
    /// `error.message` of Bitbucket's error body.
    pub error_message: Option<String>,
    /// `error.detail.required` / `error.detail.granted` of a 403 for missing scopes.
    pub required: Vec<String>,
    pub granted: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyProblem {
    NotJson,
    MalformedJson,
    TooLarge,
    Incomplete,
}

/// The one HTTP client the validation uses.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: ApiBase,
    timeouts: Timeouts,
    /// What the connector is doing: see [`Client::opening_connections`].
    connects: Arc<tokio::sync::watch::Sender<Connects>>,
    /// The way requests go (straight, a variable's proxy, the system's): failures are told
    /// apart with it.
    route: Arc<Route>,
}

impl Client {
    /// Takes the proxy from the variables as curl does ([`proxy::route_from_env`]: `https_proxy`,
    /// `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`, with `no_proxy` / `NO_PROXY`; lower case first)
    /// and gives it to reqwest, whose own reading of them is switched off. When none is set, on
    /// macOS and Windows reqwest's system proxy (the browser's) is left on. A proxy address that
    /// cannot be read is an error ([`NetworkError::ProxyAddress`]): the client does not go
    /// straight instead.
    ///
    /// Certificates are checked by the operating system's verifier (see [`tls_config`]), so a
    /// company root CA the browser trusts works here too. A request to this computer never
    /// goes through a proxy (a test server or tunnel must not hand the token to one), and
    /// plain http is allowed only to this computer ([`ApiBase::parse`]).
    pub fn new(base: ApiBase, timeouts: Timeouts) -> Result<Client, NetworkError> {
        let tls = tls_config().map_err(|_| NetworkError::NoTrustedCertificates { host: base.host() })?;
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls((*tls).clone())
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("bitbucket-setup-assistant/", env!("CARGO_PKG_VERSION")))
            .https_only(false);
        let route = proxy::route_from_env(&base.join(&[])).map_err(|e| NetworkError::ProxyAddress {
            set_in: e.var.to_string(),
            shown: e.shown,
            why: e.why.to_string(),
        })?;
        builder = match &route {
            Route::Direct(_) => builder.no_proxy(),
            Route::Env(p) => {
                let unusable = || NetworkError::ProxyAddress { set_in: p.var.to_string(), shown: p.shown(), why: "it is not a proxy address".into() };
                builder.no_proxy().proxy(reqwest::Proxy::all(p.url()).map_err(|_| unusable())?)
            }
            // reqwest's default: the system's settings (macOS, Windows). No variable that
            // applies is set, so its reading of them finds none either.
            Route::System => builder,
        };
        let connects = Arc::new(tokio::sync::watch::Sender::new(Connects::default()));
        builder = builder.connector_layer(WatchConnects { connects: connects.clone() });
        let http = builder.build().map_err(|_| NetworkError::Other { host: base.host() })?;
        Ok(Client { http, base, timeouts, connects, route: Arc::new(route) })
    }

    /// How many new connections the client is opening now (DNS, TCP, proxy tunnel, TLS). A
    /// request that found a pooled connection opens none.
    pub fn opening_connections(&self) -> usize {
        self.connects.borrow().opening
    }

    /// Whether the last connection the client tried to open failed (nothing was sent on it).
    pub fn last_connect_failed(&self) -> bool {
        self.connects.borrow().last_failed
    }

    /// Resolves when no connection is being opened. Requests sent then find the new one in
    /// the pool and share it over HTTP/2, where requests sent together on a new client would
    /// each open their own: the pool learns that the server speaks HTTP/2 only when the TLS
    /// handshake ends.
    pub async fn connections_opened(&self) {
        let mut seen = self.connects.subscribe();
        // The sender lives as long as `self`, so this cannot fail while we wait.
        let _ = seen.wait_for(|c| c.opening == 0).await;
    }

    /// Opens the connection to the API (DNS, TCP, TLS) without sending any credential, so a
    /// check that follows costs one round trip: a GET of the API's root with no
    /// Authorization header. Any HTTP answer means the connection is up.
    pub async fn preconnect(&self) -> Result<(), NetworkError> {
        let url = self.base.join(&[]);
        self.http.get(url).send().await.map(|_| ()).map_err(|e| self.classify(&e))
    }

    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    /// The way this client's requests go.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// GET `base/segments…` with the credential. Never follows redirects; reads at most
    /// [`MAX_BODY_BYTES`] of the body.
    pub async fn get(
        &self,
        segments: &[&str],
        credential: Option<&Credential>,
    ) -> Result<ProbeResponse, NetworkError> {
        self.get_query(segments, &[], credential).await
    }

    /// [`get`](Self::get) with a query string (for example Bitbucket's `q` filter), each pair
    /// form-encoded.
    pub async fn get_query(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        credential: Option<&Credential>,
    ) -> Result<ProbeResponse, NetworkError> {
        let mut url = self.base.join(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.http.get(url).header("Accept", "application/json");
        if let Some(credential) = credential {
            let value = credential.authorization();
            let mut header = HeaderValue::from_str(value.as_str())
                .map_err(|_| NetworkError::Other { host: self.base.host() })?;
            header.set_sensitive(true);
            request = request.header(AUTHORIZATION, header);
        }
        let response = request.send().await.map_err(|e| self.classify(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut out = read_headers(status, &headers);
        let is_json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.to_ascii_lowercase().contains("json"))
            .unwrap_or(false);
        let (bytes, problem) = match read_body(response).await {
            Ok(bytes) => (bytes, None),
            Err(BodyRead::TooLarge) => (Vec::new(), Some(BodyProblem::TooLarge)),
            Err(BodyRead::Failed(e)) => {
                // A body that never ends or trickles past the deadline is a timeout.
                let err = self.classify(&e);
                if matches!(err, NetworkError::Timeout { .. }) {
                    return Err(err);
                }
                (Vec::new(), Some(BodyProblem::Incomplete))
            }
        };
        out.body_problem = problem;
        if problem.is_none() && !bytes.is_empty() {
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(value) => {
                    read_error_body(&value, &mut out);
                    out.json = Some(value);
                    if !is_json {
                        // Parsed fine; the content type was odd. Keep the JSON.
                    }
                }
                Err(_) if is_json => out.body_problem = Some(BodyProblem::MalformedJson),
                Err(_) => out.body_problem = Some(BodyProblem::NotJson),
            }
        }
        Ok(out)
    }

    fn classify(&self, err: &reqwest::Error) -> NetworkError {
        let host = err
            .url()
            .and_then(|u| u.host_str())
            .map(str::to_string)
            .unwrap_or_else(|| self.base.host());
        let chain = error_chain(err);
        let lower = chain.to_ascii_lowercase();
        let io_kind = io_error_kind(err);
        if let Some(e) = self.proxy_failure(&host, &lower, io_kind) {
            return e;
        }
        if err.is_timeout() {
            return NetworkError::Timeout { host, seconds: self.timeouts.request.as_secs().max(1) };
        }
        if matches!(io_kind, Some(std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable))
            || lower.contains("network is unreachable")
            || lower.contains("no route to host")
        {
            NetworkError::Offline { host }
        } else if lower.contains("dns error") || lower.contains("failed to lookup address") || lower.contains("name or service not known") {
            NetworkError::Dns { host }
        } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            NetworkError::Tls { host }
        } else if self.route.via_proxy() && err.is_connect() {
            NetworkError::Proxy
        } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) || lower.contains("connection refused") {
            NetworkError::Refused { host }
        } else if io_kind == Some(std::io::ErrorKind::TimedOut) {
            NetworkError::Timeout { host, seconds: self.timeouts.request.as_secs().max(1) }
        } else if matches!(
            io_kind,
            Some(std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::UnexpectedEof)
        ) || lower.contains("connection reset")
            || lower.contains("connection closed")
            || lower.contains("incomplete message")
        {
            NetworkError::Reset { host }
        } else {
            NetworkError::Other { host }
        }
    }

    /// A failure of the proxy itself, read from the error's causes (hyper-util's tunnel and
    /// SOCKS errors, whose texts are all they expose): the tunnel's connection to the proxy,
    /// its answer to CONNECT (407, or any other refusal), or the SOCKS handshake.
    fn proxy_failure(&self, host: &str, lower: &str, io_kind: Option<std::io::ErrorKind>) -> Option<NetworkError> {
        let (proxy, set_in, has_credentials) = match &*self.route {
            Route::Env(p) => (p.shown(), p.var.to_string(), p.has_credentials),
            Route::System => (String::new(), SYSTEM_SETTINGS.to_string(), false),
            Route::Direct(_) => return None,
        };
        let host = host.to_string();
        let unreachable = || {
            if io_kind == Some(std::io::ErrorKind::ConnectionRefused) || lower.contains("connection refused") {
                "nothing accepts connections at that address and port (connection refused)"
            } else if lower.contains("dns error") || lower.contains("failed to lookup address") || lower.contains("name or service not known") {
                "its name could not be found (DNS)"
            } else if io_kind == Some(std::io::ErrorKind::TimedOut) || lower.contains("timed out") {
                "it did not answer"
            } else if matches!(io_kind, Some(std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable)) {
                "there is no network route to it"
            } else {
                "the connection to it failed"
            }
            .to_string()
        };
        if lower.contains("tunnel error") {
            return Some(if lower.contains("proxy authorization required") {
                if has_credentials {
                    NetworkError::ProxyAuthRejected { host, proxy, set_in }
                } else {
                    NetworkError::ProxyAuth { host, proxy, set_in }
                }
            } else if lower.contains("failed to create underlying connection") {
                NetworkError::ProxyDown { proxy, set_in, why: unreachable() }
            } else {
                NetworkError::ProxyRefused { host, proxy, set_in }
            });
        }
        if lower.contains("socks") {
            let why = if lower.contains("error resolving for socks proxy") {
                // socks5:// and socks4:// look the host up here, before asking the proxy.
                return Some(NetworkError::Dns { host });
            } else if lower.contains("failed to create underlying connection") {
                "the proxy could not be reached (check its host and port)".to_string()
            } else if lower.contains("credentials not accepted") {
                "the proxy did not accept the user name and password given".to_string()
            } else if lower.contains("authentication") || lower.contains("auth") {
                if has_credentials {
                    "the proxy does not take a user name and password the way it was given".to_string()
                } else {
                    "the proxy asks for a user name and password (put them in the address: socks5h://USER:PASSWORD@HOST:PORT)".to_string()
                }
            } else if lower.contains("refused") || lower.contains("not allowed") || lower.contains("unreachable") || lower.contains("failure") {
                format!("the proxy did not connect to {host}")
            } else {
                "the proxy's answer was not understood (is it a SOCKS proxy?)".to_string()
            };
            return Some(NetworkError::Socks { host, proxy, set_in, why });
        }
        None
    }
}

/// The connector's state, as [`WatchConnects`] sees it.
#[derive(Debug, Clone, Copy, Default)]
struct Connects {
    opening: usize,
    last_failed: bool,
}

/// A connector layer that tells the [`Client`] when connections are being opened and how
/// they ended. The connector's future ends after the TCP connection, any proxy tunnel and
/// the TLS handshake (ALPN included), so the pool learns the protocol right after.
#[derive(Clone)]
struct WatchConnects {
    connects: Arc<tokio::sync::watch::Sender<Connects>>,
}

impl<S> tower_layer::Layer<S> for WatchConnects {
    type Service = WatchConnectsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        WatchConnectsService { inner, connects: self.connects.clone() }
    }
}

#[derive(Clone)]
struct WatchConnectsService<S> {
    inner: S,
    connects: Arc<tokio::sync::watch::Sender<Connects>>,
}

impl<S, R> tower_service::Service<R> for WatchConnectsService<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        /// Counts the attempt as ended however its future ends, dropped included.
        struct Opening {
            connects: Arc<tokio::sync::watch::Sender<Connects>>,
            failed: bool,
        }
        impl Drop for Opening {
            fn drop(&mut self) {
                let failed = self.failed;
                self.connects.send_modify(|c| {
                    c.opening = c.opening.saturating_sub(1);
                    c.last_failed = failed;
                });
            }
        }
        self.connects.send_modify(|c| c.opening += 1);
        let mut opening = Opening { connects: self.connects.clone(), failed: true };
        let connecting = self.inner.call(request);
        Box::pin(async move {
            let connection = connecting.await;
            opening.failed = connection.is_err();
            drop(opening);
            connection
        })
    }
}

/// The TLS settings of every client: rustls with the platform's verifier (the system store
/// on Linux, honouring `SSL_CERT_FILE` and `SSL_CERT_DIR`; Security.framework on macOS;
/// CryptoAPI on Windows), HTTP/2 offered first. Built once: loading the system store reads
/// every certificate in it.
///
/// Why `rustls-platform-verifier` and not reqwest's `rustls-tls-native-roots`: native roots
/// copies the store's root certificates into rustls once and then verifies with webpki, which
/// on macOS and Windows is not what the browser does (trust settings an admin or IT set per
/// certificate, intermediates Windows fetches itself, revocation, roots added while the app
/// runs). The platform verifier asks the system's own verifier there, so the app trusts
/// exactly what the browser, git and curl trust; on Linux both read the same bundle. Both
/// keep rustls (no OpenSSL); gh and Git Credential Manager make the same choice.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    static CONFIG: std::sync::OnceLock<Result<Arc<rustls::ClientConfig>, rustls::Error>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_platform_verifier()?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(Arc::new(config))
        })
        .clone()
}

/// The messages of an error and its causes. reqwest errors carry the URL, which never
/// holds a secret (the credential travels in a header only).
fn error_chain(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn io_error_kind(err: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

enum BodyRead {
    TooLarge,
    Failed(reqwest::Error),
}

async fn read_body(response: reqwest::Response) -> Result<Vec<u8>, BodyRead> {
    if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(BodyRead::TooLarge);
    }
    let mut stream = response.bytes_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(BodyRead::Failed)?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyRead::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(","))
    }
}

fn read_headers(status: u16, headers: &HeaderMap) -> ProbeResponse {
    ProbeResponse {
        status,
        credential_type: header_text(headers, "x-credential-type")
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty()),
        oauth_scopes: header_text(headers, "x-oauth-scopes").map(|v| scopes::parse_header(&v)),
        accepted_scopes: header_text(headers, "x-accepted-oauth-scopes")
            .map(|v| scopes::parse_header(&v)),
        retry_after: header_text(headers, "retry-after").and_then(|v| v.trim().parse().ok()),
        location: header_text(headers, "location"),
        ..ProbeResponse::default()
    }
}

/// Reads `{"type":"error","error":{"message":…,"detail":{"required":[…],"granted":[…]}}}`.
/// `detail` may also be a plain string.
fn read_error_body(value: &serde_json::Value, out: &mut ProbeResponse) {
    let Some(error) = value.get("error") else { return };
    out.error_message = error
        .get("message")
        .and_then(|m| m.as_str())
        .map(|m| crate::safe_text::clip(m, 500));
    if let Some(detail) = error.get("detail") {
        let list = |key: &str| -> Vec<String> {
            detail
                .get(key)
                .and_then(|v| v.as_array())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|s| s.as_str())
                        .map(|s| s.trim().to_ascii_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        out.required = list("required");
        out.granted = list("granted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_address_is_never_repeated_with_its_password() {
        for raw in ["https://user:hunter2@[bad", "hunter2@nowhere", "https://u:hunter2@exa mple.com/2.0"] {
            let e = ApiBase::parse(raw).unwrap_err();
            assert!(!e.to_string().contains("hunter2"), "{raw}: {e}");
            assert!(e.to_string().ends_with("Bitbucket Cloud's API address is https://api.bitbucket.org/2.0, the one used when none is given."), "{e}");
        }
        let e = ApiBase::parse("https://ok.example\u{1b}[2J").unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
    }

    #[test]
    fn api_base_rules() {
        assert!(ApiBase::parse("https://api.bitbucket.org/2.0").is_ok());
        assert!(ApiBase::parse("https://tunnel.example.com/bitbucket/2.0/").is_ok());
        assert!(ApiBase::parse("http://127.0.0.1:8080/2.0").is_ok());
        assert!(ApiBase::parse("http://localhost:1/2.0").is_ok());
        assert!(ApiBase::parse("http://[::1]:9/2.0").is_ok());
        assert_eq!(ApiBase::parse("http://api.bitbucket.org/2.0"), Err(ApiBaseError::NotHttps));
        assert_eq!(ApiBase::parse("http://10.0.0.1/2.0"), Err(ApiBaseError::NotHttps));
        assert_eq!(ApiBase::parse("ftp://x/"), Err(ApiBaseError::NotHttps));
        assert_eq!(ApiBase::parse(""), Err(ApiBaseError::Empty));
        assert!(matches!(ApiBase::parse("api.bitbucket.org"), Err(ApiBaseError::NotAUrl(_))));
        assert_eq!(ApiBase::parse("https://u:p@api.bitbucket.org/2.0"), Err(ApiBaseError::HasExtras));
        assert_eq!(ApiBase::parse("https://api.bitbucket.org/2.0?x=1"), Err(ApiBaseError::HasExtras));
    }

    #[test]
    fn join_encodes_each_segment() {
        let base = ApiBase::parse("https://api.bitbucket.org/2.0/").unwrap();
        let url = base.join(&["repositories", "{abc-123}", "my.repo"]);
        assert_eq!(url.as_str(), "https://api.bitbucket.org/2.0/repositories/%7Babc-123%7D/my.repo");
        let url = base.join(&["repositories", "a/b"]);
        assert_eq!(url.as_str(), "https://api.bitbucket.org/2.0/repositories/a%2Fb");
    }

    #[test]
    fn error_body_is_read() {
        let body = serde_json::json!({"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["account"],"granted":["team"]}}});
        let mut out = ProbeResponse::default();
        read_error_body(&body, &mut out);
        assert_eq!(out.required, vec!["account"]);
        assert_eq!(out.granted, vec!["team"]);
        assert!(out.error_message.unwrap().contains("privilege scopes"));
        let body = serde_json::json!({"type":"error","error":{"message":"x","detail":"plain text"}});
        let mut out = ProbeResponse::default();
        read_error_body(&body, &mut out);
        assert!(out.required.is_empty());
    }
}
