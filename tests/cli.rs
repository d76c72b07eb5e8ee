//! The command-line tool, run as a user would run it, on the bundled example PKI.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use cli_support::{run, run_json};
use serde_json::{Value, json};

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

#[test]
fn inspect_shows_both_name_forms_and_the_extensions() {
    let (code, v) = run_json(&["inspect", "--json", "examples/pki/kaloyan-chain.pem"]);
    assert_eq!(code, 0);
    let certs = v.as_array().unwrap();
    assert_eq!(certs.len(), 2, "a PEM bundle prints every certificate");
    let leaf = &certs[0];
    assert_eq!(
        leaf["subject"]["rfc4514"],
        "CN=Калоян,OU=Kernel Users,O=MongoDB,L=New York City,ST=New York,C=US"
    );
    assert_eq!(
        leaf["subject"]["server_username"],
        "CN=\\D0\\9A\\D0\\B0\\D0\\BB\\D0\\BE\\D1\\8F\\D0\\BD,OU=Kernel Users,O=MongoDB,L=New York City,ST=New York,C=US"
    );
    assert_eq!(
        leaf["issuer"]["rfc4514"],
        "CN=Example Corp Issuing CA,OU=Database Security,O=Example Corp,C=US"
    );
    assert_eq!(
        leaf["key"],
        json!({"algorithm": "ECDSA P-256", "bits": 256})
    );
    assert_eq!(leaf["signature_algorithm"], "ECDSA SHA-256");
    assert_eq!(
        leaf["basic_constraints"],
        json!({"ca": false, "path_len": null})
    );
    assert_eq!(leaf["key_usage"], json!(["digitalSignature"]));
    assert_eq!(leaf["extended_key_usage"], json!(["clientAuth"]));
    assert_eq!(leaf["subject_alt_names"], Value::Null);
    // Ten-year validity written as RFC 3339 UTC.
    let from = leaf["validity"]["not_before"].as_str().unwrap();
    assert!(from.len() == 20 && from.ends_with('Z'), "{from}");
    let issuing = &certs[1];
    assert_eq!(
        issuing["basic_constraints"],
        json!({"ca": true, "path_len": 0})
    );
    assert_eq!(issuing["key_usage"], json!(["keyCertSign", "cRLSign"]));
    assert_eq!(issuing["signature_algorithm"], "RSA PKCS#1 v1.5 SHA-256");
}

#[test]
fn inspect_garbage_is_bad_input() {
    let (code, v) = run_json(&["inspect", "--json", "README.md"]);
    assert_eq!(code, 2);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("README.md: ")
    );
}

#[test]
fn inspect_missing_file_is_bad_input() {
    let (code, v) = run_json(&["inspect", "--json", "no/such/file.pem"]);
    assert_eq!(code, 2);
    assert_eq!(v["error"]["kind"], "io");
}

#[test]
fn verify_valid_chain_lists_the_path() {
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/jane-chain.pem",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!({"valid": true, "path": [
            "CN=Jane Doe,O=MongoDB,C=US",
            "CN=Example Corp Issuing CA,OU=Database Security,O=Example Corp,C=US",
            "CN=Example Corp Root CA,O=Example Corp,C=US",
        ]})
    );
}

#[test]
fn verify_server_only_certificate_is_refused_for_client_auth() {
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/web-server-chain.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"]["kind"], "eku_mismatch");
    assert_eq!(v["error"]["certificate_index"], 0);
    assert_eq!(
        v["error"]["message"],
        "the client certificate (#0) \"CN=db.example.com,O=Example Corp,C=US\" has an extendedKeyUsage extension that does not include clientAuth"
    );
}

#[test]
fn verify_against_the_wrong_pki_names_the_unknown_issuer() {
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/managed-ca.pem",
        "examples/pki/impostor-chain.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "unknown_issuer");
    assert_eq!(v["error"]["certificate_index"], 1);
}

#[test]
fn verify_at_a_time_before_the_pki_existed_is_not_yet_valid() {
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--at",
        "2020-01-01T00:00:00Z",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/jane-chain.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "not_yet_valid");
}

#[test]
fn verify_bad_time_and_bad_anchor_file_are_bad_input() {
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--at",
        "yesterday",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/jane-chain.pem",
    ]);
    assert_eq!(code, 2);
    assert_eq!(v["error"]["kind"], "usage");
    // A leaf is not a CA: the bundle is refused, naming the certificate.
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/jane.pem",
        "examples/pki/jane-chain.pem",
    ]);
    assert_eq!(code, 2);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("examples/pki/jane.pem"),
        "{v}"
    );
}

