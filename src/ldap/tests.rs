//! Tables for mapping rules, query templates and injection attempts, against the LDIF fixture.

use core::future::Future;
use core::task::{Context, Poll, Waker};

use super::*;
use crate::error::{DirectoryError, LdapError};

const FIXTURE: &str = include_str!("../../tests/data/directory.ldif");

/// Drive a future that is ready at once (the in-memory directory never waits).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..16 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future still pending; the in-memory directory should answer at once");
}

fn dir() -> InMemoryDirectory {
    InMemoryDirectory::from_ldif(FIXTURE).unwrap()
}

fn map(rules: Vec<MappingRule>, subject: &str, cn: Option<&str>) -> Result<String, LdapError> {
    block_on(UserToDnMapping::new(rules).map(subject, cn, &dir()))
}

const JANE: &str = "cn=Jane Doe,ou=users,dc=example,dc=com";
const JDOE2: &str = "cn=Doe\\, Jane+uid=jdoe2,ou=users,dc=example,dc=com";

// ---- query template ----

#[test]
fn template_parsing_table() {
    // (template, base_dn, scope, filter, attributes) rendered for JANE
    let cases: &[(&str, &str, Scope, &str, &[&str])] = &[
        (
            "{USER}?memberOf?base",
            JANE,
            Scope::Base,
            "(objectClass=*)",
            &["memberOf"],
        ),
        (
            "{USER}?memberOf",
            JANE,
            Scope::Base,
            "(objectClass=*)",
            &["memberOf"],
        ),
        (
            "{USER}?memberOf,cn?BASE?(objectClass=*)?x-ext",
            JANE,
            Scope::Base,
            "(objectClass=*)",
            &["memberOf", "cn"],
        ),
        (
            "ou=groups,dc=example,dc=com??one?(member={USER})",
            "ou=groups,dc=example,dc=com",
            Scope::One,
            "(member=cn=Jane Doe,ou=users,dc=example,dc=com)",
            &[],
        ),
        (
            "ou=groups,dc=example,dc=com??sub?(%26(objectClass=groupOfNames)(member={USER}))",
            "ou=groups,dc=example,dc=com",
            Scope::Sub,
            "(&(objectClass=groupOfNames)(member=cn=Jane Doe,ou=users,dc=example,dc=com))",
            &[],
        ),
        (
            "ou=my%20groups,dc=example,dc=com??one?(member=%7BUSER%7D)",
            "ou=my groups,dc=example,dc=com",
            Scope::One,
            "(member=cn=Jane Doe,ou=users,dc=example,dc=com)",
            &[],
        ),
        (
            "dc=example,dc=com??sub?(|(member={USER})(description={PROVIDED_USER}))",
            "dc=example,dc=com",
            Scope::Sub,
            "(|(member=cn=Jane Doe,ou=users,dc=example,dc=com)(description=CN=Jane Doe,O=Example))",
            &[],
        ),
    ];
    for (text, base, scope, filter, attrs) in cases {
        let t = QueryTemplate::parse(text).unwrap();
        let q = t.render(JANE, "CN=Jane Doe,O=Example").unwrap();
        assert_eq!(q.base_dn, *base, "{text}");
        assert_eq!(q.scope, *scope, "{text}");
        assert_eq!(q.filter, *filter, "{text}");
        assert_eq!(
            q.attributes,
            attrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            "{text}"
        );
    }
    assert_eq!(
        QueryTemplate::parse(QueryTemplate::DEFAULT).unwrap(),
        QueryTemplate::default()
    );
}

