//! The `Labeller` trait: how every message gets a label on which all players agree.
//!
//! # The contract
//!
//! All players run the same program and **issue** operations in the same order,
//! but they **finish** them in different orders, because messages arrive when
//! they arrive. Every message therefore carries a label, and a receiver files a
//! message from player `s` under the operation it has registered for
//! `(s, label)`. A labeller is correct when, for every logical message, every
//! player derives the same label; that is the whole contract.
//!
//! # When the runtime asks
//!
//! * [`Labeller::issue`] is called once for every operation, at the moment the
//!   program calls it, in program order. It returns the operation's label (for
//!   operations that communicate: `input`, `mul`, `open`, and `random`, whose
//!   label is the PRF input) and the result's [`Labeller::Tag`], a per-value note
//!   the labeller may keep (history labels keep the value's history there).
//!   Because issue order is the same on every player, any label fixed here from
//!   the labeller's own state and the operands' tags is the same everywhere.
//! * A labeller whose [`Labeller::TIMING`] is [`LabelTiming::AtSend`] returns no
//!   label at issue; the runtime instead calls [`Labeller::at_send`] when the
//!   operation becomes ready and sends its first message (or, for an operation
//!   that only receives, when it becomes ready to receive). This is the naive
//!   control from VIFF's design note: it reads shared mutable state at a moment
//!   that depends on timing, and so is not correct in general.
//! * [`Labeller::schedule`] is called when the program schedules a
//!   continuation; what it returns is handed back to [`Labeller::enter`] when
//!   the continuation runs, and [`Labeller::leave`] restores the state after.
//!   Program counters fork a child counter here.
//!
//! # On the wire
//!
//! [`Labeller::encode`] appends the label's wire form to a frame and
//! [`Labeller::decode`] parses exactly those bytes back, refusing anything that
//! is not a label this labeller could have produced. The label size the
//! workspace reports is the length of that wire form: nothing is added around it
//! (the frame's length prefix already delimits it).
//!
//! **Architecture invariant:** labellers never touch the network and never see a
//! share's value; the runtime never interprets a label: it compares it, hashes
//! it, encodes it and feeds the encoding to the PRSS PRF.

use crate::field::Fp;
pub use crate::link_coding::WireForm;
use crate::wire::{get_varint, VarintError};
use std::fmt::Debug;
use std::hash::Hash;

/// Player index, counting from 0.
pub type PlayerId = usize;

/// What kind of operation is being issued, with the public arguments that make
/// two operations of the same kind on the same operands different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// `owner` deals shares of a private value. Communicates; no operands.
    Input {
        /// The player whose value it is.
        owner: PlayerId,
    },
    /// A PRSS random value. Its label is the PRF input; no operands, no messages.
    Random,
    /// BGW multiplication of two shares. Communicates.
    Mul,
    /// Opening a share to everyone. Communicates.
    Open,
    /// Local sum of two shares.
    Add,
    /// Local difference of two shares.
    Sub,
    /// Local product with a public constant.
    MulConst(Fp),
    /// Local sum with a public constant.
    AddConst(Fp),
}

impl OpKind {
    /// Whether the operation needs a label (it sends messages or feeds the PRF).
    pub fn is_labelled(self) -> bool {
        matches!(
            self,
            OpKind::Input { .. } | OpKind::Random | OpKind::Mul | OpKind::Open
        )
    }

    /// A short stable name, e.g. for hashing or error messages.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Input { .. } => "input",
            OpKind::Random => "random",
            OpKind::Mul => "mul",
            OpKind::Open => "open",
            OpKind::Add => "add",
            OpKind::Sub => "sub",
            OpKind::MulConst(_) => "mul_const",
            OpKind::AddConst(_) => "add_const",
        }
    }
}

/// When a labeller fixes its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelTiming {
    /// At issue, in program order (every correct strategy).
    AtIssue,
    /// When the operation's messages go out (the naive control).
    AtSend,
}

/// What [`Labeller::issue`] returns.
#[derive(Debug, Clone)]
pub struct Issued<L, T> {
    /// The label for a labelled operation ([`OpKind::is_labelled`]); `None` for
    /// local operations, and for every operation of an [`LabelTiming::AtSend`] labeller.
    pub label: Option<L>,
    /// The tag of the operation's result.
    pub tag: T,
}

