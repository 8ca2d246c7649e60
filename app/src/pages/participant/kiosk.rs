//! Kiosk mode, for one device shared by many residents (a tablet at the kelurahan office):
//! a device option, not a conversation setting. The organisers open `/c/<id>?kiosk` (or
//! `?kiosk=<seconds>` for another idle time) on that device; the same conversation on
//! residents' own phones stays as it is.
//!
//! "Next person", or [`DEFAULT_IDLE_SECS`] without a touch, key or scroll after someone used
//! the page, hands the device over: once the last votes have reached the server (they are
//! never dropped), every `mufakat.*` entry of local storage and all of session storage are
//! removed and the page is loaded again from its address (the kiosk flag kept, any code
//! fragment gone), so no signal, field or screen of the previous person survives in memory
//! either. The next person starts as a new participant, or, in an invitation-only
//! conversation, at the code form with their own code.

use std::time::Duration;

use leptos::prelude::*;

use super::session::Session;
use crate::i18n::t;

/// Idle time before the device starts over, when `?kiosk` gives none.
pub const DEFAULT_IDLE_SECS: u32 = 120;
const MIN_IDLE_SECS: u32 = 30;
const MAX_IDLE_SECS: u32 = 3600;
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The idle time of kiosk mode from the `kiosk` query value, `None` when not in kiosk mode.
/// A number of seconds is bounded to 30 s .. 1 h; anything else is the default.
pub fn idle_secs(query_value: Option<String>) -> Option<u32> {
    let v = query_value?;
    Some(v.parse::<u32>().map(|s| s.clamp(MIN_IDLE_SECS, MAX_IDLE_SECS)).unwrap_or(DEFAULT_IDLE_SECS))
}

/// Removes everything this app keeps in the browser's storage for anyone, then loads the page
/// again in kiosk mode: a fresh page has none of the previous person's state.
fn hand_over(idle: u32) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(Some(local)) = window.local_storage() {
        let len = local.length().unwrap_or(0);
        let keys: Vec<String> = (0..len).filter_map(|i| local.key(i).ok().flatten()).collect();
        for k in keys.into_iter().filter(|k| k.starts_with("mufakat.")) {
            let _ = local.remove_item(&k);
        }
    }
    if let Ok(Some(session)) = window.session_storage() {
        let _ = session.clear();
    }
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    let _ = location.replace(&format!("{path}?kiosk={idle}"));
}

/// The kiosk bar: what the device is, and "Next person". Also watches for idleness.
#[component]
pub(super) fn KioskBar(session: Session, idle: u32) -> impl IntoView {
    let c = move || t().codes;
    let waiting_notice = RwSignal::new(false);
    // Someone used the page since it loaded, and when last (ms since the epoch).
    let used = StoredValue::new(false);
    let last = StoredValue::new(js_sys::Date::now());
    let requested = StoredValue::new(false);

    // Hands over once nothing waits to be sent; asks the queue to go meanwhile.
    let try_hand_over = move || {
        if session.waiting.get_untracked() == 0 {
            hand_over(idle);
        } else {
            waiting_notice.set(true);
            session.flush();
        }
    };
    let next = move |_| {
        requested.set_value(true);
        try_hand_over();
    };
    let touch = move || {
        used.set_value(true);
        last.set_value(js_sys::Date::now());
    };
    let listeners = [
        window_event_listener(leptos::ev::pointerdown, move |_| touch()),
        window_event_listener(leptos::ev::keydown, move |_| touch()),
        window_event_listener(leptos::ev::wheel, move |_| touch()),
        window_event_listener(leptos::ev::touchstart, move |_| touch()),
    ];
    let tick = set_interval_with_handle(
        move || {
            let idle_for = js_sys::Date::now() - last.get_value();
            let timed_out = used.get_value() && idle_for >= f64::from(idle) * 1000.0;
            if requested.get_value() || timed_out {
                requested.set_value(true);
                try_hand_over();
            }
        },
        CHECK_EVERY,
    )
    .ok();
    on_cleanup(move || {
        for l in listeners {
            l.remove();
        }
        if let Some(t) = tick {
            t.clear();
        }
    });

    view! {
        <aside class="kiosk-bar" aria-labelledby="kiosk-label" data-testid="kiosk">
            <p><strong id="kiosk-label">{move || c().kiosk_label}</strong>" "{move || (c().kiosk_intro)(idle)}</p>
            <button type="button" class="secondary" on:click=next data-testid="kiosk-next">{move || c().kiosk_next}</button>
            <p class="notice" role="status" aria-live="polite" data-testid="kiosk-status">
                {move || waiting_notice.get().then(|| c().kiosk_waiting)}
            </p>
        </aside>
    }
}
