//! Certificate-chain generator for tests (rcgen 0.14 with ring).
//!
//! ring cannot generate RSA keys, so RSA keys are fixtures (`tests/common/keys/*.pk8.pem`, made
//! with `openssl genpkey`); ring also refuses RSA keys under 2048 bits, so the RSA-1024 key signs
//! through the `rsa` crate behind rcgen's `SigningKey` trait. rcgen has no SHA-1 algorithm:
//! [`resign_sha1`] rewrites a finished RSA-SHA-256 certificate into sha1WithRSAEncryption.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, NameConstraints, PublicKeyData, RevocationReason, RevokedCertParams, SanType,
    SerialNumber, SignatureAlgorithm, SigningKey,
};
use time::OffsetDateTime;

/// 2026-06-01T00:00:00Z: the validation time of the generated scenarios.
pub const NOW: i64 = 1_780_272_000;
/// One day in seconds.
pub const DAY: i64 = 86_400;

/// Key algorithms the generator can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSA-2048 fixture key n (1..=3), PKCS#1 v1.5 with SHA-256.
    Rsa2048Sha256(u8),
    /// RSA-2048 fixture key n, SHA-384.
    Rsa2048Sha384(u8),
    /// RSA-2048 fixture key n, SHA-512.
    Rsa2048Sha512(u8),
    /// The RSA-1024 fixture key, SHA-256.
    Rsa1024,
    /// A fresh P-256 key, ECDSA SHA-256.
    P256,
    /// A fresh P-384 key, ECDSA SHA-384.
    P384,
    /// A fresh Ed25519 key.
    Ed25519,
    /// RSA fixture key 3's modulus with public exponent 1 (RFC 8017 §3.1 requires e ≥ 3).
    /// Under e = 1 a PKCS#1 v1.5 signature is its own encoded message, so this key "signs"
    /// anything without a private key: a verifier that accepted it would accept forgeries.
    RsaExponentOne,
    /// An Ed25519 key of 31 bytes (RFC 8410 needs 32): a malformed public key. Its signatures
    /// are 64 zero bytes.
    BrokenEd25519,
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/common/keys/{name}.pk8.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn rsa_key(name: &str) -> rsa::PrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    let (_, der) = pem_rfc7468::decode_vec(fixture(name).as_bytes()).unwrap();
    rsa::PrivateKey::from_pkcs8_der(&der).unwrap()
}

/// A signing key usable by rcgen: ring's, or the `rsa` crate's for RSA-1024.
pub enum Key {
    Ring(KeyPair),
    Legacy {
        key: rsa::PrivateKey,
        public_pkcs1: Vec<u8>,
    },
    /// [`Alg::RsaExponentOne`].
    ExponentOne {
        public_pkcs1: Vec<u8>,
    },
    /// [`Alg::BrokenEd25519`].
    Broken {
        public: Vec<u8>,
    },
}

impl Key {
    pub fn new(alg: Alg) -> Key {
        let ring = |pem: String, a: &'static SignatureAlgorithm| {
            Key::Ring(KeyPair::from_pkcs8_pem_and_sign_algo(&pem, a).unwrap())
        };
        match alg {
            Alg::Rsa2048Sha256(n) => {
                ring(fixture(&format!("rsa2048-{n}")), &rcgen::PKCS_RSA_SHA256)
            }
            Alg::Rsa2048Sha384(n) => {
                ring(fixture(&format!("rsa2048-{n}")), &rcgen::PKCS_RSA_SHA384)
            }
            Alg::Rsa2048Sha512(n) => {
                ring(fixture(&format!("rsa2048-{n}")), &rcgen::PKCS_RSA_SHA512)
            }
            Alg::P256 => Key::Ring(KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()),
            Alg::P384 => Key::Ring(KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap()),
            Alg::Ed25519 => Key::Ring(KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap()),
            Alg::Rsa1024 => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let key = rsa_key("rsa1024");
                let public_pkcs1 = key.to_public_key().to_pkcs1_der().unwrap().into_vec();
                Key::Legacy { key, public_pkcs1 }
            }
            Alg::RsaExponentOne => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let pkcs1 = rsa_key("rsa2048-3")
                    .to_public_key()
                    .to_pkcs1_der()
                    .unwrap()
                    .into_vec();
                // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
                let modulus = children(&pkcs1)[0].to_vec();
                Key::ExponentOne {
                    public_pkcs1: tlv(0x30, &[modulus, vec![0x02, 0x01, 0x01]].concat()),
                }
            }
            Alg::BrokenEd25519 => Key::Broken {
                public: vec![0x42; 31],
            },
        }
    }
}

