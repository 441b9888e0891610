//! Labels coded against the link: the decoder fed arbitrary coded labels, and
//! arbitrary label sequences coded by one end and decoded by the other.
//!
//! The first byte picks the wire form (bit 0: varints or bytes) and the mode
//! (bit 1): **decode** splits the rest into coded labels (a length byte, then
//! the bytes) and decodes each against the labels before it; **round trip**
//! builds labels from the rest (a length byte, then the bytes; as varints,
//! each byte's low 7 bits a component, sign bit set for a large one), codes
//! them through one coder and decodes them through another.
//!
//! Checked: no panic; a decoded label fits a frame; an error leaves the coder
//! as it was (decoding the same bytes again gives the same error); every
//! label comes back exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shamir_runtime::link_coding::{LinkCoder, WireForm, MAX_LABEL};
use shamir_runtime::wire::put_varint;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let form = if mode & 1 == 0 {
        WireForm::Varints
    } else {
        WireForm::Bytes
    };
    let mut pieces = Vec::new();
    while let [len, tail @ ..] = rest {
        let (piece, next) = tail.split_at(usize::from(*len).min(tail.len()));
        pieces.push(piece);
        rest = next;
    }
    if mode & 2 == 0 {
        let mut coder = LinkCoder::new(form);
        for coded in pieces {
            let mut out = Vec::new();
            let before = coder.clone();
            match coder.decode(coded, &mut out) {
                Ok(()) => assert!(out.len() <= MAX_LABEL),
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    let mut again = before;
                    assert_eq!(again.decode(coded, &mut Vec::new()), Err(e));
                    return;
                }
            }
        }
    } else {
        let (mut sender, mut receiver) = (LinkCoder::new(form), LinkCoder::new(form));
        for piece in pieces {
            let plain = match form {
                WireForm::Bytes => piece.to_vec(),
                WireForm::Varints => {
                    if piece.is_empty() {
                        continue;
                    }
                    let mut out = Vec::new();
                    for &b in piece {
                        let c = u64::from(b & 0x7f);
                        put_varint(&mut out, if b & 0x80 == 0 { c } else { c << 57 | c });
                    }
                    out
                }
            };
            let mut coded = Vec::new();
            sender
                .encode(&plain, &mut coded)
                .expect("a label of varints codes");
            let mut back = Vec::new();
            receiver
                .decode(&coded, &mut back)
                .expect("a coded label decodes");
            assert_eq!(back, plain);
        }
    }
});
