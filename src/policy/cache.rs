//! The clock the engine reads, and the cache of LDAP group answers.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustls_pki_types::UnixTime;

use crate::error::LdapError;
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
///
/// ```
/// use std::time::Duration;
/// use x509_dbauth::UnixTime;
/// use x509_dbauth::directory::Clock;
/// use x509_dbauth::testing::ManualClock;
///
/// let clock = ManualClock::new(UnixTime::since_unix_epoch(Duration::from_secs(1_000)));
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now().as_secs(), 1_090);
/// ```
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

/// Most entries kept by default. When full, entries past the staleness window are dropped,
/// then the oldest eighth: never the whole cache at once (that would send every user's next
/// login to the directory together).
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// `last_flush` before the first look.
const NEVER: u64 = u64::MAX;

#[derive(Debug, Clone)]
pub(crate) struct CachedGroups {
    pub(crate) groups: Arc<[String]>,
    pub(crate) fetched_at: u64,
}

/// What an answer is cached under: the exact directory query that fetched it (base DN, scope,
/// filter, attributes), so two logins share an answer only when they ask the directory the
/// same question (a template with `{PROVIDED_USER}` asks one per provided name; DN spellings
/// this crate's matching folds together may be told apart by the directory); and the LDAP DN
/// in canonical form, which invalidation by user selects on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    pub(crate) query: LdapQuery,
    pub(crate) dn: String,
}

/// One directory query in progress, which concurrent lookups of the same key wait for.
#[derive(Debug, Default)]
struct Flight {
    state: Mutex<FlightState>,
}

#[derive(Debug, Default)]
struct FlightState {
    result: Option<Result<Arc<[String]>, LdapError>>,
    /// The leader was dropped (its login cancelled) before an answer: a waiter takes over.
    abandoned: bool,
    wakers: Vec<Waker>,
}

impl Flight {
    fn finish(&self, result: Option<Result<Arc<[String]>, LdapError>>) {
        let wakers = {
            let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            match result {
                Some(r) => st.result = Some(r),
                None => st.abandoned = true,
            }
            core::mem::take(&mut st.wakers)
        };
        for w in wakers {
            w.wake();
        }
    }
}

/// Waits for another lookup's query: `Some(answer)`, or `None` if that lookup was dropped.
struct Wait(Arc<Flight>);

impl Future for Wait {
    type Output = Option<Result<Arc<[String]>, LdapError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut st = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(r) = &st.result {
            return Poll::Ready(Some(r.clone()));
        }
        if st.abandoned {
            return Poll::Ready(None);
        }
        if !st.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            st.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Ends a flight when the leading lookup finishes or is dropped.
struct Lead<'a> {
    cache: &'a GroupCache,
    key: &'a CacheKey,
    flight: Arc<Flight>,
    done: bool,
}

impl Lead<'_> {
    fn end(&mut self, result: Option<Result<Arc<[String]>, LdapError>>) {
        self.done = true;
        {
            let mut inflight = self
                .cache
                .inflight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if inflight
                .get(self.key)
                .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
            {
                inflight.remove(self.key);
            }
        }
        self.flight.finish(result);
    }
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.end(None);
        }
    }
}

/// Group lists by [`CacheKey`], with the time they were fetched; concurrent lookups of one
/// key share one directory query (single flight).
#[derive(Debug)]
pub(crate) struct GroupCache {
    map: Mutex<HashMap<CacheKey, CachedGroups>>,
    inflight: Mutex<HashMap<CacheKey, Arc<Flight>>>,
    capacity: usize,
    /// Bumped by every invalidation: an answer fetched across one is not stored.
    generation: AtomicU64,
    /// When the cache was last flushed by the invalidation interval (seconds).
    last_flush: AtomicU64,
}

impl Default for GroupCache {
    fn default() -> Self {
        GroupCache::with_capacity(MAX_ENTRIES)
    }
}

