//! A company proxy on 127.0.0.1, for tests: it tunnels `CONNECT` requests to one address (the
//! fake Bitbucket, whatever host name the client asked for), or refuses them with 407 (proxy
//! authentication required) or 403, and answers any plain-HTTP proxy request with 502. It keeps
//! every byte it received, so a test can prove a secret never reached it in clear text.

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
}

/// One request the proxy got: the request line (`CONNECT host:443 HTTP/1.1`, `GET http://…`).
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
        Ok(Proxy { addr, log, _stop: tx, _thread: thread })
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY` and friends.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
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
        ProxyMode::Tunnel(to) => to,
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
