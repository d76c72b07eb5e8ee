//! Why a settings snapshot was refused when built (fail closed: nothing is skipped).

use crate::display::Escaped;

use super::{ConfigError, DnError, LdapConfigError, RbacError, TrustError};

/// A settings snapshot that could not be built. Indices count from 0 in the order the items
/// were added (the order of `[[users]]` / `[[ldap_groups]]` in a settings file).
///
/// ```
/// use x509_dbauth::{CertificateKind, Settings, UserSpec};
///
/// let e = Settings::builder()
///     .add_user(UserSpec::new("CN=Jane Doe,O=MongoDB,C=US", CertificateKind::Managed))
///     .add_user(UserSpec::new("cn=jane doe, o=mongodb, c=us", CertificateKind::Managed))
///     .build()
///     .unwrap_err();
/// // The second name matches the first: one user, registered twice.
/// assert_eq!(e.kind(), "duplicate_user");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A CA bundle that does not load.
    #[error("the {set} CA bundle cannot be loaded: {source}")]
    Bundle {
        /// "managed" or "self-managed".
        set: &'static str,
        /// Why.
        source: TrustError,
    },
    /// The same CA certificate is in both the managed and the self-managed CA set: its clients
    /// could not be classified.
    #[error(
        "the CA \"{subject}\" (SHA-256 {fingerprint}) is in both the managed and the self-managed CA set; a certificate it issued could not be classified",
        subject = Escaped(subject)
    )]
    AnchorInBothSets {
        /// The anchor's subject.
        subject: String,
        /// Its SHA-256 fingerprint, hex.
        fingerprint: String,
    },
    /// Self-managed X.509 enabled without a CA bundle.
    #[error("self-managed X.509 is enabled but no self-managed CA is configured")]
    SelfManagedWithoutBundle,
    /// A CRL that does not load.
    #[error("{0}")]
    Crl(ConfigError),
    /// More users than `Limits::max_users`.
    #[error("{count} database users are configured, the limit is {limit}")]
    TooManyUsers {
        /// Users configured.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A user name that is empty.
    #[error(
        "user #{index}: the name is empty; an X.509 user is named by its certificate's subject DN"
    )]
    EmptyUserName {
        /// The user's index.
        index: usize,
    },
    /// A user name longer than `Limits::max_username_bytes`.
    #[error("user #{index}: the name is {len} bytes long, the limit is {limit}")]
    UserNameTooLong {
        /// The user's index.
        index: usize,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A user name that is not an RFC 4514 DN.
    #[error(
        "user #{index}: \"{name}\" is not a valid distinguished name: {source}",
        name = Escaped(name)
    )]
    InvalidUserName {
        /// The user's index.
        index: usize,
        /// The name as typed.
        name: String,
        /// The parser's error.
        source: DnError,
    },
    /// A user name with a control character or an invisible character that RFC 4518 maps to
    /// nothing: it could never match a certificate.
    #[error(
        "user #{index}: \"{name}\" contains a control or invisible character, so no certificate could ever match it",
        name = Escaped(name)
    )]
    ControlCharacterInUserName {
        /// The user's index.
        index: usize,
        /// The name as typed.
        name: String,
    },
    /// Two users whose names match: under DN comparison (canonical name matching), or
    /// byte for byte (exact name matching).
    #[error(
        "user #{index}: \"{name}\" {} user #{first} \"{first_name}\"{}",
        if name == first_name { "is the same name as" } else { "names the same DN as" },
        if name == first_name { "" } else { " (names are compared as DNs: case, spacing and escapes do not make them different)" },
        name = Escaped(name),
        first_name = Escaped(first_name)
    )]
    DuplicateUser {
        /// The second user's index.
        index: usize,
        /// Its name as typed.
        name: String,
        /// The first user's index.
        first: usize,
        /// Its name as typed.
        first_name: String,
    },
    /// A self-managed user added while self-managed X.509 is disabled.
    #[error(
        "user #{index}: \"{name}\" is a self-managed X.509 user, but self-managed X.509 is disabled; enable it with a self-managed CA first",
        name = Escaped(name)
    )]
    SelfManagedUserWhileDisabled {
        /// The user's index.
        index: usize,
        /// The name as typed.
        name: String,
    },
    /// A user with more roles than `Limits::max_roles_per_user`.
    #[error("user #{index}: {count} roles are granted, the limit is {limit}")]
    TooManyRoles {
        /// The user's index.
        index: usize,
        /// Roles granted.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A user's role grant that is invalid or names an unknown role.
    #[error("user #{index}: role #{role}: {source}")]
    UserRole {
        /// The user's index.
        index: usize,
        /// The role's index in the user's list.
        role: usize,
        /// Why.
        source: RbacError,
    },
    /// A custom role that is invalid, duplicated, cyclic, or too many.
    #[error("custom roles: {0}")]
    CustomRoles(RbacError),
    /// An LDAP group whose DN does not parse.
    #[error(
        "LDAP group #{index}: \"{dn}\" is not a valid distinguished name: {source}",
        dn = Escaped(dn)
    )]
    InvalidGroupDn {
        /// The group's index.
        index: usize,
        /// The DN as typed.
        dn: String,
        /// The parser's error.
        source: DnError,
    },
    /// An LDAP group DN with a control character: it could never match a group the
    /// directory returns (such DNs match nothing).
    #[error(
        "LDAP group #{index}: \"{dn}\" contains a control or invisible character, so no group the directory returns could ever match it",
        dn = Escaped(dn)
    )]
    ControlCharacterInGroupDn {
        /// The group's index.
        index: usize,
        /// The DN as typed.
        dn: String,
    },
    /// Two LDAP groups with matching DNs.
    #[error(
        "LDAP group #{index}: \"{dn}\" names the same DN as LDAP group #{first}",
        dn = Escaped(dn)
    )]
    DuplicateGroup {
        /// The second group's index.
        index: usize,
        /// Its DN as typed.
        dn: String,
        /// The first group's index.
        first: usize,
    },
    /// An LDAP group's role grant that is invalid or names an unknown role.
    #[error("LDAP group #{index}: role #{role}: {source}")]
    GroupRole {
        /// The group's index.
        index: usize,
        /// The role's index in the group's list.
        role: usize,
        /// Why.
        source: RbacError,
    },
    /// An LDAP setting that does not parse (mapping rule, query template).
    #[error("LDAP: {0}")]
    Ldap(LdapConfigError),
    /// An LDAP cache setting out of range.
    #[error("LDAP cache: {0}")]
    LdapCache(&'static str),
}

