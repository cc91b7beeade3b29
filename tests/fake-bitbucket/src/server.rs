//! The accept loop. Connections are accepted here (not by `axum::serve`) so that a request can
//! ask for its connection to be reset: the connection task then sets SO_LINGER 0 and closes the
//! socket, which sends a TCP RST before any response byte.

use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

use crate::Shared;

/// Put into every request's extensions: lets a handler reset its own connection.
#[derive(Clone)]
pub(crate) struct ConnCtl {
    pub reset: Arc<Notify>,
}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<()>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let router: Router = Router::new()
        .fallback(crate::model::handle)
        .with_state(shared.clone());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match &tls {
                    None => {
                        tokio::spawn(connection(stream, router.clone(), stop.clone()));
                    }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        let (router, stop) = (router.clone(), stop.clone());
                        tokio::spawn(async move {
                            // A client that refuses the certificate ends the handshake here.
                            if let Ok(Ok(tls_stream)) =
                                tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                            {
                                serve_io(TokioIo::new(tls_stream), None, router, stop).await;
                            }
                        });
                    }
                },
                // e.g. too many open files: wait a little instead of spinning
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = stop.changed() => break,
        }
    }
}

async fn connection(stream: TcpStream, router: Router, stop: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    // A second descriptor of the same socket: hyper owns `stream`, we keep this one to set
    // SO_LINGER 0 before the last descriptor closes.
    let dup = socket2::SockRef::from(&stream).try_clone().ok();
    serve_io(TokioIo::new(stream), dup, router, stop).await;
}

async fn serve_io<I>(io: TokioIo<I>, dup: Option<socket2::Socket>, router: Router, mut stop: watch::Receiver<()>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let reset = Arc::new(Notify::new());
    let service = TowerToHyperService::new(router.layer(Extension(ConnCtl { reset: reset.clone() })));
    let builder = Builder::new(TokioExecutor::new());
    let mut conn = Box::pin(builder.serve_connection_with_upgrades(io, service));
    let mut do_reset = false;
    tokio::select! {
        biased;
        _ = reset.notified() => do_reset = true,
        _ = conn.as_mut() => {},
        _ = stop.changed() => {},
    }
    if do_reset {
        if let Some(sock) = &dup {
            let _ = sock.set_linger(Some(Duration::ZERO));
        }
    }
    // Drop hyper's connection (closing its descriptor) and then ours: the last close sends the
    // RST when linger is 0, an orderly FIN otherwise.
    drop(conn);
    drop(dup);
}

/// A TLS acceptor with a fresh self-signed certificate for 127.0.0.1 and localhost: clients
/// that check certificates (as the app does) must refuse it.
pub(crate) fn self_signed_acceptor() -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use tokio_rustls::rustls;
    let other = |e: String| std::io::Error::other(e);
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .map_err(|e| other(e.to_string()))?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| other(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .map_err(|e| other(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