#[test]
fn template_errors_table() {
    let cases: &[(&str, &str)] = &[
        (
            "ou=groups,dc=example,dc=com??one?(member=x)",
            "missing_user_token",
        ),
        ("{USER}?memberOf?deep", "unknown_scope"),
        ("{USER}?{USER}?base", "token_not_allowed"),
        ("{USR}?memberOf", "unknown_token"),
        ("{USER?memberOf", "malformed_token"),
        ("{}{USER}", "malformed_token"),
        ("{USER}?memberOf?base?(cn=%zz)", "percent_decode"),
        ("{USER}?memberOf?base?(cn=%ff)", "percent_decode"),
        ("{USER}?a?base?(cn=x)?e?f", "malformed_url"),
        ("{USER}?memberOf?base?(cn=x", "invalid_filter"),
        ("ou=a;b,{USER}?memberOf", "invalid_base_dn"),
    ];
    for (text, kind) in cases {
        let e = QueryTemplate::parse(text).unwrap_err();
        assert_eq!(e.kind(), *kind, "{text}: {e}");
    }
    assert_eq!(
        QueryTemplate::parse("ou=groups??one?(member=x)")
            .unwrap_err()
            .to_string(),
        "query template `ou=groups??one?(member=x)` does not contain `{USER}`, so every user would get the same groups"
    );
    assert_eq!(
        QueryTemplate::parse("{USR}").unwrap_err().to_string(),
        "query template `{USR}`: expected `{USER}` or `{PROVIDED_USER}`, found `{USR}`"
    );
}

#[test]
fn template_refuses_a_user_that_is_not_a_dn() {
    let t = QueryTemplate::default();
    for bad in ["", "*", "jdoe", "cn=a\0b", "cn=a;b"] {
        let e = t.render(bad, "x").unwrap_err();
        assert_eq!(e.kind(), "invalid_dn", "{bad:?}");
    }
}

// ---- injection ----

#[test]
fn injection_in_filter_position_cannot_widen_the_query() {
    let d = dir();
    let t = QueryTemplate::parse("ou=groups,dc=example,dc=com??one?(member={USER})").unwrap();
    // The classic: a subject that closes the assertion and adds a wildcard.
    let q = t.render("CN=x)(uid=*", "CN=x)(uid=*").unwrap();
    assert_eq!(q.filter, "(member=CN=x\\29\\28uid=\\2a)");
    assert!(d.search_now(&q).unwrap().is_empty());
    // A DN whose value is `*`: escaped it is a literal star, not a substring match on every member.
    let q = t.render("cn=*", "cn=*").unwrap();
    assert_eq!(q.filter, "(member=cn=\\2a)");
    assert!(d.search_now(&q).unwrap().is_empty());
    let naive = LdapQuery {
        filter: "(member=cn=*)".to_owned(),
        ..q.clone()
    };
    assert_eq!(
        d.search_now(&naive).unwrap().len(),
        2,
        "the unescaped filter would match every group"
    );
    // Backslash escapes of the DN become \5c and still find the right group.
    let q = t.render(JDOE2, JDOE2).unwrap();
    assert_eq!(
        q.filter,
        "(member=cn=Doe\\5c, Jane+uid=jdoe2,ou=users,dc=example,dc=com)"
    );
    let found = d.search_now(&q).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].dn, "cn=dbAdmins,ou=groups,dc=example,dc=com");
    // NUL: an escaped NUL in the DN string is passed on as a literal backslash sequence.
    let q = t.render("cn=a\\00b", "x\0").unwrap();
    assert_eq!(q.filter, "(member=cn=a\\5c00b)");
    let t2 = QueryTemplate::parse(
        "ou=groups,dc=example,dc=com??one?(&(member={USER})(description={PROVIDED_USER}))",
    )
    .unwrap();
    let q = t2.render(JANE, "x\0)(cn=*").unwrap();
    assert_eq!(
        q.filter,
        "(&(member=cn=Jane Doe,ou=users,dc=example,dc=com)(description=x\\00\\29\\28cn=\\2a))"
    );
    // Commas are harmless in a filter value.
    let q = t.render("cn=a,ou=b", "cn=a,ou=b").unwrap();
    assert_eq!(q.filter, "(member=cn=a,ou=b)");
}

