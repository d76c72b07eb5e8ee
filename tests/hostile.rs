//! The hostile-input catalog (issue 12 item 2): named inputs an attacker or a careless admin
//! can produce, each with the exact error it must get and, on the line above it, the limit or
//! rule that stops it. Certificates are generated (rcgen, `tests/common/generate.rs`) and then
//! edited where rcgen cannot write the hostile encoding; DER-level entries edit one byte range
//! of a generated certificate.
//!
//! Every entry is its own `#[test]`, so `cargo test --test hostile -- --list` is the catalog.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::{Arc, Mutex};

use common::generate::{
    Alg, NOW, Node, Spec, TBS_SUBJECT, issue, name_der, resign_edited, root, tlv,
};
use rcgen::{CustomExtension, DnType, GeneralSubtree, NameConstraints, SanType};
use x509_dbauth::directory::{
    Directory, InMemoryDirectory, LdapGroupSpec, LdapQuery, MappingRule, QueryTemplate,
    SearchFuture, UserToDnMapping,
};
use x509_dbauth::errors::{CertError, ChainError, DnError, LdifError, RbacError, ReadFileError};
use x509_dbauth::roles::CustomRole;
use x509_dbauth::settings::FileKind;
use x509_dbauth::x509::{CertPosition, Certificate};
use x509_dbauth::{
    AuthError, Authenticator, CertificateDer, CertificateKind, DistinguishedName, Limits,
    Principal, Settings, SettingsBuilder, SettingsError, TrustAnchors, UnixTime, UserSpec,
};

/// One catalog entry: `/// rule` then `name: input => expected pattern,`.
macro_rules! hostile {
    ($( $(#[doc = $rule:literal])+ $name:ident : $input:expr => $expected:pat $(if $guard:expr)? , )*) => {
        $(
            $(#[doc = $rule])+
            #[test]
            #[allow(clippy::match_like_matches_macro, clippy::redundant_pattern_matching)]
            fn $name() {
                let got = $input;
                assert!(
                    matches!(got, $expected $(if $guard)?),
                    "{}: got {:?}",
                    stringify!($name),
                    got
                );
            }
        )*
    };
}

// ---- fixtures ----

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW as u64))
}

/// A managed root, a project root and the project's issuing CA (Ed25519: fast to make).
struct Pki {
    managed: Node,
    project: Node,
    issuing: Node,
}

fn pki() -> Pki {
    let managed = root(&Spec::ca("Managed Root", Alg::Ed25519));
    let project = root(&Spec::ca("Project Root", Alg::Ed25519));
    let issuing = issue(&Spec::ca("Project Issuing", Alg::Ed25519), &project);
    Pki {
        managed,
        project,
        issuing,
    }
}

const CLIENT: &str = "CN=client,O=x509-dbauth tests";

impl Pki {
    /// A valid client leaf (subject `O=x509-dbauth tests, CN=client`) from the issuing CA.
    fn leaf(&self) -> Vec<u8> {
        issue(&Spec::leaf("client", Alg::Ed25519), &self.issuing).der
    }

    fn leaf_spec(&self, spec: Spec) -> Vec<u8> {
        issue(&spec, &self.issuing).der
    }

    /// The client leaf with its tbsCertificate edited and signed again by the issuing CA.
    fn edited(&self, edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
        resign_edited(&self.leaf(), &self.issuing, edit)
    }

    /// The client leaf with another subject Name (DER), signed again.
    fn with_subject(&self, name: Vec<u8>) -> Vec<u8> {
        self.edited(|p| p[TBS_SUBJECT] = name)
    }

    /// Managed CA + project PKI (self-managed on), user `CLIENT` (self-managed, read@db).
    fn settings(&self) -> SettingsBuilder {
        Settings::builder()
            .managed_ca(TrustAnchors::from_ders([&self.managed.der]).unwrap())
            .enable_self_managed(TrustAnchors::from_ders([&self.project.der]).unwrap())
            .add_user(UserSpec::new(CLIENT, CertificateKind::SelfManaged).role("read@db"))
    }

    /// LDAP authorization on: the subject itself is the LDAP DN (no mapping rules).
    fn ldap_settings(&self) -> SettingsBuilder {
        Settings::builder()
            .managed_ca(TrustAnchors::from_ders([&self.managed.der]).unwrap())
            .enable_self_managed(TrustAnchors::from_ders([&self.project.der]).unwrap())
            .enable_ldap_authorization()
            .add_ldap_group(LdapGroupSpec {
                dn: "cn=readers,ou=groups,dc=example,dc=com".to_owned(),
                roles: vec!["read@db".to_owned()],
            })
    }

    fn chain(&self, leaf: Vec<u8>) -> Vec<CertificateDer<'static>> {
        vec![
            CertificateDer::from(leaf),
            CertificateDer::from(self.issuing.der.clone()),
        ]
    }
}

/// Both phases under `settings`, with `directory` when given.
fn login(
    settings: SettingsBuilder,
    directory: Option<Arc<dyn Directory>>,
    chain: &[CertificateDer<'_>],
) -> Result<Principal, AuthError> {
    let mut a = Authenticator::new(settings.build().unwrap().into_arc());
    if let Some(d) = directory {
        a = a.with_directory(d);
    }
    let client = a.verify_client(chain, now())?;
    a.authenticate_blocking(&client, None)
}

/// The client leaf (with `leaf`) logging in under the plain settings.
fn login_leaf(p: &Pki, leaf: Vec<u8>) -> Result<Principal, AuthError> {
    login(p.settings(), None, &p.chain(leaf))
}

/// The client leaf logging in under LDAP authorization with an empty in-memory directory.
fn ldap_login_leaf(p: &Pki, leaf: Vec<u8>) -> Result<Principal, AuthError> {
    login(
        p.ldap_settings(),
        Some(Arc::new(InMemoryDirectory::new())),
        &p.chain(leaf),
    )
}

/// The default limits with `max_dn_bytes` lifted, to reach the RDN limit.
fn unbounded_dn_bytes() -> Limits {
    let mut l = Limits::DEFAULT;
    l.max_dn_bytes = usize::MAX;
    l
}

/// A SEQUENCE of any length (three-byte length form above 64 KiB, which `tlv` does not write).
fn long_sequence(content: &[u8]) -> Vec<u8> {
    if content.len() < 0x1_0000 {
        return tlv(0x30, content);
    }
    let n = content.len();
    let mut out = vec![0x30, 0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8];
    out.extend_from_slice(content);
    out
}

fn read_cert(der: &[u8]) -> Result<(), CertError> {
    Certificate::from_der(der, &Limits::DEFAULT).map(|_| ())
}

/// The content elements (full encodings) of a constructed DER element with a 1–3 byte length.
fn elements(der: &[u8]) -> Vec<Vec<u8>> {
    let header = |d: &[u8]| -> (usize, usize) {
        match d[1] {
            n if n < 0x80 => (2, n as usize),
            0x81 => (3, d[2] as usize),
            0x82 => (4, (d[2] as usize) << 8 | d[3] as usize),
            _ => panic!("length form"),
        }
    };
    let (h, n) = header(der);
    let mut rest = &der[h..h + n];
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (h, n) = header(rest);
        out.push(rest[..h + n].to_vec());
        rest = &rest[h + n..];
    }
    out
}

