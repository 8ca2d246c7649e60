//! Live updates and connectivity: the conversation's Server-Sent Events stream, the
//! browser's online/offline events, and a periodic retry of waiting votes.

use std::time::Duration;

use leptos::prelude::*;
use mufakat_core::api::events::LiveEvent;
use mufakat_core::model::Moderation;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, MessageEvent};

use super::session::Session;

const RETRY_EVERY: Duration = Duration::from_secs(3);

/// Keeps the session in step with the server for as long as the calling component lives.
pub fn keep_live(session: Session) {
    connect_events(session);
    let online = window_event_listener(leptos::ev::online, move |_| session.retry());
    let offline = window_event_listener(leptos::ev::offline, move |_| session.browser_online.set(false));
    let interval = set_interval_with_handle(move || session.retry(), RETRY_EVERY).ok();
    on_cleanup(move || {
        online.remove();
        offline.remove();
        if let Some(i) = interval {
            i.clear();
        }
    });
}

fn apply(session: Session, event: LiveEvent) {
    match event {
        LiveEvent::Statement { statement } => {
            session.moderated(statement.id, statement.moderation);
            session.add_statement(statement);
            session.server_changed.update(|n| *n += 1);
        }
        LiveEvent::Votes { participants, entries, .. } => {
            session.log_entries.set_value(entries);
            session.conversation.update(|c| c.participants = participants);
            session.server_changed.update(|n| *n += 1);
        }
        LiveEvent::Moderation { statement, visible } => {
            if visible {
                session.moderated(statement, Moderation::Accepted);
            } else {
                session.moderated(statement, Moderation::Rejected);
                session.hide_statement(statement);
            }
            session.server_changed.update(|n| *n += 1);
        }
        LiveEvent::Closed { closed } => session.conversation.update(|c| c.closed = closed),
        LiveEvent::Outcome { .. } => session.outcomes_changed.update(|n| *n += 1),
    }
}

/// The handlers must outlive the stream; they are dropped with the component.
struct Stream {
    source: EventSource,
    _handlers: Vec<Closure<dyn FnMut(Event)>>,
}

fn connect_events(session: Session) {
    let Ok(source) = EventSource::new(&session.url("/events")) else { return };
    let on_message = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        let data = ev.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()).unwrap_or_default();
        match serde_json::from_str::<LiveEvent>(&data) {
            Ok(event) => apply(session, event),
            // An event this app does not know yet: at least refresh the analysis.
            Err(_) => session.server_changed.update(|n| *n += 1),
        }
    });
    for name in ["statement", "votes", "moderation", "closed", "outcome", "message"] {
        let _ = source.add_event_listener_with_callback(name, on_message.as_ref().unchecked_ref());
    }
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_| {
        if !session.reachable.get_untracked() {
            session.reachable.set(true);
            session.retry();
        }
    });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    // The browser reconnects by itself (state CONNECTING): the server went away meanwhile.
    // A refused stream (CLOSED, e.g. a server without it) says nothing about connectivity.
    let on_error = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        let reconnecting = ev
            .target()
            .and_then(|t| t.dyn_into::<EventSource>().ok())
            .is_some_and(|s| s.ready_state() == EventSource::CONNECTING);
        if reconnecting {
            session.reachable.set(false);
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let stream = StoredValue::new_local(Stream { source, _handlers: vec![on_message, on_open, on_error] });
    on_cleanup(move || stream.with_value(|s| s.source.close()));
}
