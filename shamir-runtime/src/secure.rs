//! Secure links: every pair of players authenticates with static keys and
//! encrypts its link with the Noise protocol (`Noise_IK_25519_AESGCM_SHA256`,
//! through the `snow` crate), and the PRSS keys are dealt over those links
//! instead of being derived from the public seed.
//!
//! **Identity.** Each player has an X25519 key pair; the roster (every
//! player's public key, indexed by player id) is known to all. The dialling
//! player knows whom it calls, so it runs IK as the initiator with the
//! responder's public key: only the holder of that player's private key can
//! answer. The responder learns the initiator's static key from the first
//! message, finds it in the roster and so knows which player it is; a key that
//! is not in the roster is a stranger. Nothing about the run is sent before
//! both sides are authenticated: the hellos (with the parameters and seed) go
//! over the encrypted link, the initiator's first, so the responder speaks
//! only to a peer that has proved itself.
//!
//! **Framing.** A Noise message is at most 65,535 bytes; on the wire each is
//! a 2-byte big-endian length and the ciphertext. The coalesced batches of
//! frames the outbox hands the writer are sealed in pieces of at most
//! [`MAX_PLAINTEXT`] bytes, so encryption adds 18 bytes per piece, not per
//! frame.
//!
//! **Secrets.** For every subset A of n − t players, the lowest player of A
//! samples k_A from the operating system's randomness and sends it to the
//! other members of A over their authenticated links
//! ([`deal_prss_keys`](crate::prss::deal_prss_keys),
//! [`PrssKeys`](crate::prss::PrssKeys)). The re-sharing randomness is seeded
//! from the operating system too (see `Engine::use_dealt_secrets`).

use crate::label::PlayerId;
use std::fmt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The Noise protocol every secure link speaks.
pub const NOISE_PARAMS: &str = "Noise_IK_25519_AESGCM_SHA256";

/// Bound into every handshake: a peer of another protocol version fails it.
const PROLOGUE: &[u8] = b"labelbench secure link v1";

/// Bytes of an X25519 key.
pub const KEY_BYTES: usize = 32;

/// The largest Noise message.
pub const MAX_MESSAGE: usize = 65_535;

/// Bytes of the AEAD tag on every message.
const TAG_BYTES: usize = 16;

/// Bytes of IK's first handshake message with an empty payload: the
/// ephemeral key, the encrypted static key and the empty payload's tag.
pub const FIRST_MESSAGE: usize = KEY_BYTES + (KEY_BYTES + TAG_BYTES) + TAG_BYTES;

/// The most plaintext one message carries.
pub const MAX_PLAINTEXT: usize = MAX_MESSAGE - TAG_BYTES;

/// A player's key pair and the roster it recognises its peers by.
#[derive(Clone)]
pub struct LinkKeys {
    /// This player's private key.
    private: [u8; KEY_BYTES],
    /// Every player's public key, by player id.
    roster: Vec<[u8; KEY_BYTES]>,
}

impl fmt::Debug for LinkKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkKeys")
            .field("private", &"<redacted>")
            .field("roster", &self.roster.len())
            .finish()
    }
}

/// Whether a player's links are authenticated and encrypted, and its secrets
/// dealt, or neither (the seeded mode of reproducible benchmarks).
#[derive(Debug, Clone)]
pub enum Security {
    /// Plaintext links; PRSS keys and re-sharing randomness derived from the
    /// public seed. Anyone who can reach a port can claim to be a player, and
    /// anyone who knows the seed can compute every secret.
    Insecure,
    /// Noise links authenticated with these keys; PRSS keys dealt over them;
    /// re-sharing randomness from the operating system.
    Secure(LinkKeys),
}

impl Security {
    /// Whether this is [`Security::Secure`].
    pub fn is_secure(&self) -> bool {
        matches!(self, Security::Secure(_))
    }
}

/// A key pair: (private, public).
pub type KeyPair = ([u8; KEY_BYTES], [u8; KEY_BYTES]);