/// The client leaf's outer length octets rewritten by `f` (the leaf is 0x30 0x82 hi lo …).
fn with_outer_length(p: &Pki, f: impl FnOnce(usize) -> Vec<u8>) -> Vec<u8> {
    let der = p.leaf();
    assert_eq!(der[1], 0x82, "a leaf of 256 bytes or more");
    let len = (der[2] as usize) << 8 | der[3] as usize;
    let mut out = vec![0x30];
    out.extend(f(len));
    out.extend_from_slice(&der[4..]);
    out
}

/// A Name with one CN of the given string tag and raw value bytes.
fn cn_name(tag: u8, value: &[u8]) -> Vec<u8> {
    name_der(&[
        vec![(
            common::generate::attr::O,
            0x0c,
            b"x509-dbauth tests".to_vec(),
        )],
        vec![(common::generate::attr::CN, tag, value.to_vec())],
    ])
}

fn is_malformed_cert(e: &AuthError, field: &str, reason: &str) -> bool {
    matches!(e, AuthError::Chain(ChainError::Malformed { cert, source: CertError::Malformed { field: f, reason: r } })
        if cert.position == CertPosition::Presented(0) && *f == field && r == reason)
}

fn non_string(e: &AuthError, encoding: &str) -> bool {
    matches!(e, AuthError::NonStringValueInSubject { attribute, rdn: 1, encoding: enc, .. }
        if attribute == "CN" && enc == encoding)
}

fn control(e: &AuthError, code_point: u32, position: usize) -> bool {
    matches!(e, AuthError::ControlCharacterInSubject { attribute, rdn: 1, position: pos, code_point: c, .. }
        if attribute == "CN" && *c == code_point && *pos == position)
}

// ---- 1. DER structure of a certificate ----

