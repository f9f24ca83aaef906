//! HTML escaping for the rendering stage: every value a template prints goes through [`escape`],
//! and the fragments built in Rust use [`escape_into`]. Same output as `crate::text::escape`, but
//! text without special characters (almost all of it) is copied in one piece.

/// Appends `s` to `out`, escaped for element content and quoted attribute values.
pub fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut done = 0;
    for (i, b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The special characters are ASCII, so `i` is always on a character boundary.
        out.push_str(&s[done..i]);
        out.push_str(rep);
        done = i + 1;
    }
    out.push_str(&s[done..]);
}

/// `escape_into` a new string: tera's escape function.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_as_the_shared_escape() {
        for s in [
            "",
            "plain",
            "<a href=\"x\">'&'</a>",
            "中文&amp;<混合>'\"",
            "&&&",
            "尾巴<",
        ] {
            assert_eq!(super::escape(s), crate::text::escape(s), "{s}");
        }
    }
}
