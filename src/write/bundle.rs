//! The zip of the offline copy, with the same bytes for the same site: each file is compressed
//! on its own as it is written (from the render threads, so the work is spread over the cores),
//! then the pieces are put together in path order under one folder, every entry dated alike.

use std::io::{Cursor, Write};
use std::sync::Mutex;

use anyhow::Context;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Compressed files waiting to be put together.
#[derive(Default)]
pub(crate) struct Bundle {
    /// Output path → a one-file zip holding that file.
    pieces: Mutex<Vec<(String, Vec<u8>)>>,
}

fn options() -> SimpleFileOptions {
    // A fixed date (1980-01-01, the earliest a zip can hold): a build's clock must not reach
    // the bytes. The zip's own download name carries the data's as-of date.
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
}

impl Bundle {
    /// Compresses one file (callable from several threads at once).
    pub(crate) fn add(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut z = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 3 + 256)));
        z.start_file(rel, options())
            .and_then(|()| z.write_all(bytes).map_err(Into::into))
            .and_then(|()| z.finish())
            .map(|c| {
                let piece = c.into_inner();
                self.pieces
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((rel.to_string(), piece));
            })
            .with_context(|| format!("无法压缩离线版中的 {rel}"))
    }

    /// The zip: every file under `folder/`, in path order.
    pub(crate) fn finish(self, folder: &str) -> anyhow::Result<Vec<u8>> {
        let mut pieces = self.pieces.into_inner().unwrap_or_else(|e| e.into_inner());
        pieces.sort_by(|a, b| a.0.cmp(&b.0));
        let total: usize = pieces.iter().map(|(_, p)| p.len()).sum();
        let mut z = ZipWriter::new(Cursor::new(Vec::with_capacity(total + total / 8)));
        for (rel, piece) in pieces {
            let mut one = ZipArchive::new(Cursor::new(piece))
                .with_context(|| format!("离线版中的 {rel} 压缩后无法读回"))?;
            let file = one
                .by_index_raw(0)
                .with_context(|| format!("离线版中的 {rel} 压缩后无法读回"))?;
            z.raw_copy_file_rename(file, format!("{folder}/{rel}"))
                .with_context(|| format!("无法把 {rel} 放进离线版压缩包"))?;
        }
        Ok(z.finish().context("无法写完离线版压缩包")?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let b = Bundle::default();
        for (rel, text) in files {
            b.add(rel, text.as_bytes()).unwrap();
        }
        b.finish("连山镇（离线版）").unwrap()
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