hostile! {
    /// DER reader: a length that runs past the input (the last byte cut off).
    truncated_certificate:
        { let p = pki(); let d = p.leaf(); read_cert(&d[..d.len() - 1]) }
        => Err(CertError::Malformed { field: "certificate", ref reason }) if reason == "length runs past the end of the data (at byte 1)",
    /// DER reader: the outer length claims one byte more than there is.
    over_long_outer_length:
        read_cert(&with_outer_length(&pki(), |n| vec![0x82, ((n + 1) >> 8) as u8, (n + 1) as u8]))
        => Err(CertError::Malformed { field: "certificate", ref reason }) if reason == "length runs past the end of the data (at byte 1)",
    /// DER reader: the outer length claims less than there is (trailing bytes).
    short_outer_length_leaves_trailing_bytes:
        { let d = with_outer_length(&pki(), |n| vec![0x82, ((n - 1) >> 8) as u8, (n - 1) as u8]); (d.len(), read_cert(&d)) }
        => (len, Err(CertError::Malformed { field: "certificate", ref reason }))
            if *reason == format!("unexpected bytes after the end of a structure (at byte {})", len - 1),
    /// DER (X.690 §10.1): indefinite lengths are BER only.
    indefinite_outer_length:
        read_cert(&{ let mut d = with_outer_length(&pki(), |_| vec![0x80]); d.extend([0, 0]); d })
        => Err(CertError::Malformed { field: "certificate", ref reason }) if reason == "indefinite length is not allowed in DER (at byte 1)",
    /// DER (X.690 §10.1): a length in the shortest form only (0x83 00 hi lo for a 2-byte length).
    non_minimal_outer_length:
        read_cert(&with_outer_length(&pki(), |n| vec![0x83, 0, (n >> 8) as u8, n as u8]))
        => Err(CertError::Malformed { field: "certificate", ref reason }) if reason == "length is not minimally encoded (at byte 1)",
    /// DER reader: lengths of more than 4 octets are refused before any arithmetic.
    five_octet_length:
        read_cert(&with_outer_length(&pki(), |_| vec![0x85, 0, 0, 0, 0, 1]))
        => Err(CertError::Malformed { field: "certificate", ref reason }) if reason == "length is too large (at byte 1)",
    /// RFC 5280 §4.1: a Certificate is a SEQUENCE (tag 0x30), not a SET.
    certificate_as_set:
        read_cert(&{ let mut d = pki().leaf(); d[0] = 0x31; d })
        => Err(CertError::Malformed { field: "certificate", ref reason }) if reason == "expected tag 0x30, found 0x31 (at byte 0)",
    /// RFC 5280 §4.1.2.1: version is [0] EXPLICIT; under [1] it is not a version, and the
    /// serialNumber INTEGER is required in its place (byte 8: after two 4-byte headers).
    version_under_wrong_tag:
        { let p = pki(); read_cert(&p.edited(|t| t[0][0] = 0xA1)) }
        => Err(CertError::Malformed { field: "serialNumber", ref reason }) if reason == "expected tag 0x02, found 0xa1 (at byte 8)",
    /// RFC 5280 §4.1.2.1: versions 1–3 only.
    version_four:
        { let p = pki(); read_cert(&p.edited(|t| t[0] = vec![0xA0, 3, 2, 1, 3])) }
        => Err(CertError::UnsupportedVersion(4)),
    /// RFC 5280 §4.1.2.1: extensions need v3 (the [0] version removed: v1).
    v1_certificate_with_extensions:
        { let p = pki(); read_cert(&p.edited(|t| { t.remove(0); })) }
        => Err(CertError::VersionMismatch { version: 1, what: "extensions" }),
    /// DER (X.690 §8.3.2): an INTEGER in its shortest form; serial 02 02 00 05 is not.
    non_minimal_serial:
        { let p = pki(); read_cert(&p.edited(|t| t[1] = vec![2, 2, 0, 5])) }
        => Err(CertError::Malformed { field: "serialNumber", ref reason }) if reason == "an INTEGER has a redundant leading 0x00 (at byte 15)",
    /// DER reader: bytes after the Certificate SEQUENCE.
    trailing_byte_after_certificate:
        { let d = pki().leaf(); (d.len(), read_cert(&[d, vec![0]].concat())) }
        => (len, Err(CertError::Malformed { field: "certificate", ref reason }))
            if *reason == format!("unexpected bytes after the end of a structure (at byte {len})"),
    /// RFC 5280 §4.1.2.2: the serialNumber is an INTEGER (tag 0x02); a high-number tag
    /// (0x1F …) there is refused by the tag check before its number is read.
    high_tag_number_in_tbs:
        { let p = pki(); read_cert(&p.edited(|t| t[1] = vec![0x1F, 0x81, 0x00, 1, 0])) }
        => Err(CertError::Malformed { field: "serialNumber", ref reason }) if reason == "expected tag 0x02, found 0x1f (at byte 13)",
    /// RFC 5280 §4.1.2.5.1: UTCTime is YYMMDDHHMMSSZ; seconds missing.
    utc_time_without_seconds:
        { let p = pki(); read_cert(&p.edited(|t| t[4] = tlv(0x30, &[tlv(0x17, b"2601010000Z"), tlv(0x17, b"2701010000Z")].concat()))) }
        => Err(CertError::Malformed { field: "notBefore", ref reason }) if reason == "a UTCTime is not YYMMDDHHMMSSZ (at byte 83)",
    /// RFC 5280 §4.1.1.2: the outer signatureAlgorithm must equal the one inside tbsCertificate.
    inner_and_outer_signature_algorithms_differ:
        { let p = pki(); read_cert(&p.edited(|t| t[2] = tlv(0x30, &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]))) }
        => Err(CertError::SignatureAlgorithmMismatch),
    /// RFC 5280 §4.1.1.2: equal means the same encoding: Ed25519 with a NULL parameter differs.
    signature_algorithm_with_added_null_parameter:
        { let p = pki(); read_cert(&p.edited(|t| t[2] = tlv(0x30, &[0x06, 0x03, 0x2B, 0x65, 0x70, 0x05, 0x00]))) }
        => Err(CertError::SignatureAlgorithmMismatch),
    /// RFC 5280 §4.2: an extension appears at most once (the last one written twice).
    duplicate_extension:
        { let p = pki(); read_cert(&p.edited(|t| {
            let exts = elements(&elements(&t[7])[0].clone());
            let mut all = exts.clone();
            all.push(exts.last().unwrap().clone());
            t[7] = tlv(0xA3, &tlv(0x30, &all.concat()));
        })) }
        => Err(CertError::DuplicateExtension { ref oid }) if oid == "2.5.29.19",
    /// RFC 5280 §4.2: a critical extension the verifier does not process fails the chain; on the
    /// whole path the login names the leaf.
    unknown_critical_extension_at_login:
        { let p = pki();
          let mut ext = CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
          ext.set_criticality(true);
          login_leaf(&p, p.leaf_spec(Spec { custom: vec![ext], ..Spec::leaf("client", Alg::Ed25519) })) }
        => Err(AuthError::Chain(ChainError::UnknownCriticalExtension { ref cert, ref oid }))
            if oid == "1.3.6.1.4.1.99999.1" && cert.position == CertPosition::Presented(0),
    /// Limits::max_certificate_bytes (64 KiB): checked before any parsing.
    one_mib_certificate:
        read_cert(&vec![0x30; 1 << 20])
        => Err(CertError::TooLarge { len: 1_048_576, max: 65_536 }),
    /// The whole path: a truncated leaf is named as presented certificate 0.
    truncated_leaf_at_login:
        { let p = pki(); let d = p.leaf(); login_leaf(&p, d[..d.len() - 10].to_vec()) }
        => Err(ref e) if is_malformed_cert(e, "certificate", "length runs past the end of the data (at byte 1)"),
}

// ---- 2. Names: DER string types, control characters, sizes ----

