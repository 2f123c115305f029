//! Values of the symbols from JSON (for `matdiff grad --at values.json`), with shapes from the values.

use super::{Sizes, Values, MAX_SIZE};
use crate::diagnostic::{Diagnostic, Source};
use crate::expr::{Dim, Kind, Symbol, SymbolTable};
use nalgebra::DMatrix;
use serde_json::Value;
use std::collections::BTreeMap;

type M = DMatrix<f64>;

const EXAMPLE: &str = r#"{"A": [[1, 2], [3, 4]], "x": [1, 2], "a": 0.5}"#;

fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(0..0, message).in_source(Source::Other)
}

fn how_to_write(kind: Kind) -> &'static str {
    match kind {
        Kind::Scalar => "give it as a number, like 0.5",
        Kind::Vector => "give it as a flat array of numbers, like [1, 2, 3]",
        Kind::Matrix => "give it as an array of rows, like [[1, 2], [3, 4]]",
    }
}

fn what_json(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_form(sym: &Symbol, found: &str) -> Diagnostic {
    error(format!(
        "`{}` is a {}, but its value is {found}",
        sym.name, sym.kind
    ))
    .with_hint(how_to_write(sym.kind))
}

/// One finite number; `place` says where it is ("entry 2 of `x`").
fn number(v: &Value, place: impl Fn() -> String) -> Result<f64, Diagnostic> {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(error(format!("{} is not a finite number", place()))),
        },
        other => Err(
            error(format!("{} is {}, not a number", place(), what_json(other)))
                .with_hint("values are plain JSON numbers; NaN and infinities are not allowed"),
        ),
    }
}

