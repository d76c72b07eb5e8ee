//! Where certificate bytes become identities (issue 7, items 1, 2 and 4), through the engine on
//! chains issued by the example project CA:
//!
//! * a subject with a control character is refused before any matching, with the same error
//!   from `authenticate` and `explain`, under LDAP mapping, database users and claims;
//! * a value that is not a directory string prints as `#hex`, matches no string, and is
//!   refused under LDAP mapping;
//! * canonical (default) and exact name matching, and what each makes of names that differ
//!   only by case, spaces and Unicode folding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::policy::*;
use der::{Any, Decode, Encode, Tag, TagNumber, asn1::BitStringRef, asn1::ObjectIdentifier};
use rcgen::DnType;
use x509_dbauth::{
    AuthError, Authenticator, CertificateDer, CertificateKind, Outcome, Settings, SettingsBuilder,
    SettingsError, UserSpec,
    directory::{InMemoryDirectory, LdapGroupSpec, MappingRule, UserToDnMapping},
    settings::NameMatching,
};

// ---- certificates ----

/// `CN=<cn>,O=MongoDB,C=US` (CN a UTF8String) from the project's issuing CA.
fn leaf(cn: &str) -> Vec<CertificateDer<'static>> {
    leaf_o(cn, "MongoDB")
}

fn leaf_o(cn: &str, o: &str) -> Vec<CertificateDer<'static>> {
    project_leaf(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, o),
        (DnType::CommonName, cn),
    ])
}

/// `C=US`, `O=MongoDB`, then a CN whose value is `cn_value` (any ASN.1 element): rcgen writes
/// only directory strings, so its leaf's TBSCertificate is re-assembled with the `der` crate
/// around this subject and signed again with the issuing CA's real key.
fn leaf_with_cn_value(cn_value: Any) -> Vec<CertificateDer<'static>> {
    let attr = |oid: &str, value: Any| {
        let atv = [
            ObjectIdentifier::new_unwrap(oid).to_der().unwrap(),
            value.to_der().unwrap(),
        ]
        .concat();
        let rdn = Any::new(Tag::Sequence, atv).unwrap().to_der().unwrap();
        Any::new(Tag::Set, rdn).unwrap().to_der().unwrap()
    };
    let utf8 = |s: &str| Any::new(Tag::Utf8String, s.as_bytes()).unwrap();
    let subject = Any::new(
        Tag::Sequence,
        [
            attr("2.5.4.6", utf8("US")),
            attr("2.5.4.10", utf8("MongoDB")),
            attr("2.5.4.3", cn_value),
        ]
        .concat(),
    )
    .unwrap()
    .to_der()
    .unwrap();

    let original = leaf("placeholder");
    let cert = Any::from_der(original[0].as_ref()).unwrap();
    let parts = elements(cert.value());
    let (tbs, sig_alg) = (Any::from_der(&parts[0]).unwrap(), parts[1].clone());
    let mut fields = elements(tbs.value());
    // version [0], serialNumber, signature, issuer, validity, subject, ...
    fields[5] = subject;
    let tbs = Any::new(Tag::Sequence, fields.concat())
        .unwrap()
        .to_der()
        .unwrap();
    let ca_key =
        rcgen::KeyPair::try_from(sec1_p256_to_pkcs8(&pki("project-issuing-ca.key")).as_slice())
            .unwrap();
    let signature = rcgen::SigningKey::sign(&ca_key, &tbs).unwrap();
    let cert = Any::new(
        Tag::Sequence,
        [
            tbs,
            sig_alg,
            BitStringRef::from_bytes(&signature)
                .unwrap()
                .to_der()
                .unwrap(),
        ]
        .concat(),
    )
    .unwrap()
    .to_der()
    .unwrap();
    let mut out = vec![CertificateDer::from(cert)];
    out.extend(original.into_iter().skip(1));
    out
}

/// The DER elements of a constructed value's contents.
fn elements(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (any, rest) = Any::from_der_partial(content).unwrap();
        out.push(any.to_der().unwrap());
        content = rest;
    }
    out
}

const ADMIN_LDAP: &str = "cn=admin,ou=users,dc=example,dc=com";

