//! The preview server: builds, serves the output folder on 127.0.0.1, watches the sources and tells
//! open pages to reload (server-sent events), or shows the diagnostics in an overlay.

use crate::pipeline::BuildOptions;

pub fn run(opts: BuildOptions, bind: &str, port: u16, open: bool) -> Result<(), String> {
    let _ = (opts, bind, port, open);
    Err("预览服务器尚未完成".into())
}
