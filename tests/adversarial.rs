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
    AuthError, Principal,
    directory::{
        Directory, DirectoryEntry, InMemoryDirectory, LdapGroupSpec, LdapQuery, MappingRule,
        QueryTemplate, Scope, SearchFuture, UserToDnMapping,
    },
    errors::LdapError,
};

fn err(r: Result<Principal, AuthError>) -> AuthError {
    r.expect_err("denied")
}

const GROUPS: &str = "ou=groups,dc=example,dc=com";

// ---- finding 1: the LDAP group cache key is coarser than the query it caches ----

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

/// A directory whose DN matching is finer than RFC 4518 (no NFKC, no case folding): base
/// searches find an entry only under the exact DN it was stored with. How much a directory
/// folds is its own business (OpenLDAP applies RFC 4518, others compare with less or other
/// normalisation); the cache must not fold more than the directory it stands in for.
struct ExactDirectory(Vec<DirectoryEntry>);

impl Directory for ExactDirectory {
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
        let found: Vec<DirectoryEntry> = self
            .0
            .iter()
            .filter(|e| query.scope == Scope::Base && e.dn == query.base_dn)
            .cloned()
            .collect();
        Box::pin(async move { Ok(found) })
    }
}

/// The cache was keyed by the canonical form of the LDAP DN, which folds case, width (NFKC)
/// and invisible characters; the query sends the DN as spelled. A directory that tells
/// `cn=ａｄｍｉｎ` (fullwidth, a different user there) from `cn=admin` answers "no such
/// entry" for the first, but within the refresh interval after `cn=admin` logged in, the
/// cache served `cn=admin`'s groups to `cn=ａｄｍｉｎ` (CommonNameIsDn: the CN is the DN).
#[test]
fn finding1_group_cache_keys_on_the_exact_query() {
    const ADMIN_DN: &str = "cn=admin,ou=users,dc=example,dc=com";
    const LOOKALIKE_DN: &str =
        "cn=\u{FF41}\u{FF44}\u{FF4D}\u{FF49}\u{FF4E},ou=users,dc=example,dc=com";
    let dir = ExactDirectory(vec![
        DirectoryEntry::new(ADMIN_DN).with("memberOf", format!("cn=dbAdmins,{GROUPS}")),
    ]);
    let b = base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: format!("cn=dbAdmins,{GROUPS}"),
            roles: vec!["dbAdmin@sales".into()],
        })
        .user_to_dn_mapping(UserToDnMapping::new(vec![MappingRule::common_name_is_dn()]));
    let a = auth(b).with_directory(Arc::new(dir));
    let leaf = |cn: &str| project_leaf(&[(DnType::CountryName, "US"), (DnType::CommonName, cn)]);

    let p = login(&a, &leaf(ADMIN_DN), None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales"]);

    let e = err(login(&a, &leaf(LOOKALIKE_DN), None));
    assert_eq!(e.kind(), "ldap_query_failed", "{e}");
    assert_eq!(
        e,
        AuthError::LdapQueryFailed {
            ldap_dn: LOOKALIKE_DN.into(),
            source: LdapError::NotExactlyOneEntry {
                base_dn: LOOKALIKE_DN.into(),
                count: 0,
            },
        }
    );
}

// ---- finding 2: invisible characters that RFC 4518 maps to nothing ----

