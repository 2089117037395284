//! A tiny blocking HTTP/1.1 client for the server's JSON API: first-run setup, logins
//! and agent accounts for the scenarios that need agents online.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

/// Name and password of the admin the load generator creates on a fresh server.
const ADMIN_NAME: &str = "bench-admin";
const ADMIN_PASSWORD: &str = "bench-admin-password";
/// Password of every bench agent.
const AGENT_PASSWORD: &str = "bench-agent-password";
/// How long one API request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One request; returns the status and the body text.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Result<(u16, String), String> {
    let fail = |e: std::io::Error| format!("{method} {path}: {e}");
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(fail)?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(fail)?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).map_err(fail)?;
    stream.write_all(body.as_bytes()).map_err(fail)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(fail)?;
    let response = String::from_utf8_lossy(&response);
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: no HTTP status in the answer"))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn post_json(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<(u16, Value), String> {
    let (status, text) = request(addr, "POST", path, token, &body.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Logs in and returns the session token.
pub fn login(addr: SocketAddr, name: &str, password: &str) -> Result<String, String> {
    let (status, body) = post_json(
        addr,
        "/api/login",
        None,
        &json!({"name": name, "password": password}),
    )?;
    match (status, body["token"].as_str()) {
        (200, Some(token)) => Ok(token.to_string()),
        _ => Err(format!("login as {name} answered {status}: {body}")),
    }
}

/// The admin's token: creates the admin with the one-time setup code in `data_dir` on
/// a fresh server, else logs in as the admin an earlier run created.
pub fn admin(addr: SocketAddr, data_dir: Option<&Path>) -> Result<String, String> {
    let code_file = data_dir.map(|d| d.join("setup-code.txt"));
    if let Some(code) = code_file.and_then(|f| std::fs::read_to_string(f).ok()) {
        let body = json!({"code": code.trim(), "name": ADMIN_NAME, "password": ADMIN_PASSWORD});
        let (status, answer) = post_json(addr, "/api/setup", None, &body)?;
        if status != 201 {
            return Err(format!("setup answered {status}: {answer}"));
        }
    }
    login(addr, ADMIN_NAME, ADMIN_PASSWORD).map_err(|e| {
        format!("{e} (on a fresh server pass --data with the server's data directory)")
    })
}

/// Creates agent `name` with `capacity` (or reuses it if it exists) and logs in.
pub fn agent(addr: SocketAddr, admin: &str, name: &str, capacity: u32) -> Result<String, String> {
    let body = json!({"name": name, "password": AGENT_PASSWORD, "capacity": capacity});
    let (status, answer) = post_json(addr, "/api/agents", Some(admin), &body)?;
    if status != 201 && status != 409 {
        return Err(format!("creating agent {name} answered {status}: {answer}"));
    }
    login(addr, name, AGENT_PASSWORD)
}

/// Registers `url` as a webhook endpoint for every event kind.
pub fn webhook(addr: SocketAddr, admin: &str, url: &str) -> Result<(), String> {
    let events: Vec<&str> = deskbell::outbox::EventKind::ALL
        .iter()
        .map(|k| k.name())
        .collect();
    let body = json!({"url": url, "events": events, "description": "deskbell-load"});
    let (status, answer) = post_json(addr, "/api/webhooks", Some(admin), &body)?;
    if status != 201 {
        return Err(format!("creating the webhook answered {status}: {answer}"));
    }
    println!("webhook: {url} registered as endpoint {}", answer["id"]);
    Ok(())
}
