//! `server_username()` against an independent printer: OpenSSL's `-nameopt RFC2253`
//! (`X509_NAME_print_ex` with `XN_FLAG_RFC2253`), which is how the MongoDB server built the
//! username before it had its own printer (reference §1.1, item 6) and which its own printer
//! still agrees with for values that RFC 4518 preparation leaves alone.
//!
//! The names avoid the three places where the server deliberately differs from OpenSSL:
//! control characters (the server drops them, OpenSSL escapes them), a trailing space on a
//! value of two characters or fewer (the server leaves that space unescaped), and attribute
//! types OpenSSL has no name for (the server prints the value as text, `1.2.3.45=Value\,Rando`
//! in its own tests; OpenSSL dumps the whole attribute as `#hex`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::process::{Command, Stdio};

use rcgen::{CertificateParams, DnType, DnValue, KeyPair};
use x509_dbauth::{Certificate, DistinguishedName, Limits};

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

/// RFC 4514 specials, spaces, `#`, `=`, and non-ASCII text that NFKC leaves as it is.
const POOL: &[&str] = &[
    "a", "Q", "7", " ", ",", "+", "\"", "\\", "<", ">", ";", "#", "=", ".", "-", "é", "К", "ß",
    "大", "😀", "_", "@",
];
const PRINTABLE: &[&str] = &[
    "A", "z", "5", " ", "'", "(", ")", "+", ",", "-", ".", "/", ":",
];

fn text(rng: &mut Rng, pool: &[&str]) -> String {
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

fn value(rng: &mut Rng) -> DnValue {
    let ascii: Vec<&str> = POOL.iter().copied().filter(|c| c.is_ascii()).collect();
    match rng.below(5) {
        0 => DnValue::PrintableString(text(rng, PRINTABLE).try_into().unwrap()),
        1 => DnValue::Ia5String(text(rng, &ascii).try_into().unwrap()),
        2 => {
            let bmp: Vec<&str> = POOL.iter().copied().filter(|c| *c != "😀").collect();
            DnValue::BmpString(text(rng, &bmp).as_str().try_into().unwrap())
        }
        3 => DnValue::UniversalString(text(rng, POOL).as_str().try_into().unwrap()),
        _ => DnValue::Utf8String(text(rng, POOL)),
    }
}

fn attribute_type(rng: &mut Rng) -> DnType {
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
            dn.push(attribute_type(&mut rng), value(&mut rng));
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
        let der = &x509_dbauth::certificates_from_pem_or_der(&pem).unwrap()[0];
        let view = Certificate::from_der(der, &Limits::DEFAULT).unwrap();
        let ours = DistinguishedName::from_der(view.subject_der())
            .unwrap()
            .server_username();
        assert_eq!(ours, openssl_subject(der), "{name}");
    }
}
