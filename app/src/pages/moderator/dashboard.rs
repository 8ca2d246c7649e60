//! The dashboard: participants, votes, statements by state, and votes per hour.

use leptos::prelude::*;

use super::state::Console;
use crate::i18n::t;

/// Hours shown in the votes-per-hour chart (the most recent ones).
const HOURS: usize = 24;

#[component]
pub(super) fn Dashboard(console: Console) -> impl IntoView {
    let stats = move || console.stats.get().unwrap_or_default();
    let bars = move || {
        let slots = last_day(&stats().votes_per_hour);
        let peak = slots.iter().map(|b| b.1).max().unwrap_or(0).max(1);
        let width = 300.0 / HOURS as f64;
        slots
            .into_iter()
            .enumerate()
            .filter(|(_, (_, votes))| *votes > 0)
            .map(|(i, (hour_ms, votes))| {
                let h = 100.0 * votes as f64 / peak as f64;
                let label = (t().moderator.chart_bar)(hour_label(hour_ms), votes);
                view! {
                    <rect x=i as f64 * width + 1.0 y=110.0 - h width=(width - 2.0).max(1.0) height=h.max(1.0)>
                        <title>{label}</title>
                    </rect>
                }
            })
            .collect_view()
    };
    let chart_summary = move || {
        let slots = last_day(&stats().votes_per_hour);
        let total: u32 = slots.iter().map(|b| b.1).sum();
        let peak = slots.iter().map(|b| b.1).max().unwrap_or(0);
        (t().moderator.chart_summary)(total, peak)
    };
    view! {
        <section class="card dashboard" aria-labelledby="dashboard-title" data-testid="dashboard">
            <h2 id="dashboard-title">{move || t().moderator.dashboard_title}</h2>
            <dl class="stat-grid">
                <div><dt>{move || t().moderator.stat_participants}</dt><dd data-testid="stat-participants">{move || stats().participants}</dd></div>
                <div><dt>{move || t().moderator.stat_voters}</dt><dd>{move || stats().voters}</dd></div>
                <div><dt>{move || t().moderator.stat_votes}</dt><dd data-testid="stat-votes">{move || stats().votes}</dd></div>
                <div><dt>{move || t().moderator.stat_accepted}</dt><dd data-testid="stat-accepted">{move || stats().statements_accepted}</dd></div>
                <div><dt>{move || t().moderator.stat_pending}</dt><dd data-testid="stat-pending">{move || stats().statements_pending}</dd></div>
                <div><dt>{move || t().moderator.stat_rejected}</dt><dd>{move || stats().statements_rejected}</dd></div>
                {move || console.codes.get().filter(|c| c.unused + c.used + c.revoked > 0).map(|c| view! {
                    <div class="wide"><dt>{move || t().codes_console.stat_codes}</dt>
                        <dd data-testid="stat-codes">{move || (t().codes_console.counts)(c.unused, c.used, c.revoked)}</dd></div>
                })}
            </dl>
            <h3 id="chart-title">{move || t().moderator.chart_title}</h3>
            <svg class="hour-chart" viewBox="0 0 300 112" role="img" aria-labelledby="chart-title chart-desc">
                <desc id="chart-desc">{chart_summary}</desc>
                <line x1="0" y1="111" x2="300" y2="111" class="axis"/>
                {bars}
            </svg>
            <p class="hint">{chart_summary}</p>
            <Demographics console=console/>
        </section>
    }
}

/// Answers to the demographic questions, as totals only; the server hides small cells.
#[component]
fn Demographics(console: Console) -> impl IntoView {
    let tallies =
        move || console.stats.with(|s| s.as_ref().map(|s| s.demographics.clone()).unwrap_or_default());
    view! {
        <Show when=move || !tallies().is_empty()>
            <h3>{move || t().moderator.demographics_title}</h3>
            <p class="hint">{move || t().moderator.demographics_note}</p>
            {move || tallies().into_iter().map(|q| view! {
                <table class="data-table compact">
                    <caption>{q.label}</caption>
                    <tbody>
                        {q.options.into_iter().map(|o| view! {
                            <tr>
                                <th scope="row">{o.option}</th>
                                <td class="num">{move || o.count.map(|c| c.to_string()).unwrap_or_else(|| t().moderator.demographics_hidden.to_string())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }).collect_view()}
        </Show>
    }
}

const HOUR_MS: i64 = 3_600_000;

/// The 24 hourly slots ending with the current hour (or the latest hour with votes, if the
/// clock is behind), empty hours included, so the chart's time axis is always the last day.
fn last_day(per_hour: &[(i64, u32)]) -> Vec<(i64, u32)> {
    let now = (js_sys::Date::now() as i64).div_euclid(HOUR_MS) * HOUR_MS;
    let end = per_hour.iter().map(|b| b.0).max().unwrap_or(now).max(now);
    (0..HOURS as i64)
        .map(|i| {
            let hour = end - (HOURS as i64 - 1 - i) * HOUR_MS;
            (hour, per_hour.iter().filter(|b| b.0.div_euclid(HOUR_MS) * HOUR_MS == hour).map(|b| b.1).sum())
        })
        .collect()
}

/// "14:00" in the browser's time zone.
fn hour_label(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:00", date.get_hours())
}
