//! # x509-dbauth
//!
//! Authenticate database clients by X.509 certificate and decide what they may do.
//!
//! The crate is organised as the data flows: bytes → certificate view → verified chain →
//! managed / self-managed classification → policy → principal. See `DESIGN.md` for the
//! decision rules.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod asn1;
mod cert;
mod chain;
mod classify;
#[cfg(feature = "serde")]
mod config;
mod crypto;
mod display;
mod dn;
mod error;
mod files;
mod hex;
mod ldap;
mod limits;
mod name;
mod oid;
mod pem;
mod policy;
mod rbac;
mod time;
mod trace;
mod trust;
mod users;

// ---- public surface: every exported item, on one screen, in the order data flows ----

// Names.
pub use dn::{
    AttributeTypeAndValue, AttributeValue, CanonicalDn, DistinguishedName, DnLint, DnLintCode,
    NameFinding, NameFindingDetail, Oid, Rdn, RdnIter, StringKind,
};
// Certificates, signatures, trust anchors.
pub use cert::{
    BasicConstraints, Certificate, Extension, GeneralName, NameConstraints,
    certificates_from_pem_or_der, pem_blocks,
};
#[cfg(feature = "ring")]
pub use crypto::RingVerifier;
pub use crypto::{
    HashAlg, KeyKind, RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef,
    check_policy,
};
pub use rustls_pki_types::{CertificateDer, UnixTime};
pub use trust::{AnchorInfo, AnchorWarning, TrustAnchors};
// Phase 1: chain verification and classification.
pub use chain::{ChainVerifier, ChainVerifierBuilder, Eku, VerifiedChain};
pub use classify::{CertificateKind, VerifiedClient, Verifier, VerifierBuilder};
// Phase 2: users, roles, LDAP, the decision.
pub use ldap::{
    Directory, DirectoryEntry, FailingDirectory, InMemoryDirectory, LdapQuery, MappingRule,
    QueryTemplate, Scope, SearchFuture, UserToDnMapping, groups_from_entries,
};
#[cfg(feature = "ldap")]
pub use ldap::{LdapBind, LdapClientConfig, LdapDirectory, LdapServerUrl, LdapTls, PasswordSource};
pub use policy::{
    Authenticator, Clock, Decision, LdapCacheConfig, LdapGroup, LdapGroupSpec, ManualClock,
    Principal, Settings, SettingsBuilder, SettingsWarning, SystemClock, block_on,
};
pub use rbac::{
    Action, ActionSet, BuiltinRole, CustomRole, PrivilegeResource, PrivilegeSet, Resource,
    RoleCatalog, RoleCatalogBuilder, RoleGrant,
};
pub use trace::{Outcome, Step};
pub use users::{DatabaseUser, NameMatching, UserRegistry, UserSpec};
// Settings files.
#[cfg(feature = "serde")]
pub use config::{SettingsFile, SettingsFileError};
// Limits and errors.
pub use error::{
    AuthError, CertError, CertPosition, CertRef, ChainError, ConfigError, CryptoError,
    DirectoryError, DnError, FilterError, LdapConfigError, LdapError, LdifError, RbacError,
    ReadFileError, RuleFailure, SettingsError, TrustError,
};
// Text for people and logs.
pub use display::Escaped;
pub use files::read_regular_file;
pub use limits::{FileKind, Limits};
