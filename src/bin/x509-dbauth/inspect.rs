//! `x509-dbauth inspect`: what a certificate says, in the terms an operator needs.

use serde_json::{Value, json};
use x509_dbauth::{
    DistinguishedName, Escaped, Limits,
    settings::FileKind,
    signature::{KeyKind, SignatureAlgorithm, SpkiRef},
    x509::{Certificate, GeneralName},
};

use crate::{EXIT_OK, FilePath, Output, bad_input, print_json, read_input};

/// Arguments of `inspect`.
#[derive(clap::Args)]
pub(crate) struct InspectArgs {
    /// Certificate file: PEM (every CERTIFICATE block is shown) or DER.
    cert: FilePath,
    #[command(flatten)]
    out: Output,
}

/// Runs `inspect`.
pub(crate) fn run(args: &InspectArgs) -> u8 {
    let bytes = match read_input(&args.cert, FileKind::Certificates) {
        Ok(b) => b,
        Err(e) => return bad_input(args.out, e.kind(), &e.to_string()),
    };
    let ders = match Certificate::ders_from_pem_or_der(&bytes) {
        Ok(d) => d,
        Err(e) => {
            return bad_input(
                args.out,
                e.kind(),
                &format!("{}: {e}", Escaped(args.cert.display())),
            );
        }
    };
    let mut reports = Vec::with_capacity(ders.len());
    for (index, der) in ders.iter().enumerate() {
        match describe(der) {
            Ok(v) => reports.push(v),
            Err(msg) => {
                let msg = format!(
                    "{}: certificate {index}: {msg}",
                    Escaped(args.cert.display())
                );
                return bad_input(args.out, "certificate", &msg);
            }
        }
    }
    if reports.is_empty() {
        return bad_input(args.out, "no_certificate", "the file holds no certificate");
    }
    if args.out.json {
        print_json(&Value::Array(reports));
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print_text(i, r);
        }
    }
    EXIT_OK
}

fn name_forms(der: &[u8]) -> Value {
    match DistinguishedName::from_der(der) {
        Ok(dn) => json!({ "rfc4514": dn.to_string(), "server_username": dn.server_username() }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

fn hex_colon(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    parts.join(":")
}

fn key_description(spki_der: &[u8]) -> Value {
    match SpkiRef::from_der(spki_der) {
        Ok(spki) => match spki.kind {
            KeyKind::Rsa { bits } => json!({ "algorithm": "RSA", "bits": bits }),
            KeyKind::P256 => json!({ "algorithm": "ECDSA P-256", "bits": 256 }),
            KeyKind::P384 => json!({ "algorithm": "ECDSA P-384", "bits": 384 }),
            KeyKind::Ed25519 => json!({ "algorithm": "Ed25519", "bits": 256 }),
            other => json!({ "algorithm": format!("{other:?}"), "bits": Value::Null }),
        },
        Err(e) => json!({ "algorithm": Value::Null, "error": e.to_string() }),
    }
}

fn general_name(name: &GeneralName<'_>) -> Value {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match name {
        GeneralName::Rfc822(b) => json!({ "email": text(b) }),
        GeneralName::Dns(b) => json!({ "dns": text(b) }),
        GeneralName::Uri(b) => json!({ "uri": text(b) }),
        GeneralName::Ip(b) => json!({ "ip": ip_text(b) }),
        GeneralName::Directory(b) => json!({ "directory": name_forms(b)["rfc4514"] }),
        GeneralName::OtherName(b) => json!({ "other_name": hex_colon(b) }),
        GeneralName::RegisteredId(b) => json!({ "registered_id": hex_colon(b) }),
        GeneralName::X400(b) | GeneralName::EdiParty(b) => json!({ "other": hex_colon(b) }),
    }
}

fn ip_text(b: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        return std::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(b) {
        return std::net::Ipv6Addr::from(v6).to_string();
    }
    hex_colon(b)
}

fn describe(der: &[u8]) -> Result<Value, String> {
    let cert = Certificate::from_der(der, &Limits::DEFAULT).map_err(|e| e.to_string())?;
    let signature = SignatureAlgorithm::from_der(cert.signature_algorithm_der())
        .map_or_else(|e| e.to_string(), |a| a.name().to_owned());
    let basic = cert
        .basic_constraints()
        .map(|bc| json!({ "ca": bc.ca, "path_len": bc.path_len }));
    let sans: Option<Vec<Value>> = cert
        .subject_alt_names()
        .map(|names| names.iter().map(general_name).collect());
    Ok(json!({
        "subject": name_forms(cert.subject_der()),
        "issuer": name_forms(cert.issuer_der()),
        "serial": hex_colon(cert.serial()),
        "validity": { "not_before": cert.not_before().to_string(), "not_after": cert.not_after().to_string() },
        "key": key_description(cert.spki_der()),
        "signature_algorithm": signature,
        "basic_constraints": basic,
        "key_usage": cert.key_usage(),
        "extended_key_usage": cert.extended_key_usage(),
        "subject_alt_names": sans,
        "sha256_fingerprint": hex_colon(&cert.sha256_fingerprint()),
    }))
}

/// The text form: every value escaped (certificate text may hold control or bidi characters).
fn print_text(index: usize, r: &Value) {
    let s = |v: &Value| match v {
        Value::String(s) => Escaped(s).to_string(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    };
    let list = |v: &Value| match v.as_array() {
        Some(items) => items.iter().map(s).collect::<Vec<_>>().join(", "),
        None => "-".to_owned(),
    };
    println!("certificate {index}");
    println!("  subject:             {}", s(&r["subject"]["rfc4514"]));
    println!(
        "  server username:     {}",
        s(&r["subject"]["server_username"])
    );
    println!("  issuer:              {}", s(&r["issuer"]["rfc4514"]));
    println!("  serial:              {}", s(&r["serial"]));
    println!("  valid from:          {}", s(&r["validity"]["not_before"]));
    println!("  valid until:         {}", s(&r["validity"]["not_after"]));
    println!(
        "  key:                 {} ({} bits)",
        s(&r["key"]["algorithm"]),
        s(&r["key"]["bits"])
    );
    println!("  signature algorithm: {}", s(&r["signature_algorithm"]));
    let bc = &r["basic_constraints"];
    let bc_text = if bc.is_null() {
        "-".to_owned()
    } else if bc["ca"] == true {
        format!(
            "CA, path length {}",
            if bc["path_len"].is_null() {
                "unlimited".to_owned()
            } else {
                s(&bc["path_len"])
            }
        )
    } else {
        "not a CA".to_owned()
    };
    println!("  basic constraints:   {bc_text}");
    println!("  key usage:           {}", list(&r["key_usage"]));
    println!("  extended key usage:  {}", list(&r["extended_key_usage"]));
    let sans = match r["subject_alt_names"].as_array() {
        // `type: value`, the value escaped like every other.
        Some(items) => items
            .iter()
            .map(|v| match v.as_object().and_then(|o| o.iter().next()) {
                Some((k, v)) => format!("{k}: {}", s(v)),
                None => s(v),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => "-".to_owned(),
    };
    println!("  subject alt names:   {sans}");
    println!("  sha256 fingerprint:  {}", s(&r["sha256_fingerprint"]));
}
