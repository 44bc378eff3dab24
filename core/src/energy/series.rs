//! Power samples → energy (trapezoid, rule 5), gap detection, and power lines for plots.

use serde::{Deserialize, Serialize};

use super::Component;

/// Points kept per plotted line; longer series are averaged into this many time bins.
pub const PLOT_POINTS: usize = PLOT_BINS as usize;

/// [`PLOT_POINTS`] as the bin arithmetic counts them.
const PLOT_BINS: u32 = 1_000;

/// Power of one component over time, for plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerLine {
    /// The component.
    pub component: Component,
    /// `[seconds since the trace's first sample, power in W]`.
    pub points: Vec<[f64; 2]>,
}

/// What integrating a power series gave.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Integration {
    /// Energy, J.
    pub joules: f64,
    /// First to last sample, s.
    pub duration_s: f64,
    /// Samples used.
    pub samples: usize,
    /// Intervals longer than the gap threshold (5 × the median interval, at least median + 2 s).
    pub gaps: usize,
    /// The longest interval, s.
    pub longest_gap_s: f64,
    /// Samples dropped because their time went backwards.
    pub backwards: usize,
    /// Time of the first sample (naive seconds).
    pub first_s: f64,
}

impl Integration {
    /// Warnings a user should read, naming `what` was integrated.
    pub fn warnings(&self, what: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.gaps > 0 {
            warnings.push(format!(
                "{what}: {} gap(s) in the samples (longest {:.1} s); power is interpolated linearly across them",
                self.gaps, self.longest_gap_s
            ));
        }
        if self.backwards > 0 {
            warnings.push(format!(
                "{what}: {} sample(s) whose time goes backwards were dropped",
                self.backwards
            ));
        }
        if self.samples == 1 {
            warnings.push(format!(
                "{what}: a single sample, no interval to integrate (energy 0)"
            ));
        }
        warnings
    }
}

/// Median interval of the first 100,000 steps of `times` (sorted enough for gap detection).
fn median_step(times: impl Iterator<Item = f64>) -> f64 {
    let mut steps: Vec<f64> = Vec::new();
    let mut previous: Option<f64> = None;
    for t in times.take(100_001) {
        if let Some(p) = previous
            && t > p
        {
            steps.push(t - p);
        }
        previous = Some(t);
    }
    if steps.is_empty() {
        return 0.0;
    }
    let middle = steps.len() / 2;
    let (_, median, _) = steps.select_nth_unstable_by(middle, f64::total_cmp);
    *median
}

/// Integrates `(time s, power W)` samples with the trapezoid rule.
pub fn integrate(samples: &[(f64, f64)]) -> Integration {
    let mut result = Integration {
        samples: samples.len(),
        first_s: samples.first().map_or(0.0, |s| s.0),
        ..Integration::default()
    };
    if samples.len() < 2 {
        return result;
    }
    let median = median_step(samples.iter().map(|s| s.0));
    let threshold = (5.0 * median).max(median + 2.0);
    let mut previous = samples[0];
    for &sample in &samples[1..] {
        let dt = sample.0 - previous.0;
        if dt < 0.0 {
            result.backwards += 1;
            result.samples -= 1;
            continue;
        }
        if dt > threshold {
            result.gaps += 1;
        }
        result.longest_gap_s = result.longest_gap_s.max(dt);
        result.joules += 0.5 * (sample.1 + previous.1) * dt;
        result.duration_s += dt;
        previous = sample;
    }
    result
}

/// Mean power per time bin, over a fixed grid, so lines of several devices can be summed.
#[derive(Debug, Clone)]
pub(super) struct Bins {
    start: f64,
    width: f64,
    sums: Vec<f64>,
    counts: Vec<u32>,
}

impl Bins {
    /// A grid from `start` to `end` (naive seconds).
    pub(super) fn new(start: f64, end: f64) -> Self {
        let span = (end - start).max(1e-9);
        Self {
            start,
            width: span / f64::from(PLOT_BINS),
            sums: vec![0.0; PLOT_POINTS],
            counts: vec![0; PLOT_POINTS],
        }
    }

    /// Adds one sample.
    pub(super) fn add(&mut self, t: f64, power_w: f64) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Clamped below.
        let index = (((t - self.start) / self.width).max(0.0) as usize).min(PLOT_POINTS - 1);
        self.sums[index] += power_w;
        self.counts[index] += 1;
    }

    /// Mean power per non-empty bin.
    fn means(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.sums
            .iter()
            .zip(&self.counts)
            .enumerate()
            .filter(|(_, (_, count))| **count > 0)
            .map(|(i, (sum, count))| (i, sum / f64::from(*count)))
    }

    /// The line of one device.
    pub(super) fn line(&self, component: Component) -> PowerLine {
        Self::sum_line(std::slice::from_ref(self), component)
    }

    /// The line of several devices on the same grid: per bin, the sum of each device's mean
    /// (a bin where some device has no sample keeps that device's last mean).
    pub(super) fn sum_line(devices: &[Self], component: Component) -> PowerLine {
        let Some(first) = devices.first() else {
            return PowerLine {
                component,
                points: Vec::new(),
            };
        };
        let mut totals = vec![f64::NAN; PLOT_POINTS];
        for device in devices {
            let mut last = f64::NAN;
            let means: Vec<(usize, f64)> = device.means().collect();
            let mut next = means.iter().peekable();
            for (i, total) in totals.iter_mut().enumerate() {
                if let Some(&&(index, mean)) = next.peek()
                    && index == i
                {
                    last = mean;
                    next.next();
                }
                if last.is_nan() {
                    continue;
                }
                *total = if total.is_nan() { last } else { *total + last };
            }
        }
        let points = (0..PLOT_BINS)
            .zip(&totals)
            .filter(|&(i, total)| {
                !total.is_nan() && devices.iter().any(|d| d.counts[i as usize] > 0)
            })
            .map(|(i, total)| [(f64::from(i) + 0.5) * first.width, *total])
            .collect();
        PowerLine { component, points }
    }
}

/// One plot line straight from samples.
pub(super) fn line_of(component: Component, samples: &[(f64, f64)]) -> Option<PowerLine> {
    let (first, last) = (samples.first()?, samples.last()?);
    if samples.len() <= PLOT_POINTS {
        let points = samples.iter().map(|&(t, w)| [t - first.0, w]).collect();
        return Some(PowerLine { component, points });
    }
    let mut bins = Bins::new(first.0, last.0);
    for &(t, w) in samples {
        bins.add(t, w);
    }
    Some(bins.line(component))
}
