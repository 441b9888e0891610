//! Labels coded against the link: each label written relative to the labels
//! sent before it on the same link, and read back relative to those received.
//!
//! # Why it is correct
//!
//! A link is one TCP stream, so its receiver reads its frames in the order the
//! sender wrote them, jitter included (an outbox never lets a frame pass an
//! earlier one). A [`LinkCoder`] at each end of a link, updated by the same
//! labels in the same order, therefore holds the same state at every frame,
//! and a label coded against the sender's state decodes against the
//! receiver's. Control frames carry no label and leave the state alone.
//!
//! A player sends every frame to every peer (a share of an input, of a
//! product, or of an opening), so all its outgoing links carry the same labels
//! in the same order, and the engine codes a frame once for all of them. Each
//! incoming link has its own decoder.
//!
//! The runtime still does not interpret labels: it codes their wire form, in
//! one of two ways that the labeller names ([`WireForm`]).
//!
//! # The two forms
//!
//! **[`WireForm::Bytes`]**, any wire form (hash labels): the number of leading
//! bytes the label shares with the previous label on the link, as a varint,
//! then the bytes after them. Hash labels share no prefix, so this costs them
//! a byte.
//!
//! **[`WireForm::Varints`]**, a wire form that is a sequence of canonical
//! LEB128 varints (program counters, gate numbers, paths inside loops). A
//! label of `k` varints, its *components*, is coded against the last label of
//! `k` components sent on the link (`k` zeros before the first), its
//! *reference*: labels of one depth follow each other closely (the same
//! operation of the next item), while labels of different depths interleave.
//! The coded label is a varint header `h`, then what `h` says follows:
//!
//! * `h & 3`: `k` against the previous label's component count `m`: 0 for
//!   `k = m`, 1 for `k = m + 1`, 2 for `k = m − 1`, 3 for `k` written as a
//!   varint after the header;
//! * `h & 4`: clear when every component but the first equals the reference's;
//!   set when the label goes on with `varint(j)`, the number of components after
//!   the first that equal the reference's, then the remaining `k − 1 − j`
//!   components as varints;
//! * `h >> 3`: the first component minus the reference's, wrapping modulo 2^64
//!   and zigzagged, plus one; 0 when that does not fit and the zigzagged
//!   difference follows as a varint (after `k`, if it is written).
//!
//! So a counter that moved by a few, at the depth of the previous label or
//! one away, is one byte. References are kept for labels of up to
//! [`MAX_REFERENCED_DEPTH`] components; deeper ones are coded against zeros,
//! which bounds a decoder's memory whatever a peer sends.

use crate::wire::{get_varint, put_varint, varint_exact, varint_len, MAX_BODY, PAYLOAD_BYTES};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::fmt;
use std::str::FromStr;

/// How labels are written on a link: the run parameter `--label-coding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelCoding {
    /// Each label's wire form as the labeller writes it.
    #[default]
    Plain,
    /// Each label coded against the labels before it on the link (this module).
    Link,
}

impl LabelCoding {
    /// Both codings, in the order tables list them.
    pub const ALL: [LabelCoding; 2] = [LabelCoding::Plain, LabelCoding::Link];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            LabelCoding::Plain => "plain",
            LabelCoding::Link => "link",
        }
    }
}

impl fmt::Display for LabelCoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LabelCoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        LabelCoding::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown label coding `{s}`; expected plain or link"))
    }
}

/// What a labeller's wire form is, so that link coding knows how to code it
/// ([`Labeller::WIRE_FORM`](crate::Labeller::WIRE_FORM)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireForm {
    /// Any bytes: coded by the prefix shared with the previous label.
    Bytes,
    /// One or more canonical LEB128 varints: coded component by component
    /// against the last label of as many components.
    Varints,
}

