//! The textbook table (`data/textbook.txt`): each gradient derives, equals the source's form at random
//! points, passes the numeric check, and is no larger than the source's form plus a small slack.

mod common;

use common::{check_entry, expected_gradient, textbook, Entry};

/// Nodes the engine's gradient may have beyond the textbook's form.
const SLACK: usize = 2;

/// Nodes of the engine's gradient and of the textbook's form, both lowered.
fn sizes(e: &Entry) -> Result<(usize, usize), String> {
    let d = common::derivation(&e.f, &e.decls, Some(&e.wrt))?;
    Ok((d.gradient.size(), expected_gradient(e)?.size()))
}

#[test]
fn table_is_large_and_cited() {
    let entries = textbook();
    assert!(entries.len() >= 40, "only {} gradients", entries.len());
    for e in &entries {
        assert!(e.eq.len() >= 5, "no source cited: {}", e.label());
    }
}

#[test]
fn gradients_read_like_the_textbook() {
    let entries = textbook();
    let mut failures = Vec::new();
    let mut at_or_below = 0;
    for e in &entries {
        if let Err(m) = check_entry(e) {
            failures.push(format!("{}\n    {m}", e.label()));
            continue;
        }
        match sizes(e) {
            Ok((engine, book)) if engine <= book + SLACK => {
                at_or_below += usize::from(engine <= book);
            }
            Ok((engine, book)) => failures.push(format!(
                "{}\n    the gradient has {engine} nodes, the textbook's form {book} (slack {SLACK})",
                e.label()
            )),
            Err(m) => failures.push(format!("{}\n    {m}", e.label())),
        }
    }
    println!(
        "{at_or_below} of {} gradients at or below the textbook's size",
        entries.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} gradients failed:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}
