//! The route table ([`super::router`]: which methods each path answers, for dispatch,
//! `OPTIONS`, 405 and `Allow`), the checks made once before dispatch ([`super::guard`]),
//! and the dispatch itself. Every `/api/X` is also `/api/v1/X`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::LazyLock;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::client::{self, ClientAddr};
use super::reply::{Body, BodyDeadline, error_response, text};
use super::router::{self, Found, Router};
use super::{
    admin, api, api_keys, assets, audit, csat, email_links, faq, files, guard, health, identity,
    inbox, key_guard, labels, openapi, outbox, profile, push, responder, search, upgrade, uploads,
    v1_actions, v1_conversations, v1_export, v1_reports, visitor_cards, visitor_email,
    visitor_erase, visitor_view, webhooks,
};
use crate::app::App;
use crate::metrics;
use crate::protocol::ErrorCode;
use v1_actions::Move;

/// Every endpoint the table knows; [`dispatch`] says which function answers each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Healthz,
    Metrics,
    Ws,
    Root,
    Console,
    Demo,
    SetupNeeded,
    Setup,
    Login,
    Logout,
    ListAgents,
    CreateAgent,
    PatchAgent,
    AgentAvatar,
    Widget,
    Me,
    PatchMe,
    TestEmail,
    Conversations,
    Search,
    Visitor,
    VisitorCards,
    ListCanned,
    CreateCanned,
    SaveCanned,
    DeleteCanned,
    GetCsat,
    PutCsat,
    ListLabels,
    CreateLabel,
    SaveLabel,
    DeleteLabel,
    GetSettings,
    PutSettings,
    GetResponder,
    PutResponder,
    ListFaq,
    CreateFaq,
    TryFaq,
    SaveFaq,
    DeleteFaq,
    OutboxStatus,
    OutboxRetry,
    VisitorConfirm,
    VisitorTranscript,
    VisitorResume,
    EmailConfirm,
    EmailUnsubscribe,
    ListWebhooks,
    CreateWebhook,
    PatchWebhook,
    DeleteWebhook,
    TestWebhook,
    WebhookDeliveries,
    Redeliver,
    PushKey,
    ListPush,
    Subscribe,
    Unsubscribe,
    Upload,
    ListIdentity,
    RotateIdentity,
    PatchIdentity,
    PatchVisitor,
    EraseVisitor,
    ListKeys,
    CreateKey,
    RevokeKey,
    Audit,
    Conversation,
    Export,
    Reports,
    OpenApi,
    PostMessage,
    Assign,
    Transfer,
    Close,
}

