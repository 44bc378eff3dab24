//! Naive local timestamps as trace tools write them (no zone): parsed to seconds on a naive
//! clock (as if UTC), which is all integration over time needs.

/// Days from 1970-01-01 to a proleptic Gregorian date.
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Seconds on the naive clock for a date and time.
pub fn naive_seconds(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // Dates within ±285,000 years are exact in f64.
    let whole = (days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60) as f64;
    whole + second
}

/// How the fraction after the seconds is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fraction {
    /// A decimal fraction (`.779` = 0.779 s).
    Decimal,
    /// An integer count of milliseconds, not zero-padded (PowerJoular `-c`: `.7` = 7 ms).
    Milliseconds,
}

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fff]` or `YYYY/MM/DD HH:MM:SS[.fff]`, fields possibly not
/// zero-padded. `None` when it is not such a timestamp.
pub(super) fn parse_naive(text: &str, fraction: Fraction) -> Option<f64> {
    let text = text.trim();
    let mut numbers = [0_i64; 6];
    let mut count = 0;
    let mut frac: Option<&str> = None;
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i <= bytes.len() {
        let at_end = i == bytes.len();
        if at_end || !bytes[i].is_ascii_digit() {
            if i == start {
                return None;
            }
            let token = &text[start..i];
            if count < 6 {
                numbers[count] = token.parse().ok()?;
                count += 1;
            } else {
                frac = Some(token);
            }
            if at_end {
                break;
            }
            let separator = bytes[i];
            let expected: &[u8] = match count {
                1 | 2 => b"-/",
                3 => b"T ",
                4 | 5 => b":",
                6 => b".,",
                _ => b"",
            };
            if !expected.contains(&separator) {
                return None;
            }
            start = i + 1;
        }
        i += 1;
    }
    if count < 6 {
        return None;
    }
    let [year, month, day, hour, minute, second] = numbers;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 24
        || minute > 59
        || second > 60
    {
        return None;
    }
    let fraction = match (frac, fraction) {
        (None, _) => 0.0,
        (Some(digits), Fraction::Decimal) => format!("0.{digits}").parse::<f64>().ok()?,
        (Some(digits), Fraction::Milliseconds) => digits.parse::<f64>().ok()? / 1000.0,
    };
    #[allow(clippy::cast_precision_loss)] // `second` is at most 60.
    let second = second as f64 + fraction;
    Some(naive_seconds(year, month, day, hour, minute, second))
}

/// Formats seconds on the naive clock as `YYYY-MM-DDTHH:MM:SS`.
pub(super) fn format_naive(seconds: f64) -> String {
    #[allow(clippy::cast_possible_truncation)] // Trace times are far inside i64.
    let whole = seconds.floor() as i64;
    let days = whole.div_euclid(86_400);
    let rest = whole.rem_euclid(86_400);
    // Inverse of days_from_civil (Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// `H:MM:SS[.ss]` (CarbonTracker durations) to seconds.
pub(super) fn parse_hms(text: &str) -> Option<f64> {
    let mut parts = text.trim().split(':');
    let hours: f64 = parts.next()?.trim().parse().ok()?;
    let minutes: f64 = parts.next()?.trim().parse().ok()?;
    let seconds: f64 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(hours * 3_600.0 + minutes * 60.0 + seconds)
}
