//! LaTeX as input: what matdiff prints parses back to the same tree. For every input of the
//! Cookbook corpus and of the golden file of `matdiff derive`, lowering the input and lowering
//! the LaTeX of its lowered tree give the same `Expr`.

mod common;

use matdiff_core::lower::{lower, sexpr};
use matdiff_core::print;

const GOLDEN: &str = include_str!("../../matdiff/tests/data/golden-derive.txt");

/// Every (expression, declarations, variable) of the corpus and of the golden file.
fn inputs() -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = common::corpus()
        .into_iter()
        .map(|e| (e.f, e.decls, Some(e.wrt)))
        .collect();
    for line in GOLDEN.lines() {
        let Some(args) = line.strip_prefix("=== matdiff ") else {
            continue;
        };
        let parts: Vec<&str> = args.split(" | ").collect();
        if parts.last() != Some(&"text") {
            continue;
        }
        let find = |flag: &str| {
            parts
                .iter()
                .position(|p| *p == flag)
                .and_then(|i| parts.get(i + 1))
                .map(|s| s.to_string())
        };
        out.push((
            parts[0].to_string(),
            find("--let").unwrap_or_default(),
            find("--wrt"),
        ));
    }
    out
}

#[test]
fn printed_latex_parses_back_to_the_same_tree() {
    let inputs = inputs();
    assert!(inputs.len() > 250, "only {} inputs", inputs.len());
    let mut failures = Vec::new();
    let mut compared = 0;
    for (f, decls, wrt) in &inputs {
        let Ok(p) = lower(f, decls, wrt.as_deref()) else {
            continue;
        };
        let tex = print::latex(&p.expr, &p.symbols);
        compared += 1;
        match lower(&tex, decls, wrt.as_deref()) {
            Ok(q) if q.expr == p.expr && q.wrt == p.wrt => {}
            Ok(q) => failures.push(format!(
                "{f}\n    LaTeX {tex}\n    want  {}\n    got   {}",
                sexpr(&p.expr),
                sexpr(&q.expr)
            )),
            Err(ds) => failures.push(format!(
                "{f}\n    LaTeX {tex}\n{}",
                ds.iter().map(|d| d.render(&tex)).collect::<String>()
            )),
        }
    }
    assert!(compared > 200, "only {compared} inputs lower");
    assert!(
        failures.is_empty(),
        "{} of {compared} do not parse back:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
