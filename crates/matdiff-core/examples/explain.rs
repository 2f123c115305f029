//! Debugging aid: `cargo run -p matdiff-core --example explain -- '<expr>' ['<decls>'] [wrt]` prints the derivation and the check.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = matdiff_core::Input {
        expr: args.first().cloned().unwrap_or_default(),
        decls: args.get(1).cloned().unwrap_or_default(),
        wrt: args.get(2).cloned(),
    };
    let a = matdiff_core::analyze(&input);
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
    match matdiff_core::check(&a, &Default::default()) {
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
