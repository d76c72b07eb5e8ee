//! Inputs as operators have them: PEM written by other tools (issue 7 item 17) and trust
//! anchors identified by subject and key (issue 7 item 3), over generated certificates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::generate::{Alg, Node, Spec, issue, root};
use x509_dbauth::x509::Certificate;
use x509_dbauth::{TrustAnchors, errors::CertError};

/// The certificates of a PEM (or DER) input, as plain bytes to compare with.
fn pem_blocks(input: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    Certificate::ders_from_pem_or_der(input).map(|v| v.iter().map(|d| d.to_vec()).collect())
}

// ---- item 17: RFC 7468 §3 lax PEM ----

/// The Base64 text of a DER value, on one line.
fn base64_one_line(der: &[u8]) -> String {
    let pem = pem_rfc7468::encode_string("X", pem_rfc7468::LineEnding::LF, der).unwrap();
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// A block with the Base64 text wrapped at `width` columns, each line ending in `eol` and
/// starting with `indent`.
fn block(label: &str, der: &[u8], width: usize, eol: &str, indent: &str) -> String {
    let b64 = base64_one_line(der);
    let mut s = format!("{indent}-----BEGIN {label}-----{eol}");
    for chunk in b64.as_bytes().chunks(width) {
        s.push_str(indent);
        s.push_str(std::str::from_utf8(chunk).unwrap());
        s.push_str(eol);
    }
    s.push_str(&format!("{indent}-----END {label}-----{eol}"));
    s
}

fn three_certs() -> Vec<Vec<u8>> {
    let ca = root(&Spec::ca("PEM Test Root", Alg::P256));
    let mid: Node = issue(&Spec::ca("PEM Test Issuing", Alg::Ed25519), &ca);
    let leaf = issue(&Spec::leaf("PEM Test Leaf", Alg::P256), &mid);
    vec![leaf.der, mid.der, ca.der]
}

#[test]
fn lax_pem_forms_decode_to_the_original_der() {
    let ders = three_certs();
    let one_line = |d: &Vec<u8>| {
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64_one_line(d)
        )
    };
    let forms: Vec<(&str, Vec<u8>)> = vec![
        (
            "Base64 on one line",
            ders.iter().map(one_line).collect::<String>().into_bytes(),
        ),
        (
            "76-column lines",
            ders.iter()
                .map(|d| block("CERTIFICATE", d, 76, "\n", ""))
                .collect::<String>()
                .into_bytes(),
        ),
        (
            "CRLF line ends",
            ders.iter()
                .map(|d| block("CERTIFICATE", d, 64, "\r\n", ""))
                .collect::<String>()
                .into_bytes(),
        ),
        (
            "indented blocks (YAML, configuration files)",
            ders.iter()
                .map(|d| block("CERTIFICATE", d, 64, "\n", "    "))
                .collect::<String>()
                .into_bytes(),
        ),
        (
            "tab-indented, CRLF, 76 columns, no final newline",
            ders.iter()
                .map(|d| block("CERTIFICATE", d, 76, "\r\n", "\t"))
                .collect::<String>()
                .trim_end()
                .as_bytes()
                .to_vec(),
        ),
        ("Latin-1 and other blocks between and around", {
            let mut v = b"Bag Attributes\n    friendlyName: caf\xe9 \xab cl\xe9 \xbb\n".to_vec();
            for (i, d) in ders.iter().enumerate() {
                v.extend_from_slice(format!("subject=CN=cert {i}\n").as_bytes());
                v.extend_from_slice(block("CERTIFICATE", d, 64, "\n", "").as_bytes());
                v.extend_from_slice(b"\xff\xfe\x00 binary noise \xe9\n");
                // A block of another label is skipped.
                v.extend_from_slice(block("X509 CRL", b"\x30\x00", 64, "\n", "").as_bytes());
            }
            v.extend_from_slice(b"trailer \xe9");
            v
        }),
        (
            "explanatory text starting with `0` (the DER SEQUENCE tag)",
            {
                let mut v = b"0 warnings; chain follows\n".to_vec();
                for d in &ders {
                    v.extend_from_slice(block("CERTIFICATE", d, 64, "\n", "").as_bytes());
                }
                v
            },
        ),
        (
            "Base64 padding omitted",
            ders.iter()
                .map(|d| one_line(d).replace('=', ""))
                .collect::<String>()
                .into_bytes(),
        ),
        ("the whole block on one line", {
            ders.iter()
                .map(|d| {
                    format!(
                        "-----BEGIN CERTIFICATE----- {} -----END CERTIFICATE-----",
                        base64_one_line(d)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
                .into_bytes()
        }),
    ];
    for (name, bytes) in forms {
        assert_eq!(
            pem_blocks(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")),
            ders,
            "{name}"
        );
    }
    // Omitted padding, for each remainder: data of length n, n - 1, n - 2 needs 0, 1 and 2
    // padding characters (the certificates are not parsed when read).
    let n = ders[0].len() / 3 * 3;
    let mut pads = Vec::new();
    for len in [n, n - 1, n - 2] {
        let data = &ders[0][..len];
        let b64 = base64_one_line(data);
        pads.push(b64.matches('=').count());
        let text = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            b64.trim_end_matches('=')
        );
        assert_eq!(pem_blocks(text.as_bytes()).unwrap(), [data]);
    }
    assert_eq!(pads, [0, 1, 2]);
    // Trust anchors read the same way (the root, from a Latin-1 commented, indented file).
    let mut bundle = b"# Stammzertifikat f\xfcr die Datenbank\n".to_vec();
    bundle.extend_from_slice(block("CERTIFICATE", &ders[2], 76, "\r\n", "  ").as_bytes());
    let anchors = TrustAnchors::from_pem(&bundle).unwrap();
    assert_eq!(anchors.iter().next().unwrap().der, ders[2].as_slice());
}

#[test]
fn broken_blocks_say_which_block_which_line_and_what() {
    let ders = three_certs();
    let good = block("CERTIFICATE", &ders[0], 64, "\n", "");
    let good_lines = good.lines().count();
    let pem_err = |bytes: &[u8]| match pem_blocks(bytes).unwrap_err() {
        CertError::Pem(m) => m,
        other => panic!("not a PEM error: {other:?}"),
    };

    // A character that is not Base64 in the second block, third line, column 5.
    let mut second = block("CERTIFICATE", &ders[1], 64, "\n", "");
    let third_line_start: usize = second.lines().take(2).map(|l| l.len() + 1).sum();
    second.replace_range(third_line_start + 4..third_line_start + 5, "!");
    let text = format!("{good}\n{second}");
    let begin_line = good_lines + 2;
    assert_eq!(
        pem_err(text.as_bytes()),
        format!(
            "PEM block 2 (CERTIFICATE, BEGIN at line {begin_line}): line {}, column 5: a character that is not Base64",
            begin_line + 2
        )
    );
    // The message is the error's whole text (CertError::Pem prefixes it).
    assert!(
        pem_blocks(text.as_bytes())
            .unwrap_err()
            .to_string()
            .starts_with("the PEM input is invalid: PEM block 2 ")
    );

    // No END line.
    let cut = format!("{good}-----BEGIN CERTIFICATE-----\nMIIB\n");
    assert_eq!(
        pem_err(cut.as_bytes()),
        format!(
            "PEM block 2 (CERTIFICATE, BEGIN at line {}): no `-----END CERTIFICATE-----` line follows",
            good_lines + 1
        )
    );
    // END with another label.
    let mismatched = block("CERTIFICATE", &ders[0], 64, "\n", "")
        .replace("-----END CERTIFICATE-----", "-----END X509 CRL-----");
    assert_eq!(
        pem_err(mismatched.as_bytes()),
        format!(
            "PEM block 1 (CERTIFICATE, BEGIN at line 1): the END line (line {good_lines}) has the label X509 CRL"
        )
    );
    // A BEGIN inside a block (a file cut and pasted together).
    let nested = format!("-----BEGIN CERTIFICATE-----\nMIIB\n{good}");
    assert_eq!(
        pem_err(nested.as_bytes()),
        "PEM block 1 (CERTIFICATE, BEGIN at line 1): another BEGIN line (line 3) comes before its END line"
    );
    // Base64 cut one character past a group of four.
    let b64 = base64_one_line(&ders[0]).replace('=', "");
    let truncated_len = (b64.len() / 4 - 1) * 4 + 1;
    let truncated = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        &b64[..truncated_len]
    );
    assert_eq!(
        pem_err(truncated.as_bytes()),
        format!(
            "PEM block 1 (CERTIFICATE, BEGIN at line 1): the Base64 text is truncated ({truncated_len} characters, one more than a whole group of four)"
        )
    );
    // Data after the padding.
    let after_pad = "-----BEGIN CERTIFICATE-----\nMA==\nMA==\n-----END CERTIFICATE-----\n";
    assert_eq!(
        pem_err(after_pad.as_bytes()),
        "PEM block 1 (CERTIFICATE, BEGIN at line 1): line 3, column 1: Base64 text after the `=` padding"
    );
    // Encapsulated headers (RFC 1421) are named as such.
    let headers =
        "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nMA==\n-----END CERTIFICATE-----\n";
    assert_eq!(
        pem_err(headers.as_bytes()),
        "PEM block 1 (CERTIFICATE, BEGIN at line 1): line 2, column 5: a character that is not Base64"
    );
    // Trailing bits that are not zero: the Base64 text does not stand for whole bytes.
    let bits = "-----BEGIN CERTIFICATE-----\nMB==\n-----END CERTIFICATE-----\n";
    assert!(
        pem_err(bits.as_bytes()).starts_with(
            "PEM block 1 (CERTIFICATE, BEGIN at line 1): the Base64 text does not decode ("
        ),
        "{}",
        pem_err(bits.as_bytes())
    );
    // An empty block.
    assert_eq!(
        pem_err(b"  -----BEGIN CERTIFICATE-----\r\n  -----END CERTIFICATE-----\r\n"),
        "PEM block 1 (CERTIFICATE, BEGIN at line 1): the block holds no Base64 data"
    );
    // No block at all: its own error kind, whatever the encoding of the text.
    assert_eq!(pem_blocks(b"caf\xe9").unwrap_err().kind(), "no_pem_block");
}

// ---- item 3: an anchor is its subject and public key ----

mod anchors {
    use std::time::Duration;

    use super::common::generate::{Alg, DAY, NOW, Spec, issue, root, tlv};
    use x509_dbauth::{
        Authenticator, CertificateDer, CertificateKind, Settings, SettingsError, TrustAnchors,
        UnixTime, UserSpec, Verifier,
    };

    fn now() -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64))
    }

    /// The elements inside a DER SEQUENCE (lengths up to 2 bytes), each with its header.
    fn children(der: &[u8]) -> Vec<Vec<u8>> {
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
            out.push(content[..h + n].to_vec());
            content = &content[h + n..];
        }
        out
    }

    /// `der` with its SubjectPublicKeyInfo replaced (the self-signature no longer verifies;
    /// anchors' self-signatures are not checked, so this is still a loadable anchor).
    fn with_spki(der: &[u8], spki: Vec<u8>) -> Vec<u8> {
        let outer = children(der);
        let mut tbs = children(&outer[0]);
        // version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
        tbs[6] = spki;
        let tbs = tlv(0x30, &tbs.concat());
        tlv(0x30, &[tbs, outer[1].clone(), outer[2].clone()].concat())
    }

    /// The managed CA: subject "Managed CA", RSA fixture key 1, serial 1, valid to NOW + 10 y.
    fn managed_spec() -> Spec {
        Spec::ca("Managed CA", Alg::Rsa2048Sha256(1))
    }

    fn in_both_sets(managed_der: &[u8], project_der: &[u8]) -> SettingsError {
        let managed = TrustAnchors::from_ders([managed_der]).unwrap();
        let project = TrustAnchors::from_ders([project_der]).unwrap();
        let e = Verifier::builder()
            .managed_ca(managed.clone())
            .self_managed_ca(Some(project.clone()), true)
            .build()
            .unwrap_err();
        // Settings are refused the same way.
        let s = Settings::builder()
            .managed_ca(managed)
            .enable_self_managed(project)
            .build()
            .unwrap_err();
        assert_eq!(s.to_string(), e.to_string());
        e
    }

    fn sha256_hex(der: &[u8]) -> String {
        let anchors = TrustAnchors::from_ders([der]).unwrap();
        let fp = anchors.iter().next().unwrap().fingerprint_sha256;
        fp.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn expected(copy: &[u8]) -> String {
        format!(
            "the CA \"CN=Managed CA,O=x509-dbauth tests\" (SHA-256 {}) is in both the managed and the self-managed CA set; a certificate it issued could not be classified",
            sha256_hex(copy)
        )
    }

    #[test]
    fn a_re_encoded_managed_ca_in_the_project_bundle_is_refused() {
        let managed = root(&managed_spec());
        // Same subject and key; new serial and a longer validity (a valid self-signature).
        let renewed = root(&Spec {
            serial: 77,
            not_after: NOW + 20 * 365 * DAY,
            ..managed_spec()
        })
        .der;
        assert_ne!(renewed, managed.der);
        // The same with a broken self-signature.
        let mut broken = renewed.clone();
        *broken.last_mut().unwrap() ^= 0x01;
        // The same key with rsaEncryption's NULL parameters left out.
        let spki = children(&children(&managed.der)[0])[6].clone();
        let parts = children(&spki);
        let alg_without_null = tlv(0x30, &children(&parts[0])[0]);
        let no_null = with_spki(
            &managed.der,
            tlv(0x30, &[alg_without_null, parts[1].clone()].concat()),
        );
        for (name, copy) in [
            ("renewed", &renewed),
            ("broken signature", &broken),
            ("no NULL", &no_null),
        ] {
            let e = in_both_sets(&managed.der, copy);
            assert_eq!(e.kind(), "anchor_in_both_sets", "{name}");
            assert_eq!(e.to_string(), expected(copy), "{name}");
        }
        // A different key under the same subject is another anchor: accepted.
        let other_key = root(&Spec::ca("Managed CA", Alg::Rsa2048Sha256(2))).der;
        let v = Verifier::builder()
            .managed_ca(TrustAnchors::from_ders([&managed.der]).unwrap())
            .self_managed_ca(Some(TrustAnchors::from_ders([&other_key]).unwrap()), true)
            .build()
            .unwrap();
        assert_eq!(
            (v.managed_anchors().len(), v.self_managed_anchors().len()),
            (1, 1)
        );
    }

    #[test]
    fn a_compressed_ec_point_is_the_same_key() {
        let managed = root(&Spec::ca("Managed CA", Alg::P256));
        let spki = children(&children(&managed.der)[0])[6].clone();
        let parts = children(&spki);
        // BIT STRING 00 04 X Y → 00 (02 | y parity) X
        let bits = &parts[1];
        let point = &bits[bits.len() - 65..];
        assert_eq!(point[0], 0x04);
        let mut compressed = vec![0x00, 0x02 | (point[64] & 1)];
        compressed.extend_from_slice(&point[1..33]);
        let copy = with_spki(
            &managed.der,
            tlv(0x30, &[parts[0].clone(), tlv(0x03, &compressed)].concat()),
        );
        let e = in_both_sets(&managed.der, &copy);
        assert_eq!(e.to_string(), expected(&copy));
        // Within one set, the copy is a duplicate of the same anchor.
        let e = TrustAnchors::from_ders([&managed.der, &copy]).unwrap_err();
        assert_eq!((e.kind(), e.certificate_index()), ("duplicate", Some(1)));
        // `extend` keeps one of them.
        let mut set = TrustAnchors::from_ders([&managed.der]).unwrap();
        set.extend(TrustAnchors::from_ders([&copy]).unwrap());
        assert_eq!(set.len(), 1);
    }

    #[cfg(feature = "cli")]
    #[test]
    fn config_check_refuses_the_copy() {
        let managed = root(&managed_spec());
        let renewed = root(&Spec {
            serial: 78,
            not_after: NOW + 20 * 365 * DAY,
            ..managed_spec()
        });
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("inputs-both-sets");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("managed.pem"), managed.pem()).unwrap();
        std::fs::write(dir.join("project.pem"), renewed.pem()).unwrap();
        let settings = dir.join("s.toml");
        std::fs::write(
            &settings,
            "[managed_x509]\nca_file = \"managed.pem\"\n\n[self_managed_x509]\nenabled = true\nca_file = \"project.pem\"\n",
        )
        .unwrap();
        let s = settings.display().to_string();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_x509-dbauth"))
            .args(["config", "check", &s])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!(
                "x509-dbauth: {s}:6: self_managed_x509.ca_file: {}\n",
                expected(&renewed.der)
            )
        );
    }

    /// The kind of a verified client is decided by its anchor's key: a client verified when
    /// the managed set held the original CA is still managed under settings whose managed
    /// set holds a re-encoded copy (same subject and key, other bytes), and no longer trusted
    /// under settings without that key.
    #[test]
    fn classification_follows_the_anchor_key_not_its_bytes() {
        let managed = root(&managed_spec());
        let renewed = root(&Spec {
            serial: 79,
            not_after: NOW + 20 * 365 * DAY,
            ..managed_spec()
        });
        let leaf = issue(&Spec::leaf("alice", Alg::P256), &managed);
        let user = "CN=alice,O=x509-dbauth tests";
        let settings = |ca: &[u8]| {
            Settings::builder()
                .managed_ca(TrustAnchors::from_ders([ca]).unwrap())
                .add_user(UserSpec::new(user, CertificateKind::Managed).role("read@sales"))
                .build()
                .unwrap()
                .into_arc()
        };
        let first = Authenticator::new(settings(&managed.der));
        let client = first
            .verify_client(&[CertificateDer::from(leaf.der.as_slice())], now())
            .unwrap();
        assert_eq!(client.kind(), CertificateKind::Managed);

        let renewed_settings = Authenticator::new(settings(&renewed.der));
        let p = renewed_settings
            .authenticate_blocking(&client, None)
            .unwrap();
        assert_eq!((p.user(), p.kind()), (user, CertificateKind::Managed));

        let other = root(&Spec::ca("Managed CA", Alg::Rsa2048Sha256(2)));
        let e = Authenticator::new(settings(&other.der))
            .authenticate_blocking(&client, None)
            .unwrap_err();
        assert_eq!(e.kind(), "anchor_no_longer_trusted");
    }
}
