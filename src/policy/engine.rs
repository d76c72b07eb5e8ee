//! Phase 2: the decision engine (rules 4–7), the principal it produces, and `explain`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument as _;

use rustls_pki_types::{CertificateDer, UnixTime};

use super::cache::{CacheKey, Clock, GroupCache, SystemClock};
use super::exec::{TimedDirectory, block_on};
use super::memo::{LoginMemo, Mapped, Roles};
use super::settings::Settings;
use crate::audit::{self, DecisionCounters};
use crate::classify::{CertificateKind, VerifiedClient};
use crate::display::Escaped;
use crate::dn::{DistinguishedName, NameFindingDetail};
use crate::error::{AuthError, DirectoryError, LdapError};
use crate::ldap::Directory;
use crate::rbac::{Action, PrivilegeSet, Resource, RoleGrant};
use crate::trace::{Outcome, Step, Trace};
use crate::users::NameMatching;

/// An authenticated client: who it is, how it got in, and what it may do.
///
/// ```
/// use x509_dbauth::{Action, Resource, SettingsFile, UnixTime};
/// use x509_dbauth::x509::Certificate;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
/// let auth = SettingsFile::load(format!("{dir}/settings.toml"))?.authenticator();
/// let chain = Certificate::ders_from_pem_or_der(&std::fs::read(format!("{dir}/pki/jane-chain.pem"))?)?;
/// let principal = auth.authenticate_blocking(&auth.verify_client(&chain, UnixTime::now())?, None)?;
/// assert_eq!(principal.user(), "CN=Jane Doe,O=MongoDB,C=US");
/// assert_eq!(principal.role_names(), ["readWrite@sales", "read@reporting.orders"]);
/// assert!(principal.is_authorized(Action::Find, &Resource::collection("reporting", "orders")));
/// assert!(!principal.is_authorized(Action::Find, &Resource::collection("reporting", "hr")));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Principal {
    user: Arc<str>,
    kind: CertificateKind,
    ldap_dn: Option<Arc<str>>,
    roles: Arc<[RoleGrant]>,
    privileges: Arc<PrivilegeSet>,
    not_after: crate::Timestamp,
    expiry_warning: Option<Duration>,
}

impl Principal {
    /// The user name: the registered DN as typed, or the LDAP DN under LDAP authorization.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Who issued the certificate.
    pub fn kind(&self) -> CertificateKind {
        self.kind
    }

    /// The LDAP DN the subject mapped to, when LDAP authorization decided.
    pub fn ldap_dn(&self) -> Option<&str> {
        self.ldap_dn.as_deref()
    }

    /// The resolved role grants.
    pub fn roles(&self) -> &[RoleGrant] {
        &self.roles
    }

    /// The role grants as `role@db` strings.
    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(ToString::to_string).collect()
    }

    /// The privileges the roles give.
    pub fn privileges(&self) -> &PrivilegeSet {
        &self.privileges
    }

    /// When the client certificate expires (the leaf's notAfter): a server may end the
    /// session then.
    pub fn certificate_not_after(&self) -> crate::Timestamp {
        self.not_after
    }

    /// How long the client certificate has left, when that is within the settings' warning
    /// threshold ([`SettingsBuilder::expiration_warning_threshold`], 30 days by default) at
    /// login; `None` otherwise. The audit event carries it as `expires_in_days`.
    ///
    /// [`SettingsBuilder::expiration_warning_threshold`]: crate::SettingsBuilder::expiration_warning_threshold
    pub fn expiry_warning(&self) -> Option<Duration> {
        self.expiry_warning
    }

    /// Whether the principal may perform `action` on `resource`.
    #[inline]
    pub fn is_authorized(&self, action: Action, resource: &Resource) -> bool {
        self.privileges.is_authorized(action, resource)
    }
}

