//! The acknowledged stream's server side: the sequence number stamped on a frame reads back,
//! the new messages round-trip, and malformed numbers, tokens and payloads are errors.

use proptest::prelude::*;

use super::super::decode_server_with_seq;
use super::*;
use crate::stamp_seq;

fn decode_seq(frame: &str) -> Result<(DecodedServerMessage, Option<u64>), String> {
    match decode_server_with_seq(frame) {
        Ok((ServerFrame::Lona(message), seq)) => Ok((message, seq)),
        Ok((ServerFrame::Custom(_), _)) => Err("custom".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

#[test]
fn a_stamped_frame_reads_back_with_its_number() {
    let mut frame = ServerMessage::InputEventAck {
        window: W1,
        runtime: R1,
        event_id: 3,
    }
    .encode();
    stamp_seq(&mut frame, 42);
    assert_eq!(frame, r#"lona:[1,"1",103,3,42]"#);
    let (message, seq) = decode_seq(&frame).expect("decodes");
    assert_eq!(seq, Some(42));
    assert_eq!(
        message,
        DecodedServerMessage::InputEventAck {
            window: W1,
            runtime: R1,
            event_id: 3
        }
    );
    // The plain protocol has no number, and decode_server ignores it.
    assert_eq!(decode_seq(r#"lona:[1,"1",103,3]"#).expect("plain").1, None);
    assert!(decode_server(&frame).is_ok());
}

#[test]
fn custom_frames_are_never_stamped() {
    let mut frame = "hello [world]".to_owned();
    stamp_seq(&mut frame, 1);
    assert_eq!(frame, "hello [world]");
}

#[test]
fn resumed_carries_its_number_twice_and_the_last_event_received() {
    let frame = ServerMessage::Resumed {
        window: W1,
        runtime: R1,
        seq: 7,
        event: 3,
    }
    .encode();
    assert_eq!(frame, r#"lona:[1,"1",207,{"seq":7,"event":3},7]"#);
    let resumed = |seq, event| {
        Ok((
            DecodedServerMessage::Resumed {
                window: W1,
                runtime: R1,
                seq,
                event,
            },
            Some(seq),
        ))
    };
    assert_eq!(decode_seq(&frame), resumed(7, 3));
    // Map order carries no meaning; the largest ids are ids.
    assert_eq!(
        decode_seq(r#"lona:[1,"1",207,{"event":3,"seq":7},7]"#),
        resumed(7, 3)
    );
    assert_eq!(
        decode_seq(r#"lona:[1,"1",207,{"seq":7,"event":18446744073709551615},7]"#),
        resumed(7, u64::MAX)
    );
}

#[test]
fn malformed_numbers_tokens_and_payloads_are_errors() {
    let frames = [
        r#"lona:[1,"1",103,3,0]"#,
        r#"lona:[1,"1",103,3,-1]"#,
        r#"lona:[1,"1",103,3,"4"]"#,
        r#"lona:[1,"1",103,3,1.5]"#,
        r#"lona:[1,"1",103,3,4,5]"#,
        "lona:[null,null,206,null,1]",
        r#"lona:[1,"1",207,{"seq":7,"event":0}]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":0},8]"#,
        r#"lona:[1,"1",207,{"n":7},7]"#,
        r#"lona:[1,"1",207,7,7]"#,
        // RESUMED names the last event received, a non-negative integer within u64.
        r#"lona:[1,"1",207,{"seq":7},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":-1},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":"3"},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":1.5},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":18446744073709551616},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":null},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"event":3,"x":1},7]"#,
        r#"lona:[1,"1",207,{"seq":7,"seq":7},7]"#,
        r#"lona:[1,"1",204,{"resume":"short"}]"#,
        r#"lona:[1,"1",204,{"resume":"abcdefghijklmnopqrs-_0","x":1}]"#,
        r#"lona:[1,"1",204,{"resume":"abcdefghijklmnopqrs+/0"}]"#,
        r#"lona:[1,"1",204,"abcdefghijklmnopqrs-_0"]"#,
        r#"lona:[1,null,208,"gone"]"#,
        r#"lona:[1,"1",208,"expired"]"#,
        r#"lona:[null,null,208,"expired"]"#,
    ];
    let errors: Vec<String> = frames
        .iter()
        .map(|frame| match decode_seq(frame) {
            Ok(decoded) => panic!("{frame} decoded to {decoded:?}"),
            Err(error) => format!("{frame}\n    {error}"),
        })
        .collect();
    expect_test::expect![[r#"
        lona:[1,"1",103,3,0]
            invalid lona message at frame[4]: expected a sequence number (a positive integer), found the number 0
        lona:[1,"1",103,3,-1]
            invalid lona message at frame[4]: expected a sequence number (a positive integer), found the number -1
        lona:[1,"1",103,3,"4"]
            invalid lona message at frame[4]: expected a sequence number (a positive integer), found the string "4"
        lona:[1,"1",103,3,1.5]
            invalid lona message at frame[4]: expected a sequence number (a positive integer), found the number 1.5
        lona:[1,"1",103,3,4,5]
            invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], or 5 with a seq, found an array of 6 items
        lona:[null,null,206,null,1]
            invalid lona message at frame: expected exactly [null,null,206,null], found an array of 5 items
        lona:[1,"1",207,{"seq":7,"event":0}]
            invalid lona message at frame: expected RESUMED stamped with the seq of its payload as 5th element, found an array of 4 items
        lona:[1,"1",207,{"seq":7,"event":0},8]
            invalid lona message at frame: expected RESUMED stamped with the seq of its payload as 5th element, found an array of 5 items
        lona:[1,"1",207,{"n":7},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,7,7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found the number 7
        lona:[1,"1",207,{"seq":7},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"event":-1},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"event":"3"},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"event":1.5},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"event":18446744073709551616},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"event":null},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"event":3,"x":1},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",207,{"seq":7,"seq":7},7]
            invalid lona message at frame[3]: expected {"seq": n, "event": id}, n the frame's own sequence number, id an event id, found an object
        lona:[1,"1",204,{"resume":"short"}]
            invalid lona message at frame[3]: expected null or {"resume": token}, found an object
        lona:[1,"1",204,{"resume":"abcdefghijklmnopqrs-_0","x":1}]
            invalid lona message at frame[3]: expected null or {"resume": token}, found an object
        lona:[1,"1",204,{"resume":"abcdefghijklmnopqrs+/0"}]
            invalid lona message at frame[3]: expected null or {"resume": token}, found an object
        lona:[1,"1",204,"abcdefghijklmnopqrs-_0"]
            invalid lona message at frame[3]: expected null or {"resume": token}, found the string "abcdefghijklmnopqrs-_0"
        lona:[1,null,208,"gone"]
            invalid lona message at frame[3]: expected "expired" or "refused", found the string "gone"
        lona:[1,"1",208,"expired"]
            invalid lona message at frame[1]: expected null (RESUME_FAILED names no runtime), found the string "1"
        lona:[null,null,208,"expired"]
            invalid lona message at frame[0]: expected a window id (a non-negative integer up to 4294967295) or null, found null"#]].assert_eq(&errors.join("\n"));
}

proptest! {
    #[test]
    fn any_message_round_trips_with_any_stamp(seq in 1u64.., event_id in any::<u64>()) {
        let mut frame = ServerMessage::InputEventAck { window: W1, runtime: R1, event_id }
            .encode();
        stamp_seq(&mut frame, seq);
        let (message, got) = decode_seq(&frame).expect("decodes");
        prop_assert_eq!(got, Some(seq));
        let mut again = message.as_message().encode();
        stamp_seq(&mut again, seq);
        prop_assert_eq!(again, frame);
    }

    #[test]
    fn garbage_in_the_fifth_place_never_panics(tail in ".{0,12}") {
        let _ = decode_server_with_seq(&format!(r#"lona:[1,"1",103,3,{tail}]"#));
    }
}
