//! Lexer and Pratt parser of the expression language: text → [`Ast`] with byte spans, never failing.
//!
//! [`parse`] always returns; problems come back as [`Diagnostic`]s, and as much of the tree as
//! could be read. Precedence, low to high: `+ -`; `* / .* ./` and implicit multiplication
//! (left associative); unary minus; `^ .^` (right associative, so `-x^2` is `-(x^2)`); postfix `'`.
//!
//! The lexer ([`lex`], in `syntax/lex.rs`) also reads Unicode (`λ`, `Xᵀ`, `‖x‖²`, `⊙`) and, in
//! an input with a backslash, LaTeX (`\operatorname{Tr}`, `\frac{a}{b}`, `\mathbf{X}`), into the
//! same tokens; LaTeX adds `{…}` groups, `\frac`, `|x|` and `\mathbf{1}` to the parser.

use crate::diagnostic::{Diagnostic, Span};
use crate::expr::Func;
use std::fmt::Write as _;

/// Inputs longer than this many bytes are refused before lexing.
pub const MAX_INPUT_BYTES: usize = 4096;
/// Deepest nesting of parentheses, calls, norms and unary operators the parser accepts (an
/// exponent counts as 8 levels more, a call and a `\frac` as one more: what
/// they hold on the stack).
pub const MAX_NESTING: usize = 1000;
/// The levels of [`MAX_NESTING`] an exponent counts for, beyond its own parentheses.
const EXPONENT_NESTING: usize = 8;
/// At most this many diagnostics come back from one parse.
const MAX_DIAGNOSTICS: usize = 12;

mod latex;
mod lex;
mod unicode;

pub use lex::{is_latex, lex, Tok, Token};

// ---------------------------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------------------------

/// A node of the syntax tree, with the byte span of the text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    pub kind: AstKind,
    pub span: Span,
}

/// Binary operators. Operators of one level form one [`AstKind::Chain`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    HadMul,
    HadDiv,
    /// `⊗`, `\otimes`: the Kronecker product, `kron(a, b)`.
    Kron,
    /// Juxtaposition: `2x`, `A x`, `A(X+B)`.
    Implicit,
}

impl BinOp {
    /// Whether the operator is on the additive level (`+ -`) rather than the multiplicative one.
    pub fn is_additive(self) -> bool {
        matches!(self, BinOp::Add | BinOp::Sub)
    }
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::HadMul => ".*",
            BinOp::HadDiv => "./",
            BinOp::Kron => "⊗",
            BinOp::Implicit => "·",
        }
    }
}

/// The exponent of `^` or `.^`, folded to a constant at parse time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Exponent {
    Const(f64),
    /// `^T` / `^{T}`.
    Transpose,
    /// Not a numeric constant; a diagnostic was reported.
    Invalid,
}

/// Which norm `||·||` denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormSub {
    /// No subscript: Euclidean / Frobenius.
    Default,
    /// `_2`.
    Two,
    /// `_F`.
    Fro,
    /// `_1`.
    One,
}

/// One operator and operand of a [`AstKind::Chain`] after its first operand.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainLink {
    pub op: BinOp,
    /// The operator's span; for implicit multiplication the gap between the operands
    /// (empty when they touch, as in `2x`).
    pub op_span: Span,
    pub rhs: Ast,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AstKind {
    Num(f64),
    Ident(String),
    /// Unary minus.
    Neg {
        op: Span,
        arg: Box<Ast>,
    },
    /// Unary plus.
    Pos {
        op: Span,
        arg: Box<Ast>,
    },
    /// A left-associative run of operators of one level: `a + b - c`, `A*x ./ y`, `2 x`.
    Chain {
        first: Box<Ast>,
        rest: Vec<ChainLink>,
    },
    /// `base ^ exp` (or `.^` when `elementwise`).
    Pow {
        elementwise: bool,
        op: Span,
        base: Box<Ast>,
        exp: Exponent,
        exp_span: Span,
    },
    /// Postfix `'`.
    Transpose {
        op: Span,
        arg: Box<Ast>,
    },
    /// `name(args)`, or `name arg` without parentheses (`log det(X)`).
    Call {
        name: String,
        name_span: Span,
        args: Vec<Ast>,
        parens: bool,
    },
    /// `||arg||` with an optional subscript.
    Norm {
        sub: NormSub,
        arg: Box<Ast>,
    },
    Paren(Box<Ast>),
    /// A hole where an operand was missing; a diagnostic was reported.
    Error,
}

impl Ast {
    pub(crate) fn new(kind: AstKind, span: Span) -> Ast {
        let span = span.start..span.end.max(span.start);
        Ast { kind, span }
    }

    /// The node with surrounding parentheses removed.
    pub fn strip_parens(&self) -> &Ast {
        let mut a = self;
        while let AstKind::Paren(inner) = &a.kind {
            a = inner;
        }
        a
    }

    /// The direct children.
    pub fn children(&self) -> Vec<&Ast> {
        match &self.kind {
            AstKind::Num(_) | AstKind::Ident(_) | AstKind::Error => vec![],
            AstKind::Neg { arg, .. }
            | AstKind::Pos { arg, .. }
            | AstKind::Transpose { arg, .. }
            | AstKind::Norm { arg, .. }
            | AstKind::Paren(arg) => vec![arg],
            AstKind::Pow { base, .. } => vec![base],
            AstKind::Chain { first, rest } => {
                let mut v: Vec<&Ast> = vec![first];
                v.extend(rest.iter().map(|l| &l.rhs));
                v
            }
            AstKind::Call { args, .. } => args.iter().collect(),
        }
    }

    /// The direct children, to change in place (in the order of [`Ast::children`]).
    pub fn children_mut(&mut self) -> Vec<&mut Ast> {
        match &mut self.kind {
            AstKind::Num(_) | AstKind::Ident(_) | AstKind::Error => vec![],
            AstKind::Neg { arg, .. }
            | AstKind::Pos { arg, .. }
            | AstKind::Transpose { arg, .. }
            | AstKind::Norm { arg, .. }
            | AstKind::Paren(arg) => vec![arg],
            AstKind::Pow { base, .. } => vec![base],
            AstKind::Chain { first, rest } => {
                let mut v: Vec<&mut Ast> = vec![first];
                v.extend(rest.iter_mut().map(|l| &mut l.rhs));
                v
            }
            AstKind::Call { args, .. } => args.iter_mut().collect(),
        }
    }

    /// Depth of the tree, computed without recursion.
    pub fn depth(&self) -> usize {
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((a, d)) = stack.pop() {
            max = max.max(d);
            stack.extend(a.children().into_iter().map(|c| (c, d + 1)));
        }
        max
    }

    /// A compact rendering for tests: s-expressions, `·` for implicit products.
    /// With `spans`, every node is followed by `@start..end`.
    pub fn render(&self, spans: bool) -> String {
        let mut out = String::new();
        self.render_into(&mut out, spans);
        out
    }

