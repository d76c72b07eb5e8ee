//! Engine properties (issue 12 item 3), over random settings and random valid or mutated
//! chains. Certificates are slow to make, so a pool of chains is generated once per test
//! binary; proptest picks chains from the pool and generates the settings (users, kinds,
//! roles, custom roles, LDAP on/off with an in-memory directory, mapping rule on/off,
//! self-managed on/off, name matching mode, a claimed user).
//!
//! Case counts: every property runs `CASES` (256) cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::{Arc, OnceLock};

use common::generate::{Alg, DAY, NOW, Node, Spec, dn, issue, root};
use proptest::prelude::*;
use rcgen::DnType;
use x509_dbauth::directory::{
    DirectoryEntry, InMemoryDirectory, LdapGroupSpec, MappingRule, UserToDnMapping,
};
use x509_dbauth::roles::CustomRole;
use x509_dbauth::settings::NameMatching;
use x509_dbauth::{
    Action, AuthError, Authenticator, CertificateDer, CertificateKind, DistinguishedName,
    Principal, Settings, TrustAnchors, UnixTime, UserSpec,
};

/// Cases per property.
const CASES: u32 = 256;

const NAMES: [&str; 3] = ["alice", "bob", "carol"];

/// How a pool chain was made, and so what the verifier must say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    /// Valid, issued under the managed CA.
    Managed,
    /// Valid, issued under the project PKI.
    SelfManaged,
    /// The leaf is signed by a key other than its presented issuer's.
    WrongKey,
    /// The leaf expired before the validation time.
    Expired,
    /// Issued under a root no settings trust.
    Untrusted,
}

struct Entry {
    made: Made,
    /// Index into `NAMES` of the leaf's CN.
    name: usize,
    chain: Vec<Vec<u8>>,
}

struct Pool {
    managed: Vec<u8>,
    project: Vec<u8>,
    entries: Vec<Entry>,
}

/// The leaf subject for `NAMES[i]`: `O=db, CN=<name>` in DER order (printed `CN=<name>,O=db`).
fn leaf_spec(i: usize) -> Spec {
    Spec {
        dn: dn(&[
            (DnType::OrganizationName, "db"),
            (DnType::CommonName, NAMES[i]),
        ]),
        ..Spec::leaf(NAMES[i], Alg::Ed25519)
    }
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let managed = root(&Spec::ca("Managed Root", Alg::Ed25519));
        let project = root(&Spec::ca("Project Root", Alg::Ed25519));
        let issuing = issue(&Spec::ca("Project Issuing", Alg::Ed25519), &project);
        // Same name as the issuing CA, another key: what it signs fails under the real one.
        let impostor: Node = issue(&Spec::ca("Project Issuing", Alg::Ed25519), &project);
        let stranger = root(&Spec::ca("Project Root", Alg::Ed25519));
        let stranger_issuing = issue(&Spec::ca("Project Issuing", Alg::Ed25519), &stranger);
        let mut entries = Vec::new();
        for i in 0..NAMES.len() {
            let leaf = |by: &Node| issue(&leaf_spec(i), by).der;
            entries.push(Entry {
                made: Made::Managed,
                name: i,
                chain: vec![leaf(&managed)],
            });
            entries.push(Entry {
                made: Made::SelfManaged,
                name: i,
                chain: vec![leaf(&issuing), issuing.der.clone()],
            });
            entries.push(Entry {
                made: Made::WrongKey,
                name: i,
                chain: vec![leaf(&impostor), issuing.der.clone()],
            });
            let expired = Spec {
                not_before: NOW - 30 * DAY,
                not_after: NOW - DAY,
                ..leaf_spec(i)
            };
            entries.push(Entry {
                made: Made::Expired,
                name: i,
                chain: vec![issue(&expired, &issuing).der, issuing.der.clone()],
            });
            entries.push(Entry {
                made: Made::Untrusted,
                name: i,
                chain: vec![leaf(&stranger_issuing), stranger_issuing.der.clone()],
            });
        }
        Pool {
            managed: managed.der,
            project: project.der,
            entries,
        }
    })
}

