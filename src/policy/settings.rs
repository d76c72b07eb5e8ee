//! The settings snapshot: trust anchors, users, roles, LDAP. Immutable once built; admin
//! operations go through [`Settings::to_builder`] and return a new snapshot, so a server can
//! swap `Arc<Settings>` atomically.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::classify::{CertificateKind, Verifier};
use crate::crypto::SignatureVerifier;
use crate::display::Escaped;
use crate::dn::{CanonicalDn, DistinguishedName, DnLintCode};
use crate::error::SettingsError;
use crate::ldap::{QueryTemplate, UserToDnMapping};
use crate::limits::Limits;
use crate::rbac::{CustomRole, PrivilegeSet, RoleCatalog, RoleGrant};
use crate::trust::TrustAnchors;
use crate::users::{NameMatching, UserRegistry, UserSpec, parse_grants};

/// LDAP answer caching and timeout (MongoDB's `ldapUserCacheRefreshInterval`,
/// `ldapUserCacheStalenessInterval`, `security.ldap.timeoutMS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LdapCacheConfig {
    /// A cached group list younger than this is used without asking the directory (30 s).
    pub refresh: Duration,
    /// While the directory is down, a cached group list younger than this is still used (90 s);
    /// after that, logins fail closed.
    pub staleness: Duration,
    /// How long one directory search may take (10 s). Enforced under any executor (a timer
    /// thread wakes the login's task at the deadline) and by `authenticate_blocking`.
    pub timeout: Duration,
    /// When set, the whole cache is flushed this often (MongoDB's
    /// `ldapUserCacheInvalidationInterval`); `None` (the default) relies on refresh alone.
    pub invalidation: Option<Duration>,
}

impl LdapCacheConfig {
    /// The defaults: refresh 30 s, staleness 90 s, timeout 10 s.
    pub const DEFAULT: LdapCacheConfig = LdapCacheConfig {
        refresh: Duration::from_secs(30),
        staleness: Duration::from_secs(90),
        timeout: Duration::from_secs(10),
        invalidation: None,
    };

    /// Custom values (checked by `SettingsBuilder::build`).
    pub fn new(refresh: Duration, staleness: Duration, timeout: Duration) -> LdapCacheConfig {
        LdapCacheConfig {
            refresh,
            staleness,
            timeout,
            invalidation: None,
        }
    }

    /// The same, with the cache flushed every `interval`.
    #[must_use]
    pub fn with_invalidation(mut self, interval: Duration) -> LdapCacheConfig {
        self.invalidation = Some(interval);
        self
    }
}

impl Default for LdapCacheConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// An LDAP group that grants roles, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapGroupSpec {
    /// The group's DN, as typed.
    pub dn: String,
    /// Role grants.
    pub roles: Vec<String>,
}

/// A validated LDAP group.
#[derive(Debug, Clone)]
pub struct LdapGroup {
    dn: String,
    roles: Vec<RoleGrant>,
}

impl LdapGroup {
    /// The DN as typed.
    pub fn dn(&self) -> &str {
        &self.dn
    }

    /// The roles it grants.
    pub fn roles(&self) -> &[RoleGrant] {
        &self.roles
    }
}

/// Builds a [`Settings`] snapshot; nothing is checked until [`SettingsBuilder::build`], which
/// refuses anything invalid (fail closed).
#[derive(Debug, Clone)]
#[must_use]
pub struct SettingsBuilder {
    limits: Limits,
    managed: Option<TrustAnchors>,
    self_managed: Option<TrustAnchors>,
    self_managed_enabled: bool,
    crls: Vec<Vec<u8>>,
    /// Each user, and whether it was kept from an earlier snapshot.
    users: Vec<(UserSpec, bool)>,
    matching: NameMatching,
    custom_roles: Vec<CustomRole>,
    ldap_authorization: bool,
    mapping: UserToDnMapping,
    query_template: QueryTemplate,
    groups: Vec<LdapGroupSpec>,
    cache: LdapCacheConfig,
    /// None: the default backend (RustCrypto). Kept by `to_builder`, not in settings files.
    backend: Option<Arc<dyn SignatureVerifier>>,
    expiration_warning: Duration,
    clock_skew: Duration,
}

