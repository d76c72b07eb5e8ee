//! The connections of an [`LdapDirectory`](super::LdapDirectory): failover across servers,
//! StartTLS, binding with rotated passwords, timeouts, retries, and a small pool whose
//! connections are replaced after the server drops them. Runs on the directory's own runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, SearchEntry};

use super::client::{LdapBind, LdapClientConfig, LdapTls, bump};
use super::directory::DirectoryEntry;
use super::template::{LdapQuery, Scope};
use crate::error::DirectoryError;

/// LDAP result codes (RFC 4511 appendix A) the client treats specially.
const RC_SUCCESS: u32 = 0;
const RC_NO_SUCH_OBJECT: u32 = 32;
const RC_INVALID_CREDENTIALS: u32 = 49;

/// A pooled connection and the index of the server it is connected to.
#[derive(Clone)]
struct Conn {
    ldap: Ldap,
    server: usize,
}

/// State shared by the directory and the searches running on its runtime.
pub(crate) struct Shared {
    pub(crate) config: LdapClientConfig,
    tls: Option<Arc<rustls::ClientConfig>>,
    slots: Vec<tokio::sync::Mutex<Option<Conn>>>,
    next: AtomicUsize,
    pub(crate) searches: AtomicU64,
    pub(crate) connects: AtomicU64,
}

/// Why one search on one connection failed.
enum Failure {
    /// The connection is unusable (closed, reset, I/O error): another connection may work.
    Connection(DirectoryError),
    /// Anything else (timeout, an LDAP error result).
    Other(DirectoryError),
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn result_text(rc: u32, text: &str) -> String {
    let name = match rc {
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        10 => "referral",
        32 => "noSuchObject",
        34 => "invalidDNSyntax",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        _ => "",
    };
    match (name, text.is_empty()) {
        ("", true) => format!("result code {rc}"),
        ("", false) => format!("result code {rc}: {text}"),
        (n, true) => format!("result code {rc} ({n})"),
        (n, false) => format!("result code {rc} ({n}): {text}"),
    }
}

impl Shared {
    pub(crate) fn new(config: LdapClientConfig, tls: Option<Arc<rustls::ClientConfig>>) -> Shared {
        let slots = (0..config.pool_size_value().max(1))
            .map(|_| tokio::sync::Mutex::new(None))
            .collect();
        Shared {
            config,
            tls,
            slots,
            next: AtomicUsize::new(0),
            searches: AtomicU64::new(0),
            connects: AtomicU64::new(0),
        }
    }

    fn server_name(&self, index: usize) -> String {
        self.config
            .servers()
            .get(index)
            .map_or_else(String::new, ToString::to_string)
    }