/// The route table, built once. Each `/api/…` route is also `/api/v1/…` ([`router::V1`]).
static ROUTES: LazyLock<Router<Endpoint>> = LazyLock::new(|| {
    use Endpoint::*;
    use Method as M;
    Router::new()
        .add(M::GET, "/healthz", Healthz)
        .add(M::GET, "/metrics", Metrics)
        .add(M::GET, "/ws", Ws)
        .add(M::GET, "/", Root)
        .add(M::GET, "/console", Console)
        .add(M::GET, "/demo", Demo)
        .add(M::GET, "/api/setup", SetupNeeded)
        .add(M::POST, "/api/setup", Setup)
        .add(M::POST, "/api/login", Login)
        .add(M::POST, "/api/logout", Logout)
        .add(M::GET, "/api/agents", ListAgents)
        .add(M::POST, "/api/agents", CreateAgent)
        .add(M::PATCH, "/api/agents/{id}", PatchAgent)
        .add(M::GET, "/api/agents/{id}/avatar", AgentAvatar)
        .add(M::GET, "/api/widget", Widget)
        .add(M::GET, "/api/me", Me)
        .add(M::PATCH, "/api/me", PatchMe)
        .add(M::POST, "/api/email/test", TestEmail)
        .add(M::GET, "/api/conversations", Conversations)
        .add(M::GET, "/api/search", Search)
        .add(M::GET, "/api/visitors/{id}", Visitor)
        .add(M::PATCH, "/api/visitors/{id}", PatchVisitor)
        .add(M::DELETE, "/api/visitors/{id}", EraseVisitor)
        .add(M::GET, "/api/visitors", VisitorCards)
        .add(M::GET, "/api/outbox", OutboxStatus)
        .add(M::POST, "/api/outbox/failures/{id}/retry", OutboxRetry)
        .add(M::GET, "/api/canned", ListCanned)
        .add(M::POST, "/api/canned", CreateCanned)
        .add(M::PUT, "/api/canned/{id}", SaveCanned)
        .add(M::DELETE, "/api/canned/{id}", DeleteCanned)
        .add(M::GET, "/api/csat", GetCsat)
        .add(M::PUT, "/api/csat", PutCsat)
        .add(M::GET, "/api/labels", ListLabels)
        .add(M::POST, "/api/labels", CreateLabel)
        .add(M::PUT, "/api/labels/{id}", SaveLabel)
        .add(M::DELETE, "/api/labels/{id}", DeleteLabel)
        .add(M::GET, "/api/settings", GetSettings)
        .add(M::PUT, "/api/settings", PutSettings)
        .add(M::GET, "/api/responder", GetResponder)
        .add(M::PUT, "/api/responder", PutResponder)
        .add(M::GET, "/api/faq", ListFaq)
        .add(M::POST, "/api/faq", CreateFaq)
        .add(M::POST, "/api/faq/try", TryFaq)
        .add(M::PUT, "/api/faq/{id}", SaveFaq)
        .add(M::DELETE, "/api/faq/{id}", DeleteFaq)
        .add(M::POST, "/api/visitor/confirm", VisitorConfirm)
        .add(M::POST, "/api/visitor/transcript", VisitorTranscript)
        .add(M::POST, "/api/visitor/resume", VisitorResume)
        .add(M::GET, "/email/confirm", EmailConfirm)
        .add(M::POST, "/email/confirm", EmailConfirm)
        .add(M::GET, "/email/unsubscribe", EmailUnsubscribe)
        .add(M::POST, "/email/unsubscribe", EmailUnsubscribe)
        .add(M::GET, "/api/webhooks", ListWebhooks)
        .add(M::POST, "/api/webhooks", CreateWebhook)
        .add(M::PATCH, "/api/webhooks/{id}", PatchWebhook)
        .add(M::DELETE, "/api/webhooks/{id}", DeleteWebhook)
        .add(M::POST, "/api/webhooks/{id}/test", TestWebhook)
        .add(M::GET, "/api/webhooks/{id}/deliveries", WebhookDeliveries)
        .add(
            M::POST,
            "/api/webhooks/{id}/deliveries/{id}/redeliver",
            Redeliver,
        )
        .add(M::GET, "/api/push/key", PushKey)
        .add(M::GET, "/api/push/subscriptions", ListPush)
        .add(M::POST, "/api/push/subscriptions", Subscribe)
        .add(M::DELETE, "/api/push/subscriptions/{id}", Unsubscribe)
        .add(M::POST, "/api/uploads", Upload)
        .add(M::GET, "/api/identity", ListIdentity)
        .add(M::POST, "/api/identity", RotateIdentity)
        .add(M::PATCH, "/api/identity", PatchIdentity)
        .add(M::GET, "/api/keys", ListKeys)
        .add(M::POST, "/api/keys", CreateKey)
        .add(M::DELETE, "/api/keys/{id}", RevokeKey)
        .add(M::GET, "/api/audit", Audit)
        .add(M::GET, "/api/conversations/{id}", Conversation)
        .add(M::GET, "/api/export", Export)
        .add(M::GET, "/api/reports", Reports)
        .add(M::GET, "/api/openapi.json", OpenApi)
        .add(M::POST, "/api/conversations/{id}/messages", PostMessage)
        .add(M::POST, "/api/conversations/{id}/assign", Assign)
        .add(M::POST, "/api/conversations/{id}/transfer", Transfer)
        .add(M::POST, "/api/conversations/{id}/close", Close)
});

