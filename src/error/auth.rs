//! Why a client was not let in: the denials of the decision rules (and the one "could not
//! decide" outcome, a directory that cannot be reached).

use core::fmt;

use crate::display::Escaped;

use super::{ChainError, DirectoryError, DnError, LdapError, RbacError, RuleFailure};

/// A client refused by [`Verifier::verify_client`](crate::Verifier::verify_client)
/// or [`Authenticator::authenticate`](crate::Authenticator::authenticate).
///
/// Two texts, for two readers:
///
/// - **Operators and logs: `Display`.** The full sentence, with the names involved (subject,
///   claimed user, LDAP DN, query, groups) and hints (the nearest registered user, a reversed
///   RDN order). Every such value is escaped with [`Escaped`](crate::Escaped), so a certificate
///   cannot forge a log line. This text can reveal registered users and the directory layout:
///   never send it to the client.
/// - **The client: [`AuthError::client_message`].** The kind and a fixed sentence that names
///   no user, DN, query or hint. Send this (or less) back over the wire.
///
/// [`AuthError::kind`] is a stable name for both. Every variant is a denial except
/// [`AuthError::DirectoryUnavailable`], which means the decision could not be made (and fails
/// closed); [`AuthError::is_undecided`] tells them apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Rule 1: the client presented no certificate.
    #[error("the client presented no certificate; X.509 authentication needs one")]
    NoCertificate,
    /// Rule 2: the chain verifies to no configured trust anchor (the most specific reason).
    /// Its [`kind`](AuthError::kind) is the chain error's own (`expired`, `revoked`,
    /// `unknown_issuer`, ...), never a blanket "chain".
    #[error("the certificate chain is not trusted: {0}")]
    Chain(ChainError),
    /// Rule 2: the chain verifies only to the self-managed CA set, and self-managed X.509 is
    /// disabled.
    #[error(
        "the certificate was issued by a self-managed CA (trust anchor \"{anchor}\"), but self-managed X.509 authentication is disabled",
        anchor = Escaped(anchor)
    )]
    SelfManagedDisabled {
        /// Subject of the self-managed CA the chain verified to.
        anchor: String,
    },
    /// The client was verified under earlier settings whose trust anchor is no longer configured.
    #[error(
        "the certificate was verified against the trust anchor \"{anchor}\", which the current settings no longer trust",
        anchor = Escaped(anchor)
    )]
    AnchorNoLongerTrusted {
        /// Subject of the anchor, as recorded at verification.
        anchor: String,
    },
    /// The leaf's subject could not be read as a distinguished name.
    #[error("the client certificate's subject cannot be read as a distinguished name: {0}")]
    SubjectUnreadable(DnError),
    /// Rule 3: the leaf's subject is the empty name.
    #[error(
        "the client certificate has an empty subject, so it names no database user (the name may be only in subjectAltName, which X.509 authentication does not use)"
    )]
    EmptySubject,
    /// The subject holds a control character (Unicode Cc: C0, DEL, C1) or an invisible
    /// character that RFC 4518 maps to nothing (zero-width space, soft hyphen, bidi override,
    /// ...). Such a name matches nothing — no database user, claimed user, mapping rule or LDAP
    /// group — and is refused before any matching (RFC 4518 would strip it, which would let
    /// `CN=admin\00` or `CN=ad\u{200B}min` be `CN=admin`).
    #[error(
        "the certificate subject \"{subject}\" contains the {} U+{code_point:04X} in its {attribute} value (RDN {rdn}, character {position}); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group",
        hidden_kind(*code_point),
        subject = Escaped(subject),
        attribute = Escaped(attribute)
    )]
    ControlCharacterInSubject {
        /// The certificate subject (RFC 4514, control characters written `\XX`).
        subject: String,
        /// The attribute holding it (short name or dotted OID).
        attribute: String,
        /// The RDN's number in the subject as printed, from 1.
        rdn: usize,
        /// The character's position in the value, from 1.
        position: usize,
        /// The control character's code point.
        code_point: u32,
    },
    /// LDAP authorization is on and the subject holds a value that is not a directory string
    /// (INTEGER, OCTET STRING, a context-specific tag, undecodable string contents): it prints
    /// as `#hex` and is not mapped to an LDAP DN.
    #[error(
        "the certificate subject \"{subject}\" has a {attribute} value (RDN {rdn}) encoded as {encoding}, not as a directory string; LDAP authorization maps only subjects whose values are all strings",
        subject = Escaped(subject),
        attribute = Escaped(attribute),
        encoding = Escaped(encoding)
    )]
    NonStringValueInSubject {
        /// The certificate subject (RFC 4514; the value as `#hex`).
        subject: String,
        /// The attribute holding it (short name or dotted OID).
        attribute: String,
        /// The RDN's number in the subject as printed, from 1.
        rdn: usize,
        /// The value's encoding, e.g. `INTEGER`, `context-specific [0]`.
        encoding: String,
    },
    /// Rule 4: the user name the client claimed is not the certificate's subject.
    #[error(
        "the claimed user \"{claimed}\" does not match the certificate subject \"{subject}\"{}",
        Reason(reason.as_deref()),
        claimed = Escaped(claimed),
        subject = Escaped(subject)
    )]
    ClaimMismatch {
        /// The name as the client sent it.
        claimed: String,
        /// The certificate subject (RFC 4514).
        subject: String,
        /// How they differ, when that can be said: the claim is not a DN, or it lists the
        /// subject's RDNs in reverse order.
        reason: Option<String>,
    },
    /// Rule 5: the user with this DN exists but is of the other kind.
    #[error(
        "the database user \"{user}\" is a {user_kind} X.509 user, but the certificate was issued by {}; a certificate of one kind never logs in as a user of the other",
        issuer_phrase(*certificate_kind),
        user = Escaped(user)
    )]
    KindMismatch {
        /// The registered user's name, as typed.
        user: String,
        /// The registered user's kind.
        user_kind: crate::kind::CertificateKind,
        /// The certificate's classification.
        certificate_kind: crate::kind::CertificateKind,
    },
    /// Rule 5: no database user has the certificate's subject as its name.
    #[error(
        "no database user is named \"{subject}\"{}",
        Hint(hint.as_deref()),
        subject = Escaped(subject)
    )]
    UnknownUser {
        /// The certificate subject (RFC 4514; under exact name matching, its server username,
        /// the string a user name must equal).
        subject: String,
        /// What the nearest registered name is and how it differs, when one is close.
        hint: Option<String>,
    },
    /// Rule 6: LDAP authorization is on, and managed certificates cannot connect then.
    #[error(
        "LDAP authorization is on, so users of managed X.509 certificates cannot connect (subject \"{subject}\")",
        subject = Escaped(subject)
    )]
    ManagedBlockedByLdap {
        /// The certificate subject (RFC 4514).
        subject: String,
    },
    /// Rule 6: no user-to-DN mapping rule produced an LDAP DN.
    #[error(
        "no user-to-DN mapping rule maps \"{subject}\" to an LDAP DN ({})",
        Failures(reasons),
        subject = Escaped(subject)
    )]
    NoMapping {
        /// The input of the mapping (the server's username form of the subject).
        subject: String,
        /// Each rule's reason, in rule order.
        reasons: Vec<RuleFailure>,
    },
    /// Rule 6: the LDAP user is in no group that is configured for database access.
    #[error(
        "the LDAP user \"{ldap_dn}\" is in no group configured for database access (its groups: {})",
        Groups(groups),
        ldap_dn = Escaped(ldap_dn)
    )]
    NotAuthorizedByLdap {
        /// The mapped LDAP DN.
        ldap_dn: String,
        /// The group DNs the directory returned.
        groups: Vec<String>,
    },
    /// Rule 6: the directory answered, but not in a usable way (no entry, several entries,
    /// too many groups, a DN that is not one).
    #[error(
        "the LDAP authorization query for \"{ldap_dn}\" failed: {source}",
        ldap_dn = Escaped(ldap_dn)
    )]
    LdapQueryFailed {
        /// The mapped LDAP DN (or the subject, when mapping itself failed).
        ldap_dn: String,
        /// What went wrong.
        source: LdapError,
    },
    /// Rule 6: the directory could not be reached and no cached answer is fresh enough.
    /// Not a denial: the decision could not be made, so the login fails closed.
    #[error(
        "cannot decide: the LDAP directory is unavailable and no cached answer for \"{ldap_dn}\" is recent enough ({source})",
        ldap_dn = Escaped(ldap_dn)
    )]
    DirectoryUnavailable {
        /// The LDAP DN being looked up (the subject while mapping).
        ldap_dn: String,
        /// The directory's failure.
        source: DirectoryError,
    },
    /// Rule 7: the roles could not be resolved (e.g. the union of LDAP groups' roles is above
    /// the per-user limit).
    #[error("the user's roles cannot be resolved: {0}")]
    Roles(RbacError),
}

