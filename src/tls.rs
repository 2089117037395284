//! Built-in TLS (`--tls-cert`/`--tls-key`): loads the PEM certificate chain and key,
//! serves them to rustls through a swappable resolver, reloads them on request (SIGHUP)
//! keeping the old pair if the new files are bad, and runs each connection's handshake
//! under a deadline.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_lite::future;
use futures_rustls::TlsAcceptor;
use futures_rustls::server::TlsStream;
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use smol::net::TcpStream;

/// How long a client has to finish the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the certificate chain and private key live (PEM files).
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The certificate chain: the server's certificate first, then intermediates.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Why a certificate or key could not be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read {what} {}: {source}", path.display())]
    Read {
        /// "TLS certificate" or "TLS key".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not PEM of the expected kind.
    #[error("{} is not a usable {what}: {reason}", path.display())]
    Pem {
        /// "PEM certificate" or "PEM private key".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The key was refused by the crypto provider, or does not match the certificate.
    #[error("the TLS key {} cannot be used with the certificate {}: {source}", key.display(), cert.display())]
    Key {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls' reason.
        source: rustls::Error,
    },
    /// rustls refused the configuration (no usable protocol version).
    #[error("TLS configuration: {0}")]
    Config(rustls::Error),
}

/// The current certificate and key, swapped whole on reload; rustls asks for it at each
/// handshake, so new connections get the new pair and open ones keep theirs.
#[derive(Debug)]
pub struct CertResolver {
    /// The files, re-read by [`CertResolver::reload`].
    files: TlsFiles,
    /// The crypto provider that parses keys (ring).
    provider: Arc<CryptoProvider>,
    /// The pair handed to new handshakes.
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

impl CertResolver {
    /// The pair new handshakes use.
    pub fn current(&self) -> Arc<CertifiedKey> {
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads both files; on any error the old pair stays in use.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = Arc::new(load_pair(&self.files, &self.provider)?);
        match self.current.write() {
            Ok(mut current) => *current = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}

/// The TLS side of the listener: the acceptor and the resolver behind it.
#[derive(Clone)]
pub struct Tls {
    /// Wraps accepted TCP streams.
    acceptor: TlsAcceptor,
    /// The swappable certificate.
    resolver: Arc<CertResolver>,
}

impl Tls {
    /// Loads the files (a clear error naming the file if they are unusable) and builds
    /// the server configuration: TLS 1.2 and 1.3, HTTP/1.1 only, no client certificates.
    pub fn load(files: &TlsFiles) -> Result<Tls, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let pair = load_pair(files, &provider)?;
        let resolver = Arc::new(CertResolver {
            files: files.clone(),
            provider: provider.clone(),
            current: RwLock::new(Arc::new(pair)),
        });
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            resolver,
        })
    }

    /// The resolver, for reloading.
    pub fn resolver(&self) -> &Arc<CertResolver> {
        &self.resolver
    }

    /// Runs the handshake on an accepted connection, giving up after
    /// [`HANDSHAKE_TIMEOUT`]. A failure concerns only this connection.
    pub async fn handshake(&self, stream: TcpStream) -> std::io::Result<TlsStream<TcpStream>> {
        future::or(self.acceptor.accept(stream), async {
            smol::Timer::after(HANDSHAKE_TIMEOUT).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "TLS handshake timed out",
            ))
        })
        .await
    }
}

/// Reads and checks the certificate chain and the key.
fn load_pair(files: &TlsFiles, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
    let cert_pem = read(&files.cert, "TLS certificate")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(&files.cert, "PEM certificate", e))?;
    if chain.is_empty() {
        return Err(pem_error(
            &files.cert,
            "PEM certificate",
            pem::Error::NoItemsFound,
        ));
    }
    let key_pem = read(&files.key, "TLS key")?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| pem_error(&files.key, "PEM private key", e))?;
    CertifiedKey::from_der(chain, key, provider).map_err(|source| TlsError::Key {
        cert: files.cert.clone(),
        key: files.key.clone(),
        source,
    })
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn pem_error(path: &Path, what: &'static str, error: pem::Error) -> TlsError {
    let reason = match error {
        pem::Error::NoItemsFound if what == "PEM certificate" => {
            "no \"BEGIN CERTIFICATE\" section found".to_string()
        }
        pem::Error::NoItemsFound => "no \"BEGIN … PRIVATE KEY\" section found".to_string(),
        other => other.to_string(),
    };
    TlsError::Pem {
        what,
        path: path.to_path_buf(),
        reason,
    }
}
