//! Error types. Every enum is `#[non_exhaustive]`, every variant prints a sentence a person can
//! act on, and each has a stable machine-readable `kind()` string.

mod ldap;
mod rbac;

pub use ldap::{DirectoryError, FilterError, LdapConfigError, LdapError, LdifError, RuleFailure};
pub use rbac::RbacError;
mod dn;

pub use dn::DnError;
mod cert;
mod chain;
mod crypto;
mod trust;

pub use cert::CertError;
pub use chain::{CertPosition, CertRef, ChainError, ConfigError};
pub use crypto::CryptoError;
pub use trust::TrustError;
mod auth;
mod settings;

pub use auth::AuthError;
pub use settings::SettingsError;