/// Why keys could not be made or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The cryptographic library refused.
    #[error("making a key pair failed: {0}")]
    Generate(String),
    /// A private key does not belong to the roster entry of its player.
    #[error("the private key given for player {me} does not match player {me}'s public key in the roster")]
    NotInRoster {
        /// The player.
        me: PlayerId,
    },
    /// The roster names no such player.
    #[error("player {me} is not in the roster of {players} players")]
    UnknownPlayer {
        /// The player.
        me: PlayerId,
        /// Players in the roster.
        players: usize,
    },
    /// Two players share a public key.
    #[error("players {a} and {b} have the same public key in the roster")]
    SharedKey {
        /// One player.
        a: PlayerId,
        /// The other.
        b: PlayerId,
    },
}

fn noise_params() -> snow::params::NoiseParams {
    NOISE_PARAMS.parse().expect("a valid Noise protocol name")
}

/// A fresh X25519 key pair from the operating system's randomness.
pub fn generate_keypair() -> Result<KeyPair, KeyError> {
    let k = snow::Builder::new(noise_params())
        .generate_keypair()
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    let mut private = [0u8; KEY_BYTES];
    let mut public = [0u8; KEY_BYTES];
    private.copy_from_slice(&k.private);
    public.copy_from_slice(&k.public);
    Ok((private, public))
}

/// The public key of `private`.
pub fn public_key_of(private: &[u8; KEY_BYTES]) -> [u8; KEY_BYTES] {
    x25519_base(private)
}

/// X25519 of `private` with the base point, through the same resolver (and
/// so the same X25519 implementation) that `snow`'s handshakes use.
fn x25519_base(private: &[u8; KEY_BYTES]) -> [u8; KEY_BYTES] {
    use snow::resolvers::{CryptoResolver, DefaultResolver};
    let mut dh = DefaultResolver
        .resolve_dh(&snow::params::DHChoice::Curve25519)
        .expect("the default resolver has X25519");
    dh.set(private);
    let mut public = [0u8; KEY_BYTES];
    public.copy_from_slice(dh.pubkey());
    public
}

impl LinkKeys {
    /// Player `me`'s keys: its private key, checked against its entry in
    /// `roster` (every player's public key, by id).
    pub fn new(
        me: PlayerId,
        private: [u8; KEY_BYTES],
        roster: Vec<[u8; KEY_BYTES]>,
    ) -> Result<LinkKeys, KeyError> {
        let players = roster.len();
        let Some(mine) = roster.get(me) else {
            return Err(KeyError::UnknownPlayer { me, players });
        };
        if public_key_of(&private) != *mine {
            return Err(KeyError::NotInRoster { me });
        }
        for a in 0..players {
            for b in a + 1..players {
                if roster[a] == roster[b] {
                    return Err(KeyError::SharedKey { a, b });
                }
            }
        }
        Ok(LinkKeys { private, roster })
    }

    /// Fresh keys for every player of an in-process run (`labelbench run
    /// --secure`): nothing is written anywhere.
    pub fn for_local_run(players: usize) -> Result<Vec<LinkKeys>, KeyError> {
        let pairs: Vec<KeyPair> = (0..players)
            .map(|_| generate_keypair())
            .collect::<Result<_, _>>()?;
        let roster: Vec<[u8; KEY_BYTES]> = pairs.iter().map(|p| p.1).collect();
        pairs
            .iter()
            .enumerate()
            .map(|(me, p)| LinkKeys::new(me, p.0, roster.clone()))
            .collect()
    }

    /// Players in the roster.
    pub fn players(&self) -> usize {
        self.roster.len()
    }

    /// The player whose public key is `key`, if any.
    fn player_of(&self, key: &[u8]) -> Option<PlayerId> {
        self.roster.iter().position(|k| k[..] == *key)
    }
}

/// Writes one Noise message: its 2-byte length, then the bytes.
async fn write_message(stream: &mut TcpStream, message: &[u8]) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(2 + message.len());
    out.extend_from_slice(&(message.len() as u16).to_be_bytes());
    out.extend_from_slice(message);
    stream.write_all(&out).await
}

/// Reads one Noise message into `buf`, returning its length.
async fn read_message(
    stream: &mut TcpStream,
    buf: &mut [u8; MAX_MESSAGE],
) -> std::io::Result<usize> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await?;
    let len = u16::from_be_bytes(len) as usize;
    stream.read_exact(&mut buf[..len]).await?;
    Ok(len)
}

