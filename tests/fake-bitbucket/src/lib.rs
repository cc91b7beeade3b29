//! A stateful fake of Bitbucket Cloud's REST API 2.0, for tests, benchmarks and offline demos.
//!
//! It is an independent model of Bitbucket (it does not depend on the app crate, so the app's
//! tests are not circular). Its rules follow what Atlassian documents, written down with the
//! sources in `docs/bitbucket-behaviour.md` ("What Atlassian documents") and `docs/scopes.md`,
//! and the committed extract of Atlassian's OpenAPI spec (`tests/data/bitbucket-spec-extract.json`):
//!
//! * every operation of the spec is routed; scopes are enforced from the extract (access tokens
//!   against the old-style `oauth2` list with the old-style implications, API tokens against the
//!   new-style list with no implications);
//! * every answer for a recognised credential carries `x-credential-type`, `x-oauth-scopes` and
//!   `x-accepted-oauth-scopes` (errors included); access tokens also get the rate-limit headers;
//! * reads of the modelled resources answer with bodies that follow the spec's schemas; other
//!   GETs of the spec answer an empty page or 404; writes are never modelled (501), but they are
//!   recorded, so a test can assert the app never wrote;
//! * [`Fault`]s inject the network and server failures a client must survive.
//!
//! Behaviour the real service was not seen to have is marked UNCONFIRMED in the code; each
//! point a verdict could depend on is a switch of [`Behaviour`], so tests can run in every
//! plausible Bitbucket.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = fake_bitbucket::FakeBitbucket::start().await?;
//! fake.seed_demo();
//! let url = format!("{}/repositories/acme/website", fake.base_url());
//! // GET url with `Authorization: Bearer {fake_bitbucket::demo::SQAI_READY}` ...
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub use behaviour::Behaviour;

pub mod behaviour;
pub mod demo;
pub mod git_http;
mod ids;
pub mod live;
mod model;
pub mod proxy;
pub mod replay;
mod server;
pub mod spec;
pub mod transcript;

/// A repository of the fake world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRepo {
    /// Workspace slug (created with its slug as name if not added before).
    pub workspace: String,
    pub slug: String,
    pub name: String,
    pub private: bool,
    pub main_branch: String,
    /// Project key, e.g. `"WEB"`.
    pub project: Option<String>,
}

impl FakeRepo {
    /// A private repository named like its slug, main branch `main`, no project.
    pub fn new(workspace: &str, slug: &str) -> FakeRepo {
        FakeRepo {
            workspace: workspace.to_owned(),
            slug: slug.to_owned(),
            name: slug.to_owned(),
            private: true,
            main_branch: "main".to_owned(),
            project: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    RepositoryAccessToken,
    ProjectAccessToken,
    WorkspaceAccessToken,
    ApiToken,
    AppPassword,
}

impl TokenKind {
    /// The `x-credential-type` value Bitbucket sends for this kind (app passwords: UNCONFIRMED,
    /// possibly `apikey`; they are never accepted by the fake anyway).
    pub fn credential_type(self) -> &'static str {
        match self {
            TokenKind::RepositoryAccessToken => "repo_access_token",
            TokenKind::ProjectAccessToken => "project_access_token",
            TokenKind::WorkspaceAccessToken => "workspace_access_token",
            TokenKind::ApiToken => "api_token",
            TokenKind::AppPassword => "apikey",
        }
    }

    pub fn is_access_token(self) -> bool {
        matches!(
            self,
            TokenKind::RepositoryAccessToken
                | TokenKind::ProjectAccessToken
                | TokenKind::WorkspaceAccessToken
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
    /// An API token created without scopes ("Create API token" instead of "Create API token with
    /// scopes"). It fails like a bad token (401), but the fake still sends
    /// `x-credential-type: api_token` and an empty `x-oauth-scopes` (UNCONFIRMED real behaviour).
    Unscoped,
}

/// The permission of the account behind an API token (or app password) on the repositories it
/// reaches: Bitbucket's `read`, `write` or `admin` (`GET /user/workspaces/{ws}/permissions/
/// repositories`). Managing webhooks needs `admin`: the spec's webhooks endpoints answer 403 "if
/// the authenticated user does not have permission to access the webhooks", whatever scopes the
/// token holds. Access tokens have no account; their scopes decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccountRole {
    Read,
    Write,
    #[default]
    Admin,
}

impl AccountRole {
    pub fn name(self) -> &'static str {
        match self {
            AccountRole::Read => "read",
            AccountRole::Write => "write",
            AccountRole::Admin => "admin",
        }
    }
}

/// A credential the fake knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeToken {
    pub secret: String,
    pub kind: TokenKind,
    /// Access tokens: old-style names (`repository:write`); API tokens: new-style names
    /// (`read:repository:bitbucket`, `read:account`, `read:me`). Sent back in `x-oauth-scopes`
    /// exactly as listed here (only what was granted, no implications added).
    pub scopes: Vec<String>,
    /// The workspace the token lives in (API tokens and workspace tokens reach all of it).
    pub workspace: String,
    /// Project key, for project access tokens.
    pub project: Option<String>,
    /// Repository slug, for repository access tokens.
    pub repository: Option<String>,
    /// API tokens: the Atlassian account email that must go with it in Basic auth.
    pub email: Option<String>,
    /// App passwords: the Bitbucket username.
    pub username: Option<String>,
    pub display_name: String,
    pub state: TokenState,
    /// API tokens and app passwords: the account's permission on the repositories it reaches.
    pub role: AccountRole,
}

