//! Pseudo-random secret sharing (PRSS), as in VIFF: random shares with no
//! communication at all.
//!
//! There is one key per subset A of n − t players. Each A has a polynomial f_A of
//! degree t with f_A(0) = 1 and f_A(x_j) = 0 for every player j outside A. Player
//! i's share of the random value at label L is Σ_{A ∋ i} PRF(k_A, L) · f_A(x_i);
//! the value itself is Σ_A PRF(k_A, L). The label is the only input the players
//! must agree on, so two players' random shares agree exactly when their labels do.
//!
//! The keys come from one of two places. In the seeded (insecure) mode of
//! benchmarks, [`Prss::new`] derives them from the run seed, which every player
//! knows, so anyone with the seed can compute every random value. In secure
//! mode each key is dealt to the members of its subset over authenticated links
//! ([`deal_prss_keys`]) and [`Prss::from_keys`] uses those. The
//! PRF is SHA-256(key ‖ label) read as 61 bits.

use crate::field::Fp;
use crate::label::PlayerId;
use crate::shamir::{lagrange_at, point};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// One player's PRSS keys and the values f_A(x_i) that weight them.
#[derive(Clone)]
pub struct Prss {
    /// For each subset A containing this player: the hasher already keyed with k_A, and f_A(x_me).
    terms: Vec<(Sha256, Fp)>,
}

impl std::fmt::Debug for Prss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prss")
            .field("subsets", &self.terms.len())
            .finish()
    }
}

/// Every subset of {0..n} with `k` members, as bit masks, in increasing order.
fn subsets(n: usize, k: usize) -> impl Iterator<Item = u32> {
    (0u32..(1 << n)).filter(move |m| m.count_ones() as usize == k)
}

fn subset_key(seed: u64, mask: u32) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"labelbench prss key v1");
    h.update(seed.to_le_bytes());
    h.update(mask.to_le_bytes());
    h.finalize().into()
}

fn keyed(key: &[u8; 32]) -> Sha256 {
    let mut h = Sha256::new();
    h.update(key);
    h
}

fn prf(keyed: &Sha256, label: &[u8]) -> Fp {
    let mut h = keyed.clone();
    h.update(label);
    let out = h.finalize();
    let mut word = [0u8; 8];
    word.copy_from_slice(&out[..8]);
    Fp::new(u64::from_le_bytes(word) >> 3)
}

/// f_A(x) where f_A has f_A(0) = 1 and vanishes at the players outside `mask`.
fn subset_poly_at(n: usize, mask: u32, x: Fp) -> Fp {
    let mut pts = vec![Fp::ZERO];
    pts.extend((0..n).filter(|j| mask & (1 << j) == 0).map(point));
    // The interpolating polynomial through (0, 1) and (x_j, 0) evaluated at x is the
    // Lagrange basis polynomial of the point 0.
    lagrange_at(&pts, x)[0]
}

impl Prss {
    /// Player `me`'s keys for `n` players with threshold `t`, derived from `seed`.
    pub fn new(n: usize, t: usize, me: usize, seed: u64) -> Prss {
        let terms = subsets(n, n - t)
            .filter(|mask| mask & (1 << me) != 0)
            .map(|mask| {
                (
                    keyed(&subset_key(seed, mask)),
                    subset_poly_at(n, mask, point(me)),
                )
            })
            .collect();
        Prss { terms }
    }

    /// Player `me`'s PRSS from dealt keys: `keys` must hold exactly one key per
    /// subset of n − t players that contains `me`.
    pub fn from_keys(n: usize, t: usize, me: usize, keys: &PrssKeys) -> Result<Prss, String> {
        let expected: Vec<u32> = subsets(n, n - t).filter(|m| m & (1 << me) != 0).collect();
        let got: Vec<u32> = keys.keys.iter().map(|k| k.0).collect();
        if got != expected {
            return Err(format!(
                "player {me} holds PRSS keys for subsets {got:?}, but needs exactly {expected:?}"
            ));
        }
        let terms = keys
            .keys
            .iter()
            .map(|(mask, key)| (keyed(key), subset_poly_at(n, *mask, point(me))))
            .collect();
        Ok(Prss { terms })
    }

