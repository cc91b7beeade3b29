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

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<()>) {
    let router: Router = Router::new()
        .fallback(crate::model::handle)
        .with_state(shared.clone());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(connection(stream, router.clone(), stop.clone()));
                }
                // e.g. too many open files: wait a little instead of spinning
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = stop.changed() => break,
        }
    }
}

async fn connection(stream: TcpStream, router: Router, mut stop: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    // A second descriptor of the same socket: hyper owns `stream`, we keep this one to set
    // SO_LINGER 0 before the last descriptor closes.
    let dup = socket2::SockRef::from(&stream).try_clone().ok();
    let reset = Arc::new(Notify::new());
    let service = TowerToHyperService::new(router.layer(Extension(ConnCtl { reset: reset.clone() })));
    let builder = Builder::new(TokioExecutor::new());
    let mut conn = Box::pin(builder.serve_connection_with_upgrades(TokioIo::new(stream), service));
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
