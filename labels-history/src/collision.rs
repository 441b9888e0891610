//! [`collision_bound`]: how likely truncated histories are to collide.

/// An upper bound on the probability that any two of `labels` uniformly random
/// labels of `label_bytes` bytes are equal: the birthday bound in its union
/// form, min(1, k(k−1)/2 · 2^−8b) with k = `labels` and b = `label_bytes`.
///
/// Computed in `f64` without overflow for every `u64` count (k(k−1)/2 < 2^128
/// is far inside `f64`'s range) and without underflow trouble (2^−256 is a
/// normal `f64`; sizes past 127 bytes give 0). Fewer than two labels cannot
/// collide: 0. When the bound is small it is also the probability itself, to
/// within a relative error of about the bound.
///
/// The harness reports it per run as `label_collision_bound`, with k the number
/// of histories one player computed: every operation it issued, inputs and
/// local operations included (see [Counting histories](crate#counting-histories)).
///
/// ```
/// use labels_history::collision_bound;
/// assert_eq!(collision_bound(1, 8), 0.0);
/// assert_eq!(collision_bound(2, 8), 2f64.powi(-64));
/// assert!((collision_bound(1_000_000_000, 8) - 0.0271).abs() < 1e-4);
/// assert!(collision_bound(1_000_000_000, 16) < 1e-20);
/// ```
pub fn collision_bound(labels: u64, label_bytes: usize) -> f64 {
    if labels < 2 {
        return 0.0;
    }
    let k = labels as f64;
    // k·(k−1) in f64: exact for k < 2^26.5, within one rounding beyond.
    let pairs = k * (labels - 1) as f64 * 0.5;
    let bits = label_bytes.saturating_mul(8);
    let scale = if bits > 2000 {
        0.0
    } else {
        // 2^−bits; powi takes an i32, and bits ≤ 2000 fits.
        2f64.powi(-(bits as i32))
    };
    (pairs * scale).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-3 * want
    }

    #[test]
    fn the_numbers_in_the_crate_docs() {
        assert!(close(collision_bound(1_000_000, 8), 2.71e-8));
        assert!(close(collision_bound(1_000_000_000, 8), 2.710_5e-2));
        assert_eq!(collision_bound(1_000_000_000_000, 8), 1.0);
        assert!(close(collision_bound(1_000_000, 16), 1.469_4e-27));
        assert!(close(collision_bound(1_000_000_000, 16), 1.469_4e-21));
        assert!(close(collision_bound(1_000_000_000_000, 16), 1.469_4e-15));
        assert!(close(collision_bound(1_000_000, 32), 4.318e-66));
        assert!(close(collision_bound(1_000_000_000, 32), 4.318e-60));
        assert!(close(collision_bound(1_000_000_000_000, 32), 4.318e-54));
    }

    #[test]
    fn edges_neither_overflow_nor_underflow() {
        assert_eq!(collision_bound(0, 8), 0.0);
        assert_eq!(collision_bound(1, 32), 0.0);
        // Two labels: exactly one pair.
        assert_eq!(collision_bound(2, 16), 2f64.powi(-128));
        assert_eq!(collision_bound(2, 32), 2f64.powi(-256));
        assert!(collision_bound(2, 32) > 0.0);
        // The largest count: k(k−1)/2 ≈ 2^127, times 2^−256.
        let max = collision_bound(u64::MAX, 32);
        assert!(max.is_finite() && max > 0.0 && close(max, 2f64.powi(-129)));
        assert_eq!(collision_bound(u64::MAX, 8), 1.0);
        // Around 2^32 labels of 8 bytes the bound reaches 1/2, then 1.
        assert!(close(collision_bound(1 << 32, 8), 0.5));
        assert_eq!(collision_bound(1 << 33, 8), 1.0);
        // Degenerate sizes.
        assert_eq!(collision_bound(10, 0), 1.0);
        assert_eq!(collision_bound(u64::MAX, usize::MAX), 0.0);
        // Monotone in the count, antitone in the size.
        let mut last = 0.0;
        for k in [2u64, 10, 1000, 1 << 20, 1 << 40, u64::MAX] {
            let p = collision_bound(k, 16);
            assert!(p >= last && p <= 1.0);
            last = p;
        }
        assert!(collision_bound(1 << 20, 8) > collision_bound(1 << 20, 16));
    }
}
