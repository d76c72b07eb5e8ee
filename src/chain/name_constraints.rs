//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c)).
//!
//! directoryName subtrees are applied to the subject DN first (they decide which DNs a CA may vouch
//! for), then rfc822Name (SAN and emailAddress attributes of the subject), dNSName, iPAddress and
//! URI to the subjectAltName entries. A constraint on a name form this module cannot evaluate
//! (otherName, x400Address, ediPartyName, registeredID) fails the certificate when that form
//! appears, as §4.2.1.10 requires. Each comparison spends the name-constraint budget.

use super::budget::Budget;
use crate::cert::{Certificate, GeneralName, NameConstraints};
use crate::error::ChainError;
use crate::name::Name;

/// A violation: the offending name as text and the reason.
pub(crate) type Violation = (String, &'static str);

/// A name taken from the certificate under test.
enum Subject<'a> {
    Directory(&'a [u8]),
    Email(String),
    San(GeneralName<'a>),
}

/// The Names of the two certificates, by DER: directoryNames were read when each certificate
/// was parsed.
struct Names<'c, 'a> {
    constrained: &'c Certificate<'a>,
    constraining: &'c Certificate<'a>,
}

impl<'c, 'a> Names<'c, 'a> {
    fn of(&self, der: &[u8]) -> Option<&'c Name<'a>> {
        let subject = self.constrained.subject_name();
        if subject.der() == der {
            return Some(subject);
        }
        self.constrained
            .directory_name(der)
            .or_else(|| self.constraining.directory_name(der))
    }

    fn text(&self, der: &[u8]) -> String {
        self.of(der)
            .map_or_else(|| "(unreadable name)".to_owned(), Name::text)
    }
}

/// Checks `cert`'s subject and SANs against `nc`, the name constraints of `ca`.
/// `Ok(Some(..))` is a violation; `Err` is budget.
pub(crate) fn check<'a>(
    budget: &mut Budget,
    ca: &Certificate<'a>,
    nc: &NameConstraints<'a>,
    cert: &Certificate<'a>,
) -> Result<Option<Violation>, ChainError> {
    let names_read = Names {
        constrained: cert,
        constraining: ca,
    };
    let names_read = &names_read;
    let mut subjects: Vec<Subject<'_>> = Vec::new();
    if !cert.subject_name().is_empty() {
        subjects.push(Subject::Directory(cert.subject_der()));
    }
    // §4.2.1.10: emailAddress attributes of the subject are checked against rfc822Name
    // constraints as well.
    // A subject whose emailAddress values cannot all be read fails any rfc822Name constraint
    // (§4.2.1.10: a name the check cannot read must not be skipped).
    match cert.subject_name().email_addresses() {
        Some(emails) => subjects.extend(emails.into_iter().map(Subject::Email)),
        None => {
            let rfc822 = |g: &GeneralName<'_>| matches!(g, GeneralName::Rfc822(_));
            if nc.excluded.iter().any(rfc822) || nc.permitted.iter().flatten().any(rfc822) {
                budget.name_comparison()?;
                return Ok(Some((
                    format!("subject \"{}\"", cert.subject_name().text()),
                    "its emailAddress values cannot be read (the subject does not parse, or an \
                     emailAddress is not a valid string), so rfc822Name constraints cannot be \
                     checked",
                )));
            }
        }
    }
    for san in cert.subject_alt_names().unwrap_or_default() {
        subjects.push(Subject::San(*san));
    }
    for s in &subjects {
        let name: GeneralName<'_> = match s {
            Subject::Directory(d) => GeneralName::Directory(d),
            Subject::Email(e) => GeneralName::Rfc822(e.as_bytes()),
            Subject::San(g) => *g,
        };
        for ex in &nc.excluded {
            if same_form(&name, ex) {
                budget.name_comparison()?;
                match matches(names_read, &name, ex, true) {
                    Match::Yes => {
                        return Ok(Some((
                            describe(names_read, &name),
                            "it is in an excluded subtree",
                        )));
                    }
                    Match::No => {}
                    Match::Unsupported(why) => return Ok(Some((describe(names_read, &name), why))),
                }
            }
        }
        if let Some(permitted) = &nc.permitted {
            let mut constrained = false;
            let mut ok = false;
            for p in permitted {
                if !same_form(&name, p) {
                    continue;
                }
                constrained = true;
                budget.name_comparison()?;
                match matches(names_read, &name, p, false) {
                    Match::Yes => {
                        ok = true;
                        break;
                    }
                    Match::No => {}
                    Match::Unsupported(why) => return Ok(Some((describe(names_read, &name), why))),
                }
            }
            if constrained && !ok {
                return Ok(Some((
                    describe(names_read, &name),
                    "it is outside every permitted subtree",
                )));
            }
        }
    }
    Ok(None)
}

