//! The decision rules (crate docs and README, "Decisions"), one test (or more) per rule and
//! branch, on real chains: the example PKI in `examples/pki/` and rcgen leaves issued by its
//! self-managed CA.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::policy::*;
use rcgen::DnType;
use x509_dbauth::{
    Action, AuthError, Authenticator, CertificateKind, Outcome, Principal, Resource, Settings,
    SettingsBuilder, UnixTime, UserSpec,
    directory::{
        DirectoryEntry, InMemoryDirectory, LdapCacheConfig, LdapGroupSpec, MappingRule,
        QueryTemplate, UserToDnMapping,
    },
    roles::CustomRole,
    testing::{FailingDirectory, ManualClock},
};

fn err(r: Result<x509_dbauth::Principal, AuthError>) -> AuthError {
    r.expect_err("denied")
}

// ---- rule 1 ----

#[test]
fn rule1_no_certificate() {
    let a = auth(base());
    let e = a.verify_client(&[], now()).unwrap_err();
    assert_eq!(e, AuthError::NoCertificate);
    assert_eq!(e.kind(), "no_certificate");
    assert_eq!(
        e.to_string(),
        "the client presented no certificate; X.509 authentication needs one"
    );
}

// ---- the signature backend (a server setting, not a decision rule) ----

/// Counts the signatures it checks, delegating to the default backend.
struct Counting(std::sync::atomic::AtomicUsize);

impl x509_dbauth::signature::SignatureVerifier for Counting {
    fn verify(
        &self,
        alg: x509_dbauth::signature::SignatureAlgorithm,
        spki: &x509_dbauth::signature::SpkiRef<'_>,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), x509_dbauth::errors::CryptoError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        x509_dbauth::signature::RustCryptoVerifier.verify(alg, spki, msg, sig)
    }
}

#[test]
fn signature_backend_serves_both_ca_sets_and_survives_to_builder() {
    use std::sync::atomic::Ordering::Relaxed;
    let counting = Arc::new(Counting(0.into()));
    let settings = base().signature_verifier(counting.clone()).build().unwrap();
    // An admin change must not silently drop back to the default backend.
    let settings = settings.to_builder().remove_user(MYUSER).build().unwrap();
    assert!(format!("{settings:?}").contains("SignatureVerifier(custom)"));
    let a = Authenticator::new(settings.into_arc());
    login(&a, &chain("jane-chain.pem"), None).unwrap();
    let self_managed = counting.0.load(Relaxed);
    assert!(self_managed > 0);
    a.verify_client(&chain("myuser-chain.pem"), now()).unwrap();
    assert!(counting.0.load(Relaxed) > self_managed, "managed CA set");
}

#[cfg(feature = "ring")]
#[test]
fn ring_backend_end_to_end_on_the_example_pki() {
    let settings = base()
        .signature_verifier(Arc::new(x509_dbauth::signature::RingVerifier))
        .build()
        .unwrap();
    let settings = settings.to_builder().build().unwrap();
    // Both CA sets' chain verifiers and the stored builder name the backend.
    assert_eq!(
        format!("{settings:?}")
            .matches("SignatureVerifier(ring)")
            .count(),
        3
    );
    let a = Authenticator::new(settings.into_arc());
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!(p.user(), JANE);
    assert_eq!(p.kind(), CertificateKind::SelfManaged);
    assert_eq!(p.role_names(), ["readWrite@sales", "read@reporting.orders"]);
    let p = login(&a, &chain("myuser-chain.pem"), None).unwrap();
    assert_eq!(p.kind(), CertificateKind::Managed);
    // A flipped bit in the leaf's signature: refused by ring as by RustCrypto.
    let mut tampered: Vec<Vec<u8>> = chain("jane-chain.pem")
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    let n = tampered[0].len();
    tampered[0][n - 10] ^= 0x01;
    let e = err(login(&a, &to_ders(tampered.clone()), None));
    assert_eq!(e.chain_error().unwrap().kind(), "bad_signature");
    let default = err(login(&auth(base()), &to_ders(tampered), None));
    assert_eq!(e, default);
}

// ---- rule 2 ----

#[test]
fn rule2_managed_chain_is_managed() {
    let a = auth(base());
    let client = a.verify_client(&chain("myuser-chain.pem"), now()).unwrap();
    assert_eq!(client.kind(), CertificateKind::Managed);
    assert_eq!(client.subject().to_string(), MYUSER);
    let p = a.authenticate_blocking(&client, None).unwrap();
    assert_eq!(p.user(), MYUSER);
    assert_eq!(p.kind(), CertificateKind::Managed);
    assert_eq!(p.ldap_dn(), None);
    assert_eq!(p.role_names(), ["read@inventory"]);
}

#[test]
fn rule2_project_chain_is_self_managed_when_enabled() {
    let a = auth(base());
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!(p.user(), JANE);
    assert_eq!(p.kind(), CertificateKind::SelfManaged);
    assert_eq!(p.role_names(), ["readWrite@sales", "read@reporting.orders"]);
    // 2036-11-30T13:24:27Z, the leaf's notAfter.
    assert_eq!(p.certificate_not_after().unix_seconds(), 2_111_664_267);
    assert_eq!(
        p.certificate_not_after().to_string(),
        "2036-11-30T13:24:27Z"
    );
}

#[test]
fn rule2_project_chain_while_disabled_is_self_managed_disabled() {
    let enabled = base().build().unwrap();
    let disabled = enabled.to_builder().disable_self_managed().build().unwrap();
    // Users and the bundle are kept.
    assert_eq!(disabled.users().len(), 2);
    assert_eq!(disabled.self_managed_anchors().len(), 1);
    assert!(!disabled.self_managed_enabled());
    let a = Authenticator::new(disabled.into_arc());
    let e = a
        .verify_client(&chain("jane-chain.pem"), now())
        .unwrap_err();
    assert_eq!(e.kind(), "self_managed_disabled");
    assert_eq!(
        e.to_string(),
        "the certificate was issued by a self-managed CA (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\"), but self-managed X.509 authentication is disabled"
    );
    // Managed certificates still work.
    assert_eq!(
        login(&a, &chain("myuser-chain.pem"), None).unwrap().user(),
        MYUSER
    );
}

#[test]
fn rule2_verified_under_old_settings_is_rechecked_in_phase_2() {
    let enabled = base().build().unwrap();
    let a = Authenticator::new(enabled.clone().into_arc());
    let client = a.verify_client(&chain("jane-chain.pem"), now()).unwrap();
    let b = a.with_settings(
        enabled
            .to_builder()
            .disable_self_managed()
            .build()
            .unwrap()
            .into_arc(),
    );
    assert_eq!(
        b.authenticate_blocking(&client, None).unwrap_err().kind(),
        "self_managed_disabled"
    );
    let other = Settings::builder()
        .managed_ca(anchors("managed-ca.pem"))
        .build()
        .unwrap();
    let c = a.with_settings(other.into_arc());
    assert_eq!(
        c.authenticate_blocking(&client, None)
            .unwrap_err()
            .to_string(),
        "the certificate was verified against the trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\", which the current settings no longer trust"
    );
}

#[test]
fn rule2_untrusted_chain_gives_the_most_specific_chain_error() {
    // Only the managed CA: the project chain has no known issuer.
    let managed_only = auth(
        Settings::builder()
            .managed_ca(anchors("managed-ca.pem"))
            .add_user(UserSpec::new(MYUSER, CertificateKind::Managed)),
    );
    let e = err(login(&managed_only, &chain("jane-chain.pem"), None));
    assert_eq!(e.kind(), "unknown_issuer");
    assert_eq!(e.chain_error().unwrap().kind(), "unknown_issuer");
    assert_eq!(
        e.to_string(),
        "the certificate chain is not trusted: presented certificate #1 \"CN=Example Corp Issuing CA,OU=Database Security,O=Example Corp,C=US\" was issued by \"CN=Example Corp Root CA,O=Example Corp,C=US\", which is neither a trust anchor nor an available intermediate"
    );
    // A server certificate: the managed set says "unknown issuer", the project PKI (where
    // path building got further) says the EKU is wrong; the latter is reported.
    let a = auth(base());
    let e = err(login(&a, &chain("web-server-chain.pem"), None));
    assert_eq!(e.chain_error().unwrap().kind(), "eku_mismatch");
    assert_eq!(e.chain_error().unwrap().certificate_index(), Some(0));
    // The same with self-managed disabled: still the specific error, not "disabled".
    let d = Authenticator::new(
        base()
            .build()
            .unwrap()
            .to_builder()
            .disable_self_managed()
            .build()
            .unwrap()
            .into_arc(),
    );
    let e = err(login(&d, &chain("web-server-chain.pem"), None));
    assert_eq!(e.chain_error().unwrap().kind(), "eku_mismatch");
}

