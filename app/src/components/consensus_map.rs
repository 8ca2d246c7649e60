//! The consensus map as SVG, drawn from the core's petgraph map ([`ConsensusMap`]): opinion
//! groups as large coloured discs, statements between them, consensus and bridging statements
//! highlighted. Built for a projector at the back of a room (few labels, large type, high
//! contrast) and reusable by the analyst report.
//!
//! Stability: groups keep their core label between runs (the caller passes the previous
//! `WarmStart`), colours and letters come from the label, and every mark is keyed by its id
//! with a CSS transition on its position, so a refresh moves marks instead of redrawing them.
//!
//! Coordinates: the core lays the map out in [-1, 1]² with y up; the SVG uses a 1000×1000
//! view box with y down.

use std::collections::HashMap;

use leptos::prelude::*;
use mufakat_core::analysis::Analysis;
use mufakat_core::graph::{EdgeKind, NodeKind};
use mufakat_core::StatementId;

use crate::i18n::t;

/// A group's colour and letter, from its stable label (`mufakat_core::legend`, the one
/// palette of every map and exported file).
fn group_colour(group: u32) -> &'static str {
    mufakat_core::legend::group_colour(group as usize)
}

fn group_letter(group: u32) -> String {
    mufakat_core::legend::group_letter(group as usize)
}

/// The legend's group key: half the first group's colour, half the second's.
fn group_key_style() -> String {
    format!("background: linear-gradient(90deg, {} 50%, {} 50%)", group_colour(0), group_colour(1))
}

/// Why a statement is on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementRole {
    /// Every group agrees (the consensus core).
    Consensus,
    /// Agreed across some groups, or flagged by the bridging model.
    Bridge,
    /// Representative of one group.
    Representative(u32),
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapGroup {
    pub id: u32,
    pub size: u32,
    pub x: f64,
    pub y: f64,
    pub radius: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapStatement {
    pub id: StatementId,
    pub x: f64,
    pub y: f64,
    pub role: StatementRole,
    /// Shown with its number (and listed in the legend).
    pub labelled: bool,
    /// Groups whose agree probability is at least the core threshold.
    pub agreed_by: Vec<u32>,
}

/// Plain data for the drawing, derived once per analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapModel {
    pub groups: Vec<MapGroup>,
    pub statements: Vec<MapStatement>,
    /// Two groups or fewer: the horizontal axis shows overall agreement.
    pub spread: bool,
}

impl MapModel {
    /// The labelled statements in legend order (consensus, bridges, representative).
    pub fn labelled(&self) -> Vec<&MapStatement> {
        let mut out: Vec<&MapStatement> = self.statements.iter().filter(|s| s.labelled).collect();
        out.sort_by_key(|s| (role_rank(s.role), s.id));
        out
    }
}

fn role_rank(role: StatementRole) -> u8 {
    match role {
        StatementRole::Consensus => 0,
        StatementRole::Bridge => 1,
        StatementRole::Representative(_) => 2,
        StatementRole::Other => 3,
    }
}

fn to_view(p: [f64; 2]) -> (f64, f64) {
    (500.0 + 380.0 * p[0], 500.0 - 380.0 * p[1])
}