/// Characters RFC 4518 §2.2 maps to nothing (soft hyphen, zero-width space and joiners, bidi
/// embeddings, word joiner, BOM, variation selectors, language tags: Unicode Cf and a few Mn)
/// are removed before matching and before the server username is printed. So a CA that issues
/// `CN=ad<U+00AD>min` (a self-service portal that refuses the name `admin` will accept it) has
/// issued a certificate for `CN=admin`: it logs in as that database user, and under LDAP
/// authorization maps to `cn=admin`. Item 1 refuses only Unicode Cc; these are not Cc, and
/// item 4's exact mode compares the server username, from which they are removed too.
///
/// Safe outcome: such a subject is refused before any matching, like a control character
/// (`control_character_in_subject`), with the database user, the claim, a substitution rule and
/// `CommonNameIsDn`. Found by this review on the pre-merge main; main's names merge (e36bc12)
/// extended item 1's rule to these characters, and this test now pins it.
#[test]
fn finding2_invisible_characters_do_not_vanish() {
    const ADMIN: &str = "CN=admin,O=MongoDB,C=US";
    const REFUSED: &str = "control_character_in_subject";
    for cn in [
        "ad\u{AD}min",
        "admin\u{200B}",
        "\u{FEFF}admin",
        "admin\u{E0061}",
    ] {
        let leaf = project_leaf(&[
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "MongoDB"),
            (DnType::CommonName, cn),
        ]);
        // LDAP off: the database user `CN=admin,...` is not this certificate's user.
        let a = auth(
            base().add_user(
                x509_dbauth::UserSpec::new(ADMIN, x509_dbauth::CertificateKind::SelfManaged)
                    .role("root@admin"),
            ),
        );
        let e = err(login(&a, &leaf, None));
        assert_eq!(e.kind(), REFUSED, "{cn:?}: {e}");
        // Nor may it claim that name.
        let e = err(login(&a, &leaf, Some(ADMIN)));
        assert_eq!(e.kind(), REFUSED, "{cn:?}: {e}");

        // LDAP on: it must not become cn=admin.
        let mut dir = InMemoryDirectory::new();
        dir.insert(
            DirectoryEntry::new("cn=admin,ou=users,dc=example,dc=com")
                .with("memberOf", format!("cn=dbAdmins,{GROUPS}")),
        );
        let b = base()
            .enable_ldap_authorization()
            .add_ldap_group(LdapGroupSpec {
                dn: format!("cn=dbAdmins,{GROUPS}"),
                roles: vec!["dbAdmin@sales".into()],
            })
            .user_to_dn_mapping(UserToDnMapping::new(vec![
                MappingRule::substitution(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "cn={0},ou=users,dc=example,dc=com",
                )
                .unwrap(),
            ]));
        let dir = Arc::new(dir);
        let a = auth(b.clone()).with_directory(dir.clone());
        let e = err(login(&a, &leaf, None));
        assert_eq!(e.kind(), REFUSED, "{cn:?}: {e}");

        // CommonNameIsDn: the CN text is the LDAP DN; the directory's own RFC 4518
        // preparation removes the character again, so the search finds cn=admin's entry.
        let leaf = project_leaf(&[
            (DnType::CountryName, "US"),
            (
                DnType::CommonName,
                &format!("cn={cn},ou=users,dc=example,dc=com"),
            ),
        ]);
        let a = auth(
            b.user_to_dn_mapping(UserToDnMapping::new(vec![MappingRule::common_name_is_dn()])),
        )
        .with_directory(dir);
        let e = err(login(&a, &leaf, None));
        assert_eq!(e.kind(), REFUSED, "{cn:?} (CommonNameIsDn): {e}");
    }
}

/// The same characters in a group DN the directory returns: a group named
/// `cn=dbAd<U+00AD>mins` (a different group in a directory that does not apply RFC 4518, which
/// a user with self-service group rights may create and join) matched the configured
/// `cn=dbAdmins` and granted its roles. (Fixed on main by the names merge, e36bc12.)
#[test]
fn finding2_invisible_characters_in_returned_group_dns() {
    for group in [
        format!("cn=dbAd\u{AD}mins,{GROUPS}"),
        format!("cn=dbAdmins\u{200B},{GROUPS}"),
    ] {
        let mut dir = InMemoryDirectory::new();
        dir.insert(
            DirectoryEntry::new("cn=Jane Doe,o=MongoDB,c=US").with("memberOf", group.clone()),
        );
        let b = base()
            .enable_ldap_authorization()
            .add_ldap_group(LdapGroupSpec {
                dn: format!("cn=dbAdmins,{GROUPS}"),
                roles: vec!["dbAdmin@sales".into()],
            });
        let a = auth(b).with_directory(Arc::new(dir));
        let e = err(login(&a, &chain("jane-chain.pem"), None));
        assert_eq!(
            e,
            AuthError::NotAuthorizedByLdap {
                ldap_dn: JANE.into(),
                groups: vec![group],
            }
        );
    }
}

// ---- finding 3: phase 2 under newer settings skips their revocation ----

