//! `labelbench keys`: a key pair per player for secure links, written as one
//! private key file per player and a copy of the players file with every
//! player's public key; and reading them back for `labelbench player`.
//!
//! Each host gets the public players file and its own private key file only:
//! a player proves its identity with its private key, and recognises the
//! others by the public keys in the players file.

use crate::players_file::{from_hex, to_hex, PlayersFile};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use shamir_runtime::secure::{generate_keypair, LinkKeys};
use std::path::{Path, PathBuf};

/// A private key file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    /// The player it belongs to.
    id: u64,
    /// Its private X25519 key, hex.
    private_key: String,
}

/// The private key file of player `id` in `dir`.
fn key_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("player-{id}.key"))
}

/// Makes a key pair per player of the players file at `players` and writes
/// `DIR/players.toml` (the players file with public keys) and
/// `DIR/player-<id>.key` (each private key, readable by its owner only).
/// Returns the files written.
pub fn make_keys(players: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let mut file = PlayersFile::load(players)?;
    // The ids must be 0..n, as a run needs them (the hosts need not resolve here).
    file.check_ids()?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("creating the keys folder {}", out.display()))?;
    let mut written = Vec::new();
    let ids: Vec<u64> = file.player.iter().map(|p| p.id).collect();
    for id in ids {
        let (private, public) = generate_keypair()?;
        file.set_public_key(id, &public);
        let path = key_path(out, id);
        let text = format!(
            "# labelbench private key of player {id}: copy it to player {id}'s host only.\n{}",
            toml::to_string(&KeyFile {
                id,
                private_key: to_hex(&private),
            })?
        );
        write_private(&path, &text)?;
        written.push(path);
    }
    let public = out.join("players.toml");
    std::fs::write(&public, file.to_toml()?)
        .with_context(|| format!("writing {}", public.display()))?;
    written.push(public);
    Ok(written)
}

/// Writes `text` to a new file that only its owner can read.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).with_context(|| {
        format!(
            "creating {} (an existing key is never overwritten)",
            path.display()
        )
    })?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Player `me`'s link keys: its private key from `key` and every public key
/// from the players file, checked against each other.
pub fn load_link_keys(key: &Path, me: usize, file: &PlayersFile) -> Result<LinkKeys> {
    let text = std::fs::read_to_string(key)
        .with_context(|| format!("reading the private key file {}", key.display()))?;
    let parsed: KeyFile = toml::from_str(&text)
        .with_context(|| format!("parsing the private key file {}", key.display()))?;
    if parsed.id != me as u64 {
        bail!(
            "the private key file {} belongs to player {}, but this is player {me}",
            key.display(),
            parsed.id
        );
    }
    let private = from_hex(&parsed.private_key)
        .with_context(|| format!("the private key in {}", key.display()))?;
    Ok(LinkKeys::new(me, private, file.roster()?)?)
}
