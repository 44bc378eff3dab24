//! Features kept on disk beside the project (`<project>.features`), so that opening a large
//! project does not build them again: 0.1–0.2 s to read against about 5 s to build at 100,000
//! records. Derived data like the search index: a file that is missing, from another
//! version of the records, or damaged is simply built again.
//!
//! Written by hand, not with serde: the file is a few large arrays of numbers, read back with
//! one read per array; a general-purpose format would visit each number on its own.
//!
//! Layout, little-endian: the magic `ECOLENS-FEATURES` and the format's version (u32); the
//! version of the records they were built from (u32 length, UTF-8) and their ids (u64 count,
//! i64 each); the options (three bytes, f64); the terms (u64); the rows (u64 count, three u32
//! each: block, start, end); the blocks (u64 count; each a u64 length, that many u32 columns,
//! that many f32 weights).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::features::{Block, FeatureOptions, Features, RowAt};
use crate::{Error, Result};

const MAGIC: &[u8; 16] = b"ECOLENS-FEATURES";
/// The layout's version, and the meaning of a term: it changes whenever the file's layout or
/// how words become terms (tokens, pairs, hashes) changes, so that an older file is built
/// again rather than read as if it held today's terms.
const FORMAT: u32 = 1;

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
        let row_count = read_len(input)?;
        if row_count != records {
            return Err(damaged("rows and records differ in number"));
        }
        let flat: Vec<u32> = read_array(input, row_count * 3, u32::from_le_bytes)?;
        let rows: Vec<RowAt> = flat
            .chunks_exact(3)
            .map(|r| RowAt {
                block: r[0],
                start: r[1],
                end: r[2],
            })
            .collect();
        let block_count = read_len(input)?;
        let mut blocks = Vec::with_capacity(block_count.min(1 << 16));
        for _ in 0..block_count {
            let len = read_len(input)?;
            let columns: Vec<u32> = read_array(input, len, u32::from_le_bytes)?;
            let weights: Vec<f32> = read_array(input, len, f32::from_le_bytes)?;
            if columns.iter().any(|c| *c as usize >= terms) {
                return Err(damaged("a column beyond the terms"));
            }
            blocks.push(Block { columns, weights });
        }
        for row in &rows {
            let fits = blocks
                .get(row.block as usize)
                .is_some_and(|b| row.start <= row.end && row.end as usize <= b.columns.len());
            if !fits {
                return Err(damaged("a row outside its block"));
            }
        }
        Ok(StoredFeatures {
            version,
            ids,
            features: Features {
                options,
                terms,
                rows,
                blocks,
            },
        })
    }
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
    write_len(out, f.terms)?;
    write_len(out, f.rows.len())?;
    for row in &f.rows {
        for n in [row.block, row.start, row.end] {
            out.write_all(&n.to_le_bytes())?;
        }
    }
    write_len(out, f.blocks.len())?;
    for block in &f.blocks {
        write_len(out, block.columns.len())?;
        let mut bytes = Vec::with_capacity(block.columns.len() * 4);
        bytes.extend(block.columns.iter().flat_map(|c| c.to_le_bytes()));
        out.write_all(&bytes)?;
        bytes.clear();
        bytes.extend(block.weights.iter().flat_map(|w| w.to_le_bytes()));
        out.write_all(&bytes)?;
    }
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
        // The last block's first column: its columns then its weights end the file.
        let mut bad = bytes.clone();
        let last = stored.features.blocks.last().unwrap().columns.len();
        let at = bytes.len() - 8 * last;
        bad[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(&path, &bad).unwrap();
        assert!(StoredFeatures::read(&path).is_err());
        std::fs::write(&path, b"something else entirely").unwrap();
        assert!(StoredFeatures::read(&path).is_err());
    }
}
