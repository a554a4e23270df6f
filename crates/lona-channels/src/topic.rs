//! Topic matching with Lona's rules: shell-style wildcards (Python's `fnmatch`), tried in both
//! directions, so a wildcard subscription receives concrete topics and a wildcard publish
//! reaches concrete subscriptions.
//!
//! The wildcards are Python's, on POSIX (case-sensitive, `/` and `.` are ordinary characters):
//! `*` matches any run of characters (the empty one too), `?` one character, `[seq]` one
//! character of the set and `[!seq]` one character outside it. In a set, `a-z` is a range
//! (a range whose ends are reversed matches nothing), a `]` right after `[` or `[!` is a member,
//! and a `-` first, last or right after a range is a member. A `[` with no closing `]` is an
//! ordinary character, and so is `\`: there is no escape character.

/// One step of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// This character.
    Char(char),
    /// `?`: any one character.
    Any,
    /// `*`: any run of characters, the empty one too.
    Star,
    /// `[...]` or `[!...]`: one character in (or, negated, outside) the inclusive ranges.
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Token {
    /// Whether this single-character token takes `c` (`Star` never gets here).
    fn takes(&self, c: char) -> bool {
        match self {
            Token::Char(want) => *want == c,
            Token::Any => true,
            Token::Star => false,
            Token::Set { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
        }
    }
}

/// A topic pattern compiled once, to be matched against many topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicPattern {
    tokens: Vec<Token>,
}

impl TopicPattern {
    /// Compiles `pattern`. Every string is a valid pattern.
    pub fn new(pattern: &str) -> TopicPattern {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    // Consecutive stars are one star.
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::Any);
                    i += 1;
                }
                '[' => match parse_set(&chars, i + 1) {
                    Some((token, next)) => {
                        tokens.push(token);
                        i = next;
                    }
                    None => {
                        tokens.push(Token::Char('['));
                        i += 1;
                    }
                },
                c => {
                    tokens.push(Token::Char(c));
                    i += 1;
                }
            }
        }
        TopicPattern { tokens }
    }

    /// Whether the pattern has no wildcard: it then matches exactly one topic, itself.
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Char(_)))
    }

    /// Whether `name` matches this pattern (one direction: Python's `fnmatch(name, pattern)`).
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        let tokens = &self.tokens;
        let (mut t, mut n) = (0, 0);
        // The last star seen, and where in `name` it resumes when a later token fails.
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match tokens.get(t) {
                Some(Token::Star) => {
                    star = Some((t, n));
                    t += 1;
                }
                Some(token) if token.takes(name[n]) => {
                    t += 1;
                    n += 1;
                }
                _ => match star {
                    // Let the star take one more character and retry from there.
                    Some((star_t, star_n)) => {
                        star = Some((star_t, star_n + 1));
                        t = star_t + 1;
                        n = star_n + 1;
                    }
                    None => return false,
                },
            }
        }
        tokens[t..].iter().all(|token| *token == Token::Star)
    }
}

/// Parses a set whose `[` is just before `start`; `None` if it has no closing `]` (the `[` is
/// then an ordinary character). Returns the token and the index after the `]`.
fn parse_set(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = chars.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    // A `]` first in the set is a member, not its end.
    let first = i;
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    let end = i + chars[i..].iter().position(|c| *c == ']')?;
    let members = &chars[first..end];
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < members.len() {
        let lo = members[k];
        // `lo-hi` is a range when the `-` is followed by a member before the end.
        if members.get(k + 1) == Some(&'-') && k + 2 < members.len() {
            let hi = members[k + 2];
            // A reversed range matches nothing (Python drops it).
            if lo <= hi {
                ranges.push((lo, hi));
            }
            k += 3;
        } else {
            ranges.push((lo, lo));
            k += 1;
        }
    }
    Some((Token::Set { negated, ranges }, end + 1))
}

/// Python's `fnmatch(name, pattern)` on POSIX: whether `name` matches the wildcard `pattern`.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    TopicPattern::new(pattern).matches(name)
}

/// Lona's topic match: equal, or either one matches the other as a pattern. This is how a
/// publish reaches a subscription; neither side is special.
pub fn topics_match(a: &str, b: &str) -> bool {
    a == b || fnmatch(a, b) || fnmatch(b, a)
}

#[cfg(test)]
mod tests;