/// The methods `path` answers, as an `Allow` value; None for an unknown path. Paths
/// outside the table are the embedded assets (GET and HEAD), never under `/api/`.
fn allowed_methods(path: &str) -> Option<String> {
    if let Some(allow) = ROUTES.allow(path) {
        return Some(allow);
    }
    if path.starts_with("/api/") {
        return None;
    }
    assets::find(path)?;
    Some("GET, HEAD".into())
}

fn with_allow(mut response: Response<Body>, allow: &str) -> Response<Body> {
    if let Ok(value) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// 405 naming the methods `path` answers, also in `Allow`.
fn method_not_allowed(path: &str, allow: &str) -> Response<Body> {
    let message = format!("{path} answers {allow} only");
    with_allow(error_response(ErrorCode::MethodNotAllowed, &message), allow)
}

/// `OPTIONS`: 204 with `Allow` and no CORS headers, except on `/api/widget`, which
/// any website's widget may read (a simple GET, so browsers do not need this answer;
/// it says the same as the GET's `Access-Control-Allow-Origin: *`).
fn options(path: &str) -> Response<Body> {
    let Some(allow) = allowed_methods(path) else {
        return error_response(ErrorCode::NotFound, "no such page");
    };
    let mut response = with_allow(Response::new(Body::default()), &allow);
    *response.status_mut() = StatusCode::NO_CONTENT;
    if router::unversioned(path) == "/api/widget" {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET"),
        );
    }
    response
}

/// Checks, then dispatches one request.
pub(super) async fn route(
    app: &Arc<App>,
    peer: SocketAddr,
    mut req: Request<Incoming>,
) -> Response<Body> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let unversioned = router::unversioned(&path).into_owned();
    if method == Method::OPTIONS {
        if unversioned == "/api/uploads" {
            return uploads::preflight(app, req.headers());
        }
        return options(&path);
    }
    if let Some(id) = unversioned.strip_prefix(files::PREFIX) {
        let client = client::resolve(peer.ip(), req.headers(), &app.config.trusted_proxies);
        return files::download(app, client, id, req).await;
    }
    let endpoint = match ROUTES.find(&method, &path) {
        Found::Handler(endpoint, ids) => Some((endpoint, ids)),
        Found::WrongMethod(allow) => return method_not_allowed(&path, &allow),
        Found::NoPath => match allowed_methods(&path) {
            None => return error_response(ErrorCode::NotFound, "no such page"),
            Some(_) if method == Method::GET || method == Method::HEAD => None,
            Some(allow) => return method_not_allowed(&path, &allow),
        },
    };
    if let Err(why) = guard::csrf(&app.config, &method, &path, req.headers()) {
        tracing::debug!(%peer, %method, path, "cross-site request refused");
        return error_response(ErrorCode::Forbidden, why);
    }
    let client = client::resolve(peer.ip(), req.headers(), &app.config.trusted_proxies);
    if client.untrusted_forwarding
        && !app
            .warned_untrusted_proxy
            .swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        // Once per run: the operator most likely forgot --trusted-proxy, and then every
        // per-address limit counts the proxy, i.e. the whole shop's visitors together.
        tracing::warn!(
            %peer,
            "requests carry forwarding headers from a peer that is not a --trusted-proxy: \
             per-address limits count that peer for all its clients; if it is your reverse \
             proxy, start deskbell with --trusted-proxy {}",
            peer.ip()
        );
    }
    match key_guard::check(app, &client, &method, &unversioned, req.headers()).await {
        Ok(Some(key)) => {
            req.extensions_mut().insert(key);
        }
        Ok(None) => {}
        Err(response) => return response,
    }
    req.extensions_mut()
        .insert(BodyDeadline(Duration::from_millis(
            app.config.body_timeout_ms,
        )));
    match endpoint {
        Some((endpoint, ids)) => dispatch(app, client, endpoint, &ids, req).await,
        None => assets::serve(&path)
            .unwrap_or_else(|| error_response(ErrorCode::NotFound, "no such page")),
    }
}

