//! The ring backend (feature `ring`): the same algorithms and the same refusals as
//! [`RustCryptoVerifier`](super::RustCryptoVerifier), 3–4× faster.
//!
//! ring reports every failure as one opaque error, so the checks that let the RustCrypto backend
//! say "malformed key" or "malformed signature" instead of "bad signature" are repeated here on
//! the encodings (cheap, no arithmetic). What remains opaque (an EC point off the curve, an
//! Ed25519 key that does not decompress, an RSA exponent ring refuses) is `BadSignature`.

use ring::signature::{self as rs, UnparsedPublicKey, VerificationAlgorithm};

use super::{HashAlg, KeyKind, SignatureAlgorithm, SignatureVerifier, SpkiRef, mismatch};
use crate::asn1::{self, tag};
use crate::error::CryptoError;
use crate::oid;

/// Signature verification with [ring](https://docs.rs/ring) (feature `ring`).
///
/// Same algorithms as the default backend, except ECDSA with SHA-1 or SHA-512, which ring does
/// not verify: those are refused with [`CryptoError::UnsupportedAlgorithm`]. EC keys must be
/// uncompressed points (RFC 5480 §2.2 makes compressed ones optional; ring does not take them).
/// Select it with `signature_verifier(Arc::new(RingVerifier))` on `ChainVerifierBuilder`,
/// `VerifierBuilder` or `SettingsBuilder`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RingVerifier;

/// ECDSA verification is absent from ring for these hashes; the OID names the algorithm.
fn ecdsa_unsupported(h: HashAlg) -> CryptoError {
    let alg = match h {
        HashAlg::Sha1 => oid::ECDSA_SHA1,
        HashAlg::Sha256 => oid::ECDSA_SHA256,
        HashAlg::Sha384 => oid::ECDSA_SHA384,
        HashAlg::Sha512 => oid::ECDSA_SHA512,
    };
    CryptoError::UnsupportedAlgorithm {
        oid: oid::to_dotted(alg),
    }
}

/// The SEC1 shape the RustCrypto backend would accept, sorted into what ring can use
/// (uncompressed), what it cannot (compressed), and what nobody can (anything else).
fn ec_point(key: &[u8], field_len: usize) -> Result<(), CryptoError> {
    match key.split_first() {
        Some((0x04, xy)) if xy.len() == 2 * field_len => Ok(()),
        Some((0x02 | 0x03, x)) if x.len() == field_len => Err(CryptoError::UnsupportedKey {
            oid: "id-ecPublicKey with a compressed point (the ring backend needs uncompressed)"
                .into(),
        }),
        _ => Err(CryptoError::MalformedKey),
    }
}

/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 §2.2), structurally.
fn ecdsa_sig_der(sig: &[u8]) -> Result<(), CryptoError> {
    let malformed = |_| CryptoError::MalformedSignature;
    let mut r = asn1::single(sig, tag::SEQUENCE)
        .map_err(malformed)?
        .reader();
    for _ in 0..2 {
        r.read_tlv(tag::INTEGER)
            .and_then(|i| i.integer())
            .map_err(malformed)?;
    }
    r.finish().map_err(malformed)
}

