//! `explain` and `config check` as an operator runs them: exact JSON output and exit codes on
//! the example settings and PKI, with the time fixed by `--at`.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use cli_support::run_json;
use serde_json::Value;

/// Inside the example PKI's validity.
const AT: &str = "2027-01-01T00:00:00Z";

fn check(args: &[&str], code: i32, expected: &str) {
    let (c, v) = run_json(args);
    let expected: Value = serde_json::from_str(expected).unwrap();
    assert_eq!(v, expected, "{}", serde_json::to_string_pretty(&v).unwrap());
    assert_eq!(c, code);
}

#[test]
fn jane_allowed() {
    check(
        &[
            "explain",
            "--config",
            "examples/settings.toml",
            "--at",
            AT,
            "examples/pki/jane-chain.pem",
            "--json",
        ],
        0,
        r#"{
  "decision": "allow",
  "kind": null,
  "message": "the client logs in as \"CN=Jane Doe,O=MongoDB,C=US\" (self-managed)",
  "principal": {
    "user": "CN=Jane Doe,O=MongoDB,C=US",
    "kind": "self-managed",
    "ldap_dn": null,
    "roles": [
      "readWrite@sales",
      "read@reporting.orders"
    ]
  },
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
      "detail": "\"CN=Jane Doe,O=MongoDB,C=US\""
    },
    {
      "step": "kind",
      "outcome": "pass",
      "detail": "self-managed certificate (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\")"
    },
    {
      "step": "claimed_user",
      "outcome": "skip",
      "detail": "no user name claimed; the subject names the user"
    },
    {
      "step": "ldap_authorization",
      "outcome": "skip",
      "detail": "LDAP authorization is off; database users decide"
    },
    {
      "step": "user",
      "outcome": "pass",
      "detail": "database user \"CN=Jane Doe,O=MongoDB,C=US\" (self-managed)"
    },
    {
      "step": "roles",
      "outcome": "pass",
      "detail": "readWrite@sales, read@reporting.orders"
    }
  ]
}"#,
    );
}

#[test]
fn impostor_kind_mismatch() {
    check(
        &[
            "explain",
            "--config",
            "examples/settings.toml",
            "--at",
            AT,
            "examples/pki/impostor-chain.pem",
            "--json",
        ],
        1,
        r#"{
  "decision": "deny",
  "kind": "kind_mismatch",
  "message": "the database user \"CN=myuser\" is a managed X.509 user, but the certificate was issued by a self-managed CA; a certificate of one kind never logs in as a user of the other",
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
      "detail": "\"CN=myuser\""
    },
    {
      "step": "kind",
      "outcome": "pass",
      "detail": "self-managed certificate (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\")"
    },
    {
      "step": "claimed_user",
      "outcome": "skip",
      "detail": "no user name claimed; the subject names the user"
    },
    {
      "step": "ldap_authorization",
      "outcome": "skip",
      "detail": "LDAP authorization is off; database users decide"
    },
    {
      "step": "user",
      "outcome": "fail",
      "detail": "the database user \"CN=myuser\" is a managed X.509 user, but the certificate was issued by a self-managed CA; a certificate of one kind never logs in as a user of the other"
    }
  ]
}"#,
    );
}

#[test]
fn claim_mismatch() {
    check(
        &[
            "explain",
            "--config",
            "examples/settings.toml",
            "--at",
            AT,
            "--user",
            "CN=John Doe,O=MongoDB,C=US",
            "examples/pki/jane-chain.pem",
            "--json",
        ],
        1,
        r#"{
  "decision": "deny",
  "kind": "claim_mismatch",
  "message": "the claimed user \"CN=John Doe,O=MongoDB,C=US\" does not match the certificate subject \"CN=Jane Doe,O=MongoDB,C=US\"",
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
      "detail": "\"CN=Jane Doe,O=MongoDB,C=US\""
    },
    {
      "step": "kind",
      "outcome": "pass",
      "detail": "self-managed certificate (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\")"
    },
    {
      "step": "claimed_user",
      "outcome": "fail",
      "detail": "the claimed user \"CN=John Doe,O=MongoDB,C=US\" does not match the certificate subject \"CN=Jane Doe,O=MongoDB,C=US\""
    }
  ]
}"#,
    );
}

