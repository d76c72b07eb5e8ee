//! Error types. Every enum is `#[non_exhaustive]`, every variant prints a sentence a person can
//! act on, and each has a stable machine-readable `kind()` string.

mod dn;

pub use dn::DnError;
