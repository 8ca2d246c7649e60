//! Statements in several languages: a statement has an original language and any number of
//! translations, one per language, each added by its author (when posting) or by a moderator
//! (in the console, one at a time or as a CSV file). The analysis never sees them: a
//! statement is one column whatever its languages.
//!
//! Routes (moderators; see [`crate::api::admin`] for the session and CSRF rules):
//! - `PUT /api/v1/admin/conversations/{id}/statements/{statement}/translations/{language}`
//!   [`TranslationText`] → [`crate::api::admin::StatementAdmin`] (adds or corrects one);
//!   `DELETE` of the same path → [`crate::api::admin::StatementAdmin`] (removes one: readers
//!   of that language see the original again)
//! - `POST /api/v1/admin/conversations/{id}/translations` [`TranslationImport`] →
//!   [`TranslationImportResult`] (a CSV file, all rows or none)
//!
//! The CSV files (docs/translations.md): the import reads the columns `comment-id`,
//! `language` and `text` by name (others are ignored), so the export's `translations.csv`
//! (`comment-id, original-language, language, translated-by, text`) imports back as is.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::api::MAX_STATEMENT_CHARS;
use crate::escape::{csv_cell, csv_cell_read};
use crate::model::StatementId;
use crate::polis_csv::Lines;

/// A language a statement may be written or translated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// Its BCP 47 tag, lower case (ISO 639-1 where there is one, else 639-3).
    pub tag: &'static str,
    /// Its name in itself, as the console's menus show it.
    pub name: &'static str,
}

/// The languages statements may be in: the two of the interface, then the regional
/// languages of Indonesia with the most speakers, then neighbours'. Bounded on purpose: a
/// tag outside this list is refused, so a typo ("ind", "in") cannot split a language in two.
pub const LANGUAGES: [Language; 12] = [
    Language { tag: "id", name: "Bahasa Indonesia" },
    Language { tag: "en", name: "English" },
    Language { tag: "jv", name: "Basa Jawa" },
    Language { tag: "su", name: "Basa Sunda" },
    Language { tag: "mad", name: "Basa Madhura" },
    Language { tag: "min", name: "Baso Minang" },
    Language { tag: "ban", name: "Basa Bali" },
    Language { tag: "bug", name: "Basa Ugi" },
    Language { tag: "bjn", name: "Bahasa Banjar" },
    Language { tag: "ace", name: "Bahsa Acèh" },
    Language { tag: "ms", name: "Bahasa Melayu" },
    Language { tag: "zh", name: "中文" },
];

/// Rows one CSV import may hold (the request's body limit bounds it too).
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// The listed language `tag` names (BCP 47 tags are case-insensitive), or `None`.
pub fn language(tag: &str) -> Option<&'static Language> {
    let tag = tag.trim();
    LANGUAGES.iter().find(|l| l.tag.eq_ignore_ascii_case(tag))
}

/// Who wrote a translation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TranslatedBy {
    /// The statement's author, when posting it.
    Author,
    /// A moderator, in the console or by a CSV import.
    Moderator,
}

impl TranslatedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            TranslatedBy::Author => "author",
            TranslatedBy::Moderator => "moderator",
        }
    }
}

/// One translation of a statement.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// One of [`LANGUAGES`], never the statement's own.
    pub language: String,
    /// Bounded like a statement (`MAX_STATEMENT_CHARS`, trimmed and NFC-normalised).
    pub text: String,
    pub by: TranslatedBy,
}

/// A translation sent with a new statement by its author.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTranslation {
    /// One of [`LANGUAGES`], not the statement's own.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 35))]
    pub language: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 280))]
    pub text: String,
}

/// The body of a moderator's PUT of one translation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationText {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 280))]
    pub text: String,
}

/// A CSV file of translations to import (docs/translations.md): all rows or none.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationImport {
    /// UTF-8 CSV with a header naming at least `comment-id`, `language` and `text`.
    pub csv: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationImportResult {
    /// Translations added or corrected.
    pub imported: u32,
}

/// One row of an import, as read (the text not yet cleaned: the server trims, normalises
/// and bounds it as it does a statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The row's line in the file (1 is the header).
    pub line: u64,
    pub statement: StatementId,
    /// The listed tag, canonical (lower case).
    pub language: &'static str,
    pub text: String,
}

/// Why a CSV import was refused: always the line at fault, so the moderator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    pub line: u64,
    pub message: String,
}

impl ImportError {
    pub fn new(line: u64, message: impl Into<String>) -> ImportError {
        ImportError { line, message: message.into() }
    }
}

