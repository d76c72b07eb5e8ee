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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LdapSection {
    #[serde(default)]
    authorization: bool,
    directory: Option<Spanned<String>>,
    query_template: Option<Spanned<String>>,
    #[serde(default)]
    user_to_dn_mapping: Vec<Spanned<MappingEntry>>,
    cache: Option<Spanned<CacheSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheSection {
    refresh_secs: Option<u64>,
    staleness_secs: Option<u64>,
    timeout_ms: Option<u64>,
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
#[derive(Debug, Clone)]
pub struct SettingsFile {
    /// The settings.
    pub settings: Settings,
    /// The LDAP directory from `ldap.directory = "ldif:…"`.
    pub directory: Option<Arc<InMemoryDirectory>>,
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

    /// An authenticator for these settings, with the file's directory.
    pub fn authenticator(&self) -> Authenticator {
        let a = Authenticator::new(Arc::new(self.settings.clone()));
        match &self.directory {
            Some(d) => a.with_directory(Arc::clone(d) as Arc<dyn crate::ldap::Directory>),
            None => a,
        }
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
            let mut rules = Vec::with_capacity(l.user_to_dn_mapping.len());
            for (i, m) in l.user_to_dn_mapping.iter().enumerate() {
                rules.push(self.rule(m, i)?);
            }
            b = b.user_to_dn_mapping(UserToDnMapping::new(rules));
            if let Some(c) = &l.cache {
                let cs = c.get_ref();
                let d = LdapCacheConfig::DEFAULT;
                b = b.ldap_cache(LdapCacheConfig::new(
                    cs.refresh_secs.map_or(d.refresh, Duration::from_secs),
                    cs.staleness_secs.map_or(d.staleness, Duration::from_secs),
                    cs.timeout_ms.map_or(d.timeout, Duration::from_millis),
                ));
            }
            if let Some(d) = &l.directory {
                directory = Some(Arc::new(self.directory(d)?));
            }
        }
        let settings = b.build().map_err(|e| self.settings_error(&doc, &e))?;
        Ok(SettingsFile {
            settings,
            directory,
        })
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

    fn directory(&self, d: &Spanned<String>) -> Result<InMemoryDirectory, SettingsFileError> {
        let key = "ldap.directory".to_owned();
        let value = d.get_ref();
        if let Some(rel) = value.strip_prefix("ldif:") {
            let p = self.path(rel);
            return InMemoryDirectory::from_ldif_file(&p)
                .map_err(|e| self.err(Some(d.span()), key, e.kind(), e.to_string()));
        }
        if value.starts_with("ldap://") || value.starts_with("ldaps://") {
            return Err(self.err(
                Some(d.span()),
                key,
                "unsupported_directory",
                format!("connecting to an LDAP server (`{}`) is not supported yet; use an LDIF snapshot, `ldif:<file>`", Escaped(value)),
            ));
        }
        Err(self.err(
            Some(d.span()),
            key,
            "invalid_directory",
            format!(
                "`{}` is neither `ldif:<file>` nor an `ldap://` / `ldaps://` URL",
                Escaped(value)
            ),
        ))
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
            (
                "[ldap]\ndirectory = \"ldap://127.0.0.1:3890\"\n",
                "test.toml:8: ldap.directory: connecting to an LDAP server (`ldap://127.0.0.1:3890`) is not supported yet; use an LDIF snapshot, `ldif:<file>`",
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

    #[test]
    fn self_managed_users_are_kept_while_disabled() {
        let text = "[self_managed_x509]\nenabled = false\nca_file = \"pki/project-root-ca.pem\"\n[[users]]\nname = \"CN=Jane Doe,O=MongoDB,C=US\"\nx509 = \"self-managed\"\n";
        let f = parse(text).unwrap();
        assert!(!f.settings.self_managed_enabled());
        assert_eq!(f.settings.users().len(), 1);
    }
}
