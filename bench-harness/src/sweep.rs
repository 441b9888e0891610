//! `labelbench sweep`: runs a grid of configurations, several repetitions each,
//! appending every run to `runs.jsonl` in its results folder (by default
//! `results/local/<name>`, which git ignores) as it finishes, so a sweep can
//! be interrupted and resumed without losing the runs already done.
//!
//! A grid is a union of sub-grids, each a cross product of strategies,
//! workloads, player counts, sizes, jitters, delays, windows, link rates,
//! security modes, label codings and (for `nested`) depths. Presets: `quick`
//! (a few minutes: every strategy and workload at small sizes, plus the slices
//! each plot needs), `full` (the whole grid of the study) and `network` (players
//! in network namespaces on shaped links; needs root). A TOML grid file
//! overrides any of them.

use crate::cli::SweepArgs;
use crate::netns::{self, NetnsRun, Rate};
use crate::strategies::{self, Options};
use crate::{eta, limits, meta, results};
use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use shamir_runtime::field::MODULUS;
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::shamir::Shamir;
use shamir_runtime::strategy::LocalRun;
use shamir_runtime::{RunParams, RunReport, WorkloadKind};
use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// One cross product of parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubGrid {
    /// Strategies, by command-line name.
    #[serde(deserialize_with = "strategy_names")]
    pub strategies: Vec<String>,
    /// Workloads, by command-line name.
    #[serde(deserialize_with = "workloads")]
    pub workloads: Vec<WorkloadKind>,
    /// Numbers of players.
    pub players: Vec<u32>,
    /// Multiplications per run.
    pub n: Vec<u64>,
    /// Per-frame jitter bounds, µs.
    pub jitter_us: Vec<u64>,
    /// Nesting depths (used by `nested` only; other workloads run at depth 1).
    #[serde(default = "depth_one")]
    pub depth: Vec<u32>,
    /// Insecure (`false`: plaintext links, seeded secrets) and/or secure
    /// (`true`: Noise links, dealt secrets) runs; with both, each secure run
    /// follows its insecure pair, back to back.
    #[serde(default = "insecure_only")]
    pub secure: Vec<bool>,
    /// Operations in flight per player (the issuing window), a list like
    /// `players`; without it, the grid's top-level `window`.
    #[serde(default)]
    pub window: Option<Vec<u32>>,
    /// Label codings (`plain`, `link`); with both, each run coded against the
    /// link follows its plain pair, back to back. Plain without it.
    #[serde(default = "plain_only")]
    pub label_coding: Vec<LabelCoding>,
    /// Fixed one-way delays of every frame, µs (`--delay`); 0 without it.
    #[serde(default = "no_delay")]
    pub delay_us: Vec<u64>,
    /// Where the players talk: `loopback` (every player in this process,
    /// the default), or each player in a network namespace of its own on a
    /// link of `unlimited` rate or shaped to a rate such as `100mbit`
    /// (needs root and iproute2; see `netns`).
    #[serde(default = "loopback_only")]
    pub rate: Vec<Rate>,
}

fn no_delay() -> Vec<u64> {
    vec![0]
}

fn loopback_only() -> Vec<Rate> {
    vec![Rate::Loopback]
}

fn plain_only() -> Vec<LabelCoding> {
    vec![LabelCoding::Plain]
}

fn insecure_only() -> Vec<bool> {
    vec![false]
}

fn depth_one() -> Vec<u32> {
    vec![1]
}

fn strategy_names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let names: Vec<String> = Vec::deserialize(d)?;
    let known = strategies::names();
    match names
        .iter()
        .find(|n| n.as_str() != strategies::ALL && !known.contains(&n.as_str()))
    {
        Some(n) => Err(serde::de::Error::custom(format!(
            "unknown strategy `{n}`: expected one of {}",
            known.join(", ")
        ))),
        None => Ok(names),
    }
}

/// A window given as one value (`window = 4096`, as grid files had it) or as
/// a list (`window = [1, 2, 4]`).
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(u32),
        Many(Vec<u32>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(w) => vec![w],
        OneOrMany::Many(ws) => ws,
    })
}

