//! Accepting connections with the limits `axum::serve` lacks (it gives hyper no timer):
//!
//! * a **header-read timeout**: a client that has not sent a whole request head within
//!   [`Limits::header_read`] is disconnected. hyper restarts this timer whenever a
//!   keep-alive connection waits for its next request, so it is also the idle timeout: a
//!   connection that sends nothing for that long is closed;
//! * a **cap on concurrent connections**: at [`Limits::max_connections`] the server stops
//!   accepting (new clients wait in the kernel's backlog) and says so once in the log, so a
//!   few hundred trickling sockets cannot exhaust file descriptors or memory.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Connection limits, with production defaults.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            // Well under the usual soft limit of 1024 open files, leaving room for the
            // database and logs.
            max_connections: 512,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and returns
/// once every open connection has finished its in-flight request (the caller bounds that).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    // HTTP/1.1 only: the API's clients speak it, and sniffing for HTTP/2 (hyper-util's `auto`
    // builder) waits for the client's first bytes with no timeout at all.
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "connection limit reached; new connections wait until one closes"
                );
                tokio::select! {
                    p = Arc::clone(&permits).acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service =
            TowerToHyperService::new(app.clone().layer(axum::Extension(ConnectInfo(peer))));
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
