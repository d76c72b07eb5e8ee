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

mod dn;
mod error;
mod limits;

// ---- public surface: every exported item, on one screen ----
pub use dn::{
    AttributeTypeAndValue, AttributeValue, CanonicalDn, DistinguishedName, DnLint, DnLintCode, Oid,
    Rdn, RdnIter, StringKind,
};
pub use error::DnError;
pub use limits::Limits;