fn workloads<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<WorkloadKind>, D::Error> {
    let names: Vec<String> = Vec::deserialize(d)?;
    names
        .iter()
        .map(|n| n.parse().map_err(serde::de::Error::custom))
        .collect()
}

/// A whole sweep: sub-grids and how to run each configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Repetitions of each configuration (repetition r uses seed `seed + r`).
    pub reps: u32,
    /// Base seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Operations in flight per player, for the sub-grids that give none:
    /// one value or a list.
    #[serde(default = "default_window", deserialize_with = "one_or_many")]
    pub window: Vec<u32>,
    /// Per-run timeout, seconds (a run that exceeds it is recorded as hung).
    #[serde(default = "default_timeout")]
    pub timeout_s: f64,
    /// History label size, bytes.
    #[serde(default = "default_label_bytes")]
    pub label_bytes: usize,
    /// The sub-grids; their union is run, each configuration once.
    pub grid: Vec<SubGrid>,
}

fn default_seed() -> u64 {
    1
}
fn default_window() -> Vec<u32> {
    vec![4096]
}
fn default_timeout() -> f64 {
    60.0
}
fn default_label_bytes() -> usize {
    Options::default().label_bytes
}

/// Every strategy's name, for the presets.
fn all_strategies() -> Vec<String> {
    strategies::names().iter().map(|s| s.to_string()).collect()
}

impl Grid {
    /// The strategies' options.
    pub fn options(&self) -> Options {
        Options {
            label_bytes: self.label_bytes,
        }
    }

    /// The quick preset: a few minutes on a 2-core machine.
    pub fn quick() -> Grid {
        let all = all_strategies();
        Grid {
            reps: 3,
            seed: 1,
            window: default_window(),
            timeout_s: 30.0,
            label_bytes: default_label_bytes(),
            grid: vec![
                // Every strategy on every workload: correctness and label size.
                SubGrid {
                    strategies: all.clone(),
                    workloads: WorkloadKind::ALL.to_vec(),
                    players: vec![3],
                    n: vec![1_000, 10_000],
                    jitter_us: vec![0, 200],
                    depth: vec![1, 4, 16],
                    secure: insecure_only(),
                    window: None,
                    label_coding: plain_only(),
                    delay_us: no_delay(),
                    rate: loopback_only(),
                },
                // Throughput against n and against players.
                SubGrid {
                    strategies: all.clone(),
                    workloads: vec![WorkloadKind::Independent],
                    players: vec![3, 5, 7],
                    n: vec![1_000, 10_000, 100_000],
                    jitter_us: vec![0],
                    depth: vec![1],
                    secure: insecure_only(),
                    window: None,
                    label_coding: plain_only(),
                    delay_us: no_delay(),
                    rate: loopback_only(),
                },
                // The naive counter's failure rate against the window, on the
                // seed's pairs (4096 comes from the first sub-grid).
                SubGrid {
                    strategies: all.clone(),
                    workloads: vec![WorkloadKind::Pairs],
                    players: vec![3],
                    n: vec![10_000],
                    jitter_us: vec![0],
                    depth: vec![1],
                    secure: insecure_only(),
                    window: Some(vec![1, 4, 6]),
                    label_coding: plain_only(),
                    delay_us: no_delay(),
                    rate: loopback_only(),
                },
                // Label bytes and throughput under both codings, each coded
                // run right after its plain pair.
                SubGrid {
                    strategies: all.clone(),
                    workloads: vec![WorkloadKind::Independent, WorkloadKind::Nested],
                    players: vec![3],
                    n: vec![100_000],
                    jitter_us: vec![0],
                    depth: vec![16],
                    secure: insecure_only(),
                    window: None,
                    label_coding: LabelCoding::ALL.to_vec(),
                    delay_us: no_delay(),
                    rate: loopback_only(),
                },
                // The naive counter's failure rate against jitter.
                SubGrid {
                    strategies: all,
                    workloads: vec![WorkloadKind::Independent],
                    players: vec![3],
                    n: vec![10_000],
                    jitter_us: vec![0, 50, 200, 1_000],
                    depth: vec![1],
                    secure: insecure_only(),
                    window: None,
                    label_coding: plain_only(),
                    delay_us: no_delay(),
                    rate: loopback_only(),
                },
            ],
        }
    }