#[test]
fn rule2_expired_chain() {
    let a = auth(base());
    // 2037-01-01: everything has expired.
    let later = UnixTime::since_unix_epoch(Duration::from_secs(2_114_380_800));
    let e = a
        .verify_client(&chain("jane-chain.pem"), later)
        .unwrap_err();
    assert_eq!(e.chain_error().unwrap().kind(), "expired");
    assert_eq!(e.chain_error().unwrap().certificate_index(), Some(0));
}

#[test]
fn rule2_anchor_in_both_sets_is_refused_at_build() {
    let e = Settings::builder()
        .managed_ca(anchors("managed-ca.pem"))
        .enable_self_managed(anchors("project-root-ca.pem"))
        .add_self_managed_ca(anchors("managed-ca.pem"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "anchor_in_both_sets");
    assert!(
        e.to_string().starts_with(
            "the CA \"CN=Example Platform Managed X.509 CA,O=Example Platform\" (SHA-256 "
        ),
        "{e}"
    );
}

#[test]
fn rule2_rotation_trusts_old_and_new_bundles() {
    // Start with a bundle holding only the managed CA's sibling-less project root; rotate by
    // adding the issuing CA as a second anchor, then drop the root.
    let s = Settings::builder()
        .enable_self_managed(anchors("project-root-ca.pem"))
        .add_user(UserSpec::new(JANE, CertificateKind::SelfManaged).role("read@sales"))
        .build()
        .unwrap();
    let rotated = s
        .to_builder()
        .add_self_managed_ca(anchors("project-issuing-ca.pem"))
        .build()
        .unwrap();
    assert_eq!(rotated.self_managed_anchors().len(), 2);
    let a = Authenticator::new(rotated.clone().into_arc());
    assert_eq!(
        login(&a, &chain("jane-chain.pem"), None).unwrap().user(),
        JANE
    );
    let replaced = rotated
        .to_builder()
        .replace_self_managed_bundle(anchors("project-issuing-ca.pem"))
        .build()
        .unwrap();
    let a = Authenticator::new(replaced.into_arc());
    let client = a.verify_client(&chain("jane-chain.pem"), now()).unwrap();
    assert_eq!(
        client.anchor_subject(),
        "CN=Example Corp Issuing CA,OU=Database Security,O=Example Corp,C=US"
    );
}

// ---- rule 3 ----

#[test]
fn rule3_empty_subject() {
    let a = auth(base());
    let e = a.verify_client(&project_leaf(&[]), now()).unwrap_err();
    assert_eq!(e, AuthError::EmptySubject);
    assert_eq!(e.kind(), "empty_subject");
}

// ---- rule 4 ----

#[test]
fn rule4_claimed_user_must_match_the_subject() {
    let a = auth(base());
    let jane = chain("jane-chain.pem");
    // Canonical comparison: case and spacing do not matter.
    let p = login(&a, &jane, Some("cn=jane  doe, o=mongodb, c=us")).unwrap();
    assert_eq!(p.user(), JANE);
    let e = err(login(&a, &jane, Some("CN=John Doe,O=MongoDB,C=US")));
    assert_eq!(e.kind(), "claim_mismatch");
    assert_eq!(
        e.to_string(),
        "the claimed user \"CN=John Doe,O=MongoDB,C=US\" does not match the certificate subject \"CN=Jane Doe,O=MongoDB,C=US\""
    );
    // Reversed order is a different name.
    let e = err(login(&a, &jane, Some("C=US,O=MongoDB,CN=Jane Doe")));
    assert_eq!(e.kind(), "claim_mismatch");
    assert_eq!(
        e.to_string(),
        "the claimed user \"C=US,O=MongoDB,CN=Jane Doe\" does not match the certificate subject \"CN=Jane Doe,O=MongoDB,C=US\" (it lists the subject's RDNs in reverse order; RFC 4514 text starts with the most specific RDN)"
    );
    // An unparsable claim: a mismatch, with the parser's reason.
    let e = err(login(&a, &jane, Some("Jane Doe")));
    assert_eq!(e.kind(), "claim_mismatch");
    assert!(
        e.to_string().starts_with(
            "the claimed user \"Jane Doe\" does not match the certificate subject \"CN=Jane Doe,O=MongoDB,C=US\" (the claim is not a valid DN: "
        ),
        "{e}"
    );
}

// ---- rule 5 ----

#[test]
fn rule5_cross_ca_impersonation_is_a_kind_mismatch() {
    // The project CA issued `CN=myuser`, the name of a managed user.
    let a = auth(base());
    let e = err(login(&a, &chain("impostor-chain.pem"), None));
    assert_eq!(
        e,
        AuthError::KindMismatch {
            user: MYUSER.to_owned(),
            user_kind: CertificateKind::Managed,
            certificate_kind: CertificateKind::SelfManaged,
        }
    );
    assert_eq!(
        e.to_string(),
        "the database user \"CN=myuser\" is a managed X.509 user, but the certificate was issued by a self-managed CA; a certificate of one kind never logs in as a user of the other"
    );
    // Claiming the name does not help.
    assert_eq!(
        err(login(&a, &chain("impostor-chain.pem"), Some("CN=myuser"))).kind(),
        "kind_mismatch"
    );
}

#[test]
fn rule5_managed_certificate_cannot_log_in_as_a_self_managed_user() {
    let a = auth(
        Settings::builder()
            .managed_ca(anchors("managed-ca.pem"))
            .enable_self_managed(anchors("project-root-ca.pem"))
            .add_user(UserSpec::new(MYUSER, CertificateKind::SelfManaged).role("read@x")),
    );
    let e = err(login(&a, &chain("myuser-chain.pem"), None));
    assert_eq!(
        e.to_string(),
        "the database user \"CN=myuser\" is a self-managed X.509 user, but the certificate was issued by a managed CA; a certificate of one kind never logs in as a user of the other"
    );
}

#[test]
fn rule5_unknown_user_with_hints() {
    let reversed = auth(
        Settings::builder()
            .enable_self_managed(anchors("project-root-ca.pem"))
            .add_user(UserSpec::new(
                "C=US,O=MongoDB,CN=Jane Doe",
                CertificateKind::SelfManaged,
            )),
    );
    let e = err(login(&reversed, &chain("jane-chain.pem"), None));
    assert_eq!(e.kind(), "unknown_user");
    assert_eq!(
        e.to_string(),
        "no database user is named \"CN=Jane Doe,O=MongoDB,C=US\"; the registered user \"C=US,O=MongoDB,CN=Jane Doe\" has the same RDNs in reverse order; names are compared in order, and the certificate's subject reads \"CN=Jane Doe,O=MongoDB,C=US\""
    );
    let spacing = auth(
        Settings::builder()
            .enable_self_managed(anchors("project-root-ca.pem"))
            .add_user(UserSpec::new(
                "CN=JaneDoe,O=MongoDB,C=US",
                CertificateKind::SelfManaged,
            )),
    );
    assert_eq!(
        err(login(&spacing, &chain("jane-chain.pem"), None)).to_string(),
        "no database user is named \"CN=Jane Doe,O=MongoDB,C=US\"; the registered user \"CN=JaneDoe,O=MongoDB,C=US\" differs only in spacing inside a value"
    );
    let none = auth(
        Settings::builder()
            .enable_self_managed(anchors("project-root-ca.pem"))
            .add_user(UserSpec::new(
                "CN=Somebody Else,O=Elsewhere",
                CertificateKind::SelfManaged,
            )),
    );
    assert_eq!(
        err(login(&none, &chain("jane-chain.pem"), None)),
        AuthError::UnknownUser {
            subject: JANE.to_owned(),
            hint: None
        }
    );
}

#[test]
fn rule5_utf8_subject_matches_its_registered_name() {
    let a = auth(
        base().add_user(
            UserSpec::new(
                "CN=Калоян,OU=Kernel Users,O=MongoDB,L=New York City,ST=New York,C=US",
                CertificateKind::SelfManaged,
            )
            .role("read@kernel"),
        ),
    );
    let p = login(&a, &chain("kaloyan-chain.pem"), None).unwrap();
    assert_eq!(
        p.user(),
        "CN=Калоян,OU=Kernel Users,O=MongoDB,L=New York City,ST=New York,C=US"
    );
}

// ---- rule 6 ----

const GROUPS: &str = "ou=groups,dc=example,dc=com";

fn ldap_settings() -> SettingsBuilder {
    base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: format!("cn=dbAdmins,{GROUPS}"),
            roles: vec!["dbAdmin@sales".into()],
        })
        .add_ldap_group(LdapGroupSpec {
            dn: "CN=Readers, OU=Groups, DC=Example, DC=Com".to_owned(),
            roles: vec!["read@reporting".into(), "dbAdmin@sales".into()],
        })
}

