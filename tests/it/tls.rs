//! Built-in TLS: HTTPS and WSS on one listener, bad handshakes dropped alone, the
//! certificate swapped on reload (in process and by a real SIGHUP), bad files refused.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deskbell::config::Config;
use deskbell::protocol::Encoding;
use deskbell::server::Server;
use deskbell::tls::TlsFiles;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use futures_rustls::TlsConnector;
use futures_rustls::client::TlsStream;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use smol::net::TcpStream;

use crate::harness::{Binary, Client, TestServer, WAIT, split_response, test_config};

/// A test certificate authority that issues `localhost` certificates.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A leaf certificate and its key, as PEM, plus the certificate's DER for comparisons.
struct Leaf {
    cert_pem: String,
    key_pem: String,
    der: CertificateDer<'static>,
}

impl Ca {
    fn new() -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().expect("CA key");
        Ca {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    fn leaf(&self) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let cert = CertificateParams::new(vec!["localhost".to_string()])
            .expect("params")
            .signed_by(&key, &self.issuer)
            .expect("leaf certificate");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().clone(),
        }
    }

    /// A client that trusts only this CA.
    fn connector(&self) -> TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.issuer.der().clone()).expect("root");
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        TlsConnector::from(Arc::new(config))
    }
}

/// Writes the leaf's files (replacing any earlier ones) and returns their paths.
fn install(dir: &Path, leaf: &Leaf) -> TlsFiles {
    let files = TlsFiles {
        cert: dir.join("fullchain.pem"),
        key: dir.join("privkey.pem"),
    };
    std::fs::write(&files.cert, &leaf.cert_pem).expect("write cert");
    std::fs::write(&files.key, &leaf.key_pem).expect("write key");
    files
}

fn tls_server(files: &TlsFiles) -> TestServer {
    let files = files.clone();
    TestServer::start_with(move |config| config.tls = Some(files))
}

/// Connects and completes a TLS handshake for `localhost`.
fn tls_connect(addr: SocketAddr, ca: &Ca) -> std::io::Result<TlsStream<TcpStream>> {
    smol::block_on(async {
        let tcp = TcpStream::connect(addr).await?;
        let name = ServerName::try_from("localhost").expect("name");
        ca.connector().connect(name, tcp).await
    })
}

/// The certificate a new connection is served.
fn served_cert(addr: SocketAddr, ca: &Ca) -> CertificateDer<'static> {
    let stream = tls_connect(addr, ca).expect("TLS handshake");
    let (_, session) = stream.get_ref();
    session
        .peer_certificates()
        .and_then(|chain| chain.first())
        .expect("a certificate")
        .clone()
        .into_owned()
}

/// `GET path` over HTTPS; the status and body.
fn https_get(addr: SocketAddr, ca: &Ca, path: &str) -> (u16, String) {
    let (status, _, body) = https(addr, ca, "GET", path, "");
    (status, body)
}

/// One HTTPS request with a JSON body; the status, the response head and the body.
fn https(addr: SocketAddr, ca: &Ca, method: &str, path: &str, body: &str) -> (u16, String, String) {
    let mut stream = tls_connect(addr, ca).expect("TLS handshake");
    smol::block_on(async {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("write");
        stream.flush().await.expect("flush");
        let mut response = Vec::new();
        // A missing close_notify is not this test's business: keep what arrived.
        let _ = stream.read_to_end(&mut response).await;
        split_response(&response)
    })
}

/// A visitor over WSS, welcomed.
fn wss_visitor(addr: SocketAddr, ca: &Ca) -> Client {
    let stream = tls_connect(addr, ca).expect("TLS handshake");
    let mut client = Client::over(
        Box::new(stream),
        "wss://localhost/ws",
        Encoding::Binary,
        &[],
    )
    .expect("WebSocket over TLS");
    let welcome = client.hello_visitor(None);
    assert!(
        welcome.visitor_token.is_some(),
        "a new visitor gets a token"
    );
    client
}

/// Sends a message and waits for its ack: the connection still works.
fn round_trip(client: &mut Client, id: &str) {
    client.say(None, id, &format!("message {id}"));
    client.ack(id);
}

