//! A company proxy on 127.0.0.1, for tests: it tunnels `CONNECT` requests to one address (the
//! fake Bitbucket, whatever host name the client asked for: `api.bitbucket.test` resolves
//! nowhere else), or refuses them with 407 (proxy authentication required) or 403, or tunnels
//! them only with the right user name and password; and answers any plain-HTTP proxy request
//! with 502. Or it is a SOCKS5 proxy (RFC 1928, with RFC 1929 user name and password when
//! asked) that connects every request to that one address. It keeps every byte it received,
//! so a test can prove a secret never reached it in clear text.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does with a `CONNECT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// Tunnel it to this address.
    Tunnel(SocketAddr),
    /// 407 Proxy Authentication Required.
    NeedsAuth,
    /// 403 Forbidden.
    Refuse,
    /// Tunnel it to this address when `Proxy-Authorization` holds Basic `user:password`;
    /// 407 otherwise.
    Login { user: &'static str, password: &'static str, to: SocketAddr },
    /// A SOCKS5 proxy connecting every request to this address; with `login`, it asks for
    /// that user name and password (and refuses others), else for none.
    Socks5 { to: SocketAddr, login: Option<(&'static str, &'static str)> },
}

/// One request the proxy got: the request line (`CONNECT host:443 HTTP/1.1`, `GET http://…`);
/// for SOCKS5, `SOCKS5` and the `host:port` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRequest {
    pub method: String,
    pub target: String,
}

#[derive(Default)]
struct Log {
    requests: Vec<ProxyRequest>,
    /// Everything received from clients (request heads, and tunnelled bytes as they passed).
    bytes: Vec<u8>,
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    _stop: tokio::sync::oneshot::Sender<()>,
    _thread: std::thread::JoinHandle<()>,
    socks: bool,
}

impl Proxy {
    pub fn start(mode: ProxyMode) -> std::io::Result<Proxy> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Log::default()));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let state = log.clone();
        let thread = std::thread::Builder::new().name("test-proxy".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = TcpListener::from_std(listener) else { return };
                loop {
                    tokio::select! {
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                tokio::spawn(handle(stream, mode, state.clone()));
                            }
                        }
                        _ = &mut rx => break,
                    }
                }
            });
        })?;
        let socks = matches!(mode, ProxyMode::Socks5 { .. });
        Ok(Proxy { addr, log, _stop: tx, _thread: thread, socks })
    }

    /// `http://127.0.0.1:PORT` (a SOCKS5 proxy: `socks5h://127.0.0.1:PORT`), for `https_proxy`
    /// and friends.
    pub fn url(&self) -> String {
        let scheme = if self.socks { "socks5h" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// [`Proxy::url`] with a user name and password in it, percent-encoded.
    pub fn url_with_login(&self, user: &str, password: &str) -> String {
        use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
        let (scheme, rest) = self.url().split_once("://").map(|(s, r)| (s.to_string(), r.to_string())).unwrap_or_default();
        format!("{scheme}://{}:{}@{rest}", utf8_percent_encode(user, NON_ALPHANUMERIC), utf8_percent_encode(password, NON_ALPHANUMERIC))
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn requests(&self) -> Vec<ProxyRequest> {
        self.log.lock().map(|l| l.requests.clone()).unwrap_or_default()
    }

    /// Whether `needle` appears in anything the proxy received.
    pub fn received(&self, needle: &str) -> bool {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        !needle.is_empty() && log.bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    }
}

fn note(log: &Arc<Mutex<Log>>, bytes: &[u8]) {
    if let Ok(mut l) = log.lock() {
        l.bytes.extend_from_slice(bytes);
    }
}

async fn handle(mut client: TcpStream, mode: ProxyMode, log: Arc<Mutex<Log>>) {
    if let ProxyMode::Socks5 { to, login } = mode {
        if let Some(upstream) = socks5(&mut client, to, login, &log).await {
            relay(client, upstream, log).await;
        }
        return;
    }
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    note(&log, &head);
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut first = text.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (first.next().unwrap_or("").to_string(), first.next().unwrap_or("").to_string());
    if let Ok(mut l) = log.lock() {
        l.requests.push(ProxyRequest { method: method.clone(), target });
    }
    if method != "CONNECT" {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
        return;
    }
    let to = match mode {
        ProxyMode::NeedsAuth => {
            let _ = client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"Company proxy\"\r\nContent-Length: 0\r\n\r\n")
                .await;
            return;
        }
        ProxyMode::Refuse => {
            let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n").await;
            return;
        }
        ProxyMode::Login { user, password, to } => {
            use base64::Engine as _;
            let expected = format!("basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
            let given = text
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("proxy-authorization"))
                .map(|(_, value)| value.trim().to_string());
            // The scheme is case-insensitive, the credentials are not.
            let matches = given.as_deref().map(str::as_bytes).is_some_and(|g| {
                g.len() == expected.len() && g[..6].eq_ignore_ascii_case(b"basic ") && g[6..] == expected.as_bytes()[6..]
            });
            if !matches {
                let _ = client
                    .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"Company proxy\"\r\nContent-Length: 0\r\n\r\n")
                    .await;
                return;
            }
            to
        }
        ProxyMode::Tunnel(to) => to,
        ProxyMode::Socks5 { .. } => return,
    };
    let Ok(mut upstream) = TcpStream::connect(to).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n").await;
        return;
    };
    if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_err() {
        return;
    }
    // Bytes after the head already belong to the tunnel.
    if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
        let rest = &head[end + 4..];
        if !rest.is_empty() && upstream.write_all(rest).await.is_err() {
            return;
        }
    }
    relay(client, upstream, log).await;
}