/// `authenticate` re-classifies a `VerifiedClient` under the current snapshot (anchor still
/// trusted, self-managed still enabled), but does not re-apply the snapshot's CRLs: a client
/// that completed the TLS handshake before the operator loaded a CRL revoking its certificate
/// (a connection opened and left unauthenticated, or pooled) still logs in under the new
/// settings, which refuse the same chain outright in phase 1.
///
/// Safe outcome (fixed): phase 2 under a snapshot other than the one that verified the client
/// verifies the client's path again under that snapshot, at the authenticator's clock
/// (`revoked`, the same error phase 1 gives under the new snapshot).
#[test]
fn finding3_phase2_applies_the_current_snapshots_revocation() {
    const REVOKED: &str = "CN=Revoked User,O=MongoDB,C=US";
    let settings = base().add_user(
        x509_dbauth::UserSpec::new(REVOKED, x509_dbauth::CertificateKind::SelfManaged)
            .role("read@sales"),
    );
    let before = auth(settings.clone());
    let after = before.with_settings(
        settings
            .crls(&pki("project-issuing-ca.crl"))
            .build()
            .unwrap()
            .into_arc(),
    );
    let revoked_chain = chain("revoked-chain.pem");
    // The new snapshot refuses the chain in phase 1.
    let revoked = |e: &AuthError| matches!(e, AuthError::Chain(c) if c.kind() == "revoked");
    let e = after.verify_client(&revoked_chain, now()).unwrap_err();
    assert!(revoked(&e), "{e}");
    // A client verified under the old snapshot must not get in under the new one.
    let client = before.verify_client(&revoked_chain, now()).unwrap();
    let e2 = err(after.authenticate_blocking(&client, None));
    assert_eq!(e2, e);
    let d = x509_dbauth::testing::block_on(after.explain_verified(&client, None));
    let last = d.steps().last().unwrap();
    assert_eq!(
        (last.step, last.outcome),
        ("chain_recheck", x509_dbauth::Outcome::Fail)
    );
    // A client of another certificate, verified under the old snapshot, is verified again
    // under the new one and still gets in.
    let jane = before
        .verify_client(&chain("jane-chain.pem"), now())
        .unwrap();
    let p = after.authenticate_blocking(&jane, None).unwrap();
    assert_eq!(p.user(), JANE);
}

// ---- finding 4: control characters spelled as escapes in a mapped DN ----

/// A directory that prepares DNs as RFC 4518 §2.2 says (what OpenLDAP does): control
/// characters map to nothing, case is folded. Base searches only.
struct PreparingDirectory(Vec<DirectoryEntry>);

fn prepared(dn: &str) -> String {
    let Ok(dn) = x509_dbauth::DistinguishedName::parse(dn) else {
        return String::new();
    };
    dn.attributes()
        .map(|a| {
            // RFC 4518 §2.2: control characters and a set of invisible ones map to nothing.
            let hidden = |c: char| {
                c.is_control() || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
            };
            let text: String = a
                .text()
                .unwrap_or_default()
                .chars()
                .filter(|c| !hidden(*c))
                .collect();
            format!("{}={}", a.oid(), text.to_lowercase())
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Directory for PreparingDirectory {
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
        let base = prepared(&query.base_dn);
        let found: Vec<DirectoryEntry> = self
            .0
            .iter()
            .filter(|e| query.scope == Scope::Base && prepared(&e.dn) == base)
            .cloned()
            .collect();
        Box::pin(async move { Ok(found) })
    }
}

/// Item 1 refuses a subject holding a control character before any mapping. With the
/// `CommonNameIsDn` rule the CN *text* is parsed as a DN, so RFC 4514 escapes in it (`\00`,
/// `\07`, `\0A`: plain ASCII in the certificate) become control characters only in the mapped
/// LDAP DN, which went to the directory as is; a directory that prepares names per RFC 4518
/// drops them and finds `cn=admin`. The same holds for the invisible characters main's names
/// rule refuses in subjects (`\C2\AD`, a soft hyphen, spelled as an escape). The CN `cn=admin\00,ou=users,...` (a different string from
/// `cn=admin,ou=users,...` for a CA or portal that checks requested names) logged in with
/// `cn=admin`'s groups.
///
/// Safe outcome: a mapping rule whose result holds a control character does not apply
/// (`no_mapping`, naming the reason).
#[test]
fn finding4_mapped_dn_with_escaped_control_character_maps_nothing() {
    const ADMIN_DN: &str = "cn=admin,ou=users,dc=example,dc=com";
    let b = base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: format!("cn=dbAdmins,{GROUPS}"),
            roles: vec!["dbAdmin@sales".into()],
        })
        .user_to_dn_mapping(UserToDnMapping::new(vec![MappingRule::common_name_is_dn()]));
    let dir = Arc::new(PreparingDirectory(vec![
        DirectoryEntry::new(ADMIN_DN).with("memberOf", format!("cn=dbAdmins,{GROUPS}")),
    ]));
    let a = auth(b).with_directory(dir);
    let leaf = |cn: &str| project_leaf(&[(DnType::CountryName, "US"), (DnType::CommonName, cn)]);

    // The directory's preparation is what makes the attack work: the real name logs in.
    let p = login(&a, &leaf(ADMIN_DN), None).unwrap();
    assert_eq!(p.role_names(), ["dbAdmin@sales"]);

    for cn in [
        r"cn=admin\00,ou=users,dc=example,dc=com",
        r"cn=ad\07min,ou=users,dc=example,dc=com",
        r"cn=admin\0A,ou=users,dc=example,dc=com",
        r"cn=ad\C2\ADmin,ou=users,dc=example,dc=com",
        r"cn=admin\E2\80\8B,ou=users,dc=example,dc=com",
    ] {
        let e = err(login(&a, &leaf(cn), None));
        assert_eq!(e.kind(), "no_mapping", "{cn}: {e}");
        let AuthError::NoMapping { reasons, .. } = &e else {
            unreachable!()
        };
        assert_eq!(reasons.len(), 1);
        assert_eq!(
            reasons[0].reason,
            format!(
                "the CN `{}` names a DN with a control or invisible character, and a name with one matches nothing",
                cn.replace('\\', "\\\\")
            ),
            "{cn}"
        );
    }
}

