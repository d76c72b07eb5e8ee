//! `x509-dbauth explain`: would this client chain be let in under these settings, as whom,
//! with which roles, and why — every step of the decision.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use x509_dbauth::x509::Certificate;
use x509_dbauth::{
    AuthError, Authenticator, CertificateDer, Decision, Escaped, SettingsFile, UnixTime,
    settings::FileKind, testing::ManualClock,
};

use crate::verify::validation_time;
use crate::{EXIT_NO, EXIT_OK, FilePath, Output, bad_input, print_json, read_input};

/// Arguments of `explain`.
#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// The settings file (TOML).
    #[arg(long, value_name = "TOML")]
    config: FilePath,
    /// The user name the client claims (optional; it must match the subject).
    #[arg(long, value_name = "DN")]
    user: Option<String>,
    /// Validation time (RFC 3339 with Z or ±hh:mm, 1970–9999, e.g. 2027-01-01T00:00:00Z); default: now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The client chain: leaf first, then any intermediates (PEM bundle or DER).
    chain: FilePath,
    #[command(flatten)]
    out: Output,
}

/// Runs `explain`: exit 0 allowed, 1 denied, 2 bad input.
pub(crate) fn run(args: &ExplainArgs) -> u8 {
    let now = match validation_time(args.at.as_deref()) {
        Ok(t) => t,
        Err(msg) => return bad_input(args.out, "bad_time", &msg),
    };
    let decision = match decide(&args.config, &args.chain, now, args.user.as_deref()) {
        Ok(d) => d,
        Err(e) => return bad_input(args.out, e.kind, &e.message),
    };
    let report = report(&decision);
    if args.out.json {
        print_json(&report);
    } else {
        print_text(&report);
    }
    if decision.is_allowed() {
        EXIT_OK
    } else {
        EXIT_NO
    }
}

/// Why a decision could not be made: a settings file or a chain file that cannot be read.
pub(crate) struct BadInput {
    /// The error's stable kind.
    pub(crate) kind: &'static str,
    /// The sentence for people.
    pub(crate) message: String,
}

/// The one decision path of the tool (`explain` and `demo`): [`load`], then the decision
/// explained at `now`.
pub(crate) fn decide(
    config: &Path,
    chain_path: &Path,
    now: UnixTime,
    user: Option<&str>,
) -> Result<Decision, BadInput> {
    let (authenticator, chain) = load(config, chain_path, now)?;
    Ok(authenticator.explain_blocking(&chain, now, user))
}

/// Loads the settings file (with its directory) into an authenticator whose clock reads
/// `now`, and the chain file.
pub(crate) fn load(
    config: &Path,
    chain_path: &Path,
    now: UnixTime,
) -> Result<(Authenticator, Vec<CertificateDer<'static>>), BadInput> {
    let bad = |kind, message| BadInput { kind, message };
    let file = SettingsFile::load(config).map_err(|e| bad(e.kind, e.to_string()))?;
    let bytes =
        read_input(chain_path, FileKind::Certificates).map_err(|e| bad(e.kind(), e.to_string()))?;
    let chain = Certificate::ders_from_pem_or_der(&bytes)
        .map_err(|e| bad(e.kind(), format!("{}: {e}", Escaped(chain_path.display()))))?;
    // The LDAP cache reads the same (fixed) time, so the output does not depend on the clock.
    // A live directory that cannot be set up (CA file, password source) is bad input here,
    // not a silent fail-closed decision.
    let authenticator = file
        .try_authenticator()
        .map_err(|e| bad(e.kind(), e.to_string()))?
        .with_clock(Arc::new(ManualClock::new(now)));
    Ok((authenticator, chain))
}

/// The JSON document for a decision.
fn report(d: &Decision) -> Value {
    let principal = d.principal().map_or(Value::Null, |p| {
        json!({
            "user": p.user(),
            "kind": p.kind().as_str(),
            "ldap_dn": p.ldap_dn(),
            "roles": p.role_names(),
        })
    });
    let message = match d {
        Decision::Denied { error, .. } => error.to_string(),
        Decision::Allowed { principal: p, .. } => format!(
            "the client logs in as \"{}\" ({})",
            Escaped(p.user()),
            p.kind()
        ),
    };
    let steps: Vec<Value> = d
        .steps()
        .iter()
        .map(|s| json!({ "step": s.step, "outcome": s.outcome.as_str(), "detail": s.detail }))
        .collect();
    json!({
        "decision": if d.is_allowed() { "allow" } else { "deny" },
        "kind": d.error().map(AuthError::kind),
        "message": message,
        "principal": principal,
        "steps": steps,
    })
}

/// The text form: `message` and `detail` are already escaped sentences; the principal's data
/// fields are escaped here.
fn print_text(r: &Value) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let e = |v: &Value| Escaped(v.as_str().unwrap_or_default()).to_string();
    println!("decision: {}", s(&r["decision"]));
    if let Some(kind) = r["kind"].as_str() {
        println!("kind:     {kind}");
    }
    println!("message:  {}", s(&r["message"]));
    if !r["principal"].is_null() {
        let p = &r["principal"];
        println!("user:     {} ({})", e(&p["user"]), s(&p["kind"]));
        if let Some(dn) = p["ldap_dn"].as_str() {
            println!("ldap dn:  {}", Escaped(dn));
        }
        let roles: Vec<String> = p["roles"]
            .as_array()
            .map(|a| a.iter().map(e).collect())
            .unwrap_or_default();
        println!("roles:    {}", roles.join(", "));
    }
    println!("steps:");
    for step in r["steps"].as_array().map(Vec::as_slice).unwrap_or_default() {
        println!(
            "  [{}] {}: {}",
            s(&step["outcome"]),
            s(&step["step"]),
            s(&step["detail"])
        );
    }
}
