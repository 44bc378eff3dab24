//! Workshops kept in the project (`workshop` table), one JSON document each, by name.

use rusqlite::{OptionalExtension, params};

use super::{Project, now, query_all};
use crate::error::{Result, SqlContext};
use crate::workshop::Workshop;

impl Project {
    /// Saves a workshop, replacing the one of the same name, in one transaction.
    pub fn save_workshop(&mut self, workshop: &Workshop) -> Result<()> {
        workshop.check()?;
        let at = now().to_string();
        let tx = self
            .conn
            .transaction()
            .context("starting to save a workshop")?;
        tx.execute(
            "INSERT INTO workshop (name, content, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
            params![workshop.name, workshop.json(), at],
        )
        .context("saving a workshop")?;
        tx.commit().context("committing a workshop")
    }

    /// The project's workshops, by name.
    pub fn workshops(&self) -> Result<Vec<Workshop>> {
        let texts: Vec<String> = query_all(
            &self.conn,
            "SELECT content FROM workshop ORDER BY name",
            [],
            "listing workshops",
            |row| row.get(0),
        )?;
        texts.iter().map(|t| Workshop::from_json(t)).collect()
    }

    /// One workshop by name.
    pub fn workshop(&self, name: &str) -> Result<Option<Workshop>> {
        self.conn
            .query_row(
                "SELECT content FROM workshop WHERE name = ?1",
                [name],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .context("reading a workshop")?
            .map(|t| Workshop::from_json(&t))
            .transpose()
    }

    /// Deletes a workshop; whether there was one.
    pub fn delete_workshop(&mut self, name: &str) -> Result<bool> {
        let n = self
            .conn
            .execute("DELETE FROM workshop WHERE name = ?1", [name])
            .context("deleting a workshop")?;
        Ok(n > 0)
    }
}
