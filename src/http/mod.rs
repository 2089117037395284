//! HTTP on smol with hyper: the accept loop (with the per-address connection cap) and
//! each connection's HTTP/1.1 service. Requests go through `routes` (the table of
//! `router`); guards are in `session`, shared answers in [`reply`] and `views`;
//! endpoint files (`api`, `inbox`, `admin`, `faq`) import those, never each other.
//! WebSocket upgrades are answered by `upgrade`, which hands the connection to
//! [`crate::ws`] (and `ws` imports nothing from here).

mod admin;
mod agent_write;
mod api;
mod api_keys;
pub mod assets;
mod audit;
mod body;
pub mod client;
mod conversation_query;
mod csat;
mod email_links;
mod faq;
mod files;
pub mod guard;
mod health;
mod identity;
mod inbox;
mod key_guard;
mod labels;
pub mod limits;
mod openapi;
mod outbox;
mod profile;
mod push;
pub mod reply;
mod responder;
mod router;
mod routes;
mod search;
mod session;
mod upgrade;
mod uploads;
mod v1_actions;
mod v1_conversations;
mod v1_export;
mod v1_reports;
mod views;
mod visitor_access;
mod visitor_cards;
mod visitor_email;
mod visitor_erase;
mod visitor_view;
mod webhooks;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_lite::future;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use smol::net::TcpListener;
use smol_hyper::rt::{FuturesIo, SmolTimer};

use crate::app::App;
use crate::cidr::{any_contains, canonical};
use crate::tls::Tls;
use limits::{ConnectionCounts, Counted};

/// Accepts connections until `stop` is signalled (or closed); with `tls`, each one is
/// a TLS handshake first (HTTPS and WSS on the same port).
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    tls: Option<Tls>,
    stop: async_channel::Receiver<()>,
) {
    let counts = Arc::new(ConnectionCounts::default());
    loop {
        let accepted = future::or(async { Some(listener.accept().await) }, async {
            let _ = stop.recv().await;
            None
        })
        .await;
        let (stream, peer) = match accepted {
            Some(Ok(pair)) => pair,
            Some(Err(e)) => {
                // Typically out of file descriptors: wait a moment instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                smol::Timer::after(Duration::from_millis(50)).await;
                continue;
            }
            None => return,
        };
        // One address may hold only so many sockets (stalled bodies, idle upgrades);
        // a trusted proxy speaks for many clients and is not capped by its own address.
        let address = canonical(peer.ip());
        let slot = if any_contains(&app.config.trusted_proxies, address) {
            None
        } else {
            match counts.take(address, app.config.max_connections_per_address) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(%peer, "too many connections from one address: closed");
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let conn_app = app.clone();
        let tls = tls.clone();
        app.spawn(async move {
            match tls {
                None => serve_connection(conn_app, peer, Counted::new(stream, slot)).await,
                Some(tls) => match tls.handshake(stream).await {
                    Ok(stream) => {
                        serve_connection(conn_app, peer, Counted::new(stream, slot)).await
                    }
                    Err(e) => tracing::debug!(error = %e, %peer, "TLS handshake failed"),
                },
            }
        });
    }
}

/// Serves HTTP/1.1 (and WebSocket upgrades) on one connection, plain or TLS.
async fn serve_connection<S>(app: Arc<App>, peer: SocketAddr, stream: S)
where
    S: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let app = app.clone();
        async move {
            let mut response = routes::route(&app, peer, req).await;
            response.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            Ok::<_, Infallible>(response)
        }
    });
    let connection = http1::Builder::new()
        .timer(SmolTimer::new())
        .header_read_timeout(Duration::from_secs(20))
        .max_buf_size(64 * 1024)
        .serve_connection(FuturesIo::new(stream), service)
        .with_upgrades();
    if let Err(e) = connection.await {
        tracing::debug!(error = %e, %peer, "http connection ended with an error");
    }
}
