//! Records the git revision this binary is built from, as the compile-time
//! variable `LABELBENCH_GIT_REV`, so that a run records the code that made it
//! wherever it runs: from another repository, or from a folder outside git.
//!
//! The revision is `git rev-parse --short=12 HEAD` of the workspace, with
//! `-dirty` when the code differs from it: the workspace's tracked files
//! outside `target/`, `results/` (data, not code) and `fuzz/` (not part of the
//! binary). It is `unknown` when the workspace is not a git checkout or git is
//! missing. The script reruns when that code changes (every top-level entry
//! but those, so a new crate is watched too) and when this worktree's HEAD
//! moves.

use std::path::Path;
use std::process::Command;

/// Top-level entries that are not the code a binary is built from.
const NOT_CODE: [&str; 4] = [".git", "target", "results", "fuzz"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace");
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .arg("--no-optional-locks")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let watch = |path: &Path| {
        // A path that does not exist would count as changed on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    };
    let mut code = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !NOT_CODE.contains(&name.as_str()) {
                watch(&entry.path());
                code.push(format!(":(top){name}"));
            }
        }
    }
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        // HEAD names the branch; its reflog grows with every commit, checkout
        // or reset in this worktree (and in no other).
        watch(&root.join(&dir).join("HEAD"));
        watch(&root.join(&dir).join("logs/HEAD"));
    }
    if let (Some(common), Some(branch)) = (
        git(&["rev-parse", "--git-common-dir"]),
        git(&["rev-parse", "--symbolic-full-name", "HEAD"]),
    ) {
        watch(&root.join(&common).join(branch));
        watch(&root.join(&common).join("packed-refs"));
    }
    let rev = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(rev) if !rev.is_empty() => {
            let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
            status.extend(code.iter().map(String::as_str));
            let dirty = git(&status).is_some_and(|s| !s.is_empty());
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
