//! Messages of the participant page.

use mufakat_core::model::Vote;

pub struct Participant {
    pub voting_label: &'static str,
    /// The button under a long description, clamped to a few lines: show all / show less.
    pub description_more: &'static str,
    pub description_less: &'static str,
    pub statement_heading: &'static str,
    pub vote_group_label: &'static str,
    pub agree: &'static str,
    pub disagree: &'static str,
    pub pass: &'static str,
    pub pass_hint: &'static str,
    pub shortcuts: &'static str,
    pub key_agree: &'static str,
    pub key_disagree: &'static str,
    pub key_pass: &'static str,
    pub remaining: fn(u32) -> String,
    pub voted_count: fn(usize) -> String,
    pub all_done: &'static str,
    /// The participant voted on as many statements as the conversation asks.
    pub capped_done: &'static str,
    pub closed_card: &'static str,
    /// "Vote recorded" for a vote on the card; `true` when kept on this device for now.
    pub voted: fn(Vote, bool) -> String,
    pub changed: fn(Vote, bool) -> String,
    pub past_votes_heading: fn(usize) -> String,
    pub past_votes_hint: &'static str,
    pub offline: &'static str,
    /// Votes waiting to be sent; `true` when online (being sent now).
    pub waiting: fn(usize, bool) -> String,
    pub post_heading: &'static str,
    pub post_help: &'static str,
    pub post_placeholder: &'static str,
    pub post_button: &'static str,
    pub chars_left: fn(i64) -> String,
    pub posted: &'static str,
    pub posted_pending: &'static str,
    pub my_statements_heading: &'static str,
    pub status_pending: &'static str,
    pub status_rejected: &'static str,
    pub status_visible: &'static str,
    pub error_empty: &'static str,
    pub error_too_long: &'static str,
    pub error_duplicate: &'static str,
    pub error_closed: &'static str,
    pub error_statement_gone: &'static str,
    /// An embedding site's link whose xid signature the server refused.
    pub xid_refused: &'static str,
    /// A genuine sign-in link past its expiry.
    pub xid_expired: &'static str,
    pub standing_heading: &'static str,
    pub standing_locked: fn(usize) -> String,
    pub standing_progress_label: &'static str,
    pub standing_computing: &'static str,
    pub map_title: &'static str,
    pub map_description: fn(usize, usize) -> String,
    pub you_marker: &'static str,
    pub you_are_in: fn(&str) -> String,
    pub no_group: &'static str,
    /// Shown instead of a group while there are no others to compare with.
    pub groups_later: &'static str,
    /// Legend entry: group letter, size, whether it is the participant's group.
    pub group_size: fn(&str, u32, bool) -> String,
    pub group_heading: fn(&str) -> String,
    pub group_none: &'static str,
    /// A representative statement: agree (or disagree) direction, % in the group, % of others.
    pub group_share: fn(bool, u32, u32) -> String,
    pub consensus_heading: &'static str,
    pub consensus_none: &'static str,
    pub consensus_share: fn(u32) -> String,
    pub analysis_note: &'static str,
    /// Below the map when it is the server's published analysis of the first n votes.
    pub published_note: fn(u64) -> String,
    pub about_heading: &'static str,
    pub about_help: &'static str,
    pub about_skip: &'static str,
    pub about_save: &'static str,
    pub about_saved: &'static str,
    /// Beside a translated statement: the original's language, by its own name.
    pub translated_from: fn(&str) -> String,
    /// Beside an original shown instead of its translation.
    pub original_in: fn(&str) -> String,
    pub show_original: &'static str,
    pub show_translation: &'static str,
    pub read_aloud: &'static str,
    pub stop_reading: &'static str,
    /// Announced while the statement is read aloud, and when it stops.
    pub reading: &'static str,
    pub reading_stopped: &'static str,
    pub post_language_label: &'static str,
    pub post_translation_summary: &'static str,
    pub post_translation_language_label: &'static str,
    pub post_translation_label: &'static str,
}

impl Participant {
    pub fn vote_name(&self, vote: Vote) -> &'static str {
        match vote {
            Vote::Agree => self.agree,
            Vote::Disagree => self.disagree,
            Vote::Pass => self.pass,
        }
    }
}

