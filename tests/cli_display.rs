//! The CLI's text and JSON output on a certificate whose CN tries to forge lines (issue 7,
//! item 7): generated in the test, with a settings file written next to it.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;
mod common;

use std::path::PathBuf;

use cli_support::{run, run_json};
use common::policy::{path, project_leaf};
use rcgen::DnType;
use serde_json::Value;

/// Inside the example PKI's validity.
const AT: &str = "2027-01-01T00:00:00Z";

/// A CN that, printed raw, would end the line, colour the terminal and reverse the text.
const FORGING_CN: &str = "uid=eve\n  [pass] user: root\u{1b}[32m\u{202e}toor";

/// RFC 7468 PEM of one certificate (standard Base64, 64 columns).
fn pem(der: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli_display-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the client chain for `cn` and an LDAP settings file with the `common_name_is_dn`
/// rule; returns (settings path, chain path).
fn ldap_case(name: &str, cn: &str) -> (String, String) {
    let dir = scratch(name);
    let chain = project_leaf(&[
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, cn),
    ]);
    let chain_path = dir.join("chain.pem");
    let text: String = chain.iter().map(|c| pem(c.as_ref())).collect();
    std::fs::write(&chain_path, text).unwrap();
    let settings = format!(
        r#"[managed_x509]
ca_file = "{managed}"

[self_managed_x509]
enabled = true
ca_file = "{project}"

[ldap]
authorization = true
directory = "ldif:{ldif}"
user_to_dn_mapping = [{{ common_name_is_dn = true }}]

[[ldap_groups]]
dn = "cn=dbAdmins,ou=groups,dc=example,dc=com"
roles = ["dbAdmin@sales"]
"#,
        managed = path("examples/pki/managed-ca.pem").display(),
        project = path("examples/pki/project-root-ca.pem").display(),
        ldif = path("tests/data/directory.ldif").display(),
    );
    let settings_path = dir.join("settings.toml");
    std::fs::write(&settings_path, settings).unwrap();
    (
        settings_path.display().to_string(),
        chain_path.display().to_string(),
    )
}

/// The text output: the CN stays inside its step's line and the message line; no ESC, no
/// bidi override, no line beginning `  [pass] user: root`.
const EXPLAIN_TEXT: &str = r#"decision: deny
kind:     control_character_in_subject
message:  the certificate subject "CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202E}toor,O=MongoDB" contains the control character U+000A in its CN value (RDN 1, character 8); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group
steps:
  [pass] certificate: 2 certificate(s) presented
  [pass] chain: a path of 3 certificate(s) ends at "CN=Example Corp Root CA,O=Example Corp,C=US" in the self-managed CA set, so the certificate is self-managed
  [pass] subject: "CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202E}toor,O=MongoDB"
  [pass] kind: self-managed certificate (trust anchor "CN=Example Corp Root CA,O=Example Corp,C=US")
  [fail] subject_name: the certificate subject "CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202E}toor,O=MongoDB" contains the control character U+000A in its CN value (RDN 1, character 8); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group
"#;

/// The JSON output: `message` and `detail` are the same escaped sentences.
const EXPLAIN_JSON: &str = r#"{
  "decision": "deny",
  "kind": "control_character_in_subject",
  "message": "the certificate subject \"CN=uid=eve\\\\0A  [pass] user: root\\\\1B[32m\\u{202E}toor,O=MongoDB\" contains the control character U+000A in its CN value (RDN 1, character 8); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group",
  "principal": null,
  "steps": [
    {
      "step": "certificate",
      "outcome": "pass",
      "detail": "2 certificate(s) presented"
    },
    {
      "step": "chain",
      "outcome": "pass",
      "detail": "a path of 3 certificate(s) ends at \"CN=Example Corp Root CA,O=Example Corp,C=US\" in the self-managed CA set, so the certificate is self-managed"
    },
    {
      "step": "subject",
      "outcome": "pass",
      "detail": "\"CN=uid=eve\\\\0A  [pass] user: root\\\\1B[32m\\u{202E}toor,O=MongoDB\""
    },
    {
      "step": "kind",
      "outcome": "pass",
      "detail": "self-managed certificate (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\")"
    },
    {
      "step": "subject_name",
      "outcome": "fail",
      "detail": "the certificate subject \"CN=uid=eve\\\\0A  [pass] user: root\\\\1B[32m\\u{202E}toor,O=MongoDB\" contains the control character U+000A in its CN value (RDN 1, character 8); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group"
    }
  ]
}
"#;