/// A decision with its trace: what [`Authenticator::authenticate`] would answer, and each
/// step's inputs and outcome. Either the client is let in, as a [`Principal`], or it is
/// refused with an [`AuthError`]; no value is both.
///
/// ```
/// use x509_dbauth::{Outcome, SettingsFile, UnixTime};
/// use x509_dbauth::x509::Certificate;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
/// let auth = SettingsFile::load(format!("{dir}/settings.toml"))?.authenticator();
/// let chain = Certificate::ders_from_pem_or_der(&std::fs::read(format!("{dir}/pki/impostor-chain.pem"))?)?;
/// let decision = auth.explain_blocking(&chain, UnixTime::now(), None);
/// assert_eq!(decision.error().map(|e| e.kind()), Some("kind_mismatch"));
/// let last = decision.steps().last().ok_or("no steps")?;
/// assert_eq!((last.step, last.outcome), ("user", Outcome::Fail));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub enum Decision {
    /// The client is let in.
    Allowed {
        /// Who it is.
        principal: Principal,
        /// The steps, in order.
        steps: Vec<Step>,
    },
    /// The client is refused (or, for [`AuthError::DirectoryUnavailable`], no decision could
    /// be made, which fails closed).
    Denied {
        /// Why.
        error: AuthError,
        /// The steps, in order; the last `Fail` step is the one that decided.
        steps: Vec<Step>,
    },
}

impl Decision {
    fn new(result: Result<Principal, AuthError>, trace: Trace) -> Decision {
        let steps = trace.into_steps();
        match result {
            Ok(principal) => Decision::Allowed { principal, steps },
            Err(error) => Decision::Denied { error, steps },
        }
    }

    /// Whether the client is let in.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    /// The principal, when the client is let in.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Decision::Allowed { principal, .. } => Some(principal),
            Decision::Denied { .. } => None,
        }
    }

    /// The reason, when the client is refused.
    pub fn error(&self) -> Option<&AuthError> {
        match self {
            Decision::Allowed { .. } => None,
            Decision::Denied { error, .. } => Some(error),
        }
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[Step] {
        match self {
            Decision::Allowed { steps, .. } | Decision::Denied { steps, .. } => steps,
        }
    }

    /// The answer without its trace: what [`Authenticator::authenticate`] returns.
    pub fn into_result(self) -> Result<Principal, AuthError> {
        match self {
            Decision::Allowed { principal, .. } => Ok(principal),
            Decision::Denied { error, .. } => Err(error),
        }
    }
}

/// Phase 2: decides who a verified client is, under one settings snapshot.
///
/// ```
/// use x509_dbauth::*;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pki = |f: &str| std::fs::read(format!("{}/examples/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let settings = Settings::builder()
///     .managed_ca(TrustAnchors::from_pem(&pki("managed-ca.pem")?)?)
///     .enable_self_managed(TrustAnchors::from_pem(&pki("project-root-ca.pem")?)?)
///     .add_user(UserSpec::new("CN=Jane Doe,O=MongoDB,C=US", CertificateKind::SelfManaged)
///         .role("readWrite@sales"))
///     .build()?;
/// let auth = Authenticator::new(settings.into_arc());
/// let chain = x509::Certificate::ders_from_pem_or_der(&pki("jane-chain.pem")?)?;
/// let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_798_761_600));
///
/// // Phase 1, in the TLS handshake: sync, no I/O.
/// let client = auth.verify_client(&chain, at)?;
/// // Phase 2, at login (async when LDAP authorization is on).
/// let principal = auth.authenticate_blocking(&client, None)?;
/// assert_eq!(principal.user(), "CN=Jane Doe,O=MongoDB,C=US");
/// assert!(principal.is_authorized(Action::Insert, &Resource::collection("sales", "orders")));
/// # Ok(()) }
/// ```
///
/// Cheap to share (`Arc<Authenticator>`); to apply new settings, make a new one with
/// [`Authenticator::with_settings`], which keeps the directory, clock and LDAP cache.
#[derive(Clone)]
pub struct Authenticator {
    settings: Arc<Settings>,
    directory: Option<Arc<dyn Directory>>,
    cache: Arc<GroupCache>,
    /// The directory-free steps of LDAP logins under these settings (see `memo.rs`).
    memo: Arc<LoginMemo>,
    clock: Arc<dyn Clock>,
    /// Decision counts, shared across settings reloads.
    counters: Arc<DecisionCounters>,
}