/// Why a label could not be coded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkCodingError {
    /// The bytes end before the coded label does.
    #[error("coded label is truncated")]
    Truncated,
    /// A varint of the coded label is not canonical.
    #[error("coded label has a varint that is not canonical")]
    NonCanonical,
    /// The coded label has bytes after its last component.
    #[error("coded label has bytes after its last component")]
    TrailingBytes,
    /// The label it decodes to has no component, too many, or more bytes than a
    /// frame may carry.
    #[error("coded label decodes to {0}")]
    BadShape(String),
    /// A prefix longer than the previous label, or than the label.
    #[error("coded label shares {shared} components or bytes with a previous label of {previous}")]
    BadPrefix {
        /// What the coded label claims to share.
        shared: u64,
        /// What the previous label (or the label) has.
        previous: usize,
    },
    /// The sender's own label is not of the form its labeller declares.
    #[error("the labeller's wire form is not a sequence of canonical varints")]
    NotVarints,
}

/// The longest label, in bytes, that a frame can carry.
pub const MAX_LABEL: usize = MAX_BODY - PAYLOAD_BYTES;

/// Labels of up to this many components are coded against the last one of
/// their depth; deeper ones against zeros.
pub const MAX_REFERENCED_DEPTH: usize = 64;

/// Components kept inline by a reference.
type Components = SmallVec<[u64; 4]>;

/// The last label of one depth on a link: its components, and the wire form
/// of all but the first, so that a label that differs from it only in the
/// first component is coded by comparing bytes and decoded by copying them.
#[derive(Debug, Clone, Default)]
struct Reference {
    components: Components,
    tail: SmallVec<[u8; 16]>,
}

impl Reference {
    /// Becomes the label of `components`, whose count it already has.
    fn set(&mut self, components: &[u64]) {
        self.components.clear();
        self.components.extend_from_slice(components);
        self.tail.clear();
        for &c in &components[1..] {
            let mut v = c;
            while v >= 0x80 {
                self.tail.push((v as u8) | 0x80);
                v >>= 7;
            }
            self.tail.push(v as u8);
        }
    }
}

/// One end of a link's label coding: the labels it has seen, in order.
#[derive(Debug, Clone)]
pub struct LinkCoder {
    form: WireForm,
    /// [`WireForm::Bytes`]: the previous label.
    previous: Vec<u8>,
    /// [`WireForm::Varints`]: the last label of `k` components at `k - 1`.
    references: Vec<Reference>,
    /// [`WireForm::Varints`]: the previous label's component count (0 before the first).
    previous_count: usize,
    /// Scratch: the components of the label being coded or decoded.
    components: Components,
}

impl LinkCoder {
    /// A coder at the start of a link, for labels of this form.
    pub fn new(form: WireForm) -> LinkCoder {
        LinkCoder {
            form,
            previous: Vec::new(),
            references: Vec::new(),
            previous_count: 0,
            components: Components::new(),
        }
    }

    /// Appends the coded form of the label whose wire form is `plain` to
    /// `out`, and moves on past it.
    #[inline]
    pub fn encode(&mut self, plain: &[u8], out: &mut Vec<u8>) -> Result<(), LinkCodingError> {
        match self.encode_short(plain) {
            Some(byte) => {
                out.push(byte);
                Ok(())
            }
            None => self.encode_in_full(plain, out),
        }
    }

    /// The common case of [`LinkCoder::encode`], inline: a label of one
    /// component after another (a counter, a gate number) that moved by less
    /// than 8 either way is coded as one byte, returned. `None` (and nothing
    /// changed) for any other label.
    #[inline(always)]
    pub fn encode_short(&mut self, plain: &[u8]) -> Option<u8> {
        if (self.form, self.previous_count) != (WireForm::Varints, 1) {
            return None;
        }
        let c = varint_exact(plain)?;
        let reference = &mut self.references[0].components[0];
        let first = zigzag(c.wrapping_sub(*reference));
        (first < 15).then(|| {
            *reference = c;
            ((first + 1) << 3) as u8
        })
    }