hostile! {
    /// A value that is not a directory string never matches a string: invalid UTF-8 in a
    /// UTF8String is kept as BER, and LDAP mapping refuses it.
    invalid_utf8_in_utf8string:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x0c, &[0x63, 0xC3, 0x28]))) }
        => Err(ref e) if non_string(e, "UTF8String with invalid contents"),
    /// The same value under LDAP off: printed as #hex, it matches no registered user.
    invalid_utf8_in_utf8string_matches_no_user:
        { let p = pki(); login_leaf(&p, p.with_subject(cn_name(0x0c, &[0x63, 0xC3, 0x28]))) }
        => Err(AuthError::UnknownUser { ref subject, .. }) if subject == "CN=#0c0363c328,O=x509-dbauth tests",
    /// UTF-8 overlong encoding of '/' (C0 AF) is invalid UTF-8 (RFC 3629 §3).
    overlong_utf8_in_utf8string:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x0c, &[0xC0, 0xAF]))) }
        => Err(ref e) if non_string(e, "UTF8String with invalid contents"),
    /// BMPString is UCS-2, two bytes per character: an odd length is not a string.
    odd_length_bmpstring:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x1e, &[0, 0x61, 0]))) }
        => Err(ref e) if non_string(e, "BMPString with invalid contents"),
    /// A lone UTF-16 surrogate (D800) in a BMPString is not a character.
    surrogate_in_bmpstring:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x1e, &[0xD8, 0x00, 0, 0x61]))) }
        => Err(ref e) if non_string(e, "BMPString with invalid contents"),
    /// UniversalString is UCS-4: a surrogate code point (0000D800) is not a character.
    surrogate_in_universalstring:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x1c, &[0, 0, 0xD8, 0]))) }
        => Err(ref e) if non_string(e, "UniversalString with invalid contents"),
    /// UniversalString above U+10FFFF is not a character.
    universalstring_above_unicode:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x1c, &[0, 0x11, 0, 0]))) }
        => Err(ref e) if non_string(e, "UniversalString with invalid contents"),
    /// UniversalString of a length that is not a multiple of 4.
    universalstring_of_three_bytes:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x1c, &[0, 0, 0x61]))) }
        => Err(ref e) if non_string(e, "UniversalString with invalid contents"),
    /// PrintableString is ASCII: a byte above 0x7F makes it not a string.
    printablestring_with_non_ascii_byte:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x13, &[0x61, 0xE9]))) }
        => Err(ref e) if non_string(e, "PrintableString with invalid contents"),
    /// PrintableString's charset (X.680 §41.4) is not enforced when reading (real CAs write
    /// `@` and `*`), but the lint flags it: `printable-charset`.
    printablestring_with_forbidden_characters_is_linted:
        { let p = pki(); let leaf = p.with_subject(cn_name(0x13, b"a@b*c"));
          let c = Certificate::from_der(&leaf, &Limits::DEFAULT).unwrap();
          DistinguishedName::from_der(c.subject_der()).unwrap().lint().iter().map(|l| l.code().to_owned()).collect::<Vec<_>>() }
        => ref codes if codes == &["printable-charset"],
    /// IA5String is ASCII too.
    ia5string_with_non_ascii_byte:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x16, &[0xFF]))) }
        => Err(ref e) if non_string(e, "IA5String with invalid contents"),
    /// A name containing a control character matches nothing: NUL inside the CN.
    nul_in_subject:
        { let p = pki(); login_leaf(&p, p.with_subject(cn_name(0x0c, b"client\0"))) }
        => Err(ref e) if control(e, 0, 7),
    /// The same rule for ESC (U+001B), which a terminal would interpret.
    escape_character_in_subject:
        { let p = pki(); login_leaf(&p, p.with_subject(cn_name(0x0c, b"cl\x1b[2Jient"))) }
        => Err(ref e) if control(e, 0x1B, 3),
    /// The same rule for a C1 control (U+0085, NEL), written as UTF-8.
    c1_control_in_subject:
        { let p = pki(); login_leaf(&p, p.with_subject(cn_name(0x0c, "a\u{85}b".as_bytes()))) }
        => Err(ref e) if control(e, 0x85, 2),
    /// The same rule for DEL (U+007F) in a BMPString.
    del_in_bmpstring_subject:
        { let p = pki(); login_leaf(&p, p.with_subject(cn_name(0x1e, &[0, 0x61, 0, 0x7F]))) }
        => Err(ref e) if control(e, 0x7F, 2),
    /// A value that is not a string at all (an INTEGER as the CN) is not a directory string.
    integer_as_subject_value:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x02, &[0x05]))) }
        => Err(ref e) if non_string(e, "INTEGER"),
    /// A constructed value (a SEQUENCE as the CN) is kept whole and never matches.
    sequence_as_subject_value:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x30, &[0x05, 0x00]))) }
        => Err(ref e) if non_string(e, "SEQUENCE"),
    /// An OCTET STRING value is not a directory string.
    octet_string_as_subject_value:
        { let p = pki(); ldap_login_leaf(&p, p.with_subject(cn_name(0x04, b"client"))) }
        => Err(ref e) if non_string(e, "OCTET STRING"),
    /// RFC 5280 §4.2.1.6: an empty subject needs a critical subjectAltName; without one the
    /// chain is refused.
    empty_subject_without_alt_name:
        { let p = pki(); login_leaf(&p, p.with_subject(vec![0x30, 0x00])) }
        => Err(AuthError::Chain(ChainError::ProfileViolation { ref cert, rule: "an empty subject requires a critical subjectAltName (RFC 5280 §4.2.1.6)" }))
            if cert.position == CertPosition::Presented(0),
    /// Decision rule 3: an empty subject (with its critical subjectAltName) names no user.
    empty_subject_with_critical_alt_name:
        { let p = pki();
          login_leaf(&p, p.leaf_spec(Spec { dn: rcgen::DistinguishedName::new(),
              sans: vec![SanType::Rfc822Name("nobody@example.com".try_into().unwrap())],
              ..Spec::leaf("client", Alg::Ed25519) })) }
        => Err(AuthError::EmptySubject),
    /// Limits::max_dn_bytes (16 KiB): a 1 MiB DN string is refused before parsing.
    one_mib_dn_string:
        DistinguishedName::parse(&format!("CN={}", "a".repeat(1 << 20)))
        => Err(DnError::TooLong { len: 1_048_579, max: 16_384 }),
    /// Limits::max_dn_bytes bounds DER names the same way (a 1 MiB CN value).
    one_mib_der_name:
        DistinguishedName::from_der(&cn_name(0x0c, &vec![b'a'; 1 << 20]))
        => Err(DnError::TooLong { len: 1_048_625, max: 16_384 }),
    /// Limits::max_certificate_bytes stops a certificate carrying a 1 MiB subject first.
    one_mib_subject_in_a_certificate:
        { let p = pki(); login_leaf(&p, p.with_subject(cn_name(0x0c, &vec![b'a'; 1 << 20]))) }
        => Err(AuthError::Chain(ChainError::Malformed { ref cert, source: CertError::TooLarge { len: 1_048_973, max: 65_536 } }))
            if cert.position == CertPosition::Presented(0),
    /// Limits::max_dn_bytes: 10 000 RDNs of text are 40 KB, over 16 KiB.
    ten_thousand_rdns_text:
        DistinguishedName::parse(&vec!["C=a"; 10_000].join(","))
        => Err(DnError::TooLong { len: 39_999, max: 16_384 }),
    /// Limits::max_dn_rdns (64): with the byte limit lifted, the 65th RDN stops the parser.
    ten_thousand_rdns_text_rdn_limit:
        DistinguishedName::parse_with_limits(&vec!["C=a"; 10_000].join(","), &unbounded_dn_bytes())
        => Err(DnError::TooManyRdns { offset: 256, max: 64 }),
    /// Limits::max_dn_rdns also bounds DER names (10 000 RDNs, byte limit lifted).
    ten_thousand_rdns_der_rdn_limit:
        DistinguishedName::from_der_with_limits(
            &long_sequence(&vec![tlv(0x31, &tlv(0x30, &[tlv(0x06, common::generate::attr::CN), tlv(0x0c, b"a")].concat())); 10_000].concat()),
            &unbounded_dn_bytes())
        => Err(DnError::TooManyRdns { offset: 773, max: 64 }),
    /// Limits::max_rdn_values (16): a multi-valued RDN of 17 values.
    seventeen_values_in_one_rdn:
        DistinguishedName::parse(&vec!["CN=a"; 17].join("+"))
        => Err(DnError::TooManyValues { offset: 80, max: 16 }),
    /// DN grammar (RFC 4514 §3): a NUL byte in text is not a valid character unescaped.
    nul_in_dn_text:
        DistinguishedName::parse("CN=a\0b")
        => Err(DnError::Syntax { offset: 4, expected: "a value character (write NUL as \\00)", found: Some('\0') }),
    /// RFC 4514 §2.4: `\C3` alone is not UTF-8.
    hex_escape_of_invalid_utf8:
        DistinguishedName::parse("CN=a\\C3")
        => Err(DnError::InvalidUtf8 { offset: 4 }),
}

