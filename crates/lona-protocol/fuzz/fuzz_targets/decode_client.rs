//! Fuzz target for `decode_client`: any input decodes without panicking, and a decoded message
//! re-encodes to a frame that decodes to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lona_protocol::client::{Frame, decode_client};

fuzz_target!(|data: &[u8]| {
    // Websocket text frames are UTF-8; other input says nothing about the decoder.
    let Ok(frame) = std::str::from_utf8(data) else {
        return;
    };
    match decode_client(frame) {
        Ok(Frame::Lona(message)) => {
            let encoded = message.encode();
            assert_eq!(
                decode_client(&encoded),
                Ok(Frame::Lona(message)),
                "re-encoding {frame:?} as {encoded:?} changed the message"
            );
        }
        Ok(Frame::Custom(text)) => assert_eq!(text, frame),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