/// The test directory plus `cn=admin`, a member of `cn=admins`.
fn directory() -> Arc<InMemoryDirectory> {
    let mut ldif =
        String::from_utf8(std::fs::read(path("tests/data/directory.ldif")).unwrap()).unwrap();
    ldif.push_str(&format!(
        "\ndn: {ADMIN_LDAP}\nobjectClass: inetOrgPerson\ncn: admin\nsn: admin\nuid: admin\n\n\
         dn: cn=admins,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: admins\n\
         member: {ADMIN_LDAP}\n"
    ));
    Arc::new(InMemoryDirectory::from_ldif(&ldif).unwrap())
}

/// LDAP authorization with the mapping of the issue: `CN=([^,]+),O=MongoDB,C=US` →
/// `cn={0},ou=users,dc=example,dc=com`.
fn ldap_authenticator() -> Authenticator {
    let settings = base()
        .enable_ldap_authorization()
        .user_to_dn_mapping(UserToDnMapping::new(vec![
            MappingRule::substitution(
                "CN=([^,]+),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            )
            .unwrap(),
        ]))
        .add_ldap_group(LdapGroupSpec {
            dn: "cn=admins,ou=groups,dc=example,dc=com".to_owned(),
            roles: vec!["root@admin".into()],
        });
    auth(settings).with_directory(directory())
}

/// LDAP off; `CN=admin,O=MongoDB,C=US` is a registered self-managed user.
fn users_authenticator(matching: NameMatching) -> Authenticator {
    auth(base().name_matching(matching).add_user(
        UserSpec::new("CN=admin,O=MongoDB,C=US", CertificateKind::SelfManaged).role("root@admin"),
    ))
}

/// `authenticate` and `explain` agree; returns the error and the failing step's name.
fn denied(
    a: &Authenticator,
    chain: &[CertificateDer<'_>],
    claim: Option<&str>,
) -> (AuthError, &'static str) {
    let e = login(a, chain, claim).expect_err("denied");
    let d = a.explain_blocking(chain, now(), claim);
    assert_eq!(d.error(), Some(&e), "explain reports the same error");
    assert!(d.principal().is_none());
    let last = d.steps().last().unwrap();
    assert_eq!(last.outcome, Outcome::Fail);
    assert_eq!(last.detail, e.to_string());
    (e, last.step)
}

// ---- item 1: control characters ----

#[test]
fn control_characters_are_refused_before_ldap_mapping() {
    let a = ldap_authenticator();
    // The control: a plain `admin` maps and gets the group's roles.
    let p = login(&a, &leaf("admin"), None).unwrap();
    assert_eq!(p.ldap_dn(), Some(ADMIN_LDAP));
    assert_eq!(p.role_names(), ["root@admin"]);

    // (CN value, subject as printed, position, code point)
    let cases: &[(&str, &str, usize, u32)] = &[
        ("admin\0", r"CN=admin\00,O=MongoDB,C=US", 6, 0x00),
        ("\x07admin", r"CN=\07admin,O=MongoDB,C=US", 1, 0x07),
        ("ad\x7Fmin", r"CN=ad\7Fmin,O=MongoDB,C=US", 3, 0x7F),
        // C1 and the controls RFC 4518 maps to SPACE are controls too.
        ("ad\u{85}min", r"CN=ad\C2\85min,O=MongoDB,C=US", 3, 0x85),
        ("ad\tmin", r"CN=ad\09min,O=MongoDB,C=US", 3, 0x09),
    ];
    for &(cn, subject, position, code_point) in cases {
        let (e, step) = denied(&a, &leaf(cn), None);
        assert_eq!(
            e,
            AuthError::ControlCharacterInSubject {
                subject: subject.to_owned(),
                attribute: "CN".to_owned(),
                rdn: 1,
                position,
                code_point,
            },
            "{cn:?}"
        );
        assert_eq!(e.kind(), "control_character_in_subject");
        assert_eq!(step, "subject_name");
    }
    let (e, _) = denied(&a, &leaf("admin\0"), None);
    assert_eq!(
        e.to_string(),
        r#"the certificate subject "CN=admin\\00,O=MongoDB,C=US" contains the control character U+0000 in its CN value (RDN 1, character 6); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group"#
    );
    // In another RDN: the RDN is counted in the subject as printed.
    let (e, _) = denied(&a, &leaf_o("admin", "Mongo\x1bDB"), None);
    assert_eq!(
        e,
        AuthError::ControlCharacterInSubject {
            subject: r"CN=admin,O=Mongo\1BDB,C=US".to_owned(),
            attribute: "O".to_owned(),
            rdn: 2,
            position: 6,
            code_point: 0x1b,
        }
    );
}

/// The invisible characters RFC 4518 maps to nothing (zero-width space, soft hyphen, bidi
/// override, BOM) would vanish from the server username exactly as NUL does: `ad\u{200B}min`
/// would map to `cn=admin`. They are refused the same way, named as invisible characters.
#[test]
fn invisible_characters_are_refused_before_ldap_mapping() {
    let a = ldap_authenticator();
    let cases: &[(&str, usize, u32)] = &[
        ("ad\u{200B}min", 3, 0x200B),
        ("ad\u{AD}min", 3, 0xAD),
        ("admin\u{202E}", 6, 0x202E),
        ("\u{FEFF}admin", 1, 0xFEFF),
    ];
    for &(cn, position, code_point) in cases {
        let (e, step) = denied(&a, &leaf(cn), None);
        let AuthError::ControlCharacterInSubject {
            attribute,
            rdn,
            position: at,
            code_point: cp,
            ..
        } = &e
        else {
            panic!("{cn:?}: {e:?}")
        };
        assert_eq!(
            (attribute.as_str(), *rdn, *at, *cp),
            ("CN", 1, position, code_point),
            "{cn:?}"
        );
        assert_eq!(e.kind(), "control_character_in_subject");
        assert_eq!(step, "subject_name");
    }
    let (e, _) = denied(&a, &leaf("ad\u{200B}min"), None);
    assert_eq!(
        e.to_string(),
        "the certificate subject \"CN=ad\\u{200B}min,O=MongoDB,C=US\" contains the invisible character U+200B in its CN value (RDN 1, character 3); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group"
    );
    // LDAP off: the registered `CN=admin` is not reached either, claimed or not.
    let u = users_authenticator(NameMatching::Canonical);
    let (e, _) = denied(&u, &leaf("ad\u{200B}min"), None);
    assert_eq!(e.kind(), "control_character_in_subject");
    let (e, _) = denied(&u, &leaf("ad\u{200B}min"), Some("CN=admin,O=MongoDB,C=US"));
    assert_eq!(e.kind(), "control_character_in_subject");
}

#[test]
fn control_characters_are_refused_for_database_users_and_claims() {
    for matching in [NameMatching::Canonical, NameMatching::Exact] {
        let a = users_authenticator(matching);
        assert_eq!(
            login(&a, &leaf("admin"), None).unwrap().user(),
            "CN=admin,O=MongoDB,C=US"
        );
        for cn in ["admin\0", "\x07admin", "ad\x7Fmin"] {
            for claim in [None, Some("CN=admin,O=MongoDB,C=US")] {
                let (e, step) = denied(&a, &leaf(cn), claim);
                assert_eq!(e.kind(), "control_character_in_subject", "{cn:?} {claim:?}");
                assert_eq!(step, "subject_name");
            }
        }
        let (e, _) = denied(&a, &leaf("\x07admin"), Some("CN=admin,O=MongoDB,C=US"));
        assert_eq!(
            e,
            AuthError::ControlCharacterInSubject {
                subject: r"CN=\07admin,O=MongoDB,C=US".to_owned(),
                attribute: "CN".to_owned(),
                rdn: 1,
                position: 1,
                code_point: 7,
            }
        );
    }
}

#[test]
fn configured_group_dns_with_control_characters_are_refused() {
    let e = base()
        .enable_ldap_authorization()
        .add_ldap_group(LdapGroupSpec {
            dn: r"cn=admins\00,ou=groups,dc=example,dc=com".to_owned(),
            roles: vec!["root@admin".into()],
        })
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        SettingsError::ControlCharacterInGroupDn {
            index: 0,
            dn: r"cn=admins\00,ou=groups,dc=example,dc=com".to_owned(),
        }
    );
    assert_eq!(
        e.to_string(),
        r#"LDAP group #0: "cn=admins\\00,ou=groups,dc=example,dc=com" contains a control or invisible character, so no group the directory returns could ever match it"#
    );
}

// ---- item 2: values that are not directory strings ----

fn non_string_cases() -> Vec<(Any, &'static str, &'static str)> {
    vec![
        (
            Any::new(Tag::Integer, &b"admin"[..]).unwrap(),
            "CN=#020561646d696e,O=MongoDB,C=US",
            "INTEGER",
        ),
        (
            Any::new(Tag::OctetString, &b"admin"[..]).unwrap(),
            "CN=#040561646d696e,O=MongoDB,C=US",
            "OCTET STRING",
        ),
        (
            Any::new(
                Tag::ContextSpecific {
                    constructed: false,
                    number: TagNumber(0),
                },
                &b"admin"[..],
            )
            .unwrap(),
            "CN=#800561646d696e,O=MongoDB,C=US",
            "context-specific [0]",
        ),
        (
            Any::new(Tag::VisibleString, &b"admin"[..]).unwrap(),
            "CN=#1a0561646d696e,O=MongoDB,C=US",
            "VisibleString",
        ),
        // A string type whose contents do not decode is not a string either.
        (
            Any::new(Tag::Utf8String, &b"admin\xff"[..]).unwrap(),
            "CN=#0c0661646d696eff,O=MongoDB,C=US",
            "UTF8String with invalid contents",
        ),
    ]
}

#[test]
fn non_string_values_print_as_hex_everywhere() {
    let a = ldap_authenticator();
    for (value, printed, _) in non_string_cases() {
        let client = a.verify_client(&leaf_with_cn_value(value), now()).unwrap();
        assert_eq!(client.subject().to_string(), printed);
        // The server username too: never the content octets (`CN=admin`).
        assert_eq!(client.subject().server_username(), printed);
        assert_eq!(client.subject().common_name(), None);
    }
}

#[test]
fn non_string_values_are_refused_under_ldap_mapping() {
    let a = ldap_authenticator();
    for (value, printed, encoding) in non_string_cases() {
        let (e, step) = denied(&a, &leaf_with_cn_value(value), None);
        assert_eq!(
            e,
            AuthError::NonStringValueInSubject {
                subject: printed.to_owned(),
                attribute: "CN".to_owned(),
                rdn: 1,
                encoding: encoding.to_owned(),
            }
        );
        assert_eq!(e.kind(), "non_string_value_in_subject");
        assert_eq!(step, "ldap_mapping");
    }
    let (e, _) = denied(
        &a,
        &leaf_with_cn_value(Any::new(Tag::Integer, &b"admin"[..]).unwrap()),
        None,
    );
    assert_eq!(
        e.to_string(),
        r#"the certificate subject "CN=#020561646d696e,O=MongoDB,C=US" has a CN value (RDN 1) encoded as INTEGER, not as a directory string; LDAP authorization maps only subjects whose values are all strings"#
    );
}

#[test]
fn non_string_values_never_match_a_string_user_or_claim() {
    for matching in [NameMatching::Canonical, NameMatching::Exact] {
        let a = users_authenticator(matching);
        for (value, printed, _) in non_string_cases() {
            let chain = leaf_with_cn_value(value);
            let (e, _) = denied(&a, &chain, None);
            assert_eq!(
                e,
                AuthError::UnknownUser {
                    subject: printed.to_owned(),
                    hint: None,
                },
                "{matching}"
            );
            let (e, _) = denied(&a, &chain, Some("CN=admin,O=MongoDB,C=US"));
            assert_eq!(e.kind(), "claim_mismatch", "{matching}");
        }
    }
}

// ---- item 4: canonical and exact name matching ----

const JANE_D: &str = "CN=Jane Doe,O=MongoDB,C=US";
/// `CN=Straße,O=MongoDB,C=US` written as the server prints it, so that it names the same user
/// under both matching modes.
const STRASSE: &str = r"CN=Stra\C3\9Fe,O=MongoDB,C=US";

fn matching_settings(matching: NameMatching) -> SettingsBuilder {
    Settings::builder()
        .enable_self_managed(anchors("project-root-ca.pem"))
        .name_matching(matching)
        .add_user(UserSpec::new(JANE_D, CertificateKind::SelfManaged).role("read@sales"))
        .add_user(UserSpec::new(STRASSE, CertificateKind::SelfManaged).role("read@berlin"))
}

/// (certificate, registered user it folds to, its server username)
fn folded_certificates() -> Vec<(Vec<CertificateDer<'static>>, &'static str, &'static str)> {
    vec![
        (leaf("JANE DOE"), JANE_D, "CN=JANE DOE,O=MongoDB,C=US"),
        (
            leaf_o("Jane Doe", "  MongoDB  "),
            JANE_D,
            r"CN=Jane Doe,O=\  MongoDB \ ,C=US",
        ),
        (leaf("STRASSE"), STRASSE, "CN=STRASSE,O=MongoDB,C=US"),
        // U+017F LATIN SMALL LETTER LONG S: NFKC makes it `s` (the server applies NFKC too).
        (leaf("Straſſe"), STRASSE, "CN=Strasse,O=MongoDB,C=US"),
    ]
}

#[test]
fn canonical_matching_folds_case_spaces_and_unicode() {
    let a = auth(matching_settings(NameMatching::Canonical));
    assert_eq!(a.settings().name_matching(), NameMatching::Canonical);
    for (chain, user, _) in folded_certificates() {
        assert_eq!(login(&a, &chain, None).unwrap().user(), user);
    }
    assert_eq!(login(&a, &leaf("Straße"), None).unwrap().user(), STRASSE);
    // Claims compare canonically too.
    assert_eq!(
        login(&a, &leaf("Jane Doe"), Some("cn=JANE  doe, o=mongodb, c=us"))
            .unwrap()
            .user(),
        JANE_D
    );
}

#[test]
fn exact_matching_compares_the_server_username_byte_for_byte() {
    let a = auth(matching_settings(NameMatching::Exact));
    // The names as the server prints them log in.
    assert_eq!(login(&a, &leaf("Jane Doe"), None).unwrap().user(), JANE_D);
    assert_eq!(login(&a, &leaf("Straße"), None).unwrap().user(), STRASSE);
    for (chain, user, username) in folded_certificates() {
        let (e, step) = denied(&a, &chain, None);
        assert_eq!(step, "user");
        assert_eq!(
            e,
            AuthError::UnknownUser {
                subject: username.to_owned(),
                hint: Some(format!(
                    "the registered user \"{user}\" matches it only under canonical matching (letter case, spaces, Unicode forms or escapes differ); exact name matching is on, so a name must be the certificate's server username \"{username}\" byte for byte"
                )),
            }
        );
    }
}

#[test]
fn exact_matching_applies_to_claimed_users() {
    let a = auth(matching_settings(NameMatching::Exact));
    let jane = leaf("Jane Doe");
    assert_eq!(login(&a, &jane, Some(JANE_D)).unwrap().user(), JANE_D);
    for claim in ["cn=jane doe,o=mongodb,c=us", "CN=Jane Doe, O=MongoDB, C=US"] {
        let (e, step) = denied(&a, &jane, Some(claim));
        assert_eq!(step, "claimed_user");
        assert_eq!(
            e,
            AuthError::ClaimMismatch {
                claimed: claim.to_owned(),
                subject: JANE_D.to_owned(),
                reason: Some(
                    "exact name matching is on: the claim must be the certificate's server username \"CN=Jane Doe,O=MongoDB,C=US\" byte for byte".into()
                ),
            }
        );
    }
    // The claim of a registered name does not let a folded certificate in either.
    let (e, _) = denied(&a, &leaf("JANE DOE"), Some(JANE_D));
    assert_eq!(e.kind(), "claim_mismatch");
    // The server username in the reason is shown escaped like every value (its `\XX`
    // escapes of UTF-8 bytes have their backslash doubled).
    let (e, _) = denied(&a, &leaf("Straße"), Some("CN=Straße,O=MongoDB,C=US"));
    assert_eq!(
        e.to_string(),
        r#"the claimed user "CN=Straße,O=MongoDB,C=US" does not match the certificate subject "CN=Straße,O=MongoDB,C=US" (exact name matching is on: the claim must be the certificate's server username "CN=Stra\\C3\\9Fe,O=MongoDB,C=US" byte for byte)"#
    );
    // Written as the server username, the same claim logs in as the user registered so.
    let p = login(&a, &leaf("Straße"), Some(r"CN=Stra\C3\9Fe,O=MongoDB,C=US")).unwrap();
    assert_eq!(p.user(), r"CN=Stra\C3\9Fe,O=MongoDB,C=US");
    assert_eq!(p.role_names(), ["read@berlin"]);
}

#[test]
fn exact_matching_keeps_ldap_groups_canonical() {
    // The directory returns `CN=Readers, OU=Groups, ...`-style DNs; groups still match as
    // parsed DNs under exact matching.
    let settings = base()
        .name_matching(NameMatching::Exact)
        .enable_ldap_authorization()
        .user_to_dn_mapping(UserToDnMapping::new(vec![
            MappingRule::substitution(
                "CN=([^,]+),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            )
            .unwrap(),
        ]))
        .add_ldap_group(LdapGroupSpec {
            dn: "CN=ADMINS, OU=Groups, DC=Example, DC=Com".to_owned(),
            roles: vec!["root@admin".into()],
        });
    let a = auth(settings).with_directory(directory());
    let p = login(&a, &leaf("admin"), None).unwrap();
    assert_eq!(p.role_names(), ["root@admin"]);
}

#[test]
fn folded_names_are_duplicates_in_canonical_mode_and_a_warning_in_exact_mode() {
    let pairs = [
        (JANE_D, "CN=JANE DOE,O=MongoDB,C=US"),
        (JANE_D, r"CN=Jane Doe,O=\  MongoDB \ ,C=US"),
        (STRASSE, "CN=STRASSE,O=MongoDB,C=US"),
        (STRASSE, "CN=Strasse,O=MongoDB,C=US"),
    ];
    for (first, second) in pairs {
        let users = |m: NameMatching| {
            Settings::builder()
                .enable_self_managed(anchors("project-root-ca.pem"))
                .name_matching(m)
                .add_user(UserSpec::new(first, CertificateKind::SelfManaged))
                .add_user(UserSpec::new(second, CertificateKind::SelfManaged))
        };
        let e = users(NameMatching::Canonical).build().unwrap_err();
        assert_eq!(
            e,
            SettingsError::DuplicateUser {
                index: 1,
                name: second.to_owned(),
                first: 0,
                first_name: first.to_owned(),
            }
        );
        let s = users(NameMatching::Exact).build().unwrap();
        assert_eq!(s.users().len(), 2);
        assert!(
            s.to_string().contains(
                "\nusers: 2 (exact name matching: server usernames compared byte for byte)\n"
            ),
            "{s}"
        );
        let warnings: Vec<String> = s
            .warnings(now())
            .iter()
            .filter(|w| w.code == "similar_user_names")
            .map(|w| w.message.clone())
            .collect();
        assert_eq!(
            warnings,
            [format!(
                "users #0 \"{first}\" and #1 \"{second}\" differ only in what canonical name matching folds (letter case, spaces, Unicode forms, escapes, order inside a multi-valued RDN): exact name matching keeps them two users, canonical matching would refuse the second as a duplicate"
            )]
        );
        // Each certificate is its own user.
        let a = Authenticator::new(s.into_arc());
        let second_chain = match second {
            "CN=JANE DOE,O=MongoDB,C=US" => leaf("JANE DOE"),
            "CN=STRASSE,O=MongoDB,C=US" => leaf("STRASSE"),
            "CN=Strasse,O=MongoDB,C=US" => leaf("Straſſe"),
            _ => leaf_o("Jane Doe", "  MongoDB  "),
        };
        assert_eq!(login(&a, &second_chain, None).unwrap().user(), second);
    }
    // Byte-identical names are duplicates in exact mode too.
    let e = matching_settings(NameMatching::Exact)
        .add_user(UserSpec::new(JANE_D, CertificateKind::SelfManaged))
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "user #2: \"CN=Jane Doe,O=MongoDB,C=US\" is the same name as user #0 \"CN=Jane Doe,O=MongoDB,C=US\""
    );
    assert_eq!(e.kind(), "duplicate_user");
}

#[test]
fn exact_matching_warns_about_names_not_written_as_server_usernames() {
    let s = Settings::builder()
        .enable_self_managed(anchors("project-root-ca.pem"))
        .name_matching(NameMatching::Exact)
        .add_user(UserSpec::new(
            "CN=Straße,O=MongoDB,C=US",
            CertificateKind::SelfManaged,
        ))
        .add_user(UserSpec::new(
            "CN=Jane Doe, O=MongoDB, C=US",
            CertificateKind::SelfManaged,
        ))
        .build()
        .unwrap();
    let w: Vec<String> = s
        .warnings(now())
        .iter()
        .filter(|w| w.code == "unreachable_user")
        .map(|w| w.message.clone())
        .collect();
    assert_eq!(
        w,
        [
            r#"user #0 "CN=Straße,O=MongoDB,C=US" (self-managed) cannot log in: exact name matching compares the certificate's server username byte for byte, and this name is not written that way: write "CN=Stra\C3\9Fe,O=MongoDB,C=US""#,
            r#"user #1 "CN=Jane Doe, O=MongoDB, C=US" (self-managed) cannot log in: exact name matching compares the certificate's server username byte for byte, and this name is not written that way: write "CN=Jane Doe,O=MongoDB,C=US""#,
        ]
    );
    // Canonical mode has no such warning: both names are reachable.
    let canonical = s
        .to_builder()
        .name_matching(NameMatching::Canonical)
        .build()
        .unwrap();
    assert!(
        canonical
            .warnings(now())
            .iter()
            .all(|w| w.code != "unreachable_user" && w.code != "similar_user_names")
    );
}

#[test]
fn remove_user_follows_the_matching_mode() {
    let exact = matching_settings(NameMatching::Exact)
        .add_user(UserSpec::new(
            "CN=JANE DOE,O=MongoDB,C=US",
            CertificateKind::SelfManaged,
        ))
        .remove_user("CN=JANE DOE,O=MongoDB,C=US")
        .build()
        .unwrap();
    let names: Vec<&str> = exact.users().iter().map(|u| u.name()).collect();
    assert_eq!(names, [JANE_D, STRASSE]);
    let canonical = matching_settings(NameMatching::Canonical)
        .remove_user("cn=jane doe,o=mongodb,c=us")
        .build()
        .unwrap();
    let names: Vec<&str> = canonical.users().iter().map(|u| u.name()).collect();
    assert_eq!(names, [STRASSE]);
}

#[cfg(feature = "settings-files")]
#[test]
fn settings_file_selects_the_matching_mode() {
    use x509_dbauth::SettingsFile;
    let base = path("examples");
    let text = |matching: &str| {
        format!(
            "[self_managed_x509]\nenabled = true\nca_file = \"pki/project-root-ca.pem\"\n[names]\nmatching = \"{matching}\"\n[[users]]\nname = \"{JANE_D}\"\nx509 = \"self-managed\"\n[[users]]\nname = \"CN=JANE DOE,O=MongoDB,C=US\"\nx509 = \"self-managed\"\n"
        )
    };
    let f = SettingsFile::parse(&text("exact"), &base, "names.toml").unwrap();
    assert_eq!(f.settings.name_matching(), NameMatching::Exact);
    assert_eq!(
        f.settings
            .warnings(now())
            .iter()
            .filter(|w| w.code == "similar_user_names")
            .count(),
        1
    );
    let e = SettingsFile::parse(&text("canonical"), &base, "names.toml").unwrap_err();
    assert_eq!(e.kind, "duplicate_user");
    assert_eq!(e.key.as_deref(), Some("users[1].name"));
    let e = SettingsFile::parse(&text("loose"), &base, "names.toml").unwrap_err();
    assert_eq!(
        e.to_string(),
        "names.toml:5: names.matching: `loose` is neither \"canonical\" nor \"exact\""
    );
    assert_eq!(e.kind, "invalid_matching");
    // Absent: canonical.
    let f = SettingsFile::parse(
        "[self_managed_x509]\nenabled = true\nca_file = \"pki/project-root-ca.pem\"\n",
        &base,
        "names.toml",
    )
    .unwrap();
    assert_eq!(f.settings.name_matching(), NameMatching::Canonical);
}

/// `x509-dbauth config check` on a settings file written by the test: exact matching, two
/// users differing only in case; the warning and the mode are reported, and exit code 0.
#[cfg(feature = "cli")]
#[test]
fn config_check_warns_about_similar_names_under_exact_matching() {
    let dir = std::env::temp_dir().join(format!("x509-dbauth-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("exact.toml");
    let ca = path("examples/pki/project-root-ca.pem");
    std::fs::write(
        &file,
        format!(
            "[names]\nmatching = \"exact\"\n[self_managed_x509]\nenabled = true\nca_file = {:?}\n[[users]]\nname = \"{JANE_D}\"\nx509 = \"self-managed\"\n[[users]]\nname = \"CN=JANE DOE,O=MongoDB,C=US\"\nx509 = \"self-managed\"\n",
            ca.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_x509-dbauth"))
        .args(["config", "check", "--json", "--at", "2027-01-01T00:00:00Z"])
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["name_matching"], "exact");
    assert_eq!(
        v["warnings"],
        serde_json::json!([{
            "code": "similar_user_names",
            "message": "users #0 \"CN=Jane Doe,O=MongoDB,C=US\" and #1 \"CN=JANE DOE,O=MongoDB,C=US\" differ only in what canonical name matching folds (letter case, spaces, Unicode forms, escapes, order inside a multi-valued RDN): exact name matching keeps them two users, canonical matching would refuse the second as a duplicate"
        }])
    );
}
