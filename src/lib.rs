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
mod dn;
mod error;
mod ldap;
mod limits;
mod policy;
mod rbac;
mod trace;
mod trust;
mod users;

// ---- public surface: every exported item, on one screen ----
pub use cert::{
    BasicConstraints, Certificate, Extension, GeneralName, NameConstraints,
    certificates_from_pem_or_der, pem_blocks,
};
pub use chain::{Eku, VerifiedChain, Verifier, VerifierBuilder};
pub use classify::{CertificateKind, ClientVerifier, ClientVerifierBuilder, VerifiedClient};
#[cfg(feature = "serde")]
pub use config::{SettingsFile, SettingsFileError};
pub use crypto::{
    HashAlg, KeyKind, RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef,
    check_policy,
};
pub use dn::{
    AttributeTypeAndValue, AttributeValue, CanonicalDn, DistinguishedName, DnLint, DnLintCode, Oid,
    Rdn, RdnIter, StringKind,
};
pub use error::DnError;
pub use error::{AuthError, SettingsError};
pub use error::{
    CertError, CertPosition, CertRef, ChainError, ConfigError, CryptoError, TrustError,
};
pub use error::{
    DirectoryError, FilterError, LdapConfigError, LdapError, LdifError, RbacError, RuleFailure,
};
pub use ldap::{
    Directory, DirectoryEntry, FailingDirectory, InMemoryDirectory, LdapQuery, MappingRule,
    QueryTemplate, Scope, SearchFuture, UserToDnMapping, groups_from_entries,
};
pub use limits::Limits;
pub use policy::{
    Authenticator, Clock, Decision, LdapCacheConfig, LdapGroup, LdapGroupSpec, ManualClock,
    Principal, Settings, SettingsBuilder, SettingsWarning, SystemClock, block_on,
};
pub use rbac::{
    Action, ActionSet, BuiltinRole, CustomRole, PrivilegeResource, PrivilegeSet, Resource,
    RoleCatalog, RoleCatalogBuilder, RoleGrant,
};
pub use rustls_pki_types::{CertificateDer, UnixTime};
pub use trace::{Outcome, Step};
pub use trust::{AnchorInfo, AnchorWarning, TrustAnchors};
pub use users::{DatabaseUser, UserRegistry, UserSpec};
