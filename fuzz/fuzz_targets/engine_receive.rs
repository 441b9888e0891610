//! The engine's receive path, fed arbitrary bytes from arbitrary peers.
//!
//! Player 0 of 3 runs a small study workload (issuing every operation it
//! can, as a player does before its peers answer), and the rest of the input
//! is split into chunks, each from player 1 or 2, handed to
//! [`Engine::receive`] the way a link reader does: the bytes a call did not
//! consume stay at the front of that peer's buffer for the next call. The
//! first byte picks the labeller (dense counter labels, the same filed by
//! hash, or labels read at send), the workload, and (bit 7) whether labels
//! are coded against the link.
//!
//! Checked: no panic; `receive` never claims more bytes than it was given;
//! what it leaves is an incomplete frame (or, after a goodbye, nothing that
//! parses); an error ends the peer's link as it ends a player; checks never
//! outnumber the workload's outputs.
#![no_main]

use labels_counter::{NaiveCounter, ProgramCounter};
use libfuzzer_sys::fuzz_target;
use shamir_runtime::label::HashFiled;
use shamir_runtime::outbox::Outbox;
use shamir_runtime::shamir::Shamir;
use shamir_runtime::wire::parse_frame;
use shamir_runtime::{workloads, Engine, Labeller, WorkloadKind};
use std::rc::Rc;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let workload = WorkloadKind::ALL[usize::from(mode >> 2) % WorkloadKind::ALL.len()];
    let coded = mode & 0x80 != 0;
    match mode & 3 {
        0 | 3 => drive(ProgramCounter::new(), workload, coded, rest),
        1 => drive(HashFiled(ProgramCounter::new()), workload, coded, rest),
        _ => drive(NaiveCounter::new(), workload, coded, rest),
    }
});

fn drive<L: Labeller>(labeller: L, kind: WorkloadKind, coded: bool, mut data: &[u8]) {
    let outboxes = (0..3)
        .map(|p| (p != 0).then(|| Rc::new(Outbox::new(None))))
        .collect();
    let shamir = Shamir::new(3, 1).expect("3 players, t = 1");
    let mut engine = Engine::new(0, shamir, 1, labeller, outboxes, 16);
    if coded {
        engine.code_labels_against_links();
    }
    let mut program = workloads::build::<Engine<L>>(kind, 6, 2, 1);
    while program.deal(&mut engine) {}
    while program.compute(&mut engine) {}
    engine.flush();
    if engine.take_error().is_some() {
        return;
    }
    let mut buffers = [Vec::new(), Vec::new(), Vec::new()];
    let mut open = [false, true, true];
    // Chunks: a head byte (bit 0 picks the peer, the rest the length, up to
    // 127 bytes), then the bytes.
    while let [head, tail @ ..] = data {
        let peer = 1 + usize::from(head & 1);
        let (chunk, next) = tail.split_at(usize::from(head >> 1).min(tail.len()));
        data = next;
        if !open[peer] {
            continue;
        }
        let buf = &mut buffers[peer];
        buf.extend_from_slice(chunk);
        match engine.receive(peer, buf) {
            Ok((used, bye)) => {
                assert!(used <= buf.len(), "used {used} of {}", buf.len());
                buf.drain(..used);
                if bye {
                    assert!(matches!(parse_frame(buf), Ok(None)));
                    open[peer] = false;
                } else {
                    assert_eq!(parse_frame(buf), Ok(None), "a whole frame left unread");
                }
            }
            Err(e) => {
                // Named, and the link ends as the player's reader ends it.
                assert!(!e.to_string().is_empty());
                open[peer] = false;
            }
        }
        let c = engine.counters();
        assert!(c.correct + c.wrong + c.unverifiable <= program.outputs());
        if engine.take_error().is_some() {
            return;
        }
    }
}
