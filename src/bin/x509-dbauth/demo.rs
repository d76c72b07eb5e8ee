//! `x509-dbauth demo`: every example scenario of the bundled example PKI and settings, each
//! decided through the same path as `explain`, as one table.
//!
//! Each scenario knows the decision it should give (`allow`, or the kind of denial); a
//! scenario that gives anything else is marked, and the exit code is then 1.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use x509_dbauth::{AuthError, CertificateKind, Decision, Escaped};

use crate::explain::{BadInput, load};
use crate::verify::validation_time;
use crate::{EXIT_NO, EXIT_OK, Output, bad_input, print_json};

/// Arguments of `demo`.
#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// The directory holding the example settings files and `pki/` (default: `examples` under
    /// the current directory, as in the crate's repository).
    #[arg(long, value_name = "DIR", default_value = "examples")]
    examples: PathBuf,
    /// Validation time (RFC 3339 with Z or ±hh:mm, e.g. 2027-01-01T00:00:00Z); default: now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    #[command(flatten)]
    out: Output,
}

/// One example: a client chain under a settings file, and the decision it should give.
struct Scenario {
    /// The chain file, under `pki/`.
    client: &'static str,
    /// The settings file, in the examples directory.
    settings: &'static str,
    /// `"allow"`, or the [`AuthError::kind`] of the expected denial.
    expected: &'static str,
}

const fn scenario(
    client: &'static str,
    settings: &'static str,
    expected: &'static str,
) -> Scenario {
    Scenario {
        client,
        settings,
        expected,
    }
}

const SETTINGS: &str = "settings.toml";
const SELF_MANAGED_OFF: &str = "settings-self-managed-off.toml";
const LDAP: &str = "settings-ldap.toml";

/// Every scenario, in the order printed: each example client under the plain settings, then
/// self-managed X.509 switched off, then LDAP authorization over the bundled LDIF directory.
const SCENARIOS: &[Scenario] = &[
    scenario("jane-chain.pem", SETTINGS, "allow"),
    scenario("kaloyan-chain.pem", SETTINGS, "allow"),
    scenario("myuser-chain.pem", SETTINGS, "allow"),
    scenario("impostor-chain.pem", SETTINGS, "kind_mismatch"),
    scenario("john-chain.pem", SETTINGS, "unknown_user"),
    scenario("expired-chain.pem", SETTINGS, "expired"),
    scenario("revoked-chain.pem", SETTINGS, "revoked"),
    scenario("unknown-ca-client-chain.pem", SETTINGS, "unknown_issuer"),
    scenario("jane-chain.pem", SELF_MANAGED_OFF, "self_managed_disabled"),
    scenario("myuser-chain.pem", SELF_MANAGED_OFF, "allow"),
    scenario("jane-chain.pem", LDAP, "allow"),
    scenario("john-chain.pem", LDAP, "allow"),
    scenario("kaloyan-chain.pem", LDAP, "no_mapping"),
    scenario("myuser-chain.pem", LDAP, "managed_blocked_by_ldap"),
];

/// What one scenario gave.
struct Row {
    client: &'static str,
    settings: &'static str,
    /// The certificate's kind, when phase 1 established one.
    kind: Option<CertificateKind>,
    decision: Decision,
    expected: &'static str,
}

impl Row {
    /// `"allow"` or the denial's kind: what [`Scenario::expected`] is compared with.
    fn outcome(&self) -> &'static str {
        self.decision.error().map_or("allow", AuthError::kind)
    }

    fn as_expected(&self) -> bool {
        self.outcome() == self.expected
    }

    /// The last column: the roles granted, or the denial's kind and operator text.
    fn detail(&self) -> String {
        match &self.decision {
            Decision::Allowed { principal, .. } => {
                let roles: Vec<String> = principal
                    .role_names()
                    .iter()
                    .map(|r| Escaped(r).to_string())
                    .collect();
                if roles.is_empty() {
                    "(no roles)".to_owned()
                } else {
                    roles.join(", ")
                }
            }
            // The error's sentence escapes every value it quotes.
            Decision::Denied { error, .. } => format!("{}: {error}", error.kind()),
        }
    }

    fn json(&self) -> Value {
        let (roles, denial) = match &self.decision {
            Decision::Allowed { principal, .. } => (json!(principal.role_names()), Value::Null),
            Decision::Denied { error, .. } => (
                Value::Null,
                json!({ "kind": error.kind(), "message": error.to_string() }),
            ),
        };
        json!({
            "client": self.client,
            "settings": self.settings,
            "kind": self.kind.map(CertificateKind::as_str),
            "decision": if self.decision.is_allowed() { "allow" } else { "deny" },
            "user": self.decision.principal().map(|p| p.user()),
            "roles": roles,
            "denial": denial,
            "expected": self.expected,
            "as_expected": self.as_expected(),
        })
    }
}

