//! The report's sections, drawn once from a finished [`Report`].

use std::sync::Arc;

use leptos::prelude::*;
use mufakat_core::analysis::{Analysis, StatementScores};
use mufakat_core::api::admin::GroupDemographics;
use mufakat_core::api::translations::shown;
use mufakat_core::api::StatementView;
use mufakat_core::attribution::{polis_source, CC_BY_NAME, CC_BY_URL};
use mufakat_core::legend::{group_colour, group_letter};
use mufakat_core::repness::Direction;
use mufakat_core::StatementId;

use super::downloads::{render_png, save_text, save_url};
use super::map::ReportOpinionMap;
use super::timed::{TimedFiles, TimedStatus, TIMED_FILES};
use crate::components::vote_bar::VoteBar;
use crate::i18n::{t, use_lang};
use crate::worker_client::Report;

/// Counts below this are never shown (small-cell suppression).
pub const MIN_CELL: u32 = 5;
const DIVISIVE_SHOWN: usize = 5;

fn letter(analysis: &Analysis, group: u32) -> String {
    let i = analysis.groups.iter().position(|g| g.id == group).unwrap_or(group as usize);
    group_letter(i)
}

/// A stored conversation's statements with their translations (`/r/<id>`), so the report
/// shows each in the reader's language while its exports keep the originals.
#[derive(Clone, Copy)]
pub struct Translated(RwSignal<Vec<StatementView>>);

impl Translated {
    pub fn provide() -> Translated {
        let t = Translated(RwSignal::new(Vec::new()));
        provide_context(t);
        t
    }

    pub fn set(self, statements: &[StatementView]) {
        self.0.set(statements.iter().filter(|s| !s.translations.is_empty()).cloned().collect());
    }
}

/// A statement's text as the reader sees it: translated into the page's language where a
/// translation exists (a stored conversation's, or a dropped translations.csv's), else the
/// report's; for a statement whose words are not public, a note saying so.
fn statement_text(report: &Report, id: StatementId) -> String {
    if report.is_unlisted(id) {
        return t().report.unlisted_statement.to_string();
    }
    let reader = use_lang().get();
    let translated = use_context::<Translated>().and_then(|t| {
        t.0.with(|all| {
            all.iter()
                .find(|s| s.id == id)
                .map(|s| shown(&s.text, &s.language, &s.translations, reader.tag()).text.to_string())
        })
    });
    translated
        .or_else(|| {
            report
                .text(id)
                .map(|s| shown(&s.text, &s.language, &s.translations, reader.tag()).text.to_string())
        })
        .unwrap_or_default()
}

#[component]
fn StatementLine(report: Arc<Report>, id: StatementId, children: Children) -> impl IntoView {
    let unlisted = report.is_unlisted(id);
    view! {
        <li class="statement-line" data-statement=id>
            <span class="sid">"#"{id}</span>" "
            <span class=if unlisted { "stext unlisted" } else { "stext" }>{move || statement_text(&report, id)}</span>
            <div class="detail">{children()}</div>
        </li>
    }
}

