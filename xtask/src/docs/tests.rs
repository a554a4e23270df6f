//! Tests for the Markdown link extraction in `docs.rs`.

use super::{decode_percent, relative_links};

#[test]
fn finds_inline_reference_and_image_links_but_not_external_ones() {
    let text = "\
# Title
See [the map](ARCHITECTURE.md#code-map) and ![logo](docs/logo%20big.png \"Logo\").
Also [web](https://example.com/a.md), [mail](mailto:a@b.c) and [here](#local).
[ref]: docs/protocol.md
[ext]: https://example.com
";
    let links = relative_links(text);
    assert_eq!(
        links,
        vec![
            (2, "ARCHITECTURE.md".to_owned()),
            (2, "docs/logo%20big.png".to_owned()),
            (4, "docs/protocol.md".to_owned()),
        ]
    );
}

#[test]
fn ignores_links_in_code_blocks_and_code_spans() {
    let text = "\
```rust
let x = [a](b.md);
```
Inline `[c](d.md)` is code, [e](f.md) is a link.
~~~
[g](h.md)
~~~
";
    assert_eq!(relative_links(text), vec![(4, "f.md".to_owned())]);
}

#[test]
fn handles_parentheses_and_angle_brackets_in_targets() {
    let text = "[a](dir/file_(1).md) and [b](<with space.md>)\n";
    assert_eq!(
        relative_links(text),
        vec![
            (1, "dir/file_(1).md".to_owned()),
            (1, "with space.md".to_owned())
        ]
    );
}

#[test]
fn decodes_percent_escapes() {
    assert_eq!(decode_percent("a%20b%2Fc%zz"), "a b/c%zz");
}
