//! The bytes on a link: varints, message frames, and the handshake.
//!
//! A frame is `varint(body length)` followed by the body, `label ‖ payload`,
//! where the label is the labeller's wire form (or, with labels coded against
//! the link, its coded form: [`crate::link_coding`]) and the payload is one
//! field element as 8 little-endian bytes (at most [`MAX_BODY`] bytes in all).
//!
//! A body length of 0 starts a **control frame**; the next byte says which:
//!
//! * `00 00`, **Bye**, the end-of-run marker: the sender has sent everything
//!   it will send in this run. Nothing may follow it.
//! * `00 01 varint(n) reason`, **Abort**: the sender's run failed and it is
//!   closing the link; `reason` is `n ≤` [`MAX_REASON`] bytes of UTF-8 saying
//!   why (the sender's error), so that its peers report the first cause rather
//!   than the closed link. A player sends it at most once, never after Bye.
//!
//! Any other control byte, a reason over the limit or one that is not UTF-8
//! is a malformed frame.

use crate::field::Fp;
use crate::params::RunParams;
use serde::{Deserialize, Serialize};

/// Bytes of a payload: one field element.
pub const PAYLOAD_BYTES: usize = 8;
/// The longest frame body accepted; anything longer is a malformed frame.
pub const MAX_BODY: usize = 4096;
/// The handshake's protocol version; bumped on any change to the wire format.
/// 2: control frames (Bye became `00 00`; Abort). 3: the run parameters
/// carry the label coding (`plain`, or labels coded against the link).
pub const PROTOCOL_VERSION: u16 = 3;
/// The longest reason an Abort frame carries, in bytes; [`put_abort`] cuts a
/// longer one short.
pub const MAX_REASON: usize = 1024;
/// The control byte of Bye.
const CONTROL_BYE: u8 = 0;
/// The control byte of Abort.
const CONTROL_ABORT: u8 = 1;
/// First bytes of every handshake.
pub const MAGIC: [u8; 8] = *b"LBLBENCH";
/// The longest handshake accepted.
const MAX_HELLO: usize = 64 * 1024;

/// Appends the LEB128 varint of `v`.
#[inline(always)]
pub fn put_varint(out: &mut Vec<u8>, v: u64) {
    if let Some((word, len)) = varint_word(v) {
        // One copy of fixed size, then the length: no loop, no byte pushes.
        let end = out.len() + len;
        out.extend_from_slice(&word.to_le_bytes());
        out.truncate(end);
        return;
    }
    put_long_varint(out, v);
}

/// [`put_varint`] for values of 2^28 and more, out of line.
#[inline(never)]
fn put_long_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The varint of `v < 2^28` as the low bytes of a word, and its length;
/// `None` for larger values. Unrolled: counters and lengths take one to four
/// bytes.
#[inline(always)]
pub fn varint_word(v: u64) -> Option<(u32, usize)> {
    if v >= 1 << 28 {
        return None;
    }
    let v = v as u32;
    Some(if v < 1 << 7 {
        (v, 1)
    } else if v < 1 << 14 {
        ((v & 0x7f) | 0x80 | (v >> 7) << 8, 2)
    } else if v < 1 << 21 {
        (
            (v & 0x7f) | 0x80 | ((v >> 7) & 0x7f | 0x80) << 8 | (v >> 14) << 16,
            3,
        )
    } else {
        let word = (v & 0x7f)
            | 0x80
            | ((v >> 7) & 0x7f | 0x80) << 8
            | ((v >> 14) & 0x7f | 0x80) << 16
            | (v >> 21) << 24;
        (word, 4)
    })
}