impl Default for SettingsBuilder {
    fn default() -> Self {
        SettingsBuilder {
            limits: Limits::DEFAULT,
            managed: None,
            self_managed: None,
            self_managed_enabled: false,
            crls: Vec::new(),
            users: Vec::new(),
            matching: NameMatching::Canonical,
            custom_roles: Vec::new(),
            ldap_authorization: false,
            mapping: UserToDnMapping::default(),
            query_template: QueryTemplate::default(),
            groups: Vec::new(),
            cache: LdapCacheConfig::DEFAULT,
            backend: None,
            expiration_warning: Settings::DEFAULT_EXPIRATION_WARNING,
            clock_skew: Duration::ZERO,
        }
    }
}

impl SettingsBuilder {
    /// How close to its notAfter a client certificate must be for a login to carry an expiry
    /// warning ([`Principal::expiry_warning`](crate::Principal::expiry_warning) and the audit
    /// event's `expires_in_days`): MongoDB's `tlsX509ExpirationWarningThresholdDays`. Default
    /// 30 days; zero turns the warning off.
    pub fn expiration_warning_threshold(mut self, threshold: Duration) -> Self {
        self.expiration_warning = threshold;
        self
    }

    /// Clock-skew leeway for every validity check of both CA sets (default zero): a
    /// certificate is accepted when the validation time is within [notBefore − leeway,
    /// notAfter + leeway], and a CRL is usable within [thisUpdate − leeway, nextUpdate +
    /// leeway]. See [`VerifierBuilder::clock_skew`](crate::VerifierBuilder::clock_skew).
    pub fn clock_skew(mut self, leeway: Duration) -> Self {
        self.clock_skew = leeway;
        self
    }

    /// Resource limits (users, roles, name lengths, chain budgets).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the platform's managed CA set.
    pub fn managed_ca(mut self, anchors: TrustAnchors) -> Self {
        self.managed = Some(anchors);
        self
    }

    /// Enables self-managed X.509 with the self-managed CA set (the project's own PKI),
    /// replacing any earlier one.
    pub fn enable_self_managed(mut self, bundle: TrustAnchors) -> Self {
        self.self_managed = Some(bundle);
        self.self_managed_enabled = true;
        self
    }

    /// Enables self-managed X.509 again with the bundle already configured.
    pub fn reenable_self_managed(mut self) -> Self {
        self.self_managed_enabled = true;
        self
    }

    /// Disables self-managed X.509: its certificates stop working; users and the bundle are
    /// kept (so such certificates are reported as `SelfManagedDisabled`, not as untrusted).
    pub fn disable_self_managed(mut self) -> Self {
        self.self_managed_enabled = false;
        self
    }

    /// Replaces the self-managed CA set (enabled state unchanged).
    pub fn replace_self_managed_bundle(mut self, bundle: TrustAnchors) -> Self {
        self.self_managed = Some(bundle);
        self
    }

    /// Adds CAs to the self-managed set, for rotation (old and new trusted side by side).
    pub fn add_self_managed_ca(mut self, more: TrustAnchors) -> Self {
        match &mut self.self_managed {
            Some(p) => p.extend(more),
            None => self.self_managed = Some(more),
        }
        self
    }

    /// Adds CRLs (PEM bundle or one DER CRL), applied to both CA sets.
    pub fn crls(mut self, pem_or_der: &[u8]) -> Self {
        self.crls.push(pem_or_der.to_vec());
        self
    }

    /// Adds a database user. A self-managed user cannot be added while self-managed X.509 is
    /// disabled (`build` refuses it).
    pub fn add_user(mut self, user: UserSpec) -> Self {
        self.users.push((user, false));
        self
    }

    /// Restores a user from stored settings (a settings file): kept like the users of an
    /// earlier snapshot, so a self-managed user survives self-managed X.509 being disabled.
    pub fn restore_user(mut self, user: UserSpec) -> Self {
        self.users.push((user, true));
        self
    }

