//! `x509-dbauth verify`: is this client chain valid against this PKI, and if not, why not.

use serde_json::json;
use x509_dbauth::{
    Certificate, CertificateDer, ChainVerifier, DistinguishedName, Escaped, Limits, TrustAnchors,
    UnixTime, certificates_from_pem_or_der,
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
    /// Validation time (RFC 3339, UTC, e.g. 2026-01-31T12:00:00Z); default: now.
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

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (also with a lowercase `z` or `+00:00`).
pub(crate) fn parse_time(text: &str) -> Result<UnixTime, String> {
    let normalized = match text.strip_suffix("+00:00") {
        Some(head) => format!("{head}Z"),
        None => text.replace('z', "Z"),
    };
    let t: der::DateTime = normalized.parse().map_err(|_| {
        format!("--at {text:?} is not an RFC 3339 UTC time such as 2026-01-31T12:00:00Z")
    })?;
    Ok(UnixTime::since_unix_epoch(t.unix_duration()))
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
    let chain_bytes = match read_input(&args.chain) {
        Ok(b) => b,
        Err(msg) => return bad_input(out, "io", &msg),
    };
    let ders = match certificates_from_pem_or_der(&chain_bytes) {
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
    let presented: Vec<CertificateDer<'_>> = ders
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    match verifier.verify_client(&presented, now) {
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
    let anchors_pem = read_input(&args.anchors).map_err(|m| ("io", m))?;
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
        builder = builder.intermediates(&read_input(path).map_err(|m| ("io", m))?);
    }
    for path in &args.crls {
        builder = builder.crls(&read_input(path).map_err(|m| ("io", m))?);
    }
    builder
        .build()
        .map_err(|e| (e.kind(), format!("cannot build the verifier: {e}")))
}