/// Builds the drawing model: at most `max_labels` statements get a number, chosen by role
/// (consensus first, strongest first), the rest are small dots.
pub fn map_model(analysis: &Analysis, max_labels: usize) -> MapModel {
    let map = &analysis.map;
    let total: u32 = analysis.groups.iter().map(|g| g.size).sum::<u32>().max(1);
    let size_of: HashMap<u32, u32> = analysis.groups.iter().map(|g| (g.id, g.size)).collect();
    let representative: HashMap<StatementId, u32> = analysis
        .groups
        .iter()
        .flat_map(|g| g.representative.iter().take(2).map(move |r| (r.statement, g.id)))
        .collect();
    let mut groups = Vec::new();
    let mut statements = Vec::new();
    for (index, node) in map.nodes.iter().enumerate() {
        let (x, y) = to_view(node.position);
        match node.node {
            NodeKind::Group(id) => {
                let size = size_of.get(&id).copied().unwrap_or(0);
                let radius = 34.0 + 40.0 * (size as f64 / total as f64).sqrt();
                groups.push(MapGroup { id, size, x, y, radius });
            }
            NodeKind::Statement(id) => {
                let role = if map.consensus_core.contains(&id) {
                    StatementRole::Consensus
                } else if map.bridges.contains(&id) {
                    StatementRole::Bridge
                } else if let Some(g) = representative.get(&id) {
                    StatementRole::Representative(*g)
                } else {
                    StatementRole::Other
                };
                let agreed_by = map
                    .edges
                    .iter()
                    .filter(|e| {
                        e.kind == EdgeKind::GroupStatement && e.weight >= mufakat_core::graph::CORE_AGREE
                    })
                    .filter_map(|e| {
                        let other = if e.target == index {
                            e.source
                        } else if e.source == index {
                            e.target
                        } else {
                            return None;
                        };
                        match map.nodes.get(other)?.node {
                            NodeKind::Group(g) => Some(g),
                            NodeKind::Statement(_) => None,
                        }
                    })
                    .collect();
                statements.push(MapStatement { id, x, y, role, labelled: false, agreed_by });
            }
        }
    }
    let strength = |id: StatementId| analysis.statement(id).map(|s| s.agree_probability).unwrap_or(0.0);
    let mut ranked: Vec<usize> =
        (0..statements.len()).filter(|&i| statements[i].role != StatementRole::Other).collect();
    ranked.sort_by(|&a, &b| {
        role_rank(statements[a].role)
            .cmp(&role_rank(statements[b].role))
            .then(strength(statements[b].id).total_cmp(&strength(statements[a].id)))
            .then(statements[a].id.cmp(&statements[b].id))
    });
    // A mix is more telling than the top of one list: up to half the numbers for consensus,
    // then the most typical statement of each group, then bridges, then the rest in rank order.
    let mut chosen: Vec<usize> = Vec::new();
    let pick = |i: usize, chosen: &mut Vec<usize>| {
        if chosen.len() < max_labels && !chosen.contains(&i) {
            chosen.push(i);
        }
    };
    for &i in ranked.iter().filter(|&&i| statements[i].role == StatementRole::Consensus).take(max_labels / 2)
    {
        pick(i, &mut chosen);
    }
    for g in &analysis.groups {
        if let Some(i) = g
            .representative
            .first()
            .and_then(|r| ranked.iter().copied().find(|&i| statements[i].id == r.statement))
        {
            pick(i, &mut chosen);
        }
    }
    for &i in ranked.iter().filter(|&&i| statements[i].role == StatementRole::Bridge) {
        pick(i, &mut chosen);
    }
    for &i in &ranked {
        pick(i, &mut chosen);
    }
    for i in chosen {
        statements[i].labelled = true;
    }
    let spread = groups.len() <= 2;
    if spread {
        // With two groups the core's layout is a line between them; spread it sideways by
        // overall agreement so that the statements can be told apart.
        for s in &mut statements {
            let p = strength(s.id).clamp(0.0, 1.0);
            s.x = 500.0 + 380.0 * ((p - 0.5) * 1.7).clamp(-0.85, 0.85);
        }
    }
    separate(&groups, &mut statements);
    MapModel { groups, statements, spread }
}