/// The handshake with `peer`, whom this player dialled: succeeds only if the
/// other end holds `peer`'s private key. Returns the link's transport state.
pub async fn initiate(
    stream: &mut TcpStream,
    keys: &LinkKeys,
    peer: PlayerId,
) -> Result<snow::TransportState, String> {
    let remote = keys
        .roster
        .get(peer)
        .ok_or_else(|| format!("player {peer} is not in the roster"))?;
    let mut hs = snow::Builder::new(noise_params())
        .prologue(PROLOGUE)
        .and_then(|b| b.local_private_key(&keys.private))
        .and_then(|b| b.remote_public_key(remote))
        .and_then(|b| b.build_initiator())
        .map_err(|e| format!("starting the secure handshake: {e}"))?;
    let mut buf = Box::new([0u8; MAX_MESSAGE]);
    let len = hs
        .write_message(&[], &mut buf[..])
        .map_err(|e| format!("writing the secure handshake: {e}"))?;
    write_message(stream, &buf[..len])
        .await
        .map_err(|e| format!("sending the secure handshake: {e}"))?;
    let mut reply = Box::new([0u8; MAX_MESSAGE]);
    let len = read_message(stream, &mut reply).await.map_err(|e| {
        format!("reading the secure handshake (is it running with --insecure?): {e}")
    })?;
    hs.read_message(&reply[..len], &mut buf[..])
        .map_err(|e| format!("it did not prove it holds player {peer}'s key ({e})"))?;
    hs.into_transport_mode()
        .map_err(|e| format!("finishing the secure handshake: {e}"))
}

/// The handshake with a connection this player accepted: succeeds only if the
/// other end holds the private key of a player in the roster. Returns that
/// player and the link's transport state. The caller must still receive one
/// transport message before trusting the link (the first handshake message
/// alone could be a replay).
pub async fn respond(
    stream: &mut TcpStream,
    keys: &LinkKeys,
) -> Result<(PlayerId, snow::TransportState), String> {
    let mut hs = snow::Builder::new(noise_params())
        .prologue(PROLOGUE)
        .and_then(|b| b.local_private_key(&keys.private))
        .and_then(|b| b.build_responder())
        .map_err(|e| format!("starting the secure handshake: {e}"))?;
    let mut prefix = [0u8; 2];
    stream
        .read_exact(&mut prefix)
        .await
        .map_err(|e| format!("reading the secure handshake: {e}"))?;
    let len = u16::from_be_bytes(prefix) as usize;
    if len != FIRST_MESSAGE {
        // Refused at once, so that a plaintext player learns it from the
        // closed connection rather than after a timeout.
        return Err(format!(
            "it is not a secure labelbench player of this run: its first message says {len} bytes, a secure handshake's is {FIRST_MESSAGE} (is it running with --insecure?)"
        ));
    }
    let mut msg = Box::new([0u8; MAX_MESSAGE]);
    stream
        .read_exact(&mut msg[..len])
        .await
        .map_err(|e| format!("reading the secure handshake: {e}"))?;
    let mut payload = Box::new([0u8; MAX_MESSAGE]);
    hs.read_message(&msg[..len], &mut payload[..])
        .map_err(|e| format!("it is not a secure labelbench player of this run ({e})"))?;
    let remote = hs
        .get_remote_static()
        .ok_or("the handshake carried no static key")?;
    let Some(peer) = keys.player_of(remote) else {
        return Err("its key is not in the roster: a stranger".into());
    };
    let len = hs
        .write_message(&[], &mut msg[..])
        .map_err(|e| format!("writing the secure handshake: {e}"))?;
    write_message(stream, &msg[..len])
        .await
        .map_err(|e| format!("sending the secure handshake: {e}"))?;
    let transport = hs
        .into_transport_mode()
        .map_err(|e| format!("finishing the secure handshake: {e}"))?;
    Ok((peer, transport))
}