/// The matrix a JSON value gives for `sym`, in the form its kind asks for.
fn matrix(sym: &Symbol, v: &Value) -> Result<M, Diagnostic> {
    let name = &sym.name;
    match (sym.kind, v) {
        (Kind::Scalar, Value::Number(_)) => {
            Ok(M::from_element(1, 1, number(v, || format!("`{name}`"))?))
        }
        (_, Value::Number(_)) => Err(wrong_form(sym, "a number")),
        (Kind::Scalar, Value::Array(_)) => Err(wrong_form(sym, "an array")),
        (_, Value::Array(items)) if items.is_empty() => {
            Err(error(format!("the value of `{name}` is an empty array"))
                .with_hint(how_to_write(sym.kind)))
        }
        (Kind::Vector, Value::Array(items)) => {
            // A column written as rows of one entry (`[[1], [2]]`, an n×1 matrix) is a vector.
            let column: Option<Vec<&Value>> = items
                .iter()
                .map(|r| match r.as_array().map(Vec::as_slice) {
                    Some([x]) => Some(x),
                    _ => None,
                })
                .collect();
            let entries: Vec<&Value> = match column {
                Some(c) => c,
                None if items.iter().any(Value::is_array) => {
                    return Err(wrong_form(sym, "an array of rows"));
                }
                None => items.iter().collect(),
            };
            let xs = entries
                .iter()
                .enumerate()
                .map(|(i, x)| number(x, || format!("entry {} of `{name}`", i + 1)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(M::from_vec(xs.len(), 1, xs))
        }
        (Kind::Matrix, Value::Array(items)) => {
            if !items.iter().all(Value::is_array) {
                return Err(wrong_form(sym, "not an array of rows"));
            }
            let mut cols = None;
            let mut entries = Vec::new();
            for (i, row) in items.iter().enumerate() {
                let row = row.as_array().map_or(&[][..], Vec::as_slice);
                match cols {
                    None => cols = Some(row.len()),
                    Some(c) if c != row.len() => {
                        return Err(error(format!(
                            "row {} of `{name}` has {} entries but row 1 has {c}",
                            i + 1,
                            row.len()
                        ))
                        .with_hint("every row of a matrix has the same number of entries"));
                    }
                    Some(_) => {}
                }
                for (j, x) in row.iter().enumerate() {
                    entries.push(number(x, || {
                        format!("entry {} of row {} of `{name}`", j + 1, i + 1)
                    })?);
                }
            }
            let cols = cols.unwrap_or(0);
            if cols == 0 {
                return Err(error(format!("the rows of `{name}` are empty"))
                    .with_hint(how_to_write(sym.kind)));
            }
            Ok(M::from_row_slice(items.len(), cols, &entries))
        }
        (_, other) => Err(wrong_form(sym, what_json(other))),
    }
}

/// Where a dimension's size came from, for messages: "`A` has 3 columns".
struct Origin {
    size: usize,
    said: String,
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Binds the dimensions of `sym` to the shape of `m`, checking fixed sizes and earlier bindings.
fn bind(sym: &Symbol, m: &M, bound: &mut BTreeMap<String, Origin>) -> Result<(), Diagnostic> {
    let name = &sym.name;
    let rows_word = if sym.kind == Kind::Vector {
        ("entry", "entries")
    } else {
        ("row", "rows")
    };
    for (dim, size, (one, many)) in [
        (&sym.shape.rows, m.nrows(), rows_word),
        (&sym.shape.cols, m.ncols(), ("column", "columns")),
    ] {
        let said = format!("`{name}` has {}", count(size, one, many));
        if size > MAX_SIZE {
            return Err(error(format!("{said}; sizes go up to {MAX_SIZE}")));
        }
        match dim {
            Dim::One if size != 1 => {
                return Err(error(format!("{said} but it must have 1 {one}"))
                    .with_hint(how_to_write(sym.kind)));
            }
            Dim::Num(n) if size != *n => {
                return Err(error(format!("{said} but it is declared {}", sym.shape))
                    .with_hint(format!("give `{name}` a value of shape {}", sym.shape)));
            }
            Dim::Name(d) => match bound.get(&**d) {
                Some(o) if o.size != size => {
                    return Err(error(format!(
                        "conflicting sizes for the dimension {d}: {} but {said}",
                        o.said
                    ))
                    .with_hint(format!(
                        "both are {d} in the expression, so they must be equal"
                    )));
                }
                Some(_) => {}
                None => {
                    bound.insert(d.to_string(), Origin { size, said });
                }
            },
            _ => {}
        }
    }
    Ok(())
}

/// Checks declared symmetry and positive definiteness of a value.
fn properties(sym: &Symbol, m: &M) -> Result<(), Diagnostic> {
    let name = &sym.name;
    if sym.symmetric || sym.spd {
        let tol = 1e-9 * m.amax().max(1.0);
        if !m.is_square() || (m - m.transpose()).amax() > tol {
            let what = if sym.spd { "spd" } else { "symmetric" };
            return Err(error(format!(
                "`{name}` is declared {what} but its value is not symmetric"
            )));
        }
    }
    if sym.spd && ((m + m.transpose()) * 0.5).cholesky().is_none() {
        return Err(error(format!(
            "`{name}` is declared spd but its value is not positive definite"
        )));
    }
    Ok(())
}

/// The first key that appears twice in the top-level object of `json` (valid JSON assumed).
fn duplicate_key(json: &str) -> Option<String> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut m: A,
        ) -> Result<Self::Value, A::Error> {
            let mut seen = std::collections::BTreeSet::new();
            let mut dup = None;
            while let Some(k) = m.next_key::<String>()? {
                m.next_value::<serde::de::IgnoredAny>()?;
                if !seen.insert(k.clone()) && dup.is_none() {
                    dup = Some(k);
                }
            }
            Ok(dup)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    serde::Deserializer::deserialize_map(&mut de, Keys)
        .ok()
        .flatten()
}

/// Reads the values of the symbols of `table` from JSON.
///
/// Each symbol maps to a number (scalar), a flat array (column vector) or an array of rows
/// (matrix, row-major). The sizes of the symbolic dimensions come from the values, which
/// must agree with each other and with declared sizes and properties. Malformed JSON,
/// unknown or missing symbols, values of the wrong form, ragged rows and non-numeric
/// entries are each reported as a [`Diagnostic`] (source [`Source::Other`]).
pub fn values_from_json(json: &str, table: &SymbolTable) -> Result<(Values, Sizes), Diagnostic> {
    let names: Vec<&str> = table.symbols.iter().map(|s| s.name.as_str()).collect();
    let listing = || format!("the expression's symbols are {}", names.join(", "));
    let value: Value = serde_json::from_str(json).map_err(|e| {
        let text = e.to_string();
        let bare = |w: &str| {
            json.match_indices(w)
                .any(|(i, _)| !json[..i].ends_with(|c: char| c.is_alphanumeric() || c == '"'))
        };
        let hint = if text.starts_with("number out of range") {
            "a number is too large for a 64-bit float (it would be infinite): values must be finite"
                .to_string()
        } else if ["NaN", "Infinity", "inf", "nan"].iter().any(|w| bare(w)) {
            "NaN and infinities are not JSON numbers, and values must be finite".to_string()
        } else {
            format!("expected an object like {EXAMPLE}")
        };
        error(format!("the values are not valid JSON: {text}")).with_hint(hint)
    })?;
    // Duplicate keys would silently keep the last value.
    if let Some(name) = duplicate_key(json) {
        return Err(error(format!("`{name}` is given twice in the values"))
            .with_hint("give each symbol one value"));
    }
    let Value::Object(map) = value else {
        return Err(error(format!(
            "the values must be a JSON object, not {}",
            what_json(&value)
        ))
        .with_hint(format!("map each symbol to its value, like {EXAMPLE}")));
    };
    // A Greek character is the letter's name: the key `λ` is the symbol `lambda`.
    let mut spelled = serde_json::Map::new();
    for (key, v) in map {
        let name = crate::greek::spelled(&key);
        if spelled.contains_key(&name) {
            return Err(error(format!("`{name}` is given twice in the values"))
                .with_hint(format!("`{key}` is `{name}`: give each symbol one value")));
        }
        spelled.insert(name, v);
    }
    let map = spelled;
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| table.get(k).is_none())
        .collect();
    if !unknown.is_empty() {
        let list = unknown
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let s = if unknown.len() == 1 { "" } else { "s" };
        return Err(error(format!("unknown symbol{s} {list} in the values"))
            .with_hint(format!("{}; remove the others", listing())));
    }
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !map.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(error(format!("no value for {list}"))
            .with_hint(format!("{}; each needs a value", listing())));
    }
    let mut values = Values::new();
    let mut bound: BTreeMap<String, Origin> = BTreeMap::new();
    for sym in &table.symbols {
        let Some(v) = map.get(&sym.name) else {
            continue;
        };
        let m = matrix(sym, v)?;
        bind(sym, &m, &mut bound)?;
        properties(sym, &m)?;
        values.insert(sym.name.clone(), m);
    }
    let sizes = bound.into_iter().map(|(k, o)| (k, o.size)).collect();
    Ok((values, sizes))
}