impl PublicKeyData for Key {
    fn der_bytes(&self) -> &[u8] {
        match self {
            Key::Ring(k) => k.der_bytes(),
            Key::Legacy { public_pkcs1, .. } | Key::ExponentOne { public_pkcs1 } => public_pkcs1,
            Key::Broken { public } => public,
        }
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            Key::Ring(k) => k.algorithm(),
            Key::Legacy { .. } | Key::ExponentOne { .. } => &rcgen::PKCS_RSA_SHA256,
            Key::Broken { .. } => &rcgen::PKCS_ED25519,
        }
    }
}

impl SigningKey for Key {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            Key::Ring(k) => k.sign(msg),
            Key::Legacy { key, .. } => {
                use rsa::signature::{SignatureEncoding, Signer};
                let sk = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
                Ok(sk.sign(msg).to_vec())
            }
            // EMSA-PKCS1-v1_5 (RFC 8017 §9.2) of SHA-256(msg) in 256 octets: s = EM, since
            // EM^1 mod n = EM.
            Key::ExponentOne { .. } => {
                use sha2::Digest;
                let digest_info = [
                    &[
                        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                        0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
                    ][..],
                    &sha2::Sha256::digest(msg),
                ]
                .concat();
                let mut em = vec![0x00, 0x01];
                em.resize(256 - digest_info.len() - 1, 0xFF);
                em.push(0x00);
                em.extend(digest_info);
                Ok(em)
            }
            Key::Broken { .. } => Ok(vec![0; 64]),
        }
    }
}

/// What to put in a generated certificate. `Spec::leaf` / `Spec::ca` give sane defaults.
#[derive(Clone)]
pub struct Spec {
    pub alg: Alg,
    pub dn: DistinguishedName,
    /// `Some(path_len)` makes a CA (`Some(None)`: unconstrained).
    pub ca: Option<Option<u8>>,
    pub key_usages: Vec<KeyUsagePurpose>,
    pub ekus: Vec<ExtendedKeyUsagePurpose>,
    pub not_before: i64,
    pub not_after: i64,
    pub sans: Vec<SanType>,
    pub name_constraints: Option<NameConstraints>,
    pub custom: Vec<CustomExtension>,
    pub serial: u64,
}

/// A distinguished name from (type, value) pairs, most significant first.
pub fn dn(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    for (t, v) in parts {
        d.push(t.clone(), *v);
    }
    d
}

impl Spec {
    pub fn ca(cn: &str, alg: Alg) -> Spec {
        Spec {
            alg,
            dn: dn(&[
                (DnType::OrganizationName, "x509-dbauth tests"),
                (DnType::CommonName, cn),
            ]),
            ca: Some(None),
            key_usages: vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ],
            ekus: vec![],
            not_before: NOW - 365 * DAY,
            not_after: NOW + 3650 * DAY,
            sans: vec![],
            name_constraints: None,
            custom: vec![],
            serial: 1,
        }
    }

    pub fn leaf(cn: &str, alg: Alg) -> Spec {
        Spec {
            ca: None,
            key_usages: vec![KeyUsagePurpose::DigitalSignature],
            ekus: vec![ExtendedKeyUsagePurpose::ClientAuth],
            not_after: NOW + 365 * DAY,
            serial: 100,
            ..Spec::ca(cn, alg)
        }
    }

    fn params(&self) -> CertificateParams {
        let mut p = CertificateParams::default();
        p.distinguished_name = self.dn.clone();
        p.is_ca = match self.ca {
            Some(None) => IsCa::Ca(BasicConstraints::Unconstrained),
            Some(Some(n)) => IsCa::Ca(BasicConstraints::Constrained(n)),
            None => IsCa::ExplicitNoCa,
        };
        p.key_usages = self.key_usages.clone();
        p.extended_key_usages = self.ekus.clone();
        p.not_before = OffsetDateTime::from_unix_timestamp(self.not_before).unwrap();
        p.not_after = OffsetDateTime::from_unix_timestamp(self.not_after).unwrap();
        p.subject_alt_names = self.sans.clone();
        p.name_constraints = self.name_constraints.clone();
        p.custom_extensions = self.custom.clone();
        p.serial_number = Some(SerialNumber::from(self.serial));
        p.use_authority_key_identifier_extension = true;
        p.key_identifier_method = KeyIdMethod::Sha256;
        p
    }
}

/// A generated certificate that can also issue others.
pub struct Node {
    pub der: Vec<u8>,
    pub issuer: Issuer<'static, Key>,
}