#[test]
fn https_and_wss_share_the_tls_listener() {
    let ca = Ca::new();
    let certs = tempfile::tempdir().expect("tempdir");
    let leaf = ca.leaf();
    let server = tls_server(&install(certs.path(), &leaf));

    let (status, body) = https_get(server.addr, &ca, "/healthz");
    assert_eq!(status, 200, "HTTPS /healthz: {body}");
    assert!(body.contains("\"ok\""), "{body}");
    assert_eq!(served_cert(server.addr, &ca), leaf.der);

    let mut visitor = wss_visitor(server.addr, &ca);
    round_trip(&mut visitor, "over-wss");

    // The console's session cookie is marked Secure over TLS.
    let setup = serde_json::json!({
        "code": server.setup_code(),
        "name": "admin", "password": "correct horse battery"
    });
    let (status, _, body) = https(server.addr, &ca, "POST", "/api/setup", &setup.to_string());
    assert_eq!(status, 201, "{body}");
    let login = serde_json::json!({"name": "admin", "password": "correct horse battery"});
    let (status, head, body) = https(server.addr, &ca, "POST", "/api/login", &login.to_string());
    assert_eq!(status, 200, "{body}");
    let cookie = crate::harness::header(&head, "set-cookie").expect("a cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[test]
fn plain_http_to_the_tls_port_is_dropped_alone() {
    let ca = Ca::new();
    let certs = tempfile::tempdir().expect("tempdir");
    let server = tls_server(&install(certs.path(), &ca.leaf()));
    let mut visitor = wss_visitor(server.addr, &ca);
    // A client that connects and never starts a handshake holds nothing up.
    let _silent = std::net::TcpStream::connect(server.addr).expect("connect");

    let mut plain = std::net::TcpStream::connect(server.addr).expect("connect");
    plain.set_read_timeout(Some(WAIT)).expect("timeout");
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = Vec::new();
    let read = plain.read_to_end(&mut answer);
    assert!(
        read.is_ok() || answer.is_empty(),
        "the connection ends (not a read timeout): {read:?}"
    );
    assert!(
        !String::from_utf8_lossy(&answer).contains("HTTP/1.1"),
        "no HTTP answer in plain text: {answer:?}"
    );

    let (status, _) = https_get(server.addr, &ca, "/healthz");
    assert_eq!(status, 200, "the next good connection works");
    round_trip(&mut visitor, "after-plain");
}

#[test]
fn reload_gives_new_connections_the_new_certificate() {
    let ca = Ca::new();
    let certs = tempfile::tempdir().expect("tempdir");
    let old = ca.leaf();
    let files = install(certs.path(), &old);
    let server = tls_server(&files);
    let running = server.server.as_ref().expect("server");
    let mut visitor = wss_visitor(server.addr, &ca);
    round_trip(&mut visitor, "before");
    assert_eq!(served_cert(server.addr, &ca), old.der);

    let new = ca.leaf();
    install(certs.path(), &new);
    assert_eq!(
        served_cert(server.addr, &ca),
        old.der,
        "nothing changes before the reload"
    );
    running.reload_tls().expect("reload");
    assert_eq!(served_cert(server.addr, &ca), new.der, "new connections");
    assert_ne!(old.der, new.der);
    round_trip(&mut visitor, "after-reload");
    let (status, _) = https_get(server.addr, &ca, "/healthz");
    assert_eq!(status, 200);
}

#[test]
fn bad_replacements_keep_the_old_certificate() {
    let ca = Ca::new();
    let certs = tempfile::tempdir().expect("tempdir");
    let old = ca.leaf();
    let files = install(certs.path(), &old);
    let server = tls_server(&files);
    let running = server.server.as_ref().expect("server");

    // Not PEM at all.
    std::fs::write(&files.cert, "not a certificate\n").expect("write");
    let error = running.reload_tls().expect_err("garbage is refused");
    assert!(
        error.to_string().contains("fullchain.pem"),
        "names the file: {error}"
    );
    assert_eq!(served_cert(server.addr, &ca), old.der);

    // A new certificate with the old key: they do not match.
    let other = ca.leaf();
    std::fs::write(&files.cert, &other.cert_pem).expect("write");
    let error = running.reload_tls().expect_err("mismatch is refused");
    assert!(error.to_string().contains("privkey.pem"), "{error}");
    assert_eq!(served_cert(server.addr, &ca), old.der);

    // The key file gone.
    std::fs::remove_file(&files.key).expect("remove");
    let error = running.reload_tls().expect_err("missing key is refused");
    assert!(error.to_string().contains("privkey.pem"), "{error}");
    assert_eq!(served_cert(server.addr, &ca), old.der);
    let (status, _) = https_get(server.addr, &ca, "/healthz");
    assert_eq!(status, 200);
}

#[test]
fn unusable_files_stop_the_start_with_the_file_named() {
    let ca = Ca::new();
    let certs = tempfile::tempdir().expect("tempdir");
    let files = install(certs.path(), &ca.leaf());
    let data = tempfile::tempdir().expect("tempdir");
    let start = |tls: TlsFiles| -> String {
        let mut config: Config = test_config(
            data.path(),
            Arc::new(deskbell::timer::ManualClock::new(1_000)),
        );
        config.tls = Some(tls);
        match Server::start(config) {
            Ok(server) => {
                server.shutdown();
                panic!("the server started");
            }
            Err(e) => e.to_string(),
        }
    };
    let missing = certs.path().join("missing.pem");
    let error = start(TlsFiles {
        cert: missing.clone(),
        key: files.key.clone(),
    });
    assert!(error.contains("missing.pem"), "{error}");
    let error = start(TlsFiles {
        cert: files.cert.clone(),
        key: files.cert.clone(),
    });
    assert!(
        error.contains("fullchain.pem") && error.contains("private key"),
        "a certificate is not a key: {error}"
    );
}

/// Runs `deskbell serve ARGS`, expecting it to exit by itself; its status and stderr.
fn serve_fails(data: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("deskbell runs");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn binary_refuses_half_or_unusable_tls_flags() {
    let data = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = serve_fails(data.path(), &["--tls-cert", "cert.pem"]);
    assert!(!status.success());
    assert!(stderr.contains("--tls-key"), "{stderr}");
    let (status, stderr) = serve_fails(
        data.path(),
        &[
            "--tls-cert",
            "/nonexistent/c.pem",
            "--tls-key",
            "/nonexistent/k.pem",
        ],
    );
    assert!(!status.success());
    assert!(stderr.contains("/nonexistent/c.pem"), "{stderr}");
}

/// Polls until new connections are served `expected` (a reload is asynchronous to the
/// signal's sender).
fn wait_for_cert(addr: SocketAddr, ca: &Ca, expected: &CertificateDer<'_>) -> bool {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if served_cert(addr, ca) == *expected {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn sighup(binary: &Binary) {
    let status = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(binary.child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Waits until the process has logged `text`.
fn wait_for_log(binary: &Binary, text: &str) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if binary
            .stdout
            .lock()
            .map(|s| s.contains(text))
            .unwrap_or(false)
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no log line containing {text:?}");
}

#[test]
fn binary_reloads_the_certificate_on_sighup() {
    let ca = Ca::new();
    let certs = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    let old = ca.leaf();
    let files = install(certs.path(), &old);
    let (cert, key) = (files.cert.to_string_lossy(), files.key.to_string_lossy());
    let mut binary = Binary::serve(data.path(), &["--tls-cert", &cert, "--tls-key", &key]);
    assert!(
        binary
            .stdout
            .lock()
            .map(|s| s.contains("listening on https://"))
            .unwrap_or(false),
        "announces https"
    );
    let mut visitor = wss_visitor(binary.addr, &ca);
    round_trip(&mut visitor, "before-hup");
    assert_eq!(served_cert(binary.addr, &ca), old.der);

    let new = ca.leaf();
    install(certs.path(), &new);
    sighup(&binary);
    wait_for_log(&binary, "reloaded the TLS certificate");
    assert!(
        wait_for_cert(binary.addr, &ca, &new.der),
        "new connections get the new certificate"
    );
    round_trip(&mut visitor, "after-hup");

    std::fs::write(&files.cert, "garbage").expect("write");
    sighup(&binary);
    wait_for_log(&binary, "TLS reload failed");
    assert_eq!(
        served_cert(binary.addr, &ca),
        new.der,
        "a bad file changes nothing"
    );
    assert!(
        binary.wait_exit(Duration::from_millis(10)).is_none(),
        "still running"
    );
    round_trip(&mut visitor, "after-bad-hup");
}
