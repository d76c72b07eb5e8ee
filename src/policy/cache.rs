//! The clock the engine reads, and the cache of LDAP group answers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustls_pki_types::UnixTime;

use crate::ldap::LdapQuery;

/// Where the engine gets the time for cache ages (injectable, for tests).
pub trait Clock: Send + Sync + core::fmt::Debug {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }
}

/// A clock that only moves when told to (whole seconds).
#[derive(Debug, Default)]
pub struct ManualClock {
    secs: AtomicU64,
}

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: UnixTime) -> ManualClock {
        ManualClock {
            secs: AtomicU64::new(now.as_secs()),
        }
    }

    /// Sets the time.
    pub fn set(&self, now: UnixTime) {
        self.secs.store(now.as_secs(), Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance(&self, by: Duration) {
        self.secs.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(self.secs.load(Ordering::SeqCst)))
    }
}

/// Most entries kept; beyond it, expired entries are dropped, then everything.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone)]
pub(crate) struct CachedGroups {
    pub(crate) groups: Arc<[String]>,
    pub(crate) fetched_at: u64,
}

/// Group lists by the exact directory query that fetched them, with the time they were fetched.
#[derive(Debug, Default)]
pub(crate) struct GroupCache {
    map: Mutex<HashMap<LdapQuery, CachedGroups>>,
}

impl GroupCache {
    pub(crate) fn get(&self, key: &LdapQuery) -> Option<CachedGroups> {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    pub(crate) fn put(&self, key: LdapQuery, groups: Arc<[String]>, now: u64, staleness: u64) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| now.saturating_sub(e.fetched_at) < staleness);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(
            key,
            CachedGroups {
                groups,
                fetched_at: now,
            },
        );
    }

    pub(crate) fn remove(&self, key: &LdapQuery) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}
