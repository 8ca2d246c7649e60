//! The demo conversation loaded into an empty store: a kelurahan asking its residents how
//! public services could improve. Written by the project; the votes are simulated,
//! deterministically (fixed seed), with a real group structure: three opinion camps
//! (digital-first, face-to-face, environment-first) and statements everyone agrees on.

use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::api::translations::TranslatedBy;
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::store::{Conversation, NewStatement, Store, TranslationWrite};

pub const DEMO_ID: &str = "demo";
const SEED: u64 = 20_261_125;
const PARTICIPANTS: u32 = 360;

/// (original language, text, its translation into the other language, agree probability for
/// camps [digital, face-to-face, environment]). Every statement is in Bahasa Indonesia and
/// English, so a resident reading only one of them can take part.
const STATEMENTS: &[(&str, &str, &str, [f64; 3])] = &[
    // Everyone agrees.
    (
        "id",
        "Air bersih harus mengalir setiap hari di semua RT.",
        "Clean water must flow every day in every RT.",
        [0.92, 0.9, 0.95],
    ),
    (
        "en",
        "The kelurahan should publish its budget and spending every month.",
        "Kelurahan sebaiknya mengumumkan anggaran dan pengeluarannya setiap bulan.",
        [0.9, 0.85, 0.88],
    ),
    (
        "en",
        "Complaints from residents deserve an answer within one week.",
        "Keluhan warga layak dijawab dalam waktu satu minggu.",
        [0.88, 0.9, 0.86],
    ),
    (
        "id",
        "Lampu jalan yang mati harus segera diperbaiki.",
        "Broken street lights must be repaired quickly.",
        [0.9, 0.88, 0.9],
    ),
    (
        "id",
        "Posyandu perlu jadwal yang tetap dan diumumkan jauh hari.",
        "The posyandu needs a fixed schedule announced well in advance.",
        [0.82, 0.9, 0.85],
    ),
    (
        "en",
        "Staff at the service counter should treat every resident with the same respect.",
        "Petugas di loket pelayanan harus menghormati setiap warga secara sama.",
        [0.93, 0.92, 0.9],
    ),
    // Digital-first camp.
    (
        "id",
        "Semua surat pengantar sebaiknya bisa diurus lewat aplikasi.",
        "Every cover letter should be obtainable through an app.",
        [0.9, 0.15, 0.5],
    ),
    (
        "en",
        "An online queue would save us hours of waiting at the kelurahan office.",
        "Antrean daring akan menghemat berjam-jam menunggu di kantor kelurahan.",
        [0.92, 0.3, 0.55],
    ),
    (
        "id",
        "Pengumuman warga cukup lewat grup WhatsApp resmi, tidak perlu kertas.",
        "Announcements to residents can go through the official WhatsApp group; no paper needed.",
        [0.85, 0.12, 0.4],
    ),
    (
        "en",
        "Payment of local fees should accept QRIS and e-wallets.",
        "Pembayaran iuran setempat sebaiknya bisa dengan QRIS dan dompet digital.",
        [0.9, 0.3, 0.5],
    ),
    (
        "en",
        "Free public Wi-Fi at the balai warga should be a priority.",
        "Wi-Fi publik gratis di balai warga harus menjadi prioritas.",
        [0.85, 0.25, 0.3],
    ),
    (
        "id",
        "Data kependudukan sebaiknya diperbarui sendiri oleh warga secara daring.",
        "Residents should update their own population records online.",
        [0.8, 0.1, 0.45],
    ),
    (
        "en",
        "Young volunteers should teach older residents to use online services.",
        "Relawan muda sebaiknya mengajari warga lanjut usia memakai layanan daring.",
        [0.88, 0.45, 0.6],
    ),
    // Face-to-face camp.
    (
        "id",
        "Pelayanan tatap muka harus tetap ada untuk warga lanjut usia.",
        "Face-to-face service must remain for elderly residents.",
        [0.4, 0.95, 0.7],
    ),
    (
        "id",
        "Ketua RT lebih tahu kebutuhan warga daripada aplikasi mana pun.",
        "The head of the RT knows residents' needs better than any app.",
        [0.15, 0.9, 0.5],
    ),
    (
        "en",
        "The office should open on Saturday mornings for people who work on weekdays.",
        "Kantor sebaiknya buka pada Sabtu pagi untuk warga yang bekerja di hari kerja.",
        [0.45, 0.88, 0.55],
    ),
    (
        "id",
        "Petugas sebaiknya datang ke rumah warga yang sakit atau difabel.",
        "Officers should visit the homes of residents who are ill or disabled.",
        [0.5, 0.92, 0.65],
    ),
    (
        "id",
        "Musyawarah warga di balai lebih baik daripada survei online.",
        "A residents' meeting at the hall is better than an online survey.",
        [0.1, 0.88, 0.45],
    ),
    (
        "en",
        "Paper forms must stay available; not everyone has a smartphone.",
        "Formulir kertas harus tetap tersedia; tidak semua orang punya ponsel pintar.",
        [0.25, 0.95, 0.6],
    ),
    (
        "id",
        "Arisan dan pengajian adalah tempat terbaik untuk menyampaikan informasi.",
        "Arisan and religious study groups are the best places to share information.",
        [0.15, 0.8, 0.35],
    ),
    // Environment-first camp.
    (
        "id",
        "Perbaikan saluran air harus didahulukan sebelum musim hujan.",
        "Drain repairs must come first, before the rainy season.",
        [0.55, 0.5, 0.95],
    ),
    (
        "en",
        "Every RW needs a waste bank (bank sampah) run by residents.",
        "Setiap RW membutuhkan bank sampah yang dikelola warga.",
        [0.5, 0.55, 0.93],
    ),
    (
        "id",
        "Lahan kosong sebaiknya dijadikan taman, bukan tempat parkir.",
        "Empty plots should become parks, not car parks.",
        [0.35, 0.4, 0.92],
    ),
    (
        "en",
        "The kelurahan should fine people who burn rubbish.",
        "Kelurahan sebaiknya mendenda orang yang membakar sampah.",
        [0.45, 0.2, 0.9],
    ),
    (
        "en",
        "Budget for digital services should go to drainage instead.",
        "Anggaran layanan digital sebaiknya dialihkan untuk drainase.",
        [0.1, 0.55, 0.88],
    ),
    (
        "id",
        "Pohon peneduh perlu ditanam di sepanjang jalan utama.",
        "Shade trees should be planted along the main road.",
        [0.45, 0.5, 0.9],
    ),
    (
        "en",
        "Plastic bags should be banned at the weekly market.",
        "Kantong plastik sebaiknya dilarang di pasar mingguan.",
        [0.35, 0.25, 0.88],
    ),
    // Divisive between camps.
    (
        "id",
        "Jam layanan sebaiknya diperpanjang sampai malam dengan sistem sif.",
        "Service hours should be extended into the evening with shifts.",
        [0.75, 0.6, 0.3],
    ),
    (
        "en",
        "Street vendors should be moved off the pavement.",
        "Pedagang kaki lima sebaiknya dipindahkan dari trotoar.",
        [0.7, 0.2, 0.75],
    ),
    (
        "id",
        "Iuran kebersihan boleh dinaikkan asal sampah diangkut setiap hari.",
        "The cleaning fee may go up if rubbish is collected every day.",
        [0.5, 0.2, 0.85],
    ),
    (
        "en",
        "CCTV cameras at every junction would make the neighbourhood safer.",
        "Kamera CCTV di setiap persimpangan akan membuat lingkungan lebih aman.",
        [0.85, 0.6, 0.2],
    ),
    (
        "id",
        "Kendaraan bermotor sebaiknya dilarang masuk gang pada hari Minggu.",
        "Motor vehicles should be banned from the alleys on Sundays.",
        [0.3, 0.15, 0.85],
    ),
    (
        "en",
        "The kelurahan should hire more staff rather than buy new software.",
        "Kelurahan sebaiknya menambah pegawai daripada membeli perangkat lunak baru.",
        [0.1, 0.85, 0.5],
    ),
    // Mostly agreed, with nuance.
    (
        "id",
        "Anak muda perlu dilibatkan dalam perencanaan pembangunan kelurahan.",
        "Young people should be involved in planning the kelurahan's development.",
        [0.85, 0.7, 0.8],
    ),
    (
        "en",
        "Information about social assistance (bansos) must be clear and public.",
        "Informasi tentang bantuan sosial (bansos) harus jelas dan terbuka.",
        [0.85, 0.88, 0.8],
    ),
    (
        "id",
        "Ruang bermain anak yang aman dibutuhkan di setiap RW.",
        "Every RW needs a safe playground for children.",
        [0.8, 0.75, 0.88],
    ),
    (
        "en",
        "Flooded roads should be reported and fixed within 48 hours.",
        "Jalan yang tergenang banjir harus dilaporkan dan diperbaiki dalam 48 jam.",
        [0.8, 0.75, 0.9],
    ),
    (
        "id",
        "Layanan kesehatan jiwa perlu ada di puskesmas kelurahan.",
        "The kelurahan's community health centre should offer mental health care.",
        [0.75, 0.55, 0.7],
    ),
];

