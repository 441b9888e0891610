//! [`Numbering`]: a traced circuit's labelled gates numbered before the run,
//! loops included, and [`LoopPath`], where a run is inside its loops.
//!
//! The top level's labelled gates are numbered 0, 1, 2, … in traced order,
//! each kept as a one-byte code of its kind ([`kind_code`]); a loop gate
//! ([`Gate::Loop`]) takes a number too, with the code [`LOOP_CODE`]. Each
//! loop's sub-program ([`Scope`](super::Scope)) is numbered the same way on
//! its own, from 0: its body's labelled gates first, then its continuation's.
//!
//! A labelled operation issued inside loops is labelled by its path: the
//! number of the outermost loop gate, that loop's iteration, the number of
//! the next loop gate inside it, its iteration, …, and last the operation's
//! own number in the innermost sub-program. Every number but the iterations
//! is fixed before the run; an iteration counts the times a loop's test
//! (opened values, the same at every player) said "again", so every player
//! computes the same path. A continuation of the last iteration keeps its
//! iteration and numbers on after the body, so no two operations share a
//! path. On the wire a path is its numbers as varints: a top-level label is
//! one varint, as before loops existed.

use super::{Circuit, Gate, GateId, DEADLINE_CHECK};
use crate::label::{OpKind, PlayerId};
use smallvec::SmallVec;
use std::sync::Arc;
use std::time::Instant;

/// The code of a loop gate's number: no operation has it.
pub const LOOP_CODE: u8 = 0xFF;

/// A label inside loops: numbers and iterations, outermost first (one number
/// at the top level).
pub type PathLabel = SmallVec<[u64; 5]>;

/// The one-byte code of a labelled operation kind: `random` 0, `mul` 1,
/// `open` 2, `input` of player `p` 3 + p. `None` for local operations (and
/// for inputs of players beyond 251, which numbering refuses).
#[inline]
pub fn kind_code(op: OpKind) -> Option<u8> {
    match op {
        OpKind::Random => Some(0),
        OpKind::Mul => Some(1),
        OpKind::Open => Some(2),
        OpKind::Input { owner } => input_code(owner),
        _ => None,
    }
}

/// The code of an input of `owner`, if it fits below [`LOOP_CODE`].
#[inline]
fn input_code(owner: PlayerId) -> Option<u8> {
    u8::try_from(owner)
        .ok()
        .and_then(|o| o.checked_add(3))
        .filter(|&c| c != LOOP_CODE)
}

/// The labelled operation a code stands for, for error messages.
pub fn code_name(code: u8) -> String {
    match ["random", "mul", "open"].get(usize::from(code)) {
        Some(name) => name.to_string(),
        None if code == LOOP_CODE => "loop".to_string(),
        None => format!("input of player {}", code - 3),
    }
}

/// Why numbering stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// A gate (if known) cannot be numbered, and why.
    Refused(Option<GateId>, String),
    /// The deadline passed.
    OutOfTime,
}

/// One sub-program's numbers.
#[derive(Debug, Clone)]
struct Numbered {
    codes: Arc<[u8]>,
    /// Labelled gates of the body (the continuation's follow).
    body: u32,
    /// (number, scope) of each loop gate, by number.
    loops: Box<[(u64, u32)]>,
}

/// A circuit's labelled gates, numbered: the top level's, and each loop
/// sub-program's.
#[derive(Debug, Clone)]
pub struct Numbering {
    top: Numbered,
    scopes: Box<[Numbered]>,
}

/// Where one loop is: its scope, its number in the enclosing sub-program,
/// its iteration, and the number of its next labelled gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Frame {
    scope: u32,
    number: u64,
    iteration: u64,
    at: u32,
}

/// Where a run is inside loops, outermost first (empty at the top level).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoopPath(Vec<Frame>);

impl LoopPath {
    /// Whether the run is at the top level.
    #[inline(always)]
    pub fn is_top(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why gate `i`, an input of `owner`, has no code in a run of `players`.
#[cold]
fn no_such_player(i: usize, owner: u32, players: usize) -> NumberError {
    let why = format!("gate {i} is an input of player {owner}, but the run has {players} players");
    NumberError::Refused(Some(i as GateId), why)
}

/// Numbers `gates`; `scope_of` gives the scope of a loop gate's operand.
fn number_gates(
    gates: &[Gate],
    body: usize,
    players: usize,
    deadline: Option<Instant>,
    scope_of: impl Fn(u32) -> u32,
) -> Result<Numbered, NumberError> {
    let (mut codes, mut loops, mut body_codes) = (Vec::new(), Vec::new(), 0);
    for (i, &gate) in gates.iter().enumerate() {
        if i.is_multiple_of(DEADLINE_CHECK) && deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(NumberError::OutOfTime);
        }
        if i == body {
            body_codes = codes.len();
        }
        let code = match gate {
            Gate::Input { owner, .. } => usize::try_from(owner)
                .ok()
                .filter(|&o| o < players)
                .and_then(input_code)
                .ok_or_else(|| no_such_player(i, owner, players))?,
            Gate::Random => 0,
            Gate::Mul(..) => 1,
            Gate::Open(_) => 2,
            Gate::Loop(x) => {
                loops.push((codes.len() as u64, scope_of(x)));
                LOOP_CODE
            }
            _ => continue,
        };
        codes.push(code);
    }
    if body >= gates.len() {
        body_codes = codes.len();
    }
    Ok(Numbered {
        codes: Arc::from(codes),
        body: body_codes as u32,
        loops: loops.into(),
    })
}

/// Numbers the labelled gates of `circuit` (its top level and every loop's
/// sub-program) for a run of `players` players, looking at the clock every
/// [`DEADLINE_CHECK`] gates when there is a deadline.
pub fn number(
    circuit: &Circuit,
    players: usize,
    deadline: Option<Instant>,
) -> Result<Numbering, NumberError> {
    let sites = circuit.loops();
    let top = number_gates(circuit.gates(), usize::MAX, players, deadline, |i| {
        sites[i as usize].scope
    })?;
    let scopes = circuit
        .scopes()
        .iter()
        .map(|s| number_gates(&s.gates, s.body, players, None, |x| x))
        .collect::<Result<Box<[_]>, _>>()?;
    if deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(NumberError::OutOfTime);
    }
    Ok(Numbering { top, scopes })
}

