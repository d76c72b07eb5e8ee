//! `x509-dbauth`: the operator's tool for X.509 database authentication.
//!
//! Every subcommand prints text for people by default and one JSON document with `--json`.
//! Exit codes: 0 success (or a positive answer), 1 a negative answer (names differ, chain
//! invalid), 2 bad input or usage.
//!
//! Text output escapes every certificate-, settings- or command-line-derived value with
//! [`Escaped`] (control, format and line-separator characters as `\XX` / `\u{…}`, `\` as
//! `\\`), so no value can forge a line or drive the terminal. In JSON output the sentences
//! (`message`, `detail`) are the same escaped text, and the data fields (`input`, `rfc4514`,
//! `user`, …) hold the raw value, which JSON itself escapes where it must.

// `serde_json::Value` indexing returns `Null` for a missing key or index; it never panics.
#![allow(clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

mod config;
mod demo;
mod explain;
mod inspect;
mod ldap;
mod verify;

use x509_dbauth::{DistinguishedName, Escaped, errors::ReadFileError, settings::FileKind};

/// Exit code for a positive answer.
const EXIT_OK: u8 = 0;
/// Exit code for a negative answer (not equal, not valid, denied).
const EXIT_NO: u8 = 1;
/// Exit code for bad input or usage.
const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "x509-dbauth",
    version,
    about = "X.509 database authentication: names, chains, decisions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every example scenario (each example client under the example settings, with and
    /// without LDAP) through `explain`, and print one table.
    Demo(demo::DemoArgs),
    /// Distinguished names: show how a DN is read, printed and compared.
    #[command(subcommand)]
    Dn(DnCommand),
    /// Show what a certificate (PEM bundle or DER) contains.
    Inspect(inspect::InspectArgs),
    /// Verify a client certificate chain against a PKI (RFC 5280).
    Verify(verify::VerifyArgs),
    /// Decide whether a client chain logs in under a settings file, and show every step.
    Explain(explain::ExplainArgs),
    /// Settings files.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The LDAP directory a settings file names.
    #[command(subcommand)]
    Ldap(LdapCommand),
}

#[derive(Subcommand)]
enum LdapCommand {
    /// Show, for one subject, the mapping rule that matched, the LDAP DN, the exact query
    /// sent, the groups returned, the roles granted, and timings (MongoDB's `mongoldap`).
    Test(ldap::TestArgs),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a settings file and print warnings (expiring CAs, users nobody can log in as).
    Check(config::CheckArgs),
}

#[derive(Subcommand)]
enum DnCommand {
    /// Parse each DN and print its RFC 4514 form, server username, canonical form and lint.
    Show {
        /// One or more DN strings, e.g. "CN=Jane Doe,O=MongoDB,C=US".
        #[arg(required = true)]
        dns: Vec<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Say whether two DNs name the same entity (RFC 4517 distinguishedNameMatch).
    Compare {
        /// First DN.
        a: String,
        /// Second DN.
        b: String,
        #[command(flatten)]
        out: Output,
    },
}

/// Output selection shared by every subcommand.
#[derive(Args, Clone, Copy)]
pub(crate) struct Output {
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with success; usage errors go to stderr.
            let code = if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Dn(DnCommand::Show { dns, out }) => dn_show(&dns, out),
        Command::Dn(DnCommand::Compare { a, b, out }) => dn_compare(&a, &b, out),
        Command::Inspect(args) => inspect::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Config(ConfigCommand::Check(args)) => config::check(&args),
        Command::Ldap(LdapCommand::Test(args)) => ldap::test(&args),
    };
    ExitCode::from(code)
}

/// The JSON description of one DN string: its forms and lint, or why it does not parse.
fn dn_report(input: &str) -> (Value, bool) {
    match DistinguishedName::parse(input) {
        Ok(dn) => {
            // Lint the text as typed (spacing, case, order), not only the parsed name.
            let lint: Vec<Value> = DistinguishedName::lint_str(input)
                .unwrap_or_else(|_| dn.lint())
                .iter()
                .map(|l| json!({ "code": l.code(), "message": l.message() }))
                .collect();
            let report = json!({
                "input": input,
                "rfc4514": dn.to_string(),
                "server_username": dn.server_username(),
                "canonical": dn.canonical().to_string(),
                "lint": lint,
            });
            (report, true)
        }
        Err(e) => {
            let report = json!({
                "input": input,
                "error": { "kind": e.kind(), "message": e.to_string(), "offset": e.offset() },
            });
            (report, false)
        }
    }
}

