//! Property tests for the DN module: text round trip, canonical idempotence, and what
//! distinguishedNameMatch must and must not ignore.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use x509_dbauth::DistinguishedName;

const TYPES: &[&str] = &[
    "CN",
    "O",
    "OU",
    "C",
    "L",
    "ST",
    "DC",
    "UID",
    "emailAddress",
    "SN",
    "GN",
    "title",
    "serialNumber",
    "street",
    "organizationIdentifier",
    "1.2.3.4",
    "2.5.4.200",
    "1.3.6.1.4.1.99999.1",
];

fn value_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        3 => prop::sample::select(vec![' ', ',', '+', '"', '\\', '<', '>', ';', '#', '=', '.']),
        2 => prop::sample::select(vec!['é', 'К', 'ß', 'Ω', '大', '\u{200B}', 'Ａ', '\u{00A0}', '😀']),
        1 => prop::sample::select(vec!['\0', '\t', '\u{7}']),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop::collection::vec(value_char(), 0..10).prop_map(|v| v.into_iter().collect())
}

type Ava = (usize, String);
/// RDNs in text order, each a list of attributes.
type Name = Vec<Vec<Ava>>;

fn name() -> impl Strategy<Value = Name> {
    prop::collection::vec(prop::collection::vec((0..TYPES.len(), value()), 1..4), 1..6)
}

/// An escaper written independently of the crate's printer: every special escaped, optionally
/// every non-ASCII character as UTF-8 hex pairs.
fn escape(v: &str, hex_non_ascii: bool) -> String {
    let n = v.chars().count();
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        if c.is_ascii_control() {
            out.push_str(&format!("\\{:02X}", c as u32));
        } else if ",+\"\\<>;".contains(c)
            || (i == 0 && (c == ' ' || c == '#'))
            || (i + 1 == n && c == ' ')
        {
            out.push('\\');
            out.push(c);
        } else if hex_non_ascii && !c.is_ascii() {
            let mut b = [0u8; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("\\{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

struct Style {
    mangle_case: bool,
    spaces: bool,
    hex: bool,
    rotate_multi: usize,
}

fn render(name: &Name, st: &Style) -> String {
    let mut out = String::new();
    for (r, rdn) in name.iter().enumerate() {
        if r > 0 {
            out.push_str(if st.spaces { " ,  " } else { "," });
        }
        let k = if rdn.is_empty() {
            0
        } else {
            st.rotate_multi % rdn.len()
        };
        let mut avas: Vec<&Ava> = rdn.iter().collect();
        avas.rotate_left(k);
        for (a, (t, v)) in avas.iter().enumerate() {
            if a > 0 {
                out.push_str(if st.spaces { " + " } else { "+" });
            }
            let mut ty = TYPES[*t].to_owned();
            if st.mangle_case && ty.as_bytes()[0].is_ascii_alphabetic() {
                ty = ty
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if (i + r) % 2 == 0 {
                            c.to_ascii_lowercase()
                        } else {
                            c.to_ascii_uppercase()
                        }
                    })
                    .collect();
            }
            out.push_str(&ty);
            out.push_str(if st.spaces { " = " } else { "=" });
            out.push_str(&escape(v, st.hex));
        }
    }
    out
}

const PLAIN: Style = Style {
    mangle_case: false,
    spaces: false,
    hex: false,
    rotate_multi: 0,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_print_identity(n in name(), hex in any::<bool>()) {
        let text = render(&n, &Style { hex, ..PLAIN });
        let dn = DistinguishedName::parse(&text).unwrap();
        // The parser saw exactly our attributes, in text order.
        let got: Vec<String> = dn.attributes().map(|a| a.text().unwrap().to_owned()).collect();
        let mut want: Vec<String> = n.iter().flatten().map(|(_, v)| v.clone()).collect();
        want.reverse();
        prop_assert_eq!(got, want);
        let printed = dn.to_string();
        let again = DistinguishedName::parse(&printed).unwrap();
        prop_assert_eq!(&again, &dn);
        prop_assert_eq!(again.to_string(), printed);
        if !hex {
            // With minimal escaping on both sides the printer reproduces our text exactly.
            prop_assert_eq!(dn.to_string(), text);
        }
    }

    #[test]
    fn canonical_is_idempotent(n in name()) {
        let dn = DistinguishedName::parse(&render(&n, &PLAIN)).unwrap();
        let c = dn.canonical();
        let again = DistinguishedName::parse(&c.to_string()).unwrap().canonical();
        prop_assert_eq!(&again, &c);
        prop_assert_eq!(again.to_string(), c.to_string());
        prop_assert_eq!(c.rdn_count(), dn.rdn_count());
    }

    #[test]
    fn match_ignores_case_spaces_and_multivalue_order(
        n in name(), rot in 0usize..3, hex in any::<bool>(),
    ) {
        let a = DistinguishedName::parse(&render(&n, &PLAIN)).unwrap();
        let b = DistinguishedName::parse(&render(&n, &Style { mangle_case: true, spaces: true, hex, rotate_multi: rot })).unwrap();
        prop_assert_eq!(a.canonical(), b.canonical());
        prop_assert_eq!(a.matches(&b), !a.has_control_characters());
        // Upper-casing ASCII letters in values does not change the match either.
        let upper: Name = n.iter().map(|r| r.iter().map(|(t, v)| (*t, v.to_ascii_uppercase())).collect()).collect();
        let c = DistinguishedName::parse(&render(&upper, &PLAIN)).unwrap();
        prop_assert_eq!(a.canonical(), c.canonical());
    }

    #[test]
    fn rdn_order_matters(n in name(), i in 0usize..6, j in 0usize..6) {
        prop_assume!(n.len() >= 2);
        let (i, j) = (i % n.len(), j % n.len());
        let a = DistinguishedName::parse(&render(&n, &PLAIN)).unwrap();
        let ri = DistinguishedName::parse(&render(&vec![n[i].clone()], &PLAIN)).unwrap().canonical();
        let rj = DistinguishedName::parse(&render(&vec![n[j].clone()], &PLAIN)).unwrap().canonical();
        prop_assume!(ri != rj);
        let mut swapped = n.clone();
        swapped.swap(i, j);
        let b = DistinguishedName::parse(&render(&swapped, &PLAIN)).unwrap();
        prop_assert_ne!(a.canonical(), b.canonical());
        prop_assert!(!a.matches(&b));
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
        if let Ok(dn) = DistinguishedName::parse(&s) {
            prop_assert_eq!(DistinguishedName::parse(&dn.to_string()).unwrap(), dn);
        }
    }
}
