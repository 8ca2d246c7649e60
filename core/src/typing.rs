//! Whether a key press is someone typing into a field, the one rule every keyboard
//! shortcut of the app follows (the participant's A/D/P votes, the moderation queue's
//! j/k/a/r): a letter typed into a text field must never vote or moderate.
//!
//! Plain data in, so the rule is tested here; the app reads the element's tag name, `type`
//! attribute and `isContentEditable` and asks [`takes_text`].

/// `<input type=…>` kinds that take no typed text: keys pressed on them are shortcuts.
/// The moderation queue's selection checkboxes are the case that matters.
const INPUTS_WITHOUT_TEXT: [&str; 5] = ["checkbox", "radio", "button", "submit", "reset"];

/// Does an element with this tag name (any case), `type` attribute and content-editable
/// state take typed text? Text areas, selects (which jump to an option by letter),
/// editable elements and inputs other than [`INPUTS_WITHOUT_TEXT`] do (an input without
/// a `type` is a text input).
pub fn takes_text(tag: &str, input_type: Option<&str>, content_editable: bool) -> bool {
    if content_editable {
        return true;
    }
    match tag.to_ascii_lowercase().as_str() {
        "textarea" | "select" => true,
        "input" => {
            let kind = input_type.map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
            !INPUTS_WITHOUT_TEXT.contains(&kind.as_str())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_take_text() {
        assert!(takes_text("TEXTAREA", None, false));
        assert!(takes_text("SELECT", None, false));
        assert!(takes_text("INPUT", None, false));
        assert!(takes_text("INPUT", Some("text"), false));
        assert!(takes_text("INPUT", Some("search"), false));
        assert!(takes_text("input", Some("email"), false));
    }

    #[test]
    fn editable_elements_take_text_whatever_their_tag() {
        assert!(takes_text("DIV", None, true));
        assert!(takes_text("P", None, true));
    }

    #[test]
    fn checkboxes_buttons_and_the_page_do_not() {
        assert!(!takes_text("INPUT", Some("checkbox"), false));
        assert!(!takes_text("INPUT", Some("Radio"), false));
        assert!(!takes_text("INPUT", Some("submit"), false));
        assert!(!takes_text("BUTTON", None, false));
        assert!(!takes_text("LI", None, false));
        assert!(!takes_text("BODY", None, false));
    }
}
