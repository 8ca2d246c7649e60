//! Keyboard shortcuts: when a key press is one. The rule for fields is core's
//! (`mufakat_core::typing`), so every shortcut of the app follows the same one.

use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// The key went to an element that takes typed text (a text field, a select, an editable
/// element): it is typing, not a shortcut.
pub fn is_typing(ev: &KeyboardEvent) -> bool {
    ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
        let input_type = el.get_attribute("type");
        mufakat_core::typing::takes_text(&el.tag_name(), input_type.as_deref(), el.is_content_editable())
    })
}

/// Ctrl, Cmd or Alt is held: the key belongs to the browser or the system.
pub fn is_chord(ev: &KeyboardEvent) -> bool {
    ev.ctrl_key() || ev.meta_key() || ev.alt_key()
}