impl Node {
    pub fn pem(&self) -> String {
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &self.der).unwrap()
    }
}

/// A self-signed certificate.
pub fn root(spec: &Spec) -> Node {
    let key = Key::new(spec.alg);
    let mut params = spec.params();
    params.use_authority_key_identifier_extension = false;
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Node {
        der,
        issuer: Issuer::new(params, key),
    }
}

/// A certificate signed by `by`.
pub fn issue(spec: &Spec, by: &Node) -> Node {
    let key = Key::new(spec.alg);
    let params = spec.params();
    let der = params.signed_by(&key, &by.issuer).unwrap().der().to_vec();
    Node {
        der,
        issuer: Issuer::new(params, key),
    }
}

/// A CRL from `by`, revoking `serials`, valid over [this_update, next_update].
pub fn crl(by: &Node, serials: &[u64], this_update: i64, next_update: i64) -> Vec<u8> {
    let entries: Vec<(u64, Option<RevocationReason>)> =
        serials.iter().map(|&s| (s, None)).collect();
    crl_with_reasons(by, &entries, this_update, next_update)
}

/// A complete CRL from `by` whose entries carry the given reasonCode (or none).
pub fn crl_with_reasons(
    by: &Node,
    entries: &[(u64, Option<RevocationReason>)],
    this_update: i64,
    next_update: i64,
) -> Vec<u8> {
    let params = CertificateRevocationListParams {
        this_update: OffsetDateTime::from_unix_timestamp(this_update).unwrap(),
        next_update: OffsetDateTime::from_unix_timestamp(next_update).unwrap(),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: entries
            .iter()
            .map(|&(s, reason)| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: OffsetDateTime::from_unix_timestamp(NOW - 10 * DAY).unwrap(),
                reason_code: reason,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(&by.issuer).unwrap().der().to_vec()
}

/// Rewrites the serialNumber of every entry of an rcgen CRL from `by` with `serial` (the full
/// INTEGER TLV, e.g. a non-minimal `02 02 00 05`), then signs the new tbsCertList again with
/// `by`'s key. rcgen always writes minimal INTEGERs, so this is the only way to get the
/// encoding a hostile CRL issuer could use.
pub fn crl_with_entry_serial(by: &Node, crl_der: &[u8], serial: &[u8]) -> Vec<u8> {
    let outer = children(crl_der);
    let mut tbs_parts: Vec<Vec<u8>> = children(outer[0]).into_iter().map(<[u8]>::to_vec).collect();
    // version, signature, issuer, thisUpdate, nextUpdate, revokedCertificates, [0] extensions.
    assert_eq!(
        tbs_parts.len(),
        7,
        "a v2 CRL with nextUpdate, entries and extensions"
    );
    let entries: Vec<Vec<u8>> = children(&tbs_parts[5])
        .into_iter()
        .map(|entry| {
            let mut parts: Vec<Vec<u8>> = children(entry).into_iter().map(<[u8]>::to_vec).collect();
            assert_eq!(parts[0][0], 0x02);
            parts[0] = serial.to_vec();
            tlv(0x30, &parts.concat())
        })
        .collect();
    tbs_parts[5] = tlv(0x30, &entries.concat());
    let tbs = tlv(0x30, &tbs_parts.concat());
    let mut bits = vec![0u8];
    bits.extend(by.issuer.key().sign(&tbs).unwrap());
    tlv(
        0x30,
        &[tbs.clone(), outer[1].to_vec(), tlv(0x03, &bits)].concat(),
    )
}

/// A CRL from `by` whose entries carry reason codes and whose critical issuingDistributionPoint
/// holds only onlySomeReasons (`reasons`: the BIT STRING contents, unused-bits octet first).
/// rcgen 0.14 cannot write onlySomeReasons (its IDP has a URI list and a scope only), so the
/// extension is appended to rcgen's tbsCertList, which is then signed again with `by`'s key.
pub fn crl_for_reasons(
    by: &Node,
    revoked: &[(u64, RevocationReason)],
    reasons: &[u8],
    this_update: i64,
    next_update: i64,
) -> Vec<u8> {
    let params = CertificateRevocationListParams {
        this_update: OffsetDateTime::from_unix_timestamp(this_update).unwrap(),
        next_update: OffsetDateTime::from_unix_timestamp(next_update).unwrap(),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|&(s, reason)| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: OffsetDateTime::from_unix_timestamp(NOW - 10 * DAY).unwrap(),
                reason_code: Some(reason),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let der = params.signed_by(&by.issuer).unwrap().der().to_vec();
    let outer = children(&der);
    let mut tbs_parts: Vec<Vec<u8>> = children(outer[0]).into_iter().map(<[u8]>::to_vec).collect();
    // crlExtensions [0] is last: rcgen always writes authorityKeyIdentifier and cRLNumber.
    let exts_tagged = tbs_parts.pop().unwrap();
    assert_eq!(exts_tagged[0], 0xA0);
    let mut exts: Vec<Vec<u8>> = children(children(&exts_tagged)[0])
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    // IssuingDistributionPoint ::= SEQUENCE { onlySomeReasons [3] IMPLICIT ReasonFlags }.
    let idp = tlv(0x30, &tlv(0x83, reasons));
    exts.push(tlv(
        0x30,
        &[
            tlv(0x06, &[0x55, 0x1D, 0x1C]),
            tlv(0x01, &[0xFF]),
            tlv(0x04, &idp),
        ]
        .concat(),
    ));
    tbs_parts.push(tlv(0xA0, &tlv(0x30, &exts.concat())));
    let tbs = tlv(0x30, &tbs_parts.concat());
    let mut bits = vec![0u8];
    bits.extend(by.issuer.key().sign(&tbs).unwrap());
    tlv(
        0x30,
        &[tbs.clone(), outer[1].to_vec(), tlv(0x03, &bits)].concat(),
    )
}

/// DER TLV with a definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// The full encodings of the elements inside a constructed TLV (short or 1–2 byte lengths).
fn children(der: &[u8]) -> Vec<&[u8]> {
    let header = |d: &[u8]| -> (usize, usize) {
        match d[1] {
            n if n < 0x80 => (2, n as usize),
            0x81 => (3, d[2] as usize),
            0x82 => (4, (d[2] as usize) << 8 | d[3] as usize),
            _ => panic!("unsupported length"),
        }
    };
    let (h, n) = header(der);
    let mut content = &der[h..h + n];
    let mut out = vec![];
    while !content.is_empty() {
        let (h, n) = header(content);
        out.push(&content[..h + n]);
        content = &content[h + n..];
    }
    out
}

/// Re-signs a finished certificate under another AlgorithmIdentifier: both the inner and the
/// outer identifiers become `alg_id`, and `sign` signs the new tbsCertificate.
pub fn resign(der: &[u8], alg_id: &[u8], sign: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let outer = children(der);
    let mut tbs_parts: Vec<Vec<u8>> = children(outer[0]).into_iter().map(<[u8]>::to_vec).collect();
    // [0] version, serialNumber, signature: the third element (rcgen always writes v3).
    tbs_parts[2] = alg_id.to_vec();
    let tbs = tlv(0x30, &tbs_parts.concat());
    let mut bits = vec![0u8];
    bits.extend(sign(&tbs));
    tlv(
        0x30,
        &[tbs.clone(), alg_id.to_vec(), tlv(0x03, &bits)].concat(),
    )
}

const SHA256_OID: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
];
const SHA384_OID: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
];
const SHA512_OID: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
];

