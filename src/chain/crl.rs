//! Certificate revocation lists (RFC 5280 §5, checked per §6.3).
//!
//! Supported: complete, direct CRLs (issuer name = the certificate's issuer), signed by the
//! issuer's key, by another key of the same CA on the validated path (key rollover), or by a
//! separate CRL-signing certificate of the same CA (see `validate::crl_signer`); thisUpdate /
//! nextUpdate; the issuingDistributionPoint scope (distributionPoint names, including
//! nameRelativeToCRLIssuer; onlyContainsUserCerts; onlyContainsCACerts; onlySomeReasons
//! partitions, with the reasons of the certificate's distribution points, §6.3.3 (d));
//! cRLNumber required.
//! Not supported, and reported as `CrlInvalid { reason: "unsupported" }` (never silently
//! trusted): indirect CRLs (indirectCRL, certificateIssuer entries), delta CRLs and
//! onlyContainsAttributeCerts.

use crate::asn1::{self, DerError, DerErrorKind, Reader, Span, Tlv, tag};
use crate::cert::{Certificate, split_signed};
use crate::error::CertError;
use crate::limits::Limits;
use crate::name::{self, Name, OwnedName};
use crate::oid;

/// ReasonFlags (RFC 5280 §4.2.1.13) as decoded by [`asn1::named_bits`]: ReasonFlags bit `n`
/// is `1 << (31 - n)`.
pub(crate) mod reasons {
    const fn bit(n: u32) -> u32 {
        1 << (31 - n)
    }
    /// The reasons a CRL can cover, with their ASN.1 names: keyCompromise (1) … aACompromise (8).
    /// Bit 0 is `unused`, not a reason, and is never required (§6.3.3 "all-reasons").
    const NAMED: [(u32, &str); 8] = [
        (bit(1), "keyCompromise"),
        (bit(2), "cACompromise"),
        (bit(3), "affiliationChanged"),
        (bit(4), "superseded"),
        (bit(5), "cessationOfOperation"),
        (bit(6), "certificateHold"),
        (bit(7), "privilegeWithdrawn"),
        (bit(8), "aACompromise"),
    ];
    /// CRLReason removeFromCRL (§5.3.1).
    pub(crate) const REMOVE_FROM_CRL: u32 = 8;
    /// §6.3.3: the special value all-reasons.
    pub(crate) const ALL: u32 = 0x7F80_0000;

    /// The names of the reasons in `mask`, in ReasonFlags order.
    pub(crate) fn names(mask: u32) -> Vec<&'static str> {
        NAMED
            .iter()
            .filter(|(b, _)| mask & b != 0)
            .map(|&(_, n)| n)
            .collect()
    }

    /// The name of a CRLReason code (§5.3.1) of a CRL entry.
    pub(crate) fn code_name(code: u32) -> &'static str {
        match code {
            0 => "unspecified",
            1 => "keyCompromise",
            2 => "cACompromise",
            3 => "affiliationChanged",
            4 => "superseded",
            5 => "cessationOfOperation",
            6 => "certificateHold",
            8 => "removeFromCRL",
            9 => "privilegeWithdrawn",
            10 => "aACompromise",
            _ => "an unknown reason code",
        }
    }
}

/// One revoked certificate entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The serialNumber content bytes, in the CRL's DER.
    serial: Span,
    pub(crate) date: i64,
    /// The CRLReason code (§5.3.1), when the entry carries one.
    pub(crate) reason: Option<u32>,
    /// The entry carries a critical extension not processed here, or certificateIssuer
    /// (indirect CRL): the CRL must then not be used (§5.3).
    pub(crate) unusable: bool,
}

/// A CRL parsed once, kept with its own bytes (every field a position in them).
#[derive(Debug, Clone)]
pub(crate) struct Crl {
    der: Box<[u8]>,
    tbs: Span,
    signature_algorithm: Span,
    signature: Span,
    /// The issuer, read once (its bytes are at this position of `der`).
    issuer: (Span, Name<'static>),
    pub(crate) this_update: i64,
    pub(crate) next_update: Option<i64>,
    pub(crate) entries: Vec<Entry>,
    /// A critical CRL extension not processed here.
    pub(crate) unknown_critical: bool,
    /// cRLNumber present and non-critical, as §5.2.3 requires of conforming issuers.
    pub(crate) has_crl_number: bool,
    /// Delta CRL, indirect CRL or attribute-certificate scope.
    pub(crate) unsupported: bool,
    /// issuingDistributionPoint scope.
    pub(crate) only_user: bool,
    pub(crate) only_ca: bool,
    /// IDP onlySomeReasons (§5.2.5), as [`reasons`] bits; `None`: all reasons.
    pub(crate) only_some_reasons: Option<u32>,
    /// The IDP distributionPoint names (as full names; nameRelativeToCRLIssuer expanded).
    pub(crate) idp_names: Option<Vec<DpName>>,
}

/// A distribution point's GeneralName with owned bytes (relative names are expanded into new
/// DER); a directoryName is read once.
#[derive(Debug, Clone)]
pub(crate) enum DpName {
    Directory(OwnedName),
    Other(u8, Vec<u8>),
}

fn malformed(e: DerError) -> CertError {
    CertError::Malformed {
        field: "CRL",
        reason: e.to_string(),
    }
}

impl Crl {
    /// Parses a DER CertificateList (RFC 5280 §5.1); names are read with `limits`.
    pub(crate) fn from_der(der: Vec<u8>, limits: &Limits) -> Result<Self, CertError> {
        let mut crl = Self::parse(&der, limits)?;
        crl.der = der.into_boxed_slice();
        Ok(crl)
    }