impl FakeToken {
    fn base(secret: &str, kind: TokenKind, workspace: &str, scopes: &[&str]) -> FakeToken {
        FakeToken {
            secret: secret.to_owned(),
            kind,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            workspace: workspace.to_owned(),
            project: None,
            repository: None,
            email: None,
            username: None,
            display_name: String::new(),
            state: TokenState::Active,
            role: AccountRole::Admin,
        }
    }

    /// A repository access token (old-style scopes) for `workspace/repo`.
    pub fn repository(secret: &str, workspace: &str, repo: &str, scopes: &[&str]) -> FakeToken {
        let mut t = Self::base(secret, TokenKind::RepositoryAccessToken, workspace, scopes);
        t.repository = Some(repo.to_owned());
        t.display_name = format!("{repo} access token");
        t
    }

    /// A project access token (old-style scopes) for the project `project_key` of `workspace`.
    pub fn project(secret: &str, workspace: &str, project_key: &str, scopes: &[&str]) -> FakeToken {
        let mut t = Self::base(secret, TokenKind::ProjectAccessToken, workspace, scopes);
        t.project = Some(project_key.to_owned());
        t.display_name = format!("{project_key} access token");
        t
    }

    /// A workspace access token (old-style scopes).
    pub fn workspace(secret: &str, workspace: &str, scopes: &[&str]) -> FakeToken {
        let mut t = Self::base(secret, TokenKind::WorkspaceAccessToken, workspace, scopes);
        t.display_name = format!("{workspace} access token");
        t
    }

    /// An API token with scopes (new-style names), used with Basic `email:token`.
    pub fn api(secret: &str, email: &str, workspace: &str, scopes: &[&str]) -> FakeToken {
        let mut t = Self::base(secret, TokenKind::ApiToken, workspace, scopes);
        t.email = Some(email.to_owned());
        t.display_name = email.split('@').next().unwrap_or(email).to_owned();
        if scopes.is_empty() {
            t.state = TokenState::Unscoped;
        }
        t
    }

    /// A (retired) app password of Bitbucket user `username`.
    pub fn app_password(secret: &str, username: &str, workspace: &str, scopes: &[&str]) -> FakeToken {
        let mut t = Self::base(secret, TokenKind::AppPassword, workspace, scopes);
        t.username = Some(username.to_owned());
        t.display_name = username.to_owned();
        t
    }

    pub fn with_state(mut self, state: TokenState) -> FakeToken {
        self.state = state;
        self
    }

    /// The account behind the token has `role` on its repositories (not admin: webhooks are
    /// refused with 403 whatever the token's scopes).
    pub fn with_role(mut self, role: AccountRole) -> FakeToken {
        self.role = role;
        self
    }

    pub fn with_display_name(mut self, name: &str) -> FakeToken {
        self.display_name = name.to_owned();
        self
    }
}

/// One request the fake received. The credential itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path as sent, without the query string (e.g. `/2.0/repositories/acme/website`).
    pub path: String,
    /// The scheme word of the Authorization header only, as sent (`"Bearer"`, `"Basic"`, ...).
    /// A header without a recognisable scheme word (e.g. a bare token) is stored as
    /// `"(no scheme)"`, so that no secret can end up here.
    pub auth: Option<String>,
    pub at: Instant,
    /// The display name of the credential the fake recognised (never the secret), so a test
    /// running many checks at once can tell whose request this was.
    pub credential: Option<String>,
    /// The switches of the world the answer depended on (see [`behaviour::Switch`]).
    pub consulted: Vec<behaviour::Switch>,
}

