#![cfg(not(target_arch = "wasm32"))]
//! Our implicit sparse PCA and our k-means against linfa's dense implementations.

mod common;

use linfa::traits::{Fit, Predict};
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use linfa_reduction::Pca;
use mufakat_core::cluster;
use mufakat_core::matrix::VoteMatrix;
use mufakat_core::pca::principal_components;
use ndarray::Array2;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

#[test]
fn sparse_power_iteration_matches_linfa_pca_on_a_real_conversation() {
    let Some(export) = common::load("scoop-hivemind.biodiversity") else { return };
    eprintln!("{}", common::ATTRIBUTION);
    let meta = export.statement_meta();
    let ids: Vec<u32> = meta.iter().map(|s| s.id).collect();
    let m = VoteMatrix::from_records(&export.vote_records(), &ids);
    let excluded: std::collections::HashSet<u32> =
        meta.iter().filter(|s| s.is_excluded()).map(|s| s.id).collect();
    let tallies = m.column_tallies(|_| true);
    let active: Vec<bool> = (0..m.n_statements())
        .map(|c| tallies[c].seen > 0 && !excluded.contains(&m.statements()[c]))
        .collect();
    let ours = principal_components(&m, &active, None, &mut Xoshiro256PlusPlus::seed_from_u64(1));

    // Dense, mean-imputed matrix (zeroed columns stay 0) for linfa.
    let (n, d) = (m.n_participants(), m.n_statements());
    let mut dense = Array2::<f64>::zeros((n, d));
    for r in 0..n {
        for c in 0..d {
            dense[[r, c]] = if active[c] { ours.center[c] } else { 0.0 };
        }
        for (c, v) in m.row(r) {
            if active[c] {
                dense[[r, c]] = v as f64;
            }
        }
    }
    let pca = Pca::params(2).fit(&DatasetBase::from(dense)).expect("linfa PCA fits");
    let comps = pca.components();
    let axis = |k: usize| -> Vec<f64> {
        if comps.nrows() == 2 {
            comps.row(k).to_vec()
        } else {
            comps.column(k).to_vec()
        }
    };
    for k in 0..2 {
        let cos = cosine(&ours.axes[k], &axis(k)).abs();
        eprintln!("component {k}: |cos| = {cos:.6}");
        assert!(cos > 0.99, "component {k}: |cos| {cos}");
    }
}

#[test]
fn our_kmeans_lands_on_linfas_partition_from_the_same_start() {
    let c = mufakat_core::synthetic::planted(400, 30, 3, 20, 9);
    let a = mufakat_core::analyse(
        &mufakat_core::AnalysisInput { votes: &c.votes, statements: &c.statements },
        &mufakat_core::AnalysisParams::default(),
        None,
    )
    .unwrap();
    let points: Vec<cluster::Point> = a.participants.iter().map(|p| p.position).collect();
    let start = cluster::first_distinct(&points, 4);
    let ours = cluster::kmeans(&points, &vec![1.0; points.len()], start.clone(), 300);
    let records = Array2::from_shape_fn((points.len(), 2), |(i, j)| points[i][j]);
    let init = Array2::from_shape_fn((start.len(), 2), |(i, j)| start[i][j]);
    let model = KMeans::params_with_rng(start.len(), Xoshiro256PlusPlus::seed_from_u64(0))
        .init_method(KMeansInit::Precomputed(init))
        .n_runs(1)
        .max_n_iterations(300)
        .tolerance(1e-12)
        .fit(&DatasetBase::from(records.clone()))
        .expect("linfa k-means fits");
    let theirs: Vec<u32> = model.predict(&records).iter().map(|&x| x as u32).collect();
    let ours: Vec<u32> = ours.assignment.iter().map(|&x| x as u32).collect();
    let ari = mufakat_core::cluster::adjusted_rand_index(&ours, &theirs);
    eprintln!("k-means ARI against linfa: {ari:.4}");
    assert!(ari > 0.95, "ARI {ari}");
}
