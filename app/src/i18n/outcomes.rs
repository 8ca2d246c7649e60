//! Messages about outcomes: on the participant page, the report, the projector and the
//! moderator console.

use mufakat_core::api::outcomes::OutcomeStatus;

/// One struct for every page that shows outcomes; the participant bundle reads only the
/// first part (the console's messages are a few hundred bytes, not worth a second struct).
#[cfg_attr(not(feature = "console"), allow(dead_code))]
pub struct Outcomes {
    pub heading: &'static str,
    pub intro: &'static str,
    /// "2 new since your last visit".
    pub new_since: fn(usize) -> String,
    pub new_badge: &'static str,
    pub whole_conversation: &'static str,
    pub on_statement: &'static str,
    pub status: fn(OutcomeStatus) -> &'static str,
    /// `YYYY-MM-DD` written out: "Decided on 1 March 2026".
    pub decided_on: fn(&str) -> String,
    pub feed_link: &'static str,
    pub none: &'static str,
    // The moderator console.
    pub console_heading: &'static str,
    pub console_help: &'static str,
    pub add_whole: &'static str,
    pub add_for_statement: &'static str,
    pub form_heading_new: &'static str,
    pub form_heading_edit: &'static str,
    pub form_about: &'static str,
    pub form_status: &'static str,
    pub form_text: &'static str,
    pub form_date: &'static str,
    pub chars_left: fn(i64) -> String,
    pub publish: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub published: &'static str,
    pub saved: &'static str,
    pub deleted: &'static str,
    pub error_text: &'static str,
    pub error_date: &'static str,
    pub error_statement: &'static str,
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// (day, month name, year) of a `YYYY-MM-DD`, or `None` when it is not one.
fn parts(date: &str, months: &[&'static str; 12]) -> Option<(u32, &'static str, String)> {
    let mut it = date.splitn(3, '-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    let month = *months.get(m.parse::<usize>().ok()?.checked_sub(1)?)?;
    Some((d.parse().ok()?, month, y.to_string()))
}

pub static EN: Outcomes = Outcomes {
    heading: "What was decided",
    intro: "The organisers' answers to what was said in this conversation.",
    new_since: |n| match n {
        1 => "1 new since your last visit".to_string(),
        n => format!("{n} new since your last visit"),
    },
    new_badge: "New",
    whole_conversation: "The whole conversation",
    on_statement: "About the statement",
    status: |s| match s {
        OutcomeStatus::Adopted => "Adopted",
        OutcomeStatus::PartlyAdopted => "Partly adopted",
        OutcomeStatus::UnderStudy => "Under study",
        OutcomeStatus::NotPossible => "Not possible",
        OutcomeStatus::NoAction => "No action",
    },
    decided_on: |date| match parts(date, &MONTHS_EN) {
        Some((d, m, y)) => format!("Decided on {d} {m} {y}"),
        None => format!("Decided on {date}"),
    },
    feed_link: "Follow the outcomes (Atom feed)",
    none: "No outcomes published yet.",
    console_heading: "Outcomes",
    console_help: "Tell residents what will be done: answer a statement (the Outcome button in the list) or the whole conversation. Residents see outcomes when they come back, on the report and on the projector.",
    add_whole: "Add an outcome for the whole conversation",
    add_for_statement: "Outcome",
    form_heading_new: "New outcome",
    form_heading_edit: "Edit outcome",
    form_about: "About",
    form_status: "Status",
    form_text: "What will be done, and why",
    form_date: "Date of the decision",
    chars_left: |n| match n {
        1 => "1 character left".to_string(),
        -1 => "1 character too many".to_string(),
        n if n >= 0 => format!("{n} characters left"),
        n => format!("{} characters too many", -n),
    },
    publish: "Publish outcome",
    save: "Save changes",
    cancel: "Cancel",
    edit: "Edit",
    delete: "Delete",
    published: "Outcome published.",
    saved: "Outcome saved.",
    deleted: "Outcome deleted.",
    error_text: "Write the outcome (at most 1000 characters).",
    error_date: "Choose the date of the decision.",
    error_statement: "That statement was rejected or no longer exists.",
};

pub static ID: Outcomes = Outcomes {
    heading: "Apa yang diputuskan",
    intro: "Tanggapan penyelenggara atas apa yang disampaikan dalam percakapan ini.",
    new_since: |n| format!("{n} baru sejak kunjungan terakhir Anda"),
    new_badge: "Baru",
    whole_conversation: "Seluruh percakapan",
    on_statement: "Tentang pernyataan",
    status: |s| match s {
        OutcomeStatus::Adopted => "Diterima",
        OutcomeStatus::PartlyAdopted => "Diterima sebagian",
        OutcomeStatus::UnderStudy => "Sedang dikaji",
        OutcomeStatus::NotPossible => "Tidak memungkinkan",
        OutcomeStatus::NoAction => "Tidak ditindaklanjuti",
    },
    decided_on: |date| match parts(date, &MONTHS_ID) {
        Some((d, m, y)) => format!("Diputuskan pada {d} {m} {y}"),
        None => format!("Diputuskan pada {date}"),
    },
    feed_link: "Ikuti tindak lanjut (umpan Atom)",
    none: "Belum ada tindak lanjut yang diterbitkan.",
    console_heading: "Tindak lanjut",
    console_help: "Sampaikan kepada warga apa yang akan dilakukan: tanggapi sebuah pernyataan (tombol Tindak lanjut di daftar) atau seluruh percakapan. Warga melihatnya saat kembali, di laporan, dan di proyektor.",
    add_whole: "Tambah tindak lanjut untuk seluruh percakapan",
    add_for_statement: "Tindak lanjut",
    form_heading_new: "Tindak lanjut baru",
    form_heading_edit: "Ubah tindak lanjut",
    form_about: "Tentang",
    form_status: "Status",
    form_text: "Apa yang akan dilakukan, dan mengapa",
    form_date: "Tanggal keputusan",
    chars_left: |n| {
        if n >= 0 {
            format!("sisa {n} karakter")
        } else {
            format!("kelebihan {} karakter", -n)
        }
    },
    publish: "Terbitkan tindak lanjut",
    save: "Simpan perubahan",
    cancel: "Batal",
    edit: "Ubah",
    delete: "Hapus",
    published: "Tindak lanjut diterbitkan.",
    saved: "Tindak lanjut disimpan.",
    deleted: "Tindak lanjut dihapus.",
    error_text: "Tulis tindak lanjutnya (paling banyak 1000 karakter).",
    error_date: "Pilih tanggal keputusan.",
    error_statement: "Pernyataan itu ditolak atau sudah tidak ada.",
};
