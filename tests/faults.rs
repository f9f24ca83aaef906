//! Faults: what `dualprev build` does when the world is not kind.
//!
//! - The output folder cannot be written (its parent read-only; as root, where `chmod` stops
//!   nothing, a read-only bind mount instead; also an output whose parent is a regular file and one
//!   under /proc): exit status 2, a clear Chinese error, the previous output byte-for-byte unchanged.
//! - The disk fills up mid-build (`--out` on a small tmpfs; needs `mount`, i.e. root — otherwise
//!   skipped with a loud message): exit 2, Chinese error, previous output unchanged, no staging
//!   folder left behind.
//! - `--out` pointing at the sources (the site root, content/, data/, or a folder holding the site):
//!   refused with exit 2, nothing of the site deleted.
//! - Entries that cannot be read: a dangling symlink, a symlink out of the site root, an unreadable
//!   file or folder (when not root), a FIFO named `*.md`, a file name that is not UTF-8, and files
//!   deleted while builds run: never a panic or a hang, and any error names the file.
//! - Symbolic links in content/: a link to a page or a folder inside the site root is built at the
//!   link's path; a dangling link, a link out of the site root (/etc/hostname, a folder beside the
//!   site) and a link that loops are each an error at the link's path (exit 1, all listed at once,
//!   the previous output unchanged); an editor's lock file `.#page.md` (a dangling link) is ignored.
//! - Very large inputs: a 50 MB Markdown page and a record with 100,000 hazards build; the time and
//!   the stage timings are printed (no timing assertion).
//!
//! Tests that mount must run as root; they unmount on the way out, even when they fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Prints to the real stderr (the test harness captures `eprintln!`).
fn say(msg: &str) {
    let _ = std::io::stderr().write_all(format!("{msg}\n").as_bytes());
}

fn skip(what: &str, why: &str) {
    let bar = "!".repeat(88);
    say(&format!(
        "\n{bar}\n!!! SKIPPED: {what}: {why}\n!!! (run the tests as root, as CI does, to cover it)\n{bar}"
    ));
}

/// Runs the binary with a deadline; a process still running after it is killed and the test fails.
fn run_deadline(args: &[&std::ffi::OsStr], deadline: Duration) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dualprev");
    let start = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "dualprev {:?} still running after {deadline:?} (hang?)\n--- stderr ---\n{}",
                args,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn build_args<'a>(s: &'a Site, out: &'a Path) -> Vec<&'a std::ffi::OsStr> {
    vec![
        a("build"),
        a("--root"),
        a(&s.root),
        a("--out"),
        a(out),
        a("--as-of"),
        a(AS_OF),
    ]
}

/// An I/O failure of `build`: exit 2, a Chinese `错误：` line saying what could not be done, the
/// "output kept" line, and no panic.
#[track_caller]
fn assert_io_failure(r: &Run, what: &str) {
    assert_eq!(
        r.code, 2,
        "{what}: expected exit 2\n--- stdout ---\n{}\n--- stderr ---\n{}",
        r.stdout, r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "{what}: panic\n{}",
        r.stderr
    );
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(
        first.starts_with("错误：无法"),
        "{what}: the first line should be a Chinese error saying what could not be done: {first:?}\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("保持不变"),
        "{what}: no word that the output was kept:\n{}",
        r.stderr
    );
}

/// Makes the next build's output differ from the previous one.
fn edit_site(s: &Site, n: usize) {
    s.write(
        "content/fault.md",
        format!("+++\ntitle = \"故障测试 {n}\"\n+++\n\n第 {n} 次修改。\n"),
    );
}

/// Leftover staging or old folders beside the output.
fn leftovers(parent: &Path) -> Vec<String> {
    list_dir(parent)
        .into_iter()
        .filter(|n| n.contains(".staging-") || n.contains(".old-"))
        .collect()
}

