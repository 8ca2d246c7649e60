//! The CC BY 4.0 statement Pol.is open data asks for wherever results from it are shown,
//! in one place for the CLI's summary and the report page (whose English text is
//! [`POLIS_DATA_STATEMENT`]; the page's other languages translate it).
//!
//! It is shown when the export names a pol.is conversation: its summary.csv `url`, taken
//! only as a plain http(s) link to pol.is ([`crate::escape::polis_source_link`]), since
//! the file comes from a stranger.

use crate::escape::polis_source_link;

/// The statement itself, as Pol.is's open data README words it.
pub const POLIS_DATA_STATEMENT: &str =
    "Data was gathered using the Polis software (compdemocracy.org/polis) \
     and is sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project.";

/// The licence's name and address, for a link next to the statement.
pub const CC_BY_NAME: &str = "CC BY 4.0";
pub const CC_BY_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

/// The source conversation's link, from summary.csv's `url`, when it is a pol.is one.
pub fn polis_source(summary_url: Option<&str>) -> Option<String> {
    summary_url.and_then(polis_source_link)
}

/// The whole statement with the source link, as text (the CLI prints it); `None` when the
/// export names no pol.is conversation.
pub fn polis_attribution(summary_url: Option<&str>) -> Option<String> {
    let url = polis_source(summary_url)?;
    Some(format!(
        "{POLIS_DATA_STATEMENT} The data and more information about how the data was collected can be \
         found at the following link(s): {url}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_names_the_licence_and_the_project() {
        assert!(POLIS_DATA_STATEMENT.contains(CC_BY_NAME));
        assert!(POLIS_DATA_STATEMENT.ends_with("The Computational Democracy Project."));
    }

    #[test]
    fn a_pol_is_conversation_gets_the_statement_with_its_link() {
        let text = polis_attribution(Some("https://pol.is/3phdex2kjf")).expect("attribution");
        assert!(text.starts_with(POLIS_DATA_STATEMENT));
        assert!(text.ends_with(": https://pol.is/3phdex2kjf"));
    }

    #[test]
    fn no_statement_without_a_pol_is_link() {
        assert_eq!(polis_attribution(None), None);
        assert_eq!(polis_attribution(Some("")), None);
        assert_eq!(polis_attribution(Some("https://example.org/x")), None);
        assert_eq!(polis_attribution(Some("javascript:alert(1)")), None);
    }
}
