//! `LdapDirectory`: a live LDAP directory (OpenLDAP, Active Directory) behind the
//! [`Directory`] trait, through `ldap3` with rustls TLS.
//!
//! - Servers are `ldap://host[:port]` / `ldaps://host[:port]` URLs, tried in order on every
//!   new connection (MongoDB's `ldapServers` failover); StartTLS on `ldap://` on request; a CA
//!   file for the directory's certificate.
//! - Anonymous bind, or a simple bind with a DN and a password read from an environment variable
//!   or a file when a connection is opened (never from settings text, never logged). The
//!   variable or file may hold several passwords, one a line, tried in order: during a password
//!   rotation list the new and the old one (MongoDB's `ldapQueryPassword` array).
//! - Connect and operation timeouts (10 s by default), a retry count (0), and a small pool of
//!   connections (each multiplexes concurrent searches); a connection the server dropped is
//!   replaced on its next use.
//! - The connections live on a small tokio runtime that the directory owns, on its own thread:
//!   a search is spawned there and its answer awaited, so it works the same under the caller's
//!   tokio runtime (`authenticate().await` never blocks it, and the timeouts run on the owned
//!   runtime's timer), under another executor, and from a plain thread through
//!   `authenticate_blocking`. No runtime is ever nested; a blocking call made on a thread that
//!   belongs to a tokio runtime is refused with [`DirectoryError::BlockingInsideRuntime`].

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::blocking::in_blocking_call;
use super::directory::{Directory, SearchFuture};
use super::pool::Shared;
use super::template::LdapQuery;
use crate::display::Escaped;
use crate::error::{DirectoryError, LdapConfigError};

/// One LDAP server: `ldap://host[:port]` (port 389 by default) or `ldaps://host[:port]` (636).
///
/// ```
/// use x509_dbauth::directory::LdapServerUrl;
///
/// let url = LdapServerUrl::parse("ldaps://ldap.example.com")?;
/// assert_eq!((url.host(), url.port(), url.is_ldaps()), ("ldap.example.com", 636, true));
/// // A URL that carries a DN or a query is refused: it would be silently ignored.
/// let e = LdapServerUrl::parse("ldap://ldap.example.com/dc=example,dc=com").unwrap_err();
/// assert_eq!(e.kind(), "invalid_server_url");
/// # Ok::<(), x509_dbauth::errors::LdapConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LdapServerUrl {
    ldaps: bool,
    host: String,
    port: u16,
    text: String,
}

impl LdapServerUrl {
    /// Parses a server URL. Only a scheme, a host (name, IPv4 address or `[IPv6]`) and an
    /// optional port are allowed: a DN, query, user information or fragment is refused, since
    /// a server URL that carried them would be silently ignored.
    pub fn parse(url: &str) -> Result<LdapServerUrl, LdapConfigError> {
        let bad = |reason: &str| LdapConfigError::InvalidServerUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let (ldaps, rest) = if lower.starts_with("ldaps://") {
            (true, url.get(8..).unwrap_or_default())
        } else if lower.starts_with("ldap://") {
            (false, url.get(7..).unwrap_or_default())
        } else {
            return Err(bad(
                "expected `ldap://host[:port]` or `ldaps://host[:port]`",
            ));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(bad(
                "a server URL holds only a scheme, a host and a port (no DN, query, user information or fragment)",
            ));
        }
        let (host, port_text) = if let Some(v6) = rest.strip_prefix('[') {
            let Some((addr, after)) = v6.split_once(']') else {
                return Err(bad("`[` without `]` around an IPv6 address"));
            };
            if addr.parse::<Ipv6Addr>().is_err() {
                return Err(bad("the text in brackets is not an IPv6 address"));
            }
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad("expected `:port` after `]`"))?,
                ),
            };
            (format!("[{addr}]"), port)
        } else {
            let (host, port) = match rest.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            };
            if host.is_empty() {
                return Err(bad("no host"));
            }
            if !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                return Err(bad(
                    "the host must be a DNS name, an IPv4 address or a bracketed IPv6 address",
                ));
            }
            (host.to_ascii_lowercase(), port)
        };
        let port = match port_text {
            None => {
                if ldaps {
                    636
                } else {
                    389
                }
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad("the port must be a number from 1 to 65535")),
            },
        };
        let scheme = if ldaps { "ldaps" } else { "ldap" };
        Ok(LdapServerUrl {
            text: format!("{scheme}://{host}:{port}"),
            ldaps,
            host,
            port,
        })
    }

    /// Whether the URL is `ldaps://` (TLS from the first byte).
    pub fn is_ldaps(&self) -> bool {
        self.ldaps
    }

    /// The host, lowercased (IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (the scheme's default when none was given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL in normal form: `scheme://host:port`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for LdapServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl core::str::FromStr for LdapServerUrl {
    type Err = LdapConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LdapServerUrl::parse(s)
    }
}