    /// This player's share of the random value named by `label` (its wire bytes).
    pub fn share(&self, label: &[u8]) -> Fp {
        self.terms
            .iter()
            .fold(Fp::ZERO, |acc, (k, w)| acc + prf(k, label) * *w)
    }

    /// The random value itself, computed from every key: what the players' shares
    /// recombine to. For tests and plaintext checks only.
    pub fn value(n: usize, t: usize, seed: u64, label: &[u8]) -> Fp {
        subsets(n, n - t).fold(Fp::ZERO, |acc, mask| {
            acc + prf(&keyed(&subset_key(seed, mask)), label)
        })
    }
}

/// The PRSS subset keys one player holds: one per subset (bit mask) of n − t
/// players that contains it.
#[derive(Clone, Default)]
pub struct PrssKeys {
    /// (subset mask, key), sorted by mask.
    pub keys: Vec<(u32, [u8; 32])>,
}

impl fmt::Debug for PrssKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrssKeys")
            .field("subsets", &self.keys.len())
            .finish()
    }
}

/// The subsets of n − t players that `dealer` deals keys for: those whose
/// lowest member it is.
fn dealt_by(n: usize, t: usize, dealer: PlayerId) -> impl Iterator<Item = u32> {
    subsets(n, n - t).filter(move |m| m.trailing_zeros() as usize == dealer)
}

/// The keys player `me` deals: one fresh key, from the operating system's
/// randomness, for every subset [`dealt_by`] `me`.
pub fn deal_prss_keys(n: usize, t: usize, me: PlayerId) -> Result<PrssKeys, rand::Error> {
    let mut keys = Vec::new();
    for m in dealt_by(n, t, me) {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.try_fill_bytes(&mut k)?;
        keys.push((m, k));
    }
    Ok(PrssKeys { keys })
}

impl PrssKeys {
    /// The keys of these that `peer` must receive from their dealer: those of
    /// the subsets it belongs to.
    pub fn for_peer(&self, peer: PlayerId) -> PrssKeys {
        PrssKeys {
            keys: self
                .keys
                .iter()
                .filter(|(m, _)| m & (1 << peer) != 0)
                .copied()
                .collect(),
        }
    }