fn group_bars(analysis: &Analysis, s: &StatementScores) -> AnyView {
    let everyone = view! {
        <VoteBar label=t().report.everyone.to_string() agree=s.agree disagree=s.disagree pass=s.pass/>
    };
    let groups = s
        .groups
        .iter()
        .map(|g| {
            let l = letter(analysis, g.group);
            view! {
                <div class="bar-row"><span class="bar-label">{l.clone()}</span>
                    <VoteBar label=(t().report.group_name)(&l) agree=g.agree disagree=g.disagree pass=g.pass/>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="bars">
            <div class="bar-row"><span class="bar-label">"∑"</span>{everyone}</div>
            {groups}
        </div>
    }
    .into_any()
}

/// The report of a finished analysis. `demographics`: the server's per-group answers to a
/// stored conversation's demographic questions (moderators only; `None` elsewhere).
#[component]
pub fn ReportView(
    report: Arc<Report>,
    #[prop(optional)] demographics: Option<GroupDemographics>,
    /// A stored conversation holding data from a Pol.is export (`ConversationView::from_polis`),
    /// whose source link is not public: the attribution is shown without it.
    #[prop(optional)]
    from_polis: bool,
) -> impl IntoView {
    let a = Arc::new(report.analysis.clone());
    let c = a.counts;
    let sizes = a.groups.iter().map(|g| g.size.to_string()).collect::<Vec<_>>().join(",");
    let title = report.summary_value("topic").filter(|s| !s.is_empty()).map(str::to_string);
    view! {
        <article class="report-body" data-testid="report" data-groups=c.groups
            data-group-sizes=sizes
            data-fingerprint=report.fingerprint.clone() data-worker-memory=report.worker_memory>
            <header>
                <h1>{move || t().report.report_title}{title.map(|t| format!(": {t}"))}</h1>
                <p data-testid="report-counts">{move || (t().report.counts)(c.participants, c.votes, c.statements, c.groups)}</p>
                <ImportNotes report=report.clone()/>
            </header>
            <Attribution report=report.clone() from_polis/>
            <Groups report=report.clone()/>
            <PolisAgreement report=report.clone()/>
            <section class="report-section"><h2>{move || t().report.opinion_map_heading}</h2>
                <p class="muted">{move || t().report.opinion_map_note}</p>
                <ReportOpinionMap analysis=a.clone()/>
            </section>
            <Consensus report=report.clone()/>
            <Bridging report=report.clone()/>
            <Divisive report=report.clone()/>
            <section class="report-section"><h2>{move || t().report.consensus_map_heading}</h2>
                <p class="muted">{move || t().report.consensus_map_note}</p>
                <ConsensusMap analysis=a.clone()/>
            </section>
            <Demographics report=report.clone()/>
            {demographics.map(|d| view! { <GroupAnswers report=report.clone() demographics=d/> })}
            <AllStatements report=report.clone()/>
            <Exports report=report.clone()/>
        </article>
    }
}

/// What the dropped files did not say and the reader assumed (no statement texts, no vote
/// times, …), each once, as the CLI's summary says it.
#[component]
fn ImportNotes(report: Arc<Report>) -> impl IntoView {
    (!report.notes.is_empty()).then(|| {
        let notes = report.notes.clone();
        view! {
            <ul class="muted import-notes" data-testid="import-notes">
                {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect::<Vec<_>>()}
            </ul>
        }
    })
}

/// CC BY 4.0 attribution, shown whenever the data names a pol.is conversation (a dropped
/// export's summary.csv `url`) or is a stored conversation imported from one (`from_polis`;
/// its source link stays with the moderators, so only the licence is linked).
#[component]
fn Attribution(report: Arc<Report>, from_polis: bool) -> impl IntoView {
    // The link comes from a stranger's file: only a plain http(s) link to pol.is is shown.
    let url = polis_source(report.summary_value("url"));
    (url.is_some() || from_polis).then(|| {
        let source = url.map(|url| {
            view! {
                <a href=url.clone() rel="noopener noreferrer">{move || t().report.source_link}": "{url.clone()}</a>
                " · "
            }
        });
        view! {
            <aside class="attribution" data-testid="attribution">
                <h2>{move || t().report.attribution_heading}</h2>
                <p>{move || t().report.attribution_text}</p>
                <p>{source}<a href=CC_BY_URL rel="license noopener">{CC_BY_NAME}</a></p>
            </aside>
        }
    })
}

/// How our groups compare with the ones Pol.is recorded in the export, when it has them.
#[component]
fn PolisAgreement(report: Arc<Report>) -> impl IntoView {
    report.polis_agreement.filter(|a| a.participants >= 2).map(|a| {
        let cut = a.straight_cut;
        view! {
            <section class="report-section" data-testid="polis-agreement"
                data-ari=format!("{:.3}", a.adjusted_rand_index)
                data-cut=cut.map(|c| format!("{:.1}", c.share * 100.0))>
                <h2>{move || t().report.polis_heading}</h2>
                <p>{move || (t().report.polis_ari)(a.polis_groups, a.adjusted_rand_index, a.participants)}</p>
                {cut.map(|c| view! { <p>{move || (t().report.polis_cut)(c.share * 100.0, c.bigger_set * 100.0)}</p> })}
            </section>
        }
    })
}

#[component]
fn Groups(report: Arc<Report>) -> impl IntoView {
    let a = &report.analysis;
    let groups = a
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let l = group_letter(i);
            let colour = group_colour(i);
            let size = g.size;
            let reps = g
                .representative
                .iter()
                .map(|r| {
                    let (inp, outp, n) = (r.in_group_percent, r.out_group_percent, r.group_votes);
                    let agree = r.direction == Direction::Agree;
                    view! {
                        <StatementLine report=report.clone() id=r.statement>
                            <span class=if agree { "rep agree" } else { "rep disagree" }>
                                {move || if agree { (t().report.rep_agree)(inp, outp, n) } else { (t().report.rep_disagree)(inp, outp, n) }}
                            </span>
                        </StatementLine>
                    }
                })
                .collect_view();
            let name = l.clone();
            let sure = a.stability.as_ref().and_then(|s| s.group(g.id)).copied().map(|s| {
                // The word is a button so keyboard users reach it; the figure describes it
                // (aria-describedby) and shows on hover and on focus (CSS).
                let figure_id = format!("group-stability-{}", g.id);
                let (stable, j) = (s.stable, s.jaccard);
                view! {
                    " · "
                    <span class="stability">
                        <button type="button" class=if stable { "stability-word stable" } else { "stability-word shaky" }
                            data-testid="group-stability" data-stable=stable.to_string()
                            aria-describedby=figure_id.clone()>
                            {move || if stable { t().report.group_stable } else { t().report.group_shaky }}
                        </button>
                        <span class="stability-figure" role="tooltip" id=figure_id>
                            {move || (t().report.stability_figure)(j)}
                        </span>
                    </span>
                }
            });
            view! {
                <div class="group-card" data-testid="group" data-size=size style=format!("border-color:{colour}")>
                    <h3><span class="swatch" style=format!("background:{colour}")></span>
                        {move || (t().report.group_name)(&name)}" · "{move || (t().report.group_size)(size)}{sure}</h3>
                    <ul class="statements">{reps}</ul>
                </div>
            }
        })
        .collect_view();
    let near: Vec<usize> = a.stability.as_ref().map(|s| s.near_equal_k.clone()).unwrap_or_default();
    let near = (near.len() > 1).then(|| {
        view! { <p class="muted" data-testid="near-equal-k">{move || (t().report.near_equal_k)(&near)}</p> }
    });
    view! {
        <section class="report-section"><h2>{move || t().report.groups_heading}</h2>
            {near}
            <div class="groups">{groups}</div>
        </section>
    }
}