// ---- 3. Chains: depth, cycles, budgets ----

/// A CA named `cn` whose key signs under `by`.
fn ca(cn: &str, by: &Node) -> Node {
    issue(&Spec::ca(cn, Alg::Ed25519), by)
}

hostile! {
    /// Limits::max_path_intermediates (6): a chain of 8 intermediates below the project root.
    deep_chain_at_login:
        { let p = pki();
          let mut cas = vec![ca("Level 1", &p.project)];
          for n in 2..=8 { let next = ca(&format!("Level {n}"), cas.last().unwrap()); cas.push(next); }
          let leaf = issue(&Spec::leaf("client", Alg::Ed25519), cas.last().unwrap());
          let mut chain = vec![CertificateDer::from(leaf.der)];
          chain.extend(cas.iter().rev().map(|c| CertificateDer::from(c.der.clone())));
          login(p.settings(), None, &chain) }
        => Err(AuthError::Chain(ChainError::PathTooDeep { ref cert, max: 6 }))
            if cert.position == CertPosition::Presented(6) && cert.subject == "CN=Level 3,O=x509-dbauth tests",
    /// Path building never revisits a certificate: CAs A and B cross-certify each other (the
    /// same two RSA keys under both names), no trust anchor is reachable, and the search ends
    /// at the unknown issuer instead of going round the loop until a budget runs out.
    cyclic_cross_certification:
        { let p = pki();
          let a_root = root(&Spec::ca("Cycle A", Alg::Rsa2048Sha256(1)));
          let b_by_a = issue(&Spec::ca("Cycle B", Alg::Rsa2048Sha256(2)), &a_root);
          let a_by_b = issue(&Spec::ca("Cycle A", Alg::Rsa2048Sha256(1)), &b_by_a);
          let leaf = issue(&Spec::leaf("client", Alg::Ed25519), &a_root);
          let chain: Vec<CertificateDer<'static>> = [leaf.der, b_by_a.der, a_by_b.der].into_iter().map(CertificateDer::from).collect();
          login(p.settings(), None, &chain) }
        => Err(AuthError::Chain(ChainError::UnknownIssuer { ref cert, ref issuer, unreadable: None }))
            if cert.position == CertPosition::Presented(1) && issuer == "CN=Cycle A,O=x509-dbauth tests",
    /// Limits::max_signature_checks (100): three RSA keys that all certify each other under one
    /// name, ten certificates per pair (60 in all), none reaching an anchor: every level of the
    /// search multiplies the candidates, and the signature budget stops it.
    cross_certified_mesh_exhausts_the_signature_budget:
        { let p = pki();
          let cas: Vec<Node> = (1..=3).map(|k| root(&Spec::ca("Mesh CA", Alg::Rsa2048Sha256(k)))).collect();
          let mut pool: Vec<Vec<u8>> = Vec::new();
          for (i, by) in cas.iter().enumerate() {
              for j in 0..3 {
                  if i != j {
                      for copy in 0..10 {
                          let spec = Spec { serial: (i * 100 + j * 10 + copy) as u64, ..Spec::ca("Mesh CA", Alg::Rsa2048Sha256(j as u8 + 1)) };
                          pool.push(issue(&spec, by).der);
                      }
                  }
              }
          }
          let leaf = issue(&Spec::leaf("client", Alg::Ed25519), &cas[0]);
          let mut chain = vec![CertificateDer::from(leaf.der)];
          chain.extend(pool.into_iter().take(63).map(CertificateDer::from));
          login(p.settings(), None, &chain) }
        => Err(AuthError::Chain(ChainError::SignatureBudgetExceeded(100))),
    /// Limits::max_presented_certificates (64): 65 certificates are refused before any work.
    sixty_five_presented_certificates:
        { let p = pki();
          let mut chain = p.chain(p.leaf());
          chain.extend(std::iter::repeat_n(CertificateDer::from(p.issuing.der.clone()), 63));
          login(p.settings(), None, &chain) }
        => Err(AuthError::Chain(ChainError::TooManyCertificates { count: 65, max: 64 })),
    /// Limits::max_name_constraint_comparisons (250 000): 600 excluded DNS subtrees against a
    /// leaf with 600 DNS names is 360 000 comparisons.
    name_constraint_explosion:
        { let p = pki();
          let r = root(&Spec { name_constraints: Some(NameConstraints {
                permitted_subtrees: vec![],
                excluded_subtrees: (0..600).map(|n| GeneralSubtree::DnsName(format!("z{n}.example.net"))).collect(),
            }), ..Spec::ca("Constrained Root", Alg::Ed25519) });
          let i = ca("Constrained Issuing", &r);
          let leaf = issue(&Spec { sans: (0..600).map(|n| SanType::DnsName(format!("a{n}.example.com").try_into().unwrap())).collect(),
                                   ..Spec::leaf("client", Alg::Ed25519) }, &i);
          let settings = p.settings().replace_self_managed_bundle(TrustAnchors::from_ders([&r.der]).unwrap());
          login(settings, None, &[CertificateDer::from(leaf.der), CertificateDer::from(i.der)]) }
        => Err(AuthError::Chain(ChainError::NameConstraintBudgetExceeded(250_000))),
    /// Decision rule 1: an empty presented list.
    no_certificate_at_all:
        { let p = pki(); login(p.settings(), None, &[]) }
        => Err(AuthError::NoCertificate),
    /// A leaf whose issuer is not presented and not configured.
    leaf_without_its_issuer:
        { let p = pki(); let leaf = p.leaf(); login(p.settings(), None, &[CertificateDer::from(leaf)]) }
        => Err(AuthError::Chain(ChainError::UnknownIssuer { ref cert, ref issuer, unreadable: None }))
            if issuer == "CN=Project Issuing,O=x509-dbauth tests" && cert.position == CertPosition::Presented(0),
}