impl SettingsError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            SettingsError::Bundle { .. } => "bundle",
            SettingsError::AnchorInBothSets { .. } => "anchor_in_both_sets",
            SettingsError::SelfManagedWithoutBundle => "self_managed_without_bundle",
            SettingsError::Crl(_) => "crl",
            SettingsError::TooManyUsers { .. } => "too_many_users",
            SettingsError::EmptyUserName { .. } => "empty_user_name",
            SettingsError::UserNameTooLong { .. } => "user_name_too_long",
            SettingsError::InvalidUserName { .. } => "invalid_user_name",
            SettingsError::ControlCharacterInUserName { .. } => "control_character_in_user_name",
            SettingsError::DuplicateUser { .. } => "duplicate_user",
            SettingsError::SelfManagedUserWhileDisabled { .. } => {
                "self_managed_user_while_disabled"
            }
            SettingsError::TooManyRoles { .. } => "too_many_roles",
            SettingsError::UserRole { .. } => "user_role",
            SettingsError::CustomRoles(_) => "custom_roles",
            SettingsError::InvalidGroupDn { .. } => "invalid_group_dn",
            SettingsError::ControlCharacterInGroupDn { .. } => "control_character_in_group_dn",
            SettingsError::DuplicateGroup { .. } => "duplicate_group",
            SettingsError::GroupRole { .. } => "group_role",
            SettingsError::Ldap(_) => "ldap",
            SettingsError::LdapCache(_) => "ldap_cache",
        }
    }
}
