//! Certificate values reach people escaped (issue 7 item 7), and the client gets a text apart
//! from the operator's (item 9): decisions on rcgen leaves issued by the example project CA.
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
    AuthError, Escaped, SettingsBuilder, SettingsError,
    directory::{InMemoryDirectory, LdapGroupSpec, MappingRule, UserToDnMapping},
    errors::{
        ChainError, DirectoryError, DnError, LdapConfigError, LdapError, LdifError, RbacError,
        ReadFileError, RuleFailure, TrustError,
    },
    settings::FileKind,
    x509::{CertPosition, CertRef},
};

/// A CN that, printed raw, would end the line, colour the terminal and reverse the text.
const FORGING_CN: &str = "uid=eve\n  [pass] user: root\u{1b}[32m\u{202e}toor";

fn ldap_settings(mapping: UserToDnMapping) -> SettingsBuilder {
    base()
        .enable_ldap_authorization()
        .user_to_dn_mapping(mapping)
        .add_ldap_group(LdapGroupSpec {
            dn: "cn=dbAdmins,ou=groups,dc=example,dc=com".to_owned(),
            roles: vec!["dbAdmin@sales".into()],
        })
}

fn directory() -> Arc<InMemoryDirectory> {
    Arc::new(InMemoryDirectory::from_ldif_file(path("tests/data/directory.ldif")).unwrap())
}

fn steps_text(d: &x509_dbauth::Decision) -> Vec<String> {
    d.steps().iter().map(ToString::to_string).collect()
}

/// Prints what the tests below freeze, when a case fails.
fn show(d: &x509_dbauth::Decision) -> String {
    let mut out = steps_text(d).join("\n");
    if let Some(e) = d.error() {
        out.push_str(&format!("\nerror: {e}"));
    }
    out
}

/// Item 7: with `common_name_is_dn`, a CN holding a newline and a fake step, an ANSI escape
/// and a bidi override stays inside its own step line, and in the error.
#[test]
fn explain_common_name_is_dn_cannot_forge_a_line() {
    let leaf = project_leaf(&[
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, FORGING_CN),
    ]);
    let a = auth(ldap_settings(UserToDnMapping::new(vec![
        MappingRule::common_name_is_dn(),
    ])))
    .with_directory(directory());
    let d = a.explain_blocking(&leaf, now(), None);
    // Item 1 refuses the subject before any mapping; its sentence shows the subject escaped.
    let subject = r"CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202E}toor,O=MongoDB";
    let message = format!(
        "the certificate subject \"{subject}\" contains the control character U+000A in its CN value (RDN 1, character 8); a name with a control or invisible character matches no user, claimed name, mapping rule or LDAP group"
    );
    let expected = [
        "[pass] certificate: 2 certificate(s) presented".to_owned(),
        "[pass] chain: a path of 3 certificate(s) ends at \"CN=Example Corp Root CA,O=Example Corp,C=US\" in the self-managed CA set, so the certificate is self-managed".to_owned(),
        format!("[pass] subject: \"{subject}\""),
        "[pass] kind: self-managed certificate (trust anchor \"CN=Example Corp Root CA,O=Example Corp,C=US\")".to_owned(),
        format!("[fail] subject_name: {message}"),
    ];
    assert_eq!(steps_text(&d), expected, "{}", show(&d));
    let e = d.error().unwrap();
    assert_eq!(e.kind(), "control_character_in_subject");
    assert_eq!(e.to_string(), message);
    // The structured field keeps the RFC 4514 text (its own `\0A` escape, the raw U+202E),
    // escaped only where it is shown.
    let AuthError::ControlCharacterInSubject { subject, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        subject,
        "CN=uid=eve\\0A  [pass] user: root\\1B[32m\u{202e}toor,O=MongoDB"
    );
    // Whatever the text, no line of it is more than one step.
    let text = expected.join("\n");
    assert_eq!(text.lines().count(), expected.len());
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
}