// ---- 4. LDAP: filter and DN injection through the subject ----

/// A directory that records every query it receives and answers from an in-memory directory.
#[derive(Default)]
struct Recording {
    queries: Mutex<Vec<LdapQuery>>,
    inner: InMemoryDirectory,
}

impl Directory for Recording {
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
        self.queries.lock().unwrap().push(query.clone());
        Box::pin(core::future::ready(self.inner.search_now(query)))
    }
}

/// Logs in `subject` (as the leaf's CN, UTF8String) under LDAP authorization with `rules`
/// and `template`; returns the decision's error kind and every query the directory received,
/// as `base?attrs?scope?filter`.
fn ldap_queries(
    cn: &str,
    rules: Vec<MappingRule>,
    template: &str,
) -> (Result<(), &'static str>, Vec<String>) {
    let p = pki();
    let leaf = issue(
        &Spec {
            dn: common::generate::dn(&[(DnType::CommonName, cn)]),
            ..Spec::leaf("x", Alg::Ed25519)
        },
        &p.issuing,
    )
    .der;
    let dir = Arc::new(Recording::default());
    let settings = p
        .ldap_settings()
        .user_to_dn_mapping(UserToDnMapping::new(rules))
        .query_template(QueryTemplate::parse(template).unwrap());
    let r = login(
        settings,
        Some(dir.clone() as Arc<dyn Directory>),
        &p.chain(leaf),
    );
    let queries = dir
        .queries
        .lock()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    (r.map(|_| ()).map_err(|e| e.kind()), queries)
}

const BY_UID: &str = "ou=users,dc=example,dc=com??one?(uid={0})";

hostile! {
    /// RFC 4515 §3: `)(` in a captured value is escaped as \29\28, so it cannot close the
    /// filter and open another.
    ldap_filter_injection_closes_and_opens:
        ldap_queries("x)(uid=*", vec![MappingRule::ldap_query("^CN=(.*)$", BY_UID).unwrap()], "{USER}?memberOf?base")
        => (Err("no_mapping"), ref q) if q == &["ou=users,dc=example,dc=com??one?(uid=x\\29\\28uid=\\2a)"],
    /// RFC 4515 §3: a `*` in a captured value is an asterisk, not a wildcard (\2a).
    ldap_filter_wildcard_subject:
        ldap_queries("*", vec![MappingRule::ldap_query("^CN=(.*)$", BY_UID).unwrap()], "{USER}?memberOf?base")
        => (Err("no_mapping"), ref q) if q == &["ou=users,dc=example,dc=com??one?(uid=\\2a)"],
    /// RFC 4515 §3: a backslash is escaped as \5c (the subject string's own `\,` escape is
    /// undone first, so the filter carries the comma, not the escape).
    ldap_filter_backslash_and_comma:
        ldap_queries("a\\b,c", vec![MappingRule::ldap_query("^CN=(.*)$", BY_UID).unwrap()], "{USER}?memberOf?base")
        => (Err("no_mapping"), ref q) if q == &["ou=users,dc=example,dc=com??one?(uid=a\\5cb,c)"],
    /// RFC 4514 §2.4: a captured `,` and `+` are escaped in a substitution DN, so the subject
    /// cannot add an RDN (`ou=admins`) or a value to the mapped DN.
    ldap_dn_injection_through_substitution:
        ldap_queries("x,ou=admins+uid=root", vec![MappingRule::substitution("^CN=(.*)$", "cn={0},ou=users,dc=example,dc=com").unwrap()], "{USER}?memberOf?base")
        => (Err("ldap_query_failed"), ref q) if q == &["cn=x\\,ou=admins\\+uid=root,ou=users,dc=example,dc=com?memberOf?base?(objectClass=*)"],
    /// RFC 4515 §3 in the authorization query: `{USER}` in a filter is escaped the same way.
    ldap_filter_injection_in_the_authz_template:
        ldap_queries("x)(|(cn=*", vec![MappingRule::substitution("^CN=(.*)$", "cn={0},dc=example,dc=com").unwrap()], "ou=groups,dc=example,dc=com??one?(member={USER})")
        => (Err("not_authorized_by_ldap"), ref q) if q == &["ou=groups,dc=example,dc=com??one?(member=cn=x\\29\\28|\\28cn=\\2a,dc=example,dc=com)"],
    /// Control characters never reach the directory: the name matches no mapping rule.
    ldap_nul_in_subject_reaches_no_directory:
        ldap_queries("x\0y", vec![MappingRule::ldap_query("^CN=(.*)$", BY_UID).unwrap()], "{USER}?memberOf?base")
        => (Err("control_character_in_subject"), ref q) if q.is_empty(),
    /// A leading `#` in a captured value would start a hex value (RFC 4514 §2.4): escaped.
    ldap_dn_leading_hash_in_substitution:
        ldap_queries("#4142", vec![MappingRule::substitution("^CN=(.*)$", "cn={0},dc=example,dc=com").unwrap()], "{USER}?memberOf?base")
        => (Err("ldap_query_failed"), ref q) if q == &["cn=\\#4142,dc=example,dc=com?memberOf?base?(objectClass=*)"],
}

// ---- 5. Settings: sizes, nesting, unknown keys, roles ----

fn role(name: &str, inherits: &[String]) -> CustomRole {
    let mut r = CustomRole::new(name).privilege_on("db", None, ["find"]);
    for i in inherits {
        r = r.inherit(format!("{i}@admin"));
    }
    r
}

