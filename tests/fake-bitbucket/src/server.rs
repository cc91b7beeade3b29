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
                Ok((stream, _)) => {
                    shared.connections.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // A new connection's set-up time (the network round trips of a TCP and TLS
                    // handshake), for the benchmarks.
                    let delay = *shared.connect_delay.lock().unwrap_or_else(|e| e.into_inner());
                    match &tls {
                    None => {
                        let (router, stop) = (router.clone(), stop.clone());
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            connection(stream, router, stop).await
                        });
                    }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        let (router, stop) = (router.clone(), stop.clone());
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            // As real servers do: without it, Nagle's algorithm holds an
                            // HTTP/2 answer's second frame for the client's delayed ACK (40 ms).
                            let _ = stream.set_nodelay(true);
                            // A client that refuses the certificate ends the handshake here.
                            if let Ok(Ok(tls_stream)) =
                                tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                            {
                                serve_io(TokioIo::new(tls_stream), None, router, stop).await;
                            }
                        });
                    }
                    }
                }
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
    acceptor(vec![cert.cert.der().clone()], key)
}

/// A TLS acceptor whose certificate (for `names`) is signed by a fresh root CA, as a company
/// that inspects TLS would issue one; and that root, as PEM, for a test to trust (or not).
pub(crate) fn root_signed_acceptor(names: &[&str]) -> std::io::Result<(tokio_rustls::TlsAcceptor, String)> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    use tokio_rustls::rustls;
    let other = |e: rcgen::Error| std::io::Error::other(e.to_string());
    let ca_key = KeyPair::generate().map_err(other)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca_params.distinguished_name.push(DnType::CommonName, "Fake Company Root CA (tests only)");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = ca_params.self_signed(&ca_key).map_err(other)?;
    let leaf_key = KeyPair::generate().map_err(other)?;
    let mut leaf_params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).map_err(other)?;
    leaf_params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("localhost"));
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let issuer = rcgen::Issuer::new(ca_params, &ca_key);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).map_err(other)?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let acceptor = acceptor(vec![leaf.der().clone(), ca.der().clone()], key)?;
    Ok((acceptor, ca.pem()))
}

fn acceptor(
    chain: Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>,
    key: tokio_rustls::rustls::pki_types::PrivateKeyDer<'static>,
) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use tokio_rustls::rustls;
    let other = |e: String| std::io::Error::other(e);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| other(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| other(e.to_string()))?;
    // HTTP/2 for clients that offer it, as Bitbucket's API does.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