/// Transport security for `ldap://` servers (`ldaps://` servers always use TLS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LdapTls {
    /// Plain LDAP on `ldap://` servers.
    #[default]
    None,
    /// The StartTLS extended operation on `ldap://` servers, before the bind.
    StartTls,
}

/// Where a bind password comes from. Read each time a connection is opened, so a rotated
/// password file or variable is picked up without a restart.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordSource {
    /// An environment variable; one password a line.
    Env(String),
    /// A file; one password a line (a final newline is ignored).
    File(PathBuf),
    /// Passwords given by the program (not from settings files), tried in order.
    Values(Vec<String>),
}

impl fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordSource::Env(v) => f.debug_tuple("Env").field(v).finish(),
            PasswordSource::File(p) => f.debug_tuple("File").field(p).finish(),
            PasswordSource::Values(v) => write!(f, "Values(<{} password(s) hidden>)", v.len()),
        }
    }
}

/// Largest password file read: 64 KiB.
const MAX_PASSWORD_FILE_BYTES: u64 = 64 * 1024;

impl PasswordSource {
    fn name(&self) -> String {
        match self {
            PasswordSource::Env(v) => format!("environment variable `{}`", Escaped(v)),
            PasswordSource::File(p) => format!("file `{}`", Escaped(&p.display().to_string())),
            PasswordSource::Values(_) => "the program".to_owned(),
        }
    }

    /// The passwords, in order. Errors name the variable or file, never a value.
    pub(crate) fn read(&self) -> Result<Vec<String>, LdapConfigError> {
        let fail = |reason: String| LdapConfigError::BindPassword {
            source_name: self.name(),
            reason,
        };
        let text = match self {
            PasswordSource::Values(v) => v.join("\n"),
            PasswordSource::Env(var) => match std::env::var(var) {
                Ok(t) => t,
                Err(std::env::VarError::NotPresent) => return Err(fail("is not set".to_owned())),
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(fail("is not UTF-8 text".to_owned()));
                }
            },
            PasswordSource::File(path) => read_password_file(path).map_err(fail)?,
        };
        // One final newline (a file's, or `echo`'s) ends the last line; it is not a password.
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let mut out = Vec::new();
        for (i, line) in body.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                // An empty password would make the bind an unauthenticated one (RFC 4513
                // §5.1.2), which many servers accept as anonymous: never send one.
                return Err(fail(format!(
                    "line {} is empty; an empty password would turn the bind into an unauthenticated (anonymous) one",
                    i + 1
                )));
            }
            out.push(line.to_owned());
        }
        Ok(out)
    }
}

fn read_password_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a regular file".to_owned());
    }
    if meta.len() > MAX_PASSWORD_FILE_BYTES {
        return Err(format!(
            "is larger than the {MAX_PASSWORD_FILE_BYTES}-byte limit for a password file"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())
}

/// How the client authenticates to the directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LdapBind {
    /// No bind (anonymous).
    #[default]
    Anonymous,
    /// A simple bind as `dn` with a password from `password`.
    Simple {
        /// The bind DN.
        dn: String,
        /// Where the password(s) come from.
        password: PasswordSource,
    },
}

