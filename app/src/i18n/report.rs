//! Messages of the analyst report (`/report`, `/r/<id>`).

use mufakat_core::report::count;
use mufakat_core::svg::ConsensusMapWords;

/// "2, 3 and 4": numbers joined with commas and `and` before the last.
fn list_and(ks: &[usize], and: &str) -> String {
    match ks {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(|k| k.to_string()).collect();
            format!("{} {and} {last}", rest.join(", "))
        }
    }
}

pub struct Report {
    pub import_title: &'static str,
    pub import_intro: &'static str,
    pub import_private: &'static str,
    pub pick_files: &'static str,
    pub drop_here: &'static str,
    pub step_loading: &'static str,
    pub step_reducing: &'static str,
    pub step_clustering: &'static str,
    pub step_scoring: &'static str,
    pub step_building_map: &'static str,
    pub progress: fn(&str, u32) -> String,
    pub failed: &'static str,
    pub report_title: &'static str,
    pub counts: fn(usize, usize, usize, usize) -> String,
    pub groups_heading: &'static str,
    pub group_name: fn(&str) -> String,
    pub group_size: fn(u32) -> String,
    /// A group's stability word, for a city hall: it holds when the analysis is re-run on
    /// half the participants, or it does not.
    pub group_stable: &'static str,
    pub group_shaky: &'static str,
    /// The figure behind the word (mean Jaccard, 0–1), shown on hover and focus.
    pub stability_figure: fn(f64) -> String,
    /// "2 and 3 groups fit almost equally well".
    pub near_equal_k: fn(&[usize]) -> String,
    pub rep_agree: fn(f64, f64, u32) -> String,
    pub rep_disagree: fn(f64, f64, u32) -> String,
    pub consensus_heading: &'static str,
    pub consensus_agree: &'static str,
    pub consensus_disagree: &'static str,
    pub consensus_line: fn(f64, u32) -> String,
    pub bridging_heading: &'static str,
    pub bridging_note: &'static str,
    pub divisive_heading: &'static str,
    pub divisive_note: &'static str,
    pub statements_heading: &'static str,
    pub opinion_map_heading: &'static str,
    pub opinion_map_note: &'static str,
    pub consensus_map_heading: &'static str,
    pub consensus_map_note: &'static str,
    /// The consensus map's title and legend, drawn by `mufakat_core::svg`.
    pub consensus_map_words: ConsensusMapWords,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub reset_view: &'static str,
    pub demographics_heading: &'static str,
    pub demographics_note: &'static str,
    pub suppressed: &'static str,
    pub everyone: &'static str,
    pub agree: &'static str,
    pub disagree: &'static str,
    pub pass: &'static str,
    pub none: &'static str,
    /// In place of the words of a statement participants do not see (rejected, meta or
    /// unmoderated), which a stored conversation's public report does not have.
    pub unlisted_statement: &'static str,
    pub exports_heading: &'static str,
    pub exports_note: &'static str,
    pub png_of: fn(&str) -> String,
    /// A stored conversation's files that need the vote times and authors, fetched on the
    /// first download of one of them.
    pub times_working: &'static str,
    pub times_ready: &'static str,
    pub times_failed: fn(&str) -> String,
    pub attribution_heading: &'static str,
    pub attribution_text: &'static str,
    pub source_link: &'static str,
    pub polis_heading: &'static str,
    pub polis_ari: fn(usize, f64, usize) -> String,
    pub polis_cut: fn(f64, f64) -> String,
    pub verify_heading: &'static str,
    pub verify_intro: &'static str,
    pub verify_button: &'static str,
    pub verify_working: &'static str,
    pub verify_none: &'static str,
    /// (seq, bytes)
    pub verify_match: fn(u64, u64) -> String,
    /// (seq, first differing byte)
    pub verify_differs: fn(u64, u64) -> String,
    pub verify_failed: fn(&str) -> String,
}