    /// The full preset: the whole grid of the study. `chain` runs to
    /// n = 10⁴ only: its rounds run one after another, so its latency per
    /// multiplication is the same at 10⁵, where one run under 1 ms of jitter
    /// took minutes and the 240 such runs were five sixths of the sweep.
    pub fn full() -> Grid {
        let all_but_chain: Vec<WorkloadKind> = WorkloadKind::ALL
            .into_iter()
            .filter(|w| *w != WorkloadKind::Chain)
            .collect();
        let sub = |workloads: Vec<WorkloadKind>, n: Vec<u64>| SubGrid {
            strategies: all_strategies(),
            workloads,
            players: vec![3, 5, 7],
            n,
            jitter_us: vec![0, 50, 200, 1_000],
            depth: vec![1, 4, 16],
            secure: insecure_only(),
            window: None,
            label_coding: plain_only(),
            delay_us: no_delay(),
            rate: loopback_only(),
        };
        Grid {
            reps: 5,
            seed: 1,
            window: default_window(),
            // `chain` at n = 10^4 with 1 ms of jitter takes tens of seconds; a
            // hang is caught sooner by the players' stall limit.
            timeout_s: 300.0,
            label_bytes: default_label_bytes(),
            grid: vec![
                sub(all_but_chain, vec![1_000, 10_000, 100_000]),
                sub(vec![WorkloadKind::Chain], vec![1_000, 10_000]),
            ],
        }
    }

    /// The network preset: every player in a network namespace of its own.
    /// Throughput against the link rate, per strategy, label coding and
    /// security mode (`independent` and `nested` at depth 16); `chain`'s
    /// latency against a fixed one-way delay. Needs root and iproute2.
    pub fn network() -> Grid {
        let all = all_strategies();
        let rates = ["unlimited", "1gbit", "100mbit", "10mbit"]
            .map(|r| r.parse().expect("a valid rate"))
            .to_vec();
        Grid {
            reps: 3,
            seed: 1,
            window: default_window(),
            timeout_s: 120.0,
            label_bytes: default_label_bytes(),
            grid: vec![
                SubGrid {
                    strategies: all.clone(),
                    workloads: vec![WorkloadKind::Independent, WorkloadKind::Nested],
                    players: vec![3],
                    n: vec![20_000],
                    jitter_us: vec![0],
                    depth: vec![16],
                    secure: vec![false, true],
                    window: None,
                    label_coding: LabelCoding::ALL.to_vec(),
                    delay_us: no_delay(),
                    rate: rates,
                },
                SubGrid {
                    strategies: all,
                    workloads: vec![WorkloadKind::Chain],
                    players: vec![3],
                    n: vec![200],
                    jitter_us: vec![0],
                    depth: vec![1],
                    secure: insecure_only(),
                    window: None,
                    label_coding: LabelCoding::ALL.to_vec(),
                    delay_us: vec![0, 100, 1_000, 10_000],
                    rate: vec![Rate::Unlimited],
                },
            ],
        }
    }

