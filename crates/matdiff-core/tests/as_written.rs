//! Inputs as other projects' tests and textbooks write them (`data/as_written.txt`), run without
//! declarations: each `derives` record derives with the author's reading of every symbol and its
//! gradient passes the numeric checks at two seeds; each `refused` record is refused with a diagnostic.

mod common;

use matdiff_core::{analyze, check, Analysis, CheckOptions, Input, Kind};

/// Seeds of the numeric checks.
const SEEDS: [u64; 2] = [0, 1];

/// One record of `data/as_written.txt`.
#[derive(Debug, Default)]
struct Record {
    f: String,
    wrt: Option<String>,
    source: String,
    /// `(name, kind)` pairs: the kind the author means for each symbol.
    reading: Vec<(String, Kind)>,
    /// `None` for `derives`, the reason for `refused (…)`.
    refused: Option<String>,
    /// A known misreading: the engine's reading where it is not the author's (`engine-reading:`).
    engine_reading: Vec<(String, Kind)>,
    /// Why the numeric check is known to be undecided at every seed (`check: undecided (why)`).
    undecided: Option<String>,
    line: usize,
}

impl Record {
    fn label(&self) -> String {
        let wrt = self
            .wrt
            .as_deref()
            .map_or(String::new(), |w| format!(" (wrt {w})"));
        format!("{}{wrt}  [{}; line {}]", self.f, self.source, self.line)
    }
}

fn kind(word: &str, line: usize) -> Kind {
    match word {
        "scalar" => Kind::Scalar,
        "vector" => Kind::Vector,
        "matrix" => Kind::Matrix,
        other => panic!("line {line}: unknown kind `{other}`"),
    }
}

/// `name: kind, …` pairs.
fn reading(value: &str, line: usize) -> Vec<(String, Kind)> {
    value
        .split(',')
        .map(|pair| {
            let (name, k) = pair
                .split_once(':')
                .unwrap_or_else(|| panic!("line {line}: bad reading `{pair}`"));
            (name.trim().to_string(), kind(k.trim(), line))
        })
        .collect()
}

/// Records of `key: value` lines separated by blank lines, `#` lines skipped.
fn records() -> Vec<Record> {
    let text = include_str!("data/as_written.txt");
    common::blocks(text)
        .into_iter()
        .map(|fields| {
            let mut r = Record {
                line: fields[0].0,
                ..Record::default()
            };
            let mut has_expect = false;
            for (line, key, value) in fields {
                match key.as_str() {
                    "f" => r.f = value,
                    "wrt" => r.wrt = Some(value),
                    "source" => r.source = value,
                    "reading" => r.reading = reading(&value, line),
                    "engine-reading" => r.engine_reading = reading(&value, line),
                    "check" => {
                        let why = value
                            .strip_prefix("undecided")
                            .unwrap_or_else(|| panic!("line {line}: `check: undecided (why)`"));
                        r.undecided = Some(why.trim().to_string());
                    }
                    "expect" => {
                        has_expect = true;
                        if value == "derives" {
                            r.refused = None;
                        } else if let Some(why) = value.strip_prefix("refused") {
                            let why = why.trim().trim_start_matches('(').trim_end_matches(')');
                            assert!(!why.is_empty(), "line {line}: say why it is refused");
                            r.refused = Some(why.to_string());
                        } else {
                            panic!("line {line}: expect `derives` or `refused (why)`");
                        }
                    }
                    other => panic!("line {line}: unknown field `{other}`"),
                }
            }
            assert!(
                !r.f.is_empty() && !r.source.is_empty() && has_expect,
                "incomplete record at line {}",
                r.line
            );
            assert!(
                r.refused.is_some() || !r.reading.is_empty(),
                "line {}: a `derives` record needs a reading",
                r.line
            );
            r
        })
        .collect()
}

fn analysis(r: &Record) -> Analysis {
    analyze(&Input {
        expr: r.f.clone(),
        decls: String::new(),
        wrt: r.wrt.clone(),
    })
}