/// Declarations of the kinds that the values give (`{"a": [1, 2]}`: `a: vector`), for the
/// symbols that `decls_src` does not declare, so that a value decides a symbol's kind before its
/// letter or its context do; sizes are left to inference and then bound by the values. A number
/// is a scalar, a flat array a column vector, an array of rows a matrix (of one column: a column
/// vector). Values that are none of these, or names that are not plain names, get no
/// declaration: [`values_from_json`] reports them. A value whose kind contradicts a declaration
/// is an error naming both.
pub fn decls_from_values(json: &str, decls_src: &str) -> Result<String, Diagnostic> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else {
        return Ok(String::new());
    };
    let (declared, _) = crate::decls::parse_decls(decls_src);
    let mut out: Vec<String> = Vec::new();
    for (name, v) in &map {
        let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let Some(kind) = kind_of_value(v).filter(|_| plain) else {
            continue;
        };
        match declared.iter().find(|d| d.name == *name) {
            Some(d) if d.kind != kind && !(d.kind == Kind::Matrix && kind == Kind::Vector) => {
                return Err(error(format!(
                    "`{name}` is declared a {} (--let), but its value is a {kind}",
                    d.kind
                ))
                .with_hint(format!(
                    "{}, or change the declaration to `{name}: {kind}`",
                    how_to_write(d.kind)
                )));
            }
            Some(_) => {}
            None => out.push(format!("{name}: {kind}")),
        }
    }
    Ok(out.join(", "))
}

/// The symbols with the origin [`crate::expr::Origin::Value`] for those `from_values` (what
/// [`decls_from_values`] returned) declares: their kind came from their value.
#[must_use]
pub fn with_value_origins(symbols: &[Symbol], from_values: &str) -> Vec<Symbol> {
    let (by_value, _) = crate::decls::parse_decls(from_values);
    symbols
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if s.origin == crate::expr::Origin::Declared
                && by_value.iter().any(|d| d.name == s.name)
            {
                s.origin = crate::expr::Origin::Value;
            }
            s
        })
        .collect()
}

