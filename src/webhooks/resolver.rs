//! Name resolution for webhook deliveries: resolve, refuse the whole name if any
//! address is not public (unless `--allow-private-webhooks`), and hand ureq only the
//! addresses that were checked, so a second lookup cannot rebind the name.
//!
//! Checked answers are kept for [`CACHE_TTL`]: ureq resolves before every request,
//! even one that reuses a pooled connection, and its resolver starts a thread per
//! lookup to honour the time limit. Without the cache a busy endpoint cost a thread
//! and a DNS query per delivery. Refusals and failures are never cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::address::check_ip;

/// How long a checked answer is reused.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// Names kept at most; the cache is emptied when it is full.
const CACHE_MAX: usize = 256;

/// The marker text of a refusal, to tell it from other I/O errors.
pub const REFUSED: &str = "refused:";

/// A name resolver that lets ureq connect only to addresses it checked.
#[derive(Debug, Default)]
pub struct CheckingResolver {
    /// `--allow-private-webhooks`: skip the check.
    allow_private: bool,
    /// The system resolver, honouring ureq's time limit.
    inner: DefaultResolver,
    /// Checked answers by "scheme://authority", with when they were resolved.
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl CheckingResolver {
    /// A resolver; `allow_private` is `--allow-private-webhooks`.
    pub fn new(allow_private: bool) -> CheckingResolver {
        CheckingResolver {
            allow_private,
            ..CheckingResolver::default()
        }
    }

    /// A cached answer still fresh for `key`.
    fn cached(&self, key: &str) -> Option<ResolvedSocketAddrs> {
        let cache = self.cache.lock().ok()?;
        let (at, addrs) = cache.get(key)?;
        (at.elapsed() < CACHE_TTL).then(|| addrs.clone())
    }

    /// Keeps a checked answer.
    fn keep(&self, key: String, addrs: &ResolvedSocketAddrs) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), addrs.clone()));
        }
    }
}

impl Resolver for CheckingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map(|a| a.as_str()).unwrap_or("")
        );
        if let Some(addrs) = self.cached(&key) {
            return Ok(addrs);
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if !self.allow_private {
            for addr in &addrs {
                if let Err(why) = check_ip(addr.ip()) {
                    let host = uri.host().unwrap_or("the host");
                    return Err(ureq::Error::Io(std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        format!("{REFUSED} {host} resolves to {why}"),
                    )));
                }
            }
        }
        self.keep(key, &addrs);
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(resolver: &CheckingResolver, url: &str) -> Result<ResolvedSocketAddrs, String> {
        let uri: Uri = url.parse().expect("uri");
        let config = ureq::config::Config::default();
        resolver
            .resolve(&uri, &config, NextTimeout::default())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn checked_answers_are_reused_and_refusals_are_not_kept() {
        let open = CheckingResolver::new(true);
        let first = resolve(&open, "http://127.0.0.1:9/hook").expect("resolves");
        assert_eq!(first[0].to_string(), "127.0.0.1:9");
        assert!(open.cached("http://127.0.0.1:9").is_some(), "kept");
        assert!(open.cached("http://127.0.0.1:10").is_none(), "per port");
        let again = resolve(&open, "http://127.0.0.1:9/other").expect("resolves");
        assert_eq!(again, first);

        let strict = CheckingResolver::new(false);
        let refused = resolve(&strict, "http://127.0.0.1:9/hook").expect_err("loopback");
        assert!(refused.contains(REFUSED), "{refused}");
        assert!(strict.cache.lock().expect("lock").is_empty(), "not kept");
    }

    #[test]
    fn stale_answers_are_resolved_again() {
        let open = CheckingResolver::new(true);
        let stale = Instant::now()
            .checked_sub(CACHE_TTL + Duration::from_secs(1))
            .expect("the machine has been up a while");
        let wrong: ResolvedSocketAddrs = resolve(&open, "http://127.0.0.2:9/").expect("ok");
        open.cache
            .lock()
            .expect("lock")
            .insert("http://127.0.0.1:9".into(), (stale, wrong));
        let fresh = resolve(&open, "http://127.0.0.1:9/").expect("resolves");
        assert_eq!(fresh[0].to_string(), "127.0.0.1:9");
    }
}
