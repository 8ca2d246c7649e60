//! The consensus map (groups and statements) as SVG, drawn by `mufakat_core::svg` so the
//! page shows exactly the picture the exports contain.

use leptos::prelude::*;
use mufakat_core::analysis::Analysis;

#[component]
pub fn ConsensusMap(analysis: std::sync::Arc<Analysis>) -> impl IntoView {
    let svg = mufakat_core::svg::consensus_map(&analysis);
    view! { <div class="consensus-map" data-testid="consensus-map" inner_html=svg></div> }
}
