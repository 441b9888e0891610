//! The [`Mpc`] operations of the engine: each asks the labeller at issue, in
//! program order, and files the operation in the table, or, when nothing
//! needs to wait (a local operation on known values, an input this player
//! deals, a random value), computes it at once with no entry at all.

use super::table::{flag, Entry, Kind};
use super::{local, values, Engine};
use crate::error::RuntimeError;
use crate::field::Fp;
use crate::label::{Labeller, OpKind, PlayerId};
use crate::program::{Loop, Mpc, Public, Share, ValueId};
use smallvec::SmallVec;
use std::sync::Arc;

impl<L: Labeller> Engine<L> {
    /// Whether every handle in `operands` names a value the program still
    /// holds; if not, the run fails with a program error.
    #[inline]
    fn held(&mut self, operands: &[u32]) -> bool {
        if operands.iter().all(|&v| self.values.is_held(v)) {
            return true;
        }
        self.used_after_release(operands);
        false
    }

    #[cold]
    fn used_after_release(&mut self, operands: &[u32]) {
        let v = operands
            .iter()
            .find(|&&v| !self.values.is_held(v))
            .copied()
            .unwrap_or_default();
        self.fail(RuntimeError::Program(format!(
            "value {v} was used after the program released it"
        )));
    }

    /// Issues a multiplication or an opening of `a` (and `b`): filed under its
    /// label, sent at once if its operands are known, else when they are.
    fn exchange(&mut self, kind: OpKind, entry_kind: Kind, a: u32, b: u32) -> u32 {
        self.counters.ops += 1;
        let both = [a, b];
        let operands = if entry_kind == Kind::Mul {
            &both[..]
        } else {
            &both[..1]
        };
        let ready = match (self.values.readiness(a), self.values.readiness(b)) {
            (Some(x), Some(y)) => x && y,
            _ => {
                self.used_after_release(operands);
                return self.poisoned();
            }
        };
        let Some(issued) = self.issue_wire(kind, operands) else {
            return self.poisoned();
        };
        let mut init = Entry::new(entry_kind);
        init.a = a;
        init.b = b;
        let id = if issued.labelled {
            self.table
                .register(self.sender.label(), issued.dense_key, self.peers_mask, init)
        } else {
            // An at-send labeller's operation is filed when it sends.
            self.table.alloc(init)
        };
        self.live += 1;
        let out = self.values.alloc(issued.tag, id, Fp::ZERO);
        self.table.entry_mut(id).out = out;
        if ready || self.wait_for(id, operands) == 0 {
            self.send_exchange(id, issued.labelled);
        } else if issued.labelled {
            self.keep_frame_label(id);
        }
        out
    }

    /// Issues a local operation on `a` (and `b`, else `b = a`) with constant `c`.
    fn local_op(&mut self, kind: OpKind, entry_kind: Kind, a: u32, b: Option<u32>, c: Fp) -> Share {
        self.counters.ops += 1;
        let both = [a, b.unwrap_or(a)];
        let operands = if b.is_some() { &both[..] } else { &both[..1] };
        if !self.held(operands) {
            return Share(ValueId(self.poisoned()));
        }
        let Some(issued) = self.issue_wire(kind, operands) else {
            return Share(ValueId(self.poisoned()));
        };
        let tag = issued.tag;
        if operands.iter().all(|&v| self.values.is_ready(v)) {
            let v = local(entry_kind, self.values.get(a), self.values.get(both[1]), c);
            return Share(ValueId(self.values.alloc(tag, values::READY, v)));
        }
        let mut init = Entry::new(entry_kind);
        (init.a, init.b, init.c) = (a, both[1], c);
        let id = self.table.alloc(init);
        self.live += 1;
        let out = self.values.alloc(tag, id, Fp::ZERO);
        self.table.entry_mut(id).out = out;
        self.wait_for(id, operands);
        Share(ValueId(out))
    }

    /// For an at-send labeller: reads the label of an operation that sends
    /// (or feeds the PRF) now and prepares its frame.
    fn label_at_send_now(&mut self, kind: OpKind) -> bool {
        match self.labeller.at_send(kind) {
            Ok(l) => {
                self.frame_label(&l);
                true
            }
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }
}

impl<L: Labeller> Mpc for Engine<L> {
    fn players(&self) -> usize {
        self.n()
    }

    fn input(&mut self, owner: PlayerId, value: Fp) -> Share {
        self.counters.ops += 1;
        if owner >= self.n() {
            self.fail(RuntimeError::Program(format!(
                "input owned by player {owner}, but there are {} players",
                self.n()
            )));
            return Share(ValueId(self.poisoned()));
        }
        let kind = OpKind::Input { owner };
        let Some(issued) = self.issue_wire(kind, &[]) else {
            return Share(ValueId(self.poisoned()));
        };
        if owner == self.me {
            if !issued.labelled && !self.label_at_send_now(kind) {
                return Share(ValueId(self.poisoned()));
            }
            let mut shares = std::mem::take(&mut self.share_buf);
            self.shamir.deal(value, &mut self.rng, &mut shares);
            self.sender
                .send_each(self.now, &mut self.counters, |peer| shares[peer]);
            let own = shares[self.me];
            self.share_buf = shares;
            return Share(ValueId(self.values.alloc(issued.tag, values::READY, own)));
        }
        let mut init = Entry::new(Kind::Input);
        init.a = owner as u32;
        let id = if issued.labelled {
            self.table
                .register(self.sender.label(), issued.dense_key, 1 << owner, init)
        } else {
            self.table.alloc(init)
        };
        self.live += 1;
        let out = self.values.alloc(issued.tag, id, Fp::ZERO);
        self.table.entry_mut(id).out = out;
        if issued.labelled {
            let e = self.table.entry_mut(id);
            e.flags |= flag::ACTIVE;
            if e.want == 0 {
                self.complete(id);
            }
        } else {
            self.activate(id, false);
        }
        Share(ValueId(out))
    }

