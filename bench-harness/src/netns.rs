//! Players in their own network stacks: one run with each player a
//! `labelbench player` process in a network namespace of its own, the
//! namespaces joined by veth links through a bridge, each link's rate shaped
//! with `htb`, and everything removed afterwards, also when the run fails.
//!
//! # The network
//!
//! ```text
//!  lbns-<pid>-<k>-p0        lbns-<pid>-<k>-br          lbns-<pid>-<k>-p1
//!  eth0 10.231.0.1 ─── veth ─── br0 (bridge) ─── veth ─── eth0 10.231.0.2   …
//! ```
//!
//! A player's link is its veth pair: the rate limit applies to what the
//! player sends (an `htb` class on its `eth0`) and to what it receives (the
//! same on the bridge's end of the pair), as a host's network card limits
//! both directions, shared by all its peers. The namespaces' names carry this
//! process's id, so a later run can remove what a killed one left behind.
//!
//! It needs root (to make namespaces) and `iproute2` (`ip`, `tc`); without
//! them [`Network::create`] says so and does nothing. It uses only the
//! addresses of the links it creates (10.231.0.0/24, inside its own
//! namespaces, reachable from nowhere else).

use crate::player::PlayerRun;
use crate::strategies::Options;
use anyhow::{anyhow, bail, Context, Result};
use shamir_runtime::{RunParams, RunReport};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The rate of every player's link, or none: a grid's `rate` dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rate {
    /// Every player in one process, over loopback (no namespaces).
    Loopback,
    /// Players in namespaces, links not shaped.
    Unlimited,
    /// Players in namespaces, each link shaped to this many bits per second.
    BitsPerSecond(u64),
}

impl Rate {
    /// Whether runs at this rate put the players in namespaces.
    pub fn in_namespaces(self) -> bool {
        self != Rate::Loopback
    }

    /// The shaped rate, if any.
    pub fn bps(self) -> Option<u64> {
        match self {
            Rate::BitsPerSecond(b) => Some(b),
            _ => None,
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Rate::Loopback => f.write_str("loopback"),
            Rate::Unlimited => f.write_str("unlimited"),
            Rate::BitsPerSecond(b) if b % 1_000_000_000 == 0 => {
                write!(f, "{}gbit", b / 1_000_000_000)
            }
            Rate::BitsPerSecond(b) if b % 1_000_000 == 0 => write!(f, "{}mbit", b / 1_000_000),
            Rate::BitsPerSecond(b) if b % 1_000 == 0 => write!(f, "{}kbit", b / 1_000),
            Rate::BitsPerSecond(b) => write!(f, "{b}bit"),
        }
    }
}

impl FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Rate, String> {
        let bad = || {
            format!(
                "rate `{s}`: expected loopback, unlimited, or a rate such as 10mbit, 100mbit or \
                 1gbit (kbit, mbit, gbit; 1 kbit/s to 100 gbit/s)"
            )
        };
        match s {
            "loopback" => return Ok(Rate::Loopback),
            "unlimited" => return Ok(Rate::Unlimited),
            _ => {}
        }
        let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
        let scale = match unit {
            "kbit" => 1_000,
            "mbit" => 1_000_000,
            "gbit" => 1_000_000_000,
            _ => return Err(bad()),
        };
        let bps = digits
            .parse::<u64>()
            .ok()
            .and_then(|d| d.checked_mul(scale))
            .filter(|b| (1_000..=100_000_000_000).contains(b))
            .ok_or_else(bad)?;
        Ok(Rate::BitsPerSecond(bps))
    }
}

impl<'de> serde::Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The subnet of the links (a /24 inside the run's own namespaces).
const SUBNET: &str = "10.231.0";
/// The port every player listens on (each has its own address).
const PORT: u16 = 7100;
/// Prefix of every namespace this module makes.
const PREFIX: &str = "lbns-";

/// Networks made by this process, for unique names.
static MADE: AtomicU32 = AtomicU32::new(0);

/// The namespaces of one run; dropping it removes them.
#[derive(Debug)]
pub struct Network {
    /// The bridge's namespace.
    bridge: String,
    /// Each player's namespace, by id.
    players: Vec<String>,
    /// Files of the run (players file, keys, players' output).
    dir: PathBuf,
}

