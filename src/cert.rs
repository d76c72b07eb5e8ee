//! A zero-copy view of a DER X.509 certificate (RFC 5280 §4.1), plus PEM helpers.
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//! ```
//! Every field borrows the caller's bytes. `tbs` is the exact encoding that was signed: signatures
//! are verified over it, never over a re-encoding (a re-encoder that normalises would reject good
//! certificates and make fingerprints malleable).

use std::collections::HashSet;

use crate::asn1::{DerError, DerErrorKind, Reader, Span, Tlv, tag};
use crate::error::CertError;
use crate::limits::Limits;
use crate::name::{self, Name};
use crate::oid;

/// keyUsage bits (RFC 5280 §4.2.1.3), as set by [`asn1::named_bits`] (bit 0 is the top bit).
pub(crate) mod key_usage {
    pub(crate) const DIGITAL_SIGNATURE: u32 = 1 << 31;
    pub(crate) const KEY_CERT_SIGN: u32 = 1 << 26;
    pub(crate) const CRL_SIGN: u32 = 1 << 25;
}

/// One extension as it appears in the certificate.
#[derive(Debug, Clone, Copy)]
pub struct Extension<'a> {
    /// DER content bytes of the extension OID.
    pub oid: &'a [u8],
    /// The critical flag.
    pub critical: bool,
    /// The contents of extnValue (the DER of the extension's own structure).
    pub value: &'a [u8],
}

/// basicConstraints (RFC 5280 §4.2.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// cA.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
}

