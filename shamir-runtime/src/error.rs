//! Everything that can end a player's run, each naming what went wrong.

use crate::label::{LabelError, PlayerId};
use crate::link_coding::LinkCodingError;
use std::net::SocketAddr;

/// Why a player's run failed.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The run parameters are unusable.
    #[error("bad run parameters: {0}")]
    BadParams(String),
    /// The strategy will not run this program (see
    /// [`Refusal`](crate::strategy::Refusal)).
    #[error("strategy `{strategy}` refused the program: {reason}")]
    Refused {
        /// The strategy.
        strategy: String,
        /// Why.
        reason: String,
    },
    /// This player could not listen on its address.
    #[error("player {me} could not listen on {addr}: {source}")]
    Listen {
        /// This player.
        me: PlayerId,
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A peer's handshake was unreadable or was not a labelbench handshake.
    #[error("handshake with {who} failed: {reason}")]
    Handshake {
        /// The peer, as far as known.
        who: String,
        /// What was wrong.
        reason: String,
    },
    /// A peer runs another labelling strategy.
    #[error("player {peer} runs strategy `{theirs}`, but this player runs `{ours}`")]
    StrategyMismatch {
        /// The peer.
        peer: PlayerId,
        /// This player's strategy.
        ours: String,
        /// The peer's strategy.
        theirs: String,
    },
    /// A peer was started with other run parameters.
    #[error("player {peer} was started with different parameters: {}", .differences.join("; "))]
    ParamsMismatch {
        /// The peer.
        peer: PlayerId,
        /// Each differing parameter, named.
        differences: Vec<String>,
    },
    /// A connection claimed a player id outside the run.
    #[error("a connection from {addr} claims to be player {claimed}, which is not a peer this player accepts (players are 0..{players}, and player {me} accepts only higher ids)")]
    UnknownPlayer {
        /// The claimed id.
        claimed: u64,
        /// Where it came from.
        addr: SocketAddr,
        /// Number of players.
        players: usize,
        /// This player.
        me: PlayerId,
    },
    /// Two connections claimed the same player id.
    #[error("two connections claim to be player {claimed} (the second from {addr})")]
    DuplicatePlayer {
        /// The claimed id.
        claimed: u64,
        /// Where the second came from.
        addr: SocketAddr,
    },
    /// A message on a secure link failed authentication: it was altered, or
    /// did not come from the peer the link was opened with.
    #[error("a message on the secure link from player {peer} failed authentication ({reason}); the link is not trusted any more")]
    LinkTampered {
        /// The peer.
        peer: PlayerId,
        /// What the cipher reported.
        reason: String,
    },
    /// A peer sent bytes that are not a frame this run can accept.
    #[error("malformed frame from player {peer}: {reason}")]
    MalformedFrame {
        /// The peer.
        peer: PlayerId,
        /// What was wrong.
        reason: String,
    },
    /// A peer sent more messages that no operation here expects than this
    /// player keeps for a peer.
    #[error("player {peer} sent {held} messages that no operation here expects yet, the most this player keeps for a peer; refused at label {label}")]
    TooManyUnexpected {
        /// The peer.
        peer: PlayerId,
        /// Messages of the peer's already kept.
        held: usize,
        /// The label of the refused message, as the labeller shows it.
        label: String,
    },
    /// A peer's run failed, and it said why (an Abort frame) before closing
    /// the link: its reason is the first cause, not the closed link.
    #[error("player {peer} failed: {reason}")]
    PeerFailed {
        /// The peer.
        peer: PlayerId,
        /// The peer's error, as it put it.
        reason: String,
    },
    /// A peer closed its connection before saying the run was over.
    #[error("player {peer} disconnected mid-run; {waiting} operations here were still waiting and have failed")]
    PeerDisconnected {
        /// The peer.
        peer: PlayerId,
        /// Operations that were waiting here.
        waiting: usize,
    },
    /// Reading or writing a link failed.
    #[error("i/o error on the link with player {peer}: {source}")]
    Io {
        /// The peer.
        peer: PlayerId,
        /// The cause.
        source: std::io::Error,
    },
    /// The labeller refused an operation.
    #[error("labelling failed: {0}")]
    Label(#[from] LabelError),
    /// A label this player sends could not be coded against the link (its
    /// labeller's wire form is not of the form it declares).
    #[error("cannot code a label against the links: {0}")]
    LinkCoding(#[from] LinkCodingError),
    /// The program misused the runtime (e.g. read a value that was not known yet).
    #[error("program error: {0}")]
    Program(String),
    /// The run made no progress (no message taken by an operation, no
    /// operation finished) for the stall limit: hung.
    #[error("stalled: no progress for {after_s:.1} s (limit {limit_s:.1} s) in the {phase} phase with {waiting} operations still waiting{owed}")]
    Stalled {
        /// Seconds since the last progress.
        after_s: f64,
        /// The stall limit, seconds.
        limit_s: f64,
        /// Where it was: input, compute or finish.
        phase: &'static str,
        /// Operations waiting.
        waiting: usize,
        /// Who they wait for, e.g. "; waiting on player 2 for 7 operations
        /// (input #3, mul #12)"; empty if nobody is named.
        owed: String,
    },
    /// Players run in memory ([`crate::in_memory`]) came to a point where none
    /// can go on: every message sent was delivered and operations still wait.
    #[error("deadlocked in the {phase} phase: every message was delivered and {waiting} operations still wait")]
    Deadlocked {
        /// Where it was: input or compute.
        phase: &'static str,
        /// Operations waiting, summed over the players.
        waiting: usize,
    },
    /// The run did not finish before its deadline.
    #[error("timed out after {after_s:.3} s in the {phase} phase with {waiting} operations still waiting")]
    Timeout {
        /// Seconds since the player started.
        after_s: f64,
        /// Where it was: connect, input, compute or finish.
        phase: &'static str,
        /// Operations waiting when time ran out.
        waiting: usize,
    },
}
