//! Profiling aid: runs `analyze` on the lecture note's examples many times (for callgrind or perf).
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let exprs = ["||A*x - b||^2", "tr(A*X*B)", "logdet(X'*X)"];
    let t = std::time::Instant::now();
    let mut steps = 0;
    for _ in 0..n {
        for e in exprs {
            let a = matdiff_core::analyze(&matdiff_core::Input {
                expr: e.into(),
                ..Default::default()
            });
            steps += a.derivation.map_or(0, |d| d.steps.len());
        }
    }
    eprintln!(
        "{steps} steps; {:?} per analyze",
        t.elapsed() / (3 * n as u32)
    );
}