pub static EN: Report = Report {
    import_title: "Analyse a Pol.is export",
    import_intro: "Drop the CSV files of a Pol.is export (comments.csv, votes.csv or participants-votes.csv, summary.csv, also with the date and conversation id Pol.is puts in front when you download them), several at once or as one zip.",
    import_private: "Everything is computed in this browser tab. Nothing is uploaded.",
    pick_files: "Choose files",
    drop_here: "or drop them here",
    step_loading: "Loading votes",
    step_reducing: "Reducing",
    step_clustering: "Clustering",
    step_scoring: "Scoring statements",
    step_building_map: "Building the map",
    progress: |step, pct| format!("{step}… {pct}%"),
    failed: "The analysis could not be completed:",
    report_title: "Report",
    counts: |p, v, s, g| {
        let n = |n: usize, one, many| count(n as u64, one, many);
        format!(
            "{} · {} · {} · {}",
            n(p, "participant", "participants"),
            n(v, "vote", "votes"),
            n(s, "statement", "statements"),
            n(g, "opinion group", "opinion groups")
        )
    },
    groups_heading: "Opinion groups",
    group_name: |l| format!("Group {l}"),
    group_size: |n| if n == 1 { "1 participant".into() } else { format!("{n} participants") },
    group_stable: "stable",
    group_shaky: "shaky",
    stability_figure: |j| format!(
        "Re-run on half the participants, 40 times: this group came back {:.0}% the same on average (Jaccard {j:.2}; stable from 0.75).",
        j * 100.0
    ),
    near_equal_k: |ks| format!("{} groups fit almost equally well.", list_and(ks, "and")),
    rep_agree: |i, o, n| {
        let votes = count(n.into(), "vote", "votes");
        format!("{i:.0}% of the group agree, {o:.0}% of the others ({votes} in the group)")
    },
    rep_disagree: |i, o, n| {
        let votes = count(n.into(), "vote", "votes");
        format!("{i:.0}% of the group disagree, {o:.0}% of the others ({votes} in the group)")
    },
    consensus_heading: "Consensus",
    consensus_agree: "Most people agree",
    consensus_disagree: "Most people disagree",
    consensus_line: |p, n| format!("{:.0}% likely, on {}", p * 100.0, count(n.into(), "vote", "votes")),
    bridging_heading: "Bridging statements",
    bridging_note: "Agreed by people on both sides of the main opinion axis.",
    divisive_heading: "Most divisive statements",
    divisive_note: "The groups' agreement differs most on these.",
    statements_heading: "Every statement, by group",
    opinion_map_heading: "Opinion map",
    opinion_map_note: "Each dot is one participant, coloured by opinion group. Nothing identifies a person.",
    consensus_map_heading: "Consensus map",
    consensus_map_note: "Groups and statements; a line shows a group mostly agrees. Green: agreed by every group. Dark diamonds: bridging.",
    consensus_map_words: ConsensusMapWords::ENGLISH,
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    reset_view: "Reset view",
    demographics_heading: "Who is in each group",
    demographics_note: "Answers to the conversation's demographic questions, as counts per group. Counts below 5 are hidden.",
    suppressed: "<5",
    everyone: "Everyone",
    agree: "Agree",
    disagree: "Disagree",
    pass: "Pass",
    none: "None.",
    unlisted_statement: "(not shown to participants: rejected, meta or awaiting moderation; its words are not public)",
    exports_heading: "Download",
    exports_note: "The same files as `mufakat analyze --out`: Pol.is CSVs with our group ids, the analysis as JSON, the consensus graph and the maps.",
    png_of: |name| format!("{name} (PNG)"),
    times_working: "Fetching when each vote was cast and who wrote each statement…",
    times_ready: "Vote times and statement authors are in votes.csv, comments.csv, participants-votes.csv and summary.csv.",
    times_failed: |e| format!("The vote times could not be fetched: {e}"),
    polis_heading: "Compared with Pol.is's own groups",
    polis_ari: |groups, ari, n| {
        let groups = if groups == 1 { "1 group".to_string() } else { format!("{groups} groups") };
        format!(
            "This export records {groups} made by Pol.is. Agreement with the groups above: adjusted Rand index {ari:.3} over the {n} participants both place in a group (1 = the same groups, 0 = no more than chance)."
        )
    },
    polis_cut: |share, none| {
        format!(
            "One straight line across the opinion map puts {share:.1}% of them on their Pol.is group's side, against {none:.1}% with no line (everyone on the bigger group's side). Near 100% means the map agrees with Pol.is's, and where the groups differ, only the line between them falls elsewhere (Pol.is's groups also depend on the order its live updates ran)."
        )
    },
    attribution_heading: "Data and licence",
    attribution_text: mufakat_core::attribution::POLIS_DATA_STATEMENT,
    source_link: "Source conversation",
    verify_heading: "Check the server's analysis",
    verify_intro: "The server publishes its own analysis of this conversation's votes, which large conversations show to participants. This browser can recompute it from the same votes and compare the two byte for byte.",
    verify_button: "Verify in this browser",
    verify_working: "Fetching the published analysis and recomputing it in this browser…",
    verify_none: "The server has not published an analysis of this conversation yet. Try again after the next votes.",
    verify_match: |seq, bytes| format!("Verified: the server's published analysis of the first {seq} votes is byte for byte what this browser computed ({bytes} bytes)."),
    verify_differs: |seq, at| format!("Not verified: this browser's analysis of the first {seq} votes differs from the server's published one, first at byte {at}."),
    verify_failed: |e| format!("The check could not run: {e}"),
};