// ---- finding 5: a substitution template full of `{` costs quadratic time ----

/// Splitting a substitution template searched the rest of the template for a `}` once per
/// unclosed `{`: a settings file whose substitution is 4 MiB of `{` took minutes of CPU to
/// load (400 KiB: 4 s), a CPU sink in `config check` and at every settings reload. Now the
/// tail after an unclosed `{` is literal at once, and each byte is looked at a bounded number
/// of times. (Bounded here by the size alone: on the old code this test runs for minutes.)
#[test]
fn finding5_unclosed_braces_in_a_substitution_are_linear() {
    let template = format!("cn={{0}},ou=users{}", "{".repeat(4 << 20));
    let rule = MappingRule::substitution("CN=([^,]+),O=MongoDB,C=US", &template).unwrap();
    // The literal tail stays literal: the rule gives `cn=<capture>,ou=users{{{…`, not a DN.
    let a = auth(
        base()
            .enable_ldap_authorization()
            .user_to_dn_mapping(UserToDnMapping::new(vec![rule])),
    )
    .with_directory(Arc::new(InMemoryDirectory::new()));
    let e = err(login(&a, &chain("jane-chain.pem"), None));
    let AuthError::NoMapping { reasons, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(
        reasons[0]
            .reason
            .starts_with("the substitution gives `cn=Jane Doe,ou=users{{{{"),
        "{}",
        &reasons[0].reason[..200]
    );
}

// ---- finding 6: duplicate-extension check quadratic in the number of extensions ----

/// Certificate parsing refused duplicate extensions by comparing each extension's OID with
/// every earlier one: a 64 KiB certificate packed with ~6 000 distinct empty extensions cost
/// ~18 million comparisons to parse, for every presented certificate, twice per handshake
/// (once per CA set), before any signature is checked. The check is now a hash-set insert.
/// Bounded here by the size alone: with the limit raised to hold 200 000 extensions, the old
/// code spends minutes, the new one milliseconds; duplicates are still refused.
#[test]
fn finding6_duplicate_extension_check_is_linear() {
    use common::generate::{Alg, Spec, issue, root};
    let ca = root(&Spec::ca("Root", Alg::P256));
    let many = |n: u64, dup: bool| {
        let mut spec = Spec::leaf("client", Alg::P256);
        spec.custom = (0..n)
            .map(|i| {
                let arc = if dup && i == n - 1 { 0 } else { i };
                rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 4242, arc], vec![])
            })
            .collect();
        issue(&spec, &ca).der
    };
    let mut limits = x509_dbauth::Limits::DEFAULT;
    limits.max_certificate_bytes = 8 << 20;
    let der = many(200_000, false);
    let cert = x509_dbauth::x509::Certificate::from_der(&der, &limits).unwrap();
    assert!(cert.extensions().len() > 200_000);
    let e = x509_dbauth::x509::Certificate::from_der(&many(1_000, true), &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        x509_dbauth::errors::CertError::DuplicateExtension {
            oid: "1.3.6.1.4.1.4242.0".into()
        }
        .to_string()
    );
}

// ---- areas that held (guards for the refactors of items 3 and 10–16) ----