/// One GeneralName (RFC 5280 §4.2.1.6), borrowing its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneralName<'a> {
    /// otherName.
    OtherName(&'a [u8]),
    /// rfc822Name (IA5String bytes).
    Rfc822(&'a [u8]),
    /// dNSName (IA5String bytes).
    Dns(&'a [u8]),
    /// x400Address.
    X400(&'a [u8]),
    /// directoryName: the full DER of the Name.
    Directory(&'a [u8]),
    /// ediPartyName.
    EdiParty(&'a [u8]),
    /// uniformResourceIdentifier (IA5String bytes).
    Uri(&'a [u8]),
    /// iPAddress: 4 or 16 bytes in a SAN; 8 or 32 (address + mask) in a name constraint.
    Ip(&'a [u8]),
    /// registeredID.
    RegisteredId(&'a [u8]),
}

/// nameConstraints (RFC 5280 §4.2.1.10): the base names of the subtrees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameConstraints<'a> {
    /// permittedSubtrees (None when absent).
    pub permitted: Option<Vec<GeneralName<'a>>>,
    /// excludedSubtrees.
    pub excluded: Vec<GeneralName<'a>>,
}

/// A parsed certificate borrowing the caller's DER.
///
/// ```
/// use x509_dbauth::x509::Certificate;
/// use x509_dbauth::{DistinguishedName, Limits};
///
/// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki/server.pem"))?;
/// let der = &Certificate::ders_from_pem_or_der(&pem)?[0];
/// let cert = Certificate::from_der(der, &Limits::DEFAULT)?;
/// assert_eq!(DistinguishedName::from_der(cert.subject_der())?.to_string(), "CN=localhost,O=Example Corp,C=US");
/// assert!(!cert.is_ca());
/// assert_eq!(cert.extended_key_usage(), Some(vec!["serverAuth".to_owned()]));
/// assert_eq!(cert.subject_alt_names().map(<[_]>::len), Some(3)); // localhost, 127.0.0.1, ::1
/// // Bytes that are not a certificate are a typed error.
/// assert_eq!(Certificate::from_der(b"\x30\x03\x02\x01\x00", &Limits::DEFAULT).unwrap_err().kind(), "malformed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Certificate<'a> {
    pub(crate) der: &'a [u8],
    pub(crate) tbs: &'a [u8],
    pub(crate) version: u8,
    pub(crate) serial: &'a [u8],
    pub(crate) signature_algorithm: &'a [u8],
    pub(crate) signature: &'a [u8],
    pub(crate) issuer: Name<'a>,
    pub(crate) subject: Name<'a>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) spki: &'a [u8],
    pub(crate) extensions: Vec<Extension<'a>>,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    pub(crate) key_usage: Option<u32>,
    pub(crate) ext_key_usage: Option<Vec<&'a [u8]>>,
    pub(crate) subject_alt_names: Option<Vec<GeneralName<'a>>>,
    pub(crate) name_constraints: Option<NameConstraints<'a>>,
    pub(crate) authority_key_id: Option<&'a [u8]>,
    pub(crate) subject_key_id: Option<&'a [u8]>,
    pub(crate) crl_distribution_points: Option<&'a [u8]>,
    /// Every directoryName of the subjectAltName and nameConstraints extensions, read once.
    pub(crate) directory_names: Vec<Name<'a>>,
}

fn malformed(field: &'static str) -> impl Fn(DerError) -> CertError {
    move |e| CertError::Malformed {
        field,
        reason: e.to_string(),
    }
}

fn bad_ext(name: &'static str) -> impl Fn(DerError) -> CertError {
    move |e| CertError::BadExtension {
        name,
        reason: e.to_string(),
    }
}

/// Splits a `SEQUENCE { a, b, c }` into the three raw element encodings.
pub(crate) fn split_signed(der: &[u8]) -> Result<(Tlv<'_>, Tlv<'_>, Tlv<'_>), DerError> {
    let mut outer = Reader::new(der);
    let mut seq = outer.nested(tag::SEQUENCE)?;
    outer.finish()?;
    let tbs = seq.read_tlv(tag::SEQUENCE)?;
    let alg = seq.read_tlv(tag::SEQUENCE)?;
    let sig = seq.read_tlv(tag::BIT_STRING)?;
    seq.finish()?;
    Ok((tbs, alg, sig))
}

impl<'a> Certificate<'a> {
    /// Parses one DER certificate, refusing anything over `limits.max_certificate_bytes`.
    pub fn from_der(der: &'a [u8], limits: &Limits) -> Result<Self, CertError> {
        if der.len() > limits.max_certificate_bytes {
            return Err(CertError::TooLarge {
                len: der.len(),
                max: limits.max_certificate_bytes,
            });
        }
        let (tbs, outer_alg, sig) = split_signed(der).map_err(malformed("certificate"))?;
        let signature = sig
            .bit_string_octets()
            .map_err(malformed("signatureValue"))?;

        let mut r = tbs.reader();
        // §4.1.2.1: version [0] EXPLICIT INTEGER DEFAULT v1 (DER omits the default).
        let version = match r
            .read_optional(tag::context_constructed(0))
            .map_err(malformed("version"))?
        {
            Some(v) => {
                let n = v
                    .single(tag::INTEGER)
                    .and_then(|i| i.small_uint())
                    .map_err(malformed("version"))?;
                match n {
                    1 | 2 => n as u8 + 1,
                    0 => {
                        return Err(CertError::Malformed {
                            field: "version",
                            reason: "v1 is encoded explicitly, which DER forbids".into(),
                        });
                    }
                    other => return Err(CertError::UnsupportedVersion(other + 1)),
                }
            }
            None => 1,
        };
        let serial = r
            .read_tlv(tag::INTEGER)
            .and_then(|i| i.integer())
            .map_err(malformed("serialNumber"))?;
        let inner_alg = r.read_tlv(tag::SEQUENCE).map_err(malformed("signature"))?;
        // §4.1.1.2: the two AlgorithmIdentifiers must be the same.
        if inner_alg.full != outer_alg.full {
            return Err(CertError::SignatureAlgorithmMismatch);
        }
        let issuer = r.read_tlv(tag::SEQUENCE).map_err(malformed("issuer"))?;
        let issuer = read_name(&issuer, "issuer", limits)?;
        let mut validity = r.nested(tag::SEQUENCE).map_err(malformed("validity"))?;
        let nb = validity.read_any().map_err(malformed("validity"))?;
        let na = validity.read_any().map_err(malformed("validity"))?;
        validity.finish().map_err(malformed("validity"))?;
        let not_before = nb.time().map_err(malformed("notBefore"))?;
        let not_after = na.time().map_err(malformed("notAfter"))?;
        let subject = r.read_tlv(tag::SEQUENCE).map_err(malformed("subject"))?;
        let subject = read_name(&subject, "subject", limits)?;
        let spki = r
            .read_tlv(tag::SEQUENCE)
            .map_err(malformed("subjectPublicKeyInfo"))?;
        check_spki(&spki).map_err(malformed("subjectPublicKeyInfo"))?;
        // §4.1.2.8: unique identifiers only in v2 and v3.
        for n in [1u8, 2] {
            if r.read_optional(tag::context_primitive(n))
                .map_err(malformed("uniqueIdentifier"))?
                .is_some()
                && version < 2
            {
                return Err(CertError::VersionMismatch {
                    version,
                    what: "a unique identifier",
                });
            }
        }
        let mut cert = Certificate {
            der,
            tbs: tbs.full,
            version,
            serial,
            signature_algorithm: outer_alg.full,
            signature,
            issuer,
            subject,
            not_before,
            not_after,
            spki: spki.full,
            extensions: Vec::new(),
            basic_constraints: None,
            key_usage: None,
            ext_key_usage: None,
            subject_alt_names: None,
            name_constraints: None,
            authority_key_id: None,
            subject_key_id: None,
            crl_distribution_points: None,
            directory_names: Vec::new(),
        };
        if let Some(exts) = r
            .read_optional(tag::context_constructed(3))
            .map_err(malformed("extensions"))?
        {
            // §4.1.2.9: extensions only in v3.
            if version != 3 {
                return Err(CertError::VersionMismatch {
                    version,
                    what: "extensions",
                });
            }
            cert.read_extensions(&exts)?;
        }
        let directory = |g: &GeneralName<'a>| match g {
            GeneralName::Directory(d) => Some(*d),
            _ => None,
        };
        let mut dirs: Vec<&'a [u8]> = Vec::new();
        let sans = cert.subject_alt_names.iter().flatten();
        let nc = cert
            .name_constraints
            .iter()
            .flat_map(|nc| nc.permitted.iter().flatten().chain(&nc.excluded));
        for d in sans.chain(nc).filter_map(directory) {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
        cert.directory_names = dirs.into_iter().map(|d| Name::read(d, limits)).collect();
        r.finish().map_err(malformed("tbsCertificate"))?;
        Ok(cert)
    }

    fn read_extensions(&mut self, explicit: &Tlv<'a>) -> Result<(), CertError> {
        let mut r = explicit
            .single(tag::SEQUENCE)
            .map_err(malformed("extensions"))?
            .reader();
        // Duplicates: the few extensions of a real certificate are compared with each other
        // directly (no hashing); past `FEW`, the OIDs go into a hash set, so that a certificate
        // packed with thousands of distinct extensions costs linear time, not quadratic.
        const FEW: usize = 16;
        let mut seen: HashSet<&'a [u8]> = HashSet::new();
        // §4.1.2.9: if present, one or more extensions.
        if r.is_empty() {
            return Err(CertError::Malformed {
                field: "extensions",
                reason: "the extension list is empty".into(),
            });
        }
        while !r.is_empty() {
            let mut e = r.nested(tag::SEQUENCE).map_err(malformed("extensions"))?;
            let oid = e.read(tag::OID).map_err(malformed("extensions"))?;
            let critical = match e
                .read_optional(tag::BOOLEAN)
                .map_err(malformed("extensions"))?
            {
                Some(b) => b.boolean().map_err(malformed("extensions"))?,
                None => false,
            };
            let value_tlv = e
                .read_tlv(tag::OCTET_STRING)
                .map_err(malformed("extensions"))?;
            let value = value_tlv.value;
            e.finish().map_err(malformed("extensions"))?;
            let repeated = if self.extensions.len() < FEW {
                self.extensions.iter().any(|x| x.oid == oid)
            } else {
                if seen.is_empty() {
                    seen.extend(self.extensions.iter().map(|x| x.oid));
                }
                !seen.insert(oid)
            };
            if repeated {
                return Err(CertError::DuplicateExtension {
                    oid: oid::to_dotted(oid),
                });
            }
            self.extensions.push(Extension {
                oid,
                critical,
                value,
            });
            // §4.2.1.1 and §4.2.1.2: AKI and SKI MUST be non-critical.
            if critical && (oid == oid::AUTHORITY_KEY_ID || oid == oid::SUBJECT_KEY_ID) {
                return Err(CertError::BadExtension {
                    name: "authorityKeyIdentifier/subjectKeyIdentifier",
                    reason: "marked critical, which RFC 5280 §4.2.1.1–2 forbids".into(),
                });
            }
            self.read_known_extension(oid, &value_tlv)?;
        }
        Ok(())
    }

    fn read_known_extension(&mut self, oid: &[u8], value: &Tlv<'a>) -> Result<(), CertError> {
        match oid {
            oid::BASIC_CONSTRAINTS => {
                let e = bad_ext("basicConstraints");
                let mut r = value.single(tag::SEQUENCE).map_err(&e)?.reader();
                let ca = match r.read_optional(tag::BOOLEAN).map_err(&e)? {
                    Some(b) => b.boolean().map_err(&e)?,
                    None => false,
                };
                let path_len = match r.read_optional(tag::INTEGER).map_err(&e)? {
                    Some(i) => Some(i.small_uint().map_err(&e)?),
                    None => None,
                };
                r.finish().map_err(&e)?;
                self.basic_constraints = Some(BasicConstraints { ca, path_len });
            }
            oid::KEY_USAGE => {
                let e = bad_ext("keyUsage");
                let bits = value
                    .single(tag::BIT_STRING)
                    .and_then(|b| b.named_bits())
                    .map_err(&e)?;
                // §4.2.1.3: when present, at least one bit must be set.
                if bits == 0 {
                    return Err(CertError::BadExtension {
                        name: "keyUsage",
                        reason: "no bit is set".into(),
                    });
                }
                self.key_usage = Some(bits);
            }
            oid::EXT_KEY_USAGE => {
                let e = bad_ext("extKeyUsage");
                let mut r = value.single(tag::SEQUENCE).map_err(&e)?.reader();
                let mut oids = Vec::new();
                while !r.is_empty() {
                    oids.push(r.read(tag::OID).map_err(&e)?);
                }
                if oids.is_empty() {
                    return Err(CertError::BadExtension {
                        name: "extKeyUsage",
                        reason: "the purpose list is empty".into(),
                    });
                }
                self.ext_key_usage = Some(oids);
            }
            oid::SUBJECT_ALT_NAME => {
                let e = bad_ext("subjectAltName");
                let names = general_names(&value.single(tag::SEQUENCE).map_err(&e)?).map_err(&e)?;
                // §4.2.1.6: if present, the sequence holds at least one name.
                if names.is_empty() {
                    return Err(CertError::BadExtension {
                        name: "subjectAltName",
                        reason: "the name list is empty".into(),
                    });
                }
                self.subject_alt_names = Some(names);
            }
            oid::NAME_CONSTRAINTS => {
                let e = bad_ext("nameConstraints");
                let mut r = value.single(tag::SEQUENCE).map_err(&e)?.reader();
                let permitted = match r.read_optional(tag::context_constructed(0)).map_err(&e)? {
                    Some(t) => Some(subtrees(&t).map_err(&e)?),
                    None => None,
                };
                let excluded = match r.read_optional(tag::context_constructed(1)).map_err(&e)? {
                    Some(t) => subtrees(&t).map_err(&e)?,
                    None => Vec::new(),
                };
                r.finish().map_err(&e)?;
                // §4.2.1.10: at least one of the two must be present.
                if permitted.is_none() && excluded.is_empty() {
                    return Err(CertError::BadExtension {
                        name: "nameConstraints",
                        reason: "neither permitted nor excluded subtrees are present".into(),
                    });
                }
                self.name_constraints = Some(NameConstraints {
                    permitted,
                    excluded,
                });
            }
            oid::AUTHORITY_KEY_ID => {
                let e = bad_ext("authorityKeyIdentifier");
                let mut r = value.single(tag::SEQUENCE).map_err(&e)?.reader();
                self.authority_key_id = r
                    .read_optional(tag::context_primitive(0))
                    .map_err(&e)?
                    .map(|t| t.value);
                // authorityCertIssuer and authorityCertSerialNumber are not used for matching.
                r.read_optional(tag::context_constructed(1)).map_err(&e)?;
                r.read_optional(tag::context_primitive(2)).map_err(&e)?;
                r.finish().map_err(&e)?;
            }
            oid::SUBJECT_KEY_ID => {
                let e = bad_ext("subjectKeyIdentifier");
                self.subject_key_id = Some(value.single(tag::OCTET_STRING).map_err(&e)?.value);
            }
            oid::CRL_DISTRIBUTION_POINTS => {
                let e = bad_ext("cRLDistributionPoints");
                self.crl_distribution_points = Some(value.single(tag::SEQUENCE).map_err(&e)?.value);
            }
            oid::AUTHORITY_INFO_ACCESS => {
                // §4.2.2.1: SEQUENCE SIZE (1..MAX) OF AccessDescription { OID, GeneralName }.
                let e = bad_ext("authorityInfoAccess");
                let mut r = value.single(tag::SEQUENCE).map_err(&e)?.reader();
                if r.is_empty() {
                    return Err(CertError::BadExtension {
                        name: "authorityInfoAccess",
                        reason: "the list is empty".into(),
                    });
                }
                while !r.is_empty() {
                    let mut d = r.nested(tag::SEQUENCE).map_err(&e)?;
                    d.read(tag::OID).map_err(&e)?;
                    general_name(&mut d).map_err(&e)?;
                    d.finish().map_err(&e)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The complete DER encoding.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }
    /// The exact tbsCertificate bytes that the signature covers.
    pub fn tbs(&self) -> &'a [u8] {
        self.tbs
    }
    /// Version: 1, 2 or 3.
    pub fn version(&self) -> u8 {
        self.version
    }
    /// serialNumber content bytes (two's complement, big-endian).
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }
    /// DER of the subject Name.
    pub fn subject_der(&self) -> &'a [u8] {
        self.subject.der()
    }
    /// DER of the issuer Name.
    pub fn issuer_der(&self) -> &'a [u8] {
        self.issuer.der()
    }
    /// The subject, read once with the limits the certificate was parsed with.
    pub(crate) fn subject_name(&self) -> &Name<'a> {
        &self.subject
    }
    /// The issuer, read once with the limits the certificate was parsed with.
    pub(crate) fn issuer_name(&self) -> &Name<'a> {
        &self.issuer
    }
    /// The directoryName of the subjectAltName or nameConstraints extension whose DER is `der`.
    pub(crate) fn directory_name(&self, der: &[u8]) -> Option<&Name<'a>> {
        self.directory_names.iter().find(|n| n.der() == der)
    }
    /// notBefore.
    pub fn not_before(&self) -> crate::time::Timestamp {
        crate::time::Timestamp::from_unix_seconds(self.not_before)
    }
    /// notAfter.
    pub fn not_after(&self) -> crate::time::Timestamp {
        crate::time::Timestamp::from_unix_seconds(self.not_after)
    }
    /// DER of the SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &'a [u8] {
        self.spki
    }
    /// DER of the signatureAlgorithm AlgorithmIdentifier (equal to the inner one).
    pub fn signature_algorithm_der(&self) -> &'a [u8] {
        self.signature_algorithm
    }
    /// The signature bytes.
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }
    /// All extensions, in certificate order.
    pub fn extensions(&self) -> &[Extension<'a>] {
        &self.extensions
    }
    /// basicConstraints, if present.
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.basic_constraints
    }
    /// subjectAltName entries, if present.
    pub fn subject_alt_names(&self) -> Option<&[GeneralName<'a>]> {
        self.subject_alt_names.as_deref()
    }
    /// True when basicConstraints asserts cA.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|b| b.ca)
    }
    /// True when the keyUsage extension is absent or has `bit` set.
    pub(crate) fn key_usage_allows(&self, bit: u32) -> bool {
        self.key_usage.is_none_or(|k| k & bit != 0)
    }
    /// Self-issued: subject and issuer are the same name (RFC 5280 §6.1).
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject.same(&self.issuer)
    }
}