/// Everything a `derives` record must satisfy; `Err` says what failed.
fn check_derives(r: &Record, a: &Analysis) -> Result<(), String> {
    if a.derivation.is_none() || !a.diagnostics.is_empty() {
        let msgs: Vec<String> = a.diagnostics.iter().map(|d| d.message.clone()).collect();
        return Err(format!("no derivation: {}", msgs.join("; ")));
    }
    let symbols = a.symbols();
    let mut wrong = Vec::new();
    // The author's reading, but where a known misreading is recorded, the engine's.
    let mut want_reading = r.reading.clone();
    for (name, k) in &r.engine_reading {
        match want_reading.iter_mut().find(|(n, _)| n == name) {
            Some(slot) if slot.1 != *k => slot.1 = *k,
            _ => wrong.push(format!("engine-reading {name}: {k} is not a misreading")),
        }
    }
    for (name, want) in &want_reading {
        match symbols.iter().find(|s| &s.name == name) {
            Some(s) if s.kind == *want => {}
            Some(s) => wrong.push(format!(
                "{name} read as {}, the author means {want}",
                s.kind
            )),
            None => wrong.push(format!("no symbol {name}")),
        }
    }
    for s in symbols {
        if !r.reading.iter().any(|(n, _)| n == &s.name) {
            wrong.push(format!(
                "{} ({}) has no reading in the record",
                s.name, s.kind
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(wrong.join("; "));
    }
    let mut passed = 0;
    for seed in SEEDS {
        let report = check(
            a,
            &CheckOptions {
                sizes: Default::default(),
                seed,
            },
        )
        .map_err(|d| format!("check refused (seed {seed}): {}", d.message))?;
        if report.passed {
            passed += 1;
        } else if !report.undecidable {
            let d = a.derivation.as_ref().map_or("", |d| &d.gradient_text);
            return Err(format!(
                "numeric check failed (seed {seed}) for the gradient {d}: {:?}",
                report.message
            ));
        }
    }
    match (&r.undecided, passed) {
        (None, 0) => return Err("undecided at every seed".into()),
        (Some(_), p) if p > 0 => {
            return Err("recorded as undecided, but a seed passes: drop `check:`".into())
        }
        _ => {}
    }
    Ok(())
}

#[test]
fn corpus_is_large_and_cited() {
    let rs = records();
    assert!(rs.len() >= 150, "only {} records", rs.len());
    for r in &rs {
        assert!(r.source.len() >= 5, "no source cited: {}", r.label());
    }
}

#[test]
fn inputs_as_written_derive_with_the_authors_reading() {
    let rs = records();
    let mut failures = Vec::new();
    let mut derived = 0;
    for r in &rs {
        let a = analysis(r);
        derived += usize::from(a.derivation.is_some() && a.diagnostics.is_empty());
        match &r.refused {
            None => {
                if let Err(m) = check_derives(r, &a) {
                    failures.push(format!("{}\n    {m}", r.label()));
                }
            }
            Some(why) => {
                if a.diagnostics.is_empty() {
                    failures.push(format!(
                        "{}\n    expected refused ({why}), but it derives: {}",
                        r.label(),
                        a.derivation.as_ref().map_or("", |d| &d.gradient_text)
                    ));
                }
            }
        }
    }
    let expected = rs.iter().filter(|r| r.refused.is_none()).count();
    let misread = rs.iter().filter(|r| !r.engine_reading.is_empty()).count();
    let undecided = rs.iter().filter(|r| r.undecided.is_some()).count();
    eprintln!("as written: {derived} of {} derive", rs.len());
    eprintln!(
        "  {misread} with a reading that is not the author's, {undecided} undecided at every seed"
    );
    assert!(
        failures.is_empty(),
        "{} of {} records failed:\n{}",
        failures.len(),
        rs.len(),
        failures.join("\n")
    );
    assert!(
        derived >= expected,
        "{derived} derive, {expected} records expect a derivation"
    );
}

/// Where the engine's reading is not the author's and one symbol's kind, scalar for vector or
/// vector for scalar, stands between them, the page offers the author's reading
/// (`Analysis::other_readings`). The offers in all are counted.
#[test]
fn misreadings_of_one_symbol_are_offered() {
    let rs = records();
    let (mut offered, mut with_offer, mut offers) = (0, 0, 0);
    let mut failures = Vec::new();
    for r in rs.iter().filter(|r| r.refused.is_none()) {
        let a = analysis(r);
        with_offer += usize::from(!a.other_readings.is_empty());
        offers += a.other_readings.len();
        let [(name, engine)] = r.engine_reading.as_slice() else {
            continue;
        };
        let author = r.reading.iter().find(|(n, _)| n == name).map(|(_, k)| *k);
        let one_step = [Kind::Scalar, Kind::Vector];
        if !one_step.contains(engine) || !author.is_some_and(|k| one_step.contains(&k)) {
            continue;
        }
        let is_offered = a
            .other_readings
            .iter()
            .any(|o| &o.name == name && Some(o.other) == author);
        if is_offered {
            offered += 1;
        } else {
            failures.push(format!(
                "{}: {name} as {author:?} is not offered",
                r.label()
            ));
        }
    }
    eprintln!(
        "offers: {offers} in {with_offer} inputs; the author's reading offered for {offered} misreadings"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(offered > 0, "no misreading offered");
}