    /// [`LinkCoder::encode`] for any label.
    #[inline(never)]
    fn encode_in_full(&mut self, plain: &[u8], out: &mut Vec<u8>) -> Result<(), LinkCodingError> {
        match self.form {
            WireForm::Bytes => {
                let shared = common_prefix(&self.previous, plain);
                put_varint(out, shared as u64);
                out.extend_from_slice(&plain[shared..]);
                self.previous.clear();
                self.previous.extend_from_slice(plain);
                Ok(())
            }
            WireForm::Varints => self.encode_varints(plain, out),
        }
    }

    /// Appends to `out` the wire form of the label whose coded form is exactly
    /// `coded`, and moves on past it. On an error the coder is left as it
    /// was, and the link is unusable (its state no longer matches the
    /// sender's).
    #[inline]
    pub fn decode(&mut self, coded: &[u8], out: &mut Vec<u8>) -> Result<(), LinkCodingError> {
        match self.decode_short(coded) {
            Some(c) => {
                put_varint(out, c);
                Ok(())
            }
            None => self.decode_in_full(coded, out),
        }
    }

    /// The common case of [`LinkCoder::decode`], inline: the one byte
    /// [`LinkCoder::encode_short`] writes, decoded to the label's one
    /// component. `None` (and nothing changed) for any other coded label.
    #[inline(always)]
    pub fn decode_short(&mut self, coded: &[u8]) -> Option<u64> {
        if (self.form, self.previous_count) != (WireForm::Varints, 1) {
            return None;
        }
        match *coded {
            [header] if header & 7 == 0 && (8..0x80).contains(&header) => {
                let reference = &mut self.references[0].components[0];
                *reference = reference.wrapping_add(unzigzag(u64::from(header >> 3) - 1));
                Some(*reference)
            }
            _ => None,
        }
    }

    /// [`LinkCoder::decode`] for any coded label.
    #[inline(never)]
    fn decode_in_full(&mut self, coded: &[u8], out: &mut Vec<u8>) -> Result<(), LinkCodingError> {
        match self.form {
            WireForm::Bytes => {
                let (shared, used) = varint(coded)?;
                if shared > self.previous.len() as u64 {
                    return Err(LinkCodingError::BadPrefix {
                        shared,
                        previous: self.previous.len(),
                    });
                }
                let shared = shared as usize;
                let rest = &coded[used..];
                if shared + rest.len() > MAX_LABEL {
                    return Err(LinkCodingError::BadShape(format!(
                        "{} bytes, more than a frame carries",
                        shared + rest.len()
                    )));
                }
                let start = out.len();
                out.extend_from_slice(&self.previous[..shared]);
                out.extend_from_slice(rest);
                self.previous.clear();
                self.previous.extend_from_slice(&out[start..]);
                Ok(())
            }
            WireForm::Varints => self.decode_varints(coded, out),
        }
    }

    /// The reference of labels of `k ≤ MAX_REFERENCED_DEPTH` components: `k`
    /// zeros until the first such label.
    #[inline]
    fn reference_mut(&mut self, k: usize) -> &mut Reference {
        if self.references.len() < k {
            self.references.resize_with(k, Reference::default);
        }
        let reference = &mut self.references[k - 1];
        if reference.components.is_empty() {
            reference.components.resize(k, 0);
            reference.tail.resize(k - 1, 0);
        }
        reference
    }

    /// The count code of a label of `k` components (see the module docs).
    fn count_code(&self, k: usize) -> u64 {
        match k.wrapping_sub(self.previous_count) {
            0 => 0,
            1 => 1,
            usize::MAX => 2,
            _ => 3,
        }
    }

    /// Writes the header and the count of a label of `k` components whose
    /// first component differs from the reference's by `first` (zigzagged).
    #[inline]
    fn put_header(&self, out: &mut Vec<u8>, k: usize, first: u64, general: bool) {
        let count_code = self.count_code(k);
        let first_inline = first.checked_add(1).filter(|&f| f < 1 << 61);
        put_varint(
            out,
            first_inline.unwrap_or(0) << 3 | u64::from(general) << 2 | count_code,
        );
        if count_code == 3 {
            put_varint(out, k as u64);
        }
        if first_inline.is_none() {
            put_varint(out, first);
        }
    }