impl<'a> GeneralName<'a> {
    /// The bytes the variant carries.
    fn payload(&self) -> &'a [u8] {
        match *self {
            GeneralName::OtherName(b)
            | GeneralName::Rfc822(b)
            | GeneralName::Dns(b)
            | GeneralName::X400(b)
            | GeneralName::Directory(b)
            | GeneralName::EdiParty(b)
            | GeneralName::Uri(b)
            | GeneralName::Ip(b)
            | GeneralName::RegisteredId(b) => b,
        }
    }

    /// The same variant carrying `b`.
    fn with_payload<'b>(&self, b: &'b [u8]) -> GeneralName<'b> {
        match self {
            GeneralName::OtherName(_) => GeneralName::OtherName(b),
            GeneralName::Rfc822(_) => GeneralName::Rfc822(b),
            GeneralName::Dns(_) => GeneralName::Dns(b),
            GeneralName::X400(_) => GeneralName::X400(b),
            GeneralName::Directory(_) => GeneralName::Directory(b),
            GeneralName::EdiParty(_) => GeneralName::EdiParty(b),
            GeneralName::Uri(_) => GeneralName::Uri(b),
            GeneralName::Ip(_) => GeneralName::Ip(b),
            GeneralName::RegisteredId(_) => GeneralName::RegisteredId(b),
        }
    }
}

