//! Differential tests against independent implementations: x509-parser 0.18 reads the DER of
//! hundreds of generated subjects, and `from_der(subject).to_string()` must parse back to the
//! same attributes (OID and decoded value, RDN by RDN); OpenSSL's RFC 2253 printer must print
//! the same string as `server_username()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Stdio};

use rcgen::{CertificateParams, DnType, DnValue, KeyPair};
use x509_dbauth::{DistinguishedName, Limits, names::AttributeValue, x509::Certificate};
use x509_parser::prelude::{FromDer, X509Name};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const EMAIL: &[u64] = &[1, 2, 840, 113549, 1, 9, 1];
const UID: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 1];
const DC: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 25];

/// Characters for values: plain, RFC 4514 specials, spaces, `#`, non-ASCII, NUL.
const POOL: &[&str] = &[
    "a", "b", "Z", "0", "9", " ", " ", ",", "+", "\"", "\\", "<", ">", ";", "#", "=", ".", "-",
    "é", "К", "ß", "大", "😀", "\u{0}", "_", "@",
];
const PRINTABLE: &[&str] = &[
    "A", "z", "5", " ", "'", "(", ")", "+", ",", "-", ".", "/", ":", "=",
]; // yasna (under rcgen) refuses '?'

fn text(rng: &mut Rng, pool: &[&str]) -> String {
    let n = rng.below(9);
    let mut s: String = (0..n).map(|_| *rng.pick(pool)).collect();
    match rng.below(6) {
        0 => s.insert(0, ' '),
        1 => s.push(' '),
        2 if pool.contains(&"#") => s.insert(0, '#'),
        _ => {}
    }
    s
}

fn ascii_pool() -> Vec<&'static str> {
    POOL.iter().copied().filter(|c| c.is_ascii()).collect()
}

/// A random value in one of the string types rcgen can write for this text.
fn dn_value(rng: &mut Rng) -> DnValue {
    match rng.below(6) {
        0 => DnValue::PrintableString(text(rng, PRINTABLE).try_into().unwrap()),
        1 => DnValue::Ia5String(text(rng, &ascii_pool()).try_into().unwrap()),
        2 => {
            let bmp: Vec<&str> = POOL.iter().copied().filter(|c| *c != "😀").collect();
            DnValue::BmpString(text(rng, &bmp).as_str().try_into().unwrap())
        }
        3 => {
            let tt: Vec<&str> = ascii_pool().into_iter().filter(|c| *c != "\u{0}").collect();
            DnValue::TeletexString(text(rng, &tt).as_str().try_into().unwrap())
        }
        4 => DnValue::UniversalString(text(rng, POOL).as_str().try_into().unwrap()),
        _ => DnValue::Utf8String(text(rng, POOL)),
    }
}

fn dn_type(rng: &mut Rng) -> DnType {
    match rng.below(12) {
        0 => DnType::CommonName,
        1 => DnType::OrganizationName,
        2 => DnType::OrganizationalUnitName,
        3 => DnType::CountryName,
        4 => DnType::LocalityName,
        5 => DnType::StateOrProvinceName,
        6 => DnType::CustomDnType(EMAIL.to_vec()),
        7 => DnType::CustomDnType(UID.to_vec()),
        8 => DnType::CustomDnType(DC.to_vec()),
        9 => DnType::CustomDnType(vec![2, 5, 4, 5 + rng.below(50) as u64]),
        _ => DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 55555, rng.below(4) as u64]),
    }
}

/// The subject DER of an rcgen certificate (single-valued RDNs, each type at most once:
/// rcgen's own limits).
fn rcgen_subject(rng: &mut Rng, key: &KeyPair) -> Vec<u8> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = rcgen::DistinguishedName::new();
    for _ in 0..1 + rng.below(7) {
        dn.push(dn_type(rng), dn_value(rng));
    }
    params.distinguished_name = dn;
    let cert = params.self_signed(key).unwrap();
    let (_, x) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
    x.subject().as_raw().to_vec()
}

fn tlv(tag: u8, c: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    if c.len() < 0x80 {
        v.push(c.len() as u8);
    } else if c.len() < 0x100 {
        v.extend([0x81, c.len() as u8]);
    } else {
        v.extend([0x82, (c.len() >> 8) as u8, c.len() as u8]);
    }
    v.extend_from_slice(c);
    v
}

fn oid_der(arcs: &[u64]) -> Vec<u8> {
    let mut out = vec![];
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        tmp.reverse();
        out.extend(tmp);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    tlv(6, &out)
}

