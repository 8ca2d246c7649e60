//! `GET /api/v1/conversations/{id}/events`: the live Server-Sent Events stream (public;
//! only what participants may see). The first event gives the current totals; the stream
//! ends when the server shuts down.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use mufakat_core::api::events::LiveEvent;
use tokio_stream::wrappers::BroadcastStream;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{extensions::Extensions, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::openapi::ConversationId;
use crate::error::AppError;
use crate::state::AppState;
#[allow(unused_imports)]
use mufakat_core::api::ErrorBody;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/conversations/{id}/events", get(events))
}

/// One event as the stream sends it, the way OpenAPI 3.1 describes an event stream (one
/// schema per event): the `event:` name and the `data:`, which is the JSON of a [`LiveEvent`].
pub(super) struct LiveEventMessage;

impl utoipa::PartialSchema for LiveEventMessage {
    fn schema() -> RefOr<Schema> {
        let names = ["statement", "votes", "moderation", "closed"];
        let mut data_is_json = Extensions::default();
        // utoipa 5 has no builder for JSON Schema's `contentSchema`; it serialises as one.
        data_is_json
            .insert("contentSchema".into(), serde_json::json!({ "$ref": "#/components/schemas/LiveEvent" }));
        let data = ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/json")
            .extensions(Some(data_is_json));
        ObjectBuilder::new()
            .property("event", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names)))
            .property("data", data)
            .required("event")
            .required("data")
            .into()
    }
}

impl utoipa::ToSchema for LiveEventMessage {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((<LiveEvent as ToSchema>::name().into(), LiveEvent::schema()));
        <LiveEvent as utoipa::ToSchema>::schemas(schemas);
    }
}

fn sse_event(e: &LiveEvent) -> Option<Event> {
    Event::default().event(e.name()).json_data(e).ok()
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/events",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, description = "Server-Sent Events",
            content_type = "text/event-stream", body = LiveEventMessage),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn events(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let conv = st.live.conv(&st.store, &id).await?;
    let rx = st.hub.subscribe(&id);
    let t = conv.totals();
    let first = LiveEvent::Votes { participants: t.participants, votes: t.votes, entries: conv.log.len() };
    let mut shutdown = st.shutdown.clone();
    let live = BroadcastStream::new(rx).filter_map(|msg| async move {
        // A lagging client skips what it missed; the next `votes` event has the totals.
        msg.ok().as_ref().and_then(sse_event)
    });
    let open = crate::metrics::StreamGuard::open();
    let stream = stream::iter(sse_event(&first))
        .chain(live)
        .map(move |e| {
            // Counted as open until the stream is dropped (the client left or the server stops).
            let _ = &open;
            Ok(e)
        })
        .take_until(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