/// Bytes the varint of `v` takes.
#[inline]
pub fn varint_len(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// The value of the canonical varint that is exactly `bytes`, or `None`
/// (empty, bytes after the varint, or not canonical): what a dense label's
/// wire form decodes to. One to four bytes are decoded by their length, with
/// no loop.
#[inline(always)]
pub fn varint_exact(bytes: &[u8]) -> Option<u64> {
    let continues = |b: u8| b & 0x80 != 0;
    let last = |b: u8| b != 0 && b < 0x80;
    let low = |b: u8| u64::from(b & 0x7f);
    match *bytes {
        [b0] if b0 < 0x80 => Some(u64::from(b0)),
        [b0, b1] if continues(b0) && last(b1) => Some(low(b0) | u64::from(b1) << 7),
        [b0, b1, b2] if continues(b0) && continues(b1) && last(b2) => {
            Some(low(b0) | low(b1) << 7 | u64::from(b2) << 14)
        }
        [b0, b1, b2, b3] if continues(b0) && continues(b1) && continues(b2) && last(b3) => {
            Some(low(b0) | low(b1) << 7 | low(b2) << 14 | u64::from(b3) << 21)
        }
        [_, _, _, _, _, ..] => match get_varint(bytes) {
            Ok((v, used)) if used == bytes.len() => Some(v),
            _ => None,
        },
        _ => None,
    }
}

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VarintError {
    /// The input ends before the varint does.
    #[error("varint is truncated")]
    Truncated,
    /// More than 10 bytes, a value over 64 bits, or a redundant trailing zero byte.
    #[error("varint is not canonical")]
    NonCanonical,
}

/// Reads a canonical LEB128 varint from the front of `bytes`: (value, bytes used).
#[inline(always)]
pub fn get_varint(bytes: &[u8]) -> Result<(u64, usize), VarintError> {
    // Most varints here (lengths, counters) take one to three bytes.
    match *bytes {
        [b0, ..] if b0 < 0x80 => return Ok((u64::from(b0), 1)),
        [b0, b1, ..] if b1 < 0x80 && b1 != 0 => {
            return Ok((u64::from(b0 & 0x7f) | u64::from(b1) << 7, 2));
        }
        [b0, b1, b2, ..] if b1 >= 0x80 && b2 < 0x80 && b2 != 0 => {
            let v = u64::from(b0 & 0x7f) | u64::from(b1 & 0x7f) << 7 | u64::from(b2) << 14;
            return Ok((v, 3));
        }
        [b0, b1, b2, b3, ..] if b1 >= 0x80 && b2 >= 0x80 && b3 < 0x80 && b3 != 0 => {
            let v = u64::from(b0 & 0x7f)
                | u64::from(b1 & 0x7f) << 7
                | u64::from(b2 & 0x7f) << 14
                | u64::from(b3) << 21;
            return Ok((v, 4));
        }
        _ => {}
    }
    get_long_varint(bytes)
}

/// [`get_varint`] for five bytes and more, and for every error, out of line.
#[inline(never)]
fn get_long_varint(bytes: &[u8]) -> Result<(u64, usize), VarintError> {
    let mut v: u64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if i == 9 && b > 1 {
            return Err(VarintError::NonCanonical);
        }
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(VarintError::NonCanonical);
            }
            return Ok((v, i + 1));
        }
    }
    Err(VarintError::Truncated)
}

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length prefix is not a varint or is larger than [`MAX_BODY`].
    #[error("bad frame length: {0}")]
    BadLength(String),
    /// The body is shorter than a payload.
    #[error("frame body of {0} bytes is shorter than the {PAYLOAD_BYTES}-byte payload")]
    TooShort(usize),
    /// The payload is not the canonical form of a field element.
    #[error("payload {0:#x} is not a field element (must be below 2^61 - 1)")]
    NotAFieldElement(u64),
    /// A control frame that is not Bye or a well-formed Abort.
    #[error("bad control frame: {0}")]
    BadControl(String),
}

/// One parsed frame, borrowing from the read buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A labelled field element.
    Message {
        /// The label's wire form (to be decoded by the labeller).
        label: &'a [u8],
        /// The field element.
        payload: Fp,
    },
    /// The sender will send nothing more in this run.
    Bye,
    /// The sender's run failed, for this reason; it is closing the link.
    Abort {
        /// The sender's error, as it put it.
        reason: &'a str,
    },
}