impl core::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authenticator")
            .field("settings", &self.settings)
            .field("directory", &self.directory.is_some())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator for `settings`, with no directory and the system clock.
    pub fn new(settings: Arc<Settings>) -> Authenticator {
        Authenticator {
            settings,
            directory: None,
            cache: Arc::default(),
            memo: Arc::default(),
            clock: Arc::new(SystemClock),
            counters: Arc::default(),
        }
    }

    /// The LDAP directory used when LDAP authorization is on. Without one, LDAP logins fail
    /// closed with `DirectoryUnavailable`.
    #[must_use]
    pub fn with_directory(mut self, directory: Arc<dyn Directory>) -> Authenticator {
        self.directory = Some(directory);
        self.memo = Arc::default();
        self
    }

    /// The clock for LDAP cache ages (default: system time).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Authenticator {
        self.clock = clock;
        self
    }

    /// The same authenticator (directory, clock, LDAP cache) under new settings.
    #[must_use]
    pub fn with_settings(&self, settings: Arc<Settings>) -> Authenticator {
        Authenticator {
            settings,
            memo: Arc::default(),
            ..self.clone()
        }
    }

    /// The directory LDAP logins ask, if one is attached.
    pub fn directory(&self) -> Option<&Arc<dyn Directory>> {
        self.directory.as_ref()
    }

    /// The same authenticator with `directory` (or none) and an empty LDAP answer cache: the
    /// answers of another directory must not be served.
    #[cfg_attr(not(feature = "settings-files"), allow(dead_code))]
    pub(crate) fn with_fresh_directory(
        &self,
        directory: Option<Arc<dyn Directory>>,
    ) -> Authenticator {
        Authenticator {
            directory,
            cache: Arc::default(),
            memo: Arc::default(),
            ..self.clone()
        }
    }

    /// Forgets the cached LDAP groups of the LDAP user `ldap_dn` (under every query template),
    /// so that its next login asks the directory (MongoDB's `invalidateUserCache`, for one
    /// user). Shared by every authenticator made with [`Self::with_settings`].
    pub fn invalidate_user(&self, ldap_dn: &str) {
        self.cache.invalidate_dn(&cache_dn(ldap_dn));
    }

    /// Forgets every cached LDAP answer (MongoDB's `invalidateUserCache`). An answer being
    /// fetched while this runs is not stored.
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }

    /// How many LDAP answers are cached (at most 10 000; when full, the answers past the
    /// staleness window go first, then the oldest eighth).
    pub fn cached_answers(&self) -> usize {
        self.cache.len()
    }

    /// The settings snapshot.
    pub fn settings(&self) -> &Arc<Settings> {
        &self.settings
    }

    /// Phase 1 under these settings: see [`crate::Verifier::verify_client`]. A refusal is
    /// counted and logged as an audit event of the `handshake` phase (see [`crate::audit`]).
    pub fn verify_client(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<VerifiedClient, AuthError> {
        let _span = tracing::debug_span!("x509_dbauth.verify").entered();
        let started = Instant::now();
        let result = self.settings.verifier().verify_client(presented, now);
        if let Err(e) = &result {
            audit::handshake_denied(
                &self.counters,
                presented.first().map(|c| c.as_ref()),
                e,
                started.elapsed(),
                self.settings.limits(),
            );
        }
        result
    }

    /// Phase 2: the principal for `client`, or why not (decision rules 4–7).
    ///
    /// `claimed_user` is the user name the client sent, if any. Awaits the directory only
    /// when LDAP authorization is on. Every outcome is counted and logged as an audit event of
    /// the `login` phase (see [`crate::audit`]). A client verified under other settings, or at
    /// a time for which a validity period its verification relied on (a certificate's, a
    /// CRL's) no longer holds at this authenticator's clock, is verified again first, under
    /// these settings at that clock's time: a certificate that expired after the handshake
    /// is refused at a later login.
    pub async fn authenticate(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
    ) -> Result<Principal, AuthError> {
        self.authenticate_from(client, claimed_user, None).await
    }

    /// [`Self::authenticate`], naming the client's address in the audit event.
    pub async fn authenticate_from(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
        peer: Option<SocketAddr>,
    ) -> Result<Principal, AuthError> {
        let span = tracing::debug_span!("x509_dbauth.authenticate");
        let started = Instant::now();
        let result = self
            .decide_at_login(client, claimed_user, true, &mut Trace::off())
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        audit::login(
            &self.counters,
            client,
            peer,
            &result,
            started.elapsed(),
            self.settings.limits(),
        );
        result
    }

    /// [`Self::authenticate`] for callers without an async runtime; the LDAP timeout applies.
    pub fn authenticate_blocking(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
    ) -> Result<Principal, AuthError> {
        block_on(self.authenticate(client, claimed_user))
    }

    /// Decisions made through this authenticator and every one derived from it
    /// ([`Self::with_settings`], settings reloads): allowed logins, refusals by kind.
    pub fn counters(&self) -> &Arc<DecisionCounters> {
        &self.counters
    }

    /// Both phases, recording every step: the same decision as `verify_client` followed by
    /// `authenticate`, with its trace.
    pub async fn explain(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        claimed_user: Option<&str>,
    ) -> Decision {
        let mut trace = Trace::on();
        let result = match self
            .settings
            .verifier()
            .verify_traced(presented, now, &mut trace)
        {
            Ok(client) => {
                self.decide_at_login(&client, claimed_user, false, &mut trace)
                    .await
            }
            Err(e) => Err(e),
        };
        Decision::new(result, trace)
    }

    /// [`Self::explain`] for callers without an async runtime.
    pub fn explain_blocking(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        claimed_user: Option<&str>,
    ) -> Decision {
        block_on(self.explain(presented, now, claimed_user))
    }

    /// Phase 2 only, recording every step.
    pub async fn explain_verified(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
    ) -> Decision {
        let mut trace = Trace::on();
        let result = self
            .decide_at_login(client, claimed_user, true, &mut trace)
            .await;
        Decision::new(result, trace)
    }

    /// The engine with the login-time additions (the expiry warning): one code path for
    /// `authenticate` and `explain`. `recheck_time`: the client was verified at a time of the
    /// caller's choosing, and is verified again when its validity checks do not hold at this
    /// authenticator's clock (`explain`, which verified at its own time just before, says no).
    async fn decide_at_login(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
        recheck_time: bool,
        trace: &mut Trace,
    ) -> Result<Principal, AuthError> {
        let mut principal = self
            .decide(client, claimed_user, recheck_time, trace)
            .await?;
        let threshold = self.settings.expiration_warning_threshold();
        let now = i64::try_from(self.clock.now().as_secs()).unwrap_or(i64::MAX);
        let left = principal.not_after.unix_seconds().saturating_sub(now);
        if !threshold.is_zero() && u64::try_from(left).is_ok_and(|l| l <= threshold.as_secs()) {
            let left = Duration::from_secs(u64::try_from(left).unwrap_or(0));
            trace.record("expiry", Outcome::Pass, || {
                format!(
                    "the certificate expires in {} day(s), within the warning threshold of {} day(s)",
                    left.as_secs() / 86_400,
                    threshold.as_secs() / 86_400
                )
            });
            principal.expiry_warning = Some(left);
        }
        Ok(principal)
    }

    /// The engine: rules 4–7.
    async fn decide(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
        recheck_time: bool,
        trace: &mut Trace,
    ) -> Result<Principal, AuthError> {
        let s = &*self.settings;
        // The client may have been verified under an earlier snapshot: classify it again.
        let kind = match s.verifier().kind_of_anchor(client.anchor_key()) {
            Some(CertificateKind::SelfManaged) if !s.self_managed_enabled() => {
                trace.record("kind", Outcome::Fail, || {
                    "self-managed X.509 is disabled in the current settings".to_owned()
                });
                return Err(AuthError::SelfManagedDisabled {
                    anchor: client.anchor_subject().to_owned(),
                });
            }
            Some(kind) => kind,
            None => {
                trace.record("kind", Outcome::Fail, || {
                    format!(
                        "the trust anchor \"{}\" is in neither CA set of the current settings",
                        Escaped(client.anchor_subject())
                    )
                });
                return Err(AuthError::AnchorNoLongerTrusted {
                    anchor: client.anchor_subject().to_owned(),
                });
            }
        };
        // Verified under another configuration (the settings were reloaded between the two
        // phases), or at a time for which a validity period the verification relied on (a
        // certificate's, a CRL's) no longer holds: verify the chain again under the current
        // settings, at the current time, so that its CRLs, intermediates, limits, anchors and
        // validity apply. A CRL loaded after the handshake revokes a login that is still pending.
        let now = self.clock.now();
        let secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let why = if client.verifier_id() != s.verifier().id() {
            Some("the settings changed after the chain was verified")
        } else if recheck_time && !client.still_valid_at(secs) {
            Some("the chain was verified at a time whose validity checks no longer hold")
        } else {
            None
        };
        let reverified;
        let (client, kind) = match why {
            None => (client, kind),
            Some(why) => match s.verifier().verify_client(&client.presented(), now) {
                Ok(fresh) => {
                    trace.record("chain_recheck", Outcome::Pass, || {
                        format!("{why}; it verifies under the current settings now too")
                    });
                    reverified = fresh;
                    (&reverified, reverified.kind())
                }
                Err(e) => {
                    trace.record("chain_recheck", Outcome::Fail, || {
                        format!("{why}, and the current settings refuse it now: {e}")
                    });
                    return Err(e);
                }
            },
        };
        trace.record("kind", Outcome::Pass, || {
            format!(
                "{kind} certificate (trust anchor \"{}\")",
                Escaped(client.anchor_subject())
            )
        });
        refuse_control_characters(client, trace)?;
        check_claim(client, claimed_user, s, trace)?;
        if s.ldap_authorization() {
            self.ldap(client, kind, trace).await
        } else {
            trace.record("ldap_authorization", Outcome::Skip, || {
                "LDAP authorization is off; database users decide".to_owned()
            });
            database_user(client, kind, s, trace)
        }
    }

    /// Rule 6: LDAP authorization.
    async fn ldap(
        &self,
        client: &VerifiedClient,
        kind: CertificateKind,
        trace: &mut Trace,
    ) -> Result<Principal, AuthError> {
        let s = &*self.settings;
        if kind == CertificateKind::Managed {
            trace.record("ldap_authorization", Outcome::Fail, || {
                "LDAP authorization is on, and managed certificates cannot connect then".to_owned()
            });
            return Err(AuthError::ManagedBlockedByLdap {
                subject: client.subject().to_string(),
            });
        }
        trace.record("ldap_authorization", Outcome::Pass, || {
            "LDAP authorization is on; LDAP groups decide the roles".to_owned()
        });
        // The mapping reads the server username; a value that is not a directory string has
        // no string to map (it prints as `#hex`), so it is refused rather than read by bytes.
        if let Some(found) = client.subject().first_non_string_value() {
            let encoding = match found.detail {
                NameFindingDetail::NonString(e) => e,
                NameFindingDetail::ControlCharacter(_) => String::new(),
            };
            let err = AuthError::NonStringValueInSubject {
                subject: client.subject().to_string(),
                attribute: found.attribute,
                rdn: found.rdn,
                encoding,
            };
            trace.record("ldap_mapping", Outcome::Fail, || err.to_string());
            return Err(err);
        }
        let Some(directory) = self.directory.as_deref() else {
            trace.record("ldap_mapping", Outcome::Fail, || {
                "no LDAP directory is configured".to_owned()
            });
            return Err(AuthError::DirectoryUnavailable {
                ldap_dn: client.subject().server_username(),
                source: DirectoryError::Unavailable {
                    reason: "no directory is configured".to_owned(),
                },
            });
        };
        let cfg = s.ldap_cache();
        let timed = TimedDirectory {
            inner: directory,
            timeout: cfg.timeout,
        };
        let mapping = s.user_to_dn_mapping();
        // The subject → LDAP DN → query steps are remembered when no rule asks the directory.
        let local = !mapping.consults_directory();
        let remembered = if local {
            self.memo.get(client.subject())
        } else {
            None
        };
        let mapped = match remembered {
            Some(m) => {
                trace.record("ldap_mapping", Outcome::Pass, || {
                    mapping_detail(mapping.rules().len(), &m.input, &m.ldap_dn)
                });
                m
            }
            None => {
                let m = Arc::new(self.map_subject(client, &timed, trace).await?);
                if local {
                    self.memo.insert(client.subject(), Arc::clone(&m));
                }
                m
            }
        };
        let key = &mapped.key;
        let ldap_dn = || mapped.ldap_dn.to_string();
        let template = s.query_template();
        let now = self.clock.now().as_secs();
        if let Some(interval) = cfg.invalidation {
            self.cache.flush_every(now, interval.as_secs());
        }
        let cached = self.cache.get(key);
        let age = |fetched: u64| now.saturating_sub(fetched);
        let groups: Arc<[String]> = match cached {
            Some(c) if age(c.fetched_at) < cfg.refresh.as_secs() => {
                trace.record("ldap_query", Outcome::Pass, || {
                    format!(
                        "cached answer from {} s ago (refreshed every {} s): {}",
                        age(c.fetched_at),
                        cfg.refresh.as_secs(),
                        list(&c.groups)
                    )
                });
                c.groups
            }
            _ => match self
                .cache
                .fetch_once(
                    key,
                    now,
                    cfg.refresh.as_secs(),
                    cfg.staleness.as_secs(),
                    async {
                        let entries = timed.search(&key.query).await?;
                        key.query.groups_from_entries(entries, s.limits())
                    },
                )
                .await
            {
                Ok(groups) => {
                    trace.record("ldap_query", Outcome::Pass, || {
                        format!(
                            "query `{}` for \"{}\" returned {}",
                            Escaped(template),
                            Escaped(&*mapped.ldap_dn),
                            list(&groups)
                        )
                    });
                    groups
                }
                Err(LdapError::Directory(source)) => match cached {
                    Some(c) if age(c.fetched_at) < cfg.staleness.as_secs() => {
                        trace.record("ldap_query", Outcome::Pass, || {
                            format!(
                                "the directory failed ({source}); using the cached answer from {} s ago (staleness window {} s): {}",
                                age(c.fetched_at),
                                cfg.staleness.as_secs(),
                                list(&c.groups)
                            )
                        });
                        c.groups
                    }
                    _ => {
                        trace.record("ldap_query", Outcome::Fail, || {
                            format!(
                                "the directory failed ({source}) and no cached answer is younger than {} s",
                                cfg.staleness.as_secs()
                            )
                        });
                        return Err(AuthError::DirectoryUnavailable {
                            ldap_dn: ldap_dn(),
                            source,
                        });
                    }
                },
                Err(source) => {
                    self.cache.remove(key);
                    trace.record("ldap_query", Outcome::Fail, || source.to_string());
                    return Err(AuthError::LdapQueryFailed {
                        ldap_dn: ldap_dn(),
                        source,
                    });
                }
            },
        };

        let roles = match mapped.roles_for(&groups) {
            Some(roles) => roles,
            None => {
                let roles = Arc::new(self.roles_of(&groups, ldap_dn, trace)?);
                mapped.remember(Arc::clone(&roles));
                roles
            }
        };
        trace.record("ldap_groups", Outcome::Pass, || {
            format!("configured groups matched: {}", list(&roles.matched))
        });
        trace.record("roles", Outcome::Pass, || roles_detail(&roles.grants));
        Ok(Principal {
            user: Arc::clone(&mapped.ldap_dn),
            kind,
            ldap_dn: Some(Arc::clone(&mapped.ldap_dn)),
            roles: Arc::clone(&roles.grants),
            privileges: Arc::clone(&roles.privileges),
            not_after: client.not_after(),
            expiry_warning: None,
        })
    }

    /// The mapping and query steps of an LDAP login (the part [`LoginMemo`] remembers): the
    /// server username, the LDAP DN the mapping rules give it, and the rendered query.
    async fn map_subject(
        &self,
        client: &VerifiedClient,
        directory: &TimedDirectory<'_>,
        trace: &mut Trace,
    ) -> Result<Mapped, AuthError> {
        let s = &*self.settings;
        let input = client.subject().server_username();
        let mapping = s.user_to_dn_mapping();
        let cn = client.subject().common_name();
        let ldap_dn = match mapping.map(&input, cn.as_deref(), directory).await {
            Ok(dn) => dn,
            Err(e) => {
                trace.record("ldap_mapping", Outcome::Fail, || e.to_string());
                return Err(match e {
                    LdapError::NoMapping { subject, failures } => AuthError::NoMapping {
                        subject,
                        reasons: failures,
                    },
                    LdapError::Directory(source) => AuthError::DirectoryUnavailable {
                        ldap_dn: input,
                        source,
                    },
                    other => AuthError::LdapQueryFailed {
                        ldap_dn: input,
                        source: other,
                    },
                });
            }
        };
        trace.record("ldap_mapping", Outcome::Pass, || {
            mapping_detail(mapping.rules().len(), &input, &ldap_dn)
        });
        // The cache answers "what does this query return", so it is keyed by the rendered
        // query itself: two subjects share an answer only when they ask the directory the same
        // question (a template with {PROVIDED_USER} asks one per subject; DN spellings that
        // this crate's matching folds together may be told apart by the directory).
        let query = match s.query_template().render(&ldap_dn, &input) {
            Ok(query) => query,
            Err(source) => {
                trace.record("ldap_query", Outcome::Fail, || source.to_string());
                return Err(AuthError::LdapQueryFailed { ldap_dn, source });
            }
        };
        let key = CacheKey {
            query,
            dn: cache_dn(&ldap_dn),
        };
        Ok(Mapped::new(input, ldap_dn.into(), key))
    }

    /// Rule 6's last step: the configured groups among `groups` and the roles they grant.
    fn roles_of(
        &self,
        groups: &Arc<[String]>,
        ldap_dn: impl Fn() -> String,
        trace: &mut Trace,
    ) -> Result<Roles, AuthError> {
        let s = &*self.settings;
        let mut grants: Vec<RoleGrant> = Vec::new();
        let mut matched: Vec<String> = Vec::new();
        for g in groups.iter() {
            let Ok(dn) = DistinguishedName::parse_with_limits(g, s.limits()) else {
                continue;
            };
            // A group DN with a control character matches nothing (configured groups cannot
            // hold one either).
            if dn.has_control_characters() {
                continue;
            }
            if let Some(group) = s.ldap_group(&dn.canonical()) {
                matched.push(group.dn().to_owned());
                for r in group.roles() {
                    if !grants.contains(r) {
                        grants.push(r.clone());
                    }
                }
            }
        }
        if matched.is_empty() {
            trace.record("ldap_groups", Outcome::Fail, || {
                format!("none of {} is a configured LDAP group", list(groups))
            });
            return Err(AuthError::NotAuthorizedByLdap {
                ldap_dn: ldap_dn(),
                groups: groups.to_vec(),
            });
        }
        let privileges = s.resolve(&grants).map_err(|e| {
            trace.record("ldap_groups", Outcome::Pass, || {
                format!("configured groups matched: {}", list(&matched))
            });
            trace.record("roles", Outcome::Fail, || e.to_string());
            AuthError::Roles(e)
        })?;
        Ok(Roles::new(
            Arc::clone(groups),
            matched,
            grants.into(),
            Arc::new(privileges),
        ))
    }
}

