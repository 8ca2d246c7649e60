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
use mufakat_core::api::translations::{StatementLanguages, Translation};
use mufakat_core::polis_csv::{self, PolisExport};
use mufakat_core::report_files::report_files;
use unicode_normalization::UnicodeNormalization;

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
    /// A Pol.is export directory (comments.csv, votes.csv, …), its zip, or a conversation id.
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
    /// A Pol.is export directory, or its zip.
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
    if is_zip(dir) {
        return read_export_zip(dir);
    }
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let mut listed = list_dir(dir)?;
    let mut dir = dir.to_path_buf();
    // Pol.is's export zip holds its files in a folder: unzipped, the export is one level down.
    if !listed.iter().any(|(name, _)| polis_csv::export_file_role(name).is_some()) {
        if let Some(sub) = export_subfolder(&dir)? {
            listed = list_dir(&sub)?;
            dir = sub;
        }
    }
    let dir = dir.as_path();
    polis_csv::read_polis_files(listed, |_, path| std::fs::read(&path).map_err(|e| e.to_string()))
        .map_err(|e| read_error(dir, e))
}

/// One line naming the folder or zip and what is wrong with its files.
fn read_error(place: &Path, e: polis_csv::ReadFilesError) -> anyhow::Error {
    match e {
        polis_csv::ReadFilesError::Conflict(conflict) => {
            let mut names = conflict.names;
            names.sort();
            anyhow::anyhow!(
                "{}: {} files could be the export's {}: {}; keep one export per folder",
                place.display(),
                names.len(),
                conflict.role,
                names.join(", ")
            )
        }
        e => anyhow::anyhow!("{}: {e}", place.display()),
    }
}

/// A file named `….zip`.
fn is_zip(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// A Pol.is export zip (openData's holds its files in a folder): its files by base name,
/// as the browser import reads a dropped zip; macOS's `__MACOSX` copies left aside.
fn read_export_zip(path: &Path) -> anyhow::Result<PolisExport> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: not a readable zip file ({e})", path.display()))?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let name = entry.name().to_string();
        if entry.is_dir() || name.split('/').any(|part| part == "__MACOSX") {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or("").to_string();
        if polis_csv::export_file_role(&base).is_none() {
            files.push((base, Vec::new())); // named in errors, never read
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| anyhow::anyhow!("{}/{name}: {e}", path.display()))?;
        files.push((base, bytes));
    }
    polis_csv::read_polis_files(files, |_, bytes| Ok(bytes)).map_err(|e| read_error(path, e))
}

/// The files of a folder, as (name, path), sorted by name.
fn list_dir(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut listed: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry.with_context(|| format!("reading {}", dir.display()))?.path();
        if let (Some(name), true) = (path.file_name().and_then(|n| n.to_str()), path.is_file()) {
            listed.push((name.to_string(), path));
        }
    }
    listed.sort();
    Ok(listed)
}

/// The one subfolder of `dir` holding export files (hidden folders and macOS's `__MACOSX`
/// left aside); an error when several do.
fn export_subfolder(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry.with_context(|| format!("reading {}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !path.is_dir() || name.starts_with('.') || name == "__MACOSX" {
            continue;
        }
        if list_dir(&path)?.iter().any(|(n, _)| polis_csv::export_file_role(n).is_some()) {
            found.push(path);
        }
    }
    found.sort();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        n => bail!(
            "{}: no export files here, and {n} folders in it hold some ({}); give one of them",
            dir.display(),
            found
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
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
        conversation: Conversation {
            closed: true,
            from_polis: crate::store::from_polis(source_url.as_deref()),
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
        source_url,
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
        // translations.csv, checked by its reader; NFC-normalised as a moderator's are.
        translations: export
            .translations
            .iter()
            .map(|s| StatementLanguages {
                translations: s
                    .translations
                    .iter()
                    .map(|t| Translation { text: t.text.nfc().collect(), ..t.clone() })
                    .collect(),
                ..s.clone()
            })
            .collect(),
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
    if path.is_dir() || is_zip(path) {
        return read_export_dir(path);
    }
    if source.contains('/') || source.contains('\\') || path.exists() {
        bail!("{source}: neither a directory nor a zip file");
    }
    let store = Store::open(database_url).await.with_context(|| format!("opening {database_url}"))?;
    stored_export(&store, source)
        .await
        .with_context(|| format!("{source} is neither a directory nor a stored conversation"))
}

/// Standard output that a reader who stops reading ends quietly: `mufakat analyze … | head -1`
/// closes the pipe, and the rest of the output is dropped, as other Unix tools do, instead of
/// a panic ("failed printing to stdout: Broken pipe"); the command goes on (writing the
/// files of --out) and exits 0.
#[derive(Default)]
struct Stdout {
    closed: bool,
}

impl Stdout {
    fn print(&mut self, text: &str) -> anyhow::Result<()> {
        use std::io::Write;
        if self.closed {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            r => r.context("writing to standard output"),
        }
    }
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
    let analysis = analysis.with_context(|| format!("analysing {}", a.source))?;
    let mut out = Stdout::default();
    if a.json {
        for note in &export.notes {
            eprintln!("note: {note}");
        }
        out.print(&format!("{}\n", polis_csv::export_analysis_json(&export, &analysis)))?;
    } else {
        for note in &export.notes {
            out.print(&format!("Note: {note}.\n"))?;
        }
        out.print(&mufakat_core::report::text_summary(&analysis, |id| export.statement_text(id)))?;
        if let Some(agreement) = export.agreement_with_polis(&analysis) {
            out.print(&format!("\n{}\n", polis_agreement_line(&agreement)))?;
        }
        if let Some(math) = &export.math {
            out.print(&format!("\n{}", math.compare(&analysis).text()))?;
        }
        if let Some(statement) = polis_attribution(&export) {
            out.print(&format!("\n{statement}\n"))?;
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
        .or_else(|| {
            let name = if is_zip(dir) { dir.file_stem() } else { dir.file_name() };
            name.map(|n| n.to_string_lossy().into_owned())
        })
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
    let translations: usize = dump.translations.iter().map(|s| s.translations.len()).sum();
    let mut out = Stdout::default();
    let count = |n: usize, one, many| mufakat_core::report::count(n as u64, one, many);
    out.print(&format!(
        "imported {} as conversation {id}: {}, {}, {}, {}\n",
        a.dir.display(),
        count(dump.statements.len(), "statement", "statements"),
        count(dump.participants.len(), "participant", "participants"),
        count(dump.votes.len(), "vote", "votes"),
        count(translations, "translation", "translations"),
    ))?;
    if a.open {
        out.print(&format!("It is open: new participants can join at /c/{id}, vote and write.\n"))?;
    } else {
        out.print(&format!(
            "It is closed: anyone can read it and its report (/r/{id}), nobody can vote or write. \
             To open it, press \"Reopen conversation\" in its console (/admin), or import with --open.\n"
        ))?;
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
    Stdout::default().print(&format!("wrote {} files to {}\n", files.len(), a.out.display()))?;
    Ok(())
}
