//! The settings file (TOML) read into a [`Settings`] snapshot, with errors that name the file,
//! the line and the key (`users[2].name`), for syntax errors and for semantic ones alike.
//!
//! ```toml
//! [managed_x509]
//! ca_file = "managed-ca.pem"
//! [self_managed_x509]
//! enabled = true
//! ca_file = "project-ca.pem"
//! [names]
//! matching = "canonical"   # the default; "exact" compares server usernames byte for byte
//! [certificates]
//! clock_skew_seconds = 0                    # leeway for validity checks (at most 86 400)
//! expiration_warning_threshold_days = 30    # flag client certificates this close to expiry
//! [[users]]
//! name = "CN=Jane Doe,O=MongoDB,C=US"
//! x509 = "self-managed"
//! roles = ["readWrite@sales"]
//! ```
//!
//! Paths are relative to the file. Unknown keys are errors. Users listed in a file are stored
//! settings, so a self-managed user is kept (and warned about) while self-managed X.509 is
//! disabled.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::classify::CertificateKind;
use crate::display::Escaped;
use crate::error::SettingsError;
use crate::ldap::{InMemoryDirectory, MappingRule, QueryTemplate, UserToDnMapping};
use crate::limits::FileKind;
use crate::policy::{Authenticator, LdapCacheConfig, LdapGroupSpec, Settings};
use crate::rbac::{CustomRole, PrivilegeResource};
use crate::trust::TrustAnchors;
use crate::users::{NameMatching, UserSpec};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    managed_x509: Option<Spanned<ManagedSection>>,
    self_managed_x509: Option<Spanned<SelfManagedSection>>,
    ldap: Option<Spanned<LdapSection>>,
    names: Option<Spanned<NamesSection>>,
    certificates: Option<Spanned<CertificatesSection>>,
    #[serde(default)]
    users: Vec<Spanned<UserEntry>>,
    #[serde(default)]
    ldap_groups: Vec<Spanned<GroupEntry>>,
    #[serde(default)]
    custom_roles: Vec<Spanned<CustomRoleEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagedSection {
    ca_file: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelfManagedSection {
    enabled: Spanned<bool>,
    ca_file: Option<Spanned<String>>,
    #[serde(default)]
    crl_files: Vec<Spanned<String>>,
}

/// `[names]`: how subjects are compared with user names and claimed names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesSection {
    matching: Option<Spanned<String>>,
}

/// `[certificates]`: validity checks and the expiry warning.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificatesSection {
    clock_skew_seconds: Option<Spanned<u64>>,
    expiration_warning_threshold_days: Option<Spanned<u64>>,
}

/// The largest clock-skew leeway a file may set: one day. More is a mistake, not a skew.
const MAX_CLOCK_SKEW_SECONDS: u64 = 86_400;
/// The largest expiry-warning threshold a file may set: ten years.
const MAX_WARNING_DAYS: u64 = 3_650;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LdapSection {
    #[serde(default)]
    authorization: bool,
    directory: Option<Spanned<OneOrMany>>,
    query_template: Option<Spanned<String>>,
    user_to_dn_mapping: Option<Spanned<MappingValue>>,
    cache: Option<Spanned<CacheSection>>,
    bind_dn: Option<Spanned<String>>,
    bind_password_env: Option<Spanned<String>>,
    bind_password_file: Option<Spanned<String>>,
    tls: Option<Spanned<String>>,
    ca_file: Option<Spanned<String>>,
    timeout_ms: Option<Spanned<u64>>,
    retries: Option<Spanned<u32>>,
    pool_size: Option<Spanned<usize>>,
}

/// `ldap.directory`: one string, or an array of server URLs (failover order).
enum OneOrMany {
    One(String),
    Many(Vec<Spanned<String>>),
}

/// `ldap.user_to_dn_mapping`: an array of rule tables, or MongoDB's JSON string verbatim.
enum MappingValue {
    Rules(Vec<Spanned<MappingEntry>>),
    MongoJson(String),
}

/// A string or an array: a visitor rather than `#[serde(untagged)]`, which would lose the
/// elements' spans (line numbers in errors).
struct StrOrSeq<T>(core::marker::PhantomData<T>, &'static str);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for StrOrSeq<T> {
    type Value = Result<String, Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Ok(v.to_owned()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Err(out))
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(StrOrSeq(
            core::marker::PhantomData,
            "a string (`ldif:<file>` or a server URL) or an array of server URLs",
        ))?;
        Ok(match v {
            Ok(s) => OneOrMany::One(s),
            Err(many) => OneOrMany::Many(many),
        })
    }
}

