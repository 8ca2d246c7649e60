//! The message catalogue: every word the app shows, in English and Bahasa Indonesia.
//! A catalogue is a struct, so a message missing in one language does not compile.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Id,
}

impl Lang {
    /// Bahasa Indonesia for browsers that prefer it, English otherwise.
    pub fn from_browser() -> Lang {
        let preferred = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
        if preferred.to_ascii_lowercase().starts_with("id") || preferred.starts_with("in") {
            Lang::Id
        } else {
            Lang::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Id,
            Lang::Id => Lang::En,
        }
    }

    pub fn catalogue(self) -> &'static Catalogue {
        match self {
            Lang::En => &EN,
            Lang::Id => &ID,
        }
    }
}

pub struct Catalogue {
    pub switch_language: &'static str,
    pub loading: &'static str,
    pub home_title: &'static str,
    pub home_body: &'static str,
    pub home_demo_link: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,
    pub statement_heading: &'static str,
    pub agree: &'static str,
    pub disagree: &'static str,
    pub pass: &'static str,
    pub remaining: fn(u32) -> String,
    pub all_done: &'static str,
    pub voted_agree: &'static str,
    pub voted_disagree: &'static str,
    pub voted_pass: &'static str,
    pub post_heading: &'static str,
    pub post_placeholder: &'static str,
    pub post_button: &'static str,
    pub chars_left: fn(i64) -> String,
    pub posted: &'static str,
    pub posted_pending: &'static str,
    pub error_empty: &'static str,
    pub error_too_long: &'static str,
    pub error_duplicate: &'static str,
    pub error_closed: &'static str,
    pub error_network: &'static str,
    pub error_other: &'static str,
    pub analysis_heading: &'static str,
    pub analysis_line: fn(usize, usize, usize) -> String,
    pub analysis_agree_share: fn(u32) -> String,
    pub analysis_note: &'static str,
}

pub static EN: Catalogue = Catalogue {
    switch_language: "Bahasa Indonesia",
    loading: "Loading…",
    home_title: "mufakat: find where a community agrees",
    home_body: "Read short statements, vote agree, disagree or pass, and add your own. The map of opinions is computed in your browser.",
    home_demo_link: "Open the demo conversation",
    not_found_title: "Conversation not found",
    not_found_body: "This link does not lead to a conversation. Check the address or ask the organisers for a new link.",
    back_home: "Back to the start page",
    statement_heading: "Statement",
    agree: "Agree",
    disagree: "Disagree",
    pass: "Pass / unsure",
    remaining: |n| match n {
        1 => "1 statement left".to_string(),
        n => format!("{n} statements left"),
    },
    all_done: "You have voted on every statement. Thank you! Come back later for new ones.",
    voted_agree: "Vote recorded: agree.",
    voted_disagree: "Vote recorded: disagree.",
    voted_pass: "Vote recorded: pass.",
    post_heading: "Add your own statement",
    post_placeholder: "One short, clear idea others can agree or disagree with",
    post_button: "Post statement",
    chars_left: |n| {
        if n >= 0 {
            format!("{n} characters left")
        } else {
            format!("{} characters too many", -n)
        }
    },
    posted: "Thank you: your statement is posted.",
    posted_pending: "Thank you: your statement will appear once a moderator accepts it.",
    error_empty: "Write something first.",
    error_too_long: "That statement is too long. Please shorten it.",
    error_duplicate: "That statement is already in the conversation.",
    error_closed: "This conversation is closed.",
    error_network: "Cannot reach the server. Check your connection and try again.",
    error_other: "Something went wrong. Please try again.",
    analysis_heading: "The conversation so far",
    analysis_line: |p, s, v| format!("{p} participants have cast {v} votes on {s} statements."),
    analysis_agree_share: |pct| format!("{pct}% of votes are agreements."),
    analysis_note: "Computed in your browser from every vote.",
};

pub static ID: Catalogue = Catalogue {
    switch_language: "English",
    loading: "Memuat…",
    home_title: "mufakat: temukan titik temu warga",
    home_body: "Baca pernyataan singkat, pilih setuju, tidak setuju, atau lewati, dan tambahkan pendapat Anda. Peta pendapat dihitung di peramban Anda.",
    home_demo_link: "Buka percakapan contoh",
    not_found_title: "Percakapan tidak ditemukan",
    not_found_body: "Tautan ini tidak mengarah ke percakapan mana pun. Periksa alamatnya atau minta tautan baru kepada penyelenggara.",
    back_home: "Kembali ke halaman awal",
    statement_heading: "Pernyataan",
    agree: "Setuju",
    disagree: "Tidak setuju",
    pass: "Lewati / ragu",
    remaining: |n| format!("{n} pernyataan lagi"),
    all_done: "Anda sudah memberi suara pada semua pernyataan. Terima kasih! Kembalilah nanti untuk pernyataan baru.",
    voted_agree: "Suara tercatat: setuju.",
    voted_disagree: "Suara tercatat: tidak setuju.",
    voted_pass: "Suara tercatat: lewati.",
    post_heading: "Tambahkan pernyataan Anda",
    post_placeholder: "Satu gagasan singkat dan jelas yang bisa disetujui atau ditolak orang lain",
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
    error_empty: "Tulis sesuatu terlebih dahulu.",
    error_too_long: "Pernyataan itu terlalu panjang. Mohon dipersingkat.",
    error_duplicate: "Pernyataan itu sudah ada dalam percakapan.",
    error_closed: "Percakapan ini sudah ditutup.",
    error_network: "Server tidak dapat dihubungi. Periksa koneksi Anda lalu coba lagi.",
    error_other: "Terjadi kesalahan. Silakan coba lagi.",
    analysis_heading: "Percakapan sejauh ini",
    analysis_line: |p, s, v| format!("{p} peserta telah memberikan {v} suara pada {s} pernyataan."),
    analysis_agree_share: |pct| format!("{pct}% suara adalah setuju."),
    analysis_note: "Dihitung di peramban Anda dari semua suara.",
};

/// The language chosen for this page, provided as context by the app.
pub fn use_lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::En))
}

/// The catalogue of the current language (reactive: call inside a closure).
pub fn t() -> &'static Catalogue {
    use_lang().get().catalogue()
}
