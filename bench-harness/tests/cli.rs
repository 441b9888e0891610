//! The `labelbench` command line, end to end: the JSON line of `run` and its
//! documented fields, exit statuses (a wrong result is a finding, not a failure
//! of the tool; a player whose run hangs exits non-zero), clear refusals of bad
//! arguments, `--out`, and a run spread over three `labelbench player`
//! processes on loopback.

use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_labelbench");

/// Every field the JSON line of `labelbench run` documents.
const RUN_FIELDS: [&str; 32] = [
    "strategy",
    "workload",
    "players",
    "threshold",
    "n",
    "depth",
    "jitter_us",
    "delay_us",
    "label_coding",
    "netns",
    "rate_bps",
    "seed",
    "git_rev",
    "correct",
    "wrong",
    "inconsistent_opens",
    "orphans",
    "hung",
    "error",
    "wall_s",
    "input_s",
    "mul_per_s",
    "ops_per_s",
    "messages",
    "label_bytes_total",
    "label_bytes_mean",
    "label_bytes_max",
    "payload_bytes",
    "wire_bytes",
    "latency_p50_us",
    "latency_p99_us",
    "peak_rss_bytes",
];

fn labelbench(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running labelbench")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The one JSON line a successful `--format json` invocation prints.
fn json_line(out: &Output) -> Value {
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one line on stdout, got {stdout:?}\nstderr: {}",
        text(&out.stderr)
    );
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", lines[0]))
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A directory of its own under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "labelbench-cli-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("creating a temp dir");
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn run_prints_one_json_line_with_every_documented_field() {
    let out = labelbench(&[
        "run",
        "--strategy",
        "counter",
        "--workload",
        "independent",
        "--n",
        "1000",
        "--format",
        "json",
    ]);
    assert_success(&out, "labelbench run");
    let r = json_line(&out);
    for field in RUN_FIELDS {
        assert!(
            r.get(field).is_some(),
            "field `{field}` is missing from {r}"
        );
    }
    assert_eq!(r["strategy"], "counter");
    assert_eq!(r["workload"], "independent");
    assert_eq!(
        (r["players"].as_u64(), r["threshold"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        (r["n"].as_u64(), r["depth"].as_u64()),
        (Some(1000), Some(1))
    );
    assert_eq!(
        (r["jitter_us"].as_u64(), r["seed"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(r["correct"].as_u64(), Some(1000), "{r}");
    assert_eq!(r["wrong"].as_u64(), Some(0), "{r}");
    assert_eq!(r["inconsistent_opens"].as_u64(), Some(0), "{r}");
    assert_eq!(r["orphans"].as_u64(), Some(0), "{r}");
    assert_eq!(r["hung"], false, "{r}");
    assert!(r["error"].is_null(), "{r}");
    assert!(r["git_rev"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
    // 1000 multiplications and 1000 openings, each one message to each of two peers.
    assert!(r["messages"].as_u64().is_some_and(|m| m >= 4000), "{r}");
    assert!(
        r["label_bytes_mean"].as_f64().is_some_and(|m| m > 0.0),
        "{r}"
    );
    let wire = r["wire_bytes"].as_u64().unwrap_or(0);
    let parts =
        r["label_bytes_total"].as_u64().unwrap_or(0) + r["payload_bytes"].as_u64().unwrap_or(0);
    assert!(
        wire > parts,
        "frames are labels + payloads + length prefixes: {r}"
    );
}

#[test]
fn a_naive_run_with_wrong_results_still_exits_zero() {
    // A wrong result is a finding, not a failure of the tool. With a small
    // window the naive counter's labels depend on how issuing interleaves with
    // completions, which differs between players; it is wrong on practically
    // every run, but not by construction, so allow a few seeds to show it.
    let mut fooled = 0;
    for seed in ["1", "2", "3", "4", "5"] {
        let out = labelbench(&[
            "run",
            "--strategy",
            "naive",
            "--workload",
            "independent",
            "--n",
            "1000",
            "--window",
            "64",
            "--seed",
            seed,
            "--format",
            "json",
        ]);
        assert_success(&out, "a naive run");
        let r = json_line(&out);
        assert_eq!(r["strategy"], "naive");
        assert!(r["error"].is_null() && r["hung"] == false, "{r}");
        if r["correct"].as_u64() != Some(1000) {
            assert!(
                r["wrong"].as_u64().unwrap_or(0) + r["inconsistent_opens"].as_u64().unwrap_or(0)
                    > 0,
                "fewer correct results must show as wrong or inconsistent: {r}"
            );
            fooled += 1;
            break;
        }
    }
    assert!(
        fooled > 0,
        "the naive counter was right on every seed tried"
    );
}

/// Runs `args`, expects a refusal: a non-zero exit, `needle` on stderr, no panic.
fn assert_refused(args: &[&str], needle: &str) {
    let out = labelbench(args);
    let stderr = text(&out.stderr);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "{args:?} should have been refused, got {:?}\nstderr: {stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: stderr should mention {needle:?}: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{args:?} printed a report: {}",
        text(&out.stdout)
    );
}

#[test]
fn bad_command_line_values_are_refused_clearly() {
    let base = [
        "run",
        "--strategy",
        "counter",
        "--workload",
        "independent",
        "--n",
        "10",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };
    assert_refused(
        &with(&["--players", "3", "--threshold", "2"]),
        "threshold 2",
    );
    assert_refused(&with(&["--players", "1"]), "--players 1");
    assert_refused(&with(&["--players", "40"]), "--players 40");
    assert_refused(&with(&["--jitter", "xyz"]), "xyz");
    assert_refused(&with(&["--jitter", "5s"]), "--jitter");
    assert_refused(&with(&["--timeout", "soon"]), "soon");
    assert_refused(&with(&["--window", "0"]), "--window");
    assert_refused(&with(&["--depth", "0"]), "--depth");
    assert_refused(&with(&["--format", "xml"]), "xml");
    assert_refused(
        &[
            "run",
            "--strategy",
            "counter",
            "--workload",
            "bogus",
            "--n",
            "10",
        ],
        "unknown workload `bogus`",
    );
    assert_refused(
        &[
            "run",
            "--strategy",
            "lucky",
            "--workload",
            "tree",
            "--n",
            "10",
        ],
        "lucky",
    );
    assert_refused(
        &[
            "run",
            "--strategy",
            "counter",
            "--workload",
            "tree",
            "--n",
            "0",
        ],
        "--n",
    );
    assert_refused(
        &["run", "--strategy", "counter", "--workload", "tree"],
        "--n",
    );
    assert_refused(&["fly"], "fly");
}

/// [`assert_refused`], within `seconds` (the value must be refused before
/// any run or tracing starts), with no sign of an overflow.
fn assert_refused_quickly(args: &[&str], needles: &[&str], seconds: f64) {
    let started = std::time::Instant::now();
    for needle in needles {
        assert_refused(args, needle);
    }
    let took = started.elapsed().as_secs_f64() / needles.len() as f64;
    assert!(took < seconds, "{args:?} took {took:.2} s to be refused");
}

#[test]
fn values_beyond_what_a_run_can_do_are_refused_quickly() {
    let run = |strategy: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        ["run", "--strategy", strategy, "--workload", "independent"]
            .iter()
            .chain(extra)
            .copied()
            .collect()
    };
    // Durations: u64::MAX seconds overflowed `started + timeout` (a panic);
    // zero was accepted and reported a hang.
    for t in ["18446744073709551615s", "0s", "0", "8days"] {
        assert_refused_quickly(
            &run("counter", &["--n", "10", "--timeout", t]),
            &["--timeout", t],
            5.0,
        );
    }
    assert_refused_quickly(
        &run(
            "static",
            &["--n", "10", "--timeout", "18446744073709551615s"],
        ),
        &["--timeout", "7days"],
        5.0,
    );
    // n beyond 2^40 (u64::MAX ran until the timeout; `tree` wrapped to 0 leaves).
    for n in ["18446744073709551615", "1099511627777", "1e13"] {
        assert_refused_quickly(&run("counter", &["--n", n]), &["--n", n, "2^40"], 5.0);
    }
    assert_refused_quickly(&run("counter", &["--n", "2.5e7"]), &["--n", "2.5e7"], 5.0);
    // Static labels number gates with 32 bits: 2^32 multiplications are
    // about 2·10^10 gates, refused from an estimate, not after tracing.
    assert_refused_quickly(
        &run("static", &["--n", "4294967296", "--timeout", "1s"]),
        &["--n 4294967296", "--strategy static", "32-bit"],
        10.0,
    );
    // `--n 2e7` parses (the command); with too little memory the
    // program (about 1.6 GiB) is refused before tracing, naming both figures.
    let out = Command::new(BIN)
        .args(run("static", &["--n", "2e7", "--timeout", "1s"]))
        .env("LABELBENCH_MEM_AVAILABLE", "1000000000")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for needle in [
        "--n 20000000",
        "--strategy static",
        "GiB",
        "1,000,000,000 bytes",
        "LABELBENCH_MEM_AVAILABLE",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    // Tables that would not fit: 16 players, a window of 10^6.
    let out = Command::new(BIN)
        .args(run(
            "counter",
            &["--n", "10", "--players", "16", "--window", "1000000"],
        ))
        .env("LABELBENCH_MEM_AVAILABLE", "8000000000")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for needle in [
        "--window 1000000",
        "16 players",
        "per player",
        "smaller --window",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    // Where it fits, `--n 2e7` on static with `--timeout 1s` is a hung run
    // (tracing counts against the timeout), reported within about a second.
    let started = std::time::Instant::now();
    let out = labelbench(&run(
        "static",
        &["--n", "2e7", "--timeout", "1s", "--format", "json"],
    ));
    let took = started.elapsed().as_secs_f64();
    let j = json_line(&out);
    assert_eq!(j["hung"], true, "{j}");
    assert!(
        j["error"]
            .as_str()
            .unwrap_or("")
            .contains("tracing the program"),
        "{j}"
    );
    assert!(took < 5.0, "took {took:.2} s");
}

#[test]
fn grid_files_with_impossible_timeouts_are_refused() {
    let dir = TempDir::new("grid-timeout");
    for (value, needle) in [
        ("-1.0", "timeout_s = -1"),
        ("nan", "timeout_s = NaN"),
        ("1e300", "timeout_s = 1"),
    ] {
        let file = dir.path("grid.toml");
        std::fs::write(
            &file,
            format!(
                "reps = 1\ntimeout_s = {value}\n[[grid]]\nstrategies = [\"counter\"]\n\
                 workloads = [\"chain\"]\nplayers = [3]\nn = [10]\njitter_us = [0]\n"
            ),
        )
        .unwrap();
        let results = dir.path("results");
        let started = std::time::Instant::now();
        assert_refused(
            &[
                "sweep",
                "--grid",
                &file.display().to_string(),
                "--results",
                &results.display().to_string(),
                "--no-report",
            ],
            needle,
        );
        assert!(started.elapsed().as_secs() < 5);
    }
}

#[test]
fn out_appends_one_json_line_per_run() {
    let dir = TempDir::new("out");
    let file = dir.path("runs.jsonl");
    let args = |seed: &'static str, file: &Path| -> Vec<String> {
        [
            "run",
            "--strategy",
            "counter",
            "--workload",
            "tree",
            "--n",
            "50",
            "--seed",
            seed,
            "--format",
            "json",
            "--out",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([file.display().to_string()])
        .collect()
    };
    let first = Command::new(BIN)
        .args(args("1", &file))
        .output()
        .expect("running labelbench");
    assert_success(&first, "first run with --out");
    let second = Command::new(BIN)
        .args(args("2", &file))
        .output()
        .expect("running labelbench");
    assert_success(&second, "second run with --out");
    let saved = std::fs::read_to_string(&file).expect("the --out file exists");
    let lines: Vec<&str> = saved.lines().collect();
    assert_eq!(lines.len(), 2, "two runs append two lines: {saved:?}");
    for (line, (out, seed)) in lines.iter().zip([(&first, 1), (&second, 2)]) {
        let saved: Value = serde_json::from_str(line).expect("each line is JSON");
        assert_eq!(saved, json_line(out), "the file holds what stdout printed");
        assert_eq!(saved["seed"].as_u64(), Some(seed));
        assert_eq!(saved["correct"].as_u64(), Some(50), "{saved}");
    }
    // The table format appends the same JSON line.
    let table = Command::new(BIN)
        .args(
            args("3", &file)
                .into_iter()
                .map(|a| if a == "json" { "table".into() } else { a }),
        )
        .output()
        .expect("running labelbench");
    assert_success(&table, "a table run with --out");
    assert!(
        text(&table.stdout).contains("correct"),
        "{}",
        text(&table.stdout)
    );
    let saved = std::fs::read_to_string(&file).expect("the --out file exists");
    let last: Value =
        serde_json::from_str(saved.lines().last().expect("a third line")).expect("JSON");
    assert_eq!((saved.lines().count(), last["seed"].as_u64()), (3, Some(3)));
}

/// Three ports that were free a moment ago on 127.0.0.1.
fn free_ports() -> [u16; 3] {
    let listeners: Vec<TcpListener> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("binding a free port"))
        .collect();
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound address").port())
        .collect();
    [ports[0], ports[1], ports[2]]
}

fn players_file(dir: &TempDir, ports: [u16; 3]) -> PathBuf {
    let mut toml = String::new();
    for (id, port) in ports.iter().enumerate() {
        toml.push_str(&format!(
            "[[player]]\nid = {id}\nhost = \"127.0.0.1\"\nport = {port}\n\n"
        ));
    }
    let file = dir.path("players.toml");
    std::fs::write(&file, toml).expect("writing the players file");
    file
}

#[test]
fn three_secure_player_processes_run_one_computation() {
    let dir = TempDir::new("players");
    let file = players_file(&dir, free_ports());
    let keys = dir.path("keys");
    let made = Command::new(BIN)
        .args(["keys", "--players"])
        .arg(&file)
        .arg("--out")
        .arg(&keys)
        .output()
        .expect("running labelbench keys");
    assert_success(&made, "labelbench keys");
    let public = keys.join("players.toml");
    let text = std::fs::read_to_string(&public).expect("the public players file");
    assert_eq!(text.matches("public_key").count(), 3, "{text}");
    for id in 0..3 {
        let key = std::fs::read_to_string(keys.join(format!("player-{id}.key"))).unwrap();
        assert!(key.contains("private_key"), "{key}");
        assert!(
            !text.contains(key.lines().last().unwrap()),
            "a private key in the public file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(keys.join(format!("player-{id}.key")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "player {id}'s key file is readable by others"
            );
        }
    }
    let children: Vec<_> = (0..3)
        .map(|id| {
            Command::new(BIN)
                .args(["player", "--id", &id.to_string(), "--players"])
                .arg(&public)
                .arg("--key")
                .arg(keys.join(format!("player-{id}.key")))
                .args([
                    "--strategy",
                    "counter",
                    "--workload",
                    "independent",
                    "--n",
                    "500",
                    "--format",
                    "json",
                    "--timeout",
                    "30s",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawning a player process")
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("waiting for a player"))
        .collect();
    for (id, out) in outs.iter().enumerate() {
        assert_success(out, &format!("player {id}"));
        let r = json_line(out);
        assert_eq!(r["player"].as_u64(), Some(id as u64), "{r}");
        assert_eq!(r["strategy"], "counter", "{r}");
        assert_eq!(r["secure"], true, "{r}");
        assert_eq!(r["correct"].as_u64(), Some(500), "player {id}: {r}");
        assert_eq!(r["wrong"].as_u64(), Some(0), "player {id}: {r}");
        assert_eq!(r["hung"], false, "player {id}: {r}");
        assert!(r["error"].is_null(), "player {id}: {r}");
    }
}

#[test]
fn a_player_without_keys_is_refused_unless_insecure() {
    let dir = TempDir::new("no-keys");
    let file = players_file(&dir, free_ports());
    let file = file.display().to_string();
    let args = [
        "player",
        "--id",
        "0",
        "--players",
        &file,
        "--strategy",
        "counter",
        "--workload",
        "independent",
        "--n",
        "10",
    ];
    assert_refused(
        &args,
        "secure by default: give this player's private key with --key",
    );
    // Keys for another player, or a players file without public keys.
    let keys = dir.path("keys");
    let made = Command::new(BIN)
        .args(["keys", "--players", &file, "--out"])
        .arg(&keys)
        .output()
        .expect("running labelbench keys");
    assert_success(&made, "labelbench keys");
    let key1 = keys.join("player-1.key").display().to_string();
    let public = keys.join("players.toml").display().to_string();
    let mut wrong = args.to_vec();
    wrong[4] = &public;
    wrong.extend(["--key", &key1]);
    assert_refused(&wrong, "belongs to player 1, but this is player 0");
    let mut no_public = args.to_vec();
    let key0 = keys.join("player-0.key").display().to_string();
    no_public.extend(["--key", &key0]);
    assert_refused(&no_public, "player 0 has no public_key");
    // Keys are never overwritten.
    let again = Command::new(BIN)
        .args(["keys", "--players", &file, "--out"])
        .arg(&keys)
        .output()
        .expect("running labelbench keys");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("never overwritten"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn a_player_whose_run_hangs_exits_non_zero() {
    // Player 0 of three, and the others never come: its run hangs until the
    // timeout. The JSON line still reports it (`hung`, the error naming the
    // absent players), and the exit status says the run did not finish.
    let dir = TempDir::new("hang");
    let file = players_file(&dir, free_ports());
    let out = Command::new(BIN)
        .args(["player", "--id", "0", "--players"])
        .arg(&file)
        .args([
            "--insecure",
            "--strategy",
            "counter",
            "--workload",
            "independent",
            "--n",
            "10",
            "--format",
            "json",
            "--timeout",
            "1s",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("running a player");
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let r = json_line(&out);
    assert_eq!(r["hung"], true, "{r}");
    let error = r["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("timed out") && error.contains("never connected: player(s) 1, 2"),
        "{r}"
    );
}

#[test]
fn a_player_outside_the_players_file_is_refused() {
    let dir = TempDir::new("bad-id");
    let file = players_file(&dir, free_ports());
    let file = file.display().to_string();
    let common = [
        "--strategy",
        "counter",
        "--workload",
        "independent",
        "--n",
        "10",
    ];
    let args: Vec<&str> = ["player", "--id", "5", "--players", &file]
        .iter()
        .chain(&common)
        .copied()
        .collect();
    assert_refused(&args, "--id 5 is not in the players file");
    let missing = dir.path("nope.toml").display().to_string();
    let args: Vec<&str> = ["player", "--id", "0", "--players", &missing]
        .iter()
        .chain(&common)
        .copied()
        .collect();
    assert_refused(&args, "players file");
}

/// A run records the revision the binary was built from, not that of the
/// folder it is started in: from a folder outside any git checkout it is
/// still this workspace's revision.
#[test]
fn git_rev_is_the_revision_the_binary_was_built_from() {
    let outside = TempDir::new("rev");
    let out = Command::new(BIN)
        .args([
            "run",
            "--strategy",
            "counter",
            "--workload",
            "independent",
            "--n",
            "10",
            "--format",
            "json",
        ])
        .current_dir(&outside.0)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let line = json_line(&out);
    let recorded = line["git_rev"].as_str().unwrap().to_string();
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_string());
    match head {
        // Built from this checkout: its revision, perhaps marked dirty.
        Some(head) => assert_eq!(recorded.trim_end_matches("-dirty"), head, "{line}"),
        // Built from a copy outside git: it says so.
        None => assert_eq!(recorded, "unknown", "{line}"),
    }
}

/// A user's sweep writes to `results/local/<name>`, leaves the committed
/// `results/<name>` as it was, and its report compares the two.
#[test]
fn a_sweep_leaves_committed_results_alone_and_compares_with_them() {
    let dir = TempDir::new("reference");
    let committed = dir.path("results/mine");
    std::fs::create_dir_all(&committed).unwrap();
    std::fs::write(
        committed.join("grid.toml"),
        "reps = 1\n[[grid]]\nstrategies = [\"counter\", \"static\"]\nworkloads = [\"independent\"]\n\
         players = [3]\nn = [50]\njitter_us = [0]\n",
    )
    .unwrap();
    let sweep = |extra: &[&str]| {
        let out = Command::new(BIN)
            .args(["sweep", "--grid", "results/mine/grid.toml"])
            .args(extra)
            .current_dir(&dir.0)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_success(&out, "sweep");
        text(&out.stderr)
    };
    // The maintainer's run, into the committed folder.
    sweep(&["--results", "results/mine", "--no-report"]);
    let runs = std::fs::read(committed.join("runs.jsonl")).unwrap();
    // The user's run: the default folder, compared with the committed one.
    let said = sweep(&[]);
    assert!(
        said.contains("comparing with the committed results/mine"),
        "{said}"
    );
    assert_eq!(std::fs::read(committed.join("runs.jsonl")).unwrap(), runs);
    assert!(!committed.join("REPORT.md").exists());
    let report = std::fs::read_to_string(dir.path("results/local/mine/REPORT.md")).unwrap();
    let squeezed: String = report
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
        .collect();
    assert!(
        squeezed.contains("## Compared with the committed results"),
        "{report}"
    );
    for strategy in ["counter", "static"] {
        // One pair each, both correct, the same label bytes (the same seed).
        assert!(
            squeezed.contains(&format!("| {strategy} | 1 | 1 | 1 |")),
            "{report}"
        );
    }
}

/// The namespaces a run of `labelbench` made and left (there must be none).
fn leftover_namespaces() -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    text(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("lbns-"))
        .map(str::to_string)
        .collect()
}

/// Three player processes in namespaces of their own, on links shaped to
/// 10 Mbit/s, secure, with labels coded against the link and a 2 ms delay:
/// every result right, the shaping felt, and nothing left behind; and a run
/// that fails (a timeout far too short) leaves nothing behind either.
#[test]
fn players_in_network_namespaces_on_shaped_links() {
    if let Err(e) = bench_harness::netns::check_prerequisites() {
        eprintln!("skipped: {e}");
        return;
    }
    let run = |rate: &str, n: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            "--strategy",
            "counter",
            "--workload",
            "independent",
            "--n",
            n,
            "--rate",
            rate,
            "--secure",
            "--label-coding",
            "link",
            "--delay",
            "2ms",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        labelbench(&args)
    };
    let fast = run("unlimited", "5000", &[]);
    assert_success(&fast, "labelbench run --rate unlimited");
    let slow = run("10mbit", "5000", &[]);
    assert_success(&slow, "labelbench run --rate 10mbit");
    let (fast, slow) = (json_line(&fast), json_line(&slow));
    for r in [&fast, &slow] {
        assert_eq!(r["correct"].as_u64(), Some(5000), "{r}");
        assert_eq!(
            (r["netns"].as_bool(), r["secure"].as_bool()),
            (Some(true), Some(true)),
            "{r}"
        );
        assert_eq!(r["delay_us"].as_u64(), Some(2000), "{r}");
        assert_eq!(r["label_coding"], "link", "{r}");
        assert!(
            r["latency_p50_us"].as_f64().is_some_and(|l| l >= 2000.0),
            "{r}"
        );
    }
    // The strategy's own figures come through the players' processes too.
    assert_eq!(fast["dense_keys"], true, "{fast}");
    let traced = labelbench(&[
        "run",
        "--strategy",
        "static",
        "--workload",
        "nested",
        "--depth",
        "4",
        "--n",
        "500",
        "--rate",
        "unlimited",
        "--format",
        "json",
    ]);
    assert_success(&traced, "labelbench run --strategy static --rate unlimited");
    let traced = json_line(&traced);
    assert_eq!(traced["correct"].as_u64(), Some(500), "{traced}");
    assert!(
        traced["program_gates"].as_u64().is_some_and(|g| g > 500),
        "{traced}"
    );
    assert!(fast["rate_bps"].is_null(), "{fast}");
    assert_eq!(slow["rate_bps"].as_u64(), Some(10_000_000), "{slow}");
    // 5,000 multiplications send at least 5,000 · 4 frames of 10 bytes from
    // each player: at 10 Mbit/s that alone takes 40 ms.
    assert!(slow["wall_s"].as_f64().is_some_and(|w| w > 0.04), "{slow}");
    assert_eq!(leftover_namespaces(), Vec::<String>::new());
    let failed = run("10mbit", "200000", &["--timeout", "300ms"]);
    let r = json_line(&failed);
    assert!(r["hung"] == true || !r["error"].is_null(), "{r}");
    assert_eq!(leftover_namespaces(), Vec::<String>::new());
}
