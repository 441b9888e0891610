//! The six programs of the study, written once against [`Mpc`] so that every
//! strategy runs the very same code. Each computes its plaintext alongside and
//! checks every opened result against it.
//!
//! `n` counts multiplications (random bits for `random-bits`, one
//! multiplication each). Inputs are dealt by the players in turn and drawn from
//! the run seed, so every player knows the plaintext the results must match.

use crate::field::Fp;
use crate::params::WorkloadKind;
use crate::program::{Mpc, Share, Workload};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Builds the program `kind` of size `n` (and `depth`, for `nested`).
pub fn build<M: Mpc>(kind: WorkloadKind, n: u64, depth: u32, seed: u64) -> Box<dyn Workload<M>> {
    let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x776f_726b_6c6f_6164); // "workload"
    match kind {
        WorkloadKind::Independent => Box::new(Independent::new(n, rng, false)),
        WorkloadKind::Duplicates => Box::new(Independent::new(n, rng, true)),
        WorkloadKind::Tree => Box::new(Tree::new(n, rng)),
        WorkloadKind::Chain => Box::new(Chain::new(n, rng)),
        WorkloadKind::Nested => Box::new(Nested::new(n, depth.max(1), rng)),
        WorkloadKind::RandomBits => Box::new(RandomBits { n, issued: 0 }),
    }
}

/// Opens `x` and checks it against `expected`.
fn open_and_check<M: Mpc>(m: &mut M, x: Share, expected: Fp) {
    let o = m.open(x);
    m.check(o, expected);
}

/// Deals a fresh random input owned by player `i mod n`.
fn deal_one<M: Mpc>(m: &mut M, rng: &mut ChaCha8Rng, i: u64) -> (Share, Fp) {
    let v = Fp::random(rng);
    let owner = (i % m.players() as u64) as usize;
    (m.input(owner, v), v)
}

/// `independent`: n products a_i·b_i of fresh inputs, the seed's
/// `x = mul(a, b); y = mul(c, d)` scaled up. With `twice`, the `duplicates`
/// workload: ⌈n/2⌉ input pairs, each product computed twice from the same
/// operands (`x = a·b; y = a·b`), which gives both the same history.
struct Independent {
    n: u64,
    twice: bool,
    rng: ChaCha8Rng,
    pairs: Vec<(Share, Share, Fp)>,
    next: u64,
}

impl Independent {
    fn new(n: u64, rng: ChaCha8Rng, twice: bool) -> Self {
        Independent {
            n,
            twice,
            rng,
            pairs: Vec::new(),
            next: 0,
        }
    }

    fn pair_count(&self) -> u64 {
        if self.twice {
            self.n.div_ceil(2)
        } else {
            self.n
        }
    }
}

impl<M: Mpc> Workload<M> for Independent {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.pairs.len() as u64;
        if i == self.pair_count() {
            return false;
        }
        let (a, av) = deal_one(m, &mut self.rng, i);
        let (b, bv) = deal_one(m, &mut self.rng, i + 1);
        self.pairs.push((a, b, av * bv));
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if self.next == self.n {
            return false;
        }
        let pair = if self.twice { self.next / 2 } else { self.next };
        let (a, b, expected) = self.pairs[pair as usize];
        let c = m.mul(a, b);
        open_and_check(m, c, expected);
        self.next += 1;
        true
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `tree`: the product of n + 1 inputs by a balanced binary tree, level by
/// level (⌈log2(n+1)⌉ rounds); every partial product is opened and checked.
struct Tree {
    n: u64,
    rng: ChaCha8Rng,
    level: Vec<(Share, Fp)>,
    next_level: Vec<(Share, Fp)>,
    pos: usize,
}

impl Tree {
    fn new(n: u64, rng: ChaCha8Rng) -> Self {
        Tree {
            n,
            rng,
            level: Vec::new(),
            next_level: Vec::new(),
            pos: 0,
        }
    }
}

impl<M: Mpc> Workload<M> for Tree {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.level.len() as u64;
        if self.n == 0 || i == self.n + 1 {
            return false;
        }
        let leaf = deal_one(m, &mut self.rng, i);
        self.level.push(leaf);
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        loop {
            if self.pos + 1 < self.level.len() {
                let (a, av) = self.level[self.pos];
                let (b, bv) = self.level[self.pos + 1];
                let c = m.mul(a, b);
                open_and_check(m, c, av * bv);
                self.next_level.push((c, av * bv));
                self.pos += 2;
                return true;
            }
            // End of a level: carry an odd element up, then start the next level.
            if self.pos < self.level.len() {
                self.next_level.push(self.level[self.pos]);
            }
            if self.next_level.len() <= 1 {
                self.next_level.clear();
                self.pos = self.level.len();
                return false;
            }
            self.level = std::mem::take(&mut self.next_level);
            self.pos = 0;
        }
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `chain`: x_k = x_{k−1} · y_k for k = 1..n, each depending on the last
/// (latency-bound); every x_k is opened and checked.
struct Chain {
    n: u64,
    rng: ChaCha8Rng,
    inputs: Vec<(Share, Fp)>,
    acc: Option<(Share, Fp)>,
    next: usize,
}

impl Chain {
    fn new(n: u64, rng: ChaCha8Rng) -> Self {
        Chain {
            n,
            rng,
            inputs: Vec::new(),
            acc: None,
            next: 1,
        }
    }
}

impl<M: Mpc> Workload<M> for Chain {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.inputs.len() as u64;
        if i == self.n + 1 {
            return false;
        }
        let input = deal_one(m, &mut self.rng, i);
        self.inputs.push(input);
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if self.next as u64 > self.n {
            return false;
        }
        let (x, xv) = self.acc.unwrap_or(self.inputs[0]);
        let (y, yv) = self.inputs[self.next];
        let z = m.mul(x, y);
        open_and_check(m, z, xv * yv);
        self.acc = Some((z, xv * yv));
        self.next += 1;
        true
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `nested`: ⌈n/depth⌉ sub-protocols, each computing x·y^k for k = 1..depth where
/// every multiplication is issued from the continuation of the one before. The
/// k-th multiplication therefore runs inside k nested continuations: the case
/// where VIFF's program counters grow by one entry per level.
struct Nested {
    n: u64,
    depth: u32,
    rng: ChaCha8Rng,
    inputs: Vec<(Share, Fp, Share, Fp)>,
    next: u64,
}

impl Nested {
    fn new(n: u64, depth: u32, rng: ChaCha8Rng) -> Self {
        Nested {
            n,
            depth,
            rng,
            inputs: Vec::new(),
            next: 0,
        }
    }