/// Pushes numbered marks apart (and off the group discs) so that no number hides another;
/// deterministic, a few rounds of pairwise nudges.
fn separate(groups: &[MapGroup], statements: &mut [MapStatement]) {
    const GAP: f64 = 66.0;
    let labelled: Vec<usize> = (0..statements.len()).filter(|&i| statements[i].labelled).collect();
    for _ in 0..40 {
        let mut moved = false;
        for a in 0..labelled.len() {
            for b in (a + 1)..labelled.len() {
                let (i, j) = (labelled[a], labelled[b]);
                let (dx, dy) = (statements[j].x - statements[i].x, statements[j].y - statements[i].y);
                let d = (dx * dx + dy * dy).sqrt();
                if d < GAP {
                    // Coincident marks part along a fixed direction given by their order.
                    let (ux, uy) = if d > 1e-6 { (dx / d, dy / d) } else { (0.6, 0.8) };
                    let push = (GAP - d) / 2.0;
                    statements[i].x -= ux * push;
                    statements[i].y -= uy * push;
                    statements[j].x += ux * push;
                    statements[j].y += uy * push;
                    moved = true;
                }
            }
        }
        for &i in &labelled {
            for g in groups {
                let (dx, dy) = (statements[i].x - g.x, statements[i].y - g.y);
                let d = (dx * dx + dy * dy).sqrt().max(1e-6);
                let min = g.radius + 34.0;
                if d < min {
                    statements[i].x = g.x + dx / d * min;
                    statements[i].y = g.y + dy / d * min;
                    moved = true;
                }
            }
            statements[i].x = statements[i].x.clamp(40.0, 960.0);
            statements[i].y = statements[i].y.clamp(40.0, 960.0);
        }
        if !moved {
            break;
        }
    }
}

