//! The `dualprev` command line. The only place that reads the clock: today's date is read once here
//! and passed down as data.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use dualprev::diag::Diagnostic;
use dualprev::model::Profile;
use dualprev::pipeline::{self, BuildOptions, Failure};

// A build allocates and frees millions of small strings and maps (tokens, postings, page
// fragments): glibc's malloc spent 16 % of a 10,000-page build; mimalloc a fraction of that.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, which its Rust bindings do not name: the option just
/// before `mi_option_use_numa_nodes` in mimalloc.h (v2 and v3; checked below).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const _: () = assert!(libmimalloc_sys::mi_option_use_numa_nodes == MI_OPTION_PURGE_DELAY + 1);

/// The preview server rebuilds after every edit and frees what it built before: by default
/// mimalloc hands freed memory back to the system 10 ms later, and the next rebuild takes it
/// back a page fault at a time (a fifth of a rebuild's samples at 10,000 pages). Kept instead.
fn keep_freed_memory() {
    // SAFETY: sets a process-wide allocator option; mimalloc reads it at each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Asks the kernel for ordinary 4 KB pages instead of transparent huge pages. mimalloc takes
/// memory in large aligned spans, and where the kernel backs them with huge pages every first
/// touch zeroes 2 MB: that was a quarter of a 10,000-page build's samples, and disabling it cut
/// the build's system time from 2.5–5.0 s to 1.5–1.7 s. Advisory: on a kernel without the
/// option nothing changes.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "dualprev",
    version,
    about = "双重预防机制静态站点生成器：把指导手册、评估标准和企业档案生成网站"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// 公开版本：不含任何个人信息
    Public,
    /// 内部版本：显示联系人信息，页面标注“内部版本”
    Internal,
}

#[derive(Subcommand)]
enum Cmd {
    /// 生成网站到输出目录（默认 ROOT/public）
    Build {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录（默认 ROOT/public；加 --offline 时默认 ROOT/public-offline）
        #[arg(long)]
        out: Option<PathBuf>,
        /// 生成离线版：拷到 U 盘或电脑上，双击 index.html 直接打开，不需要网站服务器
        #[arg(long)]
        offline: bool,
        /// 统计截止日期 YYYY-MM-DD（默认取 site.toml 的 as_of，再默认今天）
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[arg(long, value_enum, default_value = "public")]
        profile: ProfileArg,
        #[arg(long)]
        base_url: Option<String>,
        /// 只输出错误
        #[arg(long, short)]
        quiet: bool,
        /// 同时输出各阶段用时（毫秒）
        #[arg(long)]
        timings: bool,
    },
    /// 检查全部输入（加载、模型、链接），不输出文件
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[arg(long, short)]
        quiet: bool,
    },
    /// 本地预览，修改文件后自动刷新浏览器
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[arg(long, value_enum, default_value = "public")]
        profile: ProfileArg,
        /// 启动后用浏览器打开
        #[arg(long)]
        open: bool,
        /// 同时把生成结果写入此目录（默认只在内存中预览，不写文件）
        #[arg(long)]
        out: Option<PathBuf>,
        /// 每次重新生成时输出各阶段用时（毫秒）
        #[arg(long)]
        timings: bool,
    },
    /// 新建站点（默认主题和示例内容）
    Init { dir: PathBuf },
    /// 新建文件骨架
    New {
        #[command(subcommand)]
        what: NewCmd,
    },
    /// 企业档案与 Excel 工作簿互转：导出、导入、企业填报模板
    Records {
        #[command(subcommand)]
        what: RecordsCmd,
    },
}

#[derive(Subcommand)]
enum RecordsCmd {
    /// 把全部企业档案导出为一个工作簿（每类内容一张表，第一列为档案名）
    Export {
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// internal：包含“人员”表（个人信息）；默认 public 不含
        #[arg(long, value_enum, default_value = "public")]
        profile: ProfileArg,
    },
    /// 把工作簿中的内容写回企业档案：新企业新建档案，已有档案只改动变化的值；有任何错误时不写入
    Import {
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 只列出将要做的修改，不写入文件
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
    },
    /// 生成企业自行填报的工作簿（企业、岗位、风险、隐患、红线），可预先填入某企业的档案
    Template {
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 预先填入此档案（data/enterprises/<档案>.toml）的内容
        #[arg(long)]
        enterprise: Option<String>,
    },
}

