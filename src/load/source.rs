//! Reading one input file from disk into text: UTF-8 only (a UTF-8 BOM and CRLF line ends are
//! accepted silently); anything else is reported as probably GBK, the usual culprit on office PCs.

use std::path::Path;

use crate::diag::{Diagnostic, Severity, SourceFile};

/// Reads `root/rel`. I/O failures and non-UTF-8 content come back as a diagnostic naming the file.
#[allow(clippy::result_large_err)]
pub(crate) fn read(root: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(root.join(rel))
        .map_err(|e| Diagnostic::file(Severity::Error, rel, format!("无法读取文件：{e}")))?;
    decode(rel, bytes)
}

#[allow(clippy::result_large_err)]
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let mut d = Diagnostic::file(
                Severity::Error,
                rel,
                format!(
                    "文件不是 UTF-8 编码（第 {} 个字节处无法解码），可能是 GBK 编码；请用编辑器“另存为 UTF-8”后重试",
                    at + 1
                ),
            );
            d.line = line;
            d.column = column;
            return Err(d);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // Line/column positions are unaffected: a CR only ever precedes the LF it is dropped with.
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    };
    Ok(SourceFile {
        rel: rel.to_string(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_are_accepted() {
        let f = decode("a.md", b"\xEF\xBB\xBFa\r\nb\r\n".to_vec()).unwrap();
        assert_eq!(f.text, "a\nb\n");
    }

    #[test]
    fn gbk_is_reported() {
        // "安全" in GBK.
        let d = decode("a.md", vec![0xB0, 0xB2, 0xC8, 0xAB]).unwrap_err();
        assert!(d.message.contains("GBK"));
        assert_eq!(d.file, "a.md");
    }
}
