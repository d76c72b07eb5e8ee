//! Certificate revocation lists (RFC 5280 §5, checked per §6.3).
//!
//! Supported: complete, direct CRLs signed by the certificate's issuer with the issuer's key,
//! thisUpdate / nextUpdate, the issuingDistributionPoint scope (distributionPoint name,
//! onlyContainsUserCerts, onlyContainsCACerts). Not supported, and reported as "unsupported"
//! (never silently trusted): indirect CRLs, delta CRLs, onlySomeReasons partitions,
//! onlyContainsAttributeCerts, and CRLs signed by a different key than the certificate's issuer.

use crate::asn1::{self, DerError, Reader, Tlv, tag};
use crate::cert::{Certificate, check_name, split_signed};
use crate::error::CertError;

use super::names;

/// CRL extension OIDs (RFC 5280 §5.2, §5.3).
mod oid {
    pub(super) const AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1D, 0x23];
    pub(super) const ISSUER_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x12];
    pub(super) const CRL_NUMBER: &[u8] = &[0x55, 0x1D, 0x14];
    pub(super) const DELTA_CRL_INDICATOR: &[u8] = &[0x55, 0x1D, 0x1B];
    pub(super) const ISSUING_DISTRIBUTION_POINT: &[u8] = &[0x55, 0x1D, 0x1C];
    pub(super) const FRESHEST_CRL: &[u8] = &[0x55, 0x1D, 0x2E];
    pub(super) const REASON_CODE: &[u8] = &[0x55, 0x1D, 0x15];
    pub(super) const INVALIDITY_DATE: &[u8] = &[0x55, 0x1D, 0x18];
    pub(super) const CERTIFICATE_ISSUER: &[u8] = &[0x55, 0x1D, 0x1D];
    pub(super) const HOLD_INSTRUCTION: &[u8] = &[0x55, 0x1D, 0x17];
}

/// One revoked certificate entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    pub(crate) serial: &'a [u8],
    pub(crate) date: i64,
    /// The entry carries a critical extension not processed here, or certificateIssuer
    /// (indirect CRL): the CRL must then not be used (§5.3).
    pub(crate) unusable: bool,
}

/// A parsed CRL borrowing its DER.
#[derive(Debug, Clone)]
pub(crate) struct Crl<'a> {
    pub(crate) tbs: &'a [u8],
    pub(crate) signature_algorithm: &'a [u8],
    pub(crate) signature: &'a [u8],
    pub(crate) issuer: &'a [u8],
    pub(crate) this_update: i64,
    pub(crate) next_update: Option<i64>,
    pub(crate) entries: Vec<Entry<'a>>,
    /// A critical CRL extension not processed here.
    pub(crate) unknown_critical: bool,
    /// Delta CRL, indirect CRL, reason partition or attribute-certificate scope.
    pub(crate) unsupported: bool,
    /// issuingDistributionPoint scope.
    pub(crate) only_user: bool,
    pub(crate) only_ca: bool,
    /// The IDP distributionPoint names (as full names; nameRelativeToCRLIssuer expanded).
    pub(crate) idp_names: Option<Vec<OwnedName>>,
}

/// A GeneralName with owned bytes (relative names are expanded into new DER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OwnedName {
    Directory(Vec<u8>),
    Other(u8, Vec<u8>),
}

fn malformed(e: DerError) -> CertError {
    CertError::Malformed {
        field: "CRL",
        reason: e.to_string(),
    }
}

