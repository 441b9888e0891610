//! [`NaiveCounter`]: the control that shows the failure. One counter per
//! player, read when the message goes out.

use shamir_runtime::label::{
    decode_varint_label, Issued, LabelError, LabelTiming, Labeller, OpKind, WireForm,
};
use shamir_runtime::wire::{put_varint, varint_exact, varint_len};

/// A single counter per player, read and incremented when an operation's
/// messages go out (or, for an operation that only receives, when it is ready
/// to receive). Wrong whenever two players reach operations in different orders.
#[derive(Debug, Clone, Default)]
pub struct NaiveCounter {
    next: u64,
}

/// A naive label: the counter value, sent as a varint.
pub type NaiveLabel = u64;

impl NaiveCounter {
    /// A counter at 0.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Labeller for NaiveCounter {
    type Label = NaiveLabel;
    type Tag = ();
    type Context = ();

    const TIMING: LabelTiming = LabelTiming::AtSend;
    const DENSE_KEYS: bool = true;
    const WIRE_FORM: WireForm = WireForm::Varints;

    fn issue(&mut self, _op: OpKind, _operands: &[&()]) -> Result<Issued<u64, ()>, LabelError> {
        Ok(Issued {
            label: None,
            tag: (),
        })
    }

    fn at_send(&mut self, _op: OpKind) -> Result<u64, LabelError> {
        let label = self.next;
        self.next += 1;
        Ok(label)
    }

    fn encode(&self, label: &u64, out: &mut Vec<u8>) {
        put_varint(out, *label);
    }

    fn decode(&self, bytes: &[u8]) -> Result<u64, LabelError> {
        decode_varint_label(bytes)
    }

    fn encoded_len(&self, label: &u64) -> usize {
        varint_len(*label)
    }

    fn dense_key(&self, label: &u64) -> Option<u64> {
        Some(*label)
    }

    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        varint_exact(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_at_send_not_at_issue() {
        let mut c = NaiveCounter::new();
        assert!(c.issue(OpKind::Mul, &[]).unwrap().label.is_none());
        assert_eq!(c.at_send(OpKind::Mul).unwrap(), 0);
        assert_eq!(c.at_send(OpKind::Open).unwrap(), 1);
        let mut out = Vec::new();
        c.encode(&300, &mut out);
        assert_eq!(c.decode(&out).unwrap(), 300);
        assert_eq!(c.encoded_len(&300), out.len());
        assert!(c.decode(&[1, 2]).is_err());
    }
}