/// The `ldap_mapping` step's text.
fn mapping_detail(rules: usize, input: &str, ldap_dn: &str) -> String {
    match rules {
        0 => format!(
            "no mapping rules: the subject \"{}\" is the LDAP DN",
            Escaped(input)
        ),
        n => format!(
            "\"{}\" maps to \"{}\" ({n} rule(s))",
            Escaped(input),
            Escaped(ldap_dn)
        ),
    }
}

/// The DN part of a cache key: the canonical form when `dn` parses.
fn cache_dn(dn: &str) -> String {
    match DistinguishedName::parse(dn) {
        Ok(parsed) => parsed.canonical().to_string(),
        Err(_) => dn.to_owned(),
    }
}

/// A subject with a control character matches nothing: refused before any matching (users,
/// claims, mapping rules, LDAP groups), because RFC 4518 preparation and the server username
/// drop such characters and would make `CN=admin\00` read as `CN=admin`.
fn refuse_control_characters(client: &VerifiedClient, trace: &mut Trace) -> Result<(), AuthError> {
    let Some(found) = client.subject().first_control_character() else {
        return Ok(());
    };
    let code_point = match found.detail {
        NameFindingDetail::ControlCharacter(c) => u32::from(c),
        NameFindingDetail::NonString(_) => 0,
    };
    let err = AuthError::ControlCharacterInSubject {
        subject: client.subject().to_string(),
        attribute: found.attribute,
        rdn: found.rdn,
        position: found.position,
        code_point,
    };
    trace.record("subject_name", Outcome::Fail, || err.to_string());
    Err(err)
}

