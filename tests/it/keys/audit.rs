//! The audit log: each admin action leaves one entry naming who (agent or key), when
//! and what, by ids only; `GET /api/audit` pages it by cursor, for admins only.

use serde_json::{Value, json};

use super::{create_key, get};
use crate::harness::{TestServer, http};

fn actions(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_string())
        .collect()
}

#[test]
fn admin_actions_are_audited_by_ids_only() {
    let server = TestServer::start_with(|c| c.allow_private_webhooks = true);
    let admin = server.admin();
    let (key_id, key) = create_key(&server, &admin, "admin", None);
    let (agent, _) = server.agent(&admin, "Bea Secretname", None);
    let patch = json!({"disabled": true, "email": "bea@private.example"});
    let path = format!("/api/agents/{agent}");
    assert_eq!(http(server.addr, "PATCH", &path, Some(&key), &patch).0, 200);
    let (status, settings) = get(&server, "/api/settings", &admin);
    assert_eq!(status, 200);
    assert_eq!(
        http(server.addr, "PUT", "/api/settings", Some(&admin), &settings).0,
        200
    );
    let hook =
        json!({"url": "http://127.0.0.1:9/hook", "events": ["message.visitor"], "description": ""});
    let (status, created) = http(server.addr, "POST", "/api/webhooks", Some(&admin), &hook);
    assert_eq!(status, 201, "{created}");
    let webhook = created["id"].as_u64().expect("id");
    let path = format!("/api/webhooks/{webhook}");
    assert_eq!(
        http(
            server.addr,
            "PATCH",
            &path,
            Some(&admin),
            &json!({"disabled": true})
        )
        .0,
        200
    );
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&admin), &json!(null)).0,
        200
    );
    let path = format!("/api/keys/{key_id}");
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&admin), &json!(null)).0,
        204
    );
    // Refused actions leave nothing.
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&admin), &json!(null)).0,
        404
    );

    let (status, page) = get(&server, "/api/audit", &admin);
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        actions(&page),
        [
            "key.revoked",
            "webhook.deleted",
            "webhook.changed",
            "webhook.created",
            "settings.changed",
            "agent.changed",
            "agent.created",
            "key.created",
        ]
    );
    let entries = page["entries"].as_array().expect("entries");
    let changed = &entries[5];
    assert_eq!(changed["actor"], json!({"kind": "key", "id": key_id}));
    assert_eq!(
        changed["target"],
        json!({"agent": agent, "fields": ["disabled", "email"]})
    );
    assert_eq!(entries[6]["target"], json!({"agent": agent}));
    assert_eq!(entries[7]["target"], json!({"key": key_id}));
    assert_eq!(entries[3]["target"], json!({"webhook": webhook}));
    assert_eq!(entries[0]["actor"]["kind"], "agent");
    let text = page.to_string();
    assert!(
        !text.contains("Secretname") && !text.contains("private.example"),
        "{text}"
    );
}

#[test]
fn the_audit_log_is_paged_for_admins_only() {
    let server = TestServer::start();
    let admin = server.admin();
    for _ in 0..5 {
        create_key(&server, &admin, "read", None);
    }
    let mut seen = Vec::new();
    let mut path = "/api/audit?limit=2".to_string();
    loop {
        let (status, page) = get(&server, &path, &admin);
        assert_eq!(status, 200, "{page}");
        let entries = page["entries"].as_array().expect("entries");
        assert!(entries.len() <= 2);
        seen.extend(
            entries
                .iter()
                .map(|e| e["target"]["key"].as_u64().expect("key")),
        );
        match page["next_before"].as_u64() {
            Some(next) => path = format!("/api/audit?limit=2&before={next}"),
            None => break,
        }
    }
    assert_eq!(seen, [5, 4, 3, 2, 1]);
    let (_, agent) = server.agent(&admin, "bea", None);
    assert_eq!(get(&server, "/api/audit", &agent).0, 403);
    let (_, read) = create_key(&server, &admin, "read", None);
    assert_eq!(get(&server, "/api/audit", &read).0, 403);
}

#[test]
fn canned_replies_and_faq_changes_are_audited_by_ids_only() {
    let server = TestServer::start();
    let admin = server.admin();
    let (key_id, key) = create_key(&server, &admin, "admin", None);
    let reply = json!({"shortcut": "hours", "text": "Open 9-17, Secretly"});
    let (status, created) = http(server.addr, "POST", "/api/canned", Some(&admin), &reply);
    assert_eq!(status, 201, "{created}");
    let canned = created["id"].as_u64().expect("id");
    let path = format!("/api/canned/{canned}");
    assert_eq!(http(server.addr, "PUT", &path, Some(&key), &reply).0, 200);
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&admin), &json!(null)).0,
        200
    );
    let entry = json!({"questions": ["When are you open?"], "answer": "Secretly 9-17"});
    let (status, saved) = http(server.addr, "POST", "/api/faq", Some(&key), &entry);
    assert_eq!(status, 201, "{saved}");
    let faq = saved["id"].as_u64().expect("id");
    let path = format!("/api/faq/{faq}");
    assert_eq!(http(server.addr, "PUT", &path, Some(&admin), &entry).0, 200);
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&key), &json!(null)).0,
        200
    );
    // A refused change leaves nothing.
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&key), &json!(null)).0,
        404
    );

    let (_, page) = get(&server, "/api/audit?limit=6", &admin);
    assert_eq!(
        actions(&page),
        [
            "faq.deleted",
            "faq.changed",
            "faq.created",
            "canned.deleted",
            "canned.changed",
            "canned.created"
        ]
    );
    let targets: Vec<&Value> = page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["target"])
        .collect();
    assert_eq!(targets[0], &json!({"faq": faq}));
    assert_eq!(
        targets[2],
        &json!({"faq": faq}),
        "the created id is filled in"
    );
    assert_eq!(targets[5], &json!({"canned": canned}));
    let key_actor = json!({"kind": "key", "id": key_id});
    assert_eq!(page["entries"][0]["actor"], key_actor);
    assert_eq!(page["entries"][4]["actor"], key_actor);
    assert!(!page.to_string().contains("Secretly"), "{page}");
}
