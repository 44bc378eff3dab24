//! The search language: what a reviewer types in the search box or after `ecolens search`.
//!
//! ```text
//! rebound effect                  both words, in any searched field (AND is the default)
//! "life cycle assessment"         a phrase
//! title:carbon  ti:carbon         a word in one field (title/ti, abstract/ab, tiab, author/au,
//!                                 keyword/kw, venue/journal/so, fulltext/ft)
//! title:(energy OR power)         a group searched in one field
//! emission*                       words starting with "emission" (at least 2 letters)
//! year:2020  year:2019..2021  year:>=2019  year:[2019 TO 2021]  year:{2018 TO 2022}
//! doi:10.1145/3381831  pmid:31234567  arxiv:1906.02243
//! energy OR carbon  energy AND NOT training  -training  +carbon  (a OR b) c
//! decision:include|exclude|maybe|conflict|unscreened   stage:tiab|fulltext
//! category:a…f   rebound:HO.RB.DIR (or a prefix: rebound:HO)   label:<code>
//! has:title|abstract|doi|pmid|arxiv|keywords|fulltext|lca|trace|category|rebound
//! kind:journal_article|conference_paper|preprint|…   file:<name of an imported file>
//! ```
//!
//! `AND`, `OR` and `NOT` are operators only in capitals; `NOT` binds tighter than `AND`, which
//! binds tighter than `OR`. Errors say at which column the query went wrong and what was
//! expected there. Parsing knows nothing of the index: [`crate::index`] turns a [`Query`] into
//! an index query.

use std::fmt;

use ecolens_core::{ArxivId, Doi, Pmid, RecordKind, ScreeningStatus, Stage};
use ecolens_taxonomy::Term;
use ecolens_taxonomy::effects::EffectCode;
use ecolens_taxonomy::eval_scale::EvalCategory;

/// A query that could not be parsed: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("invalid query at column {column}: {message}")]
pub struct QueryError {
    /// 1-based column (in characters) where the problem is.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// A text field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    /// Title.
    Title,
    /// Abstract.
    Abstract,
    /// Author names.
    Authors,
    /// Keywords.
    Keywords,
    /// Venue and publisher.
    Venue,
    /// Extracted full text.
    FullText,
}

impl TextField {
    /// The fields searched when a word names no field, in ranking order.
    pub const DEFAULT: [Self; 6] = [
        Self::Title,
        Self::Keywords,
        Self::Authors,
        Self::Abstract,
        Self::Venue,
        Self::FullText,
    ];

    /// The field's name in queries.
    pub fn name(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Abstract => "abstract",
            Self::Authors => "author",
            Self::Keywords => "keyword",
            Self::Venue => "venue",
            Self::FullText => "fulltext",
        }
    }
}

/// What is looked for in text fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextValue {
    /// A word as typed; it may split into several tokens ("CO2-emissions"), which then must
    /// follow each other.
    Word(String),
    /// Words that must follow each other.
    Phrase(String),
    /// Words starting with this (as typed; the index folds case and accents).
    Prefix(String),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Every record (the positive side of a query that only excludes).
    All,
    /// All of these.
    And(Vec<Query>),
    /// Any of these.
    Or(Vec<Query>),
    /// Not this.
    Not(Box<Query>),
    /// Text in any of these fields.
    Text {
        /// Fields searched.
        fields: Vec<TextField>,
        /// What is looked for.
        value: TextValue,
    },
    /// Publication year in an inclusive range (open ends are `None`).
    Year {
        /// First year.
        from: Option<i32>,
        /// Last year.
        to: Option<i32>,
    },
    /// An identifier token as indexed: `doi:…`, `pmid:…`, `arxiv:…` (normalised).
    Identifier(String),
    /// A facet token as indexed: `decision:include`, `category:f`, `has:lca` … (lower case).
    Facet(String),
}

/// Names of every query field, for help texts and error messages.
pub const FIELD_NAMES: &str = "title (ti), abstract (ab), tiab, author (au), keyword (kw), venue (journal, so), fulltext (ft), year (py), doi, pmid, arxiv, decision, stage, category (cat), rebound (effect), label, has, kind (type), file";

/// Values of `has:`.
pub const HAS_VALUES: [&str; 11] = [
    "title", "abstract", "doi", "pmid", "arxiv", "keywords", "fulltext", "lca", "trace",
    "category", "rebound",
];

