//! The in-memory directory through the public API: LDIF loading, scopes, RFC 4515 filter
//! evaluation, the virtual `memberOf`, and simulated outages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::future::Future;
use std::task::{Context, Poll, Waker};

use x509_dbauth::{
    directory::{Directory, DirectoryEntry, InMemoryDirectory, LdapQuery, Scope},
    errors::DirectoryError,
    testing::FailingDirectory,
};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/directory.ldif");
const JANE: &str = "cn=Jane Doe,ou=users,dc=example,dc=com";

/// Poll with a no-op waker: the in-memory directory's futures are ready at once.
fn poll_once<F: Future>(f: F) -> Poll<F::Output> {
    let mut f = std::pin::pin!(f);
    f.as_mut().poll(&mut Context::from_waker(Waker::noop()))
}

fn block_on<F: Future>(f: F) -> F::Output {
    match poll_once(f) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("pending"),
    }
}

fn dir() -> InMemoryDirectory {
    InMemoryDirectory::from_ldif_file(FIXTURE).unwrap()
}

fn q(base: &str, scope: Scope, filter: &str, attrs: &[&str]) -> LdapQuery {
    LdapQuery {
        base_dn: base.to_owned(),
        scope,
        filter: filter.to_owned(),
        attributes: attrs.iter().map(|a| a.to_string()).collect(),
    }
}

fn dns(d: &InMemoryDirectory, query: &LdapQuery) -> Vec<String> {
    block_on(d.search(query))
        .unwrap()
        .into_iter()
        .map(|e| e.dn)
        .collect()
}

#[test]
fn fixture_loads_with_folded_and_base64_values() {
    let d = dir();
    assert_eq!(d.len(), 11);
    let jane = &block_on(d.search(&q(JANE, Scope::Base, "(objectClass=*)", &[]))).unwrap()[0];
    assert_eq!(
        jane.values("description"),
        ["Database administrator for the sales and inventory clusters"]
    );
    let jdoe2 = &block_on(d.search(&q(
        "cn=Doe\\, Jane+uid=jdoe2,ou=users,dc=example,dc=com",
        Scope::Base,
        "(objectClass=*)",
        &["displayName", "cn"],
    )))
    .unwrap()[0];
    assert_eq!(jdoe2.values("displayname"), ["Zoë"]);
    assert_eq!(jdoe2.values("cn"), ["Doe, Jane"]);
    assert!(
        jdoe2.values("sn").is_empty(),
        "only requested attributes come back"
    );
}

#[test]
fn base_dn_lookup_ignores_case_and_spacing() {
    let d = dir();
    assert_eq!(
        dns(
            &d,
            &q(
                "CN=jane doe, OU=Users, DC=Example, DC=COM",
                Scope::Base,
                "(objectClass=*)",
                &[]
            )
        ),
        [JANE]
    );
    assert_eq!(
        dns(
            &d,
            &q(
                "uid=jdoe2+cn=doe\\2c jane,ou=users,dc=example,dc=com",
                Scope::Base,
                "(objectClass=*)",
                &[]
            )
        ),
        ["cn=Doe\\, Jane+uid=jdoe2,ou=users,dc=example,dc=com"]
    );
    assert!(
        dns(
            &d,
            &q(
                "cn=missing,dc=example,dc=com",
                Scope::Base,
                "(objectClass=*)",
                &[]
            )
        )
        .is_empty()
    );
}

#[test]
fn scopes() {
    let d = dir();
    let f = "(objectClass=*)";
    assert_eq!(
        dns(&d, &q("ou=groups,dc=example,dc=com", Scope::Base, f, &[])),
        ["ou=groups,dc=example,dc=com"]
    );
    assert_eq!(
        dns(&d, &q("ou=groups,dc=example,dc=com", Scope::One, f, &[])),
        [
            "cn=dbAdmins,ou=groups,dc=example,dc=com",
            "cn=readers,ou=groups,dc=example,dc=com"
        ]
    );
    assert_eq!(
        dns(&d, &q("ou=groups,dc=example,dc=com", Scope::Sub, f, &[])).len(),
        3
    );
    assert_eq!(
        dns(&d, &q("dc=example,dc=com", Scope::One, f, &[])).len(),
        2
    );
    assert_eq!(
        dns(&d, &q("dc=example,dc=com", Scope::Sub, f, &[])).len(),
        11
    );
    assert_eq!(
        dns(&d, &q("dc=com", Scope::Sub, f, &[])).len(),
        11,
        "the suffix entry itself is absent"
    );
    assert!(dns(&d, &q("dc=com", Scope::Base, f, &[])).is_empty());
}

