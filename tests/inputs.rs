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
use x509_dbauth::{CertError, TrustAnchors, certificates_from_pem_or_der, pem_blocks};

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
            pem_blocks(&bytes, "CERTIFICATE").unwrap_or_else(|e| panic!("{name}: {e}")),
            ders,
            "{name}"
        );
        assert_eq!(
            certificates_from_pem_or_der(&bytes).unwrap(),
            ders,
            "{name}"
        );
    }
    // Omitted padding, for each remainder: data of length n, n - 1, n - 2 needs 0, 1 and 2
    // padding characters (pem_blocks does not parse the DER).
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
        assert_eq!(pem_blocks(text.as_bytes(), "CERTIFICATE").unwrap(), [data]);
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
    let pem_err = |bytes: &[u8]| match pem_blocks(bytes, "CERTIFICATE").unwrap_err() {
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
        pem_blocks(text.as_bytes(), "CERTIFICATE")
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
    assert_eq!(
        pem_blocks(b"caf\xe9", "CERTIFICATE").unwrap_err().kind(),
        "no_pem_block"
    );
}