/// Both ends of a link between players 1 (initiator) and 0 of `keys`' run,
/// handshaken in memory with no socket: for tests and fuzzing of the sealed
/// framing. `keys[i]` must be player i's keys.
pub fn transports_in_memory(
    keys: &[LinkKeys],
) -> Result<(snow::TransportState, snow::TransportState), snow::Error> {
    let mut initiator = snow::Builder::new(noise_params())
        .prologue(PROLOGUE)?
        .local_private_key(&keys[1].private)?
        .remote_public_key(&keys[0].roster[0])?
        .build_initiator()?;
    let mut responder = snow::Builder::new(noise_params())
        .prologue(PROLOGUE)?
        .local_private_key(&keys[0].private)?
        .build_responder()?;
    let mut m = vec![0u8; MAX_MESSAGE];
    let mut p = vec![0u8; MAX_MESSAGE];
    let n = initiator.write_message(&[], &mut m)?;
    responder.read_message(&m[..n], &mut p)?;
    let n = responder.write_message(&[], &mut m)?;
    initiator.read_message(&m[..n], &mut p)?;
    Ok((
        initiator.into_transport_mode()?,
        responder.into_transport_mode()?,
    ))
}

/// The longest setup payload ([`send_sealed`]): far above the largest PRSS
/// keys message (16 players, t = 7: 3,432 keys, 123,552 bytes) and hello.
pub const MAX_SETUP_PAYLOAD: usize = 1 << 20;

/// Sends `payload` (at most [`MAX_SETUP_PAYLOAD`] bytes) encrypted: its
/// 4-byte length and the bytes, in as many sealed messages as that takes.
pub async fn send_sealed(
    stream: &mut TcpStream,
    transport: &mut snow::TransportState,
    payload: &[u8],
) -> Result<(), String> {
    if payload.len() > MAX_SETUP_PAYLOAD {
        return Err(format!(
            "a setup message of {} bytes is over the {MAX_SETUP_PAYLOAD}-byte limit",
            payload.len()
        ));
    }
    let mut plain = Vec::with_capacity(4 + payload.len());
    plain.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    plain.extend_from_slice(payload);
    let mut out = Vec::new();
    seal(transport, &plain, &mut out).map_err(|e| format!("encrypting: {e}"))?;
    stream
        .write_all(&out)
        .await
        .map_err(|e| format!("sending: {e}"))
}

/// Receives one payload sent by [`send_sealed`], however many sealed
/// messages it took.
pub async fn receive_sealed(
    stream: &mut TcpStream,
    transport: &mut snow::TransportState,
) -> Result<Vec<u8>, String> {
    let mut msg = Box::new([0u8; MAX_MESSAGE]);
    let mut plain = Vec::new();
    let mut piece = vec![0u8; MAX_MESSAGE];
    loop {
        let len = read_message(stream, &mut msg)
            .await
            .map_err(|e| format!("reading: {e}"))?;
        let n = transport
            .read_message(&msg[..len], &mut piece)
            .map_err(|e| format!("a message failed authentication ({e})"))?;
        plain.extend_from_slice(&piece[..n]);
        let Some(prefix) = plain.first_chunk::<4>() else {
            continue;
        };
        let want = u32::from_le_bytes(*prefix) as usize;
        if want > MAX_SETUP_PAYLOAD {
            return Err(format!(
                "its setup message says {want} bytes, over the {MAX_SETUP_PAYLOAD}-byte limit"
            ));
        }
        if plain.len() >= 4 + want {
            if plain.len() > 4 + want {
                return Err(format!(
                    "its setup message says {want} bytes but carries {}",
                    plain.len() - 4
                ));
            }
            return Ok(plain.split_off(4));
        }
    }
}

/// Appends `plain` to `out` as sealed messages of at most [`MAX_PLAINTEXT`]
/// bytes each, every one with its 2-byte length (an empty `plain` is one
/// empty message).
pub fn seal(
    transport: &mut snow::TransportState,
    plain: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), snow::Error> {
    let empty: &[&[u8]] = &[&[]];
    let pieces: Box<dyn Iterator<Item = &[u8]>> = if plain.is_empty() {
        Box::new(empty.iter().copied())
    } else {
        Box::new(plain.chunks(MAX_PLAINTEXT))
    };
    for piece in pieces {
        let at = out.len();
        out.resize(at + 2 + piece.len() + TAG_BYTES, 0);
        let len = transport.write_message(piece, &mut out[at + 2..])?;
        out[at..at + 2].copy_from_slice(&(len as u16).to_be_bytes());
        out.truncate(at + 2 + len);
    }
    Ok(())
}

