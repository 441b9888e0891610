//! The strategies `labelbench` knows: the one list. The harness knows a
//! strategy only through [`AnyStrategy`]; adding a fifth is a new
//! `labels-*` crate that implements [`shamir_runtime::Strategy`], and one line
//! in [`all`].

use anyhow::{bail, Result};
use labels_counter::{CounterStrategy, NaiveStrategy};
use labels_history::HistoryStrategy;
use labels_static::StaticStrategy;
use shamir_runtime::AnyStrategy;
use std::sync::OnceLock;

/// The options of the strategies that take any: today, history labels' size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Bytes of a history label.
    pub label_bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            label_bytes: labels_history::DEFAULT_LABEL_BYTES,
        }
    }
}

/// Every strategy, in the order tables and legends list them.
pub fn all(options: &Options) -> Result<Vec<Box<dyn AnyStrategy>>> {
    Ok(vec![
        Box::new(NaiveStrategy),
        Box::new(CounterStrategy),
        Box::new(HistoryStrategy::new(options.label_bytes)?),
        Box::new(StaticStrategy),
    ])
}

/// Every strategy's name, in [`all`]'s order (built once: legends sort by it).
pub fn names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        all(&Options::default())
            .expect("the default options are valid")
            .iter()
            .map(|s| s.name())
            .collect()
    })
}

/// The strategy called `name`, with `options`.
pub fn by_name(name: &str, options: &Options) -> Result<Box<dyn AnyStrategy>> {
    match all(options)?.into_iter().find(|s| s.name() == name) {
        Some(s) => Ok(s),
        None => bail!(
            "unknown strategy `{name}`: expected one of {}",
            names().join(", ")
        ),
    }
}

/// `name`, or every strategy for `all`.
pub fn chosen(name: &str, options: &Options) -> Result<Vec<Box<dyn AnyStrategy>>> {
    if name == ALL {
        all(options)
    } else {
        Ok(vec![by_name(name, options)?])
    }
}

/// The command-line value that runs every strategy in turn.
pub const ALL: &str = "all";

/// Where a strategy's name sorts in legends and tables: [`all`]'s order,
/// then any other name (from older results) alphabetically.
pub fn rank(name: &str) -> (usize, String) {
    let known = names();
    let i = known.iter().position(|k| *k == name).unwrap_or(known.len());
    (i, name.to_string())
}

/// The values `--strategy` accepts, each with its one-line help: every
/// strategy, then [`ALL`].
pub fn possible_values() -> Vec<clap::builder::PossibleValue> {
    let mut values: Vec<_> = all(&Options::default())
        .expect("the default options are valid")
        .iter()
        .map(|s| clap::builder::PossibleValue::new(s.name()).help(s.about()))
        .collect();
    values.push(
        clap::builder::PossibleValue::new(ALL)
            .help("every strategy in turn on the same workload, parameters and seed"),
    );
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let names = names();
        assert_eq!(names, ["naive", "counter", "history", "static"]);
        for n in names {
            assert_eq!(by_name(n, &Options::default()).unwrap().name(), *n);
        }
        let e = by_name("nope", &Options::default())
            .err()
            .expect("an unknown name")
            .to_string();
        assert!(
            e.contains("unknown strategy `nope`") && e.contains("static"),
            "{e}"
        );
        assert_eq!(chosen(ALL, &Options::default()).unwrap().len(), 4);
    }

    #[test]
    fn a_history_player_announces_its_label_size() {
        let o = Options { label_bytes: 8 };
        assert_eq!(
            by_name("history", &o).unwrap().handshake_name(),
            "history/8"
        );
        assert_eq!(by_name("counter", &o).unwrap().handshake_name(), "counter");
    }
}