/// A settings file `text` in a fresh temporary directory, loaded: the error's kind, line and
/// message.
#[cfg(feature = "settings-files")]
fn load_settings(text: &str) -> Result<(), (&'static str, Option<usize>, String)> {
    let dir = tempdir();
    let path = dir.join("settings.toml");
    std::fs::write(&path, text).unwrap();
    x509_dbauth::SettingsFile::load(&path)
        .map(|_| ())
        .map_err(|e| (e.kind, e.line, e.message))
}

/// A fresh directory under the system temporary directory (removed at process exit by nobody:
/// small, and unique per call).
fn tempdir() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "x509-dbauth-hostile-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const MANAGED_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki/managed-ca.pem");

#[cfg(feature = "settings-files")]
hostile! {
    /// FileKind::Settings (1 MiB): a larger settings file is refused before it is parsed.
    huge_settings_file:
        load_settings(&format!("# {}\n", "x".repeat(1 << 20)))
        => Err(("file_too_large", None, _)),
    /// The TOML reader's nesting limit: 100 000 nested arrays are a syntax error, not a stack
    /// overflow.
    deeply_nested_toml_arrays:
        load_settings(&format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000)))
        => Err(("syntax", Some(1), ref m)) if m == "cannot recurse further; max recursion depth met",
    /// The TOML reader's nesting limit for inline tables.
    deeply_nested_toml_inline_tables:
        load_settings(&format!("x = {}1{}", "{ a = ".repeat(50_000), " }".repeat(50_000)))
        => Err(("syntax", Some(1), ref m)) if m == "cannot recurse further; max recursion depth met",
    /// Unknown keys are refused (a typo must not silently turn a check off).
    unknown_top_level_key:
        load_settings(&format!("[managed_x509]\nca_file = \"{MANAGED_CA}\"\n\n[self_managed]\nenabled = true\n"))
        => Err(("syntax", Some(4), ref m)) if m.contains("self_managed"),
    /// Unknown keys inside a user are refused too.
    unknown_user_key:
        load_settings(&format!("[managed_x509]\nca_file = \"{MANAGED_CA}\"\n[[users]]\nname = \"CN=a\"\nx509 = \"managed\"\nrolez = []\n"))
        => Err(("syntax", Some(6), ref m)) if m.contains("rolez"),
    /// A user name must be a string: an integer is a type error with its line.
    non_string_user_name:
        load_settings(&format!("[managed_x509]\nca_file = \"{MANAGED_CA}\"\n[[users]]\nname = 42\nx509 = \"managed\"\n"))
        => Err(("syntax", Some(4), ref m)) if m == "invalid type: integer `42`, expected a string",
    /// A user name with a control character is refused when the settings load.
    control_character_in_user_name:
        load_settings(&format!("[managed_x509]\nca_file = \"{MANAGED_CA}\"\n[[users]]\nname = \"CN=a\\u0007b\"\nx509 = \"managed\"\n"))
        => Err(("control_character_in_user_name", Some(4), ref m))
            if m == "user #0: \"CN=a\\07b\" contains a control or invisible character, so no certificate could ever match it",
    /// FileKind::Certificates: a CA file that is /dev/zero is not a regular file.
    dev_zero_as_ca_file:
        load_settings("[managed_x509]\nca_file = \"/dev/zero\"\n")
        => Err(("not_regular_file", Some(2), ref m))
            if m == "cannot read certificate file /dev/zero: it is a character device, not a regular file (a symbolic link to a regular file is fine)",
    /// 10 000 RDNs as a user name: Limits::max_username_bytes (1 024) stops it first.
    ten_thousand_rdn_user_name:
        load_settings(&format!("[managed_x509]\nca_file = \"{MANAGED_CA}\"\n[[users]]\nname = \"{}\"\nx509 = \"managed\"\n", vec!["C=a"; 10_000].join(",")))
        => Err(("user_name_too_long", Some(4), ref m)) if m == "user #0: the name is 39999 bytes long, the limit is 1024",
}

hostile! {
    /// Custom roles may not inherit in a cycle (a → b → c → a), refused when settings build.
    cyclic_custom_roles:
        { let p = pki();
          p.settings()
            .add_custom_role(role("a", &["b".to_owned()]))
            .add_custom_role(role("b", &["c".to_owned()]))
            .add_custom_role(role("c", &["a".to_owned()]))
            .build().map(|_| ()) }
        => Err(SettingsError::CustomRoles(RbacError::RoleCycle { ref path })) if path == "a -> b -> c -> a",
    /// A role inheriting itself is the shortest cycle.
    self_inheriting_custom_role:
        { let p = pki(); p.settings().add_custom_role(role("a", &["a".to_owned()])).build().map(|_| ()) }
        => Err(SettingsError::CustomRoles(RbacError::RoleCycle { ref path })) if path == "a -> a",
    /// Limits::max_custom_roles (100): the 101st custom role.
    one_hundred_and_one_custom_roles:
        { let p = pki();
          (0..101).fold(p.settings(), |b, n| b.add_custom_role(role(&format!("r{n}"), &[]))).build().map(|_| ()) }
        => Err(SettingsError::CustomRoles(RbacError::TooManyCustomRoles { count: 101, limit: 100 })),
    /// Roles resolve once each (memoized), so 60 roles each inheriting the two before it — 2^60
    /// paths if expanded naively — resolve to the union of their privileges.
    exponentially_inheriting_custom_roles:
        { let p = pki();
          let mut b = p.settings().add_custom_role(role("r0", &[])).add_custom_role(role("r1", &["r0".to_owned()]));
          for n in 2..60 { b = b.add_custom_role(role(&format!("r{n}"), &[format!("r{}", n - 1), format!("r{}", n - 2)])); }
          let user = UserSpec::new("CN=deep", CertificateKind::SelfManaged).role("r59@admin");
          let s = b.add_user(user).build().unwrap();
          let u = s.users().iter().find(|u| u.name() == "CN=deep").unwrap().privileges().clone();
          u.is_authorized_on_collection(x509_dbauth::Action::Find, "db", "any") }
        => true,
    /// Limits::max_users (100): the 101st user.
    one_hundred_and_one_users:
        { let p = pki();
          (0..101).fold(Settings::builder().managed_ca(TrustAnchors::from_ders([&p.managed.der]).unwrap()),
                |b, n| b.add_user(UserSpec::new(format!("CN=u{n}"), CertificateKind::Managed))).build().map(|_| ()) }
        => Err(SettingsError::TooManyUsers { count: 101, limit: 100 }),
    /// Limits::max_roles_per_user (100): a user with 101 roles.
    one_hundred_and_one_roles_for_a_user:
        { let p = pki();
          let u = (0..101).fold(UserSpec::new("CN=many", CertificateKind::SelfManaged), |u, n| u.role(format!("read@db{n}")));
          p.settings().add_user(u).build().map(|_| ()) }
        => Err(SettingsError::TooManyRoles { index: 1, count: 101, limit: 100 }),
    /// Limits::max_username_bytes (1 024): a 1 MiB user name.
    one_mib_user_name:
        { let p = pki(); p.settings().add_user(UserSpec::new(format!("CN={}", "a".repeat(1 << 20)), CertificateKind::Managed)).build().map(|_| ()) }
        => Err(SettingsError::UserNameTooLong { index: 1, len: 1_048_579, limit: 1024 }),
    /// A user name is a DN: the control-character rule applies to user names at build time.
    nul_in_user_name:
        { let p = pki(); p.settings().add_user(UserSpec::new("CN=a\\00b", CertificateKind::Managed)).build().map(|_| ()) }
        => Err(SettingsError::ControlCharacterInUserName { index: 1, ref name }) if name == "CN=a\\00b",
}

