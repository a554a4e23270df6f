//! Tests of topic matching: Python's `fnmatch` case by case (every expectation below was
//! checked against CPython 3.11's `fnmatch.fnmatchcase`), and Lona's match in both directions.

use super::{TopicPattern, fnmatch, topics_match};

/// `(name, pattern, fnmatch(name, pattern))`.
const FNMATCH: &[(&str, &str, bool)] = &[
    // Literals, case-sensitive as on POSIX.
    ("chat", "chat", true),
    ("chat", "Chat", false),
    // `*`: any run, the empty one too, dots and slashes included.
    ("chat.lobby", "chat.*", true),
    ("chat.", "chat.*", true),
    ("chat", "chat.*", false),
    ("chat.a.b", "chat.*", true),
    ("chat.lobby", "*", true),
    ("", "*", true),
    ("a/b", "a*b", true),
    ("a.b.c", "*.c", true),
    ("abc", "a*c*", true),
    ("ac", "a*c", true),
    ("abcbd", "a*b?", true),
    ("aaab", "*a*b", true),
    ("x", "**", true),
    ("a\nb", "a*b", true),
    // `?`: exactly one character, any one.
    ("", "?", false),
    ("a", "?", true),
    ("ab", "?", false),
    ("chat.1", "chat.?", true),
    ("chat.12", "chat.?", false),
    ("\n", "?", true),
    ("é", "?", true),
    ("x.y", "x?y", true),
    // Sets and negated sets.
    ("b", "[abc]", true),
    ("d", "[abc]", false),
    ("d", "[!abc]", true),
    ("a", "[!abc]", false),
    ("m", "[a-z]", true),
    ("M", "[a-z]", false),
    ("é", "[à-ê]", true),
    ("room1", "room[1]", true),
    ("room[1]", "room[1]", false),
    ("chat.lobby", "chat.[!a]*", true),
    ("chat.arena", "chat.[!a]*", false),
    // `-` first or last is a member; so is `]` first.
    ("-", "[a-]", true),
    ("-", "[-a]", true),
    ("abc", "a[bc-]c", true),
    ("a-c", "a[bc-]c", true),
    ("a-b", "a[!-]b", false),
    ("]", "[]a]", true),
    ("a", "[]a]", true),
    ("]", "[!]a]", false),
    ("b", "[!]a]", true),
    // Ranges: `-` right after a range is a member; a reversed range matches nothing.
    ("-", "[a-c-e]", true),
    ("b", "[a-c-e]", true),
    ("d", "[a-c-e]", false),
    ("e", "[a-c-e]", true),
    ("c", "[--c]", true),
    (",", "[--c]", false),
    ("a", "[z-a]", false),
    ("a", "[!z-a]", true),
    ("d", "[b-a-z]", false),
    ("c", "[b-a-z]", false),
    ("-", "[b-a-z]", true),
    ("z", "[b-a-z]", true),
    // No escapes; an unclosed `[` is a character; `^` and `&` are plain members.
    ("[", "[", true),
    ("[a", "[a", true),
    ("a]", "a]", true),
    ("[!]", "[!]", true),
    ("x", "[!]", false),
    ("\\", "\\", true),
    ("\\", "[\\]", true),
    ("^", "[^a]", true),
    ("b", "[^a]", false),
    ("a&b", "a[&]b", true),
];

#[test]
fn fnmatch_agrees_with_python_case_by_case() {
    let failures: Vec<String> = FNMATCH
        .iter()
        .filter(|(name, pattern, want)| fnmatch(name, pattern) != *want)
        .map(|(name, pattern, want)| format!("fnmatch({name:?}, {pattern:?}) should be {want}"))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `(subscribed pattern, published topic, whether the publish reaches the subscription)`.
const TOPICS: &[(&str, &str, bool)] = &[
    ("chat.lobby", "chat.lobby", true),
    // A wildcard subscriber receives concrete publishes...
    ("chat.*", "chat.lobby", true),
    ("chat.?", "chat.1", true),
    ("chat.?", "chat.12", false),
    ("chat.[ab]", "chat.b", true),
    ("chat.[ab]", "chat.c", false),
    ("*", "lona.channels.subscribe", true),
    // ...and a wildcard publish reaches concrete subscribers.
    ("chat.lobby", "chat.*", true),
    ("chat.b", "chat.[ab]", true),
    ("chat.c", "chat.[ab]", false),
    ("news.lobby", "chat.*", false),
    // Two patterns match when either matches the other as a name.
    ("chat.*", "chat.?obby", true),
    ("chat.?obby", "chat.*", true),
    ("chat.*", "news.*", false),
    ("chat.lobby", "news.lobby", false),
    ("chat.lobby", "chat.lobby.old", false),
];

#[test]
fn topics_match_in_both_directions() {
    let failures: Vec<String> = TOPICS
        .iter()
        .flat_map(|&(a, b, want)| [(a, b, want), (b, a, want)])
        .filter(|(a, b, want)| topics_match(a, b) != *want)
        .map(|(a, b, want)| format!("topics_match({a:?}, {b:?}) should be {want}"))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn patterns_without_wildcards_are_literal() {
    for literal in ["chat.lobby", "", "a[b", "a]", "x\\y"] {
        assert!(TopicPattern::new(literal).is_literal(), "{literal:?}");
    }
    for wildcard in ["chat.*", "?", "[ab]", "[!a]", "a[]]"] {
        assert!(!TopicPattern::new(wildcard).is_literal(), "{wildcard:?}");
    }
}

#[test]
fn long_names_against_many_stars_do_not_explode() {
    // The matcher backtracks to the last star only: quadratic at worst, never exponential (a
    // naive recursive matcher would not finish this).
    let name = "a".repeat(10_000);
    let pattern = format!("{}b", "*a".repeat(50));
    assert!(!fnmatch(&name, &pattern));
    assert!(fnmatch(&format!("{name}b"), &pattern));
}