/// A hand-encoded Name with what rcgen cannot write: multi-valued RDNs, repeated types (DC),
/// Latin-1 TeletexString, and non-string values.
fn handmade_subject(rng: &mut Rng) -> Vec<u8> {
    let mut seq = vec![];
    for _ in 0..1 + rng.below(5) {
        let mut set = vec![];
        for _ in 0..1 + rng.below(3) {
            let arcs: Vec<u64> = match rng.below(5) {
                0 => DC.to_vec(),
                1 => EMAIL.to_vec(),
                2 => vec![2, 5, 4, 3 + rng.below(9) as u64],
                3 => vec![2, 25, rng.below(100_000) as u64],
                _ => UID.to_vec(),
            };
            let value = match rng.below(4) {
                0 => tlv(0x14, &[b'Z', 0xfc, b'r', 0xe9, b' ', 0xa0, 0x85]),
                1 => tlv(0x04, &[0xde, 0xad, rng.below(256) as u8]),
                2 => tlv(0x30, &tlv(0x02, &[1])),
                _ => tlv(0x0c, text(rng, POOL).as_bytes()),
            };
            set.extend(tlv(0x30, &[oid_der(&arcs), value].concat()));
        }
        seq.extend(tlv(0x31, &set));
    }
    tlv(0x30, &seq)
}

#[derive(Debug, PartialEq)]
enum V {
    Text(String),
    Ber(u32, Vec<u8>),
}

/// What x509-parser reads: per RDN, (dotted OID, decoded value), decoding done here.
fn reference(der: &[u8]) -> Vec<Vec<(String, V)>> {
    let (rest, name) = X509Name::from_der(der).unwrap();
    assert!(rest.is_empty());
    name.iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|a| {
                    let any = a.attr_value();
                    let data: &[u8] = any.data;
                    let tag = any.tag().0;
                    let v = match tag {
                        12 | 19 | 22 => V::Text(String::from_utf8(data.to_vec()).unwrap()),
                        20 => V::Text(data.iter().map(|&b| b as char).collect()),
                        30 => V::Text(
                            char::decode_utf16(
                                data.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])),
                            )
                            .collect::<Result<String, _>>()
                            .unwrap(),
                        ),
                        28 => V::Text(
                            data.chunks(4)
                                .map(|c| {
                                    char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                                        .unwrap()
                                })
                                .collect(),
                        ),
                        t => V::Ber(t, data.to_vec()),
                    };
                    (a.attr_type().to_id_string(), v)
                })
                .collect()
        })
        .collect()
}

/// What this crate reads after a text round trip.
fn ours(der: &[u8]) -> (String, Vec<Vec<(String, V)>>) {
    let printed = DistinguishedName::from_der(der).unwrap().to_string();
    let dn = DistinguishedName::parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
    let rdns = dn
        .rdns()
        .map(|rdn| {
            rdn.iter()
                .map(|a| {
                    let v = match a.value() {
                        AttributeValue::Text { text, .. } => V::Text(text.to_owned()),
                        AttributeValue::Ber(b) => {
                            // Whole element here; x509-parser gives tag and contents.
                            let hdr = if b[1] < 0x80 {
                                2
                            } else {
                                2 + (b[1] & 0x7f) as usize
                            };
                            V::Ber(u32::from(b[0] & 0x1f), b[hdr..].to_vec())
                        }
                    };
                    (a.oid().to_string(), v)
                })
                .collect()
        })
        .collect();
    (printed, rdns)
}

#[test]
fn printed_subjects_read_back_like_x509_parser() {
    let key = KeyPair::generate().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    let mut multi = 0;
    for i in 0..320 {
        let der = if i % 4 == 3 {
            handmade_subject(&mut rng)
        } else {
            rcgen_subject(&mut rng, &key)
        };
        let want = reference(&der);
        let (printed, got) = ours(&der);
        assert_eq!(got, want, "subject #{i} printed as {printed:?}");
        if want.iter().any(|r| r.len() > 1) {
            multi += 1;
        }
        checked += 1;
    }
    assert_eq!(checked, 320);
    assert!(multi >= 20, "only {multi} subjects with multi-valued RDNs");
}

/// Known divergence, not ours: x509-parser 0.18 (asn1-rs) prints an OID under arc 2 whose
/// second arc is 40 or more wrongly (`2.999.54` as `3.16.55.54`), so the generator above keeps
/// second arcs below 40. X.690 §8.19.4: the first subidentifier is 40·X + Y, so 999 + 80 = 1079.
#[test]
fn large_second_arc_under_2() {
    let der = [
        0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x88, 0x37, 0x36, 0x0c, 0x01, b'x',
    ];
    let dn = DistinguishedName::from_der(&der).unwrap();
    assert_eq!(dn.to_string(), "2.999.54=x");
    assert_eq!(DistinguishedName::parse("2.999.54=x").unwrap(), dn);
    let (_, name) = X509Name::from_der(&der).unwrap();
    let theirs = name
        .iter_attributes()
        .next()
        .unwrap()
        .attr_type()
        .to_id_string();
    assert_eq!(theirs, "3.16.55.54");
}

// ---- server_username() against OpenSSL ----
//
// OpenSSL's `-nameopt RFC2253` (`X509_NAME_print_ex` with `XN_FLAG_RFC2253`) is how the
// MongoDB server built the username before it had its own printer (reference §1.1, item 6),
// and the server's printer still agrees with it for values that RFC 4518 preparation leaves
// alone. The names below avoid the three places where the server deliberately differs:
// control characters (the server drops them, OpenSSL escapes them), a trailing space on a value
// of two characters or fewer (the server leaves that space unescaped), and attribute types
// OpenSSL has no name for (the server prints the value as text, `1.2.3.45=Value\,Rando` in its
// own tests; OpenSSL dumps the whole attribute as `#hex`).

