//! Whether the current thread is inside one of the crate's blocking calls
//! (`authenticate_blocking`, `explain_blocking`), so that a directory that needs an async
//! runtime can refuse a blocking call made on a runtime thread with a clear error instead of
//! stalling that runtime.

use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Marks the current thread as inside a blocking call until dropped.
#[derive(Debug)]
pub(crate) struct BlockingScope(());

impl BlockingScope {
    /// Enters a blocking call on this thread.
    pub(crate) fn enter() -> BlockingScope {
        DEPTH.with(|d| d.set(d.get().saturating_add(1)));
        BlockingScope(())
    }
}

impl Drop for BlockingScope {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Whether this thread is inside a blocking call.
#[cfg_attr(not(feature = "ldap"), allow(dead_code))]
pub(crate) fn in_blocking_call() -> bool {
    DEPTH.with(Cell::get) > 0
}