#[test]
fn filter_evaluation_table() {
    let d = dir();
    let users = "ou=users,dc=example,dc=com";
    let cases: &[(&str, &[&str])] = &[
        ("(uid=jdoe)", &["Jane Doe"]),
        ("(UID=JDOE)", &["Jane Doe"]),
        ("(cn=jane doe)", &["Jane Doe"]),
        ("(cn=Doe\\2c Jane)", &["Doe, Jane"]),
        ("(uid=twin)", &["Twin One", "Twin Two"]),
        ("(&(uid=twin)(sn=two))", &["Twin Two"]),
        ("(|(uid=jdoe)(uid=jsmith))", &["Jane Doe", "John Smith"]),
        (
            "(&(objectClass=inetOrgPerson)(!(uid=twin))(!(uid=legacy)))",
            &["Jane Doe", "John Smith", "Doe, Jane"],
        ),
        ("(mail=*)", &["Jane Doe"]),
        ("(cn=J*)", &["Jane Doe", "John Smith"]),
        ("(cn=*doe)", &["Jane Doe"]),
        ("(cn=*o*n*)", &["John Smith", "Doe, Jane", "Twin One"]),
        ("(cn=T*n*o)", &["Twin Two"]),
        ("(mail=jane.doe@EXAMPLE.com)", &["Jane Doe"]),
        ("(uid=\\2a)", &[]),
        ("(|)", &[]),
        ("(&(uid=jdoe)(&))", &["Jane Doe"]),
        (
            "(memberOf=cn=readers,ou=groups,dc=example,dc=com)",
            &["Jane Doe", "John Smith"],
        ),
        (
            "(memberOf=CN=dbAdmins, OU=groups, DC=example, DC=com)",
            &["Jane Doe", "Doe, Jane"],
        ),
    ];
    for (filter, expected) in cases {
        let got: Vec<String> = block_on(d.search(&q(users, Scope::One, filter, &["cn"])))
            .unwrap()
            .into_iter()
            .map(|e| e.values("cn")[0].clone())
            .collect();
        assert_eq!(got, *expected, "{filter}");
    }
    // A member DN written with different case and spacing still matches (DN-syntax attribute).
    assert_eq!(
        dns(
            &d,
            &q(
                "ou=groups,dc=example,dc=com",
                Scope::One,
                "(member=cn=JANE DOE,ou=users,dc=example,dc=com)",
                &[]
            )
        ),
        [
            "cn=dbAdmins,ou=groups,dc=example,dc=com",
            "cn=readers,ou=groups,dc=example,dc=com"
        ]
    );
}

#[test]
fn invalid_filters_are_protocol_errors() {
    let d = dir();
    for bad in [
        "uid=jdoe",
        "(uid=jdoe",
        "(uid>=1)",
        "(uid=a\\zz)",
        &"(!".repeat(50),
    ] {
        let e = block_on(d.search(&q(JANE, Scope::Base, bad, &[]))).unwrap_err();
        assert_eq!(e.kind(), "protocol", "{bad}");
    }
}

#[test]
fn member_of_is_virtual_unless_stored() {
    let d = dir();
    let member_of = |dn: &str| -> Vec<String> {
        block_on(d.search(&q(dn, Scope::Base, "(objectClass=*)", &["memberOf"]))).unwrap()[0]
            .values("memberOf")
            .to_vec()
    };
    assert_eq!(
        member_of(JANE),
        [
            "cn=dbAdmins,ou=groups,dc=example,dc=com",
            "cn=readers,ou=groups,dc=example,dc=com"
        ]
    );
    assert_eq!(
        member_of("cn=John Smith,ou=users,dc=example,dc=com"),
        ["cn=readers,ou=groups,dc=example,dc=com"]
    );
    assert_eq!(
        member_of("cn=Doe\\, Jane+uid=jdoe2,ou=users,dc=example,dc=com"),
        ["cn=dbAdmins,ou=groups,dc=example,dc=com"]
    );
    assert_eq!(
        member_of("cn=Legacy User,ou=users,dc=example,dc=com"),
        ["cn=legacy,ou=groups,dc=example,dc=com"]
    );
    assert!(member_of("cn=Twin One,ou=users,dc=example,dc=com").is_empty());
    // Like slapd's operational memberOf: not returned unless asked for.
    let all = &block_on(d.search(&q(JANE, Scope::Base, "(objectClass=*)", &[]))).unwrap()[0];
    assert!(all.values("memberOf").is_empty());
    // groupOfUniqueNames counts too.
    let mut d = InMemoryDirectory::new();
    d.insert(DirectoryEntry::new("cn=u,dc=x").with("objectClass", "person"));
    d.insert(
        DirectoryEntry::new("cn=g,dc=x")
            .with("objectClass", "groupOfUniqueNames")
            .with("uniqueMember", "CN=U,DC=X"),
    );
    let e = &block_on(d.search(&q(
        "cn=u,dc=x",
        Scope::Base,
        "(objectClass=*)",
        &["memberof"],
    )))
    .unwrap()[0];
    assert_eq!(e.values("memberof"), ["cn=g,dc=x"]);
}