enum Match {
    Yes,
    No,
    Unsupported(&'static str),
}

fn same_form(a: &GeneralName<'_>, b: &GeneralName<'_>) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn describe(names_read: &Names<'_, '_>, n: &GeneralName<'_>) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match n {
        GeneralName::Directory(d) => format!("directoryName \"{}\"", names_read.text(d)),
        GeneralName::Rfc822(b) => format!("rfc822Name \"{}\"", text(b)),
        GeneralName::Dns(b) => format!("dNSName \"{}\"", text(b)),
        GeneralName::Uri(b) => format!("URI \"{}\"", text(b)),
        GeneralName::Ip(b) => format!("iPAddress {}", ip_text(b)),
        GeneralName::OtherName(_) => "otherName".into(),
        GeneralName::X400(_) => "x400Address".into(),
        GeneralName::EdiParty(_) => "ediPartyName".into(),
        GeneralName::RegisteredId(_) => "registeredID".into(),
    }
}

fn ip_text(b: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        std::net::Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(b) {
        std::net::Ipv6Addr::from(v6).to_string()
    } else {
        format!("({} bytes)", b.len())
    }
}

fn matches(
    names_read: &Names<'_, '_>,
    name: &GeneralName<'_>,
    constraint: &GeneralName<'_>,
    excluded: bool,
) -> Match {
    let yes = |b: bool| if b { Match::Yes } else { Match::No };
    match (name, constraint) {
        (GeneralName::Directory(n), GeneralName::Directory(c)) => {
            let within = match (names_read.of(n), names_read.of(c)) {
                (Some(n), Some(c)) => n.within_subtree(c),
                _ => None,
            };
            match within {
                Some(b) => yes(b),
                None => Match::Unsupported(
                    "it is unreadable, contains a control character or a value that is not a \
                     directory string, or expands beyond the canonicalization limit",
                ),
            }
        }
        (GeneralName::Rfc822(n), GeneralName::Rfc822(c)) => match email_matches(n, c) {
            Some(b) => yes(b),
            None => Match::Unsupported("it is not a valid email address"),
        },
        (GeneralName::Dns(n), GeneralName::Dns(c)) => {
            // §4.2.1.10: a dNSName constraint is a host name ("example.com"), never ".example.com"
            // or a wildcard; a SAN must be a valid (possibly wildcard) host name to be compared.
            if c.first() == Some(&b'.')
                || c.contains(&b'*')
                || (!c.is_empty() && !valid_dns(c, false))
            {
                Match::Unsupported("a dNSName constraint is malformed")
            } else if !valid_dns(n, true) {
                Match::Unsupported("it is not a valid DNS name")
            } else {
                yes(dns_matches(n, c, excluded))
            }
        }
        (GeneralName::Uri(n), GeneralName::Uri(c)) => match uri_host(n) {
            Some(host) => yes(host_matches(&host, c)),
            // §4.2.1.10: constraints apply to the host part; a URI without one cannot be checked.
            None => Match::Unsupported(
                "the URI has no authority with a host name (RFC 3986 §3.2) to check against URI \
                 constraints",
            ),
        },
        (GeneralName::Ip(n), GeneralName::Ip(c)) => match ip_matches(n, c) {
            Some(b) => yes(b),
            None => Match::Unsupported("an iPAddress constraint or name is malformed"),
        },
        _ => Match::Unsupported("this name form cannot be checked against name constraints"),
    }
}

fn lower(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_ascii_lowercase()
}