/// A managed CA and a project CA with the same subject and different keys: each leaf is
/// classified by the key that signed its path, whatever else the client presents; a leaf from
/// an attacker's CA with the shared subject verifies to neither.
#[test]
fn held_same_subject_different_keys_across_sets() {
    use common::generate::{Alg, NOW, Spec, issue, root};
    use x509_dbauth::{
        CertificateDer, CertificateKind, Settings, TrustAnchors, UnixTime, UserSpec,
    };
    let managed = root(&Spec::ca("Shared CA", Alg::P256));
    let project = root(&Spec::ca("Shared CA", Alg::P256));
    let anchors = |n: &common::generate::Node| TrustAnchors::from_ders([n.der.clone()]).unwrap();
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW as u64));
    let settings = Settings::builder()
        .managed_ca(anchors(&managed))
        .enable_self_managed(anchors(&project))
        .add_user(
            UserSpec::new("CN=jane,O=x509-dbauth tests", CertificateKind::SelfManaged)
                .role("read@sales"),
        )
        .build()
        .unwrap();
    let a = x509_dbauth::Authenticator::new(settings.into_arc());
    let ders = |v: &[&Vec<u8>]| -> Vec<CertificateDer<'static>> {
        v.iter()
            .map(|d| CertificateDer::from((*d).clone()))
            .collect()
    };
    let by_managed = issue(&Spec::leaf("jane", Alg::P256), &managed).der;
    let by_project = issue(&Spec::leaf("jane", Alg::P256), &project).der;
    for (chain, kind) in [
        (ders(&[&by_managed]), CertificateKind::Managed),
        (ders(&[&by_managed, &project.der]), CertificateKind::Managed),
        (ders(&[&by_project]), CertificateKind::SelfManaged),
        (
            ders(&[&by_project, &managed.der]),
            CertificateKind::SelfManaged,
        ),
    ] {
        assert_eq!(a.verify_client(&chain, at).unwrap().kind(), kind);
    }
    // The managed leaf names a self-managed user: refused, not let in as that user.
    let client = a.verify_client(&ders(&[&by_managed]), at).unwrap();
    assert_eq!(
        err(a.authenticate_blocking(&client, None)).kind(),
        "kind_mismatch"
    );
    // An attacker's CA with the shared subject: its leaves (presented with it or without)
    // verify to neither set, whichever anchor the name leads to.
    let attacker = root(&Spec::ca("Shared CA", Alg::P256));
    let forged = issue(&Spec::leaf("jane", Alg::P256), &attacker).der;
    for chain in [ders(&[&forged]), ders(&[&forged, &attacker.der])] {
        let e = a.verify_client(&chain, at).unwrap_err();
        assert!(
            matches!(&e, AuthError::Chain(c) if c.kind() == "bad_signature"),
            "{e}"
        );
    }
}

// ---- finding 7: a path swapped to a FIFO between the check and the open blocks forever ----

/// `FileKind::read` (every file the library and the tool read) checked the path's metadata
/// and then opened it: a hostile settings file naming a path in a directory the attacker
/// controls, which flips between a regular file and a FIFO (hard link + rename, atomic), gets a
/// FIFO opened for reading with no writer, and `open` waits for a writer forever (won here
/// within a few calls). The file is now opened without blocking and checked as opened. On the
/// old code this test hangs in `open` (with near certainty over its iterations).
#[cfg(unix)]
#[test]
fn finding7_fifo_swapped_in_after_the_check_does_not_block() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = std::env::temp_dir().join(format!("x509-dbauth-fifo-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (path, regular, fifo) = (dir.join("ca.pem"), dir.join("regular"), dir.join("fifo"));
    std::fs::write(&regular, b"x").unwrap();
    std::fs::copy(&regular, &path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    let stop = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (stop, path, regular, fifo) =
            (stop.clone(), path.clone(), regular.clone(), fifo.clone());
        let (t1, t2) = (dir.join("t1"), dir.join("t2"));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                // Each rename atomically replaces the path: it always exists.
                let _ = std::fs::hard_link(&regular, &t1);
                let _ = std::fs::rename(&t1, &path);
                let _ = std::fs::hard_link(&fifo, &t2);
                let _ = std::fs::rename(&t2, &path);
            }
        })
    };
    let (mut read, mut refused) = (0, 0);
    for _ in 0..20_000 {
        match x509_dbauth::settings::FileKind::Certificates.read(&path) {
            Ok(bytes) => {
                assert_eq!(bytes, b"x");
                read += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), "not_regular_file", "{e}");
                refused += 1;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(read + refused, 20_000);
}

// ---- round 2: the index of configured material (anchors, CRLs) after "one reading" ----

mod r2 {
    use std::time::Duration;

