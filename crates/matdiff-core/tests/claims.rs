//! The corpus of claimed gradients (`data/claims.txt`): wrong answers of the kinds learners,
//! textbooks and chat assistants give, each with the diagnosis it must get, and right answers
//! written otherwise than matdiff, which must be accepted. No false verdict on either; and every
//! gradient of the Cookbook and textbook corpora, as the books write it, is accepted.

mod common;

use common::{blocks, corpus, textbook};
use matdiff_core::api::{compare, ClaimVerdict, Comparison, MistakeKind};
use matdiff_core::{analyze, CheckOptions, Input};

/// One claim of the corpus with what it must get.
#[derive(Debug)]
struct Case {
    line: usize,
    src: String,
    f: String,
    decls: String,
    wrt: Option<String>,
    claim: String,
    /// `None` for a right answer; otherwise the diagnosis: kind and detail (factor, symbol or term).
    wrong: Option<(String, Option<String>)>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for fields in blocks(include_str!("data/claims.txt")) {
        let (mut src, mut f, mut decls, mut wrt) =
            (String::new(), String::new(), String::new(), None);
        for (line, key, value) in fields {
            match key.as_str() {
                "src" => src = value,
                "f" => f = value,
                "let" => decls = value,
                "wrt" => wrt = Some(value),
                "right" => out.push(Case {
                    line,
                    src: src.clone(),
                    f: f.clone(),
                    decls: decls.clone(),
                    wrt: wrt.clone(),
                    claim: value,
                    wrong: None,
                }),
                "wrong" => {
                    let (claim, diagnosis) = value
                        .split_once("=>")
                        .unwrap_or_else(|| panic!("line {line}: `wrong: CLAIM => KIND [DETAIL]`"));
                    let diagnosis = diagnosis.trim();
                    let (kind, detail) = match diagnosis.split_once(' ') {
                        Some((k, d)) => (k.to_string(), Some(d.trim().to_string())),
                        None => (diagnosis.to_string(), None),
                    };
                    out.push(Case {
                        line,
                        src: src.clone(),
                        f: f.clone(),
                        decls: decls.clone(),
                        wrt: wrt.clone(),
                        claim: claim.trim().to_string(),
                        wrong: Some((kind, detail)),
                    });
                }
                other => panic!("line {line}: unknown field `{other}`"),
            }
        }
    }
    out
}

fn kind_name(k: MistakeKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn run(case: &Case, seed: u64) -> Result<Comparison, String> {
    let a = analyze(&Input {
        expr: case.f.clone(),
        decls: case.decls.clone(),
        wrt: case.wrt.clone(),
    });
    if a.derivation.is_none() {
        return Err(format!("f does not derive: {:?}", a.diagnostics));
    }
    compare(
        &a,
        &case.claim,
        &CheckOptions {
            seed,
            ..CheckOptions::default()
        },
    )
    .map_err(|d| {
        format!(
            "bad input: {:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        )
    })
}

/// What is wrong with the comparison of one case; `None` when it is as the corpus says.
fn problem(case: &Case, c: &Comparison) -> Option<String> {
    match &case.wrong {
        None => {
            if c.verdict != ClaimVerdict::Correct {
                return Some(format!("a right answer got {:?}: {}", c.verdict, c.message));
            }
            None
        }
        Some((kind, detail)) => {
            if c.verdict != ClaimVerdict::Incorrect {
                return Some(format!("a wrong answer got {:?}: {}", c.verdict, c.message));
            }
            if kind == "none" {
                return (!c.diagnosis.is_empty())
                    .then(|| format!("diagnosed {:?}, expected no diagnosis", c.diagnosis));
            }
            let Some(first) = c.diagnosis.first() else {
                return Some(format!("no diagnosis, expected {kind}: {}", c.message));
            };
            if kind_name(first.kind) != *kind {
                return Some(format!(
                    "diagnosed {} ({}), expected {kind}",
                    kind_name(first.kind),
                    first.message
                ));
            }
            let got = match first.kind {
                MistakeKind::Scaled | MistakeKind::Sign => first.factor.map(|f| f.to_string()),
                MistakeKind::NeedsSymmetric => first.symbol.clone(),
                MistakeKind::MissingTerm | MistakeKind::ExtraTerm => first.term.clone(),
                _ => None,
            };
            let same = |want: &str, got: &str| match (want.parse::<f64>(), got.parse::<f64>()) {
                (Ok(w), Ok(g)) => (w - g).abs() <= 1e-5 * w.abs().max(1.0),
                _ => want == got,
            };
            match (detail, got) {
                (Some(want), Some(got)) if !same(want, &got) => {
                    Some(format!("detail {got}, expected {want} ({})", first.message))
                }
                (Some(want), None) => Some(format!("no detail, expected {want}")),
                _ => None,
            }
        }
    }
}

#[test]
fn the_corpus_is_large_and_cited() {
    let cases = cases();
    let wrong = cases.iter().filter(|c| c.wrong.is_some()).count();
    let right = cases.len() - wrong;
    assert!(wrong >= 60, "only {wrong} wrong answers");
    assert!(right >= 60, "only {right} right answers");
    for c in &cases {
        assert!(!c.src.is_empty(), "line {}: no src", c.line);
    }
    // Every kind of the contract is in the corpus.
    for kind in [
        "transposed",
        "scaled",
        "sign",
        "needs-symmetric",
        "missing-term",
        "extra-term",
        "shape",
    ] {
        let n = cases
            .iter()
            .filter(|c| c.wrong.as_ref().is_some_and(|(k, _)| k == kind))
            .count();
        assert!(n >= 3, "only {n} cases of {kind}");
    }
}

/// Every wrong answer is incorrect with its diagnosis, every right one correct (and written
/// otherwise than matdiff's gradient): no false verdict, at two seeds.
#[test]
fn every_claim_gets_its_verdict_and_diagnosis() {
    let mut failures = Vec::new();
    let mut different = 0;
    let cases = cases();
    for case in &cases {
        for seed in [0, 7] {
            match run(case, seed) {
                Ok(c) => {
                    if let Some(p) = problem(case, &c) {
                        failures.push(format!(
                            "line {} seed {seed}: {} | {}: {p}",
                            case.line, case.f, case.claim
                        ));
                    } else if case.wrong.is_none() && seed == 0 && c.written_differently {
                        different += 1;
                    }
                }
                Err(e) => failures.push(format!(
                    "line {} seed {seed}: {} | {}: {e}",
                    case.line, case.f, case.claim
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} claims:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(
        different >= 60,
        "only {different} right answers are written otherwise than matdiff's"
    );
}

/// The gradients of the Cookbook and textbook corpora, as the books write them, are correct.
#[test]
fn book_gradients_are_accepted() {
    let mut failures = Vec::new();
    let entries: Vec<_> = corpus().into_iter().chain(textbook()).collect();
    for e in &entries {
        let case = Case {
            line: e.line,
            src: e.eq.clone(),
            f: e.f.clone(),
            decls: e.decls.clone(),
            wrt: Some(e.wrt.clone()),
            claim: e.grad.clone(),
            wrong: None,
        };
        match run(&case, 0) {
            Ok(c) if c.verdict == ClaimVerdict::Correct => {}
            Ok(c) => failures.push(format!("{}: {:?} {}", e.label(), c.verdict, c.message)),
            Err(m) => failures.push(format!("{}: {m}", e.label())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}
