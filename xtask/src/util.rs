//! Small helpers shared by the commands: the repository root, section headers, running programs.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every command returns this; the message is printed once, by `main`.
pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The cargo that runs us (cargo sets `CARGO` for `cargo run`), else the one on `PATH`.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(program)
}

/// A clearly visible section header.
pub fn header(title: &str) {
    let rule = "=".repeat(78);
    println!("\n{rule}\n== {title}\n{rule}");
}

/// Shows a command the way a shell user would type it.
pub fn display(cmd: &Command) -> String {
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(quote));
    words.join(" ")
}

fn quote(word: &OsStr) -> String {
    let s = word.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:,@+".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Runs a command with inherited standard streams; a non-zero exit is an error.
pub fn run(cmd: &mut Command) -> Result {
    println!("$ {}", display(cmd));
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", display(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(cmd)))
    }
}

/// Standard output of a command that succeeded, trimmed; `None` if it cannot start or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether the current user is root (so `apt-get` needs no `sudo`).
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// Human-readable duration: `1 min 05 s` or `4.2 s`.
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 {
        let whole = d.as_secs();
        format!("{} min {:02} s", whole / 60, whole % 60)
    } else {
        format!("{secs:.1} s")
    }
}

/// Outcome of one section of a multi-step command.
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// Runs named sections, times them, and prints a summary table at the end.
#[derive(Default)]
pub struct Sections {
    done: Vec<(String, Duration, Outcome)>,
}

impl Sections {
    /// Runs one section under a header; returns whether it passed.
    pub fn run(&mut self, name: &str, body: impl FnOnce() -> Result) -> bool {
        header(name);
        let start = Instant::now();
        let result = body();
        let elapsed = start.elapsed();
        let passed = result.is_ok();
        let outcome = match result {
            Ok(()) => {
                println!("-- {name}: ok ({})", fmt_duration(elapsed));
                Outcome::Passed
            }
            Err(e) => {
                println!("-- {name}: FAILED ({}): {e}", fmt_duration(elapsed));
                Outcome::Failed(e)
            }
        };
        self.done.push((name.to_string(), elapsed, outcome));
        passed
    }

    /// Records a section that could not run because an earlier one failed.
    pub fn skip(&mut self, name: &str, why: &str) {
        header(name);
        println!("-- {name}: skipped ({why})");
        self.done.push((
            name.to_string(),
            Duration::ZERO,
            Outcome::Skipped(why.into()),
        ));
    }

    /// Prints the summary; an error names every failed or skipped section.
    pub fn finish(self, total: Duration) -> Result {
        header("summary");
        let width = self.done.iter().map(|(n, ..)| n.len()).max().unwrap_or(0);
        let mut bad = Vec::new();
        for (name, elapsed, outcome) in &self.done {
            let (mark, note) = match outcome {
                Outcome::Passed => ("ok     ", String::new()),
                Outcome::Failed(e) => {
                    bad.push(name.clone());
                    ("FAILED ", first_line(e))
                }
                Outcome::Skipped(why) => {
                    bad.push(name.clone());
                    ("skipped", why.clone())
                }
            };
            println!(
                "{mark}  {name:<width$}  {:>12}  {note}",
                fmt_duration(*elapsed)
            );
        }
        println!("total  {:>w$}", fmt_duration(total), w = width + 23);
        if bad.is_empty() {
            println!("\nall sections passed");
            Ok(())
        } else {
            Err(format!("not passed: {}", bad.join(", ")))
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}
