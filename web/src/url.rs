//! Permalinks: the page's state in the URL query (`?f=…&wrt=…&decls=…&sizes=m=3,n=4&seed=7&layout=numerator`), pure.

use matdiff_core::layout::Layout;
use std::collections::BTreeMap;

/// The seed used when the URL gives none.
pub const DEFAULT_SEED: u64 = 1;

/// Everything a link reproduces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permalink {
    /// The expression (`f`).
    pub f: String,
    /// The variable (`wrt`); `None` lets the engine choose.
    pub wrt: Option<String>,
    /// Declarations (`decls`, also read from `let`).
    pub decls: String,
    /// Sizes of symbolic dimensions (`sizes=m=3,n=4`).
    pub sizes: BTreeMap<String, usize>,
    /// Seed of the random matrices (`seed`).
    pub seed: u64,
    /// `embed=1`: only the derivation and the check.
    pub embed: bool,
    /// `layout=numerator`: the result also in numerator layout, ∂f/∂X = (∇f)ᵀ.
    pub layout: Layout,
    /// `practice=1`: the derivation is practised step by step (see [`crate::practice`]).
    pub practice: bool,
    /// `hide=result`: the problem is shown, the derivation only once the learner asks.
    pub hide: bool,
    /// The learner's claimed gradient (`claim`), checked under the result.
    pub claim: String,
    /// `order=2`: the Hessian of a scalar f instead of its gradient.
    pub hessian: bool,
}

impl Default for Permalink {
    fn default() -> Self {
        Permalink {
            f: String::new(),
            wrt: None,
            decls: String::new(),
            sizes: BTreeMap::new(),
            seed: DEFAULT_SEED,
            embed: false,
            layout: Layout::Gradient,
            practice: false,
            hide: false,
            claim: String::new(),
            hessian: false,
        }
    }
}

/// Percent-encodes a query value, keeping the characters that read well and are safe in a query.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'~' | b'*' | b'\'' | b'(' | b')' | b',' | b':' | b'/' | b'!'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a query value: `+` is a space, `%XX` a byte; malformed escapes stay as they are.
pub fn decode_component(s: &str) -> String {
    decode_with(s, b' ')
}

/// Decodes the expression: a literal `+` is a plus, as in a hand-written `?f=tr(X)+tr(Y)` (the
/// page writes a space as `%20` and a plus as `%2B`, never `+`), unless the value was written by
/// a form encoder (an HTML form, `URLSearchParams`), which writes a space as `+`.
pub fn decode_expr(s: &str) -> String {
    decode_with(s, if form_encoded(s) { b' ' } else { b'+' })
}

/// Whether a raw query value reads as written by a form encoder, whose `+` are spaces: it has no
/// `%20` (a writer that escapes spaces so writes no `+` for them) and it has an escaped plus, or
/// an escaped character that a link typed by hand keeps as it is (`(`, `)`, `|`, `^`, `,`, …; a
/// browser itself escapes only `'`, `"`, `<`, `>` and spaces in a query).
fn form_encoded(s: &str) -> bool {
    let hex = |c: u8| (c as char).to_digit(16);
    let escaped = s.as_bytes().windows(3).filter_map(|w| match w {
        [b'%', h, l] => Some((hex(*h)? * 16 + hex(*l)?) as u8),
        _ => None,
    });
    let mut by_encoder = false;
    for c in escaped {
        match c {
            b' ' => return false,
            b'\'' | b'"' | b'<' | b'>' | b'%' | b'#' => {}
            c if c.is_ascii_punctuation() => by_encoder = true,
            _ => {}
        }
    }
    by_encoder
}

/// Decodes a query value, reading a literal `+` as `plus`.
fn decode_with(s: &str, plus: u8) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let hex = |c: u8| (c as char).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(plus);
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads `m=3,n=4` (spaces allowed); ignores items that are not `name=positive number`.
pub fn parse_sizes(s: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for item in s.split([',', ';']) {
        if let Some((name, value)) = item.split_once('=') {
            let name = name.trim();
            if let Ok(v) = value.trim().parse::<usize>() {
                if !name.is_empty() && v > 0 {
                    out.insert(name.to_string(), v);
                }
            }
        }
    }
    out
}

