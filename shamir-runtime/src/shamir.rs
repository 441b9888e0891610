//! Shamir secret sharing with threshold t among n players, and the Lagrange
//! coefficients it needs, all precomputed once per run.
//!
//! Player `i` (counting from 0) holds the evaluation at the point `x = i + 1`.
//! A sharing of degree t needs t + 1 shares to recombine; a product of two such
//! sharings has degree 2t and needs 2t + 1 ≤ n, which is why 2t < n.

use crate::field::Fp;
use rand::RngCore;

/// The sharing parameters of one run and every coefficient derived from them.
#[derive(Debug, Clone)]
pub struct Shamir {
    n: usize,
    t: usize,
    /// Every player's evaluation point.
    points: Vec<Fp>,
    /// λ_i for interpolating at 0 from all n points (recombines degree-2t products).
    all_at_zero: Vec<Fp>,
    /// λ_i for interpolating at 0 from the first t + 1 points.
    first_at_zero: Vec<Fp>,
    /// Row `j - (t+1)`: coefficients over the first t + 1 points that give the
    /// value at point j, for every j > t, one row after another (t + 1 each).
    /// An opening checks each one.
    consistency_rows: Vec<Fp>,
}

/// Why sharing parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShamirError {
    /// 2t < n does not hold, or n is outside the supported range.
    #[error(
        "threshold t = {t} with n = {n} players is not allowed: need 2 ≤ n ≤ {max} and 2t < n"
    )]
    BadThreshold {
        /// Players.
        n: usize,
        /// Threshold.
        t: usize,
        /// The largest supported n.
        max: usize,
    },
}

/// The largest number of players the runtime supports (PRSS keys grow as C(n, t)).
pub const MAX_PLAYERS: usize = 16;

/// Evaluation point of player `i`.
pub fn point(i: usize) -> Fp {
    Fp::new(i as u64 + 1)
}

/// Lagrange coefficients at `x` over `points`: Σ λ_k f(points[k]) = f(x)
/// for every f of degree < points.len().
pub fn lagrange_at(points: &[Fp], x: Fp) -> Vec<Fp> {
    points
        .iter()
        .enumerate()
        .map(|(k, &xk)| {
            let mut num = Fp::ONE;
            let mut den = Fp::ONE;
            for (m, &xm) in points.iter().enumerate() {
                if m != k {
                    num = num * (x - xm);
                    den = den * (xk - xm);
                }
            }
            num * den.inverse().expect("evaluation points are distinct")
        })
        .collect()
}

impl Shamir {
    /// Parameters for `n` players with threshold `t`; refuses unless 2t < n.
    pub fn new(n: usize, t: usize) -> Result<Shamir, ShamirError> {
        if !(2..=MAX_PLAYERS).contains(&n) || 2 * t >= n {
            return Err(ShamirError::BadThreshold {
                n,
                t,
                max: MAX_PLAYERS,
            });
        }
        let all: Vec<Fp> = (0..n).map(point).collect();
        let first = &all[..=t];
        Ok(Shamir {
            n,
            t,
            points: all.clone(),
            all_at_zero: lagrange_at(&all, Fp::ZERO),
            first_at_zero: lagrange_at(first, Fp::ZERO),
            consistency_rows: all[t + 1..]
                .iter()
                .flat_map(|&xj| lagrange_at(first, xj))
                .collect(),
        })
    }

    /// The default threshold ⌊(n − 1)/2⌋, the largest with 2t < n.
    pub fn default_threshold(n: usize) -> usize {
        n.saturating_sub(1) / 2
    }

    /// Number of players.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Threshold.
    pub fn t(&self) -> usize {
        self.t
    }

    /// λ_i (interpolation at 0 over all n points) for player `i`.
    #[inline]
    pub fn product_coefficient(&self, i: usize) -> Fp {
        self.all_at_zero[i]
    }