/// Rule 4: a claimed user name must match the subject.
fn check_claim(
    client: &VerifiedClient,
    claimed_user: Option<&str>,
    s: &Settings,
    trace: &mut Trace,
) -> Result<(), AuthError> {
    let Some(claimed) = claimed_user else {
        trace.record("claimed_user", Outcome::Skip, || {
            "no user name claimed; the subject names the user".to_owned()
        });
        return Ok(());
    };
    // The claim is client input: keep at most a username's worth of it in the error (logs).
    let limit = s.limits().max_username_bytes;
    let shown = if claimed.len() > limit {
        let mut end = limit;
        while !claimed.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        format!("{}…", claimed.get(..end).unwrap_or_default())
    } else {
        claimed.to_owned()
    };
    let mismatch = |reason: Option<String>| AuthError::ClaimMismatch {
        claimed: shown.clone(),
        subject: client.subject().to_string(),
        reason,
    };
    if s.name_matching() == NameMatching::Exact {
        let username = client.subject().server_username();
        if claimed == username {
            trace.record("claimed_user", Outcome::Pass, || {
                format!(
                    "\"{}\" is the subject's server username, byte for byte",
                    Escaped(claimed)
                )
            });
            return Ok(());
        }
        let err = mismatch(Some(format!(
            "exact name matching is on: the claim must be the certificate's server username \"{}\" byte for byte",
            Escaped(&username)
        )));
        trace.record("claimed_user", Outcome::Fail, || err.to_string());
        return Err(err);
    }
    let err = match DistinguishedName::parse_with_limits(claimed, s.limits()) {
        Ok(dn) if dn.matches(client.subject()) => {
            trace.record("claimed_user", Outcome::Pass, || {
                format!("\"{}\" matches the subject", Escaped(&shown))
            });
            return Ok(());
        }
        Ok(dn) => mismatch(reversed_order(&dn, client.subject())),
        Err(e) => mismatch(Some(format!("the claim is not a valid DN: {e}"))),
    };
    trace.record("claimed_user", Outcome::Fail, || err.to_string());
    Err(err)
}

