//! Records the git revision this binary is built from, as the compile-time
//! variable `LABELBENCH_GIT_REV`, so that a run records the code that made it
//! wherever it runs: from another repository, or from a folder outside git.
//!
//! The revision is `git rev-parse --short=12 HEAD` of the workspace, with
//! `-dirty` when tracked files outside `results/` differ from it (results are
//! data, not code); `unknown` when the workspace is not a git checkout or git
//! is missing. The script reruns when HEAD moves, when the index changes, and
//! when any crate's files change, so the mark follows the code being built.

use std::path::Path;
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace");
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    for dir in [
        "shamir-runtime",
        "labels-counter",
        "labels-history",
        "labels-static",
        "bench-harness",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    for (flag, files) in [
        ("--git-dir", &["HEAD", "index"][..]),
        ("--git-common-dir", &["refs", "packed-refs"][..]),
    ] {
        if let Some(dir) = git(&["rev-parse", flag]) {
            for f in files {
                println!(
                    "cargo:rerun-if-changed={}",
                    root.join(&dir).join(f).display()
                );
            }
        }
    }
    let rev = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(rev) if !rev.is_empty() => {
            let dirty = git(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ":(top)",
                ":(top,exclude)results",
            ])
            .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{rev}-dirty")
            } else {
                rev
            }
        }
        _ => "unknown".to_string(),
    };
    println!("cargo:rustc-env=LABELBENCH_GIT_REV={rev}");
}