pub static ID: Report = Report {
    import_title: "Analisis ekspor Pol.is",
    import_intro: "Letakkan berkas CSV ekspor Pol.is (comments.csv, votes.csv atau participants-votes.csv, summary.csv, juga dengan tanggal dan id percakapan yang ditambahkan Pol.is di depan nama berkas saat diunduh), beberapa sekaligus atau dalam satu zip.",
    import_private: "Semua dihitung di tab peramban ini. Tidak ada yang diunggah.",
    pick_files: "Pilih berkas",
    drop_here: "atau letakkan di sini",
    step_loading: "Memuat suara",
    step_reducing: "Mereduksi dimensi",
    step_clustering: "Mengelompokkan",
    step_scoring: "Menilai pernyataan",
    step_building_map: "Membangun peta",
    progress: |step, pct| format!("{step}… {pct}%"),
    failed: "Analisis tidak dapat diselesaikan:",
    report_title: "Laporan",
    counts: |p, v, s, g| format!("{p} peserta · {v} suara · {s} pernyataan · {g} kelompok pendapat"),
    groups_heading: "Kelompok pendapat",
    group_name: |l| format!("Kelompok {l}"),
    group_size: |n| format!("{n} peserta"),
    group_stable: "stabil",
    group_shaky: "goyah",
    stability_figure: |j| format!(
        "Dihitung ulang 40 kali dengan separuh peserta: rata-rata kelompok ini {:.0}% sama (Jaccard {j:.2}; stabil mulai 0,75).",
        j * 100.0
    ),
    near_equal_k: |ks| format!("{} kelompok sama cocoknya.", list_and(ks, "dan")),
    rep_agree: |i, o, n| format!("{i:.0}% anggota kelompok setuju, {o:.0}% yang lain ({n} suara dalam kelompok)"),
    rep_disagree: |i, o, n| format!("{i:.0}% anggota kelompok tidak setuju, {o:.0}% yang lain ({n} suara dalam kelompok)"),
    consensus_heading: "Titik temu",
    consensus_agree: "Sebagian besar setuju",
    consensus_disagree: "Sebagian besar tidak setuju",
    consensus_line: |p, n| format!("kemungkinan {:.0}%, dari {n} suara", p * 100.0),
    bridging_heading: "Pernyataan penjembatan",
    bridging_note: "Disetujui orang dari kedua sisi sumbu pendapat utama.",
    divisive_heading: "Pernyataan yang paling memecah",
    divisive_note: "Tingkat persetujuan antarkelompok paling berbeda pada pernyataan ini.",
    statements_heading: "Semua pernyataan, per kelompok",
    opinion_map_heading: "Peta pendapat",
    opinion_map_note: "Setiap titik adalah satu peserta, diwarnai menurut kelompok. Tidak ada yang mengenali seseorang.",
    consensus_map_heading: "Peta titik temu",
    consensus_map_note: "Kelompok dan pernyataan; garis berarti kelompok itu umumnya setuju. Hijau: disetujui semua kelompok. Belah ketupat gelap: penjembatan.",
    consensus_map_words: ConsensusMapWords {
        title: "Peta titik temu",
        consensus: "semua kelompok setuju",
        bridges: "menjembatani kelompok",
        typical: "khas satu kelompok (warnanya)",
        other: "pernyataan lain",
    },
    zoom_in: "Perbesar",
    zoom_out: "Perkecil",
    reset_view: "Atur ulang tampilan",
    demographics_heading: "Siapa saja di tiap kelompok",
    demographics_note: "Jawaban atas pertanyaan demografis percakapan, dalam jumlah per kelompok. Jumlah di bawah 5 disembunyikan.",
    suppressed: "<5",
    everyone: "Semua",
    agree: "Setuju",
    disagree: "Tidak setuju",
    pass: "Lewati",
    none: "Tidak ada.",
    unlisted_statement: "(tidak ditampilkan kepada peserta: ditolak, meta, atau menunggu moderasi; isinya tidak publik)",
    exports_heading: "Unduh",
    exports_note: "Berkas yang sama dengan `mufakat analyze --out`: CSV Pol.is dengan id kelompok kami, analisis dalam JSON, graf titik temu dan peta.",
    png_of: |name| format!("{name} (PNG)"),
    times_working: "Mengambil waktu setiap suara dan penulis setiap pernyataan…",
    times_ready: "Waktu suara dan penulis pernyataan ada di votes.csv, comments.csv, participants-votes.csv dan summary.csv.",
    times_failed: |e| format!("Waktu suara tidak dapat diambil: {e}"),
    polis_heading: "Dibandingkan dengan kelompok Pol.is sendiri",
    polis_ari: |groups, ari, n| {
        format!(
            "Ekspor ini mencatat {groups} kelompok buatan Pol.is. Kesesuaian dengan kelompok di atas: indeks Rand yang disesuaikan (adjusted Rand index) {} atas {n} peserta yang ditempatkan dalam kelompok oleh keduanya (1 = kelompok yang sama, 0 = tidak lebih dari kebetulan).",
            format!("{ari:.3}").replace('.', ",")
        )
    },
    polis_cut: |share, none| {
        format!(
            "Satu garis lurus pada peta opini menempatkan {}% dari mereka di sisi kelompok Pol.is-nya, dibandingkan {}% tanpa garis (semua di sisi kelompok yang lebih besar). Mendekati 100% berarti petanya sesuai dengan peta Pol.is, dan bila kelompoknya berbeda, hanya garis pemisah antarkelompok yang jatuh di tempat lain (kelompok Pol.is juga bergantung pada urutan pembaruan langsungnya).",
            format!("{share:.1}").replace('.', ","),
            format!("{none:.1}").replace('.', ",")
        )
    },
    attribution_heading: "Data dan lisensi",
    attribution_text: "Data dikumpulkan dengan perangkat lunak Polis (compdemocracy.org/polis) dan disublisensikan di bawah CC BY 4.0 dengan atribusi kepada The Computational Democracy Project.",
    source_link: "Percakapan sumber",
    verify_heading: "Periksa analisis server",
    verify_intro: "Server menerbitkan analisisnya sendiri atas suara percakapan ini, yang ditampilkan kepada peserta pada percakapan besar. Peramban ini dapat menghitungnya ulang dari suara yang sama dan membandingkan keduanya byte demi byte.",
    verify_button: "Verifikasi di peramban ini",
    verify_working: "Mengambil analisis yang diterbitkan dan menghitungnya ulang di peramban ini…",
    verify_none: "Server belum menerbitkan analisis percakapan ini. Coba lagi setelah ada suara berikutnya.",
    verify_match: |seq, bytes| format!("Terverifikasi: analisis server atas {seq} suara pertama sama byte demi byte dengan hasil hitungan peramban ini ({bytes} byte)."),
    verify_differs: |seq, at| format!("Tidak terverifikasi: analisis peramban ini atas {seq} suara pertama berbeda dari yang diterbitkan server, mulai byte ke-{at}."),
    verify_failed: |e| format!("Pemeriksaan tidak dapat dijalankan: {e}"),
};