    /// How subjects are compared with user names and claimed names (default
    /// [`NameMatching::Canonical`]). LDAP group DNs are compared canonically either way.
    pub fn name_matching(mut self, matching: NameMatching) -> Self {
        self.matching = matching;
        self
    }

    /// Removes the user whose name matches `name` under the name matching set so far: as a DN
    /// (canonical), or byte for byte (exact). A no-op when none does.
    pub fn remove_user(mut self, name: &str) -> Self {
        if self.matching == NameMatching::Exact {
            self.users.retain(|(u, _)| u.name != name);
            return self;
        }
        if let Ok(dn) = DistinguishedName::parse(name) {
            let key = dn.canonical();
            self.users.retain(|(u, _)| {
                DistinguishedName::parse(&u.name).map_or(true, |d| d.canonical() != key)
            });
        }
        self
    }

    /// Adds a custom role.
    pub fn add_custom_role(mut self, role: CustomRole) -> Self {
        self.custom_roles.push(role);
        self
    }

    /// Turns LDAP authorization on: managed certificates are refused, and self-managed ones
    /// get their roles from LDAP groups.
    pub fn enable_ldap_authorization(mut self) -> Self {
        self.ldap_authorization = true;
        self
    }

    /// Turns LDAP authorization off (database users decide again).
    pub fn disable_ldap_authorization(mut self) -> Self {
        self.ldap_authorization = false;
        self
    }

    /// The user-to-DN mapping rules (none: the subject itself is the LDAP DN).
    pub fn user_to_dn_mapping(mut self, mapping: UserToDnMapping) -> Self {
        self.mapping = mapping;
        self
    }

    /// The authorization query template (default `{USER}?memberOf?base`).
    pub fn query_template(mut self, template: QueryTemplate) -> Self {
        self.query_template = template;
        self
    }

    /// Adds an LDAP group whose members get `roles`.
    pub fn add_ldap_group(mut self, group: LdapGroupSpec) -> Self {
        self.groups.push(group);
        self
    }

    /// LDAP cache and timeout.
    pub fn ldap_cache(mut self, cache: LdapCacheConfig) -> Self {
        self.cache = cache;
        self
    }

    /// The signature backend used to verify client chains against both CA sets (default:
    /// RustCrypto). A server process setting, not part of the settings file; snapshots made
    /// with [`Settings::to_builder`] keep it.
    pub fn signature_verifier(mut self, backend: Arc<dyn SignatureVerifier>) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Validates everything and returns the snapshot.
    pub fn build(self) -> Result<Settings, SettingsError> {
        let verifier = Verifier::builder()
            .managed_ca(self.managed.clone().unwrap_or_default())
            .self_managed_ca(self.self_managed.clone(), self.self_managed_enabled)
            .limits(self.limits.clone())
            .clock_skew(self.clock_skew);
        let verifier = match &self.backend {
            Some(backend) => verifier.signature_verifier(Arc::clone(backend)),
            None => verifier,
        };
        let verifier = self.crls.iter().fold(verifier, |b, c| b.crls(c)).build()?;
        let catalog = self
            .custom_roles
            .iter()
            .cloned()
            .fold(
                RoleCatalog::builder().with_limits(self.limits.clone()),
                |b, r| b.add_role(r),
            )
            .build()
            .map_err(SettingsError::CustomRoles)?;
        let users = UserRegistry::build_flagged(
            &self.users,
            &catalog,
            &self.limits,
            self.self_managed_enabled,
            self.matching,
        )?;
        let mut groups = Vec::with_capacity(self.groups.len());
        let mut group_index = HashMap::with_capacity(self.groups.len());
        for (index, g) in self.groups.iter().enumerate() {
            let dn =
                DistinguishedName::parse_with_limits(&g.dn, &self.limits).map_err(|source| {
                    SettingsError::InvalidGroupDn {
                        index,
                        dn: g.dn.clone(),
                        source,
                    }
                })?;
            if dn.has_control_characters() {
                return Err(SettingsError::ControlCharacterInGroupDn {
                    index,
                    dn: g.dn.clone(),
                });
            }
            if let Some(&first) = group_index.get(&dn.canonical()) {
                return Err(SettingsError::DuplicateGroup {
                    index,
                    dn: g.dn.clone(),
                    first,
                });
            }
            let roles = parse_grants(&g.roles, &catalog).map_err(|(role, source)| {
                SettingsError::GroupRole {
                    index,
                    role,
                    source,
                }
            })?;
            group_index.insert(dn.canonical(), index);
            groups.push(LdapGroup {
                dn: g.dn.clone(),
                roles,
            });
        }
        if self.cache.refresh.is_zero() {
            return Err(SettingsError::LdapCache(
                "the refresh interval must be above zero",
            ));
        }
        if self.cache.staleness < self.cache.refresh {
            return Err(SettingsError::LdapCache(
                "the staleness interval must be at least the refresh interval",
            ));
        }
        if self.cache.invalidation.is_some_and(|i| i.as_secs() == 0) {
            return Err(SettingsError::LdapCache(
                "the invalidation interval must be at least one second",
            ));
        }
        if self.cache.timeout.is_zero() {
            return Err(SettingsError::LdapCache("the timeout must be above zero"));
        }
        Ok(Settings {
            verifier,
            users,
            catalog,
            groups,
            group_index,
            source: self,
        })
    }
}