#[test]
fn captured_text_cannot_add_rdns_or_filter_terms() {
    // A raw comma captured from the subject lands as part of one RDN value.
    let rule =
        MappingRule::substitution("CN=(.+),O=Evil", "cn={0},ou=users,dc=example,dc=com").unwrap();
    let dn = map(vec![rule.clone()], "CN=a,OU=admins,O=Evil", None).unwrap();
    assert_eq!(dn, "cn=a\\,OU=admins,ou=users,dc=example,dc=com");
    assert_eq!(super::escape::read_dn(&dn).unwrap().rdn_count(), 4);
    // Already-escaped text is not escaped twice.
    let dn = map(vec![rule.clone()], "CN=Doe\\, Jane,O=Evil", None).unwrap();
    assert_eq!(dn, "cn=Doe\\, Jane,ou=users,dc=example,dc=com");
    // Parentheses are fine in a DN, and escaped later where they meet a filter.
    let dn = map(vec![rule], "CN=x)(uid=*,O=Evil", None).unwrap();
    assert_eq!(dn, "cn=x)(uid=*,ou=users,dc=example,dc=com");
    // In an ldapQuery filter, `*` from the subject is a literal star.
    let rule = MappingRule::ldap_query(
        "CN=([^,]+),O=Example",
        "ou=users,dc=example,dc=com??one?(uid={0})",
    )
    .unwrap();
    let e = map(vec![rule], "CN=*,O=Example", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no mapping rule maps `CN=*,O=Example` to an LDAP DN (1 rules tried: rule 1: LDAP query `ou=users,dc=example,dc=com??one?(uid=\\\\2a)` returned no results)"
    );
    // In an ldapQuery base DN, a captured comma cannot move the search base.
    let rule = MappingRule::ldap_query(
        "CN=(.+),O=Example",
        "cn={0},ou=users,dc=example,dc=com??base",
    )
    .unwrap();
    let e = map(vec![rule], "CN=x,ou=groups,O=Example", None).unwrap_err();
    assert!(
        e.to_string()
            .contains(r"cn=x\\,ou=groups,ou=users,dc=example,dc=com??base?(objectClass=*)"),
        "{e}"
    );
}

// ---- mapping rules ----

#[test]
fn no_rules_maps_the_subject_itself() {
    assert_eq!(
        map(vec![], "CN=Jane Doe,O=Example", None).unwrap(),
        "CN=Jane Doe,O=Example"
    );
    assert_eq!(
        map(vec![], "not a dn", None).unwrap_err().kind(),
        "invalid_dn"
    );
}

#[test]
fn regex_is_anchored_at_both_ends() {
    let rule =
        || MappingRule::substitution("CN=alice", "cn=alice,ou=users,dc=example,dc=com").unwrap();
    assert_eq!(
        map(vec![rule()], "CN=alice", None).unwrap(),
        "cn=alice,ou=users,dc=example,dc=com"
    );
    for input in ["xCN=alice", "CN=alicex", "CN=alice,O=x"] {
        let e = map(vec![rule()], input, None).unwrap_err();
        assert_eq!(
            e,
            LdapError::NoMapping {
                subject: input.to_owned(),
                failures: vec![crate::error::RuleFailure {
                    rule: 1,
                    reason: "regex `CN=alice` does not match the whole input".to_owned(),
                }],
            }
        );
    }
    // Alternation stays inside the anchors.
    let alt = MappingRule::substitution("a|b", "cn=ok").unwrap();
    assert_eq!(
        map(vec![alt], "ab", None).unwrap_err(),
        LdapError::NoMapping {
            subject: "ab".to_owned(),
            failures: vec![crate::error::RuleFailure {
                rule: 1,
                reason: "regex `a|b` does not match the whole input".to_owned(),
            }],
        }
    );
}

#[test]
fn substitution_table() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "(.+)@ENGINEERING.EXAMPLE.COM",
            "cn={0},ou=engineering,dc=example,dc=com",
            "alice@ENGINEERING.EXAMPLE.COM",
            "cn=alice,ou=engineering,dc=example,dc=com",
        ),
        (
            "CN=([^,]+),O=(.+)",
            "cn={0},o={1}",
            "CN=Jane Doe,O=Example",
            "cn=Jane Doe,o=Example",
        ),
        (
            "CN=([^,]+),O=(.+)",
            "cn={1},o={0}",
            "CN=Jane Doe,O=Example",
            "cn=Example,o=Jane Doe",
        ),
        // Not a group index: copied literally.
        (
            "CN=([^,]+)",
            "cn={0},ou={x},dc={5},dc={}",
            "CN=alice",
            "cn=alice,ou={x},dc={5},dc={}",
        ),
        ("CN=([^,]+)", "cn={0}{", "CN=alice", "cn=alice{"),
        // An optional group that did not take part is empty.
        ("CN=(a)?(b)", "cn=x{0}y{1}", "CN=b", "cn=xyb"),
    ];
    for (pattern, template, input, expected) in cases {
        let rule = MappingRule::substitution(pattern, template).unwrap();
        assert_eq!(
            map(vec![rule], input, None).unwrap(),
            *expected,
            "{pattern} / {template}"
        );
    }
    // A substitution that does not give a DN fails that rule.
    let rule = MappingRule::substitution("(.+)", "{0}").unwrap();
    let e = map(vec![rule], "alice", None).unwrap_err();
    assert!(
        e.to_string()
            .contains("the substitution gives `alice`, which is not a DN"),
        "{e}"
    );
}