/// What [`Labeller::issue_wire`] returns: the label as the runtime files and
/// sends it.
#[derive(Debug, Clone)]
pub struct IssuedWire<T> {
    /// Whether the label's wire form was appended (a labelled operation of a
    /// labeller that fixes labels at issue).
    pub labelled: bool,
    /// The label's dense key, if it has one ([`Labeller::dense_key`]).
    pub dense_key: Option<u64>,
    /// The tag of the operation's result.
    pub tag: T,
}

/// Why a label could not be decoded from the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// The bytes end in the middle of the label.
    #[error("label is truncated after {0} bytes")]
    Truncated(usize),
    /// The bytes are not of the form this labeller writes.
    #[error("label is malformed: {0}")]
    Malformed(&'static str),
    /// The label has the wrong length for this labeller.
    #[error("label is {got} bytes, expected {expected}")]
    WrongLength {
        /// Bytes received.
        got: usize,
        /// Bytes this labeller writes.
        expected: usize,
    },
    /// An operation needed a label and the labeller gave none.
    #[error("labeller `{labeller}` gave no label for a `{op}` operation")]
    Missing {
        /// The labeller's name.
        labeller: &'static str,
        /// The operation.
        op: &'static str,
    },
    /// The program issued an operation the labeller did not expect (static labels
    /// when the run departs from the transformed program).
    #[error("program departed from its labelling: {0}")]
    Diverged(String),
}

