//! [`EmbeddedFile`]: one file compiled into the binary, served from memory.

/// One file compiled into the binary, served from memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// The path relative to the set's name prefix, e.g. `"lona.js"`.
    pub path: &'static str,
    /// The `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// The bytes.
    pub body: &'static [u8],
}

impl EmbeddedFile {
    /// An embedded file of bytes.
    pub const fn new(
        path: &'static str,
        content_type: &'static str,
        body: &'static [u8],
    ) -> EmbeddedFile {
        EmbeddedFile {
            path,
            content_type,
            body,
        }
    }

    /// An embedded text file, e.g. one of `lona_client::ASSETS`:
    /// `EmbeddedFile::from_text(asset.path, asset.content_type, asset.body)`.
    pub const fn from_text(
        path: &'static str,
        content_type: &'static str,
        body: &'static str,
    ) -> EmbeddedFile {
        EmbeddedFile::new(path, content_type, body.as_bytes())
    }
}
