//! The lexer: text → tokens with byte spans into the text, for the plain input language, its
//! Unicode forms (`λ`, `Xᵀ`, `X⁻¹`, `‖x‖²`, `−`, `⊙`) and LaTeX (any input with a backslash).
//!
//! In LaTeX, `{…}` groups are tokens only where they group (a font's braces, `\mathbf{X}`, are
//! not), the argument of `^`, `_` and `\frac` without braces is one character (`x^2y` is x²·y,
//! `\frac12` is 1/2), names stop at `_` and a subscript joins its name (`x_{1}` is `x_1`).

use super::latex::{self, Command};
use super::unicode::{self, Read};
use crate::diagnostic::{Diagnostic, Span};
use crate::greek;
use crate::syntax::{is_also_a_symbol, is_function_name};

/// A token of the expression language.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    DotStar,
    DotSlash,
    /// `⊗` or `\otimes`: the Kronecker product.
    Otimes,
    Caret,
    DotCaret,
    /// Postfix `'` (also `ᵀ`, `’`, `′`).
    Quote,
    /// `⊤` or `\top`: a postfix transpose, or the exponent of `^⊤`.
    Top,
    LParen,
    RParen,
    LBrace,
    RBrace,
    /// `||`, opening or closing a norm.
    Bars,
    /// LaTeX `|`: opening or closing an absolute value.
    Bar,
    Comma,
    /// `_`, only meaningful as a norm subscript (`||x||_2`).
    Underscore,
    /// `\frac`.
    Frac,
    /// `\mathbf{1}`, the vector of ones.
    Ones,
    /// Something already reported (an unknown LaTeX command), standing for an operand.
    Bad,
    Eof,
}

impl Tok {
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Num(x) => format!("number `{x}`"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Eof => "the end of the input".to_string(),
            t => format!("`{}`", t.text()),
        }
    }
    pub(super) fn text(&self) -> &'static str {
        match self {
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::DotStar => ".*",
            Tok::DotSlash => "./",
            Tok::Otimes => "⊗",
            Tok::Caret => "^",
            Tok::DotCaret => ".^",
            Tok::Quote => "'",
            Tok::Top => "⊤",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Bars => "||",
            Tok::Bar => "|",
            Tok::Comma => ",",
            Tok::Underscore => "_",
            Tok::Frac => r"\frac",
            Tok::Ones => r"\mathbf{1}",
            Tok::Num(_) | Tok::Ident(_) | Tok::Bad | Tok::Eof => "",
        }
    }
}

/// A token with its byte span.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Whether `src` is read as LaTeX: it has a backslash.
pub fn is_latex(src: &str) -> bool {
    src.contains('\\')
}

/// Splits `src` into tokens. Unknown characters are reported and skipped; the last token is [`Tok::Eof`].
pub fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lx = Lexer {
        src,
        i: 0,
        latex: is_latex(src),
        toks: Vec::new(),
        diags: Vec::new(),
        unknown: None,
        braces: Vec::new(),
        single: 0,
    };
    lx.run();
    lx.flush();
    for b in std::mem::take(&mut lx.braces) {
        if !b.shown {
            lx.diags.push(
                Diagnostic::new(
                    src.len()..src.len(),
                    "missing `}`: found the end of the input",
                )
                .with_label(b.open, "this `{` is not closed"),
            );
        }
    }
    lx.toks = scripts_in_order(lx.toks);
    if lx.latex {
        lx.toks = join_subscripts(src, lx.toks);
    }
    lx.toks.push(Token {
        tok: Tok::Eof,
        span: src.len()..src.len(),
    });
    (lx.toks, lx.diags)
}

/// An open LaTeX brace.
struct Brace {
    open: Span,
    /// Whether the parser sees it (a group), or it only delimits a font's argument.
    shown: bool,
    /// One-character arguments still expected after the group closes.
    single_after: usize,
}