#[test]
fn verify_with_crls_refuses_the_revoked_certificate() {
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "--crl",
        "examples/pki/project-issuing-ca.crl",
        "examples/pki/revoked-chain.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "revoked");
    assert_eq!(v["error"]["certificate_index"], 0);
}

#[test]
fn verify_require_crl_needs_a_crl_from_every_issuer() {
    let base = [
        "verify",
        "--json",
        "--require-crl",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "--crl",
        "examples/pki/project-issuing-ca.crl",
    ];
    // The issuing CA itself is not covered: the root's CRL is missing.
    let (code, v) = run_json(&[&base[..], &["examples/pki/jane-chain.pem"]].concat());
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "crl_missing");
    assert_eq!(v["error"]["certificate_index"], 1);
    let (code, v) = run_json(
        &[
            &base[..],
            &[
                "--crl",
                "examples/pki/project-root-ca.crl",
                "examples/pki/jane-chain.pem",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["valid"], true);
}

#[test]
fn verify_uses_configured_intermediates() {
    // The leaf alone, with the issuing CA supplied by the operator instead of the client.
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "--intermediates",
        "examples/pki/project-issuing-ca.pem",
        "examples/pki/jane.pem",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["path"].as_array().unwrap().len(), 3);
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/jane.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "unknown_issuer");
}

#[test]
fn inspect_reads_der_too() {
    let dir = std::env::temp_dir().join(format!("x509-dbauth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = std::fs::read(format!(
        "{}/examples/pki/jane.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let ders = x509_dbauth::x509::Certificate::ders_from_pem_or_der(&pem).unwrap();
    let der_path = dir.join("jane.der");
    std::fs::write(&der_path, &ders[0]).unwrap();
    let (code, v) = run_json(&["inspect", "--json", der_path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0);
    assert_eq!(v[0]["subject"]["rfc4514"], "CN=Jane Doe,O=MongoDB,C=US");
}

#[test]
fn dn_show_shortens_a_huge_input_in_text_but_not_in_json() {
    let huge = "CN=a,".repeat(5000);
    let (code, stdout, _) = run(&["dn", "show", &huge]);
    assert_eq!(code, 2);
    let first = stdout.lines().next().unwrap();
    assert!(first.ends_with("… (25000 bytes in all)"), "{first}");
    assert!(first.len() < 300);
    assert!(
        stdout.contains(
            "error:           DN is 25000 bytes long, more than the limit of 16384 bytes"
        ),
        "{stdout}"
    );
    let (code, v) = run_json(&["dn", "show", "--json", &huge]);
    assert_eq!(code, 2);
    assert_eq!(v[0]["input"].as_str().unwrap().len(), 25000);
    assert_eq!(v[0]["error"]["kind"], "too_long");
}

// ---- issue 7 item 18: `--at` says the supported range and form ----

#[test]
fn at_before_1970_and_offsets_state_the_supported_range_and_form() {
    let verify = |at: &str| {
        run(&[
            "verify",
            "--at",
            at,
            "--anchors",
            "examples/pki/project-root-ca.pem",
            "examples/pki/jane-chain.pem",
        ])
    };
    let (code, stdout, stderr) = verify("1969-12-31T23:59:59Z");
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "x509-dbauth: --at \"1969-12-31T23:59:59Z\" is outside the supported range 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (in UTC)\n"
        )
    );
    let (code, stdout, stderr) = verify("2026-01-31T12:00:00+0200");
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "x509-dbauth: --at \"2026-01-31T12:00:00+0200\" is not a time of the form YYYY-MM-DDTHH:MM:SS followed by Z or an offset +hh:mm / -hh:mm (RFC 3339, e.g. 2026-01-31T12:00:00Z or 2026-01-31T14:00:00+02:00)\n"
        )
    );
    // An offset is converted to UTC: 2020-01-01T01:00:00+02:00 is 2019-12-31T23:00Z, before
    // the example PKI existed, exactly as the same instant written with Z.
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--at",
        "2020-01-01T01:00:00+02:00",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/jane-chain.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "not_yet_valid");
    let (code, v) = run_json(&[
        "verify",
        "--json",
        "--at",
        "2027-01-01T05:00:00+05:00",
        "--anchors",
        "examples/pki/project-root-ca.pem",
        "examples/pki/jane-chain.pem",
    ]);
    assert_eq!((code, &v["valid"]), (0, &json!(true)));
}