/// A failure to inject. See [`FakeBitbucket::set_fault`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Added before answering normally.
    Latency(Duration),
    /// 429, `text/plain` "Rate limit for this resource has been exceeded", with `Retry-After`
    /// only when given (none was observed on the real service). Credential headers kept.
    RateLimited { retry_after: Option<u32> },
    /// The status with a Bitbucket-style JSON error body. 4xx and 500 keep the credential headers
    /// (Bitbucket answered); 502/503/504 drop them (a gateway answered).
    Status(u16),
    /// The status with a `Location` header and an empty body, no credential headers.
    Redirect { status: u16, location: String },
    /// The TCP connection is dropped with RST (SO_LINGER 0) before any response.
    ConnectionReset,
    /// Never answers (until the client gives up or the fake stops).
    HangBeforeHeaders,
    /// Headers of the normal answer at once, then its body in 10 pieces, `chunk_every` apart
    /// (chunked, no Content-Length).
    SlowBody { chunk_every: Duration },
    /// 200 with JSON headers, then an endless body (1 KiB every 10 ms).
    BodyNeverEnds,
    /// 200 with a JSON body of exactly `bytes` bytes (chunked, no Content-Length), streamed fast.
    HugeBody { bytes: usize },
    /// 200 with the normal headers (credential headers included, `application/json`) but a
    /// truncated, unparsable JSON body.
    MalformedJson,
    /// The normal answer without `x-credential-type`, `x-oauth-scopes`, `x-accepted-oauth-scopes`.
    MissingHeaders,
    /// 200 `text/html` (a login or proxy page), no credential headers.
    WrongContentType,
    /// The normal answer with odd spacing and case in the credential headers, e.g.
    /// `x-oauth-scopes: "  Repository , PULLREQUEST:write,"`, `x-credential-type:
    /// " REPO_ACCESS_TOKEN "`.
    OddHeaderSpacing,
}

/// How much a 403 "lack one or more required privilege scopes" tells in `error.detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DetailMode {
    /// `required`: every scope the endpoint needs; `granted`: the token's scopes.
    #[default]
    All,
    /// `required`: only the first missing scope (as Bitbucket sometimes does).
    FirstOnly,
    /// No `detail` at all.
    None,
}

#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub slug: String,
    pub name: String,
    pub uuid: String,
}

#[derive(Default)]
pub(crate) struct World {
    pub workspaces: Vec<Workspace>,
    pub repos: Vec<FakeRepo>,
    pub tokens: Vec<FakeToken>,
    pub global_fault: Option<Fault>,
    pub path_faults: Vec<(String, Fault)>,
    pub requests: Vec<RecordedRequest>,
    pub detail_mode: DetailMode,
    pub behaviour: Behaviour,
    /// When set, every request is answered from this recording instead of the model.
    pub replay: Option<Arc<transcript::Transcript>>,
}

/// Kept so that a long benchmark cannot grow memory without bound; `request_count` still counts.
const MAX_RECORDED: usize = 1_000_000;

pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub addr: SocketAddr,
    pub count: AtomicUsize,
    pub verbose: AtomicBool,
    /// Serving TLS (base URL https).
    pub tls: AtomicBool,
    /// The host name in the base URL (default: the address).
    pub host: Mutex<Option<String>>,
    /// Connections accepted so far.
    pub connections: AtomicUsize,
    /// Added before a new connection is served (a handshake's round trips).
    pub connect_delay: Mutex<Duration>,
    /// Changes (errors) when the server stops: hanging answers and connections end then.
    pub stop: watch::Receiver<()>,
}

impl Shared {
    pub fn world(&self) -> MutexGuard<'_, World> {
        // A panic elsewhere must not take the fake down: use the data as it is.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn base_url(&self) -> String {
        let scheme = if self.tls.load(Ordering::SeqCst) { "https" } else { "http" };
        match self.host.lock().unwrap_or_else(|e| e.into_inner()).as_deref() {
            Some(host) => format!("{scheme}://{host}:{}/2.0", self.addr.port()),
            None => format!("{scheme}://{}/2.0", self.addr),
        }
    }

    /// Records a request; its index among the recorded ones, if it was kept.
    pub fn record(&self, r: RecordedRequest) -> Option<usize> {
        self.count.fetch_add(1, Ordering::SeqCst);
        let mut w = self.world();
        if w.requests.len() < MAX_RECORDED {
            w.requests.push(r);
            Some(w.requests.len() - 1)
        } else {
            None
        }
    }

    pub fn fault_for(&self, path: &str) -> Option<Fault> {
        let w = self.world();
        w.path_faults
            .iter()
            .rev()
            .find(|(p, _)| path.contains(p.as_str()))
            .map(|(_, f)| f.clone())
            .or_else(|| w.global_fault.clone())
    }
}

