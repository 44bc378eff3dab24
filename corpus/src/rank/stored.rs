//! Features kept on disk beside the project (`<project>.features`), so that opening a large
//! project does not build them again: 0.05–0.08 s to read against 4.2–4.9 s to build at
//! 100,000 records (`ecolens bench-phase screening`). Derived data like the search index: a
//! file that is missing, from another version of the records, or damaged is simply built
//! again.
//!
//! Written by hand, not with serde: the file is a few large arrays of numbers, read back with
//! one read per array; a general-purpose format would visit each number on its own.
//!
//! Layout, little-endian: the magic `ECOLENS-FEATURES` and the format's version (u32); the
//! version of the records they were built from (u32 length, UTF-8) and their ids (u64 count,
//! i64 each); the options (three bytes, f64); the terms (u64) and the terms left out (u64);
//! the rows (u64 count; each three u32, block, start and end, and the f64 scale); the blocks
//! (u64 count; each a u64 length, that many u32 entries, a u64 count of large counts and
//! that many pairs of u32, position and count); each term's idf (f64).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::features::{
    Block, COLUMN_BITS, COLUMN_MASK, FeatureOptions, Features, LARGE_COUNT, RowAt,
};
use crate::{Error, Result};

const MAGIC: &[u8; 16] = b"ECOLENS-FEATURES";
/// The layout's version, and the meaning of a term: it changes whenever the file's layout or
/// how words become terms (tokens, pairs, hashes) changes, so that an older file is built
/// again rather than read as if it held today's terms.
const FORMAT: u32 = 2;

/// Features as kept on disk: the version of the records they were built from and the ids of
/// those records, in row order.
#[derive(Debug)]
pub struct StoredFeatures {
    /// The records' version (the store's own token for "these records, as they are now").
    pub version: String,
    /// The record of each row.
    pub ids: Vec<i64>,
    /// The features.
    pub features: Features,
}

/// The features file of a project file: `<file>.features` beside it.
pub fn path_for(project_file: &Path) -> PathBuf {
    let mut name = project_file.file_name().unwrap_or_default().to_os_string();
    name.push(".features");
    project_file.with_file_name(name)
}

/// Writes a features file whole (see [`StoredFeatures`]), as every file ecolens writes:
/// through a temporary file renamed into place ([`crate::export::write_atomically`]), so that
/// a reader never sees half of one.
pub fn write(path: &Path, version: &str, ids: &[i64], features: &Features) -> Result<()> {
    crate::export::write_atomically(path, |out| {
        write_to(out, version, ids, features).map_err(|source| Error::Io {
            action: "cannot write",
            path: path.to_owned(),
            source,
        })
    })
}

impl StoredFeatures {
    /// Reads a features file. `Ok(None)` when there is none; an error when it is damaged or
    /// of another format (the caller builds the features again either way).
    pub fn read(path: &Path) -> Result<Option<Self>> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error::Io {
                    action: "cannot open",
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let mut input = std::io::BufReader::with_capacity(1 << 20, file);
        Self::read_from(&mut input)
            .map(Some)
            .map_err(|source| Error::Io {
                action: "cannot read the features in",
                path: path.to_owned(),
                source,
            })
    }

