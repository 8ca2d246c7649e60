//! "Read aloud": the card's statement spoken by the browser's own speech synthesis, in the
//! language it is shown in, for residents who read with difficulty or not at all. Shown
//! only where the device has a voice for that language (browsers load their voices late and
//! say so with `voiceschanged`); a second press stops. What happens is announced through an
//! `aria-live` status, so a screen reader user knows why their reader went quiet.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice};

use super::vote_card::ShownStatement;
use crate::i18n::t;

fn synth() -> Option<SpeechSynthesis> {
    web_sys::window().and_then(|w| w.speech_synthesis().ok())
}

/// A tag's primary language subtag, lower case; `in` (the old tag some Android voices still
/// report for Indonesian) read as `id`.
fn primary(tag: &str) -> String {
    let p = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    if p == "in" {
        "id".to_string()
    } else {
        p
    }
}

fn voices() -> Vec<SpeechSynthesisVoice> {
    synth().map(|s| s.get_voices().iter().map(|v| v.unchecked_into()).collect()).unwrap_or_default()
}

/// The primary languages the device has voices for.
fn voice_languages() -> Vec<String> {
    voices().iter().map(|v| primary(&v.lang())).collect()
}

/// The device's voice for `language`: its default one if that speaks it, else the first.
fn voice_for(language: &str) -> Option<SpeechSynthesisVoice> {
    let want = primary(language);
    let matching: Vec<SpeechSynthesisVoice> =
        voices().into_iter().filter(|v| primary(&v.lang()) == want).collect();
    matching.iter().find(|v| v.default()).cloned().or_else(|| matching.into_iter().next())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Reading,
    Stopped,
}

#[component]
pub fn ReadAloud(shown: Memo<Option<ShownStatement>>) -> impl IntoView {
    let languages = RwSignal::new(voice_languages());
    if let Some(s) = synth() {
        // One handler per page (a later card replaces it), kept for the page's life.
        let changed = Closure::<dyn Fn()>::new(move || languages.set(voice_languages()));
        s.set_onvoiceschanged(Some(changed.as_ref().unchecked_ref()));
        changed.forget();
    }
    let status = RwSignal::new(None::<Status>);
    // Which utterance is the current one: a cancelled one's late `end` must not clear a newer.
    let spoken = StoredValue::new(0u32);
    let speaking = move || status.get() == Some(Status::Reading);
    let stop = move || {
        if let Some(s) = synth() {
            s.cancel();
        }
    };
    // A new card, or the other language, silences the old text.
    Effect::new(move |previous: Option<Option<(String, String)>>| {
        let now = shown.with(|s| s.as_ref().map(|s| (s.text.clone(), s.language.clone())));
        if previous.is_some_and(|p| p != now) && status.get_untracked() == Some(Status::Reading) {
            stop();
            status.set(None);
        }
        now
    });
    let available = move || {
        shown.with(|s| s.as_ref().is_some_and(|s| languages.with(|l| l.contains(&primary(&s.language)))))
    };
    let toggle = move |_| {
        let Some(synth) = synth() else { return };
        if status.get_untracked() == Some(Status::Reading) {
            synth.cancel();
            status.set(Some(Status::Stopped));
            return;
        }
        let Some(s) = shown.get_untracked() else { return };
        let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(&s.text) else { return };
        match voice_for(&s.language) {
            Some(voice) => {
                utterance.set_lang(&voice.lang());
                utterance.set_voice(Some(&voice));
            }
            None => utterance.set_lang(&s.language),
        }
        let this = spoken.get_value().wrapping_add(1);
        spoken.set_value(this);
        let done = move || {
            if spoken.get_value() == this && status.get_untracked() == Some(Status::Reading) {
                status.set(None);
            }
        };
        utterance.set_onend(Some(Closure::once_into_js(done).unchecked_ref()));
        utterance.set_onerror(Some(Closure::once_into_js(done).unchecked_ref()));
        synth.cancel();
        synth.speak(&utterance);
        status.set(Some(Status::Reading));
    };
    on_cleanup(stop);
    let p = move || t().participant;
    view! {
        <Show when=available>
            <button type="button" class="read-aloud" data-testid="read-aloud"
                on:click=toggle>
                <span aria-hidden="true">{move || if speaking() { "■ " } else { "🔊 " }}</span>
                {move || if speaking() { p().stop_reading } else { p().read_aloud }}
            </button>
        </Show>
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="read-aloud-status">
            {move || status.get().map(|s| match s {
                Status::Reading => p().reading,
                Status::Stopped => p().reading_stopped,
            })}
        </p>
    }
}