/// What a field name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Text(Vec<TextField>),
    Year,
    Doi,
    Pmid,
    Arxiv,
    Facet(&'static str),
}

fn target(name: &str) -> Option<Target> {
    use TextField::{Abstract, Authors, FullText, Keywords, Title, Venue};
    let target = match name.to_ascii_lowercase().as_str() {
        "title" | "ti" => Target::Text(vec![Title]),
        "abstract" | "ab" => Target::Text(vec![Abstract]),
        "tiab" => Target::Text(vec![Title, Abstract]),
        "author" | "authors" | "au" => Target::Text(vec![Authors]),
        "keyword" | "keywords" | "kw" => Target::Text(vec![Keywords]),
        "venue" | "journal" | "so" | "source" => Target::Text(vec![Venue]),
        "fulltext" | "ft" | "text" => Target::Text(vec![FullText]),
        "all" | "any" => Target::Text(TextField::DEFAULT.to_vec()),
        "year" | "py" => Target::Year,
        "doi" => Target::Doi,
        "pmid" => Target::Pmid,
        "arxiv" => Target::Arxiv,
        "decision" => Target::Facet("decision"),
        "stage" => Target::Facet("stage"),
        "category" | "cat" => Target::Facet("category"),
        "rebound" | "effect" => Target::Facet("rebound"),
        "label" => Target::Facet("label"),
        "has" => Target::Facet("has"),
        "kind" | "type" => Target::Facet("kind"),
        "file" => Target::Facet("file"),
        _ => return None,
    };
    Some(target)
}

/// A lexical token with the column it starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Must,
    MustNot,
    /// `field:` directly followed by `(`.
    FieldGroup(String),
    Term {
        field: Option<String>,
        value: RawValue,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RawValue {
    Word(String),
    Phrase(String),
    /// `[a TO b]` (inclusive) or `{a TO b}` (exclusive): the text inside and whether inclusive.
    Bracket(String, bool),
}

type Located<T> = (usize, T);

fn error(column: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        column,
        message: message.into(),
    }
}

fn lex(input: &str) -> Result<Vec<Located<Token>>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let column = at + 1;
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        match c {
            '(' => {
                tokens.push((column, Token::Open));
                at += 1;
            }
            ')' => {
                tokens.push((column, Token::Close));
                at += 1;
            }
            '+' | '-' if chars.get(at + 1).is_some_and(|n| starts_term(*n)) => {
                tokens.push((
                    column,
                    if c == '+' {
                        Token::Must
                    } else {
                        Token::MustNot
                    },
                ));
                at += 1;
            }
            '"' => {
                let (phrase, next) = read_phrase(&chars, at)?;
                tokens.push((
                    column,
                    Token::Term {
                        field: None,
                        value: RawValue::Phrase(phrase),
                    },
                ));
                at = next;
            }
            _ => {
                let start = at;
                while at < chars.len() && !is_break(chars[at]) {
                    let url = chars.get(at + 1) == Some(&'/') && chars.get(at + 2) == Some(&'/');
                    if chars[at] == ':' && at > start && is_field_name(&chars[start..at]) && !url {
                        break;
                    }
                    at += 1;
                }
                let word: String = chars[start..at].iter().collect();
                let field_follows = chars.get(at) == Some(&':')
                    && chars.get(at + 1).is_some_and(|n| !n.is_whitespace());
                if !field_follows {
                    // `Note:` at the end or before a space is just a word.
                    if chars.get(at) == Some(&':') {
                        at += 1;
                    }
                    let word: String = chars[start..at].iter().collect();
                    tokens.push((column, word_token(word)));
                    continue;
                }
                at += 1; // the colon
                match chars[at] {
                    '(' => {
                        tokens.push((column, Token::FieldGroup(word)));
                    }
                    '"' => {
                        let (phrase, next) = read_phrase(&chars, at)?;
                        tokens.push((
                            column,
                            Token::Term {
                                field: Some(word),
                                value: RawValue::Phrase(phrase),
                            },
                        ));
                        at = next;
                    }
                    open @ ('[' | '{') => {
                        let close = if open == '[' { ']' } else { '}' };
                        let Some(end) = chars[at + 1..].iter().position(|c| *c == close) else {
                            return Err(error(
                                at + 1,
                                format!(
                                    "this {open} is never closed: expected {open}FROM TO UNTIL{close}"
                                ),
                            ));
                        };
                        let inside: String = chars[at + 1..at + 1 + end].iter().collect();
                        tokens.push((
                            column,
                            Token::Term {
                                field: Some(word),
                                value: RawValue::Bracket(inside, open == '['),
                            },
                        ));
                        at += end + 2;
                    }
                    _ => {
                        let value_start = at;
                        while at < chars.len() && !is_break(chars[at]) {
                            at += 1;
                        }
                        let value: String = chars[value_start..at].iter().collect();
                        tokens.push((
                            column,
                            Token::Term {
                                field: Some(word),
                                value: RawValue::Word(value),
                            },
                        ));
                    }
                }
            }
        }
    }
    Ok(tokens)
}