/// The settings of a live directory. Defaults: anonymous, no TLS on `ldap://`, timeouts of
/// 10 s, no retry, two pooled connections.
///
/// ```
/// use std::time::Duration;
/// use x509_dbauth::directory::{LdapClientConfig, LdapDirectory, LdapTls, PasswordSource};
///
/// let config = LdapClientConfig::from_urls(&["ldap://ldap1.example.com", "ldap://ldap2.example.com:10389"])?
///     .tls(LdapTls::StartTls)
///     .simple_bind("cn=reader,dc=example,dc=com", PasswordSource::Values(vec!["secret".into()]))
///     .timeouts(Duration::from_secs(5))
///     .retries(1);
/// assert_eq!(config.servers()[1].port(), 10389);
/// assert!(config.uses_tls());
/// // Checked and ready; nothing connects until the first search.
/// let directory = LdapDirectory::new(config)?;
/// assert_eq!(directory.config().retries_value(), 1);
/// # Ok::<(), x509_dbauth::errors::LdapConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct LdapClientConfig {
    servers: Vec<LdapServerUrl>,
    tls: LdapTls,
    ca_file: Option<PathBuf>,
    bind: LdapBind,
    connect_timeout: Duration,
    timeout: Duration,
    retries: u32,
    pool_size: usize,
    max_entries: u32,
}

impl LdapClientConfig {
    /// Default connect and operation timeout: 10 s (MongoDB's `ldapTimeoutMS`).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default retry count: 0 (MongoDB's `ldapRetryCount`).
    pub const DEFAULT_RETRIES: u32 = 0;
    /// Default pool size: 2 connections.
    pub const DEFAULT_POOL_SIZE: usize = 2;
    /// Largest pool.
    pub const MAX_POOL_SIZE: usize = 64;
    /// Most retries.
    pub const MAX_RETRIES: u32 = 10;
    /// Default size limit of a search: 10 000 entries.
    pub const DEFAULT_MAX_ENTRIES: u32 = 10_000;

    /// Settings for `servers`, tried in order.
    pub fn new(servers: Vec<LdapServerUrl>) -> LdapClientConfig {
        LdapClientConfig {
            servers,
            tls: LdapTls::None,
            ca_file: None,
            bind: LdapBind::Anonymous,
            connect_timeout: Self::DEFAULT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            retries: Self::DEFAULT_RETRIES,
            pool_size: Self::DEFAULT_POOL_SIZE,
            max_entries: Self::DEFAULT_MAX_ENTRIES,
        }
    }

    /// Parses each URL; see [`LdapServerUrl::parse`].
    pub fn from_urls<S: AsRef<str>>(urls: &[S]) -> Result<LdapClientConfig, LdapConfigError> {
        let servers = urls
            .iter()
            .map(|u| LdapServerUrl::parse(u.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LdapClientConfig::new(servers))
    }

    /// StartTLS (or not) on `ldap://` servers.
    pub fn tls(mut self, tls: LdapTls) -> Self {
        self.tls = tls;
        self
    }

    /// The CA certificates (PEM or DER) that the directory's certificate must chain to;
    /// without one, the system's roots are used.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// How to bind.
    pub fn bind(mut self, bind: LdapBind) -> Self {
        self.bind = bind;
        self
    }

    /// A simple bind as `dn`.
    pub fn simple_bind(self, dn: impl Into<String>, password: PasswordSource) -> Self {
        self.bind(LdapBind::Simple {
            dn: dn.into(),
            password,
        })
    }

    /// How long opening a connection (TCP, TLS, StartTLS) may take on one server.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one operation (bind, search) may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Both timeouts at once (the settings file's `timeout_ms`).
    pub fn timeouts(self, timeout: Duration) -> Self {
        self.connect_timeout(timeout).timeout(timeout)
    }

    /// How many times a search that failed for want of a server (unreachable, timed out) is
    /// tried again.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// How many connections are kept.
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size;
        self
    }

