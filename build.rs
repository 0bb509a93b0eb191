//! Sets `WSPROBE_VERSION` for `--version`: the package version and, when
//! built from a git checkout of this package, the commit (`0.1.0 (commit
//! 1a2b3c4)`). Without git, or outside a checkout (a published crate),
//! just the version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-changed=build.rs");
    let full = match commit() {
        Some((hash, watch)) => {
            for file in watch {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            format!("{version} (commit {hash})")
        }
        None => version,
    };
    println!("cargo:rustc-env=WSPROBE_VERSION={full}");
}

/// `git rev-parse` in `dir`, trimmed; `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The short commit, and the files whose change means a new commit (HEAD,
/// the branch it points to, packed refs), when this package's directory is
/// the top of a git work tree.
fn commit() -> Option<(String, Vec<PathBuf>)> {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let top = PathBuf::from(git(&dir, &["rev-parse", "--show-toplevel"])?);
    // A crate unpacked inside some other repository is not that commit.
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let hash = git(&dir, &["rev-parse", "--short", "HEAD"])?;
    let git_dir = dir.join(git(&dir, &["rev-parse", "--git-dir"])?);
    let common = dir.join(git(&dir, &["rev-parse", "--git-common-dir"])?);
    let mut watch = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(common.join(branch));
    }
    watch.retain(|f| f.exists());
    Some((hash, watch))
}
