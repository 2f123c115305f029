//! Profiling aid: runs `analyze` on the lecture note's examples many times (for callgrind or perf).
//! `profile N` runs all three N times; `profile N '<expr>'` runs only that expression.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let note = ["||A*x - b||^2", "tr(A*X*B)", "logdet(X'*X)"];
    let exprs: Vec<&str> = match args.get(1) {
        Some(e) => vec![e.as_str()],
        None => note.to_vec(),
    };
    let t = std::time::Instant::now();
    let mut steps = 0;
    for _ in 0..n {
        for e in &exprs {
            let a = matdiff_core::analyze(&matdiff_core::Input {
                expr: (*e).into(),
                ..Default::default()
            });
            steps += a.derivation.map_or(0, |d| d.steps.len());
        }
    }
    eprintln!(
        "{steps} steps; {:?} per analyze",
        t.elapsed() / (exprs.len() * n) as u32
    );
}
