//! PEM as the tools that write it: RFC 7468 §3's lax grammar.
//!
//! `pem-rfc7468` parses only the strict grammar (64-column lines, no text inside the
//! encapsulation boundaries, UTF-8 input). Files met in practice also have Base64 on one long
//! line, 76-column lines, CRLF line ends, indented blocks, and explanatory text between blocks
//! in any encoding (OpenSSL's `subject=` lines, Latin-1 comments). This reader finds each block
//! by its boundaries in the raw bytes, ignores everything outside blocks, collects the Base64
//! characters inside (whitespace of any kind skipped, as `laxbase64text` allows), and hands a
//! normalized strict block to `pem-rfc7468` for decoding. A block that really is broken gets a
//! message saying which block, which line and column, and what is wrong.

use crate::error::CertError;

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// Every block labelled `label`, decoded, in order; blocks with other labels are skipped
/// (their boundaries must still pair up).
pub(crate) fn blocks(input: &[u8], label: &'static str) -> Result<Vec<Vec<u8>>, CertError> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut number = 0usize;
    while let Some(begin) = find(input, BEGIN, pos) {
        number += 1;
        // Line numbers are counted only for a message: counting them for every block would
        // make a file of many small blocks cost quadratic time.
        let begin_line = || line_of(input, begin);
        let label_start = begin + BEGIN.len();
        let (found, body_start) = boundary_label(input, label_start).ok_or_else(|| {
            err(format!(
                "PEM block {number}: the BEGIN line (line {}) does not end with `-----` after a label",
                begin_line()
            ))
        })?;
        let where_ = || {
            format!(
                "PEM block {number} ({}, BEGIN at line {})",
                shown(found),
                begin_line()
            )
        };
        let end = find(input, END, body_start).ok_or_else(|| {
            err(format!(
                "{}: no `-----END {}-----` line follows",
                where_(),
                shown(found)
            ))
        })?;
        let body = input.get(body_start..end).unwrap_or_default();
        if let Some(next) = find(body, BEGIN, 0) {
            return Err(err(format!(
                "{}: another BEGIN line (line {}) comes before its END line",
                where_(),
                line_of(input, body_start + next)
            )));
        }
        let (end_label, after) = boundary_label(input, end + END.len()).ok_or_else(|| {
            err(format!(
                "{}: the END line (line {}) does not end with `-----` after a label",
                where_(),
                line_of(input, end)
            ))
        })?;
        if end_label != found {
            return Err(err(format!(
                "{}: the END line (line {}) has the label {}",
                where_(),
                line_of(input, end),
                shown(end_label)
            )));
        }
        pos = after;
        if found != label.as_bytes() {
            continue;
        }
        let der = decode_body(input, body_start, body, label)
            .map_err(|what| err(format!("{}: {what}", where_())))?;
        out.push(der);
    }
    if out.is_empty() {
        return Err(CertError::NoPemBlock(label));
    }
    Ok(out)
}

/// Whether `input` holds a PEM BEGIN boundary.
pub(crate) fn has_begin(input: &[u8]) -> bool {
    find(input, BEGIN, 0).is_some()
}

fn err(message: String) -> CertError {
    CertError::Pem(message)
}

/// A label for messages: its text when it is printable ASCII (labels always are), else a
/// placeholder (never the bytes themselves).
fn shown(label: &[u8]) -> String {
    if label.iter().all(|b| (0x20..0x7F).contains(b)) {
        String::from_utf8_lossy(label).into_owned()
    } else {
        "(a label that is not ASCII text)".to_owned()
    }
}

/// The label after `BEGIN ` / `END ` at `start`, up to `-----` on the same line, and the
/// position after those dashes. RFC 7468 labels are printable ASCII.
fn boundary_label(input: &[u8], start: usize) -> Option<(&[u8], usize)> {
    let rest = input.get(start..)?;
    let line_len = rest
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(rest.len());
    let line = rest.get(..line_len)?;
    let close = find(line, DASHES, 0)?;
    let label = line.get(..close)?;
    label
        .iter()
        .all(|b| (0x20..0x7F).contains(b))
        .then_some((label, start + close + DASHES.len()))
}