    fn render_into(&self, out: &mut String, spans: bool) {
        match &self.kind {
            AstKind::Num(x) => {
                let _ = write!(out, "{x}");
            }
            AstKind::Ident(s) => out.push_str(s),
            AstKind::Neg { arg, .. } => {
                out.push_str("(neg ");
                arg.render_into(out, spans);
                out.push(')');
            }
            AstKind::Pos { arg, .. } => {
                out.push_str("(pos ");
                arg.render_into(out, spans);
                out.push(')');
            }
            AstKind::Chain { first, rest } => {
                out.push('(');
                first.render_into(out, spans);
                for l in rest {
                    let _ = write!(out, " {}", l.op.symbol());
                    if spans {
                        let _ = write!(out, "@{}..{}", l.op_span.start, l.op_span.end);
                    }
                    out.push(' ');
                    l.rhs.render_into(out, spans);
                }
                out.push(')');
            }
            AstKind::Pow {
                elementwise,
                base,
                exp,
                ..
            } => {
                out.push_str(if *elementwise { "(.^ " } else { "(^ " });
                base.render_into(out, spans);
                match exp {
                    Exponent::Const(c) => {
                        let _ = write!(out, " {c})");
                    }
                    Exponent::Transpose => out.push_str(" T)"),
                    Exponent::Invalid => out.push_str(" ?)"),
                }
            }
            AstKind::Transpose { arg, .. } => {
                out.push_str("(' ");
                arg.render_into(out, spans);
                out.push(')');
            }
            AstKind::Call {
                name, args, parens, ..
            } => {
                let _ = write!(out, "({}{name}", if *parens { "" } else { "~" });
                for a in args {
                    out.push(' ');
                    a.render_into(out, spans);
                }
                out.push(')');
            }
            AstKind::Norm { sub, arg } => {
                out.push_str(match sub {
                    NormSub::Default => "(norm ",
                    NormSub::Two => "(norm_2 ",
                    NormSub::Fro => "(norm_F ",
                    NormSub::One => "(norm_1 ",
                });
                arg.render_into(out, spans);
                out.push(')');
            }
            AstKind::Paren(a) => {
                out.push('[');
                a.render_into(out, spans);
                out.push(']');
            }
            AstKind::Error => out.push_str("<error>"),
        }
        if spans {
            let _ = write!(out, "@{}..{}", self.span.start, self.span.end);
        }
    }
}

/// The names the parser treats as functions: [`Func::from_name`] plus these.
pub fn is_function_name(name: &str) -> bool {
    Func::from_name(name).is_some()
        || matches!(name, "inv" | "logdet" | "eye" | "vector" | "matrix")
}

/// Function names that are also symbol names, as ML notes use them (`x - mean`): the function
/// only when a `(` follows, a symbol otherwise, and a symbol may be declared by them.
pub fn is_also_a_symbol(name: &str) -> bool {
    name == "mean"
}

/// Folds a numeric constant expression (`2`, `-1`, `(1/2)`, `2^3`); `None` if it is not one.
pub fn fold_const(a: &Ast) -> Option<f64> {
    let v = match &a.kind {
        AstKind::Num(x) => *x,
        AstKind::Neg { arg, .. } => -fold_const(arg)?,
        AstKind::Pos { arg, .. } | AstKind::Paren(arg) => fold_const(arg)?,
        AstKind::Chain { first, rest } => {
            let mut acc = fold_const(first)?;
            for l in rest {
                let r = fold_const(&l.rhs)?;
                acc = match l.op {
                    BinOp::Add => acc + r,
                    BinOp::Sub => acc - r,
                    BinOp::Mul | BinOp::Implicit | BinOp::HadMul | BinOp::Kron => acc * r,
                    BinOp::Div | BinOp::HadDiv => acc / r,
                };
            }
            acc
        }
        AstKind::Pow {
            base,
            exp: Exponent::Const(e),
            ..
        } => fold_const(base)?.powf(*e),
        _ => return None,
    };
    v.is_finite().then_some(v)
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// The result of [`parse`]: the tree (absent when nothing could be read) and the problems found.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub ast: Option<Ast>,
    pub diagnostics: Vec<Diagnostic>,
}

// Binding powers: (left, right) for infix operators.
const BP_ADD: (u8, u8) = (10, 11);
const BP_MUL: (u8, u8) = (20, 21);
/// The operand of a function name without parentheses binds tighter than multiplication.
const BP_FUNC_ARG: u8 = 25;
const BP_NEG: u8 = 30;
const BP_POW: u8 = 40;
const BP_POSTFIX: u8 = 50;

