//! Error types. Every enum is `#[non_exhaustive]`, every variant prints a sentence a person can
//! act on, and each has a stable machine-readable `kind()` string.

mod alert;
mod auth;
mod cert;
mod chain;
mod crypto;
mod dn;
mod file;
mod ldap;
mod rbac;
mod settings;
mod trust;

pub use alert::TlsAlert;
pub use auth::AuthError;
pub use cert::CertError;
pub use chain::{CertPosition, CertRef, ChainError, ConfigError};
pub use crypto::CryptoError;
pub use dn::DnError;
pub use file::ReadFileError;
pub use ldap::{DirectoryError, FilterError, LdapConfigError, LdapError, LdifError, RuleFailure};
pub use rbac::RbacError;
pub use settings::SettingsError;
pub use trust::TrustError;
