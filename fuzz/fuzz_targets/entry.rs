// The bodies of the fuzz targets other than `dn_parse`, shared with the corpus replay test
// (`tests/fuzz_corpus.rs`) through `include!`, so both run the same code on the same bytes.
// The includer defines `EXAMPLES_DIR`: the path of the repository's `examples/` directory
// (the example PKI, settings and LDIF directory the targets are anchored in).
//
// Each `check_*` function must never panic on any input; where it asserts, the assertion is a
// property every input must keep.

#[allow(unused_imports)]
use std::sync::{Arc, OnceLock};

/// 2027-01-01T00:00:00Z: inside the example PKI's validity.
#[allow(dead_code)]
fn fuzz_now() -> x509_dbauth::UnixTime {
    x509_dbauth::UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_798_761_600))
}

/// A file of the example directory, read once per process.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
fn example(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{EXAMPLES_DIR}/{rel}"))
        .unwrap_or_else(|e| panic!("{EXAMPLES_DIR}/{rel}: {e}"))
}

/// Splits fuzz bytes into 1–3 certificates: byte 0 selects the count n = (b % 3) + 1; then
/// n − 1 certificates each preceded by a big-endian u16 length; the last is the rest.
#[allow(dead_code)]
fn split_certs(data: &[u8]) -> Vec<&[u8]> {
    let Some((&first, mut rest)) = data.split_first() else {
        return Vec::new();
    };
    let n = usize::from(first % 3) + 1;
    let mut out = Vec::with_capacity(n);
    for _ in 1..n {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (cert, tail) = tail.split_at(len);
        out.push(cert);
        rest = tail;
    }
    out.push(rest);
    out
}

/// Splits fuzz bytes at NUL bytes into exactly `N` text fields (missing fields are empty);
/// `None` when a field is not UTF-8.
#[allow(dead_code)]
fn text_fields<const N: usize>(data: &[u8]) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut parts = data.splitn(N, |&b| b == 0);
    for slot in &mut out {
        if let Some(p) = parts.next() {
            *slot = std::str::from_utf8(p).ok()?;
        }
    }
    Some(out)
}

/// Target `cert_parse`: the zero-copy certificate reader and everything read from it.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_certificate(data: &[u8]) {
    use x509_dbauth::{DistinguishedName, Limits, x509::Certificate};
    match Certificate::from_der(data, &Limits::DEFAULT) {
        Ok(c) => {
            // The reader borrows: every slice it hands out lies inside the input.
            let inside = |s: &[u8]| {
                let (start, end) = (data.as_ptr() as usize, data.as_ptr() as usize + data.len());
                let p = s.as_ptr() as usize;
                s.is_empty() || (p >= start && p + s.len() <= end)
            };
            assert_eq!(c.der(), data, "a certificate is the whole input");
            for s in [
                c.tbs(),
                c.serial(),
                c.subject_der(),
                c.issuer_der(),
                c.spki_der(),
            ] {
                assert!(inside(s), "a field is not a slice of the input");
            }
            assert!(inside(c.signature()) && inside(c.signature_algorithm_der()));
            assert!(c.version() >= 1 && c.version() <= 3);
            assert!(c.not_before().to_string().len() >= 10);
            let _ = (
                c.not_after(),
                c.basic_constraints(),
                c.subject_alt_names(),
                c.is_ca(),
            );
            let _ = (
                c.key_usage(),
                c.extended_key_usage(),
                c.sha256_fingerprint(),
            );
            for e in c.extensions() {
                let _ = format!("{e:?}");
            }
            for name in [c.subject_der(), c.issuer_der()] {
                if let Ok(dn) = DistinguishedName::from_der(name) {
                    let _ = (dn.to_string(), dn.server_username(), dn.canonical());
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty() && !e.kind().is_empty()),
    }
    // The same bytes as a PEM bundle (or one DER certificate).
    if let Err(e) = Certificate::ders_from_pem_or_der(data) {
        assert!(!e.to_string().is_empty());
    }
}

/// The fixed anchors of the chain and CRL targets: the example project root CA, with the
/// example issuing CA as a configured intermediate.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
fn project_verifier(crl: Option<&[u8]>) -> Result<x509_dbauth::x509::ChainVerifier, String> {
    use x509_dbauth::TrustAnchors;
    use x509_dbauth::x509::{ChainVerifier, Eku};
    static ROOT: OnceLock<TrustAnchors> = OnceLock::new();
    static ISSUING: OnceLock<Vec<u8>> = OnceLock::new();
    let root =
        ROOT.get_or_init(|| TrustAnchors::from_pem(&example("pki/project-root-ca.pem")).unwrap());
    let issuing = ISSUING.get_or_init(|| example("pki/project-issuing-ca.pem"));
    let mut b = ChainVerifier::builder(root.clone())
        .intermediates(issuing)
        .required_eku(Eku::ClientAuth);
    if let Some(crl) = crl {
        b = b.crls(crl);
    }
    b.build().map_err(|e| e.to_string())
}

/// The example client's chain (Jane Doe, self-managed), read once.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
fn jane_chain() -> &'static [x509_dbauth::CertificateDer<'static>] {
    use x509_dbauth::x509::Certificate;
    static JANE: OnceLock<Vec<x509_dbauth::CertificateDer<'static>>> = OnceLock::new();
    JANE.get_or_init(|| Certificate::ders_from_pem_or_der(&example("pki/jane-chain.pem")).unwrap())
}