    /// Deals `secret` with a fresh random polynomial of degree t: `out[i]` is player i's share.
    #[inline(always)]
    pub fn deal(&self, secret: Fp, rng: &mut impl RngCore, out: &mut [Fp]) {
        debug_assert_eq!(out.len(), self.n);
        if self.t == 1 {
            // The usual case (3 players): one random coefficient c, and the
            // points are 1, 2, 3, …, so the shares are secret + c, + 2c, …:
            // additions, no multiplications.
            let c = Fp::random(rng);
            let mut share = secret;
            for s in out.iter_mut() {
                share += c;
                *s = share;
            }
            return;
        }
        self.deal_any(secret, rng, out);
    }

    /// [`Shamir::deal`] for any threshold, out of line.
    #[inline(never)]
    fn deal_any(&self, secret: Fp, rng: &mut impl RngCore, out: &mut [Fp]) {
        let t = self.t;
        if t == 0 {
            out.fill(secret);
            return;
        }
        let mut coeffs = [Fp::ZERO; MAX_PLAYERS / 2];
        for c in &mut coeffs[..t] {
            *c = Fp::random(rng);
        }
        for (share, &x) in out.iter_mut().zip(&self.points) {
            let mut acc = coeffs[t - 1];
            for &c in coeffs[..t - 1].iter().rev() {
                acc = acc * x + c;
            }
            *share = acc * x + secret;
        }
    }

    /// The secret behind `shares` (one per player, in player order), and whether
    /// all n lie on one polynomial of degree t. When they do not, the value is
    /// interpolated from the first t + 1 and must not be trusted.
    #[inline]
    pub fn open(&self, shares: &[Fp]) -> (Fp, bool) {
        debug_assert_eq!(shares.len(), self.n);
        if let ([s0, s1], rest) = shares.split_at(2.min(shares.len())) {
            if self.t == 1 {
                // A line through (1, s0) and (2, s1): its step d, its value at
                // 0, and every later share one more step along (points are
                // 1, 2, 3, …). Additions only.
                let d = *s1 - *s0;
                let mut expected = *s1;
                let mut consistent = true;
                for &s in rest {
                    expected += d;
                    consistent &= s == expected;
                }
                return (*s0 - d, consistent);
            }
        }
        let (first, rest) = shares.split_at(self.t + 1);
        let mut consistent = true;
        for (row, &s) in self.consistency_rows.chunks_exact(first.len()).zip(rest) {
            consistent &= dot(row, first) == s;
        }
        (dot(&self.first_at_zero, first), consistent)
    }

    /// Recombines a sharing of degree up to n − 1 (such as the local products
    /// of two degree-t sharings) from all n shares.
    #[cfg(test)]
    fn recombine_all(&self, shares: &[Fp]) -> Fp {
        dot(&self.all_at_zero, shares)
    }
}

