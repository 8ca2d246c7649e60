//! The opinion map: every placed participant as a point on the analysis's two axes,
//! coloured by opinion group, with group letters at the group centres and an optional
//! "you are here" marker. Pure SVG, no canvas, so it scales, prints and can be read by
//! assistive technology through its title and description.
//!
//! Reuse: the caller passes plain [`MapPoint`]s and [`MapGroup`]s (built from
//! `mufakat_core::Analysis` with [`points_of`] and [`groups_of`]) and all texts; an optional
//! [`Viewport`] signal zooms and pans the plot (the analyst report drives it with
//! wheel/drag handlers; the participant page leaves it at the default).

use leptos::prelude::*;
use mufakat_core::legend::{group_colour, group_letter, participant_colour};
use mufakat_core::{Analysis, ParticipantId};

/// Plot size in SVG user units; the element itself scales to its container's width.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 380.0;
const PAD: f64 = 28.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapPoint {
    pub id: ParticipantId,
    pub x: f64,
    pub y: f64,
    pub group: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapGroup {
    pub id: u32,
    pub x: f64,
    pub y: f64,
    pub size: u32,
}

/// Zoom and pan: `scale` ≥ 1 magnifies around the plot centre shifted by (`dx`, `dy`) in
/// SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub scale: f64,
    pub dx: f64,
    pub dy: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { scale: 1.0, dx: 0.0, dy: 0.0 }
    }
}

pub fn points_of(analysis: &Analysis) -> Vec<MapPoint> {
    analysis
        .participants
        .iter()
        .map(|p| MapPoint { id: p.id, x: p.position[0], y: p.position[1], group: p.group })
        .collect()
}

pub fn groups_of(analysis: &Analysis) -> Vec<MapGroup> {
    analysis
        .groups
        .iter()
        .map(|g| MapGroup { id: g.id, x: g.centre[0], y: g.centre[1], size: g.size })
        .collect()
}

/// Maps analysis coordinates into the plot box, keeping every point inside the padding.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    min: [f64; 2],
    span: [f64; 2],
}

impl Frame {
    fn fit(points: &[MapPoint]) -> Frame {
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        for p in points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()) {
            min = [min[0].min(p.x), min[1].min(p.y)];
            max = [max[0].max(p.x), max[1].max(p.y)];
        }
        if !min[0].is_finite() {
            return Frame { min: [-1.0, -1.0], span: [2.0, 2.0] };
        }
        let span = [(max[0] - min[0]).max(1e-9), (max[1] - min[1]).max(1e-9)];
        Frame { min, span }
    }

    fn place(&self, x: f64, y: f64) -> (f64, f64) {
        let sx = PAD + (x - self.min[0]) / self.span[0] * (WIDTH - 2.0 * PAD);
        // SVG's y grows downwards; the analysis's second axis grows upwards.
        let sy = HEIGHT - PAD - (y - self.min[1]) / self.span[1] * (HEIGHT - 2.0 * PAD);
        (sx, sy)
    }
}

#[component]
pub fn OpinionMap(
    #[prop(into)] points: Signal<Vec<MapPoint>>,
    #[prop(into)] groups: Signal<Vec<MapGroup>>,
    /// Short title of the figure (read first by screen readers).
    #[prop(into)]
    title: Signal<String>,
    /// A sentence describing what the map shows, for screen readers.
    #[prop(into)]
    description: Signal<String>,
    /// The participant to mark as "you", if any.
    #[prop(optional, into)]
    you: Signal<Option<ParticipantId>>,
    /// The label next to the "you" marker.
    #[prop(optional, into)]
    you_label: Signal<String>,
    #[prop(optional)] viewport: Option<RwSignal<Viewport>>,
) -> impl IntoView {
    let frame = Memo::new(move |_| points.with(|p| Frame::fit(p)));
    let transform = move || {
        let v = viewport.map(|v| v.get()).unwrap_or_default();
        let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
        format!("translate({} {}) scale({}) translate({} {})", cx + v.dx, cy + v.dy, v.scale, -cx, -cy)
    };
    // The analysis's origin: the axes cross there.
    let origin = move || frame.get().place(0.0, 0.0);
    let dots = move || {
        let f = frame.get();
        let me = you.get();
        points.with(|ps| {
            ps.iter()
                .filter(|p| Some(p.id) != me)
                .map(|p| {
                    let (x, y) = f.place(p.x, p.y);
                    view! {
                        <circle class="map-dot" class:ungrouped=p.group.is_none() cx=fmt(x) cy=fmt(y) r="4"
                            fill=participant_colour(p.group)/>
                    }
                })
                .collect_view()
        })
    };
    let labels = move || {
        let f = frame.get();
        groups.with(|gs| {
            gs.iter()
                .map(|g| {
                    // Above the centre, so the "you" marker (often near it) never hides it.
                    let (x, y) = f.place(g.x, g.y);
                    let y = (y - 24.0).max(16.0);
                    view! {
                        <text class="map-group-label" x=fmt(x) y=fmt(y) fill=group_colour(g.id as usize)
                            text-anchor="middle" dominant-baseline="central">
                            {group_letter(g.id as usize)}
                        </text>
                    }
                })
                .collect_view()
        })
    };
    let marker = move || {
        let me = you.get()?;
        let p = points.with(|ps| ps.iter().find(|p| p.id == me).copied())?;
        let (x, y) = frame.get().place(p.x, p.y);
        let label_x = if x > WIDTH - 90.0 { x - 14.0 } else { x + 14.0 };
        let anchor = if x > WIDTH - 90.0 { "end" } else { "start" };
        Some(view! {
            <g class="map-you" data-testid="map-you">
                <circle cx=fmt(x) cy=fmt(y) r="13" class="map-you-halo"/>
                <circle cx=fmt(x) cy=fmt(y) r="7" fill=participant_colour(p.group) class="map-you-dot"/>
                <text x=fmt(label_x) y=fmt(y) class="map-you-label" text-anchor=anchor dominant-baseline="central">
                    {move || you_label.get()}
                </text>
            </g>
        })
    };
    view! {
        <svg class="opinion-map" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
            aria-labelledby="opinion-map-title opinion-map-desc" data-testid="opinion-map">
            <title id="opinion-map-title">{move || title.get()}</title>
            <desc id="opinion-map-desc">{move || description.get()}</desc>
            <rect class="map-bg" x="0" y="0" width=WIDTH height=HEIGHT rx="12"/>
            <g transform=transform>
                <line class="map-axis" x1="0" y1=move || fmt(origin().1) x2=WIDTH y2=move || fmt(origin().1)/>
                <line class="map-axis" x1=move || fmt(origin().0) y1="0" x2=move || fmt(origin().0) y2=HEIGHT/>
                {dots}
                {labels}
                {marker}
            </g>
        </svg>
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}