    fn read_from(input: &mut impl Read) -> std::io::Result<Self> {
        let damaged = |what: &str| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not a features file of this ecolens: {what}"),
            )
        };
        let mut magic = [0u8; 16];
        input.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(damaged("no ECOLENS-FEATURES at its start"));
        }
        if read_u32(input)? != FORMAT {
            return Err(damaged("another format version"));
        }
        let length = read_u32(input)? as usize;
        let mut version = vec![0u8; length.min(1 << 16)];
        input.read_exact(&mut version)?;
        let version = String::from_utf8(version).map_err(|_| damaged("version not UTF-8"))?;
        let records = read_len(input)?;
        let ids: Vec<i64> = read_array(input, records, i64::from_le_bytes)?;
        let mut flags = [0u8; 3];
        input.read_exact(&mut flags)?;
        let options = FeatureOptions {
            word_pairs: flags[0] != 0,
            sublinear_tf: flags[1] != 0,
            drop_function_words: flags[2] != 0,
            max_document_share: f64::from_le_bytes(read_bytes(input)?),
        };
        let terms = read_len(input)?;
        let left_out = u64::from_le_bytes(read_bytes(input)?);
        let row_count = read_len(input)?;
        if row_count != records {
            return Err(damaged("rows and records differ in number"));
        }
        let flat: Vec<[u8; 20]> = read_array(input, row_count, |bytes| bytes)?;
        let mut rows = Vec::with_capacity(flat.len());
        for r in &flat {
            let number = |at: usize| u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]]);
            let mut scale = [0u8; 8];
            scale.copy_from_slice(&r[12..]);
            let scale = f64::from_le_bytes(scale);
            if !(scale.is_finite() && scale >= 0.0) {
                return Err(damaged("a row's scale is not a length"));
            }
            rows.push(RowAt {
                block: number(0),
                start: number(4),
                end: number(8),
                scale,
            });
        }
        drop(flat);
        let block_count = read_len(input)?;
        let mut blocks = Vec::with_capacity(block_count.min(1 << 16));
        for _ in 0..block_count {
            let len = read_len(input)?;
            let entries: Vec<u32> = read_array(input, len, u32::from_le_bytes)?;
            let large_count = read_len(input)?;
            let large: Vec<(u32, u32)> = read_array(input, large_count, |b: [u8; 8]| {
                (
                    u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                    u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                )
            })?;
            check_block(&entries, &large, terms).map_err(damaged)?;
            blocks.push(Block { entries, large });
        }
        for row in &rows {
            let fits = blocks
                .get(row.block as usize)
                .is_some_and(|b| row.start <= row.end && row.end as usize <= b.entries.len());
            if !fits {
                return Err(damaged("a row outside its block"));
            }
        }
        let idf: Vec<f64> = read_array(input, terms, f64::from_le_bytes)?;
        if idf.iter().any(|idf| !(idf.is_finite() && *idf >= 1.0)) {
            return Err(damaged("an idf below 1"));
        }
        Ok(StoredFeatures {
            version,
            ids,
            features: Features::from_parts(options, rows, blocks, idf, left_out),
        })
    }
}

/// Whether a block's entries and large counts hold together: every column below `terms`,
/// no count of 0, and a large count for exactly the entries that say so, in order.
fn check_block(entries: &[u32], large: &[(u32, u32)], terms: usize) -> Result<(), &'static str> {
    let mut next_large = large.iter();
    for (at, entry) in entries.iter().enumerate() {
        if (entry & COLUMN_MASK) as usize >= terms {
            return Err("a column beyond the terms");
        }
        match entry >> COLUMN_BITS {
            0 => return Err("a term counted 0 times"),
            LARGE_COUNT => match next_large.next() {
                Some((position, count)) if *position as usize == at && *count >= LARGE_COUNT => {}
                _ => return Err("a large count out of place"),
            },
            _ => {}
        }
    }
    if next_large.next().is_some() {
        return Err("a large count of no entry");
    }
    Ok(())
}

fn write_to(
    out: &mut dyn Write,
    version: &str,
    ids: &[i64],
    features: &Features,
) -> std::io::Result<()> {
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT.to_le_bytes())?;
    let version = version.as_bytes();
    out.write_all(&u32::try_from(version.len()).unwrap_or(0).to_le_bytes())?;
    out.write_all(version)?;
    write_len(out, ids.len())?;
    for id in ids {
        out.write_all(&id.to_le_bytes())?;
    }
    let f = features;
    let o = &f.options;
    out.write_all(&[
        u8::from(o.word_pairs),
        u8::from(o.sublinear_tf),
        u8::from(o.drop_function_words),
    ])?;
    out.write_all(&o.max_document_share.to_le_bytes())?;
    write_len(out, f.terms())?;
    out.write_all(&f.left_out.to_le_bytes())?;
    write_len(out, f.rows.len())?;
    for row in &f.rows {
        for n in [row.block, row.start, row.end] {
            out.write_all(&n.to_le_bytes())?;
        }
        out.write_all(&row.scale.to_le_bytes())?;
    }
    write_len(out, f.blocks.len())?;
    let mut bytes = Vec::new();
    for block in &f.blocks {
        write_len(out, block.entries.len())?;
        bytes.clear();
        bytes.extend(block.entries.iter().flat_map(|e| e.to_le_bytes()));
        out.write_all(&bytes)?;
        write_len(out, block.large.len())?;
        for (position, count) in &block.large {
            out.write_all(&position.to_le_bytes())?;
            out.write_all(&count.to_le_bytes())?;
        }
    }
    bytes.clear();
    bytes.extend(f.idf.iter().flat_map(|idf| idf.to_le_bytes()));
    out.write_all(&bytes)?;
    Ok(())
}