    /// The wire form: 4-byte mask and 32-byte key, repeated.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.keys.len() * 36);
        for (m, k) in &self.keys {
            out.extend_from_slice(&m.to_le_bytes());
            out.extend_from_slice(k);
        }
        out
    }

    /// Reads the keys `dealer` sent to `me` and checks they are exactly the
    /// ones it must deal to `me`: every subset of n − t players whose lowest
    /// member is `dealer` and that contains `me`.
    pub fn from_dealer(
        bytes: &[u8],
        n: usize,
        t: usize,
        dealer: PlayerId,
        me: PlayerId,
    ) -> Result<PrssKeys, String> {
        if !bytes.len().is_multiple_of(36) {
            return Err(format!(
                "its PRSS keys message has {} bytes, not a multiple of 36",
                bytes.len()
            ));
        }
        let keys: Vec<(u32, [u8; 32])> = bytes
            .chunks_exact(36)
            .map(|c| {
                let mut k = [0u8; 32];
                k.copy_from_slice(&c[4..]);
                (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), k)
            })
            .collect();
        let expected: Vec<u32> = dealt_by(n, t, dealer)
            .filter(|m| m & (1 << me) != 0)
            .collect();
        let got: Vec<u32> = keys.iter().map(|k| k.0).collect();
        if got != expected {
            return Err(format!(
                "it sent PRSS keys for subsets {got:?}, but it deals exactly {expected:?} to player {me}"
            ));
        }
        Ok(PrssKeys { keys })
    }

    /// Adds `other`'s keys.
    pub fn extend(&mut self, other: PrssKeys) {
        self.keys.extend(other.keys);
        self.keys.sort_unstable_by_key(|k| k.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shamir::Shamir;

    #[test]
    fn shares_recombine_to_the_value_and_are_consistent() {
        for (n, t) in [(3, 1), (5, 2), (7, 3), (4, 1), (2, 0)] {
            let sh = Shamir::new(n, t).unwrap();
            let players: Vec<Prss> = (0..n).map(|i| Prss::new(n, t, i, 42)).collect();
            for label in [&b"a"[..], b"\x01\x02", b""] {
                let shares: Vec<Fp> = players.iter().map(|p| p.share(label)).collect();
                let (v, ok) = sh.open(&shares);
                assert!(ok, "n={n} t={t}: PRSS shares are not of degree t");
                assert_eq!(v, Prss::value(n, t, 42, label));
            }
        }
    }

    #[test]
    fn dealt_keys_give_consistent_shares_unrelated_to_the_seed() {
        for (n, t) in [(3, 1), (5, 2)] {
            let sh = Shamir::new(n, t).unwrap();
            let dealt: Vec<PrssKeys> = (0..n).map(|d| deal_prss_keys(n, t, d).unwrap()).collect();
            let players: Vec<Prss> = (0..n)
                .map(|me| {
                    let mut mine = PrssKeys::default();
                    for d in &dealt {
                        mine.extend(d.for_peer(me));
                    }
                    Prss::from_keys(n, t, me, &mine).unwrap()
                })
                .collect();
            let shares: Vec<Fp> = players.iter().map(|p| p.share(b"L")).collect();
            let (v, ok) = sh.open(&shares);
            assert!(ok, "n={n} t={t}: dealt PRSS shares are not of degree t");
            assert!((0..100).all(|seed| v != Prss::value(n, t, seed, b"L")));
        }
        let err = Prss::from_keys(3, 1, 0, &PrssKeys::default()).unwrap_err();
        assert!(err.contains("needs exactly"), "{err}");
    }

    #[test]
    fn different_labels_give_different_values() {
        assert_ne!(Prss::value(3, 1, 1, b"x"), Prss::value(3, 1, 1, b"y"));
        assert_ne!(Prss::value(3, 1, 1, b"x"), Prss::value(3, 1, 2, b"x"));
    }

    #[test]
    fn mismatched_labels_are_inconsistent() {
        let sh = Shamir::new(5, 2).unwrap();
        let players: Vec<Prss> = (0..5).map(|i| Prss::new(5, 2, i, 9)).collect();
        let mut shares: Vec<Fp> = players.iter().map(|p| p.share(b"L1")).collect();
        shares[4] = players[4].share(b"L2");
        assert!(!sh.open(&shares).1);
    }

    #[test]
    fn dealt_keys_cover_every_subset_once_and_are_checked() {
        for (n, t) in [(3, 1), (5, 2), (7, 3)] {
            let dealt: Vec<PrssKeys> = (0..n).map(|me| deal_prss_keys(n, t, me).unwrap()).collect();
            for me in 0..n {
                let mut mine = PrssKeys::default();
                for (dealer, d) in dealt.iter().enumerate() {
                    let part = d.for_peer(me);
                    let back = PrssKeys::from_dealer(&part.to_bytes(), n, t, dealer, me).unwrap();
                    mine.extend(back);
                }
                let expected: Vec<u32> = subsets(n, n - t).filter(|m| m & (1 << me) != 0).collect();
                assert_eq!(mine.keys.iter().map(|k| k.0).collect::<Vec<_>>(), expected);
            }
            // A dealer that sends a subset it does not deal is refused.
            let forged = dealt[0].for_peer(1).to_bytes();
            let err = PrssKeys::from_dealer(&forged, n, t, 1, 2).unwrap_err();
            assert!(err.contains("deals exactly"), "{err}");
        }
        // Fresh randomness: two deals differ.
        assert_ne!(
            deal_prss_keys(3, 1, 0).unwrap().keys,
            deal_prss_keys(3, 1, 0).unwrap().keys
        );
    }
}