/// `mount …`; false (with the reason printed) when it fails.
fn mount(args: &[&str]) -> Result<(), String> {
    let out = Command::new("mount")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "mount {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Unmounts when dropped (lazily if busy), so a failing test leaves no mount behind.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

fn can_write_in(dir: &Path) -> bool {
    let probe = dir.join(".dualprev-probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

// ---------------------------------------------------------------------------------------------
// The output folder cannot be written
// ---------------------------------------------------------------------------------------------

#[test]
fn unwritable_output_folder_keeps_the_previous_output() {
    use std::os::unix::fs::PermissionsExt;
    let s = site("town-small");
    let parent = s.tmp_path("ro");
    std::fs::create_dir_all(&parent).unwrap();
    let out = parent.join("out");
    s.build_into(&out, &["--quiet"]).ok();
    let before = snapshot(&out);
    assert!(before.len() > 20);
    edit_site(&s, 1);

    // 1. chmod: works for a normal user, not for root.
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    let chmod_works = !can_write_in(&parent);
    if chmod_works {
        let r = run_deadline(&build_args(&s, &out), Duration::from_secs(120));
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_io_failure(&r, "read-only parent (chmod)");
        assert_eq!(snapshot(&out), before, "the previous output changed");
        assert!(leftovers(&parent).is_empty(), "{:?}", leftovers(&parent));
    } else {
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
        say("faults: running as root, chmod does not stop writes; using a read-only bind mount");
        // 2. Root: a read-only bind mount of the parent.
        match mount(&[
            "--bind",
            &parent.to_string_lossy(),
            &parent.to_string_lossy(),
        ]) {
            Err(e) => skip("read-only output folder (bind mount)", &e),
            Ok(()) => {
                let guard = Mounted(parent.clone());
                match mount(&["-o", "remount,bind,ro", &parent.to_string_lossy()]) {
                    Err(e) => skip("read-only output folder (remount ro)", &e),
                    Ok(()) => {
                        assert!(
                            !can_write_in(&parent),
                            "the read-only bind mount is writable"
                        );
                        let r = run_deadline(&build_args(&s, &out), Duration::from_secs(120));
                        assert_io_failure(&r, "read-only parent (bind mount)");
                        assert_eq!(snapshot(&out), before, "the previous output changed");
                    }
                }
                drop(guard);
                assert!(leftovers(&parent).is_empty(), "{:?}", leftovers(&parent));
            }
        }
    }
    // The output works again once the folder is writable.
    s.build_into(&out, &["--quiet"]).ok();
    assert_ne!(snapshot(&out), before);
}

#[test]
fn output_under_a_regular_file_or_proc_is_an_io_error() {
    let s = site("town-small");
    let file = s.tmp_path("not-a-folder");
    std::fs::write(&file, b"a regular file").unwrap();
    let r = run_deadline(&build_args(&s, &file.join("out")), Duration::from_secs(120));
    assert_io_failure(&r, "output under a regular file");
    assert_eq!(std::fs::read(&file).unwrap(), b"a regular file");
    assert!(
        r.stderr.contains(&file.display().to_string()),
        "the error should name {}:\n{}",
        file.display(),
        r.stderr
    );

    let proc_out = PathBuf::from(format!("/proc/dualprev-fault-{}", std::process::id()));
    let r = run_deadline(&build_args(&s, &proc_out), Duration::from_secs(120));
    assert_io_failure(&r, "output under /proc");
}

// ---------------------------------------------------------------------------------------------
// The disk fills up
// ---------------------------------------------------------------------------------------------

fn used_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=used"])
        .arg(dir)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("df output: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn disk_full_mid_build_keeps_the_previous_output() {
    let s = site("town-small");
    let disk = s.tmp_path("disk");
    std::fs::create_dir_all(&disk).unwrap();
    if let Err(e) = mount(&[
        "-t",
        "tmpfs",
        "-o",
        "size=64m",
        "tmpfs",
        &disk.to_string_lossy(),
    ]) {
        skip("disk full mid-build (tmpfs)", &e);
        return;
    }
    let _guard = Mounted(disk.clone());

    // A tiny disk and no previous output: the build fails cleanly and leaves nothing.
    let tiny = disk.join("tiny");
    std::fs::create_dir_all(&tiny).unwrap();
    mount(&[
        "-t",
        "tmpfs",
        "-o",
        "size=64k",
        "tmpfs",
        &tiny.to_string_lossy(),
    ])
    .unwrap();
    {
        let _tiny_guard = Mounted(tiny.clone());
        let r = run_deadline(&build_args(&s, &tiny.join("out")), Duration::from_secs(120));
        assert_io_failure(&r, "64 KB disk");
        assert!(
            r.stderr.contains("os error 28") || r.stderr.contains("No space"),
            "the error should say the disk is full:\n{}",
            r.stderr
        );
        assert_eq!(
            list_dir(&tiny),
            Vec::<String>::new(),
            "a failed build left files on the full disk"
        );
    }

    // A previous output that fits, then a build that does not (the staging copy needs as much
    // room again, and a 2 MB page more).
    let out = disk.join("out");
    s.build_into(&out, &["--quiet"]).ok();
    let before = snapshot(&out);
    let used = used_bytes(&disk);
    let size = used + used / 2 + 64 * 1024;
    mount(&[
        "-o",
        &format!("remount,size={size}"),
        &disk.to_string_lossy(),
    ])
    .unwrap();
    let mut big = String::from("+++\ntitle = \"大页面\"\n+++\n\n");
    while big.len() < 2 * 1024 * 1024 {
        big.push_str("磁盘写满测试：粉尘涉爆企业应每班清扫积尘，防止二次爆炸。\n\n");
    }
    s.write("content/big.md", big);
    let r = run_deadline(&build_args(&s, &out), Duration::from_secs(120));
    say(&format!(
        "faults: disk full: previous output {used} bytes, disk {size} bytes; stderr: {}",
        r.stderr.lines().next().unwrap_or("")
    ));
    assert_io_failure(&r, "disk full mid-build");
    assert!(
        r.stderr.contains("os error 28") || r.stderr.contains("No space"),
        "the error should say the disk is full:\n{}",
        r.stderr
    );
    assert!(
        snapshot(&out) == before,
        "the previous output changed:\n{}",
        diff(&before, &snapshot(&out))
    );
    assert!(
        leftovers(&disk).is_empty(),
        "staging left on the full disk: {:?}",
        leftovers(&disk)
    );
    assert_eq!(list_dir(&disk), vec!["out".to_string(), "tiny".to_string()]);
}

// ---------------------------------------------------------------------------------------------
// --out pointing at the sources
// ---------------------------------------------------------------------------------------------

/// `--out` is swapped in by renaming: pointed at the site root, content/, data/ or a folder that
/// holds the site, a build would replace the sources with the generated site. It must be refused
/// (exit 2) and leave every source file in place.
#[test]
fn output_pointing_at_the_sources_is_refused() {
    let mut problems = Vec::new();
    for target in ["ROOT", "content", "data", "data/enterprises", "PARENT"] {
        let s = site("town-small");
        let sources = snapshot(&s.root);
        let out = match target {
            "ROOT" => s.root.clone(),
            "PARENT" => s.tmp.path().to_path_buf(),
            t => s.root.join(t),
        };
        let r = run_deadline(&build_args(&s, &out), Duration::from_secs(120));
        let after = snapshot(&s.root);
        if r.code != 2 || after != sources {
            problems.push(format!(
                "--out {target} ({}): exit {}, sources {}\n    stderr: {}\n    {}",
                out.display(),
                r.code,
                if after == sources {
                    "intact".to_string()
                } else {
                    format!(
                        "CHANGED ({} source files before, {} after; e.g. content/_index.md {})",
                        sources.len(),
                        after.len(),
                        if after.contains_key("content/_index.md") {
                            "kept"
                        } else {
                            "gone"
                        }
                    )
                },
                r.stderr.lines().next().unwrap_or(""),
                diff(&sources, &after)
                    .lines()
                    .take(4)
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "--out pointing at the sources must be refused without touching them:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Entries that cannot be read
// ---------------------------------------------------------------------------------------------

/// Exit 0 or 1 (never a panic, never a hang); an error names `name`.
#[track_caller]
fn assert_clean(r: &Run, what: &str, name: &str) {
    assert!(
        !r.stderr.contains("panicked") && (r.code == 0 || r.code == 1),
        "{what}: exit {} (0 or 1 expected, no panic)\n{}",
        r.code,
        r.stderr
    );
    if r.code == 1 {
        assert!(
            r.stderr.contains(name) && r.stderr.contains("错误："),
            "{what}: the error should name {name}:\n{}",
            r.stderr
        );
    }
}

#[test]
fn unreadable_entries_give_clean_errors() {
    use std::os::unix::fs::PermissionsExt;
    let deadline = Duration::from_secs(60);

    // A dangling symlink and a symlink to a page outside the site root: errors at the links
    // (more in `broken_symlinks_fail_the_build_and_keep_the_previous_output`).
    let s = site("town-small");
    std::os::unix::fs::symlink(
        "/nonexistent/dualprev/ghost.md",
        s.root.join("content/ghost.md"),
    )
    .unwrap();
    std::fs::write(
        s.tmp_path("outside.md"),
        "+++\ntitle = \"链接进来的页面\"\n+++\n\n正文。\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(s.tmp_path("outside.md"), s.root.join("content/linked.md")).unwrap();
    let r = run_deadline(&build_args(&s, &s.out()), deadline);
    assert_clean(&r, "dangling symlink", "content/ghost.md");
    assert_eq!(
        r.code, 1,
        "symlinks that cannot be followed: exit 1\n{}",
        r.stderr
    );
    assert_file_error(
        &r.stderr,
        "content/ghost.md",
        "链接指向的文件不存在：/nonexistent/dualprev/ghost.md",
    );
    assert_file_error(
        &r.stderr,
        "content/linked.md",
        &format!(
            "链接指向站点目录之外：{}",
            s.tmp_path("outside.md").display()
        ),
    );
    assert!(
        !s.out().join("linked/index.html").exists(),
        "a page linked from outside the site root must not be built"
    );

    // A FIFO named like a page must not block the build.
    let s = site("town-small");
    let fifo = s.root.join("content/pipe.md");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if made {
        let r = run_deadline(&build_args(&s, &s.out()), deadline);
        assert_clean(&r, "FIFO content/pipe.md", "pipe.md");
    } else {
        skip("FIFO in content/", "mkfifo failed");
    }

    // A file name that is not UTF-8.
    let s = site("town-small");
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"bad-\xff\xfe.md");
        std::fs::write(
            s.root.join("content").join(name),
            "+++\ntitle = \"坏文件名\"\n+++\n\n正文。\n",
        )
        .unwrap();
    }
    let r = run_deadline(&build_args(&s, &s.out()), deadline);
    assert_clean(&r, "non-UTF-8 file name", "bad-");
    say(&format!(
        "faults: non-UTF-8 file name: exit {}: {}",
        r.code,
        r.stderr.lines().next().unwrap_or("")
    ));

    // An unreadable file and an unreadable folder. Root reads everything: as root the build runs
    // as `nobody` through setpriv (when available).
    let s = site("town-small");
    let secret = s.root.join("content/secret.md");
    std::fs::write(&secret, "+++\ntitle = \"机密\"\n+++\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let locked = s.root.join("content/locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(locked.join("a.md"), "+++\ntitle = \"锁住\"\n+++\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root_user = std::fs::read(&secret).is_ok();
    let nobody = root_user
        && Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status()
            .is_ok_and(|st| st.success());
    let r = if root_user && nobody {
        std::fs::set_permissions(s.tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let out = s.tmp_path("out-nobody");
        let mut args: Vec<&std::ffi::OsStr> = vec![
            a("--reuid=65534"),
            a("--regid=65534"),
            a("--clear-groups"),
            a(bin()),
        ];
        args.extend(build_args(&s, &out));
        let o = Command::new("setpriv").args(&args).output().unwrap();
        Some(Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        })
    } else if !root_user {
        Some(run_deadline(&build_args(&s, &s.out()), deadline))
    } else {
        None
    };
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let Some(r) = r else {
        skip(
            "unreadable file and folder",
            "running as root without setpriv",
        );
        return;
    };
    assert_clean(&r, "unreadable file", "content/secret.md");
    assert_eq!(r.code, 1, "unreadable file: exit 1 expected\n{}", r.stderr);
    assert!(
        r.stderr.contains("无法读取"),
        "the error should say the file cannot be read:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("content/locked"),
        "an unreadable folder should be reported like an unreadable file, not skipped:\n{}",
        r.stderr
    );
}

/// The whole-file error `message` at `rel`: a line `错误：<message>` followed by `--> <rel>`.
#[track_caller]
fn assert_file_error(stderr: &str, rel: &str, message: &str) {
    let head = format!("错误：{message}");
    let arrow = format!("--> {rel}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines
            .windows(2)
            .any(|w| w[0] == head && w[1].trim_start() == arrow),
        "no error `{head}` at `{rel}` in stderr:\n{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Symbolic links in content/
// ---------------------------------------------------------------------------------------------

fn page(title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n\n{title}的正文。\n")
}

#[test]
fn symlinks_inside_the_site_root_are_built_at_the_links_path() {
    use std::os::unix::fs::symlink;
    let s = site("town-small");
    s.write("content/guide/real.md", page("真实页面"));
    // Inside the site root but outside content/.
    s.write("notes/a.md", page("笔记甲"));
    // A page by a relative link, a folder of content/ by an absolute one, a folder beside content/.
    symlink("guide/real.md", s.root.join("content/alias.md")).unwrap();
    symlink(
        s.root.join("content/guide"),
        s.root.join("content/alias-dir"),
    )
    .unwrap();
    symlink("../notes", s.root.join("content/notes-link")).unwrap();
    // An editor's lock file is a dangling link by design: ignored like other temp files.
    symlink(
        "user@host.4242:1700000000",
        s.root.join("content/.#_index.md"),
    )
    .unwrap();
    let r = run_deadline(&build_args(&s, &s.out()), Duration::from_secs(60));
    r.ok();
    assert!(
        !r.stderr.contains("错误：") && !r.stderr.contains("链接"),
        "links inside the site root should build without a word:\n{}",
        r.stderr
    );
    for (url, title) in [
        ("guide/real/index.html", "真实页面"),
        ("alias/index.html", "真实页面"),
        ("alias-dir/real/index.html", "真实页面"),
        ("notes-link/a/index.html", "笔记甲"),
    ] {
        let html = read(&s.out(), url);
        assert!(
            html.contains(&format!("<title>{title}")) && html.contains(&format!("{title}的正文")),
            "{url} should be the page {title}:\n{html}"
        );
    }
}

#[test]
fn broken_symlinks_fail_the_build_and_keep_the_previous_output() {
    use std::os::unix::fs::symlink;
    let deadline = Duration::from_secs(60);
    let s = site("town-small");
    let out = s.out();
    s.build_into(&out, &["--quiet"]).ok();
    let before = snapshot(&out);
    assert!(before.len() > 20);
    // A build that went through would change the output.
    edit_site(&s, 1);

    let outside_file = if Path::new("/etc/hostname").is_file() {
        PathBuf::from("/etc/hostname")
    } else {
        say("faults: no /etc/hostname here; linking to a file beside the site root instead");
        let p = s.tmp_path("hostname");
        std::fs::write(&p, "host\n").unwrap();
        p
    };
    // Each alone: exit 1, the message with the target as written, the link's path.
    let alone = [
        (
            "content/ghost.md",
            PathBuf::from("/nonexistent/dualprev/ghost.md"),
            "链接指向的文件不存在",
        ),
        (
            "content/hostname.md",
            outside_file.clone(),
            "链接指向站点目录之外",
        ),
    ];
    for (rel, target, message) in &alone {
        let link = s.root.join(rel);
        symlink(target, &link).unwrap();
        let r = run_deadline(&build_args(&s, &out), deadline);
        assert_clean(&r, rel, rel);
        assert_eq!(r.code, 1, "{rel}: exit 1 expected\n{}", r.stderr);
        assert_file_error(&r.stderr, rel, &format!("{message}：{}", target.display()));
        assert!(r.stderr.contains("共 1 个错误"), "{rel}:\n{}", r.stderr);
        assert!(
            snapshot(&out) == before,
            "{rel}: the previous output changed:\n{}",
            diff(&before, &snapshot(&out))
        );
        std::fs::remove_file(&link).unwrap();
    }

    // All at once, with a folder outside the root and links that loop.
    for (rel, target, _) in &alone {
        symlink(target, s.root.join(rel)).unwrap();
    }
    let outside_dir = s.tmp_path("outside-dir");
    std::fs::create_dir_all(&outside_dir).unwrap();
    std::fs::write(outside_dir.join("secret.md"), page("站点之外")).unwrap();
    symlink(&outside_dir, s.root.join("content/elsewhere")).unwrap();
    symlink(".", s.root.join("content/self")).unwrap();
    symlink("..", s.root.join("content/up")).unwrap();
    symlink("b.md", s.root.join("content/a.md")).unwrap();
    symlink("a.md", s.root.join("content/b.md")).unwrap();
    let r = run_deadline(&build_args(&s, &out), deadline);
    assert_clean(&r, "broken symlinks", "content/ghost.md");
    assert_eq!(r.code, 1, "broken symlinks: exit 1 expected\n{}", r.stderr);
    for (rel, message) in [
        (
            "content/ghost.md",
            "链接指向的文件不存在：/nonexistent/dualprev/ghost.md".to_string(),
        ),
        (
            "content/hostname.md",
            format!("链接指向站点目录之外：{}", outside_file.display()),
        ),
        (
            "content/elsewhere",
            format!("链接指向站点目录之外：{}", outside_dir.display()),
        ),
        ("content/self", "链接形成循环：.".to_string()),
        ("content/up", "链接形成循环：..".to_string()),
        ("content/a.md", "链接形成循环：b.md".to_string()),
        ("content/b.md", "链接形成循环：a.md".to_string()),
    ] {
        assert_file_error(&r.stderr, rel, &message);
    }
    assert!(
        r.stderr.contains("共 7 个错误"),
        "exactly the seven links should be reported:\n{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("secret.md") && !r.stderr.contains("站点之外"),
        "nothing under a folder outside the root may be read:\n{}",
        r.stderr
    );
    assert!(
        snapshot(&out) == before,
        "the previous output changed:\n{}",
        diff(&before, &snapshot(&out))
    );
    let r = s.check();
    assert_eq!(r.code, 1, "check: exit 1 expected\n{}", r.stderr);
    assert_file_error(&r.stderr, "content/up", "链接形成循环：..");
}

/// Files created and deleted while builds run (the walk and the read race): every build ends with
/// exit 0 or 1, never a panic; a failed one names the vanished file.
#[test]
fn files_deleted_between_walk_and_read() {
    let s = site("town-small");
    let dir = s.root.join("content/churn");
    std::fs::create_dir_all(&dir).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let dir = dir.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for i in 0..200 {
                    let p = dir.join(format!("p{i}.md"));
                    if (n + i).is_multiple_of(2) {
                        let _ = std::fs::write(
                            &p,
                            format!("+++\ntitle = \"页 {i}\"\n+++\n\n第 {n} 轮。\n"),
                        );
                    } else {
                        let _ = std::fs::remove_file(&p);
                    }
                }
                n += 1;
            }
            n
        })
    };
    let mut codes = Vec::new();
    let mut raced = Vec::new();
    let start = Instant::now();
    for k in 0..12 {
        let out = s.tmp_path(&format!("out{k}"));
        let r = run_deadline(&build_args(&s, &out), Duration::from_secs(120));
        assert!(
            !r.stderr.contains("panicked") && (r.code == 0 || r.code == 1),
            "build {k} during churn: exit {}\n{}",
            r.code,
            r.stderr
        );
        if r.code == 1 {
            let first = r
                .stderr
                .lines()
                .find(|l| l.starts_with("错误："))
                .unwrap_or("")
                .to_string();
            let located = r
                .stderr
                .lines()
                .find(|l| l.trim_start().starts_with("-->"))
                .unwrap_or("");
            assert!(
                located.contains("content/churn/") || first.contains("content/churn/"),
                "build {k}: the error should name the vanished file:\n{}",
                r.stderr
            );
            raced.push(format!("{first} {}", located.trim()));
        }
        codes.push(r.code);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rounds = churn.join().unwrap();
    say(&format!(
        "faults: 12 builds during file churn ({rounds} rounds of 200 files) in {:.1} s: exit codes {codes:?}; raced: {raced:?}",
        start.elapsed().as_secs_f64()
    ));
}

// ---------------------------------------------------------------------------------------------
// Very large inputs
// ---------------------------------------------------------------------------------------------

/// A deterministic stream of Chinese safety text.
fn filler(seed: &mut u64, chars: usize) -> String {
    const WORDS: &[&str] = &[
        "粉尘",
        "爆炸",
        "有限空间",
        "作业",
        "动火",
        "审批",
        "检维修",
        "外委",
        "危险化学品",
        "储存",
        "高温",
        "熔融金属",
        "吊装",
        "用电",
        "消防",
        "高处",
        "风险",
        "辨识",
        "隐患",
        "排查",
        "治理",
        "整改",
        "验收",
        "销号",
        "台账",
        "培训",
        "应急",
        "处置",
        "，",
        "。",
        "、",
    ];
    let mut s = String::with_capacity(chars * 3);
    let mut n = 0;
    while n < chars {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let w = WORDS[(*seed >> 33) as usize % WORDS.len()];
        s.push_str(w);
        n += w.chars().count();
    }
    s
}

fn timed_build(s: &Site, what: &str, deadline: Duration) -> Run {
    let start = Instant::now();
    let r = run_deadline(&build_args(s, &s.out()), deadline);
    let secs = start.elapsed().as_secs_f64();
    let summary = r
        .stdout
        .lines()
        .find(|l| l.starts_with("已生成"))
        .unwrap_or("");
    say(&format!(
        "faults: {what}: exit {} in {secs:.1} s — {summary}",
        r.code
    ));
    r
}

/// A 50 MB page: headings every ~40 KB (half of them the same title, so heading ids need
/// numbering), paragraphs, lists, links. It must build; the time is printed.
#[test]
fn fifty_megabyte_markdown_page_builds() {
    let s = site("town-small");
    let mut seed = 11u64;
    let mut page = String::from("+++\ntitle = \"超大页面\"\n+++\n\n");
    let mut i = 0;
    while page.len() < 50 * 1024 * 1024 {
        if i % 2 == 0 {
            page.push_str("## 检查要点\n\n");
        } else {
            page.push_str(&format!("## 第 {i} 节 重点部位\n\n"));
        }
        for j in 0..100 {
            page.push_str(&filler(&mut seed, 120));
            page.push_str(&format!(
                " dust explosion {i}.{j} GB 15577—2018《粉尘防爆》\n\n"
            ));
        }
        page.push_str(&format!(
            "- {}\n- 见 [首页](@/_index.md)\n\n",
            filler(&mut seed, 30)
        ));
        i += 1;
    }
    let mb = page.len() as f64 / 1048576.0;
    s.write("content/huge.md", page);
    let r = timed_build(
        &s,
        &format!("{mb:.1} MB Markdown page ({i} headings)"),
        Duration::from_secs(1800),
    );
    r.ok();
    let html = std::fs::metadata(s.out().join("huge/index.html"))
        .unwrap()
        .len();
    assert!(
        html > 50 * 1024 * 1024,
        "the page HTML is only {html} bytes"
    );
    // The page is searchable: a word of its last section finds it.
    let get = |rel: &str| std::fs::read_to_string(s.out().join(rel)).ok();
    let hits = dualprev::search::query::query(&get, &format!("{}.99", i - 1));
    assert!(
        hits.iter().any(|h| h.url.starts_with("huge/")),
        "the huge page is not found by a number of its last section: {hits:?}"
    );
}

/// One record with 100,000 hazards (a third closed, the rest open, many overdue).
#[test]
fn record_with_a_hundred_thousand_hazards_builds() {
    let s = site("town-small");
    let path = "data/enterprises/qiaotou-foundry.toml";
    let mut rec = std::fs::read_to_string(s.root.join(path)).unwrap();
    let mut seed = 7u64;
    for n in 0..100_000u32 {
        rec.push_str(&format!(
            "\n[[hazards]]\nid = \"HX{n:06}\"\nfound = 2025-0{}-1{}\nsource = \"日常排查\"\nlocation = \"车间{}\"\n\
             description = \"{}\"\ngrade = \"一般\"\nmeasures = \"清理整改\"\ndeadline = 2025-0{}-2{}\nresponsible = \"班组长\"\n",
            1 + n % 5,
            n % 9,
            n % 37,
            filler(&mut seed, 12),
            6 + n % 3,
            n % 8,
        ));
        if n % 3 == 0 {
            rec.push_str("rectified = 2025-06-29\naccepted = 2025-06-30\n");
        }
    }
    let mb = rec.len() as f64 / 1048576.0;
    s.write(path, rec);
    let r = timed_build(
        &s,
        &format!("record with 100,000 hazards ({mb:.1} MB of TOML)"),
        Duration::from_secs(1800),
    );
    r.ok();
    let ledger = std::fs::read_to_string(s.out().join("ledger/hazards/ledger.csv")).unwrap();
    let rows = ledger.lines().filter(|l| l.contains("HX")).count();
    assert!(
        rows >= 60_000,
        "the hazard ledger should list the open hazards (about 66,667), has {rows}"
    );
}