fn starts_term(c: char) -> bool {
    !c.is_whitespace() && c != ')' && c != '+' && c != '-'
}

fn is_break(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

fn is_field_name(chars: &[char]) -> bool {
    chars.iter().all(char::is_ascii_alphabetic)
}

fn word_token(word: String) -> Token {
    match word.as_str() {
        "AND" | "&&" => Token::And,
        "OR" | "||" => Token::Or,
        "NOT" => Token::Not,
        _ => Token::Term {
            field: None,
            value: RawValue::Word(word),
        },
    }
}

/// Reads `"…"` starting at the opening quote; returns the text and the index after the
/// closing quote.
fn read_phrase(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    let Some(length) = chars[open + 1..].iter().position(|c| *c == '"') else {
        return Err(error(
            open + 1,
            "this quote is never closed: a phrase ends with a second \"",
        ));
    };
    let phrase: String = chars[open + 1..open + 1 + length].iter().collect();
    Ok((phrase, open + length + 2))
}

/// Parses a query. An empty query (or only white space) is an error: there is nothing to
/// look for.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Err(error(1, "empty query: type words to look for"));
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        end_column: input.chars().count() + 1,
    };
    let query = parser.or(None)?;
    if let Some((column, token)) = parser.tokens.get(parser.at) {
        let message = if *token == Token::Close {
            ") without a matching ("
        } else {
            "unexpected text"
        };
        return Err(error(*column, message));
    }
    Ok(only_negative_gets_all(query))
}

/// A query that only excludes (`-training`, `NOT decision:exclude`) excludes from everything.
fn only_negative_gets_all(query: Query) -> Query {
    match query {
        Query::Not(_) => Query::And(vec![Query::All, query]),
        Query::And(parts) if parts.iter().all(|p| matches!(p, Query::Not(_))) => {
            let mut with_all = vec![Query::All];
            with_all.extend(parts);
            Query::And(with_all)
        }
        Query::Or(parts) => Query::Or(parts.into_iter().map(only_negative_gets_all).collect()),
        Query::And(parts) => Query::And(
            parts
                .into_iter()
                .map(|part| match part {
                    Query::Or(_) => only_negative_gets_all(part),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

struct Parser {
    tokens: Vec<Located<Token>>,
    at: usize,
    end_column: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, token)| token)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.at)
            .map_or(self.end_column, |(column, _)| *column)
    }

    fn or(&mut self, field: Option<&Target>) -> Result<Query, QueryError> {
        let mut parts = vec![self.and(field)?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and(field)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self, field: Option<&Target>) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Token::Close | Token::Or) => break,
                Some(Token::And) => {
                    if parts.is_empty() {
                        return Err(error(self.column(), "AND needs a term on its left"));
                    }
                    self.at += 1;
                    if matches!(self.peek(), None | Some(Token::Close | Token::Or)) {
                        return Err(error(self.column(), "AND needs a term on its right"));
                    }
                }
                Some(_) => parts.push(self.unary(field)?),
            }
        }
        match parts.len() {
            0 => {
                let what = match self.peek() {
                    Some(Token::Or) => "OR needs a term on both sides",
                    Some(Token::Close) => "empty parentheses: put a term inside",
                    _ => "a term was expected here",
                };
                Err(error(self.column(), what))
            }
            1 => Ok(parts.remove(0)),
            _ => Ok(Query::And(parts)),
        }
    }

    fn unary(&mut self, field: Option<&Target>) -> Result<Query, QueryError> {
        match self.peek() {
            Some(Token::Not | Token::MustNot) => {
                self.at += 1;
                if matches!(
                    self.peek(),
                    None | Some(Token::Close | Token::Or | Token::And)
                ) {
                    return Err(error(self.column(), "NOT needs a term after it"));
                }
                Ok(Query::Not(Box::new(self.unary(field)?)))
            }
            Some(Token::Must) => {
                self.at += 1;
                self.unary(field)
            }
            _ => self.primary(field),
        }
    }

    fn primary(&mut self, field: Option<&Target>) -> Result<Query, QueryError> {
        let Some((column, token)) = self.tokens.get(self.at).cloned() else {
            return Err(error(self.end_column, "a term was expected at the end"));
        };
        self.at += 1;
        match token {
            Token::Open => self.group(column, field),
            Token::FieldGroup(name) => {
                let target = known_target(column, &name)?;
                // The `(` follows directly.
                let open_column = self.column();
                self.at += 1;
                self.group(open_column, Some(&target))
            }
            Token::Term {
                field: named,
                value,
            } => {
                let target = match named {
                    Some(name) => Some(known_target(column, &name)?),
                    None => field.cloned(),
                };
                clause(column, target.as_ref(), value)
            }
            Token::Close => Err(error(column, ") without a matching (")),
            Token::And | Token::Or | Token::Not | Token::Must | Token::MustNot => {
                Err(error(column, "a term was expected here"))
            }
        }
    }

    fn group(&mut self, open: usize, field: Option<&Target>) -> Result<Query, QueryError> {
        if self.peek() == Some(&Token::Close) {
            return Err(error(self.column(), "empty parentheses: put a term inside"));
        }
        let inner = self.or(field)?;
        if self.peek() == Some(&Token::Close) {
            self.at += 1;
            Ok(inner)
        } else {
            Err(error(open, "this ( is never closed"))
        }
    }
}