/// Target `crl_parse`: a CRL (PEM or DER) configured under the example project PKI, then the
/// example client's chain verified against it.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_crl(data: &[u8]) {
    let jane = jane_chain();
    match project_verifier(Some(data)) {
        Ok(v) => match v.verify_chain(jane, fuzz_now()) {
            Ok(chain) => assert_eq!(chain.leaf_der(), jane[0].as_ref()),
            Err(e) => assert!(!e.to_string().is_empty() && !e.kind().is_empty()),
        },
        Err(message) => assert!(!message.is_empty()),
    }
}

/// Target `chain_verify`: 1–3 arbitrary certificates (see [`split_certs`]) against the fixed
/// anchor `fuzz/anchor.der`.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_chain(data: &[u8], anchor_der: &[u8]) {
    use x509_dbauth::x509::{ChainVerifier, Eku};
    use x509_dbauth::{CertificateDer, TrustAnchors, UnixTime};
    static V: OnceLock<ChainVerifier> = OnceLock::new();
    let verifier = V.get_or_init(|| {
        let anchors = TrustAnchors::from_ders([anchor_der]).expect("the committed anchor loads");
        ChainVerifier::builder(anchors)
            .required_eku(Eku::ClientAuth)
            .build()
            .expect("the fuzz verifier builds")
    });
    let certs: Vec<CertificateDer<'_>> = split_certs(data)
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    // 2030-01-01: inside the seed chain's validity.
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_893_456_000));
    match verifier.verify_chain(&certs, now) {
        Ok(chain) => {
            assert_eq!(Some(chain.leaf_der()), certs.first().map(|c| c.as_ref()));
            assert!(!chain.is_empty());
        }
        Err(e) => {
            let _ = (e.to_string(), e.kind(), e.certificate_index());
        }
    }
}

/// Target `settings_file`: TOML text → `SettingsFile` (paths relative to `examples/`), and
/// when it loads, the example client through both phases under it.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_settings(data: &[u8]) {
    use x509_dbauth::{Authenticator, SettingsFile};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match SettingsFile::parse(text, std::path::Path::new(EXAMPLES_DIR), "fuzz.toml") {
        Ok(file) => {
            // Built by hand rather than with `authenticator()`: a live LDAP directory would
            // reach for the network.
            let mut a = Authenticator::new(Arc::new(file.settings.clone()));
            if let Some(d) = &file.directory {
                a = a.with_directory(Arc::clone(d) as Arc<dyn x509_dbauth::directory::Directory>);
            }
            let jane = jane_chain();
            let direct = a
                .verify_client(jane, fuzz_now())
                .and_then(|c| a.authenticate_blocking(&c, None));
            let explained = a.explain_blocking(jane, fuzz_now(), None).into_result();
            assert_eq!(
                direct
                    .as_ref()
                    .map_err(|e| e.kind())
                    .map(|p| p.user().to_owned()),
                explained
                    .as_ref()
                    .map_err(|e| e.kind())
                    .map(|p| p.user().to_owned()),
                "authenticate and explain disagree"
            );
        }
        Err(e) => {
            assert!(!e.message.is_empty() && !e.kind.is_empty());
            if let Some(line) = e.line {
                assert!(
                    line >= 1 && line <= text.lines().count().max(1) + 1,
                    "line {line} out of range"
                );
            }
        }
    }
}

/// The example LDAP directory, loaded once.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
fn example_directory() -> &'static x509_dbauth::directory::InMemoryDirectory {
    use x509_dbauth::directory::InMemoryDirectory;
    static D: OnceLock<InMemoryDirectory> = OnceLock::new();
    D.get_or_init(|| {
        let text = String::from_utf8(example("directory.ldif")).unwrap();
        InMemoryDirectory::from_ldif(&text).unwrap()
    })
}

