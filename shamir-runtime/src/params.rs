//! The parameters every player of a run must agree on, their digest for the
//! handshake, and a field-by-field comparison that names a mismatch.

use crate::field::MODULUS;
use crate::link_coding::LabelCoding;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The programs the workspace runs (see the `workloads` module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// n independent products a_i·b_i: the case that breaks the naive counter.
    Independent,
    /// The product of n + 1 inputs by a balanced tree.
    Tree,
    /// n dependent multiplications.
    Chain,
    /// Multiplications issued from continuations nested `depth` deep.
    Nested,
    /// PRSS random bits: random r, open r², retry on 0, bit from the square root.
    RandomBits,
    /// Every product computed twice from the same operands.
    Duplicates,
    /// Retry loops nested two deep, each retried while an opened random
    /// value's low two bits are 0 (probability 1/4): trip counts that vary
    /// from item to item.
    Retry,
    /// The seed's `x = a·b; y = c·d`, repeated: each pair's operands dealt
    /// during the computation, just before they are needed.
    Pairs,
}

impl WorkloadKind {
    /// Every workload, in the order tables list them.
    pub const ALL: [WorkloadKind; 8] = [
        WorkloadKind::Independent,
        WorkloadKind::Tree,
        WorkloadKind::Chain,
        WorkloadKind::Nested,
        WorkloadKind::RandomBits,
        WorkloadKind::Duplicates,
        WorkloadKind::Retry,
        WorkloadKind::Pairs,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Independent => "independent",
            WorkloadKind::Tree => "tree",
            WorkloadKind::Chain => "chain",
            WorkloadKind::Nested => "nested",
            WorkloadKind::RandomBits => "random-bits",
            WorkloadKind::Duplicates => "duplicates",
            WorkloadKind::Retry => "retry",
            WorkloadKind::Pairs => "pairs",
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WorkloadKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        WorkloadKind::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = WorkloadKind::ALL.iter().map(|w| w.name()).collect();
                format!(
                    "unknown workload `{s}`; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// Everything two players must agree on before they exchange a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunParams {
    /// Number of players n.
    pub players: u32,
    /// Threshold t (2t < n).
    pub threshold: u32,
    /// The field modulus.
    pub modulus: u64,
    /// The program.
    pub workload: WorkloadKind,
    /// Size of the program: multiplications (random bits for `random-bits`).
    pub n: u64,
    /// Nesting depth of `nested`.
    pub depth: u32,
    /// Seed of every random choice of the run.
    pub seed: u64,
    /// Operations in flight at most (the issuing window).
    pub window: u32,
    /// Upper bound of the per-frame delay, in microseconds (0: none).
    pub jitter_us: u64,
    /// Fixed one-way delay of every frame, in microseconds, added before the
    /// jitter (0: none; 0 in results made before it existed).
    #[serde(default)]
    pub delay_us: u64,
    /// How labels are written on the links (plain in results made before
    /// link coding existed).
    #[serde(default)]
    pub label_coding: LabelCoding,
}

impl RunParams {
    /// SHA-256 of the parameters' canonical encoding.
    pub fn digest(&self) -> [u8; 32] {
        let bytes = bincode::serde::encode_to_vec(self, bincode::config::standard())
            .expect("parameters always serialize");
        Sha256::digest(&bytes).into()
    }

    /// Each parameter that differs, as `name: ours vs theirs`.
    pub fn differences(&self, theirs: &RunParams) -> Vec<String> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($f:ident),*) => {$(
                if self.$f != theirs.$f {
                    out.push(format!("{}: {} here vs {} there", stringify!($f), self.$f, theirs.$f));
                }
            )*};
        }
        cmp!(
            players,
            threshold,
            modulus,
            workload,
            n,
            depth,
            seed,
            window,
            jitter_us,
            delay_us,
            label_coding
        );
        out
    }

    /// A small valid set of parameters (for tests and examples).
    pub fn example() -> RunParams {
        RunParams {
            players: 3,
            threshold: 1,
            modulus: MODULUS,
            workload: WorkloadKind::Independent,
            n: 100,
            depth: 1,
            seed: 1,
            window: 4096,
            jitter_us: 0,
            delay_us: 0,
            label_coding: LabelCoding::Plain,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_and_differences_see_every_field() {
        let a = RunParams::example();
        let mut b = a.clone();
        assert_eq!(a.digest(), b.digest());
        b.seed = 2;
        b.workload = WorkloadKind::Chain;
        assert_ne!(a.digest(), b.digest());
        assert_eq!(
            a.differences(&b),
            vec![
                "workload: independent here vs chain there".to_string(),
                "seed: 1 here vs 2 there".to_string()
            ]
        );
    }

    #[test]
    fn workload_names_round_trip() {
        for w in WorkloadKind::ALL {
            assert_eq!(w.name().parse::<WorkloadKind>(), Ok(w));
        }
        assert!("fast"
            .parse::<WorkloadKind>()
            .unwrap_err()
            .contains("random-bits"));
    }
}
