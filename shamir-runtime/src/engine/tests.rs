//! The engine's own checks: what it frees, and what it refuses from a peer.

use super::*;
use crate::program::{Mpc, Share};
use crate::wire::put_message;

/// One counter read at issue, every label dense.
#[derive(Debug, Default)]
struct Flat(u64);

impl Labeller for Flat {
    type Label = u64;
    type Tag = ();
    type Context = ();

    fn issue(
        &mut self,
        op: OpKind,
        _operands: &[&()],
    ) -> Result<crate::label::Issued<u64, ()>, LabelError> {
        let label = op.is_labelled().then(|| {
            self.0 += 1;
            self.0 - 1
        });
        Ok(crate::label::Issued { label, tag: () })
    }

    fn encode(&self, label: &u64, out: &mut Vec<u8>) {
        crate::wire::put_varint(out, *label);
    }

    fn decode(&self, bytes: &[u8]) -> Result<u64, LabelError> {
        crate::label::decode_varint_label(bytes)
    }

    fn dense_key(&self, label: &u64) -> Option<u64> {
        Some(*label)
    }

    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        crate::wire::varint_exact(bytes)
    }
}

/// Player 0 of 3 with a window of `window`, its outboxes unread.
fn engine(window: usize) -> Engine<Flat> {
    let outboxes = (0..3)
        .map(|p| (p != 0).then(|| Rc::new(Outbox::new(None))))
        .collect();
    Engine::new(
        0,
        Shamir::new(3, 1).unwrap(),
        1,
        Flat::default(),
        outboxes,
        window,
    )
}

fn frame(label: u64, value: u64) -> Vec<u8> {
    let mut l = Vec::new();
    crate::wire::put_varint(&mut l, label);
    let mut f = Vec::new();
    put_message(&mut f, &l, Fp::new(value));
    f
}

#[test]
fn released_values_are_reused_and_results_nobody_holds_are_never_stored() {
    let mut e = engine(16);
    for i in 0..1000u64 {
        let a = e.input(0, Fp::new(i));
        let b = e.input(0, Fp::new(i + 1));
        let c = e.mul(a, b);
        e.release(a.0);
        e.release(b.0);
        let o = e.open(c);
        e.release(c.0);
        e.check(o, Fp::new(i * (i + 1)));
        e.release(o.0);
    }
    assert!(e.take_error().is_none());
    // Inputs of player 0 are known at once; each product and opening waits
    // for the peers (who never answer here): the entries stay, the inputs go.
    assert_eq!(e.live_ops(), 2000);
    assert_eq!(
        e.held_values(),
        2000,
        "a pending product and its pending opening per item; no inputs"
    );
    let used_before = e.values.slots();
    let x = e.input(0, Fp::ONE);
    e.release(x.0);
    assert_eq!(e.values.slots(), used_before, "a freed slot is reused");
}

#[test]
fn using_a_released_value_is_a_program_error() {
    let mut e = engine(16);
    let a = e.input(0, Fp::ONE);
    e.release(a.0);
    let _ = e.mul(a, Share(a.0));
    let err = e.take_error().expect("an error").to_string();
    assert!(err.contains("used after the program released it"), "{err}");
    let mut e = engine(16);
    let a = e.input(0, Fp::ONE);
    e.release(a.0);
    e.release(a.0);
    let err = e.take_error().expect("an error").to_string();
    assert!(err.contains("released twice"), "{err}");
}

#[test]
fn a_flood_of_labels_far_ahead_is_refused_naming_peer_and_label() {
    let mut e = engine(4);
    let capacity = e.table.capacity() as u64;
    // Every dense slot, then the general region's allowance for player 2.
    let mut flood = Vec::new();
    for k in 0..2 * capacity {
        flood.extend(frame(k, 5));
    }
    assert!(e.receive(2, &flood).is_ok());
    assert_eq!(e.queued_messages() as u64, 2 * capacity);
    let far = 1 << 40;
    let err = e.receive(2, &frame(far, 5)).unwrap_err().to_string();
    assert!(
        err.contains(&format!("player 2 sent {capacity} messages"))
            && err.contains(&far.to_string()),
        "{err}"
    );
}

#[test]
fn a_peer_flooding_unexpected_labels_is_refused_before_memory_grows() {
    // Labels that are not dense go to the general region, bounded per peer.
    let mut e: Engine<crate::label::HashFiled<Flat>> = {
        let outboxes = (0..3)
            .map(|p| (p != 0).then(|| Rc::new(Outbox::new(None))))
            .collect();
        Engine::new(
            0,
            Shamir::new(3, 1).unwrap(),
            1,
            crate::label::HashFiled(Flat::default()),
            outboxes,
            4,
        )
    };
    let capacity = e.table.capacity() as u64;
    let mut flood = Vec::new();
    for k in 0..capacity {
        flood.extend(frame(k, 1));
    }
    assert!(e.receive(1, &flood).is_ok());
    let err = e.receive(1, &frame(capacity, 1)).unwrap_err().to_string();
    assert!(
        err.contains("player 1 sent") && err.contains("expects"),
        "{err}"
    );
}
