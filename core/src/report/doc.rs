//! A report as a list of blocks (headings, paragraphs, tables, lists), written once and
//! rendered to Markdown or to one self-contained HTML page, so the two formats cannot drift
//! apart.

use std::fmt::Write as _;

use crate::prisma::escape;

/// A run of text in a paragraph or a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Span {
    /// Plain text.
    Text(String),
    /// Bold.
    Strong(String),
    /// A code (`HO.RB.DIR`).
    Code(String),
    /// A link; `#…` links stay inside the page (plain text in Markdown).
    Link { text: String, href: String },
}

/// Text made of spans.
pub(super) type Text = Vec<Span>;

/// Plain text.
pub(super) fn text(value: impl Into<String>) -> Text {
    vec![Span::Text(value.into())]
}

/// How a paragraph or list item reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tone {
    Plain,
    /// Something to watch (a burden shift, a warning).
    Warn,
    /// A good outcome.
    Ok,
    /// A remark about the report itself (blind mode).
    Note,
    /// Small print.
    Small,
}

/// How a table cell is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    /// Right-aligned figures.
    Number,
    /// A short mark, centred and bold (a category).
    Mark,
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    pub(super) cells: Vec<(Text, Align)>,
    /// A totals row (bold).
    pub(super) total: bool,
}

impl Row {
    /// A row of plain cells with these alignments.
    pub(super) fn of(cells: Vec<(String, Align)>) -> Self {
        Self {
            cells: cells.into_iter().map(|(t, a)| (text(t), a)).collect(),
            total: false,
        }
    }
}

/// A block of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    /// Starts a section (a record) that links can point to.
    Section(String),
    /// Ends it.
    EndSection,
    /// A heading; level 1 is the document's title.
    Heading(u8, Text),
    Para(Tone, Text),
    Table {
        head: Vec<String>,
        rows: Vec<Row>,
    },
    List(Vec<(Tone, Text)>),
    Quote(Text),
    /// An SVG figure (HTML only; Markdown has the same figures in its tables).
    Svg(String),
}

/// Escapes Markdown table and emphasis characters; line breaks become spaces.
pub(super) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|span| match span {
            Span::Text(t) => md(t),
            Span::Strong(t) => format!("**{}**", md(t)),
            Span::Code(t) => format!("`{}`", t.replace('`', "'")),
            Span::Link { text, href } if href.starts_with('#') => md(text),
            Span::Link { text, href } => format!("[{}](<{href}>)", md(text)),
        })
        .collect()
}

fn html_text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|span| match span {
            Span::Text(t) => escape(t),
            Span::Strong(t) => format!("<strong>{}</strong>", escape(t)),
            Span::Code(t) => format!("<code>{}</code>", escape(t)),
            Span::Link { text, href } => {
                format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
            }
        })
        .collect()
}

/// Markdown; `shift` lowers every heading (a record inside a project report).
pub(super) fn markdown(blocks: &[Block], shift: u8) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Section(_) | Block::EndSection | Block::Svg(_) => {}
            Block::Heading(level, t) => {
                let hashes = "#".repeat(usize::from(level + shift));
                let _ = writeln!(out, "{hashes} {}\n", md_text(t));
            }
            Block::Para(Tone::Note, t) | Block::Quote(t) => {
                let _ = writeln!(out, "> {}\n", md_text(t));
            }
            Block::Para(_, t) => {
                let _ = writeln!(out, "{}\n", md_text(t));
            }
            Block::Table { head, rows } => {
                let head: Vec<String> = head.iter().map(|h| md(h)).collect();
                let _ = writeln!(out, "| {} |", head.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                for row in rows {
                    let cells: Vec<String> = row
                        .cells
                        .iter()
                        .map(|(t, _)| {
                            let cell = md_text(t);
                            if row.total && !cell.is_empty() {
                                format!("**{cell}**")
                            } else {
                                cell
                            }
                        })
                        .collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
            Block::List(items) => {
                for (tone, t) in items {
                    let mark = if *tone == Tone::Warn { "⚠ " } else { "" };
                    let _ = writeln!(out, "- {mark}{}", md_text(t));
                }
                out.push('\n');
            }
        }
    }
    out
}

fn class(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "",
        Tone::Warn => " class=\"warn\"",
        Tone::Ok => " class=\"ok\"",
        Tone::Note => " class=\"note\"",
        Tone::Small => " class=\"small\"",
    }
}

/// The body of an HTML page (headings one level down: the page title is `<h1>`).
pub(super) fn html(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Section(id) => {
                let _ = writeln!(out, "<section id=\"{}\">", escape(id));
            }
            Block::EndSection => out.push_str("</section>\n"),
            Block::Heading(level, t) => {
                let h = (level + 1).min(6);
                let _ = writeln!(out, "<h{h}>{}</h{h}>", html_text(t));
            }
            Block::Para(tone, t) => {
                let _ = writeln!(out, "<p{}>{}</p>", class(*tone), html_text(t));
            }
            Block::Quote(t) => {
                let _ = writeln!(out, "<blockquote>{}</blockquote>", html_text(t));
            }
            Block::Svg(svg) => out.push_str(svg),
            Block::Table { head, rows } => {
                out.push_str("<table><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", escape(h));
                }
                out.push_str("</tr>\n");
                for row in rows {
                    out.push_str(if row.total {
                        "<tr class=\"total\">"
                    } else {
                        "<tr>"
                    });
                    for (t, align) in &row.cells {
                        let class = match align {
                            Align::Left => "",
                            Align::Number => " class=\"n\"",
                            Align::Mark => " class=\"cat\"",
                        };
                        let _ = write!(out, "<td{class}>{}</td>", html_text(t));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for (tone, t) in items {
                    let mark = if *tone == Tone::Warn { "⚠ " } else { "" };
                    let _ = writeln!(out, "<li{}>{mark}{}</li>", class(*tone), html_text(t));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out
}

/// A self-contained HTML page.
pub(super) fn page(title: &str, blocks: &[Block]) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n{STYLE}</style></head>\n<body>\n{}<footer>Made with ecolens {}. Each factor names its source; Monte Carlo intervals are 5–95 %.</footer>\n</body></html>\n",
        escape(title),
        html(blocks),
        env!("CARGO_PKG_VERSION")
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
th{background:#eef3ee;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}td.cat{font-weight:bold;text-align:center}
tr.total td{font-weight:bold}.warn{color:#a04000}.ok{color:#2e7d32}.note{background:#fff4d6;padding:.3rem .6rem}.small{font-size:.85em;color:#555}
section{border-top:2px solid #9bb89b;margin-top:2rem}blockquote{border-left:4px solid #9bb89b;margin:.5rem 0;padding:.2rem 1rem;background:#f6faf6}
footer{margin-top:3rem;font-size:.8em;color:#666}
";