impl SignatureVerifier for RingVerifier {
    fn name(&self) -> &'static str {
        "ring"
    }

    fn verify(
        &self,
        alg: SignatureAlgorithm,
        spki: &SpkiRef<'_>,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), CryptoError> {
        let params: &'static dyn VerificationAlgorithm = match (alg, spki.kind) {
            (SignatureAlgorithm::RsaPkcs1(h), KeyKind::Rsa { .. }) => match h {
                // The crate's policy has already refused SHA-1 unless allowed, and RSA keys under
                // MIN_RSA_BITS, so the legacy parameter set's 1024-bit floor never decides.
                HashAlg::Sha1 => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                HashAlg::Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
                HashAlg::Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
                HashAlg::Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
            },
            (SignatureAlgorithm::RsaPss(h), KeyKind::Rsa { .. }) => match h {
                // ring's PSS parameter sets fix MGF1 hash = message hash and salt length = hash
                // length, the only profile `SignatureAlgorithm::from_der` lets through.
                HashAlg::Sha256 => &rs::RSA_PSS_2048_8192_SHA256,
                HashAlg::Sha384 => &rs::RSA_PSS_2048_8192_SHA384,
                HashAlg::Sha512 => &rs::RSA_PSS_2048_8192_SHA512,
                HashAlg::Sha1 => return Err(CryptoError::BadPssParameters("SHA-1")),
            },
            (SignatureAlgorithm::Ecdsa(h), KeyKind::P256) => {
                let params: &'static rs::EcdsaVerificationAlgorithm = match h {
                    HashAlg::Sha256 => &rs::ECDSA_P256_SHA256_ASN1,
                    HashAlg::Sha384 => &rs::ECDSA_P256_SHA384_ASN1,
                    HashAlg::Sha1 | HashAlg::Sha512 => return Err(ecdsa_unsupported(h)),
                };
                ec_point(spki.key, 32)?;
                ecdsa_sig_der(sig)?;
                params
            }
            (SignatureAlgorithm::Ecdsa(h), KeyKind::P384) => {
                let params: &'static rs::EcdsaVerificationAlgorithm = match h {
                    HashAlg::Sha256 => &rs::ECDSA_P384_SHA256_ASN1,
                    HashAlg::Sha384 => &rs::ECDSA_P384_SHA384_ASN1,
                    HashAlg::Sha1 | HashAlg::Sha512 => return Err(ecdsa_unsupported(h)),
                };
                ec_point(spki.key, 48)?;
                ecdsa_sig_der(sig)?;
                params
            }
            (SignatureAlgorithm::Ed25519, KeyKind::Ed25519) => {
                if spki.key.len() != 32 {
                    return Err(CryptoError::MalformedKey);
                }
                if sig.len() != 64 {
                    return Err(CryptoError::MalformedSignature);
                }
                &rs::ED25519
            }
            // Refused by the crate's policy before a backend is called; answered the same way
            // for a direct caller.
            (alg, kind) => return Err(mismatch(alg, kind)),
        };
        // ring's error carries no detail (by design, to avoid oracles); like the RustCrypto
        // backend's verification error it means the signature does not verify with this key.
        UnparsedPublicKey::new(params, spki.key)
            .verify(msg, sig)
            .map_err(|_| CryptoError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::super::RustCryptoVerifier;
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair as _;

    /// DER TLV with a definite length of up to 65535 octets.
    fn tlv(t: u8, content: &[u8]) -> Vec<u8> {
        let n = content.len();
        let mut v = vec![t];
        match n {
            0..=0x7F => v.push(n as u8),
            0x80..=0xFF => v.extend([0x81, n as u8]),
            _ => v.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        v.extend_from_slice(content);
        v
    }

    /// A SubjectPublicKeyInfo for `key` under `alg_oid` with optional `params` (full TLV).
    fn spki(alg_oid: &[u8], params: Option<Vec<u8>>, key: &[u8]) -> Vec<u8> {
        let mut alg = tlv(tag::OID, alg_oid);
        alg.extend(params.unwrap_or_default());
        let mut bits = vec![0];
        bits.extend_from_slice(key);
        tlv(
            tag::SEQUENCE,
            &[tlv(tag::SEQUENCE, &alg), tlv(tag::BIT_STRING, &bits)].concat(),
        )
    }

    fn rsa_pkcs8() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/common/keys/rsa2048-1.pk8.pem"
        );
        let pem = std::fs::read_to_string(path).unwrap();
        pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1
    }

    /// One signed message per mapping: (algorithm, SPKI DER, signature).
    fn signed(alg: SignatureAlgorithm, msg: &[u8]) -> (Vec<u8>, Vec<u8>) {
        use signature::hazmat::PrehashSigner;
        let rng = SystemRandom::new();
        match alg {
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha1) => {
                // ring cannot sign with SHA-1; the rsa crate can.
                use rsa::pkcs8::DecodePrivateKey as _;
                use signature::{SignatureEncoding as _, Signer as _};
                let key = rsa::PrivateKey::from_pkcs8_der(&rsa_pkcs8()).unwrap();
                let sig = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key)
                    .sign(msg)
                    .to_vec();
                (rsa_spki(), sig)
            }
            SignatureAlgorithm::RsaPkcs1(h) | SignatureAlgorithm::RsaPss(h) => {
                let pss = matches!(alg, SignatureAlgorithm::RsaPss(_));
                let enc: &'static dyn rs::RsaEncoding = match (pss, h) {
                    (false, HashAlg::Sha256) => &rs::RSA_PKCS1_SHA256,
                    (false, HashAlg::Sha384) => &rs::RSA_PKCS1_SHA384,
                    (false, HashAlg::Sha512) => &rs::RSA_PKCS1_SHA512,
                    (true, HashAlg::Sha256) => &rs::RSA_PSS_SHA256,
                    (true, HashAlg::Sha384) => &rs::RSA_PSS_SHA384,
                    (true, HashAlg::Sha512) => &rs::RSA_PSS_SHA512,
                    _ => unreachable!(),
                };
                let kp = rs::RsaKeyPair::from_pkcs8(&rsa_pkcs8()).unwrap();
                let mut sig = vec![0; kp.public().modulus_len()];
                kp.sign(enc, &rng, msg, &mut sig).unwrap();
                (rsa_spki(), sig)
            }
            SignatureAlgorithm::Ecdsa(h) => {
                // The p256/p384 crates sign any digest (ring signs only the matching pairs).
                let digest = super::super::digest(h, msg);
                (
                    ec_spki(oid::P256, &p256_key().verifying_key().to_sec1_point(false)),
                    PrehashSigner::<p256::ecdsa::Signature>::sign_prehash(&p256_key(), &digest)
                        .unwrap()
                        .to_der()
                        .as_bytes()
                        .to_vec(),
                )
            }
            SignatureAlgorithm::Ed25519 => {
                let kp = rs::Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
                (
                    spki(oid::ED25519, None, kp.public_key().as_ref()),
                    kp.sign(msg).as_ref().to_vec(),
                )
            }
        }
    }

    fn rsa_spki() -> Vec<u8> {
        let kp = rs::RsaKeyPair::from_pkcs8(&rsa_pkcs8()).unwrap();
        spki(
            oid::RSA_ENCRYPTION,
            Some(vec![0x05, 0x00]),
            kp.public_key().as_ref(),
        )
    }

    fn p256_key() -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).unwrap()
    }

    fn p384_key() -> p384::ecdsa::SigningKey {
        p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).unwrap()
    }

    fn ec_spki(curve: &[u8], point: &impl AsRef<[u8]>) -> Vec<u8> {
        spki(
            oid::EC_PUBLIC_KEY,
            Some(tlv(tag::OID, curve)),
            point.as_ref(),
        )
    }

    fn p384_signed(h: HashAlg, msg: &[u8]) -> (Vec<u8>, Vec<u8>) {
        use signature::hazmat::PrehashSigner;
        let digest = super::super::digest(h, msg);
        (
            ec_spki(oid::P384, &p384_key().verifying_key().to_sec1_point(false)),
            PrehashSigner::<p384::ecdsa::Signature>::sign_prehash(&p384_key(), &digest)
                .unwrap()
                .to_der()
                .as_bytes()
                .to_vec(),
        )
    }

    /// Both backends on one case; returns ring's verdict after checking RustCrypto's matches.
    fn both(
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), CryptoError> {
        let spki = SpkiRef::from_der(spki_der).unwrap();
        let ours = RustCryptoVerifier.verify(alg, &spki, msg, sig);
        let theirs = RingVerifier.verify(alg, &spki, msg, sig);
        assert_eq!(ours, theirs, "{}", alg.name());
        theirs
    }

    const MSG: &[u8] = b"tbsCertificate stand-in";

    #[test]
    fn every_mapping_verifies_and_rejects_like_rustcrypto() {
        use HashAlg::*;
        // (case, algorithm, signed by the P-384 key rather than the algorithm's default key)
        let table = [
            (
                "RSA PKCS#1 SHA-1",
                SignatureAlgorithm::RsaPkcs1(Sha1),
                false,
            ),
            (
                "RSA PKCS#1 SHA-256",
                SignatureAlgorithm::RsaPkcs1(Sha256),
                false,
            ),
            (
                "RSA PKCS#1 SHA-384",
                SignatureAlgorithm::RsaPkcs1(Sha384),
                false,
            ),
            (
                "RSA PKCS#1 SHA-512",
                SignatureAlgorithm::RsaPkcs1(Sha512),
                false,
            ),
            ("RSA-PSS SHA-256", SignatureAlgorithm::RsaPss(Sha256), false),
            ("RSA-PSS SHA-384", SignatureAlgorithm::RsaPss(Sha384), false),
            ("RSA-PSS SHA-512", SignatureAlgorithm::RsaPss(Sha512), false),
            ("P-256 SHA-256", SignatureAlgorithm::Ecdsa(Sha256), false),
            ("P-256 SHA-384", SignatureAlgorithm::Ecdsa(Sha384), false),
            ("P-384 SHA-256", SignatureAlgorithm::Ecdsa(Sha256), true),
            ("P-384 SHA-384", SignatureAlgorithm::Ecdsa(Sha384), true),
            ("Ed25519", SignatureAlgorithm::Ed25519, false),
        ];
        for (case, alg, p384) in table {
            let (spki_der, sig) = match alg {
                SignatureAlgorithm::Ecdsa(h) if p384 => p384_signed(h, MSG),
                _ => signed(alg, MSG),
            };
            assert_eq!(both(alg, &spki_der, MSG, &sig), Ok(()), "{case}");
            // Another message: the signature must not verify, with the same error from both.
            assert_eq!(
                both(alg, &spki_der, b"another message", &sig),
                Err(CryptoError::BadSignature),
                "{case}"
            );
        }
    }

    #[test]
    fn ecdsa_sha1_and_sha512_are_unsupported_with_the_oid() {
        // RustCrypto verifies these; ring cannot, so the ring backend refuses them by name
        // instead of reporting a signature failure.
        let (p256_spki, _) = signed(SignatureAlgorithm::Ecdsa(HashAlg::Sha256), MSG);
        let (p384_spki, _) = p384_signed(HashAlg::Sha384, MSG);
        for spki_der in [&p256_spki, &p384_spki] {
            let spki = SpkiRef::from_der(spki_der).unwrap();
            for (h, oid) in [
                (HashAlg::Sha1, "1.2.840.10045.4.1"),
                (HashAlg::Sha512, "1.2.840.10045.4.3.4"),
            ] {
                let digest = super::super::digest(h, MSG);
                let sig = match spki.kind {
                    KeyKind::P256 => {
                        signature::hazmat::PrehashSigner::<p256::ecdsa::Signature>::sign_prehash(
                            &p256_key(),
                            &digest,
                        )
                        .unwrap()
                        .to_der()
                        .as_bytes()
                        .to_vec()
                    }
                    _ => signature::hazmat::PrehashSigner::<p384::ecdsa::Signature>::sign_prehash(
                        &p384_key(),
                        &digest,
                    )
                    .unwrap()
                    .to_der()
                    .as_bytes()
                    .to_vec(),
                };
                let alg = SignatureAlgorithm::Ecdsa(h);
                assert_eq!(RustCryptoVerifier.verify(alg, &spki, MSG, &sig), Ok(()));
                let err = RingVerifier.verify(alg, &spki, MSG, &sig).unwrap_err();
                assert_eq!(err, CryptoError::UnsupportedAlgorithm { oid: oid.into() });
                assert_eq!(
                    err.to_string(),
                    format!("signature algorithm {oid} is not supported")
                );
            }
        }
    }

    #[test]
    fn key_and_algorithm_must_pair_as_with_rustcrypto() {
        let (rsa, rsa_sig) = signed(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256), MSG);
        let (ec, ec_sig) = signed(SignatureAlgorithm::Ecdsa(HashAlg::Sha256), MSG);
        let (ed, ed_sig) = signed(SignatureAlgorithm::Ed25519, MSG);
        let table = [
            (
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
                &ec,
                &rsa_sig,
                "P-256",
            ),
            (
                SignatureAlgorithm::RsaPss(HashAlg::Sha256),
                &ed,
                &rsa_sig,
                "Ed25519",
            ),
            (
                SignatureAlgorithm::Ecdsa(HashAlg::Sha256),
                &rsa,
                &ec_sig,
                "RSA",
            ),
            // ECDSA SHA-1 with an RSA key is a pairing error first, as with RustCrypto.
            (
                SignatureAlgorithm::Ecdsa(HashAlg::Sha1),
                &rsa,
                &ec_sig,
                "RSA",
            ),
            (SignatureAlgorithm::Ed25519, &ec, &ed_sig, "P-256"),
        ];
        for (alg, spki_der, sig, key) in table {
            assert_eq!(
                both(alg, spki_der, MSG, sig),
                Err(CryptoError::KeyAlgorithmMismatch {
                    key,
                    algorithm: alg.name()
                })
            );
        }
    }

    #[test]
    fn malformed_encodings_are_classified_like_rustcrypto() {
        let (ec, ec_sig) = signed(SignatureAlgorithm::Ecdsa(HashAlg::Sha256), MSG);
        let (ed, ed_sig) = signed(SignatureAlgorithm::Ed25519, MSG);
        let es256 = SignatureAlgorithm::Ecdsa(HashAlg::Sha256);
        // An ECDSA signature that is not a SEQUENCE of two INTEGERs.
        let mut not_der = ec_sig.clone();
        not_der[0] = 0x31;
        assert_eq!(
            both(es256, &ec, MSG, &not_der),
            Err(CryptoError::MalformedSignature)
        );
        // A truncated Ed25519 signature.
        assert_eq!(
            both(SignatureAlgorithm::Ed25519, &ed, MSG, &ed_sig[..63]),
            Err(CryptoError::MalformedSignature)
        );
        // Keys of the wrong shape (an EC point of the wrong length, an Ed25519 key of the
        // wrong length) are malformed before either backend sees them: `SpkiRef::from_der`
        // refuses them for both, the same way.
        let short = ec_spki(oid::P256, &[4u8; 33]);
        assert_eq!(
            SpkiRef::from_der(&short).unwrap_err(),
            CryptoError::MalformedKey
        );
        let short = spki(oid::ED25519, None, &[1; 31]);
        assert_eq!(
            SpkiRef::from_der(&short).unwrap_err(),
            CryptoError::MalformedKey
        );
    }

    #[test]
    fn compressed_ec_points_are_refused_by_name() {
        // A documented difference: RustCrypto decompresses, ring cannot.
        let key = p256_key();
        let compressed = ec_spki(oid::P256, &key.verifying_key().to_sec1_point(true));
        let (_, sig) = signed(SignatureAlgorithm::Ecdsa(HashAlg::Sha256), MSG);
        let spki = SpkiRef::from_der(&compressed).unwrap();
        let alg = SignatureAlgorithm::Ecdsa(HashAlg::Sha256);
        assert_eq!(RustCryptoVerifier.verify(alg, &spki, MSG, &sig), Ok(()));
        assert!(matches!(
            RingVerifier.verify(alg, &spki, MSG, &sig),
            Err(CryptoError::UnsupportedKey { .. })
        ));
    }

    #[test]
    fn debug_prints_the_backend_name() {
        let b: std::sync::Arc<dyn SignatureVerifier> = std::sync::Arc::new(RingVerifier);
        assert_eq!(format!("{b:?}"), "SignatureVerifier(ring)");
        let b: std::sync::Arc<dyn SignatureVerifier> = std::sync::Arc::new(RustCryptoVerifier);
        assert_eq!(format!("{b:?}"), "SignatureVerifier(RustCrypto)");
    }
}