fn test_directory() -> Arc<InMemoryDirectory> {
    Arc::new(InMemoryDirectory::from_ldif_file(path("tests/data/directory.ldif")).unwrap())
}

fn ldap_auth(b: SettingsBuilder, dir: Arc<InMemoryDirectory>) -> Authenticator {
    auth(b).with_directory(dir)
}

fn subst(pattern: &str, template: &str) -> UserToDnMapping {
    UserToDnMapping::new(vec![MappingRule::substitution(pattern, template).unwrap()])
}

#[test]
fn rule6_managed_is_blocked_by_ldap() {
    let a = ldap_auth(ldap_settings(), test_directory());
    let e = err(login(&a, &chain("myuser-chain.pem"), None));
    assert_eq!(e.kind(), "managed_blocked_by_ldap");
    assert_eq!(
        e.to_string(),
        "LDAP authorization is on, so users of managed X.509 certificates cannot connect (subject \"CN=myuser\")"
    );
}

#[test]
fn rule6_default_mapping_uses_the_subject_itself() {
    let mut dir = InMemoryDirectory::new();
    dir.insert(
        DirectoryEntry::new("cn=Jane Doe,o=MongoDB,c=US")
            .with("memberOf", format!("cn=dbAdmins,{GROUPS}"))
            .with("memberOf", format!("cn=unrelated,{GROUPS}")),
    );
    let a = ldap_auth(ldap_settings(), Arc::new(dir));
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!(p.ldap_dn(), Some(JANE));
    assert_eq!(p.user(), JANE);
    assert_eq!(p.role_names(), ["dbAdmin@sales"]);
}

#[test]
fn rule6_substitution_rule_and_role_union() {
    let b = ldap_settings().user_to_dn_mapping(subst(
        "CN=([^,]+),O=MongoDB,C=US",
        "cn={0},ou=users,dc=example,dc=com",
    ));
    let a = ldap_auth(b, test_directory());
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!(p.ldap_dn(), Some("cn=Jane Doe,ou=users,dc=example,dc=com"));
    assert_eq!(p.kind(), CertificateKind::SelfManaged);
    // dbAdmins and readers (the configured DN differs in case and spacing); no duplicates.
    assert_eq!(p.role_names(), ["dbAdmin@sales", "read@reporting"]);
    assert!(p.is_authorized(Action::Find, &Resource::collection("reporting", "orders")));
    assert!(!p.is_authorized(Action::Insert, &Resource::collection("reporting", "orders")));
}

#[test]
fn rule6_first_successful_rule_wins() {
    let mapping = UserToDnMapping::new(vec![
        MappingRule::substitution("CN=([^,]+),O=Other", "cn={0},ou=users,dc=example,dc=com")
            .unwrap(),
        MappingRule::ldap_query(
            "CN=([^,]+),O=MongoDB,C=US",
            "ou=users,dc=example,dc=com??one?(cn={0})",
        )
        .unwrap(),
        MappingRule::substitution(".*", "cn=John Smith,ou=users,dc=example,dc=com").unwrap(),
    ]);
    let a = ldap_auth(
        ldap_settings().user_to_dn_mapping(mapping),
        test_directory(),
    );
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!(p.ldap_dn(), Some("cn=Jane Doe,ou=users,dc=example,dc=com"));
}

#[test]
fn rule6_common_name_is_dn() {
    let leaf = project_leaf(&[
        (DnType::CountryName, "US"),
        (
            DnType::CommonName,
            "cn=John Smith,ou=users,dc=example,dc=com",
        ),
    ]);
    let mapping = UserToDnMapping::new(vec![MappingRule::common_name_is_dn()]);
    let a = ldap_auth(
        ldap_settings().user_to_dn_mapping(mapping),
        test_directory(),
    );
    let p = login(&a, &leaf, None).unwrap();
    assert_eq!(
        p.ldap_dn(),
        Some("cn=John Smith,ou=users,dc=example,dc=com")
    );
    assert_eq!(p.role_names(), ["read@reporting", "dbAdmin@sales"]);
}

#[test]
fn rule6_no_mapping() {
    let mapping = UserToDnMapping::new(vec![
        MappingRule::substitution("CN=([^,]+),O=Other", "cn={0},ou=users,dc=example,dc=com")
            .unwrap(),
        MappingRule::common_name_is_dn(),
    ]);
    let a = ldap_auth(
        ldap_settings().user_to_dn_mapping(mapping),
        test_directory(),
    );
    let e = err(login(&a, &chain("jane-chain.pem"), None));
    assert_eq!(e.kind(), "no_mapping");
    assert!(
        e.to_string().starts_with(
            "no user-to-DN mapping rule maps \"CN=Jane Doe,O=MongoDB,C=US\" to an LDAP DN (rule 1: regex `CN=([^,]+),O=Other` does not match the whole input; rule 2: the CN `Jane Doe` is not a DN"
        ),
        "{e}"
    );
}

#[test]
fn rule6_not_authorized_by_ldap() {
    // John Smith is only in `readers`, which is not configured here.
    let b = base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: format!("cn=dbAdmins,{GROUPS}"),
            roles: vec!["dbAdmin@sales".into()],
        })
        .user_to_dn_mapping(subst(".*", "cn=John Smith,ou=users,dc=example,dc=com"));
    let a = ldap_auth(b, test_directory());
    let e = err(login(&a, &chain("jane-chain.pem"), None));
    assert_eq!(
        e,
        AuthError::NotAuthorizedByLdap {
            ldap_dn: "cn=John Smith,ou=users,dc=example,dc=com".into(),
            groups: vec!["cn=readers,ou=groups,dc=example,dc=com".into()],
        }
    );
    assert_eq!(
        e.to_string(),
        "the LDAP user \"cn=John Smith,ou=users,dc=example,dc=com\" is in no group configured for database access (its groups: \"cn=readers,ou=groups,dc=example,dc=com\")"
    );
}

#[test]
fn rule6_user_missing_from_the_directory() {
    let b = ldap_settings().user_to_dn_mapping(subst(".*", "cn=Nobody,ou=users,dc=example,dc=com"));
    let a = ldap_auth(b, test_directory());
    let e = err(login(&a, &chain("jane-chain.pem"), None));
    assert_eq!(e.kind(), "ldap_query_failed");
}

#[test]
fn rule6_query_template_with_group_search() {
    let b = ldap_settings()
        .user_to_dn_mapping(subst(
            "CN=([^,]+),O=MongoDB,C=US",
            "cn={0},ou=users,dc=example,dc=com",
        ))
        .query_template(
            QueryTemplate::parse("ou=groups,dc=example,dc=com??one?(member={USER})").unwrap(),
        );
    let a = ldap_auth(b, test_directory());
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales", "read@reporting"]);
}