/// RFC 4514 specials, spaces, `#`, `=`, and non-ASCII text that NFKC leaves as it is.
const OPENSSL_POOL: &[&str] = &[
    "a", "Q", "7", " ", ",", "+", "\"", "\\", "<", ">", ";", "#", "=", ".", "-", "é", "К", "ß",
    "大", "😀", "_", "@",
];
fn openssl_text(rng: &mut Rng, pool: &[&str]) -> String {
    let n = 3 + rng.below(8);
    let mut s: String = (0..n).map(|_| *rng.pick(pool)).collect();
    match rng.below(5) {
        0 => s.insert(0, ' '),
        1 => s.push(' '),
        2 if pool.contains(&"#") => s.insert(0, '#'),
        _ => {}
    }
    s
}

fn openssl_value(rng: &mut Rng) -> DnValue {
    let ascii: Vec<&str> = OPENSSL_POOL
        .iter()
        .copied()
        .filter(|c| c.is_ascii())
        .collect();
    match rng.below(5) {
        0 => DnValue::PrintableString(openssl_text(rng, PRINTABLE).try_into().unwrap()),
        1 => DnValue::Ia5String(openssl_text(rng, &ascii).try_into().unwrap()),
        2 => {
            let bmp: Vec<&str> = OPENSSL_POOL
                .iter()
                .copied()
                .filter(|c| *c != "😀")
                .collect();
            DnValue::BmpString(openssl_text(rng, &bmp).as_str().try_into().unwrap())
        }
        3 => DnValue::UniversalString(openssl_text(rng, OPENSSL_POOL).as_str().try_into().unwrap()),
        _ => DnValue::Utf8String(openssl_text(rng, OPENSSL_POOL)),
    }
}

fn openssl_attribute_type(rng: &mut Rng) -> DnType {
    match rng.below(10) {
        0 => DnType::CommonName,
        1 => DnType::OrganizationName,
        2 => DnType::OrganizationalUnitName,
        3 => DnType::LocalityName,
        4 => DnType::StateOrProvinceName,
        5 => DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]), // emailAddress
        6 => DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 1]), // UID
        7 => DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]), // DC
        _ => DnType::CustomDnType(vec![2, 5, 4, *rng.pick(&[4, 5, 9, 12, 17, 42, 43, 65])]),
    }
}

/// What `openssl x509 -subject -nameopt RFC2253` prints for `der`.
fn openssl_subject(der: &[u8]) -> String {
    let mut child = Command::new("openssl")
        .args([
            "x509", "-inform", "DER", "-noout", "-subject", "-nameopt", "RFC2253",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the openssl command-line tool runs (Debian package openssl)");
    child.stdin.take().unwrap().write_all(der).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl failed on a generated certificate"
    );
    let line = String::from_utf8(out.stdout).unwrap();
    line.trim_end_matches('\n')
        .strip_prefix("subject=")
        .expect("openssl prints subject=…")
        .to_owned()
}

#[test]
fn server_username_matches_openssl_rfc2253() {
    let key = KeyPair::generate().unwrap();
    let mut rng = Rng(0x0DDB_1A5E_5BAD_5EED);
    let mut non_ascii = 0;
    for i in 0..200 {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = rcgen::DistinguishedName::new();
        for _ in 0..1 + rng.below(6) {
            dn.push(openssl_attribute_type(&mut rng), openssl_value(&mut rng));
        }
        params.distinguished_name = dn;
        let cert = params.self_signed(&key).unwrap();
        let view = Certificate::from_der(cert.der(), &Limits::DEFAULT).unwrap();
        let ours = DistinguishedName::from_der(view.subject_der())
            .unwrap()
            .server_username();
        let theirs = openssl_subject(cert.der());
        assert_eq!(ours, theirs, "certificate #{i}");
        if ours.contains("\\D") || ours.contains("\\E") || ours.contains("\\F") {
            non_ascii += 1;
        }
    }
    assert!(non_ascii >= 30, "only {non_ascii} names with escaped UTF-8");
}

/// The bundled example certificates, made by OpenSSL itself.
#[test]
fn example_pki_subjects_match_openssl() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki");
    for name in [
        "jane.pem",
        "kaloyan.pem",
        "myuser.pem",
        "project-issuing-ca.pem",
    ] {
        let pem = std::fs::read(format!("{dir}/{name}")).unwrap();
        let der = &x509_dbauth::x509::Certificate::ders_from_pem_or_der(&pem).unwrap()[0];
        let view = Certificate::from_der(der, &Limits::DEFAULT).unwrap();
        let ours = DistinguishedName::from_der(view.subject_der())
            .unwrap()
            .server_username();
        assert_eq!(ours, openssl_subject(der), "{name}");
    }
}
