//! Sending: the frame of the operation sending now, built once from its label
//! and copied into each peer's [`Outbox`] with that peer's payload.

use super::Counters;
use crate::field::Fp;
use crate::label::PlayerId;
use crate::outbox::{Outbox, SHORT_FRAME};
use crate::wire::{put_varint, PAYLOAD_BYTES};
use std::rc::Rc;
use std::time::Instant;

/// The outboxes of one player and the frame it is sending.
pub struct Sender {
    /// By player; `None` at this player.
    outboxes: Vec<Option<Rc<Outbox>>>,
    /// The frame (length prefix, label, payload) being sent; a short frame is
    /// padded with zeros to [`SHORT_FRAME`] bytes.
    frame: Vec<u8>,
    /// Bytes of the frame in `frame`.
    frame_len: usize,
    /// Bytes of label in `frame`.
    label_len: usize,
}

impl Sender {
    /// A sender through `outboxes` (indexed by player, `None` at this player).
    pub fn new(outboxes: Vec<Option<Rc<Outbox>>>) -> Sender {
        Sender {
            outboxes,
            frame: Vec::with_capacity(64),
            frame_len: 0,
            label_len: 0,
        }
    }

    /// Prepares the frame (length prefix ‖ `label` ‖ 8 payload bytes);
    /// [`Sender::send_each`] fills in each peer's payload.
    #[inline]
    pub fn prepare(&mut self, label: &[u8]) {
        let f = &mut self.frame;
        f.clear();
        let body = label.len() + PAYLOAD_BYTES;
        if body < 0x80 {
            f.push(body as u8);
        } else {
            // A label of 120 bytes or more: the length prefix takes more than one byte.
            put_varint(f, body as u64);
        }
        f.extend_from_slice(label);
        f.extend_from_slice(&[0; PAYLOAD_BYTES]);
        self.frame_len = f.len();
        if f.len() <= SHORT_FRAME {
            // Pads with a copy of fixed size (`resize` writes byte by byte).
            f.extend_from_slice(&[0; SHORT_FRAME]);
            f.truncate(SHORT_FRAME);
        }
        self.label_len = label.len();
    }

    /// Sends `share(peer)` to every peer in the prepared frame.
    #[inline]
    pub fn send_each(&mut self, now: Instant, counters: &mut Counters, share: impl Fn(PlayerId) -> Fp) {
        let mut sent = 0u64;
        let len = self.frame_len;
        let at = len - PAYLOAD_BYTES;
        for (peer, outbox) in self.outboxes.iter().enumerate() {
            if let Some(outbox) = outbox {
                self.frame[at..len].copy_from_slice(&share(peer).value().to_le_bytes());
                match self.frame.first_chunk::<SHORT_FRAME>() {
                    Some(padded) if len <= SHORT_FRAME => {
                        outbox.push_short_frame(padded, len, now)
                    }
                    _ => outbox.push_frame(&self.frame[..len], now),
                }
                sent += 1;
            }
        }
        let label_len = self.label_len as u64;
        counters.messages += sent;
        counters.label_bytes_total += sent * label_len;
        counters.label_bytes_max = counters.label_bytes_max.max(label_len);
        counters.payload_bytes += sent * PAYLOAD_BYTES as u64;
        counters.wire_bytes += sent * len as u64;
    }

    /// Appends the end-of-run marker to every outbox.
    pub fn say_bye(&self) {
        for outbox in self.outboxes.iter().flatten() {
            outbox.close();
        }
    }
}
