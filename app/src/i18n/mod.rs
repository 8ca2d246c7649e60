//! The message catalogue: every word the app shows, in English and Bahasa Indonesia.
//! A catalogue is a struct, so a message missing in one language does not compile; each area
//! of the app has its own part (`participant.rs`, ...).

pub mod codes;
#[cfg(feature = "console")]
mod moderator;
mod outcomes;
mod participant;
#[cfg(feature = "console")]
mod report;

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Id,
}

/// Where the language chosen with the switch is kept, so a reload keeps it.
const LANG_KEY: &str = "mufakat.lang";

impl Lang {
    /// The language chosen earlier on this device, else the browser's.
    pub fn initial() -> Lang {
        let stored = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(LANG_KEY).ok().flatten());
        match stored.as_deref() {
            Some("en") => Lang::En,
            Some("id") => Lang::Id,
            _ => Lang::from_browser(),
        }
    }

    /// Remembers a language chosen with the switch (a full storage only loses the memory).
    pub fn remember(self) {
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(LANG_KEY, self.tag());
        }
    }

    /// Bahasa Indonesia for browsers that prefer it, English otherwise.
    fn from_browser() -> Lang {
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
    pub home_report_link: &'static str,
    pub home_console_link: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,
    pub error_network: &'static str,
    pub error_other: &'static str,
    pub participant: &'static participant::Participant,
    pub outcomes: &'static outcomes::Outcomes,
    pub codes: &'static codes::Codes,
    #[cfg(feature = "console")]
    pub codes_console: &'static codes::CodesConsole,
    #[cfg(feature = "console")]
    pub moderator: &'static moderator::Moderator,
    #[cfg(feature = "console")]
    pub map: &'static moderator::MapText,
    #[cfg(feature = "console")]
    pub report: &'static report::Report,
}

pub static EN: Catalogue = Catalogue {
    switch_language: "Bahasa Indonesia",
    loading: "Loading…",
    home_title: "mufakat: find where a community agrees",
    home_body: "Read short statements, vote agree, disagree or pass, and add your own. The map of opinions is computed in your browser.",
    home_demo_link: "Open the demo conversation",
    home_report_link: "Analyse a Pol.is export in your browser",
    home_console_link: "Moderator console",
    not_found_title: "Conversation not found",
    not_found_body: "This link does not lead to a conversation. Check the address or ask the organisers for a new link.",
    back_home: "Back to the start page",
    error_network: "Cannot reach the server. Check your connection and try again.",
    error_other: "Something went wrong. Please try again.",
    participant: &participant::EN,
    outcomes: &outcomes::EN,
    codes: &codes::EN,
    #[cfg(feature = "console")]
    codes_console: &codes::CONSOLE_EN,
    #[cfg(feature = "console")]
    moderator: &moderator::EN,
    #[cfg(feature = "console")]
    map: &moderator::MAP_EN,
    #[cfg(feature = "console")]
    report: &report::EN,
};

pub static ID: Catalogue = Catalogue {
    switch_language: "English",
    loading: "Memuat…",
    home_title: "mufakat: temukan titik temu warga",
    home_body: "Baca pernyataan singkat, pilih setuju, tidak setuju, atau lewati, dan tambahkan pendapat Anda. Peta pendapat dihitung di peramban Anda.",
    home_demo_link: "Buka percakapan contoh",
    home_report_link: "Analisis ekspor Pol.is di peramban Anda",
    home_console_link: "Konsol moderator",
    not_found_title: "Percakapan tidak ditemukan",
    not_found_body: "Tautan ini tidak mengarah ke percakapan mana pun. Periksa alamatnya atau minta tautan baru kepada penyelenggara.",
    back_home: "Kembali ke halaman awal",
    error_network: "Server tidak dapat dihubungi. Periksa koneksi Anda lalu coba lagi.",
    error_other: "Terjadi kesalahan. Silakan coba lagi.",
    participant: &participant::ID,
    outcomes: &outcomes::ID,
    codes: &codes::ID,
    #[cfg(feature = "console")]
    codes_console: &codes::CONSOLE_ID,
    #[cfg(feature = "console")]
    moderator: &moderator::ID,
    #[cfg(feature = "console")]
    map: &moderator::MAP_ID,
    #[cfg(feature = "console")]
    report: &report::ID,
};

/// The language chosen for this page, provided as context by the app.
pub fn use_lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::En))
}

/// The catalogue of the current language (reactive: call inside a closure).
pub fn t() -> &'static Catalogue {
    use_lang().get().catalogue()
}
