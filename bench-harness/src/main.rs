//! `labelbench`: runs the study's workloads under each labelling strategy over
//! real TCP sockets and reports correctness, label size and speed.

use bench_harness::{
    cli, keys, limits, meta, netns, output, player, players_file, plot, report_md, results,
    strategies, sweep,
};

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command, KeysArgs, PlayerArgs, RunArgs};
use shamir_runtime::secure::Security;
use shamir_runtime::strategy::LocalRun;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("labelbench: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Player(args) => player(args),
        Command::Keys(args) => make_keys(args),
        Command::Sweep(args) => {
            sweep::sweep(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plot(args) => {
            let runs = results::load_runs(&args.results.join("runs.jsonl"))?;
            for path in plot::plot_all(&runs, &args.results.join("plots"))? {
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(args) => {
            let runs = results::load_runs(&args.results.join("runs.jsonl"))?;
            let path = args.results.join("REPORT.md");
            let reference = results::load_reference(args.reference())?;
            report_md::write_report(
                &runs,
                &args.results.join("plots"),
                &path,
                reference.as_ref(),
            )?;
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn make_keys(args: KeysArgs) -> Result<ExitCode> {
    for path in keys::make_keys(&args.players, &args.out)? {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether a finished run means the tool could not do its job: wrong results
/// and hangs are findings, any other error is a failure.
fn tool_failed(error: Option<&str>, hung: bool) -> bool {
    error.is_some() && !hung
}

fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let params = args.common.params(args.players, args.threshold)?;
    let (git_rev, machine) = (meta::git_rev(), meta::machine());
    let strategies = strategies::chosen(&args.common.strategy, &args.common.options())?;
    // Every player of a local run is in this process.
    for s in &strategies {
        limits::check_memory(s.as_ref(), &params, params.players as usize)?;
    }
    let how = LocalRun {
        timeout: args.common.timeout.into(),
        dense_keys: !args.common.no_dense_keys,
        secure: args.secure,
    };
    let mut reports = Vec::new();
    for s in strategies {
        let date = meta::now_rfc3339();
        let mut report = if args.rate.in_namespaces() {
            let run = netns::NetnsRun {
                strategy: s.name(),
                options: &args.common.options(),
                secure: args.secure,
                rate: args.rate,
                timeout: args.common.timeout.into(),
            };
            netns::run(&params, &run).with_context(|| {
                format!(
                    "running the players of strategy `{}` in network namespaces",
                    s.name()
                )
            })?
        } else {
            s.run_local(&params, how)
                .with_context(|| format!("running the players with strategy `{}`", s.name()))?
        };
        meta::stamp(&mut report, &git_rev, &date, &machine);
        reports.push(report);
    }
    output::emit(&reports, args.common.format, args.common.out.as_deref())?;
    let failed = reports
        .iter()
        .any(|r| tool_failed(r.error.as_deref(), r.hung));
    Ok(exit_code(failed))
}

fn player(args: PlayerArgs) -> Result<ExitCode> {
    let file = players_file::PlayersFile::load(&args.players)?;
    let (me, addrs) = file.resolve(args.id)?;
    let security = match (&args.key, args.insecure) {
        (Some(key), _) => Security::Secure(keys::load_link_keys(key, me, &file)?),
        (None, true) => Security::Insecure,
        (None, false) => anyhow::bail!(
            "`labelbench player` is secure by default: give this player's private key with --key (make keys with `labelbench keys`), or run with --insecure"
        ),
    };
    let params = args.common.params(addrs.len() as u32, args.threshold)?;
    if args.common.strategy == strategies::ALL {
        anyhow::bail!("`labelbench player` runs one strategy: `all` is for `labelbench run`");
    }
    let s = strategies::by_name(&args.common.strategy, &args.common.options())?;
    limits::check_memory(s.as_ref(), &params, 1)?;
    let listener = std::net::TcpListener::bind(addrs[me])
        .with_context(|| format!("player {me} cannot listen on {}", addrs[me]))?;
    let timeout = args.common.timeout.into();
    let report = player::run_player(s.as_ref(), &params, me, addrs, listener, timeout, security)?;
    output::emit_player(&report, args.common.format, args.common.out.as_deref())?;
    // One player of a run spread over hosts: whoever started it learns of a
    // hang (a stall or a timeout) from the exit status, as of any other error.
    Ok(exit_code(report.report.error.is_some()))
}
