//! Error types. Every enum is `#[non_exhaustive]`, every variant prints a sentence a person can
//! act on, and each has a stable machine-readable `kind()` string.

mod cert;
mod chain;
mod crypto;
mod trust;

pub use cert::CertError;
pub(crate) use chain::utc;
pub use chain::{CertPosition, CertRef, ChainError, ConfigError};
pub use crypto::CryptoError;
pub use trust::TrustError;
