//! # x509-dbauth
//!
//! Authenticate database clients by X.509 certificate and decide what they may do.
//!
//! The crate is organised as the data flows: bytes → certificate view → verified chain →
//! managed / self-managed classification → policy → principal. The root re-exports that
//! paved path; the modules below hold the rest, by topic.
//!
//! ## Two phases
//!
//! 1. **Handshake (sync, no I/O):** [`Verifier::verify_client`] (or
//!    [`Authenticator::verify_client`], the same under a settings snapshot) turns the presented
//!    chain into a [`VerifiedClient`]: the verified path, its kind and its subject. Only this
//!    crate can make one, so phase 2 cannot be reached without phase 1.
//! 2. **Login (async only when LDAP authorization is on):** [`Authenticator::authenticate`]
//!    turns a `VerifiedClient` and the user name the client claimed into a [`Principal`].
//!
//! ## The two kinds
//!
//! A certificate is **managed** when its chain ends at an anchor of the platform's managed CA
//! set, and **self-managed** when it ends at an anchor of the project's own CA set (its own
//! PKI). The anchor's public key decides, and no key may be in both sets.
//!
//! ## Features
//!
//! None is on by default, and none changes what the defaults decide. `settings-files`: TOML
//! settings files (`SettingsFile`). `ring`: the ring signature backend, opt-in per verifier.
//! `ldap`: a live LDAP directory. `x509-cert`: hand in `x509_cert` certificates and names.
//! `cli`: the `x509-dbauth` tool.
//!
//! ## Decision rules
//!
//! Every denial is an [`AuthError`] with a stable [`kind`](AuthError::kind) and a sentence;
//! [`Authenticator::explain`] returns the same [`Decision`] with each step.
//!
//! 1. No certificate → `no_certificate`.
//! 2. The chain must verify to an anchor of the managed CA set or, only when self-managed
//!    X.509 is enabled, of the self-managed CA set: anchored in the managed set → managed; in
//!    the self-managed set → self-managed. Self-managed X.509 disabled and the chain verifies
//!    only to the self-managed set → `self_managed_disabled`. Otherwise the most specific chain
//!    error, with its own kind (`expired`, `revoked`, `unknown_issuer`, …) and the certificate
//!    it is about. An anchor in both sets is refused when the settings are built.
//! 3. Empty subject → `empty_subject`. A subject with a control or invisible character matches
//!    nothing (`control_character_in_subject`).
//! 4. A claimed user name must match the subject (canonical comparison, or byte for byte
//!    under exact name matching), else `claim_mismatch`.
//! 5. LDAP authorization off: the database user whose name matches the subject **and** whose
//!    kind is the certificate's is the principal; a certificate of one kind never logs in as a
//!    user of the other (`kind_mismatch`); no such user → `unknown_user`, with the nearest
//!    registered name as a hint.
//! 6. LDAP authorization on: managed → `managed_blocked_by_ldap`; a subject value that is not
//!    a directory string → `non_string_value_in_subject`. Self-managed: the subject is mapped
//!    to an LDAP DN (`no_mapping` when no rule maps it), the query template yields
//!    group DNs, and the roles are those of the configured groups among them
//!    (`not_authorized_by_ldap` when none is). A directory failure fails closed
//!    (`directory_unavailable`) except within the staleness window of a cached answer.
//! 7. Roles resolve (built-in and custom, inheritance, cycles refused when the settings are
//!    built) into the principal's privileges: [`Principal::is_authorized`]; roles that cannot
//!    be resolved (e.g. above the per-user limit) → `roles`.
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
pub mod audit;
mod cert;
mod chain;
mod classify;
#[cfg(feature = "settings-files")]
mod config;
mod crypto;
mod display;
mod dn;
mod error;
mod files;
mod hex;
#[cfg(feature = "x509-cert")]
mod interop;
mod kind;
mod ldap;
mod limits;
mod live;
mod name;
mod oid;
mod pem;
mod policy;
mod rbac;
mod time;
#[cfg(feature = "rustls")]
pub mod tls;
mod trace;
mod trust;
mod users;

// ---- the paved path: on one screen, in the order data flows ----

