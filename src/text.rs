//! HTML escaping, the one escaper every stage uses: tera's autoescape, the fragments built in
//! Rust, SVG and feeds. Text without special characters (almost all of it) is copied in one piece.
//! Also the lower-casing of tag and attribute names that the readers of built HTML share.

/// Appends `s` to `out`, escaped for element content and quoted attribute values.
pub(crate) fn escape_into(out: &mut String, s: &str) {
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
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

/// `s` in ASCII lower case, copied only when it has an upper-case letter (tag and attribute
/// names in built pages almost never do).
pub(crate) fn ascii_lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        s.to_ascii_lowercase().into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
