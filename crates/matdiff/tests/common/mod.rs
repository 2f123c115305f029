//! Helpers the command's end-to-end tests share: running the binary, its streams, scratch files.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `matdiff` binary with `args`.
pub fn matdiff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_matdiff"))
        .args(args)
        .output()
        .expect("run matdiff")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and checks the exit status, showing both streams when it is not the expected one.
pub fn run(args: &[&str], code: i32) -> Output {
    let o = matdiff(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "matdiff {args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// A file `name` in the folder `dir` under the target directory (no temp-file crate needed).
pub fn scratch_in(dir: &str, name: &str, contents: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write scratch file");
    path
}
