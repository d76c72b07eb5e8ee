//! Running the engine without an async runtime: a small `block_on`; and a deadline around
//! directory searches that holds under any executor (tokio, another runtime, `block_on`): a
//! timer thread wakes the search's task when the deadline passes, so a directory that never
//! answers (and never wakes its task) still ends in [`DirectoryError::Timeout`].

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::collections::BinaryHeap;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
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
///
/// While it runs, the thread is marked as inside a blocking call, so that a directory needing an
/// async runtime refuses to be driven from a runtime's own thread (a clear
/// [`DirectoryError::BlockingInsideRuntime`] instead of a stalled runtime).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let _scope = crate::ldap::BlockingScope::enter();
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

/// One wake-up request: wake `waker` at `at`.
struct Alarm {
    at: Instant,
    waker: Waker,
}

impl PartialEq for Alarm {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl Eq for Alarm {}

impl PartialOrd for Alarm {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Alarm {
    // Reversed: the binary heap pops the earliest alarm first.
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        other.at.cmp(&self.at)
    }
}

/// The timer thread's inbox; `None` when the thread could not be started (then deadlines are
/// checked only when something else polls, e.g. `block_on`'s periodic re-poll).
fn timer() -> Option<&'static Mutex<Sender<Alarm>>> {
    static TIMER: OnceLock<Option<Mutex<Sender<Alarm>>>> = OnceLock::new();
    TIMER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Alarm>();
            thread::Builder::new()
                .name("x509-dbauth-deadline".to_owned())
                .spawn(move || {
                    let mut alarms = BinaryHeap::new();
                    loop {
                        let now = Instant::now();
                        while alarms.peek().is_some_and(|a: &Alarm| a.at <= now) {
                            if let Some(a) = alarms.pop() {
                                a.waker.wake();
                            }
                        }
                        let received = match alarms.peek() {
                            Some(a) => rx.recv_timeout(a.at.saturating_duration_since(now)),
                            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        };
                        match received {
                            Ok(alarm) => alarms.push(alarm),
                            Err(RecvTimeoutError::Timeout) => {}
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                })
                .ok()
                .map(|_| Mutex::new(tx))
        })
        .as_ref()
}

/// A future that fails with [`DirectoryError::Timeout`] once its deadline has passed. It asks
/// the timer thread to wake its task at the deadline, so the timeout fires even when the inner
/// future never wakes it.
struct Deadline<'a> {
    inner: SearchFuture<'a>,
    deadline: Instant,
    after_ms: u64,
    /// The waker last handed to the timer thread.
    armed: Option<Waker>,
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
        if !self.armed.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
            && let Some(timer) = timer()
        {
            let alarm = Alarm {
                at: self.deadline,
                waker: cx.waker().clone(),
            };
            let sent = timer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .send(alarm)
                .is_ok();
            if sent {
                self.armed = Some(cx.waker().clone());
            }
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
            armed: None,
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
