//! Resource limits: one struct, every number with the reason it was chosen.

/// Caps on input sizes and on the work done per request.
///
/// Every bound exists so that hostile input (an oversized certificate, a pathological chain,
/// a DN with thousands of RDNs) costs a bounded, small amount of time and memory. The defaults
/// are the ones in `DESIGN.md`; a caller may lower or raise any of them.
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
    /// Most signature verifications spent on one `verify_client` call
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
    /// The defaults from `DESIGN.md`.
    pub const DEFAULT: Limits = Limits {
        max_certificate_bytes: 64 * 1024,
        max_presented_certificates: 64,
        max_path_intermediates: 6,
        max_signature_checks: 100,
        max_path_build_steps: 200_000,
        max_name_constraint_comparisons: 250_000,
        max_dn_bytes: 16 * 1024,
        max_dn_rdns: 64,
        max_rdn_values: 16,
        max_username_bytes: 1024,
        max_users: 100,
        max_custom_roles: 100,
        max_roles_per_user: 100,
        max_ldap_groups: 1000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