/// Writes sizes as `m=3,n=4`.
pub fn format_sizes(sizes: &BTreeMap<String, usize>) -> String {
    sizes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses a query string, with or without its leading `?`. Unknown keys are ignored.
pub fn decode(query: &str) -> Permalink {
    let mut p = Permalink::default();
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode_component(k);
        if key == "f" || key == "claim" {
            let v = decode_expr(v);
            if key == "f" {
                p.f = v;
            } else {
                p.claim = v;
            }
            continue;
        }
        let v = decode_component(v);
        match key.as_str() {
            "wrt" => p.wrt = Some(v.trim().to_string()).filter(|s| !s.is_empty()),
            "decls" | "let" => p.decls = v,
            "sizes" => p.sizes = parse_sizes(&v),
            "seed" => p.seed = v.trim().parse().unwrap_or(DEFAULT_SEED),
            "embed" => p.embed = matches!(v.as_str(), "1" | "true" | "yes" | ""),
            "layout" => p.layout = Layout::from_name(v.trim()).unwrap_or_default(),
            "practice" => p.practice = matches!(v.as_str(), "1" | "true" | "yes" | ""),
            "hide" => p.hide = v.trim() == "result",
            "order" => p.hessian = v.trim() == "2",
            _ => {}
        }
    }
    p
}