#[component]
fn Consensus(report: Arc<Report>) -> impl IntoView {
    let list = |entries: &[mufakat_core::analysis::ConsensusEntry]| {
        if entries.is_empty() {
            return view! { <p class="muted">{move || t().report.none}</p> }.into_any();
        }
        let items = entries
            .iter()
            .map(|e| {
                let (p, n) = (e.probability, e.votes);
                view! {
                    <StatementLine report=report.clone() id=e.statement>
                        {move || (t().report.consensus_line)(p, n)}
                    </StatementLine>
                }
            })
            .collect_view();
        // A list holds only its items: "none" is a paragraph instead of the list.
        view! { <ul class="statements">{items}</ul> }.into_any()
    };
    let agree = list(&report.analysis.consensus.agree);
    let disagree = list(&report.analysis.consensus.disagree);
    view! {
        <section class="report-section" data-testid="consensus"><h2>{move || t().report.consensus_heading}</h2>
            <h3>{move || t().report.consensus_agree}</h3>{agree}
            <h3>{move || t().report.consensus_disagree}</h3>{disagree}
        </section>
    }
}

#[component]
fn Bridging(report: Arc<Report>) -> impl IntoView {
    let a = &report.analysis;
    let items = a
        .bridging
        .iter()
        .take(8)
        .filter_map(|&id| a.statement(id).map(|s| (id, s.clone())))
        .map(|(id, s)| {
            let bars = group_bars(a, &s);
            view! { <StatementLine report=report.clone() id>{bars}</StatementLine> }
        })
        .collect_view();
    let empty = a.bridging.is_empty();
    view! {
        <section class="report-section" data-testid="bridging"><h2>{move || t().report.bridging_heading}</h2>
            <p class="muted">{move || t().report.bridging_note}</p>
            <Show when=move || empty><p class="muted">{move || t().report.none}</p></Show>
            <ul class="statements">{items}</ul>
        </section>
    }
}

