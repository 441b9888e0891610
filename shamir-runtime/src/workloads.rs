//! The seven programs of the study, written once against [`Mpc`] so that every
//! strategy runs the very same code. Each computes its plaintext alongside and
//! checks every opened result against it.
//!
//! `n` counts multiplications (random bits for `random-bits`, one
//! multiplication each). Inputs are dealt by the players in turn and drawn from
//! the run seed, so every player knows the plaintext the results must match.
//!
//! ## Batches: memory that does not grow with n
//!
//! `independent`, `duplicates`, `chain` and `nested` run in batches
//! ([`Workload::next_batch`]) of at most [`BATCH`] multiplications' worth of
//! items: each batch deals its own inputs, then computes on them, and the
//! workload keeps only the current batch's inputs (its per-batch vectors are
//! cleared, never grown past one batch). The inputs are drawn from the seed in
//! the same order as in one batch, so the results do not depend on the batch
//! size. `tree` runs in batches of a power of two of leaves, each one subtree,
//! and carries a stack of about log₂ n subtree roots between them;
//! `random-bits` stays one batch (it deals no inputs), and so does `pairs`
//! (it deals each pair's inputs as it computes, and holds none after);
//! `retry` runs in batches as `independent`.
//!
//! ## Release discipline
//!
//! Every value a program creates is released ([`Mpc::release`]) exactly once,
//! as soon as the program will not use it again, and never used after:
//!
//! * an input after its last multiplication (for `duplicates`, the second
//!   product of its pair; for `nested`, `y` after the last level);
//! * a product once it is opened and no later multiplication needs it
//!   (`chain`'s accumulator and `nested`'s running product are released right
//!   after the next multiplication is issued on them; `tree` releases both
//!   operands once their product is issued, and the root at the end);
//! * every opened [`Public`](crate::program::Public) right after it is checked,
//!   or after it is read, inside the continuation that reads it.
//!
//! Releasing right after issuing the last operation on a value is enough: the
//! runtime frees it only once those operations have run. A value a
//! continuation reads is released inside that continuation, never before it
//! runs.

use crate::field::Fp;
use crate::params::RunParams;
use crate::params::WorkloadKind;
use crate::program::{Loop, Mpc, Program, Public, Share, Step, Workload};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The study's workload the parameters name, built by [`build`].
impl Program for RunParams {
    fn build<M: Mpc>(&self) -> Box<dyn Workload<M>> {
        build(self.workload, self.n, self.depth, self.seed)
    }

    /// Every workload of the study checks one result per item: `n`.
    fn outputs(&self) -> u64 {
        self.n
    }
}

/// Items per batch: a batch deals and computes at most this many
/// multiplications' worth of inputs, which bounds the inputs held at once (a
/// `nested` sub-protocol deeper than this is one batch on its own).
pub const BATCH: u64 = 1 << 16;

/// Builds the program `kind` of size `n` (and `depth`, for `nested`), in
/// batches of [`BATCH`].
pub fn build<M: Mpc>(kind: WorkloadKind, n: u64, depth: u32, seed: u64) -> Box<dyn Workload<M>> {
    build_batched(kind, n, depth, seed, BATCH)
}

/// [`build`] with batches of at most `batch` multiplications (at least one
/// item each) instead of [`BATCH`]. The results (checks, outputs,
/// multiplications) are those of [`build`]; only how the work is cut into
/// batches differs. For tests and for studying the batch size.
pub fn build_batched<M: Mpc>(
    kind: WorkloadKind,
    n: u64,
    depth: u32,
    seed: u64,
    batch: u64,
) -> Box<dyn Workload<M>> {
    let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x776f_726b_6c6f_6164); // "workload"
    let batch = batch.max(1);
    match kind {
        WorkloadKind::Independent => Box::new(Independent::new(n, rng, false, batch)),
        WorkloadKind::Duplicates => Box::new(Independent::new(n, rng, true, batch)),
        WorkloadKind::Tree => Box::new(Tree::new(n, rng, batch)),
        WorkloadKind::Chain => Box::new(Chain::new(n, rng, batch)),
        WorkloadKind::Nested => Box::new(Nested::new(n, depth.max(1), rng, batch)),
        WorkloadKind::RandomBits => Box::new(RandomBits {
            n,
            issued: 0,
            bit: random_bit(),
        }),
        WorkloadKind::Retry => Box::new(Retry::new(n, rng, batch)),
        WorkloadKind::Pairs => Box::new(Pairs { n, rng, next: 0 }),
    }
}

/// Opens `x`, checks it against `expected` and releases the opened value (`x`
/// itself stays the caller's to release).
fn open_and_check<M: Mpc>(m: &mut M, x: Share, expected: Fp) {
    let o = m.open(x);
    m.check(o, expected);
    m.release(o.into());
}

/// Deals a fresh random input owned by player `i mod n`.
fn deal_one<M: Mpc>(m: &mut M, rng: &mut ChaCha8Rng, i: u64) -> (Share, Fp) {
    let v = Fp::random(rng);
    let owner = (i % m.players() as u64) as usize;
    (m.input(owner, v), v)
}