struct Lexer<'a> {
    src: &'a str,
    i: usize,
    latex: bool,
    toks: Vec<Token>,
    diags: Vec<Diagnostic>,
    /// The pending run of unknown characters, reported as one diagnostic.
    unknown: Option<Span>,
    braces: Vec<Brace>,
    /// LaTeX: arguments of one character still expected (after `^`, `_`, `\frac`).
    single: usize,
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> u8 {
        self.src.as_bytes().get(k).copied().unwrap_or(0)
    }

    fn char_at(&self, k: usize) -> char {
        self.src
            .get(k..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{fffd}')
    }

    fn push(&mut self, tok: Tok, span: Span) {
        self.flush();
        if let Tok::Num(x) = tok {
            if !x.is_finite() {
                self.diags.push(
                    Diagnostic::new(span.clone(), "this number is too large")
                        .with_hint("numbers must be below about 1.8e308"),
                );
            }
        }
        self.single = self.single.saturating_sub(1);
        let arguments = match tok {
            Tok::Caret | Tok::DotCaret | Tok::Underscore if self.latex => 1,
            Tok::Frac => 2,
            _ => 0,
        };
        self.toks.push(Token { tok, span });
        self.single = self.single.max(arguments);
    }

    fn report(&mut self, d: Diagnostic) {
        self.flush();
        self.diags.push(d);
    }

    /// Reports the pending run of unknown characters.
    fn flush(&mut self) {
        let Some(sp) = self.unknown.take() else {
            return;
        };
        let text = self.src.get(sp.clone()).unwrap_or("");
        let count = text.chars().count();
        let mut message = format!("unexpected character{} `{text}`", plural(count));
        if !text.is_ascii() && !text.chars().any(crate::diagnostic::is_hidden) {
            let points: Vec<String> = text
                .chars()
                .map(|c| format!("U+{:04X}", u32::from(c)))
                .collect();
            message.push_str(&format!(" ({})", points.join(" ")));
        }
        let hint = if text.contains('|') {
            "norms are written ||x||, ||x||_1 or ||X||_F; the absolute value is abs(x)"
        } else {
            "the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms"
        };
        self.diags
            .push(Diagnostic::new(sp, message).with_hint(hint));
    }

    fn run(&mut self) {
        while self.i < self.src.len() {
            let c = self.at(self.i);
            let start = self.i;
            let one = |t: Tok| Some((t, 1));
            let tok: Option<(Tok, usize)> = match c {
                b' ' | b'\t' | b'\n' | b'\r' => {
                    self.i += 1;
                    continue;
                }
                b'\\' if self.latex => {
                    self.command();
                    continue;
                }
                b'{' if self.latex => {
                    self.open_brace(start..start + 1, true);
                    self.i += 1;
                    continue;
                }
                b'}' if self.latex => {
                    self.close_brace(start..start + 1);
                    self.i += 1;
                    continue;
                }
                b'~' if self.latex => {
                    self.i += 1;
                    continue;
                }
                b'[' if self.latex => one(Tok::LParen),
                b']' if self.latex => one(Tok::RParen),
                b'|' if self.latex && self.at(start + 1) != b'|' => one(Tok::Bar),
                b'0'..=b'9' if self.single > 0 => Some((Tok::Num(f64::from(c - b'0')), 1)),
                b'0'..=b'9' => Some(lex_number(self.src, start)),
                b'.' if self.at(start + 1).is_ascii_digit() => Some(lex_number(self.src, start)),
                b'.' if self.at(start + 1) == b'*' => Some((Tok::DotStar, 2)),
                b'.' if self.at(start + 1) == b'/' => Some((Tok::DotSlash, 2)),
                b'.' if self.at(start + 1) == b'^' => Some((Tok::DotCaret, 2)),
                b'a'..=b'z' | b'A'..=b'Z' => {
                    let mut j = start + 1;
                    if self.single == 0 {
                        while self.at(j).is_ascii_alphanumeric()
                            || (self.at(j) == b'_' && !self.latex)
                        {
                            j += 1;
                        }
                    }
                    Some((Tok::Ident(self.src[start..j].to_string()), j - start))
                }
                b'+' => one(Tok::Plus),
                b'-' => one(Tok::Minus),
                b'*' => one(Tok::Star),
                b'/' => one(Tok::Slash),
                b'^' => one(Tok::Caret),
                b'\'' => one(Tok::Quote),
                b'(' => one(Tok::LParen),
                b')' => one(Tok::RParen),
                b'{' => one(Tok::LBrace),
                b'}' => one(Tok::RBrace),
                b',' => one(Tok::Comma),
                b'_' => one(Tok::Underscore),
                b'|' if self.at(start + 1) == b'|' => Some((Tok::Bars, 2)),
                _ => {
                    self.other_char();
                    continue;
                }
            };
            if let Some((tok, len)) = tok {
                self.push(tok, start..start + len);
                self.i += len;
            }
        }
    }

    /// A character outside the ASCII tokens: Greek letters, superscripts and subscripts, the
    /// Unicode operators, whitespace, look-alikes with a hint, and unknown characters.
    fn other_char(&mut self) {
        let start = self.i;
        let ch = self.char_at(start);
        let len = ch.len_utf8();
        if let Some(g) = greek::by_char(ch) {
            // Digits and (outside LaTeX) `_` subscripts join the letter: `λ1`, `λ_k`.
            let mut j = start + len;
            if self.single == 0 {
                while self.at(j).is_ascii_digit() {
                    j += 1;
                }
                while !self.latex && self.at(j) == b'_' && self.at(j + 1).is_ascii_alphanumeric() {
                    j += 1;
                    while self.at(j).is_ascii_alphanumeric() {
                        j += 1;
                    }
                }
            }
            let name = format!("{}{}", g.name, &self.src[start + len..j]);
            self.push(Tok::Ident(name), start..j);
            self.i = j;
            return;
        }
        if unicode::superscript_digit(ch).is_some() || ch == '⁻' {
            self.superscript();
            return;
        }
        if unicode::subscript_digit(ch).is_some() {
            self.subscript();
            return;
        }
        match unicode::read(ch) {
            Some(Read::Tok(t)) => self.push(t, start..start + len),
            Some(Read::Hint(hint)) => {
                let d = Diagnostic::new(
                    start..start + len,
                    format!("unexpected character `{ch}` (U+{:04X})", u32::from(ch)),
                )
                .with_hint(hint);
                self.report(d);
            }
            None if ch.is_whitespace() => {}
            None => {
                self.unknown = Some(match self.unknown.take() {
                    Some(sp) if sp.end == start => sp.start..start + len,
                    previous => {
                        self.unknown = previous;
                        self.flush();
                        start..start + len
                    }
                });
            }
        }
        self.i = start + len;
    }

    /// A run of superscripts: `²` is `^2`, `⁻¹` is `^-1`, `⁻ᵀ` is `^-T`.
    fn superscript(&mut self) {
        let start = self.i;
        self.push(Tok::Caret, start..start);
        let mut j = start;
        loop {
            let ch = self.char_at(j);
            if ch == '⁻' {
                self.push(Tok::Minus, j..j + ch.len_utf8());
                j += ch.len_utf8();
                let next = self.char_at(j);
                if next == 'ᵀ' {
                    self.push(Tok::Ident("T".into()), j..j + next.len_utf8());
                    j += next.len_utf8();
                    break;
                }
                continue;
            }
            let digits_start = j;
            let mut value: f64 = 0.0;
            while let Some(d) = unicode::superscript_digit(self.char_at(j)) {
                value = value * 10.0 + f64::from(d);
                j += self.char_at(j).len_utf8();
            }
            if j > digits_start {
                self.push(Tok::Num(value), digits_start..j);
            }
            break;
        }
        self.i = j.max(start + 1);
    }

    /// A run of subscript digits: after a name it joins the name (`x₁` is `x_1`), after a norm
    /// it is the norm's subscript (`‖x‖₂`).
    fn subscript(&mut self) {
        let start = self.i;
        let mut j = start;
        let mut digits = String::new();
        while let Some(d) = unicode::subscript_digit(self.char_at(j)) {
            digits.push(char::from_digit(d, 10).unwrap_or('0'));
            j += self.char_at(j).len_utf8();
        }
        self.i = j.max(start + 1);
        let adjacent =
            self.unknown.is_none() && self.toks.last().is_some_and(|t| t.span.end == start);
        let after_superscript = self.after_norm_superscript();
        match self.toks.last_mut() {
            Some(Token {
                tok: Tok::Ident(name),
                span,
            }) if adjacent => {
                name.push('_');
                name.push_str(&digits);
                span.end = j;
            }
            Some(Token { tok: Tok::Bars, .. }) if adjacent => {
                self.push(Tok::Underscore, start..start);
                let value = digits.parse::<f64>().unwrap_or(f64::NAN);
                self.push(Tok::Num(value), start..j);
            }
            // `‖x‖²₂`: the subscript is moved before the power by `scripts_in_order`.
            Some(Token {
                tok: Tok::Num(_), ..
            }) if adjacent && after_superscript => {
                self.push(Tok::Underscore, start..start);
                let value = digits.parse::<f64>().unwrap_or(f64::NAN);
                self.push(Tok::Num(value), start..j);
            }
            _ => self.report(
                Diagnostic::new(start..j, "a subscript must follow a name or a norm")
                    .with_hint("write x₁ (or x_1) for a name, ‖x‖₂ for a norm"),
            ),
        }
    }

    /// Whether the last tokens are a superscript run (`²`, `⁻¹`) right after a norm's `‖`.
    fn after_norm_superscript(&self) -> bool {
        let mut k = self.toks.len();
        while k > 0 && matches!(self.toks[k - 1].tok, Tok::Num(_) | Tok::Minus) {
            k -= 1;
        }
        k >= 2
            && self.toks[k - 1].tok == Tok::Caret
            && self.toks[k - 1].span.is_empty()
            && self.toks[k - 2].tok == Tok::Bars
            && self.toks[k - 2].span.end == self.toks[k - 1].span.start
    }

    /// Reads the name of a LaTeX command at `self.i` (a backslash): letters, or one character.
    fn command_name(&self, at: usize) -> (String, usize) {
        let mut j = at + 1;
        if self.at(j).is_ascii_alphabetic() {
            while self.at(j).is_ascii_alphabetic() {
                j += 1;
            }
        } else if j < self.src.len() {
            j += self.char_at(j).len_utf8();
        }
        (self.src[at + 1..j].to_string(), j)
    }

    fn skip_spaces(&self, mut j: usize) -> usize {
        while self.at(j).is_ascii_whitespace() {
            j += 1;
        }
        j
    }

    /// A LaTeX command at `self.i`.
    fn command(&mut self) {
        let start = self.i;
        let (name, end) = self.command_name(start);
        self.i = end;
        if name.is_empty() {
            self.report(
                Diagnostic::new(start..end, "a backslash alone")
                    .with_hint(r"LaTeX commands are written like \frac, \cdot or \alpha"),
            );
            return;
        }
        match latex::command(&name) {
            Some(Command::Space) => {}
            Some(Command::Tok(t)) => self.push(t, start..end),
            Some(Command::Name(n)) => self.push(Tok::Ident(n.to_string()), start..end),
            Some(Command::Frac) => self.push(Tok::Frac, start..end),
            Some(Command::Font { bold }) => self.font(start, bold),
            Some(Command::Operatorname) => self.operatorname(start, &name),
            Some(Command::Sizing) => self.sizing(start, &name),
            Some(Command::Refused(hint)) => self.refuse(start, &name, hint),
            None => self.refuse(start, &name, latex::UNKNOWN_HINT),
        }
    }

    /// An unknown or refused command: reported, its brace arguments skipped, an operand left.
    fn refuse(&mut self, start: usize, name: &str, hint: &str) {
        let mut j = self.i;
        loop {
            let k = self.skip_spaces(j);
            if self.at(k) != b'{' {
                break;
            }
            j = self.skip_group(k);
        }
        self.i = j;
        let message = if hint == latex::UNKNOWN_HINT {
            format!("unknown LaTeX command `\\{name}`")
        } else {
            format!("the LaTeX command `\\{name}` is not read here")
        };
        let end = self.i;
        self.report(Diagnostic::new(start..start + 1 + name.len(), message).with_hint(hint));
        self.push(Tok::Bad, start..end);
    }

    /// The end of the balanced `{…}` group opening at `at`.
    fn skip_group(&self, at: usize) -> usize {
        let mut depth = 0usize;
        let mut j = at;
        while j < self.src.len() {
            match self.at(j) {
                b'\\' => j += 1,
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j + 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        self.src.len()
    }

    /// A font command (`\mathbf`): its braces are not a group; `\mathbf{1}` is the vector of ones.
    fn font(&mut self, start: usize, bold: bool) {
        let k = self.skip_spaces(self.i);
        if self.at(k) != b'{' {
            return;
        }
        let inner = self.skip_spaces(k + 1);
        if bold && self.at(inner) == b'1' {
            let close = self.skip_spaces(inner + 1);
            if self.at(close) == b'}' {
                self.push(Tok::Ones, start..close + 1);
                self.i = close + 1;
                return;
            }
        }
        self.open_brace(k..k + 1, false);
        self.i = k + 1;
    }

    /// `\operatorname{name}`: the function `name`.
    fn operatorname(&mut self, start: usize, command: &str) {
        let k = self.skip_spaces(self.i);
        let k = if self.at(k) == b'*' {
            self.skip_spaces(k + 1)
        } else {
            k
        };
        if self.at(k) != b'{' {
            self.report(
                Diagnostic::new(
                    start..self.i,
                    format!(r"`\{command}` needs a name in braces"),
                )
                .with_hint(r"write it like \operatorname{Tr}(X)"),
            );
            self.push(Tok::Bad, start..self.i);
            return;
        }
        let end = self.skip_group(k);
        // Without its closing brace (an unclosed group runs to the end of the input).
        let inner_end = if self.at(end.saturating_sub(1)) == b'}' && end > k + 1 {
            end - 1
        } else {
            end
        };
        let inner = self.src.get(k + 1..inner_end).unwrap_or("").trim();
        let name: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
        self.i = end;
        if is_function_name(&name) {
            self.push(Tok::Ident(name), start..end);
        } else {
            self.report(
                Diagnostic::new(start..end, format!(r"unknown function `\{command}{{{name}}}`"))
                    .with_hint(
                        r"the functions are tr, det, logdet, inv, adj, sum, diag, the norms and the elementwise functions (exp, log, sqrt, …): \operatorname{Tr}, \operatorname{diag}",
                    ),
            );
            self.push(Tok::Bad, start..end);
        }
    }

    /// `\left(`, `\right\|`, `\bigl[`: the delimiter as its token (`\left.` is nothing).
    fn sizing(&mut self, start: usize, command: &str) {
        let k = self.skip_spaces(self.i);
        let (tok, end) = match self.at(k) {
            b'(' | b'[' => (Some(Tok::LParen), k + 1),
            b')' | b']' => (Some(Tok::RParen), k + 1),
            b'|' => (Some(Tok::Bar), k + 1),
            b'.' => (None, k + 1),
            b'\\' => {
                let (name, end) = self.command_name(k);
                match name.as_str() {
                    "|" | "Vert" | "lVert" | "rVert" => (Some(Tok::Bars), end),
                    "vert" | "lvert" | "rvert" => (Some(Tok::Bar), end),
                    "{" | "lbrace" => (Some(Tok::LParen), end),
                    "}" | "rbrace" => (Some(Tok::RParen), end),
                    _ => {
                        self.report(self.no_delimiter(start, command));
                        return;
                    }
                }
            }
            _ => {
                self.report(self.no_delimiter(start, command));
                return;
            }
        };
        self.i = end;
        if let Some(t) = tok {
            self.push(t, start..end);
        }
    }

    fn no_delimiter(&self, start: usize, command: &str) -> Diagnostic {
        Diagnostic::new(
            start..self.i,
            format!(r"`\{command}` must be followed by a delimiter"),
        )
        .with_hint(r"write \left( … \right), \left\| … \right\| or \left| … \right|")
    }

    fn open_brace(&mut self, open: Span, shown: bool) {
        let single_after = self.single.saturating_sub(1);
        if shown {
            self.push(Tok::LBrace, open.clone());
        } else {
            self.flush();
        }
        self.single = 0;
        self.braces.push(Brace {
            open,
            shown,
            single_after,
        });
    }

    fn close_brace(&mut self, span: Span) {
        match self.braces.pop() {
            Some(b) => {
                if b.shown {
                    self.push(Tok::RBrace, span);
                } else {
                    self.flush();
                }
                self.single = b.single_after;
            }
            None => self.push(Tok::RBrace, span),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A power written before the subscript of a norm or a name (`\|x\|^2_2`, `‖x‖²₂`, `x^2_1`)
/// is moved after it, as if written `\|x\|_2^2`: LaTeX takes the two in either order.
fn scripts_in_order(mut toks: Vec<Token>) -> Vec<Token> {
    // The index after the argument of a script starting at `p`: a `{…}` group, a signed
    // number or name, or one token.
    let arg_end = |toks: &[Token], p: usize| -> Option<usize> {
        match toks.get(p)?.tok {
            Tok::LBrace => {
                let mut depth = 0usize;
                for (k, t) in toks.iter().enumerate().skip(p) {
                    match t.tok {
                        Tok::LBrace => depth += 1,
                        Tok::RBrace => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(k + 1);
                            }
                        }
                        _ => {}
                    }
                }
                None
            }
            Tok::Minus | Tok::Plus => {
                matches!(toks.get(p + 1)?.tok, Tok::Num(_) | Tok::Ident(_)).then_some(p + 2)
            }
            Tok::Eof => None,
            _ => Some(p + 1),
        }
    };
    let mut i = 0;
    while i + 1 < toks.len() {
        let scripted = matches!(toks[i].tok, Tok::Bars | Tok::Ident(_));
        if scripted && toks[i + 1].tok == Tok::Caret {
            if let Some(j) = arg_end(&toks, i + 2) {
                if toks.get(j).map(|t| &t.tok) == Some(&Tok::Underscore) {
                    if let Some(k) = arg_end(&toks, j + 1) {
                        // [i+1, j) is `^ a`, [j, k) is `_ b`: swap them.
                        toks[i + 1..k].rotate_left(j - (i + 1));
                        i = k;
                        continue;
                    }
                }
            }
        }
        i += 1;
    }
    toks
}

/// LaTeX: a name followed by a subscript is one name (`x_1`, `x_{ij}`, `\lambda_{k}`,
/// `\mathbf{x}_{1,2}` is `x_1_2`, as the printer writes `x_1_2`).
fn join_subscripts(src: &str, toks: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(toks.len());
    let mut k = 0;
    while k < toks.len() {
        let t = &toks[k];
        if let Tok::Ident(name) = &t.tok {
            if (!is_function_name(name) || is_also_a_symbol(name))
                && toks.get(k + 1).map(|t| &t.tok) == Some(&Tok::Underscore)
            {
                if let Some((sub, next)) = subscript(src, &toks, k + 2) {
                    let end = toks[next - 1].span.end;
                    out.push(Token {
                        tok: Tok::Ident(format!("{name}_{sub}")),
                        span: t.span.start..end,
                    });
                    k = next;
                    continue;
                }
            }
        }
        out.push(t.clone());
        k += 1;
    }
    out
}

/// The subscript starting at token `k` (a name, digits, or a `{…}` group of them, commas read
/// as `_`) and the index of the token after it.
fn subscript(src: &str, toks: &[Token], k: usize) -> Option<(String, usize)> {
    let part = |t: &Token| match &t.tok {
        Tok::Ident(s) => Some(s.clone()),
        Tok::Num(_) => src
            .get(t.span.clone())
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string),
        _ => None,
    };
    let first = toks.get(k)?;
    if first.tok != Tok::LBrace {
        return Some((part(first)?, k + 1));
    }
    let mut sub = String::new();
    let mut j = k + 1;
    loop {
        let t = toks.get(j)?;
        match &t.tok {
            Tok::RBrace if !sub.is_empty() && !sub.ends_with('_') => return Some((sub, j + 1)),
            Tok::Comma if !sub.is_empty() && !sub.ends_with('_') => sub.push('_'),
            _ => sub.push_str(&part(t)?),
        }
        j += 1;
    }
}

/// Lexes a number at `i`: `2`, `2.5`, `.5`, `2.`, `1e-3`. An `e` not followed by exponent
/// digits is left for the next token (`2e` is 2 then `e`).
fn lex_number(src: &str, i: usize) -> (Tok, usize) {
    let bytes = src.as_bytes();
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let mut j = i;
    while at(j).is_ascii_digit() {
        j += 1;
    }
    if at(j) == b'.' && !matches!(at(j + 1), b'*' | b'/' | b'^') {
        j += 1;
        while at(j).is_ascii_digit() {
            j += 1;
        }
    }
    if matches!(at(j), b'e' | b'E') {
        let k = if matches!(at(j + 1), b'+' | b'-') {
            j + 2
        } else {
            j + 1
        };
        if at(k).is_ascii_digit() {
            j = k;
            while at(j).is_ascii_digit() {
                j += 1;
            }
        }
    }
    let value = src
        .get(i..j)
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    (Tok::Num(value), j - i)
}
