//! Running the HTTP server: bind, serve until a shutdown signal, then drain and flush.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::domain::{Service, Settings};
use crate::store::DynStore;

/// How long in-flight requests get to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `store` on `listener` until `shutdown` resolves; then stops accepting, lets in-flight
/// requests finish (up to [`DRAIN_TIMEOUT`]), flushes pending last-used times and leaves the
/// replica set.
pub async fn serve(
    store: DynStore,
    listener: TcpListener,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let svc = Service::new(store, settings);
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let flusher = tokio::spawn(Arc::clone(&svc.usage).run(
        svc.settings.usage_flush_interval,
        async move {
            // Resolves when the sender says stop or is dropped.
            let _ = stop_rx.wait_for(|stop| *stop).await;
        },
    ));
    let (drain_tx, drain_rx) = tokio::sync::oneshot::channel::<()>();
    let app =
        crate::http::router(Arc::clone(&svc)).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: draining in-flight requests");
        let _ = drain_tx.send(());
    });
    let server = tokio::spawn(async move { server.await });
    tokio::pin!(server);
    let outcome = tokio::select! {
        r = &mut server => r,
        () = async {
            let _ = drain_rx.await;
            tokio::time::sleep(DRAIN_TIMEOUT).await;
        } => {
            tracing::warn!("in-flight requests did not finish in time; closing them");
            server.abort();
            Ok(Ok(()))
        }
    };
    let _ = stop_tx.send(true);
    if let Err(e) = flusher.await {
        tracing::error!(error = %e, "last-used flusher failed");
    }
    // Serving is over: stop being a replica that changes elsewhere must wait for.
    if let Some(coherence) = svc.store.cache_coherence() {
        coherence.leave().await;
    }
    tracing::info!("stopped");
    outcome??;
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
