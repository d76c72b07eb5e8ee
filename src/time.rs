//! Calendar arithmetic, in one place: X.509 times (RFC 5280 §4.1.2.5) to seconds since the Unix
//! epoch, and seconds back to RFC 3339 text for messages. Proleptic Gregorian calendar, UTC, no
//! leap seconds (X.509 times cannot express them).
//!
//! Times come in as [`UnixTime`] (the validation time); a certificate's or a CRL's time can be
//! as early as 1950 (UTCTime), before `UnixTime` can count, so times going out are a
//! [`Timestamp`]: signed seconds since the Unix epoch that print as RFC 3339 UTC.

use core::fmt;

use rustls_pki_types::UnixTime;

/// The two X.509 time types (RFC 5280 §4.1.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum X509Time {
    /// UTCTime, `YYMMDDHHMMSSZ`, years 1950–2049 (`YY` ≥ 50 is 19YY; §4.1.2.5.1).
    Utc,
    /// GeneralizedTime, `YYYYMMDDHHMMSSZ`, no fractional seconds (§4.1.2.5.2).
    Generalized,
}

/// Decodes the contents of a UTCTime or GeneralizedTime into seconds since the Unix epoch;
/// `Err` is the reason the contents are refused.
pub(crate) fn from_x509(kind: X509Time, v: &[u8]) -> Result<i64, &'static str> {
    let (year, rest) = match kind {
        X509Time::Utc => {
            if v.len() != 13 {
                return Err("a UTCTime is not YYMMDDHHMMSSZ");
            }
            let yy = digits(v.get(..2))?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, v.get(2..))
        }
        X509Time::Generalized => {
            if v.len() != 15 {
                return Err("a GeneralizedTime is not YYYYMMDDHHMMSSZ");
            }
            (digits(v.get(..4))?, v.get(4..))
        }
    };
    let rest = rest.ok_or(TRUNCATED)?;
    let month = digits(rest.get(0..2))?;
    let day = digits(rest.get(2..4))?;
    let hour = digits(rest.get(4..6))?;
    let minute = digits(rest.get(6..8))?;
    let second = digits(rest.get(8..10))?;
    if rest.get(10) != Some(&b'Z') {
        return Err("a time is not in UTC (no trailing Z)");
    }
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return Err("a time has an invalid month"),
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return Err("a time has an out-of-range field");
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    Ok(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

/// Seconds since the Unix epoch as an RFC 3339 UTC timestamp (`2011-04-15T00:00:00Z`).
pub(crate) fn rfc3339(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Cannot happen once the length is checked; kept as an error rather than a panic.
const TRUNCATED: &str = "a time is truncated";

fn digits(b: Option<&[u8]>) -> Result<u32, &'static str> {
    let b = b.ok_or(TRUNCATED)?;
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return Err("a time contains a non-digit");
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Ok(n)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`, the inverse of
/// [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

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

    /// The UTC time with these calendar fields (proleptic Gregorian calendar), or `None` when
    /// one is out of range: year 0–9999, month 1–12, a day of that month, hour 0–23, minute and
    /// second 0–59 (X.509 times cannot express a leap second).
    ///
    /// ```
    /// use x509_dbauth::Timestamp;
    /// let t = Timestamp::from_utc(2024, 2, 29, 12, 0, 0).unwrap();
    /// assert_eq!(t.to_string(), "2024-02-29T12:00:00Z");
    /// assert_eq!(Timestamp::from_utc(2023, 2, 29, 12, 0, 0), None);
    /// ```
    pub fn from_utc(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<Timestamp> {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if year > 9999 || day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59
        {
            return None;
        }
        let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
        Some(Timestamp(
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second),
        ))
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
        f.write_str(&rfc3339(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_times() {
        use X509Time::{Generalized, Utc};
        assert_eq!(from_x509(Utc, b"700101000000Z"), Ok(0));
        assert_eq!(
            from_x509(Generalized, b"20110415000000Z"),
            Ok(1_302_825_600)
        );
        // RFC 5280 §4.1.2.5.1: UTCTime 50 is 1950.
        assert_eq!(from_x509(Utc, b"500101000000Z"), Ok(-631_152_000));
        assert_eq!(from_x509(Utc, b"491231235959Z"), Ok(2_524_607_999));
        assert_eq!(
            from_x509(Utc, b"000229000000Z"),
            Ok(951_782_400),
            "2000 is a leap year"
        );
        assert_eq!(
            from_x509(Generalized, b"21000229000000Z"),
            Err("a time has an out-of-range field")
        );
    }

    #[test]
    fn rfc3339_text() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_302_825_600), "2011-04-15T00:00:00Z");
        assert_eq!(rfc3339(-631_152_000), "1950-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        for t in [
            -631_152_000i64,
            0,
            951_782_400,
            2_524_607_999,
            253_402_300_799,
        ] {
            let (y, m, d) = civil_from_days(t.div_euclid(86_400));
            assert_eq!(days_from_civil(y, m, d), t.div_euclid(86_400));
        }
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

    #[test]
    fn from_utc_checks_every_field() {
        let t = |y, mo, d, h, mi, s| Timestamp::from_utc(y, mo, d, h, mi, s);
        assert_eq!(t(1970, 1, 1, 0, 0, 0), Some(Timestamp(0)));
        assert_eq!(
            t(9999, 12, 31, 23, 59, 59).map(|t| t.unix_seconds()),
            Some(253_402_300_799)
        );
        assert_eq!(t(1950, 1, 1, 0, 0, 0), Some(Timestamp(-631_152_000)));
        assert_eq!(
            t(2000, 2, 29, 0, 0, 0).map(|t| t.to_string()).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        for bad in [
            t(10_000, 1, 1, 0, 0, 0),
            t(2024, 0, 1, 0, 0, 0),
            t(2024, 13, 1, 0, 0, 0),
            t(2024, 4, 31, 0, 0, 0),
            t(1900, 2, 29, 0, 0, 0),
            t(2024, 1, 0, 0, 0, 0),
            t(2024, 1, 1, 24, 0, 0),
            t(2024, 1, 1, 0, 60, 0),
            t(2024, 1, 1, 0, 0, 60),
        ] {
            assert_eq!(bad, None);
        }
    }
}
