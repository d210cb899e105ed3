//! Helpers shared by the unit tests.

/// Numbers uniform in [0, 1) from a fixed seed (Knuth's MMIX linear congruential
/// generator, the top 53 bits): the same sequence on every run and platform.
pub(crate) fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut k = seed;
    move || {
        k = k
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (k >> 11) as f64 / (1u64 << 53) as f64
    }
}
