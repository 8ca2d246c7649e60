//! Outcomes as files: `outcomes.csv` (an export file, see [`crate::report_files`]) and the
//! public Atom feed (RFC 4287) a newsroom or a village chat admin can follow. Every text
//! cell goes through [`csv_cell`], every text of the feed through [`xml_text`].

use crate::api::outcomes::{rfc3339, Outcome};
use crate::escape::{csv_cell, xml_text};

/// outcomes.csv: one row per outcome, in id order. `statement-id` and `statement` are
/// empty for an outcome on the whole conversation; times in ms since the epoch.
pub fn outcomes_csv(outcomes: &[Outcome]) -> String {
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by_key(|o| o.id);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header =
        ["outcome-id", "statement-id", "statement", "status", "date", "text", "published", "updated"];
    // Writing to a Vec cannot fail for I/O reasons.
    let _ = w.write_record(header);
    for o in sorted {
        let _ = w.write_record([
            o.id.to_string(),
            o.statement.map(|s| s.to_string()).unwrap_or_default(),
            csv_cell(o.statement_text.as_deref().unwrap_or("")),
            o.status.as_str().to_string(),
            o.date.clone(),
            csv_cell(&o.text),
            o.published_at_ms.to_string(),
            o.updated_at_ms.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// What the feed says about its conversation.
pub struct FeedInfo<'a> {
    pub title: &'a str,
    /// The participant page (`…/c/<id>`): the feed's and each entry's link.
    pub page_url: &'a str,
    /// The feed's own address.
    pub feed_url: &'a str,
    /// The feed's `updated` when there are no outcomes yet (the conversation's creation).
    pub created_at_ms: i64,
}

/// Longest statement quoted in an entry's title, in characters.
const TITLE_QUOTE_CHARS: usize = 80;

/// The outcomes as an Atom feed, the latest change first. Entry ids are the page's address
/// with `#outcome-<id>`, so they stay the same when an outcome is edited (its `updated`
/// changes, and feed readers show it again).
pub fn atom_feed(info: &FeedInfo<'_>, outcomes: &[Outcome]) -> String {
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| b.updated_at_ms.cmp(&a.updated_at_ms).then(b.id.cmp(&a.id)));
    let updated = sorted.first().map_or(info.created_at_ms, |o| o.updated_at_ms);
    let title = xml_text(info.title);
    let page = xml_text(info.page_url);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <title>{title}: outcomes</title>\n"));
    out.push_str(&format!("  <id>{}</id>\n", xml_text(info.feed_url)));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_text(info.feed_url)
    ));
    out.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{page}\"/>\n"));
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str(&format!("  <author><name>{title}</name></author>\n"));
    out.push_str("  <generator>mufakat</generator>\n");
    for o in sorted {
        let about = match &o.statement_text {
            Some(s) => quote(s),
            None => "the whole conversation".to_string(),
        };
        let entry_title = format!("{}: {about}", o.status.label());
        let content = format!("{} ({}): {}", o.status.label(), o.date, o.text);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", xml_text(&entry_title)));
        out.push_str(&format!("    <id>{page}#outcome-{}</id>\n", o.id));
        out.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{page}\"/>\n"));
        out.push_str(&format!("    <published>{}</published>\n", rfc3339(o.published_at_ms)));
        out.push_str(&format!("    <updated>{}</updated>\n", rfc3339(o.updated_at_ms)));
        out.push_str(&format!(
            "    <category term=\"{}\" label=\"{}\"/>\n",
            o.status.as_str(),
            o.status.label()
        ));
        out.push_str(&format!("    <content type=\"text\">{}</content>\n", xml_text(&content)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// “text”, cut to [`TITLE_QUOTE_CHARS`] with an ellipsis.
fn quote(text: &str) -> String {
    if text.chars().count() <= TITLE_QUOTE_CHARS {
        return format!("“{text}”");
    }
    let cut: String = text.chars().take(TITLE_QUOTE_CHARS - 1).collect();
    format!("“{}…”", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::outcomes::OutcomeStatus;

    fn outcome(id: u32, statement: Option<&str>, text: &str) -> Outcome {
        Outcome {
            id,
            statement: statement.map(|_| id + 10),
            statement_text: statement.map(str::to_string),
            status: OutcomeStatus::Adopted,
            text: text.into(),
            date: "2026-03-01".into(),
            published_at_ms: 1_000,
            updated_at_ms: 2_000 + i64::from(id),
        }
    }

    #[test]
    fn csv_cells_that_look_like_formulas_are_escaped() {
        let csv = outcomes_csv(&[
            outcome(1, Some("=HYPERLINK(\"x\")"), "+1 budget, \"monthly\""),
            outcome(0, None, "ok"),
        ]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "outcome-id,statement-id,statement,status,date,text,published,updated");
        assert_eq!(lines[1], "0,,,adopted,2026-03-01,ok,1000,2000");
        assert!(lines[2].starts_with("1,11,\"'=HYPERLINK(\"\"x\"\")\",adopted,"), "{}", lines[2]);
        assert!(lines[2].contains("\"'+1 budget, \"\"monthly\"\"\""), "{}", lines[2]);
    }

    #[test]
    fn feed_escapes_text_and_lists_the_latest_change_first() {
        let info = FeedInfo {
            title: "Budget <RW 05> & \"friends\"",
            page_url: "https://x.example/c/b?a=1&b=2",
            feed_url: "https://x.example/api/v1/conversations/b/outcomes.atom",
            created_at_ms: 0,
        };
        let feed = atom_feed(&info, &[outcome(0, None, "first"), outcome(1, Some("a < b"), "x & y \u{1} z")]);
        assert!(
            feed.contains("<title>Budget &lt;RW 05&gt; &amp; &quot;friends&quot;: outcomes</title>"),
            "{feed}"
        );
        assert!(feed.contains("href=\"https://x.example/c/b?a=1&amp;b=2\""));
        assert!(feed.contains("x &amp; y \u{FFFD} z"));
        assert!(feed.contains("Adopted: “a &lt; b”"));
        assert!(feed.find("#outcome-1<").unwrap_or(usize::MAX) < feed.find("#outcome-0<").unwrap_or(0));
        assert!(feed.contains("<updated>1970-01-01T00:00:02Z</updated>"));
        let doc = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("{e}\n{feed}"));
        let entries = doc.root_element().children().filter(|n| n.has_tag_name("entry")).count();
        assert_eq!(entries, 2);
    }

    #[test]
    fn long_statements_are_cut_in_entry_titles() {
        let long = "word ".repeat(40);
        let q = quote(&long);
        // The quoted text, ellipsis included, is the limit; the quotation marks come on top.
        assert_eq!(q.chars().count(), TITLE_QUOTE_CHARS + 2);
        assert!(q.ends_with("…”"));
    }
}