/// Which of a program's `items` the current batch covers: `per_batch` of them
/// at a time, in order; the first batch exists even when there are none.
#[derive(Debug, Clone, Copy)]
struct Batches {
    items: u64,
    per_batch: u64,
    index: u64,
}

impl Batches {
    fn new(items: u64, per_batch: u64) -> Batches {
        Batches {
            items,
            per_batch: per_batch.max(1),
            index: 0,
        }
    }

    /// The first item of the current batch.
    fn start(&self) -> u64 {
        self.index.saturating_mul(self.per_batch).min(self.items)
    }

    /// One past the last item of the current batch.
    fn end(&self) -> u64 {
        (self.index + 1)
            .saturating_mul(self.per_batch)
            .min(self.items)
    }

    /// Whether the current batch is the last.
    fn is_last(&self) -> bool {
        self.end() == self.items
    }

    /// Moves to the next batch; false if the current one was the last.
    fn advance(&mut self) -> bool {
        if self.is_last() {
            return false;
        }
        self.index += 1;
        true
    }
}

/// `independent`: n products a_i·b_i of fresh inputs, the seed's
/// `x = mul(a, b); y = mul(c, d)` scaled up. With `twice`, the `duplicates`
/// workload: ⌈n/2⌉ input pairs, each product computed twice from the same
/// operands (`x = a·b; y = a·b`), which gives both the same history.
struct Independent {
    n: u64,
    twice: bool,
    rng: ChaCha8Rng,
    /// Batches of input pairs.
    batches: Batches,
    /// The current batch's pairs (a, b, a·b), from `batches.start()` on.
    pairs: Vec<(Share, Share, Fp)>,
    /// The next multiplication, counted over the whole program.
    next: u64,
}

impl Independent {
    fn new(n: u64, rng: ChaCha8Rng, twice: bool, batch: u64) -> Self {
        let (pairs, per_batch) = if twice {
            (n.div_ceil(2), batch / 2)
        } else {
            (n, batch)
        };
        Independent {
            n,
            twice,
            rng,
            batches: Batches::new(pairs, per_batch),
            pairs: Vec::new(),
            next: 0,
        }
    }

    /// The pair multiplication `k` multiplies.
    fn pair_of(&self, k: u64) -> u64 {
        if self.twice {
            k / 2
        } else {
            k
        }
    }

    /// One past the last multiplication of the current batch.
    fn muls_end(&self) -> u64 {
        let end = self.batches.end();
        if self.twice {
            (2 * end).min(self.n)
        } else {
            end
        }
    }
}