/// The same with characters that are not control characters (so no control-character rule
/// refuses them first): a line separator U+2028 and an isolate U+2066 / U+2069.
#[test]
fn explain_line_separator_and_isolates_are_escaped() {
    let cn = "uid=eve\u{2028}  [pass] user: root\u{2066}x\u{2069}";
    let leaf = project_leaf(&[
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, cn),
    ]);
    let a = auth(ldap_settings(UserToDnMapping::new(vec![
        MappingRule::common_name_is_dn(),
    ])))
    .with_directory(directory());
    let d = a.explain_blocking(&leaf, now(), None);
    let shown = r"uid=eve\u{2028}  [pass] user: root\u{2066}x\u{2069}";
    let steps = steps_text(&d);
    assert_eq!(
        steps.get(2).map(String::as_str),
        Some(format!("[pass] subject: \"CN={shown},O=MongoDB\"").as_str()),
        "{}",
        show(&d)
    );
    assert_eq!(
        d.error().unwrap().to_string(),
        format!(
            "the LDAP authorization query for \"{shown}\" failed: the authorization query on `{shown}` returned 0 entries; exactly one entry is expected when attributes are requested"
        )
    );
    assert!(
        steps
            .iter()
            .all(|s| !s.contains(['\u{2028}', '\u{2066}', '\u{2069}']))
    );
}

/// Item 7: the error sentences that name the subject or the claim (database users, LDAP off).
#[test]
fn unknown_user_and_claim_mismatch_escape_the_names() {
    // Control characters are refused before matching (item 1); a line separator and an
    // isolate reach the unknown-user sentence, escaped.
    let leaf = project_leaf(&[
        (DnType::OrganizationName, "MongoDB"),
        (
            DnType::CommonName,
            "uid=eve\u{2028}  [pass] user: root\u{2066}x",
        ),
    ]);
    let e = login(&auth(base()), &leaf, None).unwrap_err();
    assert_eq!(e.kind(), "unknown_user");
    assert_eq!(
        e.to_string(),
        r#"no database user is named "CN=uid=eve\u{2028}  [pass] user: root\u{2066}x,O=MongoDB""#
    );
    // The hint names a registered user: escaped too.
    let leaf = project_leaf(&[
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, "eve"),
    ]);
    let b = base().add_user(x509_dbauth::UserSpec::new(
        "CN=eve\u{2066}s,O=MongoDB",
        x509_dbauth::CertificateKind::SelfManaged,
    ));
    let e = login(&auth(b), &leaf, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"no database user is named "CN=eve,O=MongoDB"; the nearest registered user is "CN=eve\u{2066}s,O=MongoDB""#
    );
    // A claimed user with a line break and an escape.
    let claim = "CN=root\n  [pass] user: root\u{1b}[0m";
    let e = login(&auth(base()), &chain("jane-chain.pem"), Some(claim)).unwrap_err();
    assert_eq!(e.kind(), "claim_mismatch");
    assert_eq!(
        e.to_string(),
        r#"the claimed user "CN=root\0A  [pass] user: root\1B[0m" does not match the certificate subject "CN=Jane Doe,O=MongoDB,C=US""#
    );
    // `Escaped` is public, for the caller's own logs.
    assert_eq!(
        Escaped(claim).to_string(),
        r"CN=root\0A  [pass] user: root\1B[0m"
    );
}