fn known_target(column: usize, name: &str) -> Result<Target, QueryError> {
    target(name).ok_or_else(|| {
        error(
            column,
            format!("unknown field `{name}`: known fields are {FIELD_NAMES}"),
        )
    })
}

/// Builds the query for one term in a field (or the default fields).
fn clause(column: usize, target: Option<&Target>, value: RawValue) -> Result<Query, QueryError> {
    let value_column = column;
    match target {
        None => default_clause(column, value),
        Some(Target::Text(fields)) => text_clause(column, fields.clone(), value),
        Some(Target::Year) => year_clause(value_column, value),
        Some(target @ (Target::Doi | Target::Pmid | Target::Arxiv)) => {
            let text = match value {
                RawValue::Word(text) | RawValue::Phrase(text) => text,
                RawValue::Bracket(..) => {
                    return Err(error(value_column, "an identifier, not a range"));
                }
            };
            identifier(value_column, target, &text)
        }
        Some(Target::Facet(facet)) => {
            let text = match value {
                RawValue::Word(text) | RawValue::Phrase(text) => text,
                RawValue::Bracket(..) => {
                    return Err(error(value_column, format!("a {facet} value, not a range")));
                }
            };
            facet_clause(value_column, facet, &text)
        }
    }
}

fn default_clause(column: usize, value: RawValue) -> Result<Query, QueryError> {
    if let RawValue::Word(word) = &value {
        // A DOI typed or pasted on its own (also as a doi.org link) finds its record.
        let bare = word.trim_end_matches(['.', ',', ';']);
        let looks_like_doi =
            bare.starts_with("10.") && bare.contains('/') || bare.contains("doi.org/10.");
        if looks_like_doi && let Ok(doi) = Doi::parse("query", bare) {
            let text = text_clause(column, TextField::DEFAULT.to_vec(), value)?;
            return Ok(Query::Or(vec![
                Query::Identifier(format!("doi:{}", doi.key())),
                text,
            ]));
        }
    }
    if let RawValue::Bracket(..) = value {
        return Err(error(column, "a range needs a field: year:[2019 TO 2021]"));
    }
    text_clause(column, TextField::DEFAULT.to_vec(), value)
}