#[derive(Subcommand)]
enum NewCmd {
    /// 新建企业档案 data/enterprises/<SLUG>.toml，每个字段都有中文注释
    Enterprise {
        slug: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>()
        .map_err(|_| format!("日期格式应为 YYYY-MM-DD，例如 2025-06-30，而不是“{s}”"))
}

fn today() -> Date {
    jiff::Zoned::now().date()
}

/// What `check` and `records import` check against: the public profile, nothing written.
fn check_options(root: PathBuf, as_of: Option<Date>) -> BuildOptions {
    BuildOptions {
        out: root.join("public"),
        root,
        as_of,
        today: today(),
        profile: Profile::Public,
        base_url: None,
        offline: false,
    }
}

fn profile(p: ProfileArg) -> Profile {
    match p {
        ProfileArg::Public => Profile::Public,
        ProfileArg::Internal => Profile::Internal,
    }
}

fn print_diags(diags: &[Diagnostic], quiet: bool) {
    for d in diags.iter().filter(|d| d.is_error() || !quiet) {
        eprintln!("{}", d.render());
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 {
        eprintln!("共 {errors} 个错误，{warnings} 个警告");
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Build {
            root,
            out,
            as_of,
            profile: p,
            base_url,
            quiet,
            timings,
            offline,
        } => {
            let out =
                out.unwrap_or_else(|| root.join(if offline { "public-offline" } else { "public" }));
            let opts = BuildOptions {
                root,
                out,
                as_of,
                today: today(),
                profile: profile(p),
                base_url,
                offline,
            };
            build(&opts, quiet, timings)
        }
        Cmd::Check { root, as_of, quiet } => {
            let start = Instant::now();
            let opts = check_options(root, as_of);
            let (site, diags) = pipeline::check(&opts);
            print_diags(&diags, quiet);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            if errors > 0 || site.is_none() {
                return ExitCode::from(1);
            }
            if !quiet {
                let s = site.as_ref().map_or((0, 0, 0), |s| s.counts());
                println!(
                    "检查通过：{} 个页面，{} 份企业档案，{} 个评估标准，{} 个警告，用时 {} 毫秒",
                    s.0,
                    s.1,
                    s.2,
                    diags.len(),
                    start.elapsed().as_millis()
                );
            }
            ExitCode::SUCCESS
        }
        Cmd::Serve {
            root,
            port,
            bind,
            as_of,
            profile: p,
            open,
            out,
            timings,
        } => {
            keep_freed_memory();
            let opts = BuildOptions {
                out: root.join("public"),
                root,
                as_of,
                today: today(),
                profile: profile(p),
                base_url: None,
                offline: false,
            };
            match dualprev::serve::run(opts, &bind, port, open, out, timings) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => failed(&e),
            }
        }
        Cmd::Init { dir } => match dualprev::scaffold::init(&dir) {
            Ok(files) => {
                println!(
                    "已在 {d} 新建站点（{} 个文件）。\n下一步：按本镇实际修改 {d}/data/site.toml（村、部门、联络员、期限）；\n把 {d}/{} 发给企业填写，收回后运行 dualprev records import 表.xlsx --root {d}；\n预览：dualprev serve --root {d}",
                    files.len(),
                    dualprev::scaffold::TEMPLATE_BOOK,
                    d = dir.display(),
                );
                ExitCode::SUCCESS
            }
            Err(e) => failed(&e),
        },
        Cmd::New {
            what: NewCmd::Enterprise { slug, root },
        } => match dualprev::scaffold::new_enterprise(&root, &slug) {
            Ok(rel) => {
                println!("已新建 {rel}，请按注释填写后运行 dualprev check");
                ExitCode::SUCCESS
            }
            Err(e) => failed(&e),
        },
        Cmd::Records { what } => records(what),
    }
}

fn records(what: RecordsCmd) -> ExitCode {
    match what {
        RecordsCmd::Export {
            file,
            root,
            profile: p,
        } => {
            let personal = matches!(p, ProfileArg::Internal);
            match dualprev::records::export(&root, &file, personal) {
                Ok((records, rows)) => {
                    println!(
                        "已导出 {records} 份企业档案（{rows} 行）到 {}{}",
                        file.display(),
                        if personal {
                            "；含个人信息，请勿外传"
                        } else {
                            "；不含个人信息"
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print_diags(&diags, false);
                    ExitCode::from(1)
                }
            }
        }
        RecordsCmd::Template {
            file,
            root,
            enterprise,
        } => match dualprev::records::template(&root, &file, enterprise.as_deref()) {
            Ok(rows) => {
                println!("已生成填报工作簿 {}（预填 {rows} 行）", file.display());
                ExitCode::SUCCESS
            }
            Err(diags) => {
                print_diags(&diags, false);
                ExitCode::from(1)
            }
        },
        RecordsCmd::Import {
            file,
            root,
            dry_run,
            as_of,
        } => {
            let opts = check_options(root, as_of);
            match dualprev::records::import(&opts, &file, dry_run) {
                Ok(done) => {
                    print_diags(&done.diags, false);
                    for c in &done.changes {
                        let what = if c.created { "新建" } else { "修改" };
                        println!("{what} {}（{} 处）", c.rel, c.edits.len());
                        if dry_run {
                            for e in &c.edits {
                                println!("    {e}");
                            }
                        }
                    }
                    let created = done.changes.iter().filter(|c| c.created).count();
                    let verb = if dry_run { "将" } else { "已" };
                    println!(
                        "{verb}新建 {created} 份、修改 {} 份企业档案{}",
                        done.changes.len() - created,
                        if dry_run {
                            "（试运行，未写入任何文件）"
                        } else {
                            ""
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print_diags(&diags, false);
                    eprintln!("导入失败，没有写入任何文件");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// Every non-input failure ends here: one line of what was being done and why, exit status 2
/// (input errors are diagnostics, exit status 1).
fn failed(e: &anyhow::Error) -> ExitCode {
    eprintln!("错误：{}", dualprev::diag::failure_text(e));
    ExitCode::from(2)
}

fn build(opts: &BuildOptions, quiet: bool, timings: bool) -> ExitCode {
    let start = Instant::now();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if !quiet && std::io::stderr().is_terminal() {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if !done.load(std::sync::atomic::Ordering::Relaxed) {
                eprint!("正在生成网站……\r");
            }
        });
    }
    let result = pipeline::build(opts);
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    match result {
        Ok(c) => {
            print_diags(&c.diags, quiet);
            if !quiet {
                let stages = if timings {
                    format!("（{}）", pipeline::stage_list(&c.stages))
                } else {
                    String::new()
                };
                println!(
                    "已生成 {} 个页面、{} 份企业档案到 {}；{} 个警告；搜索索引 {} KB（{} 个分片，最大 {} KB；{} 个长词表，最大 {} KB）；用时 {} 毫秒{}",
                    c.output.pages,
                    c.site.counts().1,
                    opts.out.display(),
                    c.diags.len(),
                    c.search.total_bytes / 1024,
                    c.search.shards,
                    c.search.largest_shard / 1024,
                    c.search.lists,
                    c.search.largest_list / 1024,
                    start.elapsed().as_millis(),
                    stages
                );
            }
            // The process ends here: freeing a large site's model page by page would only delay
            // the exit (about 0.3 s at 5,000 enterprises).
            std::mem::forget(c);
            ExitCode::SUCCESS
        }
        Err(Failure::Input(diags)) => {
            print_diags(&diags, quiet);
            eprintln!("生成失败，输出目录 {} 保持不变", opts.out.display());
            ExitCode::from(1)
        }
        Err(Failure::Io(e)) => {
            let code = failed(&e);
            eprintln!("生成失败，输出目录 {} 保持不变", opts.out.display());
            code
        }
    }
}