/// Loads the demo conversation: statements, simulated participants and their votes.
pub async fn load(store: &Store) -> anyhow::Result<()> {
    store
        .create_conversation(&Conversation::with_settings(
            DEMO_ID,
            ConversationSettings {
                title: "Bagaimana kelurahan kita bisa memperbaiki layanan publik? / How can our kelurahan improve public services?"
                    .to_string(),
                description: "Kelurahan Sukamaju ingin mendengar warganya sebelum menyusun rencana kerja tahun depan. \
                     Setujui, tolak, atau lewati setiap pernyataan, dan tambahkan pendapat Anda sendiri. / \
                     Sukamaju wants to hear from residents before it writes next year's work plan. Agree, disagree or \
                     pass on each statement, and add your own."
                    .to_string(),
                language: "id".to_string(),
                ..Default::default()
            },
        ))
        .await?;
    for (language, text, translation, _) in STATEMENTS {
        let row = store
            .add_statement(
                DEMO_ID,
                &NewStatement {
                    text,
                    language,
                    author: None,
                    moderation: Moderation::Accepted,
                    is_seed: true,
                },
            )
            .await?;
        let other = if *language == "id" { "en" } else { "id" };
        let write = TranslationWrite {
            statement: row.id,
            language: other,
            text: translation,
            by: TranslatedBy::Moderator,
        };
        store.set_translations(DEMO_ID, &[write]).await?;
    }
    for _ in 0..PARTICIPANTS {
        store.join(DEMO_ID, None, None).await?;
    }
    store.cast_votes_bulk(DEMO_ID, &simulated_votes()).await?;
    Ok(())
}