    /// Reads a grid file (TOML with the fields of [`Grid`]).
    pub fn load(path: &Path) -> Result<Grid> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the grid file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing the grid file {}", path.display()))
    }

    /// Refuses values a run cannot have, naming the field, as the command
    /// line refuses them ([`limits`]).
    pub fn check(&self) -> Result<Duration> {
        let timeout = limits::timeout_from_secs(self.timeout_s)
            .map_err(|e| anyhow!("grid: timeout_s = {}: {e}", self.timeout_s))?;
        for g in &self.grid {
            if let Some(&w) = self
                .windows(g)
                .iter()
                .find(|&&w| !(1..=1_000_000).contains(&w))
            {
                bail!("grid: window = {w}: must be 1 to 1000000");
            }
            if let Some(&n) = g.n.iter().find(|&&n| !(1..=limits::MAX_N).contains(&n)) {
                bail!("grid: n = {n}: must be 1 to 2^40 = {}", limits::MAX_N);
            }
            if let Some(&j) = g.jitter_us.iter().find(|&&j| j > 1_000_000) {
                bail!("grid: jitter_us = {j}: at most 1000000 (1 s) is supported");
            }
            if let Some(&d) = g.delay_us.iter().find(|&&d| d > 1_000_000) {
                bail!("grid: delay_us = {d}: at most 1000000 (1 s) is supported");
            }
            if g.rate.iter().any(|r| r.in_namespaces()) {
                netns::check_prerequisites().context("grid: a rate other than loopback")?;
            }
            if let Some(&d) = g.depth.iter().find(|&&d| !(1..=1024).contains(&d)) {
                bail!("grid: depth = {d}: must be 1 to 1024");
            }
        }
        Ok(timeout)
    }

    /// The windows sub-grid `g` runs at: its own list, or the grid's.
    fn windows<'a>(&'a self, g: &'a SubGrid) -> &'a [u32] {
        g.window.as_deref().unwrap_or(&self.window)
    }

    /// Every run of the sweep, in order, each once. The strategies are the
    /// innermost loop: every strategy's run of one configuration and
    /// repetition follows the others', so that strategies are compared on
    /// runs taken minutes apart, not hours (a shared machine's speed drifts).
    pub fn runs(&self) -> Result<Vec<Planned>> {
        self.check()?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for g in &self.grid {
            if g.strategies.iter().any(|s| s == strategies::ALL) {
                bail!("a grid lists strategies one by one; `all` is for `labelbench run`");
            }
            for &workload in &g.workloads {
                let depths: &[u32] = if workload == WorkloadKind::Nested {
                    &g.depth
                } else {
                    &[1]
                };
                for &players in &g.players {
                    let t = Shamir::default_threshold(players as usize);
                    Shamir::new(players as usize, t)
                        .with_context(|| format!("grid: {players} players"))?;
                    for &n in &g.n {
                        for (&jitter_us, &window) in g
                            .jitter_us
                            .iter()
                            .flat_map(|j| self.windows(g).iter().map(move |w| (j, w)))
                        {
                            for (&depth, &rate, &delay_us) in depths.iter().flat_map(|d| {
                                g.rate
                                    .iter()
                                    .flat_map(move |r| g.delay_us.iter().map(move |l| (d, r, l)))
                            }) {
                                for (rep, strategy, &secure, &label_coding) in (0..self.reps)
                                    .flat_map(|r| {
                                        g.strategies.iter().flat_map(move |s| {
                                            g.secure.iter().flat_map(move |secure| {
                                                g.label_coding
                                                    .iter()
                                                    .map(move |c| (r, s, secure, c))
                                            })
                                        })
                                    })
                                {
                                    let params = RunParams {
                                        players,
                                        threshold: t as u32,
                                        modulus: MODULUS,
                                        workload,
                                        n,
                                        depth,
                                        seed: self.seed + u64::from(rep),
                                        window,
                                        jitter_us,
                                        delay_us,
                                        label_coding,
                                    };
                                    let p = Planned {
                                        strategy: strategy.clone(),
                                        params,
                                        rep,
                                        secure,
                                        rate,
                                    };
                                    if seen.insert(p.key()) {
                                        out.push(p);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// One run of a sweep.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The strategy's name.
    pub strategy: String,
    /// Its parameters.
    pub params: RunParams,
    /// Repetition index.
    pub rep: u32,
    /// Secure links and dealt secrets.
    pub secure: bool,
    /// Where the players talk (loopback, or namespaces and a link rate).
    pub rate: Rate,
}

/// What identifies a run, so a resumed sweep can skip it.
type Key = (
    String,
    String,
    u32,
    u64,
    u64,
    u32,
    u64,
    u32,
    u32,
    bool,
    // Tuples of more than twelve have no `Hash`: the rest, nested.
    (LabelCoding, u64, Rate),
);

impl Planned {
    fn key(&self) -> Key {
        let p = &self.params;
        (
            self.strategy.clone(),
            p.workload.to_string(),
            p.players,
            p.n,
            p.jitter_us,
            p.depth,
            p.seed,
            p.window,
            self.rep,
            self.secure,
            (p.label_coding, p.delay_us, self.rate),
        )
    }
}

fn key_of(r: &RunReport) -> Key {
    (
        r.strategy.clone(),
        r.workload.clone(),
        r.players,
        r.n,
        r.jitter_us,
        r.depth,
        r.seed,
        r.window,
        r.rep,
        r.secure,
        (
            r.label_coding,
            r.delay_us,
            match (r.netns, r.rate_bps) {
                (false, _) => Rate::Loopback,
                (true, None) => Rate::Unlimited,
                (true, Some(b)) => Rate::BitsPerSecond(b),
            },
        ),
    )
}

/// Refuses to resume a sweep whose earlier runs were made at another git
/// revision (or from a working tree with changes), unless `mixed` allows it:
/// one sweep, one revision, or its figures compare different programs.
fn check_revisions(earlier: &[RunReport], now: &str, jsonl: &Path, mixed: bool) -> Result<()> {
    let others: BTreeSet<&str> = earlier
        .iter()
        .map(|r| r.git_rev.as_str())
        .filter(|&r| r != now)
        .collect();
    if others.is_empty() || mixed {
        return Ok(());
    }
    let list: Vec<&str> = others.into_iter().collect();
    bail!(
        "{} holds runs made at git revision {}, and this is {now}: resume at that revision \
         (e.g. `git worktree add ../sweep {}` and run the sweep there with --results pointing \
         here), start over with --fresh, or pass --mixed-revisions to mix them",
        jsonl.display(),
        list.join(", "),
        list[0].trim_end_matches("-dirty")
    )
}

/// Runs the sweep described by `args`, then (unless told not to) the plots and
/// the report.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let mut grid = match &args.grid {
        Some(path) => Grid::load(path)?,
        None if args.preset == "full" => Grid::full(),
        None if args.preset == "quick" => Grid::quick(),
        None if args.preset == "network" => Grid::network(),
        None => bail!(
            "--preset {}: expected `quick`, `full` or `network`",
            args.preset
        ),
    };
    if let Some(reps) = args.reps {
        grid.reps = reps;
    }
    let dir = args.results();
    let planned = grid.runs()?;
    let timeout = grid.check()?;
    // Every configuration's memory, once, before the first run.
    let mut checked = HashSet::new();
    for p in &planned {
        let q = &p.params;
        let s = strategies::by_name(&p.strategy, &grid.options())?;
        if checked.insert((s.name(), q.workload, q.players, q.n, q.depth, q.window)) {
            limits::check_memory(s.as_ref(), q, q.players as usize).with_context(|| {
                format!(
                    "grid: {} on {} with {} players, n = {}",
                    s.name(),
                    q.workload,
                    q.players,
                    q.n
                )
            })?;
        }
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let jsonl = dir.join("runs.jsonl");
    if args.fresh && jsonl.exists() {
        std::fs::remove_file(&jsonl).with_context(|| format!("removing {}", jsonl.display()))?;
    }
    let earlier = if jsonl.exists() {
        results::load_runs(&jsonl)?
    } else {
        Vec::new()
    };
    let git_rev = meta::git_rev();
    check_revisions(&earlier, &git_rev, &jsonl, args.mixed_revisions)?;
    let done: HashSet<Key> = earlier.iter().map(key_of).collect();
    let todo: Vec<&Planned> = planned
        .iter()
        .filter(|p| !done.contains(&p.key()))
        .collect();
    let mut time_left = eta::TimeLeft::new(todo.iter().map(|p| (&p.params, p.rate.bps())));
    eprintln!(
        "sweep: {} runs in the grid, {} already in {}, {} to do, about {} at the development machine's pace",
        planned.len(),
        planned.len() - todo.len(),
        jsonl.display(),
        todo.len(),
        whole_seconds(time_left.estimate(Duration::ZERO))
    );
    if args.dry_run {
        return Ok(());
    }
    let machine = meta::machine();
    let bar = ProgressBar::new(todo.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("a valid progress template")
            .progress_chars("=> "),
    );
    // Without a terminal the bar is not drawn: say where the sweep is once a minute.
    let mut next_line = Instant::now();
    for p in todo {
        let left = whole_seconds(time_left.estimate(bar.elapsed()));
        if bar.is_hidden() && Instant::now() >= next_line {
            next_line = Instant::now() + Duration::from_secs(60);
            eprintln!(
                "sweep: {}/{} runs done, {} elapsed, about {left} left",
                bar.position(),
                bar.length().unwrap_or(0),
                whole_seconds(bar.elapsed()),
            );
        }
        let q = &p.params;
        bar.set_message(format!(
            "about {left} left · {} {} p={} n={} jitter={}µs delay={}µs depth={} window={} {} labels {} {} rep={}",
            p.strategy,
            q.workload,
            q.players,
            q.n,
            q.jitter_us,
            q.delay_us,
            q.depth,
            q.window,
            q.label_coding,
            p.rate,
            if p.secure { "secure" } else { "plaintext" },
            p.rep
        ));
        let date = meta::now_rfc3339();
        let mut r = if p.rate.in_namespaces() {
            let run = NetnsRun {
                strategy: &p.strategy,
                options: &grid.options(),
                secure: p.secure,
                rate: p.rate,
                timeout,
            };
            netns::run(q, &run).context("running the players in network namespaces")?
        } else {
            let how = LocalRun {
                timeout,
                dense_keys: true,
                secure: p.secure,
            };
            strategies::by_name(&p.strategy, &grid.options())?
                .run_local(q, how)
                .context("running the players")?
        };
        meta::stamp(&mut r, &git_rev, &date, &machine);
        r.rep = p.rep;
        let line = serde_json::to_string(&r)?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jsonl)
            .with_context(|| format!("opening {}", jsonl.display()))?;
        writeln!(f, "{line}").with_context(|| format!("writing {}", jsonl.display()))?;
        time_left.finished(q, p.rate.bps());
        bar.inc(1);
    }
    bar.finish_with_message("done");
    let runs = results::load_runs(&jsonl)?;
    results::write_csv(&runs, &dir.join("runs.csv"))?;
    eprintln!(
        "sweep: {} runs in {} and runs.csv",
        runs.len(),
        jsonl.display()
    );
    if !args.no_report {
        let plots = crate::plot::plot_all(&runs, &dir.join("plots"))?;
        eprintln!(
            "sweep: {} plot files in {}",
            plots.len(),
            dir.join("plots").display()
        );
        let reference = results::load_reference(args.reference())?;
        crate::report_md::write_report(
            &runs,
            &dir.join("plots"),
            &dir.join("REPORT.md"),
            reference.as_ref(),
        )?;
        match &reference {
            Some(r) => eprintln!(
                "sweep: wrote {}, comparing with the committed {}",
                dir.join("REPORT.md").display(),
                r.path.display()
            ),
            None => eprintln!("sweep: wrote {}", dir.join("REPORT.md").display()),
        }
    }
    Ok(())
}

/// A duration to the second, as humantime writes it (`1h 5m 3s`).
fn whole_seconds(d: Duration) -> humantime::FormattedDuration {
    humantime::format_duration(Duration::from_secs(d.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_expand_without_duplicates() {
        let quick = Grid::quick().runs().unwrap();
        let keys: HashSet<Key> = quick.iter().map(Planned::key).collect();
        assert_eq!(keys.len(), quick.len());
        // Nested runs at three depths, the others at depth 1 only.
        assert!(quick
            .iter()
            .any(|p| p.params.workload == WorkloadKind::Nested && p.params.depth == 16));
        assert!(quick
            .iter()
            .all(|p| p.params.workload == WorkloadKind::Nested || p.params.depth == 1));
        // The full grid: 4 strategies × (6 workloads × 36 + nested × 108
        // + chain at two sizes × 12) × 5 repetitions.
        let full = Grid::full().runs().unwrap();
        assert_eq!(full.len(), 4 * (6 * 36 + 108 + 24) * 5);
        assert!(full
            .iter()
            .filter(|p| p.params.workload == WorkloadKind::Chain)
            .all(|p| p.params.n <= 10_000));
    }

    /// The network preset: every run in namespaces; each rate's runs of a
    /// strategy with its coded and secure variants back to back.
    #[test]
    fn the_network_preset_runs_in_namespaces_with_its_pairs_together() {
        let runs = Grid::network().runs().unwrap();
        // (4 strategies × 2 workloads × 4 rates × 2 securities × 2 codings
        // + 4 strategies × 4 delays × 2 codings) × 3 repetitions.
        assert_eq!(runs.len(), (4 * 2 * 4 * 2 * 2 + 4 * 4 * 2) * 3);
        assert!(runs.iter().all(|p| p.rate.in_namespaces()));
        let keys: HashSet<Key> = runs.iter().map(Planned::key).collect();
        assert_eq!(keys.len(), runs.len());
        let first: Vec<(bool, LabelCoding)> = runs[..4]
            .iter()
            .map(|p| (p.secure, p.params.label_coding))
            .collect();
        assert_eq!(
            first,
            [
                (false, LabelCoding::Plain),
                (false, LabelCoding::Link),
                (true, LabelCoding::Plain),
                (true, LabelCoding::Link)
            ]
        );
    }

    #[test]
    fn every_strategy_of_a_repetition_runs_back_to_back() {
        let runs = Grid::full().runs().unwrap();
        let strategies = Grid::full().grid[0].strategies.clone();
        assert_eq!(strategies.len(), 4);
        // Consecutive groups of four: one configuration and repetition, every strategy once.
        for group in runs.chunks(strategies.len()) {
            let names: Vec<String> = group.iter().map(|p| p.strategy.clone()).collect();
            assert_eq!(names, strategies);
            let first = &group[0];
            assert!(group
                .iter()
                .all(|p| p.rep == first.rep && p.params == first.params));
        }
    }

    #[test]
    fn a_secure_run_follows_its_insecure_pair() {
        let g = Grid::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../results/security/grid.toml"
        )))
        .unwrap();
        let runs = g.runs().unwrap();
        assert_eq!(runs.len(), 10 * (4 + 2) * 2);
        for pair in runs.chunks(2) {
            assert!(!pair[0].secure && pair[1].secure, "{pair:?}");
            assert_eq!(pair[0].strategy, pair[1].strategy);
            assert_eq!(
                (pair[0].rep, &pair[0].params),
                (pair[1].rep, &pair[1].params)
            );
            assert_ne!(pair[0].key(), pair[1].key());
        }
        // Presets stay insecure.
        assert!(Grid::quick().runs().unwrap().iter().all(|p| !p.secure));
    }

    #[test]
    fn resuming_at_another_revision_is_refused_unless_allowed() {
        let run = |rev: &str| RunReport {
            git_rev: rev.to_string(),
            ..Default::default()
        };
        let path = Path::new("results/runs.jsonl");
        assert!(check_revisions(&[], "abc", path, false).is_ok());
        assert!(check_revisions(&[run("abc")], "abc", path, false).is_ok());
        let err = check_revisions(&[run("abc"), run("def")], "abc", path, false).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("git revision def") && text.contains("this is abc"),
            "{text}"
        );
        assert!(check_revisions(&[run("def")], "abc", path, true).is_ok());
    }

    #[test]
    fn grid_files_override_presets() {
        let g: Grid = toml::from_str(
            r#"
            reps = 2
            [[grid]]
            strategies = ["counter", "history"]
            workloads = ["chain"]
            players = [3]
            n = [100]
            jitter_us = [0, 50]
            "#,
        )
        .unwrap();
        let runs = g.runs().unwrap();
        assert_eq!(runs.len(), 2 * 2 * 2);
        // Both strategies of repetition 0 (seed 1), then of repetition 1 (seed 2).
        let order: Vec<(&str, u64)> = runs[..4]
            .iter()
            .map(|p| (p.strategy.as_str(), p.params.seed))
            .collect();
        let (counter, history) = ("counter", "history");
        assert_eq!(
            order,
            [(counter, 1), (history, 1), (counter, 2), (history, 2)]
        );
        let bad: Result<Grid, _> = toml::from_str("reps = 1\n[[grid]]\nstrategies = [\"nope\"]\nworkloads = []\nplayers = []\nn = []\njitter_us = []");
        assert!(bad.is_err());
    }

    #[test]
    fn window_is_a_list_a_scalar_or_per_sub_grid() {
        let grid = |head: &str, sub: &str| -> Grid {
            toml::from_str(&format!(
                "reps = 1\n{head}\n[[grid]]\nstrategies = [\"naive\"]\nworkloads = [\"pairs\"]\nplayers = [3]\nn = [10]\njitter_us = [0, 50]\n{sub}"
            ))
            .unwrap()
        };
        let windows = |g: &Grid| -> Vec<(u64, u32)> {
            g.runs()
                .unwrap()
                .iter()
                .map(|p| (p.params.jitter_us, p.params.window))
                .collect()
        };
        // No window anywhere: the default, 4096.
        assert_eq!(windows(&grid("", "")), [(0, 4096), (50, 4096)]);
        // The old scalar at the top level, as results/*/grid.toml may have it.
        assert_eq!(windows(&grid("window = 16", "")), [(0, 16), (50, 16)]);
        // A list at the top level: each jitter at every window.
        assert_eq!(
            windows(&grid("window = [1, 4096]", "")),
            [(0, 1), (0, 4096), (50, 1), (50, 4096)]
        );
        // A sub-grid's own list replaces the top level's.
        assert_eq!(
            windows(&grid("window = 16", "window = [2, 3]")),
            [(0, 2), (0, 3), (50, 2), (50, 3)]
        );
        // Runs at different windows are different runs for resuming.
        let g = grid("window = [1, 2]", "");
        let keys: HashSet<Key> = g.runs().unwrap().iter().map(Planned::key).collect();
        assert_eq!(keys.len(), 4);
        // A sub-grid's bad window is refused by name, too.
        let e = grid("", "window = [8, 0]").runs().unwrap_err().to_string();
        assert!(e.contains("window = 0"), "{e}");
        // Neither a string nor a list of strings.
        let bad: Result<Grid, _> = toml::from_str("reps = 1\nwindow = \"big\"\ngrid = []");
        assert!(bad.is_err());
    }

    #[test]
    fn grid_values_a_run_cannot_have_are_refused_by_name() {
        let grid = |head: &str, n: &str| -> Grid {
            toml::from_str(&format!(
                "reps = 1\n{head}\n[[grid]]\nstrategies = [\"counter\"]\nworkloads = [\"chain\"]\nplayers = [3]\nn = [{n}]\njitter_us = [0]"
            ))
            .unwrap()
        };
        for (head, n, needle) in [
            ("timeout_s = -1.0", "10", "timeout_s = -1"),
            ("timeout_s = nan", "10", "timeout_s = NaN"),
            ("timeout_s = inf", "10", "timeout_s = inf"),
            ("timeout_s = 0.0", "10", "timeout_s = 0"),
            ("timeout_s = 1e300", "10", "timeout_s = 1"),
            ("window = 0", "10", "window = 0"),
            ("window = [4, 0]", "10", "window = 0"),
            ("window = [1, 1000001]", "10", "window = 1000001"),
            ("", "0", "n = 0"),
            ("", "1099511627777", "n = 1099511627777"),
        ] {
            let e = grid(head, n).runs().unwrap_err().to_string();
            assert!(e.contains(needle), "{head} {n}: {e}");
        }
        assert_eq!(
            grid("timeout_s = 2.5", "10").check().unwrap(),
            Duration::from_millis(2500)
        );
    }
}
