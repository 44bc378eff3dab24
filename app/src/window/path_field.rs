//! A typed path with completion, for every place that takes a path: the native file dialog
//! needs a desktop portal or zenity, which many machines (remote sessions, minimal desktops,
//! containers) do not have, so a typed path is always offered and made pleasant to type.
//!
//! While the field has the keyboard, the entries of the folder typed so far that start with
//! the last part are offered below it (folders first, marked `/`); Tab completes as far as
//! they agree, a click takes one. A leading `~` is the home folder. Folders are listed on a
//! thread of their own (a network folder may take its time) and kept a few seconds, so
//! drawing never waits on the disk.

use std::collections::HashMap;
use std::path::{MAIN_SEPARATOR, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use eframe::egui;

/// How many entries are offered at once.
const MAX_OFFERED: usize = 8;

/// How long a folder's listing is trusted before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(3);

/// The path a field holds: trimmed, `~` expanded; `None` when empty.
pub(super) fn typed_path(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(expand_home(text))
}

fn expand_home(text: &str) -> PathBuf {
    let home = || directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_owned());
    if text == "~" {
        if let Some(home) = home() {
            return home;
        }
    } else if let Some(rest) = text
        .strip_prefix("~/")
        .or_else(|| text.strip_prefix(&format!("~{MAIN_SEPARATOR}")))
        && let Some(home) = home()
    {
        return home.join(rest);
    }
    PathBuf::from(text)
}

/// One entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    folder: bool,
}

/// A folder's listing, or that it is being read.
#[derive(Clone)]
enum Listing {
    Reading,
    Read(Instant, Arc<Vec<Entry>>),
}

/// Folder listings shared by every path field of the window (kept in the context's memory).
#[derive(Clone, Default)]
struct Listings(Arc<Mutex<HashMap<PathBuf, Listing>>>);

impl Listings {
    fn of(ctx: &egui::Context) -> Self {
        ctx.data_mut(|data| {
            data.get_temp_mut_or_default::<Self>(egui::Id::unique("ecolens-path-listings"))
                .clone()
        })
    }

    /// The entries of `folder` if read and fresh; otherwise starts reading it and returns
    /// what is known (possibly stale, possibly nothing).
    fn entries(&self, ctx: &egui::Context, folder: &Path) -> Option<Arc<Vec<Entry>>> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let known = match map.get(folder) {
            Some(Listing::Reading) => return None,
            Some(Listing::Read(at, entries)) if at.elapsed() < FRESH_FOR => {
                return Some(Arc::clone(entries));
            }
            Some(Listing::Read(_, entries)) => Some(Arc::clone(entries)),
            None => None,
        };
        map.insert(folder.to_owned(), Listing::Reading);
        drop(map);
        let (listings, ctx, reading) = (self.clone(), ctx.clone(), folder.to_owned());
        let spawned = std::thread::Builder::new()
            .name("ecolens-path-listing".into())
            .spawn(move || {
                let entries = read_folder(&reading);
                listings
                    .0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(reading, Listing::Read(Instant::now(), Arc::new(entries)));
                ctx.request_repaint();
            });
        if spawned.is_err() {
            // No thread: offer nothing rather than read the disk while drawing.
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    folder.to_owned(),
                    Listing::Read(Instant::now(), Arc::default()),
                );
        }
        known
    }
}