#[test]
fn first_success_wins_in_order() {
    let rules = vec![
        MappingRule::substitution("CN=bob", "cn=bob,dc=x").unwrap(),
        MappingRule::substitution("CN=(.+)", "cn={0},ou=first,dc=x").unwrap(),
        MappingRule::substitution("CN=(.+)", "cn={0},ou=second,dc=x").unwrap(),
    ];
    assert_eq!(
        map(rules, "CN=alice", None).unwrap(),
        "cn=alice,ou=first,dc=x"
    );
}

#[test]
fn ldap_query_rules_need_exactly_one_entry() {
    let query = || {
        MappingRule::ldap_query(
            "CN=([^,]+),O=Example",
            "ou=users,dc=example,dc=com??one?(uid={0})",
        )
        .unwrap()
    };
    let fallback = || {
        MappingRule::substitution(
            "CN=([^,]+),O=Example",
            "cn={0},ou=fallback,dc=example,dc=com",
        )
        .unwrap()
    };
    assert_eq!(map(vec![query()], "CN=jdoe,O=Example", None).unwrap(), JANE);
    // Zero and two results: the rule fails and the next is tried.
    assert_eq!(
        map(vec![query(), fallback()], "CN=nobody,O=Example", None).unwrap(),
        "cn=nobody,ou=fallback,dc=example,dc=com"
    );
    assert_eq!(
        map(vec![query(), fallback()], "CN=twin,O=Example", None).unwrap(),
        "cn=twin,ou=fallback,dc=example,dc=com"
    );
    let e = map(vec![query(), query()], "CN=twin,O=Example", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no mapping rule maps `CN=twin,O=Example` to an LDAP DN (2 rules tried: rule 1: LDAP query `ou=users,dc=example,dc=com??one?(uid=twin)` returned 2 results, exactly one is required; rule 2: LDAP query `ou=users,dc=example,dc=com??one?(uid=twin)` returned 2 results, exactly one is required)"
    );
    assert_eq!(e.kind(), "no_mapping");
    // The MongoDB docs example.
    let docs = MappingRule::ldap_query(
        "(.+)@DBA.EXAMPLE.COM",
        "ou=users,dc=example,dc=com??one?(uid={0})",
    )
    .unwrap();
    assert_eq!(
        map(vec![docs], "jsmith@DBA.EXAMPLE.COM", None).unwrap(),
        "cn=John Smith,ou=users,dc=example,dc=com"
    );
}

#[test]
fn directory_failure_during_mapping_fails_closed() {
    let d = dir();
    d.set_unavailable(true);
    let rules = UserToDnMapping::new(vec![
        MappingRule::ldap_query(
            "CN=([^,]+),O=Example",
            "ou=users,dc=example,dc=com??one?(uid={0})",
        )
        .unwrap(),
        MappingRule::substitution("CN=(.+)", "cn={0},dc=x").unwrap(),
    ]);
    let e = block_on(rules.map("CN=jdoe,O=Example", None, &d)).unwrap_err();
    assert_eq!(
        e,
        LdapError::Directory(DirectoryError::Unavailable {
            reason: "simulated outage".into()
        })
    );
    d.set_unavailable(false);
    assert_eq!(
        block_on(rules.map("CN=jdoe,O=Example", None, &d)).unwrap(),
        JANE
    );
}