    /// One search, with the configured retries for failures that another try may cure. A
    /// retry after a server failed starts the failover list at the next server, so that a
    /// server that accepts connections but does not answer is not asked again first.
    pub(crate) async fn search(
        &self,
        query: &LdapQuery,
    ) -> Result<Vec<DirectoryEntry>, DirectoryError> {
        let mut tries = self.config.retries_value();
        let mut start = 0;
        loop {
            match self.search_once(query, start).await {
                Ok(v) => return Ok(v),
                Err((
                    DirectoryError::Unavailable { .. } | DirectoryError::Timeout { .. },
                    failed,
                )) if tries > 0 => {
                    tries -= 1;
                    if let Some(i) = failed {
                        start = i.saturating_add(1) % self.config.servers().len().max(1);
                    }
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    /// One try: a pooled connection (or a new one, failover from server `start`), one search.
    /// On failure, also the index of the server whose connection failed, if one was reached.
    async fn search_once(
        &self,
        query: &LdapQuery,
        start: usize,
    ) -> Result<Vec<DirectoryEntry>, (DirectoryError, Option<usize>)> {
        let n = self.slots.len().max(1);
        let index = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let Some(slot) = self.slots.get(index) else {
            return Err((
                DirectoryError::Other {
                    reason: "the connection pool is empty".to_owned(),
                },
                None,
            ));
        };
        let (conn, reused) = {
            let mut guard = slot.lock().await;
            let live = guard.clone().filter(|c| !c.ldap.clone().is_closed());
            match live {
                Some(c) => (c, true),
                None => {
                    *guard = None;
                    let c = self.connect(start).await.map_err(|e| (e, None))?;
                    *guard = Some(c.clone());
                    (c, false)
                }
            }
        };
        let server = conn.server;
        match self.run(conn, query).await {
            Ok(v) => Ok(v),
            // The server dropped a connection that sat in the pool (restart, idle timeout):
            // open a fresh one and try once more; this is not one of the configured retries.
            Err(Failure::Connection(_)) if reused => {
                let conn = {
                    let mut guard = slot.lock().await;
                    *guard = None;
                    let c = self.connect(start).await.map_err(|e| (e, None))?;
                    *guard = Some(c.clone());
                    c
                };
                let server = conn.server;
                match self.run(conn, query).await {
                    Ok(v) => Ok(v),
                    Err(Failure::Connection(e) | Failure::Other(e)) => {
                        slot.lock().await.take();
                        Err((e, Some(server)))
                    }
                }
            }
            Err(Failure::Connection(e)) => {
                slot.lock().await.take();
                Err((e, Some(server)))
            }
            Err(Failure::Other(e)) => {
                if matches!(e, DirectoryError::Timeout { .. }) {
                    // A connection that let an operation time out may be wedged.
                    slot.lock().await.take();
                }
                Err((e, Some(server)))
            }
        }
    }

    async fn run(&self, conn: Conn, query: &LdapQuery) -> Result<Vec<DirectoryEntry>, Failure> {
        let Conn { mut ldap, server } = conn;
        let timeout = self.config.timeout_value();
        let scope = match query.scope {
            Scope::Base => ldap3::Scope::Base,
            Scope::One => ldap3::Scope::OneLevel,
            Scope::Sub => ldap3::Scope::Subtree,
        };
        bump(&self.searches);
        let attrs: Vec<&str> = query.attributes.iter().map(String::as_str).collect();
        let size_limit = i32::try_from(self.config.max_entries_value()).unwrap_or(i32::MAX);
        let result = ldap
            .with_timeout(timeout)
            .with_search_options(ldap3::SearchOptions::new().sizelimit(size_limit))
            .search(&query.base_dn, scope, &query.filter, attrs)
            .await;
        let ldap3::SearchResult(entries, res) = match result {
            Ok(r) => r,
            Err(ldap3::LdapError::Timeout { .. }) => {
                return Err(Failure::Other(DirectoryError::Timeout {
                    after_ms: millis(timeout),
                }));
            }
            Err(e) => {
                return Err(Failure::Connection(DirectoryError::Unavailable {
                    reason: format!("{}: {e}", self.server_name(server)),
                }));
            }
        };
        match res.rc {
            RC_SUCCESS => {}
            // The trait's contract: a base that does not exist is an empty answer.
            RC_NO_SUCH_OBJECT => return Ok(Vec::new()),
            rc => {
                return Err(Failure::Other(DirectoryError::Protocol {
                    reason: format!(
                        "{}: the search failed with {}",
                        self.server_name(server),
                        result_text(rc, &res.text)
                    ),
                }));
            }
        }
        Ok(entries
            .into_iter()
            .map(|e| {
                let e = SearchEntry::construct(e);
                DirectoryEntry {
                    dn: e.dn,
                    attributes: e
                        .attrs
                        .into_iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v))
                        .collect(),
                }
            })
            .collect())
    }

    /// A new bound connection: the servers in order from `start` (wrapping around), the first
    /// that connects and accepts the bind wins.
    async fn connect(&self, start: usize) -> Result<Conn, DirectoryError> {
        let mut failures = Vec::new();
        let mut bind_error = None;
        let mut all_timeouts = true;
        let servers = self.config.servers();
        let order = (start..servers.len()).chain(0..start.min(servers.len()));
        for index in order {
            let Some(server) = servers.get(index) else {
                continue;
            };
            match self.connect_one(index).await {
                Ok(ldap) => {
                    return Ok(Conn {
                        ldap,
                        server: index,
                    });
                }
                Err(e) => {
                    all_timeouts &= matches!(e, DirectoryError::Timeout { .. });
                    failures.push(format!("{server}: {e}"));
                    if matches!(e, DirectoryError::Bind { .. }) {
                        bind_error = Some(e);
                    }
                }
            }
        }
        if let Some(e) = bind_error {
            return Err(e);
        }
        if all_timeouts && failures.len() == 1 {
            return Err(DirectoryError::Timeout {
                after_ms: millis(self.config.connect_timeout_value()),
            });
        }
        Err(DirectoryError::Unavailable {
            reason: format!(
                "no LDAP server could be used ({} tried: {})",
                failures.len(),
                failures.join("; ")
            ),
        })
    }

    async fn connect_one(&self, index: usize) -> Result<Ldap, DirectoryError> {
        let Some(server) = self.config.servers().get(index) else {
            return Err(DirectoryError::Other {
                reason: "no such server".to_owned(),
            });
        };
        let connect_timeout = self.config.connect_timeout_value();
        let timeout = self.config.timeout_value();
        let mut settings = LdapConnSettings::new().set_conn_timeout(connect_timeout);
        if !server.is_ldaps() && self.config.tls_mode() == LdapTls::StartTls {
            settings = settings.set_starttls(true);
        }
        if let Some(tls) = &self.tls {
            settings = settings.set_config(Arc::clone(tls));
        }
        let (conn, mut ldap) = match LdapConnAsync::with_settings(settings, server.as_str()).await {
            Ok(pair) => pair,
            Err(ldap3::LdapError::Timeout { .. }) => {
                return Err(DirectoryError::Timeout {
                    after_ms: millis(connect_timeout),
                });
            }
            Err(e) => {
                return Err(DirectoryError::Unavailable {
                    reason: e.to_string(),
                });
            }
        };
        bump(&self.connects);
        tokio::spawn(async move {
            // The driver ends when the server closes the connection or the `Ldap` handles
            // are gone; `Ldap::is_closed` then tells the pool to reconnect.
            let _ = conn.drive().await;
        });
        let LdapBind::Simple { dn, password } = self.config.bind_settings() else {
            return Ok(ldap);
        };
        // Read at each connection, so a rotated file or variable is picked up.
        let passwords = password.read().map_err(|e| DirectoryError::Other {
            reason: e.to_string(),
        })?;
        let mut last = String::new();
        for pw in &passwords {
            match ldap.with_timeout(timeout).simple_bind(dn, pw).await {
                Ok(r) if r.rc == RC_SUCCESS => return Ok(ldap),
                // Try the next password of a rotation.
                Ok(r) if r.rc == RC_INVALID_CREDENTIALS => last = result_text(r.rc, &r.text),
                Ok(r) => {
                    last = result_text(r.rc, &r.text);
                    break;
                }
                Err(ldap3::LdapError::Timeout { .. }) => {
                    return Err(DirectoryError::Timeout {
                        after_ms: millis(timeout),
                    });
                }
                Err(e) => {
                    return Err(DirectoryError::Unavailable {
                        reason: e.to_string(),
                    });
                }
            }
        }
        let _ = ldap.unbind().await;
        Err(DirectoryError::Bind {
            server: server.to_string(),
            bind_dn: dn.clone(),
            passwords: passwords.len(),
            reason: last,
        })
    }
}
