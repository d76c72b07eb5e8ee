//! The command-line tool, run as a user would run it, on the bundled example PKI.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

use serde_json::{Value, json};

/// Runs the tool with `args` from the crate root; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_x509-dbauth"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn run_json(args: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = run(args);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, v)
}

#[test]
fn dn_show_reports_every_form_and_the_lint() {
    let (code, v) = run_json(&["dn", "show", "--json", "C=US, O=MongoDB, cn=Jane Doe"]);
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!([{
            "input": "C=US, O=MongoDB, cn=Jane Doe",
            "rfc4514": "C=US,O=MongoDB,CN=Jane Doe",
            "server_username": "C=US,O=MongoDB,CN=Jane Doe",
            "canonical": "C=us,O=mongodb,CN=jane doe",
            "lint": [
                {"code": "space-after-comma",
                 "message": "spaces after a separator are ignored; write the name without them"},
                {"code": "lowercase-type",
                 "message": "attribute type 'cn' is usually written 'CN'"},
                {"code": "reversed-order",
                 "message": "the name starts with C and ends with CN, so its RDNs look reversed (DER order written as text); RFC 4514 text lists the most specific RDN first: CN=Jane Doe,O=MongoDB,C=US"},
            ],
        }])
    );
}

#[test]
fn dn_show_escapes_non_ascii_in_the_server_username() {
    let (code, v) = run_json(&["dn", "show", "--json", "CN=Калоян,O=MongoDB"]);
    assert_eq!(code, 0);
    assert_eq!(
        v[0]["server_username"],
        "CN=\\D0\\9A\\D0\\B0\\D0\\BB\\D0\\BE\\D1\\8F\\D0\\BD,O=MongoDB"
    );
    assert_eq!(v[0]["rfc4514"], "CN=Калоян,O=MongoDB");
}

#[test]
fn dn_show_bad_input_gives_kind_offset_and_exit_2() {
    let (code, v) = run_json(&["dn", "show", "--json", "CN=ok", "CN=a\\"]);
    assert_eq!(code, 2);
    assert_eq!(v[0]["rfc4514"], "CN=ok");
    assert_eq!(v[1]["input"], "CN=a\\");
    assert_eq!(v[1]["error"]["offset"], 4);
    assert_eq!(v[1]["error"]["kind"], "invalid_escape");
}

#[test]
fn dn_show_text_points_at_the_error() {
    let (code, stdout, _) = run(&["dn", "show", "CN=Jane,=x"]);
    assert_eq!(code, 2);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "input:           CN=Jane,=x");
    // The caret sits under the byte the error names.
    let caret = lines[2].find('^').unwrap();
    assert_eq!(caret - "input:           ".len(), "CN=Jane,".len());
}

#[test]
fn dn_compare_equal_names_exit_0() {
    let (code, v) = run_json(&[
        "dn",
        "compare",
        "--json",
        "CN=Jane Doe, O=MongoDB",
        "cn=jane   doe,o=mongodb",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["equal"], true);
    assert_eq!(v["a"]["canonical"], v["b"]["canonical"]);
}

#[test]
fn dn_compare_reversed_names_exit_1() {
    let (code, v) = run_json(&[
        "dn",
        "compare",
        "--json",
        "CN=Jane Doe,O=MongoDB,C=US",
        "C=US,O=MongoDB,CN=Jane Doe",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["equal"], false);
}

#[test]
fn dn_compare_control_character_never_matches() {
    let (code, stdout, _) = run(&["dn", "compare", "CN=admin\\00", "CN=admin"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("note: a DN with a control character never matches another DN"),
        "{stdout}"
    );
}

#[test]
fn dn_compare_bad_input_exit_2() {
    let (code, v) = run_json(&["dn", "compare", "--json", "CN=a", "CN=#zz"]);
    assert_eq!(code, 2);
    assert_eq!(v["equal"], Value::Null);
    assert!(v["b"]["error"]["kind"].is_string());
}

#[test]
fn usage_error_exit_2() {
    let (code, _, stderr) = run(&["dn", "frobnicate"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unrecognized subcommand"), "{stderr}");
}