/// The most common reason a typed name differs from a certificate's: the RDNs were written
/// in DER order (`C=US,...,CN=x`), as `openssl x509 -subject` prints them by default.
fn reversed_order(claimed: &DistinguishedName, subject: &DistinguishedName) -> Option<String> {
    (claimed.canonical().is_reversal_of(&subject.canonical())).then(|| {
        "it lists the subject's RDNs in reverse order; RFC 4514 text starts with the most specific RDN".to_owned()
    })
}

/// Rule 5: the database user named by the subject, of the certificate's kind.
fn database_user(
    client: &VerifiedClient,
    kind: CertificateKind,
    s: &Settings,
    trace: &mut Trace,
) -> Result<Principal, AuthError> {
    let Some(user) = s
        .users()
        .lookup(client.subject(), client.canonical_subject())
    else {
        let subject = match s.name_matching() {
            NameMatching::Canonical => client.subject().to_string(),
            NameMatching::Exact => client.subject().server_username(),
        };
        let err = AuthError::UnknownUser {
            subject,
            hint: s.users().hint(client.subject()),
        };
        trace.record("user", Outcome::Fail, || err.to_string());
        return Err(err);
    };
    if user.kind() != kind {
        let err = AuthError::KindMismatch {
            user: user.name().to_owned(),
            user_kind: user.kind(),
            certificate_kind: kind,
        };
        trace.record("user", Outcome::Fail, || err.to_string());
        return Err(err);
    }
    trace.record("user", Outcome::Pass, || {
        format!(
            "database user \"{}\" ({})",
            Escaped(user.name()),
            user.kind()
        )
    });
    trace.record("roles", Outcome::Pass, || roles_detail(user.roles()));
    let (name, roles, privileges) = user.shared();
    Ok(Principal {
        user: name,
        kind,
        ldap_dn: None,
        roles,
        privileges,
        not_after: client.not_after(),
        expiry_warning: None,
    })
}

fn roles_detail(grants: &[RoleGrant]) -> String {
    if grants.is_empty() {
        return "no roles".to_owned();
    }
    grants
        .iter()
        .map(|g| Escaped(g).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "no groups".to_owned();
    }
    items
        .iter()
        .map(|s| format!("\"{}\"", Escaped(s.as_ref())))
        .collect::<Vec<_>>()
        .join(", ")
}
