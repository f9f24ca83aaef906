//! The zip of the offline copy, with the same bytes for the same site: each file is compressed
//! on its own (in parallel, by the caller), then the pieces are put together in path order under
//! one folder, every entry dated alike.

use std::io::{Cursor, Seek, Write};

use anyhow::Context;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// One compressed file: its output path and a one-file zip holding it.
pub(crate) type Piece = (String, Vec<u8>);

fn options() -> SimpleFileOptions {
    // A fixed date (1980-01-01, the earliest a zip can hold): a build's clock must not reach
    // the bytes. The zip's download name carries the data's as-of date.
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
}

/// Compresses one file.
pub(crate) fn piece(rel: &str, bytes: &[u8]) -> anyhow::Result<Piece> {
    let mut z = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 3 + 256)));
    z.start_file(rel, options())
        .and_then(|()| z.write_all(bytes).map_err(Into::into))
        .and_then(|()| z.finish())
        .map(|c| (rel.to_string(), c.into_inner()))
        .with_context(|| format!("无法压缩离线版中的 {rel}"))
}

/// Writes the zip to `out`: every piece under `folder/`, in path order.
pub(crate) fn assemble<W: Write + Seek>(
    mut pieces: Vec<Piece>,
    folder: &str,
    out: W,
) -> anyhow::Result<W> {
    pieces.sort_by(|a, b| a.0.cmp(&b.0));
    let mut z = ZipWriter::new(out);
    for (rel, piece) in pieces {
        let mut one = ZipArchive::new(Cursor::new(piece))
            .with_context(|| format!("离线版中的 {rel} 压缩后无法读回"))?;
        let file = one
            .by_index_raw(0)
            .with_context(|| format!("离线版中的 {rel} 压缩后无法读回"))?;
        z.raw_copy_file_rename(file, format!("{folder}/{rel}"))
            .with_context(|| format!("无法把 {rel} 放进离线版压缩包"))?;
    }
    z.finish().context("无法写完离线版压缩包")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let pieces = files
            .iter()
            .map(|(rel, text)| piece(rel, text.as_bytes()).unwrap())
            .collect();
        assemble(pieces, "连山镇（离线版）", Cursor::new(Vec::new()))
            .unwrap()
            .into_inner()
    }

    #[test]
    fn same_files_in_any_order_give_the_same_bytes() {
        let a = zip_of(&[
            ("index.html", "首页"),
            ("ledger/category/涉粉/index.html", "台账"),
        ]);
        let b = zip_of(&[
            ("ledger/category/涉粉/index.html", "台账"),
            ("index.html", "首页"),
        ]);
        assert_eq!(a, b);
        let mut z = ZipArchive::new(Cursor::new(a)).unwrap();
        let names: Vec<String> = z.file_names().map(str::to_string).collect();
        assert_eq!(names.len(), 2);
        let mut text = String::new();
        z.by_name("连山镇（离线版）/ledger/category/涉粉/index.html")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "台账");
    }
}