/// One immutable settings snapshot: CA sets, users, roles, LDAP authorization.
#[derive(Debug, Clone)]
pub struct Settings {
    verifier: Verifier,
    users: UserRegistry,
    catalog: RoleCatalog,
    groups: Vec<LdapGroup>,
    group_index: HashMap<CanonicalDn, usize>,
    source: SettingsBuilder,
}

impl Settings {
    /// The default expiry-warning threshold: 30 days.
    pub const DEFAULT_EXPIRATION_WARNING: Duration = Duration::from_secs(30 * 86_400);

    /// See [`SettingsBuilder::expiration_warning_threshold`].
    pub fn expiration_warning_threshold(&self) -> Duration {
        self.source.expiration_warning
    }

    /// See [`SettingsBuilder::clock_skew`].
    pub fn clock_skew(&self) -> Duration {
        self.source.clock_skew
    }

    /// A builder with nothing configured: no CAs, self-managed X.509 and LDAP authorization off.
    pub fn builder() -> SettingsBuilder {
        SettingsBuilder::default()
    }

    /// A builder holding this snapshot's configuration, for an admin change.
    pub fn to_builder(&self) -> SettingsBuilder {
        let mut b = self.source.clone();
        for (_, kept) in &mut b.users {
            *kept = true;
        }
        b
    }

    /// Wraps the snapshot for sharing.
    pub fn into_arc(self) -> Arc<Settings> {
        Arc::new(self)
    }

    /// The phase-1 verifier for these CA sets.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The managed CA set.
    pub fn managed_anchors(&self) -> &TrustAnchors {
        self.verifier.managed_anchors()
    }

    /// The self-managed CA set (kept while disabled).
    pub fn self_managed_anchors(&self) -> &TrustAnchors {
        self.verifier.self_managed_anchors()
    }

    /// Whether self-managed X.509 is enabled.
    pub fn self_managed_enabled(&self) -> bool {
        self.verifier.self_managed_enabled()
    }

    /// The database users.
    pub fn users(&self) -> &UserRegistry {
        &self.users
    }

    /// How subjects are compared with user names and claimed names.
    pub fn name_matching(&self) -> NameMatching {
        self.source.matching
    }

    /// The role catalog (built-in and custom roles).
    pub fn roles(&self) -> &RoleCatalog {
        &self.catalog
    }

    /// Whether LDAP authorization is on.
    pub fn ldap_authorization(&self) -> bool {
        self.source.ldap_authorization
    }

    /// The user-to-DN mapping rules.
    pub fn user_to_dn_mapping(&self) -> &UserToDnMapping {
        &self.source.mapping
    }

    /// The authorization query template.
    pub fn query_template(&self) -> &QueryTemplate {
        &self.source.query_template
    }

    /// The LDAP groups that grant roles.
    pub fn ldap_groups(&self) -> &[LdapGroup] {
        &self.groups
    }

