//! What a secure link decodes from its peer beyond the Noise handshake
//! itself (which `snow` parses): the sealed messages of an established link,
//! and the PRSS keys a dealer sends at setup. On any bytes neither panics;
//! sealed bytes that open fill no more than the room given, and keys that are
//! accepted encode back to the very bytes received.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shamir_runtime::prss::PrssKeys;
use shamir_runtime::secure::{self, LinkKeys, MAX_PLAINTEXT};
use std::sync::{Mutex, OnceLock};

/// The receiving end of one link, handshaken once: bytes that fail to open
/// leave it as it was (its nonce moves only when a message opens), so every
/// input meets the same state without a handshake per input.
static RECEIVING: OnceLock<Mutex<snow::TransportState>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    // The PRSS keys message, for one of the shapes a run can have.
    let (n, t) = [(3, 1), (5, 2), (7, 3), (4, 1)][usize::from(shape & 3)];
    let dealer = usize::from(shape >> 2) % n;
    let me = usize::from(shape >> 5) % n;
    if let Ok(keys) = PrssKeys::from_dealer(rest, n, t, dealer, me) {
        assert_eq!(keys.to_bytes(), rest);
    }
    // The same bytes as sealed messages on an established link.
    let receiving = RECEIVING.get_or_init(|| {
        let keys = LinkKeys::for_local_run(2).expect("keys");
        Mutex::new(secure::transports_in_memory(&keys).expect("a link").1)
    });
    let mut receiving = receiving.lock().expect("one fuzzing thread");
    let mut plain = vec![0u8; 2 * MAX_PLAINTEXT];
    if let Ok((used, written)) = secure::open(&mut receiving, rest, &mut plain) {
        assert!(used <= rest.len() && written <= plain.len());
    }
});
