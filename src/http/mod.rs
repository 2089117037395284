//! HTTP on smol with hyper: the accept loop and the route table. WebSocket upgrades are
//! handed to [`crate::ws`]; account endpoints live in [`api`].

mod admin;
mod api;
pub mod assets;
mod faq;
mod health;
mod inbox;
pub mod reply;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_lite::future;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use smol::net::TcpListener;
use smol_hyper::rt::{FuturesIo, SmolTimer};

use crate::app::App;
use crate::metrics;
use crate::protocol::ErrorCode;
use crate::tls::Tls;
use reply::{Body, error_response, text};

/// Accepts connections until `stop` is signalled (or closed); with `tls`, each one is
/// a TLS handshake first (HTTPS and WSS on the same port).
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    tls: Option<Tls>,
    stop: async_channel::Receiver<()>,
) {
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
        let _ = stream.set_nodelay(true);
        let conn_app = app.clone();
        let tls = tls.clone();
        app.spawn(async move {
            match tls {
                None => serve_connection(conn_app, peer, stream).await,
                Some(tls) => match tls.handshake(stream).await {
                    Ok(stream) => serve_connection(conn_app, peer, stream).await,
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
        async move { Ok::<_, Infallible>(route(&app, peer, req).await) }
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

/// The route table.
async fn route(app: &Arc<App>, peer: SocketAddr, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    match (req.method().clone(), path.as_str()) {
        (Method::GET, "/healthz") => health::healthz(app),
        (Method::GET, "/metrics") => {
            text(StatusCode::OK, metrics::CONTENT_TYPE, app.metrics.render())
        }
        (Method::GET, "/ws") => crate::ws::upgrade(app, peer.ip(), req),
        (Method::POST, "/api/setup") => api::setup(app, req).await,
        (Method::POST, "/api/login") => api::login(app, peer.ip(), req).await,
        (Method::POST, "/api/logout") => api::logout(app, req).await,
        (Method::GET, "/api/agents") => api::list_agents(app, req).await,
        (Method::POST, "/api/agents") => api::create(app, req).await,
        (Method::GET, "/api/setup") => inbox::setup_needed(app),
        (Method::GET, "/api/widget") => inbox::widget(app, &req),
        (Method::GET, "/api/me") => inbox::me(app, req).await,
        (Method::GET, "/api/conversations") => inbox::conversations(app, req).await,
        (Method::GET, "/api/canned") => inbox::canned(app, req).await,
        (Method::POST, "/api/canned") => admin::save_canned(app, req, None).await,
        (Method::GET, "/api/settings") => admin::get_settings(app, req).await,
        (Method::PUT, "/api/settings") => admin::put_settings(app, req).await,
        (Method::GET, "/api/faq") => faq::list(app, req).await,
        (Method::POST, "/api/faq") => faq::save(app, req, None).await,
        (Method::POST, "/api/faq/try") => faq::try_question(app, req).await,
        (method, path) if path.starts_with("/api/") => with_id(app, method, path, req).await,
        (Method::GET, "/") => assets::redirect("/console/"),
        (Method::GET, "/console" | "/demo") => assets::redirect(if path == "/demo" {
            "/demo/"
        } else {
            "/console/"
        }),
        (Method::GET | Method::HEAD, _) => assets::serve(&path)
            .unwrap_or_else(|| error_response(ErrorCode::NotFound, "no such page")),
        _ => error_response(ErrorCode::NotFound, "no such page"),
    }
}

/// Routes `/api/<collection>/<id>`.
async fn with_id(
    app: &Arc<App>,
    method: Method,
    path: &str,
    req: Request<Incoming>,
) -> Response<Body> {
    let mut parts = path.trim_start_matches("/api/").splitn(2, '/');
    let (collection, id) = (
        parts.next().unwrap_or_default(),
        parts.next().and_then(|id| id.parse::<u64>().ok()),
    );
    let Some(id) = id else {
        return error_response(ErrorCode::NotFound, "no such endpoint");
    };
    match (method, collection) {
        (Method::GET, "visitors") => inbox::visitor(app, req, id).await,
        (Method::PATCH, "agents") => admin::patch_agent(app, req, id).await,
        (Method::PUT, "canned") => admin::save_canned(app, req, Some(id)).await,
        (Method::DELETE, "canned") => admin::delete_canned(app, req, id).await,
        (Method::PUT, "faq") => faq::save(app, req, Some(id)).await,
        (Method::DELETE, "faq") => faq::delete(app, req, id).await,
        _ => error_response(ErrorCode::NotFound, "no such endpoint"),
    }
}