/// Parses the frame at the front of `buf`: `Ok(None)` if it is not complete yet,
/// else the frame and the bytes it took.
#[inline]
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    // The common frame, inline in the receiver's loop: a one-byte length
    // prefix, all of the body present, a payload that is a field element.
    if let Some(&len) = buf.first() {
        let len = usize::from(len);
        if (PAYLOAD_BYTES..0x80).contains(&len) && buf.len() > len {
            let (label, payload) = buf[1..=len].split_at(len - PAYLOAD_BYTES);
            let raw = u64::from_le_bytes(payload.try_into().expect("8 bytes"));
            if let Some(payload) = Fp::from_canonical(raw) {
                return Ok(Some((Frame::Message { label, payload }, len + 1)));
            }
        }
    }
    parse_frame_in_full(buf)
}

/// [`parse_frame`] for every frame: long ones, incomplete ones, control
/// frames and malformed ones.
#[inline(never)]
fn parse_frame_in_full(buf: &[u8]) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    let (len, head) = match get_varint(buf) {
        Ok(x) => x,
        Err(VarintError::Truncated) => {
            return if buf.len() >= 10 {
                Err(FrameError::BadLength("length prefix never ends".into()))
            } else {
                Ok(None)
            }
        }
        Err(e) => return Err(FrameError::BadLength(e.to_string())),
    };
    if len == 0 {
        return Ok(parse_control(&buf[head..])?.map(|(f, used)| (f, head + used)));
    }
    if len > MAX_BODY as u64 {
        return Err(FrameError::BadLength(format!(
            "{len} bytes is over the {MAX_BODY}-byte limit"
        )));
    }
    let len = len as usize;
    if len < PAYLOAD_BYTES {
        return Err(FrameError::TooShort(len));
    }
    let Some(body) = buf.get(head..head + len) else {
        return Ok(None);
    };
    let (label, payload) = body.split_at(len - PAYLOAD_BYTES);
    let raw = u64::from_le_bytes(payload.try_into().expect("8 bytes"));
    let payload = Fp::from_canonical(raw).ok_or(FrameError::NotAFieldElement(raw))?;
    Ok(Some((Frame::Message { label, payload }, head + len)))
}

/// Parses the rest of a control frame (after its zero length): `Ok(None)` if
/// it is not complete yet.
fn parse_control(buf: &[u8]) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    let Some(&kind) = buf.first() else {
        return Ok(None);
    };
    match kind {
        CONTROL_BYE => Ok(Some((Frame::Bye, 1))),
        CONTROL_ABORT => {
            let rest = &buf[1..];
            let (len, head) = match get_varint(rest) {
                Ok(x) => x,
                // A length under the limit takes at most this many bytes.
                Err(VarintError::Truncated) if rest.len() < varint_len(MAX_REASON as u64) => {
                    return Ok(None)
                }
                Err(e) => return Err(FrameError::BadControl(format!("abort reason length: {e}"))),
            };
            if len > MAX_REASON as u64 {
                return Err(FrameError::BadControl(format!(
                    "abort reason of {len} bytes is over the {MAX_REASON}-byte limit"
                )));
            }
            let Some(bytes) = rest.get(head..head + len as usize) else {
                return Ok(None);
            };
            let reason = std::str::from_utf8(bytes)
                .map_err(|e| FrameError::BadControl(format!("abort reason is not UTF-8: {e}")))?;
            Ok(Some((Frame::Abort { reason }, 1 + head + bytes.len())))
        }
        k => Err(FrameError::BadControl(format!(
            "unknown control byte {k:#04x}"
        ))),
    }
}

/// Appends a message frame with an already encoded label; returns the bytes written.
#[inline]
pub fn put_message(out: &mut Vec<u8>, label: &[u8], payload: Fp) -> usize {
    let body = label.len() + PAYLOAD_BYTES;
    let start = out.len();
    put_varint(out, body as u64);
    out.extend_from_slice(label);
    out.extend_from_slice(&payload.value().to_le_bytes());
    out.len() - start
}

/// Appends the end-of-run marker.
pub fn put_bye(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0, CONTROL_BYE]);
}

/// Appends an Abort frame with `reason`, cut to at most [`MAX_REASON`] bytes
/// (at a character boundary).
pub fn put_abort(out: &mut Vec<u8>, reason: &str) {
    let mut end = reason.len().min(MAX_REASON);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let reason = &reason.as_bytes()[..end];
    out.extend_from_slice(&[0, CONTROL_ABORT]);
    put_varint(out, reason.len() as u64);
    out.extend_from_slice(reason);
}