/// Parses an expression. Never panics and always returns; see [`Parsed`].
pub fn parse(src: &str) -> Parsed {
    if src.len() > MAX_INPUT_BYTES {
        return Parsed {
            ast: None,
            diagnostics: vec![Diagnostic::new(
                0..src.len(),
                format!(
                    "the input is too long ({} bytes; the limit is {MAX_INPUT_BYTES})",
                    src.len()
                ),
            )
            .with_hint("split the expression, or name repeated parts with shorter symbols")],
        };
    }
    let (toks, lex_diags) = lex(src);
    if toks.len() <= 1 {
        let mut diagnostics = lex_diags;
        if diagnostics.is_empty() {
            diagnostics.push(Diagnostic::new(
                0..src.len(),
                "type an expression, e.g. tr(A*X*B)",
            ));
        }
        return Parsed {
            ast: None,
            diagnostics,
        };
    }
    let mut p = Parser {
        toks,
        pos: 0,
        diags: lex_diags,
        depth: 0,
        norm_depth: 0,
        abs_depth: 0,
        latex: is_latex(src),
        too_deep: false,
    };
    let mut ast = p.parse_expr(0);
    // Whatever is left: report it, skip it, and keep reading so later errors show too.
    while !p.too_deep && p.peek() != &Tok::Eof {
        let t = p.bump();
        let d = match t.tok {
            Tok::RParen => Diagnostic::new(t.span.clone(), "unmatched `)`")
                .with_hint("remove it, or add the `(` it should close"),
            Tok::Bars => Diagnostic::new(
                t.span.clone(),
                "unexpected `||`: there is no open norm to close",
            ),
            Tok::RBrace => Diagnostic::new(t.span.clone(), "unmatched `}`"),
            ref other => {
                Diagnostic::new(t.span.clone(), format!("unexpected {}", other.describe()))
            }
        };
        p.report(d);
        ast = p.infix_loop(ast, 0);
    }
    if p.too_deep {
        let diagnostics = p
            .diags
            .into_iter()
            .filter(|d| d.message.contains("nested too deeply"))
            .collect();
        return Parsed {
            ast: None,
            diagnostics,
        };
    }
    if ast.depth() > MAX_NESTING {
        p.diags.push(too_deep(0..src.len()));
        return Parsed {
            ast: None,
            diagnostics: p.diags,
        };
    }
    Parsed {
        ast: Some(ast),
        diagnostics: p.diags,
    }
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        span,
        format!("the expression is nested too deeply (the limit is {MAX_NESTING} levels)"),
    )
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    depth: usize,
    norm_depth: usize,
    /// Open LaTeX absolute values `|…|`.
    abs_depth: usize,
    /// The input is LaTeX: `{…}` groups are parentheses.
    latex: bool,
    too_deep: bool,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }
    fn peek_at(&self, k: usize) -> &Tok {
        self.toks.get(self.pos + k).map_or(&Tok::Eof, |t| &t.tok)
    }
    fn span(&self) -> Span {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(0..0, |t| t.span.clone())
    }
    fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.span.end)
    }
    fn bump(&mut self) -> Token {
        let t = self.toks.get(self.pos).cloned().unwrap_or(Token {
            tok: Tok::Eof,
            span: self.span(),
        });
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }
    fn report(&mut self, d: Diagnostic) {
        if !self.too_deep && self.diags.len() < MAX_DIAGNOSTICS {
            self.diags.push(d);
        }
    }

    /// Whether the next token can start an operand (for implicit multiplication).
    fn starts_operand(&self) -> bool {
        match self.peek() {
            Tok::Num(_) | Tok::Ident(_) | Tok::LParen | Tok::Frac | Tok::Ones | Tok::Bad => true,
            Tok::LBrace => self.latex,
            Tok::Bars => self.norm_depth == 0,
            Tok::Bar => self.abs_depth == 0,
            _ => false,
        }
    }

    fn parse_expr(&mut self, min_bp: u8) -> Ast {
        if self.too_deep || self.depth >= MAX_NESTING {
            return self.nested_too_deeply();
        }
        self.depth += 1;
        let lhs = self.parse_prefix();
        let out = self.infix_loop(lhs, min_bp);
        self.depth -= 1;
        out
    }

    #[cold]
    #[inline(never)]
    fn nested_too_deeply(&mut self) -> Ast {
        let sp = self.span();
        if !self.too_deep {
            self.diags.push(too_deep(sp.clone()));
            self.too_deep = true;
        }
        self.pos = self.toks.len().saturating_sub(1);
        Ast::new(AstKind::Error, sp)
    }

    fn infix_loop(&mut self, mut lhs: Ast, min_bp: u8) -> Ast {
        loop {
            if self.too_deep {
                return lhs;
            }
            let (op, (lbp, rbp)) = match self.peek() {
                Tok::Plus => (BinOp::Add, BP_ADD),
                Tok::Minus => (BinOp::Sub, BP_ADD),
                Tok::Star => (BinOp::Mul, BP_MUL),
                Tok::Slash => (BinOp::Div, BP_MUL),
                Tok::DotStar => (BinOp::HadMul, BP_MUL),
                Tok::DotSlash => (BinOp::HadDiv, BP_MUL),
                Tok::Otimes => (BinOp::Kron, BP_MUL),
                Tok::Caret | Tok::DotCaret if BP_POW >= min_bp => {
                    lhs = self.parse_pow(lhs);
                    continue;
                }
                Tok::Quote | Tok::Top if BP_POSTFIX >= min_bp => {
                    lhs = self.postfix_transpose(lhs);
                    continue;
                }
                _ if BP_MUL.0 >= min_bp && self.starts_operand() => {
                    let op_span = lhs.span.end..self.span().start;
                    let rhs = self.parse_expr(BP_MUL.1);
                    lhs = chain(lhs, BinOp::Implicit, op_span, rhs);
                    continue;
                }
                _ => return lhs,
            };
            if lbp < min_bp {
                return lhs;
            }
            let t = self.bump();
            let rhs = if self.peek() == &Tok::Eof {
                self.missing_right_operand(&t)
            } else {
                self.parse_expr(rbp)
            };
            lhs = chain(lhs, op, t.span, rhs);
        }
    }

    #[inline(never)]
    fn postfix_transpose(&mut self, lhs: Ast) -> Ast {
        let t = self.bump();
        let span = lhs.span.start..t.span.end;
        Ast::new(
            AstKind::Transpose {
                op: t.span,
                arg: Box::new(lhs),
            },
            span,
        )
    }

    #[cold]
    #[inline(never)]
    fn missing_right_operand(&mut self, t: &Token) -> Ast {
        self.report(Diagnostic::new(
            t.span.clone(),
            format!("`{}` is missing its right operand", t.tok.text()),
        ));
        Ast::new(AstKind::Error, t.span.end..t.span.end)
    }

    fn parse_prefix(&mut self) -> Ast {
        match self.peek() {
            Tok::LParen => self.parse_paren(),
            Tok::LBrace if self.latex => self.parse_group(),
            Tok::Bars => self.parse_norm(),
            Tok::Bar => self.parse_abs(),
            Tok::Frac => self.parse_frac(),
            Tok::Ones | Tok::Bad => self.parse_latex_atom(),
            Tok::Minus | Tok::Plus => self.parse_unary(),
            Tok::Ident(_) => self.parse_ident(),
            _ => self.parse_other_prefix(),
        }
    }

    #[inline(never)]
    fn parse_unary(&mut self) -> Ast {
        let t = self.bump();
        if self.peek() == &Tok::Eof {
            self.report(Diagnostic::new(
                t.span.clone(),
                format!("`{}` is missing its operand", t.tok.text()),
            ));
            return Ast::new(AstKind::Error, t.span);
        }
        let frac_at = (self.peek() == &Tok::Frac).then(|| self.span().start);
        let arg = self.parse_expr(BP_NEG);
        if t.tok == Tok::Minus && frac_at == Some(arg.span.start) {
            return negated_fraction(t.span, arg);
        }
        let span = t.span.start..arg.span.end;
        let arg = Box::new(arg);
        let kind = if t.tok == Tok::Minus {
            AstKind::Neg { op: t.span, arg }
        } else {
            AstKind::Pos { op: t.span, arg }
        };
        Ast::new(kind, span)
    }

    #[inline(never)]
    fn parse_ident(&mut self) -> Ast {
        let t = self.bump();
        let Tok::Ident(name) = t.tok else {
            return Ast::new(AstKind::Error, t.span);
        };
        let called_only = name == "eye" || is_also_a_symbol(&name);
        if is_function_name(&name) && !(called_only && self.peek() != &Tok::LParen) {
            self.parse_call(name, t.span)
        } else {
            Ast::new(AstKind::Ident(name), t.span)
        }
    }

    /// Numbers, and the error cases of operand position.
    #[inline(never)]
    fn parse_other_prefix(&mut self) -> Ast {
        // Skip operators that cannot start an operand, reporting the first.
        let mut reported = false;
        while matches!(
            self.peek(),
            Tok::Star
                | Tok::Slash
                | Tok::DotStar
                | Tok::DotSlash
                | Tok::Otimes
                | Tok::Caret
                | Tok::DotCaret
                | Tok::Quote
                | Tok::Top
                | Tok::Underscore
        ) {
            let t = self.bump();
            if !reported {
                reported = true;
                self.report(Diagnostic::new(
                    t.span,
                    format!("`{}` is missing its left operand", t.tok.text()),
                ));
            }
        }
        let sp = self.span();
        match self.peek().clone() {
            Tok::Num(x) => {
                self.bump();
                Ast::new(AstKind::Num(x), sp)
            }
            Tok::Ident(_)
            | Tok::LParen
            | Tok::Bars
            | Tok::Minus
            | Tok::Plus
            | Tok::Frac
            | Tok::Ones
            | Tok::Bad => self.parse_prefix(),
            Tok::LBrace | Tok::Bar if self.latex => self.parse_prefix(),
            Tok::Eof => {
                let prev = self.prev_end();
                let d = if self.pos == 0 {
                    Diagnostic::new(sp.clone(), "type an expression, e.g. tr(A*X*B)")
                } else {
                    Diagnostic::new(
                        prev..prev,
                        "the expression ends too early: an operand is missing",
                    )
                };
                self.report(d);
                Ast::new(AstKind::Error, sp)
            }
            other => {
                // A closer or separator: leave it for the enclosing construct.
                self.report(Diagnostic::new(
                    sp.clone(),
                    format!("expected an operand before {}", other.describe()),
                ));
                Ast::new(AstKind::Error, sp.start..sp.start)
            }
        }
    }

    /// `(` already peeked.
    #[inline(never)]
    fn parse_paren(&mut self) -> Ast {
        let open = self.bump().span;
        if self.peek() == &Tok::RParen {
            let close = self.bump().span;
            self.report(Diagnostic::new(open.start..close.end, "empty parentheses"));
            return Ast::new(AstKind::Error, open.start..close.end);
        }
        let inner = self.parse_expr(0);
        let end = self.expect_close(&open, Tok::RParen, inner.span.end);
        Ast::new(AstKind::Paren(Box::new(inner)), open.start..end)
    }

    /// A LaTeX group `{…}` (peeked), read as parentheses.
    #[inline(never)]
    fn parse_group(&mut self) -> Ast {
        let open = self.bump().span;
        if self.peek() == &Tok::RBrace {
            let close = self.bump().span;
            self.report(Diagnostic::new(open.start..close.end, "empty braces `{}`"));
            return Ast::new(AstKind::Error, open.start..close.end);
        }
        let inner = self.parse_expr(0);
        let end = self.expect_close(&open, Tok::RBrace, inner.span.end);
        Ast::new(AstKind::Paren(Box::new(inner)), open.start..end)
    }

    /// A LaTeX absolute value `|x|` or `\left| x \right|` (the `|` peeked): `abs(x)`.
    #[inline(never)]
    fn parse_abs(&mut self) -> Ast {
        let open = self.bump().span;
        if self.peek() == &Tok::Bar {
            let close = self.bump().span;
            self.report(Diagnostic::new(
                open.start..close.end,
                "empty absolute value `||`",
            ));
            return Ast::new(AstKind::Error, open.start..close.end);
        }
        self.abs_depth += 1;
        let inner = self.parse_expr(0);
        self.abs_depth -= 1;
        let end = self.expect_close(&open, Tok::Bar, inner.span.end);
        Ast::new(
            AstKind::Call {
                name: "abs".to_string(),
                name_span: open.clone(),
                args: vec![inner],
                parens: true,
            },
            open.start..end,
        )
    }

    /// `\frac` (peeked) and its two arguments: `(a) / (b)`, in parentheses.
    #[inline(never)]
    fn parse_frac(&mut self) -> Ast {
        let frac = self.bump().span;
        // Its arguments hold a frame more on the stack than a parenthesis: count it twice.
        self.depth += 1;
        let num = self.parse_frac_argument(&frac);
        let den = if matches!(num.kind, AstKind::Error) && num.span.is_empty() {
            Ast::new(AstKind::Error, num.span.clone())
        } else {
            self.parse_frac_argument(&frac)
        };
        self.depth -= 1;
        let span = frac.start..den.span.end.max(frac.end);
        let quotient = chain(num, BinOp::Div, frac, den);
        Ast::new(AstKind::Paren(Box::new(quotient)), span)
    }

    /// An argument of `\frac`: a `{…}` group, or one number or name.
    fn parse_frac_argument(&mut self, frac: &Span) -> Ast {
        let sp = self.span();
        match self.peek().clone() {
            Tok::LBrace => self.parse_group(),
            Tok::Num(x) => {
                self.bump();
                Ast::new(AstKind::Num(x), sp)
            }
            Tok::Ident(name) if !is_function_name(&name) => {
                self.bump();
                Ast::new(AstKind::Ident(name), sp)
            }
            _ => {
                self.report(
                    Diagnostic::new(frac.clone(), r"`\frac` needs two arguments")
                        .with_hint(r"write it like \frac{a}{b}"),
                );
                Ast::new(AstKind::Error, sp.start..sp.start)
            }
        }
    }

    /// `\mathbf{1}` (the vector of ones, `vector(1)`), `\mathbf{1}\mathbf{1}^\top` (the
    /// matrix of ones, `matrix(1)`, as matdiff prints it) or an already reported command (peeked).
    #[inline(never)]
    fn parse_latex_atom(&mut self) -> Ast {
        let t = self.bump();
        if t.tok != Tok::Ones {
            return Ast::new(AstKind::Error, t.span);
        }
        let matrix = self.peek() == &Tok::Ones
            && self.peek_at(1) == &Tok::Caret
            && self.peek_at(2) == &Tok::Top;
        let mut span = t.span.clone();
        if matrix {
            self.bump();
            self.bump();
            span.end = self.bump().span.end;
        }
        Ast::new(
            AstKind::Call {
                name: if matrix { "matrix" } else { "vector" }.to_string(),
                name_span: span.clone(),
                args: vec![Ast::new(AstKind::Num(1.0), span.clone())],
                parens: true,
            },
            span,
        )
    }

    /// Consumes the closer `close` or reports it missing; returns the end of the construct.
    fn expect_close(&mut self, open: &Span, close: Tok, fallback_end: usize) -> usize {
        if self.peek() == &close {
            return self.bump().span.end;
        }
        let (what, opener) = match close {
            Tok::RParen => ("`)`", "`(`"),
            Tok::RBrace => ("`}`", "`{`"),
            Tok::Bar => ("`|`", "`|`"),
            _ => ("`||`", "`||`"),
        };
        let sp = self.span();
        let found = self.peek().describe();
        self.report(
            Diagnostic::new(sp, format!("missing {what}: found {found}"))
                .with_label(open.clone(), format!("this {opener} is not closed")),
        );
        fallback_end
    }

    /// A function name has been consumed.
    #[inline(never)]
    fn parse_call(&mut self, name: String, name_span: Span) -> Ast {
        if self.peek() == &Tok::LParen || (self.latex && self.peek() == &Tok::LBrace) {
            let (args, end) = self.parse_args();
            let span = name_span.start..end;
            return Ast::new(
                AstKind::Call {
                    name,
                    name_span,
                    args,
                    parens: true,
                },
                span,
            );
        }
        if self.starts_operand() || matches!(self.peek(), Tok::Minus | Tok::Plus) {
            // Counted twice, like a call with parentheses.
            self.depth += 1;
            let arg = self.parse_expr(BP_FUNC_ARG);
            self.depth -= 1;
            let span = name_span.start..arg.span.end;
            return Ast::new(
                AstKind::Call {
                    name,
                    name_span,
                    args: vec![arg],
                    parens: false,
                },
                span,
            );
        }
        self.call_without_argument(&name, name_span)
    }

    /// `(` (or a LaTeX `{`) peeked: the comma-separated arguments and the end of the closer.
    #[inline(never)]
    fn parse_args(&mut self) -> (Vec<Ast>, usize) {
        let open_tok = self.bump();
        let open = open_tok.span;
        let close = if open_tok.tok == Tok::LBrace {
            Tok::RBrace
        } else {
            Tok::RParen
        };
        let mut args = Vec::new();
        if self.peek() == &close {
            return (args, self.bump().span.end);
        }
        // A call nests twice as deep on the stack as a parenthesis: count it twice.
        self.depth += 1;
        loop {
            let arg = self.parse_expr(0);
            let arg_end = arg.span.end;
            args.push(arg);
            if self.peek() == &Tok::Comma {
                self.bump();
                continue;
            }
            self.depth -= 1;
            return (args, self.expect_close(&open, close, arg_end));
        }
    }

    #[cold]
    #[inline(never)]
    fn call_without_argument(&mut self, name: &str, name_span: Span) -> Ast {
        self.report(
            Diagnostic::new(name_span.clone(), format!("`{name}` needs an argument"))
                .with_hint(format!("write it like {name}(X)")),
        );
        Ast::new(AstKind::Error, name_span)
    }

    /// `||` already peeked (in operand position).
    #[inline(never)]
    fn parse_norm(&mut self) -> Ast {
        let open = self.bump().span;
        if self.peek() == &Tok::Bars {
            let close = self.bump().span;
            self.report(Diagnostic::new(open.start..close.end, "empty norm `||||`"));
            return Ast::new(AstKind::Error, open.start..close.end);
        }
        self.norm_depth += 1;
        let inner = self.parse_expr(0);
        self.norm_depth -= 1;
        let mut end = self.expect_close(&open, Tok::Bars, inner.span.end);
        let mut sub = NormSub::Default;
        if self.peek() == &Tok::Underscore {
            let us = self.bump().span;
            let braced = self.peek() == &Tok::LBrace;
            if braced {
                self.bump();
            }
            let t = self.bump();
            sub = match &t.tok {
                Tok::Num(x) if *x == 2.0 => NormSub::Two,
                Tok::Num(x) if *x == 1.0 => NormSub::One,
                Tok::Ident(s) if s == "F" => NormSub::Fro,
                _ => {
                    self.report(
                        Diagnostic::new(us.start..t.span.end.max(us.end), "unknown norm subscript")
                            .with_hint("write ||x||_1, ||x||_2 or ||X||_F"),
                    );
                    NormSub::Default
                }
            };
            end = t.span.end.max(us.end);
            if braced {
                if self.peek() == &Tok::RBrace {
                    end = self.bump().span.end;
                } else {
                    self.report(Diagnostic::new(
                        self.span(),
                        "missing `}` after the norm subscript",
                    ));
                }
            }
        }
        Ast::new(
            AstKind::Norm {
                sub,
                arg: Box::new(inner),
            },
            open.start..end,
        )
    }

    /// `^` or `.^` peeked, after `base`.
    fn parse_pow(&mut self, base: Ast) -> Ast {
        // An exponent holds several frames more on the stack than a parenthesis does.
        self.depth += EXPONENT_NESTING;
        let out = self.parse_pow_at_depth(base);
        self.depth -= EXPONENT_NESTING;
        out
    }

    fn parse_pow_at_depth(&mut self, base: Ast) -> Ast {
        let t = self.bump();
        let mut elementwise = t.tok == Tok::DotCaret;
        if let Some(exp_span) = self.inverse_transpose_exponent() {
            return self.inverse_transpose(base, t, exp_span);
        }
        let (exp, exp_span) = if self.peek() == &Tok::LBrace && self.peek_at(1) == &Tok::DotStar {
            // `^{\circ 2}`: an elementwise power.
            elementwise = true;
            let open = self.bump().span;
            self.bump();
            let inner = self.parse_expr(0);
            let end = self.expect_close(&open, Tok::RBrace, inner.span.end);
            (self.fold_exponent(&inner, open.start..end), open.start..end)
        } else {
            self.parse_exponent(&t)
        };
        let exp = match exp {
            Exponent::Transpose if elementwise => {
                self.report(
                    Diagnostic::new(exp_span.clone(), "`.^T` is not a transpose")
                        .with_hint("write X^T or X' for the transpose"),
                );
                Exponent::Invalid
            }
            e => e,
        };
        let span = base.span.start..exp_span.end.max(t.span.end).max(base.span.end);
        Ast::new(
            AstKind::Pow {
                elementwise,
                op: t.span,
                base: Box::new(base),
                exp,
                exp_span,
            },
            span,
        )
    }

    /// Whether a token stands for the transpose in an exponent (`^T`, `^\top`, `^⊤`, `^\prime`).
    fn is_transpose_letter(t: &Tok) -> bool {
        matches!(t, Tok::Top | Tok::Quote) || matches!(t, Tok::Ident(s) if s == "T")
    }

    /// The exponent `-T` (also `{-T}`, `{-\top}`, `⁻ᵀ`) after `^`, consumed, with its span.
    fn inverse_transpose_exponent(&mut self) -> Option<Span> {
        let start = self.span().start;
        let n = if self.peek() == &Tok::Minus && Self::is_transpose_letter(self.peek_at(1)) {
            2
        } else if self.peek() == &Tok::LBrace
            && self.peek_at(1) == &Tok::Minus
            && Self::is_transpose_letter(self.peek_at(2))
            && self.peek_at(3) == &Tok::RBrace
        {
            4
        } else {
            return None;
        };
        let mut end = start;
        for _ in 0..n {
            end = self.bump().span.end;
        }
        Some(start..end)
    }

    /// `base^-T`: the transpose of the inverse.
    #[inline(never)]
    fn inverse_transpose(&mut self, base: Ast, op: Token, exp_span: Span) -> Ast {
        let elementwise = op.tok == Tok::DotCaret;
        if elementwise {
            self.report(
                Diagnostic::new(exp_span.clone(), "`.^-T` is not a transpose")
                    .with_hint("write X^-T for the transpose of the inverse"),
            );
        }
        let span = base.span.start..exp_span.end.max(base.span.end);
        let inverse = Ast::new(
            AstKind::Pow {
                elementwise,
                op: op.span,
                base: Box::new(base),
                exp: if elementwise {
                    Exponent::Invalid
                } else {
                    Exponent::Const(-1.0)
                },
                exp_span: exp_span.clone(),
            },
            span.clone(),
        );
        Ast::new(
            AstKind::Transpose {
                op: exp_span,
                arg: Box::new(inverse),
            },
            span,
        )
    }

    /// The exponent after `op` (`^`/`.^`), with its span.
    fn parse_exponent(&mut self, op: &Token) -> (Exponent, Span) {
        let sp = self.span();
        match self.peek() {
            t if Self::is_transpose_letter(t) => {
                self.bump();
                return (Exponent::Transpose, sp);
            }
            Tok::LBrace => {
                let open = self.bump().span;
                if Self::is_transpose_letter(self.peek()) && self.peek_at(1) == &Tok::RBrace {
                    self.bump();
                    let end = self.bump().span.end;
                    return (Exponent::Transpose, open.start..end);
                }
                let inner = self.parse_expr(0);
                let end = self.expect_close(&open, Tok::RBrace, inner.span.end);
                return (self.fold_exponent(&inner, open.start..end), open.start..end);
            }
            _ => {}
        }
        let atom = self.parse_exponent_operand(op);
        let mut value = self.fold_exponent(&atom, atom.span.clone());
        let mut span = atom.span.clone();
        // Right associative: 2^3^2 = 2^(3^2).
        if self.peek() == &Tok::Caret {
            let t = self.bump();
            let (e2, sp2) = self.parse_exponent(&t);
            span.end = sp2.end;
            value = match (value, e2) {
                (Exponent::Const(a), Exponent::Const(b)) if a.powf(b).is_finite() => {
                    Exponent::Const(a.powf(b))
                }
                (Exponent::Invalid, _) | (_, Exponent::Invalid) => Exponent::Invalid,
                _ => {
                    self.report(Diagnostic::new(
                        span.clone(),
                        "the exponent must be a number",
                    ));
                    Exponent::Invalid
                }
            };
        }
        (value, span)
    }

    fn parse_exponent_operand(&mut self, op: &Token) -> Ast {
        let sp = self.span();
        match self.peek().clone() {
            Tok::Minus | Tok::Plus => {
                let t = self.bump();
                if self.depth >= MAX_NESTING {
                    self.report(too_deep(t.span.clone()));
                    self.too_deep = true;
                    return Ast::new(AstKind::Error, t.span);
                }
                self.depth += 1;
                let arg = self.parse_exponent_operand(op);
                self.depth -= 1;
                let span = t.span.start..arg.span.end;
                let arg = Box::new(arg);
                let kind = if t.tok == Tok::Minus {
                    AstKind::Neg { op: t.span, arg }
                } else {
                    AstKind::Pos { op: t.span, arg }
                };
                Ast::new(kind, span)
            }
            Tok::Num(x) => {
                self.bump();
                Ast::new(AstKind::Num(x), sp)
            }
            Tok::Ident(s) => {
                self.bump();
                Ast::new(AstKind::Ident(s), sp)
            }
            Tok::LParen | Tok::Bars | Tok::Frac => self.parse_prefix(),
            other => {
                self.report(Diagnostic::new(
                    op.span.clone(),
                    format!(
                        "`{}` needs an exponent, found {}",
                        op.tok.text(),
                        other.describe()
                    ),
                ));
                Ast::new(AstKind::Error, op.span.end..op.span.end)
            }
        }
    }

    fn fold_exponent(&mut self, a: &Ast, span: Span) -> Exponent {
        if matches!(a.kind, AstKind::Error) {
            return Exponent::Invalid;
        }
        match fold_const(a) {
            Some(c) => Exponent::Const(c),
            None => {
                self.report(
                    Diagnostic::new(span, "the exponent must be a number").with_hint(
                        "powers are constants: x^2, X^-1, X^T, x.^0.5; for e^x write exp(x)",
                    ),
                );
                Exponent::Invalid
            }
        }
    }
}