struct Guard {
    _stop: watch::Sender<()>,
}

/// A running fake Bitbucket Cloud on 127.0.0.1. Clones share the same server; the server stops
/// when the last clone is dropped.
#[derive(Clone)]
pub struct FakeBitbucket {
    shared: Arc<Shared>,
    _guard: Arc<Guard>,
}

impl std::fmt::Debug for FakeBitbucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeBitbucket").field("addr", &self.shared.addr).finish()
    }
}

impl FakeBitbucket {
    fn make(addr: SocketAddr) -> (FakeBitbucket, watch::Receiver<()>) {
        let (tx, rx) = watch::channel(());
        let shared = Arc::new(Shared {
            world: Mutex::new(World::default()),
            addr,
            count: AtomicUsize::new(0),
            verbose: AtomicBool::new(false),
            tls: AtomicBool::new(false),
            host: Mutex::new(None),
            connections: AtomicUsize::new(0),
            connect_delay: Mutex::new(Duration::ZERO),
            stop: rx.clone(),
        });
        (FakeBitbucket { shared, _guard: Arc::new(Guard { _stop: tx }) }, rx)
    }

    /// Binds 127.0.0.1 on a free port and serves on the current tokio runtime.
    pub async fn start() -> std::io::Result<FakeBitbucket> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (fake, stop) = Self::make(addr);
        tokio::spawn(server::serve(listener, fake.shared.clone(), stop, None));
        Ok(fake)
    }

    /// Like [`start`](Self::start), but speaking TLS with a self-signed certificate, which
    /// no client that checks certificates accepts: for "TLS failure" tests. Its base URL is
    /// `https://127.0.0.1:PORT/2.0`.
    pub async fn start_tls_self_signed() -> std::io::Result<FakeBitbucket> {
        let acceptor = server::self_signed_acceptor()?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (fake, stop) = Self::make(addr);
        fake.shared.tls.store(true, Ordering::SeqCst);
        tokio::spawn(server::serve(listener, fake.shared.clone(), stop, Some(acceptor)));
        Ok(fake)
    }

    /// Like [`start`](Self::start), speaking TLS (HTTP/2 or 1.1) with a certificate for `names`
    /// signed by a fresh root CA, as a company that inspects TLS issues them. Returns the root
    /// as PEM: a test trusts it through `SSL_CERT_FILE`, or not. The base URL names the first
    /// of `names` (use a proxy, or `localhost`, to reach it).
    pub async fn start_tls_with_root(names: &[&str]) -> std::io::Result<(FakeBitbucket, String)> {
        let (acceptor, root_pem) = server::root_signed_acceptor(names)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (fake, stop) = Self::make(addr);
        fake.shared.tls.store(true, Ordering::SeqCst);
        *fake.shared.host.lock().unwrap_or_else(|e| e.into_inner()) = names.first().map(|n| n.to_string());
        tokio::spawn(server::serve(listener, fake.shared.clone(), stop, Some(acceptor)));
        Ok((fake, root_pem))
    }

    /// Binds 127.0.0.1 on a free port and serves from its own multi-thread runtime on a
    /// background thread: for synchronous tests and command-line tools.
    pub fn start_in_background() -> std::io::Result<FakeBitbucket> {
        Self::start_in_background_on(0)
    }

    /// Like [`start_in_background`](Self::start_in_background), on the given port (0: any).
    pub fn start_in_background_on(port: u16) -> std::io::Result<FakeBitbucket> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (fake, stop) = Self::make(addr);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fake-bitbucket")
            .enable_all()
            .build()?;
        let shared = fake.shared.clone();
        std::thread::Builder::new()
            .name("fake-bitbucket".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(listener) => server::serve(listener, shared, stop, None).await,
                        Err(e) => eprintln!("fake-bitbucket: cannot listen: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(500));
            })?;
        Ok(fake)
    }

    /// `http://127.0.0.1:PORT/2.0`
    pub fn base_url(&self) -> String {
        self.shared.base_url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Adds a workspace, or renames it if it exists.
    pub fn add_workspace(&self, slug: &str, name: &str) {
        let mut w = self.shared.world();
        if let Some(ws) = w.workspaces.iter_mut().find(|ws| ws.slug == slug) {
            ws.name = name.to_owned();
        } else {
            w.workspaces.push(Workspace {
                slug: slug.to_owned(),
                name: name.to_owned(),
                uuid: ids::uuid(&format!("workspace:{slug}")),
            });
        }
    }

    /// Adds (or replaces) a repository; its workspace is created if missing.
    pub fn add_repository(&self, repo: FakeRepo) {
        let mut w = self.shared.world();
        if !w.workspaces.iter().any(|ws| ws.slug == repo.workspace) {
            let slug = repo.workspace.clone();
            w.workspaces.push(Workspace {
                uuid: ids::uuid(&format!("workspace:{slug}")),
                name: slug.clone(),
                slug,
            });
        }
        w.repos.retain(|r| !(r.workspace == repo.workspace && r.slug == repo.slug));
        w.repos.push(repo);
    }

    /// Adds (or replaces, by secret) a credential.
    pub fn add_token(&self, token: FakeToken) {
        let mut w = self.shared.world();
        w.tokens.retain(|t| t.secret != token.secret);
        w.tokens.push(token);
    }

    /// Changes the state of a known credential (e.g. revoke it mid-test). False if unknown.
    pub fn set_token_state(&self, secret: &str, state: TokenState) -> bool {
        let mut w = self.shared.world();
        match w.tokens.iter_mut().find(|t| t.secret == secret) {
            Some(t) => {
                t.state = state;
                true
            }
            None => false,
        }
    }

    /// Forgets a credential (it then fails like a bad one).
    pub fn remove_token(&self, secret: &str) {
        self.shared.world().tokens.retain(|t| t.secret != secret);
    }

    /// Applies `fault` to every request (a path fault set with
    /// [`set_fault_for`](Self::set_fault_for) wins where it matches).
    pub fn set_fault(&self, fault: Fault) {
        self.shared.world().global_fault = Some(fault);
    }

    /// Applies `fault` to requests whose path (e.g. `/2.0/user`) contains `path_contains`.
    /// Setting the same `path_contains` again replaces it; the latest matching one wins.
    pub fn set_fault_for(&self, path_contains: &str, fault: Fault) {
        let mut w = self.shared.world();
        w.path_faults.retain(|(p, _)| p != path_contains);
        w.path_faults.push((path_contains.to_owned(), fault));
    }

    pub fn clear_faults(&self) {
        let mut w = self.shared.world();
        w.global_fault = None;
        w.path_faults.clear();
    }

    pub fn set_detail_mode(&self, mode: DetailMode) {
        self.shared.world().detail_mode = mode;
    }

    /// Makes the fake behave as one plausible Bitbucket (see [`behaviour`]).
    pub fn set_behaviour(&self, b: Behaviour) {
        self.shared.world().behaviour = b;
    }

    pub fn behaviour(&self) -> Behaviour {
        self.shared.world().behaviour
    }

    /// Answers every request from `transcript` from now on (see [`replay`]): a recording of
    /// a real Bitbucket becomes the server the app talks to.
    pub fn replay(&self, transcript: transcript::Transcript) {
        self.shared.world().replay = Some(Arc::new(transcript));
    }

    /// Prints one line per request on stderr (used by the binary).
    pub fn set_verbose(&self, on: bool) {
        self.shared.verbose.store(on, Ordering::SeqCst);
    }

    /// The requests received so far (up to the first million), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.world().requests.clone()
    }

    pub fn request_count(&self) -> usize {
        self.shared.count.load(Ordering::SeqCst)
    }

    /// The connections accepted so far (a client that reuses one opens fewer).
    pub fn connection_count(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits `delay` before serving each new connection: the round trips of a real TCP and TLS
    /// handshake, for the benchmarks.
    pub fn set_connect_delay(&self, delay: Duration) {
        *self.shared.connect_delay.lock().unwrap_or_else(|e| e.into_inner()) = delay;
    }

    pub fn reset_requests(&self) {
        let mut w = self.shared.world();
        w.requests.clear();
        self.shared.count.store(0, Ordering::SeqCst);
    }

    /// The standard world of [`demo`]: workspaces `acme` and `other-co`, their repositories and
    /// one credential of every kind and state (see the constants in [`demo`]).
    pub fn seed_demo(&self) {
        for (slug, name) in demo::WORKSPACES {
            self.add_workspace(slug, name);
        }
        for repo in demo::repositories() {
            self.add_repository(repo);
        }
        for token in demo::tokens() {
            self.add_token(token);
        }
    }
}