impl GroupCache {
    pub(crate) fn with_capacity(capacity: usize) -> GroupCache {
        GroupCache {
            map: Mutex::default(),
            inflight: Mutex::default(),
            capacity: capacity.max(1),
            generation: AtomicU64::new(0),
            last_flush: AtomicU64::new(NEVER),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, CachedGroups>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn get(&self, key: &CacheKey) -> Option<CachedGroups> {
        self.lock().get(key).cloned()
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(crate) fn put(&self, key: CacheKey, groups: Arc<[String]>, now: u64, staleness: u64) {
        let mut map = self.lock();
        if map.len() >= self.capacity && !map.contains_key(&key) {
            map.retain(|_, e| now.saturating_sub(e.fetched_at) < staleness);
            if map.len() >= self.capacity {
                let mut ages: Vec<u64> = map.values().map(|e| e.fetched_at).collect();
                ages.sort_unstable();
                let cut = ages
                    .get((self.capacity / 8).max(1).saturating_sub(1))
                    .copied()
                    .unwrap_or(u64::MAX);
                map.retain(|_, e| e.fetched_at > cut);
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

    pub(crate) fn remove(&self, key: &CacheKey) {
        self.lock().remove(key);
    }

    /// Forgets every answer about the LDAP DN `dn` (canonical form), under any template.
    pub(crate) fn invalidate_dn(&self, dn: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.lock().retain(|k, _| k.dn != dn);
    }

    /// Forgets every answer.
    pub(crate) fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.lock().clear();
    }

    /// Flushes the cache when `interval` seconds have passed since the last flush (MongoDB's
    /// `ldapUserCacheInvalidationInterval`).
    pub(crate) fn flush_every(&self, now: u64, interval: u64) {
        let last = self.last_flush.load(Ordering::SeqCst);
        if last == NEVER {
            // The first look starts the interval.
            let _ =
                self.last_flush
                    .compare_exchange(NEVER, now, Ordering::SeqCst, Ordering::SeqCst);
            return;
        }
        if now.saturating_sub(last) >= interval
            && self
                .last_flush
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            self.invalidate_all();
        }
    }

    /// The answer for `key`: from a lookup of the same key already asking the directory, from
    /// an answer stored since the caller looked (younger than `refresh` seconds), or from
    /// `fetch`, which is then the only query for the key until it ends. A successful answer
    /// is stored before waiting lookups are released.
    pub(crate) async fn fetch_once<Fut>(
        &self,
        key: &CacheKey,
        now: u64,
        refresh: u64,
        staleness: u64,
        fetch: Fut,
    ) -> Result<Arc<[String]>, LdapError>
    where
        Fut: Future<Output = Result<Vec<String>, LdapError>>,
    {
        let mut fetch = Some(fetch);
        loop {
            let flight = {
                let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
                match inflight.get(key) {
                    Some(f) => Err(Arc::clone(f)),
                    None => {
                        if let Some(c) = self.get(key)
                            && now.saturating_sub(c.fetched_at) < refresh
                        {
                            return Ok(c.groups);
                        }
                        let f = Arc::new(Flight::default());
                        inflight.insert(key.clone(), Arc::clone(&f));
                        Ok(f)
                    }
                }
            };
            let flight = match flight {
                Ok(lead) => lead,
                Err(other) => match Wait(other).await {
                    Some(r) => return r,
                    None => continue,
                },
            };
            let Some(fetch) = fetch.take() else {
                // Unreachable: a lookup leads at most once, and returns after leading.
                return Err(LdapError::Directory(crate::error::DirectoryError::Other {
                    reason: "single-flight lookup led twice".to_owned(),
                }));
            };
            let mut lead = Lead {
                cache: self,
                key,
                flight,
                done: false,
            };
            let generation = self.generation.load(Ordering::SeqCst);
            let result = fetch.await.map(Arc::<[String]>::from);
            if let Ok(groups) = &result
                && self.generation.load(Ordering::SeqCst) == generation
            {
                self.put(key.clone(), Arc::clone(groups), now, staleness);
            }
            lead.end(Some(result.clone()));
            return result;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::block_on;

    fn key_with(template: &str, dn: &str) -> CacheKey {
        let query = crate::ldap::QueryTemplate::parse(template)
            .unwrap()
            .render(dn, dn)
            .unwrap();
        CacheKey {
            query,
            dn: dn.to_owned(),
        }
    }

    fn key(dn: &str) -> CacheKey {
        key_with("{USER}?memberOf?base", dn)
    }

    fn groups(g: &[&str]) -> Arc<[String]> {
        g.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>().into()
    }

    #[test]
    fn bounded_size_evicts_the_oldest_eighth_not_everything() {
        let c = GroupCache::with_capacity(16);
        for i in 0..16u64 {
            c.put(key(&format!("cn={i}")), groups(&["g"]), 1000 + i, 90);
        }
        assert_eq!(c.len(), 16);
        c.put(key("cn=new"), groups(&["g"]), 1016, 90);
        // The two oldest (16 / 8) went; the rest and the new one stay.
        assert_eq!(c.len(), 15);
        assert!(c.get(&key("cn=0")).is_none() && c.get(&key("cn=1")).is_none());
        assert!(c.get(&key("cn=2")).is_some() && c.get(&key("cn=new")).is_some());
        // Past staleness, everything old goes first.
        c.put(key("cn=later"), groups(&["g"]), 5000, 90);
        assert_eq!(c.len(), 16);
        c.put(key("cn=later2"), groups(&["g"]), 5000, 90);
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn invalidation_by_user_all_and_interval() {
        let c = GroupCache::default();
        c.put(key("cn=a"), groups(&["g"]), 10, 90);
        let other_template = key_with("ou=g??one?(member={USER})", "cn=a");
        c.put(other_template.clone(), groups(&["g"]), 10, 90);
        c.put(key("cn=b"), groups(&["g"]), 10, 90);
        c.invalidate_dn("cn=a");
        assert!(c.get(&key("cn=a")).is_none() && c.get(&other_template).is_none());
        assert!(c.get(&key("cn=b")).is_some());
        c.invalidate_all();
        assert_eq!(c.len(), 0);
        c.put(key("cn=b"), groups(&["g"]), 10, 90);
        c.flush_every(10, 30); // the first call starts the interval
        c.put(key("cn=b"), groups(&["g"]), 10, 90);
        c.flush_every(39, 30);
        assert_eq!(c.len(), 1);
        c.flush_every(40, 30);
        assert_eq!(c.len(), 0);
    }

    /// A fetch that stays pending until released, counting how often it was started.
    fn gated(
        started: &AtomicU64,
        gate: &Mutex<Option<Vec<String>>>,
    ) -> impl Future<Output = Result<Vec<String>, LdapError>> {
        started.fetch_add(1, Ordering::SeqCst);
        core::future::poll_fn(move |cx| {
            match gate.lock().unwrap_or_else(PoisonError::into_inner).clone() {
                Some(v) => Poll::Ready(Ok(v)),
                None => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            }
        })
    }

    #[test]
    fn concurrent_lookups_share_one_query_and_the_answer_is_stored_first() {
        let c = Arc::new(GroupCache::default());
        let started = Arc::new(AtomicU64::new(0));
        let gate = Arc::new(Mutex::new(None));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (c, started, gate) = (Arc::clone(&c), Arc::clone(&started), Arc::clone(&gate));
                std::thread::spawn(move || {
                    block_on(c.fetch_once(&key("cn=a"), 10, 30, 90, async {
                        gated(&started, &gate).await
                    }))
                })
            })
            .collect();
        // Every thread is either leading or waiting before the answer is released.
        while c
            .inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
        {
            std::thread::yield_now();
        }
        *gate.lock().unwrap_or_else(PoisonError::into_inner) = Some(vec!["cn=g".to_owned()]);
        for t in threads {
            assert_eq!(&*t.join().unwrap().unwrap(), &["cn=g".to_owned()]);
        }
        assert_eq!(started.load(Ordering::SeqCst), 1);
        assert_eq!(c.get(&key("cn=a")).map(|e| e.fetched_at), Some(10));
    }

    #[test]
    fn a_dropped_leader_hands_over_to_a_waiter() {
        let c = GroupCache::default();
        let started = AtomicU64::new(0);
        let gate: Mutex<Option<Vec<String>>> = Mutex::new(None);
        let k = key("cn=a");
        let mut leader = Box::pin(c.fetch_once(&k, 10, 30, 90, gated(&started, &gate)));
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(leader.as_mut().poll(&mut cx).is_pending());
        let mut waiter = Box::pin(c.fetch_once(&k, 10, 30, 90, async {
            Ok(vec!["cn=from-waiter".to_owned()])
        }));
        assert!(waiter.as_mut().poll(&mut cx).is_pending());
        drop(leader);
        match waiter.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(g)) => assert_eq!(&*g, &["cn=from-waiter".to_owned()]),
            other => panic!("{other:?}"),
        }
    }
}