#[inline]
fn dot(a: &[Fp], b: &[Fp]) -> Fp {
    a.iter().zip(b).fold(Fp::ZERO, |acc, (&x, &y)| acc + x * y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn params() -> impl Strategy<Value = (usize, usize)> {
        (2..=9usize).prop_flat_map(|n| (Just(n), 0..=(n - 1) / 2))
    }

    proptest! {
        #[test]
        fn share_then_recombine((n, t) in params(), secret in any::<u64>(), seed in any::<u64>()) {
            let sh = Shamir::new(n, t).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut shares = vec![Fp::ZERO; n];
            sh.deal(Fp::new(secret), &mut rng, &mut shares);
            let (v, ok) = sh.open(&shares);
            prop_assert!(ok);
            prop_assert_eq!(v, Fp::new(secret));
            prop_assert_eq!(sh.recombine_all(&shares), Fp::new(secret));
        }

        /// The additions-only path for t = 1 gives what the Lagrange
        /// coefficients give, on any shares, consistent or not.
        #[test]
        fn line_opening_matches_lagrange(n in 3usize..=MAX_PLAYERS, raw in proptest::collection::vec(0..crate::field::MODULUS, MAX_PLAYERS), fix in any::<bool>()) {
            let sh = Shamir::new(n, 1).unwrap();
            let mut shares: Vec<Fp> = raw[..n].iter().map(|&v| Fp::new(v)).collect();
            if fix {
                // Put every share on the line through the first two.
                let row: Vec<Fp> = sh.consistency_rows.clone();
                for j in 2..n {
                    shares[j] = dot(&row[(j - 2) * 2..(j - 1) * 2], &shares[..2]);
                }
            }
            let want_value = dot(&sh.first_at_zero, &shares[..2]);
            let want_consistent = (2..n).all(|j| {
                dot(&sh.consistency_rows[(j - 2) * 2..(j - 1) * 2], &shares[..2]) == shares[j]
            });
            prop_assert_eq!(sh.open(&shares), (want_value, want_consistent));
            prop_assert_eq!(want_consistent, fix);
        }

        #[test]
        fn changed_share_is_detected((n, t) in params(), secret in any::<u64>(), who in any::<usize>(), delta in 1..crate::field::MODULUS) {
            prop_assume!(n > t + 1);
            let sh = Shamir::new(n, t).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let mut shares = vec![Fp::ZERO; n];
            sh.deal(Fp::new(secret), &mut rng, &mut shares);
            shares[who % n] += Fp::new(delta);
            prop_assert!(!sh.open(&shares).1);
        }

        /// BGW degree reduction: the local products form a degree-2t sharing of the
        /// product; each player re-shares its product with degree t, and recombining
        /// the re-shares with λ gives a degree-t sharing of the product.
        #[test]
        fn multiplication_degree_reduction((n, t) in params(), a in any::<u64>(), b in any::<u64>(), seed in any::<u64>()) {
            let sh = Shamir::new(n, t).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (mut sa, mut sb) = (vec![Fp::ZERO; n], vec![Fp::ZERO; n]);
            sh.deal(Fp::new(a), &mut rng, &mut sa);
            sh.deal(Fp::new(b), &mut rng, &mut sb);
            let products: Vec<Fp> = sa.iter().zip(&sb).map(|(&x, &y)| x * y).collect();
            prop_assert_eq!(sh.recombine_all(&products), Fp::new(a) * Fp::new(b));
            let mut reshares = vec![vec![Fp::ZERO; n]; n];
            for (i, &p) in products.iter().enumerate() {
                sh.deal(p, &mut rng, &mut reshares[i]);
            }
            let new_shares: Vec<Fp> = (0..n)
                .map(|j| (0..n).fold(Fp::ZERO, |acc, i| acc + sh.product_coefficient(i) * reshares[i][j]))
                .collect();
            let (v, ok) = sh.open(&new_shares);
            prop_assert!(ok, "degree was not reduced to t");
            prop_assert_eq!(v, Fp::new(a) * Fp::new(b));
        }

        /// Interpolation at 0 recovers the constant term of any polynomial of low enough degree.
        #[test]
        fn lagrange_interpolates_at_zero(coeffs in prop::collection::vec(0..crate::field::MODULUS, 1..8)) {
            let coeffs: Vec<Fp> = coeffs.into_iter().map(Fp::new).collect();
            let points: Vec<Fp> = (0..coeffs.len()).map(point).collect();
            let evals: Vec<Fp> = points.iter().map(|&x| coeffs.iter().rev().fold(Fp::ZERO, |acc, &c| acc * x + c)).collect();
            let lambda = lagrange_at(&points, Fp::ZERO);
            prop_assert_eq!(dot(&lambda, &evals), coeffs[0]);
        }
    }

    #[test]
    fn refuses_bad_thresholds() {
        assert!(Shamir::new(3, 2).is_err());
        assert!(Shamir::new(1, 0).is_err());
        assert!(Shamir::new(MAX_PLAYERS + 1, 1).is_err());
        assert_eq!(Shamir::default_threshold(7), 3);
        assert!(Shamir::new(7, 3).is_ok());
    }
}
