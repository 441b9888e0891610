//! The command line: `labelbench run` (all players in this process) and
//! `labelbench player` (one player of a run spread over processes or hosts).

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use shamir_runtime::field::MODULUS;
use shamir_runtime::shamir::{Shamir, MAX_PLAYERS};
use shamir_runtime::{RunParams, WorkloadKind};
use std::path::{Path, PathBuf};

/// Measures how an asynchronous MPC runtime should label its messages.
#[derive(Debug, Parser)]
#[command(name = "labelbench", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every player in this process, over loopback TCP, and report.
    Run(RunArgs),
    /// Run one player of a run whose players are listed in a players file.
    Player(PlayerArgs),
    /// Make a key pair per player for secure links: `DIR/players.toml` (the
    /// players file with every public key, for every host) and
    /// `DIR/player-<id>.key` (each private key, for its own host only).
    Keys(KeysArgs),
    /// Run a grid of configurations, then plot and report.
    Sweep(SweepArgs),
    /// Draw the plots of `DIR/runs.jsonl` into `DIR/plots/` (PNG and SVG).
    Plot(ResultsArgs),
    /// Write `DIR/REPORT.md` from `DIR/runs.jsonl` and the plots.
    Report(ResultsArgs),
}

/// `labelbench keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// The players file (TOML): an id, host and port per player.
    #[arg(long = "players")]
    pub players: PathBuf,
    /// The folder to write the keys to (created if need be; an existing key
    /// file is never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// `labelbench sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// `quick` (a few minutes), `full` (the whole grid of the study) or
    /// `network` (players in network namespaces on shaped links; root).
    #[arg(long, default_value = "quick")]
    pub preset: String,
    /// A TOML grid file that replaces the preset.
    #[arg(long)]
    pub grid: Option<PathBuf>,
    /// Repetitions per configuration (overrides the preset's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub reps: Option<u32>,
    /// The results folder (`runs.jsonl`, `runs.csv`, `plots/`, `REPORT.md`).
    /// By default `results/local/<name>`, which git ignores, so the committed
    /// reference results stay as they are; `<name>` is the preset, or the
    /// grid file's folder for a file named `grid.toml` (else its stem).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// The committed results the report compares with: by default
    /// `results/<name>` (see `--results`), when it holds a `runs.jsonl`.
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// Start over instead of resuming: delete `runs.jsonl` first.
    #[arg(long)]
    pub fresh: bool,
    /// Print how many runs the grid has and how many are left, and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Resume even though `runs.jsonl` holds runs made at another git revision
    /// (the sweep then mixes revisions; the report lists them).
    #[arg(long)]
    pub mixed_revisions: bool,
    /// Skip the plots and the report at the end.
    #[arg(long)]
    pub no_report: bool,
}

/// `labelbench plot` and `labelbench report`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The results folder: reads `runs.jsonl`, writes `plots/` and `REPORT.md`.
    #[arg(long, default_value = "results/local/quick")]
    pub results: PathBuf,
    /// The committed results the report compares with: by default, for
    /// `results/local/<name>`, `results/<name>` when it holds a `runs.jsonl`.
    #[arg(long)]
    pub reference: Option<PathBuf>,
}

impl ResultsArgs {
    /// The reference folder: the one given, else the committed results of the
    /// same name, if any.
    pub fn reference(&self) -> Option<PathBuf> {
        self.reference
            .clone()
            .or_else(|| committed_twin(&self.results))
    }
}

impl SweepArgs {
    /// The name of this sweep's results: the preset, or the grid file's.
    fn name(&self) -> String {
        let Some(grid) = &self.grid else {
            return self.preset.clone();
        };
        let stem = grid.file_stem().map(|s| s.to_string_lossy().into_owned());
        let folder = grid
            .parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned());
        match (stem, folder) {
            (Some(stem), Some(folder)) if stem == "grid" => folder,
            (Some(stem), _) => stem,
            (None, _) => "grid".to_string(),
        }
    }

    /// Where the sweep writes (see `--results`).
    pub fn results(&self) -> PathBuf {
        self.results
            .clone()
            .unwrap_or_else(|| Path::new(LOCAL_RESULTS).join(self.name()))
    }

    /// The committed results to compare with (see `--reference`), if any.
    pub fn reference(&self) -> Option<PathBuf> {
        self.reference
            .clone()
            .or_else(|| committed_twin(&self.results()))
    }
}

/// Where a user's results go by default: a folder git ignores.
const LOCAL_RESULTS: &str = "results/local";

/// For `results/local/<name>`, the committed `results/<name>`, if it holds
/// runs; nothing for any other folder.
fn committed_twin(results: &Path) -> Option<PathBuf> {
    let name = results.file_name()?;
    let local = results.parent()?;
    if local.file_name()? != "local" {
        return None;
    }
    let twin = local.parent()?.join(name);
    twin.join("runs.jsonl").is_file().then_some(twin)
}

/// How to print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable summary.
    Table,
    /// One JSON object per run, on one line.
    Json,
}