    /// LDAP cache and timeout.
    pub fn ldap_cache(&self) -> LdapCacheConfig {
        self.source.cache
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.source.limits
    }

    /// The configured group matching `dn` (canonical comparison).
    pub(crate) fn ldap_group(&self, dn: &CanonicalDn) -> Option<&LdapGroup> {
        self.group_index.get(dn).and_then(|&i| self.groups.get(i))
    }

    /// Resolves grants into privileges.
    pub(crate) fn resolve(
        &self,
        grants: &[RoleGrant],
    ) -> Result<PrivilegeSet, crate::error::RbacError> {
        self.catalog.resolve(grants)
    }

    /// Things an operator should know about these settings; they do not stop them working.
    ///
    /// CA expiry (within 30 days, expired, not yet valid), users no certificate could log in
    /// as (self-managed users while disabled or while LDAP authorization is on, managed users
    /// while LDAP authorization is on, kinds whose CA set is empty, and under exact name
    /// matching names not written as a server username), names typed in reverse order, an
    /// empty configuration, and under exact name matching pairs of users whose names differ
    /// only by what canonical matching folds (`similar_user_names`).
    pub fn warnings(&self, now: rustls_pki_types::UnixTime) -> Vec<SettingsWarning> {
        let mut out = Vec::new();
        for w in self.managed_anchors().warnings(now) {
            out.push(SettingsWarning::new("managed_ca", w.to_string()));
        }
        for w in self.self_managed_anchors().warnings(now) {
            out.push(SettingsWarning::new("self_managed_ca", w.to_string()));
        }
        if self.managed_anchors().is_empty() && self.self_managed_anchors().is_empty() {
            out.push(SettingsWarning::new(
                "no_ca",
                "no CA is configured, so no certificate can log in".to_owned(),
            ));
        }
        let ldap = self.ldap_authorization();
        for (i, u) in self.users.iter().enumerate() {
            let why = match u.kind() {
                _ if ldap => Some(
                    "LDAP authorization is on, so database users are not used (LDAP groups decide)"
                        .to_owned(),
                ),
                CertificateKind::Managed if self.managed_anchors().is_empty() => {
                    Some("no managed CA is configured".to_owned())
                }
                CertificateKind::SelfManaged if !self.self_managed_enabled() => {
                    Some("self-managed X.509 is disabled".to_owned())
                }
                _ => exact_form_problem(self.name_matching(), u),
            };
            if let Some(why) = why {
                out.push(SettingsWarning::new(
                    "unreachable_user",
                    format!(
                        "user #{i} \"{}\" ({}) cannot log in: {why}",
                        Escaped(u.name()),
                        u.kind()
                    ),
                ));
            }
            let reversed = DistinguishedName::lint_str(u.name())
                .is_ok_and(|lints| lints.iter().any(|l| l.kind() == DnLintCode::ReversedOrder));
            if reversed {
                let turned: Vec<&str> = crate::users::rdn_parts(u.name())
                    .into_iter()
                    .rev()
                    .map(str::trim)
                    .collect();
                out.push(SettingsWarning::new(
                    "reversed_user_name",
                    format!(
                        "user #{i} \"{}\" looks typed in reverse order (C= first, CN= last); names are compared in order, so a certificate for this person does not match it: write \"{}\"",
                        Escaped(u.name()),
                        Escaped(turned.join(","))
                    ),
                ));
            }
        }
        if self.name_matching() == NameMatching::Exact {
            similar_user_names(&self.users, &mut out);
        }
        if ldap && self.groups.is_empty() {
            out.push(SettingsWarning::new(
                "no_ldap_groups",
                "LDAP authorization is on but no LDAP group grants roles, so nobody can log in"
                    .to_owned(),
            ));
        }
        if !ldap && !self.groups.is_empty() {
            out.push(SettingsWarning::new(
                "unused_ldap_groups",
                "LDAP groups are configured but LDAP authorization is off, so they grant nothing"
                    .to_owned(),
            ));
        }
        out
    }