    fn encode_varints(&mut self, plain: &[u8], out: &mut Vec<u8>) -> Result<(), LinkCodingError> {
        let (c0, used) = get_varint(plain).map_err(|_| LinkCodingError::NotVarints)?;
        let rest = &plain[used..];
        // Every varint ends in a byte below 0x80.
        let k = 1 + rest.iter().filter(|&&b| b < 0x80).count();
        if k <= MAX_REFERENCED_DEPTH {
            // Every component but the first as the reference's: compared as
            // bytes, coded as the header alone.
            let reference = self.reference_mut(k);
            if rest == &reference.tail[..] {
                let first = zigzag(c0.wrapping_sub(reference.components[0]));
                reference.components[0] = c0;
                self.put_header(out, k, first, false);
                self.previous_count = k;
                return Ok(());
            }
        }
        let mut components = std::mem::take(&mut self.components);
        components.clear();
        components.push(c0);
        let mut rest = rest;
        while !rest.is_empty() {
            match get_varint(rest) {
                Ok((c, used)) => {
                    components.push(c);
                    rest = &rest[used..];
                }
                Err(_) => {
                    self.components = components;
                    return Err(LinkCodingError::NotVarints);
                }
            }
        }
        let k = components.len();
        // Deeper labels have no reference: zeros.
        let reference: &[u64] = if k <= MAX_REFERENCED_DEPTH {
            &self.reference_mut(k).components
        } else {
            &[]
        };
        let r = |i: usize| reference.get(i).copied().unwrap_or(0);
        let shared = (1..k).take_while(|&i| components[i] == r(i)).count();
        let general = shared < k - 1;
        let first = zigzag(components[0].wrapping_sub(r(0)));
        self.put_header(out, k, first, general);
        if general {
            put_varint(out, shared as u64);
            for &c in &components[1 + shared..] {
                put_varint(out, c);
            }
        }
        self.remember(components);
        Ok(())
    }

    /// Moves on past the label of `components`, which becomes the reference
    /// of its depth (`components` is kept as scratch).
    fn remember(&mut self, components: Components) {
        let k = components.len();
        self.previous_count = k;
        if k <= MAX_REFERENCED_DEPTH {
            self.reference_mut(k).set(&components);
        }
        self.components = components;
    }