    /// The size limit sent with every search: a search matching more entries fails with
    /// result code 4 (`sizeLimitExceeded`) instead of filling memory (default 10 000).
    pub fn max_entries(mut self, limit: u32) -> Self {
        self.max_entries = limit;
        self
    }

    /// The servers, in failover order.
    pub fn servers(&self) -> &[LdapServerUrl] {
        &self.servers
    }

    /// The TLS mode for `ldap://` servers.
    pub fn tls_mode(&self) -> LdapTls {
        self.tls
    }

    /// The CA file, if any.
    pub fn ca_file_path(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The bind.
    pub fn bind_settings(&self) -> &LdapBind {
        &self.bind
    }

    /// The connect timeout.
    pub fn connect_timeout_value(&self) -> Duration {
        self.connect_timeout
    }

    /// The operation timeout.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The retry count.
    pub fn retries_value(&self) -> u32 {
        self.retries
    }

    /// The pool size.
    pub fn pool_size_value(&self) -> usize {
        self.pool_size
    }

    /// The search size limit.
    pub fn max_entries_value(&self) -> u32 {
        self.max_entries
    }

    /// Whether any server is reached over TLS.
    pub fn uses_tls(&self) -> bool {
        self.tls == LdapTls::StartTls || self.servers.iter().any(LdapServerUrl::is_ldaps)
    }

    /// Checks the settings as [`LdapDirectory::new`] would (ranges, the CA file, the password
    /// source), without starting anything.
    pub fn check(&self) -> Result<(), LdapConfigError> {
        self.validate().map(|_| ())
    }

    /// Checks ranges and reads what must be read (CA file, password source) once.
    fn validate(&self) -> Result<Option<Arc<rustls::ClientConfig>>, LdapConfigError> {
        let setting = |setting: &'static str, reason: String| LdapConfigError::ClientSetting {
            setting,
            reason,
        };
        if self.servers.is_empty() {
            return Err(LdapConfigError::NoServers);
        }
        if self.pool_size == 0 || self.pool_size > Self::MAX_POOL_SIZE {
            return Err(setting(
                "pool_size",
                format!(
                    "{} is not from 1 to {}",
                    self.pool_size,
                    Self::MAX_POOL_SIZE
                ),
            ));
        }
        if self.retries > Self::MAX_RETRIES {
            return Err(setting(
                "retries",
                format!("{} is more than {}", self.retries, Self::MAX_RETRIES),
            ));
        }
        if self.max_entries == 0 || i32::try_from(self.max_entries).is_err() {
            return Err(setting(
                "max_entries",
                format!("{} is not from 1 to {}", self.max_entries, i32::MAX),
            ));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(setting(
                "timeout_ms",
                "a timeout must be positive".to_owned(),
            ));
        }
        if let LdapBind::Simple { dn, password } = &self.bind {
            if dn.is_empty() {
                return Err(setting(
                    "bind_dn",
                    "is empty; leave the bind out for an anonymous bind".to_owned(),
                ));
            }
            password.read()?;
        }
        match &self.ca_file {
            Some(path) if !self.uses_tls() => Err(setting(
                "ca_file",
                format!(
                    "`{}` is set, but no server is reached over TLS (use `ldaps://` URLs or StartTLS)",
                    Escaped(&path.display().to_string())
                ),
            )),
            Some(path) => Ok(Some(tls_config(path)?)),
            None => Ok(None),
        }
    }
}