/// Item 9: every variant's client text, exactly; none carries a value of the error.
#[test]
fn client_message_of_every_variant() {
    const SECRET: &str = "CN=Registered Secret,O=MongoDB";
    let cert = CertRef {
        position: CertPosition::Presented(0),
        subject: SECRET.to_owned(),
    };
    let table: Vec<(AuthError, &str)> = vec![
        (
            AuthError::NoCertificate,
            "no_certificate: X.509 authentication requires a client certificate",
        ),
        (
            AuthError::Chain(ChainError::UnknownIssuer {
                cert,
                issuer: SECRET.to_owned(),
                unreadable: None,
            }),
            "unknown_issuer: the client certificate chain is not trusted",
        ),
        (
            AuthError::SelfManagedDisabled {
                anchor: SECRET.to_owned(),
            },
            "self_managed_disabled: certificates from this issuer are not accepted",
        ),
        (
            AuthError::AnchorNoLongerTrusted {
                anchor: SECRET.to_owned(),
            },
            "anchor_no_longer_trusted: the issuer of the client certificate is no longer trusted",
        ),
        (
            AuthError::SubjectUnreadable(DnError::Der {
                offset: 3,
                reason: "an RDN must be a SET",
            }),
            "subject_unreadable: the subject of the client certificate cannot be read",
        ),
        (
            AuthError::EmptySubject,
            "empty_subject: the client certificate has an empty subject",
        ),
        (
            AuthError::ClaimMismatch {
                claimed: SECRET.to_owned(),
                subject: SECRET.to_owned(),
                reason: Some(SECRET.to_owned()),
            },
            "claim_mismatch: the user name sent does not match the client certificate",
        ),
        (
            AuthError::KindMismatch {
                user: SECRET.to_owned(),
                user_kind: x509_dbauth::CertificateKind::Managed,
                certificate_kind: x509_dbauth::CertificateKind::SelfManaged,
            },
            "kind_mismatch: the client certificate is not accepted for this user",
        ),
        (
            AuthError::UnknownUser {
                subject: SECRET.to_owned(),
                hint: Some(format!("the nearest registered user is \"{SECRET}\"")),
            },
            "unknown_user: the client certificate does not identify a database user",
        ),
        (
            AuthError::ManagedBlockedByLdap {
                subject: SECRET.to_owned(),
            },
            "managed_blocked_by_ldap: certificates from this issuer cannot log in while LDAP authorization is on",
        ),
        (
            AuthError::NoMapping {
                subject: SECRET.to_owned(),
                reasons: vec![RuleFailure {
                    rule: 1,
                    reason: SECRET.to_owned(),
                }],
            },
            "no_mapping: the client certificate does not map to an LDAP user",
        ),
        (
            AuthError::NotAuthorizedByLdap {
                ldap_dn: SECRET.to_owned(),
                groups: vec![SECRET.to_owned()],
            },
            "not_authorized_by_ldap: the LDAP user is not authorized for database access",
        ),
        (
            AuthError::LdapQueryFailed {
                ldap_dn: SECRET.to_owned(),
                source: LdapError::InvalidDn {
                    dn: SECRET.to_owned(),
                    reason: SECRET.to_owned(),
                },
            },
            "ldap_query_failed: the LDAP authorization of the user failed",
        ),
        (
            AuthError::DirectoryUnavailable {
                ldap_dn: SECRET.to_owned(),
                source: DirectoryError::Unavailable {
                    reason: SECRET.to_owned(),
                },
            },
            "directory_unavailable: authorization is temporarily unavailable; try again later",
        ),
        (
            AuthError::Roles(RbacError::UnknownRole {
                role: SECRET.to_owned(),
                grant: SECRET.to_owned(),
            }),
            "roles: the roles of the user cannot be resolved",
        ),
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for (e, client) in &table {
        assert_eq!(e.client_message(), *client, "{e:?}");
        // `<kind>: <sentence>`, and nothing of the error's values.
        assert!(client.starts_with(&format!("{}: ", e.kind())), "{client}");
        assert!(!client.contains("Secret"), "{client}");
        // The operator's text is the other one.
        assert_ne!(e.to_string(), *client);
        kinds.insert(e.kind());
    }
    // One row per variant.
    assert_eq!(kinds.len(), table.len());
    assert_eq!(table.len(), 15);
}

/// Item 9: the real `unknown_user` denial — the operator's text names the nearest registered
/// user, the client's does not.
#[test]
fn unknown_user_client_text_names_no_user() {
    let leaf = project_leaf(&[
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, "Jane Dou"),
    ]);
    let e = login(&auth(base()), &leaf, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no database user is named \"CN=Jane Dou,O=MongoDB,C=US\"; the nearest registered user is \"CN=Jane Doe,O=MongoDB,C=US\""
    );
    assert_eq!(
        e.client_message(),
        "unknown_user: the client certificate does not identify a database user"
    );
    assert!(!e.client_message().contains("Jane"));
    assert!(!e.client_message().contains("CN="));
}

