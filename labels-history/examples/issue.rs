//! Issues history labels in a loop, for instruction counts: each round is an
//! `input`, a `mul` of it with the running product, and an `open` of the
//! product, i.e. three SHA-256 preimages, one dependent chain.
//!
//! ```sh
//! cargo build --release -p labels-history --example issue
//! valgrind --tool=callgrind target/release/examples/issue 100000 16
//! ```
//!
//! Arguments: rounds (default 10^5) and label bytes (default 16).

use labels_history::History;
use shamir_runtime::label::{Labeller, OpKind};
use std::hint::black_box;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"));
    let rounds = args.next().unwrap_or(100_000);
    let bytes = args.next().unwrap_or(16) as usize;
    let mut h = History::new(bytes).expect("8, 16 or 32 bytes");
    let mut x = h.root_tag();
    for i in 0..rounds {
        let owner = (i % 3) as usize;
        let a = h.issue(OpKind::Input { owner }, &[]).expect("issued").tag;
        x = h.issue(OpKind::Mul, &[&x, &a]).expect("issued").tag;
        black_box(h.issue(OpKind::Open, &[&x]).expect("issued").tag);
    }
    println!("{} labels issued, last product {x:?}", 3 * rounds);
}
