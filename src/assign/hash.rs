//! Stable hashing and a seeded generator: the same input gives the same number on every machine
//! and every run, which std's randomly keyed hasher and a thread RNG would not.

/// FNV-1a over the parts, each followed by a 0xff separator so that ("ab", "c") and ("a", "bc")
/// hash differently.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// The tie-break of last resort between candidates: spreads ties across people, yet the same PR
/// always breaks the same way. Logins compare case-insensitively, so they hash that way too.
pub fn tie_break(repo: &str, number: u64, login: &str) -> u64 {
    fnv1a(&[repo.to_ascii_lowercase().as_bytes(), &number.to_le_bytes(), login.to_ascii_lowercase().as_bytes()])
}

/// Which of 100 buckets a PR falls in for sampled checks: a PR is sampled at `percent` when its
/// bucket is below it, so raising the percentage only ever adds PRs.
pub fn sample_bucket(repo: &str, number: u64) -> u8 {
    let hash = fnv1a(&[b"spot-check", repo.to_ascii_lowercase().as_bytes(), &number.to_le_bytes()]);
    (hash % 100) as u8
}

/// SplitMix64: a tiny seeded generator for simulations and baselines that must be repeatable.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; 0 when `n` is 0. The slight modulo bias does not matter here.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // The reference values of FNV-1a 64 for "" and "a", before our separator byte.
        let raw = |bytes: &[u8]| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            h
        };
        assert_eq!(raw(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(raw(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }

    #[test]
    fn tie_break_ignores_login_case_and_is_fixed() {
        assert_eq!(tie_break("acme/shop", 7, "Alice"), tie_break("ACME/shop", 7, "alice"));
        assert_ne!(tie_break("acme/shop", 7, "alice"), tie_break("acme/shop", 8, "alice"));
    }

    #[test]
    fn splitmix_is_repeatable() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert!((0..1000).all(|_| a.below(7) < 7 && (0.0..1.0).contains(&a.unit())));
    }
}