/// The query string (with its `?`) of a permalink; defaults are left out.
pub fn encode(p: &Permalink) -> String {
    let mut parts = vec![format!("f={}", encode_component(&p.f))];
    if let Some(w) = &p.wrt {
        parts.push(format!("wrt={}", encode_component(w)));
    }
    if !p.decls.trim().is_empty() {
        parts.push(format!("decls={}", encode_component(&p.decls)));
    }
    if !p.sizes.is_empty() {
        // `=` is safe inside a value: only the first `=` of a pair separates key and value.
        parts.push(format!(
            "sizes={}",
            encode_component(&format_sizes(&p.sizes)).replace("%3D", "=")
        ));
    }
    if p.seed != DEFAULT_SEED {
        parts.push(format!("seed={}", p.seed));
    }
    if p.layout != Layout::Gradient {
        parts.push(format!("layout={}", p.layout.name()));
    }
    if p.hessian {
        parts.push("order=2".to_string());
    }
    if p.practice {
        parts.push("practice=1".to_string());
    }
    if p.hide {
        parts.push("hide=result".to_string());
    }
    if p.embed {
        parts.push("embed=1".to_string());
    }
    if !p.claim.is_empty() {
        parts.push(format!("claim={}", encode_component(&p.claim)));
    }
    format!("?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Permalink {
        Permalink {
            f: "||A*x - b||^2 + lambda*||x||^2 & 50% #1 +ä".into(),
            wrt: Some("x".into()),
            decls: "b: vector m, S: spd n".into(),
            sizes: [("m".to_string(), 3), ("n".to_string(), 12)].into(),
            seed: 42,
            embed: true,
            layout: Layout::Numerator,
            practice: false,
            hide: false,
            claim: String::new(),
            hessian: true,
        }
    }

    #[test]
    fn round_trip() {
        let p = sample();
        assert_eq!(decode(&encode(&p)), p);
        let d = Permalink {
            f: "tr(A*X*B)".into(),
            ..Permalink::default()
        };
        assert_eq!(encode(&d), "?f=tr(A*X*B)");
        assert_eq!(decode(&encode(&d)), d);
        let c = Permalink {
            claim: "2*A'*(A*x - b) + x".into(),
            ..Permalink::default()
        };
        assert_eq!(encode(&c), "?f=&claim=2*A'*(A*x%20-%20b)%20%2B%20x");
        assert_eq!(decode(&encode(&c)), c);
        assert_eq!(decode("?f=x'*A*x&claim=2*A*x+A'*x").claim, "2*A*x+A'*x");
    }

    #[test]
    fn encoded_values_keep_query_delimiters_out() {
        let q = encode(&sample());
        let after = &q[1..];
        assert_eq!(after.matches('&').count(), 7, "{q}");
        assert!(q.contains("&layout=numerator&order=2&"), "{q}");
        assert!(!q.contains(' ') && !q.contains('#') && !q.contains('+') && !q.contains('|'));
        assert!(q.contains("sizes=m=3,n=12"), "{q}");
        assert!(q.contains("seed=42") && q.ends_with("embed=1"), "{q}");
    }

    #[test]
    fn decodes_what_browsers_write() {
        // URLSearchParams writes spaces as `+` and escapes `*`, `'` and `,`.
        let p = decode("?f=logdet%28X%27*X%29&wrt=X&let=X%3A+4x2&sizes=n%3D3%2Cm%3D5&seed=x");
        assert_eq!(p.f, "logdet(X'*X)");
        assert_eq!(p.wrt.as_deref(), Some("X"));
        assert_eq!(p.decls, "X: 4x2");
        assert_eq!(p.sizes, [("m".to_string(), 5), ("n".to_string(), 3)].into());
        assert_eq!(p.seed, DEFAULT_SEED);
        assert!(!p.embed);
    }

    #[test]
    fn a_literal_plus_in_the_expression_is_a_plus() {
        assert_eq!(decode("?f=tr(X)+tr(Y)").f, "tr(X)+tr(Y)");
        assert_eq!(decode("?f=a+b&wrt=a").f, "a+b");
        // Typed in the address bar, which escapes `'` and spaces only.
        assert_eq!(decode("?f=x%27*A*x+1").f, "x'*A*x+1");
        assert_eq!(decode("?f=x%27*A*x%20+%201").f, "x'*A*x + 1");
        assert_eq!(decode("?f=||x||^2+tr(X)").f, "||x||^2+tr(X)");
        // Written by a form encoder (URLSearchParams: pluses, parentheses, bars escaped): its
        // `+` are spaces.
        assert_eq!(decode("?f=x+%2B+y").f, "x + y");
        assert_eq!(decode("?f=x+%2b+y").f, "x + y");
        assert_eq!(decode("?f=%7C%7CA*x+-+b%7C%7C%5E2").f, "||A*x - b||^2");
        assert_eq!(decode("?f=tr%28A*X*B%29+-+x%27*x").f, "tr(A*X*B) - x'*x");
        // Elsewhere `+` stays a space.
        assert_eq!(decode("?f=x&decls=A:+3x4").decls, "A: 3x4");
        // What the page writes reads back whatever it has: spaces and pluses alike.
        for f in ["tr(X) + tr(Y)", "A x", "x'A x+1", "a +b", "+"] {
            let p = Permalink {
                f: f.into(),
                ..Permalink::default()
            };
            let q = encode(&p);
            assert!(!q.contains('+'), "{q}");
            assert_eq!(decode(&q), p, "{q}");
        }
    }

    #[test]
    fn practice_and_hidden_result_links_round_trip() {
        let p = decode("?f=tr(A*X*B)&practice=1&hide=result");
        assert!(p.practice && p.hide);
        assert_eq!(encode(&p), "?f=tr(A*X*B)&practice=1&hide=result");
        assert_eq!(decode(&encode(&p)), p);
        let q = decode("?f=x&hide=derivation&practice=0");
        assert!(!q.practice && !q.hide);
    }

    #[test]
    fn malformed_input_is_tolerated() {
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("%e2%88%87"), "∇");
        assert_eq!(decode_component("%ff"), "\u{fffd}");
        let p = decode("wrt=&embed&sizes=n=0,m=x,=3,k=2&&zz=1");
        assert_eq!(p.wrt, None);
        assert!(p.embed);
        assert_eq!(p.sizes, [("k".to_string(), 2)].into());
        assert_eq!(p.f, "");
        assert_eq!(decode("?f=x&layout=sideways").layout, Layout::Gradient);
        assert_eq!(decode("?f=x&layout=numerator").layout, Layout::Numerator);
    }
}
