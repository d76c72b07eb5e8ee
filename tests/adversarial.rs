//! Adversarial review of issue 7's follow-up: inputs an attacker controls (certificate chain
//! bytes, claimed user, directory-facing names) and hostile settings, each with the exact safe
//! outcome. Findings another engineer's area owns stay `#[ignore]`d with the finding number.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::policy::*;
use rcgen::DnType;
use x509_dbauth::{
    AuthError, DirectoryEntry, InMemoryDirectory, LdapGroupSpec, MappingRule, Principal,
    QueryTemplate, UserToDnMapping,
};

fn err(r: Result<Principal, AuthError>) -> AuthError {
    r.expect_err("denied")
}

const GROUPS: &str = "ou=groups,dc=example,dc=com";

// ---- finding 1: the LDAP group cache ignores {PROVIDED_USER} ----

/// A query template that uses `{PROVIDED_USER}` asks a different question for each
/// certificate subject, even when two subjects map to the same LDAP DN. The group cache was
/// keyed by (template, LDAP DN) only, so the first subject's answer was served to the second:
/// `OU=Interns` logged in with the groups the directory grants only to `OU=Admins`.
#[test]
fn finding1_group_cache_keys_on_provided_user() {
    let admin_subject = "CN=jane,OU=Admins,O=MongoDB,C=US";
    let mut dir = InMemoryDirectory::new();
    dir.insert(DirectoryEntry::new("cn=jane,ou=users,dc=example,dc=com"));
    // The group lists which certificate subject may use it (description = PROVIDED_USER).
    dir.insert(
        DirectoryEntry::new(format!("cn=dbAdmins,{GROUPS}"))
            .with("objectClass", "groupOfNames")
            .with("member", "cn=jane,ou=users,dc=example,dc=com")
            .with("description", admin_subject),
    );
    let b = base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: format!("cn=dbAdmins,{GROUPS}"),
            roles: vec!["dbAdmin@sales".into()],
        })
        .user_to_dn_mapping(UserToDnMapping::new(vec![
            MappingRule::substitution("CN=([^,]+),.*", "cn={0},ou=users,dc=example,dc=com")
                .unwrap(),
        ]))
        .query_template(
            QueryTemplate::parse(&format!(
                "{GROUPS}??one?(&(member={{USER}})(description={{PROVIDED_USER}}))"
            ))
            .unwrap(),
        );
    let dir = Arc::new(dir);
    let a = auth(b.clone()).with_directory(dir.clone());

    let admin = project_leaf(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::OrganizationalUnitName, "Admins"),
        (DnType::CommonName, "jane"),
    ]);
    let intern = project_leaf(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::OrganizationalUnitName, "Interns"),
        (DnType::CommonName, "jane"),
    ]);

    let refused = AuthError::NotAuthorizedByLdap {
        ldap_dn: "cn=jane,ou=users,dc=example,dc=com".into(),
        groups: vec![],
    };
    // Without a cached answer the intern is refused: the directory grants it nothing.
    let fresh = auth(b).with_directory(dir);
    assert_eq!(err(login(&fresh, &intern, None)), refused);

    let p = login(&a, &admin, None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales"]);

    // The admin's answer is cached; the intern's question is a different one.
    assert_eq!(err(login(&a, &intern, None)), refused);
}