/// A chain picked from the pool, possibly with one bit of its leaf flipped.
#[derive(Debug, Clone)]
struct Pick {
    entry: usize,
    /// Flip bit `.1` of byte `.0 % len` of the leaf.
    flip: Option<(usize, u8)>,
}

impl Pick {
    fn entry(&self) -> &'static Entry {
        &pool().entries[self.entry]
    }

    /// Whether the chain is one the settings could accept (valid and unmodified).
    fn valid(&self) -> bool {
        self.flip.is_none() && matches!(self.entry().made, Made::Managed | Made::SelfManaged)
    }

    fn chain(&self) -> Vec<CertificateDer<'static>> {
        let mut chain = self.entry().chain.clone();
        if let Some((at, bit)) = self.flip {
            let leaf = &mut chain[0];
            let at = at % leaf.len();
            leaf[at] ^= 1 << (bit % 8);
        }
        chain.into_iter().map(CertificateDer::from).collect()
    }
}

/// A pool chain: seven times in ten one of the valid chains (the first two of each name's
/// five entries), else any entry; one in five with a bit of the leaf flipped.
fn pick() -> impl Strategy<Value = Pick> {
    let valid = (0..NAMES.len(), 0..2usize).prop_map(|(n, k)| n * 5 + k);
    let entry = prop_oneof![7 => valid, 3 => 0..NAMES.len() * 5];
    (
        entry,
        prop::option::weighted(0.2, (any::<usize>(), any::<u8>())),
    )
        .prop_map(|(entry, flip)| Pick { entry, flip })
}

/// Roles a user or an LDAP group may be granted: built-in and the three custom roles.
const ROLES: [&str; 7] = [
    "read@db",
    "readWrite@db",
    "dbAdmin@other",
    "read@other.coll",
    "c0@admin",
    "c1@admin",
    "c2@admin",
];

/// Privilege probes: (action, db, collection).
const PROBES: [(Action, &str, &str); 6] = [
    (Action::Find, "db", "any"),
    (Action::Insert, "db", "any"),
    (Action::Find, "other", "coll"),
    (Action::Find, "other", "else"),
    (Action::Update, "sales", "orders"),
    (Action::Remove, "sales", "orders"),
];

/// Random settings, as plain data.
#[derive(Debug, Clone)]
struct Model {
    /// Per name: registered as (self-managed?, spelled in lower case?, roles); `None`: absent.
    users: Vec<Option<(bool, bool, Vec<usize>)>>,
    /// Actions of custom role c0 (c1 inherits c0, c2 inherits c1 and read@db).
    c0_actions: Vec<usize>,
    ldap: bool,
    /// Map `CN=<name>,O=db` to `cn=<name>,ou=users,dc=example,dc=com` (else: the subject).
    mapping: bool,
    /// Configured LDAP groups g0..g2: roles of each (`None`: not configured).
    groups: Vec<Option<Vec<usize>>>,
    /// Directory membership: groups[g] contains name n.
    membership: Vec<Vec<bool>>,
    self_managed: bool,
    exact: bool,
    /// Claim name n (`.1`: spelled in lower case).
    claimed: Option<(usize, bool)>,
}

fn model() -> impl Strategy<Value = Model> {
    let roles = || prop::collection::vec(0..ROLES.len(), 0..4);
    (
        prop::collection::vec(
            prop::option::weighted(0.85, (any::<bool>(), any::<bool>(), roles())),
            3,
        ),
        prop::collection::vec(0..4usize, 1..4),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(prop::option::of(roles()), 3),
        prop::collection::vec(prop::collection::vec(any::<bool>(), 3), 3),
        prop::bool::weighted(0.8),
        any::<bool>(),
        prop::option::weighted(0.25, (0..NAMES.len(), any::<bool>())),
    )
        .prop_map(
            |(
                users,
                c0_actions,
                ldap,
                mapping,
                groups,
                membership,
                self_managed,
                exact,
                claimed,
            )| {
                Model {
                    users,
                    c0_actions,
                    ldap,
                    mapping,
                    groups,
                    membership,
                    self_managed,
                    exact,
                    claimed,
                }
            },
        )
}

/// The subject name as the server prints it.
fn subject(n: usize) -> String {
    format!("CN={},O=db", NAMES[n])
}

