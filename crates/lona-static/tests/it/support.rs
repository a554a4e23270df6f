//! Fixtures: helpers to read a response's body.

use std::io::Read;

use lona_static::{Body, StaticResponse};

/// The body's bytes, reading a file body as the server would.
pub(crate) fn body_bytes(response: StaticResponse) -> Vec<u8> {
    match response.body {
        Body::File {
            mut file, length, ..
        } => {
            let mut bytes = Vec::new();
            file.by_ref()
                .take(length)
                .read_to_end(&mut bytes)
                .expect("read body");
            bytes
        }
        body => body.as_slice().expect("in memory").to_vec(),
    }
}