impl<'a> Crl<'a> {
    /// Parses a DER CertificateList (RFC 5280 §5.1).
    pub(crate) fn from_der(der: &'a [u8]) -> Result<Self, CertError> {
        let (tbs, outer_alg, sig) = split_signed(der).map_err(malformed)?;
        let signature = asn1::bit_string_octets(sig.value).map_err(malformed)?;
        let mut r = Reader::new(tbs.value);
        let version = match r.read_optional(tag::INTEGER).map_err(malformed)? {
            Some(v) => asn1::small_uint(v.value).map_err(malformed)?,
            None => 0,
        };
        if version > 1 {
            return Err(CertError::UnsupportedVersion(version + 1));
        }
        let inner_alg = r.read_tlv(tag::SEQUENCE).map_err(malformed)?;
        if inner_alg.full != outer_alg.full {
            return Err(CertError::SignatureAlgorithmMismatch);
        }
        let issuer = r.read_tlv(tag::SEQUENCE).map_err(malformed)?;
        check_name(issuer.full).map_err(malformed)?;
        let this_update = asn1::time(&r.read_any().map_err(malformed)?).map_err(malformed)?;
        let next_update = match r.peek_tag() {
            Some(tag::UTC_TIME | tag::GENERALIZED_TIME) => {
                Some(asn1::time(&r.read_any().map_err(malformed)?).map_err(malformed)?)
            }
            _ => None,
        };
        let mut crl = Crl {
            tbs: tbs.full,
            signature_algorithm: outer_alg.full,
            signature,
            issuer: issuer.full,
            this_update,
            next_update,
            entries: Vec::new(),
            unknown_critical: false,
            unsupported: false,
            only_user: false,
            only_ca: false,
            idp_names: None,
        };
        if let Some(list) = r.read_optional(tag::SEQUENCE).map_err(malformed)? {
            let mut l = Reader::new(list.value);
            while !l.is_empty() {
                let mut e = l.nested(tag::SEQUENCE).map_err(malformed)?;
                // Serials are compared as encoded (negative ones occur in PKITS 4.4.x).
                let serial = e.read(tag::INTEGER).map_err(malformed)?;
                let date = asn1::time(&e.read_any().map_err(malformed)?).map_err(malformed)?;
                let mut unusable = false;
                if let Some(exts) = e.read_optional(tag::SEQUENCE).map_err(malformed)? {
                    for (oid, critical, _) in extensions(exts.value).map_err(malformed)? {
                        match oid {
                            oid::CERTIFICATE_ISSUER => unusable = true,
                            oid::REASON_CODE | oid::INVALIDITY_DATE | oid::HOLD_INSTRUCTION => {}
                            _ if critical => unusable = true,
                            _ => {}
                        }
                    }
                }
                e.finish().map_err(malformed)?;
                crl.entries.push(Entry {
                    serial,
                    date,
                    unusable,
                });
            }
        }
        if let Some(exts) = r
            .read_optional(tag::context_constructed(0))
            .map_err(malformed)?
        {
            if version != 1 {
                return Err(CertError::VersionMismatch {
                    version: 1,
                    what: "CRL extensions",
                });
            }
            let list = asn1::single(exts.value, tag::SEQUENCE).map_err(malformed)?;
            for (oid, critical, value) in extensions(list).map_err(malformed)? {
                match oid {
                    oid::AUTHORITY_KEY_ID
                    | oid::ISSUER_ALT_NAME
                    | oid::CRL_NUMBER
                    | oid::FRESHEST_CRL => {}
                    oid::DELTA_CRL_INDICATOR => crl.unsupported = true,
                    oid::ISSUING_DISTRIBUTION_POINT => {
                        crl.read_idp(value).map_err(malformed)?;
                    }
                    _ if critical => crl.unknown_critical = true,
                    _ => {}
                }
            }
        }
        r.finish().map_err(malformed)?;
        Ok(crl)
    }

