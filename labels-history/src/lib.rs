//! # labels-history
//!
//! History labels, the first alternative of VIFF's design note "Program
//! Counters": every value `x` carries its history `H(x)`, defined when `x` is
//! defined — `H(a·b) = SHA-256("mul", H(a), H(b))` — and a message is labelled
//! with the history of the operation it belongs to. The label says *what* is
//! computed (a node of the computation's tree), not *where* in the
//! implementation's execution tree it is computed.
//!
//! ## Structure
//!
//! * [`History`] — the labeller. Its [`Tag`](shamir_runtime::Labeller::Tag) and its
//!   [`Label`](shamir_runtime::Labeller::Label) are both a [`HistoryLabel`]: the value's history,
//!   truncated to [`History::label_bytes`] bytes.
//! * [`HistoryContext`] — the history of a continuation and a position counter
//!   in it, which give operations without operands their history.
//! * [`collision_bound`] — the birthday bound the harness reports per run as
//!   `label_collision_bound`.
//!
//! ## The label
//!
//! A label is SHA-256 over a preimage, truncated to `label_bytes` ∈ {8, 16, 32}
//! bytes. The preimage is, integers little-endian:
//!
//! ```text
//! len(kind) : u8 ‖ kind           OpKind::name(): "mul", "open", "input", …
//! operands  : u8                  how many operand histories follow
//! [owner    : u32]                input: the player who owns the value
//! [constant : u64]                mul_const, add_const: the public constant
//! [context  : 32 bytes            input, random: the current context's history
//!  position : u64]                    and the operation's position in it
//! operand histories, label_bytes each, in order
//! ```
//!
//! The kind's name is length-prefixed and every field after it has a length
//! fixed by the kind and the operand count, so two different operations never
//! share a preimage. The labelled operations (`input`, `random`, `mul`,
//! `open`) send exactly the `label_bytes` bytes; the local ones (`add`, `sub`,
//! `mul_const`, `add_const`) send nothing, but their results get a history by
//! the same rule at issue, so that a product of sums still has a history. A
//! value's tag is the very bytes of its label.
//!
//! A scheduled continuation's context is SHA-256 over `len ‖ "schedule"`, the
//! operand count (u64), the current context and position, and the operands'
//! histories, kept at the full 32 bytes (see below).
//!
//! Every preimage of an `issue` fits in one SHA-256 block (at most 55 bytes) at
//! 8 and 16 bytes, so each labelled or local operation costs one SHA-256
//! compression per player; at 32 bytes two operand histories no longer fit and
//! `mul`, `add` and `sub` cost two. An issue's preimage is written into a stack
//! buffer, padded in place and handed straight to SHA-256's compression function
//! (SHA-NI where the CPU has it): no heap allocation and no block-buffer copy per
//! label. `sha2`'s own streaming API measured dearer on this path (46
//! instructions more per label, 1.10× the time; see `src/sha.rs`), so it serves
//! only the rare long preimages (a schedule, an issue on three or more operands).
//! A label is a 33-byte `Copy` value whose hash is its first 8 bytes. Measured
//! on the 2-core development machine (release build, one dependent chain of
//! issues): about 100 ns per labelled operation at 8 and 16 bytes, 160 ns per
//! `mul` at 32 bytes, of which 55–60 ns is the compression itself.
//!
//! Labels are not consecutive integers, so they have no
//! [`dense_key`](shamir_runtime::Labeller::dense_key): the operation table files every one by hash. That
//! cost is part of what the study measures.
//!
//! ## Operations without operands: context and position
//!
//! The design note's problem: `random()` (PRSS) and `input(owner)` have no
//! operands, so there is nothing to take a history from, and VIFF's sketch asked
//! the program author to write `hat(dummy=locals())`. Here the author writes
//! nothing extra; the labeller supplies the missing argument itself:
//!
//! * The labeller is always *in* a context: a 32-byte context history and a
//!   position counter. The root context's history is a fixed constant
//!   (SHA-256 of `"root context"`), and its position starts at 0.
//! * `input` and `random` hash the current context's history and the current
//!   position, then increment the position. Two `random()` calls in a row thus
//!   get different histories, hence different PRSS values.
//! * [`schedule`](shamir_runtime::Labeller::schedule) derives the continuation's context as
//!   `SHA-256("schedule", context, position, operand histories)` and increments
//!   the position; [`enter`](shamir_runtime::Labeller::enter) switches to that context at position 0
//!   and hands back the (context, position) it left, which
//!   [`leave`](shamir_runtime::Labeller::leave) restores.
//!
//! Context histories are internal (never on the wire) and are kept at the full
//! 32 bytes.
//!
//! ## Where this stops working
//!
//! * **For `input` and `random` it is a program counter in disguise.** The
//!   (context, position) pair is VIFF's list of counters, hashed to a fixed size.
//!   It is correct for the same reason and under the same assumption: within one
//!   context, every player issues the operand-less operations and schedules in
//!   the same order. That holds for the main flow (program order) and inside a
//!   continuation (it runs to completion on each player), but not for anything
//!   that issues operations outside a `schedule`/`enter`/`leave` bracket.
//! * **The same expression computed twice gets the same history**, and the same
//!   label: `x = a·b; y = a·b`. The operation table matches repeated labels in arrival
//!   order, so each player's k-th copy takes every peer's k-th copy: copies are
//!   matched by the order in which each player issued them. Within one context
//!   that is program order on every player, `x` is the first copy everywhere,
//!   and everything stays correct (the `duplicates` workload). Across two
//!   continuations that players run in different orders it is not: player 0's
//!   first copy may be its `x` and player 1's first copy its `y`. Each copy is
//!   still a valid sharing of a·b, so a program that uses both alike (opens
//!   both) does not notice; but a use that tells them apart — opening `x + c`
//!   and `y + d` — combines shares of two different sharings, and the opening
//!   is inconsistent. History labels deliberately ignore the context for
//!   operations with operands (a label names a node of the computation, not a
//!   place in the code), so they inherit this failure where program counters do
//!   not; the test
//!   `history_is_fooled_by_the_same_expression_in_reordered_continuations`
//!   shows it deterministically. None of the study's six workloads does this.
//! * **Truncation admits collisions.** Two different histories that agree on
//!   their first `label_bytes` bytes are indistinguishable, which is as wrong as
//!   the case above. The sections below bound the chance.
//!
//! ## Counting histories
//!
//! [`collision_bound`] needs k, the number of histories whose collision could
//! misfile a message or repeat a random value. Every operation a player issues
//! computes one history (its result's tag), labelled or local, and a collision
//! between two local histories propagates into every label computed from them; so
//! k is the number of operations one player issued, inputs and local operations
//! included. Same-expression duplicates are counted twice, which only makes the
//! bound larger. Context histories are 32 bytes wide and add nothing measurable.
//!
//! ## The default size: 16 bytes
//!
//! Among k histories of b bytes, the probability that any two collide is at most
//! (birthday bound, union form) k(k−1)/2 · 2^−8b:
//!
//! | histories k | 8 bytes  | 16 bytes    | 32 bytes    |
//! |-------------|----------|-------------|-------------|
//! | 10^6        | 2.7·10^−8| 1.5·10^−27  | 4.3·10^−66  |
//! | 10^9        | 0.027    | 1.5·10^−21  | 4.3·10^−60  |
//! | 10^12       | 1 (≈ certain: 2.7·10^4 expected collisions) | 1.5·10^−15 | 4.3·10^−54 |
//!
//! The runtime runs millions of multiplications per second, each with about
//! two histories (the product and its opening) per player, so a run of a few
//! minutes computes 10^9 histories. At 8 bytes that run has a 2.7% chance of
//! silently misfiling a message — the "correct 99.99% of the time" failure the
//! labels exist to remove — so 8 bytes is for measuring only. At 16 bytes even
//! 10^12 histories collide with probability 1.5·10^−15, below any hardware
//! error rate, and every issue is still one SHA-256 block. 32 bytes buys
//! nothing measurable for 16 more bytes per message (a frame of 41 bytes instead
//! of 25, for 8 bytes of payload) and a second compression per multiplication.
//! Hence [`DEFAULT_LABEL_BYTES`] = 16.

pub use shamir_runtime;

mod collision;
mod history;
mod label;
mod sha;
mod strategy;

pub use collision::collision_bound;
pub use history::{History, HistoryContext};
pub use label::{HistoryLabel, LabelBytesError};
pub use strategy::HistoryStrategy;

/// The label sizes [`History::new`] accepts, in bytes.
pub const LABEL_BYTES: [usize; 3] = [8, 16, 32];

/// The default label size in bytes: 16. See the [crate docs](crate) for the
/// birthday-bound argument.
pub const DEFAULT_LABEL_BYTES: usize = 16;