/// Copies bytes both ways until either side closes, noting what the client sent.
async fn relay(client: TcpStream, upstream: TcpStream, log: Arc<Mutex<Log>>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut ur, mut uw) = upstream.into_split();
    let log2 = log.clone();
    let up = async move {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    note(&log2, &buf[..n]);
                    if uw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = uw.shutdown().await;
    };
    let down = async move {
        let _ = tokio::io::copy(&mut ur, &mut cw).await;
        let _ = cw.shutdown().await;
    };
    tokio::join!(up, down);
}

/// The SOCKS5 handshake (RFC 1928; RFC 1929 when `login` is set): greeting, method, then one
/// CONNECT, which is connected to `to` whatever address it names. The upstream connection,
/// when the handshake succeeded.
async fn socks5(client: &mut TcpStream, to: SocketAddr, login: Option<(&str, &str)>, log: &Arc<Mutex<Log>>) -> Option<TcpStream> {
    async fn read_n(client: &mut TcpStream, n: usize, log: &Arc<Mutex<Log>>) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; n];
        client.read_exact(&mut buf).await.ok()?;
        note(log, &buf);
        Some(buf)
    }
    let hello = read_n(client, 2, log).await?;
    if hello[0] != 5 {
        return None;
    }
    let methods = read_n(client, hello[1] as usize, log).await?;
    let wanted = if login.is_some() { 2u8 } else { 0u8 };
    if !methods.contains(&wanted) {
        let _ = client.write_all(&[5, 0xff]).await;
        return None;
    }
    client.write_all(&[5, wanted]).await.ok()?;
    if let Some((user, password)) = login {
        let version_len = read_n(client, 2, log).await?;
        let given_user = read_n(client, version_len[1] as usize, log).await?;
        let password_len = read_n(client, 1, log).await?;
        let given_password = read_n(client, password_len[0] as usize, log).await?;
        if given_user != user.as_bytes() || given_password != password.as_bytes() {
            let _ = client.write_all(&[1, 1]).await;
            return None;
        }
        client.write_all(&[1, 0]).await.ok()?;
    }
    let request = read_n(client, 4, log).await?;
    let host = match request[3] {
        1 => read_n(client, 4, log).await.map(|a| format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))?,
        3 => {
            let len = read_n(client, 1, log).await?;
            String::from_utf8_lossy(&read_n(client, len[0] as usize, log).await?).into_owned()
        }
        4 => read_n(client, 16, log).await.map(|a| {
            let octets: [u8; 16] = a.try_into().unwrap_or([0; 16]);
            format!("[{}]", std::net::Ipv6Addr::from(octets))
        })?,
        _ => return None,
    };
    let port = read_n(client, 2, log).await.map(|p| u16::from_be_bytes([p[0], p[1]]))?;
    if let Ok(mut l) = log.lock() {
        l.requests.push(ProxyRequest { method: "SOCKS5".into(), target: format!("{host}:{port}") });
    }
    // Command 1 is CONNECT; anything else: 7, command not supported.
    if request[1] != 1 {
        let _ = client.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]).await;
        return None;
    }
    let Ok(upstream) = TcpStream::connect(to).await else {
        // 5: connection refused.
        let _ = client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await;
        return None;
    };
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).await.ok()?;
    Some(upstream)
}
