//! Resource limits: one struct, every number with the reason it was chosen.

/// Caps on input sizes and on the work done per request.
///
/// ```
/// use x509_dbauth::{DistinguishedName, Limits};
///
/// let mut tight = Limits::DEFAULT;
/// tight.max_dn_rdns = 4;
/// let long = "CN=a,OU=b,OU=c,O=d,C=US";
/// assert!(DistinguishedName::parse_with_limits(long, &Limits::DEFAULT).is_ok());
/// assert_eq!(DistinguishedName::parse_with_limits(long, &tight).unwrap_err().kind(), "too_many_rdns");
/// ```
///
/// Every bound exists so that hostile input (an oversized certificate, a pathological chain,
/// a DN with thousands of RDNs) costs a bounded, small amount of time and memory. Each default
/// in [`Limits::DEFAULT`] says where its number comes from; a caller may lower or raise any of
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest DER certificate accepted, in bytes. Real client certificates are 1–3 KiB;
    /// 64 KiB leaves room for large RSA keys and long SAN lists.
    pub max_certificate_bytes: usize,
    /// Most certificates a client may present (the pool path building draws from, any order).
    pub max_presented_certificates: usize,
    /// Most intermediates between the leaf and the trust anchor in one path
    /// (rustls-webpki uses the same depth of 6).
    pub max_path_intermediates: usize,
    /// Most signature verifications spent on one chain verification
    /// (rustls-webpki's budget, chosen after RUSTSEC-2023-0053).
    pub max_signature_checks: usize,
    /// Most path-building steps (candidate issuers considered) for one call.
    pub max_path_build_steps: usize,
    /// Most name comparisons for one call: name constraints (rustls-webpki's budget) and the
    /// issuer/subject comparisons of path building, which a hostile pool can multiply too.
    pub max_name_constraint_comparisons: usize,
    /// Longest DN string accepted by the parser, in bytes.
    pub max_dn_bytes: usize,
    /// Most RDNs in one DN.
    pub max_dn_rdns: usize,
    /// Most attribute values inside one (multi-valued) RDN.
    pub max_rdn_values: usize,
    /// Longest database user name, in bytes (Atlas `username` maxLength).
    pub max_username_bytes: usize,
    /// Most database users in one settings snapshot (Atlas: 100 per project).
    pub max_users: usize,
    /// Most custom roles (Atlas: 100 per project).
    pub max_custom_roles: usize,
    /// Most roles granted to one user (Atlas: 100 per user).
    pub max_roles_per_user: usize,
    /// Most group values accepted in one LDAP answer.
    pub max_ldap_groups: usize,
}