fn write_len(out: &mut dyn Write, n: usize) -> std::io::Result<()> {
    out.write_all(&(n as u64).to_le_bytes())
}

fn read_bytes<const N: usize>(input: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    Ok(u32::from_le_bytes(read_bytes(input)?))
}

fn read_len(input: &mut impl Read) -> std::io::Result<usize> {
    usize::try_from(u64::from_le_bytes(read_bytes(input)?))
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "a length beyond memory"))
}

/// Reads `count` numbers of `N` bytes each, in chunks so that a damaged length cannot make
/// it allocate more than the file holds.
fn read_array<T, const N: usize>(
    input: &mut impl Read,
    count: usize,
    decode: fn([u8; N]) -> T,
) -> std::io::Result<Vec<T>> {
    const CHUNK: usize = 1 << 18;
    let mut values = Vec::with_capacity(count.min(CHUNK));
    let mut bytes = vec![0u8; CHUNK.min(count) * N];
    let mut left = count;
    while left > 0 {
        let take = left.min(CHUNK);
        let slice = &mut bytes[..take * N];
        input.read_exact(slice)?;
        values.extend(slice.chunks_exact(N).map(|c| {
            let mut one = [0u8; N];
            one.copy_from_slice(c);
            decode(one)
        }));
        left -= take;
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::super::features::RecordText;
    use super::*;

    fn features() -> Features {
        let titles: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    "energy of model {} training run {i} in region {}",
                    i % 7,
                    i % 5
                )
            })
            .collect();
        let mut builder = super::super::features::FeatureBuilder::new(&FeatureOptions::default());
        builder.block_entries = 64;
        for t in &titles {
            builder.add(&RecordText {
                title: t,
                abstract_text: None,
                keywords: &[],
            });
        }
        builder.finish()
    }

    #[test]
    fn features_read_back_equal_what_was_written_and_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("review.ecolens"));
        assert_eq!(path.file_name().unwrap(), "review.ecolens.features");
        assert!(StoredFeatures::read(&path).unwrap().is_none());
        let stored = StoredFeatures {
            version: "v42".to_owned(),
            ids: (1..=300).collect(),
            features: features(),
        };
        assert!(stored.features.blocks.len() > 10);
        write(&path, &stored.version, &stored.ids, &stored.features).unwrap();
        let back = StoredFeatures::read(&path).unwrap().unwrap();
        assert_eq!(back.version, "v42");
        assert_eq!(back.ids, stored.ids);
        assert_eq!(back.features, stored.features);
        // Cut short, or a byte changed in a column: refused, never a panic.
        let bytes = std::fs::read(&path).unwrap();
        for cut in [3, 20, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert!(StoredFeatures::read(&path).is_err(), "cut at {cut}");
        }
        // The last block's first entry, made to name the column one past the terms (its count
        // 1): the file ends with that block's entries, its large counts (none here) and the
        // idf of every term.
        let mut bad = bytes.clone();
        let f = &stored.features;
        let last = f.blocks.last().unwrap();
        assert!(last.large.is_empty());
        let at = bytes.len() - 8 * f.terms() - 8 - 4 * last.entries.len();
        let first = u32::from_le_bytes(bad[at..at + 4].try_into().unwrap());
        assert_eq!(first, last.entries[0]);
        let past = (1 << COLUMN_BITS) | u32::try_from(f.terms()).unwrap();
        bad[at..at + 4].copy_from_slice(&past.to_le_bytes());
        std::fs::write(&path, &bad).unwrap();
        assert!(StoredFeatures::read(&path).is_err());
        std::fs::write(&path, b"something else entirely").unwrap();
        assert!(StoredFeatures::read(&path).is_err());
    }
}
