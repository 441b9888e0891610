//! The frame parser, on any bytes: it never panics, never claims more bytes
//! than it was given, and every frame it accepts re-encodes to exactly the
//! bytes it took (lengths are canonical varints, payloads canonical field
//! elements, Abort reasons within their limit), while every strict prefix of
//! that frame is "not complete yet".
#![no_main]

use libfuzzer_sys::fuzz_target;
use shamir_runtime::wire::{parse_frame, put_abort, put_bye, put_message, Frame};

fuzz_target!(|data: &[u8]| {
    let mut at = 0;
    // Frame after frame, as a link reader takes them from its buffer.
    while let Ok(Some((frame, used))) = parse_frame(&data[at..]) {
        assert!(
            used > 0 && at + used <= data.len(),
            "took {used} of {}",
            data.len() - at
        );
        let taken = &data[at..at + used];
        let mut again = Vec::new();
        match frame {
            Frame::Message { label, payload } => {
                put_message(&mut again, label, payload);
            }
            Frame::Bye => put_bye(&mut again),
            Frame::Abort { reason } => put_abort(&mut again, reason),
        }
        assert_eq!(
            again, taken,
            "a parsed frame re-encodes to the bytes it came from"
        );
        for cut in [0, used / 2, used - 1] {
            assert_eq!(
                parse_frame(&taken[..cut]),
                Ok(None),
                "a prefix of {cut} bytes"
            );
        }
        at += used;
    }
});