    fn items(&self) -> u64 {
        self.n.div_ceil(u64::from(self.depth))
    }
}

/// Schedules `levels` nested multiplications by `y`, starting from `acc`.
fn nest<M: Mpc>(m: &mut M, acc: Share, accv: Fp, y: Share, yv: Fp, levels: u32) {
    m.schedule(&[acc.into()], move |m| {
        let z = m.mul(acc, y);
        let zv = accv * yv;
        open_and_check(m, z, zv);
        if levels > 1 {
            nest(m, z, zv, y, yv, levels - 1);
        }
    });
}

impl<M: Mpc> Workload<M> for Nested {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.inputs.len() as u64;
        if i == self.items() {
            return false;
        }
        let (x, xv) = deal_one(m, &mut self.rng, 2 * i);
        let (y, yv) = deal_one(m, &mut self.rng, 2 * i + 1);
        self.inputs.push((x, xv, y, yv));
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if self.next == self.items() {
            return false;
        }
        let (x, xv, y, yv) = self.inputs[self.next as usize];
        let done = self.next * u64::from(self.depth);
        let levels = (self.n - done).min(u64::from(self.depth)) as u32;
        nest(m, x, xv, y, yv, levels);
        self.next += 1;
        true
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `random-bits`: n random bits. Each takes a PRSS random r (no operands: its
/// label must come from somewhere other than operands), opens r², retries if it
/// is 0 (a branch on an opened value), and sets b = (r / √(r²) + 1) / 2, which is
/// 1 when r is the smaller root and 0 otherwise. The check opens r as well and
/// compares b with the bit computed in plaintext from it.
struct RandomBits {
    n: u64,
    issued: u64,
}

fn random_bit<M: Mpc>(m: &mut M) {
    let r = m.random();
    let r2 = m.mul(r, r);
    let u = m.open(r2);
    m.schedule(&[u.into()], move |m| {
        let uv = m.read(u);
        if uv == Fp::ZERO {
            // r was 0 (probability 2^-61): no bit can come from it, try again.
            random_bit(m);
            return;
        }
        // An inconsistent opening may not be a square; the bit is then wrong and
        // the check below says so.
        let root = uv.sqrt().unwrap_or(Fp::ONE);
        let inv_root = root.inverse().unwrap_or(Fp::ONE);
        let half = Fp::new(2).inverse().expect("2 is invertible");
        let sign = m.mul_const(r, inv_root);
        let shifted = m.add_const(sign, Fp::ONE);
        let b = m.mul_const(shifted, half);
        let b_open = m.open(b);
        let r_open = m.open(r);
        m.schedule(&[r_open.into()], move |m| {
            let rv = m.read(r_open);
            let expected = if rv == root { Fp::ONE } else { Fp::ZERO };
            m.check(b_open, expected);
        });
    });
}

impl<M: Mpc> Workload<M> for RandomBits {
    fn deal(&mut self, _m: &mut M) -> bool {
        false
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if self.issued == self.n {
            return false;
        }
        random_bit(m);
        self.issued += 1;
        true
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}