#[component]
fn Divisive(report: Arc<Report>) -> impl IntoView {
    let a = &report.analysis;
    let mut ranked: Vec<&StatementScores> = a
        .statements
        .iter()
        .filter(|s| !s.excluded && s.groups.iter().all(|g| g.seen() >= MIN_CELL))
        .collect();
    ranked.sort_by(|x, y| y.divisiveness.total_cmp(&x.divisiveness).then(x.id.cmp(&y.id)));
    let items = ranked
        .into_iter()
        .take(DIVISIVE_SHOWN)
        .map(|s| {
            let bars = group_bars(a, s);
            view! { <StatementLine report=report.clone() id=s.id>{bars}</StatementLine> }
        })
        .collect_view();
    view! {
        <section class="report-section" data-testid="divisive"><h2>{move || t().report.divisive_heading}</h2>
            <p class="muted">{move || t().report.divisive_note}</p>
            <ul class="statements">{items}</ul>
        </section>
    }
}

/// A count as shown: hidden below [`MIN_CELL`].
fn cell(n: u32) -> String {
    if n < MIN_CELL {
        t().report.suppressed.to_string()
    } else {
        n.to_string()
    }
}

/// Per group answers to the meta (demographic) statements; counts below 5 are hidden.
#[component]
fn Demographics(report: Arc<Report>) -> impl IntoView {
    let a = &report.analysis;
    // A meta statement whose words are not public (a stored conversation's) would be answers
    // to no question: left out.
    let meta: Vec<&StatementScores> =
        a.statements.iter().filter(|s| s.is_meta && !report.is_unlisted(s.id)).collect();
    if meta.is_empty() {
        return None;
    }
    let heads = a.groups.iter().map(|g| view! { <th scope="col">{letter(a, g.id)}</th> }).collect_view();
    let rows = meta
        .into_iter()
        .map(|s| {
            let text = statement_text(&report, s.id);
            let per = |pick: fn(&mufakat_core::analysis::GroupTally) -> u32| {
                s.groups.iter().map(|g| view! { <td>{cell(pick(g))}</td> }).collect_view()
            };
            view! {
                <tr><th scope="row" colspan="99" class="demo-q">"#"{s.id}" "{text}</th></tr>
                <tr><td>{move || t().report.agree}</td><td>{cell(s.agree)}</td>{per(|g| g.agree)}</tr>
                <tr><td>{move || t().report.disagree}</td><td>{cell(s.disagree)}</td>{per(|g| g.disagree)}</tr>
                <tr><td>{move || t().report.pass}</td><td>{cell(s.pass)}</td>{per(|g| g.pass)}</tr>
            }
        })
        .collect_view();
    Some(view! {
        <section class="report-section" data-testid="demographics"><h2>{move || t().report.demographics_heading}</h2>
            <p class="muted">{move || t().report.demographics_note}</p>
            <table class="demographics">
                <thead><tr><th></th><th scope="col">{move || t().report.everyone}</th>{heads}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    })
}

