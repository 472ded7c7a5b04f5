//! Running the HTTP server: bind, serve until a shutdown signal, then drain and flush.

use std::future::Future;
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
    trusted_proxies: Vec<crate::http::client_ip::Cidr>,
    limits: crate::connections::Limits,
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
    let trusted = crate::http::client_ip::TrustedProxies(trusted_proxies.into());
    let app = crate::http::router(Arc::clone(&svc)).layer(axum::Extension(trusted));
    let server = crate::connections::serve(listener, app, limits, async move {
        shutdown.await;
        tracing::info!("shutting down: draining in-flight requests");
        let _ = drain_tx.send(());
    });
    let server = tokio::spawn(server);
    tokio::pin!(server);
    let outcome = tokio::select! {
        r = &mut server => r.map(Ok::<(), anyhow::Error>),
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

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this
/// is *called*, not when the future is first polled: call it before announcing the address,
/// so a signal sent the moment a supervisor sees `listening on` still stops the server
/// gracefully instead of killing it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (int, term) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        );
        async move {
            match (int, term) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {},
                        _ = term.recv() => {},
                    }
                }
                // Without handlers there is nothing to wait for; the default actions apply.
                _ => std::future::pending::<()>().await,
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
