//! The LDAP client against a real OpenLDAP server: a throwaway `slapd` (tests/support/slapd.rs)
//! shared by the tests of this binary, plus private servers for the outage scenarios.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "support/slapd.rs"]
mod slapd;

use std::process::Command;
use std::sync::OnceLock;

use slapd::{SUFFIX, Slapd};

/// The shared server, or `None` when slapd is not installed (and CI is not set).
fn shared() -> Option<&'static Slapd> {
    static SERVER: OnceLock<Option<Slapd>> = OnceLock::new();
    SERVER
        .get_or_init(|| Slapd::available().then(Slapd::start))
        .as_ref()
}

macro_rules! server_or_skip {
    () => {
        match shared() {
            Some(s) => s,
            None => {
                eprintln!("slapd is not installed: skipped (scripts/test installs it)");
                return;
            }
        }
    };
}

#[test]
fn fixture_fills_member_of() {
    let s = server_or_skip!();
    let out = Command::new("ldapsearch")
        .args(["-x", "-LLL", "-H", &s.url(), "-b"])
        .arg(format!("cn=Jane Doe,ou=users,{SUFFIX}"))
        .args(["-s", "base", "memberOf"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let mut groups: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("memberOf: "))
        .collect();
    groups.sort_unstable();
    assert_eq!(
        groups,
        [
            "cn=dbAdmins,ou=groups,dc=example,dc=com",
            "cn=readers,ou=groups,dc=example,dc=com"
        ]
    );
}