/// `-\frac{a}{b}` as `\frac{-a}{b}`, the way the printer writes a quotient with a negative
/// numerator; any other operand of the minus is negated whole.
fn negated_fraction(op: Span, arg: Ast) -> Ast {
    let span = op.start..arg.span.end;
    match arg.kind {
        AstKind::Paren(inner) if matches!(inner.kind, AstKind::Chain { .. }) => {
            let Ast { kind, span: qspan } = *inner;
            let AstKind::Chain { first, rest } = kind else {
                return Ast::new(AstKind::Error, span);
            };
            let num = Ast::new(
                AstKind::Neg {
                    op: op.clone(),
                    arg: first.clone(),
                },
                op.start..first.span.end,
            );
            let chain = Ast::new(
                AstKind::Chain {
                    first: Box::new(num),
                    rest,
                },
                op.start..qspan.end,
            );
            Ast::new(AstKind::Paren(Box::new(chain)), span)
        }
        kind => Ast::new(
            AstKind::Neg {
                op,
                arg: Box::new(Ast::new(kind, arg.span)),
            },
            span,
        ),
    }
}

/// Appends `op rhs` to `lhs`, extending `lhs` when it is a chain of the same level.
fn chain(mut lhs: Ast, op: BinOp, op_span: Span, rhs: Ast) -> Ast {
    let end = rhs.span.end.max(lhs.span.end);
    if let AstKind::Chain { rest, .. } = &mut lhs.kind {
        if rest
            .first()
            .is_some_and(|l| l.op.is_additive() == op.is_additive())
        {
            rest.push(ChainLink { op, op_span, rhs });
            lhs.span.end = end;
            return lhs;
        }
    }
    let span = lhs.span.start..end;
    Ast::new(
        AstKind::Chain {
            first: Box::new(lhs),
            rest: vec![ChainLink { op, op_span, rhs }],
        },
        span,
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    /// Renders the tree, then each diagnostic with carets.
    pub(crate) fn check(input: &str, expect: Expect) {
        let parsed = parse(input);
        let mut out = match &parsed.ast {
            Some(a) => a.render(false),
            None => "<none>".to_string(),
        };
        out.push('\n');
        for d in &parsed.diagnostics {
            out.push_str(&d.render(input));
        }
        expect.assert_eq(&out);
    }

    pub(crate) fn check_spans(input: &str, expect: Expect) {
        let parsed = parse(input);
        let out = parsed.ast.map_or("<none>".to_string(), |a| a.render(true));
        expect.assert_eq(&out);
    }

    #[test]
    fn operators_and_precedence() {
        check(
            "a + b - c",
            expect![[r#"
            (a + b - c)
        "#]],
        );
        check(
            "a + b * c",
            expect![[r#"
            (a + (b * c))
        "#]],
        );
        check(
            "A*x ./ y .* z / 2",
            expect![[r#"
            (A * x ./ y .* z / 2)
        "#]],
        );
        check(
            "-x^2",
            expect![[r#"
            (neg (^ x 2))
        "#]],
        );
        check(
            "-x*y",
            expect![[r#"
            ((neg x) * y)
        "#]],
        );
        check(
            "+x - -y",
            expect![[r#"
            ((pos x) - (neg y))
        "#]],
        );
        check(
            "x.^2 + X'",
            expect![[r#"
            ((.^ x 2) + (' X))
        "#]],
        );
        check(
            "x^2'",
            expect![[r#"
            (' (^ x 2))
        "#]],
        );
        check(
            "2^3^2",
            expect![[r#"
            (^ 2 9)
        "#]],
        );
        check(
            "(a + b) * c",
            expect![[r#"
            ([(a + b)] * c)
        "#]],
        );
    }

    #[test]
    fn implicit_multiplication() {
        check(
            "2x",
            expect![[r#"
            (2 · x)
        "#]],
        );
        check(
            "A x",
            expect![[r#"
            (A · x)
        "#]],
        );
        check(
            "A(X+B)",
            expect![[r#"
            (A · [(X + B)])
        "#]],
        );
        check(
            "x'A x",
            expect![[r#"
            ((' x) · A · x)
        "#]],
        );
        check(
            "2(x+y)",
            expect![[r#"
            (2 · [(x + y)])
        "#]],
        );
        check(
            "2x^2 + 3 x y",
            expect![[r#"
            ((2 · (^ x 2)) + (3 · x · y))
        "#]],
        );
        check(
            "2||x||",
            expect![[r#"
            (2 · (norm x))
        "#]],
        );
        check(
            "a - b c",
            expect![[r#"
            (a - (b · c))
        "#]],
        );
    }

    #[test]
    fn numbers() {
        check(
            "1e-3 + 2.5 + .5 + 2. + 1E+2",
            expect![[r#"
            (0.001 + 2.5 + 0.5 + 2 + 100)
        "#]],
        );
        check(
            "2e",
            expect![[r#"
            (2 · e)
        "#]],
        );
        check(
            "2e-x",
            expect![[r#"
            ((2 · e) - x)
        "#]],
        );
        check(
            "2.*x",
            expect![[r#"
            (2 .* x)
        "#]],
        );
        check(
            "1e999",
            expect![[r#"
            inf
            error: this number is too large
              | 1e999
              | ^^^^^
              = hint: numbers must be below about 1.8e308
        "#]],
        );
    }

    #[test]
    fn exponents() {
        check(
            "X^T + X^{T} + X^-1 + X^{-1}",
            expect![[r#"
            ((^ X T) + (^ X T) + (^ X -1) + (^ X -1))
        "#]],
        );
        check(
            "x^(1/2) + x^0.5 + A^-2 + x^{2}",
            expect![[r#"
            ((^ x 0.5) + (^ x 0.5) + (^ A -2) + (^ x 2))
        "#]],
        );
        check(
            "X^-1'",
            expect![[r#"
            (' (^ X -1))
        "#]],
        );
        check(
            "x^-2y",
            expect![[r#"
            ((^ x -2) · y)
        "#]],
        );
        check(
            "x^n",
            expect![[r#"
            (^ x ?)
            error: the exponent must be a number
              | x^n
              |   ^
              = hint: powers are constants: x^2, X^-1, X^T, x.^0.5; for e^x write exp(x)
        "#]],
        );
        check(
            "x.^T",
            expect![[r#"
            (.^ x ?)
            error: `.^T` is not a transpose
              | x.^T
              |    ^
              = hint: write X^T or X' for the transpose
        "#]],
        );
        check(
            "x^",
            expect![[r#"
            (^ x ?)
            error: `^` needs an exponent, found the end of the input
              | x^
              |  ^
        "#]],
        );
        check(
            "x^{2",
            expect![[r#"
            (^ x 2)
            error: missing `}`: found the end of the input
              | x^{2
              |     ^
              |   - this `{` is not closed
        "#]],
        );
    }

    #[test]
    fn functions() {
        check(
            "tr(A*X*B)",
            expect![[r#"
            (tr (A * X * B))
        "#]],
        );
        check(
            "log det(X) + log(det(X)) + logdet(X'*X)",
            expect![[r#"
            ((~log (det X)) + (log (det X)) + (logdet ((' X) * X)))
        "#]],
        );
        check(
            "sin x y",
            expect![[r#"
            ((~sin x) · y)
        "#]],
        );
        check(
            "exp -x^2",
            expect![[r#"
            (~exp (neg (^ x 2)))
        "#]],
        );
        check(
            "eye + I + eye() + vector(2) + matrix(3)",
            expect![[r#"
            (eye + I + (eye) + (vector 2) + (matrix 3))
        "#]],
        );
        check(
            "f(x)",
            expect![[r#"
            (f · [x])
        "#]],
        );
        check(
            "diag(x, y)",
            expect![[r#"
            (diag x y)
        "#]],
        );
        check(
            "tr",
            expect![[r#"
            <error>
            error: `tr` needs an argument
              | tr
              | ^^
              = hint: write it like tr(X)
        "#]],
        );
    }

    #[test]
    fn norms() {
        check(
            "||A*x - b||^2",
            expect![[r#"
            (^ (norm ((A * x) - b)) 2)
        "#]],
        );
        check(
            "||X||_F^2 + ||v||_2 + ||v||_1 + ||x||_{2}",
            expect![[r#"
            ((^ (norm_F X) 2) + (norm_2 v) + (norm_1 v) + (norm_2 x))
        "#]],
        );
        check(
            "||x||_3",
            expect![[r#"
            (norm x)
            error: unknown norm subscript
              | ||x||_3
              |      ^^
              = hint: write ||x||_1, ||x||_2 or ||X||_F
        "#]],
        );
        check(
            "||x",
            expect![[r#"
            (norm x)
            error: missing `||`: found the end of the input
              | ||x
              |    ^
              | -- this `||` is not closed
        "#]],
        );
        check(
            "||||",
            expect![[r#"
            <error>
            error: empty norm `||||`
              | ||||
              | ^^^^
        "#]],
        );
    }

    #[test]
    fn spans() {
        check_spans("2x", expect!["(2@0..1 ·@1..1 x@1..2)@0..2"]);
        check_spans(
            "-A' * (x)",
            expect!["((neg (' A@1..2)@1..3)@0..3 *@4..5 [x@7..8]@6..9)@0..9"],
        );
        check_spans("tr X^T", expect!["(~tr (^ X@3..4 T)@3..6)@0..6"]);
        check_spans("αx", expect!["(alpha@0..2 ·@2..2 x@2..3)@0..3"]);
    }

    #[test]
    fn errors() {
        check(
            "",
            expect![[r#"
            <none>
            error: type an expression, e.g. tr(A*X*B)
              | 
              | ^
        "#]],
        );
        check(
            "   ",
            expect![[r#"
            <none>
            error: type an expression, e.g. tr(A*X*B)
              |    
              | ^^^
        "#]],
        );
        check(
            "tr(A*X",
            expect![[r#"
            (tr (A * X))
            error: missing `)`: found the end of the input
              | tr(A*X
              |       ^
              |   - this `(` is not closed
        "#]],
        );
        check(
            "(a + b",
            expect![[r#"
            [(a + b)]
            error: missing `)`: found the end of the input
              | (a + b
              |       ^
              | - this `(` is not closed
        "#]],
        );
        check(
            "a + b)",
            expect![[r#"
            (a + b)
            error: unmatched `)`
              | a + b)
              |      ^
              = hint: remove it, or add the `(` it should close
        "#]],
        );
        check(
            "x +",
            expect![[r#"
            (x + <error>)
            error: `+` is missing its right operand
              | x +
              |   ^
        "#]],
        );
        check(
            "* x",
            expect![[r#"
            x
            error: `*` is missing its left operand
              | * x
              | ^
        "#]],
        );
        check(
            "x # y",
            expect![[r#"
            (x · y)
            error: unexpected character `#`
              | x # y
              |   ^
              = hint: the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms
        "#]],
        );
        check(
            "|x|",
            expect![[r#"
            x
            error: unexpected character `|`
              | |x|
              | ^
              = hint: norms are written ||x||, ||x||_1 or ||X||_F; the absolute value is abs(x)
            error: unexpected character `|`
              | |x|
              |   ^
              = hint: norms are written ||x||, ||x||_1 or ||X||_F; the absolute value is abs(x)
        "#]],
        );
        check(
            "()",
            expect![[r#"
            <error>
            error: empty parentheses
              | ()
              | ^^
        "#]],
        );
        check(
            "a + (, b",
            expect![[r#"
            ((a + [<error>]) · b)
            error: expected an operand before `,`
              | a + (, b
              |      ^
            error: missing `)`: found `,`
              | a + (, b
              |      ^
              |     - this `(` is not closed
            error: unexpected `,`
              | a + (, b
              |      ^
        "#]],
        );
        check(
            "x€y",
            expect![[r#"
                (x · y)
                error: unexpected character `€` (U+20AC)
                  | x€y
                  |  ^
                  = hint: the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms
            "#]],
        );
        check(
            "x−yᵀ",
            expect![[r#"
            (x - (' y))
        "#]],
        );
    }

    #[test]
    fn caps() {
        let long = "x+".repeat(2500) + "x";
        check(
            &long[..0],
            expect![[r#"
            <none>
            error: type an expression, e.g. tr(A*X*B)
              | 
              | ^
        "#]],
        );
        let p = parse(&long);
        assert!(p.ast.is_none());
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(
            p.diagnostics[0].message,
            "the input is too long (5001 bytes; the limit is 4096)"
        );

        let deep = "(".repeat(1200) + "x" + &")".repeat(1200);
        let p = parse(&deep);
        assert!(p.ast.is_none());
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        assert!(p.diagnostics[0].message.contains("nested too deeply"));

        let ok = "(".repeat(500) + "x" + &")".repeat(500);
        let p = parse(&ok);
        assert!(p.diagnostics.is_empty());
        assert!(p.ast.is_some());

        for src in [
            "-".repeat(2000) + "x",
            "x".to_string() + &"'".repeat(2000),
            "sin ".repeat(1000) + "x",
        ] {
            let p = parse(&src);
            assert!(p.ast.is_none(), "{src}");
            assert!(p.diagnostics[0].message.contains("nested too deeply"));
        }
    }

    /// How an input is read: the tree, then the lowered expression in the input syntax (or the
    /// diagnostics, with carets).
    pub(crate) fn check_read(input: &str, expect: Expect) {
        let parsed = parse(input);
        let mut out = parsed
            .ast
            .as_ref()
            .map_or("<none>".to_string(), |a| a.render(false));
        out.push('\n');
        match crate::lower::lower(input, "", None) {
            Ok(p) => {
                out.push_str("= ");
                out.push_str(&crate::print::text(&p.expr, &p.symbols));
                out.push('\n');
            }
            Err(ds) => {
                for d in &ds {
                    out.push_str(&d.render(input));
                }
            }
        }
        expect.assert_eq(&out);
    }

    /// A tiny deterministic generator (xorshift) for the fuzz-ish tests.
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    pub(crate) fn fuzz_inputs(count: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "x",
            "A",
            "X",
            "b",
            "2",
            "1e-3",
            ".5",
            "+",
            "-",
            "*",
            "/",
            ".*",
            "./",
            "^",
            ".^",
            "'",
            "(",
            ")",
            "{",
            "}",
            "||",
            "|",
            "_",
            "_F",
            "_2",
            ",",
            " ",
            "tr",
            "log",
            "det",
            "logdet",
            "inv",
            "eye",
            "I",
            "vector",
            "matrix",
            "diag",
            "T",
            "-1",
            "AXB",
            "€",
            "é",
            "\u{0}",
            "ᵀ",
            "sum",
            "norm2",
            "exp",
            "e",
            "λ",
            "Σ",
            "⁻¹",
            "²",
            "₂",
            "‖",
            "−",
            "⊙",
            "⊘",
            "√",
            "⊤",
            "\\",
            "\\frac{",
            "}{",
            "\\left(",
            "\\right)",
            "\\|",
            "\\mathbf{",
            "\\top",
            "\\operatorname{Tr}",
            "\\cdot",
            "\\lambda",
            "\\circ",
            "\\left|",
            "|",
            "[",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let seeds = [
            "||A*x - b||^2",
            "tr(A*X*B)",
            "logdet(X'*X)",
            "x'A x + log det(X)",
            "diag(x)'*diag(X)",
        ];
        let mut out = Vec::new();
        for k in 0..count {
            let s = match k % 3 {
                0 => (0..rng.below(30))
                    .map(|_| PIECES[rng.below(PIECES.len())])
                    .collect::<String>(),
                1 => {
                    let mut b: Vec<u8> = seeds[rng.below(seeds.len())].as_bytes().to_vec();
                    for _ in 0..=rng.below(4) {
                        let i = rng.below(b.len() + 1);
                        match rng.below(3) {
                            0 if i < b.len() => {
                                b.remove(i);
                            }
                            1 => b.insert(i, (rng.next() & 0xff) as u8),
                            _ => b.insert(i, PIECES[rng.below(PIECES.len())].as_bytes()[0]),
                        }
                    }
                    String::from_utf8_lossy(&b).into_owned()
                }
                _ => {
                    let b: Vec<u8> = (0..rng.below(40))
                        .map(|_| (rng.next() & 0xff) as u8)
                        .collect();
                    String::from_utf8_lossy(&b).into_owned()
                }
            };
            out.push(s);
        }
        out.push("(".repeat(5000));
        out.push("x".repeat(5000));
        out.push("||".repeat(900));
        out.push("x^".repeat(1000));
        out.push("-(".repeat(700) + "x");
        out.push("(".repeat(999) + &")".repeat(999));
        out.push("x^-".repeat(600) + "2");
        out
    }

    #[test]
    fn fuzz_no_panic() {
        for s in fuzz_inputs(6000) {
            let p = parse(&s);
            for d in &p.diagnostics {
                assert!(
                    s.is_char_boundary(d.range.start.min(s.len())),
                    "{s:?} {d:?}"
                );
                assert!(
                    d.range.start <= d.range.end && d.range.end <= s.len(),
                    "{s:?} {d:?}"
                );
                let _ = d.render(&s);
            }
            assert!(p.ast.is_some() || !p.diagnostics.is_empty(), "{s:?}");
        }
    }
}
