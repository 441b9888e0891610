//! What the integration tests share: a minimal labeller, the setup of one of
//! its players, and a fake player's plaintext handshake.

#![allow(dead_code)] // each test file uses its own part of this

use shamir_runtime::label::{decode_varint_label, Issued, LabelError, Labeller, OpKind};
use shamir_runtime::player::{stall_limit, PlayerSetup};
use shamir_runtime::secure::Security;
use shamir_runtime::wire::{Hello, MAGIC, PROTOCOL_VERSION};
use shamir_runtime::RunParams;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// The hello player `player` sends for a run of `strategy` with `params`.
pub fn hello(player: u64, strategy: &str, params: &RunParams) -> Hello {
    Hello {
        magic: MAGIC,
        version: PROTOCOL_VERSION,
        player,
        strategy: strategy.to_string(),
        params_digest: params.digest(),
        params: params.clone(),
    }
}

/// A fake player dials the real player at `addr` on an insecure link: sends
/// `ours`, then reads the real player's hello. Returns the open link and
/// that hello.
pub fn fake_dial(addr: SocketAddr, ours: &Hello) -> (TcpStream, Hello) {
    let mut s = TcpStream::connect(addr).expect("the fake connects");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&ours.to_frame())
        .expect("the fake sends its handshake");
    let mut prefix = [0u8; 4];
    s.read_exact(&mut prefix)
        .expect("reading the real player's handshake");
    let mut body = vec![0u8; Hello::body_len(prefix).expect("a sane handshake")];
    s.read_exact(&mut body)
        .expect("reading the real player's handshake");
    let theirs = Hello::from_body(&body).expect("a valid handshake");
    (s, theirs)
}

/// Player `me`'s setup for a run of [`FlatCounter`] (strategy `flat`):
/// insecure links, the default stall limit for `timeout`. Tests change what
/// they need with struct update syntax.
pub fn flat_setup(
    me: usize,
    params: &RunParams,
    addrs: &[SocketAddr],
    listener: TcpListener,
    timeout: Duration,
) -> PlayerSetup {
    PlayerSetup {
        me,
        params: params.clone(),
        strategy: "flat".to_string(),
        addrs: addrs.to_vec(),
        listener,
        timeout,
        stall: stall_limit(timeout),
        security: Security::Insecure,
    }
}
use shamir_runtime::wire::put_varint;

/// One counter, read at issue. Correct for programs without continuations
/// (such as `independent` and `chain`, the ones these tests run).
#[derive(Debug, Default)]
pub struct FlatCounter {
    next: u64,
}

impl Labeller for FlatCounter {
    type Label = u64;
    type Tag = ();
    type Context = ();

    fn issue(&mut self, op: OpKind, _operands: &[&()]) -> Result<Issued<u64, ()>, LabelError> {
        let label = op.is_labelled().then(|| {
            self.next += 1;
            self.next - 1
        });
        Ok(Issued { label, tag: () })
    }

    fn encode(&self, label: &u64, out: &mut Vec<u8>) {
        put_varint(out, *label);
    }

    fn decode(&self, bytes: &[u8]) -> Result<u64, LabelError> {
        decode_varint_label(bytes)
    }
}