    use super::common::generate::{Alg, DAY, NOW, Node, Spec, crl, issue, resign_crl_sha1, root};
    use x509_dbauth::{
        CertificateDer, TrustAnchors, UnixTime,
        errors::ChainError,
        x509::{ChainVerifier, VerifiedChain},
    };

    fn now() -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64))
    }

    fn verify(roots: &[&Node], crls: &[&[u8]], leaf: &[u8]) -> Result<VerifiedChain, ChainError> {
        verify_sha1(roots, crls, leaf, false)
    }

    /// `leaf` alone, with `intermediates` configured (kept as `OwnedCertificate`s).
    fn verify_configured(
        roots: &[&Node],
        intermediates: &[&Node],
        leaf: &[u8],
    ) -> Result<VerifiedChain, ChainError> {
        let anchors = TrustAnchors::from_ders(roots.iter().map(|r| r.der.clone())).unwrap();
        let mut b = ChainVerifier::builder(anchors);
        for i in intermediates {
            b = b.intermediates(&i.der);
        }
        b.build()
            .unwrap()
            .verify_chain(&[CertificateDer::from(leaf)], now())
    }

    fn verify_sha1(
        roots: &[&Node],
        crls: &[&[u8]],
        leaf: &[u8],
        allow_sha1: bool,
    ) -> Result<VerifiedChain, ChainError> {
        let anchors = TrustAnchors::from_ders(roots.iter().map(|r| r.der.clone())).unwrap();
        let mut b = ChainVerifier::builder(anchors).allow_sha1(allow_sha1);
        for c in crls {
            b = b.crls(c);
        }
        let v = b.build().unwrap();
        v.verify_chain(&[CertificateDer::from(leaf)], now())
    }

    /// Two anchors with the same subject and different keys: the subject index must return
    /// both, whatever the configured order, so a client of the second one is accepted (and a
    /// client of neither is not).
    #[test]
    fn finding_r2_1_same_subject_anchors_both_found() {
        let a1 = root(&Spec::ca("Same Root", Alg::P256));
        let a2 = root(&Spec::ca("Same Root", Alg::P256));
        let stranger = root(&Spec::ca("Same Root", Alg::P256));
        let leaf1 = issue(&Spec::leaf("alice", Alg::P256), &a1);
        let leaf2 = issue(&Spec::leaf("bob", Alg::P256), &a2);
        let leaf3 = issue(&Spec::leaf("mallory", Alg::P256), &stranger);
        for roots in [[&a1, &a2], [&a2, &a1]] {
            verify(&roots, &[], &leaf1.der).expect("leaf of the first anchor");
            verify(&roots, &[], &leaf2.der).expect("leaf of the second anchor");
            let e = verify(&roots, &[], &leaf3.der).expect_err("stranger");
            assert_eq!(e.kind(), "bad_signature", "{e}");
        }
    }

    /// A CRL for the anchor's name signed by another key with the same name: it is found by
    /// name but never applied. It does not revoke (a genuine CRL covers the certificate), and
    /// alone it makes the status unknown (`crl_invalid`, `bad_signature`), never "good".
    #[test]
    fn finding_r2_2_same_name_crl_other_key_not_applied() {
        let ca = root(&Spec::ca("CRL Root", Alg::P256));
        let impostor = root(&Spec::ca("CRL Root", Alg::P256));
        let leaf = issue(&Spec::leaf("alice", Alg::P256), &ca);
        let forged = crl(&impostor, &[100], NOW - DAY, NOW + 7 * DAY);
        let genuine = crl(&ca, &[], NOW - DAY, NOW + 7 * DAY);
        for crls in [[&forged[..], &genuine[..]], [&genuine[..], &forged[..]]] {
            verify(&[&ca], &crls, &leaf.der).expect("the forged revocation is not applied");
        }
        let e = verify(&[&ca], &[&forged], &leaf.der).expect_err("status unknown");
        assert!(
            matches!(
                e,
                ChainError::CrlInvalid {
                    reason: "bad_signature",
                    ..
                }
            ),
            "{e:?}"
        );
        // The genuine CRL revoking the serial does revoke, in either order with the forged one.
        let revoking = crl(&ca, &[100], NOW - DAY, NOW + 7 * DAY);
        let empty_forged = crl(&impostor, &[], NOW - DAY, NOW + 7 * DAY);
        for crls in [
            [&empty_forged[..], &revoking[..]],
            [&revoking[..], &empty_forged[..]],
        ] {
            let e = verify(&[&ca], &crls, &leaf.der).expect_err("revoked");
            assert_eq!(e.kind(), "revoked", "{e}");
        }
    }

    /// Signature policy now lives in `crypto::verify_signature`; CRL signatures go through it
    /// too: a SHA-1 CRL is not usable by default (status unknown: `crl_invalid`), it does not
    /// revoke when a usable CRL covers the certificate, and it revokes under the SHA-1 opt-in.
    #[test]
    fn finding_r2_3_sha1_crl_follows_the_signature_policy() {
        let ca = root(&Spec::ca("RSA CRL Root", Alg::Rsa2048Sha256(1)));
        let leaf = issue(&Spec::leaf("alice", Alg::P256), &ca);
        let sha1_revoking = resign_crl_sha1(&crl(&ca, &[100], NOW - DAY, NOW + 7 * DAY), 1);
        let e = verify(&[&ca], &[&sha1_revoking], &leaf.der).expect_err("status unknown");
        assert!(
            matches!(
                e,
                ChainError::CrlInvalid {
                    reason: "bad_signature",
                    ..
                }
            ),
            "{e:?}"
        );
        let genuine = crl(&ca, &[], NOW - DAY, NOW + 7 * DAY);
        verify(&[&ca], &[&sha1_revoking, &genuine], &leaf.der)
            .expect("the SHA-1 CRL is not applied by default");
        let e = verify_sha1(&[&ca], &[&sha1_revoking], &leaf.der, true).expect_err("revoked");
        assert_eq!(e.kind(), "revoked", "{e}");
    }

    /// A CRL whose issuer is the CA's name spelled differently (UTF8String, other case and
    /// spacing) and signed by the CA's key is found through the canonical index and revokes;
    /// the same spelling with another key is found and never applied.
    #[test]
    fn finding_r2_4_crl_issuer_spelled_differently_applies_only_with_the_key() {
        use rcgen::{DnType, DnValue};
        let spelled = |v: DnValue| {
            let mut d = rcgen::DistinguishedName::new();
            d.push(DnType::CommonName, v);
            d
        };
        let ca_spec = Spec {
            dn: spelled(DnValue::PrintableString("Spell Root".try_into().unwrap())),
            ..Spec::ca("x", Alg::Rsa2048Sha256(2))
        };
        let alias_spec = Spec {
            dn: spelled(DnValue::Utf8String("  spell   ROOT ".into())),
            ..ca_spec.clone()
        };
        let ca = root(&ca_spec);
        // The fixture key is the same: a second issuer object for the CA under another spelling.
        let alias = root(&alias_spec);
        assert_ne!(ca.der, alias.der);
        let other_key = root(&Spec {
            alg: Alg::Rsa2048Sha256(3),
            ..alias_spec.clone()
        });
        let leaf = issue(&Spec::leaf("alice", Alg::P256), &ca);
        let revoking = crl(&alias, &[100], NOW - DAY, NOW + 7 * DAY);
        let e = verify(&[&ca], &[&revoking], &leaf.der).expect_err("revoked");
        assert_eq!(e.kind(), "revoked", "{e}");
        let forged = crl(&other_key, &[100], NOW - DAY, NOW + 7 * DAY);
        let e = verify(&[&ca], &[&forged], &leaf.der).expect_err("status unknown");
        assert!(
            matches!(
                e,
                ChainError::CrlInvalid {
                    reason: "bad_signature",
                    ..
                }
            ),
            "{e:?}"
        );
    }

    /// A configured intermediate is parsed once and viewed through its `Layout` of spans: its
    /// name constraints (directory names and rfc822 names) must apply exactly as when it is
    /// presented, or a mis-sliced span would drop them.
    #[test]
    fn finding_r2_5_configured_intermediate_keeps_its_name_constraints() {
        use rcgen::{DnType, GeneralSubtree, NameConstraints, SanType};
        let r = root(&Spec::ca("NC Root", Alg::P256));
        let i = issue(
            &Spec {
                name_constraints: Some(NameConstraints {
                    permitted_subtrees: vec![],
                    excluded_subtrees: vec![
                        GeneralSubtree::DirectoryName(super::common::generate::dn(&[
                            (DnType::OrganizationName, "x509-dbauth tests"),
                            (DnType::CommonName, "blocked"),
                        ])),
                        GeneralSubtree::Rfc822Name("evil.example".into()),
                    ],
                }),
                ..Spec::ca("NC Issuing CA", Alg::P256)
            },
            &r,
        );
        let ok = issue(&Spec::leaf("client", Alg::P256), &i);
        let blocked = issue(&Spec::leaf("blocked", Alg::P256), &i);
        let mailer = issue(
            &Spec {
                sans: vec![SanType::Rfc822Name("a@evil.example".try_into().unwrap())],
                ..Spec::leaf("mailer", Alg::P256)
            },
            &i,
        );
        verify_configured(&[&r], &[&i], &ok.der).expect("allowed leaf");
        for bad in [&blocked, &mailer] {
            let e = verify_configured(&[&r], &[&i], &bad.der).expect_err("excluded");
            assert_eq!(e.kind(), "name_constraint_violation", "{e}");
            assert_eq!(e.certificate_index(), Some(0), "{e}");
        }
    }

    /// A configured (not presented) intermediate revoked by its root's CRL is refused, and the
    /// root's CRL is found for it through the index whichever CRLs come first.
    #[test]
    fn finding_r2_7_revoked_configured_intermediate_refused() {
        let r = root(&Spec::ca("Rev Root", Alg::P256));
        let i = issue(
            &Spec {
                serial: 5,
                ..Spec::ca("Rev Issuing CA", Alg::P256)
            },
            &r,
        );
        let leaf = issue(&Spec::leaf("alice", Alg::P256), &i);
        let root_crl = crl(&r, &[5], NOW - DAY, NOW + 7 * DAY);
        let issuing_crl = crl(&i, &[], NOW - DAY, NOW + 7 * DAY);
        for crls in [[&root_crl, &issuing_crl], [&issuing_crl, &root_crl]] {
            let anchors = TrustAnchors::from_ders([r.der.clone()]).unwrap();
            let mut b = ChainVerifier::builder(anchors).intermediates(&i.der);
            for c in crls {
                b = b.crls(c);
            }
            let e = b
                .build()
                .unwrap()
                .verify_chain(&[CertificateDer::from(&leaf.der[..])], now())
                .expect_err("revoked intermediate");
            assert_eq!(e.kind(), "revoked", "{e}");
        }
        // Without the root's CRL the same configuration verifies.
        verify_configured(&[&r], &[&i], &leaf.der).expect("not revoked");
    }
}

