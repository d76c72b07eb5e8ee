// Shared by the fuzz target (`fuzz/fuzz_targets/dn_parse.rs`) and the corpus replay test
// (`tests/fuzz_corpus.rs`), pulled in with `include!`: the properties every input must keep.

/// Checks one input: no panic anywhere, and the text round trip and key invariants hold.
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
fn check_dn_input(data: &[u8]) {
    use x509_dbauth::{DistinguishedName, Limits};

    // Printed text can be longer than its source (`#hex` doubles BER), so reparse unbounded.
    let mut roomy = Limits::DEFAULT;
    roomy.max_dn_bytes = usize::MAX;

    let check_name = |dn: &DistinguishedName| {
        let printed = dn.to_string();
        let again = DistinguishedName::parse_with_limits(&printed, &roomy)
            .unwrap_or_else(|e| panic!("printed form {printed:?} does not parse: {e}"));
        assert_eq!(
            &again, dn,
            "round trip changed the name; printed {printed:?}"
        );
        assert_eq!(again.to_string(), printed, "printing is not stable");
        let canonical = dn.canonical();
        assert_eq!(
            again.canonical(),
            canonical,
            "canonical form changed by a round trip"
        );
        let ctext = canonical.to_string();
        let reparsed = DistinguishedName::parse_with_limits(&ctext, &roomy)
            .unwrap_or_else(|e| panic!("canonical text {ctext:?} does not parse: {e}"));
        assert_eq!(
            reparsed.canonical(),
            canonical,
            "canonical form is not idempotent: {ctext:?}"
        );
        assert_eq!(dn.matches(dn), !dn.has_control_characters());
        assert_eq!(
            canonical.has_control_characters(),
            dn.has_control_characters()
        );
        assert!(canonical.is_within(&canonical));
        assert_eq!(canonical.rdn_count(), dn.rdn_count());
        let _ = dn.server_username();
        let _ = dn.lint();
        let _ = dn.common_name();
        for rdn in dn.rdns() {
            assert!(!rdn.is_empty());
            for ava in rdn.iter() {
                let _ = (ava.oid().to_string(), ava.short_name(), ava.value());
            }
        }
    };

    if let Ok(text) = std::str::from_utf8(data) {
        match DistinguishedName::parse(text) {
            Ok(dn) => {
                check_name(&dn);
                let lints =
                    DistinguishedName::lint_str(text).expect("lint_str fails on a valid name");
                for l in &lints {
                    assert!(!l.code().is_empty() && !l.message().is_empty());
                }
            }
            Err(e) => {
                assert!(!e.to_string().is_empty() && !e.kind().is_empty());
                if let Some(off) = e.offset() {
                    assert!(off <= text.len(), "offset {off} past the end of {text:?}");
                }
                assert_eq!(DistinguishedName::lint_str(text).unwrap_err(), e);
            }
        }
    }
    match DistinguishedName::from_der(data) {
        Ok(dn) => check_name(&dn),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            if let Some(off) = e.offset() {
                assert!(off <= data.len(), "DER offset {off} past the end");
            }
        }
    }
}
