//! Running the engine without an async runtime: a small `block_on`, and a deadline around
//! directory searches that needs no timer.

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::task::Wake;
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::error::DirectoryError;
use crate::ldap::{Directory, LdapQuery, SearchFuture};

/// How often `block_on` polls again without a wake-up, so deadlines fire without a timer.
const REPOLL: Duration = Duration::from_millis(5);

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    // One waker per thread: no allocation per call.
    static WAKER: Waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
}

/// Runs a future to completion on the current thread (parking between polls).
///
/// Also polls every few milliseconds without a wake-up, so the directory deadline fires even
/// when the directory future never wakes its task.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    WAKER.with(|waker| {
        let mut cx = Context::from_waker(waker);
        loop {
            if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                return v;
            }
            thread::park_timeout(REPOLL);
        }
    })
}

/// A future that fails with [`DirectoryError::Timeout`] once its deadline has passed, checked
/// each time it is polled.
struct Deadline<'a> {
    inner: SearchFuture<'a>,
    deadline: Instant,
    after_ms: u64,
}

impl Future for Deadline<'_> {
    type Output = <SearchFuture<'static> as Future>::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.inner.as_mut().poll(cx) {
            return Poll::Ready(v);
        }
        if Instant::now() >= self.deadline {
            return Poll::Ready(Err(DirectoryError::Timeout {
                after_ms: self.after_ms,
            }));
        }
        Poll::Pending
    }
}

/// A directory whose searches fail with a timeout after `timeout`.
pub(crate) struct TimedDirectory<'a> {
    pub(crate) inner: &'a dyn Directory,
    pub(crate) timeout: Duration,
}

impl Directory for TimedDirectory<'_> {
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
        let now = Instant::now();
        Box::pin(Deadline {
            inner: self.inner.search(query),
            deadline: now.checked_add(self.timeout).unwrap_or(now),
            after_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_runs_ready_and_woken_futures() {
        assert_eq!(block_on(async { 1 + 1 }), 2);
        // A future that is pending once and wakes itself.
        let mut first = true;
        let f = core::future::poll_fn(move |cx| {
            if first {
                first = false;
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(7)
            }
        });
        assert_eq!(block_on(f), 7);
    }
}