    fn decode_varints(&mut self, coded: &[u8], out: &mut Vec<u8>) -> Result<(), LinkCodingError> {
        let (header, mut at) = varint(coded)?;
        let k = match header & 3 {
            0 => self.previous_count,
            1 => self.previous_count + 1,
            2 => self.previous_count.wrapping_sub(1),
            _ => {
                let (k, used) = varint(&coded[at..])?;
                at += used;
                usize::try_from(k).unwrap_or(usize::MAX)
            }
        };
        if k == 0 || k > MAX_LABEL {
            return Err(LinkCodingError::BadShape(if k == 0 {
                "a label of no components".into()
            } else {
                format!("a label of {k} components, more than a frame carries")
            }));
        }
        let first = match header >> 3 {
            0 => {
                let (f, used) = varint(&coded[at..])?;
                at += used;
                f
            }
            f => f - 1,
        };
        let general = header & 4 != 0;
        let referenced = k <= MAX_REFERENCED_DEPTH;
        let start = out.len();
        if !general {
            if at != coded.len() {
                return Err(LinkCodingError::TrailingBytes);
            }
            // Every component but the first is the reference's: changed in place.
            if referenced {
                let reference = self.reference_mut(k);
                let c0 = reference.components[0].wrapping_add(unzigzag(first));
                if varint_len(c0) + reference.tail.len() > MAX_LABEL {
                    return Err(too_long(k));
                }
                put_varint(out, c0);
                out.extend_from_slice(&reference.tail);
                reference.components[0] = c0;
            } else {
                let c0 = unzigzag(first);
                if varint_len(c0) + k - 1 > MAX_LABEL {
                    return Err(too_long(k));
                }
                put_varint(out, c0);
                out.resize(out.len() + k - 1, 0);
            }
            self.previous_count = k;
            return Ok(());
        }
        let (shared, used) = varint(&coded[at..])?;
        at += used;
        if shared >= k as u64 - 1 {
            return Err(LinkCodingError::BadPrefix {
                shared,
                previous: k - 1,
            });
        }
        let mut components = std::mem::take(&mut self.components);
        components.clear();
        if referenced {
            let reference = &self.reference_mut(k).components;
            components.push(reference[0].wrapping_add(unzigzag(first)));
            components.extend_from_slice(&reference[1..=shared as usize]);
        } else {
            components.push(unzigzag(first));
            components.resize(1 + shared as usize, 0);
        }
        while components.len() < k {
            match varint(&coded[at..]) {
                Ok((c, used)) => {
                    at += used;
                    components.push(c);
                }
                Err(e) => {
                    self.components = components;
                    return Err(e);
                }
            }
        }
        let mut result = Ok(());
        if at != coded.len() {
            result = Err(LinkCodingError::TrailingBytes);
        }
        for &c in &components {
            if result.is_err() {
                break;
            }
            put_varint(out, c);
            if out.len() - start > MAX_LABEL {
                result = Err(too_long(k));
            }
        }
        if result.is_err() {
            out.truncate(start);
            self.components = components;
            return result;
        }
        self.remember(components);
        Ok(())
    }
}

/// The error for a label that decodes to more bytes than a frame carries.
fn too_long(k: usize) -> LinkCodingError {
    LinkCodingError::BadShape(format!(
        "a label of {k} components longer than a frame carries"
    ))
}

/// Bytes `a` and `b` share at the front.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// A varint of a coded label, its errors named.
#[inline]
fn varint(bytes: &[u8]) -> Result<(u64, usize), LinkCodingError> {
    get_varint(bytes).map_err(|e| match e {
        crate::wire::VarintError::Truncated => LinkCodingError::Truncated,
        crate::wire::VarintError::NonCanonical => LinkCodingError::NonCanonical,
    })
}

/// A difference modulo 2^64 as a small number when it is small either way.
fn zigzag(d: u64) -> u64 {
    let d = d as i64;
    ((d << 1) ^ (d >> 63)) as u64
}