fn text_clause(
    column: usize,
    fields: Vec<TextField>,
    value: RawValue,
) -> Result<Query, QueryError> {
    let value = match value {
        RawValue::Phrase(phrase) => {
            if phrase.trim().is_empty() {
                return Err(error(column, "empty phrase: put words between the quotes"));
            }
            TextValue::Phrase(phrase)
        }
        RawValue::Bracket(..) => {
            return Err(error(column, "only year takes a range"));
        }
        RawValue::Word(word) => {
            let stars = word.matches(['*', '?']).count();
            if stars == 0 {
                TextValue::Word(word)
            } else if stars == 1 && word.ends_with('*') {
                let stem = word.trim_end_matches('*');
                if stem.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                    return Err(error(
                        column,
                        "a prefix needs at least 2 letters before the *",
                    ));
                }
                if !stem.chars().all(char::is_alphanumeric) {
                    return Err(error(
                        column,
                        "a prefix is one word: letters and digits before the *",
                    ));
                }
                TextValue::Prefix(stem.to_owned())
            } else {
                return Err(error(
                    column,
                    "wildcards only at the end of a word: emission*",
                ));
            }
        }
    };
    Ok(Query::Text { fields, value })
}

fn year_clause(column: usize, value: RawValue) -> Result<Query, QueryError> {
    let year = |text: &str| -> Result<Option<i32>, QueryError> {
        let text = text.trim();
        if text.is_empty() || text == "*" {
            return Ok(None);
        }
        text.parse::<i32>()
            .ok()
            .filter(|year| ecolens_core::record::YEAR_RANGE.contains(year))
            .map(Some)
            .ok_or_else(|| {
                error(
                    column,
                    format!(
                        "`{text}` is not a year: expected a year such as 2021 ({}–{})",
                        ecolens_core::record::YEAR_RANGE.start(),
                        ecolens_core::record::YEAR_RANGE.end()
                    ),
                )
            })
    };
    let (from, to) = match value {
        RawValue::Phrase(_) => {
            return Err(error(
                column,
                "a year or a range: year:2020, year:2019..2021, year:>=2019",
            ));
        }
        RawValue::Bracket(inside, inclusive) => {
            let parts: Vec<&str> = inside.split_whitespace().collect();
            let [low, "TO", high] = parts.as_slice() else {
                return Err(error(
                    column,
                    "a range reads [FROM TO UNTIL], e.g. year:[2019 TO 2021] (* for open)",
                ));
            };
            let (from, to) = (year(low)?, year(high)?);
            if inclusive {
                (from, to)
            } else {
                (from.map(|y| y + 1), to.map(|y| y - 1))
            }
        }
        RawValue::Word(text) => {
            if let Some((low, high)) = text.split_once("..") {
                (year(low)?, year(high)?)
            } else if let Some(rest) = text.strip_prefix(">=") {
                (year(rest)?, None)
            } else if let Some(rest) = text.strip_prefix("<=") {
                (None, year(rest)?)
            } else if let Some(rest) = text.strip_prefix('>') {
                (year(rest)?.map(|y| y + 1), None)
            } else if let Some(rest) = text.strip_prefix('<') {
                (None, year(rest)?.map(|y| y - 1))
            } else {
                let single = year(&text)?;
                if single.is_none() {
                    return Err(error(column, "a year was expected after year:"));
                }
                (single, single)
            }
        }
    };
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(error(
            column,
            format!("empty year range: {from} comes after {to}"),
        ));
    }
    Ok(Query::Year { from, to })
}

fn identifier(column: usize, target: &Target, text: &str) -> Result<Query, QueryError> {
    let located = |e: ecolens_core::Error| error(column, e.to_string());
    let token = match target {
        Target::Doi => format!("doi:{}", Doi::parse("doi", text).map_err(located)?.key()),
        Target::Pmid => format!(
            "pmid:{}",
            Pmid::parse("pmid", text).map_err(located)?.as_str()
        ),
        _ => format!(
            "arxiv:{}",
            ArxivId::parse("arxiv", text)
                .map_err(located)?
                .as_str()
                .to_lowercase()
        ),
    };
    Ok(Query::Identifier(token))
}

/// The filter `facet:value` as the parser reads it (`decision`, `stage`, `category`, `rebound`,
/// `label`, `has`, `kind` or `file`), for callers that build queries from choices rather than
/// text (the workbench's facet panel). Unknown facets and values are refused as in a query.
pub fn facet(facet: &str, value: &str) -> Result<Query, QueryError> {
    match target(facet) {
        Some(Target::Facet(name)) => facet_clause(1, name, value),
        _ => Err(error(1, format!("`{facet}` is not a facet"))),
    }
}