#[test]
fn server_cert_chain_error() {
    check(
        &[
            "explain",
            "--config",
            "examples/settings.toml",
            "--at",
            AT,
            "examples/pki/web-server-chain.pem",
            "--json",
        ],
        1,
        r#"{
  "decision": "deny",
  "kind": "eku_mismatch",
  "message": "the certificate chain is not trusted: the client certificate (#0) \"CN=db.example.com,O=Example Corp,C=US\" has an extendedKeyUsage extension that does not include clientAuth",
  "principal": null,
  "steps": [
    {
      "step": "certificate",
      "outcome": "pass",
      "detail": "2 certificate(s) presented"
    },
    {
      "step": "chain",
      "outcome": "fail",
      "detail": "does not verify against the managed CA set or the self-managed CA set: the client certificate (#0) \"CN=db.example.com,O=Example Corp,C=US\" has an extendedKeyUsage extension that does not include clientAuth"
    }
  ]
}"#,
    );
}

#[test]
fn ldap_jane_allowed() {
    check(
        &[
            "explain",
            "--config",
            "examples/settings-ldap.toml",
            "--at",
            AT,
            "examples/pki/jane-chain.pem",
            "--json",
        ],
        0,
        r#"{
  "decision": "allow",
  "kind": null,
  "message": "the client logs in as \"cn=Jane Doe,ou=users,dc=example,dc=com\" (self-managed)",
  "principal": {
    "user": "cn=Jane Doe,ou=users,dc=example,dc=com",
    "kind": "self-managed",
    "ldap_dn": "cn=Jane Doe,ou=users,dc=example,dc=com",
    "roles": [
      "dbAdmin@sales",
      "read@reporting",
      "ordersReader@admin"
    ]
  },
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
      "detail": "\"CN=Jane Doe,O=MongoDB,C=US\""
    },
    {
      "step": "kind",
      "outcome": "pass",
      "detail": "self-managed certificate (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\")"
    },
    {
      "step": "claimed_user",
      "outcome": "skip",
      "detail": "no user name claimed; the subject names the user"
    },
    {
      "step": "ldap_authorization",
      "outcome": "pass",
      "detail": "LDAP authorization is on; LDAP groups decide the roles"
    },
    {
      "step": "ldap_mapping",
      "outcome": "pass",
      "detail": "\"CN=Jane Doe,O=MongoDB,C=US\" maps to \"cn=Jane Doe,ou=users,dc=example,dc=com\" (1 rule(s))"
    },
    {
      "step": "ldap_query",
      "outcome": "pass",
      "detail": "query `{USER}?memberOf?base` for \"cn=Jane Doe,ou=users,dc=example,dc=com\" returned \"cn=dbAdmins,ou=groups,dc=example,dc=com\", \"cn=readers,ou=groups,dc=example,dc=com\""
    },
    {
      "step": "ldap_groups",
      "outcome": "pass",
      "detail": "configured groups matched: \"cn=dbAdmins,ou=groups,dc=example,dc=com\", \"cn=readers,ou=groups,dc=example,dc=com\""
    },
    {
      "step": "roles",
      "outcome": "pass",
      "detail": "dbAdmin@sales, read@reporting, ordersReader@admin"
    }
  ]
}"#,
    );
}

#[test]
fn ldap_managed_blocked() {
    check(
        &[
            "explain",
            "--config",
            "examples/settings-ldap.toml",
            "--at",
            AT,
            "examples/pki/myuser-chain.pem",
            "--json",
        ],
        1,
        r#"{
  "decision": "deny",
  "kind": "managed_blocked_by_ldap",
  "message": "LDAP authorization is on, so users of managed X.509 certificates cannot connect (subject \"CN=myuser\")",
  "principal": null,
  "steps": [
    {
      "step": "certificate",
      "outcome": "pass",
      "detail": "1 certificate(s) presented"
    },
    {
      "step": "chain",
      "outcome": "pass",
      "detail": "a path of 2 certificate(s) ends at \"CN=Example Platform Managed X.509 CA,O=Example Platform\" in the managed CA set, so the certificate is managed"
    },
    {
      "step": "subject",
      "outcome": "pass",
      "detail": "\"CN=myuser\""
    },
    {
      "step": "kind",
      "outcome": "pass",
      "detail": "managed certificate (trust anchor \"CN=Example Platform Managed X.509 CA,O=Example Platform\")"
    },
    {
      "step": "claimed_user",
      "outcome": "skip",
      "detail": "no user name claimed; the subject names the user"
    },
    {
      "step": "ldap_authorization",
      "outcome": "fail",
      "detail": "LDAP authorization is on, and managed certificates cannot connect then"
    }
  ]
}"#,
    );
}

