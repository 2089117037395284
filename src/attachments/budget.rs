//! How much one visitor and one client address may upload: files and bytes per hour,
//! so that one stranger cannot fill the disk (the total is capped by the store's
//! quota). Pure: the caller passes the time. The hourly text budget
//! (`text_budget`) uses the same windows, charged with message text.
//!
//! Each key (a visitor, an address: IPv6 by its /64) has a window that starts at its
//! first upload and lasts an hour; an upload is charged its declared length to every
//! key it names, all or nothing, before its body is read. The map holds at most
//! `max_keys` entries; expired windows make room first, then the oldest.

use std::collections::HashMap;
use std::net::IpAddr;

/// An hour in milliseconds.
const HOUR_MS: u64 = 3_600_000;

/// Who is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payer {
    /// A visitor, by id.
    Visitor(u64),
    /// A client address (IPv6 by its /64).
    Address(IpAddr),
}

impl Payer {
    /// The address as a payer, IPv6 reduced to its /64 (one client usually holds it whole).
    pub fn address(address: IpAddr) -> Payer {
        Payer::Address(match address {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
            v4 => v4,
        })
    }
}

/// Use in the current window.
#[derive(Debug, Clone, Copy)]
struct Usage {
    /// Window start, ms.
    since_ms: u64,
    /// Bytes charged in it.
    bytes: u64,
    /// Files charged in it.
    files: u32,
}

/// Why an upload was refused, and when the payer may upload again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// Seconds until the window of the payer that refused ends.
    pub retry_after_secs: u64,
}

/// The hourly budgets.
#[derive(Debug)]
pub struct UploadBudget {
    /// Bytes per payer per hour.
    bytes_per_hour: u64,
    /// Files per payer per hour.
    files_per_hour: u32,
    /// Most payers remembered.
    max_keys: usize,
    /// Use per payer.
    used: HashMap<Payer, Usage>,
}

impl UploadBudget {
    /// Budgets of `bytes_per_hour` and `files_per_hour` for each payer.
    pub fn new(bytes_per_hour: u64, files_per_hour: u32, max_keys: usize) -> UploadBudget {
        UploadBudget {
            bytes_per_hour,
            files_per_hour,
            max_keys: max_keys.max(1),
            used: HashMap::new(),
        }
    }

    /// Charges one file of `bytes` to every payer in `payers`, or to none of them when
    /// any would go over its budget.
    pub fn charge(&mut self, payers: &[Payer], bytes: u64, now_ms: u64) -> Result<(), OverBudget> {
        for payer in payers {
            let usage = self.current(payer, now_ms);
            if usage.files >= self.files_per_hour
                || usage.bytes.saturating_add(bytes) > self.bytes_per_hour
            {
                let ends = usage.since_ms + HOUR_MS;
                return Err(OverBudget {
                    retry_after_secs: ends.saturating_sub(now_ms).div_ceil(1000).max(1),
                });
            }
        }
        for payer in payers {
            let usage = self.current(payer, now_ms);
            if !self.used.contains_key(payer) && self.used.len() >= self.max_keys {
                self.make_room(now_ms);
            }
            self.used.insert(
                *payer,
                Usage {
                    bytes: usage.bytes + bytes,
                    files: usage.files + 1,
                    ..usage
                },
            );
        }
        Ok(())
    }

    /// Payers remembered now.
    pub fn len(&self) -> usize {
        self.used.len()
    }

    /// True when no payer is remembered.
    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    fn current(&self, payer: &Payer, now_ms: u64) -> Usage {
        match self.used.get(payer) {
            Some(usage) if now_ms.saturating_sub(usage.since_ms) < HOUR_MS => *usage,
            _ => Usage {
                since_ms: now_ms,
                bytes: 0,
                files: 0,
            },
        }
    }

    fn make_room(&mut self, now_ms: u64) {
        self.used
            .retain(|_, usage| now_ms.saturating_sub(usage.since_ms) < HOUR_MS);
        if self.used.len() >= self.max_keys
            && let Some(oldest) = self
                .used
                .iter()
                .min_by_key(|(_, usage)| usage.since_ms)
                .map(|(payer, _)| *payer)
        {
            self.used.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1_000_000;

    #[test]
    fn bytes_and_files_per_hour_per_payer() {
        let mut budget = UploadBudget::new(10 * MB, 3, 100);
        let visitor = Payer::Visitor(7);
        let address = Payer::address("192.0.2.1".parse().expect("ip"));
        assert!(budget.charge(&[visitor, address], 6 * MB, 0).is_ok());
        let refused = budget.charge(&[visitor, address], 5 * MB, 1000);
        assert_eq!(
            refused,
            Err(OverBudget {
                retry_after_secs: 3599
            })
        );
        // Nothing was charged by the refusal: a small one still fits.
        assert!(budget.charge(&[visitor, address], 4 * MB, 2000).is_ok());
        // Another visitor from the same address is held by the address's budget.
        assert!(
            budget
                .charge(&[Payer::Visitor(8), address], 1, 3000)
                .is_err()
        );
        // An hour later it starts again.
        assert!(budget.charge(&[visitor, address], 9 * MB, HOUR_MS).is_ok());
        let mut count = UploadBudget::new(u64::MAX, 2, 100);
        assert!(count.charge(&[visitor], 1, 0).is_ok());
        assert!(count.charge(&[visitor], 1, 0).is_ok());
        assert!(count.charge(&[visitor], 1, 0).is_err());
    }

    #[test]
    fn ipv6_counts_by_its_64_and_memory_is_bounded() {
        let a = Payer::address("2001:db8::1".parse().expect("ip"));
        let b = Payer::address("2001:db8::ffff".parse().expect("ip"));
        assert_eq!(a, b);
        let mut budget = UploadBudget::new(MB, 10, 3);
        for id in 0..10 {
            assert!(budget.charge(&[Payer::Visitor(id)], 1, id).is_ok());
            assert!(budget.len() <= 3);
        }
    }
}
