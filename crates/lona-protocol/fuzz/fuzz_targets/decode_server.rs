//! Fuzz target for `decode_server`: any input decodes without panicking, a decoded message
//! re-encodes to a frame that decodes to the same message, and a client state takes it
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lona_protocol::{ClientState, ServerFrame, WindowId, decode_server};

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = std::str::from_utf8(data) else {
        return;
    };
    match decode_server(frame) {
        Ok(ServerFrame::Lona(message)) => {
            let encoded = message.as_message().encode();
            assert_eq!(
                decode_server(&encoded),
                Ok(ServerFrame::Lona(message)),
                "re-encoding {frame:?} as {encoded:?} changed the message"
            );
        }
        Ok(ServerFrame::Custom(text)) => assert_eq!(text, frame),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    let mut state = ClientState::new();
    state.view(WindowId(1), "http://127.0.0.1/");
    let _ = state.receive(frame);
});
