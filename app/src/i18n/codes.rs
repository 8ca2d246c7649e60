//! Messages of invitation codes and kiosk mode: the participant page's code form and kiosk
//! bar (`Codes`), and the console's codes card and printed slips (`CodesConsole`).

pub struct Codes {
    pub form_heading: &'static str,
    pub form_intro: &'static str,
    pub field_label: &'static str,
    pub field_hint: &'static str,
    pub join_button: &'static str,
    pub joining: &'static str,
    pub error_required: &'static str,
    pub error_malformed: &'static str,
    pub error_unknown: &'static str,
    pub error_used: &'static str,
    pub error_revoked: &'static str,
    pub error_rate_limited: &'static str,
    pub kiosk_label: &'static str,
    pub kiosk_intro: fn(u32) -> String,
    pub kiosk_next: &'static str,
    pub kiosk_waiting: &'static str,
}

#[cfg(feature = "console")]
pub struct CodesConsole {
    pub title: &'static str,
    pub intro: &'static str,
    pub counts: fn(u32, u32, u32) -> String,
    pub count_label: &'static str,
    pub generate: &'static str,
    pub generated: fn(usize) -> String,
    pub only_copy: &'static str,
    pub print: &'static str,
    pub revoke_all: &'static str,
    pub revoke_all_confirm: &'static str,
    pub revoke_cancel: &'static str,
    pub revoke_all_warning: &'static str,
    pub revoke_one_label: &'static str,
    pub revoke_one: &'static str,
    pub revoked: &'static str,
    pub slip_heading: &'static str,
    pub slip_scan: &'static str,
    pub slip_or_type: &'static str,
    pub slip_once: &'static str,
    pub slip_qr_alt: fn(&str) -> String,
    pub sheet_label: &'static str,
    pub field_invitation_only: &'static str,
    pub stat_codes: &'static str,
}

pub static EN: Codes = Codes {
    form_heading: "Enter your invitation code",
    form_intro: "Only people with an invitation code can take part in this conversation. The code is on the slip you were given; each code lets one person in once.",
    field_label: "Invitation code",
    field_hint: "10 letters and digits, like ABCDE-FGHJK. Capitals, spaces and dashes do not matter.",
    join_button: "Join",
    joining: "Checking the code…",
    error_required: "This conversation needs an invitation code.",
    error_malformed: "That is not an invitation code: a code has 10 letters and digits, like ABCDE-FGHJK. Check what you typed.",
    error_unknown: "That code is not a code of this conversation. Check the code and the link.",
    error_used: "That code was used already. Each code lets one person in once; ask the organisers for a new one.",
    error_revoked: "That code was withdrawn by the organisers. Ask them for a new one.",
    error_rate_limited: "Too many wrong codes were tried from this network. Wait a minute and try again.",
    kiosk_label: "Shared device",
    kiosk_intro: |secs| format!("This device is shared. When you are done, press \"Next person\": your votes are kept, and nothing of yours stays on this device. After {} without use it starts over by itself.", duration(secs, "minute", "minutes", "seconds")),
    kiosk_next: "Next person",
    kiosk_waiting: "Your last votes are still being sent. Please wait a moment.",
};

pub static ID: Codes = Codes {
    form_heading: "Masukkan kode undangan Anda",
    form_intro: "Hanya warga yang memiliki kode undangan yang dapat ikut dalam percakapan ini. Kodenya ada di kertas yang Anda terima; setiap kode hanya untuk satu orang, satu kali.",
    field_label: "Kode undangan",
    field_hint: "10 huruf dan angka, misalnya ABCDE-FGHJK. Huruf besar-kecil, spasi, dan tanda hubung tidak berpengaruh.",
    join_button: "Masuk",
    joining: "Memeriksa kode…",
    error_required: "Percakapan ini memerlukan kode undangan.",
    error_malformed: "Itu bukan kode undangan: kode terdiri dari 10 huruf dan angka, misalnya ABCDE-FGHJK. Periksa kembali ketikan Anda.",
    error_unknown: "Kode itu bukan kode percakapan ini. Periksa kode dan tautannya.",
    error_used: "Kode itu sudah dipakai. Setiap kode hanya untuk satu orang, satu kali; mintalah kode baru kepada penyelenggara.",
    error_revoked: "Kode itu sudah dibatalkan oleh penyelenggara. Mintalah kode baru kepada mereka.",
    error_rate_limited: "Terlalu banyak kode salah dicoba dari jaringan ini. Tunggu sebentar lalu coba lagi.",
    kiosk_label: "Perangkat bersama",
    kiosk_intro: |secs| format!("Perangkat ini dipakai bersama. Setelah selesai, tekan \"Orang berikutnya\": suara Anda tetap tersimpan, dan tidak ada data Anda yang tertinggal di perangkat ini. Setelah {} tanpa digunakan, perangkat ini mulai ulang dengan sendirinya.", duration(secs, "menit", "menit", "detik")),
    kiosk_next: "Orang berikutnya",
    kiosk_waiting: "Suara terakhir Anda masih dikirim. Mohon tunggu sebentar.",
};

