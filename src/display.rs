//! The one escaping function for text shown to a person or written to a log.
//!
//! Certificate and settings values (subjects, CNs, claimed user names, LDAP DNs, mapping rules,
//! query text) reach error messages, `explain` steps and the CLI. Written raw, a value could
//! end a log line and forge the next one (`\n  [pass] user: root`), drive the terminal (ANSI
//! escapes) or reorder what a reader sees (Unicode bidi overrides). [`Escaped`] (public, see
//! its documentation for the set and where it is applied) is the only escaping for that.

use core::fmt::{self, Write as _};

/// A value written for people and logs, so that it stays on its line and reads as what it is.
///
/// Wraps anything that implements `Display` (a `&str`, a `DistinguishedName`, …) and escapes
/// its text as it is written, without allocating:
///
/// | characters | written as |
/// |---|---|
/// | `\` | `\\` (so every other `\` starts an escape and the text is unambiguous) |
/// | C0 controls U+0000–U+001F and DEL U+007F | `\XX`, two uppercase hex digits: `\0A`, `\1B`, `\7F` |
/// | C1 controls U+0080–U+009F | `\u{XX}`: `\u{85}` |
/// | format characters (Unicode general category Cf, Unicode 15.1), among them the bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F, U+061C, the zero-width characters U+200B–U+200D, U+2060, U+FEFF, the soft hyphen U+00AD and the tag characters U+E0001, U+E0020–U+E007F | `\u{XXXX}`: `\u{202E}` |
/// | the line and paragraph separators U+2028, U+2029 (Zl, Zp) | `\u{2028}`, `\u{2029}` |
///
/// Everything else (letters of every script, spaces, quotes, punctuation) is written as it is.
///
/// Where this crate applies it: every sentence it builds for people is escaped when it is
/// built, value by value — `Display` of every error type, [`Step::detail`](crate::Step) of
/// `explain`, lint and warning messages, mapping-rule reasons. The structured fields of those
/// types (`AuthError::UnknownUser::subject`, `Principal::user`, …) keep the raw value, because
/// they are data: a program that shows them to a person wraps them in `Escaped`. The CLI's
/// JSON output follows the same line: its sentences (`message`, `detail`) are the escaped
/// text, its data fields the raw value (JSON escapes control characters there, but not bidi or
/// other format characters). A text that is already an escaped sentence (another error's
/// `Display`) is embedded as it is, never escaped twice.
///
/// ```
/// use x509_dbauth::Escaped;
/// let cn = "Jane\n  [pass] user: root\u{1b}[32m\u{202e}";
/// assert_eq!(
///     Escaped(cn).to_string(),
///     r"Jane\0A  [pass] user: root\1B[32m\u{202E}"
/// );
/// assert_eq!(Escaped(r"CN=Doe\, Jane").to_string(), r"CN=Doe\\, Jane");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(EscapeWriter(f), "{}", self.0)
    }
}

/// Escapes what is written through it into the inner writer.
struct EscapeWriter<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for EscapeWriter<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut plain = 0;
        for (i, c) in s.char_indices() {
            if !needs_escape(c) {
                continue;
            }
            self.0.write_str(s.get(plain..i).unwrap_or_default())?;
            plain = i + c.len_utf8();
            let cp = u32::from(c);
            if c == '\\' {
                self.0.write_str("\\\\")?;
            } else if cp < 0x80 {
                write!(self.0, "\\{cp:02X}")?;
            } else {
                write!(self.0, "\\u{{{cp:X}}}")?;
            }
        }
        self.0.write_str(s.get(plain..).unwrap_or_default())
    }
}

/// Whether `c` is written as an escape.
fn needs_escape(c: char) -> bool {
    c == '\\' || c.is_control() || is_format_or_separator(c)
}

/// Unicode 15.1 general categories Cf (format), Zl (line separator), Zp (paragraph separator).
fn is_format_or_separator(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escaped_set() {
        for (raw, shown) in [
            ("plain CN=Jane Doe,O=MongoDB", "plain CN=Jane Doe,O=MongoDB"),
            ("Lučić 日本 \"q\" ' \u{a0}", "Lučić 日本 \"q\" ' \u{a0}"),
            ("a\\b", r"a\\b"),
            (r"CN=Lu\C4\8Di\C4\87", r"CN=Lu\\C4\\8Di\\C4\\87"),
            ("\0\t\n\r\u{1b}\u{1f}\u{7f}", r"\00\09\0A\0D\1B\1F\7F"),
            ("\u{80}\u{85}\u{9f}", r"\u{80}\u{85}\u{9F}"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}",
                r"\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}",
            ),
            (
                "\u{2066}\u{2067}\u{2068}\u{2069}",
                r"\u{2066}\u{2067}\u{2068}\u{2069}",
            ),
            ("\u{200e}\u{200f}\u{61c}", r"\u{200E}\u{200F}\u{61C}"),
            ("\u{2028}\u{2029}", r"\u{2028}\u{2029}"),
            (
                "\u{ad}\u{200b}\u{200d}\u{2060}\u{feff}",
                r"\u{AD}\u{200B}\u{200D}\u{2060}\u{FEFF}",
            ),
            ("\u{e0001}\u{e007f}", r"\u{E0001}\u{E007F}"),
            // The escape text itself is not an escape: `\0A` typed as text stays distinct.
            (r"\0A", r"\\0A"),
            ("", ""),
        ] {
            assert_eq!(Escaped(raw).to_string(), shown, "{raw:?}");
        }
    }

    /// No escaped text holds a character that can end a line or reorder it.
    #[test]
    fn escaped_text_is_one_plain_line() {
        let all: String = (0u32..0x3000)
            .chain(0xE0000..0xE0080)
            .filter_map(char::from_u32)
            .collect();
        let shown = Escaped(&all).to_string();
        assert!(!shown.chars().any(|c| c.is_control()
            || is_format_or_separator(c)
            || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')));
    }

    /// Escaping is injective: two different texts never show the same.
    #[test]
    fn different_texts_stay_different() {
        let texts = ["\n", r"\0A", "\\\n", r"\\0A", "\u{202e}", r"\u{202E}"];
        let shown: std::collections::BTreeSet<String> =
            texts.iter().map(|t| Escaped(t).to_string()).collect();
        assert_eq!(shown.len(), texts.len());
    }
}
