//! The outbox's admin API: who may read it, and retrying what is not a given-up
//! delivery. (Deliveries themselves are tested with each sink: webhooks, email, push.)

use serde_json::json;

use crate::harness::{TestServer, http};

#[test]
fn only_admins_see_the_outbox() {
    let server = TestServer::start();
    let admin = server.admin();
    let (status, body) = http(
        server.addr,
        "GET",
        "/api/outbox",
        Some(&admin),
        &json!(null),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["pending"].as_i64(), body["failed"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(body["failures"], json!([]));
    let (_, agent) = server.agent(&admin, "sam", None);
    let (status, _) = http(
        server.addr,
        "GET",
        "/api/outbox",
        Some(&agent),
        &json!(null),
    );
    assert_eq!(status, 403);
    let (status, _) = http(server.addr, "GET", "/api/outbox", None, &json!(null));
    assert_eq!(status, 401);
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/outbox/failures/5/retry",
        Some(&agent),
        &json!({}),
    );
    assert_eq!(status, 403);
}

#[test]
fn retrying_something_that_did_not_fail_is_not_found() {
    let server = TestServer::start();
    let admin = server.admin();
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/outbox/failures/77/retry",
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, 404, "{body}");
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/v1/outbox/failures/x/retry",
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, 404);
}
