//! Helpers shared by the integration tests: the conformance exceptions file, time parsing,
//! and the certificate generator (`gen`).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod generate;
pub mod policy;
#[cfg(feature = "rustls")]
pub mod tls;

use std::collections::BTreeMap;

/// Path of a file under the conformance data kept in the repository (`tests/data/`).
pub fn testdata(rel: &str) -> String {
    format!("{}/tests/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Listed divergences for `suite`: case id → reason, from `tests/conformance-exceptions.txt`.
pub fn exceptions(suite: &str) -> BTreeMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance-exceptions.txt"
    );
    let text = std::fs::read_to_string(path).expect("tests/conformance-exceptions.txt");
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (s, id, reason) = (
            parts.next().unwrap(),
            parts.next().expect("case id"),
            parts.next().expect("reason"),
        );
        if s == suite {
            assert!(
                out.insert(id.to_string(), reason.to_string()).is_none(),
                "{id} listed twice"
            );
        }
    }
    out
}

/// Outcome bookkeeping shared by the conformance runners.
#[derive(Default)]
pub struct Tally {
    pub applicable: usize,
    pub agree: usize,
    pub listed: usize,
    pub not_applicable: usize,
    pub unexpected: Vec<String>,
    pub stale: Vec<String>,
}

impl Tally {
    /// Records one applicable case.
    pub fn record(
        &mut self,
        id: &str,
        agrees: bool,
        detail: &str,
        exceptions: &BTreeMap<String, String>,
    ) {
        self.applicable += 1;
        match (agrees, exceptions.contains_key(id)) {
            (true, false) => self.agree += 1,
            (true, true) => {
                self.agree += 1;
                self.stale
                    .push(format!("{id}: listed as an exception but now agrees"));
            }
            (false, true) => self.listed += 1,
            (false, false) => self.unexpected.push(format!("{id}: {detail}")),
        }
    }

    /// Prints the summary and fails on unlisted divergences or stale exceptions.
    pub fn finish(&self, suite: &str, exceptions: &BTreeMap<String, String>, seen: &[String]) {
        let missing: Vec<_> = exceptions.keys().filter(|k| !seen.contains(k)).collect();
        println!(
            "{suite}: applicable {} / agree {} / listed exceptions {} / not applicable {} ({:.1}% agree)",
            self.applicable,
            self.agree,
            self.listed,
            self.not_applicable,
            100.0 * self.agree as f64 / self.applicable.max(1) as f64
        );
        for u in &self.unexpected {
            println!("  UNLISTED DIVERGENCE {u}");
        }
        for s in &self.stale {
            println!("  STALE EXCEPTION {s}");
        }
        for m in &missing {
            println!("  UNKNOWN OR NOT-APPLICABLE CASE IN EXCEPTIONS {m}");
        }
        assert!(
            self.unexpected.is_empty() && self.stale.is_empty() && missing.is_empty(),
            "{suite}: {} unlisted divergences, {} stale exceptions, {} unknown ids",
            self.unexpected.len(),
            self.stale.len(),
            missing.len()
        );
    }
}

/// Parses an RFC 3339 UTC time ("2024-01-01T00:00:00Z", fractions and offsets allowed) to
/// seconds since the Unix epoch.
pub fn rfc3339(s: &str) -> i64 {
    let num = |a: usize, b: usize| -> i64 { s[a..b].parse().unwrap() };
    let (y, mo, d, h, mi, sec) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    );
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = if rest == "Z" || rest.is_empty() {
        0
    } else {
        let sign = if rest.starts_with('-') { -1 } else { 1 };
        let hh: i64 = rest[1..3].parse().unwrap();
        let mm: i64 = rest[4..6].parse().unwrap();
        sign * (hh * 3600 + mm * 60)
    };
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + sec - offset
}