/// Calls the endpoint's function; `ids` are the path's `{id}` values in order (`id`,
/// the first, is 0 where there is none).
async fn dispatch(
    app: &Arc<App>,
    client: ClientAddr,
    endpoint: Endpoint,
    ids: &[u64],
    req: Request<Incoming>,
) -> Response<Body> {
    let id = ids.first().copied().unwrap_or(0);
    use Endpoint::*;
    match endpoint {
        Healthz => health::healthz(app),
        Metrics => {
            if guard::metrics_allowed(&app.config, &client, req.headers()) {
                text(StatusCode::OK, metrics::CONTENT_TYPE, app.metrics.render())
            } else {
                error_response(
                    ErrorCode::Forbidden,
                    "metrics are served to this machine only; see --metrics-allow and \
                     --metrics-token-file",
                )
            }
        }
        Ws => upgrade::upgrade(app, client.address, req),
        Root | Console => assets::redirect("/console/"),
        Demo => assets::redirect("/demo/"),
        SetupNeeded => inbox::setup_needed(app),
        Setup => api::setup(app, client.address, req).await,
        Login => api::login(app, client.address, req).await,
        Logout => api::logout(app, req).await,
        ListAgents => api::list_agents(app, req).await,
        CreateAgent => api::create(app, req).await,
        PatchAgent => admin::patch_agent(app, req, id).await,
        AgentAvatar => inbox::agent_avatar(app, id).await,
        Widget => inbox::widget(app, &req),
        Me => inbox::me(app, req).await,
        PatchMe => profile::patch_me(app, client.address, req).await,
        TestEmail => profile::test_email(app, req).await,
        Conversations => match req.extensions().get::<key_guard::KeyCaller>().cloned() {
            // The integrators' list (docs/API.md, "REST API v1"); sessions keep the
            // console's list of closed conversations.
            Some(key) => v1_conversations::list(app, req, &key).await,
            None => inbox::conversations(app, req).await,
        },
        Conversation => v1_conversations::get(app, req, id).await,
        Visitor => visitor_view::get(app, req, id).await,
        PostMessage => v1_actions::post_message(app, req, id).await,
        Assign => v1_actions::move_conversation(app, req, id, Move::Assign).await,
        Transfer => v1_actions::move_conversation(app, req, id, Move::Transfer).await,
        Close => v1_actions::move_conversation(app, req, id, Move::Close).await,
        Search => search::search(app, req).await,
        VisitorCards => visitor_cards::visitor_cards(app, req).await,
        ListCanned => inbox::canned(app, req).await,
        CreateCanned => admin::save_canned(app, req, None).await,
        SaveCanned => admin::save_canned(app, req, Some(id)).await,
        DeleteCanned => admin::delete_canned(app, req, id).await,
        GetCsat => csat::get(app, req).await,
        PutCsat => csat::put(app, req).await,
        ListLabels => labels::list(app, req).await,
        CreateLabel => labels::save(app, req, None).await,
        SaveLabel => labels::save(app, req, Some(id)).await,
        DeleteLabel => labels::delete(app, req, id).await,
        GetSettings => admin::get_settings(app, req).await,
        PutSettings => admin::put_settings(app, req).await,
        GetResponder => responder::get_responder(app, req).await,
        PutResponder => responder::put_responder(app, req).await,
        ListFaq => faq::list(app, req).await,
        CreateFaq => faq::save(app, req, None).await,
        TryFaq => faq::try_question(app, req).await,
        SaveFaq => faq::save(app, req, Some(id)).await,
        DeleteFaq => faq::delete(app, req, id).await,
        OutboxStatus => outbox::status(app, req).await,
        OutboxRetry => outbox::retry(app, req, id).await,
        VisitorConfirm => visitor_email::confirm(app, client.address, req).await,
        VisitorTranscript => visitor_email::transcript(app, client.address, req).await,
        VisitorResume => visitor_email::resume(app, req).await,
        EmailConfirm => email_links::confirm(app, req).await,
        EmailUnsubscribe => email_links::unsubscribe(app, req).await,
        ListWebhooks => webhooks::list(app, req).await,
        CreateWebhook => webhooks::create(app, req).await,
        PatchWebhook => webhooks::patch(app, req, id).await,
        DeleteWebhook => webhooks::delete(app, req, id).await,
        TestWebhook => webhooks::test(app, req, id).await,
        WebhookDeliveries => webhooks::deliveries(app, req, id).await,
        Redeliver => {
            let n = ids.get(1).copied().unwrap_or(0);
            webhooks::redeliver(app, req, id, n).await
        }
        PushKey => push::key(app, req).await,
        ListPush => push::list(app, req).await,
        Subscribe => push::subscribe(app, req).await,
        Unsubscribe => push::unsubscribe(app, req, id).await,
        ListIdentity => identity::list(app, req).await,
        RotateIdentity => identity::save(app, req, true).await,
        PatchIdentity => identity::save(app, req, false).await,
        PatchVisitor => identity::patch_visitor(app, req, id).await,
        EraseVisitor => visitor_erase::erase(app, req, id).await,
        Upload => uploads::upload(app, client, req).await,
        ListKeys => api_keys::list(app, req).await,
        CreateKey => api_keys::create(app, req).await,
        RevokeKey => api_keys::revoke(app, req, id).await,
        Audit => audit::list(app, req).await,
        Export => v1_export::export(app, req).await,
        Reports => v1_reports::report(app, req).await,
        OpenApi => openapi::serve(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists() {
        let allow = |path| allowed_methods(path);
        assert_eq!(allow("/api/agents").as_deref(), Some("GET, POST"));
        assert_eq!(allow("/api/v1/agents").as_deref(), Some("GET, POST"));
        assert_eq!(allow("/api/agents/7").as_deref(), Some("PATCH"));
        assert_eq!(allow("/api/agents/x"), None);
        assert_eq!(allow("/api/nothing"), None);
        assert_eq!(allow("/api/faq/try").as_deref(), Some("POST"));
        assert_eq!(allow("/api/faq/7").as_deref(), Some("PUT, DELETE"));
        assert_eq!(allow("/api/settings").as_deref(), Some("GET, PUT"));
        assert_eq!(allow("/api/webhooks/3").as_deref(), Some("PATCH, DELETE"));
        assert_eq!(allow("/api/webhooks/3/test").as_deref(), Some("POST"));
        let redeliver = "/api/v1/webhooks/3/deliveries/17/redeliver";
        assert_eq!(allow(redeliver).as_deref(), Some("POST"));
        let close = "/api/v1/conversations/3/close";
        assert_eq!(allow(close).as_deref(), Some("POST"));
        assert_eq!(
            allow("/api/conversations/3/messages").as_deref(),
            Some("POST")
        );
        assert_eq!(allow("/console/").as_deref(), Some("GET, HEAD"));
        assert_eq!(allow("/no-such-file"), None);
    }

    /// Routes answered before the table is consulted (their ids are not numbers).
    const OUTSIDE_THE_TABLE: [(&str, &str); 2] =
        [("GET", "/api/files/{id}"), ("HEAD", "/api/files/{id}")];

    #[test]
    fn every_route_is_documented_and_every_documented_path_is_a_route() {
        let documented = openapi::documented_routes();
        let table: Vec<(String, String)> = ROUTES
            .patterns()
            .map(|(method, pattern)| (method.to_string(), pattern.to_string()))
            .collect();
        let undocumented: Vec<_> = table.iter().filter(|r| !documented.contains(r)).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from docs/openapi.json: {undocumented:?}"
        );
        let unrouted: Vec<_> = documented
            .iter()
            .filter(|(method, path)| {
                let routed = table.contains(&(method.clone(), path.clone()))
                    || OUTSIDE_THE_TABLE.contains(&(method.as_str(), path.as_str()))
                    || (method == "GET" && assets::find(path).is_some());
                !routed
            })
            .collect();
        assert!(
            unrouted.is_empty(),
            "docs/openapi.json lists paths deskbell does not answer: {unrouted:?}"
        );
        assert!(files::PREFIX == "/api/files/", "the files route moved");
    }
}
