//! Profiling aid: runs `analyze` on the lecture note's examples many times (for callgrind or perf).
//! `profile N` runs all three N times; `profile N '<expr>'` runs only that expression;
//! `profile --no-latex N …` runs parse + shapes + derive + simplify only (no printing).
fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let no_latex = args.first().is_some_and(|a| a == "--no-latex");
    if no_latex {
        args.remove(0);
    }
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
            let input = matdiff_core::Input {
                expr: (*e).into(),
                ..Default::default()
            };
            steps += if no_latex {
                matdiff_core::problem(&input)
                    .ok()
                    .and_then(|p| matdiff_core::derive_exprs(&p).ok())
                    .map_or(0, |d| d.steps.len())
            } else {
                matdiff_core::analyze(&input)
                    .derivation
                    .map_or(0, |d| d.steps.len())
            };
        }
    }
    eprintln!(
        "{steps} steps; {:?} per run",
        t.elapsed() / (exprs.len() * n) as u32
    );
}