/// A GeneralName as a variant (carrying no bytes) and the position of its bytes.
type GeneralNameAt = (GeneralName<'static>, Span);

/// A parsed [`Certificate`] with every borrowed field replaced by its position in the DER, so
/// that a certificate parsed once can be kept next to its bytes and viewed again for free.
#[derive(Debug, Clone)]
struct Layout {
    tbs: Span,
    version: u8,
    serial: Span,
    signature_algorithm: Span,
    signature: Span,
    issuer: (Span, Name<'static>),
    subject: (Span, Name<'static>),
    not_before: i64,
    not_after: i64,
    spki: Span,
    extensions: Vec<(Span, bool, Span)>,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<u32>,
    ext_key_usage: Option<Vec<Span>>,
    subject_alt_names: Option<Vec<GeneralNameAt>>,
    name_constraints: Option<(Option<Vec<GeneralNameAt>>, Vec<GeneralNameAt>)>,
    authority_key_id: Option<Span>,
    subject_key_id: Option<Span>,
    crl_distribution_points: Option<Span>,
    directory_names: Vec<(Span, Name<'static>)>,
}

impl Layout {
    fn of(c: &Certificate<'_>) -> Layout {
        let at = |part: &[u8]| Span::of(c.der, part);
        let name = |n: &Name<'_>| (at(n.der()), n.rebased(&[]));
        let gn = |g: &GeneralName<'_>| (g.with_payload(&[]), at(g.payload()));
        let gns = |v: &Vec<GeneralName<'_>>| v.iter().map(gn).collect::<Vec<_>>();
        Layout {
            tbs: at(c.tbs),
            version: c.version,
            serial: at(c.serial),
            signature_algorithm: at(c.signature_algorithm),
            signature: at(c.signature),
            issuer: name(&c.issuer),
            subject: name(&c.subject),
            not_before: c.not_before,
            not_after: c.not_after,
            spki: at(c.spki),
            extensions: c
                .extensions
                .iter()
                .map(|e| (at(e.oid), e.critical, at(e.value)))
                .collect(),
            basic_constraints: c.basic_constraints,
            key_usage: c.key_usage,
            ext_key_usage: c
                .ext_key_usage
                .as_ref()
                .map(|v| v.iter().map(|o| at(o)).collect()),
            subject_alt_names: c.subject_alt_names.as_ref().map(gns),
            name_constraints: c
                .name_constraints
                .as_ref()
                .map(|nc| (nc.permitted.as_ref().map(gns), gns(&nc.excluded))),
            authority_key_id: c.authority_key_id.map(at),
            subject_key_id: c.subject_key_id.map(at),
            crl_distribution_points: c.crl_distribution_points.map(at),
            directory_names: c.directory_names.iter().map(name).collect(),
        }
    }

    fn view<'a>(&self, der: &'a [u8]) -> Certificate<'a> {
        let at = |s: Span| s.get(der);
        let name = |(s, n): &(Span, Name<'static>)| n.rebased(s.get(der));
        let gns = |v: &Vec<GeneralNameAt>| {
            v.iter()
                .map(|(g, s)| g.with_payload(s.get(der)))
                .collect::<Vec<_>>()
        };
        Certificate {
            der,
            tbs: at(self.tbs),
            version: self.version,
            serial: at(self.serial),
            signature_algorithm: at(self.signature_algorithm),
            signature: at(self.signature),
            issuer: name(&self.issuer),
            subject: name(&self.subject),
            not_before: self.not_before,
            not_after: self.not_after,
            spki: at(self.spki),
            extensions: self
                .extensions
                .iter()
                .map(|&(oid, critical, value)| Extension {
                    oid: at(oid),
                    critical,
                    value: at(value),
                })
                .collect(),
            basic_constraints: self.basic_constraints,
            key_usage: self.key_usage,
            ext_key_usage: self
                .ext_key_usage
                .as_ref()
                .map(|v| v.iter().map(|&s| at(s)).collect()),
            subject_alt_names: self.subject_alt_names.as_ref().map(gns),
            name_constraints: self
                .name_constraints
                .as_ref()
                .map(|(p, e)| NameConstraints {
                    permitted: p.as_ref().map(gns),
                    excluded: gns(e),
                }),
            authority_key_id: self.authority_key_id.map(at),
            subject_key_id: self.subject_key_id.map(at),
            crl_distribution_points: self.crl_distribution_points.map(at),
            directory_names: self.directory_names.iter().map(name).collect(),
        }
    }
}

/// A certificate parsed once and kept with its own bytes (configured anchors and
/// intermediates): [`OwnedCertificate::view`] gives the [`Certificate`] again without reading
/// any DER, its names already read and canonicalized.
#[derive(Debug, Clone)]
pub(crate) struct OwnedCertificate {
    der: Box<[u8]>,
    layout: Layout,
}

impl OwnedCertificate {
    /// Parses `der` with `limits` and canonicalizes its subject and issuer now, so that no
    /// later use reads or prepares them again.
    pub(crate) fn parse(der: Vec<u8>, limits: &Limits) -> Result<Self, CertError> {
        let layout = {
            let cert = Certificate::from_der(&der, limits)?;
            cert.subject.canonical();
            cert.issuer.canonical();
            for n in &cert.directory_names {
                n.canonical();
            }
            Layout::of(&cert)
        };
        Ok(OwnedCertificate {
            der: der.into_boxed_slice(),
            layout,
        })
    }

    /// The certificate, borrowing the bytes kept here.
    pub(crate) fn view(&self) -> Certificate<'_> {
        self.layout.view(&self.der)
    }

    /// The subject, as read when parsed.
    pub(crate) fn subject(&self) -> Name<'_> {
        self.layout
            .subject
            .1
            .rebased(self.layout.subject.0.get(&self.der))
    }
}

/// Reads a Name field: strict DER, at most `Limits::max_dn_rdns` RDNs (name-constraint work
/// grows with them), then the name itself with the caller's limits.
fn read_name<'a>(
    der: &Tlv<'a>,
    field: &'static str,
    limits: &Limits,
) -> Result<Name<'a>, CertError> {
    let n = name::check(der).map_err(malformed(field))?;
    if n > limits.max_dn_rdns {
        return Err(CertError::Malformed {
            field,
            reason: format!("{n} RDNs, above the limit of {}", limits.max_dn_rdns),
        });
    }
    Ok(Name::read(der.full, limits))
}