pub use rustls_pki_types::{CertificateDer, UnixTime};
pub use time::Timestamp;
// Configuration: CA sets, users, settings.
#[cfg(feature = "settings-files")]
pub use config::{SettingsFile, SettingsFileError};
pub use limits::Limits;
pub use policy::{Settings, SettingsBuilder};
pub use trust::TrustAnchors;
pub use users::UserSpec;
// Phase 1: verify and classify.
pub use classify::{CertificateKind, VerifiedClient, Verifier, VerifierBuilder};
pub use dn::DistinguishedName;
// Phase 2: the decision.
pub use live::LiveAuthenticator;
pub use policy::{Authenticator, Decision, Principal};
pub use rbac::{Action, Resource};
pub use trace::{Outcome, Step};
// Errors, and text for people and logs.
pub use display::Escaped;
pub use error::{AuthError, SettingsError};

/// Distinguished names (RFC 4514 text, RFC 4517 matching): parsing, printing, the canonical
/// form users are looked up by, and lints.
pub mod names {
    pub use crate::dn::{
        AttributeTypeAndValue, AttributeValue, CanonicalDn, DistinguishedName, DnLint, DnLintCode,
        NameFinding, NameFindingDetail, Oid, Rdn, RdnIter, StringKind,
    };
}

/// Certificates (RFC 5280): the zero-copy certificate view, trust anchors, and the chain
/// verifier under [`crate::Verifier`].
pub mod x509 {
    pub use crate::cert::{BasicConstraints, Certificate, Extension, GeneralName, NameConstraints};
    pub use crate::chain::{
        CacheBounds, CacheStats, ChainVerifier, ChainVerifierBuilder, Eku, VerifiedChain,
    };
    pub use crate::error::{CertPosition, CertRef};
    pub use crate::trust::{AnchorInfo, AnchorWarning, TrustAnchors};
}

/// Signature verification: algorithms, keys, and the backends (RustCrypto by default, ring
/// with feature `ring`).
pub mod signature {
    #[cfg(feature = "ring")]
    pub use crate::crypto::RingVerifier;
    pub use crate::crypto::{
        HashAlg, KeyKind, RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef,
    };
}

/// LDAP authorization (decision rule 6): user-to-DN mapping, the RFC 4516 query template, the
/// [`Directory`](directory::Directory) trait with an in-memory (LDIF) directory and, with
/// feature `ldap`, a live one; the configured groups and the answer cache.
pub mod directory {
    pub use crate::ldap::{
        Directory, DirectoryEntry, InMemoryDirectory, LdapQuery, MappingRule, QueryTemplate, Scope,
        SearchFuture, UserToDnMapping,
    };
    #[cfg(feature = "ldap")]
    pub use crate::ldap::{
        LdapBind, LdapClientConfig, LdapDirectory, LdapServerUrl, LdapTls, PasswordSource,
    };
    pub use crate::policy::{Clock, LdapCacheConfig, LdapGroup, LdapGroupSpec, SystemClock};
}

/// Roles and privileges (decision rule 7): actions, resources, built-in and custom roles.
pub mod roles {
    pub use crate::rbac::{
        Action, ActionSet, BuiltinRole, CustomRole, PrivilegeResource, PrivilegeSet, Resource,
        RoleCatalog, RoleCatalogBuilder, RoleGrant,
    };
}

/// What a settings snapshot holds besides its CA sets (database users, name matching, the
/// warnings a snapshot can raise, the files it reads), and what a change of the live settings
/// did.
pub mod settings {
    pub use crate::limits::FileKind;
    #[cfg(feature = "settings-files")]
    pub use crate::live::ReloadError;
    pub use crate::live::{Change, DirectoryChange, SETTINGS_TARGET};
    pub use crate::policy::SettingsWarning;
    pub use crate::users::{DatabaseUser, NameMatching, UserRegistry};
}

/// Every error type. Each enum is `#[non_exhaustive]`, each variant prints a sentence a person
/// can act on and has a stable machine-readable `kind()`.
pub mod errors {
    pub use crate::error::{
        AuthError, CertError, ChainError, ConfigError, CryptoError, DirectoryError, DnError,
        FilterError, LdapConfigError, LdapError, LdifError, RbacError, ReadFileError, RuleFailure,
        SettingsError, TlsAlert, TrustError,
    };
}

/// Test doubles for users' own tests: a directory that always fails, a clock moved by hand,
/// and a minimal executor that runs a future on the current thread.
pub mod testing {
    pub use crate::ldap::FailingDirectory;
    pub use crate::policy::ManualClock;
    pub use crate::policy::block_on;
}

/// The README's Rust examples, compiled and run as doctests so that they cannot drift from the
/// API (with feature `rustls`, which the server developers' example needs; `scripts/test`
/// runs every feature).
#[cfg(all(doctest, feature = "rustls"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