pub static EN: Participant = Participant {
    voting_label: "Vote on statements",
    description_more: "More",
    description_less: "Less",
    statement_heading: "Statement",
    vote_group_label: "Your vote on this statement",
    agree: "Agree",
    disagree: "Disagree",
    pass: "Pass / unsure",
    pass_hint: "Not sure, or rather not say? Pass moves on without taking a side.",
    shortcuts: "Keyboard:",
    key_agree: "A",
    key_disagree: "D",
    key_pass: "P",
    remaining: |n| match n {
        0 => "No statements left".to_string(),
        1 => "1 statement left".to_string(),
        n => format!("{n} statements left"),
    },
    voted_count: |n| match n {
        1 => "you have voted on 1".to_string(),
        n => format!("you have voted on {n}"),
    },
    all_done: "You have voted on every statement. Thank you! New statements appear here as others add them.",
    capped_done: "You have voted on as many statements as this conversation asks. Thank you!",
    closed_card: "This conversation is closed: voting and posting have ended. Thank you for taking part. Only its moderators can reopen it.",
    voted: |v, offline| {
        let w = match v {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Pass => "pass",
        };
        if offline {
            format!("Vote saved on this device: {w}. It will be sent when you are back online.")
        } else {
            format!("Vote recorded: {w}.")
        }
    },
    changed: |v, offline| {
        let w = match v {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Pass => "pass",
        };
        if offline {
            format!("Vote changed to {w} on this device. It will be sent when you are back online.")
        } else {
            format!("Vote changed to {w}.")
        }
    },
    past_votes_heading: |n| match n {
        1 => "Your vote (1): change your mind".to_string(),
        n => format!("Your votes ({n}): change your mind"),
    },
    past_votes_hint: "Choose a different answer for any statement; your latest answer counts.",
    offline: "You are offline. Keep voting: your votes are saved on this device.",
    waiting: |n, online| match (n, online) {
        (1, true) => "Sending 1 saved vote…".to_string(),
        (n, true) => format!("Sending {n} saved votes…"),
        (1, false) => "1 vote waiting to be sent.".to_string(),
        (n, false) => format!("{n} votes waiting to be sent."),
    },
    post_heading: "Add your own statement",
    post_help: "Say one thing others can agree or disagree with. Your name is not shown.",
    post_placeholder: "For example: The health post should open on Saturdays",
    post_button: "Post statement",
    chars_left: |n| match n {
        1 => "1 character left".to_string(),
        -1 => "1 character too many".to_string(),
        n if n >= 0 => format!("{n} characters left"),
        n => format!("{} characters too many", -n),
    },
    posted: "Thank you: your statement is posted.",
    posted_pending: "Thank you: your statement will appear once a moderator accepts it.",
    my_statements_heading: "Your statements",
    status_pending: "Awaiting moderation",
    status_rejected: "Not accepted",
    status_visible: "Shown to others",
    error_empty: "Write something first.",
    error_too_long: "That statement is too long. Please shorten it.",
    error_duplicate: "That statement is already in the conversation.",
    error_closed: "This conversation is closed.",
    error_statement_gone: "That statement was removed by a moderator, so the vote was not counted.",
    xid_refused: "This link's sign-in could not be verified, so you are not signed in. Ask the site that sent you here for a new link.",
    xid_expired: "This sign-in link has expired, so you are not signed in. Go back to the site that sent you here for a new link.",
    standing_heading: "Where you stand",
    standing_locked: |n| match n {
        1 => "Vote on 1 more statement to see where you stand among the other participants.".to_string(),
        n => format!("Vote on {n} more statements to see where you stand among the other participants."),
    },
    standing_progress_label: "Votes towards your place on the map",
    standing_computing: "Working out the opinion map…",
    map_title: "Opinion map",
    map_description: |p, g| {
        let groups = match g {
            0 => "no groups yet".to_string(),
            1 => "1 group".to_string(),
            g => format!("{g} groups"),
        };
        format!("Each dot is one of {p} participants; people who vote alike sit close together, in {groups}.")
    },
    you_marker: "You",
    you_are_in: |g| format!("You are in group {g}."),
    no_group: "You are on the map, but not in a group yet: vote on a few more statements.",
    groups_later: "Opinion groups appear once more people have voted: there is no one to compare with yet.",
    group_size: |g, n, mine| {
        let people = if n == 1 { "1 person".to_string() } else { format!("{n} people") };
        if mine {
            format!("Group {g} (yours): {people}")
        } else {
            format!("Group {g}: {people}")
        }
    },
    group_heading: |g| format!("What group {g} thinks, more than others"),
    group_none: "Nothing sets your group apart yet.",
    group_share: |agree, inside, outside| {
        let verb = if agree { "agreed" } else { "disagreed" };
        format!("{inside}% of your group {verb}, {outside}% of others")
    },
    consensus_heading: "What every group agrees on",
    consensus_none: "No statement has broad agreement yet.",
    consensus_share: |pct| format!("{pct}% agree"),
    analysis_note: "Computed in your browser from every vote; it updates as votes arrive.",
    published_note: |n| format!("This conversation is large, so your device shows the analysis the server published of the first {n} votes instead of computing it. Anyone can check it on the report page."),
    about_heading: "About you (optional)",
    about_help: "These answers help the organisers see whether every part of the community took part. They are only ever shown as totals of many people.",
    about_skip: "Prefer not to say",
    about_save: "Save answers",
    about_saved: "Thank you: your answers are saved.",
    translated_from: |l| format!("Translated from {l}"),
    original_in: |l| format!("Original, in {l}"),
    show_original: "Show original",
    show_translation: "Show translation",
    read_aloud: "Read aloud",
    stop_reading: "Stop reading",
    reading: "Reading the statement aloud…",
    reading_stopped: "Stopped reading.",
    post_language_label: "Language of your statement",
    post_translation_summary: "Add a translation (optional)",
    post_translation_language_label: "Translation into",
    post_translation_label: "Your statement in that language",
};