/// Runs `program args`, failing with its output if it fails.
fn sh(program: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running `{program}` (is iproute2 installed?)"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Refuses to go on without root or `ip` and `tc`, saying which is missing.
pub fn check_prerequisites() -> Result<()> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?");
    if euid != "0" {
        bail!(
            "players in network namespaces need root (this process's effective uid is {euid}): \
             run as root, or choose rate = \"loopback\""
        );
    }
    for tool in ["ip", "tc"] {
        let ok = Command::new(tool)
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            bail!(
                "players in network namespaces need `{tool}` from iproute2 (apt install iproute2)"
            );
        }
    }
    Ok(())
}

/// Removes the namespaces that runs of processes no longer alive left behind
/// (a run killed before it could clean up).
fn remove_stale() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = sh("ip", &["netns", "del", name]);
        }
    }
}

/// `htb` on `dev` in namespace `ns`: everything sent through one class of
/// `bps` bits per second.
fn shape(ns: &str, dev: &str, bps: u64) -> Result<()> {
    let rate = format!("{bps}bit");
    sh(
        "ip",
        &[
            "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb",
            "default", "1",
        ],
    )?;
    sh(
        "ip",
        &[
            "netns", "exec", ns, "tc", "class", "add", "dev", dev, "parent", "1:", "classid",
            "1:1", "htb", "rate", &rate, "ceil", &rate,
        ],
    )
}