fn hash_oid(bits: u16) -> &'static [u8] {
    match bits {
        256 => SHA256_OID,
        384 => SHA384_OID,
        512 => SHA512_OID,
        _ => panic!("hash"),
    }
}

/// RSASSA-PSS AlgorithmIdentifier (RFC 4055 §3.1) with the given hash, MGF1 hash and salt.
pub fn pss_alg_id(hash: u16, mgf_hash: u16, salt: u8) -> Vec<u8> {
    let pss = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A,
    ];
    let mgf1 = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08,
    ];
    let null = [0x05, 0x00];
    let h = tlv(0x30, &[hash_oid(hash), &null].concat());
    let m = tlv(
        0x30,
        &[&mgf1[..], &tlv(0x30, &[hash_oid(mgf_hash), &null].concat())].concat(),
    );
    let params = tlv(
        0x30,
        &[tlv(0xA0, &h), tlv(0xA1, &m), tlv(0xA2, &tlv(0x02, &[salt]))].concat(),
    );
    tlv(0x30, &[&pss[..], &params].concat())
}

/// A deterministic "random" source for PSS salts in tests.
struct CountingRng(u64);

impl rsa::rand_core::TryRng for CountingRng {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.0 += 1;
        Ok(self.0 as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 += 1;
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            self.0 += 1;
            *b = self.0 as u8;
        }
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for CountingRng {}

/// An RSASSA-PSS signature by RSA fixture key `key` with `hash`, salt length = hash length.
pub fn sign_pss(key: u8, hash: u16, msg: &[u8]) -> Vec<u8> {
    use rsa::signature::{RandomizedSigner, SignatureEncoding};
    let k = rsa_key(&format!("rsa2048-{key}"));
    let mut rng = CountingRng(7);
    match hash {
        256 => rsa::pss::SigningKey::<sha2::Sha256>::new(k)
            .sign_with_rng(&mut rng, msg)
            .to_vec(),
        384 => rsa::pss::SigningKey::<sha2::Sha384>::new(k)
            .sign_with_rng(&mut rng, msg)
            .to_vec(),
        512 => rsa::pss::SigningKey::<sha2::Sha512>::new(k)
            .sign_with_rng(&mut rng, msg)
            .to_vec(),
        _ => panic!("hash"),
    }
}

/// Re-signs a certificate issued by RSA fixture key `issuer_key` with sha1WithRSAEncryption.
pub fn resign_sha1(der: &[u8], issuer_key: u8) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer};
    let alg = [
        0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00,
    ];
    resign(der, &alg, |tbs| {
        let key = rsa_key(&format!("rsa2048-{issuer_key}"));
        rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key)
            .sign(tbs)
            .to_vec()
    })
}

