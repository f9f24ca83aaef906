//! URL paths: the one place that percent-encodes page keys into URLs and decodes them back.

/// Percent-encodes each segment of a path, keeping `/`.
pub fn encode_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEG: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEG).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Decodes `%XX` escapes in a URL path (invalid UTF-8 becomes U+FFFD).
pub(crate) fn decode_path(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_segments_round_trip_and_slashes_stay() {
        let key = "ledger/category/涉有限空间作业/a b";
        let url = super::encode_path(key);
        assert_eq!(
            url,
            "ledger/category/%E6%B6%89%E6%9C%89%E9%99%90%E7%A9%BA%E9%97%B4%E4%BD%9C%E4%B8%9A/a%20b"
        );
        assert_eq!(super::decode_path(&url), key);
    }
}
