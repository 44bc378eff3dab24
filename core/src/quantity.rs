//! Numbers as people read them: the one formatter of the window, the command line's text and
//! the reports (JSON keeps every digit).
//!
//! - [`num`]: four significant digits, never fewer digits than the integer part has,
//!   thousands separated by commas (`136,510`, `0.01041`, `4,751,000`), scientific notation
//!   only where no prefix helps (`2.4e-7`);
//! - [`quantity`]: a value with its unit, rescaled within the unit's family so the number is
//!   between 1 and 1,000 where it can be (`0.0104 kWh` → `10.41 Wh`, `4.751e6 MJ` → `4.751 TJ`,
//!   `2.4e-6 kgCO2e` → `2.4 mgCO2e`);
//! - [`interval`]: `[low to high]`, since commas now separate thousands.

/// A number with four significant digits and thousands separators (see the module).
pub fn num(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    if !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor();
    if !(-4.0..15.0).contains(&magnitude) {
        return scientific(value);
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let decimals = (3.0 - magnitude).max(0.0) as usize;
    let text = format!("{:.decimals$}", value.abs());
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    for (at, digit) in whole.chars().enumerate() {
        if at > 0 && (whole.len() - at) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `2.4e-7`, `1.235e15`: the mantissa with four significant digits, trailing zeros dropped.
fn scientific(value: f64) -> String {
    let text = format!("{value:.3e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        _ => text,
    }
}

/// The members of a unit family, smallest first, with their size in the family's base unit.
const FAMILIES: &[&[(&str, f64)]] = &[
    &[
        ("mWh", 1e-3),
        ("Wh", 1.0),
        ("kWh", 1e3),
        ("MWh", 1e6),
        ("GWh", 1e9),
        ("TWh", 1e12),
    ],
    &[
        ("mgCO2e", 1e-3),
        ("gCO2e", 1.0),
        ("kgCO2e", 1e3),
        ("tCO2e", 1e6),
        ("ktCO2e", 1e9),
        ("MtCO2e", 1e12),
    ],
    &[
        ("mg CO2e", 1e-3),
        ("g CO2e", 1.0),
        ("kg CO2e", 1e3),
        ("t CO2e", 1e6),
        ("kt CO2e", 1e9),
        ("Mt CO2e", 1e12),
    ],
    &[
        ("mg", 1e-3),
        ("g", 1.0),
        ("kg", 1e3),
        ("t", 1e6),
        ("kt", 1e9),
    ],
    &[
        ("J", 1.0),
        ("kJ", 1e3),
        ("MJ", 1e6),
        ("GJ", 1e9),
        ("TJ", 1e12),
        ("PJ", 1e15),
    ],
    &[("mL", 1e-3), ("L", 1.0), ("m³", 1e3)],
    &[("mW", 1e-3), ("W", 1.0), ("kW", 1e3), ("MW", 1e6)],
];

/// kWh in one of an energy unit, read from the unit families above (`MWh` → 1000,
/// `MJ` → 1/3.6); an empty unit is kWh. `None` for a unit that is not energy.
pub fn kwh_per(unit: &str) -> Option<f64> {
    const JOULES_PER_KWH: f64 = 3.6e6;
    let unit = unit.trim();
    if unit.is_empty() {
        return Some(1.0);
    }
    let size_in = |base: &str| {
        FAMILIES
            .iter()
            .find(|family| family.iter().any(|(name, _)| *name == base))
            .and_then(|family| family.iter().find(|(name, _)| *name == unit))
            .map(|(_, size)| *size)
    };
    // The Wh family counts in Wh, the J family in J.
    size_in("kWh")
        .map(|wh| wh / 1e3)
        .or_else(|| size_in("J").map(|joules| joules / JOULES_PER_KWH))
}

/// A value with its unit, rescaled within the unit's family (see the module); a unit of no
/// family (`gCO2e/kWh`, `%`, `h`) keeps the value as it is.
pub fn quantity(value: f64, unit: &str) -> String {
    let (scaled, name) = scale(value, unit);
    format!("{} {name}", num(scaled))
}

/// The value rescaled within its unit's family, and the unit it is then in.
pub fn scale(value: f64, unit: &str) -> (f64, &str) {
    let family = FAMILIES.iter().find_map(|family| {
        family
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, size)| (family, *size))
    });
    let Some((family, size)) = family else {
        return (value, unit);
    };
    let base = value * size;
    if base == 0.0 || !base.is_finite() {
        return (value, unit);
    }
    // The largest member the value is at least one of; the smallest when it is below all.
    let (name, size) = family
        .iter()
        .rev()
        .find(|(_, size)| base.abs() >= *size)
        .or_else(|| family.first())
        .copied()
        .unwrap_or((unit, size));
    (base / size, name)
}

/// `low–high unit`, in the unit `like` is said in (a range beside its central value).
pub fn range(low: f64, high: f64, like: f64, unit: &str) -> String {
    let (scaled, name) = scale(like, unit);
    let factor = if like == 0.0 { 1.0 } else { scaled / like };
    format!("{}–{} {name}", num(low * factor), num(high * factor))
}

/// `[low to high]`.
pub fn interval(low: f64, high: f64) -> String {
    format!("[{} to {}]", num(low), num(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits_and_separate_thousands() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(136_510.0), "136,510");
        assert_eq!(num(-700_969.4), "-700,969");
        assert_eq!(num(4_751_000.0), "4,751,000");
        assert_eq!(num(0.010_41), "0.01041");
        assert_eq!(num(0.000_431), "0.000431");
        assert_eq!(num(2.4e-6), "2.4e-6");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(999.96), "1,000");
        assert_eq!(num(-0.000_04), "-4e-5");
        assert_eq!(num(1.234_56e16), "1.235e16");
        assert_eq!(num(f64::NAN), "NaN");
    }

    #[test]
    fn quantities_take_the_prefix_that_keeps_the_number_readable() {
        assert_eq!(quantity(0.000_431, "kWh"), "431 mWh");
        assert_eq!(quantity(0.010_41, "kWh"), "10.41 Wh");
        assert_eq!(quantity(496.0, "kWh"), "496 kWh");
        assert_eq!(quantity(682_200.0, "kWh"), "682.2 MWh");
        assert_eq!(quantity(4.751e6, "MJ"), "4.751 TJ");
        assert_eq!(quantity(2.4e-6, "kgCO2e"), "2.4 mgCO2e");
        assert_eq!(quantity(171.6, "kgCO2e"), "171.6 kgCO2e");
        assert_eq!(quantity(136_510.0, "kgCO2e"), "136.5 tCO2e");
        assert_eq!(quantity(0.3, "L"), "300 mL");
        assert_eq!(quantity(-20_268.0, "kg CO2e"), "-20.27 t CO2e");
        // Below the smallest member: that member.
        assert_eq!(quantity(1e-9, "kWh"), "0.001 mWh");
        // Units of no family, and zero, are left as they are.
        assert_eq!(quantity(384.2, "gCO2e/kWh"), "384.2 gCO2e/kWh");
        assert_eq!(quantity(0.0, "kWh"), "0 kWh");
        // Energy units as kWh, for scenario lines.
        assert_eq!(kwh_per("MWh"), Some(1000.0));
        assert_eq!(kwh_per("Wh"), Some(0.001));
        assert_eq!(kwh_per(""), Some(1.0));
        assert!((kwh_per("MJ").unwrap() - 1.0 / 3.6).abs() < 1e-15);
        assert_eq!(kwh_per("kg"), None);
        assert_eq!(interval(-36_632.0, -11_791.0), "[-36,632 to -11,791]");
        assert_eq!(range(0.0064, 0.0091, 0.007_711, "kgCO2e"), "6.4–9.1 gCO2e");
    }
}
