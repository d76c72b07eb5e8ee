//! RFC 4518 string preparation, in the two profiles this crate needs.
//!
//! * [`for_match`]: RFC 4518 §2 for `caseIgnoreMatch` — map (§2.2, with case folding), NFKC
//!   (§2.3), insignificant space handling (§2.6.1) — with one deliberate deviation: control
//!   characters (Unicode Cc) are kept instead of mapped to nothing or to SPACE, and reported,
//!   so that `CN=admin\00` can never equal `CN=admin`.
//! * [`for_server`]: what the MongoDB server applies before printing a username (ICU
//!   `USPREP_RFC4518_LDAP`): the §2.2 map without case folding (control characters dropped,
//!   TAB/LF/VT/FF/CR/NEL and other separators to SPACE, zero-width characters removed), NFKC,
//!   and no insignificant space handling.
//!
//! Not implemented: the §2.4 prohibit step (unassigned code points, private use, U+FFFD pass
//! through), and the combining-mark refinement of "space" in §2.6. Case folding uses Rust's
//! full lowercase mapping plus the RFC 3454 B.2 folds that differ from it (ß → ss, final
//! sigma), iterated with NFKC to a fixed point.

use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// RFC 4518 §2.2: code points mapped to nothing (other than Cc, handled by the callers).
fn maps_to_nothing(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x06DD
            | 0x070F
            | 0x1806
            | 0x180B..=0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2063
            | 0x206A..=0x206F
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFF9..=0xFFFC
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// A character that matching must never silently drop: a control character (Unicode Cc: C0,
/// DEL, C1) or one of the invisible characters RFC 4518 §2.2 maps to nothing (soft hyphen,
/// zero-width characters, bidi embeddings and overrides, variation selectors, BOM, tags).
/// Preparation would remove them, so `CN=ad\u{200B}min` would read as `CN=admin`; a name
/// holding one matches nothing instead.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || maps_to_nothing(c)
}

/// RFC 4518 §2.2: separators (Zs, Zl, Zp) mapped to SPACE.
fn is_separator(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0020 | 0x00A0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000
    )
}

/// RFC 4518 §2.2: control characters mapped to SPACE rather than to nothing.
fn control_to_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}')
}

fn nfkc(s: String) -> String {
    if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfkc().collect()
    }
}

/// The server profile: RFC 4518 map and NFKC, no case folding, no space handling.
pub(crate) fn for_server(text: &str) -> Cow<'_, str> {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            if control_to_space(c) {
                out.push(' ');
            }
        } else if is_separator(c) {
            out.push(' ');
        } else if !maps_to_nothing(c) {
            out.push(c);
        }
    }
    Cow::Owned(nfkc(out))
}

/// The match profile, appended to `out`. Returns true when `text` has a control character.
pub(crate) fn for_match(text: &str, out: &mut Vec<u8>) -> bool {
    if text.is_ascii() {
        return ascii_for_match(text.as_bytes(), out);
    }
    let mut control = false;
    let mut mapped = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) {
            control = true;
            mapped.push(c);
        } else if is_separator(c) {
            mapped.push(' ');
        } else if !maps_to_nothing(c) {
            mapped.push(c);
        }
    }
    let mut s = nfkc(mapped);
    // Folding can produce characters NFKC changes and the reverse (U+1D2C → 'A'); iterate to
    // a fixed point so that preparing a prepared string changes nothing.
    for _ in 0..4 {
        let folded = nfkc(fold(&s));
        if folded == s {
            break;
        }
        s = folded;
    }
    // §2.6.1 insignificant space: trim, and make inner runs one space (the RFC's two-space
    // form compares the same).
    let mut pending_space = false;
    let start = out.len();
    for c in s.chars() {
        if c == ' ' {
            pending_space = out.len() > start;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    control
}

fn ascii_for_match(b: &[u8], out: &mut Vec<u8>) -> bool {
    let mut control = false;
    let mut pending_space = false;
    let start = out.len();
    for &c in b {
        if c == b' ' {
            pending_space = out.len() > start;
            continue;
        }
        if pending_space {
            out.push(b' ');
            pending_space = false;
        }
        if c < 0x20 || c == 0x7f {
            control = true;
        }
        out.push(c.to_ascii_lowercase());
    }
    control
}

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> (String, bool) {
        let mut v = Vec::new();
        let c = for_match(s, &mut v);
        (String::from_utf8(v).unwrap(), c)
    }

    /// RFC 4518 §2.6.1 examples and §2.2 case folding.
    #[test]
    fn match_profile() {
        assert_eq!(m("  foo   bar  "), ("foo bar".into(), false));
        assert_eq!(m("   "), ("".into(), false));
        assert_eq!(m("J.  Smith"), m("j. smith"));
        assert_eq!(m("Lučić"), m("LUČIĆ"));
        assert_eq!(m("Straße").0, "strasse");
        assert_eq!(m("ＡＢＣ\u{00A0}x").0, "abc x");
        // Deviation: invisible characters RFC 4518 maps to nothing are kept and reported too.
        assert_eq!(m("a\u{200B}b\u{00AD}c"), ("a\u{200b}b\u{ad}c".into(), true));
        assert_eq!(m("ᴬ").0, "a");
        assert_eq!(m("㎒").0, "mhz");
        // Deviation: control characters are kept and reported.
        assert_eq!(m("admin\0"), ("admin\0".into(), true));
        assert_eq!(m("Ad\u{85}min"), ("ad\u{85}min".into(), true));
        assert_eq!(m("a\tb"), ("a\tb".into(), true));
    }

    /// MongoDB `DNParsingAndNormalization` mapping cases (vector B5).
    #[test]
    fn server_profile() {
        assert_eq!(for_server("Before\nAfter"), "Before After");
        assert_eq!(for_server("tabs\tare\tspaces\u{200B}"), "tabs are spaces");
        assert_eq!(for_server("\u{7}\u{8}example"), "example");
        assert_eq!(for_server("J.  Smith"), "J.  Smith");
        assert_eq!(for_server("ＡＢＣ"), "ABC");
        assert_eq!(for_server("Калоян"), "Калоян");
        assert!(matches!(for_server("plain"), Cow::Borrowed(_)));
    }
}
