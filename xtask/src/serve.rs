//! `cargo xtask serve`: trunk serve under a supervisor that says when the page answers, restarts
//! trunk (a bounded number of times) when it exits on its own, and fails clearly when it never
//! serves; and the test of it from a cold copy of the tree.

use crate::util::{cargo, display, fmt_duration, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How often trunk is started in all before `serve` gives up.
const MAX_STARTS: usize = 3;
/// The longest a start may take to answer: a cold tree compiles every wasm dependency first.
const FIRST_SERVE_TIMEOUT: Duration = Duration::from_secs(25 * 60);
/// The longest a rebuild after an edit may take to show in what is served.
const REBUILD_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const POLL: Duration = Duration::from_millis(250);

/// Where `serve` listens, from trunk's own `--address` / `--port` arguments when given.
struct Listen {
    address: String,
    port: u16,
}

impl Listen {
    fn from_args(extra: &[String]) -> Result<Listen> {
        let value = |flag: &str| -> Option<String> {
            let eq = format!("{flag}=");
            extra.iter().enumerate().find_map(|(i, a)| {
                if a == flag {
                    extra.get(i + 1).cloned()
                } else {
                    a.strip_prefix(&eq).map(str::to_string)
                }
            })
        };
        let port = match value("--port") {
            Some(p) => p
                .parse()
                .map_err(|_| format!("--port {p}: not a port number"))?,
            None => 8080,
        };
        Ok(Listen {
            address: value("--address").unwrap_or_else(|| "127.0.0.1".into()),
            port,
        })
    }

    fn url(&self) -> String {
        format!("http://{}:{}/", self.address, self.port)
    }

    fn socket(&self) -> Result<SocketAddr> {
        (self.address.as_str(), self.port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| format!("cannot resolve the address {}", self.address))
    }
}

/// `trunk serve --offline` with the address and port filled in unless given.
fn trunk_serve(root: &Path, extra: &[String], listen: &Listen) -> Command {
    let has = |flag: &str| {
        extra
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut cmd = Command::new("trunk");
    cmd.args(["serve", "--offline"]).current_dir(root);
    if !has("--address") {
        cmd.args(["--address", &listen.address]);
    }
    if !has("--port") {
        cmd.args(["--port", &listen.port.to_string()]);
    }
    cmd.args(extra).stdin(Stdio::null());
    // trunk ends with us (a `kill` of this process, not only Ctrl-C to the process group).
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    cmd
}

/// Serves the page: starts trunk, prints the URL once `/` answers, and starts trunk again when it
/// exits on its own, at most [`MAX_STARTS`] times in all.
pub fn serve(root: &Path, extra: &[String]) -> Result {
    let listen = Listen::from_args(extra)?;
    let socket = listen.socket()?;
    if TcpListener::bind(socket).is_err() {
        return Err(format!(
            "{socket} is already in use: stop what listens there, or pick another port \
             (cargo xtask serve --port 9000)"
        ));
    }
    let url = listen.url();
    println!(
        "building, then serving at {url} (a cold tree compiles every dependency first: minutes)"
    );
    for start in 1..=MAX_STARTS {
        let mut cmd = trunk_serve(root, extra, &listen);
        println!("$ {}", display(&cmd));
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start `{}`: {e}", display(&cmd)))?;
        let begun = Instant::now();
        match wait_until_served(&mut child, socket, FIRST_SERVE_TIMEOUT) {
            Ok(None) => {
                println!(
                    "\nmatdiff is served at {url} (ready after {}; Ctrl-C stops)\n",
                    fmt_duration(begun.elapsed())
                );
                let status = child
                    .wait()
                    .map_err(|e| format!("waiting for trunk: {e}"))?;
                println!("\ntrunk stopped serving on its own ({status}).");
            }
            Ok(Some(status)) => println!("\ntrunk exited before it served anything ({status})."),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        }
        if start < MAX_STARTS {
            println!("starting trunk again ({} of {MAX_STARTS})", start + 1);
        }
    }
    Err(format!(
        "trunk exited {MAX_STARTS} times without staying up; nothing serves {url}. \
         Its output above says why; `trunk build --offline` shows build errors on their own."
    ))
}

/// Waits until `/` answers with 200: `Ok(None)`; `Ok(Some(status))` when trunk exits first.
fn wait_until_served(
    child: &mut Child,
    socket: SocketAddr,
    timeout: Duration,
) -> Result<Option<ExitStatus>> {
    let begun = Instant::now();
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| format!("waiting for trunk: {e}"))?
        {
            return Ok(Some(status));
        }
        if get(socket, "/").is_some_and(|r| r.status == 200) {
            return Ok(None);
        }
        if begun.elapsed() > timeout {
            return Err(format!(
                "nothing answered at http://{socket}/ within {}; trunk is still running but \
                 not serving",
                fmt_duration(timeout)
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// An HTTP response: status and body.
struct Response {
    status: u16,
    body: Vec<u8>,
}

/// `GET path` over HTTP/1.0 (no client library); `None` when nothing answers.
fn get(socket: SocketAddr, path: &str) -> Option<Response> {
    let mut s = TcpStream::connect_timeout(&socket, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {socket}\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some(Response {
        status,
        body: raw[end + 4..].to_vec(),
    })
}

/// A free port on the loopback interface.
fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// A copy of the tracked files of `root` (no `target/`, no `dist/`), with `node_modules`
/// linked, in a fresh directory.
fn cold_copy(root: &Path) -> Result<PathBuf> {
    let tree = std::env::temp_dir().join(format!("matdiff-cold-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tree);
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("git ls-files: {e}"))?;
    if !listed.status.success() {
        return Err("git ls-files failed: the serve test needs a git checkout".into());
    }
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let rel = Path::new(std::str::from_utf8(name).map_err(|e| e.to_string())?);
        let (from, to) = (root.join(rel), tree.join(rel));
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    std::os::unix::fs::symlink(root.join("node_modules"), tree.join("node_modules"))
        .map_err(|e| format!("linking node_modules: {e}"))?;
    Ok(tree)
}

/// Kills a child started in its own process group, with everything it started.
fn kill_group(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{}", child.id())])
        .status();
    let begun = Instant::now();
    while begun.elapsed() < Duration::from_secs(10) {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(POLL);
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

/// Polls `path` until `ok` holds for the response, while the server keeps running.
fn wait_for(
    child: &mut Child,
    socket: SocketAddr,
    path: &str,
    timeout: Duration,
    ok: impl Fn(&Response) -> bool,
) -> Result {
    let begun = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "`cargo xtask serve` exited ({status}) while waiting for {path}"
            ));
        }
        if get(socket, path).is_some_and(|r| ok(&r)) {
            return Ok(());
        }
        if begun.elapsed() > timeout {
            return Err(format!(
                "{path} was not served as expected within {}",
                fmt_duration(timeout)
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// The test of `cargo xtask serve`: from a cold copy of the tree (no `target/`, no `dist/`) on
/// a free port, `/` and the wasm are served within a bounded time, an edit of a watched file is
/// rebuilt and served without killing it, and nothing panicked. Returns the time to first serve.
pub fn check_cold_serve(root: &Path) -> Result<Duration> {
    let tree = cold_copy(root)?;
    let result = check_in(&tree);
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&tree);
    } else {
        println!("the cold tree is kept for a look: {}", tree.display());
    }
    result
}

fn check_in(tree: &Path) -> Result<Duration> {
    let port = free_port()?;
    let socket: SocketAddr = ([127, 0, 0, 1], port).into();
    let log_path = tree.join("serve.log");
    let log = std::fs::File::create(&log_path).map_err(|e| format!("serve.log: {e}"))?;
    let mut cmd = cargo();
    cmd.args(["xtask", "serve", "--port", &port.to_string()])
        .current_dir(tree)
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .process_group(0);
    println!("$ (cd {}) {}  > serve.log", tree.display(), display(&cmd));
    let begun = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let outcome = exercise(&mut child, socket, tree, begun);
    kill_group(&mut child);
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(25).collect();
    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    let first = outcome.map_err(|e| format!("{e}\nlast lines of serve.log:\n{tail}"))?;
    if let Some(line) = text.lines().find(|l| l.contains("panicked")) {
        return Err(format!("a thread panicked while serving: {line}"));
    }
    if !text.contains(&format!("matdiff is served at http://127.0.0.1:{port}/")) {
        return Err(format!(
            "`cargo xtask serve` never printed the URL it serves:\n{tail}"
        ));
    }
    Ok(first)
}

fn exercise(
    child: &mut Child,
    socket: SocketAddr,
    tree: &Path,
    begun: Instant,
) -> Result<Duration> {
    wait_for(child, socket, "/", FIRST_SERVE_TIMEOUT, |r| {
        r.status == 200 && String::from_utf8_lossy(&r.body).contains("matdiff")
    })?;
    let wasm_served = |child: &mut Child| {
        wait_for(
            child,
            socket,
            "/matdiff-web_bg.wasm",
            REBUILD_TIMEOUT,
            |r| r.status == 200 && r.body.starts_with(b"\0asm"),
        )
    };
    wasm_served(child)?;
    let first = begun.elapsed();
    println!("first serve from a cold tree: {}", fmt_duration(first));
    // An edit of a watched file is rebuilt and served, and the server stays up.
    let css = tree.join("web/static/style.css");
    let marker = format!(".cold-serve-edit-{} {{ color: red; }}", std::process::id());
    let mut text = std::fs::read_to_string(&css).map_err(|e| format!("style.css: {e}"))?;
    text.push_str(&marker);
    text.push('\n');
    std::fs::write(&css, text).map_err(|e| format!("style.css: {e}"))?;
    wait_for(child, socket, "/style.css", REBUILD_TIMEOUT, |r| {
        r.status == 200 && String::from_utf8_lossy(&r.body).contains(&marker)
    })?;
    wasm_served(child)?;
    println!("an edit of web/static/style.css was rebuilt and served; the server is up");
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn listen_reads_trunk_address_and_port_in_both_spellings() {
        let l = Listen::from_args(&args(&[])).unwrap();
        assert_eq!(l.url(), "http://127.0.0.1:8080/");
        let l = Listen::from_args(&args(&["--release", "--port", "9000"])).unwrap();
        assert_eq!(l.url(), "http://127.0.0.1:9000/");
        let l = Listen::from_args(&args(&["--port=9001", "--address=0.0.0.0"])).unwrap();
        assert_eq!(l.url(), "http://0.0.0.0:9001/");
        let e = Listen::from_args(&args(&["--port", "eighty"]))
            .err()
            .unwrap();
        assert!(e.contains("not a port number"), "{e}");
    }

    #[test]
    fn get_reads_status_and_body_and_none_when_nothing_listens() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let socket = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // Read the whole request first: closing with unread bytes resets the connection.
            let mut request = Vec::new();
            let mut buf = [0u8; 512];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0asm")
                .unwrap();
        });
        let r = get(socket, "/x.wasm").unwrap();
        server.join().unwrap();
        assert_eq!(r.status, 200);
        assert!(r.body.starts_with(b"\0asm"));
        let closed = free_port().unwrap();
        assert!(get(([127, 0, 0, 1], closed).into(), "/").is_none());
    }
}