fn general_names<'a>(seq: &Tlv<'a>) -> Result<Vec<GeneralName<'a>>, DerError> {
    let mut r = seq.reader();
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(general_name(&mut r)?);
    }
    Ok(out)
}

fn general_name<'a>(r: &mut Reader<'a>) -> Result<GeneralName<'a>, DerError> {
    let t = r.read_any()?;
    Ok(match t.tag {
        0xA0 => GeneralName::OtherName(t.value),
        0x81 => GeneralName::Rfc822(ia5(&t)?),
        0x82 => GeneralName::Dns(ia5(&t)?),
        0xA3 => GeneralName::X400(t.value),
        // directoryName is EXPLICIT (the Name is a CHOICE).
        0xA4 => {
            let name = t.single(tag::SEQUENCE)?;
            name::check(&name)?;
            GeneralName::Directory(name.full)
        }
        0xA5 => GeneralName::EdiParty(t.value),
        0x86 => GeneralName::Uri(ia5(&t)?),
        0x87 => GeneralName::Ip(t.value),
        0x88 => GeneralName::RegisteredId(t.value),
        _ => {
            return Err(DerError::new(
                DerErrorKind::BadValue("a GeneralName has an unknown tag"),
                t.offset,
            ));
        }
    })
}

fn ia5<'a>(t: &Tlv<'a>) -> Result<&'a [u8], DerError> {
    if t.value.is_ascii() {
        Ok(t.value)
    } else {
        Err(t.bad("an IA5String holds a non-ASCII byte"))
    }
}

