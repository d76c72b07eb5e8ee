//! `x509-dbauth verify`: is this client chain valid against this PKI, and if not, why not.

use serde_json::json;
use x509_dbauth::{
    DistinguishedName, Escaped, Limits, Timestamp, TrustAnchors, UnixTime,
    settings::FileKind,
    x509::{Certificate, ChainVerifier},
};

use crate::{EXIT_NO, EXIT_OK, FilePath, Output, bad_input, print_json, read_input};

/// Arguments of `verify`.
#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    /// Trust anchors: the PKI's CA certificates (PEM bundle).
    #[arg(long, value_name = "PEM")]
    anchors: FilePath,
    /// Configured intermediate CA certificates (PEM bundle or DER).
    #[arg(long, value_name = "PEM")]
    intermediates: Option<FilePath>,
    /// A CRL (PEM or DER); may be given more than once.
    #[arg(long = "crl", value_name = "FILE")]
    crls: Vec<FilePath>,
    /// Every certificate in the path must be covered by a valid CRL from its issuer.
    #[arg(long)]
    require_crl: bool,
    /// Validation time (RFC 3339 with Z or ±hh:mm, 1970–9999, e.g. 2026-01-31T12:00:00Z); default: now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Accept SHA-1 signatures (legacy PKIs only).
    #[arg(long)]
    allow_sha1: bool,
    /// The client chain: leaf first, then any intermediates (PEM bundle or DER).
    chain: FilePath,
    #[command(flatten)]
    out: Output,
}

/// The form `--at` accepts, for messages.
const AT_FORM: &str = "YYYY-MM-DDTHH:MM:SS followed by Z or an offset +hh:mm / -hh:mm \
     (RFC 3339, e.g. 2026-01-31T12:00:00Z or 2026-01-31T14:00:00+02:00)";
/// The range `--at` accepts (certificate times: X.509 GeneralizedTime from 1970 on).
const AT_RANGE: &str = "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z";

/// Parses an RFC 3339 date-time `YYYY-MM-DDTHH:MM:SS` with `Z` or a `±hh:mm` offset (converted
/// to UTC; `T`/`Z` may be lowercase, fractions of a second are ignored). Times before 1970 or
/// after 9999 are refused with the supported range.
pub(crate) fn parse_time(text: &str) -> Result<UnixTime, String> {
    let bad_form = || format!("--at {text:?} is not a time of the form {AT_FORM}");
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, want: &[u8]| b.get(at).is_some_and(|c| want.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return Err(bad_form());
    }
    let fields = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    );
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = fields
    else {
        return Err(bad_form());
    };
    // Optional fraction of a second (RFC 3339 time-secfrac), ignored.
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some((b'.', tail)) = rest.split_first() {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(bad_form());
        }
        rest = tail.get(digits..).unwrap_or_default();
    }
    let offset_secs = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |x: u8, y: u8| -> Option<i64> {
                (x.is_ascii_digit() && y.is_ascii_digit())
                    .then(|| i64::from(x - b'0') * 10 + i64::from(y - b'0'))
            };
            let (Some(oh), Some(om)) = (two(*h1, *h2), two(*m1, *m2)) else {
                return Err(bad_form());
            };
            if oh > 23 || om > 59 {
                return Err(format!(
                    "--at {text:?}: the offset must be between -23:59 and +23:59"
                ));
            }
            let secs = oh * 3600 + om * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return Err(bad_form()),
    };
    let field = |v: i64| u8::try_from(v).ok();
    let local = match (
        u16::try_from(year).ok(),
        field(month),
        field(day),
        field(hour),
        field(minute),
        field(second),
    ) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) => {
            Timestamp::from_utc(y, mo, d, h, mi, s)
        }
        _ => None,
    };
    // RFC 3339 allows second 60 (a leap second); X.509 times cannot express it.
    let Some(local) = local.map(Timestamp::unix_seconds) else {
        return Err(format!(
            "--at {text:?} is not a valid date and time (month 01-12, a day of that month, \
             hour 00-23, minute and second 00-59)"
        ));
    };
    let utc = local - offset_secs;
    // 9999-12-31T23:59:59Z, the last instant an X.509 time can hold.
    const MAX: i64 = 253_402_300_799;
    match u64::try_from(utc) {
        Ok(secs) if utc <= MAX => Ok(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            secs,
        ))),
        _ => Err(format!(
            "--at {text:?} is outside the supported range {AT_RANGE} (in UTC)"
        )),
    }
}

/// Resolves `--at` or the current time.
pub(crate) fn validation_time(at: Option<&str>) -> Result<UnixTime, String> {
    match at {
        Some(text) => parse_time(text),
        None => Ok(UnixTime::now()),
    }
}

fn subject_of(der: &[u8]) -> String {
    Certificate::from_der(der, &Limits::DEFAULT)
        .ok()
        .and_then(|c| DistinguishedName::from_der(c.subject_der()).ok())
        .map_or_else(|| "(unreadable subject)".to_owned(), |dn| dn.to_string())
}

