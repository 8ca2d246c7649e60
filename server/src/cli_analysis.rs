//! The analyst's commands: `mufakat analyze`, `mufakat import`, `mufakat export`.
//!
//! They read a Pol.is export directory (or a stored conversation), run the same core
//! analysis as the browser, print a readable summary and write the report's files
//! (`mufakat_core::report_files`). Malformed CSV is reported with file, line and column.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use mufakat_core::analysis::{Analysis, AnalysisParams, Stage};
use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::polis_csv::{self, PolisExport};
use mufakat_core::report_files::report_files;

use crate::export::stored_export;
use crate::store::{Conversation, ConversationDump, Store, StoredStatement, StoredVote};

const DEFAULT_DB: &str = "sqlite://data/mufakat.sqlite";

#[derive(Subcommand)]
pub enum AnalysisCommand {
    /// Analyse a Pol.is export directory or a stored conversation and print a summary.
    Analyze(AnalyzeArgs),
    /// Import a Pol.is export directory into the store as a new conversation.
    Import(ImportArgs),
    /// Export a stored conversation as Pol.is files plus the analysis.
    Export(ExportArgs),
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// A Pol.is export directory (comments.csv, votes.csv, …) or a conversation id.
    source: String,
    /// Write every report file into this directory.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the analysis (same data and seed give identical files).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print the analysis as JSON (analysis.json) instead of the summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    threads: ThreadsArg,
    /// Store location, used when `source` is a conversation id.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
}

#[derive(Args)]
pub struct ImportArgs {
    /// A Pol.is export directory.
    dir: PathBuf,
    /// Id of the new conversation (default: the pol.is id in summary.csv, else the folder name).
    #[arg(long)]
    id: Option<String>,
    /// Open the conversation to new participants, votes and statements at once. Without it
    /// the import is closed (a record of the Pol.is conversation) until a moderator reopens
    /// it in the console.
    #[arg(long)]
    open: bool,
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The conversation id.
    conversation: String,
    /// Directory to write the files into (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    threads: ThreadsArg,
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
}

#[derive(Args)]
pub struct ThreadsArg {
    /// Threads for the stability resamples (default: every core). The result is the same
    /// for every count; only the time differs.
    #[arg(long = "threads", env = "MUFAKAT_THREADS", value_parser = clap::value_parser!(u16).range(1..))]
    count: Option<u16>,
}

impl ThreadsArg {
    fn get(&self) -> usize {
        match self.count {
            Some(n) => usize::from(n),
            None => std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

pub async fn run(command: AnalysisCommand) -> anyhow::Result<()> {
    match command {
        AnalysisCommand::Analyze(a) => analyze(a).await,
        AnalysisCommand::Import(a) => import(a).await,
        AnalysisCommand::Export(a) => export(a).await,
    }
}

/// Reads a Pol.is export directory with [`polis_csv::read_polis_files`] (the browser
/// import's reader too): the CSV export, with or without comments.csv and votes.csv, or
/// Pol.is's API JSON. Errors are one line naming the file and, for CSV, line and column.
/// Files are found by name as Pol.is writes them (`comments.csv`) or as its report page
/// downloads them (`2024-10-23-1530-2arcefpshi-comments.csv`); two candidates for one
/// file are refused.
pub fn read_export_dir(dir: &Path) -> anyhow::Result<PolisExport> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let mut listed: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry.with_context(|| format!("reading {}", dir.display()))?.path();
        if let (Some(name), true) = (path.file_name().and_then(|n| n.to_str()), path.is_file()) {
            listed.push((name.to_string(), path));
        }
    }
    listed.sort();
    polis_csv::read_polis_files(listed, |_, path| std::fs::read(&path).map_err(|e| e.to_string())).map_err(
        |e| match e {
            polis_csv::ReadFilesError::Conflict(conflict) => {
                let mut names = conflict.names;
                names.sort();
                anyhow::anyhow!(
                    "{}: {} files could be the export's {}: {}; keep one export per folder",
                    dir.display(),
                    names.len(),
                    conflict.role,
                    names.join(", ")
                )
            }
            e => anyhow::anyhow!("{}: {e}", dir.display()),
        },
    )
}

/// A Pol.is export as a new conversation with id `id`, closed (`mufakat import --open`
/// opens it). Refused, before anything is written, when a vote names a statement that
/// comments.csv lacks.
pub fn export_to_dump(export: &PolisExport, id: &str) -> anyhow::Result<ConversationDump> {
    let known: std::collections::HashSet<u32> = export.comments.iter().map(|c| c.id).collect();
    if let Some(v) = export.votes.iter().find(|v| !known.contains(&v.statement)) {
        bail!(
            "participant {} voted on statement {}, which comments.csv does not have; \
             are the files from one conversation? Nothing was imported",
            v.participant,
            v.statement
        );
    }
    let topic = export.summary_value("topic").unwrap_or(id).to_string();
    let description = export.summary_value("conversation-description").unwrap_or("").to_string();
    let mut participants: std::collections::BTreeMap<u32, Option<String>> = Default::default();
    for p in &export.participants {
        // An empty cell of the xid column is no xid.
        participants.insert(p.participant, p.xid.clone().filter(|x| !x.is_empty()));
    }
    for v in &export.votes {
        participants.entry(v.participant).or_default();
    }
    for c in &export.comments {
        if let Some(a) = c.author {
            participants.entry(a).or_default();
        }
    }
    let mut statements: Vec<StoredStatement> = export
        .comments
        .iter()
        .map(|c| StoredStatement {
            id: c.id,
            text: c.body.clone(),
            author: c.author,
            moderation: c.moderation,
            is_meta: c.is_meta,
            is_seed: c.is_seed,
            created_at: c.timestamp.unwrap_or(0),
        })
        .collect();
    statements.sort_by_key(|s| s.id);
    statements.dedup_by_key(|s| s.id);
    let source_url = export.summary_value("url").map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
    Ok(ConversationDump {
        source_url,
        conversation: Conversation {
            closed: true,
            ..Conversation::with_settings(
                id,
                ConversationSettings {
                    title: topic,
                    description,
                    language: "en".into(),
                    strict_moderation: export.settings.is_some_and(|s| s.strict_moderation),
                    allow_statements: export.settings.is_none_or(|s| s.allow_statements),
                    ..Default::default()
                },
            )
        },
        statements,
        participants: participants.into_iter().collect(),
        votes: export
            .votes
            .iter()
            .map(|v| StoredVote {
                participant: v.participant,
                statement: v.statement,
                vote: v.vote,
                at: v.timestamp.unwrap_or(0),
            })
            .collect(),
        // With Pol.is's math, the live analysis continues from Pol.is's groups.
        analysis_start: export.warm_start().map(|warm_start| mufakat_core::published::Start {
            params: export.params_for(&mufakat_core::published::params()),
            warm_start,
        }),
    })
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(5);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:20}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Reducing => "reducing",
        Stage::Clustering => "clustering",
        Stage::Scoring => "scoring",
        Stage::BuildingMap => "building the map",
    }
}

