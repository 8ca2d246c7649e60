//! A small stacked bar: agree / disagree / pass shares of some votes.

use leptos::prelude::*;

use crate::i18n::t;

fn pct(n: u32, total: u32) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    }
}

#[component]
pub fn VoteBar(label: String, agree: u32, disagree: u32, pass: u32) -> impl IntoView {
    let total = agree + disagree + pass;
    let (a, d, p) = (pct(agree, total), pct(disagree, total), pct(pass, total));
    let title = move || {
        let c = t();
        format!(
            "{label}: {} {a:.0}%, {} {d:.0}%, {} {p:.0}% (n={total})",
            c.report.agree, c.report.disagree, c.report.pass
        )
    };
    view! {
        <div class="vote-bar" role="img" aria-label=title.clone() title=title>
            <span class="vb-agree" style=format!("width:{a:.1}%")></span>
            <span class="vb-disagree" style=format!("width:{d:.1}%")></span>
            <span class="vb-pass" style=format!("width:{p:.1}%")></span>
        </div>
    }
}
