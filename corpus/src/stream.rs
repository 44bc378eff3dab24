//! Reading a bibliography file as a stream of parsed blocks, so that a file of any size is
//! read in bounded memory and parsed on several threads.
//!
//! Line formats (RIS, MEDLINE, BibTeX) in UTF-8 are cut into blocks of about
//! [`BLOCK_BYTES`] at record boundaries; blocks are parsed by worker threads and handed to the
//! caller in file order. Other files (small ones, CSV, CSL-JSON, EndNote XML, non-UTF-8 text,
//! BibTeX using `crossref`) are read whole. Threads are named, scoped to the call, and stop
//! when the caller cancels or fails.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::decode::decode_utf8_lines;
use crate::detect::{Format, detect_head};
use crate::error::{Error, Result};
use crate::formats::{bibtex, medline, ris};
use crate::parsed::Parsed;
use crate::read::read_bytes_into;

/// Target size of a block.
pub const BLOCK_BYTES: usize = 1 << 20;

/// Files up to this size are read whole.
pub const WHOLE_FILE_BYTES: u64 = 24 << 20;

/// What reading a file gave, besides the records handed to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    /// The format recognised.
    pub format: Format,
    /// The encoding used.
    pub encoding: String,
    /// Bytes in the file.
    pub bytes: u64,
}

/// A block of a file starting at a record boundary, not yet decoded.
struct Block {
    bytes: Vec<u8>,
    first_line: usize,
    /// Whether it holds a carriage return (the line reader then looks for two bytes).
    returns: bool,
}

/// Where a block may end: just after the last complete record in `bytes`.
fn last_boundary(bytes: &[u8], format: Format) -> Option<usize> {
    match format {
        Format::Ris => {
            let at = memchr::memmem::rfind(bytes, b"\nER  -")?;
            memchr::memchr(b'\n', &bytes[at + 1..]).map(|end| at + 1 + end + 1)
        }
        Format::Medline => memchr::memmem::rfind(bytes, b"\nPMID-")
            .filter(|at| *at > 0)
            .map(|at| at + 1),
        Format::Bibtex => memchr::memmem::rfind(bytes, b"\n@")
            .filter(|at| *at > 0)
            .map(|at| at + 1),
        _ => None,
    }
}

/// Line breaks in `bytes`, counted the way [`crate::text::Lines`] splits lines (LF, CRLF, CR).
/// Also says whether there was any carriage return at all.
fn count_line_breaks(bytes: &[u8]) -> (usize, bool) {
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    if memchr::memchr(b'\r', bytes).is_none() {
        return (newlines, false);
    }
    let lone_returns = memchr::memchr_iter(b'\r', bytes)
        .filter(|&at| bytes.get(at + 1) != Some(&b'\n'))
        .count();
    (newlines + lone_returns, true)
}

/// Cuts an open file into blocks.
struct Blocks {
    file: File,
    format: Format,
    carry: Vec<u8>,
    next_line: usize,
    eof: bool,
    /// Buffers of blocks already parsed, to read into again (fresh memory costs page faults).
    spare: Option<Receiver<Vec<u8>>>,
}

impl Blocks {
    fn next_block(&mut self, path: &Path) -> Result<Option<Block>> {
        loop {
            if let Some(end) = last_boundary(&self.carry, self.format)
                .filter(|end| *end >= BLOCK_BYTES / 2 || self.eof)
            {
                return Ok(Some(self.take(end)));
            }
            if self.eof {
                if self.carry.is_empty() {
                    return Ok(None);
                }
                let end = self.carry.len();
                return Ok(Some(self.take(end)));
            }
            // Appends without zero-filling first.
            self.carry.reserve(BLOCK_BYTES);
            let read = (&mut self.file)
                .take(BLOCK_BYTES as u64)
                .read_to_end(&mut self.carry)
                .map_err(|source| Error::Io {
                    action: "cannot read",
                    path: path.to_owned(),
                    source,
                })?;
            if read == 0 {
                self.eof = true;
            }
        }
    }