/// Target `mapping_rules`: three NUL-separated texts (a pattern, a template, a subject): the
/// pattern and template as a `substitution` rule, an `ldapQuery` rule and a query template,
/// each applied to the subject against the example directory.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_mapping(data: &[u8]) {
    use x509_dbauth::directory::{MappingRule, QueryTemplate, UserToDnMapping};
    use x509_dbauth::testing::block_on;
    let Some([pattern, template, subject]) = text_fields::<3>(data) else {
        return;
    };
    let dir = example_directory();
    for rule in [
        MappingRule::substitution(pattern, template),
        MappingRule::ldap_query(pattern, template),
    ] {
        match rule {
            Ok(rule) => {
                let mapping = UserToDnMapping::new(vec![rule]);
                match block_on(mapping.map(subject, None, dir)) {
                    // A mapped DN is always a DN.
                    Ok(dn) => assert!(
                        x509_dbauth::DistinguishedName::parse(&dn).is_ok() || dn.is_empty(),
                        "mapped to {dn:?}, not a DN"
                    ),
                    Err(e) => assert!(!e.to_string().is_empty()),
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    if let Ok(t) = QueryTemplate::parse(template) {
        assert_eq!(QueryTemplate::parse(t.as_str()).as_ref(), Ok(&t));
        if let Ok(q) = t.render(subject, subject) {
            let _ = (q.to_string(), dir.search_now(&q));
        }
    }
}

/// Target `ldap_escape`: the input as the `{USER}` of a filter template. Whatever it holds,
/// the rendered filter parses and selects exactly the entry whose `uid` is the input: RFC 4515
/// escaping keeps `*`, `(`, `)`, `\` and NUL from widening or closing the filter.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_ldap_escape(data: &[u8]) {
    use x509_dbauth::directory::{DirectoryEntry, InMemoryDirectory, QueryTemplate};
    let Ok(user) = std::str::from_utf8(data) else {
        return;
    };
    static T: OnceLock<QueryTemplate> = OnceLock::new();
    let t = T.get_or_init(|| QueryTemplate::parse("dc=example,dc=com??sub?(uid={USER})").unwrap());
    let Ok(q) = t.render(user, user) else {
        return;
    };
    let mut dir = InMemoryDirectory::new();
    dir.insert(DirectoryEntry::new("dc=example,dc=com"));
    dir.insert(DirectoryEntry::new("cn=target,dc=example,dc=com").with("uid", user));
    dir.insert(DirectoryEntry::new("cn=decoy,dc=example,dc=com").with("uid", "zz-decoy"));
    let found = dir
        .search_now(&q)
        .unwrap_or_else(|e| panic!("the escaped filter {:?} does not parse: {e}", q.filter));
    let dns: Vec<&str> = found.iter().map(|e| e.dn.as_str()).collect();
    assert!(
        dns.contains(&"cn=target,dc=example,dc=com"),
        "{user:?} does not find itself: {dns:?}"
    );
    if !user.to_lowercase().contains("decoy") {
        assert_eq!(
            dns,
            ["cn=target,dc=example,dc=com"],
            "filter {:?} widened",
            q.filter
        );
    }
}

/// The two authenticators of the whole-path target: the example settings (LDAP off) and the
/// example LDAP settings with the example directory.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
fn example_authenticators() -> &'static [x509_dbauth::Authenticator; 2] {
    use x509_dbauth::{Authenticator, SettingsFile};
    static A: OnceLock<[Authenticator; 2]> = OnceLock::new();
    A.get_or_init(|| {
        let load = |name: &str| {
            let text = String::from_utf8(example(name)).unwrap();
            let f = SettingsFile::parse(&text, std::path::Path::new(EXAMPLES_DIR), name).unwrap();
            let mut a = Authenticator::new(Arc::new(f.settings.clone()));
            if let Some(d) = &f.directory {
                a = a.with_directory(Arc::clone(d) as Arc<dyn x509_dbauth::directory::Directory>);
            }
            a
        };
        [load("settings.toml"), load("settings-ldap.toml")]
    })
}

/// Target `authenticate`: the whole path, `verify_client` then `authenticate`, under the
/// example settings. Byte 0: bit 0 picks the LDAP settings, bit 1 says a claimed user follows
/// (byte 1 its length, then its text); the rest is 1–3 certificates (see [`split_certs`]).
/// `explain` must reach the same decision, and an allowed principal must have the chain's kind
/// and, under LDAP authorization, never be managed.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_authenticate(data: &[u8]) {
    use x509_dbauth::{CertificateDer, CertificateKind};
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let ldap = flags & 1 == 1;
    let a = &example_authenticators()[usize::from(ldap)];
    let mut claimed = None;
    if flags & 2 == 2 {
        let Some((&len, tail)) = rest.split_first() else {
            return;
        };
        let len = usize::from(len).min(tail.len());
        let (text, tail) = tail.split_at(len);
        let Ok(text) = std::str::from_utf8(text) else {
            return;
        };
        claimed = Some(text);
        rest = tail;
    }
    let certs: Vec<CertificateDer<'_>> = split_certs(rest)
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    let direct = match a.verify_client(&certs, fuzz_now()) {
        Ok(client) => {
            let r = a.authenticate_blocking(&client, claimed);
            if let Ok(p) = &r {
                assert_eq!(
                    p.kind(),
                    client.kind(),
                    "principal kind differs from the chain's"
                );
                assert!(
                    !(ldap && p.kind() == CertificateKind::Managed),
                    "managed let in under LDAP"
                );
            }
            r
        }
        Err(e) => Err(e),
    };
    let explained = a
        .explain_blocking(&certs, fuzz_now(), claimed)
        .into_result();
    assert_eq!(
        direct
            .as_ref()
            .map(|p| (p.user().to_owned(), p.role_names()))
            .map_err(|e| e.kind()),
        explained
            .as_ref()
            .map(|p| (p.user().to_owned(), p.role_names()))
            .map_err(|e| e.kind()),
        "authenticate and explain disagree"
    );
    if let Err(e) = direct {
        assert!(!e.to_string().is_empty());
    }
}
