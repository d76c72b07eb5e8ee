//! Times going out of the crate: in errors, on a verified chain, on a principal.
//!
//! Times come in as [`UnixTime`] (the validation time); a certificate's or a CRL's time can be
//! as early as 1950 (RFC 5280 §4.1.2.5.1 UTCTime), before `UnixTime` can count, so times going
//! out are a [`Timestamp`]: signed seconds since the Unix epoch that print as RFC 3339 UTC.

use core::fmt;

use rustls_pki_types::UnixTime;

/// A point in time from a certificate or a CRL (or the validation time), in whole seconds
/// since 1970-01-01T00:00:00Z; negative before it. `Display` prints RFC 3339 UTC
/// (`2011-04-15T00:00:00Z`).
///
/// ```
/// use x509_dbauth::Timestamp;
/// let t = Timestamp::from_unix_seconds(1_302_825_600);
/// assert_eq!(t.to_string(), "2011-04-15T00:00:00Z");
/// assert_eq!(t.to_unix_time().map(|u| u.as_secs()), Some(1_302_825_600));
/// assert_eq!(Timestamp::from_unix_seconds(-1).to_unix_time(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The time `secs` seconds after (before, when negative) the Unix epoch.
    pub const fn from_unix_seconds(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch (negative before 1970).
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The same time as a [`UnixTime`]; `None` before 1970, which `UnixTime` cannot hold.
    pub fn to_unix_time(self) -> Option<UnixTime> {
        let secs = u64::try_from(self.0).ok()?;
        Some(UnixTime::since_unix_epoch(core::time::Duration::from_secs(
            secs,
        )))
    }
}

impl From<UnixTime> for Timestamp {
    /// Saturates at the largest `i64` (some 292 billion years from now).
    fn from(t: UnixTime) -> Timestamp {
        Timestamp(i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&utc(self.0))
    }
}

/// Seconds since the Unix epoch as an RFC 3339 UTC timestamp, for messages.
pub(crate) fn utc(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Inverse of the civil-from-days algorithm used when parsing (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::Timestamp;
    use rustls_pki_types::UnixTime;

    #[test]
    fn utc_text() {
        assert_eq!(super::utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc(1_302_825_600), "2011-04-15T00:00:00Z");
        assert_eq!(super::utc(-631_152_000), "1950-01-01T00:00:00Z");
        assert_eq!(super::utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn unix_time_round_trip() {
        let u = UnixTime::since_unix_epoch(core::time::Duration::from_secs(951_782_400));
        let t = Timestamp::from(u);
        assert_eq!(t.unix_seconds(), 951_782_400);
        assert_eq!(t.to_unix_time(), Some(u));
        assert_eq!(t.to_string(), "2000-02-29T00:00:00Z");
        let before_1970 = Timestamp::from_unix_seconds(-631_152_000);
        assert_eq!(before_1970.to_unix_time(), None);
        assert_eq!(before_1970.to_string(), "1950-01-01T00:00:00Z");
        assert!(before_1970 < t);
    }
}