/// Runs the analysis with a progress bar on stderr (hidden when stderr is not a terminal).
fn analyse_export(
    export: &PolisExport,
    seed: u64,
    threads: usize,
    bar: &ProgressBar,
) -> anyhow::Result<Analysis> {
    // With Pol.is's math (math-pca2.json), the analysis continues from Pol.is's state.
    let params = AnalysisParams::default().seed(seed).threads(threads);
    let analysis = export.analyse_with_progress(&params, &mut |stage| {
        bar.inc(1);
        bar.set_message(stage_name(stage));
    })?;
    Ok(analysis)
}

/// The CC BY 4.0 statement, when the export names a pol.is conversation.
fn polis_attribution(export: &PolisExport) -> Option<String> {
    mufakat_core::attribution::polis_attribution(export.summary_value("url"))
}

/// One line comparing our groups with the ones Pol.is recorded in the export (two with the
/// straight-cut share).
fn polis_agreement_line(a: &polis_csv::PolisAgreement) -> String {
    let groups =
        if a.polis_groups == 1 { "1 group".to_string() } else { format!("{} groups", a.polis_groups) };
    if a.participants < 2 {
        return format!(
            "Pol.is's own groups (group-id in participants-votes.csv): {groups}; fewer than two participants \
             are in a group both here and in Pol.is, so the groups cannot be compared"
        );
    }
    let mut line = format!(
        "Pol.is's own groups (group-id in participants-votes.csv): {groups}; agreement with the groups above: \
         adjusted Rand index {:.3} over {} participants both place in a group (1 = the same groups)",
        a.adjusted_rand_index, a.participants
    );
    if let Some(cut) = a.straight_cut {
        line.push_str(&format!(
            ".\nOne straight line across our opinion map puts {:.1}% of them on their Pol.is group's side, \
             against {:.1}% with no line (everyone on the bigger group's side); near 100% means the map agrees \
             with Pol.is's, and where the groups differ, only the line between them falls elsewhere.",
            cut.share * 100.0,
            cut.bigger_set * 100.0
        ));
    }
    line
}

