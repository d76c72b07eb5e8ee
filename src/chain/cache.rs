//! The bounded caches of verified results: the verified-chain cache of [`crate::Verifier`] and
//! the issuer cache of [`super::ChainVerifier`].
//!
//! One mechanism for both: a map from a SHA-256 digest to a value and the [`Window`] of
//! validation times over which the value is the answer, bounded in entries and in bytes. A
//! look-up outside the window drops the entry. When a bound would be exceeded, the oldest
//! entries go first. Only successful verifications are stored, so a client cannot fill the
//! cache with chains that are refused; a chain that verifies costs its signatures to insert.
//! One lock guards the map: it is held for a look-up or an insertion only (the hashing is done
//! before), a fraction of a microsecond against the microseconds of hashing a chain, so the
//! bounds can be exact rather than split between inners.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use sha2::Digest as _;

use super::Window;

/// A cache key: SHA-256 of what the cached answer was computed from.
pub(crate) type Key = [u8; 32];

/// The SHA-256 of a list of DER values, each prefixed with its length as 8 bytes (big-endian),
/// so that no two different lists have the same encoding.
pub(crate) fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Key {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Bounds of one cache: the most entries and the most bytes it may hold. Zero in either
/// disables the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheBounds {
    /// Most entries.
    pub entries: usize,
    /// Most bytes, counted as each entry's measured size (its key, its value and the heap
    /// memory the value owns alone).
    pub bytes: usize,
}

impl CacheBounds {
    /// Default of the verified-chain cache: 10 000 entries and 32 MiB. A two-certificate
    /// RSA-2048 client chain takes about 3 KiB, so 10 000 clients fit.
    pub const CHAINS: CacheBounds = CacheBounds {
        entries: 10_000,
        bytes: 32 << 20,
    };
    /// Default of the issuer cache: 1 000 intermediates and 256 KiB (an entry lists the
    /// positions of the path above the intermediate, under 200 bytes).
    pub const ISSUERS: CacheBounds = CacheBounds {
        entries: 1_000,
        bytes: 256 << 10,
    };
    /// No cache.
    pub const DISABLED: CacheBounds = CacheBounds {
        entries: 0,
        bytes: 0,
    };

    /// Bounds of `entries` entries and `bytes` bytes.
    pub const fn new(entries: usize, bytes: usize) -> Self {
        CacheBounds { entries, bytes }
    }

    fn enabled(&self) -> bool {
        self.entries > 0 && self.bytes > 0
    }
}

/// What a cache holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CacheStats {
    /// Entries held.
    pub entries: usize,
    /// Bytes held (the sum of the entries' measured sizes).
    pub bytes: usize,
}

struct Entry<V> {
    value: V,
    window: Window,
    size: usize,
    /// Insertion number, to tell this entry from an earlier one with the same key in the
    /// eviction queue.
    seq: u64,
}

struct Inner<V> {
    map: HashMap<Key, Entry<V>>,
    /// Keys in insertion order (with their insertion numbers), oldest first; may hold keys
    /// already removed, which eviction skips.
    order: VecDeque<(Key, u64)>,
    bytes: usize,
    next_seq: u64,
}

impl<V> Inner<V> {
    fn new() -> Self {
        Inner {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            next_seq: 0,
        }
    }

    fn remove(&mut self, key: &Key) {
        if let Some(e) = self.map.remove(key) {
            self.bytes = self.bytes.saturating_sub(e.size);
        }
    }

    /// Evicts the oldest entries until `entries` and `bytes` more would fit.
    fn make_room(&mut self, entries: usize, bytes: usize, max: (usize, usize)) {
        while !self.map.is_empty()
            && (self.map.len() + entries > max.0 || self.bytes + bytes > max.1)
        {
            let Some((key, seq)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&key).is_some_and(|e| e.seq == seq) {
                self.remove(&key);
            }
        }
        // Removed keys stay queued until they reach the front: keep the queue proportionate.
        if self.order.len() > 2 * self.map.len() + 16 {
            let map = &self.map;
            self.order
                .retain(|(k, seq)| map.get(k).is_some_and(|e| e.seq == *seq));
        }
    }
}

/// A bounded map from digests to values valid over a window of validation times.
pub(crate) struct BoundedCache<V> {
    /// `None` when disabled.
    inner: Option<Mutex<Inner<V>>>,
    /// (entries, bytes).
    max: (usize, usize),
}

impl<V: Clone> std::fmt::Debug for BoundedCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundedCache")
            .field("stats", &self.stats())
            .finish()
    }
}

impl<V: Clone> BoundedCache<V> {
    /// An empty cache with `bounds` (a disabled one when either bound is zero).
    pub(crate) fn new(bounds: CacheBounds) -> Self {
        BoundedCache {
            inner: bounds.enabled().then(|| Mutex::new(Inner::new())),
            max: (bounds.entries, bounds.bytes),
        }
    }

