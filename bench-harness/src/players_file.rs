//! The players file: where each player of a multi-process run listens, and,
//! once `labelbench keys` has written it, each player's public key.
//!
//! ```toml
//! [[player]]
//! id = 0
//! host = "127.0.0.1"
//! port = 7100
//! public_key = "3f0c…"   # 64 hex digits; added by `labelbench keys`
//! ```

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use shamir_runtime::secure::KEY_BYTES;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

/// The parsed file.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlayersFile {
    /// One entry per player.
    pub player: Vec<PlayerEntry>,
}

/// One player's address and public key.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlayerEntry {
    /// The player's id, 0..n.
    pub id: u64,
    /// Host name or address it listens on.
    pub host: String,
    /// Port it listens on.
    pub port: u16,
    /// Its public key (hex), if keys have been made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

impl PlayersFile {
    /// Reads and parses a players file.
    pub fn load(path: &Path) -> Result<PlayersFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the players file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("parsing the players file {}", path.display()))
    }

    /// Every player's public key, by id, or an error naming the first player
    /// without a valid one.
    pub fn roster(&self) -> Result<Vec<[u8; KEY_BYTES]>> {
        self.check_ids()?;
        let mut roster = vec![[0u8; KEY_BYTES]; self.player.len()];
        for p in &self.player {
            let Some(hex) = &p.public_key else {
                bail!(
                    "players file: player {} has no public_key; make keys with `labelbench keys`, or run with --insecure",
                    p.id
                );
            };
            let key = from_hex(hex)
                .with_context(|| format!("players file: player {}'s public_key", p.id))?;
            roster[p.id as usize] = key;
        }
        Ok(roster)
    }

    /// Writes the file, with whatever public keys it holds.
    pub fn to_toml(&self) -> Result<String> {
        Ok(toml::to_string(self)?)
    }

    /// Sets player `id`'s public key.
    pub fn set_public_key(&mut self, id: u64, key: &[u8; KEY_BYTES]) {
        for p in &mut self.player {
            if p.id == id {
                p.public_key = Some(to_hex(key));
            }
        }
    }

    /// Checks the ids are exactly 0..n, each once.
    pub fn check_ids(&self) -> Result<()> {
        let n = self.player.len();
        let mut seen = vec![false; n];
        for p in &self.player {
            let Some(slot) = seen.get_mut(p.id as usize) else {
                bail!(
                    "players file: player id {} is out of range; ids must be 0..{n}",
                    p.id
                );
            };
            if *slot {
                bail!("players file: player id {} appears twice", p.id);
            }
            *slot = true;
        }
        Ok(())
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

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A key from its hex form, or an error naming what is wrong.
pub fn from_hex(hex: &str) -> Result<[u8; KEY_BYTES]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 2 * KEY_BYTES {
        bail!(
            "a key is {} hex digits, this one has {} bytes",
            2 * KEY_BYTES,
            hex.len()
        );
    }
    if let Some(at) = hex.iter().position(|b| !b.is_ascii_hexdigit()) {
        bail!("a key is hex digits only; byte {at} is not one");
    }
    let digit = |b: u8| (b as char).to_digit(16).expect("checked above") as u8;
    let mut key = [0u8; KEY_BYTES];
    for (byte, pair) in key.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = digit(pair[0]) << 4 | digit(pair[1]);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_names_bad_input() {
        let key = [0xa5u8; KEY_BYTES];
        assert_eq!(from_hex(&to_hex(&key)).unwrap(), key);
        assert!(from_hex("abc")
            .unwrap_err()
            .to_string()
            .contains("64 hex digits"));
        let bad = "zz".repeat(KEY_BYTES);
        assert!(from_hex(&bad).unwrap_err().to_string().contains("byte 0"));
        // Not ASCII, and a sign that `from_str_radix` would take: refused, no panic.
        let euro = format!("{}€a", "0".repeat(2 * KEY_BYTES - 4));
        assert_eq!(euro.len(), 2 * KEY_BYTES);
        assert!(from_hex(&euro).is_err());
        let signed = format!("+a{}", "0".repeat(2 * KEY_BYTES - 2));
        assert!(from_hex(&signed)
            .unwrap_err()
            .to_string()
            .contains("byte 0"));
    }
}