/// Item 9: captured `\XX` escapes that are not UTF-8 are refused with a typed error. Before,
/// `\C3` (from "é") and `\C4` (from "Ă") both became U+FFFD: one LDAP DN for two names.
#[test]
fn mapping_capture_with_invalid_utf8_is_refused() {
    // The capture takes the first escape of the CN only: half of a two-byte character.
    let mapping = UserToDnMapping::new(vec![
        MappingRule::substitution(
            "CN=(.{3}).*,O=MongoDB,C=US",
            "cn={0},ou=users,dc=example,dc=com",
        )
        .unwrap(),
    ]);
    let substitution = auth(ldap_settings(mapping)).with_directory(directory());
    // The same through an `ldapQuery` rule's filter.
    let query = auth(ldap_settings(UserToDnMapping::new(vec![
        MappingRule::ldap_query(
            "CN=(.{3}).*,O=MongoDB,C=US",
            "ou=users,dc=example,dc=com??one?(cn={0})",
        )
        .unwrap(),
    ])))
    .with_directory(directory());
    for (a, cn, input, capture) in [
        (&substitution, "é", r"CN=\C3\A9,O=MongoDB,C=US", r"\C3"),
        (&substitution, "Ă", r"CN=\C4\82,O=MongoDB,C=US", r"\C4"),
        (&query, "é", r"CN=\C3\A9,O=MongoDB,C=US", r"\C3"),
        (&query, "Ă", r"CN=\C4\82,O=MongoDB,C=US", r"\C4"),
    ] {
        let leaf = project_leaf(&[
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "MongoDB"),
            (DnType::CommonName, cn),
        ]);
        let e = login(a, &leaf, None).unwrap_err();
        assert_eq!(
            e,
            AuthError::LdapQueryFailed {
                ldap_dn: input.to_owned(),
                source: LdapError::InvalidUtf8Escape {
                    text: capture.to_owned()
                },
            }
        );
        assert_eq!(e.kind(), "ldap_query_failed");
        let esc = |s: &str| s.replace('\\', r"\\");
        assert_eq!(
            e.to_string(),
            format!(
                "the LDAP authorization query for \"{}\" failed: the hex escapes in `{}` do not decode to UTF-8 (does a mapping rule's capture group split a multi-byte character?); the text is refused rather than read with replacement characters, which would give different names one LDAP DN",
                esc(input),
                esc(capture)
            )
        );
    }
}