    fn take(&mut self, end: usize) -> Block {
        let mut rest = self
            .spare
            .as_ref()
            .and_then(|spare| spare.try_recv().ok())
            .unwrap_or_else(|| Vec::with_capacity(BLOCK_BYTES + BLOCK_BYTES / 2));
        rest.clear();
        rest.extend_from_slice(&self.carry[end..]);
        self.carry.truncate(end);
        let bytes = std::mem::replace(&mut self.carry, rest);
        let first_line = self.next_line;
        let (lines, returns) = count_line_breaks(&bytes);
        self.next_line += lines;
        Block {
            bytes,
            first_line,
            returns,
        }
    }
}

impl Block {
    /// The block as text (on a worker: checking UTF-8 is work too). Lines that are not UTF-8
    /// are read with a fallback and reported.
    fn decode(self) -> (String, usize, Vec<crate::Problem>) {
        let first_line = self.first_line;
        match String::from_utf8(self.bytes) {
            Ok(text) => (text, first_line, Vec::new()),
            Err(error) => {
                let decoded = decode_utf8_lines(error.as_bytes());
                let problems = decoded
                    .problems
                    .into_iter()
                    .map(|mut problem| {
                        problem.line += first_line - 1;
                        problem.message = problem.message.replace("line ", "block line ");
                        problem
                    })
                    .collect();
                (decoded.text.into_owned(), first_line, problems)
            }
        }
    }
}