/// Position of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// 1-based line number of byte `pos`.
fn line_of(input: &[u8], pos: usize) -> usize {
    1 + input
        .get(..pos)
        .unwrap_or(input)
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// 1-based (line, column) of byte `pos`, the column counted in bytes.
fn line_col(input: &[u8], pos: usize) -> (usize, usize) {
    let before = input.get(..pos).unwrap_or(input);
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line_of(input, pos), pos - line_start + 1)
}

/// Whitespace `laxbase64text` allows between Base64 characters (RFC 7468 §3 `W`).
fn is_lax_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C)
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Decodes the text between the boundaries: Base64 with any whitespace, padding optional.
fn decode_body(
    input: &[u8],
    body_start: usize,
    body: &[u8],
    label: &str,
) -> Result<Vec<u8>, String> {
    let mut data: Vec<u8> = Vec::with_capacity(body.len());
    let mut pad = 0usize;
    for (i, &b) in body.iter().enumerate() {
        let at = || {
            let (line, column) = line_col(input, body_start + i);
            format!("line {line}, column {column}")
        };
        if is_lax_space(b) {
            continue;
        }
        if b == b'=' {
            pad += 1;
            if pad > 2 {
                return Err(format!("{}: more than two `=` padding characters", at()));
            }
            continue;
        }
        if !is_base64(b) {
            let what = if b == b':' {
                "a `:` (encapsulated headers such as `Proc-Type:` are not supported here)"
            } else {
                "a character that is not Base64"
            };
            return Err(format!("{}: {what}", at()));
        }
        if pad > 0 {
            return Err(format!("{}: Base64 text after the `=` padding", at()));
        }
        data.push(b);
    }
    if data.is_empty() {
        return Err("the block holds no Base64 data".to_owned());
    }
    let over = data.len() % 4;
    if over == 1 {
        return Err(format!(
            "the Base64 text is truncated ({} characters, one more than a whole group of four)",
            data.len()
        ));
    }
    if pad > 0 && !(data.len() + pad).is_multiple_of(4) {
        return Err(format!(
            "{} `=` padding character(s) after {} Base64 characters; the text is cut or padded wrongly",
            pad,
            data.len()
        ));
    }
    // Restore the padding the lax grammar lets writers omit.
    data.resize(data.len() + (4 - over) % 4, b'=');
    // The strict form pem-rfc7468 reads: 64-column lines, LF.
    let mut strict = Vec::with_capacity(data.len() + data.len() / 64 + 64);
    strict.extend_from_slice(BEGIN);
    strict.extend_from_slice(label.as_bytes());
    strict.extend_from_slice(b"-----\n");
    for chunk in data.chunks(64) {
        strict.extend_from_slice(chunk);
        strict.push(b'\n');
    }
    strict.extend_from_slice(END);
    strict.extend_from_slice(label.as_bytes());
    strict.extend_from_slice(b"-----\n");
    let (_, der) = pem_rfc7468::decode_vec(&strict).map_err(|e| {
        format!("the Base64 text does not decode ({e}); the block is damaged or cut")
    })?;
    Ok(der)
}

impl crate::cert::Certificate<'_> {
    /// The DER certificates in `input`: one DER certificate, or every `CERTIFICATE` block of a
    /// PEM bundle, in order (a client's chain file, leaf first). The input is DER when it
    /// starts with a SEQUENCE tag and holds no PEM BEGIN boundary. The certificates are not
    /// parsed here: verification reads them.
    ///
    /// ```
    /// use x509_dbauth::x509::Certificate;
    /// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki/jane-chain.pem"))?;
    /// let chain = Certificate::ders_from_pem_or_der(&pem)?;
    /// assert_eq!(chain.len(), 2);
    /// // One DER certificate reads as itself.
    /// assert_eq!(Certificate::ders_from_pem_or_der(&chain[0])?, &chain[..1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ders_from_pem_or_der(
        input: &[u8],
    ) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, CertError> {
        Ok(crate::cert::certificates_from_pem_or_der(input)?
            .into_iter()
            .map(rustls_pki_types::CertificateDer::from)
            .collect())
    }
}