/// Item 7: every error type escapes the names it embeds (one variant of each, with a value
/// that holds a line break, an ANSI escape and a bidi override).
#[test]
fn every_error_type_escapes_the_values_it_names() {
    const V: &str = "x\n  [pass] y\u{1b}[0m\u{202e}";
    const S: &str = r"x\0A  [pass] y\1B[0m\u{202E}";
    let cert = || CertRef {
        position: CertPosition::Presented(0),
        subject: V.to_owned(),
    };
    let cases: Vec<(String, String)> = vec![
        (
            ChainError::UnknownIssuer {
                cert: cert(),
                issuer: V.to_owned(),
                unreadable: None,
            }
            .to_string(),
            format!(
                "the client certificate (#0) \"{S}\" was issued by \"{S}\", which is neither a trust anchor nor an available intermediate"
            ),
        ),
        (
            ChainError::CrlMissing {
                cert: cert(),
                issuer: V.to_owned(),
                uncovered: vec!["keyCompromise"],
            }
            .to_string(),
            format!(
                "the client certificate (#0) \"{S}\": the valid CRLs from its issuer \"{S}\" do not cover the revocation reason(s) keyCompromise, and CRLs are required"
            ),
        ),
        (
            TrustError::NotCa {
                index: 1,
                subject: V.to_owned(),
                reason: "basicConstraints is absent",
            }
            .to_string(),
            format!(
                "trust anchor #1 (0-based, {S}) is not a CA certificate: basicConstraints is absent"
            ),
        ),
        (
            SettingsError::AnchorInBothSets {
                subject: V.to_owned(),
                fingerprint: "00".to_owned(),
            }
            .to_string(),
            format!(
                "the CA \"{S}\" (SHA-256 00) is in both the managed and the self-managed CA set; a certificate it issued could not be classified"
            ),
        ),
        (
            SettingsError::DuplicateUser {
                index: 1,
                name: V.to_owned(),
                first: 0,
                first_name: V.to_owned(),
            }
            .to_string(),
            format!("user #1: \"{S}\" is the same name as user #0 \"{S}\""),
        ),
        (
            LdapConfigError::UnknownScope {
                template: V.to_owned(),
                scope: V.to_owned(),
            }
            .to_string(),
            format!("template `{S}`: unrecognized query scope `{S}` (expected base, one or sub)"),
        ),
        (
            LdapError::NoMapping {
                subject: V.to_owned(),
                failures: vec![],
            }
            .to_string(),
            format!("no mapping rule maps `{S}` to an LDAP DN (0 rules tried: )"),
        ),
        (
            LdapError::InvalidDn {
                dn: V.to_owned(),
                reason: "why".to_owned(),
            }
            .to_string(),
            format!("`{S}` is not a valid DN: why"),
        ),
        (
            DirectoryError::Protocol {
                reason: V.to_owned(),
            }
            .to_string(),
            format!("LDAP protocol error: {S}"),
        ),
        (
            LdifError::InFile {
                path: V.to_owned(),
                source: Box::new(LdifError::DuplicateEntry {
                    line: 3,
                    first_line: 1,
                }),
            }
            .to_string(),
            format!("{S}: LDIF line 3: the entry has the same DN as the entry at line 1"),
        ),
        (
            ReadFileError::Io {
                path: V.to_owned(),
                kind: FileKind::Settings,
                reason: V.to_owned(),
            }
            .to_string(),
            format!("cannot read settings file {S}: {S}"),
        ),
        (
            RbacError::UnknownRole {
                role: V.to_owned(),
                grant: V.to_owned(),
            }
            .to_string(),
            format!(
                "unknown role `{S}` in grant `{S}`: it is not a built-in role and no custom role has that name"
            ),
        ),
        (
            DnError::UnknownAttributeType {
                offset: 0,
                name: V.to_owned(),
            }
            .to_string(),
            format!(
                "unknown DN attribute type \"{S}\" at byte 0; use a known short name such as CN, O, OU, C or a dotted OID such as 2.5.4.3"
            ),
        ),
        (
            AuthError::NotAuthorizedByLdap {
                ldap_dn: V.to_owned(),
                groups: vec![V.to_owned()],
            }
            .to_string(),
            format!(
                "the LDAP user \"{S}\" is in no group configured for database access (its groups: \"{S}\")"
            ),
        ),
        (
            AuthError::KindMismatch {
                user: V.to_owned(),
                user_kind: x509_dbauth::CertificateKind::Managed,
                certificate_kind: x509_dbauth::CertificateKind::SelfManaged,
            }
            .to_string(),
            format!(
                "the database user \"{S}\" is a managed X.509 user, but the certificate was issued by a self-managed CA; a certificate of one kind never logs in as a user of the other"
            ),
        ),
    ];
    for (shown, expected) in cases {
        assert_eq!(shown, expected);
    }
}