    /// The distinct roles granted anywhere (users and LDAP groups), for summaries.
    pub fn granted_roles(&self) -> BTreeSet<String> {
        self.users
            .iter()
            .flat_map(|u| u.roles().iter().map(ToString::to_string))
            .chain(
                self.groups
                    .iter()
                    .flat_map(|g| g.roles.iter().map(ToString::to_string)),
            )
            .collect()
    }
}

/// Under exact name matching, why a user's name can never be a certificate's server username:
/// it is not written the way the server prints names.
fn exact_form_problem(matching: NameMatching, u: &crate::users::DatabaseUser) -> Option<String> {
    if matching != NameMatching::Exact {
        return None;
    }
    let printed = u.dn().server_username();
    (printed != u.name()).then(|| {
        format!(
            "exact name matching compares the certificate's server username byte for byte, and this name is not written that way: write \"{printed}\""
        )
    })
}

/// Under exact name matching: users whose names are distinct strings but one canonical DN.
fn similar_user_names(users: &UserRegistry, out: &mut Vec<SettingsWarning>) {
    let mut first: HashMap<CanonicalDn, (usize, &str)> = HashMap::new();
    for (i, u) in users.iter().enumerate() {
        match first.entry(u.dn().canonical()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((i, u.name()));
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let (j, other) = *o.get();
                out.push(SettingsWarning::new(
                    "similar_user_names",
                    format!(
                        "users #{j} \"{other}\" and #{i} \"{}\" differ only in what canonical name matching folds (letter case, spaces, Unicode forms, escapes, order inside a multi-valued RDN): exact name matching keeps them two users, canonical matching would refuse the second as a duplicate",
                        u.name()
                    ),
                ));
            }
        }
    }
}

/// A finding about valid settings: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsWarning {
    /// Stable identifier, e.g. `"unreachable_user"`.
    pub code: &'static str,
    /// What and why, for people.
    pub message: String,
}

impl SettingsWarning {
    fn new(code: &'static str, message: String) -> SettingsWarning {
        SettingsWarning { code, message }
    }
}

impl core::fmt::Display for SettingsWarning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "warning [{}]: {}", self.code, self.message)
    }
}

impl core::fmt::Display for Settings {
    /// The settings as an admin views them: CA sets, users with roles, LDAP.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let subjects = |a: &TrustAnchors| {
            let v: Vec<String> = a
                .iter()
                .map(|x| format!("\"{}\"", Escaped(x.subject)))
                .collect();
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        let grants = |g: &[RoleGrant]| {
            let v: Vec<String> = g.iter().map(ToString::to_string).collect();
            if v.is_empty() {
                "no roles".to_owned()
            } else {
                v.join(", ")
            }
        };
        writeln!(f, "managed CAs: {}", subjects(self.managed_anchors()))?;
        writeln!(
            f,
            "self-managed X.509: {}; CAs: {}",
            if self.self_managed_enabled() {
                "enabled"
            } else {
                "disabled"
            },
            subjects(self.self_managed_anchors())
        )?;
        match self.name_matching() {
            NameMatching::Canonical => writeln!(f, "users: {}", self.users.len())?,
            NameMatching::Exact => writeln!(
                f,
                "users: {} (exact name matching: server usernames compared byte for byte)",
                self.users.len()
            )?,
        }
        for u in self.users.iter() {
            writeln!(
                f,
                "  \"{}\" ({}): {}",
                Escaped(u.name()),
                u.kind(),
                grants(u.roles())
            )?;
        }
        writeln!(f, "custom roles: {}", self.catalog.custom_role_count())?;
        write!(
            f,
            "LDAP authorization: {}",
            if self.ldap_authorization() {
                "on"
            } else {
                "off"
            }
        )?;
        if self.ldap_authorization() {
            write!(
                f,
                "; query template `{}`; {} mapping rule(s)",
                Escaped(self.query_template()),
                self.user_to_dn_mapping().rules().len()
            )?;
        }
        for g in &self.groups {
            write!(
                f,
                "\n  group \"{}\": {}",
                Escaped(g.dn()),
                grants(g.roles())
            )?;
        }
        Ok(())
    }
}