/// Runs `verify`.
pub(crate) fn run(args: &VerifyArgs) -> u8 {
    let out = args.out;
    let now = match validation_time(args.at.as_deref()) {
        Ok(t) => t,
        Err(msg) => return bad_input(out, "usage", &msg),
    };
    let verifier = match build_verifier(args) {
        Ok(v) => v,
        Err((kind, msg)) => return bad_input(out, kind, &msg),
    };
    let chain_bytes = match read_input(&args.chain, FileKind::Certificates) {
        Ok(b) => b,
        Err(e) => return bad_input(out, e.kind(), &e.to_string()),
    };
    let ders = match Certificate::ders_from_pem_or_der(&chain_bytes) {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => return bad_input(out, "no_certificate", "the chain file holds no certificate"),
        Err(e) => {
            return bad_input(
                out,
                e.kind(),
                &format!("{}: {e}", Escaped(args.chain.display())),
            );
        }
    };
    match verifier.verify_chain(&ders, now) {
        Ok(chain) => {
            let path: Vec<String> = chain.certificates().map(subject_of).collect();
            if out.json {
                print_json(&json!({ "valid": true, "path": path }));
            } else {
                println!("valid: the chain verifies for client authentication");
                for (i, subject) in path.iter().enumerate() {
                    let role = if i == 0 {
                        "leaf"
                    } else if i + 1 == path.len() {
                        "anchor"
                    } else {
                        "intermediate"
                    };
                    println!("  {i}: {} ({role})", Escaped(subject));
                }
            }
            EXIT_OK
        }
        Err(e) => {
            if out.json {
                print_json(&json!({
                    "valid": false,
                    "error": {
                        "kind": e.kind(),
                        "message": e.to_string(),
                        "certificate_index": e.certificate_index(),
                    },
                }));
            } else {
                println!("invalid: {e}");
            }
            EXIT_NO
        }
    }
}

fn build_verifier(args: &VerifyArgs) -> Result<ChainVerifier, (&'static str, String)> {
    let read = |path: &FilePath, kind: FileKind| {
        read_input(path, kind).map_err(|e| (e.kind(), e.to_string()))
    };
    let anchors_pem = read(&args.anchors, FileKind::Certificates)?;
    let anchors = TrustAnchors::from_pem(&anchors_pem).map_err(|e| {
        (
            e.kind(),
            format!("{}: {e}", Escaped(args.anchors.display())),
        )
    })?;
    let mut builder = ChainVerifier::builder(anchors)
        .require_crl(args.require_crl)
        .allow_sha1(args.allow_sha1);
    if let Some(path) = &args.intermediates {
        builder = builder.intermediates(&read(path, FileKind::Certificates)?);
    }
    for path in &args.crls {
        builder = builder.crls(&read(path, FileKind::Crl)?);
    }
    builder
        .build()
        .map_err(|e| (e.kind(), format!("cannot build the verifier: {e}")))
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    fn secs(text: &str) -> Result<u64, String> {
        parse_time(text).map(|t| t.as_secs())
    }

    #[test]
    fn forms_and_offsets() {
        assert_eq!(secs("2026-01-31T12:00:00Z"), Ok(1_769_860_800));
        assert_eq!(secs("2026-01-31t12:00:00z"), Ok(1_769_860_800));
        assert_eq!(secs("2026-01-31T12:00:00.250Z"), Ok(1_769_860_800));
        assert_eq!(secs("2026-01-31T14:30:00+02:30"), Ok(1_769_860_800));
        assert_eq!(secs("2026-01-31T07:00:00-05:00"), Ok(1_769_860_800));
        assert_eq!(secs("2026-01-31T12:00:00+00:00"), Ok(1_769_860_800));
        assert_eq!(secs("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(secs("2024-02-29T00:00:00Z"), Ok(1_709_164_800));
        assert_eq!(secs("9999-12-31T23:59:59Z"), Ok(253_402_300_799));
    }

    #[test]
    fn refusals_say_what_is_supported() {
        assert_eq!(
            secs("1969-12-31T23:59:59Z"),
            Err("--at \"1969-12-31T23:59:59Z\" is outside the supported range 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (in UTC)".to_owned())
        );
        assert_eq!(
            secs("1970-01-01T00:30:00+01:00"),
            Err("--at \"1970-01-01T00:30:00+01:00\" is outside the supported range 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (in UTC)".to_owned())
        );
        assert_eq!(
            secs("2026-02-29T00:00:00Z"),
            Err("--at \"2026-02-29T00:00:00Z\" is not a valid date and time (month 01-12, a day of that month, hour 00-23, minute and second 00-59)".to_owned())
        );
        assert_eq!(
            secs("2026-01-31T12:00:00+24:00"),
            Err(
                "--at \"2026-01-31T12:00:00+24:00\": the offset must be between -23:59 and +23:59"
                    .to_owned()
            )
        );
        for bad in [
            "yesterday",
            "2026-01-31",
            "2026-01-31T12:00:00",
            "2026-01-31T12:00:00+0200",
            "2026-01-31 12:00:00Z",
            "2026-01-31T12:00:00.Z",
            "+2026-01-31T12:00:00Z",
        ] {
            assert_eq!(
                secs(bad),
                Err(format!(
                    "--at {bad:?} is not a time of the form YYYY-MM-DDTHH:MM:SS followed by Z or an offset +hh:mm / -hh:mm (RFC 3339, e.g. 2026-01-31T12:00:00Z or 2026-01-31T14:00:00+02:00)"
                )),
                "{bad}"
            );
        }
    }
}
