//! Tests of `Error`: conversions from each part keep their kind.

use crate::Error;

#[test]
fn errors_of_the_parts_convert_and_keep_their_kind() {
    let selector: Error = lona_html::Selector::parse("a + b").unwrap_err().into();
    assert!(selector.is_selector() && !selector.is_decode());
    assert!(selector.to_string().contains("byte 2"));
    let decode: Error = lona_protocol::client::decode_client("lona:[")
        .unwrap_err()
        .into();
    assert!(decode.is_decode());
    let id: Error = "01".parse::<lona_html::NodeId>().unwrap_err().into();
    assert!(id.is_node_id());
    assert!(std::error::Error::source(&id).is_some());
    let io: Error = std::io::Error::from(std::io::ErrorKind::AddrInUse).into();
    assert!(io.is_io() && !io.is_server());
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
    let through: Error = crate::ServerError::from(refused()).into();
    assert!(through.is_settings());
    assert!(
        through
            .to_string()
            .contains("`max_runtime_thread` in settings.toml")
    );
}

/// `app.main()` is a whole `main`: its error is this one, not the server's (issue 16's trap
/// of `app.main()?; Ok(())`). Compiling is the test; it is never called.
#[allow(dead_code)]
fn main_is_the_whole_main() -> crate::Result<()> {
    crate::App::new().main()
}

/// And `?` still works where a `main` does more after it.
#[allow(dead_code)]
fn main_with_question_mark() -> crate::Result<()> {
    crate::App::new().main()?;
    Ok(())
}

#[test]
fn a_server_that_cannot_start_is_a_server_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let error: Error = crate::App::new().spawn(&addr).expect_err("in use").into();
    assert!(error.is_server() && !error.is_settings(), "{error}");
}