fn subtrees<'a>(t: &Tlv<'a>) -> Result<Vec<GeneralName<'a>>, DerError> {
    let mut r = t.reader();
    let mut out = Vec::new();
    while !r.is_empty() {
        let mut s = r.nested(tag::SEQUENCE)?;
        out.push(general_name(&mut s)?);
        // §4.2.1.10: minimum MUST be zero (so, absent in DER) and maximum MUST be absent.
        if !s.is_empty() {
            return Err(DerError::new(
                DerErrorKind::BadValue(
                    "a GeneralSubtree carries minimum or maximum, which RFC 5280 forbids",
                ),
                s.position(),
            ));
        }
    }
    if out.is_empty() {
        return Err(t.bad("a GeneralSubtrees list is empty"));
    }
    Ok(out)
}

fn check_spki(spki: &Tlv<'_>) -> Result<(), DerError> {
    let mut r = spki.reader();
    let mut alg = r.nested(tag::SEQUENCE)?;
    alg.read(tag::OID)?;
    if !alg.is_empty() {
        alg.read_any()?;
    }
    alg.finish()?;
    r.read(tag::BIT_STRING)?;
    r.finish()
}

/// Reads every PEM block labelled `label` (e.g. "CERTIFICATE") from `pem`, in order.
///
/// PEM is read with RFC 7468 §3's lax grammar: Base64 on one line or in lines of any width,
/// CRLF or LF, indented blocks, and text of any encoding between and around blocks (ignored).
/// Blocks with other labels are skipped. A broken block is reported with its number, the line
/// of its BEGIN boundary, and the line and column of what is wrong.
pub fn pem_blocks(pem: &[u8], label: &'static str) -> Result<Vec<Vec<u8>>, CertError> {
    crate::pem::blocks(pem, label)
}