impl Numbering {
    /// The top level's codes, by number.
    pub fn codes(&self) -> &Arc<[u8]> {
        &self.top.codes
    }

    /// Labelled gates of the top level (loop gates included).
    pub fn len(&self) -> u64 {
        self.top.codes.len() as u64
    }

    /// Whether the top level has no labelled gate.
    pub fn is_empty(&self) -> bool {
        self.top.codes.is_empty()
    }

    /// Bytes of codes and loop tables: a byte per labelled gate, 12 per
    /// loop gate, and each sub-program's header.
    pub fn bytes(&self) -> usize {
        let one = |n: &Numbered| n.codes.len() + n.loops.len() * 12;
        let headers = self.scopes.len() * std::mem::size_of::<Numbered>();
        one(&self.top) + self.scopes.iter().map(one).sum::<usize>() + headers
    }

    /// The sub-program the run is in, and where in it.
    fn here<'a>(&'a self, next: usize, path: &LoopPath) -> (&'a Numbered, u64) {
        match path.0.last() {
            Some(f) => (&self.scopes[f.scope as usize], u64::from(f.at)),
            None => (&self.top, next as u64),
        }
    }

    /// A loop begins where the run is (at the top level, its next number is
    /// `next`): the number there must be a loop gate's. Takes it and enters
    /// the loop's first iteration; returns where the run was (after the loop
    /// gate), to go back to once the first iteration is issued.
    pub fn begin_loop(&self, next: &mut usize, path: &mut LoopPath) -> Result<LoopPath, String> {
        let (numbered, at) = self.here(*next, path);
        let code = numbered.codes.get(at as usize).copied();
        let found = numbered.loops.binary_search_by_key(&at, |l| l.0);
        let (Some(LOOP_CODE), Ok(i)) = (code, found) else {
            let has = code.map_or_else(
                || "nothing more".to_string(),
                |c| format!("`{}`", code_name(c)),
            );
            return Err(format!(
                "the run began a loop where the transformed program has {has} (labelled gate #{at} of {})",
                self.place(path)
            ));
        };
        let scope = numbered.loops[i].1;
        match path.0.last_mut() {
            Some(f) => f.at += 1,
            None => *next += 1,
        }
        let saved = path.clone();
        path.0.push(Frame {
            scope,
            number: at,
            iteration: 0,
            at: 0,
        });
        Ok(saved)
    }

    /// The innermost loop runs its body again: its whole body must have
    /// been issued.
    pub fn again(&self, path: &mut LoopPath) -> Result<(), String> {
        let place = self.place(path);
        let Some(f) = path.0.last_mut() else {
            return Err("the run repeated a loop outside any loop".to_string());
        };
        let body = self.scopes[f.scope as usize].body;
        if f.at != body {
            return Err(format!(
                "the run repeated {place} after {} of its body's {body} labelled operations",
                f.at
            ));
        }
        f.iteration += 1;
        f.at = 0;
        Ok(())
    }

    /// The label of an operation of code `code` issued inside loops, if it
    /// is the kind the transformation numbered there.
    pub fn take_in_loop(&self, path: &mut LoopPath, code: u8) -> Result<PathLabel, String> {
        let place = self.place(path);
        let f = path.0.last_mut().expect("inside a loop");
        let numbered = &self.scopes[f.scope as usize];
        match numbered.codes.get(f.at as usize) {
            Some(&c) if c == code => {}
            other => {
                let has = other.map_or_else(
                    || "nothing more".to_string(),
                    |&c| format!("`{}`", code_name(c)),
                );
                return Err(format!(
                    "the run issued `{}` where the transformed program has {has} (labelled gate #{} of {place})",
                    code_name(code),
                    f.at
                ));
            }
        }
        let at = f.at;
        f.at += 1;
        let mut label = PathLabel::new();
        for f in &path.0 {
            label.extend([f.number, f.iteration]);
        }
        label.push(u64::from(at));
        Ok(label)
    }

    /// Where the run is, in words.
    fn place(&self, path: &LoopPath) -> String {
        match path.0.last() {
            None => "the top level".to_string(),
            Some(f) => format!(
                "iteration {} of loop sub-program {} (loop gate #{})",
                f.iteration, f.scope, f.number
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Fp;

    #[test]
    fn kind_codes_are_distinct_and_local_ops_have_none() {
        let mut codes: Vec<u8> = [OpKind::Random, OpKind::Mul, OpKind::Open]
            .into_iter()
            .chain((0..16).map(|owner| OpKind::Input { owner }))
            .map(|k| kind_code(k).unwrap())
            .chain([LOOP_CODE])
            .collect();
        let len = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), len);
        for op in [
            OpKind::Add,
            OpKind::Sub,
            OpKind::MulConst(Fp::ONE),
            OpKind::AddConst(Fp::ONE),
        ] {
            assert_eq!(kind_code(op), None);
        }
        assert_eq!(input_code(252), None);
        assert_eq!(input_code(251), Some(254));
        assert_eq!(
            code_name(kind_code(OpKind::Input { owner: 2 }).unwrap()),
            "input of player 2"
        );
        assert_eq!(code_name(LOOP_CODE), "loop");
    }
}
