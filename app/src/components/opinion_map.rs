//! The opinion map: participants as dots coloured by group, with zoom (buttons, wheel)
//! and pan (drag). Dots carry no identity: hovering shows only the group.

use leptos::prelude::*;
use mufakat_core::analysis::Analysis;
use mufakat_core::polis_csv::group_letter;
use mufakat_core::svg::group_colour;

use crate::i18n::t;

const UNGROUPED: &str = "#b0b0b0";

#[derive(Clone, Copy, PartialEq)]
struct View {
    cx: f64,
    cy: f64,
    half: f64,
}

#[component]
pub fn OpinionMap(analysis: std::sync::Arc<Analysis>) -> impl IntoView {
    let extent = analysis
        .participants
        .iter()
        .fold(0.0f64, |m, p| m.max(p.position[0].abs()).max(p.position[1].abs()))
        .max(1e-6)
        * 1.1;
    let home = View { cx: 0.0, cy: 0.0, half: extent };
    let view_box = RwSignal::new(home);
    let drag: RwSignal<Option<(f64, f64)>> = RwSignal::new(None);
    let index_of = |g: u32| analysis.groups.iter().position(|x| x.id == g);
    let r = extent / 90.0;
    let dots = analysis
        .participants
        .iter()
        .map(|p| {
            let colour = p.group.and_then(index_of).map_or(UNGROUPED, group_colour);
            let letter = p.group.and_then(index_of).map(|i| group_letter(i).to_uppercase());
            view! {
                <circle cx=format!("{:.4}", p.position[0]) cy=format!("{:.4}", -p.position[1])
                    r=format!("{r:.4}") fill=colour fill-opacity="0.75">
                    <title>{move || letter.clone().map(|l| (t().report.group_name)(&l)).unwrap_or_default()}</title>
                </circle>
            }
        })
        .collect_view();
    let centres = analysis
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let l = group_letter(i).to_uppercase();
            view! {
                <g class="om-centre">
                    <circle cx=format!("{:.4}", g.centre[0]) cy=format!("{:.4}", -g.centre[1])
                        r=format!("{:.4}", r * 4.0) fill="#fff" stroke=group_colour(i) stroke-width=format!("{:.4}", r)/>
                    <text x=format!("{:.4}", g.centre[0]) y=format!("{:.4}", -g.centre[1] + r * 1.6)
                        text-anchor="middle" font-size=format!("{:.4}", r * 4.5) fill=group_colour(i)
                        font-weight="bold">{l}</text>
                </g>
            }
        })
        .collect_view();
    let zoom =
        move |factor: f64| view_box.update(|v| v.half = (v.half * factor).clamp(extent / 40.0, extent * 4.0));
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        zoom(if ev.delta_y() > 0.0 { 1.15 } else { 1.0 / 1.15 });
    };
    let on_down =
        move |ev: leptos::ev::PointerEvent| drag.set(Some((ev.client_x() as f64, ev.client_y() as f64)));
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if let Some((x, y)) = drag.get_untracked() {
            let (nx, ny) = (ev.client_x() as f64, ev.client_y() as f64);
            // The map is drawn about 600 px wide: convert pixels to map units.
            view_box.update(|v| {
                let k = 2.0 * v.half / 600.0;
                v.cx -= (nx - x) * k;
                v.cy -= (ny - y) * k;
            });
            drag.set(Some((nx, ny)));
        }
    };
    view! {
        <div class="opinion-map" data-testid="opinion-map">
            <div class="map-tools">
                <button type="button" on:click=move |_| zoom(1.0 / 1.4)>{move || t().report.zoom_in}</button>
                <button type="button" on:click=move |_| zoom(1.4)>{move || t().report.zoom_out}</button>
                <button type="button" on:click=move |_| view_box.set(home)>{move || t().report.reset_view}</button>
            </div>
            <svg role="img" aria-label=move || t().report.opinion_map_heading
                viewBox=move || {
                    let v = view_box.get();
                    format!("{:.4} {:.4} {:.4} {:.4}", v.cx - v.half, v.cy - v.half, 2.0 * v.half, 2.0 * v.half)
                }
                on:wheel=on_wheel on:pointerdown=on_down on:pointermove=on_move
                on:pointerup=move |_| drag.set(None) on:pointerleave=move |_| drag.set(None)>
                <rect x=format!("{:.4}", -extent * 5.0) y=format!("{:.4}", -extent * 5.0)
                    width=format!("{:.4}", extent * 10.0) height=format!("{:.4}", extent * 10.0) fill="#fff"/>
                {dots}
                {centres}
            </svg>
        </div>
    }
}