/// The inverse of [`zigzag`].
fn unzigzag(z: u64) -> u64 {
    (z >> 1) ^ (z & 1).wrapping_neg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn wire(components: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for &c in components {
            put_varint(&mut out, c);
        }
        out
    }

    /// Codes `labels` through one coder and decodes them through another:
    /// every label comes back, and the coded sizes are returned.
    fn round_trip(form: WireForm, labels: &[Vec<u8>]) -> Vec<usize> {
        let (mut sender, mut receiver) = (LinkCoder::new(form), LinkCoder::new(form));
        let mut sizes = Vec::new();
        for plain in labels {
            let mut coded = Vec::new();
            sender.encode(plain, &mut coded).unwrap();
            let mut back = vec![0xEE];
            receiver.decode(&coded, &mut back).unwrap();
            assert_eq!(&back[1..], &plain[..], "coded as {coded:?}");
            sizes.push(coded.len());
        }
        sizes
    }

    #[test]
    fn consecutive_counters_take_a_byte() {
        let labels: Vec<_> = (0..100_000u64).map(|k| wire(&[k])).collect();
        assert!(round_trip(WireForm::Varints, &labels)[1..]
            .iter()
            .all(|&s| s == 1));
    }

    /// The shape `nested` gives program counters: an opening of an item at
    /// depth d, then the product of its next level at depth d + 1, item after
    /// item.
    #[test]
    fn nested_counters_take_about_a_byte() {
        let mut labels = Vec::new();
        for level in 1..16usize {
            for item in 0..200u64 {
                let mut open = vec![3 * item];
                open.extend(std::iter::repeat_n(2, level - 1));
                open.push(1);
                let mut mul = open.clone();
                *mul.last_mut().unwrap() = 2;
                mul.push(0);
                labels.push(wire(&open));
                labels.push(wire(&mul));
            }
        }
        let sizes = round_trip(WireForm::Varints, &labels);
        let mean = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
        assert!(mean < 1.1, "mean {mean}");
    }

    #[test]
    fn any_labels_round_trip() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let edges = [0, 1, 127, 128, 1 << 56, u64::MAX - 1, u64::MAX];
        let mut varints = Vec::new();
        let mut bytes = Vec::new();
        for _ in 0..5_000 {
            let k = match rng.gen_range(0..10) {
                0 => rng.gen_range(60..80),
                _ => rng.gen_range(1..6),
            };
            let components: Vec<u64> = (0..k)
                .map(|_| match rng.gen_range(0..3) {
                    0 => edges[rng.gen_range(0..edges.len())],
                    1 => rng.gen(),
                    _ => rng.gen_range(0..4),
                })
                .collect();
            varints.push(wire(&components));
            let len = rng.gen_range(0..40);
            bytes.push((0..len).map(|_| rng.gen_range(0..3u8)).collect());
        }
        round_trip(WireForm::Varints, &varints);
        round_trip(WireForm::Bytes, &bytes);
    }

    #[test]
    fn hash_labels_cost_a_byte_more() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let labels: Vec<Vec<u8>> = (0..1000)
            .map(|_| (0..16).map(|_| rng.gen()).collect())
            .collect();
        let sizes = round_trip(WireForm::Bytes, &labels);
        assert!(sizes.iter().all(|&s| s == 16 || s == 17));
    }

    #[test]
    fn bad_coded_labels_are_named_errors() {
        let mut coder = LinkCoder::new(WireForm::Varints);
        let mut out = Vec::new();
        coder.encode(&wire(&[5, 6]), &mut out).unwrap();
        let cases: [(&[u8], LinkCodingError); 6] = [
            (&[], LinkCodingError::Truncated),
            (&[0x80], LinkCodingError::Truncated),
            (&[0x80, 0x00], LinkCodingError::NonCanonical),
            (&[0x08, 0x01], LinkCodingError::TrailingBytes),
            (
                &[0x03 | 1 << 3, 0x00],
                LinkCodingError::BadShape("a label of no components".into()),
            ),
            (
                &[0x04 | 1 << 3, 0x01],
                LinkCodingError::BadPrefix {
                    shared: 1,
                    previous: 1,
                },
            ),
        ];
        for (coded, want) in cases {
            let mut out = Vec::new();
            assert_eq!(
                coder.clone().decode(coded, &mut out),
                Err(want),
                "{coded:?}"
            );
        }
        let mut huge = vec![0x03 | 1 << 3];
        put_varint(&mut huge, 1 << 40);
        assert!(matches!(
            coder.clone().decode(&huge, &mut out),
            Err(LinkCodingError::BadShape(_))
        ));
        let mut bytes = LinkCoder::new(WireForm::Bytes);
        assert_eq!(
            bytes.decode(&[0x01, 0xAA], &mut out),
            Err(LinkCodingError::BadPrefix {
                shared: 1,
                previous: 0
            })
        );
        assert_eq!(
            LinkCoder::new(WireForm::Varints).encode(&[0x80], &mut out),
            Err(LinkCodingError::NotVarints)
        );
    }

    #[test]
    fn names_parse() {
        for c in LabelCoding::ALL {
            assert_eq!(c.name().parse(), Ok(c));
        }
        assert!("zip"
            .parse::<LabelCoding>()
            .unwrap_err()
            .contains("plain or link"));
    }
}
