//! Uncertain numbers: a value that is either fixed or a probability distribution, written the
//! way people write them in scenario files (`0.61`, `triangular(150, 300, 600)`).
//!
//! The five distributions follow olca-schema / `stats_arrays`: fixed, uniform(min, max),
//! triangular(min, mode, max), normal(mean, sd), lognormal(median, sigma) where sigma is the
//! standard deviation of ln(x) (geometric SD = e^sigma).

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use rand_distr::{Distribution as _, LogNormal, Normal, Triangular, Uniform};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result};

/// An uncertain number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// A fixed value.
    Fixed(f64),
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal, by its median and the standard deviation of its logarithm.
    Lognormal {
        /// Median (= geometric mean).
        median: f64,
        /// Standard deviation of ln(x).
        sigma: f64,
    },
}

impl Distribution {
    /// The representative value: the fixed value, the mode of a triangle, the middle of a
    /// uniform, the mean of a normal, the median of a lognormal.
    pub fn central(&self) -> f64 {
        match *self {
            Self::Fixed(value) => value,
            Self::Uniform { min, max } => f64::midpoint(min, max),
            Self::Triangular { mode, .. } => mode,
            Self::Normal { mean, .. } => mean,
            Self::Lognormal { median, .. } => median,
        }
    }

    /// True when the value is not uncertain.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Self::Fixed(_))
    }

    /// The 5 % and 95 % quantiles (the bounds of a uniform or triangle, ±1.645 σ otherwise),
    /// used for one-at-a-time sensitivity.
    pub fn low_high(&self) -> (f64, f64) {
        const Z95: f64 = 1.644_853_626_951_472_2;
        match *self {
            Self::Fixed(value) => (value, value),
            Self::Uniform { min, max } => (min + 0.05 * (max - min), max - 0.05 * (max - min)),
            Self::Triangular { min, mode, max } => {
                let quantile = |p: f64| {
                    let cut = (mode - min) / (max - min);
                    if p < cut {
                        min + (p * (max - min) * (mode - min)).sqrt()
                    } else {
                        max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                    }
                };
                if max > min {
                    (quantile(0.05), quantile(0.95))
                } else {
                    (mode, mode)
                }
            }
            Self::Normal { mean, sd } => (mean - Z95 * sd, mean + Z95 * sd),
            Self::Lognormal { median, sigma } => {
                (median * (-Z95 * sigma).exp(), median * (Z95 * sigma).exp())
            }
        }
    }

    /// A sampler for this distribution (checked when parsed, so it cannot fail here).
    pub fn sampler(&self) -> Sampler {
        match *self {
            Self::Fixed(value) => Sampler::Fixed(value),
            Self::Uniform { min, max } => {
                Uniform::new_inclusive(min, max).map_or(Sampler::Fixed(min), Sampler::Uniform)
            }
            Self::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).map_or(Sampler::Fixed(mode), Sampler::Triangular)
            }
            Self::Normal { mean, sd } => {
                Normal::new(mean, sd).map_or(Sampler::Fixed(mean), Sampler::Normal)
            }
            Self::Lognormal { median, sigma } => LogNormal::new(median.abs().ln(), sigma)
                .map_or(Sampler::Fixed(median), |d| {
                    Sampler::Lognormal(d, median.signum())
                }),
        }
    }

    fn check(self, text: &str) -> Result<Self> {
        let bad = |expected: &str| Err(Error::invalid("distribution", text, expected));
        let finite = |values: &[f64]| values.iter().all(|v| v.is_finite());
        match self {
            Self::Fixed(v) if !finite(&[v]) => bad("a finite number"),
            Self::Uniform { min, max } if !finite(&[min, max]) || min > max => {
                bad("uniform(min, max) with min ≤ max")
            }
            Self::Triangular { min, mode, max }
                if !(finite(&[min, mode, max]) && min <= mode && mode <= max) =>
            {
                bad("triangular(min, mode, max) with min ≤ mode ≤ max")
            }
            Self::Normal { mean, sd } if !finite(&[mean, sd]) || sd < 0.0 => {
                bad("normal(mean, sd) with sd ≥ 0")
            }
            Self::Lognormal { median, sigma }
                if !finite(&[median, sigma]) || median == 0.0 || sigma < 0.0 =>
            {
                bad(
                    "lognormal(median, sigma) with median ≠ 0 and sigma ≥ 0 (a negative median is a credit)",
                )
            }
            other => Ok(other),
        }
    }
}

/// Draws from one distribution.
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    /// Always the same value.
    Fixed(f64),
    /// Uniform.
    Uniform(Uniform<f64>),
    /// Triangular.
    Triangular(Triangular<f64>),
    /// Normal.
    Normal(Normal<f64>),
    /// Lognormal, with the sign of the median (credits are negative).
    Lognormal(LogNormal<f64>, f64),
}

impl Sampler {
    /// One draw.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Self::Fixed(value) => *value,
            Self::Uniform(d) => d.sample(rng),
            Self::Triangular(d) => d.sample(rng),
            Self::Normal(d) => d.sample(rng),
            Self::Lognormal(d, sign) => sign * d.sample(rng),
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(value) => write!(f, "{value}"),
            Self::Uniform { min, max } => write!(f, "uniform({min}, {max})"),
            Self::Triangular { min, mode, max } => write!(f, "triangular({min}, {mode}, {max})"),
            Self::Normal { mean, sd } => write!(f, "normal({mean}, {sd})"),
            Self::Lognormal { median, sigma } => write!(f, "lognormal({median}, {sigma})"),
        }
    }
}

