//! Debugging aid: `cargo run -p matdiff-core --example explain -- '<expr>' ['<decls>'] [wrt]` prints the derivation and the check.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = matdiff_core::Input {
        expr: args.first().cloned().unwrap_or_default(),
        decls: args.get(1).cloned().unwrap_or_default(),
        wrt: args.get(2).cloned(),
    };
    let t0 = std::time::Instant::now();
    let a = matdiff_core::analyze(&input);
    let t_analyze = t0.elapsed();
    for d in &a.diagnostics {
        eprint!(
            "{}",
            d.render(if d.source == matdiff_core::Source::Decls {
                &input.decls
            } else {
                &input.expr
            })
        );
    }
    let Some(d) = &a.derivation else { return };
    print!("{}", d.to_text());
    let t1 = std::time::Instant::now();
    let checked = matdiff_core::check(&a, &Default::default());
    eprintln!("time: analyze {:?}, check {:?}", t_analyze, t1.elapsed());
    if std::env::var("MATDIFF_DEBUG").is_ok() {
        eprintln!("{checked:#?}");
    }
    match checked {
        Ok(r) => println!(
            "check: passed={} grad rel_error={:?} steps_ok={} {}",
            r.passed,
            r.gradient.as_ref().map(|g| g.rel_error),
            r.steps.iter().all(|s| s.passed),
            r.message.unwrap_or_default()
        ),
        Err(e) => eprint!("{}", e.render("")),
    }
}