    fn random(&mut self) -> Share {
        self.counters.ops += 1;
        let Some(issued) = self.issue_wire(OpKind::Random, &[]) else {
            return Share(ValueId(self.poisoned()));
        };
        if !issued.labelled && !self.label_at_send_now(OpKind::Random) {
            return Share(ValueId(self.poisoned()));
        }
        let share = self.prss.share(self.sender.label());
        Share(ValueId(self.values.alloc(issued.tag, values::READY, share)))
    }

    fn add(&mut self, a: Share, b: Share) -> Share {
        self.local_op(OpKind::Add, Kind::Add, a.0 .0, Some(b.0 .0), Fp::ZERO)
    }

    fn sub(&mut self, a: Share, b: Share) -> Share {
        self.local_op(OpKind::Sub, Kind::Sub, a.0 .0, Some(b.0 .0), Fp::ZERO)
    }

    fn mul_const(&mut self, a: Share, c: Fp) -> Share {
        self.local_op(OpKind::MulConst(c), Kind::MulConst, a.0 .0, None, c)
    }

    fn add_const(&mut self, a: Share, c: Fp) -> Share {
        self.local_op(OpKind::AddConst(c), Kind::AddConst, a.0 .0, None, c)
    }

    fn mul(&mut self, a: Share, b: Share) -> Share {
        self.counters.muls += 1;
        Share(ValueId(self.exchange(
            OpKind::Mul,
            Kind::Mul,
            a.0 .0,
            b.0 .0,
        )))
    }

    fn open(&mut self, a: Share) -> Public {
        let a = a.0 .0;
        Public(ValueId(self.exchange(OpKind::Open, Kind::Open, a, a)))
    }

    fn check(&mut self, p: Public, expected: Fp) {
        let p = p.0 .0;
        if !self.held(&[p]) {
            return;
        }
        let Some(producer) = self.values.producer(p) else {
            self.record_check(p, expected);
            return;
        };
        // The usual case: the opening is pending and has no check yet.
        let e = self.table.entry_mut(producer);
        if e.kind == Kind::Open && e.flags & flag::CHECKED == 0 {
            e.flags |= flag::CHECKED;
            e.c = expected;
            return;
        }
        let mut init = Entry::new(Kind::Check);
        (init.a, init.c) = (p, expected);
        let id = self.table.alloc(init);
        self.live += 1;
        self.wait_for(id, &[p]);
    }

    fn read(&mut self, p: Public) -> Fp {
        let p = p.0 .0;
        if !self.held(&[p]) {
            return Fp::ZERO;
        }
        if !self.values.is_ready(p) {
            self.fail(RuntimeError::Program(format!(
                "value {p} was read before it was known (read it in a continuation scheduled after it)"
            )));
        }
        self.values.get(p)
    }

    fn schedule(&mut self, after: &[ValueId], then: impl FnOnce(&mut Self) + 'static) {
        let deps: SmallVec<[u32; 4]> = after.iter().map(|v| v.0).collect();
        if !self.held(&deps) {
            return;
        }
        let context = {
            let values = &self.values;
            let tags: SmallVec<[&L::Tag; 4]> = deps.iter().map(|&v| values.tag(v)).collect();
            self.labeller.schedule(&tags)
        };
        if deps.iter().all(|&v| self.values.is_ready(v)) {
            let saved = self.labeller.enter(context);
            then(self);
            self.labeller.leave(saved);
            return;
        }
        let waiting = (
            Box::new(then) as super::Continuation<L>,
            context,
            deps.clone(),
        );
        let index = match self.free_continuations.pop() {
            Some(i) => {
                self.continuations[i as usize] = Some(waiting);
                i
            }
            None => {
                self.continuations.push(Some(waiting));
                (self.continuations.len() - 1) as u32
            }
        };
        let mut init = Entry::new(Kind::Continue);
        init.a = index;
        let id = self.table.alloc(init);
        self.live += 1;
        self.wait_for(id, &deps);
    }

    /// A loop, run with continuations ([`crate::program::run_loop`]), its
    /// first iteration issued inside the labeller's loop state, if it keeps
    /// one.
    fn repeat(&mut self, inputs: &[Share], body: Arc<Loop>) {
        let saved = match self.labeller.loop_begin() {
            Ok(saved) => saved,
            Err(e) => {
                self.fail(e);
                return;
            }
        };
        crate::program::run_loop(self, inputs, body);
        if let Some(saved) = saved {
            self.labeller.leave(saved);
        }
    }

    fn next_iteration(&mut self) {
        if let Err(e) = self.labeller.loop_again() {
            self.fail(e);
        }
    }

    #[inline]
    fn release(&mut self, v: ValueId) {
        if self.values.release(v.0).is_err() {
            self.fail(RuntimeError::Program(format!(
                "value {} was released twice, or never existed",
                v.0
            )));
        }
    }
}