/// How every message gets its label. See the [module docs](self) for the
/// contract.
///
/// # Layers
///
/// **Required**, what makes a strategy: [`Labeller::issue`] (the label, at
/// issue) and its wire form, [`Labeller::encode`] and [`Labeller::decode`].
///
/// **Provided**, with defaults that do the usual thing; a strategy overrides
/// only what it uses:
///
/// * continuations: [`Labeller::schedule`], [`Labeller::enter`] and
///   [`Labeller::leave`] keep no state by default (`Context = ()` does);
///   program counters fork a child counter here;
/// * filing hints: [`Labeller::dense_key`] and [`Labeller::wire_dense_key`]
///   (none by default: every label is filed by hash), and
///   [`Labeller::issue_wire`], a faster issue-and-encode;
/// * the at-send hook: [`Labeller::TIMING`] and [`Labeller::at_send`], for the
///   naive control only;
/// * [`Labeller::root_tag`] (the tag's default) and
///   [`Labeller::encoded_len`] (measured by encoding).
///
/// A labeller whose labels are single varints (counters, gate numbers) decodes
/// them with [`decode_varint_label`].
pub trait Labeller: 'static {
    /// A label, as carried on the wire.
    type Label: Clone + Eq + Hash + Debug;
    /// A note kept per value (share or opened value), computed at issue.
    type Tag: Clone + Debug + Default;
    /// The saved state of a scheduled continuation (`()` for a labeller that
    /// keeps none).
    type Context: Default;

    /// When this labeller fixes labels.
    const TIMING: LabelTiming = LabelTiming::AtIssue;

    /// Whether [`Labeller::dense_key`] gives labels dense keys (a run's
    /// report says whether the table filed by them). False, as `dense_key`'s
    /// default gives none.
    const DENSE_KEYS: bool = false;

    /// What the wire form is, so that labels coded against the link
    /// (`--label-coding link`, [`crate::link_coding`]) are coded by their bytes
    /// or component by component. [`WireForm::Bytes`] by default, which suits
    /// any wire form; a labeller whose wire form is always one or more
    /// canonical varints says [`WireForm::Varints`].
    const WIRE_FORM: WireForm = WireForm::Bytes;

    // ---- Required: the label at issue and its wire form. ----

    /// Called for every operation, in program order, when it is issued.
    /// `operands` are the tags of its operands, in order.
    fn issue(
        &mut self,
        op: OpKind,
        operands: &[&Self::Tag],
    ) -> Result<Issued<Self::Label, Self::Tag>, LabelError>;

    /// Appends the label's wire form to `out`.
    fn encode(&self, label: &Self::Label, out: &mut Vec<u8>);

    /// Parses a label from exactly `bytes`, refusing anything this labeller
    /// could not have written.
    fn decode(&self, bytes: &[u8]) -> Result<Self::Label, LabelError>;

    // ---- Provided: continuations. ----

    /// A continuation is scheduled (at issue time, in program order).
    /// `operands` are the tags of the values it waits for. By default no
    /// state is saved.
    fn schedule(&mut self, operands: &[&Self::Tag]) -> Self::Context {
        let _ = operands;
        Self::Context::default()
    }

    /// A continuation starts running with the context saved by `schedule`;
    /// returns the state to hand back to `leave` when it ends. By default
    /// nothing changes.
    fn enter(&mut self, context: Self::Context) -> Self::Context {
        let _ = context;
        Self::Context::default()
    }

    /// A continuation ends; `saved` is what `enter` returned. By default
    /// nothing changes.
    fn leave(&mut self, saved: Self::Context) {
        let _ = saved;
    }

    /// A loop begins ([`Mpc::repeat`](crate::Mpc::repeat)): its first
    /// iteration is issued next, in program order. Returns the state to hand
    /// back to [`Labeller::leave`] once that iteration is issued, if the
    /// labeller keeps one (static labels enter the loop's numbering here).
    /// By default nothing changes: a loop's later iterations run in
    /// continuations, labelled as any continuation is.
    fn loop_begin(&mut self) -> Result<Option<Self::Context>, LabelError> {
        Ok(None)
    }

    /// A loop's body runs again, inside the continuation that tested it
    /// (after [`Labeller::enter`]). By default nothing changes.
    fn loop_again(&mut self) -> Result<(), LabelError> {
        Ok(())
    }

    /// The tag of a value that no operation produced (not used by the built-in
    /// workloads, but the runtime needs one for every value): the tag's
    /// default.
    fn root_tag(&self) -> Self::Tag {
        Self::Tag::default()
    }

    // ---- Provided: filing hints and the fast path. ----

    /// [`Labeller::issue`] as the runtime calls it: the label's wire form is
    /// appended to `out` (the frame being built) and comes back with its dense
    /// key, and the label itself is never built. The default does exactly
    /// [`Labeller::issue`], [`Labeller::encode`] and [`Labeller::dense_key`];
    /// a labeller whose labels are cheaper to write than to build overrides it,
    /// and must agree with the default.
    #[inline]
    fn issue_wire(
        &mut self,
        op: OpKind,
        operands: &[&Self::Tag],
        out: &mut Vec<u8>,
    ) -> Result<IssuedWire<Self::Tag>, LabelError> {
        let issued = self.issue(op, operands)?;
        Ok(match issued.label {
            Some(label) => {
                self.encode(&label, out);
                IssuedWire {
                    labelled: true,
                    dense_key: self.dense_key(&label),
                    tag: issued.tag,
                }
            }
            None => IssuedWire {
                labelled: false,
                dense_key: None,
                tag: issued.tag,
            },
        })
    }

    /// An optional filing hint: if this label is one of a run of consecutive
    /// integers (a counter), that integer. The operation table then finds the
    /// label's entry at the integer modulo its capacity instead of through
    /// its hash index. It must be injective: two different labels never share
    /// a dense key. Keys that run far ahead of the ones this player has
    /// registered are filed by hash until they come near (see the table's
    /// docs), so they stay correct, only slower. The default, `None`, files
    /// every label by hash.
    fn dense_key(&self, label: &Self::Label) -> Option<u64> {
        let _ = label;
        None
    }

    /// The receiver's fast path: if `bytes` is the wire form of a valid label
    /// with a dense key, that key, found without building the label. Must agree
    /// with [`Labeller::decode`] followed by [`Labeller::dense_key`]. The default
    /// says `None`, and the runtime decodes the label.
    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        let _ = bytes;
        None
    }

    /// The length of the label's wire form: the label size the workspace
    /// reports. The default encodes the label and counts.
    fn encoded_len(&self, label: &Self::Label) -> usize {
        let mut v = Vec::new();
        self.encode(label, &mut v);
        v.len()
    }

    // ---- Provided: the at-send hook (the naive control). ----

    /// For [`LabelTiming::AtSend`] labellers: the label when the operation's
    /// messages go out. Others never see this call.
    fn at_send(&mut self, op: OpKind) -> Result<Self::Label, LabelError> {
        Err(LabelError::Missing {
            labeller: std::any::type_name::<Self>(),
            op: op.name(),
        })
    }
}

