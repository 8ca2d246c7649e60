//! Messages of the participant page.

pub struct Participant {
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
    pub analysis_heading: &'static str,
    pub analysis_line: fn(usize, usize, usize) -> String,
    pub analysis_agree_share: fn(u32) -> String,
    pub analysis_note: &'static str,
}

pub static EN: Participant = Participant {
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
    analysis_heading: "The conversation so far",
    analysis_line: |p, s, v| format!("{p} participants have cast {v} votes on {s} statements."),
    analysis_agree_share: |pct| format!("{pct}% of votes are agreements."),
    analysis_note: "Computed in your browser from every vote.",
};

pub static ID: Participant = Participant {
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
    analysis_heading: "Percakapan sejauh ini",
    analysis_line: |p, s, v| format!("{p} peserta telah memberikan {v} suara pada {s} pernyataan."),
    analysis_agree_share: |pct| format!("{pct}% suara adalah setuju."),
    analysis_note: "Dihitung di peramban Anda dari semua suara.",
};
