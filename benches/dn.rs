//! DN benchmarks, against x509-cert 0.3's `Name` in the same run.
//!
//! Targets (from the issue): parse + canonicalize at least 5x faster than x509-cert's
//! `Name::from_str`; printing a certificate subject from DER at least 10x faster than
//! x509-cert's `Display`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, criterion_group, criterion_main};
use der::{Decode, Encode};
use x509_cert::name::Name;
use x509_dbauth::DistinguishedName;

const TYPICAL: &str = "CN=Jane Doe,OU=Engineering,O=MongoDB,L=New York,C=US";
const OTHER_SPELLING: &str = "cn=jane doe, ou=engineering, o=mongodb, l=new york, c=us";

fn benches(c: &mut Criterion) {
    let subject_der = Name::from_str(TYPICAL).unwrap().to_der().unwrap();
    let ours = DistinguishedName::parse(TYPICAL).unwrap();
    let ours_other = DistinguishedName::parse(OTHER_SPELLING).unwrap();
    let theirs = Name::from_str(TYPICAL).unwrap();
    assert_eq!(DistinguishedName::from_der(&subject_der).unwrap(), ours);
    assert_eq!(theirs.to_string(), ours.to_string());

    let mut g = c.benchmark_group("parse");
    g.bench_function("ours", |b| {
        b.iter(|| DistinguishedName::parse(black_box(TYPICAL)).unwrap())
    });
    g.bench_function("ours+canonical", |b| {
        b.iter(|| {
            DistinguishedName::parse(black_box(TYPICAL))
                .unwrap()
                .canonical()
        })
    });
    g.bench_function("x509-cert", |b| {
        b.iter(|| Name::from_str(black_box(TYPICAL)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("canonical");
    g.bench_function("ours", |b| b.iter(|| black_box(&ours).canonical()));
    g.finish();

    let mut g = c.benchmark_group("compare");
    g.bench_function("ours matches (two canonicalizations)", |b| {
        b.iter(|| black_box(&ours).matches(black_box(&ours_other)))
    });
    let (ca, cb) = (ours.canonical(), ours_other.canonical());
    g.bench_function("ours CanonicalDn ==", |b| {
        b.iter(|| black_box(&ca) == black_box(&cb))
    });
    g.bench_function("x509-cert Name == (exact, case-sensitive)", |b| {
        b.iter(|| black_box(&theirs) == black_box(&theirs))
    });
    g.finish();

    let mut g = c.benchmark_group("print");
    g.bench_function("ours Display", |b| b.iter(|| black_box(&ours).to_string()));
    g.bench_function("ours server_username", |b| {
        b.iter(|| black_box(&ours).server_username())
    });
    g.bench_function("x509-cert Display", |b| {
        b.iter(|| black_box(&theirs).to_string())
    });
    g.finish();

    let mut g = c.benchmark_group("subject_from_der");
    g.bench_function("ours from_der+to_string", |b| {
        b.iter(|| {
            DistinguishedName::from_der(black_box(&subject_der))
                .unwrap()
                .to_string()
        })
    });
    g.bench_function("x509-cert from_der+to_string", |b| {
        b.iter(|| Name::from_der(black_box(&subject_der)).unwrap().to_string())
    });
    g.finish();
}

criterion_group!(dn, benches);
criterion_main!(dn);