/// The login memo (`policy/memo.rs`) is keyed by the subject compared exactly: whatever
/// subject logged in first, another subject's outcome (principal, roles, or error) is the one
/// a fresh authenticator gives it. Spellings that RFC 4518 matching folds together (case,
/// spaces) are different subjects to the mapping rules and must not share an entry.
#[test]
fn finding_r2_6_login_memo_is_transparent_across_spellings() {
    let mut dir = InMemoryDirectory::new();
    dir.insert(DirectoryEntry::new("cn=jane,ou=users,dc=example,dc=com"));
    dir.insert(
        DirectoryEntry::new(format!("cn=dbAdmins,{GROUPS}"))
            .with("objectClass", "groupOfNames")
            .with("member", "cn=jane,ou=users,dc=example,dc=com"),
    );
    let b = base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: format!("cn=dbAdmins,{GROUPS}"),
            roles: vec!["dbAdmin@sales".into()],
        })
        .user_to_dn_mapping(UserToDnMapping::new(vec![
            MappingRule::substitution(
                "CN=(jane),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            )
            .unwrap(),
        ]))
        .query_template(QueryTemplate::parse(&format!("{GROUPS}??one?(member={{USER}})")).unwrap());
    let dir = Arc::new(dir);
    let spellings = ["jane", "JANE", "jane ", " jane", "ja ne"];
    let leaves: Vec<_> = spellings
        .iter()
        .map(|cn| {
            project_leaf(&[
                (DnType::CountryName, "US"),
                (DnType::OrganizationName, "MongoDB"),
                (DnType::CommonName, cn),
            ])
        })
        .collect();
    let outcome = |r: Result<Principal, AuthError>| match r {
        Ok(p) => format!("ok {} {:?}", p.user(), p.role_names()),
        Err(e) => format!("err {e:?}"),
    };
    let fresh: Vec<String> = leaves
        .iter()
        .map(|l| outcome(login(&auth(b.clone()).with_directory(dir.clone()), l, None)))
        .collect();
    assert!(fresh[0].starts_with("ok "), "{}", fresh[0]);
    assert!(fresh[1].starts_with("err "), "{}", fresh[1]);
    for (i, first) in leaves.iter().enumerate() {
        let a = auth(b.clone()).with_directory(dir.clone());
        let _ = login(&a, first, None);
        for (j, second) in leaves.iter().enumerate() {
            assert_eq!(
                outcome(login(&a, second, None)),
                fresh[j],
                "{:?} after {:?}",
                spellings[j],
                spellings[i]
            );
        }
    }
}