/// The simulated votes: 45% digital-first, 35% face-to-face, 20% environment-first;
/// each participant votes on 10 to all statements, in random order.
pub fn simulated_votes() -> Vec<(ParticipantId, StatementId, Vote)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mut votes = Vec::new();
    let mut order: Vec<usize> = (0..STATEMENTS.len()).collect();
    for p in 0..PARTICIPANTS {
        let camp = match p * 20 / PARTICIPANTS {
            0..=8 => 0,
            9..=15 => 1,
            _ => 2,
        };
        order.shuffle(&mut rng);
        let n = rng.gen_range(10..=STATEMENTS.len());
        for &s in &order[..n] {
            let agree = STATEMENTS[s].3[camp];
            let roll: f64 = rng.gen();
            let vote = if roll < 0.12 {
                Vote::Pass
            } else if rng.gen::<f64>() < agree {
                Vote::Agree
            } else {
                Vote::Disagree
            };
            votes.push((p, s as StatementId, vote));
        }
    }
    votes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_has_between_30_and_50_statements_in_both_languages() {
        assert!((30..=50).contains(&STATEMENTS.len()));
        let max = mufakat_core::api::MAX_STATEMENT_CHARS;
        for (language, text, translation, _) in STATEMENTS {
            assert!(["id", "en"].contains(language), "{text}");
            assert!(text.chars().count() <= max && translation.chars().count() <= max, "{text}");
        }
        let english = STATEMENTS.iter().filter(|s| s.0 == "en").count();
        assert!(english > 5 && english < STATEMENTS.len() - 5, "both languages among the originals");
    }

    /// The demo's votes are pinned by count and checksum: a change of `rand`'s stream (an
    /// upgrade) or of the simulation shows here instead of as different demo groups.
    #[test]
    fn simulated_votes_are_the_pinned_sequence() {
        let votes = simulated_votes();
        let checksum = votes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &(p, s, v)| {
            let x = (u64::from(p) << 32) | (u64::from(s) << 2) | u64::from((v.value() + 1) as u8);
            (h ^ x).wrapping_mul(0x0100_0000_01b3)
        });
        assert_eq!((votes.len(), checksum), (8_859, 9_317_145_652_955_127_633));
    }
}