/// Runs `demo`: exit 0 when every scenario gave its expected decision, 1 otherwise, 2 when the
/// example files cannot be read.
pub(crate) fn run(args: &DemoArgs) -> u8 {
    let now = match validation_time(args.at.as_deref()) {
        Ok(t) => t,
        Err(msg) => return bad_input(args.out, "bad_time", &msg),
    };
    if let Some(missing) = first_missing(&args.examples) {
        let message = format!(
            "the example files are not in \"{}\" (no \"{}\"): run the demo from the crate's root directory, or name the directory with --examples <DIR>",
            Escaped(args.examples.display()),
            Escaped(missing.display()),
        );
        return bad_input(args.out, "examples_missing", &message);
    }
    let mut rows = Vec::with_capacity(SCENARIOS.len());
    for s in SCENARIOS {
        match run_one(&args.examples, s, now) {
            Ok(row) => rows.push(row),
            Err(e) => return bad_input(args.out, e.kind, &e.message),
        }
    }
    let as_expected = rows.iter().filter(|r| r.as_expected()).count();
    if args.out.json {
        print_json(&json!({
            "scenarios": rows.iter().map(Row::json).collect::<Vec<_>>(),
            "total": rows.len(),
            "as_expected": as_expected,
        }));
    } else {
        print_table(&rows);
        if as_expected == rows.len() {
            println!("{} scenarios, each as expected", rows.len());
        } else {
            println!(
                "{} of {} scenarios NOT as expected (marked above)",
                rows.len() - as_expected,
                rows.len()
            );
        }
    }
    if as_expected == rows.len() {
        EXIT_OK
    } else {
        EXIT_NO
    }
}

/// The first example file the scenarios need that is not a file.
fn first_missing(dir: &Path) -> Option<PathBuf> {
    SCENARIOS
        .iter()
        .flat_map(|s| [dir.join(s.settings), dir.join("pki").join(s.client)])
        .find(|p| !p.is_file())
}

/// Decides one scenario through `explain`'s path; the certificate's kind comes from phase 1.
fn run_one(dir: &Path, s: &Scenario, now: x509_dbauth::UnixTime) -> Result<Row, BadInput> {
    let (authenticator, chain) = load(&dir.join(s.settings), &dir.join("pki").join(s.client), now)?;
    let decision = authenticator.explain_blocking(&chain, now, None);
    let kind = match &decision {
        Decision::Allowed { principal, .. } => Some(principal.kind()),
        Decision::Denied {
            error: AuthError::SelfManagedDisabled { .. },
            ..
        } => Some(CertificateKind::SelfManaged),
        Decision::Denied { .. } => authenticator
            .verify_client(&chain, now)
            .ok()
            .map(|c| c.kind()),
    };
    Ok(Row {
        client: s.client,
        settings: s.settings,
        kind,
        decision,
        expected: s.expected,
    })
}

/// Prints the rows as a table with aligned columns; a row that did not give its expected
/// decision ends with what was expected.
fn print_table(rows: &[Row]) {
    let header = ["client", "settings", "kind", "decision", "roles / denial"];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.client.to_owned(),
                r.settings.to_owned(),
                r.kind.map_or("-", CertificateKind::as_str).to_owned(),
                if r.decision.is_allowed() {
                    "allow"
                } else {
                    "deny"
                }
                .to_owned(),
            ]
        })
        .collect();
    let mut widths = [0usize; 4];
    for (i, w) in widths.iter_mut().enumerate() {
        let column = cells.iter().filter_map(|c| c.get(i)).map(String::as_str);
        *w = header
            .get(i)
            .into_iter()
            .copied()
            .chain(column)
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
    }
    let line = |c: [&str; 4], last: &str| {
        let mut out = String::new();
        for (cell, w) in c.iter().zip(widths) {
            out.push_str(cell);
            out.push_str(&" ".repeat(w.saturating_sub(cell.chars().count()) + 2));
        }
        out.push_str(last);
        out
    };
    let [h0, h1, h2, h3, h4] = header;
    println!("{}", line([h0, h1, h2, h3], h4));
    for (r, c) in rows.iter().zip(&cells) {
        let [c0, c1, c2, c3] = c;
        let mut text = line([c0, c1, c2, c3], &r.detail());
        if !r.as_expected() {
            text.push_str(&format!("  <-- NOT AS EXPECTED: expected {}", r.expected));
        }
        println!("{text}");
    }
}