/// Options shared by `run` and `player`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Labelling strategy (`all`: each in turn, with `run` only).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::strategies::possible_values()))]
    pub strategy: String,
    /// Bytes of a history label (SHA-256 truncated): 8, 16 or 32.
    #[arg(long, default_value_t = labels_history::DEFAULT_LABEL_BYTES, value_parser = parse_label_bytes)]
    pub label_bytes: usize,
    /// The program to run: independent, tree, chain, nested, random-bits,
    /// duplicates, retry or pairs (see the README).
    #[arg(long, value_parser = parse_workload)]
    pub workload: WorkloadKind,
    /// Multiplications (random bits for random-bits): 1 to 2^40
    /// (1099511627776), in digits or as `2e7`. Static labels are refused
    /// beyond 2^32 − 1 gates or when their program would not fit in memory.
    #[arg(long, value_parser = crate::limits::parse_n)]
    pub n: u64,
    /// Nesting depth for `nested`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub depth: u32,
    /// Delay each outgoing frame by a seeded random duration up to this (e.g. 200us).
    #[arg(long, default_value = "0s")]
    pub jitter: humantime::Duration,
    /// A fixed one-way delay of every outgoing frame (e.g. 1ms), added at the
    /// sender before the jitter, keeping the link's order: a link's latency,
    /// which TCP's window does not see (see the README). At most 1 s.
    #[arg(long, default_value = "0s")]
    pub delay: humantime::Duration,
    /// Seed of every random choice: inputs and jitter, and, in the insecure
    /// mode, re-sharing and PRSS keys too.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Give up (and report the run as hung) after this long, counted from
    /// before static labels trace the program: more than zero, at most 7 days.
    #[arg(long, default_value = "120s", value_parser = crate::limits::parse_timeout)]
    pub timeout: humantime::Duration,
    /// Operations in flight at most per player; each player's operation
    /// table holds (players + 1) windows, and a run whose tables would not
    /// fit in the memory available is refused.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub window: u32,
    /// How labels are written on the links: `plain` (the labeller's wire
    /// form) or `link` (each label coded against the labels sent before it on
    /// the same link: a counter that moved by a few takes one byte).
    #[arg(long, default_value = "plain", value_parser = ["plain", "link"])]
    pub label_coding: String,
    /// File every label by hash in the operation table, even consecutive
    /// counters (measures what the dense slots buy).
    #[arg(long)]
    pub no_dense_keys: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also append the JSON line to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `labelbench run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Number of players.
    #[arg(long, default_value_t = 3)]
    pub players: u32,
    /// Authenticated, encrypted links (Noise, keys made for this run) and
    /// secrets dealt over them, instead of plaintext links and secrets derived
    /// from the seed. Measures what security costs.
    #[arg(long)]
    pub secure: bool,
    /// Threshold t (default ⌊(players − 1)/2⌋).
    #[arg(long)]
    pub threshold: Option<u32>,
    /// Where the players talk: `loopback` (all in this process), or each a
    /// `labelbench player` process in a network namespace of its own, its
    /// link `unlimited` or shaped to a rate such as `100mbit` (needs root and
    /// iproute2).
    #[arg(long, default_value = "loopback")]
    pub rate: crate::netns::Rate,
    /// The options `run` and `player` share.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `labelbench player`.
#[derive(Debug, Args)]
pub struct PlayerArgs {
    /// This player's id in the players file.
    #[arg(long)]
    pub id: u64,
    /// The players file (TOML): an id, host, port and, for secure links,
    /// public key per player.
    #[arg(long = "players")]
    pub players: PathBuf,
    /// This player's private key file (from `labelbench keys`). Required
    /// unless `--insecure`.
    #[arg(long, conflicts_with = "insecure")]
    pub key: Option<PathBuf>,
    /// Plaintext links that anyone can join, and secrets derived from the
    /// seed that every player sends in its handshake: for reproducible
    /// benchmarks on a network you trust, never for real secrets.
    #[arg(long)]
    pub insecure: bool,
    /// Threshold t (default ⌊(players − 1)/2⌋).
    #[arg(long)]
    pub threshold: Option<u32>,
    /// The options `run` and `player` share.
    #[command(flatten)]
    pub common: CommonArgs,
}

fn parse_workload(s: &str) -> Result<WorkloadKind, String> {
    s.parse()
}

fn parse_label_bytes(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(b) if labels_history::LABEL_BYTES.contains(&b) => Ok(b),
        _ => Err(format!("`{s}`: a history label is 8, 16 or 32 bytes")),
    }
}

impl CommonArgs {
    /// The strategies' options.
    pub fn options(&self) -> crate::strategies::Options {
        crate::strategies::Options {
            label_bytes: self.label_bytes,
        }
    }

    /// The run parameters, validated.
    pub fn params(&self, players: u32, threshold: Option<u32>) -> Result<RunParams> {
        let n = players as usize;
        let t = threshold.map_or(Shamir::default_threshold(n), |t| t as usize);
        if let Err(e) = Shamir::new(n, t) {
            bail!("--players {players} with threshold {t}: {e}");
        }
        if n > MAX_PLAYERS {
            bail!("--players {players}: at most {MAX_PLAYERS} players are supported");
        }
        let jitter_us = self.jitter.as_micros();
        if jitter_us > 1_000_000 {
            bail!("--jitter {}: at most 1s is supported", self.jitter);
        }
        let delay_us = self.delay.as_micros();
        if delay_us > 1_000_000 {
            bail!("--delay {}: at most 1s is supported", self.delay);
        }
        Ok(RunParams {
            players,
            threshold: t as u32,
            modulus: MODULUS,
            workload: self.workload,
            n: self.n,
            depth: self.depth,
            seed: self.seed,
            window: self.window,
            jitter_us: jitter_us as u64,
            delay_us: delay_us as u64,
            label_coding: self
                .label_coding
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--label-coding: {e}"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn help_names_every_workload_and_the_threshold_by_players() {
        let mut cli = Cli::command();
        for sub in ["run", "player"] {
            let help = cli
                .find_subcommand_mut(sub)
                .expect("a subcommand")
                .render_long_help()
                .to_string();
            for w in WorkloadKind::ALL {
                assert!(help.contains(&w.to_string()), "{sub} --help lacks {w}");
            }
            assert!(help.contains("⌊(players − 1)/2⌋"), "{sub}: {help}");
        }
    }
}