/// The LDAP DN a name maps to under the model's mapping setting.
fn ldap_dn(m: &Model, n: usize) -> String {
    if m.mapping {
        format!("cn={},ou=users,dc=example,dc=com", NAMES[n])
    } else {
        subject(n)
    }
}

fn group_dn(g: usize) -> String {
    format!("cn=g{g},ou=groups,dc=example,dc=com")
}

impl Model {
    fn authenticator(&self) -> Authenticator {
        let p = pool();
        const ACTIONS: [&str; 4] = ["find", "insert", "update", "remove"];
        let mut b = Settings::builder()
            .managed_ca(TrustAnchors::from_ders([&p.managed]).unwrap())
            .enable_self_managed(TrustAnchors::from_ders([&p.project]).unwrap())
            .name_matching(if self.exact {
                NameMatching::Exact
            } else {
                NameMatching::Canonical
            })
            .add_custom_role(CustomRole::new("c0").privilege_on(
                "sales",
                Some("orders"),
                self.c0_actions.iter().map(|&a| ACTIONS[a]),
            ))
            .add_custom_role(CustomRole::new("c1").inherit("c0@admin"))
            .add_custom_role(CustomRole::new("c2").inherit("c1@admin").inherit("read@db"));
        if !self.self_managed {
            b = b.disable_self_managed();
        }
        for (n, u) in self.users.iter().enumerate() {
            if let Some((self_managed, lower, roles)) = u {
                // Settings refuse self-managed users while self-managed X.509 is off.
                if *self_managed && !self.self_managed {
                    continue;
                }
                let name = if *lower {
                    subject(n).to_lowercase()
                } else {
                    subject(n)
                };
                let kind = if *self_managed {
                    CertificateKind::SelfManaged
                } else {
                    CertificateKind::Managed
                };
                let mut spec = UserSpec::new(name, kind);
                for &r in roles {
                    spec = spec.role(ROLES[r]);
                }
                b = b.add_user(spec);
            }
        }
        let mut a = if self.ldap {
            b = b.enable_ldap_authorization();
            if self.mapping {
                b = b.user_to_dn_mapping(UserToDnMapping::new(vec![
                    MappingRule::substitution(
                        "^CN=([^,]+),O=db$",
                        "cn={0},ou=users,dc=example,dc=com",
                    )
                    .unwrap(),
                ]));
            }
            for (g, roles) in self.groups.iter().enumerate() {
                if let Some(roles) = roles {
                    b = b.add_ldap_group(LdapGroupSpec {
                        dn: group_dn(g),
                        roles: roles.iter().map(|&r| ROLES[r].to_owned()).collect(),
                    });
                }
            }
            Authenticator::new(b.build().unwrap().into_arc())
        } else {
            Authenticator::new(b.build().unwrap().into_arc())
        };
        if self.ldap {
            let mut d = InMemoryDirectory::new();
            for (n, name) in NAMES.iter().enumerate() {
                d.insert(DirectoryEntry::new(ldap_dn(self, n)).with("cn", *name));
            }
            for g in 0..3 {
                let mut e = DirectoryEntry::new(group_dn(g)).with("objectClass", "groupOfNames");
                for n in 0..NAMES.len() {
                    if self.membership[g][n] {
                        e = e.with("member", ldap_dn(self, n));
                    }
                }
                d.insert(e);
            }
            a = a.with_directory(Arc::new(d));
        }
        a
    }

    fn claimed(&self) -> Option<String> {
        self.claimed.map(|(n, lower)| {
            if lower {
                subject(n).to_lowercase()
            } else {
                subject(n)
            }
        })
    }

    /// The model with one more role: for the first registered user, or (LDAP on) for every
    /// configured group and one more configured group.
    fn with_added_role(&self, role: usize) -> Model {
        let mut m = self.clone();
        for u in m.users.iter_mut().flatten() {
            u.2.push(role);
        }
        for g in m.groups.iter_mut() {
            match g {
                Some(roles) => roles.push(role),
                None => *g = Some(vec![role]),
            }
        }
        m
    }
}

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW as u64))
}