/// The columns an import reads, found by name in the header.
struct Columns {
    id: usize,
    language: usize,
    text: usize,
    /// `original-language` and `translated-by`: the export's, read back by [`read_export_csv`].
    original: Option<usize>,
    by: Option<usize>,
    header_line: u64,
}

/// The header and the rows after it, each with its line as an editor shows it; blank rows
/// are skipped, and at most `max_rows` rows are read.
fn records(
    text: &str,
    max_rows: Option<usize>,
) -> Result<(Columns, Vec<(u64, csv::StringRecord)>), ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => {
            lines.of(h.position());
            h
        }
        Some(Err(e)) => return Err(ImportError::new(1, e.to_string())),
        None => {
            return Err(ImportError::new(1, "the file is empty; expected a header comment-id,language,text"))
        }
    };
    let header_line = lines.of(None);
    let find = |name: &str| {
        header.iter().position(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let col = |name: &str| {
        find(name).ok_or_else(|| ImportError::new(header_line, format!("the header has no column {name:?}")))
    };
    let columns = Columns {
        id: col("comment-id")?,
        language: col("language")?,
        text: col("text")?,
        original: find("original-language"),
        by: find("translated-by"),
        header_line,
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| ImportError::new(lines.of(e.position()), e.to_string()))?;
        let line = lines.of(record.position());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(max) = max_rows.filter(|&max| rows.len() == max) {
            return Err(ImportError::new(line, format!("at most {max} rows a file")));
        }
        rows.push((line, record));
    }
    Ok((columns, rows))
}

/// One row's statement, language and text, checked as [`read_csv`] says.
fn import_row(columns: &Columns, line: u64, record: &csv::StringRecord) -> Result<ImportRow, ImportError> {
    let cell = |i: usize| record.get(i).unwrap_or("");
    let statement = cell(columns.id).trim().parse::<StatementId>().map_err(|_| {
        ImportError::new(line, format!("comment-id {:?} is not a statement number", cell(columns.id)))
    })?;
    let language = language(cell(columns.language)).map(|l| l.tag).ok_or_else(|| {
        ImportError::new(line, format!("language {:?} is not one of {}", cell(columns.language), tags()))
    })?;
    let text = csv_cell_read(cell(columns.text));
    if text.trim().is_empty() {
        return Err(ImportError::new(line, "the text is empty"));
    }
    Ok(ImportRow { line, statement, language, text: text.to_string() })
}

/// Reads an import file: the header, then one translation a row. Every row is checked
/// (a number for `comment-id`, a listed language, a text that is not blank); the first bad
/// one refuses the file.
pub fn read_csv(text: &str) -> Result<Vec<ImportRow>, ImportError> {
    let (columns, records) = records(text, Some(MAX_IMPORT_ROWS))?;
    records.iter().map(|(line, record)| import_row(&columns, *line, record)).collect()
}