/// Reads certificates from either one DER certificate or a PEM bundle of CERTIFICATE blocks.
///
/// The input is DER when it starts with a SEQUENCE tag and holds no PEM BEGIN boundary (PEM
/// text may start with any character, `0` included).
pub fn certificates_from_pem_or_der(input: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    if input.first() == Some(&tag::SEQUENCE) && !crate::pem::has_begin(input) {
        Ok(vec![input.to_vec()])
    } else {
        pem_blocks(input, "CERTIFICATE")
    }
}

/// keyUsage bit names (RFC 5280 §4.2.1.3), bit 0 first.
const KEY_USAGE_NAMES: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

/// Names of the extended key usages an operator meets (RFC 5280 §4.2.1.12).
const EKU_NAMES: [(&[u8], &str); 6] = [
    (oid::KP_SERVER_AUTH, "serverAuth"),
    (oid::KP_CLIENT_AUTH, "clientAuth"),
    (oid::KP_CODE_SIGNING, "codeSigning"),
    (oid::KP_EMAIL_PROTECTION, "emailProtection"),
    (oid::KP_TIME_STAMPING, "timeStamping"),
    (oid::ANY_EXTENDED_KEY_USAGE, "anyExtendedKeyUsage"),
];

/// Read-outs for people (the `inspect` command, logs).
impl Certificate<'_> {
    /// The keyUsage bits that are set, by their RFC 5280 names; `None` when absent.
    pub fn key_usage(&self) -> Option<Vec<&'static str>> {
        let bits = self.key_usage?;
        Some(
            KEY_USAGE_NAMES
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1u32 << (31 - i)) != 0)
                .map(|(_, name)| *name)
                .collect(),
        )
    }

    /// The extendedKeyUsage purposes (known names, other OIDs dotted); `None` when absent.
    pub fn extended_key_usage(&self) -> Option<Vec<String>> {
        let oids = self.ext_key_usage.as_ref()?;
        Some(
            oids.iter()
                .map(|oid| {
                    EKU_NAMES
                        .iter()
                        .find(|(known, _)| known == oid)
                        .map_or_else(|| oid::to_dotted(oid), |(_, name)| (*name).to_owned())
                })
                .collect(),
        )
    }

    /// SHA-256 of the certificate's DER, as presented (the usual fingerprint).
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        use sha2::Digest as _;
        sha2::Sha256::digest(self.der).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_text() {
        assert_eq!(oid::to_dotted(oid::BASIC_CONSTRAINTS), "2.5.29.19");
        assert_eq!(
            oid::to_dotted(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]),
            "1.2.840.113549.1.1.11"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let l = Limits::DEFAULT;
        for (bytes, reason) in [
            (&[][..], "unexpected end of data (at byte 0)"),
            (&[0x30], "unexpected end of data in a length (at byte 1)"),
            (&[0x30, 0x00], "unexpected end of data (at byte 2)"),
            (
                &[0x30, 0x03, 0x30, 0x01, 0x00],
                "unexpected end of data (at byte 5)",
            ),
            (&[0xFF; 10], "expected tag 0x30, found 0xff (at byte 0)"),
        ] {
            match Certificate::from_der(bytes, &l) {
                Err(CertError::Malformed { field, reason: r }) => {
                    assert_eq!((field, r.as_str()), ("certificate", reason), "{bytes:02x?}");
                }
                other => panic!("{bytes:02x?}: {:?}", other.map(|_| ())),
            }
        }
    }
}
