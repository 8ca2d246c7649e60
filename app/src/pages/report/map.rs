//! The report's opinion map: the shared `OpinionMap` component with zoom (buttons, wheel)
//! and pan (drag) driven through its `Viewport`. Dots carry nothing personal.

use std::sync::Arc;

use leptos::prelude::*;
use mufakat_core::analysis::Analysis;

use crate::components::opinion_map::{groups_of, points_of, OpinionMap, Viewport};
use crate::i18n::t;

const MIN_SCALE: f64 = 1.0;
const MAX_SCALE: f64 = 40.0;

#[component]
pub fn ReportOpinionMap(analysis: Arc<Analysis>) -> impl IntoView {
    let points = Signal::stored(points_of(&analysis));
    let groups = Signal::stored(groups_of(&analysis));
    let viewport = RwSignal::new(Viewport::default());
    let drag: RwSignal<Option<(f64, f64)>> = RwSignal::new(None);
    let zoom = move |factor: f64| {
        viewport.update(|v| {
            let scale = (v.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
            let k = scale / v.scale;
            *v = Viewport { scale, dx: v.dx * k, dy: v.dy * k };
        })
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        zoom(if ev.delta_y() > 0.0 { 1.0 / 1.2 } else { 1.2 });
    };
    let on_down =
        move |ev: leptos::ev::PointerEvent| drag.set(Some((ev.client_x() as f64, ev.client_y() as f64)));
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if let Some((x, y)) = drag.get_untracked() {
            let (nx, ny) = (ev.client_x() as f64, ev.client_y() as f64);
            viewport.update(|v| {
                v.dx += nx - x;
                v.dy += ny - y;
            });
            drag.set(Some((nx, ny)));
        }
    };
    view! {
        <div class="report-map">
            <div class="map-tools">
                <button type="button" on:click=move |_| zoom(1.5)>{move || t().report.zoom_in}</button>
                <button type="button" on:click=move |_| zoom(1.0 / 1.5)>{move || t().report.zoom_out}</button>
                <button type="button" on:click=move |_| viewport.set(Viewport::default())>{move || t().report.reset_view}</button>
            </div>
            <div class="report-map-pan" on:wheel=on_wheel on:pointerdown=on_down on:pointermove=on_move
                on:pointerup=move |_| drag.set(None) on:pointerleave=move |_| drag.set(None)>
                <OpinionMap points groups viewport
                    title=Signal::derive(move || t().report.opinion_map_heading.to_string())
                    description=Signal::derive(move || t().report.opinion_map_note.to_string())/>
            </div>
        </div>
    }
}
