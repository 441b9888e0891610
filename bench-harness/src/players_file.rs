//! The players file: where each player of a multi-process run listens.
//!
//! ```toml
//! [[player]]
//! id = 0
//! host = "127.0.0.1"
//! port = 7100
//! ```

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

/// The parsed file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayersFile {
    /// One entry per player.
    player: Vec<PlayerEntry>,
}

/// One player's address.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlayerEntry {
    id: u64,
    host: String,
    port: u16,
}

impl PlayersFile {
    /// Reads and parses a players file.
    pub fn load(path: &Path) -> Result<PlayersFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the players file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("parsing the players file {}", path.display()))
    }

    /// Checks the ids are exactly 0..n and resolves every address; returns this
    /// player's index and the addresses in id order.
    pub fn resolve(&self, me: u64) -> Result<(usize, Vec<SocketAddr>)> {
        let n = self.player.len();
        let mut addrs: Vec<Option<SocketAddr>> = vec![None; n];
        for p in &self.player {
            let Some(slot) = addrs.get_mut(p.id as usize) else {
                bail!(
                    "players file: player id {} is out of range; ids must be 0..{n}",
                    p.id
                );
            };
            if slot.is_some() {
                bail!("players file: player id {} appears twice", p.id);
            }
            let addr = (p.host.as_str(), p.port)
                .to_socket_addrs()
                .with_context(|| format!("players file: cannot resolve {}:{}", p.host, p.port))?
                .next()
                .with_context(|| format!("players file: {}:{} has no address", p.host, p.port))?;
            *slot = Some(addr);
        }
        if me >= n as u64 {
            bail!("--id {me} is not in the players file (ids are 0..{n})");
        }
        Ok((
            me as usize,
            addrs
                .into_iter()
                .map(|a| a.expect("every id 0..n was filled"))
                .collect(),
        ))
    }
}