fn print_dn_text(report: &Value) {
    let field = |k: &str| {
        report
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let input = field("input");
    println!("input:           {}", shorten(&Escaped(&input).to_string()));
    if let Some(err) = report.get("error") {
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        println!("error:           {msg}");
        if let Some(offset) = err.get("offset").and_then(Value::as_u64) {
            // The offset counts bytes of the input; the caret needs characters of its escaped
            // echo (and none past the shortened echo of a long input).
            let at = usize::try_from(offset).unwrap_or(usize::MAX);
            let width = input
                .get(..at)
                .map_or(0, |p| Escaped(p).to_string().chars().count());
            if width <= ECHO_MAX_CHARS {
                let pad = " ".repeat(width);
                println!("                 {pad}^ (byte {offset})");
            }
        }
        return;
    }
    println!("rfc4514:         {}", Escaped(field("rfc4514")));
    println!("server username: {}", Escaped(field("server_username")));
    println!("canonical:       {}", Escaped(field("canonical")));
    if let Some(lints) = report.get("lint").and_then(Value::as_array) {
        for l in lints {
            let code = l.get("code").and_then(Value::as_str).unwrap_or_default();
            let msg = l.get("message").and_then(Value::as_str).unwrap_or_default();
            println!("warning [{code}]: {msg}");
        }
    }
}

/// Longest input echoed whole in text output; JSON output always carries all of it.
const ECHO_MAX_CHARS: usize = 200;

/// `s`, or its first [`ECHO_MAX_CHARS`] characters and how long it really is.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(ECHO_MAX_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", s.get(..cut).unwrap_or(s), s.len()),
        None => s.to_owned(),
    }
}

fn dn_show(dns: &[String], out: Output) -> u8 {
    let mut all_ok = true;
    let mut reports = Vec::with_capacity(dns.len());
    for input in dns {
        let (report, ok) = dn_report(input);
        all_ok &= ok;
        reports.push(report);
    }
    if out.json {
        print_json(&Value::Array(reports));
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print_dn_text(r);
        }
    }
    if all_ok { EXIT_OK } else { EXIT_BAD_INPUT }
}

fn dn_compare(a: &str, b: &str, out: Output) -> u8 {
    let (ra, _) = dn_report(a);
    let (rb, _) = dn_report(b);
    let parsed = (DistinguishedName::parse(a), DistinguishedName::parse(b));
    let (da, db) = match parsed {
        (Ok(da), Ok(db)) => (da, db),
        _ => {
            if out.json {
                print_json(&json!({ "equal": Value::Null, "a": ra, "b": rb }));
            } else {
                print_dn_text(&ra);
                println!();
                print_dn_text(&rb);
            }
            return EXIT_BAD_INPUT;
        }
    };
    let equal = da.matches(&db);
    if out.json {
        print_json(&json!({ "equal": equal, "a": ra, "b": rb }));
    } else {
        let verdict = if equal { "equal" } else { "not equal" };
        println!("{verdict}");
        println!("a canonical: {}", Escaped(da.canonical()));
        println!("b canonical: {}", Escaped(db.canonical()));
        if !equal && (da.has_control_characters() || db.has_control_characters()) {
            println!("note: a DN with a control character never matches another DN");
        }
    }
    if equal { EXIT_OK } else { EXIT_NO }
}

/// Prints a JSON document, pretty, on stdout.
pub(crate) fn print_json(v: &Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("x509-dbauth: cannot encode JSON: {e}"),
    }
}

/// Reads a file named on the command line: a regular file (symbolic links followed) within
/// the size limit of its kind, with an error naming the path and the limit.
pub(crate) fn read_input(path: &Path, kind: FileKind) -> Result<Vec<u8>, ReadFileError> {
    kind.read(path)
}

/// Reports a bad-input error in the selected output form and returns exit code 2.
pub(crate) fn bad_input(out: Output, kind: &str, message: &str) -> u8 {
    if out.json {
        print_json(&json!({ "error": { "kind": kind, "message": message } }));
    } else {
        eprintln!("x509-dbauth: {message}");
    }
    EXIT_BAD_INPUT
}

/// A path argument (kept as a type so help output reads well).
pub(crate) type FilePath = PathBuf;