/// Reads an export's `translations.csv` back (`mufakat import`, the browser's import): each
/// statement's original language and its translations, who wrote each included, so that a
/// second export writes the same file. `known` says whether the export has a statement.
///
/// Stricter than [`read_csv`], as nothing is checked after it: the `original-language`
/// column is needed (`translated-by` may be missing: a moderator's), and the first row naming
/// an unknown statement, an unlisted language or the statement's own, a text over
/// [`MAX_STATEMENT_CHARS`] characters once trimmed, a statement and language twice, or one
/// statement with two original languages refuses the file.
pub fn read_export_csv(
    text: &str,
    known: impl Fn(StatementId) -> bool,
) -> Result<Vec<StatementLanguages>, ImportError> {
    let (columns, records) = records(text, None)?;
    let original_col = columns.original.ok_or_else(|| {
        ImportError::new(columns.header_line, "the header has no column \"original-language\"")
    })?;
    let mut statements: BTreeMap<StatementId, (u64, StatementLanguages)> = BTreeMap::new();
    let mut seen: HashMap<(StatementId, &'static str), u64> = HashMap::new();
    for (line, record) in &records {
        let line = *line;
        let row = import_row(&columns, line, record)?;
        if !known(row.statement) {
            return Err(ImportError::new(
                line,
                format!("there is no statement {} in this export", row.statement),
            ));
        }
        // As stored: a conversation's language is any tag its moderator gave it.
        let original = csv_cell_read(record.get(original_col).unwrap_or(""));
        if original.trim().is_empty() || original.len() > crate::api::admin::MAX_LANGUAGE_BYTES {
            return Err(ImportError::new(
                line,
                format!("original-language {original:?} is not a language tag"),
            ));
        }
        if language(original).is_some_and(|l| l.tag == row.language) {
            return Err(ImportError::new(
                line,
                format!(
                    "statement {} is written in {original}; a translation is into another language",
                    row.statement
                ),
            ));
        }
        let by = match columns.by.map(|i| record.get(i).unwrap_or("").trim()) {
            None => TranslatedBy::Moderator,
            Some(b) if b.eq_ignore_ascii_case("moderator") => TranslatedBy::Moderator,
            Some(b) if b.eq_ignore_ascii_case("author") => TranslatedBy::Author,
            Some(b) => {
                return Err(ImportError::new(line, format!("translated-by {b:?} is not author or moderator")))
            }
        };
        let text = row.text.trim();
        let chars = text.chars().count();
        if chars > MAX_STATEMENT_CHARS {
            return Err(ImportError::new(
                line,
                format!("the text has {chars} characters; the limit is {MAX_STATEMENT_CHARS}"),
            ));
        }
        if let Some(first) = seen.insert((row.statement, row.language), line) {
            return Err(ImportError::new(
                line,
                format!("statement {} in {} is on line {first} too", row.statement, row.language),
            ));
        }
        let (first, entry) = statements.entry(row.statement).or_insert_with(|| {
            (
                line,
                StatementLanguages {
                    statement: row.statement,
                    language: original.to_string(),
                    translations: Vec::new(),
                },
            )
        });
        if entry.language != original {
            return Err(ImportError::new(
                line,
                format!(
                    "statement {}'s original-language is {} on line {first}, {original} here",
                    row.statement, entry.language
                ),
            ));
        }
        entry.translations.push(Translation {
            language: row.language.to_string(),
            text: text.to_string(),
            by,
        });
    }
    Ok(statements.into_values().map(|(_, s)| s).collect())
}

/// The listed tags, "id, en, …", for messages.
pub fn tags() -> String {
    LANGUAGES.iter().map(|l| l.tag).collect::<Vec<_>>().join(", ")
}

/// A statement's languages, as the export writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementLanguages {
    pub statement: StatementId,
    /// The original's language.
    pub language: String,
    pub translations: Vec<Translation>,
}