impl AuthError {
    /// A stable machine-readable name of the denial; for [`AuthError::Chain`] the chain
    /// error's [`ChainError::kind`].
    pub fn kind(&self) -> &'static str {
        match self {
            AuthError::NoCertificate => "no_certificate",
            AuthError::Chain(e) => e.kind(),
            AuthError::SelfManagedDisabled { .. } => "self_managed_disabled",
            AuthError::AnchorNoLongerTrusted { .. } => "anchor_no_longer_trusted",
            AuthError::SubjectUnreadable(_) => "subject_unreadable",
            AuthError::EmptySubject => "empty_subject",
            AuthError::ControlCharacterInSubject { .. } => "control_character_in_subject",
            AuthError::NonStringValueInSubject { .. } => "non_string_value_in_subject",
            AuthError::ClaimMismatch { .. } => "claim_mismatch",
            AuthError::KindMismatch { .. } => "kind_mismatch",
            AuthError::UnknownUser { .. } => "unknown_user",
            AuthError::ManagedBlockedByLdap { .. } => "managed_blocked_by_ldap",
            AuthError::NoMapping { .. } => "no_mapping",
            AuthError::NotAuthorizedByLdap { .. } => "not_authorized_by_ldap",
            AuthError::LdapQueryFailed { .. } => "ldap_query_failed",
            AuthError::DirectoryUnavailable { .. } => "directory_unavailable",
            AuthError::Roles(_) => "roles",
        }
    }

    /// The text to send to the client: `"<kind>: <sentence>"`, a fixed sentence per kind that
    /// names no registered user, no hint, no LDAP DN, group or query, and no certificate
    /// value. (The kind tells the certificate's holder only about its own subject, e.g. that
    /// it names no user.) The operator's text, with names and hints, is `Display`: log it,
    /// never send it.
    ///
    /// ```
    /// use x509_dbauth::AuthError;
    /// let e = AuthError::UnknownUser {
    ///     subject: "CN=Jane Doe,O=MongoDB,C=US".into(),
    ///     hint: Some("the nearest registered user is \"CN=Jane Roe,O=MongoDB,C=US\"".into()),
    /// };
    /// assert_eq!(
    ///     e.client_message(),
    ///     "unknown_user: the client certificate does not identify a database user"
    /// );
    /// assert!(e.to_string().contains("Jane Roe")); // for the log only
    /// ```
    pub fn client_message(&self) -> &'static str {
        match self {
            AuthError::NoCertificate => {
                "no_certificate: X.509 authentication requires a client certificate"
            }
            AuthError::Chain(e) => e.client_message(),
            AuthError::SelfManagedDisabled { .. } => {
                "self_managed_disabled: certificates from this issuer are not accepted"
            }
            AuthError::AnchorNoLongerTrusted { .. } => {
                "anchor_no_longer_trusted: the issuer of the client certificate is no longer trusted"
            }
            AuthError::SubjectUnreadable(_) => {
                "subject_unreadable: the subject of the client certificate cannot be read"
            }
            AuthError::EmptySubject => "empty_subject: the client certificate has an empty subject",
            AuthError::ControlCharacterInSubject { .. } => {
                "control_character_in_subject: the subject of the client certificate contains a control or invisible character"
            }
            AuthError::NonStringValueInSubject { .. } => {
                "non_string_value_in_subject: the subject of the client certificate has a value that is not a string"
            }
            AuthError::ClaimMismatch { .. } => {
                "claim_mismatch: the user name sent does not match the client certificate"
            }
            AuthError::KindMismatch { .. } => {
                "kind_mismatch: the client certificate is not accepted for this user"
            }
            AuthError::UnknownUser { .. } => {
                "unknown_user: the client certificate does not identify a database user"
            }
            AuthError::ManagedBlockedByLdap { .. } => {
                "managed_blocked_by_ldap: certificates from this issuer cannot log in while LDAP authorization is on"
            }
            AuthError::NoMapping { .. } => {
                "no_mapping: the client certificate does not map to an LDAP user"
            }
            AuthError::NotAuthorizedByLdap { .. } => {
                "not_authorized_by_ldap: the LDAP user is not authorized for database access"
            }
            AuthError::LdapQueryFailed { .. } => {
                "ldap_query_failed: the LDAP authorization of the user failed"
            }
            AuthError::DirectoryUnavailable { .. } => {
                "directory_unavailable: authorization is temporarily unavailable; try again later"
            }
            AuthError::Roles(_) => "roles: the roles of the user cannot be resolved",
        }
    }

    /// True when no decision could be made (the directory is down): the caller may retry
    /// later, unlike a denial, which will repeat.
    pub fn is_undecided(&self) -> bool {
        matches!(self, AuthError::DirectoryUnavailable { .. })
    }

    /// The chain error, for [`AuthError::Chain`].
    pub fn chain_error(&self) -> Option<&ChainError> {
        match self {
            AuthError::Chain(e) => Some(e),
            _ => None,
        }
    }
}

fn issuer_phrase(kind: crate::kind::CertificateKind) -> &'static str {
    match kind {
        crate::kind::CertificateKind::Managed => "a managed CA",
        crate::kind::CertificateKind::SelfManaged => "a self-managed CA",
    }
}

struct Reason<'a>(Option<&'a str>);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(r) => write!(f, " ({r})"),
            None => Ok(()),
        }
    }
}

struct Hint<'a>(Option<&'a str>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(h) => write!(f, "; {h}"),
            None => Ok(()),
        }
    }
}

struct Failures<'a>(&'a [RuleFailure]);

impl fmt::Display for Failures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no rules");
        }
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

struct Groups<'a>(&'a [String]);

impl fmt::Display for Groups<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, g) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "\"{}\"", Escaped(g))?;
        }
        Ok(())
    }
}

/// "control character" for Unicode Cc, else "invisible character" (RFC 4518 map-to-nothing).
fn hidden_kind(code_point: u32) -> &'static str {
    if char::from_u32(code_point).is_some_and(char::is_control) {
        "control character"
    } else {
        "invisible character"
    }
}