/// Fills `buffer` as far as the file allows; returns the bytes read.
fn read_full(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

fn parse_block(
    format: Format,
    text: &str,
    first_line: usize,
    returns: bool,
    problems: Vec<crate::Problem>,
) -> Parsed {
    let mut parsed = Parsed {
        // Sized for records of about a kilobyte, so the list rarely grows (growing copies
        // it and touches fresh memory).
        records: Vec::with_capacity(text.len() / 1024 + 16),
        problems,
    };
    match format {
        Format::Ris => ris::parse_block(text, first_line, returns, &mut parsed),
        Format::Medline => medline::parse_into(text, first_line, &mut parsed),
        Format::Bibtex if returns => {
            bibtex::parse_into(&crate::read::with_line_feeds(text), first_line, &mut parsed);
        }
        Format::Bibtex => bibtex::parse_into(text, first_line, &mut parsed),
        other => {
            let whole = crate::read::parse_text(text, other);
            parsed.records = whole.records;
            parsed.problems.extend(whole.problems);
        }
    }
    parsed
}

/// Reads a bibliography file and hands its records to `sink`, block by block in file order.
/// `threads` parse blocks in parallel (1 parses on the calling thread's helper). Stops early,
/// with the error, when `sink` fails; stops quietly when `cancel` is set.
pub fn read_file_blocks(
    path: &Path,
    threads: usize,
    cancel: &AtomicBool,
    mut sink: impl FnMut(Format, &mut Parsed) -> Result<()>,
) -> Result<FileOutcome> {
    let io_error = |source| Error::Io {
        action: "cannot read",
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let bytes = file.metadata().map_err(io_error)?.len();
    let mut head = vec![0u8; 64 * 1024];
    let head_len = read_full(&mut file, &mut head).map_err(io_error)?;
    head.truncate(head_len);
    let streamable_text = if head.starts_with(b"\xEF\xBB\xBF") {
        &head[3..]
    } else {
        &head[..]
    };
    let head_text = match std::str::from_utf8(streamable_text) {
        Ok(text) => Some(text),
        // The head may end inside a character.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&streamable_text[..error.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    let format = head_text.and_then(|text| detect_head(text, bytes <= head_len as u64).ok());
    let streamable = bytes > WHOLE_FILE_BYTES
        && matches!(format, Some(Format::Ris | Format::Medline | Format::Bibtex))
        && !(format == Some(Format::Bibtex) && file_mentions(path, b"crossref")?);
    let Some(format) = format.filter(|_| streamable) else {
        // Read whole (CSV in batches of records).
        let all = std::fs::read(path).map_err(io_error)?;
        let (format, encoding) =
            read_bytes_into(&all, &mut sink)?.map_err(|message| Error::Unreadable {
                file: path.to_owned(),
                line: 1,
                message: format!("not a bibliography ecolens reads: {message}"),
            })?;
        return Ok(FileOutcome {
            format,
            encoding,
            bytes,
        });
    };
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let mut carry = head;
    if bom {
        carry.drain(..3);
    }
    // Blocks that turn out not to be UTF-8 are read line by line with a fallback, reported
    // as problems of their lines.
    let encoding = if bom { "UTF-8 (BOM)" } else { "UTF-8" };
    let blocks = Blocks {
        file,
        format,
        carry,
        next_line: 1,
        eof: false,
        spare: None,
    };
    parse_in_parallel(
        path,
        format,
        blocks,
        threads.max(1),
        cancel,
        &mut |parsed| sink(format, parsed),
    )?;
    Ok(FileOutcome {
        format,
        encoding: encoding.to_owned(),
        bytes,
    })
}

/// Whether a file contains `needle` anywhere (read in blocks).
fn file_mentions(path: &Path, needle: &[u8]) -> Result<bool> {
    let io_error = |source| Error::Io {
        action: "cannot read",
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let finder = memchr::memmem::Finder::new(needle);
    let mut buffer = vec![0u8; BLOCK_BYTES + needle.len()];
    let mut kept = 0;
    loop {
        let read = read_full(&mut file, &mut buffer[kept..]).map_err(io_error)?;
        if read == 0 {
            return Ok(false);
        }
        let filled = kept + read;
        if finder.find(&buffer[..filled]).is_some() {
            return Ok(true);
        }
        kept = needle.len().min(filled);
        buffer.copy_within(filled - kept..filled, 0);
    }
}

type Job = (usize, Block);
/// A parsed block: its place in the file, the worker that parsed it, the records.
type Done = Result<(usize, usize, Parsed)>;

/// Parses blocks on `threads` workers and hands them to `sink` in file order.
///
/// Whichever worker is free takes the next block; once the sink is done with it, the block
/// goes back to that worker to be dropped: records are freed by the thread that allocated
/// them, which keeps the allocator on its fast path (freeing on another thread cost a fifth
/// of the parse time).
fn parse_in_parallel(
    path: &Path,
    format: Format,
    mut blocks: Blocks,
    threads: usize,
    cancel: &AtomicBool,
    sink: &mut dyn FnMut(&mut Parsed) -> Result<()>,
) -> Result<()> {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<()> {
        let (job_sender, job_receiver): (SyncSender<Job>, Receiver<Job>) =
            sync_channel(threads * 2);
        let job_receiver = std::sync::Arc::new(std::sync::Mutex::new(job_receiver));
        let (done_sender, done_receiver): (SyncSender<Done>, Receiver<Done>) =
            sync_channel(threads * 2);
        // Parsed blocks' buffers go back to the reader.
        let (spare_sender, spare_receiver) = sync_channel::<Vec<u8>>(threads * 2 + 2);
        blocks.spare = Some(spare_receiver);
        let stop = &stop;
        let mut trash_senders = Vec::with_capacity(threads);
        for worker in 0..threads {
            let (trash_sender, trash_receiver) = std::sync::mpsc::channel::<Parsed>();
            trash_senders.push(trash_sender);
            let job_receiver = std::sync::Arc::clone(&job_receiver);
            let done_sender = done_sender.clone();
            let spare_sender = spare_sender.clone();
            std::thread::Builder::new()
                .name(format!("ecolens-parse-{worker}"))
                .spawn_scoped(scope, move || {
                    loop {
                        // Drop what the sink has finished with, here where it was made.
                        while let Ok(finished) = trash_receiver.try_recv() {
                            drop(finished);
                        }
                        let job = match job_receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok((sequence, block)) = job else { break };
                        let returns = block.returns;
                        let (text, first_line, problems) = block.decode();
                        let parsed = parse_block(format, &text, first_line, returns, problems);
                        // Full or gone: the buffer is simply dropped.
                        let _ = spare_sender.try_send(text.into_bytes());
                        if done_sender.send(Ok((sequence, worker, parsed))).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|source| thread_error(path, source))?;
        }
        {
            let done_sender = done_sender.clone();
            std::thread::Builder::new()
                .name("ecolens-read".into())
                .spawn_scoped(scope, move || {
                    let mut sequence = 0;
                    while !stop.load(Ordering::Relaxed) && !cancel.load(Ordering::Relaxed) {
                        match blocks.next_block(path) {
                            Ok(Some(block)) => {
                                if job_sender.send((sequence, block)).is_err() {
                                    break;
                                }
                                sequence += 1;
                            }
                            Ok(None) => break,
                            Err(error) => {
                                let _ = done_sender.send(Err(error));
                                break;
                            }
                        }
                    }
                })
                .map_err(|source| thread_error(path, source))?;
        }
        drop(done_sender);
        // Hand blocks to the sink in file order.
        let mut waiting: BTreeMap<usize, (usize, Parsed)> = BTreeMap::new();
        let mut next = 0;
        let mut outcome = Ok(());
        for done in &done_receiver {
            match done {
                Ok((sequence, worker, parsed)) => {
                    waiting.insert(sequence, (worker, parsed));
                    while let Some((worker, mut parsed)) = waiting.remove(&next) {
                        let result = sink(&mut parsed);
                        // Back to its worker to be dropped (or here, if it has gone).
                        let _ = trash_senders[worker].send(parsed);
                        next += 1;
                        if let Err(error) = result {
                            outcome = Err(error);
                            break;
                        }
                    }
                }
                Err(error) => outcome = Err(error),
            }
            if outcome.is_err() || cancel.load(Ordering::Relaxed) {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        // Unblock threads waiting to send, so the scope can join them.
        drop(done_receiver);
        drop(trash_senders);
        outcome
    })
}

fn thread_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action: "cannot start a reading thread for",
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::io::Write;

    use super::*;

    fn ris_records(count: usize) -> String {
        let mut text = String::new();
        for index in 0..count {
            let abstract_text = "word ".repeat(200);
            let _ = write!(
                text,
                "TY  - JOUR\nTI  - Record {index} on energy\nAU  - Doe, J.\nPY  - 2020\nAB  - {abstract_text}\nER  - \n\n"
            );
        }
        text
    }

    #[test]
    fn blocks_end_at_record_boundaries() {
        let text = "TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B\n";
        assert_eq!(last_boundary(text.as_bytes(), Format::Ris), Some(26));
        assert_eq!(&text[..26], "TY  - JOUR\nTI  - A\nER  - \n");
        assert_eq!(last_boundary(b"@a{x}\n@b{y}", Format::Bibtex), Some(6));
        assert_eq!(
            last_boundary(b"PMID- 1\nTI  - x\n\nPMID- 2\n", Format::Medline),
            Some(17)
        );
        assert_eq!(count_line_breaks(b"a\r\nb\rc\nd"), (3, true));
        assert_eq!(count_line_breaks(b"a\nb\n"), (2, false));
    }

    #[test]
    fn a_large_file_streams_in_order_on_several_threads_with_right_line_numbers() {
        let count = 30_000;
        let text = ris_records(count) + "TY  - JOUR\nER  - \n";
        assert!(
            text.len() as u64 > WHOLE_FILE_BYTES,
            "the file must be large enough to stream"
        );
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let cancel = AtomicBool::new(false);
        let mut titles = Vec::new();
        let mut problems = Vec::new();
        let mut blocks = 0;
        let outcome = read_file_blocks(file.path(), 2, &cancel, |_, parsed| {
            blocks += 1;
            titles.extend(parsed.records.drain(..).map(|r| (r.line, r.record.title)));
            problems.append(&mut parsed.problems);
            Ok(())
        })
        .unwrap();
        assert_eq!(outcome.format, Format::Ris);
        assert!(blocks > 2, "only {blocks} blocks");
        assert_eq!(titles.len(), count);
        for (index, (line, title)) in titles.iter().enumerate() {
            assert_eq!(title, &format!("Record {index} on energy"));
            assert_eq!(*line, index * 7 + 1, "record {index}");
        }
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, count * 7 + 1);
    }

    #[test]
    fn cancelling_and_failing_sinks_stop_the_threads() {
        let text = ris_records(30_000);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let cancel = AtomicBool::new(false);
        let mut seen = 0;
        read_file_blocks(file.path(), 2, &cancel, |_, parsed| {
            seen += parsed.records.len();
            cancel.store(true, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
        assert!(seen > 0 && seen < 30_000, "{seen}");
        let cancel = AtomicBool::new(false);
        let error = read_file_blocks(file.path(), 2, &cancel, |_, _| {
            Err(Error::Io {
                action: "test",
                path: "x".into(),
                source: std::io::Error::other("sink failed"),
            })
        })
        .unwrap_err();
        assert!(error.to_string().contains("sink failed"));
    }
}