/// The handshake each side of a link sends first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Always [`MAGIC`].
    pub magic: [u8; 8],
    /// [`PROTOCOL_VERSION`] of the sender.
    pub version: u16,
    /// The sender's player id.
    pub player: u64,
    /// The sender's labelling strategy, with its options (e.g. `history/16`).
    pub strategy: String,
    /// SHA-256 of the run parameters.
    pub params_digest: [u8; 32],
    /// The run parameters themselves, so a mismatch can be named.
    pub params: RunParams,
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_HELLO>()
}

impl Hello {
    /// The handshake frame: u32 little-endian length, then the bincode body.
    pub fn to_frame(&self) -> Vec<u8> {
        let body = bincode::serde::encode_to_vec(self, bincode_config())
            .expect("a Hello always serializes");
        let mut out = Vec::with_capacity(body.len() + 4);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// The body length announced by a handshake's 4-byte prefix, if acceptable.
    pub fn body_len(prefix: [u8; 4]) -> Result<usize, String> {
        let len = u32::from_le_bytes(prefix) as usize;
        if len > MAX_HELLO {
            Err(format!(
                "handshake of {len} bytes is over the {MAX_HELLO}-byte limit"
            ))
        } else {
            Ok(len)
        }
    }

    /// Decodes a handshake body.
    pub fn from_body(body: &[u8]) -> Result<Hello, String> {
        let (hello, used): (Hello, usize) =
            bincode::serde::decode_from_slice(body, bincode_config())
                .map_err(|e| format!("handshake does not decode: {e}"))?;
        if used != body.len() {
            return Err(format!(
                "handshake has {} trailing bytes",
                body.len() - used
            ));
        }
        Ok(hello)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varint_round_trips(v in any::<u64>()) {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            prop_assert_eq!(out.len(), varint_len(v));
            prop_assert_eq!(get_varint(&out), Ok((v, out.len())));
        }

        /// `varint_exact` accepts exactly the canonical varints that fill
        /// their bytes, as `get_varint` does.
        #[test]
        fn varint_exact_agrees_with_get_varint(bytes in prop::collection::vec(any::<u8>(), 0..7), v in any::<u64>(), shift in 0u32..64) {
            let want = |b: &[u8]| match get_varint(b) {
                Ok((x, used)) if used == b.len() => Some(x),
                _ => None,
            };
            prop_assert_eq!(varint_exact(&bytes), want(&bytes));
            let mut enc = Vec::new();
            put_varint(&mut enc, v >> shift);
            prop_assert_eq!(varint_exact(&enc), Some(v >> shift));
        }

        /// The unrolled paths (values below 2^28 written as a word, read in
        /// one to four bytes) round-trip and agree with the byte loop.
        #[test]
        fn short_varints_round_trip(shift in 0u32..30, low in any::<u64>()) {
            let v = low >> (64 - shift.max(1)) | (1u64 << shift) >> 1;
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut bytes = Vec::new();
            let mut w = v;
            while w >= 0x80 {
                bytes.push((w as u8) | 0x80);
                w >>= 7;
            }
            bytes.push(w as u8);
            prop_assert_eq!(&out, &bytes);
            prop_assert_eq!(get_varint(&out), Ok((v, out.len())));
        }

        #[test]
        fn frames_round_trip(label in prop::collection::vec(any::<u8>(), 0..40), v in 0..crate::field::MODULUS) {
            let mut out = Vec::new();
            let n = put_message(&mut out, &label, Fp::new(v));
            put_bye(&mut out);
            let (f, used) = parse_frame(&out).unwrap().unwrap();
            prop_assert_eq!(used, n);
            prop_assert_eq!(f, Frame::Message { label: &label, payload: Fp::new(v) });
            prop_assert_eq!(parse_frame(&out[used..]).unwrap().unwrap(), (Frame::Bye, 2));
            prop_assert_eq!(parse_frame(&out[used..used + 1]), Ok(None));
            // Every strict prefix is incomplete, never an error.
            for cut in 0..n {
                prop_assert_eq!(parse_frame(&out[..cut]), Ok(None));
            }
        }

        /// The inline path for common frames decides every input as the full
        /// parser does, well formed or not. Inputs are shaped like frames (a
        /// length byte, then a body that may be cut short, with a payload that
        /// is a field element when `canonical`), so that the inline path is
        /// taken often, and every way out of it is tried.
        #[test]
        fn the_inline_path_agrees_with_the_full_parser(
            len in any::<u8>(),
            body in prop::collection::vec(any::<u8>(), 0..140),
            canonical in any::<bool>(),
        ) {
            let mut bytes = vec![len];
            bytes.extend_from_slice(&body);
            let len = usize::from(len);
            if canonical && len >= PAYLOAD_BYTES && len < bytes.len() {
                // The payload's most significant byte: below 2^61 − 1 after this.
                bytes[len] &= 0x0f;
            }
            prop_assert_eq!(parse_frame(&bytes), parse_frame_in_full(&bytes));
        }
    }

    proptest! {
        /// Abort frames round-trip any reason (cut to the limit at a character
        /// boundary), and every strict prefix is incomplete, never an error.
        #[test]
        fn abort_frames_round_trip(reason in ".{0,40}", long in 0usize..3) {
            let reason = reason.repeat(1 + long * 60);
            let mut out = Vec::new();
            put_abort(&mut out, &reason);
            let (f, used) = parse_frame(&out).unwrap().unwrap();
            prop_assert_eq!(used, out.len());
            let Frame::Abort { reason: got } = f else {
                return Err(TestCaseError::fail("not an abort"));
            };
            prop_assert!(got.len() <= MAX_REASON && reason.starts_with(got));
            prop_assert!(reason.len() <= MAX_REASON || got.len() + 4 > MAX_REASON);
            for cut in 0..out.len() {
                prop_assert_eq!(parse_frame(&out[..cut]), Ok(None));
            }
        }
    }

    #[test]
    fn bad_control_frames_are_named() {
        let bad = |bytes: &[u8]| matches!(parse_frame(bytes), Err(FrameError::BadControl(_)));
        assert!(bad(&[0, 7]), "unknown control byte");
        assert!(bad(&[0, 1, 2, 0xff, 0xfe]), "reason not UTF-8");
        let mut over = vec![0, 1];
        put_varint(&mut over, MAX_REASON as u64 + 1);
        assert!(bad(&over), "reason over the limit");
        assert!(bad(&[0, 1, 0x80, 0x80, 0x80]), "reason length never ends");
        assert_eq!(parse_frame(&[0, 1, 0x80]), Ok(None));
    }

    #[test]
    fn varints_refuse_overlong_forms() {
        assert_eq!(get_varint(&[0x80, 0x00]), Err(VarintError::NonCanonical));
        assert_eq!(get_varint(&[0x80]), Err(VarintError::Truncated));
        assert_eq!(get_varint(&[0xff; 10]), Err(VarintError::NonCanonical));
    }

    #[test]
    fn malformed_frames_are_named() {
        // Body shorter than a payload.
        assert_eq!(parse_frame(&[3, 1, 2, 3]), Err(FrameError::TooShort(3)));
        // Payload at or above the modulus.
        let mut out = vec![9, 7];
        out.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            parse_frame(&out),
            Err(FrameError::NotAFieldElement(u64::MAX))
        );
        // Length over the limit.
        let mut out = Vec::new();
        put_varint(&mut out, MAX_BODY as u64 + 1);
        assert!(matches!(parse_frame(&out), Err(FrameError::BadLength(_))));
    }

    #[test]
    fn hello_round_trips_and_refuses_garbage() {
        let h = Hello {
            magic: MAGIC,
            version: PROTOCOL_VERSION,
            player: 2,
            strategy: "counter".into(),
            params_digest: [7; 32],
            params: RunParams::example(),
        };
        let frame = h.to_frame();
        let len = Hello::body_len(frame[..4].try_into().unwrap()).unwrap();
        assert_eq!(Hello::from_body(&frame[4..4 + len]).unwrap(), h);
        assert!(Hello::from_body(b"\xff\xff\xff").is_err());
        assert!(Hello::body_len(u32::MAX.to_le_bytes()).is_err());
    }
}
