//! Tests of the facade error: conversions from each part keep their kind.

use crate::Error;

#[test]
fn errors_of_the_parts_convert_and_keep_their_kind() {
    let selector: Error = crate::html::Selector::parse("a + b").unwrap_err().into();
    assert!(selector.is_selector() && !selector.is_decode());
    assert!(selector.to_string().contains("byte 2"));
    let decode: Error = lona_protocol::client::decode_client("lona:[")
        .unwrap_err()
        .into();
    assert!(decode.is_decode());
    let id: Error = "01".parse::<crate::html::NodeId>().unwrap_err().into();
    assert!(id.is_node_id());
    assert!(std::error::Error::source(&id).is_some());
}

#[test]
fn settings_errors_convert_to_settings_kind_directly_and_through_server_error() {
    let refused = || {
        crate::Settings::default()
            .apply_toml("max_runtime_thread = 1", "settings.toml")
            .expect_err("unknown key")
    };
    let direct: Error = refused().into();
    assert!(direct.is_settings() && !direct.is_server());
    let through: Error = crate::server::ServerError::from(refused()).into();
    assert!(through.is_settings());
    assert!(
        through
            .to_string()
            .contains("`max_runtime_thread` in settings.toml")
    );
}