fn login(
    a: &Authenticator,
    chain: &[CertificateDer<'_>],
    claimed: Option<&str>,
) -> Result<Principal, AuthError> {
    let client = a.verify_client(chain, now())?;
    a.authenticate_blocking(&client, claimed)
}

/// The classification the verifier must give a valid pool chain.
fn kind_of(made: Made) -> CertificateKind {
    match made {
        Made::Managed => CertificateKind::Managed,
        _ => CertificateKind::SelfManaged,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// An invalid chain (wrong key, expired, untrusted root, or any bit of the leaf flipped) is
    /// never allowed, and it is refused as a chain error (or an unreadable certificate).
    #[test]
    fn invalid_chain_never_allowed(m in model(), p in pick().prop_filter("invalid", |p| !p.valid())) {
        let a = m.authenticator();
        let claimed = m.claimed();
        let r = login(&a, &p.chain(), claimed.as_deref());
        prop_assert!(matches!(r, Err(AuthError::Chain(_))), "{:?} {:?}: {r:?}", p.entry().made, p.flip);
    }

    /// Under LDAP authorization a managed certificate never logs in, and is refused as
    /// `ManagedBlockedByLdap` unless an earlier rule refused it.
    #[test]
    fn managed_never_allowed_under_ldap(mut m in model(), p in pick()) {
        m.ldap = true;
        let a = m.authenticator();
        let claimed = m.claimed();
        let r = login(&a, &p.chain(), claimed.as_deref());
        if let Ok(principal) = &r {
            prop_assert_ne!(principal.kind(), CertificateKind::Managed);
        }
        if p.valid() && p.entry().made == Made::Managed && claimed.is_none() {
            prop_assert!(matches!(r, Err(AuthError::ManagedBlockedByLdap { .. })), "{r:?}");
        }
    }

    /// An allowed principal's name is the identity the settings derive from the certificate:
    /// LDAP off, the registered user whose name matches the subject (canonically, or byte for
    /// byte in exact mode) and whose kind is the chain's; LDAP on, the mapped LDAP DN. Its kind
    /// is always the classification of the chain.
    #[test]
    fn allowed_principal_is_the_derived_identity(m in model(), p in pick()) {
        let a = m.authenticator();
        let claimed = m.claimed();
        let chain = p.chain();
        if let Ok(principal) = login(&a, &chain, claimed.as_deref()) {
            let e = p.entry();
            prop_assert!(p.valid());
            let client = a.verify_client(&chain, now()).unwrap();
            prop_assert_eq!(principal.kind(), kind_of(e.made));
            prop_assert_eq!(principal.kind(), client.kind());
            let subject = client.subject().server_username();
            prop_assert_eq!(&subject, &self::subject(e.name));
            if m.ldap {
                let expected = ldap_dn(&m, e.name);
                prop_assert_eq!(principal.user(), expected.as_str());
                prop_assert_eq!(principal.ldap_dn(), Some(expected.as_str()));
            } else {
                let (self_managed, lower, _) = m.users[e.name].clone().unwrap();
                prop_assert_eq!(self_managed, principal.kind() == CertificateKind::SelfManaged);
                if m.exact {
                    prop_assert!(!lower);
                    prop_assert_eq!(principal.user(), subject);
                } else {
                    prop_assert_eq!(
                        DistinguishedName::parse(principal.user()).unwrap().canonical(),
                        client.canonical_subject().clone()
                    );
                }
            }
        }
    }

    /// While self-managed X.509 is off, no self-managed certificate logs in; a valid one is
    /// refused as `SelfManagedDisabled`.
    #[test]
    fn self_managed_never_allowed_while_off(mut m in model(), p in pick()) {
        m.self_managed = false;
        let a = m.authenticator();
        let claimed = m.claimed();
        let r = login(&a, &p.chain(), claimed.as_deref());
        if let Ok(principal) = &r {
            prop_assert_ne!(principal.kind(), CertificateKind::SelfManaged);
        }
        if p.valid() && p.entry().made == Made::SelfManaged {
            prop_assert!(matches!(r, Err(AuthError::SelfManagedDisabled { .. })), "{r:?}");
        }
    }

    /// Adding a role (to every registered user, and to every LDAP group, configuring the
    /// unconfigured ones) never removes a privilege: what was allowed stays allowed as the same
    /// user, and every probe authorized before is authorized after.
    #[test]
    fn adding_a_role_never_removes_a_privilege(m in model(), p in pick(), role in 0..ROLES.len()) {
        let claimed = m.claimed();
        let before = login(&m.authenticator(), &p.chain(), claimed.as_deref());
        let after = login(&m.with_added_role(role).authenticator(), &p.chain(), claimed.as_deref());
        if let Ok(b) = before {
            let a = after.unwrap_or_else(|e| panic!("allowed before, refused after adding {}: {e}", ROLES[role]));
            prop_assert_eq!(a.user(), b.user());
            for (action, db, coll) in PROBES {
                if b.privileges().is_authorized_on_collection(action, db, coll) {
                    prop_assert!(a.privileges().is_authorized_on_collection(action, db, coll),
                        "{action:?} on {db}.{coll} lost after adding {}", ROLES[role]);
                }
            }
            for r in b.role_names() {
                prop_assert!(a.role_names().contains(&r), "role {r} lost");
            }
        }
    }

    /// `explain` and `verify_client` + `authenticate` reach the same decision: same allow or
    /// deny, the same error, the same user and roles.
    #[test]
    fn explain_and_authenticate_agree(m in model(), p in pick()) {
        let a = m.authenticator();
        let claimed = m.claimed();
        let chain = p.chain();
        let direct = login(&a, &chain, claimed.as_deref());
        let explained = a.explain_blocking(&chain, now(), claimed.as_deref());
        prop_assert_eq!(explained.is_allowed(), direct.is_ok());
        prop_assert!(!explained.steps().is_empty());
        match (&direct, explained.into_result()) {
            (Ok(d), Ok(e)) => {
                prop_assert_eq!(d.user(), e.user());
                prop_assert_eq!(d.kind(), e.kind());
                prop_assert_eq!(d.role_names(), e.role_names());
                prop_assert_eq!(d.ldap_dn(), e.ldap_dn());
            }
            (Err(d), Err(e)) => {
                prop_assert_eq!(d.kind(), e.kind());
                prop_assert_eq!(d, &e);
            }
            (d, e) => prop_assert!(false, "authenticate {d:?}, explain {e:?}"),
        }
    }
}

/// The pool holds what its labels say: each valid chain logs in under settings that register
/// its subject (so the properties above are not vacuous), each invalid one does not.
#[test]
fn pool_chains_are_what_they_claim() {
    let m = Model {
        users: vec![
            Some((true, false, vec![0])),
            Some((false, false, vec![0])),
            None,
        ],
        c0_actions: vec![0],
        ldap: false,
        mapping: false,
        groups: vec![None, None, None],
        membership: vec![vec![false; 3]; 3],
        self_managed: true,
        exact: false,
        claimed: None,
    };
    let a = m.authenticator();
    for (i, e) in pool().entries.iter().enumerate() {
        let p = Pick {
            entry: i,
            flip: None,
        };
        let r = login(&a, &p.chain(), None);
        let expect_ok = (e.name == 0 && e.made == Made::SelfManaged)
            || (e.name == 1 && e.made == Made::Managed);
        assert_eq!(
            r.is_ok(),
            expect_ok,
            "{:?} {}: {r:?}",
            e.made,
            NAMES[e.name]
        );
        if !p.valid() {
            assert!(matches!(r, Err(AuthError::Chain(_))), "{:?}: {r:?}", e.made);
        }
    }
    // And LDAP: alice (self-managed) mapped, in group g0 which grants read@db.
    let m = Model {
        ldap: true,
        mapping: true,
        groups: vec![Some(vec![0]), None, None],
        membership: vec![vec![true, false, false], vec![false; 3], vec![false; 3]],
        ..m
    };
    let p = Pick {
        entry: 1,
        flip: None,
    };
    let principal = login(&m.authenticator(), &p.chain(), None).unwrap();
    assert_eq!(principal.user(), "cn=alice,ou=users,dc=example,dc=com");
    assert_eq!(principal.role_names(), vec!["read@db".to_owned()]);
}
