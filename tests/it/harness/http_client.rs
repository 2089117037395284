//! HTTP helpers for tests: blocking HTTP/1.1 requests over plain TCP to the JSON API
//! (or with any headers), and splitting a raw response into status, head and body.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use serde_json::Value;

use super::WAIT;

/// A blocking HTTP/1.1 request with a JSON body; returns status and parsed JSON.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let (status, text) = http_raw(addr, method, path, token, &body.to_string());
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A blocking HTTP/1.1 request; returns status and body text.
pub fn http_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    let (status, _, body) = http_full(addr, method, path, &headers, body);
    (status, body)
}

/// A blocking HTTP/1.1 request with extra headers; returns status, the response head
/// (status line and headers) and the body text.
pub fn http_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let (status, head, body) = http_bytes(addr, method, path, headers, body.as_bytes());
    (status, head, String::from_utf8_lossy(&body).to_string())
}

/// [`http_full`] with a binary body both ways: status, head and body bytes. A server
/// that answers before reading the whole body (a refusal) is not an error.
pub fn http_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let extra: String = headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |at| at + 4);
    let (status, head, _) = split_response(&response[..split]);
    (status, head, response[split..].to_vec())
}

/// An HTTP/1.1 response's status, head and body.
pub fn split_response(response: &[u8]) -> (u16, String, String) {
    let response = String::from_utf8_lossy(response).to_string();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// The value of a response header (case-insensitive name) from a response head.
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The line of `/metrics` for the sample `name` (e.g. `deskbell_storage_ok 1`), or "".
pub fn metric_line(addr: SocketAddr, name: &str) -> String {
    let (_, text) = http_raw(addr, "GET", "/metrics", None, "");
    let prefix = format!("{name} ");
    text.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_default()
        .to_string()
}
