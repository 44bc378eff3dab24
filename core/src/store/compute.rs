//! The review's own computing: what ecolens spent ranking screening queues, kept so that the
//! review can tell its screening energy (the CPU time here; the energy from it is estimated by
//! the caller with the shipped power tables).

use rusqlite::params;

use super::{Column, Project, now};
use crate::error::{Result, SqlContext as _};
use crate::ids::ReviewerId;

/// Computing of one kind, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeTotal {
    /// What was computed ("ranking").
    pub activity: String,
    /// How many times.
    pub runs: u64,
    /// CPU time, in seconds.
    pub cpu_seconds: f64,
    /// The first and the last time (RFC 3339).
    pub first_at: String,
    /// The last time (RFC 3339).
    pub last_at: String,
}

impl Project {
    /// Notes `cpu_seconds` of computing for `activity`, on behalf of `reviewer` when one is
    /// known. One insert: it is its own transaction, and it changes no judgement, so it is not
    /// audited and never undone.
    pub fn record_compute(
        &self,
        reviewer: Option<ReviewerId>,
        activity: &str,
        cpu_seconds: f64,
    ) -> Result<()> {
        let seconds = if cpu_seconds.is_finite() {
            cpu_seconds.max(0.0)
        } else {
            0.0
        };
        self.conn
            .execute(
                "INSERT INTO compute_log (at, reviewer_id, activity, cpu_seconds)
                 VALUES (?1, ?2, ?3, ?4)",
                params![now().to_string(), reviewer.map(|r| r.0), activity, seconds],
            )
            .context("noting the review's computing")?;
        Ok(())
    }

    /// The review's computing, summed per activity (alphabetical).
    pub fn compute_totals(&self) -> Result<Vec<ComputeTotal>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT activity, count(*), total(cpu_seconds), min(at), max(at)
                 FROM compute_log GROUP BY activity ORDER BY activity",
            )
            .context("reading the review's computing")?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, f64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .context("reading the review's computing")?;
        let mut totals = Vec::new();
        for row in rows {
            let (activity, runs, cpu_seconds, first_at, last_at) =
                row.context("reading the review's computing")?;
            totals.push(ComputeTotal {
                runs: u64::try_from(runs).map_err(|_| {
                    Column::at("compute_log", "count", 0).corrupt(format!("{runs} runs"))
                })?,
                activity,
                cpu_seconds,
                first_at,
                last_at,
            });
        }
        Ok(totals)
    }
}
