//! Naive local timestamps as trace tools write them (no zone): parsed to seconds on a naive
//! clock (as if UTC), which is all integration over time needs. The calendar is jiff's: a date
//! that does not exist is refused, not shifted.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Seconds on the naive clock at the start of a day; `None` for a day that does not exist
/// (2024-02-30, month 13). The calendar is jiff's.
pub(super) fn day_start(year: i64, month: i64, day: i64) -> Option<i64> {
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    Some(date.to_zoned(TimeZone::UTC).ok()?.timestamp().as_second())
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
/// zero-padded, to seconds on the naive clock. `Ok(None)` when the text is not shaped like
/// such a timestamp; an error, in words, when it is but names a moment that does not exist
/// (2024-02-31, 25:00): such a value is refused, never shifted to a nearby day. A leap second
/// (`:60`) is the second after `:59`.
pub(super) fn parse_naive(text: &str, fraction: Fraction) -> Result<Option<f64>, String> {
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
                return Ok(None);
            }
            let token = &text[start..i];
            if count < 6 {
                let Ok(number) = token.parse() else {
                    return Ok(None);
                };
                numbers[count] = number;
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
                return Ok(None);
            }
            start = i + 1;
        }
        i += 1;
    }
    if count < 6 {
        return Ok(None);
    }
    let [year, month, day, hour, minute, second] = numbers;
    let leap = i64::from(second == 60);
    let small = |value: i64| i8::try_from(value).unwrap_or(i8::MAX);
    let moment = i16::try_from(year)
        .map_err(|_| format!("{text:?} has a year out of range"))
        .and_then(|year| {
            DateTime::new(
                year,
                small(month),
                small(day),
                small(hour),
                small(minute),
                small(second - leap),
                0,
            )
            .and_then(|moment| moment.to_zoned(TimeZone::UTC))
            .map_err(|error| format!("{text:?} is not a real date and time: {error}"))
        })?;
    let fraction = match (frac, fraction) {
        (None, _) => 0.0,
        (Some(digits), Fraction::Decimal) => format!("0.{digits}")
            .parse::<f64>()
            .map_err(|error| format!("{text:?}: fraction of a second: {error}"))?,
        (Some(digits), Fraction::Milliseconds) => {
            digits
                .parse::<f64>()
                .map_err(|error| format!("{text:?}: milliseconds: {error}"))?
                / 1000.0
        }
    };
    #[allow(clippy::cast_precision_loss)] // Seconds of years within ±9999 are exact in f64.
    let whole = (moment.timestamp().as_second() + leap) as f64;
    Ok(Some(whole + fraction))
}

/// Formats seconds on the naive clock as `YYYY-MM-DDTHH:MM:SS` (jiff's calendar); seconds
/// beyond the years jiff knows (±9999) are written as they are.
pub(super) fn format_naive(seconds: f64) -> String {
    #[allow(clippy::cast_possible_truncation)] // Out-of-range values fail below, not here.
    let whole = seconds.floor() as i64;
    jiff::Timestamp::from_second(whole).map_or_else(
        |_| format!("{seconds} s"),
        |moment| {
            moment
                .to_zoned(TimeZone::UTC)
                .strftime("%Y-%m-%dT%H:%M:%S")
                .to_string()
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_in_every_shape_and_impossible_dates_are_refused() {
        let at = |text| parse_naive(text, Fraction::Decimal);
        let noon = at("2024-02-29 12:00:00").unwrap().unwrap();
        assert!((noon - 1_709_208_000.0).abs() < 1e-9, "{noon}");
        assert_eq!(at("2024/2/29 12:0:0.5").unwrap(), Some(noon + 0.5));
        assert_eq!(at("2024-02-29T12:00:00,25").unwrap(), Some(noon + 0.25));
        assert_eq!(
            parse_naive("2024-02-29 12:00:00.7", Fraction::Milliseconds).unwrap(),
            Some(noon + 0.007)
        );
        // A leap second is the second after :59.
        assert_eq!(
            at("2016-12-31 23:59:60").unwrap(),
            at("2017-01-01 00:00:00").unwrap()
        );
        // Not a timestamp at all: None, so a reader can try another reading.
        for text in [
            "",
            "12:00:00",
            "2024-02-29",
            "yesterday",
            "2024-02-29 12h00",
        ] {
            assert_eq!(at(text).unwrap(), None, "{text}");
        }
        // Shaped like one but impossible: refused with the value, never shifted.
        for text in [
            "2024-02-31 12:00:00",
            "2023-02-29 00:00:00",
            "2024-13-01 00:00:00",
            "2024-04-31 10:00:00",
            "2024-01-01 25:00:00",
            "2024-01-01 10:61:00",
        ] {
            let error = at(text).unwrap_err();
            assert!(error.contains(text), "{error}");
        }
        assert_eq!(day_start(2024, 2, 30), None);
        assert_eq!(day_start(1970, 1, 2), Some(86_400));
        assert_eq!(format_naive(noon + 0.9), "2024-02-29T12:00:00");
    }
}
