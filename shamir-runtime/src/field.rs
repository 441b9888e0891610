//! The prime field GF(p) with p = 2^61 − 1, the Mersenne prime every share lives in.
//!
//! A Mersenne modulus makes reduction two shifts and an add, and p ≡ 3 (mod 4),
//! so square roots are a single exponentiation a^((p+1)/4). The random-bits
//! workload relies on that.

use rand::RngCore;
use std::fmt;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};

/// The modulus p = 2^61 − 1.
pub const MODULUS: u64 = (1 << 61) - 1;

/// An element of GF(2^61 − 1), always kept reduced (`0 <= value < p`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Fp(u64);

impl Fp {
    /// Zero.
    pub const ZERO: Fp = Fp(0);
    /// One.
    pub const ONE: Fp = Fp(1);

    /// The element `v mod p`.
    pub const fn new(v: u64) -> Fp {
        // v < 2^64 = 8·2^61, so one fold leaves < 2^61 + 8, and one subtraction finishes.
        let folded = (v & MODULUS) + (v >> 61);
        Fp(if folded >= MODULUS {
            folded - MODULUS
        } else {
            folded
        })
    }

    /// The element with this canonical representative, or `None` if `v >= p`.
    /// Used to validate payloads read from the wire.
    pub const fn from_canonical(v: u64) -> Option<Fp> {
        if v < MODULUS {
            Some(Fp(v))
        } else {
            None
        }
    }

    /// The canonical representative in `0..p`.
    pub const fn value(self) -> u64 {
        self.0
    }

    /// A uniformly random element (rejection sampling over 61-bit strings).
    pub fn random(rng: &mut impl RngCore) -> Fp {
        loop {
            let v = rng.next_u64() >> 3;
            if v < MODULUS {
                return Fp(v);
            }
        }
    }

    /// `self^e` by square-and-multiply.
    fn pow(self, mut e: u64) -> Fp {
        let mut base = self;
        let mut acc = Fp::ONE;
        while e > 0 {
            if e & 1 == 1 {
                acc = acc * base;
            }
            base = base * base;
            e >>= 1;
        }
        acc
    }

    /// The multiplicative inverse, or `None` for zero (Fermat: a^(p−2)).
    pub fn inverse(self) -> Option<Fp> {
        if self.0 == 0 {
            None
        } else {
            Some(self.pow(MODULUS - 2))
        }
    }

    /// A square root, if `self` is a square: a^((p+1)/4), checked by squaring.
    /// Of the two roots ±r this returns the one whose representative is smaller,
    /// so every player that computes it gets the same root.
    pub fn sqrt(self) -> Option<Fp> {
        let r = self.pow((MODULUS + 1) / 4);
        if r * r != self {
            return None;
        }
        let other = -r;
        Some(if other.0 < r.0 { other } else { r })
    }
}

impl fmt::Debug for Fp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fp({})", self.0)
    }
}

impl fmt::Display for Fp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u64> for Fp {
    fn from(v: u64) -> Fp {
        Fp::new(v)
    }
}

impl Add for Fp {
    type Output = Fp;
    #[inline]
    fn add(self, rhs: Fp) -> Fp {
        // Both < 2^61 − 1, so the sum is < 2^62 and one conditional subtraction reduces it.
        let s = self.0 + rhs.0;
        Fp(if s >= MODULUS { s - MODULUS } else { s })
    }
}

impl AddAssign for Fp {
    #[inline]
    fn add_assign(&mut self, rhs: Fp) {
        *self = *self + rhs;
    }
}

impl Sub for Fp {
    type Output = Fp;
    #[inline]
    fn sub(self, rhs: Fp) -> Fp {
        if self.0 >= rhs.0 {
            Fp(self.0 - rhs.0)
        } else {
            Fp(self.0 + MODULUS - rhs.0)
        }
    }
}

impl Neg for Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        if self.0 == 0 {
            self
        } else {
            Fp(MODULUS - self.0)
        }
    }
}

impl Mul for Fp {
    type Output = Fp;
    #[inline]
    fn mul(self, rhs: Fp) -> Fp {
        let prod = u128::from(self.0) * u128::from(rhs.0);
        // prod < 2^122: low 61 bits plus the rest (< 2^61) is < 2^62.
        let lo = (prod as u64) & MODULUS;
        let hi = (prod >> 61) as u64;
        let s = lo + hi;
        Fp(if s >= MODULUS { s - MODULUS } else { s })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: u128 = MODULUS as u128;

    fn reference(v: u128) -> u64 {
        (v % P) as u64
    }

    proptest! {
        #[test]
        fn new_reduces_like_u128(v in any::<u64>()) {
            prop_assert_eq!(Fp::new(v).value(), reference(u128::from(v)));
        }

        #[test]
        fn add_sub_mul_match_u128(a in 0..MODULUS, b in 0..MODULUS) {
            let (x, y) = (Fp::new(a), Fp::new(b));
            let (a, b) = (u128::from(a), u128::from(b));
            prop_assert_eq!((x + y).value(), reference(a + b));
            prop_assert_eq!((x - y).value(), reference(a + P - b));
            prop_assert_eq!((x * y).value(), reference(a * b));
            prop_assert_eq!((-x).value(), reference(P - a));
        }

        #[test]
        fn inverse_inverts(a in 1..MODULUS) {
            let x = Fp::new(a);
            prop_assert_eq!(x * x.inverse().unwrap(), Fp::ONE);
        }

        #[test]
        fn sqrt_of_square_is_a_root(a in 0..MODULUS) {
            let x = Fp::new(a);
            let r = (x * x).sqrt().unwrap();
            prop_assert!(r == x || r == -x);
            prop_assert!(r.value() <= (-r).value() || r == Fp::ZERO);
        }
    }

    #[test]
    fn edge_values() {
        assert_eq!(Fp::new(MODULUS), Fp::ZERO);
        assert_eq!(Fp::new(u64::MAX).value(), reference(u128::from(u64::MAX)));
        assert_eq!(Fp::from_canonical(MODULUS), None);
        assert_eq!(Fp::ZERO.inverse(), None);
        // −1 is not a square when p ≡ 3 (mod 4).
        assert_eq!((-Fp::ONE).sqrt(), None);
    }
}