/// Opens every complete sealed message at the start of `sealed` into `plain`,
/// as long as `plain` has room for a whole message more. Returns the sealed
/// bytes consumed and the plaintext bytes written.
pub fn open(
    transport: &mut snow::TransportState,
    sealed: &[u8],
    plain: &mut [u8],
) -> Result<(usize, usize), snow::Error> {
    let (mut used, mut written) = (0, 0);
    while let Some(len) = sealed
        .get(used..used + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    {
        if sealed.len() < used + 2 + len || plain.len() - written < MAX_PLAINTEXT {
            break;
        }
        let n = transport.read_message(&sealed[used + 2..used + 2 + len], &mut plain[written..])?;
        used += 2 + len;
        written += n;
    }
    Ok((used, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_match_their_roster_entry() {
        let keys = LinkKeys::for_local_run(3).unwrap();
        assert_eq!(keys.len(), 3);
        let (other, _) = generate_keypair().unwrap();
        let err = LinkKeys::new(1, other, keys[0].roster.clone()).unwrap_err();
        assert!(err.to_string().contains("does not match player 1"), "{err}");
        let err = LinkKeys::new(3, other, keys[0].roster.clone()).unwrap_err();
        assert!(err.to_string().contains("not in the roster"), "{err}");
        let mut roster = keys[0].roster.clone();
        roster[2] = roster[1];
        let err = LinkKeys::new(0, keys[0].private, roster).unwrap_err();
        assert!(err.to_string().contains("players 1 and 2"), "{err}");
    }

    #[test]
    fn setup_payloads_longer_than_one_message_arrive_whole() {
        let keys = LinkKeys::for_local_run(2).unwrap();
        let (mut ti, mut tr) = transports_in_memory(&keys).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut a = TcpStream::connect(addr).await.unwrap();
            let (mut b, _) = listener.accept().await.unwrap();
            // The PRSS keys dealer 0 sends player 1 at 16 players, t = 7.
            let dealt = crate::prss::deal_prss_keys(16, 7, 0)
                .unwrap()
                .for_peer(1)
                .to_bytes();
            assert_eq!(dealt.len(), 123_552);
            for payload in [&dealt[..], b"", b"hello"] {
                let send = send_sealed(&mut a, &mut ti, payload);
                let (sent, got) = tokio::join!(send, receive_sealed(&mut b, &mut tr));
                sent.unwrap();
                assert_eq!(got.unwrap(), payload);
            }
            let keys = crate::prss::PrssKeys::from_dealer(&dealt, 16, 7, 0, 1).unwrap();
            assert_eq!(keys.keys.len(), 3_432);
        });
    }

    #[test]
    fn sealed_pieces_open_back_to_the_plaintext() {
        let keys = LinkKeys::for_local_run(2).unwrap();
        let (mut ti, mut tr) = transports_in_memory(&keys).unwrap();
        let plain: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
        let mut sealed = Vec::new();
        seal(&mut ti, &plain, &mut sealed).unwrap();
        assert_eq!(sealed.len(), plain.len() + 4 * 18, "four pieces");
        let mut out = vec![0u8; 4 * MAX_MESSAGE];
        // Fed in two halves, as a reader sees them.
        let half = sealed.len() / 2;
        let (used, written) = open(&mut tr, &sealed[..half], &mut out).unwrap();
        let (used2, written2) = open(&mut tr, &sealed[used..], &mut out[written..]).unwrap();
        assert_eq!(used + used2, sealed.len());
        assert_eq!(&out[..written + written2], &plain[..]);
        // An empty message is one message, and opens to nothing.
        let mut none = Vec::new();
        seal(&mut ti, b"", &mut none).unwrap();
        assert_eq!(none.len(), 2 + 16);
        assert_eq!(open(&mut tr, &none, &mut out).unwrap(), (18, 0));
        // A flipped bit fails authentication.
        let mut more = Vec::new();
        seal(&mut ti, b"x", &mut more).unwrap();
        more[3] ^= 1;
        assert!(open(&mut tr, &more, &mut out).is_err());
    }
}
