//! Sending: the frame of the operation sending now, built once from its label
//! and copied for each peer with that peer's payload.
//!
//! With `--label-coding link`, the frame's label is coded against the labels
//! sent before it ([`crate::link_coding`]) just before it goes out, once for
//! every link: a player sends every frame to every peer, so its links carry
//! the same labels in the same order.
//!
//! On a link without jitter, frames are staged in a buffer of the sender's
//! own and handed to the peer's [`Outbox`] in one piece when the engine is
//! done for the moment ([`Sender::flush`]), so a frame costs a copy of fixed
//! size and no shared-buffer bookkeeping. A link with jitter gets each frame
//! at once, with its own release time.

use super::table::SHORT_LABEL;
use super::Counters;
use crate::field::Fp;
use crate::label::PlayerId;
use crate::link_coding::{LinkCoder, LinkCodingError, WireForm};
use crate::outbox::{Outbox, SHORT_FRAME};
use crate::wire::{put_varint, PAYLOAD_BYTES};
use std::rc::Rc;
use std::time::Instant;

/// The outboxes of one player and the frame it is sending.
pub struct Sender {
    /// By player; `None` at this player.
    outboxes: Vec<Option<Rc<Outbox>>>,
    /// Frames not yet handed to each player's outbox (links without jitter).
    staged: Vec<Vec<u8>>,
    /// Whether any link has jitter (its frames go to the outbox at once).
    jitter: bool,
    /// The frame (length prefix, label, payload) being sent, followed by
    /// zeros: at least [`SHORT_FRAME`] bytes.
    frame: Vec<u8>,
    /// Bytes of the frame in `frame`.
    frame_len: usize,
    /// Bytes of label in `frame`.
    label_len: usize,
    /// Where the label starts in `frame` (after the length prefix).
    label_at: usize,
    /// Labels coded against the links, if they are (boxed: the plain path
    /// carries one pointer).
    coding: Option<Box<Coding>>,
}

/// The coder every link shares, and its scratch.
struct Coding {
    coder: LinkCoder,
    /// Scratch for a coded label.
    coded: Vec<u8>,
    /// Why a label could not be coded: the frame was not sent.
    error: Option<LinkCodingError>,
}

impl Sender {
    /// A sender through `outboxes` (indexed by player, `None` at this player).
    pub fn new(outboxes: Vec<Option<Rc<Outbox>>>) -> Sender {
        let jitter = outboxes.iter().flatten().any(|o| o.has_jitter());
        Sender {
            staged: outboxes
                .iter()
                .map(|_| Vec::with_capacity(64 << 10))
                .collect(),
            jitter,
            outboxes,
            frame: Vec::with_capacity(64),
            frame_len: 0,
            label_len: 0,
            label_at: 1,
            coding: None,
        }
    }

    /// Codes every label sent from now on against the links' previous labels,
    /// by their wire form `form`.
    pub fn code_labels(&mut self, form: WireForm) {
        self.coding = Some(Box::new(Coding {
            coder: LinkCoder::new(form),
            coded: Vec::new(),
            error: None,
        }));
    }

    /// Why a label could not be coded, taken out.
    pub fn take_error(&mut self) -> Option<LinkCodingError> {
        self.coding.as_mut().and_then(|c| c.error.take())
    }

    /// Replaces the prepared frame's label by its coded form. False if it
    /// cannot be coded (the error is kept).
    #[inline(never)]
    fn code_frame(&mut self) -> bool {
        let Some(coding) = &mut self.coding else {
            return true;
        };
        if self.label_at == 1 {
            let plain = &self.frame[1..1 + self.label_len];
            if let Some(byte) = coding.coder.encode_short(plain) {
                // One byte in place of the label; the padding after it stays.
                self.frame[0] = (1 + PAYLOAD_BYTES) as u8;
                self.frame[1] = byte;
                self.label_len = 1;
                self.frame_len = 2 + PAYLOAD_BYTES;
                return true;
            }
        }
        coding.coded.clear();
        let plain = &self.frame[self.label_at..self.label_at + self.label_len];
        if let Err(e) = coding.coder.encode(plain, &mut coding.coded) {
            coding.error.get_or_insert(e);
            return false;
        }
        let coded = std::mem::take(&mut coding.coded);
        self.begin().extend_from_slice(&coded);
        self.coding.as_mut().expect("coding").coded = coded;
        self.end();
        true
    }