/// Preferred name syntax (RFC 1034 §3.5, relaxed for underscores); `*` allowed as the whole
/// leftmost label when `wildcard`.
fn valid_dns(name: &[u8], wildcard: bool) -> bool {
    let s = name.strip_suffix(b".").unwrap_or(name);
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split(|&b| b == b'.').enumerate().all(|(i, label)| {
        (wildcard && i == 0 && label == b"*")
            || (!label.is_empty()
                && label.len() <= 63
                && label
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-'))
    })
}

/// rfc822Name: a full mailbox, a host (exact domain), or ".domain" (any subdomain).
fn email_matches(name: &[u8], c: &[u8]) -> Option<bool> {
    let name = String::from_utf8_lossy(name);
    let (local, domain) = name.rsplit_once('@')?;
    // RFC 5322 addr-spec without quoting: one '@', no spaces, a host-name domain.
    if local.is_empty() || local.contains(['@', ' ']) || !valid_dns(domain.as_bytes(), false) {
        return None;
    }
    let c = String::from_utf8_lossy(c);
    Some(if let Some((cl, cd)) = c.rsplit_once('@') {
        cl == local && cd.eq_ignore_ascii_case(domain)
    } else if c.starts_with('.') {
        domain
            .to_ascii_lowercase()
            .ends_with(&c.to_ascii_lowercase())
    } else {
        domain.eq_ignore_ascii_case(&c)
    })
}

/// dNSName: the constraint and every name formed by adding labels on its left.
fn dns_matches(name: &[u8], c: &[u8], excluded: bool) -> bool {
    let n = lower(name);
    let c = lower(c);
    let n = n.strip_suffix('.').unwrap_or(&n);
    let c = c.strip_suffix('.').unwrap_or(&c);
    if c.is_empty() {
        return true;
    }
    if within_domain(n, c) {
        return true;
    }
    // A wildcard name covers hosts an excluded subtree names: "*.example.com" against excluded
    // "bad.example.com" must fail, or the wildcard would vouch for the excluded host.
    if excluded && let Some(base) = n.strip_prefix("*.") {
        let c = c.strip_prefix('.').unwrap_or(c);
        return within_domain(c, base) && c != base;
    }
    false
}

fn within_domain(n: &str, c: &str) -> bool {
    if let Some(sub) = c.strip_prefix('.') {
        n.ends_with(c) && n.len() > c.len() && !sub.is_empty()
    } else {
        n == c || (n.ends_with(c) && n.as_bytes().get(n.len() - c.len() - 1) == Some(&b'.'))
    }
}

/// URI constraints name a host (exact) or ".domain" (subdomains), compared with the URI's
/// host; a trailing dot is insignificant on both sides, as for dNSName.
fn host_matches(host: &str, c: &[u8]) -> bool {
    let c = lower(c);
    let c = c.strip_suffix('.').unwrap_or(&c);
    if c.starts_with('.') {
        host.ends_with(c)
    } else {
        host == c
    }
}

/// RFC 3986 §2.3 unreserved and §2.2 sub-delims.
fn unreserved_or_sub_delim(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b)
}