impl Network {
    /// A bridge and `players` namespaces linked to it, each link shaped to
    /// `rate`. What is made before a failure is removed.
    pub fn create(players: usize, rate: Rate) -> Result<Network> {
        check_prerequisites()?;
        remove_stale();
        let id = format!(
            "{}-{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(format!("labelbench-netns-{id}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut net = Network {
            bridge: format!("{PREFIX}{id}-br"),
            players: Vec::new(),
            dir,
        };
        // On any error `net` is dropped, which removes what exists so far.
        sh("ip", &["netns", "add", &net.bridge])?;
        let br = net.bridge.clone();
        sh("ip", &["-n", &br, "link", "set", "lo", "up"])?;
        sh("ip", &["-n", &br, "link", "add", "br0", "type", "bridge"])?;
        sh("ip", &["-n", &br, "link", "set", "br0", "up"])?;
        for i in 0..players {
            let ns = format!("{PREFIX}{id}-p{i}");
            sh("ip", &["netns", "add", &ns])?;
            net.players.push(ns.clone());
            let port = format!("port{i}");
            // The pair is made inside the player's namespace, its other end
            // straight in the bridge's: nothing is ever in this namespace.
            sh(
                "ip",
                &[
                    "-n", &ns, "link", "add", "eth0", "type", "veth", "peer", "name", &port,
                    "netns", &br,
                ],
            )?;
            let addr = format!("{SUBNET}.{}/24", i + 1);
            sh("ip", &["-n", &ns, "addr", "add", &addr, "dev", "eth0"])?;
            sh("ip", &["-n", &ns, "link", "set", "eth0", "up"])?;
            sh("ip", &["-n", &ns, "link", "set", "lo", "up"])?;
            sh("ip", &["-n", &br, "link", "set", &port, "master", "br0"])?;
            sh("ip", &["-n", &br, "link", "set", &port, "up"])?;
            if let Some(bps) = rate.bps() {
                shape(&ns, "eth0", bps)?;
                shape(&br, &port, bps)?;
            }
        }
        Ok(net)
    }

    /// The players file of this network (insecure: ids, hosts and ports).
    fn write_players_file(&self) -> Result<PathBuf> {
        let mut text = String::new();
        for i in 0..self.players.len() {
            text.push_str(&format!(
                "[[player]]\nid = {i}\nhost = \"{SUBNET}.{}\"\nport = {PORT}\n\n",
                i + 1
            ));
        }
        let path = self.dir.join("players.toml");
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Removing a namespace removes the links in it and their peers.
        for ns in self.players.iter().chain(std::iter::once(&self.bridge)) {
            if let Err(e) = sh("ip", &["netns", "del", ns]) {
                if !e.to_string().contains("No such file") {
                    tracing::warn!("removing network namespace {ns}: {e:#}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a run in namespaces is, beyond its parameters.
#[derive(Debug, Clone)]
pub struct NetnsRun<'a> {
    /// The strategy's name.
    pub strategy: &'a str,
    /// The strategies' options.
    pub options: &'a Options,
    /// Secure links and dealt secrets.
    pub secure: bool,
    /// The rate of every link.
    pub rate: Rate,
    /// Each player's `--timeout`.
    pub timeout: Duration,
}

/// Runs `params` with every player in a namespace of its own on links of
/// `run.rate`, through this binary's `labelbench player`, and combines the
/// players' reports. The namespaces are removed before it returns.
pub fn run(params: &RunParams, run: &NetnsRun) -> Result<RunReport> {
    let players = params.players as usize;
    let net = Network::create(players, run.rate)?;
    let exe = std::env::current_exe().context("finding this binary")?;
    let file = net.write_players_file()?;
    let keys = net.dir.join("keys");
    let players_file = if run.secure {
        crate::keys::make_keys(&file, &keys)?;
        keys.join("players.toml")
    } else {
        file
    };
    let mut children = Vec::new();
    for (i, ns) in net.players.iter().enumerate() {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .arg(&exe)
            .arg("player")
            .args(["--id", &i.to_string(), "--players"])
            .arg(&players_file);
        if run.secure {
            cmd.arg("--key").arg(keys.join(format!("player-{i}.key")));
        } else {
            cmd.arg("--insecure");
        }
        cmd.args(player_args(params, run))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        children.push(
            cmd.spawn()
                .with_context(|| format!("starting player {i} in namespace {ns}"))?,
        );
    }
    // The players give up by themselves at their timeout; past that and a
    // margin, they are killed.
    let deadline = Instant::now() + run.timeout + Duration::from_secs(30);
    let mut reports = Vec::new();
    let mut problems = Vec::new();
    for (i, mut child) in children.into_iter().enumerate() {
        while child.try_wait()?.is_none() {
            if Instant::now() >= deadline {
                let _ = child.kill();
                problems.push(format!("player {i} did not exit after its timeout; killed"));
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.wait();
        let (mut out, mut err) = (String::new(), String::new());
        if let Some(mut s) = child.stdout.take() {
            let _ = s.read_to_string(&mut out);
        }
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        match out.lines().rev().find(|l| l.starts_with('{')) {
            Some(line) => {
                let r: PlayerRun = serde_json::from_str(line)
                    .with_context(|| format!("reading player {i}'s report"))?;
                reports.push(r);
            }
            None => problems.push(format!(
                "player {i} printed no report: {}",
                err.lines().last().unwrap_or("(nothing on stderr)")
            )),
        }
    }
    drop(net);
    if reports.len() < players {
        return Err(anyhow!("{}", problems.join("; ")));
    }
    let mut r = match reports.iter().find_map(|p| p.unsupported.clone()) {
        Some(reason) => RunReport::unsupported(run.strategy, params, params.n, reason),
        None => {
            let own: Vec<_> = reports.iter().map(|p| p.report.clone()).collect();
            let mut r = RunReport::combine_processes(run.strategy, params, params.n, &own);
            // Every player prepared the same plan: the first one's figures.
            r.set_strategy_figures(&reports[0].figures);
            r
        }
    };
    r.secure = run.secure;
    r.netns = true;
    r.rate_bps = run.rate.bps();
    Ok(r)
}

/// The command-line arguments `labelbench player` needs for `params`.
fn player_args(params: &RunParams, run: &NetnsRun) -> Vec<String> {
    vec![
        "--strategy".into(),
        run.strategy.into(),
        "--workload".into(),
        params.workload.to_string(),
        "--n".into(),
        params.n.to_string(),
        "--depth".into(),
        params.depth.to_string(),
        "--seed".into(),
        params.seed.to_string(),
        "--window".into(),
        params.window.to_string(),
        "--jitter".into(),
        format!("{}us", params.jitter_us),
        "--delay".into(),
        format!("{}us", params.delay_us),
        "--label-coding".into(),
        params.label_coding.to_string(),
        "--timeout".into(),
        format!("{}ms", run.timeout.as_millis()),
        "--label-bytes".into(),
        run.options.label_bytes.to_string(),
        "--format".into(),
        "json".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print() {
        for (text, rate) in [
            ("loopback", Rate::Loopback),
            ("unlimited", Rate::Unlimited),
            ("10mbit", Rate::BitsPerSecond(10_000_000)),
            ("1gbit", Rate::BitsPerSecond(1_000_000_000)),
            ("500kbit", Rate::BitsPerSecond(500_000)),
        ] {
            assert_eq!(text.parse::<Rate>(), Ok(rate));
            assert_eq!(rate.to_string(), text);
        }
        for bad in [
            "",
            "fast",
            "10",
            "mbit",
            "10 mbit",
            "0mbit",
            "999gbit",
            "99999999999999999999gbit",
        ] {
            let e = bad.parse::<Rate>().unwrap_err();
            assert!(e.contains("expected loopback, unlimited"), "{bad}: {e}");
        }
    }
}