#[test]
fn explain_text_and_json_escape_a_forging_common_name() {
    let (settings, chain) = ldap_case("explain", FORGING_CN);
    let (code, stdout, stderr) = run(&["explain", "--config", &settings, "--at", AT, &chain]);
    assert_eq!(stdout, EXPLAIN_TEXT, "{stderr}");
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 9);
    assert!(!stdout.lines().any(|l| l.starts_with("  [pass] user")));
    assert!(!stdout.contains(['\u{1b}', '\u{202e}']));

    let (code, json) = run_json(&[
        "explain", "--config", &settings, "--at", AT, &chain, "--json",
    ]);
    let expected: Value = serde_json::from_str(EXPLAIN_JSON).unwrap();
    assert_eq!(
        json,
        expected,
        "{}",
        serde_json::to_string_pretty(&json).unwrap()
    );
    assert_eq!(code, 1);
}

#[test]
fn inspect_text_escapes_the_subject_and_json_keeps_the_value() {
    let (_, chain) = ldap_case("inspect", FORGING_CN);
    let (code, stdout, stderr) = run(&["inspect", &chain]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.get(..3),
        Some(
            &[
                "certificate 0",
                r"  subject:             CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202E}toor,O=MongoDB",
                "  server username:     CN=uid=eve   [pass] user: root[32mtoor,O=MongoDB",
            ][..]
        ),
        "{stdout}"
    );
    // Two certificates of 14 lines each and the blank line between them: nothing forged.
    assert_eq!(lines.len(), 29, "{stdout}");
    assert!(!stdout.contains(['\u{1b}', '\u{202e}']));
    // JSON: the data field is the RFC 4514 text itself (its own `\0A` escape, the raw U+202E).
    let (code, json) = run_json(&["inspect", &chain, "--json"]);
    assert_eq!(code, 0);
    assert_eq!(
        json[0]["subject"]["rfc4514"],
        "CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202e}toor,O=MongoDB"
    );
}

#[test]
fn dn_show_text_escapes_input_and_forms() {
    let input = "CN=a\n  [pass] b\u{202e}\u{1b}[0m";
    let (code, stdout, _) = run(&["dn", "show", input]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        r"input:           CN=a\0A  [pass] b\u{202E}\1B[0m
rfc4514:         CN=a\\0A  [pass] b\u{202E}\\1B[0m
server username: CN=a   [pass] b[0m
canonical:       CN=a\\0A [pass] b\u{202E}\\1B[0m
warning [control-character]: the CN value contains a control or invisible character; this name will not match any other name
"
    );
    // The caret of a syntax error points into the escaped echo: under the `\` of `\1B`.
    let (code, stdout, _) = run(&["dn", "show", "C\u{1b}=x"]);
    assert_eq!(code, 2);
    assert_eq!(
        stdout,
        r"input:           C\1B=x
error:           DN syntax error at byte 1: expected '=' after the attribute type, found control character U+001B
                  ^ (byte 1)
"
    );
}

#[test]
fn verify_text_escapes_the_path() {
    let (_, chain) = ldap_case("verify", FORGING_CN);
    let anchors = path("examples/pki/project-root-ca.pem")
        .display()
        .to_string();
    let (code, stdout, stderr) = run(&["verify", "--anchors", &anchors, "--at", AT, &chain]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        r"valid: the chain verifies for client authentication
  0: CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202E}toor,O=MongoDB (leaf)
  1: CN=Example Corp Issuing CA,OU=Database Security,O=Example Corp,C=US (intermediate)
  2: CN=Example Corp Root CA,O=Example Corp,C=US (anchor)
"
    );
}

#[test]
fn config_check_text_escapes_user_names() {
    let dir = scratch("config");
    let settings = dir.join("settings.toml");
    std::fs::write(
        &settings,
        format!(
            "[self_managed_x509]\nenabled = true\nca_file = \"{}\"\n[ldap]\nauthorization = true\n\
             [[users]]\nname = \"CN=eve\u{2066}s,O=MongoDB\"\nx509 = \"self-managed\"\nroles = []\n",
            path("examples/pki/project-root-ca.pem").display()
        ),
    )
    .unwrap();
    let settings = settings.display().to_string();
    let (code, stdout, stderr) = run(&["config", "check", &settings, "--at", AT]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "{settings}: valid
  1 user(s), 0 custom role(s), self-managed X.509 enabled, LDAP authorization on
warning [unreachable_user]: user #0 \"CN=eve\\u{{2066}}s,O=MongoDB\" (self-managed) cannot log in: LDAP authorization is on, so database users are not used (LDAP groups decide)
warning [no_ldap_groups]: LDAP authorization is on but no LDAP group grants roles, so nobody can log in
"
        )
    );
}