#[test]
fn rule6_injection_attempts_do_not_widen_queries() {
    // A subject crafted to close the filter and match everyone.
    let leaf = project_leaf(&[(DnType::CommonName, "x)(cn=*")]);
    // (a) through an ldapQuery mapping rule: the capture is escaped in the filter.
    let mapping = UserToDnMapping::new(vec![
        MappingRule::ldap_query("CN=(.+)", "ou=users,dc=example,dc=com??one?(cn={0})").unwrap(),
    ]);
    let a = ldap_auth(
        ldap_settings().user_to_dn_mapping(mapping),
        test_directory(),
    );
    let e = err(login(&a, &leaf, None));
    assert_eq!(e.kind(), "no_mapping");
    assert!(e.to_string().contains("returned no results"), "{e}");
    // (b) through the authz query template filter: `{USER}` is escaped.
    let b = ldap_settings().query_template(
        QueryTemplate::parse("ou=groups,dc=example,dc=com??sub?(member={USER})").unwrap(),
    );
    let a = ldap_auth(b, test_directory());
    let e = err(login(&a, &leaf, None));
    assert_eq!(
        e,
        AuthError::NotAuthorizedByLdap {
            ldap_dn: "CN=x)(cn=*".into(),
            groups: vec![]
        }
    );
    // (c) a substitution cannot add RDNs: the captured `,` is escaped.
    let leaf = project_leaf(&[(DnType::CommonName, "Jane Doe,ou=users")]);
    let b = ldap_settings().user_to_dn_mapping(subst("CN=(.+)", "cn={0},dc=example,dc=com"));
    let a = ldap_auth(b, test_directory());
    let e = err(login(&a, &leaf, None));
    assert_eq!(e.kind(), "ldap_query_failed");
    assert!(
        e.to_string()
            .contains(r"cn=Jane Doe\\,ou=users,dc=example,dc=com"),
        "{e}"
    );
}

#[test]
fn rule6_directory_failure_fails_closed() {
    let dir = test_directory();
    dir.set_unavailable(true);
    let b = ldap_settings().user_to_dn_mapping(subst(
        "CN=([^,]+),O=MongoDB,C=US",
        "cn={0},ou=users,dc=example,dc=com",
    ));
    let a = ldap_auth(b, dir);
    let e = err(login(&a, &chain("jane-chain.pem"), None));
    assert_eq!(e.kind(), "directory_unavailable");
    assert!(e.is_undecided());
    assert_eq!(
        e.to_string(),
        "cannot decide: the LDAP directory is unavailable and no cached answer for \"cn=Jane Doe,ou=users,dc=example,dc=com\" is recent enough (the directory is unavailable: simulated outage)"
    );
    // No directory at all: also fail closed.
    let a = auth(ldap_settings());
    assert_eq!(
        err(login(&a, &chain("jane-chain.pem"), None)).kind(),
        "directory_unavailable"
    );
}