impl Limits {
    /// The defaults; each line says where its number comes from.
    pub const DEFAULT: Limits = Limits {
        // Real client certificates are 1–3 KiB; 64 KiB holds a 16 384-bit RSA key with long
        // SAN lists many times over. This crate's bound (rustls-webpki has none).
        max_certificate_bytes: 64 * 1024,
        // A client presents its leaf and 1–4 CA certificates; 64 bounds the pool path
        // building searches. This crate's bound.
        max_presented_certificates: 64,
        // rustls-webpki's limit of 6 sub-CAs in a path (`MAX_SUB_CA_COUNT`).
        max_path_intermediates: 6,
        // rustls-webpki's signature budget (100), adopted after RUSTSEC-2023-0053.
        max_signature_checks: 100,
        // rustls-webpki's path-building budget (200 000 `build_chain` calls).
        max_path_build_steps: 200_000,
        // rustls-webpki's name-constraint budget (250 000 comparisons); issuer/subject
        // comparisons are counted against it too.
        max_name_constraint_comparisons: 250_000,
        // 16 KiB: above any DN seen in practice (a few hundred bytes) and within the 64 KiB
        // certificate. This crate's bound.
        max_dn_bytes: 16 * 1024,
        // Real DNs have 3–10 RDNs; 64 keeps name-constraint work (which grows with RDNs)
        // small. This crate's bound.
        max_dn_rdns: 64,
        // Multi-valued RDNs hold 2–3 values in practice (`CN=x+UID=y`); 16 bounds the sort
        // of canonicalization. This crate's bound.
        max_rdn_values: 16,
        // MongoDB Atlas database users: `username` maxLength 1024.
        max_username_bytes: 1024,
        // MongoDB Atlas: 100 database users per project.
        max_users: 100,
        // MongoDB Atlas: 100 custom roles per project.
        max_custom_roles: 100,
        // MongoDB Atlas: 100 roles per database user.
        max_roles_per_user: 100,
        // A user in more than 1000 LDAP groups is an outlier (Active Directory's token limit
        // is about 1015 groups). This crate's bound.
        max_ldap_groups: 1000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The smallest RSA modulus accepted, in bits, for an issuer's key and a client's alike: the
/// crate's signature policy, applied before any signature backend (NIST SP 800-131A Rev. 2
/// disallows RSA keys under 2048 bits for signatures; the CA/Browser Forum Baseline
/// Requirements §6.1.5 require at least 2048).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// The kinds of file the library and the command-line tool read from disk, each with its own
/// size limit ([`FileKind::max_bytes`]). Files are read only when they are regular files
/// (symbolic links are followed, so secret mounts work); see [`FileKind::read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// Certificates: a PEM bundle (trust anchors, intermediates, a client chain) or one DER
    /// certificate.
    Certificates,
    /// Certificate revocation lists: a PEM bundle of X509 CRL blocks or one DER CRL.
    Crl,
    /// A settings file (TOML).
    Settings,
    /// An LDIF directory snapshot (`ldap.directory = "ldif:…"`).
    Ldif,
}

impl FileKind {
    /// Largest certificate file: 8 MiB. A bundle of every public root CA (Mozilla's, about
    /// 150 roots) is about 220 KiB of PEM; 64 certificates of the 64 KiB maximum
    /// (`max_certificate_bytes` × `max_presented_certificates`) are 4 MiB of DER and under
    /// 6 MiB as PEM.
    pub const MAX_CERTIFICATE_FILE_BYTES: u64 = 8 * 1024 * 1024;
    /// Largest CRL file: 32 MiB. A CRL entry is about 40 bytes, so this holds some 800 000
    /// revoked serials, more than the full CRLs public CAs publish (a few MiB); a database
    /// PKI's CRL is kilobytes. The CRL is parsed and kept in memory whole.
    pub const MAX_CRL_FILE_BYTES: u64 = 32 * 1024 * 1024;
    /// Largest settings file: 1 MiB. The limits allow 100 users and 100 custom roles of 100
    /// grants each, well under 1 MiB of TOML even with long names and comments.
    pub const MAX_SETTINGS_FILE_BYTES: u64 = 1024 * 1024;
    /// Largest LDIF snapshot: 16 MiB. The in-memory directory is for tests and small
    /// deployments and loads the whole file; 16 MiB is tens of thousands of entries.
    pub const MAX_LDIF_FILE_BYTES: u64 = 16 * 1024 * 1024;

    /// The size limit, in bytes, for this kind of file.
    pub const fn max_bytes(self) -> u64 {
        match self {
            FileKind::Certificates => Self::MAX_CERTIFICATE_FILE_BYTES,
            FileKind::Crl => Self::MAX_CRL_FILE_BYTES,
            FileKind::Settings => Self::MAX_SETTINGS_FILE_BYTES,
            FileKind::Ldif => Self::MAX_LDIF_FILE_BYTES,
        }
    }

    /// What the file is, for messages: "certificate file", "CRL file", …
    pub const fn as_str(self) -> &'static str {
        match self {
            FileKind::Certificates => "certificate file",
            FileKind::Crl => "CRL file",
            FileKind::Settings => "settings file",
            FileKind::Ldif => "LDIF file",
        }
    }
}

impl core::fmt::Display for FileKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
