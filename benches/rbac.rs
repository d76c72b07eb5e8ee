//! RBAC benchmarks (filled in below).
fn main() {}