    /// The exact tbsCertList bytes that the signature covers.
    pub(crate) fn tbs(&self) -> &[u8] {
        self.tbs.get(&self.der)
    }

    /// DER of the signatureAlgorithm AlgorithmIdentifier.
    pub(crate) fn signature_algorithm(&self) -> &[u8] {
        self.signature_algorithm.get(&self.der)
    }

    /// The signature bytes.
    pub(crate) fn signature(&self) -> &[u8] {
        self.signature.get(&self.der)
    }

    /// The issuer Name.
    pub(crate) fn issuer(&self) -> Name<'_> {
        self.issuer.1.rebased(self.issuer.0.get(&self.der))
    }

    /// Parses `der`, recording positions in it (the caller then keeps the bytes).
    fn parse(der: &[u8], limits: &Limits) -> Result<Self, CertError> {
        let at = |part: &[u8]| Span::of(der, part);
        let (tbs, outer_alg, sig) = split_signed(der).map_err(malformed)?;
        let signature = sig.bit_string_octets().map_err(malformed)?;
        let mut r = tbs.reader();
        let version = match r.read_optional(tag::INTEGER).map_err(malformed)? {
            Some(v) => v.small_uint().map_err(malformed)?,
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
        name::check(&issuer).map_err(malformed)?;
        let issuer = issuer.full;
        let issuer_name = Name::read(issuer, limits);
        issuer_name.canonical();
        let this_update = r.read_any().and_then(|t| t.time()).map_err(malformed)?;
        let next_update = match r.peek_tag() {
            Some(tag::UTC_TIME | tag::GENERALIZED_TIME) => {
                Some(r.read_any().and_then(|t| t.time()).map_err(malformed)?)
            }
            _ => None,
        };
        let mut crl = Crl {
            der: Box::default(),
            tbs: at(tbs.full),
            signature_algorithm: at(outer_alg.full),
            signature: at(signature),
            issuer: (at(issuer), issuer_name.rebased(&[])),
            this_update,
            next_update,
            entries: Vec::new(),
            unknown_critical: false,
            has_crl_number: false,
            unsupported: false,
            only_user: false,
            only_ca: false,
            only_some_reasons: None,
            idp_names: None,
        };
        if let Some(list) = r.read_optional(tag::SEQUENCE).map_err(malformed)? {
            let mut l = list.reader();
            while !l.is_empty() {
                let mut e = l.nested(tag::SEQUENCE).map_err(malformed)?;
                // Serials are compared as encoded (negative ones occur in PKITS 4.4.x), so the
                // encoding must be the minimal one that certificates must use too (X.690
                // §8.3.2): `00 05` would never match a certificate's `05`, and a revoked
                // certificate would pass. A non-minimal serial makes the whole CRL malformed.
                let serial = e
                    .read_tlv(tag::INTEGER)
                    .and_then(|i| i.integer())
                    .map_err(malformed)?;
                let date = e.read_any().and_then(|t| t.time()).map_err(malformed)?;
                let mut unusable = false;
                let mut reason = None;
                if let Some(exts) = e.read_optional(tag::SEQUENCE).map_err(malformed)? {
                    for (oid, critical, value) in extensions(&exts).map_err(malformed)? {
                        match oid {
                            oid::CERTIFICATE_ISSUER => unusable = true,
                            oid::REASON_CODE => {
                                let code = value
                                    .single(tag::ENUMERATED)
                                    .and_then(|c| c.small_uint())
                                    .map_err(malformed)?;
                                reason = Some(code);
                            }
                            oid::INVALIDITY_DATE | oid::HOLD_INSTRUCTION => {}
                            _ if critical => unusable = true,
                            _ => {}
                        }
                    }
                }
                e.finish().map_err(malformed)?;
                crl.entries.push(Entry {
                    serial: at(serial),
                    date,
                    reason,
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
            let list = exts.single(tag::SEQUENCE).map_err(malformed)?;
            for (oid, critical, value) in extensions(&list).map_err(malformed)? {
                match oid {
                    oid::AUTHORITY_KEY_ID | oid::ISSUER_ALT_NAME | oid::FRESHEST_CRL => {}
                    // §5.2.3: MUST be present, MUST be non-critical.
                    oid::CRL_NUMBER => crl.has_crl_number = !critical,
                    oid::DELTA_CRL_INDICATOR => crl.unsupported = true,
                    oid::ISSUING_DISTRIBUTION_POINT => {
                        crl.read_idp(&value, issuer, limits).map_err(malformed)?;
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
    fn read_idp(
        &mut self,
        value: &Tlv<'_>,
        issuer: &[u8],
        limits: &Limits,
    ) -> Result<(), DerError> {
        let mut r = value.single(tag::SEQUENCE)?.reader();
        if let Some(dp) = r.read_optional(tag::context_constructed(0))? {
            let names = dp_names(&dp, issuer, limits)?;
            for n in &names {
                if let DpName::Directory(d) = n {
                    d.name().canonical();
                }
            }
            self.idp_names = Some(names);
        }
        let flag =
            |t: Option<Tlv<'_>>| -> Result<bool, DerError> { t.map_or(Ok(false), |t| t.boolean()) };
        self.only_user = flag(r.read_optional(tag::context_primitive(1))?)?;
        self.only_ca = flag(r.read_optional(tag::context_primitive(2))?)?;
        if let Some(some) = r.read_optional(tag::context_primitive(3))? {
            self.only_some_reasons = Some(some.named_bits()?);
        }
        if flag(r.read_optional(tag::context_primitive(4))?)? {
            self.unsupported = true; // indirectCRL
        }
        if flag(r.read_optional(tag::context_primitive(5))?)? {
            self.unsupported = true; // onlyContainsAttributeCerts
        }
        r.finish()
    }

    /// The reasons for which this CRL's scope covers `cert` (§6.3.3 (b), (d)): `None` when
    /// the CRL is not for this certificate; otherwise onlySomeReasons (if any) intersected with
    /// the reasons of the certificate's distribution points the CRL matches (all reasons for a
    /// distribution point without a reasons field, or when the certificate has none). Never
    /// `Some(0)`.
    pub(crate) fn scope(
        &self,
        cert: &Certificate<'_>,
        issuer_subject: &[u8],
        limits: &Limits,
    ) -> Option<u32> {
        if self.only_user && cert.is_ca() {
            return None;
        }
        if self.only_ca && !cert.is_ca() {
            return None;
        }
        let dp_reasons = match (cert.crl_distribution_points, &self.idp_names) {
            // No distribution points: the issuer's CRLs, for all reasons. An IDP name cannot
            // match a distribution point the certificate does not have (§6.3.3 (b)(2)(i)).
            (None, None) => reasons::ALL,
            (None, Some(_)) => return None,
            (Some(cdp), idp) => {
                let mut mask = 0;
                let mut r = Reader::new(cdp);
                while let Ok(dp) = r.nested(tag::SEQUENCE) {
                    // A distribution point that cannot be read matches nothing (fail closed:
                    // with require_crl its reasons stay uncovered).
                    let Ok((dp_names, dp_mask)) = read_dp(dp, issuer_subject, limits) else {
                        continue;
                    };
                    // §6.3.3 (b)(2)(i): one IDP name must match one of the DP's names; an IDP
                    // without a name applies to every distribution point.
                    let matches = match idp {
                        None => true,
                        Some(idp) => dp_names.iter().any(|n| idp.iter().any(|m| same(n, m))),
                    };
                    if matches {
                        mask |= dp_mask;
                    }
                }
                mask
            }
        };
        let interim = self.only_some_reasons.unwrap_or(reasons::ALL) & dp_reasons & reasons::ALL;
        (interim != 0).then_some(interim)
    }

    /// The entry that revokes `serial`, if any. An entry with reason removeFromCRL does not
    /// revoke: RFC 5280 §6.3.3 (k) sets the status back to UNREVOKED (a complete CRL should
    /// not carry one, §5.3.1, but one that does says the certificate is not revoked).
    pub(crate) fn entry(&self, serial: &[u8]) -> Option<&Entry> {
        self.entries.iter().find(|e| {
            e.serial.get(&self.der) == serial && e.reason != Some(reasons::REMOVE_FROM_CRL)
        })
    }
}

/// One DistributionPoint (§4.2.1.13): its names (empty without distributionPoint) and its
/// reasons (all reasons when the field is absent).
fn read_dp(
    mut dp: Reader<'_>,
    issuer: &[u8],
    limits: &Limits,
) -> Result<(Vec<DpName>, u32), DerError> {
    let names = match dp.read_optional(tag::context_constructed(0))? {
        Some(name) => dp_names(&name, issuer, limits)?,
        None => Vec::new(),
    };
    let mask = match dp.read_optional(tag::context_primitive(1))? {
        Some(bits) => bits.named_bits()?,
        None => reasons::ALL,
    };
    Ok((names, mask))
}

fn same(a: &DpName, b: &DpName) -> bool {
    match (a, b) {
        (DpName::Directory(x), DpName::Directory(y)) => x.name().same(&y.name()),
        (DpName::Other(t, x), DpName::Other(u, y)) => t == u && x == y,
        _ => false,
    }
}

/// DistributionPointName: fullName [0] GeneralNames, or nameRelativeToCRLIssuer [1] RDN,
/// which is appended to the CRL issuer's name (§4.2.1.13).
fn dp_names(choice: &Tlv<'_>, issuer: &[u8], limits: &Limits) -> Result<Vec<DpName>, DerError> {
    let mut r = choice.reader();
    let t = r.read_any()?;
    r.finish()?;
    match t.tag {
        0xA0 => {
            let mut g = t.reader();
            let mut out = Vec::new();
            while !g.is_empty() {
                let n = g.read_any()?;
                out.push(match n.tag {
                    0xA4 => DpName::Directory(OwnedName::read(n.value.to_vec(), limits)),
                    other => DpName::Other(other, n.value.to_vec()),
                });
            }
            Ok(out)
        }
        0xA1 => {
            let base = asn1::single(issuer, tag::SEQUENCE)?;
            let mut content = base.value.to_vec();
            content.extend(encode(tag::SET, t.value));
            Ok(vec![DpName::Directory(OwnedName::read(
                encode(tag::SEQUENCE, &content),
                limits,
            ))])
        }
        _ => Err(DerError::new(
            DerErrorKind::BadValue("a DistributionPointName has an unknown tag"),
            t.offset,
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

type Ext<'a> = (&'a [u8], bool, Tlv<'a>);

fn extensions<'a>(list: &Tlv<'a>) -> Result<Vec<Ext<'a>>, DerError> {
    let mut r = list.reader();
    let mut out = Vec::new();
    while !r.is_empty() {
        let mut e = r.nested(tag::SEQUENCE)?;
        let oid = e.read(tag::OID)?;
        let critical = match e.read_optional(tag::BOOLEAN)? {
            Some(b) => b.boolean()?,
            None => false,
        };
        let value = e.read_tlv(tag::OCTET_STRING)?;
        e.finish()?;
        out.push((oid, critical, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::{Crl, reasons};
    use crate::limits::Limits;

    fn pkits_crl(stem: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/data/pkits/crls/{stem}.crl",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).unwrap()
    }

    /// RFC 5280 §6.3.3: all-reasons is keyCompromise … aACompromise; `unused` (bit 0) is not one.
    #[test]
    fn all_reasons() {
        assert_eq!(reasons::names(reasons::ALL).len(), 8);
        assert_eq!(reasons::names(1 << 31), Vec::<&str>::new());
        assert_eq!(
            reasons::names(reasons::ALL & !(1 << 30)).first(),
            Some(&"cACompromise")
        );
        assert_eq!(reasons::code_name(6), "certificateHold");
        assert_eq!(reasons::code_name(7), "an unknown reason code");
    }

    /// PKITS 4.14.15: onlySomeReasons keyCompromise + cACompromise; the entry's reasonCode 1.
    #[test]
    fn only_some_reasons_and_entry_reason() {
        let der = pkits_crl("onlySomeReasonsCA1compromiseCRL");
        let crl = Crl::from_der(der, &Limits::DEFAULT).unwrap();
        assert_eq!(crl.only_some_reasons, Some((1 << 30) | (1 << 29)));
        assert!(!crl.unsupported);
        assert_eq!(crl.entries[0].reason, Some(1));
        // The complementary CRL names `unused` (bit 0) too; it is kept and never required.
        let der = pkits_crl("onlySomeReasonsCA1otherreasonsCRL");
        let crl = Crl::from_der(der, &Limits::DEFAULT).unwrap();
        let mask = crl.only_some_reasons.unwrap();
        assert_eq!(mask & reasons::ALL, reasons::ALL & !((1 << 30) | (1 << 29)));
        assert_eq!(crl.entries[0].reason, Some(6));
    }
}