impl<'de> Deserialize<'de> for MappingValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(StrOrSeq(
            core::marker::PhantomData,
            "an array of rules, or MongoDB's userToDNMapping JSON string",
        ))?;
        Ok(match v {
            Ok(s) => MappingValue::MongoJson(s),
            Err(rules) => MappingValue::Rules(rules),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheSection {
    refresh_secs: Option<u64>,
    staleness_secs: Option<u64>,
    timeout_ms: Option<u64>,
    invalidation_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingEntry {
    #[serde(rename = "match")]
    pattern: Option<String>,
    substitution: Option<String>,
    ldap_query: Option<String>,
    #[serde(default)]
    common_name_is_dn: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: Spanned<String>,
    x509: Spanned<String>,
    #[serde(default = "no_roles")]
    roles: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    dn: Spanned<String>,
    #[serde(default = "no_roles")]
    roles: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomRoleEntry {
    name: Spanned<String>,
    #[serde(default)]
    privileges: Vec<Spanned<PrivilegeEntry>>,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivilegeEntry {
    #[serde(default)]
    db: String,
    collection: Option<String>,
    #[serde(default)]
    cluster: bool,
    actions: Vec<String>,
}

fn no_roles() -> Spanned<Vec<Spanned<String>>> {
    Spanned::new(0..0, Vec::new())
}

/// A settings file that could not be loaded: where, which key, and why.
///
/// ```
/// use std::path::Path;
/// use x509_dbauth::SettingsFile;
///
/// let text = "[[users]]\nname = \"CN=Jane Doe,O=MongoDB,C=US\"\nx509 = \"self-managed\"\nroles = [\"readWrite@nowhere.\"]\n";
/// let e = SettingsFile::parse(text, Path::new("."), "settings.toml").unwrap_err();
/// assert_eq!((e.line, e.key.as_deref()), (Some(4), Some("users[0].roles[0]")));
/// assert!(e.to_string().starts_with("settings.toml:4: users[0].roles[0]: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsFileError {
    /// The file, as named by the caller.
    pub file: String,
    /// Line number (from 1), when known.
    pub line: Option<usize>,
    /// The key, e.g. `users[2].name`, when known.
    pub key: Option<String>,
    /// A stable name of the problem, e.g. `"syntax"`, `"invalid_user_name"`.
    pub kind: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SettingsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Escaped(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for SettingsFileError {}

/// A loaded settings file: the snapshot, and the directory it names (if any).
///
/// ```
/// use x509_dbauth::x509::Certificate;
/// use x509_dbauth::{SettingsFile, UnixTime};
///
/// let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
/// let file = SettingsFile::load(format!("{examples}/settings-ldap.toml"))?;
/// assert!(file.settings.ldap_authorization());
/// assert!(file.directory.is_some()); // `directory = "ldif:directory.ldif"`, in memory
///
/// let auth = file.authenticator();
/// let chain = Certificate::ders_from_pem_or_der(&std::fs::read(format!("{examples}/pki/john-chain.pem"))?)?;
/// let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_798_761_600));
/// let principal = auth.authenticate_blocking(&auth.verify_client(&chain, at)?, None)?;
/// assert_eq!(principal.ldap_dn(), Some("cn=John Smith,ou=users,dc=example,dc=com"));
/// assert_eq!(principal.role_names(), ["read@reporting", "ordersReader@admin"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SettingsFile {
    /// The settings.
    pub settings: Settings,
    /// The LDAP directory from `ldap.directory = "ldif:…"`.
    pub directory: Option<Arc<InMemoryDirectory>>,
    /// The live directory's settings from `ldap.directory = "ldap://…"` (or an array of
    /// URLs), checked (URLs, CA file, password source) but not connected.
    #[cfg(feature = "ldap")]
    pub ldap_client: Option<crate::ldap::LdapClientConfig>,
}

impl SettingsFile {
    /// Reads and validates a settings file.
    pub fn load(path: impl AsRef<Path>) -> Result<SettingsFile, SettingsFileError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let read_error = |kind: &'static str, message: String| SettingsFileError {
            file: file.clone(),
            line: None,
            key: None,
            kind,
            message,
        };
        let bytes = crate::files::read_regular_file(path, FileKind::Settings).map_err(|e| {
            read_error(
                e.kind(),
                format!("cannot read the settings file: {}", e.reason()),
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let line = e
                .as_bytes()
                .get(..at)
                .map_or(1, |b| 1 + b.iter().filter(|&&c| c == b'\n').count());
            SettingsFileError {
                line: Some(line),
                ..read_error("syntax", "the settings file is not UTF-8 text".to_owned())
            }
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        SettingsFile::parse(&text, &base, &file)
    }

    /// Validates settings text; `base` is the directory relative paths start from, `file` the
    /// name used in errors.
    pub fn parse(text: &str, base: &Path, file: &str) -> Result<SettingsFile, SettingsFileError> {
        Loader { text, base, file }.load()
    }

    /// An authenticator for these settings, with the file's directory. A live directory that
    /// cannot be set up (see [`Self::try_authenticator`]) is left out, so LDAP logins fail
    /// closed with `DirectoryUnavailable`.
    pub fn authenticator(&self) -> Authenticator {
        self.try_authenticator()
            .unwrap_or_else(|_| Authenticator::new(Arc::new(self.settings.clone())))
    }

    /// An authenticator for these settings with the file's directory; for a live directory,
    /// the client is set up (CA file and password read, runtime thread started; connections
    /// open on the first login).
    pub fn try_authenticator(&self) -> Result<Authenticator, crate::error::LdapConfigError> {
        let a = Authenticator::new(Arc::new(self.settings.clone()));
        #[cfg(feature = "ldap")]
        if let Some(c) = &self.ldap_client {
            let d = crate::ldap::LdapDirectory::new(c.clone())?;
            return Ok(a.with_directory(Arc::new(d)));
        }
        Ok(match &self.directory {
            Some(d) => a.with_directory(Arc::clone(d) as Arc<dyn crate::ldap::Directory>),
            None => a,
        })
    }
}

struct Loader<'a> {
    text: &'a str,
    base: &'a Path,
    file: &'a str,
}

impl Loader<'_> {
    fn err(
        &self,
        span: Option<Range<usize>>,
        key: impl Into<Option<String>>,
        kind: &'static str,
        message: impl Into<String>,
    ) -> SettingsFileError {
        SettingsFileError {
            file: self.file.to_owned(),
            line: span.map(|s| line_of(self.text, s.start)),
            key: key.into(),
            kind,
            message: message.into(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.base.join(rel)
    }

    fn read_file(
        &self,
        value: &Spanned<String>,
        key: &str,
        kind: FileKind,
    ) -> Result<Vec<u8>, SettingsFileError> {
        let p = self.path(value.get_ref());
        crate::files::read_regular_file(&p, kind)
            .map_err(|e| self.err(Some(value.span()), key.to_owned(), e.kind(), e.to_string()))
    }

    fn anchors(
        &self,
        value: &Spanned<String>,
        key: &str,
    ) -> Result<TrustAnchors, SettingsFileError> {
        let pem = self.read_file(value, key, FileKind::Certificates)?;
        TrustAnchors::from_pem(&pem).map_err(|e| {
            self.err(
                Some(value.span()),
                key.to_owned(),
                "bundle",
                format!("{}: {e}", Escaped(value.get_ref())),
            )
        })
    }

    fn load(&self) -> Result<SettingsFile, SettingsFileError> {
        let doc: Doc = toml::from_str(self.text).map_err(|e| {
            let message = Escaped(e.message().trim_end()).to_string();
            self.err(e.span(), None, "syntax", message)
        })?;
        let mut b = Settings::builder();
        if let Some(m) = doc
            .names
            .as_ref()
            .and_then(|n| n.get_ref().matching.as_ref())
        {
            let matching = match m.get_ref().as_str() {
                "canonical" => NameMatching::Canonical,
                "exact" => NameMatching::Exact,
                other => {
                    return Err(self.err(
                        Some(m.span()),
                        "names.matching".to_owned(),
                        "invalid_matching",
                        format!("`{other}` is neither \"canonical\" nor \"exact\""),
                    ));
                }
            };
            b = b.name_matching(matching);
        }
        if let Some(c) = &doc.certificates {
            let c = c.get_ref();
            if let Some(skew) = &c.clock_skew_seconds {
                if *skew.get_ref() > MAX_CLOCK_SKEW_SECONDS {
                    return Err(self.err(
                        Some(skew.span()),
                        "certificates.clock_skew_seconds".to_owned(),
                        "invalid_clock_skew",
                        format!(
                            "{} seconds is more than the largest leeway, {MAX_CLOCK_SKEW_SECONDS} (one day)",
                            skew.get_ref()
                        ),
                    ));
                }
                b = b.clock_skew(Duration::from_secs(*skew.get_ref()));
            }
            if let Some(days) = &c.expiration_warning_threshold_days {
                if *days.get_ref() > MAX_WARNING_DAYS {
                    return Err(self.err(
                        Some(days.span()),
                        "certificates.expiration_warning_threshold_days".to_owned(),
                        "invalid_warning_threshold",
                        format!(
                            "{} days is more than the largest threshold, {MAX_WARNING_DAYS} days",
                            days.get_ref()
                        ),
                    ));
                }
                b = b.expiration_warning_threshold(Duration::from_secs(days.get_ref() * 86_400));
            }
        }
        if let Some(m) = &doc.managed_x509 {
            b = b.managed_ca(self.anchors(&m.get_ref().ca_file, "managed_x509.ca_file")?);
        }
        if let Some(sm) = &doc.self_managed_x509 {
            let sm = sm.get_ref();
            if let Some(ca) = &sm.ca_file {
                b = b.replace_self_managed_bundle(self.anchors(ca, "self_managed_x509.ca_file")?);
            }
            if *sm.enabled.get_ref() {
                b = b.reenable_self_managed();
            }
            for (i, crl) in sm.crl_files.iter().enumerate() {
                let key = format!("self_managed_x509.crl_files[{i}]");
                b = b.crls(&self.read_file(crl, &key, FileKind::Crl)?);
            }
        }
        for (i, r) in doc.custom_roles.iter().enumerate() {
            let r = r.get_ref();
            let mut role = CustomRole::new(r.name.get_ref().clone());
            for (j, p) in r.privileges.iter().enumerate() {
                let pr = p.get_ref();
                role = if pr.cluster {
                    if !pr.db.is_empty() || pr.collection.is_some() {
                        return Err(self.err(
                            Some(p.span()),
                            format!("custom_roles[{i}].privileges[{j}]"),
                            "invalid_privilege",
                            "a cluster privilege names no db or collection",
                        ));
                    }
                    role.privilege(PrivilegeResource::Cluster, pr.actions.iter().cloned())
                } else {
                    role.privilege_on(&pr.db, pr.collection.as_deref(), pr.actions.iter().cloned())
                };
            }
            for g in &r.roles {
                role = role.inherit(g.get_ref().clone());
            }
            b = b.add_custom_role(role);
        }
        for (i, u) in doc.users.iter().enumerate() {
            let u = u.get_ref();
            let kind = match u.x509.get_ref().as_str() {
                "managed" => CertificateKind::Managed,
                "self-managed" => CertificateKind::SelfManaged,
                other => {
                    return Err(self.err(
                        Some(u.x509.span()),
                        format!("users[{i}].x509"),
                        "invalid_x509",
                        format!(
                            "`{}` is neither \"managed\" nor \"self-managed\"",
                            Escaped(other)
                        ),
                    ));
                }
            };
            let mut spec = UserSpec::new(u.name.get_ref().clone(), kind);
            for r in u.roles.get_ref() {
                spec = spec.role(r.get_ref().clone());
            }
            b = b.restore_user(spec);
        }
        for g in &doc.ldap_groups {
            let g = g.get_ref();
            b = b.add_ldap_group(LdapGroupSpec {
                dn: g.dn.get_ref().clone(),
                roles: g
                    .roles
                    .get_ref()
                    .iter()
                    .map(|r| r.get_ref().clone())
                    .collect(),
            });
        }
        let mut directory = None;
        #[cfg_attr(not(feature = "ldap"), allow(unused_mut))]
        let mut ldap_client = None;
        if let Some(l) = &doc.ldap {
            let l = l.get_ref();
            if l.authorization {
                b = b.enable_ldap_authorization();
            }
            if let Some(t) = &l.query_template {
                let parsed = QueryTemplate::parse(t.get_ref()).map_err(|e| {
                    self.err(
                        Some(t.span()),
                        "ldap.query_template".to_owned(),
                        e.kind(),
                        e.to_string(),
                    )
                })?;
                b = b.query_template(parsed);
            }
            match &l.user_to_dn_mapping {
                None => {}
                Some(v) => match v.get_ref() {
                    MappingValue::Rules(entries) => {
                        let mut rules = Vec::with_capacity(entries.len());
                        for (i, m) in entries.iter().enumerate() {
                            rules.push(self.rule(m, i)?);
                        }
                        b = b.user_to_dn_mapping(UserToDnMapping::new(rules));
                    }
                    MappingValue::MongoJson(json) => {
                        let mapping = UserToDnMapping::from_mongodb_json(json).map_err(|e| {
                            self.err(
                                Some(v.span()),
                                "ldap.user_to_dn_mapping".to_owned(),
                                e.kind(),
                                e.to_string(),
                            )
                        })?;
                        b = b.user_to_dn_mapping(mapping);
                    }
                },
            }
            if let Some(c) = &l.cache {
                let cs = c.get_ref();
                let d = LdapCacheConfig::DEFAULT;
                let mut cache = LdapCacheConfig::new(
                    cs.refresh_secs.map_or(d.refresh, Duration::from_secs),
                    cs.staleness_secs.map_or(d.staleness, Duration::from_secs),
                    cs.timeout_ms.map_or(d.timeout, Duration::from_millis),
                );
                if let Some(i) = cs.invalidation_secs {
                    cache = cache.with_invalidation(Duration::from_secs(i));
                }
                b = b.ldap_cache(cache);
            }
            match l.directory.as_ref().map(|d| (d, d.get_ref())) {
                Some((d, OneOrMany::One(value))) if value.starts_with("ldif:") => {
                    self.no_client_keys(l)?;
                    directory = Some(Arc::new(self.ldif_directory(d, value)?));
                }
                Some((d, OneOrMany::One(value))) => {
                    let urls = [Spanned::new(d.span(), value.clone())];
                    ldap_client = Some(self.client(l, d, &urls)?);
                }
                Some((d, OneOrMany::Many(urls))) => {
                    ldap_client = Some(self.client(l, d, urls)?);
                }
                None => self.no_client_keys(l)?,
            }
        }
        let settings = b.build().map_err(|e| self.settings_error(&doc, &e))?;
        #[cfg(not(feature = "ldap"))]
        let _: Option<()> = ldap_client;
        Ok(SettingsFile {
            settings,
            directory,
            #[cfg(feature = "ldap")]
            ldap_client,
        })
    }

    /// The live-directory keys, refused when no server URL is configured.
    fn no_client_keys(&self, l: &LdapSection) -> Result<(), SettingsFileError> {
        let keys: [(&str, Option<Range<usize>>); 8] = [
            ("bind_dn", l.bind_dn.as_ref().map(Spanned::span)),
            (
                "bind_password_env",
                l.bind_password_env.as_ref().map(Spanned::span),
            ),
            (
                "bind_password_file",
                l.bind_password_file.as_ref().map(Spanned::span),
            ),
            ("tls", l.tls.as_ref().map(Spanned::span)),
            ("ca_file", l.ca_file.as_ref().map(Spanned::span)),
            ("timeout_ms", l.timeout_ms.as_ref().map(Spanned::span)),
            ("retries", l.retries.as_ref().map(Spanned::span)),
            ("pool_size", l.pool_size.as_ref().map(Spanned::span)),
        ];
        match keys.into_iter().find_map(|(k, s)| s.map(|s| (k, s))) {
            Some((key, span)) => Err(self.err(
                Some(span),
                format!("ldap.{key}"),
                "setting_without_server",
                "applies only to a live directory (`directory = \"ldap://…\"` or an array of server URLs)",
            )),
            None => Ok(()),
        }
    }

    fn rule(&self, m: &Spanned<MappingEntry>, i: usize) -> Result<MappingRule, SettingsFileError> {
        let key = format!("ldap.user_to_dn_mapping[{i}]");
        let e = m.get_ref();
        let bad = |message: String, kind| self.err(Some(m.span()), key.clone(), kind, message);
        let config = |err: crate::error::LdapConfigError| bad(err.to_string(), err.kind());
        match (&e.pattern, &e.substitution, &e.ldap_query, e.common_name_is_dn) {
            (None, None, None, true) => Ok(MappingRule::common_name_is_dn()),
            (Some(p), Some(s), None, false) => MappingRule::substitution(p, s).map_err(config),
            (Some(p), None, Some(q), false) => MappingRule::ldap_query(p, q).map_err(config),
            _ => Err(bad(
                "a rule is `{ match, substitution }`, `{ match, ldap_query }`, or `{ common_name_is_dn = true }`".to_owned(),
                "invalid_rule",
            )),
        }
    }

    fn ldif_directory(
        &self,
        d: &Spanned<OneOrMany>,
        value: &str,
    ) -> Result<InMemoryDirectory, SettingsFileError> {
        let rel = value.strip_prefix("ldif:").unwrap_or(value);
        InMemoryDirectory::from_ldif_file(self.path(rel)).map_err(|e| {
            self.err(
                Some(d.span()),
                "ldap.directory".to_owned(),
                e.kind(),
                e.to_string(),
            )
        })
    }

    /// The live directory's settings: every URL parsed, the keys checked and the password
    /// source and CA file read once (their contents are never shown).
    #[cfg(feature = "ldap")]
    fn client(
        &self,
        l: &LdapSection,
        d: &Spanned<OneOrMany>,
        urls: &[Spanned<String>],
    ) -> Result<crate::ldap::LdapClientConfig, SettingsFileError> {
        use crate::ldap::{LdapClientConfig, LdapServerUrl, LdapTls, PasswordSource};
        let many = matches!(d.get_ref(), OneOrMany::Many(_));
        if urls.is_empty() {
            return Err(self.err(
                Some(d.span()),
                "ldap.directory".to_owned(),
                "no_servers",
                "the array of server URLs is empty",
            ));
        }
        let mut servers = Vec::with_capacity(urls.len());
        for (i, u) in urls.iter().enumerate() {
            let key = if many {
                format!("ldap.directory[{i}]")
            } else {
                "ldap.directory".to_owned()
            };
            if u.get_ref().starts_with("ldif:") {
                return Err(self.err(
                    Some(u.span()),
                    key,
                    "invalid_directory",
                    "an LDIF snapshot cannot be one of several servers; give it alone",
                ));
            }
            let server = LdapServerUrl::parse(u.get_ref()).map_err(|e| {
                let lower = u.get_ref().to_ascii_lowercase();
                let (kind, message) =
                    if lower.starts_with("ldap://") || lower.starts_with("ldaps://") {
                        (e.kind(), e.to_string())
                    } else {
                        (
                            "invalid_directory",
                            format!(
                                "`{}` is neither `ldif:<file>` nor an `ldap://` / `ldaps://` URL",
                                Escaped(u.get_ref())
                            ),
                        )
                    };
                self.err(Some(u.span()), key, kind, message)
            })?;
            servers.push(server);
        }
        let mut c = LdapClientConfig::new(servers);
        if let Some(t) = &l.tls {
            c = c.tls(match t.get_ref().as_str() {
                "none" => LdapTls::None,
                "starttls" => LdapTls::StartTls,
                other => {
                    return Err(self.err(
                        Some(t.span()),
                        "ldap.tls".to_owned(),
                        "invalid_tls",
                        format!(
                            "`{}` is neither \"none\" nor \"starttls\" (`ldaps://` URLs always use TLS)",
                            Escaped(other)
                        ),
                    ));
                }
            });
        }
        if let Some(f) = &l.ca_file {
            c = c.ca_file(self.path(f.get_ref()));
        }
        let password = match (&l.bind_password_env, &l.bind_password_file) {
            (Some(a), Some(_)) => {
                return Err(self.err(
                    Some(a.span()),
                    "ldap.bind_password_env".to_owned(),
                    "invalid_bind",
                    "give `bind_password_env` or `bind_password_file`, not both",
                ));
            }
            (Some(e), None) => Some((e.span(), PasswordSource::Env(e.get_ref().clone()))),
            (None, Some(f)) => Some((f.span(), PasswordSource::File(self.path(f.get_ref())))),
            (None, None) => None,
        };
        match (&l.bind_dn, password) {
            (Some(dn), Some((_, p))) => c = c.simple_bind(dn.get_ref().clone(), p),
            (Some(dn), None) => {
                return Err(self.err(
                    Some(dn.span()),
                    "ldap.bind_dn".to_owned(),
                    "invalid_bind",
                    "a bind DN needs `bind_password_env` or `bind_password_file` (the password never goes in the settings file)",
                ));
            }
            (None, Some((span, _))) => {
                return Err(self.err(
                    Some(span),
                    "ldap.bind_dn".to_owned(),
                    "invalid_bind",
                    "a bind password is given but no `bind_dn`",
                ));
            }
            (None, None) => {}
        }
        if let Some(t) = &l.timeout_ms {
            c = c.timeouts(Duration::from_millis(*t.get_ref()));
        }
        if let Some(r) = &l.retries {
            c = c.retries(*r.get_ref());
        }
        if let Some(p) = &l.pool_size {
            c = c.pool_size(*p.get_ref());
        }
        c.check().map_err(|e| {
            use crate::error::LdapConfigError as E;
            let (key, span) = match &e {
                E::ClientSetting { setting, .. } => {
                    let span = match *setting {
                        "pool_size" => l.pool_size.as_ref().map(Spanned::span),
                        "retries" => l.retries.as_ref().map(Spanned::span),
                        "timeout_ms" => l.timeout_ms.as_ref().map(Spanned::span),
                        "ca_file" => l.ca_file.as_ref().map(Spanned::span),
                        "bind_dn" => l.bind_dn.as_ref().map(Spanned::span),
                        _ => None,
                    };
                    (format!("ldap.{setting}"), span)
                }
                E::CaFile { .. } => (
                    "ldap.ca_file".to_owned(),
                    l.ca_file.as_ref().map(Spanned::span),
                ),
                E::BindPassword { .. } => match (&l.bind_password_env, &l.bind_password_file) {
                    (Some(v), _) => ("ldap.bind_password_env".to_owned(), Some(v.span())),
                    (_, Some(v)) => ("ldap.bind_password_file".to_owned(), Some(v.span())),
                    _ => ("ldap".to_owned(), None),
                },
                _ => ("ldap.directory".to_owned(), Some(d.span())),
            };
            self.err(span.or(Some(d.span())), key, e.kind(), e.to_string())
        })?;
        Ok(c)
    }

    /// Without the `ldap` feature, a server URL is refused (the array is checked the same way).
    #[cfg(not(feature = "ldap"))]
    fn client(
        &self,
        _l: &LdapSection,
        d: &Spanned<OneOrMany>,
        urls: &[Spanned<String>],
    ) -> Result<(), SettingsFileError> {
        let value = urls
            .first()
            .map(|u| u.get_ref().as_str())
            .unwrap_or_default();
        let (kind, message) = if value.starts_with("ldap://") || value.starts_with("ldaps://") {
            (
                "unsupported_directory",
                format!(
                    "connecting to an LDAP server (`{}`) needs the crate's `ldap` feature; use an LDIF snapshot, `ldif:<file>`, or build with `--features ldap`",
                    Escaped(value)
                ),
            )
        } else {
            (
                "invalid_directory",
                format!(
                    "`{}` is neither `ldif:<file>` nor an `ldap://` / `ldaps://` URL",
                    Escaped(value)
                ),
            )
        };
        Err(self.err(Some(d.span()), "ldap.directory".to_owned(), kind, message))
    }

    /// Puts a builder error at the line and key it comes from.
    fn settings_error(&self, doc: &Doc, e: &SettingsError) -> SettingsFileError {
        let user = |i: usize| doc.users.get(i).map(Spanned::get_ref);
        let group = |i: usize| doc.ldap_groups.get(i).map(Spanned::get_ref);
        let (span, key): (Option<Range<usize>>, Option<String>) = match e {
            SettingsError::EmptyUserName { index }
            | SettingsError::UserNameTooLong { index, .. }
            | SettingsError::InvalidUserName { index, .. }
            | SettingsError::ControlCharacterInUserName { index, .. }
            | SettingsError::DuplicateUser { index, .. } => (
                user(*index).map(|u| u.name.span()),
                Some(format!("users[{index}].name")),
            ),
            SettingsError::SelfManagedUserWhileDisabled { index, .. } => (
                user(*index).map(|u| u.x509.span()),
                Some(format!("users[{index}].x509")),
            ),
            SettingsError::TooManyRoles { index, .. } => (
                user(*index).map(|u| u.roles.span()),
                Some(format!("users[{index}].roles")),
            ),
            SettingsError::UserRole { index, role, .. } => (
                user(*index).and_then(|u| u.roles.get_ref().get(*role).map(Spanned::span)),
                Some(format!("users[{index}].roles[{role}]")),
            ),
            SettingsError::TooManyUsers { limit, .. } => (
                doc.users.get(*limit).map(Spanned::span),
                Some("users".to_owned()),
            ),
            SettingsError::InvalidGroupDn { index, .. }
            | SettingsError::ControlCharacterInGroupDn { index, .. }
            | SettingsError::DuplicateGroup { index, .. } => (
                group(*index).map(|g| g.dn.span()),
                Some(format!("ldap_groups[{index}].dn")),
            ),
            SettingsError::GroupRole { index, role, .. } => (
                group(*index).and_then(|g| g.roles.get_ref().get(*role).map(Spanned::span)),
                Some(format!("ldap_groups[{index}].roles[{role}]")),
            ),
            SettingsError::CustomRoles(r) => {
                // The catalog's error names the role in backquotes; find its entry.
                let message = r.to_string();
                let found = doc.custom_roles.iter().enumerate().find(|(_, c)| {
                    message.contains(&format!("`{}`", Escaped(c.get_ref().name.get_ref())))
                });
                match found {
                    Some((i, c)) => (Some(c.span()), Some(format!("custom_roles[{i}]"))),
                    None => (
                        doc.custom_roles.first().map(Spanned::span),
                        Some("custom_roles".to_owned()),
                    ),
                }
            }
            SettingsError::AnchorInBothSets { .. } | SettingsError::Bundle { .. } => (
                doc.self_managed_x509
                    .as_ref()
                    .and_then(|s| s.get_ref().ca_file.as_ref().map(Spanned::span)),
                Some("self_managed_x509.ca_file".to_owned()),
            ),
            SettingsError::SelfManagedWithoutBundle => (
                doc.self_managed_x509
                    .as_ref()
                    .map(|s| s.get_ref().enabled.span()),
                Some("self_managed_x509.enabled".to_owned()),
            ),
            SettingsError::Crl(_) => (
                doc.self_managed_x509.as_ref().map(Spanned::span),
                Some("self_managed_x509.crl_files".to_owned()),
            ),
            SettingsError::Ldap(_) | SettingsError::LdapCache(_) => (
                doc.ldap.as_ref().map(Spanned::span),
                Some("ldap".to_owned()),
            ),
        };
        self.err(span, key, e.kind(), e.to_string())
    }
}

/// The 1-based line holding byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    let head = text.get(..offset.min(text.len())).unwrap_or(text);
    head.bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SettingsFile, SettingsFileError> {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        SettingsFile::parse(text, &base, "test.toml")
    }

    const HEAD: &str = r#"
[managed_x509]
ca_file = "pki/managed-ca.pem"
[self_managed_x509]
enabled = true
ca_file = "pki/project-root-ca.pem"
"#;

    #[test]
    fn certificates_section_sets_the_leeway_and_the_warning_threshold_within_bounds() {
        let f = parse(&format!(
            "{HEAD}[certificates]\nclock_skew_seconds = 120\nexpiration_warning_threshold_days = 7\n"
        ))
        .unwrap();
        assert_eq!(f.settings.clock_skew(), Duration::from_secs(120));
        assert_eq!(
            f.settings.expiration_warning_threshold(),
            Duration::from_secs(7 * 86_400)
        );
        let defaults = parse(HEAD).unwrap();
        assert_eq!(defaults.settings.clock_skew(), Duration::ZERO);
        assert_eq!(
            defaults.settings.expiration_warning_threshold(),
            Duration::from_secs(30 * 86_400)
        );
        let e = parse(&format!(
            "{HEAD}[certificates]\nclock_skew_seconds = 86401\n"
        ))
        .unwrap_err();
        assert_eq!(e.kind, "invalid_clock_skew");
        assert_eq!(
            e.to_string(),
            "test.toml:8: certificates.clock_skew_seconds: 86401 seconds is more than the largest leeway, 86400 (one day)"
        );
        let e = parse(&format!(
            "{HEAD}[certificates]\nexpiration_warning_threshold_days = 4000\n"
        ))
        .unwrap_err();
        assert_eq!(e.kind, "invalid_warning_threshold");
        let e = parse(&format!("{HEAD}[certificates]\nclock_skew_seconds = -1\n")).unwrap_err();
        assert_eq!(e.kind, "syntax");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let cases: &[(&str, &str)] = &[
            (
                "[[users]]\nname = \"CN=ok\"\nx509 = \"managed\"\n[[users]]\nname = \"CN=x,,\"\nx509 = \"managed\"\n",
                "test.toml:11: users[1].name: user #1: \"CN=x,,\" is not a valid distinguished name: ",
            ),
            (
                "[[users]]\nname = \"CN=ok\"\nx509 = \"sometimes\"\n",
                "test.toml:9: users[0].x509: `sometimes` is neither \"managed\" nor \"self-managed\"",
            ),
            (
                "[[users]]\nname = \"CN=ok\"\nx509 = \"managed\"\nroles = [\"read@sales\",\n  \"nosuch@admin\"]\n",
                "test.toml:11: users[0].roles[1]: user #0: role #1: unknown role `nosuch`",
            ),
            (
                "[[users]]\nname = \"CN=ok\"\nx509 = \"managed\"\ncolour = \"blue\"\n",
                "test.toml:10: unknown field `colour`",
            ),
            #[cfg(not(feature = "ldap"))]
            (
                "[ldap]\ndirectory = \"ldap://127.0.0.1:3890\"\n",
                "test.toml:8: ldap.directory: connecting to an LDAP server (`ldap://127.0.0.1:3890`) needs the crate's `ldap` feature; use an LDIF snapshot, `ldif:<file>`, or build with `--features ldap`",
            ),
            (
                "[ldap]\ndirectory = \"ftp://127.0.0.1:3890\"\n",
                "test.toml:8: ldap.directory: `ftp://127.0.0.1:3890` is neither `ldif:<file>` nor an `ldap://` / `ldaps://` URL",
            ),
            (
                "[ldap]\ndirectory = \"ldif:x.ldif\"\nbind_dn = \"cn=reader\"\n",
                "test.toml:9: ldap.bind_dn: applies only to a live directory (`directory = \"ldap://…\"` or an array of server URLs)",
            ),
            (
                "[[ldap_groups]]\ndn = \"cn=a,dc=x\"\n[[ldap_groups]]\ndn = \"CN=A, DC=X\"\n",
                "test.toml:10: ldap_groups[1].dn: LDAP group #1: \"CN=A, DC=X\" names the same DN as LDAP group #0",
            ),
        ];
        for (tail, expected) in cases {
            let text = format!("{HEAD}{tail}");
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.starts_with(expected), "{e}\n  expected: {expected}");
        }
    }

    #[cfg(feature = "ldap")]
    #[test]
    fn live_directory_keys() {
        use crate::ldap::{LdapBind, LdapTls, PasswordSource};
        let dir = std::env::temp_dir().join(format!("x509-dbauth-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pw"), "Secret-One\nSecret-Two\n").unwrap();
        let ca = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pki/project-root-ca.pem"),
        )
        .unwrap();
        std::fs::write(dir.join("ca.pem"), ca).unwrap();
        let parse_in = |tail: &str| SettingsFile::parse(tail, &dir, "live.toml");
        let text = r#"[ldap]
authorization = true
directory = ["ldap://dir1.example.com", "ldaps://dir2.example.com:10636/"]
bind_dn = "cn=reader,dc=example,dc=com"
bind_password_file = "pw"
tls = "starttls"
ca_file = "ca.pem"
timeout_ms = 2500
retries = 2
pool_size = 3
user_to_dn_mapping = '[{match: "CN=(.+),O=MongoDB,C=US", substitution: "cn={0},ou=users,dc=example,dc=com"}]'
"#;
        let f = parse_in(text).unwrap();
        let c = f.ldap_client.unwrap();
        let urls: Vec<&str> = c.servers().iter().map(|u| u.as_str()).collect();
        assert_eq!(
            urls,
            [
                "ldap://dir1.example.com:389",
                "ldaps://dir2.example.com:10636"
            ]
        );
        assert_eq!(c.tls_mode(), LdapTls::StartTls);
        assert_eq!(c.ca_file_path(), Some(dir.join("ca.pem").as_path()));
        assert_eq!(
            *c.bind_settings(),
            LdapBind::Simple {
                dn: "cn=reader,dc=example,dc=com".to_owned(),
                password: PasswordSource::File(dir.join("pw")),
            }
        );
        assert_eq!(c.timeout_value(), Duration::from_millis(2500));
        assert_eq!(c.connect_timeout_value(), Duration::from_millis(2500));
        assert_eq!((c.retries_value(), c.pool_size_value()), (2, 3));
        assert_eq!(f.settings.user_to_dn_mapping().rules().len(), 1);
        assert!(f.directory.is_none());
        let debug = format!("{c:?}");
        assert!(!debug.contains("Secret-"), "{debug}");

        let cases: &[(&str, &str)] = &[
            (
                "[ldap]\ndirectory = [\"ldap://a\",\n  \"ldap://b/dc=x\"]\n",
                "live.toml:3: ldap.directory[1]: LDAP server URL `ldap://b/dc=x`: a server URL holds only a scheme, a host and a port (no DN, query, user information or fragment)",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a:99999\"\n",
                "live.toml:2: ldap.directory: LDAP server URL `ldap://a:99999`: the port must be a number from 1 to 65535",
            ),
            (
                "[ldap]\ndirectory = []\n",
                "live.toml:2: ldap.directory: the array of server URLs is empty",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\nbind_password = \"hunter2\"\n",
                "live.toml:3: unknown field `bind_password`",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\nbind_dn = \"cn=r\"\n",
                "live.toml:3: ldap.bind_dn: a bind DN needs `bind_password_env` or `bind_password_file` (the password never goes in the settings file)",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\nbind_dn = \"cn=r\"\nbind_password_env = \"X509_DBAUTH_SURELY_UNSET\"\n",
                "live.toml:4: ldap.bind_password_env: bind password from environment variable `X509_DBAUTH_SURELY_UNSET`: is not set",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\ntls = \"always\"\n",
                "live.toml:3: ldap.tls: `always` is neither \"none\" nor \"starttls\" (`ldaps://` URLs always use TLS)",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\npool_size = 0\n",
                "live.toml:3: ldap.pool_size: pool_size: 0 is not from 1 to 64",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\nca_file = \"ca.pem\"\n",
                "live.toml:3: ldap.ca_file: ca_file: `",
            ),
            (
                "[ldap]\ndirectory = \"ldaps://a\"\nca_file = \"pw\"\n",
                "live.toml:3: ldap.ca_file: LDAP CA file `",
            ),
            (
                "[ldap]\ndirectory = \"ldap://a\"\nuser_to_dn_mapping = '{match: \"x\"}'\n",
                "live.toml:3: ldap.user_to_dn_mapping: userToDNMapping JSON at byte 0: rule 0: a rule holds `match` and exactly one of `substitution` or `ldapQuery`",
            ),
            (
                "[ldap]\ndirectory = 7\n",
                "live.toml:2: invalid type: integer `7`, expected a string (`ldif:<file>` or a server URL) or an array of server URLs",
            ),
        ];
        for (text, expected) in cases {
            let e = parse_in(text).unwrap_err().to_string();
            assert!(e.starts_with(expected), "{e}\n  expected: {expected}");
            assert!(!e.contains("Secret-"), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn self_managed_users_are_kept_while_disabled() {
        let text = "[self_managed_x509]\nenabled = false\nca_file = \"pki/project-root-ca.pem\"\n[[users]]\nname = \"CN=Jane Doe,O=MongoDB,C=US\"\nx509 = \"self-managed\"\n";
        let f = parse(text).unwrap();
        assert!(!f.settings.self_managed_enabled());
        assert_eq!(f.settings.users().len(), 1);
    }
}