fn facet_clause(column: usize, facet: &str, text: &str) -> Result<Query, QueryError> {
    let value = text.trim().to_lowercase();
    let expected = |allowed: &str| {
        error(
            column,
            format!("`{text}` is not a {facet} value: expected one of {allowed}"),
        )
    };
    let token = match facet {
        "decision" => {
            let codes: Vec<&str> = ScreeningStatus::ALL.iter().map(|s| s.code()).collect();
            let value = match value.as_str() {
                "included" => "include".to_owned(),
                "excluded" => "exclude".to_owned(),
                _ => value,
            };
            if !codes.contains(&value.as_str()) {
                return Err(expected(&codes.join(", ")));
            }
            value
        }
        "stage" => Stage::parse("stage", &value)
            .map_err(|_| expected("tiab, fulltext"))?
            .code()
            .to_owned(),
        "category" => EvalCategory::from_code(&value)
            .map_err(|_| expected("a, b, c, d, e, f"))?
            .code()
            .to_lowercase(),
        "rebound" => {
            let known = EffectCode::ALL.iter().any(|effect| {
                let code = effect.code().to_lowercase();
                code == value
                    || code
                        .strip_prefix(value.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            });
            if !known {
                let codes: Vec<&str> = EffectCode::ALL.iter().map(|e| e.code()).collect();
                return Err(expected(&format!(
                    "a code or its first part (FO, SO, HO, HO.RB, EV): {}",
                    codes.join(", ")
                )));
            }
            value
        }
        "has" => {
            if !HAS_VALUES.contains(&value.as_str()) {
                return Err(expected(&HAS_VALUES.join(", ")));
            }
            value
        }
        "kind" => RecordKind::parse("kind", &value)
            .map_err(|_| {
                let codes: Vec<&str> = RecordKind::ALL.iter().map(|k| k.code()).collect();
                expected(&codes.join(", "))
            })?
            .code()
            .to_owned(),
        _ => {
            if value.is_empty() {
                return Err(error(column, format!("a {facet} value was expected")));
            }
            value
        }
    };
    Ok(Query::Facet(format!("{facet}:{token}")))
}

/// Facets that carry reviewers' judgements (votes, categories, risks, labels), by prefix:
/// while blind mode is on, a reviewer filters on their own only.
pub const JUDGEMENT_FACETS: [&str; 5] = ["decision:", "stage:", "category:", "rebound:", "label:"];

/// `has:` facets that say whether anyone judged a record: judgements too.
pub const JUDGEMENT_HAS: [&str; 2] = ["has:category", "has:rebound"];

/// Whether a facet token carries reviewers' judgements.
pub fn is_judgement(token: &str) -> bool {
    JUDGEMENT_FACETS.iter().any(|f| token.starts_with(f)) || JUDGEMENT_HAS.contains(&token)
}

/// The facet token of one reviewer's own judgement: `own:<reviewer id>:<token>`. The index
/// holds, beside each judgement facet over everyone, the same facet over each reviewer's own
/// judgements, so that a blind reviewer can filter on theirs.
pub fn own_token(reviewer: i64, token: &str) -> String {
    format!("own:{reviewer}:{token}")
}

/// The token a record carries for every reviewer who voted on it at any stage: a reviewer's
/// `decision:unscreened` is its absence.
pub const SCREENED: &str = "screened";

impl Query {
    /// Whether the query filters on reviewers' judgements ([`is_judgement`]).
    pub fn uses_judgements(&self) -> bool {
        match self {
            Self::And(parts) | Self::Or(parts) => parts.iter().any(Self::uses_judgements),
            Self::Not(inner) => inner.uses_judgements(),
            Self::Facet(token) => is_judgement(token),
            Self::All | Self::Text { .. } | Self::Year { .. } | Self::Identifier(_) => false,
        }
    }

    /// The same query over one reviewer's own judgements: every judgement facet becomes the
    /// reviewer's ([`own_token`]); `decision:unscreened` means the reviewer has not voted.
    #[must_use]
    pub fn for_reviewer(&self, reviewer: i64) -> Self {
        match self {
            Self::And(parts) => Self::And(parts.iter().map(|p| p.for_reviewer(reviewer)).collect()),
            Self::Or(parts) => Self::Or(parts.iter().map(|p| p.for_reviewer(reviewer)).collect()),
            Self::Not(inner) => Self::Not(Box::new(inner.for_reviewer(reviewer))),
            Self::Facet(token) if token == "decision:unscreened" => {
                Self::Not(Box::new(Self::Facet(own_token(reviewer, SCREENED))))
            }
            Self::Facet(token) if is_judgement(token) => Self::Facet(own_token(reviewer, token)),
            other => other.clone(),
        }
    }
}

impl fmt::Display for Query {
    /// A canonical form, for logs and tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, parts: &[Query], op: &str| -> fmt::Result {
            f.write_str("(")?;
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{part}")?;
            }
            f.write_str(")")
        };
        match self {
            Self::All => f.write_str("*"),
            Self::And(parts) => join(f, parts, "AND"),
            Self::Or(parts) => join(f, parts, "OR"),
            Self::Not(inner) => write!(f, "NOT {inner}"),
            Self::Text { fields, value } => {
                let names: Vec<&str> = fields.iter().map(|field| field.name()).collect();
                let fields = if fields.as_slice() == TextField::DEFAULT {
                    "*".to_owned()
                } else {
                    names.join("|")
                };
                match value {
                    TextValue::Word(word) => write!(f, "{fields}:{word}"),
                    TextValue::Phrase(phrase) => write!(f, "{fields}:\"{phrase}\""),
                    TextValue::Prefix(prefix) => write!(f, "{fields}:{prefix}*"),
                }
            }
            Self::Year { from, to } => {
                let show = |year: &Option<i32>| year.map(|y| y.to_string()).unwrap_or_default();
                write!(f, "year:{}..{}", show(from), show(to))
            }
            Self::Identifier(token) | Self::Facet(token) => f.write_str(token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(input: &str) -> String {
        match parse(input) {
            Ok(query) => query.to_string(),
            Err(error) => format!("error {}: {}", error.column, error.message),
        }
    }

    #[test]
    fn words_are_anded_and_operators_nest() {
        assert_eq!(shown("rebound effect"), "(*:rebound AND *:effect)");
        assert_eq!(
            shown("energy OR carbon footprint"),
            "(*:energy OR (*:carbon AND *:footprint))"
        );
        assert_eq!(
            shown("(energy OR carbon) footprint"),
            "((*:energy OR *:carbon) AND *:footprint)"
        );
        assert_eq!(
            shown("energy AND NOT training"),
            "(*:energy AND NOT *:training)"
        );
        assert_eq!(shown("+carbon -training"), "(*:carbon AND NOT *:training)");
        // Lower-case operators and inner hyphens are words.
        assert_eq!(
            shown("life-cycle and or"),
            "(*:life-cycle AND *:and AND *:or)"
        );
    }

    #[test]
    fn fields_phrases_prefixes_and_groups() {
        assert_eq!(shown("ti:carbon"), "title:carbon");
        assert_eq!(
            shown("tiab:\"life cycle assessment\""),
            "title|abstract:\"life cycle assessment\""
        );
        assert_eq!(shown("au:Strubell"), "author:Strubell");
        assert_eq!(shown("Emission*"), "*:Emission*");
        assert_eq!(shown("kw:énergi*"), "keyword:énergi*");
        assert_eq!(
            shown("title:(energy OR power) deep"),
            "((title:energy OR title:power) AND *:deep)"
        );
        // A colon at the end of a word, or after digits, is part of the word.
        assert_eq!(shown("Note: ratio 3:1"), "(*:Note: AND *:ratio AND *:3:1)");
    }

    #[test]
    fn years_identifiers_and_facets() {
        assert_eq!(shown("year:2020"), "year:2020..2020");
        assert_eq!(shown("year:2019..2021"), "year:2019..2021");
        assert_eq!(shown("py:>=2019"), "year:2019..");
        assert_eq!(shown("year:<2019"), "year:..2018");
        assert_eq!(shown("year:[2019 TO 2021]"), "year:2019..2021");
        assert_eq!(shown("year:{2018 TO *}"), "year:2019..");
        assert_eq!(shown("doi:10.1145/3381831"), "doi:10.1145/3381831");
        assert_eq!(
            shown("https://doi.org/10.1145/3381831"),
            "(doi:10.1145/3381831 OR *:https://doi.org/10.1145/3381831)"
        );
        assert_eq!(shown("arxiv:1906.02243"), "arxiv:1906.02243");
        assert_eq!(shown("decision:Included"), "decision:include");
        assert_eq!(shown("category:F"), "category:f");
        assert_eq!(shown("rebound:HO.RB"), "rebound:ho.rb");
        assert_eq!(shown("has:lca"), "has:lca");
        assert_eq!(
            shown("NOT decision:exclude"),
            "(* AND NOT decision:exclude)"
        );
        assert_eq!(
            shown("-decision:exclude -has:lca"),
            "(* AND NOT decision:exclude AND NOT has:lca)"
        );
    }

    #[test]
    fn facets_built_from_choices_are_what_the_parser_reads() {
        for (name, value) in [
            ("decision", "included"),
            ("category", "F"),
            ("rebound", "HO"),
            ("has", "fulltext"),
            ("file", "rayyan_export_baseline.ris"),
        ] {
            assert_eq!(
                facet(name, value).unwrap(),
                parse(&format!("{name}:{value}")).unwrap(),
                "{name}:{value}"
            );
        }
        assert!(
            facet("decision", "perhaps")
                .unwrap_err()
                .message
                .contains("include")
        );
        assert!(facet("title", "carbon").is_err());
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        assert_eq!(shown(""), "error 1: empty query: type words to look for");
        assert_eq!(
            shown("energy \"life cycle"),
            "error 8: this quote is never closed: a phrase ends with a second \""
        );
        assert_eq!(
            shown("(energy OR carbon"),
            "error 1: this ( is never closed"
        );
        assert_eq!(shown("energy)"), "error 7: ) without a matching (");
        assert_eq!(shown("OR energy"), "error 1: OR needs a term on both sides");
        assert_eq!(
            shown("energy AND"),
            "error 11: AND needs a term on its right"
        );
        assert!(shown("colour:red").starts_with("error 1: unknown field `colour`"));
        assert_eq!(
            shown("energy category:g"),
            "error 8: `g` is not a category value: expected one of a, b, c, d, e, f"
        );
        assert!(shown("year:20x1").contains("`20x1` is not a year"));
        assert_eq!(
            shown("year:2022..2019"),
            "error 1: empty year range: 2022 comes after 2019"
        );
        assert_eq!(
            shown("wom*n"),
            "error 1: wildcards only at the end of a word: emission*"
        );
        assert_eq!(
            shown("e*"),
            "error 1: a prefix needs at least 2 letters before the *"
        );
        assert!(shown("rebound:XX").contains("FO.MAN"));
        assert!(shown("doi:banana").starts_with("error 1: "));
        assert_eq!(
            shown("year:[2019 2021]"),
            "error 1: a range reads [FROM TO UNTIL], e.g. year:[2019 TO 2021] (* for open)"
        );
    }

    #[test]
    fn judgement_facets_are_found_anywhere_in_a_query() {
        let uses = |text: &str| parse(text).unwrap().uses_judgements();
        assert!(uses("decision:include"));
        assert!(uses("energy AND (year:2020 OR NOT cat:f)"));
        assert!(uses("rebound:HO.RB.DIR"));
        assert!(!uses("energy has:lca year:2019..2021"));
        assert!(!uses("title:decision"));
        // Whether anyone classified or recorded a risk is a judgement too.
        assert!(uses("has:category") && uses("NOT has:rebound"));
    }

    #[test]
    fn a_reviewers_own_query_asks_for_their_own_judgements() {
        let own = |text: &str| parse(text).unwrap().for_reviewer(7).to_string();
        assert_eq!(
            own("energy decision:include"),
            parse("energy")
                .map(|q| {
                    Query::And(vec![q, Query::Facet("own:7:decision:include".into())]).to_string()
                })
                .unwrap()
        );
        assert!(
            own("decision:unscreened").contains("NOT own:7:screened"),
            "{}",
            own("decision:unscreened")
        );
        assert!(own("NOT cat:f has:lca").contains("own:7:category:f"));
        assert!(own("NOT cat:f has:lca").contains("has:lca"));
        assert!(!own("NOT cat:f has:lca").contains("own:7:has:lca"));
    }
}