// ---- issue 7 item 6: only regular files are read, up to a limit per kind of file ----

/// A fresh directory for files a test makes, under Cargo's per-target temporary directory.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A FIFO (named pipe) with no writer: opening it for reading would block forever.
#[cfg(unix)]
fn fifo(dir: &std::path::Path) -> String {
    let path = dir.join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path.display().to_string()
}

/// Runs the tool and expects exit code 2, nothing on stdout and exactly `stderr`.
fn bad_input(args: &[&str], stderr: &str) {
    let (code, out, err) = run(args);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (2, "", stderr),
        "{args:?}"
    );
}

const NOT_REGULAR: &str = "not a regular file (a symbolic link to a regular file is fine)";

#[cfg(unix)]
#[test]
fn inspect_reads_only_regular_files_within_the_limit() {
    let dir = scratch("inspect");
    bad_input(
        &["inspect", "/dev/zero"],
        &format!(
            "x509-dbauth: cannot read certificate file /dev/zero: it is a character device, {NOT_REGULAR}\n"
        ),
    );
    let pipe = fifo(&dir);
    bad_input(
        &["inspect", &pipe],
        &format!(
            "x509-dbauth: cannot read certificate file {pipe}: it is a FIFO (named pipe), {NOT_REGULAR}\n"
        ),
    );
    let d = dir.display().to_string();
    bad_input(
        &["inspect", &d],
        &format!(
            "x509-dbauth: cannot read certificate file {d}: it is a directory, {NOT_REGULAR}\n"
        ),
    );
    // One byte over the 8 MiB limit for certificate files.
    let big = dir.join("big.pem");
    std::fs::write(&big, vec![b' '; 8 * 1024 * 1024 + 1]).unwrap();
    let big = big.display().to_string();
    bad_input(
        &["inspect", &big],
        &format!(
            "x509-dbauth: cannot read certificate file {big}: it is larger than 8 MiB (8388608 bytes), the limit for a certificate file\n"
        ),
    );
    let (code, v) = run_json(&["inspect", "--json", &big]);
    assert_eq!(code, 2);
    assert_eq!(v["error"]["kind"], "file_too_large");
    // A symbolic link to a regular file (a secret mount) is read.
    let link = dir.join("jane.pem");
    std::os::unix::fs::symlink(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pki/jane.pem"),
        &link,
    )
    .unwrap();
    let (code, v) = run_json(&["inspect", "--json", link.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(v[0]["subject"]["rfc4514"], "CN=Jane Doe,O=MongoDB,C=US");
}

#[cfg(unix)]
#[test]
fn verify_reads_anchors_crls_and_intermediates_only_from_regular_files() {
    let dir = scratch("verify");
    let pipe = fifo(&dir);
    let d = dir.display().to_string();
    let chain = "examples/pki/jane-chain.pem";
    bad_input(
        &["verify", "--anchors", "/dev/zero", chain],
        &format!(
            "x509-dbauth: cannot read certificate file /dev/zero: it is a character device, {NOT_REGULAR}\n"
        ),
    );
    bad_input(
        &[
            "verify",
            "--anchors",
            "examples/pki/project-root-ca.pem",
            "--crl",
            &pipe,
            chain,
        ],
        &format!(
            "x509-dbauth: cannot read CRL file {pipe}: it is a FIFO (named pipe), {NOT_REGULAR}\n"
        ),
    );
    let big = dir.join("big.crl");
    std::fs::write(&big, vec![0u8; 32 * 1024 * 1024 + 1]).unwrap();
    let big = big.display().to_string();
    bad_input(
        &[
            "verify",
            "--anchors",
            "examples/pki/project-root-ca.pem",
            "--crl",
            &big,
            chain,
        ],
        &format!(
            "x509-dbauth: cannot read CRL file {big}: it is larger than 32 MiB (33554432 bytes), the limit for a CRL file\n"
        ),
    );
    bad_input(
        &[
            "verify",
            "--anchors",
            "examples/pki/project-root-ca.pem",
            "--intermediates",
            &d,
            chain,
        ],
        &format!(
            "x509-dbauth: cannot read certificate file {d}: it is a directory, {NOT_REGULAR}\n"
        ),
    );
    bad_input(
        &[
            "verify",
            "--anchors",
            "examples/pki/project-root-ca.pem",
            &pipe,
        ],
        &format!(
            "x509-dbauth: cannot read certificate file {pipe}: it is a FIFO (named pipe), {NOT_REGULAR}\n"
        ),
    );
}

#[cfg(unix)]
#[test]
fn explain_and_config_check_read_settings_and_what_they_name_from_regular_files() {
    let dir = scratch("settings");
    let pipe = fifo(&dir);
    let d = dir.display().to_string();
    bad_input(
        &["config", "check", &d],
        &format!(
            "x509-dbauth: {d}: cannot read the settings file: it is a directory, {NOT_REGULAR}\n"
        ),
    );
    bad_input(
        &["explain", "--config", &pipe, "examples/pki/jane-chain.pem"],
        &format!(
            "x509-dbauth: {pipe}: cannot read the settings file: it is a FIFO (named pipe), {NOT_REGULAR}\n"
        ),
    );
    let big = dir.join("big.toml");
    std::fs::write(&big, vec![b'#'; 1024 * 1024 + 1]).unwrap();
    let big = big.display().to_string();
    bad_input(
        &["config", "check", &big],
        &format!(
            "x509-dbauth: {big}: cannot read the settings file: it is larger than 1 MiB (1048576 bytes), the limit for a settings file\n"
        ),
    );
    bad_input(
        &["explain", "--config", "examples/settings.toml", "/dev/zero"],
        &format!(
            "x509-dbauth: cannot read certificate file /dev/zero: it is a character device, {NOT_REGULAR}\n"
        ),
    );
    // Files the settings name: CA bundle, CRL, LDIF directory.
    let settings = dir.join("s.toml");
    let s = settings.display().to_string();
    std::fs::write(&settings, "[managed_x509]\nca_file = \"/dev/zero\"\n").unwrap();
    bad_input(
        &["config", "check", &s],
        &format!(
            "x509-dbauth: {s}:2: managed_x509.ca_file: cannot read certificate file /dev/zero: it is a character device, {NOT_REGULAR}\n"
        ),
    );
    let root = format!(
        "{}/examples/pki/project-root-ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(
        &settings,
        format!(
            "[self_managed_x509]\nenabled = true\nca_file = \"{root}\"\ncrl_files = [\"{pipe}\"]\n"
        ),
    )
    .unwrap();
    bad_input(
        &["config", "check", &s],
        &format!(
            "x509-dbauth: {s}:4: self_managed_x509.crl_files[0]: cannot read CRL file {pipe}: it is a FIFO (named pipe), {NOT_REGULAR}\n"
        ),
    );
    std::fs::write(
        &settings,
        format!("[self_managed_x509]\nenabled = true\nca_file = \"{root}\"\n\n[ldap]\ndirectory = \"ldif:{d}\"\n"),
    )
    .unwrap();
    bad_input(
        &["config", "check", &s],
        &format!(
            "x509-dbauth: {s}:6: ldap.directory: cannot read LDIF file {d}: it is a directory, {NOT_REGULAR}\n"
        ),
    );
}

// ---- issue 7 item 8: LDIF errors name the file and line, never the line's text ----

#[test]
fn config_check_with_a_secret_as_ldif_does_not_print_the_secret() {
    let dir = scratch("ldif-secret");
    let secret = dir.join("secret");
    std::fs::write(&secret, "db-password: hunter2-Sup3rS3cret\n").unwrap();
    let settings = dir.join("s.toml");
    let root = format!(
        "{}/examples/pki/project-root-ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(
        &settings,
        format!(
            "[self_managed_x509]\nenabled = true\nca_file = \"{root}\"\n\n[ldap]\ndirectory = \"ldif:{}\"\n",
            secret.display()
        ),
    )
    .unwrap();
    let s = settings.display().to_string();
    let (code, out, err) = run(&["config", "check", &s]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            format!(
                "x509-dbauth: {s}:6: ldap.directory: {}: LDIF line 1: expected a `dn:` line: a record must start with its DN\n",
                secret.display()
            )
            .as_str()
        )
    );
    assert!(!err.contains("hunter2"));
    let (code, v) = run_json(&["config", "check", "--json", &s]);
    assert_eq!(code, 2);
    assert_eq!(v["error"]["kind"], "ldif_syntax");
    assert!(!v.to_string().contains("hunter2"));
}

// ---- issue 10 item 6: the demo runs every example scenario through `explain` ----

/// Every example scenario's row, exactly, at a fixed time inside the example PKI's validity.
const DEMO_TABLE: &str = r#"client                       settings                        kind          decision  roles / denial
jane-chain.pem               settings.toml                   self-managed  allow     readWrite@sales, read@reporting.orders
kaloyan-chain.pem            settings.toml                   self-managed  allow     read@kernel
myuser-chain.pem             settings.toml                   managed       allow     read@inventory, ordersReader@admin
impostor-chain.pem           settings.toml                   self-managed  deny      kind_mismatch: the database user "CN=myuser" is a managed X.509 user, but the certificate was issued by a self-managed CA; a certificate of one kind never logs in as a user of the other
john-chain.pem               settings.toml                   self-managed  deny      unknown_user: no database user is named "CN=John Smith,O=MongoDB,C=US"
expired-chain.pem            settings.toml                   -             deny      expired: the certificate chain is not trusted: the client certificate (#0) "CN=Expired User,O=MongoDB,C=US" expired at 2026-01-01T00:00:00Z (validation time 2027-01-01T00:00:00Z)
revoked-chain.pem            settings.toml                   -             deny      revoked: the certificate chain is not trusted: the client certificate (#0) "CN=Revoked User,O=MongoDB,C=US" is revoked (CRL entry dated 2026-12-03T13:24:28Z, reason keyCompromise)
unknown-ca-client-chain.pem  settings.toml                   -             deny      unknown_issuer: the certificate chain is not trusted: the client certificate (#0) "CN=Jane Doe,O=MongoDB,C=US" was issued by "CN=Elsewhere Inc Unknown CA,O=Elsewhere Inc,C=US", which is neither a trust anchor nor an available intermediate
jane-chain.pem               settings-self-managed-off.toml  self-managed  deny      self_managed_disabled: the certificate was issued by a self-managed CA (trust anchor "CN=Example Corp Root CA,O=Example Corp,C=US"), but self-managed X.509 authentication is disabled
myuser-chain.pem             settings-self-managed-off.toml  managed       allow     read@inventory
jane-chain.pem               settings-ldap.toml              self-managed  allow     dbAdmin@sales, read@reporting, ordersReader@admin
john-chain.pem               settings-ldap.toml              self-managed  allow     read@reporting, ordersReader@admin
kaloyan-chain.pem            settings-ldap.toml              self-managed  deny      no_mapping: no user-to-DN mapping rule maps "CN=\\D0\\9A\\D0\\B0\\D0\\BB\\D0\\BE\\D1\\8F\\D0\\BD,OU=Kernel Users,O=MongoDB,L=New York City,ST=New York,C=US" to an LDAP DN (rule 1: regex `CN=([^,]+),O=MongoDB,C=US` does not match the whole input)
myuser-chain.pem             settings-ldap.toml              managed       deny      managed_blocked_by_ldap: LDAP authorization is on, so users of managed X.509 certificates cannot connect (subject "CN=myuser")
14 scenarios, each as expected
"#;

#[test]
fn demo_prints_every_scenario_as_expected() {
    let (code, stdout, stderr) = run(&["demo", "--at", "2027-01-01T00:00:00Z"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (0, DEMO_TABLE, "")
    );
}

#[test]
fn demo_json_lists_kind_decision_and_roles_or_denial() {
    let (code, v) = run_json(&["demo", "--json", "--at", "2027-01-01T00:00:00Z"]);
    assert_eq!(code, 0);
    assert_eq!(v["total"], 14);
    assert_eq!(v["as_expected"], 14);
    let rows: Vec<(String, String, Value, String, Value, Value, bool)> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["client"].as_str().unwrap().to_owned(),
                s["settings"].as_str().unwrap().to_owned(),
                s["kind"].clone(),
                s["decision"].as_str().unwrap().to_owned(),
                s["roles"].clone(),
                s["denial"]["kind"].clone(),
                s["as_expected"].as_bool().unwrap(),
            )
        })
        .collect();
    let allow = |client: &str, settings: &str, kind: &str, roles: Value| {
        (
            client.to_owned(),
            settings.to_owned(),
            json!(kind),
            "allow".to_owned(),
            roles,
            Value::Null,
            true,
        )
    };
    let deny = |client: &str, settings: &str, kind: Value, denial: &str| {
        (
            client.to_owned(),
            settings.to_owned(),
            kind,
            "deny".to_owned(),
            Value::Null,
            json!(denial),
            true,
        )
    };
    let (s, off, ldap) = (
        "settings.toml",
        "settings-self-managed-off.toml",
        "settings-ldap.toml",
    );
    let sm = || json!("self-managed");
    assert_eq!(
        rows,
        [
            allow(
                "jane-chain.pem",
                s,
                "self-managed",
                json!(["readWrite@sales", "read@reporting.orders"])
            ),
            allow(
                "kaloyan-chain.pem",
                s,
                "self-managed",
                json!(["read@kernel"])
            ),
            allow(
                "myuser-chain.pem",
                s,
                "managed",
                json!(["read@inventory", "ordersReader@admin"])
            ),
            deny("impostor-chain.pem", s, sm(), "kind_mismatch"),
            deny("john-chain.pem", s, sm(), "unknown_user"),
            deny("expired-chain.pem", s, Value::Null, "expired"),
            deny("revoked-chain.pem", s, Value::Null, "revoked"),
            deny(
                "unknown-ca-client-chain.pem",
                s,
                Value::Null,
                "unknown_issuer"
            ),
            deny("jane-chain.pem", off, sm(), "self_managed_disabled"),
            allow(
                "myuser-chain.pem",
                off,
                "managed",
                json!(["read@inventory"])
            ),
            allow(
                "jane-chain.pem",
                ldap,
                "self-managed",
                json!(["dbAdmin@sales", "read@reporting", "ordersReader@admin"])
            ),
            allow(
                "john-chain.pem",
                ldap,
                "self-managed",
                json!(["read@reporting", "ordersReader@admin"])
            ),
            deny("kaloyan-chain.pem", ldap, sm(), "no_mapping"),
            deny(
                "myuser-chain.pem",
                ldap,
                json!("managed"),
                "managed_blocked_by_ldap"
            ),
        ]
    );
    // Under LDAP the user is the mapped directory entry.
    assert_eq!(
        v["scenarios"][11]["user"],
        "cn=John Smith,ou=users,dc=example,dc=com"
    );
}

/// A copy of the examples directory in which John is a database user: his scenario under
/// `settings.toml` is then allowed, which the demo marks, and it exits 1.
#[test]
fn demo_marks_a_scenario_that_is_not_as_expected_and_exits_1() {
    let dir = scratch("demo-changed");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("pki")).unwrap();
    for entry in std::fs::read_dir(&examples)
        .unwrap()
        .chain(std::fs::read_dir(examples.join("pki")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            let rel = path.strip_prefix(&examples).unwrap();
            std::fs::copy(&path, dir.join(rel)).unwrap();
        }
    }
    let settings = dir.join("settings.toml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str("\n[[users]]\nname = \"CN=John Smith,O=MongoDB,C=US\"\nx509 = \"self-managed\"\nroles = [\"read@sales\"]\n");
    std::fs::write(&settings, text).unwrap();
    let d = dir.display().to_string();
    let (code, stdout, _) = run(&["demo", "--examples", &d, "--at", "2027-01-01T00:00:00Z"]);
    assert_eq!(code, 1);
    let john = stdout
        .lines()
        .find(|l| l.starts_with("john-chain.pem  ") && l.contains(" settings.toml "))
        .unwrap();
    assert_eq!(
        john,
        "john-chain.pem               settings.toml                   self-managed  allow     read@sales  <-- NOT AS EXPECTED: expected unknown_user"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("1 of 14 scenarios NOT as expected (marked above)")
    );
    let (code, v) = run_json(&[
        "demo",
        "--json",
        "--examples",
        &d,
        "--at",
        "2027-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["as_expected"], 13);
    assert_eq!(v["scenarios"][4]["as_expected"], false);
    assert_eq!(v["scenarios"][4]["expected"], "unknown_user");
}

#[test]
fn demo_without_the_example_files_is_a_typed_error() {
    let dir = scratch("demo-empty");
    let d = dir.display().to_string();
    let (code, stdout, stderr) = run(&["demo", "--examples", &d]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "x509-dbauth: the example files are not in \"{d}\" (no \"{d}/settings.toml\"): run the demo from the crate's root directory, or name the directory with --examples <DIR>\n"
        )
    );
    let (code, v) = run_json(&["demo", "--json", "--examples", &d]);
    assert_eq!(code, 2);
    assert_eq!(v["error"]["kind"], "examples_missing");
}