fn write_files(dir: &Path, export: &PolisExport, analysis: &Analysis) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    if let Some(statement) = polis_attribution(export) {
        let path = dir.join("ATTRIBUTION.txt");
        std::fs::write(&path, format!("{statement}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    for (name, contents) in report_files(export, analysis) {
        let path = dir.join(&name);
        std::fs::write(&path, &contents).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
        if let Some(stem) = name.strip_suffix(".svg") {
            let png = dir.join(format!("{stem}.png"));
            let bytes = svg_to_png(&contents).with_context(|| format!("rendering {}", png.display()))?;
            std::fs::write(&png, bytes).with_context(|| format!("writing {}", png.display()))?;
            written.push(png);
        }
    }
    Ok(written)
}

/// Renders an SVG natively (resvg, system fonts for the labels) at twice its size.
pub fn svg_to_png(svg: &str) -> anyhow::Result<Vec<u8>> {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    // fontdb's generic sans-serif is Arial, rarely installed on Linux servers.
    for family in ["DejaVu Sans", "Liberation Sans", "Noto Sans"] {
        let query = resvg::usvg::fontdb::Query {
            families: &[resvg::usvg::fontdb::Family::Name(family)],
            ..Default::default()
        };
        if options.fontdb.query(&query).is_some() {
            options.fontdb_mut().set_sans_serif_family(family);
            break;
        }
    }
    let tree = resvg::usvg::Tree::from_str(svg, &options)?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)
        .ok_or_else(|| anyhow::anyhow!("empty picture"))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(2.0, 2.0), &mut pixmap.as_mut());
    Ok(pixmap.encode_png()?)
}

async fn load_source(source: &str, database_url: &str) -> anyhow::Result<PolisExport> {
    let path = Path::new(source);
    if path.is_dir() {
        return read_export_dir(path);
    }
    if source.contains('/') || source.contains('\\') || path.exists() {
        bail!("{source}: not a directory");
    }
    let store = Store::open(database_url).await.with_context(|| format!("opening {database_url}"))?;
    stored_export(&store, source)
        .await
        .with_context(|| format!("{source} is neither a directory nor a stored conversation"))
}

async fn analyze(a: AnalyzeArgs) -> anyhow::Result<()> {
    let bar = progress_bar();
    bar.set_message("loading votes");
    let export = load_source(&a.source, &a.database_url).await;
    let export = match export {
        Ok(e) => e,
        Err(e) => {
            bar.finish_and_clear();
            return Err(e);
        }
    };
    bar.inc(1);
    let analysis = analyse_export(&export, a.seed, a.threads.get(), &bar);
    bar.finish_and_clear();
    let analysis = analysis?;
    if a.json {
        for note in &export.notes {
            eprintln!("note: {note}");
        }
        println!("{}", polis_csv::export_analysis_json(&export, &analysis));
    } else {
        for note in &export.notes {
            println!("Note: {note}.");
        }
        print!("{}", mufakat_core::report::text_summary(&analysis, |id| export.statement_text(id)));
        if let Some(agreement) = export.agreement_with_polis(&analysis) {
            println!("\n{}", polis_agreement_line(&agreement));
        }
        if let Some(math) = &export.math {
            print!("\n{}", math.compare(&analysis).text());
        }
        if let Some(statement) = polis_attribution(&export) {
            println!("\n{statement}");
        }
    }
    if let Some(out) = &a.out {
        let files = write_files(out, &export, &analysis)?;
        eprintln!("wrote {} files to {}", files.len(), out.display());
    }
    Ok(())
}

/// `summary.csv`'s pol.is id ("https://pol.is/7wmvbjcjhp" → "7wmvbjcjhp"), else the folder name.
fn default_id(export: &PolisExport, dir: &Path) -> String {
    let from_url = export
        .summary_value("url")
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .filter(|s| !s.is_empty() && !s.contains(':'));
    let raw = from_url
        .map(str::to_string)
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "imported".into());
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

async fn import(a: ImportArgs) -> anyhow::Result<()> {
    let export = read_export_dir(&a.dir)?;
    let id = a.id.clone().unwrap_or_else(|| default_id(&export, &a.dir));
    let store = Store::open(&a.database_url).await.with_context(|| format!("opening {}", a.database_url))?;
    if store.conversation(&id).await.is_ok() {
        bail!("conversation {id} already exists; choose another with --id");
    }
    let mut dump = export_to_dump(&export, &id).with_context(|| format!("importing {}", a.dir.display()))?;
    dump.conversation.closed = !a.open;
    store.import_conversation(&dump).await.with_context(|| format!("importing {}", a.dir.display()))?;
    println!(
        "imported {} as conversation {id}: {} statements, {} participants, {} votes",
        a.dir.display(),
        dump.statements.len(),
        dump.participants.len(),
        dump.votes.len()
    );
    if a.open {
        println!("It is open: new participants can join at /c/{id}, vote and write.");
    } else {
        println!(
            "It is closed: anyone can read it and its report (/r/{id}), nobody can vote or write. \
             To open it, press \"Reopen conversation\" in its console (/admin), or import with --open."
        );
    }
    Ok(())
}

async fn export(a: ExportArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.database_url).await.with_context(|| format!("opening {}", a.database_url))?;
    let export = stored_export(&store, &a.conversation).await.with_context(|| a.conversation.clone())?;
    let bar = progress_bar();
    let analysis = analyse_export(&export, a.seed, a.threads.get(), &bar);
    bar.finish_and_clear();
    let analysis = analysis.with_context(|| format!("analysing {}", a.conversation))?;
    let files = write_files(&a.out, &export, &analysis)?;
    println!("wrote {} files to {}", files.len(), a.out.display());
    Ok(())
}
