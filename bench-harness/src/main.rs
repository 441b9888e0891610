//! `labelbench`: runs the study's workloads under each labelling strategy over
//! real TCP sockets and reports correctness, label size and speed.

mod cli;
mod meta;
mod output;
mod players_file;
mod strategy;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command, PlayerArgs, RunArgs};
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
    }
}

/// Exit status for a finished run: wrong results and hangs are findings (0);
/// any other error means the tool could not do its job (1).
fn status(error: Option<&str>, hung: bool) -> ExitCode {
    match error {
        Some(_) if !hung => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let params = args.common.params(args.players, args.threshold)?;
    let git_rev = meta::git_rev();
    let mut report = strategy::run_local(args.common.strategy, &params, args.common.timeout.into())
        .context("running the players")?;
    report.git_rev = git_rev;
    output::emit(&report, args.common.format, args.common.out.as_deref())?;
    Ok(status(report.error.as_deref(), report.hung))
}

fn player(args: PlayerArgs) -> Result<ExitCode> {
    let file = players_file::PlayersFile::load(&args.players)?;
    let (me, addrs) = file.resolve(args.id)?;
    let params = args.common.params(addrs.len() as u32, args.threshold)?;
    let listener = std::net::TcpListener::bind(addrs[me])
        .with_context(|| format!("player {me} cannot listen on {}", addrs[me]))?;
    let mut report = strategy::run_player(
        args.common.strategy,
        &params,
        me,
        addrs,
        listener,
        args.common.timeout.into(),
    );
    report.git_rev = meta::git_rev();
    output::emit_player(&report, args.common.format, args.common.out.as_deref())?;
    Ok(status(report.report.error.as_deref(), report.report.hung))
}