    /// Whether the cache can hold anything.
    pub(crate) fn enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The value stored under `key` when `now` is inside its window, with that window. An
    /// entry whose window does not hold `now` is dropped.
    pub(crate) fn get(&self, key: &Key, now: i64) -> Option<(V, Window)> {
        let mut inner = self
            .inner
            .as_ref()?
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = inner.map.get(key)?;
        if entry.window.contains(now) {
            return Some((entry.value.clone(), entry.window));
        }
        inner.remove(key);
        None
    }

    /// Stores `value`, valid over `window`, measured at `size` bytes (the key is added). Does
    /// nothing when the cache is disabled or the entry alone exceeds a inner's byte bound.
    pub(crate) fn insert(&self, key: Key, value: V, window: Window, size: usize) {
        let size = size + std::mem::size_of::<Key>();
        let max = self.max;
        let Some(inner) = &self.inner else {
            return;
        };
        if size > max.1 {
            return;
        }
        let mut inner = inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.remove(&key);
        inner.make_room(1, size, max);
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.order.push_back((key, seq));
        inner.bytes += size;
        inner.map.insert(
            key,
            Entry {
                value,
                window,
                size,
                seq,
            },
        );
    }

    /// Entries and bytes held.
    pub(crate) fn stats(&self) -> CacheStats {
        let mut s = CacheStats::default();
        if let Some(inner) = &self.inner {
            let inner = inner.lock().unwrap_or_else(PoisonError::into_inner);
            s.entries = inner.map.len();
            s.bytes = inner.bytes;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        let mut k = [0; 32];
        k[0] = n;
        k[1] = n;
        k
    }

    const W: Window = Window {
        from: 100,
        until: 200,
    };

    #[test]
    fn served_inside_the_window_only_and_dropped_outside() {
        let c = BoundedCache::new(CacheBounds::new(4, 4096));
        c.insert(key(1), 7u32, W, 10);
        assert_eq!(c.get(&key(1), 100), Some((7, W)));
        assert_eq!(c.get(&key(1), 200), Some((7, W)));
        assert_eq!(
            c.stats(),
            CacheStats {
                entries: 1,
                bytes: 42
            }
        );
        assert_eq!(c.get(&key(1), 201), None);
        // Dropped: not served again even inside the window.
        assert_eq!(c.get(&key(1), 150), None);
        assert_eq!(c.stats(), CacheStats::default());
    }

    #[test]
    fn bounds_in_entries_and_bytes_evict_the_oldest() {
        let c = BoundedCache::new(CacheBounds::new(2, 4096));
        c.insert(key(1), 1u32, W, 10);
        c.insert(key(2), 2u32, W, 10);
        c.insert(key(3), 3u32, W, 10);
        assert_eq!(c.get(&key(1), 150), None);
        assert_eq!(c.get(&key(2), 150), Some((2, W)));
        assert_eq!(c.get(&key(3), 150), Some((3, W)));
        assert_eq!(c.stats().entries, 2);
        // Re-inserting a key replaces its entry (and its place in the order).
        c.insert(key(2), 4u32, W, 10);
        c.insert(key(5), 5u32, W, 10);
        assert_eq!(c.get(&key(3), 150), None);
        assert_eq!(c.get(&key(2), 150), Some((4, W)));
        // Bytes: 3 entries of 42 bytes do not fit in 100.
        let c = BoundedCache::new(CacheBounds::new(10, 100));
        for k in 1..=3 {
            c.insert(key(k), k, W, 10);
        }
        assert_eq!(
            c.stats(),
            CacheStats {
                entries: 2,
                bytes: 84
            }
        );
        assert_eq!(c.get(&key(1), 150), None);

        let c = BoundedCache::new(CacheBounds::new(1, 100));
        // 32 + 69 > 100: too large for the cache, not stored.
        c.insert(key(3), 3u32, W, 69);
        assert_eq!(c.stats(), CacheStats::default());
        c.insert(key(3), 3u32, W, 68);
        assert_eq!(
            c.stats(),
            CacheStats {
                entries: 1,
                bytes: 100
            }
        );
    }

    #[test]
    fn zero_disables() {
        for b in [CacheBounds::new(0, 4096), CacheBounds::new(10, 0)] {
            let c = BoundedCache::new(b);
            c.insert(key(1), 1u32, W, 10);
            assert_eq!(c.get(&key(1), 150), None);
            assert_eq!(c.stats(), CacheStats::default());
        }
    }

    #[test]
    fn digest_separates_the_parts() {
        assert_ne!(
            digest([b"ab".as_slice(), b"c"]),
            digest([b"a".as_slice(), b"bc"])
        );
        assert_eq!(digest([b"ab".as_slice()]), digest([b"ab".as_slice()]));
    }
}