impl<M: Mpc> Workload<M> for Independent {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.batches.start() + self.pairs.len() as u64;
        if i == self.batches.end() {
            return false;
        }
        if self.pairs.is_empty() {
            // Exactly one batch, not the doubling of a growing vector.
            let len = self.batches.end() - self.batches.start();
            self.pairs.reserve_exact(len as usize);
        }
        let (a, av) = deal_one(m, &mut self.rng, i);
        let (b, bv) = deal_one(m, &mut self.rng, i + 1);
        self.pairs.push((a, b, av * bv));
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let k = self.next;
        if k == self.muls_end() {
            return false;
        }
        let (a, b, expected) = self.pairs[(self.pair_of(k) - self.batches.start()) as usize];
        let c = m.mul(a, b);
        // The pair's last product: its second, or its only one when n is odd.
        if !self.twice || k % 2 == 1 || k + 1 == self.n {
            m.release(a.into());
            m.release(b.into());
        }
        open_and_check(m, c, expected);
        m.release(c.into());
        self.next += 1;
        true
    }

    fn next_batch(&mut self) -> bool {
        self.pairs.clear();
        self.batches.advance()
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `tree`: the product of n + 1 fresh inputs by a balanced binary tree of n
/// multiplications, every node opened and checked. It is the tree a
/// level-by-level reduction builds (neighbours paired, an odd last one carried
/// up), so level L's node j covers leaves [j·2^L, (j+1)·2^L) (cut at the last
/// leaf), and it is ⌈log₂(n+1)⌉ multiplications deep.
///
/// It runs in batches of 2^k leaves (the largest power of two not above the
/// batch size), so each full batch is one subtree of height k. A batch is
/// reduced level by level in place, as the whole tree once was: the product of
/// entries `2i` and `2i + 1` overwrites entry `i`, so most operands are known
/// when their multiplication is issued. Its root then goes onto a stack of
/// complete subtrees, one per binary digit of the batches so far (as in a
/// binary counter): the top two are multiplied whenever they have the same
/// height, and after the last batch the stack is multiplied from the top down,
/// which gives the right edge of the same tree. So memory holds one batch of
/// leaves and about log₂ n subtree roots.
struct Tree {
    n: u64,
    rng: ChaCha8Rng,
    /// Batches of leaves (n + 1 of them; none when n = 0).
    batches: Batches,
    /// Height of a full batch's subtree: batches hold 2^`height` leaves.
    height: u32,
    /// The current level of the current batch, its first `written` entries
    /// already replaced by the next level's.
    level: Vec<(Share, Fp)>,
    /// The next entry of the current level to multiply.
    pos: usize,
    /// Entries of the next level so far.
    written: usize,
    /// Roots of the complete subtrees so far, left to right: (root, its
    /// plaintext, height).
    stack: Vec<(Share, Fp, u32)>,
}

impl Tree {
    fn new(n: u64, rng: ChaCha8Rng, batch: u64) -> Self {
        let leaves = if n == 0 { 0 } else { n + 1 };
        let height = batch.max(1).ilog2();
        Tree {
            n,
            rng,
            batches: Batches::new(leaves, 1 << height),
            height,
            level: Vec::new(),
            pos: 0,
            written: 0,
            stack: Vec::new(),
        }
    }

    /// Multiplies `a` by `b` (left by right, as the level-by-level tree does),
    /// releases both, opens and checks the product.
    fn multiply<M: Mpc>(m: &mut M, (a, av): (Share, Fp), (b, bv): (Share, Fp)) -> (Share, Fp) {
        let c = m.mul(a, b);
        m.release(a.into());
        m.release(b.into());
        open_and_check(m, c, av * bv);
        (c, av * bv)
    }
}

impl<M: Mpc> Workload<M> for Tree {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.batches.start() + self.level.len() as u64;
        if i == self.batches.end() {
            return false;
        }
        if self.level.is_empty() {
            let len = self.batches.end() - self.batches.start();
            self.level.reserve_exact(len as usize);
        }
        let leaf = deal_one(m, &mut self.rng, i);
        self.level.push(leaf);
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        // The batch's subtree, level by level.
        while !self.level.is_empty() {
            if self.pos + 1 < self.level.len() {
                let (a, b) = (self.level[self.pos], self.level[self.pos + 1]);
                self.level[self.written] = Tree::multiply(m, a, b);
                self.written += 1;
                self.pos += 2;
                return true;
            }
            // End of a level: carry an odd element up, then start the next level.
            if self.pos < self.level.len() {
                self.level[self.written] = self.level[self.pos];
                self.written += 1;
            }
            self.level.truncate(self.written);
            self.pos = 0;
            self.written = 0;
            if self.level.len() == 1 {
                let (root, value) = self.level[0];
                self.level.clear();
                self.stack.push((root, value, self.height));
            }
        }
        // The subtrees so far; after the last batch, the right edge.
        let merge = match self.stack[..] {
            [.., (_, _, left), (_, _, right)] if left == right => Some(left + 1),
            [.., (_, _, left), _] if self.batches.is_last() => Some(left + 1),
            _ => None,
        };
        if let Some(height) = merge {
            let (b, bv, _) = self.stack.pop().expect("two subtrees");
            let (a, av, _) = self.stack.pop().expect("two subtrees");
            let (c, cv) = Tree::multiply(m, (a, av), (b, bv));
            self.stack.push((c, cv, height));
            return true;
        }
        if self.batches.is_last() {
            if let Some((root, _, _)) = self.stack.pop() {
                m.release(root.into());
            }
        }
        false
    }

    fn next_batch(&mut self) -> bool {
        self.batches.advance()
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `chain`: x_k = x_{k−1} · y_k for k = 1..n, each depending on the last
/// (latency-bound); every x_k is opened and checked. Batch b deals the y_k of
/// its multiplications (the first batch also x_0); the accumulator carries
/// over from one batch to the next.
struct Chain {
    n: u64,
    rng: ChaCha8Rng,
    /// Batches of multiplications (item i is multiplication i + 1).
    batches: Batches,
    /// Inputs dealt so far (x_0, then y_1, y_2, …).
    dealt: u64,
    /// The current batch's y_k, from k = `batches.start()` + 1 on.
    inputs: Vec<(Share, Fp)>,
    /// x_{k−1}: x_0 until the first multiplication, then the last product.
    acc: Option<(Share, Fp)>,
    /// The next multiplication k.
    next: u64,
}

impl Chain {
    fn new(n: u64, rng: ChaCha8Rng, batch: u64) -> Self {
        Chain {
            n,
            rng,
            batches: Batches::new(n, batch),
            dealt: 0,
            inputs: Vec::new(),
            acc: None,
            next: 1,
        }
    }
}

impl<M: Mpc> Workload<M> for Chain {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.dealt;
        if i > self.batches.end() {
            return false;
        }
        if self.inputs.is_empty() {
            let len = self.batches.end() - self.batches.start();
            self.inputs.reserve_exact(len as usize);
        }
        let input = deal_one(m, &mut self.rng, i);
        if i == 0 {
            self.acc = Some(input);
        } else {
            self.inputs.push(input);
        }
        self.dealt += 1;
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let k = self.next;
        if k > self.batches.end() {
            if self.batches.is_last() {
                // The last product (or x_0, when n = 0) has no further use.
                if let Some((x, _)) = self.acc.take() {
                    m.release(x.into());
                }
            }
            return false;
        }
        let (x, xv) = self.acc.expect("x_0 is dealt in the first batch");
        let (y, yv) = self.inputs[(k - self.batches.start() - 1) as usize];
        let z = m.mul(x, y);
        m.release(x.into());
        m.release(y.into());
        open_and_check(m, z, xv * yv);
        self.acc = Some((z, xv * yv));
        self.next += 1;
        true
    }

    fn next_batch(&mut self) -> bool {
        self.inputs.clear();
        self.batches.advance()
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
/// where VIFF's program counters grow by one entry per level. A batch holds
/// ⌊[`BATCH`]/depth⌋ sub-protocols (at least one).
struct Nested {
    n: u64,
    depth: u32,
    rng: ChaCha8Rng,
    /// Batches of sub-protocols.
    batches: Batches,
    /// The current batch's (x, y) pairs, from sub-protocol `batches.start()` on.
    inputs: Vec<(Share, Fp, Share, Fp)>,
    /// The next sub-protocol.
    next: u64,
}

impl Nested {
    fn new(n: u64, depth: u32, rng: ChaCha8Rng, batch: u64) -> Self {
        let items = n.div_ceil(u64::from(depth));
        Nested {
            n,
            depth,
            rng,
            batches: Batches::new(items, batch / u64::from(depth)),
            inputs: Vec::new(),
            next: 0,
        }
    }
}

/// Schedules `levels` nested multiplications by `y`, starting from `acc`.
/// Each level releases its `acc` once the product is issued; the last level
/// releases its product and `y`.
fn nest<M: Mpc>(m: &mut M, acc: Share, accv: Fp, y: Share, yv: Fp, levels: u32) {
    m.schedule(&[acc.into()], move |m| {
        let z = m.mul(acc, y);
        m.release(acc.into());
        let zv = accv * yv;
        open_and_check(m, z, zv);
        if levels > 1 {
            nest(m, z, zv, y, yv, levels - 1);
        } else {
            m.release(z.into());
            m.release(y.into());
        }
    });
}

impl<M: Mpc> Workload<M> for Nested {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.batches.start() + self.inputs.len() as u64;
        if i == self.batches.end() {
            return false;
        }
        if self.inputs.is_empty() {
            let len = self.batches.end() - self.batches.start();
            self.inputs.reserve_exact(len as usize);
        }
        let (x, xv) = deal_one(m, &mut self.rng, 2 * i);
        let (y, yv) = deal_one(m, &mut self.rng, 2 * i + 1);
        self.inputs.push((x, xv, y, yv));
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let i = self.next;
        if i == self.batches.end() {
            return false;
        }
        let (x, xv, y, yv) = self.inputs[(i - self.batches.start()) as usize];
        let done = i * u64::from(self.depth);
        let levels = (self.n - done).min(u64::from(self.depth)) as u32;
        nest(m, x, xv, y, yv, levels);
        self.next += 1;
        true
    }

    fn next_batch(&mut self) -> bool {
        self.inputs.clear();
        self.batches.advance()
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `random-bits`: n random bits. Each takes a PRSS random r (no operands: its
/// label must come from somewhere other than operands), opens r² and r,
/// retries if r² is 0 (a loop on an opened value, [`Mpc::repeat`]), and sets
/// b = (r / √(r²) + 1) / 2, which is 1 when r is the smaller root and 0
/// otherwise; the check compares b with the bit computed in plaintext from
/// the opened r. One batch: it deals no inputs, and releases every value of
/// a bit once the bit is checked.
struct RandomBits {
    n: u64,
    issued: u64,
    /// The loop of one bit, shared by every bit (it captures nothing).
    bit: Arc<Loop>,
}

/// One random bit, as a loop: the body draws r and opens r² and r; the test
/// retries while r² is 0 (probability 2^-61); the continuation computes the
/// bit from the opened r² and checks it against the opened r.
fn random_bit() -> Arc<Loop> {
    Loop::new(
        |m, _| {
            let r = m.random();
            let r2 = m.mul(r, r);
            let u = m.open(r2);
            m.release(r2.into());
            let r_open = m.open(r);
            // `r` goes to the continuation, which releases it.
            Step {
                read: vec![u, r_open],
                carry: vec![r.into()],
            }
        },
        // r was 0: no bit can come from it, try again.
        |read| read[0] == Fp::ZERO,
        |m, read, _, carry| {
            let (uv, rv) = (read[0], read[1]);
            let r = Share(carry[0]);
            // An inconsistent opening may not be a square; the bit is then
            // wrong and the check below says so.
            let root = uv.sqrt().unwrap_or(Fp::ONE);
            let inv_root = root.inverse().unwrap_or(Fp::ONE);
            let half = Fp::new(2).inverse().expect("2 is invertible");
            let sign = m.mul_const(r, inv_root);
            m.release(r.into());
            let shifted = m.add_const(sign, Fp::ONE);
            m.release(sign.into());
            let b = m.mul_const(shifted, half);
            m.release(shifted.into());
            let b_open = m.open(b);
            m.release(b.into());
            let expected = if rv == root { Fp::ONE } else { Fp::ZERO };
            m.check(b_open, expected);
            m.release(b_open.into());
        },
    )
}

impl<M: Mpc> Workload<M> for RandomBits {
    fn deal(&mut self, _m: &mut M) -> bool {
        false
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if self.issued == self.n {
            return false;
        }
        m.repeat(&[], self.bit.clone());
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

/// `retry`: n products a·b of fresh inputs, each computed inside loops whose
/// trip counts depend on opened values at two depths. Item i is an outer
/// loop on (a, b): its body runs an inner loop that only draws coins, then
/// draws the outer coin; after the outer loop, a second inner loop draws
/// coins and, once it stops, multiplies a·b, opens and checks it. A coin is
/// an opened PRSS random value; every loop runs again while its coin's low
/// two bits are 0 (probability 1/4), so trip counts vary from item to item
/// and from run to run, alike at every player. One multiplication and one
/// check per item; batches of [`BATCH`] items, as `independent`.
struct Retry {
    n: u64,
    rng: ChaCha8Rng,
    batches: Batches,
    /// The current batch's (a, b, a·b), from `batches.start()` on.
    items: Vec<(Share, Share, Fp)>,
    /// The next item.
    next: u64,
}

impl Retry {
    fn new(n: u64, rng: ChaCha8Rng, batch: u64) -> Self {
        Retry {
            n,
            rng,
            batches: Batches::new(n, batch),
            items: Vec::new(),
            next: 0,
        }
    }
}

/// An opened PRSS random value, for a loop's test.
fn coin(m: &mut dyn crate::program::Ops) -> Public {
    let r = m.random();
    let o = m.open(r);
    m.release(r.into());
    o
}

/// A loop's test: again while the coin's low two bits are 0.
fn low_bits_zero(read: &[Fp]) -> bool {
    read[0].value() & 3 == 0
}

/// A loop that draws coins until one says stop, then runs `then`.
fn coins(
    then: impl Fn(&mut dyn crate::program::Ops, &[Share]) + Send + Sync + 'static,
) -> Arc<Loop> {
    Loop::new(
        |m, _| Step {
            read: vec![coin(m)],
            carry: Vec::new(),
        },
        low_bits_zero,
        move |m, _, inputs, _| then(m, inputs),
    )
}

/// Item `(a, b)` of `retry`, checked against `expected` = a·b.
fn retry_item(expected: Fp) -> Arc<Loop> {
    Loop::new(
        |m, _| {
            m.repeat(&[], coins(|_, _| {}));
            Step {
                read: vec![coin(m)],
                carry: Vec::new(),
            }
        },
        low_bits_zero,
        move |m, _, inputs, _| {
            let multiply = coins(move |m, ab| {
                let c = m.mul(ab[0], ab[1]);
                let o = m.open(c);
                m.release(c.into());
                m.check(o, expected);
                m.release(o.into());
            });
            m.repeat(inputs, multiply);
        },
    )
}

impl<M: Mpc> Workload<M> for Retry {
    fn deal(&mut self, m: &mut M) -> bool {
        let i = self.batches.start() + self.items.len() as u64;
        if i == self.batches.end() {
            return false;
        }
        let (a, av) = deal_one(m, &mut self.rng, 2 * i);
        let (b, bv) = deal_one(m, &mut self.rng, 2 * i + 1);
        self.items.push((a, b, av * bv));
        true
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let i = self.next;
        if i == self.batches.end() {
            return false;
        }
        let (a, b, expected) = self.items[(i - self.batches.start()) as usize];
        // The loop keeps its own copies of a and b.
        m.repeat(&[a, b], retry_item(expected));
        m.release(a.into());
        m.release(b.into());
        self.next += 1;
        true
    }

    fn next_batch(&mut self) -> bool {
        self.items.clear();
        self.batches.advance()
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

/// `pairs`: the seed's `x = a·b; y = c·d`, repeated for n multiplications
/// (⌈n/2⌉ pairs, the last one only `x` when n is odd), every product opened
/// and checked.
///
/// Nothing is dealt before the computation: each pair's four inputs are
/// dealt in the compute phase just before its two multiplications, by two
/// players `p` and `q` that change from pair to pair, so operands reach
/// every player while earlier pairs are still in flight. The owners are
/// crossed, `a` and `d` from `p`, `b` and `c` from `q`, and dealt in the
/// order a, b, c, d: every player (owners included) waits for one operand of
/// `x` and one of `y` from another player, and on each link the operand of
/// `x` goes before that of `y`. Over FIFO links every player therefore has
/// `x`'s operands no later than `y`'s, and the two multiplications become
/// ready in the order the program issues them, as the design note's "most of
/// the time *a* and *b* are ready first on all players". (Were `a` and `b`
/// both dealt by one player, that player would hold `x`'s operands at issue
/// and reach `x` before anyone else every time: the conformance suite's
/// forced reordering, not a rare race.) What still races is the next pair
/// being issued while the last one's messages arrive, which the issuing
/// window allows: a window of 1 issues one pair at a time.
struct Pairs {
    n: u64,
    rng: ChaCha8Rng,
    /// The next multiplication (2k for pair k).
    next: u64,
}

impl<M: Mpc> Workload<M> for Pairs {
    fn deal(&mut self, _m: &mut M) -> bool {
        false
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let k = self.next;
        if k >= self.n {
            return false;
        }
        let players = m.players() as u64;
        let p = (k % players) as usize;
        let q = ((k + 1) % players) as usize;
        let (av, bv) = (Fp::random(&mut self.rng), Fp::random(&mut self.rng));
        let a = m.input(p, av);
        let b = m.input(q, bv);
        // The pair's second product, unless n is odd and this is the last.
        let second = (k + 1 < self.n).then(|| {
            let (cv, dv) = (Fp::random(&mut self.rng), Fp::random(&mut self.rng));
            (m.input(q, cv), cv, m.input(p, dv), dv)
        });
        let x = m.mul(a, b);
        m.release(a.into());
        m.release(b.into());
        let y = second.map(|(c, cv, d, dv)| {
            let y = m.mul(c, d);
            m.release(c.into());
            m.release(d.into());
            (y, cv * dv)
        });
        open_and_check(m, x, av * bv);
        m.release(x.into());
        if let Some((y, yv)) = y {
            open_and_check(m, y, yv);
            m.release(y.into());
        }
        self.next += 2;
        true
    }

    fn outputs(&self) -> u64 {
        self.n
    }

    fn multiplications(&self) -> u64 {
        self.n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::PlayerId;
    use crate::program::{Public, ValueId};
    use std::collections::VecDeque;

    /// A value of the recording `Mpc`: known at once, until released.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Slot {
        Live(Fp),
        Released,
    }

    type Continuation = Box<dyn FnOnce(&mut Plain)>;

    /// An `Mpc` that computes every value in plaintext at once, runs
    /// continuations later (at the end of the phase), and records what the
    /// program does: it panics on a handle used or released after its release.
    struct Plain {
        players: usize,
        rng: ChaCha8Rng,
        slots: Vec<Slot>,
        released: u64,
        queue: VecDeque<Continuation>,
        /// (value checked, expected), in check order.
        checks: Vec<(Fp, Fp)>,
        /// (owner, value) of every input, in issue order.
        inputs: Vec<(PlayerId, Fp)>,
        muls: u64,
    }

    impl Plain {
        fn new(players: usize) -> Plain {
            Plain {
                players,
                rng: ChaCha8Rng::seed_from_u64(11),
                slots: Vec::new(),
                released: 0,
                queue: VecDeque::new(),
                checks: Vec::new(),
                inputs: Vec::new(),
                muls: 0,
            }
        }

        fn new_value(&mut self, v: Fp) -> ValueId {
            self.slots.push(Slot::Live(v));
            ValueId(self.slots.len() as u32 - 1)
        }

        fn get(&self, v: impl Into<ValueId>) -> Fp {
            let v = v.into();
            match self.slots[v.0 as usize] {
                Slot::Live(x) => x,
                Slot::Released => panic!("value {} used after its release", v.0),
            }
        }

        fn share(&mut self, v: Fp) -> Share {
            Share(self.new_value(v))
        }

        fn drain(&mut self) {
            while let Some(then) = self.queue.pop_front() {
                then(self);
            }
        }
    }

    impl Mpc for Plain {
        fn players(&self) -> usize {
            self.players
        }
        fn input(&mut self, owner: PlayerId, value: Fp) -> Share {
            self.inputs.push((owner, value));
            self.share(value)
        }
        fn random(&mut self) -> Share {
            let r = Fp::random(&mut self.rng);
            self.share(r)
        }
        fn add(&mut self, a: Share, b: Share) -> Share {
            let v = self.get(a) + self.get(b);
            self.share(v)
        }
        fn sub(&mut self, a: Share, b: Share) -> Share {
            let v = self.get(a) - self.get(b);
            self.share(v)
        }
        fn mul_const(&mut self, a: Share, c: Fp) -> Share {
            let v = self.get(a) * c;
            self.share(v)
        }
        fn add_const(&mut self, a: Share, c: Fp) -> Share {
            let v = self.get(a) + c;
            self.share(v)
        }
        fn mul(&mut self, a: Share, b: Share) -> Share {
            self.muls += 1;
            let v = self.get(a) * self.get(b);
            self.share(v)
        }
        fn open(&mut self, a: Share) -> Public {
            let v = self.get(a);
            Public(self.new_value(v))
        }
        fn check(&mut self, p: Public, expected: Fp) {
            let v = self.get(p);
            self.checks.push((v, expected));
        }
        fn read(&mut self, p: Public) -> Fp {
            self.get(p)
        }
        fn schedule(&mut self, after: &[ValueId], then: impl FnOnce(&mut Self) + 'static) {
            for &v in after {
                self.get(v);
            }
            self.queue.push_back(Box::new(then));
        }
        fn release(&mut self, v: ValueId) {
            self.get(v);
            self.slots[v.0 as usize] = Slot::Released;
            self.released += 1;
        }
    }

    /// What one batch did.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct BatchStat {
        inputs: u64,
        muls: u64,
    }

    /// Runs `w` on `m` as the runtime does, batch by batch.
    fn run(w: &mut dyn Workload<Plain>, m: &mut Plain) -> Vec<BatchStat> {
        let mut stats = Vec::new();
        loop {
            let (inputs, muls) = (m.inputs.len() as u64, m.muls);
            while w.deal(m) {}
            m.drain();
            let dealt = m.inputs.len() as u64 - inputs;
            while w.compute(m) {}
            m.drain();
            stats.push(BatchStat {
                inputs: dealt,
                muls: m.muls - muls,
            });
            if !w.next_batch() {
                return stats;
            }
        }
    }

    /// FNV-1a over the sorted checks and inputs: a run's results, in any order.
    fn fingerprint(m: &Plain) -> u64 {
        let mut words: Vec<u64> = m.checks.iter().map(|c| c.1.value()).collect();
        words.sort_unstable();
        let mut inputs: Vec<u64> = m
            .inputs
            .iter()
            .map(|&(o, v)| v.value() ^ ((o as u64) << 61))
            .collect();
        inputs.sort_unstable();
        words.extend(inputs);
        let mut h = 0xcbf2_9ce4_8422_2325_u64;
        for w in words {
            for b in w.to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    /// Fingerprints of the checks and inputs of the program before it ran in
    /// batches (and released anything), seed 5, 3 players: (kind, n, depth, fingerprint).
    const GOLDEN: [(WorkloadKind, u64, u32, u64); 24] = {
        use WorkloadKind::*;
        [
            (Independent, 7, 2, 0x47d1_2a2a_2f3c_a6fc),
            (Independent, 100, 3, 0xa2ee_20cf_7a76_5c9a),
            (Independent, 1000, 7, 0x4cd7_6695_3f2c_22a6),
            (Independent, 1, 3, 0x3b4b_e0fd_9041_67b3),
            (Tree, 7, 2, 0x9c09_165c_43e2_df41),
            (Tree, 100, 3, 0xa69e_8b18_d632_092d),
            (Tree, 1000, 7, 0x31dd_2459_ab74_b53c),
            (Tree, 1, 3, 0x3b4b_e0fd_9041_67b3),
            (Chain, 7, 2, 0x11a7_7341_b280_6043),
            (Chain, 100, 3, 0xff05_8509_31da_ea46),
            (Chain, 1000, 7, 0x59f2_da04_2738_511b),
            (Chain, 0, 3, 0x1613_5b1f_b24c_3b97),
            (Nested, 7, 2, 0x090a_3bfe_cefd_354f),
            (Nested, 100, 3, 0x6485_ed03_f20a_0c94),
            (Nested, 1000, 7, 0x3417_4899_62ba_afba),
            (Nested, 1000, 1, 0x3fb3_7cfc_55c9_d78a),
            (RandomBits, 7, 2, 0xfad9_7376_72bc_6f24),
            (RandomBits, 100, 3, 0x9422_a4c6_dcd4_a384),
            (RandomBits, 1000, 7, 0xc44f_1310_8b60_e2c5),
            (RandomBits, 1, 3, 0x89cd_3129_1d2a_efa4),
            (Duplicates, 7, 2, 0x4ee3_42e5_d943_9b0f),
            (Duplicates, 100, 3, 0xc68a_a1d1_7745_6b72),
            (Duplicates, 1000, 7, 0xd5b0_ae12_26bf_57c0),
            (Duplicates, 1, 3, 0x3b4b_e0fd_9041_67b3),
        ]
    };

    /// Runs `kind` in batches of `batch` on a fresh recording `Mpc`, and
    /// checks what every run must satisfy.
    fn run_checked(kind: WorkloadKind, n: u64, depth: u32, batch: u64) -> (Plain, Vec<BatchStat>) {
        let mut m = Plain::new(3);
        let mut w = build_batched::<Plain>(kind, n, depth, 5, batch);
        let stats = run(&mut *w, &mut m);
        let what = format!("{kind} n={n} depth={depth} batch={batch}");
        assert_eq!(m.checks.len() as u64, w.outputs(), "{what}");
        assert!(m.checks.iter().all(|c| c.0 == c.1), "{what}: a wrong check");
        assert_eq!(m.muls, w.multiplications(), "{what}");
        // A second release or a use after release panics in `Plain`; so every
        // value is released exactly once when the counts agree.
        assert_eq!(
            m.released,
            m.slots.len() as u64,
            "{what}: values never released"
        );
        assert!(m.queue.is_empty());
        (m, stats)
    }

    #[test]
    fn every_workload_releases_every_value_once_and_checks_as_before() {
        for (kind, n, depth, golden) in GOLDEN {
            for batch in [1, 2, 5, 16, BATCH] {
                let (m, _) = run_checked(kind, n, depth, batch);
                assert_eq!(
                    fingerprint(&m),
                    golden,
                    "{kind} n={n} depth={depth} batch={batch}: results changed"
                );
            }
        }
    }

    #[test]
    fn batches_split_at_the_edges() {
        const B: u64 = 8;
        for kind in WorkloadKind::ALL {
            for depth in [1, 3] {
                for n in [0, 1, B - 1, B, B + 1, 3 * B + 2] {
                    let (_, stats) = run_checked(kind, n, depth, B);
                    let what = format!("{kind} n={n} depth={depth}");
                    assert_eq!(stats.iter().map(|s| s.muls).sum::<u64>(), n, "{what}");
                    let expected_batches = match kind {
                        WorkloadKind::RandomBits | WorkloadKind::Pairs => 1,
                        // n + 1 leaves.
                        WorkloadKind::Tree if n > 0 => (n + 1).div_ceil(B),
                        WorkloadKind::Nested => {
                            let per = B / u64::from(depth);
                            n.div_ceil(u64::from(depth)).div_ceil(per).max(1)
                        }
                        _ => n.div_ceil(B).max(1),
                    };
                    assert_eq!(stats.len() as u64, expected_batches, "{what}: {stats:?}");
                    if kind == WorkloadKind::Tree {
                        for (i, s) in stats.iter().enumerate() {
                            // Every batch but the last deals a full batch of
                            // leaves (B is a power of two).
                            if i + 1 < stats.len() {
                                assert_eq!(s.inputs, B, "{what}: {stats:?}");
                            } else {
                                assert!(s.inputs <= B, "{what}: {stats:?}");
                            }
                        }
                    } else if !matches!(kind, WorkloadKind::RandomBits | WorkloadKind::Pairs) {
                        for (i, s) in stats.iter().enumerate() {
                            assert!(s.muls <= B, "{what}: {stats:?}");
                            // Chain's first batch also deals x_0.
                            let extra = u64::from(kind == WorkloadKind::Chain && i == 0);
                            let per_mul = if kind == WorkloadKind::Chain { 1 } else { 2 };
                            assert!(s.inputs <= per_mul * B + extra, "{what}: {stats:?}");
                            // Every batch but the last is full.
                            if i + 1 < stats.len() {
                                assert!(s.muls > B - u64::from(depth), "{what}: {stats:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn pairs_deal_crossed_operands_while_computing() {
        for n in [0, 1, 2, 7, 100] {
            let (m, stats) = run_checked(WorkloadKind::Pairs, n, 1, BATCH);
            // Nothing dealt before the computation; two inputs per product.
            assert_eq!(stats, [BatchStat { inputs: 0, muls: n }], "n={n}");
            assert_eq!(m.inputs.len() as u64, 2 * n, "n={n}");
            // Pair k: a and d from p, b and c from q, p ≠ q, p moving on.
            let owners: Vec<PlayerId> = m.inputs.iter().map(|i| i.0).collect();
            for (k, pair) in owners.chunks(4).enumerate() {
                let (p, q) = ((2 * k) % 3, (2 * k + 1) % 3);
                let expected = [p, q, q, p];
                assert_eq!(pair, &expected[..pair.len()], "n={n} pair {k}");
            }
        }
        // The same seed, the same program; another seed, other inputs.
        let fp = |seed| {
            let mut m = Plain::new(3);
            run(
                &mut *build::<Plain>(WorkloadKind::Pairs, 10, 1, seed),
                &mut m,
            );
            fingerprint(&m)
        };
        assert_eq!(fp(1), fp(1));
        assert_ne!(fp(1), fp(2));
    }

    #[test]
    fn batches_of_the_default_size() {
        for n in [BATCH - 1, BATCH, BATCH + 1] {
            let (_, stats) = run_checked(WorkloadKind::Independent, n, 1, BATCH);
            let muls: Vec<u64> = stats.iter().map(|s| s.muls).collect();
            if n <= BATCH {
                assert_eq!(muls, [n]);
            } else {
                assert_eq!(muls, [BATCH, 1]);
            }
        }
    }

    #[test]
    fn a_workload_holds_one_batch_of_inputs() {
        let rng = || ChaCha8Rng::seed_from_u64(1);
        let mut m = Plain::new(3);
        let mut w = Independent::new(100, rng(), true, 8);
        let mut held = 0;
        while Workload::<Plain>::deal(&mut w, &mut m) {}
        loop {
            while Workload::<Plain>::compute(&mut w, &mut m) {}
            held = held.max(w.pairs.capacity());
            if !Workload::<Plain>::next_batch(&mut w) {
                break;
            }
            while Workload::<Plain>::deal(&mut w, &mut m) {}
        }
        assert_eq!(held, 4);

        let mut w = Chain::new(100, rng(), 8);
        run(&mut w, &mut m);
        assert_eq!(w.inputs.capacity(), 8, "{}", w.inputs.capacity());
        let mut w = Nested::new(100, 3, rng(), 8);
        run(&mut w, &mut m);
        assert_eq!(w.inputs.capacity(), 2, "{}", w.inputs.capacity());
    }

    #[test]
    fn tree_holds_one_batch_of_leaves_and_a_stack_of_subtrees() {
        let mut m = Plain::new(3);
        // Batches of 16 leaves (20 rounds down to a power of two).
        let mut w = Tree::new(1000, ChaCha8Rng::seed_from_u64(1), 20);
        let (mut leaves, mut stack, mut batches) = (0, 0, 0);
        loop {
            while Workload::<Plain>::deal(&mut w, &mut m) {}
            leaves = leaves.max(w.level.capacity());
            while Workload::<Plain>::compute(&mut w, &mut m) {
                stack = stack.max(w.stack.len());
            }
            batches += 1;
            if !Workload::<Plain>::next_batch(&mut w) {
                break;
            }
        }
        assert_eq!(batches, 63, "1001 leaves in batches of 16");
        assert_eq!(leaves, 16);
        // 63 batches: at most one root per binary digit, plus the one formed.
        assert!(stack <= 7, "{stack} subtree roots held at once");
        assert!(w.stack.is_empty() && w.level.is_empty());
        assert_eq!(m.muls, 1000);
    }
}
