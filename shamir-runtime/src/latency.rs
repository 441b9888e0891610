//! [`Latencies`]: the engine's record of multiplication latencies, one count
//! per multiplication, cheap enough to keep on the hot path.
//!
//! A latency goes into a log-linear bucket: exact below 128 ns, and above that
//! one of 128 buckets per power of two (each 1/128 of its octave wide, the
//! resolution of an HDR histogram with two significant digits). Recording is a
//! leading-zero count, two shifts and an increment: about 13 instructions per
//! multiplication, where recording straight into [`hdrhistogram::Histogram`]
//! took about 56 (callgrind, 3 players, n = 30 000). [`Latencies::histogram`]
//! turns the buckets into an HDR histogram for quantiles and for merging
//! players.

use hdrhistogram::Histogram;

/// Bits of a latency kept below its leading one.
const MANTISSA_BITS: u32 = 7;
/// Buckets per octave, and the latencies (in ns) counted exactly.
const SUB: usize = 1 << MANTISSA_BITS;
/// Buckets for every `u32` latency: the exact ones, then one row per octave
/// from 2^7 to 2^31.
const BUCKETS: usize = SUB + (32 - MANTISSA_BITS as usize) * SUB;

/// Multiplication latencies in ns, as counts per bucket.
#[derive(Debug, Clone)]
pub struct Latencies {
    counts: Box<[u32; BUCKETS]>,
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            counts: Box::new([0; BUCKETS]),
        }
    }
}

/// The bucket of latency `ns`.
#[inline]
fn bucket(ns: u32) -> usize {
    if (ns as usize) < SUB {
        return ns as usize;
    }
    let octave = 31 - ns.leading_zeros(); // ≥ MANTISSA_BITS
    let shift = octave - MANTISSA_BITS;
    // `ns >> shift` is in SUB..2·SUB: its low bits pick the bucket in the row.
    ((shift as usize + 1) << MANTISSA_BITS) + ((ns >> shift) as usize - SUB)
}

/// The smallest latency in bucket `b` and the bucket's width.
fn bucket_range(b: usize) -> (u64, u64) {
    if b < SUB {
        return (b as u64, 1);
    }
    let shift = (b >> MANTISSA_BITS) as u32 - 1;
    let top = (SUB + (b & (SUB - 1))) as u64;
    (top << shift, 1 << shift)
}

impl Latencies {
    /// Counts one latency of `ns` nanoseconds.
    #[inline]
    pub fn record(&mut self, ns: u32) {
        let b = bucket(ns);
        self.counts[b] = self.counts[b].saturating_add(1);
    }

    /// The latencies as an HDR histogram (1 ns to 1 h, two significant
    /// digits), each counted at the middle of its bucket.
    pub fn histogram(&self) -> Histogram<u64> {
        let mut h = empty_histogram();
        for (b, &count) in self.counts.iter().enumerate() {
            if count > 0 {
                let (low, width) = bucket_range(b);
                let _ = h.record_n((low + width / 2).max(1), u64::from(count));
            }
        }
        h
    }
}

/// An empty latency histogram with the bounds every report uses: 1 ns to 1 h,
/// two significant digits.
pub fn empty_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 2).expect("valid histogram bounds")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn buckets_cover_every_u32_in_order() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(127), 127);
        assert_eq!(bucket(128), 128);
        assert_eq!(bucket(u32::MAX), BUCKETS - 1);
        let mut last = 0;
        for ns in (0..1u64 << 32).step_by(9973).map(|v| v as u32) {
            let b = bucket(ns);
            assert!(b >= last, "bucket of {ns} went back");
            last = b;
        }
    }

    proptest! {
        /// A latency lies in its bucket, and a bucket is at most 1/128 of
        /// the latencies it holds wide.
        #[test]
        fn a_latency_lies_in_its_bucket(ns in any::<u32>()) {
            let (low, width) = bucket_range(bucket(ns));
            prop_assert!(low <= u64::from(ns) && u64::from(ns) < low + width);
            prop_assert!(width == 1 || width * 128 <= low);
        }
    }

    #[test]
    fn quantiles_match_the_recorded_latencies_to_one_percent() {
        let mut l = Latencies::default();
        for ns in 1..=100_000u32 {
            l.record(ns * 10);
        }
        let h = l.histogram();
        assert_eq!(h.len(), 100_000);
        for (q, want) in [(0.5, 500_000.0), (0.99, 990_000.0)] {
            let got = h.value_at_quantile(q) as f64;
            assert!((got - want).abs() / want < 0.01, "q {q}: {got} vs {want}");
        }
    }
}