#[test]
fn config_check_warnings() {
    check(
        &[
            "config",
            "check",
            "tests/data/settings-warnings.toml",
            "--json",
            "--at",
            "2036-11-01T00:00:00Z",
        ],
        0,
        r#"{
  "valid": true,
  "summary": {
    "managed": {
      "cas": [
        "CN=Example Platform Managed X.509 CA,O=Example Platform"
      ]
    },
    "self_managed": {
      "enabled": false,
      "cas": [
        "CN=Example Corp Root CA,O=Example Corp,C=US"
      ]
    },
    "name_matching": "canonical",
    "users": [
      {
        "name": "CN=Jane Doe,O=MongoDB,C=US",
        "x509": "self-managed",
        "roles": [
          "readWrite@sales"
        ]
      },
      {
        "name": "C=US,O=MongoDB,CN=Reversed User",
        "x509": "managed",
        "roles": [
          "read@sales"
        ]
      }
    ],
    "custom_roles": 0,
    "ldap": {
      "authorization": false,
      "query_template": "{USER}?memberOf?base",
      "mapping_rules": [],
      "groups": [
        {
          "dn": "cn=dbAdmins,ou=groups,dc=example,dc=com",
          "roles": [
            "dbAdmin@sales"
          ]
        }
      ],
      "directory": null
    }
  },
  "warnings": [
    {
      "code": "managed_ca",
      "message": "trust anchor #0 (CN=Example Platform Managed X.509 CA,O=Example Platform) expires in 29 day(s)"
    },
    {
      "code": "self_managed_ca",
      "message": "trust anchor #0 (CN=Example Corp Root CA,O=Example Corp,C=US) expires in 29 day(s)"
    },
    {
      "code": "unreachable_user",
      "message": "user #0 \"CN=Jane Doe,O=MongoDB,C=US\" (self-managed) cannot log in: self-managed X.509 is disabled"
    },
    {
      "code": "reversed_user_name",
      "message": "user #1 \"C=US,O=MongoDB,CN=Reversed User\" looks typed in reverse order (C= first, CN= last); names are compared in order, so a certificate for this person does not match it: write \"CN=Reversed User,O=MongoDB,C=US\""
    },
    {
      "code": "unused_ldap_groups",
      "message": "LDAP groups are configured but LDAP authorization is off, so they grant nothing"
    }
  ]
}"#,
    );
}

#[test]
fn config_check_invalid() {
    check(
        &[
            "config",
            "check",
            "tests/data/settings-invalid.toml",
            "--json",
        ],
        2,
        r#"{
  "valid": false,
  "error": {
    "kind": "invalid_user_name",
    "file": "tests/data/settings-invalid.toml",
    "line": 10,
    "key": "users[1].name",
    "message": "user #1: \"Jane Doe\" is not a valid distinguished name: unknown DN attribute type \"Jane\" at byte 0; use a known short name such as CN, O, OU, C or a dotted OID such as 2.5.4.3"
  }
}"#,
    );
}

#[test]
fn explain_bad_config() {
    check(
        &[
            "explain",
            "--config",
            "tests/data/settings-invalid.toml",
            "--at",
            AT,
            "examples/pki/jane-chain.pem",
            "--json",
        ],
        2,
        r#"{
  "error": {
    "kind": "invalid_user_name",
    "message": "tests/data/settings-invalid.toml:10: users[1].name: user #1: \"Jane Doe\" is not a valid distinguished name: unknown DN attribute type \"Jane\" at byte 0; use a known short name such as CN, O, OU, C or a dotted OID such as 2.5.4.3"
  }
}"#,
    );
}

#[test]
fn revoked_certificate_is_refused_by_the_configured_crl() {
    let (code, v) = run_json(&[
        "explain",
        "--json",
        "--at",
        AT,
        "--config",
        "examples/settings.toml",
        "examples/pki/revoked-chain.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["kind"], "revoked");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "the certificate chain is not trusted: the client certificate (#0) \"CN=Revoked User,O=MongoDB,C=US\" is revoked (CRL entry dated "
        ) && message.ends_with(", reason keyCompromise)"),
        "{message}"
    );
    assert_eq!(v["principal"], Value::Null);
}