impl FromStr for Distribution {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        let expected = "a number or fixed(v), uniform(min, max), triangular(min, mode, max), normal(mean, sd), lognormal(median, sigma)";
        if let Ok(value) = trimmed.parse::<f64>() {
            return Self::Fixed(value).check(text);
        }
        let Some((name, rest)) = trimmed.split_once('(') else {
            return Err(Error::invalid("distribution", text, expected));
        };
        let Some(arguments) = rest.trim_end().strip_suffix(')') else {
            return Err(Error::invalid(
                "distribution",
                text,
                "a closing parenthesis",
            ));
        };
        let mut values = Vec::new();
        for argument in arguments.split(',') {
            match argument.trim().parse::<f64>() {
                Ok(value) => values.push(value),
                Err(_) => {
                    return Err(Error::invalid(
                        "distribution",
                        text,
                        format!(
                            "numbers between the parentheses; {:?} is not one",
                            argument.trim()
                        ),
                    ));
                }
            }
        }
        let distribution = match (name.trim().to_ascii_lowercase().as_str(), values.as_slice()) {
            ("fixed", [v]) => Self::Fixed(*v),
            ("uniform", [min, max]) => Self::Uniform {
                min: *min,
                max: *max,
            },
            ("triangular", [min, mode, max]) => Self::Triangular {
                min: *min,
                mode: *mode,
                max: *max,
            },
            ("normal", [mean, sd]) => Self::Normal {
                mean: *mean,
                sd: *sd,
            },
            ("lognormal", [median, sigma]) => Self::Lognormal {
                median: *median,
                sigma: *sigma,
            },
            _ => return Err(Error::invalid("distribution", text, expected)),
        };
        distribution.check(text)
    }
}

impl Serialize for Distribution {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Fixed(value) => serializer.serialize_f64(*value),
            other => serializer.serialize_str(&other.to_string()),
        }
    }
}

/// A number or a text, as a TOML or JSON value holding an uncertain number is written.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Scalar {
    /// A float.
    Number(f64),
    /// An integer.
    Integer(i64),
    /// A text (`triangular(1, 2, 3)`, `$name` …).
    Text(String),
}

impl Scalar {
    /// The number, or the text when it is one.
    pub(crate) fn number_or_text(self) -> std::result::Result<f64, String> {
        match self {
            Self::Number(value) => Ok(value),
            #[allow(clippy::cast_precision_loss)] // Integers in scenario files are far below 2^53.
            Self::Integer(value) => Ok(value as f64),
            Self::Text(text) => Err(text),
        }
    }
}

impl<'de> Deserialize<'de> for Distribution {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match Scalar::deserialize(deserializer)?.number_or_text() {
            Ok(value) => Ok(Self::Fixed(value)),
            Err(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    #[test]
    fn parses_prints_and_refuses() {
        for text in [
            "0.61",
            "uniform(3, 6)",
            "triangular(150, 300, 600)",
            "normal(1, 0.1)",
            "lognormal(1200, 0.5)",
        ] {
            let d: Distribution = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
        }
        assert_eq!(
            "triangular(1,2,3)"
                .parse::<Distribution>()
                .unwrap()
                .central(),
            2.0
        );
        let error = "triangular(3, 2, 1)"
            .parse::<Distribution>()
            .unwrap_err()
            .to_string();
        assert!(error.contains("min ≤ mode ≤ max"), "{error}");
        let error = "gamma(1, 2)"
            .parse::<Distribution>()
            .unwrap_err()
            .to_string();
        assert!(error.contains("uniform(min, max)"), "{error}");
        let error = "normal(1, x)"
            .parse::<Distribution>()
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"x\" is not one"), "{error}");
    }

    #[test]
    fn samples_have_the_moments_they_should() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        let mean = |d: Distribution, rng: &mut Xoshiro256PlusPlus| {
            let s = d.sampler();
            (0..n).map(|_| s.draw(rng)).sum::<f64>() / f64::from(n)
        };
        assert!((mean("uniform(2, 4)".parse().unwrap(), &mut rng) - 3.0).abs() < 0.01);
        assert!((mean("triangular(0, 3, 6)".parse().unwrap(), &mut rng) - 3.0).abs() < 0.02);
        // Lognormal mean = median × e^(σ²/2).
        let expected = 100.0 * (0.5_f64 * 0.5 / 2.0).exp();
        assert!((mean("lognormal(100, 0.5)".parse().unwrap(), &mut rng) - expected).abs() < 0.5);
        assert!((mean("lognormal(-100, 0.5)".parse().unwrap(), &mut rng) + expected).abs() < 0.5);
        let (low, high) = "normal(10, 1)".parse::<Distribution>().unwrap().low_high();
        assert!((low - 8.355).abs() < 1e-3 && (high - 11.645).abs() < 1e-3);
        let (low, high) = "triangular(0, 0, 1)"
            .parse::<Distribution>()
            .unwrap()
            .low_high();
        assert!(
            (low - (1.0 - 0.95_f64.sqrt())).abs() < 1e-12
                && (high - (1.0 - 0.05_f64.sqrt())).abs() < 1e-12
        );
    }
}
