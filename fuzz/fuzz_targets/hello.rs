//! The handshake decoder, on any body: it never panics, and a body it accepts
//! is a hello that encodes back to a body that decodes to the same hello,
//! whose length prefix the receiver accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shamir_runtime::wire::Hello;

fuzz_target!(|data: &[u8]| {
    if let Ok(hello) = Hello::from_body(data) {
        let frame = hello.to_frame();
        let len = Hello::body_len(frame[..4].try_into().expect("4 bytes"))
            .expect("an encoded hello is within the limit");
        assert_eq!(len, frame.len() - 4);
        assert_eq!(Hello::from_body(&frame[4..]).as_ref(), Ok(&hello));
    }
    if let Ok(prefix) = <[u8; 4]>::try_from(data.get(..4).unwrap_or_default()) {
        let _ = Hello::body_len(prefix);
    }
});
