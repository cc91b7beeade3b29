//! A git server that checks credentials the way Bitbucket Cloud does over HTTPS, for tests
//! that run real git: smart HTTP on 127.0.0.1, served by `git http-backend` (the CGI program
//! that ships with git) behind HTTP Basic auth.
//!
//! Bitbucket takes `x-token-auth` with an access token, and `x-bitbucket-api-token-auth`
//! with an API token, as the user name and the token as the password; anything else gets
//! `401` with `WWW-Authenticate: Basic`, which is what makes git ask its credential helpers.
//! The server records who asked for what (never a password), so a test can check that git
//! really authenticated.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use tokio::io::AsyncWriteExt;

/// One request the git server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRequest {
    pub method: String,
    pub path: String,
    /// The Basic user name sent, if any (never the password).
    pub user: Option<String>,
    pub status: u16,
}

struct GitShared {
    root: PathBuf,
    accept: Vec<(String, String)>,
    log: Mutex<Vec<GitRequest>>,
}

/// A running git server. It stops when dropped.
pub struct GitServer {
    addr: SocketAddr,
    shared: Arc<GitShared>,
    _stop: tokio::sync::oneshot::Sender<()>,
    _thread: std::thread::JoinHandle<()>,
}

impl GitServer {
    /// Serves the bare repositories under `root` (`root/acme/website.git`) to the given
    /// (user name, password) pairs, on its own thread.
    pub fn start(root: &Path, accept: Vec<(String, String)>) -> std::io::Result<GitServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(GitShared { root: root.to_path_buf(), accept, log: Mutex::new(Vec::new()) });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let state = shared.clone();
        let thread = std::thread::Builder::new().name("git-http".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                let app = axum::Router::new().fallback(handle).with_state(state);
                let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                    let _ = rx.await;
                });
                let _ = serve.await;
            });
        })?;
        Ok(GitServer { addr, shared, _stop: tx, _thread: thread })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<GitRequest> {
        self.shared.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn unauthorized() -> Response {
    let mut r = Response::new(Body::from("Authentication required\n"));
    *r.status_mut() = StatusCode::UNAUTHORIZED;
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Bitbucket.org HTTP\""));
    r
}

async fn handle(State(shared): State<Arc<GitShared>>, req: Request) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let headers = req.headers().clone();
    let creds = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
    let user = creds.as_ref().map(|(u, _)| u.clone());
    let allowed = creds.as_ref().is_some_and(|(u, p)| shared.accept.iter().any(|(au, ap)| au == u && ap == p));
    let response = if !allowed {
        unauthorized()
    } else {
        let body = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024).await.unwrap_or_default();
        cgi(&shared.root, &method, &path, &query, &headers, user.as_deref().unwrap_or(""), &body).await
    };
    if let Ok(mut log) = shared.log.lock() {
        log.push(GitRequest { method, path, user, status: response.status().as_u16() });
    }
    response
}

/// Runs `git http-backend` for one request and turns its CGI output into a response.
async fn cgi(root: &Path, method: &str, path: &str, query: &str, headers: &axum::http::HeaderMap, user: &str, body: &[u8]) -> Response {
    let header = |name: &header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        .env("REQUEST_METHOD", method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header(&header::CONTENT_TYPE))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_USER", user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let encoding = header(&header::CONTENT_ENCODING);
    if !encoding.is_empty() {
        cmd.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if let Some(p) = headers.get("git-protocol").and_then(|v| v.to_str().ok()) {
        cmd.env("GIT_PROTOCOL", p);
    }
    let Ok(mut child) = cmd.spawn() else {
        return plain(500, "git http-backend could not start");
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(body).await;
    }
    let Ok(out) = child.wait_with_output().await else {
        return plain(500, "git http-backend failed");
    };
    let raw = out.stdout;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4)).or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((at, skip)) = split else {
        return plain(500, "git http-backend sent no headers");
    };
    let head = String::from_utf8_lossy(&raw[..at]).into_owned();
    let mut r = Response::new(Body::from(raw[at + skip..].to_vec()));
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value.split_whitespace().next().and_then(|c| c.parse().ok()).unwrap_or(500);
            *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        } else if let (Ok(n), Ok(v)) = (header::HeaderName::from_bytes(name.trim().as_bytes()), HeaderValue::from_str(value)) {
            r.headers_mut().append(n, v);
        }
    }
    r
}

fn plain(status: u16, text: &str) -> Response {
    let mut r = Response::new(Body::from(text.to_owned()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

/// Makes `root/WORKSPACE/REPO.git`, a bare repository with one commit on `main` (a README),
/// that accepts pushes over HTTP.
pub fn make_bare_repository(root: &Path, workspace: &str, repo: &str) -> std::io::Result<PathBuf> {
    let bare = root.join(workspace).join(format!("{repo}.git"));
    std::fs::create_dir_all(bare.parent().unwrap_or(root))?;
    let work = root.join(format!(".work-{workspace}-{repo}"));
    let git = |dir: &Path, args: &[&str]| -> std::io::Result<()> {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", root)
            .env("GIT_AUTHOR_NAME", "Fake Bitbucket")
            .env("GIT_AUTHOR_EMAIL", "fake@bitbucket.invalid")
            .env("GIT_COMMITTER_NAME", "Fake Bitbucket")
            .env("GIT_COMMITTER_EMAIL", "fake@bitbucket.invalid")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!("git {} failed", args.join(" "))))
        }
    };
    std::fs::create_dir_all(&work)?;
    git(&work, &["init", "-q", "-b", "main"])?;
    std::fs::write(work.join("README.md"), format!("# {repo}\n\nServed by the fake Bitbucket's git server.\n"))?;
    git(&work, &["add", "README.md"])?;
    git(&work, &["commit", "-q", "-m", "Initial commit"])?;
    let bare_str = bare.to_string_lossy().into_owned();
    git(&work, &["clone", "-q", "--bare", ".", &bare_str])?;
    git(&bare, &["config", "http.receivepack", "true"])?;
    std::fs::remove_dir_all(&work)?;
    Ok(bare)
}