/// The map. `texts` gives each statement's text for the legend. Marks are keyed by id and
/// read their position reactively, so a new analysis moves them (CSS transition) in place.
#[component]
pub fn ConsensusMapView(
    #[prop(into)] model: Signal<Option<MapModel>>,
    #[prop(into)] texts: Signal<HashMap<StatementId, String>>,
    /// Characters of statement text shown in the legend before an ellipsis.
    #[prop(default = 90)]
    legend_chars: usize,
) -> impl IntoView {
    let group =
        move |id: u32| model.with(|m| m.as_ref().and_then(|m| m.groups.iter().find(|g| g.id == id).cloned()));
    let statement = move |id: StatementId| {
        model.with(|m| m.as_ref().and_then(|m| m.statements.iter().find(|s| s.id == id).cloned()))
    };
    let group_ids = move || -> Vec<u32> {
        model.with(|m| m.as_ref().map(|m| m.groups.iter().map(|g| g.id).collect()).unwrap_or_default())
    };
    let dot_ids = move || -> Vec<StatementId> {
        model.with(|m| {
            m.as_ref()
                .map(|m| m.statements.iter().filter(|s| !s.labelled).map(|s| s.id).collect())
                .unwrap_or_default()
        })
    };
    let labelled = move || -> Vec<(StatementId, StatementRole)> {
        model.with(|m| {
            m.as_ref().map(|m| m.labelled().into_iter().map(|s| (s.id, s.role)).collect()).unwrap_or_default()
        })
    };
    let links = move || {
        model.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.statements
                        .iter()
                        .filter(|s| s.labelled)
                        .flat_map(|s| s.agreed_by.iter().map(move |g| (*g, s.id)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let summary = move || {
        model.with(|m| {
            m.as_ref()
                .map(|m| {
                    let consensus =
                        m.statements.iter().filter(|s| s.role == StatementRole::Consensus).count();
                    let bridges = m.statements.iter().filter(|s| s.role == StatementRole::Bridge).count();
                    (t().map.summary)(m.groups.len(), consensus, bridges)
                })
                .unwrap_or_default()
        })
    };
    let at = |x: f64, y: f64| format!("transform: translate({x:.1}px, {y:.1}px)");
    view! {
        <figure class="consensus-map" data-testid="consensus-map">
            <svg viewBox="0 0 1000 1000" role="img" aria-labelledby="map-title map-desc"
                preserveAspectRatio="xMidYMid meet">
                <title id="map-title">{move || t().map.title}</title>
                <desc id="map-desc">{summary}</desc>
                <circle class="map-ring" cx="500" cy="500" r="380"/>
                <Show when=move || model.with(|m| m.as_ref().is_some_and(|m| m.spread))>
                    <text class="map-axis" x="990" y="40">{move || t().map.axis_agreement}</text>
                </Show>
                <g class="map-links">
                    <For each=links key=|l| *l let:l>
                        <line class="map-link" stroke=group_colour(l.0)
                            x1=move || group(l.0).map(|g| g.x) y1=move || group(l.0).map(|g| g.y)
                            x2=move || statement(l.1).map(|s| s.x) y2=move || statement(l.1).map(|s| s.y)/>
                    </For>
                </g>
                <g class="map-dots">
                    <For each=dot_ids key=|id| *id let:id>
                        <circle class="map-dot" r="7" cx="0" cy="0"
                            style=move || statement(id).map(|s| at(s.x, s.y))/>
                    </For>
                </g>
                <g class="map-groups">
                    <For each=group_ids key=|id| *id let:id>
                        <g class="map-group" data-group=id style=move || group(id).map(|g| at(g.x, g.y))>
                            <circle r=move || group(id).map(|g| g.radius) fill=group_colour(id)/>
                            <text class="group-letter" dy="0.35em">{group_letter(id)}</text>
                            // Outside the ring: above a group in the upper half, below one in
                            // the lower half, so statements between the groups never cover it.
                            <text class="group-size" dy=move || group(id).map(|g| {
                                if g.y < 500.0 { -(g.radius + 16.0) } else { g.radius + 40.0 }
                            })>
                                {move || group(id).map(|g| (t().map.people)(g.size))}
                            </text>
                        </g>
                    </For>
                </g>
                <g class="map-statements">
                    <For each=labelled key=|s: &(StatementId, StatementRole)| *s let:s>
                        <g class=format!("map-statement {}", role_class(s.1)) data-statement=s.0
                            style=move || statement(s.0).map(|st| at(st.x, st.y))>
                            {statement_mark(s.1)}
                            <text dy="0.35em">{s.0.to_string()}</text>
                        </g>
                    </For>
                </g>
            </svg>
            <figcaption class="map-legend">
                <ul class="legend-keys">
                    <li><span class="key key-consensus" aria-hidden="true"></span>{move || t().map.legend_consensus}</li>
                    <li><span class="key key-bridge" aria-hidden="true"></span>{move || t().map.legend_bridge}</li>
                    <li><span class="key key-representative" aria-hidden="true"></span>{move || t().map.legend_representative}</li>
                    <li><span class="key key-group" aria-hidden="true" style=group_key_style()></span>{move || t().map.legend_group}</li>
                </ul>
                <ol class="legend-statements" data-testid="map-legend">
                    <For each=labelled key=|s: &(StatementId, StatementRole)| *s let:s>
                        <li class=role_class(s.1)>
                            <span class="legend-number">{s.0.to_string()}</span>
                            <span class="legend-text">
                                {move || texts.with(|m| m.get(&s.0).map(|txt| shorten(txt, legend_chars)).unwrap_or_default())}
                            </span>
                        </li>
                    </For>
                </ol>
            </figcaption>
        </figure>
    }
}

fn role_class(role: StatementRole) -> &'static str {
    match role {
        StatementRole::Consensus => "consensus",
        StatementRole::Bridge => "bridge",
        StatementRole::Representative(_) => "representative",
        StatementRole::Other => "other",
    }
}

fn statement_mark(role: StatementRole) -> impl IntoView {
    match role {
        StatementRole::Bridge => {
            view! { <rect x="-24" y="-24" width="48" height="48" transform="rotate(45)"/> }.into_any()
        }
        _ => view! { <circle r="27"/> }.into_any(),
    }
}

/// The text cut at a word boundary near `max` characters, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}