#[test]
fn rule6_staleness_window() {
    let dir = test_directory();
    let clock = Arc::new(ManualClock::new(now()));
    let b = ldap_settings().user_to_dn_mapping(subst(
        "CN=([^,]+),O=MongoDB,C=US",
        "cn={0},ou=users,dc=example,dc=com",
    ));
    let a = ldap_auth(b, Arc::clone(&dir)).with_clock(clock.clone());
    let jane = chain("jane-chain.pem");
    let client = a.verify_client(&jane, now()).unwrap();
    // t=0: fetched from the directory and cached.
    let p = a.authenticate_blocking(&client, None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales", "read@reporting"]);
    dir.set_unavailable(true);
    // t=20: younger than the refresh interval, the directory is not asked.
    clock.advance(Duration::from_secs(20));
    let p = a.authenticate_blocking(&client, None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales", "read@reporting"]);
    // t=89: the directory fails, the cached answer is within the 90 s staleness window.
    clock.advance(Duration::from_secs(69));
    let decision = x509_dbauth::testing::block_on(a.explain_verified(&client, None));
    assert_eq!(
        decision.principal().map(Principal::role_names),
        Some(vec![
            "dbAdmin@sales".to_owned(),
            "read@reporting".to_owned()
        ])
    );
    let step = decision
        .steps()
        .iter()
        .find(|s| s.step == "ldap_query")
        .unwrap();
    assert_eq!(
        step.detail,
        "the directory failed (the directory is unavailable: simulated outage); using the cached answer from 89 s ago (staleness window 90 s): \"cn=dbAdmins,ou=groups,dc=example,dc=com\", \"cn=readers,ou=groups,dc=example,dc=com\""
    );
    // t=90: too old; fail closed.
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        a.authenticate_blocking(&client, None).unwrap_err().kind(),
        "directory_unavailable"
    );
    // The directory is back: fresh answer, cached again.
    dir.set_unavailable(false);
    let p = a.authenticate_blocking(&client, None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales", "read@reporting"]);
}

/// A directory whose answers the test sets per base DN, counting the searches it runs.
#[derive(Default)]
struct Scripted {
    answers: std::sync::Mutex<std::collections::HashMap<String, Vec<DirectoryEntry>>>,
    searches: std::sync::atomic::AtomicUsize,
}

impl Scripted {
    fn answer(&self, base_dn: &str, entries: Vec<DirectoryEntry>) {
        self.answers
            .lock()
            .unwrap()
            .insert(base_dn.to_owned(), entries);
    }

    fn member_of(&self, user: &str, groups: &[&str]) {
        let entry = groups
            .iter()
            .fold(DirectoryEntry::new(user), |e, g| e.with("memberOf", *g));
        self.answer(user, vec![entry]);
    }

    fn searches(&self) -> usize {
        self.searches.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl x509_dbauth::directory::Directory for Scripted {
    fn search<'a>(
        &'a self,
        query: &'a x509_dbauth::directory::LdapQuery,
    ) -> x509_dbauth::directory::SearchFuture<'a> {
        self.searches
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let entries = self
            .answers
            .lock()
            .unwrap()
            .get(&query.base_dn)
            .cloned()
            .unwrap_or_default();
        Box::pin(async move { Ok(entries) })
    }
}

const JANE_LDAP: &str = "cn=Jane Doe,ou=users,dc=example,dc=com";

/// A connection storm brings the same subjects back: the mapping and the roles of a group
/// answer are remembered per settings snapshot, and must never outlive the answer or the
/// settings they came from.
#[test]
fn rule6_remembered_roles_follow_each_new_answer_and_each_settings_snapshot() {
    let dir = Arc::new(Scripted::default());
    dir.member_of(JANE_LDAP, &[&format!("cn=dbAdmins,{GROUPS}")]);
    let clock = Arc::new(ManualClock::new(now()));
    let b = ldap_settings().user_to_dn_mapping(subst(
        "CN=([^,]+),O=MongoDB,C=US",
        "cn={0},ou=users,dc=example,dc=com",
    ));
    let a = auth(b)
        .with_directory(dir.clone())
        .with_clock(clock.clone());
    let jane = chain("jane-chain.pem");
    let first = login(&a, &jane, None).unwrap();
    assert_eq!(first.role_names(), ["dbAdmin@sales"]);
    assert_eq!(dir.searches(), 1);
    // A new connection of the same user within the refresh window: same roles, no query.
    let again = login(&a, &jane, None).unwrap();
    assert_eq!(again.user(), JANE_LDAP);
    assert_eq!(again.ldap_dn(), Some(JANE_LDAP));
    assert_eq!(again.role_names(), ["dbAdmin@sales"]);
    assert_eq!(dir.searches(), 1);
    // The directory moves Jane to the readers; past the refresh window the new answer, and
    // the roles it grants, replace the remembered ones.
    dir.member_of(JANE_LDAP, &[&format!("cn=readers,{GROUPS}")]);
    clock.advance(Duration::from_secs(31));
    let moved = login(&a, &jane, None).unwrap();
    assert_eq!(dir.searches(), 2);
    assert_eq!(moved.role_names(), ["read@reporting", "dbAdmin@sales"]);
    // New settings that give the readers other roles: the shared cached answer, the new
    // settings' roles; the old snapshot keeps its own.
    let reloaded = a.with_settings(
        base()
            .enable_ldap_authorization()
            .user_to_dn_mapping(subst(
                "CN=([^,]+),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            ))
            .add_ldap_group(LdapGroupSpec {
                dn: format!("cn=readers,{GROUPS}"),
                roles: vec!["read@audit".into()],
            })
            .build()
            .unwrap()
            .into_arc(),
    );
    let p = login(&reloaded, &jane, None).unwrap();
    assert_eq!(p.role_names(), ["read@audit"]);
    assert_eq!(
        dir.searches(),
        2,
        "the cached answer is shared across snapshots"
    );
    assert_eq!(
        login(&a, &jane, None).unwrap().role_names(),
        ["read@reporting", "dbAdmin@sales"]
    );
    // New mapping rules under a reload map again.
    let remapped = a.with_settings(
        ldap_settings()
            .user_to_dn_mapping(subst(
                "CN=([^,]+),O=MongoDB,C=US",
                "uid={0},ou=people,dc=example,dc=com",
            ))
            .build()
            .unwrap()
            .into_arc(),
    );
    dir.member_of(
        "uid=Jane Doe,ou=people,dc=example,dc=com",
        &[&format!("cn=dbAdmins,{GROUPS}")],
    );
    let p = login(&remapped, &jane, None).unwrap();
    assert_eq!(p.user(), "uid=Jane Doe,ou=people,dc=example,dc=com");
    assert_eq!(p.role_names(), ["dbAdmin@sales"]);
    assert_eq!(dir.searches(), 3);
}

/// An `ldapQuery` mapping rule's answer can change at any time: such a mapping asks the
/// directory on every login, and the principal follows the answer.
#[test]
fn rule6_ldap_query_mappings_are_never_remembered() {
    let dir = Arc::new(Scripted::default());
    let users = "ou=users,dc=example,dc=com";
    let other = "cn=Jane Roe,ou=users,dc=example,dc=com";
    dir.answer(users, vec![DirectoryEntry::new(JANE_LDAP)]);
    dir.member_of(JANE_LDAP, &[&format!("cn=dbAdmins,{GROUPS}")]);
    dir.member_of(other, &[&format!("cn=readers,{GROUPS}")]);
    let mapping = UserToDnMapping::new(vec![
        MappingRule::ldap_query(
            "CN=([^,]+),O=MongoDB,C=US",
            &format!("{users}??one?(cn={{0}})"),
        )
        .unwrap(),
    ]);
    let a = auth(ldap_settings().user_to_dn_mapping(mapping)).with_directory(dir.clone());
    let jane = chain("jane-chain.pem");
    let p = login(&a, &jane, None).unwrap();
    assert_eq!(
        (p.user(), p.role_names()),
        (JANE_LDAP, vec!["dbAdmin@sales".to_owned()])
    );
    assert_eq!(dir.searches(), 2, "one mapping query, one group query");
    let p = login(&a, &jane, None).unwrap();
    assert_eq!(p.user(), JANE_LDAP);
    assert_eq!(
        dir.searches(),
        3,
        "the mapping query again; the groups from the cache"
    );
    dir.answer(users, vec![DirectoryEntry::new(other)]);
    let p = login(&a, &jane, None).unwrap();
    assert_eq!(p.user(), other);
    assert_eq!(p.role_names(), ["read@reporting", "dbAdmin@sales"]);
    assert_eq!(dir.searches(), 5);
}

#[test]
fn rule6_timeout_applies_in_blocking_mode() {
    let b = ldap_settings().ldap_cache(LdapCacheConfig::new(
        Duration::from_secs(30),
        Duration::from_secs(90),
        Duration::from_millis(30),
    ));
    let a = auth(b).with_directory(Arc::new(FailingDirectory::never_answers()));
    let e = err(login(&a, &chain("jane-chain.pem"), None));
    assert_eq!(
        e.to_string(),
        "cannot decide: the LDAP directory is unavailable and no cached answer for \"CN=Jane Doe,O=MongoDB,C=US\" is recent enough (the directory did not answer within 30 ms)"
    );
}

// ---- rule 7 ----

#[test]
fn rule7_custom_roles_resolve_into_the_privilege_set() {
    let b = base()
        .add_custom_role(CustomRole::new("ordersReader").privilege_on(
            "sales",
            Some("orders"),
            ["find"],
        ))
        .add_custom_role(
            CustomRole::new("auditor")
                .inherit("ordersReader@admin")
                .inherit("read@audit"),
        )
        .add_user(
            UserSpec::new("CN=Audit Bot,O=MongoDB,C=US", CertificateKind::SelfManaged)
                .role("auditor@admin"),
        );
    let a = auth(b);
    let leaf = project_leaf(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, "Audit Bot"),
    ]);
    let p = login(&a, &leaf, None).unwrap();
    assert_eq!(p.role_names(), ["auditor@admin"]);
    assert!(p.is_authorized(Action::Find, &Resource::collection("sales", "orders")));
    assert!(!p.is_authorized(Action::Find, &Resource::collection("sales", "customers")));
    assert!(p.is_authorized(Action::Find, &Resource::collection("audit", "log")));
    assert!(!p.is_authorized(Action::Insert, &Resource::collection("audit", "log")));
    // Jane: readWrite@sales, read@reporting.orders.
    let jane = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert!(jane.is_authorized(Action::Insert, &Resource::collection("sales", "x")));
    assert!(jane.is_authorized(Action::Find, &Resource::collection("reporting", "orders")));
    assert!(!jane.is_authorized(Action::Find, &Resource::collection("reporting", "other")));
    assert!(!jane.is_authorized(Action::DropDatabase, &Resource::database("sales")));
}

#[test]
fn rule7_role_cycles_and_unknown_roles_are_refused_at_settings_time() {
    let e = base()
        .add_custom_role(CustomRole::new("a").inherit("b@admin"))
        .add_custom_role(CustomRole::new("b").inherit("a@admin"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "custom_roles");
    let e = base()
        .add_user(UserSpec::new("CN=x", CertificateKind::Managed).role("nosuch@admin"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "user_role");
}

// ---- admin operations ----

#[test]
fn admin_operations_return_new_snapshots() {
    let s = base().build().unwrap();
    // A self-managed user cannot be added while disabled...
    let disabled = s.to_builder().disable_self_managed().build().unwrap();
    let e = disabled
        .to_builder()
        .add_user(UserSpec::new(
            "CN=New,O=MongoDB",
            CertificateKind::SelfManaged,
        ))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "self_managed_user_while_disabled");
    // ...but the existing ones survive, and work again once re-enabled.
    let again = disabled
        .to_builder()
        .reenable_self_managed()
        .build()
        .unwrap();
    let a = Authenticator::new(again.into_arc());
    let p = login(&a, &chain("jane-chain.pem"), None).unwrap();
    assert_eq!((p.user(), p.kind()), (JANE, CertificateKind::SelfManaged));
    // Removing a user by any spelling of its DN.
    let removed = s
        .to_builder()
        .remove_user("cn=jane doe, o=mongodb, c=us")
        .build()
        .unwrap();
    assert_eq!(removed.users().len(), 1);
    // Enabling without a bundle is refused.
    let e = Settings::builder()
        .reenable_self_managed()
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "self_managed_without_bundle");
}

// ---- explain ----

#[test]
fn explain_records_the_same_decision_step_by_step() {
    let a = auth(base());
    let d = a.explain_blocking(&chain("impostor-chain.pem"), now(), None);
    assert!(!d.is_allowed());
    assert_eq!(d.error().map(AuthError::kind), Some("kind_mismatch"));
    let names: Vec<(&str, Outcome)> = d.steps().iter().map(|s| (s.step, s.outcome)).collect();
    assert_eq!(
        names,
        [
            ("certificate", Outcome::Pass),
            ("chain", Outcome::Pass),
            ("subject", Outcome::Pass),
            ("kind", Outcome::Pass),
            ("claimed_user", Outcome::Skip),
            ("ldap_authorization", Outcome::Skip),
            ("user", Outcome::Fail),
        ]
    );
    let d = a.explain_blocking(&chain("jane-chain.pem"), now(), Some(JANE));
    assert_eq!(d.principal().map(Principal::user), Some(JANE));
    assert_eq!(
        d.steps().last().unwrap().detail,
        "readWrite@sales, read@reporting.orders"
    );
}

#[test]
fn explain_and_authenticate_agree_on_every_example_chain() {
    let dir = test_directory();
    let configs = [
        auth(base()),
        auth(base().build().unwrap().to_builder().disable_self_managed()),
        ldap_auth(
            ldap_settings().user_to_dn_mapping(subst(
                "CN=([^,]+),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            )),
            dir,
        ),
    ];
    let chains = [
        "jane-chain.pem",
        "kaloyan-chain.pem",
        "myuser-chain.pem",
        "impostor-chain.pem",
        "web-server-chain.pem",
    ];
    for a in &configs {
        for name in chains {
            for claim in [None, Some(JANE), Some("not a dn")] {
                let c = chain(name);
                let direct = login(a, &c, claim);
                let d = a.explain_blocking(&c, now(), claim);
                assert_eq!(d.is_allowed(), direct.is_ok(), "{name}");
                assert_eq!(d.error(), direct.as_ref().err(), "{name}");
                assert_eq!(
                    d.principal().map(Principal::role_names),
                    direct.as_ref().ok().map(Principal::role_names),
                    "{name}"
                );
                // A denial's last step is the failing one.
                if !d.is_allowed() {
                    assert_eq!(d.steps().last().unwrap().outcome, Outcome::Fail, "{name}");
                }
                // The decision without its trace is the direct answer.
                let same = d.into_result();
                assert_eq!(same.as_ref().err(), direct.as_ref().err(), "{name}");
                assert_eq!(
                    same.ok().map(|p| p.role_names()),
                    direct.ok().map(|p| p.role_names()),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn authenticate_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let a = auth(base());
    let client = a.verify_client(&chain("jane-chain.pem"), now()).unwrap();
    let f = a.authenticate(&client, None);
    is_send(&f);
    assert_eq!(x509_dbauth::testing::block_on(f).unwrap().user(), JANE);
}

#[test]
fn custom_role_limit_is_a_typed_error() {
    let mut b = base();
    for i in 0..101 {
        b = b.add_custom_role(CustomRole::new(format!("r{i}")).privilege_on("x", None, ["find"]));
    }
    let e = b.build().unwrap_err();
    assert_eq!(e.kind(), "custom_roles");
    assert_eq!(
        e.to_string(),
        "custom roles: 101 custom roles defined, the limit is 100"
    );
}

#[test]
fn rule4_oversized_claims_are_cut_in_the_error() {
    let a = auth(base());
    let claim = format!("CN={}", "é".repeat(20_000));
    let e = err(login(&a, &chain("jane-chain.pem"), Some(&claim)));
    let AuthError::ClaimMismatch {
        claimed, reason, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(claimed.len(), 1024 + "…".len() - 1);
    assert!(claimed.ends_with('…'));
    assert_eq!(
        reason.as_deref(),
        Some(
            "the claim is not a valid DN: DN is 40003 bytes long, more than the limit of 16384 bytes"
        )
    );
}

/// A leaf `CN=<cn>,O=MongoDB,C=US` from the project CA.
fn mongodb_leaf(cn: &str) -> Vec<x509_dbauth::CertificateDer<'static>> {
    project_leaf(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, cn),
    ])
}

#[test]
fn rule6_mapping_table_through_the_engine() {
    // (subject CN, rules, expected LDAP DN or error kind)
    type Case<'a> = (&'a str, Vec<MappingRule>, Result<&'a str, &'a str>);
    let cases: Vec<Case> = vec![
        (
            "Jane Doe",
            vec![
                MappingRule::substitution(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "cn={0},ou=users,dc=example,dc=com",
                )
                .unwrap(),
            ],
            Ok("cn=Jane Doe,ou=users,dc=example,dc=com"),
        ),
        (
            "jsmith",
            vec![
                MappingRule::ldap_query(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "ou=users,dc=example,dc=com??one?(uid={0})",
                )
                .unwrap(),
            ],
            Ok("cn=John Smith,ou=users,dc=example,dc=com"),
        ),
        // Two entries answer: the rule fails, the next one is tried.
        (
            "twin",
            vec![
                MappingRule::ldap_query(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "ou=users,dc=example,dc=com??one?(uid={0})",
                )
                .unwrap(),
                MappingRule::substitution("CN=twin,.*", "cn=Jane Doe,ou=users,dc=example,dc=com")
                    .unwrap(),
            ],
            Ok("cn=Jane Doe,ou=users,dc=example,dc=com"),
        ),
        // Only twins: no rule succeeds.
        (
            "twin",
            vec![
                MappingRule::ldap_query(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "ou=users,dc=example,dc=com??one?(uid={0})",
                )
                .unwrap(),
            ],
            Err("no_mapping"),
        ),
        // The regex must match the whole subject.
        (
            "Jane Doe",
            vec![
                MappingRule::substitution("CN=([^,]+)", "cn={0},ou=users,dc=example,dc=com")
                    .unwrap(),
            ],
            Err("no_mapping"),
        ),
        // A wildcard in the subject is a literal in the query.
        (
            "*",
            vec![
                MappingRule::ldap_query(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "ou=users,dc=example,dc=com??one?(cn={0})",
                )
                .unwrap(),
            ],
            Err("no_mapping"),
        ),
        (
            "x)(|(uid=*",
            vec![
                MappingRule::ldap_query(
                    "CN=(.+),O=MongoDB,C=US",
                    "ou=users,dc=example,dc=com??sub?(cn={0})",
                )
                .unwrap(),
            ],
            Err("no_mapping"),
        ),
    ];
    for (cn, rules, expected) in cases {
        let b = ldap_settings().user_to_dn_mapping(UserToDnMapping::new(rules));
        let a = ldap_auth(b, test_directory());
        let got = login(&a, &mongodb_leaf(cn), None);
        match expected {
            Ok(dn) => assert_eq!(got.unwrap().ldap_dn(), Some(dn), "{cn}"),
            Err(kind) => assert_eq!(got.unwrap_err().kind(), kind, "{cn}"),
        }
    }
}

#[test]
fn rule6_query_template_table_through_the_engine() {
    // (subject CN, template, expected roles or error kind)
    type Case<'a> = (&'a str, &'a str, Result<&'a [&'a str], &'a str>);
    let cases: &[Case] = &[
        (
            "Jane Doe",
            "{USER}?memberOf?base",
            Ok(&["dbAdmin@sales", "read@reporting"]),
        ),
        (
            "Jane Doe",
            "{USER}?memberOf",
            Ok(&["dbAdmin@sales", "read@reporting"]),
        ),
        (
            "John Smith",
            "{USER}?memberOf?base",
            Ok(&["read@reporting", "dbAdmin@sales"]),
        ),
        (
            "Jane Doe",
            "ou=groups,dc=example,dc=com??one?(member={USER})",
            Ok(&["dbAdmin@sales", "read@reporting"]),
        ),
        (
            "John Smith",
            "ou=groups,dc=example,dc=com??sub?(&(objectClass=groupOfNames)(member={USER}))",
            Ok(&["read@reporting", "dbAdmin@sales"]),
        ),
        // Stored memberOf (no virtual one): the legacy group is not configured.
        (
            "Legacy User",
            "{USER}?memberOf?base",
            Err("not_authorized_by_ldap"),
        ),
        // Not in the directory: the base search finds no entry.
        ("Nobody", "{USER}?memberOf?base", Err("ldap_query_failed")),
        (
            "Nobody",
            "ou=groups,dc=example,dc=com??one?(member={USER})",
            Err("not_authorized_by_ldap"),
        ),
    ];
    for (cn, template, expected) in cases {
        let b = ldap_settings()
            .user_to_dn_mapping(subst(
                "CN=([^,]+),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            ))
            .query_template(QueryTemplate::parse(template).unwrap());
        let a = ldap_auth(b, test_directory());
        let got = login(&a, &mongodb_leaf(cn), None);
        match expected {
            Ok(roles) => assert_eq!(got.unwrap().role_names(), *roles, "{cn} {template}"),
            Err(kind) => assert_eq!(got.unwrap_err().kind(), *kind, "{cn} {template}"),
        }
    }
}

#[test]
fn settings_view() {
    let s = base().build().unwrap();
    assert_eq!(
        s.to_string(),
        "managed CAs: \"CN=Example Platform Managed X.509 CA,O=Example Platform\"\n\
         self-managed X.509: enabled; CAs: \"CN=Example Corp Root CA,O=Example Corp,C=US\"\n\
         users: 2\n  \"CN=Jane Doe,O=MongoDB,C=US\" (self-managed): readWrite@sales, read@reporting.orders\n  \
         \"CN=myuser\" (managed): read@inventory\n\
         custom roles: 0\n\
         LDAP authorization: off"
    );
}

// ---- live settings: one snapshot per decision, changes that fail leave the old one ----

mod live_settings {
    use super::*;
    use x509_dbauth::LiveAuthenticator;
    use x509_dbauth::TrustAnchors;
    use x509_dbauth::settings::DirectoryChange;
    use x509_dbauth::testing::block_on;

    fn jane_client(live: &LiveAuthenticator) -> x509_dbauth::VerifiedClient {
        live.verify_client(&chain("jane-chain.pem"), now()).unwrap()
    }

    #[test]
    fn update_installs_a_new_generation_and_a_failed_edit_keeps_the_old_one() {
        let live = LiveAuthenticator::new(auth(base()));
        let client = jane_client(&live);
        assert_eq!(live.generation(), 0);
        let change = live
            .update(|s| {
                s.remove_user(JANE)
                    .add_user(UserSpec::new(JANE, CertificateKind::SelfManaged).role("read@hr"))
            })
            .unwrap();
        assert_eq!(change.generation, 1);
        assert_eq!(change.directory, DirectoryChange::Kept);
        let p = block_on(live.authenticate(&client, None)).unwrap();
        assert_eq!(p.role_names(), ["read@hr"]);
        // A duplicate user does not build: the error comes back, generation 1 stays.
        let e = live
            .update(|s| s.add_user(UserSpec::new(JANE, CertificateKind::SelfManaged)))
            .unwrap_err();
        assert_eq!(e.kind(), "duplicate_user");
        assert_eq!(live.generation(), 1);
        let p = block_on(live.authenticate(&client, None)).unwrap();
        assert_eq!(p.role_names(), ["read@hr"]);
    }

    #[test]
    fn concurrent_edits_are_serialized_and_all_apply() {
        let live = Arc::new(LiveAuthenticator::new(auth(base())));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let live = Arc::clone(&live);
                std::thread::spawn(move || {
                    for i in 0..10 {
                        let name = format!("CN=user {t}-{i},O=MongoDB,C=US");
                        live.update(|s| {
                            s.add_user(
                                UserSpec::new(name, CertificateKind::SelfManaged).role("read@x"),
                            )
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(live.generation(), 40);
        assert_eq!(live.snapshot().settings().users().len(), 42);
    }

    #[test]
    fn a_client_verified_before_its_ca_was_rotated_out_is_refused_at_login() {
        let live = LiveAuthenticator::new(auth(base()));
        let client = jane_client(&live);
        // Rotation step 1: old + new.
        let new_ca = common::generate::root(&common::generate::Spec::ca(
            "New Project Root",
            common::generate::Alg::P256,
        ));
        let both = anchors("project-root-ca.pem");
        let both = both.with_added(new_ca.pem().as_bytes()).unwrap();
        live.update(|s| s.replace_self_managed_bundle(both))
            .unwrap();
        assert_eq!(
            block_on(live.authenticate(&client, None)).unwrap().user(),
            JANE
        );
        // Step 2: new only.
        let new_only = TrustAnchors::from_pem(new_ca.pem().as_bytes()).unwrap();
        live.update(|s| s.replace_self_managed_bundle(new_only))
            .unwrap();
        let e = block_on(live.authenticate(&client, None)).unwrap_err();
        assert_eq!(e.kind(), "anchor_no_longer_trusted");
        assert_eq!(
            live.counters().denied().get("anchor_no_longer_trusted"),
            Some(&1)
        );
        assert_eq!(live.counters().allowed(), 1);
    }

    fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("x509-dbauth-live-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn settings_text(directory: &str) -> String {
        let pki = path("examples/pki");
        let ldif = path("examples/directory.ldif");
        format!(
            r#"
[managed_x509]
ca_file = "{pki}/managed-ca.pem"
[self_managed_x509]
enabled = true
ca_file = "{pki}/project-root-ca.pem"
[ldap]
authorization = true
{directory}
user_to_dn_mapping = [{{ match = "CN=([^,]+),O=MongoDB,C=US", substitution = "cn={{0}},ou=users,dc=example,dc=com" }}]
[[ldap_groups]]
dn = "cn=readers,ou=groups,dc=example,dc=com"
roles = ["read@reporting"]
"#,
            pki = pki.display(),
            directory = directory.replace("LDIF", &ldif.display().to_string()),
        )
    }

    #[cfg(feature = "settings-files")]
    #[test]
    fn reload_file_replaces_an_ldif_directory_and_empties_the_cache_and_refuses_a_broken_file() {
        let dir = temp_dir("ldif");
        let file = write(&dir, "s.toml", &settings_text(r#"directory = "ldif:LDIF""#));
        let live = LiveAuthenticator::from_file(&file).unwrap();
        assert_eq!(live.generation(), 0);
        let client = jane_client(&live);
        let p = block_on(live.authenticate(&client, None)).unwrap();
        assert_eq!(p.role_names(), ["read@reporting"]);
        assert_eq!(live.snapshot().cached_answers(), 1);
        // The LDIF is read again (it may have changed), and answers of the old one go.
        let change = live.reload_file(&file).unwrap();
        assert_eq!(change.directory, DirectoryChange::Replaced);
        assert_eq!(live.snapshot().cached_answers(), 0);
        // A broken file: the error, and generation 1 stays in place.
        write(&dir, "s.toml", "[ldap\nauthorization = true\n");
        let e = live.reload_file(&file).unwrap_err();
        assert_eq!(e.kind(), "syntax");
        assert_eq!(live.generation(), 1);
        assert!(live.snapshot().directory().is_some());
        // A file that names no directory drops the file's directory.
        write(&dir, "s.toml", &settings_text(""));
        let change = live.reload_file(&file).unwrap();
        assert_eq!(change.directory, DirectoryChange::Removed);
        assert!(live.snapshot().directory().is_none());
        let e = block_on(live.authenticate(&client, None)).unwrap_err();
        assert_eq!(e.kind(), "directory_unavailable");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(feature = "settings-files")]
    #[test]
    fn reload_file_keeps_the_programs_own_directory_when_the_file_names_none() {
        let ldif = std::fs::read_to_string(path("examples/directory.ldif")).unwrap();
        let own: Arc<dyn x509_dbauth::directory::Directory> =
            Arc::new(InMemoryDirectory::from_ldif(&ldif).unwrap());
        let first = auth(base()).with_directory(Arc::clone(&own));
        let live = LiveAuthenticator::new(first);
        let dir = temp_dir("own");
        let file = write(&dir, "s.toml", &settings_text(""));
        let change = live.reload_file(&file).unwrap();
        assert_eq!(change.directory, DirectoryChange::Kept);
        assert!(Arc::ptr_eq(live.snapshot().directory().unwrap(), &own));
        let p = block_on(live.authenticate(&jane_client(&live), None)).unwrap();
        assert_eq!(p.role_names(), ["read@reporting"]);
        // An LDIF named by a file replaces it; a later file naming none brings it back.
        write(&dir, "s.toml", &settings_text(r#"directory = "ldif:LDIF""#));
        assert_eq!(
            live.reload_file(&file).unwrap().directory,
            DirectoryChange::Replaced
        );
        assert!(!Arc::ptr_eq(live.snapshot().directory().unwrap(), &own));
        write(&dir, "s.toml", &settings_text(""));
        assert_eq!(
            live.reload_file(&file).unwrap().directory,
            DirectoryChange::Removed
        );
        assert!(Arc::ptr_eq(live.snapshot().directory().unwrap(), &own));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(all(feature = "ldap", feature = "settings-files"))]
    #[test]
    fn reload_file_keeps_a_live_directory_with_the_same_connection_settings() {
        let dir = temp_dir("ldap");
        let file = write(
            &dir,
            "s.toml",
            &settings_text(r#"directory = "ldap://127.0.0.1:9""#),
        );
        let live = LiveAuthenticator::from_file(&file).unwrap();
        let first = Arc::clone(live.snapshot().directory().unwrap());
        let change = live.reload_file(&file).unwrap();
        assert_eq!(change.directory, DirectoryChange::Kept);
        assert!(Arc::ptr_eq(live.snapshot().directory().unwrap(), &first));
        write(
            &dir,
            "s.toml",
            &settings_text(r#"directory = "ldap://127.0.0.1:10""#),
        );
        let change = live.reload_file(&file).unwrap();
        assert_eq!(change.directory, DirectoryChange::Replaced);
        assert!(!Arc::ptr_eq(live.snapshot().directory().unwrap(), &first));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

// ---- reload under load: authentications on every core while an admin changes everything ----

mod reload_under_load {
    use super::*;
    use common::generate::{Alg, Node, Spec, dn, issue, root};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use x509_dbauth::testing::block_on;
    use x509_dbauth::{LiveAuthenticator, TrustAnchors};

    const NEWBIE: &str = "CN=Newbie,O=MongoDB,C=US";

    /// The settings states the admin cycles through; generation g is `STATES[g % 5]`.
    #[derive(Clone, Copy, Debug)]
    enum State {
        /// The old project CA only.
        OldCa,
        /// Rotation step 1: old + new.
        BothCas,
        /// Rotation step 2: new only.
        NewCa,
        /// Old + new, the newbie's user removed.
        NewbieRemoved,
        /// Old + new, self-managed X.509 switched off.
        SelfManagedOff,
    }
    const STATES: [State; 5] = [
        State::OldCa,
        State::BothCas,
        State::NewCa,
        State::NewbieRemoved,
        State::SelfManagedOff,
    ];

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Client {
        Jane,
        MyUser,
        Newbie,
    }

    /// What the settings of `generation` decide for `client`: `Ok(roles)` or `Err(kind)`.
    /// Each generation gives its users a role naming it, so a principal shows which snapshot
    /// decided.
    fn expected(client: Client, generation: u64) -> Result<String, &'static str> {
        let state = STATES[usize::try_from(generation % 5).unwrap()];
        let role = format!("read@gen{generation}");
        match (client, state) {
            (Client::MyUser, _) => Ok(role),
            (Client::Jane, State::NewCa) => Err("unknown_issuer"),
            (Client::Newbie, State::OldCa) => Err("unknown_issuer"),
            (Client::Newbie, State::NewbieRemoved) => Err("unknown_user"),
            (Client::Jane | Client::Newbie, State::SelfManagedOff) => Err("self_managed_disabled"),
            _ => Ok(role),
        }
    }

    fn settings(generation: u64, old: &TrustAnchors, new: &Node) -> Settings {
        let state = STATES[usize::try_from(generation % 5).unwrap()];
        let new_ca = TrustAnchors::from_ders([new.der.as_slice()]).unwrap();
        let mut both = old.clone();
        both.extend(new_ca.clone());
        let role = format!("read@gen{generation}");
        let b = Settings::builder().managed_ca(anchors("managed-ca.pem"));
        let b = match state {
            State::OldCa => b.enable_self_managed(old.clone()),
            State::NewCa => b.enable_self_managed(new_ca),
            State::BothCas | State::NewbieRemoved => b.enable_self_managed(both),
            State::SelfManagedOff => b.enable_self_managed(both),
        };
        let b = b
            .add_user(UserSpec::new(JANE, CertificateKind::SelfManaged).role(&role))
            .add_user(UserSpec::new(MYUSER, CertificateKind::Managed).role(&role));
        let b = match state {
            State::NewbieRemoved => b,
            _ => b.add_user(UserSpec::new(NEWBIE, CertificateKind::SelfManaged).role(&role)),
        };
        let built = b.build().unwrap();
        match state {
            // As an admin does it: the users stay, self-managed X.509 goes off.
            State::SelfManagedOff => built.to_builder().disable_self_managed().build().unwrap(),
            _ => built,
        }
    }

    #[test]
    fn authentications_during_rotations_user_changes_and_toggles_are_each_explained_by_one_snapshot()
     {
        let old = anchors("project-root-ca.pem");
        let new_ca = root(&Spec::ca("Rotated Project Root", Alg::P256));
        let mut newbie_spec = Spec::leaf("Newbie", Alg::P256);
        newbie_spec.dn = dn(&[
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "MongoDB"),
            (DnType::CommonName, "Newbie"),
        ]);
        let newbie = issue(&newbie_spec, &new_ca);
        let chains = [
            (Client::Jane, chain("jane-chain.pem")),
            (Client::MyUser, chain("myuser-chain.pem")),
            (Client::Newbie, to_ders(vec![newbie.der.clone()])),
        ];
        let live = Arc::new(LiveAuthenticator::new(Authenticator::new(Arc::new(
            settings(0, &old, &new_ca),
        ))));
        let done = Arc::new(AtomicBool::new(false));
        let authentications = Arc::new(AtomicU64::new(0));
        let wrong = Arc::new(std::sync::Mutex::new(Vec::new()));
        const ROTATIONS: u64 = 1_000;
        std::thread::scope(|scope| {
            for t in 0..2 {
                let (live, done, authentications, wrong, chains) =
                    (&live, &done, &authentications, &wrong, &chains);
                scope.spawn(move || {
                    let mut i = t;
                    while !done.load(Ordering::Acquire) {
                        let (client, presented) = &chains[i % chains.len()];
                        i += 1;
                        let before = live.generation();
                        let outcome = live
                            .verify_client(presented, now())
                            .and_then(|c| block_on(live.authenticate(&c, None)));
                        let after = live.generation();
                        let got = outcome
                            .map(|p| p.role_names().join(","))
                            .map_err(|e| e.kind());
                        // The decision must be that of one generation in [before, after].
                        // A client verified under one generation and logging in under a later
                        // one that no longer trusts its CA is refused as
                        // `anchor_no_longer_trusted` (its chain was fine when verified) where
                        // a fresh verification says `unknown_issuer`.
                        let explained = (before..=after).any(|g| {
                            let want = expected(*client, g);
                            want == got
                                || (want == Err("unknown_issuer")
                                    && got == Err("anchor_no_longer_trusted"))
                        });
                        if !explained {
                            wrong.lock().unwrap().push(format!(
                                "{client:?} in generations {before}..={after}: {got:?}"
                            ));
                        }
                        authentications.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            // The readers stop when this guard drops, even if the admin side panics.
            struct Stop<'a>(&'a AtomicBool);
            impl Drop for Stop<'_> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::Release);
                }
            }
            let _stop = Stop(&done);
            for g in 1..=ROTATIONS {
                let change = live.swap(settings(g, &old, &new_ca));
                assert_eq!(change.generation, g);
                std::thread::sleep(Duration::from_micros(500));
            }
        });
        let wrong = wrong.lock().unwrap();
        let total = authentications.load(Ordering::Relaxed);
        println!(
            "reload under load: {total} authentications on 2 threads, {ROTATIONS} settings changes (CA rotations, user removals, self-managed toggles), {} wrong decisions",
            wrong.len()
        );
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert!(total >= ROTATIONS, "{total} authentications");
        let counters = live.counters();
        assert_eq!(counters.allowed() + counters.denied_total(), total);
    }
}