/// True when `s` holds only `allowed` bytes and well-formed percent-encodings (§2.1).
fn pct_chars(s: &[u8], allowed: impl Fn(u8) -> bool) -> bool {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b == b'%' {
            let hex = |k: usize| s.get(k).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if allowed(b) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// The host of a URI's authority (RFC 3986 §3), lowercase, without a trailing dot; `None`
/// when the URI has no authority or is not well formed, so that the host cannot be known:
/// `ldap:x://corp.com` has none (its scheme is `ldap`), and in `https://evil.com\@corp.com/`
/// the backslash cannot appear in a userinfo. Only registered names that are host names and
/// IP literals are accepted as hosts; a percent-encoded host is refused.
fn uri_host(uri: &[u8]) -> Option<String> {
    // §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":".
    let colon = uri.iter().position(|&b| b == b':')?;
    let (scheme, rest) = (uri.get(..colon)?, uri.get(colon + 1..)?);
    if !scheme.first().is_some_and(u8::is_ascii_alphabetic)
        || !scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
    {
        return None;
    }
    // §3.2: the authority follows "//" and ends at the first "/", "?" or "#".
    let rest = rest.strip_prefix(b"//")?;
    let end = rest
        .iter()
        .position(|b| b"/?#".contains(b))
        .unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    // §3.2.1: userinfo = *( unreserved / pct-encoded / sub-delims / ":" ), so the first "@"
    // ends it and the host part cannot hold another.
    let hostport = match authority.iter().position(|&b| b == b'@') {
        Some(at) => {
            let userinfo = authority.get(..at)?;
            if !pct_chars(userinfo, |b| unreserved_or_sub_delim(b) || b == b':') {
                return None;
            }
            authority.get(at + 1..)?
        }
        None => authority,
    };
    // §3.2.2: IP-literal in brackets, or a reg-name / IPv4address; then §3.2.3 ":" *DIGIT.
    let (host, port) = if let Some(literal) = hostport.strip_prefix(b"[") {
        let close = literal.iter().position(|&b| b == b']')?;
        let inside = literal.get(..close)?;
        if inside.is_empty()
            || !inside
                .iter()
                .all(|b| b.is_ascii_hexdigit() || b":.".contains(b))
        {
            return None;
        }
        (inside, literal.get(close + 1..)?)
    } else {
        let colon = hostport
            .iter()
            .position(|&b| b == b':')
            .unwrap_or(hostport.len());
        let host = hostport.get(..colon)?;
        if !valid_dns(host, false) {
            return None;
        }
        (host, hostport.get(colon..)?)
    };
    if let Some(digits) = port.strip_prefix(b":") {
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
    } else if !port.is_empty() {
        return None;
    }
    let mut host = lower(host);
    if host.ends_with('.') {
        host.pop();
    }
    Some(host)
}

/// iPAddress: address and mask (8 or 32 bytes) against a 4- or 16-byte address.
fn ip_matches(name: &[u8], c: &[u8]) -> Option<bool> {
    if c.len() != 8 && c.len() != 32 {
        return None;
    }
    if name.len() != 4 && name.len() != 16 {
        return None;
    }
    let (addr, mask) = c.split_at(c.len() / 2);
    // The mask must be a run of ones followed by zeros (a CIDR prefix).
    let bits: Vec<bool> = mask
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| b & (1 << i) != 0))
        .collect();
    if bits.windows(2).any(|w| matches!(w, [false, true])) {
        return None;
    }
    if name.len() != addr.len() {
        return Some(false);
    }
    Some(
        name.iter()
            .zip(addr)
            .zip(mask)
            .all(|((n, a), m)| n & m == a & m),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns() {
        assert!(dns_matches(b"a.example.com", b"example.com", false));
        assert!(!dns_matches(b"aexample.com", b"example.com", false));
        assert!(dns_matches(b"a.example.com", b".example.com", false));
        assert!(!dns_matches(b"example.com", b".example.com", false));
        assert!(dns_matches(b"*.example.com", b"bad.example.com", true));
    }

    #[test]
    fn email() {
        assert_eq!(email_matches(b"a@x.com", b"x.com"), Some(true));
        assert_eq!(email_matches(b"a@y.x.com", b"x.com"), Some(false));
        assert_eq!(email_matches(b"a@y.x.com", b".x.com"), Some(true));
        assert_eq!(email_matches(b"a@X.com", b"a@x.com"), Some(true));
        assert_eq!(email_matches(b"nobody", b"x.com"), None);
    }

    #[test]
    fn ip() {
        assert_eq!(
            ip_matches(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]),
            Some(true)
        );
        assert_eq!(
            ip_matches(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]),
            Some(false)
        );
        assert_eq!(
            ip_matches(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 255, 0]),
            None
        );
    }

    /// Issue 7 item 14: the host comes from the RFC 3986 authority.
    #[test]
    fn uri_hosts() {
        let host = |u: &str| uri_host(u.as_bytes());
        assert_eq!(host("https://corp.com/x").as_deref(), Some("corp.com"));
        assert_eq!(
            host("https://u:p%41@CORP.com.:8443/x?y#z").as_deref(),
            Some("corp.com")
        );
        assert_eq!(
            host("ldaps://[2001:db8::1]:636").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(host("https://corp.com").as_deref(), Some("corp.com"));
        for bad in [
            "ldap:x://corp.com",
            "https://evil.com\\@corp.com/",
            "https://a@b@corp.com/",
            "mailto:jane@corp.com",
            "urn:corp.com",
            "https://",
            "https://corp.com:80x/",
            "https://cor%70.com/",
            "1https://corp.com/",
            "https://corp.com../",
        ] {
            assert_eq!(host(bad), None, "{bad}");
        }
        assert!(host_matches("evil.com", b"evil.com."));
        assert!(host_matches("a.corp.com", b".corp.com"));
        assert!(!host_matches("corp.com", b".corp.com"));
    }
}