/// "2 minutes" for whole minutes, "90 seconds" otherwise.
fn duration(secs: u32, minute: &str, minutes: &str, seconds: &str) -> String {
    match secs {
        60 => format!("1 {minute}"),
        s if s % 60 == 0 => format!("{} {minutes}", s / 60),
        s => format!("{s} {seconds}"),
    }
}

#[cfg(feature = "console")]
pub static CONSOLE_EN: CodesConsole = CodesConsole {
    title: "Invitation codes",
    intro: "Print one-time codes and hand one to each resident. A code lets one person in once; the server keeps no copy of the codes, only a fingerprint of each, so print them as soon as they are made.",
    counts: |unused, used, revoked| format!("{unused} unused, {used} used, {revoked} withdrawn"),
    count_label: "Codes to make (1 to 200)",
    generate: "Make codes",
    generated: |n| format!("{n} new codes made. Print them now: this is the only copy."),
    only_copy: "These codes are shown only this once. Print the slips before leaving this page.",
    print: "Print the slips",
    revoke_all: "Withdraw all unused codes",
    revoke_all_confirm: "Yes, withdraw them",
    revoke_cancel: "Cancel",
    revoke_all_warning: "Every code not used yet will stop working. People who joined keep their votes.",
    revoke_one_label: "Withdraw one code",
    revoke_one: "Withdraw",
    revoked: "Withdrawn.",
    slip_heading: "Your invitation to take part",
    slip_scan: "Scan the QR code with your phone,",
    slip_or_type: "or open the link and type this code:",
    slip_once: "This code works once, for one person.",
    slip_qr_alt: |code| format!("QR code that opens the conversation with code {code}"),
    sheet_label: "Slips to print",
    field_invitation_only: "Only people with an invitation code may join",
    stat_codes: "Invitation codes",
};

#[cfg(feature = "console")]
pub static CONSOLE_ID: CodesConsole = CodesConsole {
    title: "Kode undangan",
    intro: "Cetak kode sekali pakai dan berikan satu kepada setiap warga. Satu kode hanya untuk satu orang, satu kali; server tidak menyimpan salinan kodenya, hanya sidik jarinya, jadi segera cetak begitu dibuat.",
    counts: |unused, used, revoked| format!("{unused} belum dipakai, {used} sudah dipakai, {revoked} dibatalkan"),
    count_label: "Jumlah kode yang dibuat (1 sampai 200)",
    generate: "Buat kode",
    generated: |n| format!("{n} kode baru dibuat. Cetak sekarang: ini satu-satunya salinan."),
    only_copy: "Kode ini hanya ditampilkan sekali ini. Cetak kertasnya sebelum meninggalkan halaman ini.",
    print: "Cetak kertas kode",
    revoke_all: "Batalkan semua kode yang belum dipakai",
    revoke_all_confirm: "Ya, batalkan",
    revoke_cancel: "Batal",
    revoke_all_warning: "Semua kode yang belum dipakai tidak akan berlaku lagi. Warga yang sudah masuk tetap memiliki suaranya.",
    revoke_one_label: "Batalkan satu kode",
    revoke_one: "Batalkan",
    revoked: "Dibatalkan.",
    slip_heading: "Undangan Anda untuk ikut serta",
    slip_scan: "Pindai kode QR dengan ponsel Anda,",
    slip_or_type: "atau buka tautan ini dan ketik kode berikut:",
    slip_once: "Kode ini hanya berlaku sekali, untuk satu orang.",
    slip_qr_alt: |code| format!("Kode QR yang membuka percakapan dengan kode {code}"),
    sheet_label: "Kertas kode untuk dicetak",
    field_invitation_only: "Hanya warga dengan kode undangan yang boleh masuk",
    stat_codes: "Kode undangan",
};