// ---- 6. Special files as inputs ----

/// A FIFO in a fresh temporary directory (`mkfifo`).
fn fifo() -> std::path::PathBuf {
    let path = tempdir().join("fifo");
    let ok = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
    path
}

/// A sparse regular file of `len` bytes (no disk blocks written).
fn sparse(len: u64) -> std::path::PathBuf {
    let path = tempdir().join("sparse");
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path
}

hostile! {
    /// Files are read only when regular (FileKind::read): /dev/zero as a certificate file.
    dev_zero_as_certificate_file:
        FileKind::Certificates.read("/dev/zero")
        => Err(ReadFileError::NotRegularFile { kind: FileKind::Certificates, found: "a character device", .. }),
    /// A FIFO as a certificate file is refused without opening it for reading (no block).
    fifo_as_certificate_file:
        FileKind::Certificates.read(fifo())
        => Err(ReadFileError::NotRegularFile { kind: FileKind::Certificates, found: "a FIFO (named pipe)", .. }),
    /// A FIFO as a CRL file.
    fifo_as_crl_file:
        FileKind::Crl.read(fifo())
        => Err(ReadFileError::NotRegularFile { kind: FileKind::Crl, found: "a FIFO (named pipe)", .. }),
    /// /dev/zero as a CRL file.
    dev_zero_as_crl_file:
        FileKind::Crl.read("/dev/zero")
        => Err(ReadFileError::NotRegularFile { kind: FileKind::Crl, found: "a character device", .. }),
    /// FileKind::MAX_CERTIFICATE_FILE_BYTES (8 MiB): a 9 MiB certificate file.
    nine_mib_certificate_file:
        FileKind::Certificates.read(sparse(9 << 20))
        => Err(ReadFileError::TooLarge { kind: FileKind::Certificates, limit: 8_388_608, .. }),
    /// FileKind::MAX_CRL_FILE_BYTES (32 MiB): a 33 MiB CRL file.
    thirty_three_mib_crl_file:
        FileKind::Crl.read(sparse(33 << 20))
        => Err(ReadFileError::TooLarge { kind: FileKind::Crl, limit: 33_554_432, .. }),
    /// An LDIF directory from /dev/zero.
    dev_zero_as_ldif_file:
        InMemoryDirectory::from_ldif_file("/dev/zero").map(|_| ())
        => Err(LdifError::Read(ReadFileError::NotRegularFile { kind: FileKind::Ldif, found: "a character device", .. })),
    /// An LDIF directory from a FIFO.
    fifo_as_ldif_file:
        InMemoryDirectory::from_ldif_file(fifo()).map(|_| ())
        => Err(LdifError::Read(ReadFileError::NotRegularFile { kind: FileKind::Ldif, found: "a FIFO (named pipe)", .. })),
    /// FileKind::MAX_LDIF_FILE_BYTES (16 MiB): a 17 MiB LDIF file.
    seventeen_mib_ldif_file:
        InMemoryDirectory::from_ldif_file(sparse(17 << 20)).map(|_| ())
        => Err(LdifError::Read(ReadFileError::TooLarge { kind: FileKind::Ldif, limit: 16_777_216, .. })),
    /// The directory itself as a settings file.
    directory_as_settings_file:
        FileKind::Settings.read(tempdir())
        => Err(ReadFileError::NotRegularFile { kind: FileKind::Settings, found: "a directory", .. }),
}

#[cfg(feature = "settings-files")]
hostile! {
    /// A FIFO as the settings file.
    fifo_as_settings_file:
        x509_dbauth::SettingsFile::load(fifo()).map(|_| ()).map_err(|e| e.kind)
        => Err("not_regular_file"),
    /// /dev/zero as the settings file.
    dev_zero_as_settings_file:
        x509_dbauth::SettingsFile::load("/dev/zero").map(|_| ()).map_err(|e| e.kind)
        => Err("not_regular_file"),
    /// FileKind::Settings through the loader: a 2 MiB sparse settings file.
    two_mib_settings_file:
        x509_dbauth::SettingsFile::load(sparse(2 << 20)).map(|_| ()).map_err(|e| e.kind)
        => Err("file_too_large"),
    /// A settings file naming a FIFO as its LDIF directory.
    fifo_as_settings_ldif_directory:
        load_settings(&format!("[managed_x509]\nca_file = \"{MANAGED_CA}\"\n[ldap]\nauthorization = true\ndirectory = \"ldif:{}\"\n", fifo().display()))
        => Err(("not_regular_file", Some(5), ref m)) if m.starts_with("cannot read LDIF file ") && m.ends_with("/fifo: it is a FIFO (named pipe), not a regular file (a symbolic link to a regular file is fine)"),
}
