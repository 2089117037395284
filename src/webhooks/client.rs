//! The blocking HTTP client deliveries use: ureq with rustls, one POST at a time on the
//! calling thread (a delivery thread or a blocking-pool thread, never the executor).
//!
//! Rules: 10 s for the whole attempt (resolution, connect, TLS, request, response
//! head), redirects never followed (a 3xx is a failed attempt), no proxy from the
//! environment, at most [`BODY_READ_LIMIT`] bytes of the answer read (then dropped).
//! Name resolution goes through [`CheckingResolver`] (`resolver.rs`), which hands ureq
//! only addresses it checked.

use std::io::Read;
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::config::Config as UreqConfig;
use ureq::unversioned::transport::DefaultConnector;

use super::resolver::{CheckingResolver, REFUSED};

/// The whole attempt's time limit.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes of a receiver's answer read at most.
pub const BODY_READ_LIMIT: u64 = 4096;

/// What one POST came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// An HTTP answer came back.
    Answered {
        /// Its status.
        status: u16,
        /// From the start of the attempt to the response head.
        latency_ms: u32,
    },
    /// No answer: refused address, resolution, connection, TLS or timeout.
    NoAnswer {
        /// What went wrong (no secret in it).
        error: String,
        /// True when the address check refused the host.
        refused: bool,
        /// How long the attempt took.
        latency_ms: u32,
    },
}

/// The shared client (cheap to clone: ureq agents share their pool).
#[derive(Clone, Debug)]
pub struct Client {
    /// The configured agent.
    agent: Agent,
}

impl Client {
    /// A client; `allow_private` is `--allow-private-webhooks`.
    pub fn new(allow_private: bool) -> Client {
        let config = UreqConfig::builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(TIMEOUT))
            .user_agent(concat!("deskbell-webhooks/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(2)
            .build();
        let resolver = CheckingResolver::new(allow_private);
        Client {
            agent: Agent::with_parts(config, DefaultConnector::default(), resolver),
        }
    }

    /// POSTs `body` as JSON to `url` with `headers`. Blocking, at most [`TIMEOUT`].
    pub fn post(&self, url: &str, headers: &[(&str, String)], body: &[u8]) -> Sent {
        let started = Instant::now();
        let elapsed = || u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        let mut request = self
            .agent
            .post(url)
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        match request.send(body) {
            Ok(mut response) => {
                let latency_ms = elapsed();
                let status = response.status().as_u16();
                // Read a little so the connection can be reused; the text is not kept.
                let mut reader = response.body_mut().as_reader().take(BODY_READ_LIMIT);
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
                Sent::Answered { status, latency_ms }
            }
            Err(e) => {
                let error = describe(&e);
                Sent::NoAnswer {
                    refused: error.starts_with(REFUSED),
                    error,
                    latency_ms: elapsed(),
                }
            }
        }
    }
}

/// A short, secret-free description of a failed attempt.
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => io.to_string(),
        ureq::Error::Io(io) => format!("connection failed: {io}"),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// A one-request server on 127.0.0.1 answering `response`; returns its URL.
    fn answer_once(response: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(&response);
            }
        });
        url
    }

    #[test]
    fn loopback_is_refused_by_the_resolver_unless_allowed() {
        let url = answer_once(b"HTTP/1.1 204 No Content\r\n\r\n".to_vec());
        let localhost = url.replace("127.0.0.1", "localhost");
        for refused in [&url, &localhost] {
            match Client::new(false).post(refused, &[], b"{}") {
                Sent::NoAnswer { refused, error, .. } => {
                    assert!(refused, "{error}");
                    assert!(error.contains("loopback"), "{error}");
                }
                other => panic!("sent to {refused}: {other:?}"),
            }
        }
        let sent = Client::new(true).post(&url, &[], b"{}");
        assert!(
            matches!(sent, Sent::Answered { status: 204, .. }),
            "{sent:?}"
        );
    }

    #[test]
    fn redirects_are_not_followed_and_long_answers_not_read() {
        let redirect =
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n";
        let sent = Client::new(true).post(&answer_once(redirect.to_vec()), &[], b"{}");
        assert!(
            matches!(sent, Sent::Answered { status: 302, .. }),
            "{sent:?}"
        );
        let mut huge = b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n".to_vec();
        huge.extend(std::iter::repeat_n(b'x', 64 * 1024));
        let started = Instant::now();
        let sent = Client::new(true).post(&answer_once(huge), &[], b"{}");
        assert!(
            matches!(sent, Sent::Answered { status: 200, .. }),
            "{sent:?}"
        );
        assert!(
            started.elapsed() < TIMEOUT,
            "the rest of the body is not waited for"
        );
    }

    #[test]
    fn a_closed_port_is_a_connection_error() {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let sent = Client::new(true).post(&format!("http://127.0.0.1:{port}/"), &[], b"{}");
        match sent {
            Sent::NoAnswer { refused, error, .. } => {
                assert!(!refused);
                assert!(error.contains("connection"), "{error}");
            }
            other => panic!("{other:?}"),
        }
    }
}