/// Per group answers to a stored conversation's demographic questions, as the server counted
/// them (it alone sees single answers; cells under 5 come as `None`). Shown only when the
/// server's groups are this report's groups (same ids and sizes).
#[component]
fn GroupAnswers(report: Arc<Report>, demographics: GroupDemographics) -> impl IntoView {
    let a = &report.analysis;
    let same_groups = demographics.groups.len() == a.groups.len()
        && demographics.groups.iter().zip(&a.groups).all(|(d, g)| d.group == g.id && d.size == g.size);
    let first = demographics.groups.first()?;
    if !same_groups || first.questions.is_empty() {
        return None;
    }
    let heads = a.groups.iter().map(|g| view! { <th scope="col">{letter(a, g.id)}</th> }).collect_view();
    let rows = first
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let options = q
                .options
                .iter()
                .enumerate()
                .map(|(oi, o)| {
                    let cells = demographics
                        .groups
                        .iter()
                        .map(|g| {
                            let count =
                                g.questions.get(qi).and_then(|q| q.options.get(oi)).and_then(|o| o.count);
                            let shown =
                                count.map_or_else(|| t().report.suppressed.to_string(), |n| n.to_string());
                            view! { <td>{shown}</td> }
                        })
                        .collect_view();
                    view! { <tr><td>{o.option.clone()}</td>{cells}</tr> }
                })
                .collect_view();
            view! {
                <tr><th scope="row" colspan="99" class="demo-q">{q.label.clone()}</th></tr>
                {options}
            }
        })
        .collect_view();
    Some(view! {
        <section class="report-section" data-testid="group-demographics"><h2>{move || t().report.demographics_heading}</h2>
            <p class="muted">{move || t().report.demographics_note}</p>
            <table class="demographics">
                <thead><tr><th></th>{heads}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    })
}

#[component]
fn AllStatements(report: Arc<Report>) -> impl IntoView {
    let a = &report.analysis;
    let mut list: Vec<&StatementScores> = a.statements.iter().filter(|s| !s.is_meta).collect();
    list.sort_by_key(|s| s.id);
    let items = list
        .into_iter()
        .map(|s| {
            let bars = group_bars(a, s);
            view! { <StatementLine report=report.clone() id=s.id>{bars}</StatementLine> }
        })
        .collect_view();
    view! {
        <section class="report-section" data-testid="all-statements">
            <details><summary><h2>{move || t().report.statements_heading}</h2></summary>
                <ul class="statements">{items}</ul>
            </details>
        </section>
    }
}

#[component]
fn Exports(report: Arc<Report>) -> impl IntoView {
    // A stored conversation's files that need the vote times and authors come from
    // `TimedFiles` (fetched on the first such download); a dropped export's are complete.
    let timed = use_context::<TimedFiles>();
    let buttons = report
        .files
        .iter()
        .map(|(name, contents)| {
            let (n, body) = (name.clone(), contents.clone());
            let label = name.clone();
            let late = timed.filter(|_| TIMED_FILES.contains(&name.as_str()));
            let r = report.clone();
            let busy = move || late.is_some_and(TimedFiles::busy);
            view! {
                <button type="button" data-file=name.clone() aria-busy=move || busy().to_string()
                    on:click=move |_| match late {
                        Some(late) => late.download(n.clone(), r.clone()),
                        None => save_text(&n, &body),
                    }>{label}</button>
            }
        })
        .collect_view();
    let pngs = report
        .files
        .iter()
        .filter_map(|(name, contents)| {
            name.strip_suffix(".svg").map(|stem| (stem.to_string(), contents.clone()))
        })
        .map(|(stem, svg)| {
            let file = format!("{stem}.png");
            let label = file.clone();
            // Rendered ahead, so the click itself downloads (a late download would be blocked).
            let png: RwSignal<Option<String>> = RwSignal::new(None);
            render_png(&svg, move |data| png.set(Some(data)));
            view! {
                <button type="button" data-file=file.clone() disabled=move || png.with(Option::is_none)
                    on:click=move |_| png.with_untracked(|p| if let Some(p) = p { save_url(&file, p) })>
                    {move || (t().report.png_of)(&label)}
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="report-section" data-testid="exports"><h2>{move || t().report.exports_heading}</h2>
            <p class="muted">{move || t().report.exports_note}</p>
            <div class="export-buttons">{buttons}{pngs}</div>
            {timed.map(|timed| view! { <TimedStatus timed/> })}
        </section>
    }
}

/// The consensus map drawn by `mufakat_core::svg`, so the page shows exactly the picture the
/// exports contain (with the legend in the reader's language).
#[component]
fn ConsensusMap(analysis: Arc<Analysis>) -> impl IntoView {
    // In the reader's language; the exported file stays English.
    let svg = move || mufakat_core::svg::consensus_map_in(&analysis, &t().report.consensus_map_words);
    view! { <div class="consensus-map" data-testid="consensus-map" inner_html=svg></div> }
}