#[test]
fn insert_replaces_same_dn() {
    let mut d = InMemoryDirectory::new();
    assert!(
        d.insert(DirectoryEntry::new("cn=a,dc=x").with("sn", "1"))
            .is_none()
    );
    let old = d
        .insert(DirectoryEntry::new("CN=A, DC=X").with("sn", "2"))
        .unwrap();
    assert_eq!(old.values("sn"), ["1"]);
    assert_eq!(d.len(), 1);
}

#[test]
fn ldif_duplicate_and_io_errors() {
    let e = InMemoryDirectory::from_ldif("dn: cn=a,dc=x\n\ndn: CN=A , dc=X\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "LDIF line 3: the entry has the same DN as the entry at line 1"
    );
    assert_eq!(e.kind(), "ldif_duplicate_entry");
    let e = InMemoryDirectory::from_ldif_file("/nonexistent/x.ldif").unwrap_err();
    assert_eq!(e.kind(), "ldif_io");
    assert_eq!(
        e.to_string(),
        "cannot read LDIF file /nonexistent/x.ldif: No such file or directory (os error 2)"
    );
}

/// A fresh directory for files a test writes, under Cargo's per-target temporary directory.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ldif-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Issue 7 item 8: `directory = "ldif:/some/secret"` must not print the secret. Errors name the
/// file, the line and what was expected, never the line's text.
#[test]
fn ldif_errors_never_echo_the_file_contents() {
    const SECRET: &str = "AKIAIOSFODNN7EXAMPLE";
    let dir = scratch("secret");
    let cases: [(&str, String, &str); 4] = [
        // `name: value` with a key-like name: not a `dn:` line.
        (
            "key",
            format!("{SECRET}: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
            "LDIF line 1: expected a `dn:` line: a record must start with its DN",
        ),
        // No colon at all (a password file, a token).
        (
            "token",
            format!("# header\n\npassword={SECRET}\n"),
            "LDIF line 3: expected `attribute: value` (the line has no `:`)",
        ),
        // A name that is not an attribute description.
        (
            "shell",
            format!("export AWS_KEY={SECRET} # account: 1\n"),
            "LDIF line 1: expected an attribute description (letters, digits, `-`, `;`, `.`) before the first `:`",
        ),
        // A `dn:` whose value is not a DN.
        (
            "dn",
            format!("dn: {SECRET}\n"),
            "LDIF line 1: the `dn:` value is not a valid DN: unknown attribute type at byte 0 of the value",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, &text).unwrap();
        let e = InMemoryDirectory::from_ldif_file(&path).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: {expected}", path.display()),
            "{name}"
        );
        assert!(!format!("{e:?}").contains(SECRET), "{name}: {e:?}");
    }
    // Bytes that are not UTF-8 (a binary secret): the line, not the bytes.
    let path = dir.join("binary");
    std::fs::write(&path, b"dn: cn=a,dc=x\ncn: a\n\xff\xfe secret\n").unwrap();
    let e = InMemoryDirectory::from_ldif_file(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: LDIF line 3: expected UTF-8 text (LDIF values that are not text are written base64-encoded after `::`)",
            path.display()
        )
    );
    assert_eq!(e.kind(), "ldif_syntax");
}

#[test]
fn simulated_outages() {
    let d = dir();
    let query = q(JANE, Scope::Base, "(objectClass=*)", &[]);
    d.set_unavailable(true);
    let e = block_on(d.search(&query)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the directory is unavailable: simulated outage"
    );
    d.fail_with(Some(DirectoryError::Timeout { after_ms: 10_000 }));
    assert_eq!(block_on(d.search(&query)).unwrap_err().kind(), "timeout");
    d.fail_with(None);
    assert_eq!(block_on(d.search(&query)).unwrap().len(), 1);

    let failing = FailingDirectory::new(DirectoryError::Protocol {
        reason: "insufficientAccessRights (50)".into(),
    });
    assert_eq!(
        block_on(failing.search(&query)).unwrap_err().kind(),
        "protocol"
    );
    let silent = FailingDirectory::never_answers();
    assert!(poll_once(silent.search(&query)).is_pending());
    // `Directory` is dyn-compatible.
    let dyns: Vec<Box<dyn Directory>> =
        vec![Box::new(dir()), Box::new(FailingDirectory::never_answers())];
    assert!(poll_once(dyns[0].search(&query)).is_ready());
}