#[test]
fn mapping_rule_build_errors() {
    let cases: Vec<(Result<MappingRule, crate::error::LdapConfigError>, &str)> = vec![
        (MappingRule::substitution("(", "x"), "invalid_regex"),
        // Would unanchor the left side once wrapped in `^(?:…)$` if it were accepted.
        (
            MappingRule::substitution("x)|(?:CN=alice", "cn=alice"),
            "invalid_regex",
        ),
        (MappingRule::ldap_query("(", "x"), "invalid_regex"),
        (
            MappingRule::ldap_query("CN=(.+)", "ou=x??one?(uid={x})"),
            "non_numeric_token",
        ),
        (
            MappingRule::ldap_query("CN=(.+)", "ou=x??one?(uid={USER})"),
            "non_numeric_token",
        ),
        (
            MappingRule::ldap_query("CN=(.+)", "ou=x??one?(uid={1})"),
            "token_out_of_range",
        ),
        (
            MappingRule::ldap_query("CN=(.+),O=(.+)", "ou=x??one?(uid={0})"),
            "unused_capture_group",
        ),
        (
            MappingRule::ldap_query("CN=(.+)", "ou=x??one?(uid={0}"),
            "invalid_filter",
        ),
        (
            MappingRule::ldap_query("CN=(.+)", "ou=x?{0}?one?(uid=y)"),
            "token_not_allowed",
        ),
    ];
    for (result, kind) in cases {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
    }
    assert_eq!(
        MappingRule::ldap_query("CN=(.+),O=(.+)", "ou=x??one?(uid={1})")
            .unwrap_err()
            .to_string(),
        "ldapQuery `ou=x??one?(uid={1})`: every capture group must be used, `{0}` is missing"
    );
    // Both groups used, one in the base DN and one in the filter.
    let rule = MappingRule::ldap_query("CN=(.+),O=(.+)", "ou={1},dc=x??one?(uid={0})").unwrap();
    assert_eq!(
        rule.to_string(),
        r#"{match: "CN=(.+),O=(.+)", ldapQuery: "ou={1},dc=x??one?(uid={0})"}"#
    );
}

#[test]
fn common_name_is_dn() {
    let rule = || MappingRule::common_name_is_dn();
    assert_eq!(map(vec![rule()], "CN=x", Some(JANE)).unwrap(), JANE);
    let e = map(vec![rule()], "O=Example", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no mapping rule maps `O=Example` to an LDAP DN (1 rules tried: rule 1: the subject has no CN)"
    );
    let e = map(vec![rule()], "CN=Jane Doe", Some("Jane Doe")).unwrap_err();
    assert!(
        e.to_string()
            .contains("rule 1: the CN `Jane Doe` is not a DN"),
        "{e}"
    );
    assert_eq!(rule().to_string(), "CommonNameIsDn");
}

// ---- groups ----

#[test]
fn groups_from_the_default_template() {
    let d = dir();
    let limits = crate::limits::Limits::DEFAULT;
    let t = QueryTemplate::default();
    let groups = block_on(t.fetch_groups(&d, JANE, "CN=Jane Doe,O=Example", &limits)).unwrap();
    assert_eq!(
        groups,
        vec![
            "cn=dbAdmins,ou=groups,dc=example,dc=com",
            "cn=readers,ou=groups,dc=example,dc=com"
        ]
    );
    let groups = block_on(t.fetch_groups(&d, JDOE2, "x", &limits)).unwrap();
    assert_eq!(groups, vec!["cn=dbAdmins,ou=groups,dc=example,dc=com"]);
    // Unknown user: no entry, and attributes were requested.
    let e = block_on(t.fetch_groups(&d, "cn=Nobody,ou=users,dc=example,dc=com", "x", &limits))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the authorization query on `cn=Nobody,ou=users,dc=example,dc=com` returned 0 entries; exactly one entry is expected when attributes are requested"
    );
    // Entry-DN form.
    let t = QueryTemplate::parse("ou=groups,dc=example,dc=com??one?(member={USER})").unwrap();
    let groups =
        block_on(t.fetch_groups(&d, "cn=John Smith,ou=users,dc=example,dc=com", "x", &limits))
            .unwrap();
    assert_eq!(groups, vec!["cn=readers,ou=groups,dc=example,dc=com"]);
}