    /// issuingDistributionPoint (RFC 5280 §5.2.5).
    fn read_idp(&mut self, value: &[u8]) -> Result<(), DerError> {
        let mut r = Reader::new(asn1::single(value, tag::SEQUENCE)?);
        if let Some(dp) = r.read_optional(tag::context_constructed(0))? {
            self.idp_names = Some(dp_names(dp.value, self.issuer)?);
        }
        let flag = |t: Option<Tlv<'_>>| -> Result<bool, DerError> {
            t.map_or(Ok(false), |t| asn1::boolean(t.value))
        };
        self.only_user = flag(r.read_optional(tag::context_primitive(1))?)?;
        self.only_ca = flag(r.read_optional(tag::context_primitive(2))?)?;
        if r.read_optional(tag::context_primitive(3))?.is_some() {
            self.unsupported = true; // onlySomeReasons
        }
        if flag(r.read_optional(tag::context_primitive(4))?)? {
            self.unsupported = true; // indirectCRL
        }
        if flag(r.read_optional(tag::context_primitive(5))?)? {
            self.unsupported = true; // onlyContainsAttributeCerts
        }
        r.finish()
    }

    /// Whether this CRL's scope covers `cert` (§6.3.3 (b)); `None` when the certificate's
    /// distribution point needs an unsupported feature (a cRLIssuer: indirect CRL).
    pub(crate) fn covers(&self, cert: &Certificate<'_>, issuer_subject: &[u8]) -> bool {
        if self.only_user && cert.is_ca() {
            return false;
        }
        if self.only_ca && !cert.is_ca() {
            return false;
        }
        let Some(idp) = &self.idp_names else {
            return true;
        };
        // §6.3.3 (b)(2)(i): one IDP name must match one of the certificate's DP names.
        let Some(cdp) = cert.crl_distribution_points else {
            return false;
        };
        let mut r = Reader::new(cdp);
        while let Ok(mut dp) = r.nested(tag::SEQUENCE) {
            if let Ok(Some(name)) = dp.read_optional(tag::context_constructed(0))
                && let Ok(names) = dp_names(name.value, issuer_subject)
                && names.iter().any(|n| idp.iter().any(|m| same(n, m)))
            {
                return true;
            }
        }
        false
    }

    /// The revocation entry for `serial`, if any.
    pub(crate) fn entry(&self, serial: &[u8]) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| e.serial == serial)
    }
}

fn same(a: &OwnedName, b: &OwnedName) -> bool {
    match (a, b) {
        (OwnedName::Directory(x), OwnedName::Directory(y)) => names::same_name(x, y),
        _ => a == b,
    }
}

/// DistributionPointName: fullName [0] GeneralNames, or nameRelativeToCRLIssuer [1] RDN,
/// which is appended to the CRL issuer's name (§4.2.1.13).
fn dp_names(choice: &[u8], issuer: &[u8]) -> Result<Vec<OwnedName>, DerError> {
    let mut r = Reader::new(choice);
    let t = r.read_any()?;
    r.finish()?;
    match t.tag {
        0xA0 => {
            let mut g = Reader::new(t.value);
            let mut out = Vec::new();
            while !g.is_empty() {
                let n = g.read_any()?;
                out.push(match n.tag {
                    0xA4 => OwnedName::Directory(n.value.to_vec()),
                    other => OwnedName::Other(other, n.value.to_vec()),
                });
            }
            Ok(out)
        }
        0xA1 => {
            let base = asn1::single(issuer, tag::SEQUENCE)?;
            let mut content = base.to_vec();
            content.extend(encode(tag::SET, t.value));
            Ok(vec![OwnedName::Directory(encode(tag::SEQUENCE, &content))])
        }
        _ => Err(DerError::BadValue(
            "a DistributionPointName has an unknown tag",
        )),
    }
}

fn encode(t: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![t];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

type Ext<'a> = (&'a [u8], bool, &'a [u8]);

fn extensions(list: &[u8]) -> Result<Vec<Ext<'_>>, DerError> {
    let mut r = Reader::new(list);
    let mut out = Vec::new();
    while !r.is_empty() {
        let mut e = r.nested(tag::SEQUENCE)?;
        let oid = e.read(tag::OID)?;
        let critical = match e.read_optional(tag::BOOLEAN)? {
            Some(b) => asn1::boolean(b.value)?,
            None => false,
        };
        let value = e.read(tag::OCTET_STRING)?;
        e.finish()?;
        out.push((oid, critical, value));
    }
    Ok(out)
}
