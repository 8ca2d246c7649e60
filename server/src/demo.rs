//! The demo conversation loaded into an empty store: a kelurahan asking its residents how
//! public services could improve. Written by the project; the votes are simulated,
//! deterministically (fixed seed), with a real group structure: three opinion camps
//! (digital-first, face-to-face, environment-first) and statements everyone agrees on.

use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::store::{Conversation, NewStatement, Store};

pub const DEMO_ID: &str = "demo";
const SEED: u64 = 20_261_125;
const PARTICIPANTS: u32 = 360;

/// (text, agree probability for camps [digital, face-to-face, environment]).
const STATEMENTS: &[(&str, [f64; 3])] = &[
    // Everyone agrees.
    ("Air bersih harus mengalir setiap hari di semua RT.", [0.92, 0.9, 0.95]),
    ("The kelurahan should publish its budget and spending every month.", [0.9, 0.85, 0.88]),
    ("Complaints from residents deserve an answer within one week.", [0.88, 0.9, 0.86]),
    ("Lampu jalan yang mati harus segera diperbaiki.", [0.9, 0.88, 0.9]),
    ("Posyandu perlu jadwal yang tetap dan diumumkan jauh hari.", [0.82, 0.9, 0.85]),
    ("Staff at the service counter should treat every resident with the same respect.", [0.93, 0.92, 0.9]),
    // Digital-first camp.
    ("Semua surat pengantar sebaiknya bisa diurus lewat aplikasi.", [0.9, 0.15, 0.5]),
    ("An online queue would save us hours of waiting at the kelurahan office.", [0.92, 0.3, 0.55]),
    ("Pengumuman warga cukup lewat grup WhatsApp resmi, tidak perlu kertas.", [0.85, 0.12, 0.4]),
    ("Payment of local fees should accept QRIS and e-wallets.", [0.9, 0.3, 0.5]),
    ("Free public Wi-Fi at the balai warga should be a priority.", [0.85, 0.25, 0.3]),
    ("Data kependudukan sebaiknya diperbarui sendiri oleh warga secara daring.", [0.8, 0.1, 0.45]),
    ("Young volunteers should teach older residents to use online services.", [0.88, 0.45, 0.6]),
    // Face-to-face camp.
    ("Pelayanan tatap muka harus tetap ada untuk warga lanjut usia.", [0.4, 0.95, 0.7]),
    ("Ketua RT lebih tahu kebutuhan warga daripada aplikasi mana pun.", [0.15, 0.9, 0.5]),
    ("The office should open on Saturday mornings for people who work on weekdays.", [0.45, 0.88, 0.55]),
    ("Petugas sebaiknya datang ke rumah warga yang sakit atau difabel.", [0.5, 0.92, 0.65]),
    ("Musyawarah warga di balai lebih baik daripada survei online.", [0.1, 0.88, 0.45]),
    ("Paper forms must stay available; not everyone has a smartphone.", [0.25, 0.95, 0.6]),
    ("Arisan dan pengajian adalah tempat terbaik untuk menyampaikan informasi.", [0.15, 0.8, 0.35]),
    // Environment-first camp.
    ("Perbaikan saluran air harus didahulukan sebelum musim hujan.", [0.55, 0.5, 0.95]),
    ("Every RW needs a waste bank (bank sampah) run by residents.", [0.5, 0.55, 0.93]),
    ("Lahan kosong sebaiknya dijadikan taman, bukan tempat parkir.", [0.35, 0.4, 0.92]),
    ("The kelurahan should fine people who burn rubbish.", [0.45, 0.2, 0.9]),
    ("Budget for digital services should go to drainage instead.", [0.1, 0.55, 0.88]),
    ("Pohon peneduh perlu ditanam di sepanjang jalan utama.", [0.45, 0.5, 0.9]),
    ("Plastic bags should be banned at the weekly market.", [0.35, 0.25, 0.88]),
    // Divisive between camps.
    ("Jam layanan sebaiknya diperpanjang sampai malam dengan sistem sif.", [0.75, 0.6, 0.3]),
    ("Street vendors should be moved off the pavement.", [0.7, 0.2, 0.75]),
    ("Iuran kebersihan boleh dinaikkan asal sampah diangkut setiap hari.", [0.5, 0.2, 0.85]),
    ("CCTV cameras at every junction would make the neighbourhood safer.", [0.85, 0.6, 0.2]),
    ("Kendaraan bermotor sebaiknya dilarang masuk gang pada hari Minggu.", [0.3, 0.15, 0.85]),
    ("The kelurahan should hire more staff rather than buy new software.", [0.1, 0.85, 0.5]),
    // Mostly agreed, with nuance.
    ("Anak muda perlu dilibatkan dalam perencanaan pembangunan kelurahan.", [0.85, 0.7, 0.8]),
    ("Information about social assistance (bansos) must be clear and public.", [0.85, 0.88, 0.8]),
    ("Ruang bermain anak yang aman dibutuhkan di setiap RW.", [0.8, 0.75, 0.88]),
    ("Flooded roads should be reported and fixed within 48 hours.", [0.8, 0.75, 0.9]),
    ("Layanan kesehatan jiwa perlu ada di puskesmas kelurahan.", [0.75, 0.55, 0.7]),
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
    for (text, _) in STATEMENTS {
        store
            .add_statement(
                DEMO_ID,
                &NewStatement { text, author: None, moderation: Moderation::Accepted, is_seed: true },
            )
            .await?;
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
            let agree = STATEMENTS[s].1[camp];
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
        assert!(STATEMENTS.iter().all(|(t, _)| t.chars().count() <= mufakat_core::api::MAX_STATEMENT_CHARS));
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
