//! The limits checked before parsing: frame size and nesting depth.

use super::*;

#[test]
fn frames_over_the_size_limit_are_rejected_before_anything_else() {
    let limits = DecodeLimits {
        max_frame_bytes: 10,
        ..DecodeLimits::default()
    };
    let frame = "lona:[null,null,105,null]";
    let error = decode_client_with(frame, &limits).err();
    assert!(error.as_ref().is_some_and(DecodeError::is_too_large));
    assert_eq!(
        error.map(|e| e.to_string()),
        Some(
            "invalid lona message at frame: expected a frame within the size limit, \
             found 25 bytes (the limit is 10)"
                .to_owned()
        )
    );
    // Custom frames count too: the limit protects the socket, whatever the frame is for.
    assert!(decode_client_with("x".repeat(11).as_str(), &limits).is_err_and(|e| e.is_too_large()));
    assert_eq!(
        decode_client_with("x".repeat(10).as_str(), &limits).map(|_| ()),
        Ok(())
    );
}

#[test]
fn the_default_limits_allow_a_mebibyte() {
    let big = format!(r#"lona:[1,"1",104,["{}"]]"#, "x".repeat(1024 * 1024 - 100));
    assert!(matches!(decode_client(&big), Ok(Frame::Lona(_))));
    let too_big = format!(r#"lona:[1,"1",104,["{}"]]"#, "x".repeat(1024 * 1024));
    assert!(decode_client(&too_big).is_err_and(|e| e.is_too_large()));
}

#[test]
fn deep_nesting_is_rejected_before_parsing() {
    for open in ["[", "{\"a\":"] {
        let frame = format!("lona:{}", open.repeat(10_000));
        let error = decode_client(&frame).err();
        assert!(
            error.as_ref().is_some_and(DecodeError::is_too_deep),
            "{error:?}"
        );
        assert_eq!(
            error.map(|e| e.to_string()),
            Some(
                "invalid lona message at frame: expected JSON nested within the depth limit, \
                 found nesting deeper than 32 levels"
                    .to_owned()
            )
        );
    }
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    // The frame is level 1, the payload 2, the custom data 3: 30 more levels fit in 32.
    let custom = |levels: usize| {
        format!(
            r#"lona:[1,"1",102,[1,"deep",{}{},[null,null,null,null],[null,null,null,null]]]"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    assert!(matches!(decode_client(&custom(30)), Ok(Frame::Lona(_))));
    assert!(decode_client(&custom(31)).is_err_and(|e| e.is_too_deep()));
    // The node infos sit at level 3 too, so they do not change the count.
    let limits = DecodeLimits {
        max_depth: 3,
        ..DecodeLimits::default()
    };
    assert!(decode_client_with(&custom(1), &limits).is_ok());
    assert!(decode_client_with(&custom(2), &limits).is_err_and(|e| e.is_too_deep()));
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let url = format!("/{}\\\"{}", "[".repeat(100), "{".repeat(100));
    let frame = format!(r#"lona:[1,null,101,["{url}",{{}}]]"#);
    assert!(
        matches!(
            decode_client(&frame),
            Ok(Frame::Lona(ClientMessage::View { .. }))
        ),
        "{frame}"
    );
}