#[test]
fn group_limit_is_enforced() {
    let d = dir();
    let mut limits = crate::limits::Limits::DEFAULT;
    limits.max_ldap_groups = 1;
    let e = block_on(QueryTemplate::default().fetch_groups(&d, JANE, "x", &limits)).unwrap_err();
    assert_eq!(e, LdapError::TooManyGroups { count: 2, limit: 1 });
    assert_eq!(
        e.to_string(),
        "the LDAP answer holds 2 groups, the limit is 1"
    );
    let t = QueryTemplate::parse("ou=groups,dc=example,dc=com??one?(member={USER})").unwrap();
    let e = block_on(t.fetch_groups(&d, JANE, "x", &limits)).unwrap_err();
    assert_eq!(e.kind(), "too_many_groups");
    limits.max_ldap_groups = 2;
    assert_eq!(
        block_on(t.fetch_groups(&d, JANE, "x", &limits))
            .unwrap()
            .len(),
        2
    );
}

mod properties {
    use proptest::prelude::*;

    use super::super::escape::{escape_dn_value, escape_filter_value, read_dn};
    use super::super::filter::Filter;
    use super::*;

    proptest! {
        /// Whatever the provided user is, the rendered filter has exactly the template's shape
        /// and the value comes back unchanged: no text can add, close or widen a term.
        #[test]
        fn filter_values_cannot_change_the_filter_shape(v in any::<String>()) {
            let t = QueryTemplate::parse(
                "ou=groups,dc=example,dc=com??one?(&(member={USER})(description={PROVIDED_USER}))",
            ).unwrap();
            let q = t.render(JANE, &v).unwrap();
            prop_assert_eq!(
                Filter::parse(&q.filter).unwrap(),
                Filter::And(vec![
                    Filter::Equality("member".into(), JANE.into()),
                    Filter::Equality("description".into(), v.clone()),
                ])
            );
        }

        /// An escaped value is one RDN value, read back unchanged.
        #[test]
        fn dn_escaping_round_trips(v in "[^\u{0}]{1,40}") {
            let dn = format!("cn={},ou=x", escape_dn_value(&v));
            let parsed = read_dn(&dn).unwrap();
            prop_assert_eq!(parsed.rdn_count(), 2);
            // DER order: `ou=x` first, then the `cn` RDN holding the value.
            let cn = parsed.rdns().nth(1).unwrap();
            prop_assert_eq!(cn.len(), 1);
            let text = cn.iter().next().and_then(|a| a.text().map(str::to_owned));
            prop_assert_eq!(text.as_deref(), Some(v.as_str()));
        }

        /// The filter parser never panics, and escaped values parse back to themselves.
        #[test]
        fn filter_parser_is_total(s in any::<String>()) {
            let _ = Filter::parse(&s);
            let f = format!("(cn={})", escape_filter_value(&s));
            prop_assert_eq!(Filter::parse(&f).unwrap(), Filter::Equality("cn".into(), s.clone()));
        }

        /// Mapping never panics and a substitution's captured text always stays one RDN value.
        #[test]
        fn substitution_captures_stay_inside_one_value(v in "[^\u{0}]{1,40}") {
            let rule = MappingRule::substitution("CN=(.+)", "cn={0},ou=users,dc=example,dc=com").unwrap();
            let subject = format!("CN={v}");
            if let Ok(dn) = map(vec![rule], &subject, None) {
                prop_assert_eq!(read_dn(&dn).unwrap().rdn_count(), 4, "{}", dn);
            }
        }
    }
}

#[test]
fn futures_are_send_for_multithreaded_runtimes() {
    fn assert_send<T: Send>(_: &T) {}
    let d = dir();
    let mapping = UserToDnMapping::new(vec![MappingRule::common_name_is_dn()]);
    let f = mapping.map("CN=x", Some(JANE), &d);
    assert_send(&f);
    let t = QueryTemplate::default();
    let limits = crate::limits::Limits::DEFAULT;
    let g = t.fetch_groups(&d, JANE, "x", &limits);
    assert_send(&g);
    assert_eq!(block_on(f).unwrap(), JANE);
    assert_eq!(block_on(g).unwrap().len(), 2);
}