/// The folder's entries, folders first, each group by name; an unreadable folder has none.
fn read_folder(folder: &Path) -> Vec<Entry> {
    let Ok(read) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut entries: Vec<Entry> = read
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            // A link to a folder counts as a folder (metadata follows links).
            let folder = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            Some(Entry { name, folder })
        })
        .collect();
    entries.sort_by(|a, b| {
        b.folder
            .cmp(&a.folder)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    entries
}

/// Splits typed text into the folder to list and the start of the name being typed
/// (`/data/sco` → (`/data/`, `sco`); `sco` → (`.`, `sco`)).
fn split_typed(text: &str) -> (String, &str) {
    match text.rfind(['/', MAIN_SEPARATOR]) {
        Some(at) => (text[..=at].to_owned(), &text[at + 1..]),
        None => (String::new(), text),
    }
}

/// What completes `text`: the entries of its folder that start with the part being typed
/// (hidden ones only when that part starts with a dot), as full texts to put in the field.
fn offers(text: &str, entries: &[Entry]) -> Vec<(String, bool)> {
    let (folder_text, start) = split_typed(text);
    let lower = start.to_lowercase();
    entries
        .iter()
        .filter(|e| start.starts_with('.') || !e.name.starts_with('.'))
        .filter(|e| e.name.to_lowercase().starts_with(&lower))
        .map(|e| {
            let mut full = format!("{folder_text}{}", e.name);
            if e.folder {
                full.push(MAIN_SEPARATOR);
            }
            (full, e.folder)
        })
        .collect()
}

/// The longest start all `offers` share, as long as it is longer than `text`.
fn common_completion(text: &str, offers: &[(String, bool)]) -> Option<String> {
    let first = &offers.first()?.0;
    let mut end = first.len();
    for (other, _) in &offers[1..] {
        end = first
            .char_indices()
            .zip(other.chars())
            .find(|((_, a), b)| !a.eq_ignore_ascii_case(b))
            .map_or(end.min(other.len()), |((at, _), _)| at)
            .min(end);
    }
    let common = &first[..end];
    (common.chars().count() > text.chars().count()).then(|| common.to_owned())
}

/// The folder `text` lists from, with `~` expanded; the working folder for a bare name.
fn folder_of(text: &str) -> PathBuf {
    let (folder, _) = split_typed(text);
    if folder.is_empty() {
        PathBuf::from(".")
    } else {
        expand_home(&folder)
    }
}

/// A single-line path field with completion (see the module's text). Returns the field's
/// response (for Enter, `lost_focus`, labels).
pub(super) fn path_edit(
    ui: &mut egui::Ui,
    text: &mut String,
    hint: &str,
    width: f32,
) -> egui::Response {
    let id = ui.next_auto_id();
    let popup_id = id.with("offers");
    // A click on an offer takes the keyboard from the field before the offer sees the
    // release: the offers stay while the pointer is over them.
    let over_offers = ui
        .ctx()
        .read_response(popup_id)
        .is_some_and(|r| r.contains_pointer());
    let focused = ui.memory(|m| m.has_focus(id));
    let offered = if (focused || over_offers) && !text.is_empty() {
        Listings::of(ui.ctx())
            .entries(ui.ctx(), &folder_of(text))
            .map(|entries| offers(text, &entries))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // Tab completes, instead of moving the keyboard to the next widget.
    let mut completed = None;
    if focused
        && !offered.is_empty()
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Tab))
    {
        completed = match offered.as_slice() {
            [(only, _)] => Some(only.clone()),
            _ => common_completion(text, &offered),
        };
    }
    if let Some(full) = &completed {
        full.clone_into(text);
    }
    let output = egui::TextEdit::singleline(text)
        .id(id)
        .hint_text(hint)
        .desired_width(width)
        .show(ui);
    let response = output.response.response;
    let mut chosen = None;
    let offered = if completed.is_some() {
        Vec::new()
    } else {
        offered
    };
    let exact = offered.len() == 1 && offered[0].0 == *text;
    if (focused || response.has_focus() || over_offers) && !offered.is_empty() && !exact {
        egui::Popup::from_response(&response)
            .id(popup_id)
            .open(true)
            .close_behavior(egui::PopupCloseBehavior::IgnoreClicks)
            .width(response.rect.width())
            .show(|ui| {
                for (full, folder) in offered.iter().take(MAX_OFFERED) {
                    let (_, name) = split_typed(full.trim_end_matches(MAIN_SEPARATOR));
                    let shown = if *folder {
                        format!("{name}{MAIN_SEPARATOR}")
                    } else {
                        name.to_owned()
                    };
                    if ui.selectable_label(false, shown).clicked() {
                        chosen = Some(full.clone());
                    }
                }
                if offered.len() > MAX_OFFERED {
                    ui.weak(format!("… {} more", offered.len() - MAX_OFFERED));
                }
            });
    }
    if let Some(full) = chosen {
        *text = full;
        completed = Some(text.clone());
    }
    if completed.is_some() {
        // The cursor goes to the end, and the field keeps the keyboard.
        let mut state = output.state;
        let end = egui::text::CCursor::new(text.chars().count());
        state
            .cursor
            .set_char_range(Some(egui::text::CCursorRange::one(end)));
        state.store(ui.ctx(), id);
        ui.memory_mut(|m| m.request_focus(id));
        ui.ctx().request_repaint();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(names: &[(&str, bool)]) -> Vec<Entry> {
        names
            .iter()
            .map(|(name, folder)| Entry {
                name: (*name).to_owned(),
                folder: *folder,
            })
            .collect()
    }

    #[test]
    fn offers_are_the_folders_entries_that_start_with_the_typed_part() {
        let sep = MAIN_SEPARATOR;
        let listed = entries(&[
            ("scopus", true),
            (".hidden", false),
            ("Scopus.ris", false),
            ("wos.txt", false),
        ]);
        let text = format!("{sep}data{sep}sco");
        assert_eq!(
            offers(&text, &listed),
            [
                (format!("{sep}data{sep}scopus{sep}"), true),
                (format!("{sep}data{sep}Scopus.ris"), false)
            ]
        );
        assert!(offers(&format!("{sep}data{sep}"), &listed).len() == 3);
        assert_eq!(offers(&format!("{sep}data{sep}.h"), &listed).len(), 1);
        assert_eq!(
            common_completion(&text, &offers(&text, &listed)),
            Some(format!("{sep}data{sep}scopus"))
        );
        let one = format!("{sep}data{sep}w");
        assert_eq!(
            common_completion(&one, &offers(&one, &listed)),
            Some(format!("{sep}data{sep}wos.txt"))
        );
    }

    #[test]
    fn a_typed_path_is_trimmed_and_the_home_folder_expanded() {
        assert_eq!(typed_path("   "), None);
        assert_eq!(typed_path(" out.ris "), Some(PathBuf::from("out.ris")));
        let home = directories::BaseDirs::new().unwrap().home_dir().to_owned();
        assert_eq!(typed_path("~/x.svg"), Some(home.join("x.svg")));
        assert_eq!(typed_path("~"), Some(home));
        assert_eq!(typed_path("a~/b"), Some(PathBuf::from("a~/b")));
    }

    #[test]
    fn folders_are_listed_first_and_an_unreadable_folder_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.ris"), "").unwrap();
        std::fs::create_dir(dir.path().join("zeta")).unwrap();
        assert_eq!(
            read_folder(dir.path()),
            entries(&[("zeta", true), ("a.ris", false)])
        );
        assert!(read_folder(&dir.path().join("missing")).is_empty());
    }
}