/// `translations.csv`: one row per translation, by statement then language, with the
/// original's language beside it. Texts go through [`csv_cell`] (no spreadsheet formulas).
pub fn write_csv(statements: &[StatementLanguages]) -> String {
    let mut sorted: Vec<&StatementLanguages> = statements.iter().collect();
    sorted.sort_by_key(|s| s.statement);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to a Vec cannot fail for I/O reasons.
    let _ = w.write_record(["comment-id", "original-language", "language", "translated-by", "text"]);
    for s in sorted {
        let mut translations: Vec<&Translation> = s.translations.iter().collect();
        translations.sort_by(|a, b| a.language.cmp(&b.language));
        for t in translations {
            let _ = w.write_record([
                s.statement.to_string(),
                csv_cell(&s.language),
                csv_cell(&t.language),
                t.by.as_str().to_string(),
                csv_cell(&t.text),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// What a reader is shown of a statement: its text and that text's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: &'a str,
    pub language: &'a str,
    /// A translation, not the original.
    pub translated: bool,
}

/// The text a reader of `reader` (a language tag; its primary subtag is what counts) sees:
/// the translation into that language when there is one and the original is in another,
/// else the original.
pub fn shown<'a>(
    original: &'a str,
    language: &'a str,
    translations: &'a [Translation],
    reader: &str,
) -> Shown<'a> {
    let primary = |tag: &str| tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    let want = primary(reader);
    if primary(language) != want {
        if let Some(t) = translations.iter().find(|t| primary(&t.language) == want) {
            return Shown { text: &t.text, language: &t.language, translated: true };
        }
    }
    Shown { text: original, language, translated: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(language: &str, text: &str) -> Translation {
        Translation { language: language.into(), text: text.into(), by: TranslatedBy::Moderator }
    }

    #[test]
    fn languages_are_listed_once_each_in_lower_case() {
        for (i, l) in LANGUAGES.iter().enumerate() {
            assert_eq!(l.tag, l.tag.to_ascii_lowercase());
            assert!(LANGUAGES[..i].iter().all(|m| m.tag != l.tag), "{l:?} twice");
        }
        assert_eq!(language(" ID ").map(|l| l.tag), Some("id"));
        assert_eq!(language("jv").map(|l| l.name), Some("Basa Jawa"));
        assert_eq!(language("ind"), None);
        assert_eq!(language(""), None);
    }

    #[test]
    fn a_reader_sees_the_translation_into_their_language_else_the_original() {
        let tr = [t("en", "Clean water every day.")];
        let s = shown("Air bersih setiap hari.", "id", &tr, "en");
        assert_eq!(s, Shown { text: "Clean water every day.", language: "en", translated: true });
        assert!(!shown("Air bersih setiap hari.", "id", &tr, "id").translated);
        assert!(!shown("Air bersih setiap hari.", "id", &tr, "jv").translated);
        assert!(shown("Air bersih setiap hari.", "id", &tr, "en-GB").translated);
    }

    #[test]
    fn the_import_reads_columns_by_name_and_the_export_imports_back() {
        let rows =
            read_csv("text,language,comment-id\r\n\"Air, bersih\",ID,3\r\n\r\n=hack,en,4\r\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].statement, rows[0].language), (2, 3, "id"));
        assert_eq!(rows[0].text, "Air, bersih");
        assert_eq!(rows[1].line, 4);

        let exported = write_csv(&[StatementLanguages {
            statement: 4,
            language: "en".into(),
            translations: vec![t("id", "=SUM(A1)"), t("en", "x")],
        }]);
        assert!(exported.starts_with("comment-id,original-language,language,translated-by,text\n"));
        assert!(exported.contains("'=SUM(A1)"), "{exported}");
        let back = read_csv(&exported).unwrap();
        assert_eq!(
            back.iter().map(|r| (r.language, r.text.as_str())).collect::<Vec<_>>(),
            [("en", "x"), ("id", "=SUM(A1)")]
        );
    }

    #[test]
    fn a_bad_row_is_refused_with_its_line() {
        let err = read_csv("comment-id,language,text\n1,id,ok\n2,xx,nope\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("\"xx\""), "{err}");
        assert_eq!(read_csv("comment-id,language,text\n1,id,ok\nx,id,t\n").unwrap_err().line, 3);
        assert_eq!(read_csv("comment-id,language,text\n1,id,  \n").unwrap_err().line, 2);
        assert_eq!(read_csv("id,language,text\n1,id,t\n").unwrap_err().line, 1);
        assert_eq!(read_csv("").unwrap_err().line, 1);
    }

    #[test]
    fn the_export_file_reads_back_with_original_languages_and_authors() {
        let written = [
            StatementLanguages {
                statement: 0,
                language: "id".into(),
                translations: vec![
                    t("en", "Clean water every day."),
                    Translation {
                        language: "jv".into(),
                        text: "-Banyu resik".into(),
                        by: TranslatedBy::Author,
                    },
                ],
            },
            StatementLanguages {
                statement: 2,
                language: "en-GB".into(),
                translations: vec![t("id", "Taman")],
            },
        ];
        let file = write_csv(&written);
        let back = read_export_csv(&file, |id| id < 3).unwrap();
        assert_eq!(back, written);
        assert_eq!(write_csv(&back), file);
    }

    #[test]
    fn a_bad_export_row_is_refused_with_its_line() {
        let head = "comment-id,original-language,language,translated-by,text\n";
        let refused = |rows: &str| read_export_csv(&format!("{head}{rows}"), |id| id < 5).unwrap_err();
        let e = refused("0,id,en,moderator,ok\n9,id,en,moderator,who\n");
        assert_eq!((e.line, e.message.as_str()), (3, "there is no statement 9 in this export"));
        let e = refused("0,id,xx,moderator,ok\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("\"xx\""), "{e}");
        let e = refused(&format!("0,id,en,moderator,{}\n", "a".repeat(281)));
        assert_eq!((e.line, e.message.as_str()), (2, "the text has 281 characters; the limit is 280"));
        assert_eq!(refused("0,id,id,moderator,sama\n").line, 2);
        assert_eq!(refused("0,id,en,robot,x\n").line, 2);
        assert_eq!(refused("0,,en,moderator,x\n").line, 2);
        assert_eq!(refused("0,id,en,moderator,x\n\n0,id,en,author,y\n").line, 4);
        let e = refused("0,id,en,moderator,x\n0,jv,id,moderator,y\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("original-language is id on line 2"), "{e}");
        // The moderators' import file lacks the original's language: refused at the header.
        assert_eq!(read_export_csv("comment-id,language,text\n0,en,x\n", |_| true).unwrap_err().line, 1);
        // Blank lines and a header alone are fine.
        assert_eq!(read_export_csv(head, |_| true).unwrap(), []);
    }
}