pub static ID: Participant = Participant {
    voting_label: "Beri suara pada pernyataan",
    description_more: "Selengkapnya",
    description_less: "Ringkas",
    statement_heading: "Pernyataan",
    vote_group_label: "Suara Anda untuk pernyataan ini",
    agree: "Setuju",
    disagree: "Tidak setuju",
    pass: "Lewati / ragu",
    pass_hint: "Ragu, atau tidak ingin menjawab? Lewati berpindah tanpa memihak.",
    shortcuts: "Papan ketik:",
    key_agree: "S",
    key_disagree: "T",
    key_pass: "L",
    remaining: |n| match n {
        0 => "Tidak ada pernyataan tersisa".to_string(),
        n => format!("{n} pernyataan lagi"),
    },
    voted_count: |n| format!("Anda sudah memberi suara pada {n}"),
    all_done: "Anda sudah memberi suara pada semua pernyataan. Terima kasih! Pernyataan baru akan muncul di sini saat peserta lain menambahkannya.",
    capped_done: "Anda sudah memberi suara pada sebanyak pernyataan yang diminta percakapan ini. Terima kasih!",
    closed_card: "Percakapan ini sudah ditutup: pemungutan suara dan pengiriman pernyataan telah berakhir. Terima kasih atas partisipasi Anda. Hanya moderatornya yang dapat membukanya kembali.",
    voted: |v, offline| {
        let w = match v {
            Vote::Agree => "setuju",
            Vote::Disagree => "tidak setuju",
            Vote::Pass => "lewati",
        };
        if offline {
            format!("Suara disimpan di perangkat ini: {w}. Suara akan dikirim saat Anda kembali daring.")
        } else {
            format!("Suara tercatat: {w}.")
        }
    },
    changed: |v, offline| {
        let w = match v {
            Vote::Agree => "setuju",
            Vote::Disagree => "tidak setuju",
            Vote::Pass => "lewati",
        };
        if offline {
            format!("Suara diubah menjadi {w} di perangkat ini. Suara akan dikirim saat Anda kembali daring.")
        } else {
            format!("Suara diubah menjadi {w}.")
        }
    },
    past_votes_heading: |n| format!("Suara Anda ({n}): ubah pilihan"),
    past_votes_hint: "Pilih jawaban lain untuk pernyataan mana pun; jawaban terakhir Anda yang dihitung.",
    offline: "Anda sedang luring. Tetap beri suara: suara Anda disimpan di perangkat ini.",
    waiting: |n, online| {
        if online {
            format!("Mengirim {n} suara tersimpan…")
        } else {
            format!("{n} suara menunggu dikirim.")
        }
    },
    post_heading: "Tambahkan pernyataan Anda",
    post_help: "Sampaikan satu hal yang bisa disetujui atau ditolak orang lain. Nama Anda tidak ditampilkan.",
    post_placeholder: "Contoh: Posyandu sebaiknya buka pada hari Sabtu",
    post_button: "Kirim pernyataan",
    chars_left: |n| {
        if n >= 0 {
            format!("sisa {n} karakter")
        } else {
            format!("kelebihan {} karakter", -n)
        }
    },
    posted: "Terima kasih: pernyataan Anda sudah tampil.",
    posted_pending: "Terima kasih: pernyataan Anda akan tampil setelah disetujui moderator.",
    my_statements_heading: "Pernyataan Anda",
    status_pending: "Menunggu moderasi",
    status_rejected: "Tidak diterima",
    status_visible: "Tampil untuk peserta lain",
    error_empty: "Tulis sesuatu terlebih dahulu.",
    error_too_long: "Pernyataan itu terlalu panjang. Mohon dipersingkat.",
    error_duplicate: "Pernyataan itu sudah ada dalam percakapan.",
    error_closed: "Percakapan ini sudah ditutup.",
    error_statement_gone: "Pernyataan itu sudah dihapus moderator, jadi suara Anda tidak dihitung.",
    xid_refused: "Proses masuk dari tautan ini tidak dapat diverifikasi, jadi Anda belum masuk. Mintalah tautan baru kepada situs yang mengarahkan Anda ke sini.",
    xid_expired: "Tautan masuk ini sudah kedaluwarsa, jadi Anda belum masuk. Kembalilah ke situs yang mengarahkan Anda ke sini untuk mendapatkan tautan baru.",
    standing_heading: "Posisi Anda",
    standing_locked: |n| format!("Beri suara pada {n} pernyataan lagi untuk melihat posisi Anda di antara peserta lain."),
    standing_progress_label: "Suara menuju posisi Anda di peta",
    standing_computing: "Menyusun peta pendapat…",
    map_title: "Peta pendapat",
    map_description: |p, g| {
        let groups = if g == 0 { "belum ada kelompok".to_string() } else { format!("{g} kelompok") };
        format!("Setiap titik adalah satu dari {p} peserta; orang yang memilih serupa berdekatan, dalam {groups}.")
    },
    you_marker: "Anda",
    you_are_in: |g| format!("Anda berada di kelompok {g}."),
    no_group: "Anda sudah ada di peta, tetapi belum masuk kelompok: beri suara pada beberapa pernyataan lagi.",
    groups_later: "Kelompok pendapat muncul setelah lebih banyak orang memberi suara: belum ada yang bisa dibandingkan.",
    group_size: |g, n, mine| {
        if mine {
            format!("Kelompok {g} (kelompok Anda): {n} orang")
        } else {
            format!("Kelompok {g}: {n} orang")
        }
    },
    group_heading: |g| format!("Pendapat khas kelompok {g}, dibanding kelompok lain"),
    group_none: "Belum ada yang membedakan kelompok Anda.",
    group_share: |agree, inside, outside| {
        let verb = if agree { "setuju" } else { "tidak setuju" };
        format!("{inside}% kelompok Anda {verb}, kelompok lain {outside}%")
    },
    consensus_heading: "Yang disetujui semua kelompok",
    consensus_none: "Belum ada pernyataan yang disetujui secara luas.",
    consensus_share: |pct| format!("{pct}% setuju"),
    analysis_note: "Dihitung di peramban Anda dari semua suara; diperbarui saat suara baru masuk.",
    published_note: |n| format!("Percakapan ini besar, jadi perangkat Anda menampilkan analisis yang diterbitkan server dari {n} suara pertama alih-alih menghitungnya sendiri. Siapa pun dapat memeriksanya di halaman laporan."),
    about_heading: "Tentang Anda (tidak wajib)",
    about_help: "Jawaban ini membantu penyelenggara melihat apakah semua bagian warga ikut serta. Jawaban hanya pernah ditampilkan sebagai jumlah dari banyak orang.",
    about_skip: "Memilih tidak menjawab",
    about_save: "Simpan jawaban",
    about_saved: "Terima kasih: jawaban Anda tersimpan.",
    translated_from: |l| format!("Diterjemahkan dari {l}"),
    original_in: |l| format!("Asli, dalam {l}"),
    show_original: "Lihat teks asli",
    show_translation: "Lihat terjemahan",
    read_aloud: "Bacakan",
    stop_reading: "Berhenti membacakan",
    reading: "Membacakan pernyataan…",
    reading_stopped: "Pembacaan dihentikan.",
    post_language_label: "Bahasa pernyataan Anda",
    post_translation_summary: "Tambahkan terjemahan (tidak wajib)",
    post_translation_language_label: "Terjemahan ke",
    post_translation_label: "Pernyataan Anda dalam bahasa itu",
};