/// The kind a value has: a number a scalar, a flat array a column vector, an array of rows a
/// matrix, of one column a column vector; `None` for anything else.
fn kind_of_value(v: &Value) -> Option<Kind> {
    let width = |r: &Value| r.as_array().map(Vec::len);
    match v {
        Value::Number(_) => Some(Kind::Scalar),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_number) => {
            Some(Kind::Vector)
        }
        Value::Array(rows) if !rows.is_empty() => match width(&rows[0]) {
            Some(1) if rows.iter().all(|r| width(r) == Some(1)) => Some(Kind::Vector),
            Some(c) if c > 0 && rows.iter().all(|r| width(r) == Some(c)) => Some(Kind::Matrix),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::testutil::*;
    use expect_test::{expect, Expect};

    fn symbols() -> SymbolTable {
        let mut s = symbol("S", "n", "n");
        s.symmetric = true;
        let mut p = symbol("P", "2", "2");
        p.spd = true;
        p.symmetric = true;
        table(vec![
            symbol("A", "m", "n"),
            symbol("x", "n", "1"),
            symbol("a", "1", "1"),
            s,
            p,
        ])
    }

    const GOOD: &str = r#"{"A": [[1, 2, 3], [4, 5, 6]], "x": [1, -2, 0.5], "a": 2,
        "S": [[1, 2, 3], [2, 1, 0], [3, 0, 1]], "P": [[2, 1], [1, 2]]}"#;

    fn check(json: &str, expect: Expect) {
        let out = match values_from_json(json, &symbols()) {
            Ok((values, sizes)) => {
                let mut out: String = sizes.iter().map(|(k, v)| format!("{k}={v} ")).collect();
                for (k, v) in &values {
                    out.push_str(&format!("{k}={} ", show(v)));
                }
                out
            }
            Err(d) => {
                assert_eq!(d.source, Source::Other);
                let hint = d.hint.map(|h| format!(" (hint: {h})")).unwrap_or_default();
                format!("error: {}{hint}", d.message)
            }
        };
        expect.assert_eq(out.trim_end());
    }

    /// `GOOD` with the value of one symbol replaced.
    fn with(name: &str, value: &str) -> String {
        let mut v: serde_json::Map<String, Value> = serde_json::from_str(GOOD).unwrap();
        v.insert(name.to_string(), serde_json::from_str(value).unwrap());
        Value::Object(v).to_string()
    }

    #[test]
    fn good_values() {
        check(
            GOOD,
            expect!["m=2 n=3 A=[1 2 3; 4 5 6] P=[2 1; 1 2] S=[1 2 3; 2 1 0; 3 0 1] a=[2] x=[1; -2; 0.5]"],
        );
    }

    /// A key may be a Greek character: `λ` is `lambda`; given both ways it is given twice.
    #[test]
    fn greek_keys_are_the_letters_names() {
        let t = table(vec![
            symbol("lambda_1", "1", "1"),
            symbol("Sigma", "n", "n"),
        ]);
        let shown = |json: &str| match values_from_json(json, &t) {
            Ok((values, sizes)) => format!("{sizes:?} {:?}", values.keys().collect::<Vec<_>>()),
            Err(d) => format!(
                "error: {} (hint: {})",
                d.message,
                d.hint.unwrap_or_default()
            ),
        };
        expect![[r#"{"n": 2} ["Sigma", "lambda_1"]"#]]
            .assert_eq(&shown(r#"{"λ_1": 2, "Σ": [[1, 0], [0, 1]]}"#));
        expect!["error: `lambda_1` is given twice in the values (hint: `λ_1` is `lambda_1`: give each symbol one value)"].assert_eq(&shown(r#"{"lambda_1": 2, "λ_1": 3, "Sigma": [[1]]}"#));
    }

    #[test]
    fn malformed_json() {
        check(
            "{\"A\": [[1, 2], [3, 4]],\n \"x\": [1 2]}",
            expect![[
                r#"error: the values are not valid JSON: expected `,` or `]` at line 2 column 10 (hint: expected an object like {"A": [[1, 2], [3, 4]], "x": [1, 2], "a": 0.5})"#
            ]],
        );
        check(
            "",
            expect![[
                r#"error: the values are not valid JSON: EOF while parsing a value at line 1 column 0 (hint: expected an object like {"A": [[1, 2], [3, 4]], "x": [1, 2], "a": 0.5})"#
            ]],
        );
        check(
            "{\"a\": NaN}",
            expect!["error: the values are not valid JSON: expected value at line 1 column 7 (hint: NaN and infinities are not JSON numbers, and values must be finite)"],
        );
        check(
            "{\"a\": 1e400}",
            expect!["error: the values are not valid JSON: number out of range at line 1 column 11 (hint: a number is too large for a 64-bit float (it would be infinite): values must be finite)"],
        );
        check(
            "{\"a\": 1, \"a\": 2}",
            expect!["error: `a` is given twice in the values (hint: give each symbol one value)"],
        );
        check("{\"a\": -Infinity}", expect!["error: the values are not valid JSON: invalid number at line 1 column 8 (hint: NaN and infinities are not JSON numbers, and values must be finite)"]);
        check(
            "[1, 2]",
            expect![[
                r#"error: the values must be a JSON object, not an array (hint: map each symbol to its value, like {"A": [[1, 2], [3, 4]], "x": [1, 2], "a": 0.5})"#
            ]],
        );
    }

    #[test]
    fn unknown_and_missing_symbols() {
        check(&with("q", "1"), expect!["error: unknown symbol `q` in the values (hint: the expression's symbols are A, x, a, S, P; remove the others)"]);
        check(r#"{"A": [[1]], "x": [1]}"#, expect!["error: no value for `a`, `S`, `P` (hint: the expression's symbols are A, x, a, S, P; each needs a value)"]);
    }

    #[test]
    fn values_of_the_wrong_form() {
        check(&with("a", "[1]"), expect!["error: `a` is a scalar, but its value is an array (hint: give it as a number, like 0.5)"]);
        check(&with("x", "3"), expect!["error: `x` is a vector, but its value is a number (hint: give it as a flat array of numbers, like [1, 2, 3])"]);
        check(&with("x", "[[1, 2], [3, 4]]"), expect!["error: `x` is a vector, but its value is an array of rows (hint: give it as a flat array of numbers, like [1, 2, 3])"]);
        check(
            &with("x", "[[1], [2], [3]]"),
            expect![
                "m=2 n=3 A=[1 2 3; 4 5 6] P=[2 1; 1 2] S=[1 2 3; 2 1 0; 3 0 1] a=[2] x=[1; 2; 3]"
            ],
        );
        check(&with("A", "[1, 2, 3]"), expect!["error: `A` is a matrix, but its value is not an array of rows (hint: give it as an array of rows, like [[1, 2], [3, 4]])"]);
        check(&with("A", "[[1, 2, 3], [4, 5]]"), expect!["error: row 2 of `A` has 2 entries but row 1 has 3 (hint: every row of a matrix has the same number of entries)"]);
        check(&with("A", "[[], []]"), expect!["error: the rows of `A` are empty (hint: give it as an array of rows, like [[1, 2], [3, 4]])"]);
        check(&with("x", "[]"), expect!["error: the value of `x` is an empty array (hint: give it as a flat array of numbers, like [1, 2, 3])"]);
        check(&with("x", r#"[1, "2", 3]"#), expect!["error: entry 2 of `x` is a string, not a number (hint: values are plain JSON numbers; NaN and infinities are not allowed)"]);
        check(&with("A", "[[1, 2, 3], [4, null, 6]]"), expect!["error: entry 2 of row 2 of `A` is null, not a number (hint: values are plain JSON numbers; NaN and infinities are not allowed)"]);
        check(&with("a", r#""two""#), expect!["error: `a` is a scalar, but its value is a string (hint: give it as a number, like 0.5)"]);
        check(&with("a", r#"{"v": 1}"#), expect!["error: `a` is a scalar, but its value is an object (hint: give it as a number, like 0.5)"]);
    }

    #[test]
    fn sizes_must_agree() {
        check(&with("x", "[1, 2]"), expect!["error: conflicting sizes for the dimension n: `A` has 3 columns but `x` has 2 entries (hint: both are n in the expression, so they must be equal)"]);
        check(&with("S", "[[1, 2], [2, 1]]"), expect!["error: conflicting sizes for the dimension n: `A` has 3 columns but `S` has 2 rows (hint: both are n in the expression, so they must be equal)"]);
        check(&with("P", "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]"), expect!["error: `P` has 3 rows but it is declared matrix 2×2 (hint: give `P` a value of shape matrix 2×2)"]);
    }

    #[test]
    fn declared_properties_are_checked() {
        check(
            &with("S", "[[1, 2, 3], [2, 1, 0], [3, 1, 1]]"),
            expect!["error: `S` is declared symmetric but its value is not symmetric"],
        );
        check(
            &with("P", "[[1, 2], [2, 1]]"),
            expect!["error: `P` is declared spd but its value is not positive definite"],
        );
    }

    #[test]
    fn kinds_from_values() {
        let decls = |json: &str, given: &str| match decls_from_values(json, given) {
            Ok(d) => d,
            Err(e) => format!("error: {}", e.message),
        };
        expect!["X: matrix, a: vector, b: scalar, c: vector"].assert_eq(&decls(
            r#"{"a": [1, 2], "b": 0.5, "c": [[1], [2]], "X": [[1, 2], [3, 4]]}"#,
            "",
        ));
        // Declared names keep their declaration; odd values and names are left to the checks.
        expect![["X: matrix"]].assert_eq(&decls(
            r#"{"a": [1, 2], "X": [[1, 2]], "e": null, "λ x": 1, "r": []}"#,
            "a: vector n",
        ));
        expect![["error: `a` is declared a scalar (--let), but its value is a vector"]]
            .assert_eq(&decls(r#"{"a": [1, 2]}"#, "a: scalar"));
        expect![[""]].assert_eq(&decls("not json", ""));
    }
}