    /// Starts the frame of an operation about to send: the label's wire form
    /// goes into the returned buffer, then [`Sender::end`] completes it.
    #[inline(always)]
    pub fn begin(&mut self) -> &mut Vec<u8> {
        self.frame.clear();
        self.frame.push(0);
        &mut self.frame
    }

    /// Completes the frame begun by [`Sender::begin`]: the length prefix, and
    /// zeros for the payload (filled in per peer by [`Sender::send_each`]) and
    /// for padding, so that a short frame and its label can be copied in
    /// pieces of fixed size.
    #[inline(always)]
    pub fn end(&mut self) {
        let label_len = self.frame.len() - 1;
        let body = label_len + PAYLOAD_BYTES;
        if body < 0x80 {
            self.frame[0] = body as u8;
            self.label_at = 1;
        } else {
            self.long_prefix(body);
        }
        self.frame
            .extend_from_slice(&[0; PAYLOAD_BYTES + SHORT_LABEL]);
        self.label_len = label_len;
        self.frame_len = self.label_at + label_len + PAYLOAD_BYTES;
    }

    /// A label of 120 bytes or more: the length prefix takes more than one byte.
    #[cold]
    fn long_prefix(&mut self, body: usize) {
        let label = self.frame[1..].to_vec();
        self.frame.clear();
        put_varint(&mut self.frame, body as u64);
        self.label_at = self.frame.len();
        self.frame.extend_from_slice(&label);
    }

    /// Prepares the frame for the label whose wire form is `label`.
    #[inline]
    pub fn prepare(&mut self, label: &[u8]) {
        self.begin().extend_from_slice(label);
        self.end();
    }

    /// Prepares the frame for the label whose wire form is the first `len`
    /// bytes of `padded`, copied at a fixed size.
    #[inline(always)]
    pub fn prepare_short(&mut self, padded: &[u8; SHORT_LABEL], len: usize) {
        let f = self.begin();
        f.extend_from_slice(padded);
        f.truncate(1 + len);
        self.end();
    }

    /// The wire form of the prepared frame's label.
    #[inline]
    pub fn label(&self) -> &[u8] {
        &self.frame[self.label_at..self.label_at + self.label_len]
    }

    /// The prepared frame's label zero-padded to [`SHORT_LABEL`] bytes, if it
    /// is that short.
    #[inline]
    pub fn label_padded(&self) -> Option<&[u8; SHORT_LABEL]> {
        if self.label_len > SHORT_LABEL {
            return None;
        }
        self.frame[1..].first_chunk::<SHORT_LABEL>()
    }

    /// Sends `share(peer)` to every peer in the prepared frame.
    #[inline]
    pub fn send_each(
        &mut self,
        now: Instant,
        counters: &mut Counters,
        share: impl Fn(PlayerId) -> Fp,
    ) {
        if self.coding.is_some() && !self.code_frame() {
            return;
        }
        let mut sent = 0u64;
        let len = self.frame_len;
        let at = len - PAYLOAD_BYTES;
        for (peer, outbox) in self.outboxes.iter().enumerate() {
            let Some(outbox) = outbox else { continue };
            self.frame[at..len].copy_from_slice(&share(peer).value().to_le_bytes());
            match self.frame.first_chunk::<SHORT_FRAME>() {
                Some(padded) if len <= SHORT_FRAME && !self.jitter => {
                    let staged = &mut self.staged[peer];
                    let end = staged.len() + len;
                    staged.extend_from_slice(padded);
                    staged.truncate(end);
                }
                Some(padded) if len <= SHORT_FRAME => outbox.push_short_frame(padded, len, now),
                _ if !self.jitter => self.staged[peer].extend_from_slice(&self.frame[..len]),
                _ => outbox.push_frame(&self.frame[..len], now),
            }
            sent += 1;
        }
        let label_len = self.label_len as u64;
        counters.messages += sent;
        counters.label_bytes_total += sent * label_len;
        counters.label_bytes_max = counters.label_bytes_max.max(label_len);
        counters.payload_bytes += sent * PAYLOAD_BYTES as u64;
        counters.wire_bytes += sent * len as u64;
    }

    /// Hands every staged frame to its outbox.
    #[inline]
    pub fn flush(&mut self) {
        for (outbox, staged) in self.outboxes.iter().zip(&mut self.staged) {
            if let Some(outbox) = outbox {
                if !staged.is_empty() {
                    outbox.push_frames(staged);
                }
            }
        }
    }

    /// Appends the end-of-run marker to every outbox, after every staged frame.
    pub fn say_bye(&mut self) {
        self.flush();
        for outbox in self.outboxes.iter().flatten() {
            outbox.close();
        }
    }
}