/// Decodes a label that is exactly one canonical LEB128 varint (a counter, a
/// gate number): the one decoder every varint labeller shares.
pub fn decode_varint_label(bytes: &[u8]) -> Result<u64, LabelError> {
    match get_varint(bytes) {
        Ok((v, used)) if used == bytes.len() => Ok(v),
        Ok(_) => Err(LabelError::Malformed("bytes after the varint label")),
        Err(VarintError::Truncated) => Err(LabelError::Truncated(bytes.len())),
        Err(VarintError::NonCanonical) => {
            Err(LabelError::Malformed("label is not a canonical varint"))
        }
    }
}

/// Decodes a label that is one canonical LEB128 varint or an odd number of
/// them (a static label's path inside loops: numbers and iterations, then a
/// number).
pub fn decode_varint_path(bytes: &[u8]) -> Result<smallvec::SmallVec<[u64; 5]>, LabelError> {
    let mut path = smallvec::SmallVec::new();
    let mut rest = bytes;
    while !rest.is_empty() || path.is_empty() {
        match get_varint(rest) {
            Ok((v, used)) => {
                path.push(v);
                rest = &rest[used..];
            }
            Err(VarintError::Truncated) => return Err(LabelError::Truncated(bytes.len())),
            Err(VarintError::NonCanonical) => {
                return Err(LabelError::Malformed(
                    "label is not made of canonical varints",
                ))
            }
        }
    }
    if path.len() % 2 == 0 {
        return Err(LabelError::Malformed(
            "a label path has an even number of varints",
        ));
    }
    Ok(path)
}

/// Any labeller with its dense keys hidden, so the table files every label by
/// hash. Labels and wire bytes are unchanged; only the filing differs, which
/// measures what the dense slots buy a counter strategy (and what hash labels
/// pay).
#[derive(Debug, Clone)]
pub struct HashFiled<L>(pub L);

impl<L: Labeller> Labeller for HashFiled<L> {
    type Label = L::Label;
    type Tag = L::Tag;
    type Context = L::Context;

    const TIMING: LabelTiming = L::TIMING;
    // Hidden: every label is filed by hash.
    const DENSE_KEYS: bool = false;
    const WIRE_FORM: WireForm = L::WIRE_FORM;

    fn root_tag(&self) -> Self::Tag {
        self.0.root_tag()
    }

    fn issue(
        &mut self,
        op: OpKind,
        operands: &[&Self::Tag],
    ) -> Result<Issued<Self::Label, Self::Tag>, LabelError> {
        self.0.issue(op, operands)
    }

    fn issue_wire(
        &mut self,
        op: OpKind,
        operands: &[&Self::Tag],
        out: &mut Vec<u8>,
    ) -> Result<IssuedWire<Self::Tag>, LabelError> {
        let mut issued = self.0.issue_wire(op, operands, out)?;
        issued.dense_key = None;
        Ok(issued)
    }

    fn at_send(&mut self, op: OpKind) -> Result<Self::Label, LabelError> {
        self.0.at_send(op)
    }

    fn schedule(&mut self, operands: &[&Self::Tag]) -> Self::Context {
        self.0.schedule(operands)
    }

    fn loop_begin(&mut self) -> Result<Option<Self::Context>, LabelError> {
        self.0.loop_begin()
    }

    fn loop_again(&mut self) -> Result<(), LabelError> {
        self.0.loop_again()
    }

    fn enter(&mut self, context: Self::Context) -> Self::Context {
        self.0.enter(context)
    }

    fn leave(&mut self, saved: Self::Context) {
        self.0.leave(saved)
    }

    fn encode(&self, label: &Self::Label, out: &mut Vec<u8>) {
        self.0.encode(label, out)
    }

    fn decode(&self, bytes: &[u8]) -> Result<Self::Label, LabelError> {
        self.0.decode(bytes)
    }

    fn encoded_len(&self, label: &Self::Label) -> usize {
        self.0.encoded_len(label)
    }
}