/// A rustls client configuration trusting only the certificates in `path`.
fn tls_config(path: &Path) -> Result<Arc<rustls::ClientConfig>, LdapConfigError> {
    let fail = |reason: String| LdapConfigError::CaFile {
        path: path.display().to_string(),
        reason,
    };
    let bytes = crate::files::read_regular_file(path, crate::limits::FileKind::Certificates)
        .map_err(|e| fail(e.reason()))?;
    let certs =
        crate::cert::certificates_from_pem_or_der(&bytes).map_err(|e| fail(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for der in certs {
        roots
            .add(rustls_pki_types::CertificateDer::from(der))
            .map_err(|e| fail(format!("a certificate is not usable as a root: {e}")))?;
    }
    if roots.is_empty() {
        return Err(fail("holds no certificate".to_owned()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The owned runtime's thread: stops when the directory is dropped.
struct RuntimeThread {
    handle: tokio::runtime::Handle,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl RuntimeThread {
    fn start() -> Result<RuntimeThread, LdapConfigError> {
        let fail = |reason: String| LdapConfigError::ClientRuntime { reason };
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("x509-dbauth-ldap".to_owned())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = handle_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let _ = handle_tx.send(Ok(rt.handle().clone()));
                // Runs the spawned searches and connection drivers until the directory is
                // dropped (the sender goes away), then drops the runtime on this plain thread.
                rt.block_on(async move {
                    let _ = stop_rx.await;
                });
            })
            .map_err(|e| fail(e.to_string()))?;
        let handle = handle_rx
            .recv()
            .map_err(|_| fail("the runtime thread ended before it started".to_owned()))?
            .map_err(fail)?;
        Ok(RuntimeThread {
            handle,
            _stop: stop_tx,
        })
    }
}

/// A live LDAP directory; see the module documentation. Cheap to share behind an `Arc`.
pub struct LdapDirectory {
    shared: Arc<Shared>,
    runtime: RuntimeThread,
}

impl fmt::Debug for LdapDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LdapDirectory")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl LdapDirectory {
    /// Checks `config` (reads the CA file and the password source once) and starts the
    /// runtime thread. Connects lazily, on the first search.
    pub fn new(config: LdapClientConfig) -> Result<LdapDirectory, LdapConfigError> {
        let tls = config.validate()?;
        let runtime = RuntimeThread::start()?;
        Ok(LdapDirectory {
            shared: Arc::new(Shared::new(config, tls)),
            runtime,
        })
    }

    /// The settings.
    pub fn config(&self) -> &LdapClientConfig {
        &self.shared.config
    }

    /// Search requests sent to a server so far (a retried search counts each try).
    pub fn searches_sent(&self) -> u64 {
        self.shared.searches.load(Ordering::Relaxed)
    }

    /// Connections opened so far (bound or not).
    pub fn connections_opened(&self) -> u64 {
        self.shared.connects.load(Ordering::Relaxed)
    }
}

/// Counter shorthand for the pool.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Directory for LdapDirectory {
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
        if in_blocking_call() && tokio::runtime::Handle::try_current().is_ok() {
            return Box::pin(core::future::ready(Err(
                DirectoryError::BlockingInsideRuntime,
            )));
        }
        let shared = Arc::clone(&self.shared);
        let query = query.clone();
        let task = self
            .runtime
            .handle
            .spawn(async move { shared.search(&query).await });
        Box::pin(Joined(task))
    }
}

/// Awaits a search spawned on the owned runtime; dropping it (a caller's own timeout, a
/// cancelled login) aborts the search.
struct Joined(tokio::task::JoinHandle<Result<Vec<super::DirectoryEntry>, DirectoryError>>);

impl Future for Joined {
    type Output = Result<Vec<super::DirectoryEntry>, DirectoryError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.0).poll(cx) {
            Poll::Ready(Ok(v)) => Poll::Ready(v),
            Poll::Ready(Err(e)) => Poll::Ready(Err(DirectoryError::Other {
                reason: format!("the LDAP search task ended abnormally: {e}"),
            })),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Joined {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        let ok = |s: &str| LdapServerUrl::parse(s).map(|u| u.to_string());
        assert_eq!(
            ok("ldap://127.0.0.1:3890").unwrap(),
            "ldap://127.0.0.1:3890"
        );
        assert_eq!(
            ok("LDAP://Dir.Example.com/").unwrap(),
            "ldap://dir.example.com:389"
        );
        assert_eq!(
            ok("ldaps://dir.example.com").unwrap(),
            "ldaps://dir.example.com:636"
        );
        assert_eq!(ok("ldap://[::1]:10389").unwrap(), "ldap://[::1]:10389");
        let bad = |s: &str| LdapServerUrl::parse(s).unwrap_err().to_string();
        assert_eq!(
            bad("http://x"),
            "LDAP server URL `http://x`: expected `ldap://host[:port]` or `ldaps://host[:port]`"
        );
        assert_eq!(
            bad("ldap://x/dc=example,dc=com"),
            "LDAP server URL `ldap://x/dc=example,dc=com`: a server URL holds only a scheme, a host and a port (no DN, query, user information or fragment)"
        );
        assert_eq!(bad("ldap://"), "LDAP server URL `ldap://`: no host");
        assert_eq!(
            bad("ldap://x:0"),
            "LDAP server URL `ldap://x:0`: the port must be a number from 1 to 65535"
        );
        assert_eq!(
            bad("ldap://x:+1"),
            "LDAP server URL `ldap://x:+1`: the port must be a number from 1 to 65535"
        );
        assert_eq!(
            bad("ldap://a b"),
            "LDAP server URL `ldap://a b`: the host must be a DNS name, an IPv4 address or a bracketed IPv6 address"
        );
        assert_eq!(
            bad("ldap://[zz]"),
            "LDAP server URL `ldap://[zz]`: the text in brackets is not an IPv6 address"
        );
        assert_eq!(
            LdapServerUrl::parse("ldap://u@h").unwrap_err().kind(),
            "invalid_server_url"
        );
    }

    #[test]
    fn passwords_one_a_line_never_empty_never_shown() {
        let v = |s: &str| PasswordSource::Values(vec![s.to_owned()]).read();
        assert_eq!(v("a\r\nb\n").unwrap(), ["a", "b"]);
        assert_eq!(
            v("a\n\nb").unwrap_err().to_string(),
            "bind password from the program: line 2 is empty; an empty password would turn the bind into an unauthenticated (anonymous) one"
        );
        assert_eq!(v("").unwrap_err().kind(), "bind_password");
        let missing = PasswordSource::Env("X509_DBAUTH_SURELY_UNSET_VARIABLE".to_owned());
        assert_eq!(
            missing.read().unwrap_err().to_string(),
            "bind password from environment variable `X509_DBAUTH_SURELY_UNSET_VARIABLE`: is not set"
        );
        let shown = format!("{:?}", PasswordSource::Values(vec!["hunter2".to_owned()]));
        assert_eq!(shown, "Values(<1 password(s) hidden>)");
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        let c = || LdapClientConfig::from_urls(&["ldap://127.0.0.1:1"]).unwrap();
        let err = |c: LdapClientConfig| LdapDirectory::new(c).unwrap_err().to_string();
        assert_eq!(err(c().pool_size(0)), "pool_size: 0 is not from 1 to 64");
        assert_eq!(err(c().retries(11)), "retries: 11 is more than 10");
        assert_eq!(
            err(c().max_entries(0)),
            "max_entries: 0 is not from 1 to 2147483647"
        );
        assert_eq!(
            err(c().timeouts(Duration::ZERO)),
            "timeout_ms: a timeout must be positive"
        );
        assert_eq!(
            err(c().ca_file("ca.pem")),
            "ca_file: `ca.pem` is set, but no server is reached over TLS (use `ldaps://` URLs or StartTLS)"
        );
        assert_eq!(
            err(LdapClientConfig::new(Vec::new())),
            "no LDAP server URL is configured"
        );
        let d = LdapDirectory::new(c()).unwrap();
        assert_eq!(d.connections_opened(), 0);
    }
}