/// Re-signs a certificate issued by RSA fixture key `issuer_key` with RSASSA-PSS.
pub fn resign_pss(der: &[u8], issuer_key: u8, hash: u16) -> Vec<u8> {
    resign(der, &pss_alg_id(hash, hash, (hash / 8) as u8), |tbs| {
        sign_pss(issuer_key, hash, tbs)
    })
}

/// Edits the tbsCertificate of a certificate issued by `by` (its parts: version, serial,
/// signature, issuer, validity, subject, subjectPublicKeyInfo, extensions) and signs the result
/// again with `by`'s key under the same algorithm: for encodings rcgen cannot write (string
/// types such as VisibleString, invalid contents, non-minimal OIDs, oversized names).
pub fn resign_edited(der: &[u8], by: &Node, edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    let outer = children(der);
    let mut tbs_parts: Vec<Vec<u8>> = children(outer[0]).into_iter().map(<[u8]>::to_vec).collect();
    edit(&mut tbs_parts);
    let tbs = tlv(0x30, &tbs_parts.concat());
    let mut bits = vec![0u8];
    bits.extend(by.issuer.key().sign(&tbs).unwrap());
    tlv(
        0x30,
        &[tbs.clone(), outer[1].to_vec(), tlv(0x03, &bits)].concat(),
    )
}

/// Index of the subject Name among the tbsCertificate parts of [`resign_edited`].
pub const TBS_SUBJECT: usize = 5;

/// OID content bytes of attribute types used in hand-built names.
pub mod attr {
    /// commonName, 2.5.4.3.
    pub const CN: &[u8] = &[0x55, 0x04, 0x03];
    /// organizationName, 2.5.4.10.
    pub const O: &[u8] = &[0x55, 0x04, 0x0A];
    /// emailAddress, 1.2.840.113549.1.9.1.
    pub const EMAIL: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01];
}

/// One attribute of a hand-built name: OID content bytes, value tag, value bytes.
pub type Ava<'a> = (&'a [u8], u8, Vec<u8>);

/// A DER Name from RDNs, each a list of attributes; lengths up to 64 KiB.
pub fn name_der(rdns: &[Vec<Ava<'_>>]) -> Vec<u8> {
    let set = |avas: &Vec<Ava<'_>>| {
        let inner: Vec<u8> = avas
            .iter()
            .flat_map(|(oid, tag, value)| tlv(0x30, &[tlv(0x06, oid), tlv(*tag, value)].concat()))
            .collect();
        tlv(0x31, &inner)
    };
    tlv(0x30, &rdns.iter().flat_map(set).collect::<Vec<u8>>())
}

/// Re-signs a CRL issued by RSA fixture key `issuer_key` with sha1WithRSAEncryption (the
/// CRL's tbsCertList holds its signature AlgorithmIdentifier second, after the version).
pub fn resign_crl_sha1(der: &[u8], issuer_key: u8) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer};
    let alg = [
        0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00,
    ];
    let outer = children(der);
    let mut tbs_parts: Vec<Vec<u8>> = children(outer[0]).into_iter().map(<[u8]>::to_vec).collect();
    tbs_parts[1] = alg.to_vec();
    let tbs = tlv(0x30, &tbs_parts.concat());
    let key = rsa_key(&format!("rsa2048-{issuer_key}"));
    let mut bits = vec![0u8];
    bits.extend(
        rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key)
            .sign(&tbs)
            .to_vec(),
    );
    tlv(0x30, &[tbs, alg.to_vec(), tlv(0x03, &bits)].concat())
}
