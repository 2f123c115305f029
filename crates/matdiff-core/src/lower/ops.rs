//! Operator typing: one function per construct of the syntax tree (sums, products, quotients,
//! elementwise operations, powers, transposes, norms, function calls), each unifying the
//! operands' dimensions and building the typed node, or reporting a shape error at the operator.

use super::unify::{D, TS};
use super::{Fail, Low, Lowerer, MAX_MATRIX_POWER, R};
use crate::decls::MAX_DIM;
use crate::diagnostic::{Diagnostic, Span};
use crate::expr::{Dim, Expr, Func, Kind, Shape};
use crate::funcs::Typing;
use crate::syntax::{fold_const, Ast, AstKind, BinOp, ChainLink, Exponent, NormSub};
use std::rc::Rc;

impl Lowerer<'_> {
    /// The identity of inferred size.
    pub(super) fn eye(&mut self) -> Low {
        let n = self.dims.fresh();
        Low::new(Expr::Eye(self.dims.hole(n)), TS { r: n, c: n })
    }

    /// Lowers one node. The recursion goes through here, so every case lives in its own small
    /// function: deep inputs must fit the stack of a wasm page.
    pub(super) fn lower(&mut self, ast: &Ast) -> R<Low> {
        let ast = ast.strip_parens();
        match &ast.kind {
            AstKind::Pos { arg, .. } => self.lower(arg),
            AstKind::Chain { first, rest } => self.chain(first, rest),
            AstKind::Neg { arg, .. } => self.lower_neg(arg),
            AstKind::Transpose { arg, .. } => self.lower_transpose(arg),
            AstKind::Norm { sub, arg } => self.lower_norm(*sub, arg),
            AstKind::Pow {
                elementwise,
                op,
                base,
                exp,
                exp_span,
            } => self.lower_pow(base, *elementwise, op, *exp, exp_span),
            AstKind::Call {
                name,
                name_span,
                args,
                ..
            } => self.call(name, name_span, args, &ast.span),
            _ => self.lower_leaf(ast),
        }
    }

    #[inline(never)]
    fn lower_leaf(&mut self, ast: &Ast) -> R<Low> {
        match &ast.kind {
            AstKind::Num(x) => Ok(Low::new(Expr::Num(*x), TS::SCALAR)),
            AstKind::Ident(name) => self.ident(name, ast.span.clone()),
            _ => Err(Diagnostic::new(ast.span.clone(), "syntax error").into()),
        }
    }

    #[inline(never)]
    fn lower_neg(&mut self, arg: &Ast) -> R<Low> {
        self.lower(arg).map(negate)
    }

    #[inline(never)]
    fn lower_transpose(&mut self, arg: &Ast) -> R<Low> {
        // `AX'` is A·X', as `AX` is A·X: the transpose binds to the last part of the name.
        if let Some((prefix, last)) = self.implicit_prefix(arg)? {
            let t = self.lower_transpose(&last)?;
            let at = last.span.start..last.span.start;
            return self.mul(prefix, arg.span.start..at.start, t, last.span.clone(), at);
        }
        self.lower(arg)
            .map(|a| Low::new(Expr::t(a.e), TS { r: a.s.c, c: a.s.r }))
    }

    #[inline(never)]
    fn lower_norm(&mut self, sub: NormSub, arg: &Ast) -> R<Low> {
        let f = if sub == NormSub::One {
            Func::Norm1
        } else {
            Func::Norm2
        };
        self.lower(arg)
            .map(|a| Low::new(Expr::call(f, a.e), TS::SCALAR))
    }

    #[inline(never)]
    fn lower_pow(
        &mut self,
        base: &Ast,
        elementwise: bool,
        op: &Span,
        exp: Exponent,
        exp_span: &Span,
    ) -> R<Low> {
        // `AX⁻¹`, `Ax^2` are A·X⁻¹, A·x²: the power binds to the last part of the name.
        if let Some((prefix, last)) = self.implicit_prefix(base)? {
            let p = self.lower_pow(&last, elementwise, op, exp, exp_span)?;
            let at = last.span.start..last.span.start;
            return self.mul(prefix, base.span.start..at.start, p, last.span.clone(), at);
        }
        let b = self.lower(base)?;
        self.pow(b, base, elementwise, op, exp, exp_span)
    }

    #[inline(never)]
    fn chain(&mut self, first: &Ast, rest: &[ChainLink]) -> R<Low> {
        let mut acc = self.lower(first)?;
        let mut acc_span = first.span.clone();
        for (i, link) in rest.iter().enumerate() {
            let rhs = self.lower(&link.rhs)?;
            acc = self.combine(acc, &acc_span, (i == 0).then_some(first), rhs, link)?;
            acc_span.end = link.rhs.span.end;
        }
        Ok(acc)
    }

    /// `acc op rhs` for one link of a chain.
    #[inline(never)]
    fn combine(
        &mut self,
        acc: Low,
        acc_span: &Span,
        first: Option<&Ast>,
        rhs: Low,
        link: &ChainLink,
    ) -> R<Low> {
        let acc_span = acc_span.clone();
        let op = link.op_span.clone();
        match link.op {
            BinOp::Add => self.add(acc, acc_span, first, rhs, &link.rhs, op, false),
            BinOp::Sub => self.add(acc, acc_span, first, rhs, &link.rhs, op, true),
            BinOp::Mul | BinOp::Implicit => self.mul(acc, acc_span, rhs, link.rhs.span.clone(), op),
            BinOp::Div => self.div(acc, acc_span, rhs, &link.rhs, op),
            BinOp::HadMul => self.had_mul(acc, acc_span, rhs, &link.rhs, op),
            BinOp::HadDiv => self.had_div(acc, acc_span, rhs, &link.rhs, op),
            BinOp::Kron => Ok(self.kron(acc, rhs)),
        }
    }

    /// `a / b`: division by a scalar.
    fn div(&mut self, a: Low, a_span: Span, b: Low, b_ast: &Ast, op: Span) -> R<Low> {
        if !b.s.is_scalar() {
            return Err(self
                .mismatch(
                    op,
                    format!(
                        "cannot divide by a {}: `/` divides by scalars only",
                        self.show(b.s)
                    ),
                    (&a_span, a.s),
                    (&b_ast.span, b.s),
                )
                .with_hint("for A B⁻¹ write A*inv(B); for elementwise division write ./")
                .into());
        }
        nonzero_divisor(b_ast)?;
        Ok(Low::new(Expr::Div(Rc::new(a.e), Rc::new(b.e)), a.s))
    }

    /// `a .* b`. A scalar operand is a scalar factor: `s .* M` is `s*M`, so the rules for scalar
    /// factors (not those for Hadamard products of matrices) apply.
    fn had_mul(&mut self, a: Low, a_span: Span, b: Low, b_ast: &Ast, op: Span) -> R<Low> {
        if a.s.is_scalar() || b.s.is_scalar() {
            return self.mul(a, a_span, b, b_ast.span.clone(), op);
        }
        let s = self.elementwise_shape(&a, a_span, &b, b_ast, op, "multiply elementwise")?;
        let mut terms = match a.e {
            Expr::Had(v) => v,
            e => vec![e],
        };
        match b.e {
            Expr::Had(v) => terms.extend(v),
            e => terms.push(e),
        }
        Ok(Low::new(Expr::Had(terms), s))
    }

    /// `a ./ b`. A scalar operand is a scalar factor: `M ./ s` is `M/s` and `s ./ M` is
    /// `s*(1 ./ M)`.
    fn had_div(&mut self, a: Low, a_span: Span, b: Low, b_ast: &Ast, op: Span) -> R<Low> {
        if b.s.is_scalar() {
            nonzero_divisor(b_ast)?;
            return Ok(Low::new(Expr::Div(Rc::new(a.e), Rc::new(b.e)), a.s));
        }
        if a.s.is_scalar() {
            let s = b.s;
            let ones = Expr::Ones(Rc::new(Shape::new(
                self.dims.hole(s.r),
                self.dims.hole(s.c),
            )));
            let recip = Expr::HadDiv(Rc::new(ones), Rc::new(b.e));
            if a.e.is_one() {
                return Ok(Low::new(recip, s));
            }
            return Ok(Low {
                e: Expr::Mul(vec![a.e, recip]),
                s,
                fs: vec![TS::SCALAR, s],
            });
        }
        let s = self.elementwise_shape(&a, a_span, &b, b_ast, op, "divide elementwise")?;
        Ok(Low::new(Expr::HadDiv(Rc::new(a.e), Rc::new(b.e)), s))
    }

    /// The shape of an elementwise operation of two non-scalar operands: they must agree.
    fn elementwise_shape(
        &mut self,
        a: &Low,
        a_span: Span,
        b: &Low,
        b_ast: &Ast,
        op: Span,
        what: &str,
    ) -> R<TS> {
        if self.dims.unify_shapes(a.s, b.s) {
            return Ok(a.s);
        }
        Err(self
            .mismatch(
                op,
                format!(
                    "cannot {what} a {} and a {}: the shapes differ",
                    self.show(a.s),
                    self.show(b.s)
                ),
                (&a_span, a.s),
                (&b_ast.span, b.s),
            )
            .into())
    }

    /// A shape error at an operator, with both operands labelled by their shapes.
    fn mismatch(
        &self,
        op: Span,
        message: String,
        lhs: (&Span, TS),
        rhs: (&Span, TS),
    ) -> Diagnostic {
        Diagnostic::new(op, message)
            .with_label(lhs.0.clone(), self.show(lhs.1))
            .with_label(rhs.0.clone(), self.show(rhs.1))
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        mut a: Low,
        a_span: Span,
        a_ast: Option<&Ast>,
        mut b: Low,
        b_ast: &Ast,
        op: Span,
        sub: bool,
    ) -> R<Low> {
        let verb = if sub { "subtract" } else { "add" };
        if a.s.is_scalar() != b.s.is_scalar() {
            let (scalar_ast, other) = if a.s.is_scalar() {
                (a_ast, b.s)
            } else {
                (Some(b_ast), a.s)
            };
            if let Some(AstKind::Ident(name)) = scalar_ast.map(|x| &x.strip_parens().kind) {
                let soft = self.syms.iter().any(|s| s.name == *name && s.soft);
                let kind = match (other.r == D::One, other.c == D::One) {
                    (false, true) => Some(Kind::Vector),
                    (false, false) => Some(Kind::Matrix),
                    _ => None,
                };
                if let (true, Some(kind)) = (soft, kind) {
                    // Only when this is its first use: a symbol already used as a scalar stays one.
                    if let Some(s) = self.promote(name, kind) {
                        if a.s.is_scalar() {
                            a.s = s;
                        } else {
                            b.s = s;
                        }
                        return self.add(a, a_span, a_ast, b, b_ast, op, sub);
                    }
                }
            }
            // Scalar broadcasting: `x - 1`, `X + c` add the scalar times the all-ones array of
            // the other side's shape, written out so that every step stays honest about shapes.
            if a.s.is_scalar() {
                a = self.times_ones(a, b.s);
            } else {
                b = self.times_ones(b, a.s);
            }
        }
        if !self.dims.unify_shapes(a.s, b.s) {
            let (sa, sb) = (self.show(a.s), self.show(b.s));
            let message = if sub {
                format!("cannot subtract a {sb} from a {sa}: the shapes differ")
            } else {
                format!("cannot {verb} a {sa} and a {sb}: the shapes differ")
            };
            return Err(self
                .mismatch(op, message, (&a_span, a.s), (&b_ast.span, b.s))
                .into());
        }
        let s = a.s;
        let mut terms = match a.e {
            Expr::Add(v) => v,
            e => vec![e],
        };
        if sub {
            terms.push(negate(b).e);
        } else {
            match b.e {
                Expr::Add(v) => terms.extend(v),
                e => terms.push(e),
            }
        }
        Ok(Low::new(Expr::Add(terms), s))
    }

    /// The scalar `c` as `c` times the all-ones array of shape `s` (just the ones for `c = 1`).
    fn times_ones(&mut self, c: Low, s: TS) -> Low {
        let ones = Expr::Ones(Rc::new(Shape::new(
            self.dims.hole(s.r),
            self.dims.hole(s.c),
        )));
        if c.e.is_one() {
            return Low::new(ones, s);
        }
        Low {
            e: Expr::Mul(vec![c.e, ones]),
            s,
            fs: vec![TS::SCALAR, s],
        }
    }

    pub(super) fn mul(&mut self, a: Low, a_span: Span, b: Low, b_span: Span, op: Span) -> R<Low> {
        let s = if a.s.is_scalar() {
            b.s
        } else if b.s.is_scalar() {
            a.s
        } else if self.dims.unify(a.s.c, b.s.r) {
            TS { r: a.s.r, c: b.s.c }
        } else {
            let (sa, sb) = (self.show(a.s), self.show(b.s));
            let (ia, ib) = (self.show_dim(a.s.c), self.show_dim(b.s.r));
            let hint = if a.s.c == D::One && b.s.c == D::One {
                "transpose one side with ': x'*y is an inner product, x*y' an outer product"
            } else {
                "in a product the columns of the left side must match the rows of the right side"
            };
            return Err(self
                .mismatch(
                    op,
                    format!("cannot multiply a {sa} by a {sb}: the inner dimensions {ia} and {ib} differ"),
                    (&a_span, a.s),
                    (&b_span, b.s),
                )
                .with_hint(hint)
                .into());
        };
        // Flatten products into one chain where that keeps the chain well formed.
        let a_is_mul = matches!(a.e, Expr::Mul(_));
        let b_is_mul = matches!(b.e, Expr::Mul(_));
        let sa: Vec<TS> = if a_is_mul { a.fs.clone() } else { vec![a.s] };
        let sb: Vec<TS> = if b_is_mul { b.fs.clone() } else { vec![b.s] };
        let joined = |x: &[TS], y: &[TS]| x.iter().chain(y).copied().collect::<Vec<_>>();
        let (flat_a, flat_b) = if self.dims.chain_ok(&joined(&sa, &sb)) {
            (true, true)
        } else if self.dims.chain_ok(&joined(&sa, &[b.s])) {
            (true, false)
        } else if self.dims.chain_ok(&joined(&[a.s], &sb)) {
            (false, true)
        } else {
            (false, false)
        };
        let (mut es, mut fs) = if flat_a {
            a.factors()
        } else {
            (vec![a.e], vec![a.s])
        };
        let (eb, fb) = if flat_b {
            b.factors()
        } else {
            (vec![b.e], vec![b.s])
        };
        es.extend(eb);
        fs.extend(fb);
        Ok(Low {
            e: Expr::Mul(es),
            s,
            fs,
        })
    }

    /// Makes `s` square (tr, det, inv, …) or reports that it cannot be.
    fn square(&mut self, s: TS, what: &str, at: Span, arg_span: Span) -> R<()> {
        if self.dims.unify(s.r, s.c) {
            return Ok(());
        }
        let shown = self.show(s);
        Err(Diagnostic::new(
            at,
            format!("{what} needs a square matrix, but its argument is a {shown}"),
        )
        .with_label(arg_span, shown)
        .into())
    }

    fn pow(
        &mut self,
        b: Low,
        base: &Ast,
        elementwise: bool,
        op: &Span,
        exp: Exponent,
        exp_span: &Span,
    ) -> R<Low> {
        let c = match exp {
            Exponent::Transpose => return Ok(Low::new(Expr::t(b.e), TS { r: b.s.c, c: b.s.r })),
            Exponent::Invalid => {
                return Err(
                    Diagnostic::new(exp_span.clone(), "the exponent must be a number").into(),
                )
            }
            Exponent::Const(c) => c,
        };
        if elementwise {
            return Ok(Low::new(Expr::HadPow(Rc::new(b.e), c), b.s));
        }
        if b.s.is_scalar() {
            return Ok(Low::new(Expr::Pow(Rc::new(b.e), c), b.s));
        }
        let shown = self.show(b.s);
        if b.s.r == D::One || b.s.c == D::One {
            return Err(Diagnostic::new(op.clone(), format!("cannot raise a {shown} to a power"))
                .with_label(base.span.clone(), shown)
                .with_hint("for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2")
                .into());
        }
        if c.fract() != 0.0 {
            return Err(Diagnostic::new(
                exp_span.clone(),
                format!("a matrix can only be raised to an integer power, not {c}"),
            )
            .with_label(base.span.clone(), shown)
            .with_hint(format!("for elementwise powers write .^{c}"))
            .into());
        }
        if c.abs() > MAX_MATRIX_POWER {
            return Err(Diagnostic::new(
                exp_span.clone(),
                format!("matrix powers are limited to ±{MAX_MATRIX_POWER}, not {c}"),
            )
            .into());
        }
        self.square(b.s, "a matrix power", op.clone(), base.span.clone())?;
        let s = b.s;
        Ok(match c {
            0.0 => Low::new(Expr::Eye(self.dims.hole(s.r)), s),
            1.0 => b,
            -1.0 => Low::new(Expr::inv(b.e), s),
            c if c >= 2.0 => Low::new(Expr::Pow(Rc::new(b.e), c), s),
            c => Low::new(Expr::inv(Expr::Pow(Rc::new(b.e), -c)), s),
        })
    }

    #[inline(never)]
    fn call(&mut self, name: &str, name_span: &Span, args: &[Ast], span: &Span) -> R<Low> {
        match name {
            "eye" => return self.eye_call(args, span.clone()),
            "vector" | "matrix" => return self.ones_call(name, args, span.clone()),
            _ => {}
        }
        // `inv` and `logdet` are no functions of the table (inv is a node, logdet its row under
        // another name); every other name has its row, with its arity.
        let arity = match name {
            "inv" | "logdet" => 1,
            _ => Func::from_name(name).map_or(1, |f| f.info().arity),
        };
        if args.len() != arity {
            return Err(bad_arity(name, name_span, args, arity, span));
        }
        if let [a, b] = args {
            return self.call2(name, a, b);
        }
        let [arg] = args else {
            return Err(bad_arity(name, name_span, args, arity, span));
        };
        // log(det(X)) and log det(X) are logdet(X).
        if name == "log" || name == "ln" {
            if let AstKind::Call {
                name: inner,
                name_span: inner_span,
                args: inner_args,
                ..
            } = &arg.strip_parens().kind
            {
                if let ("det", [x]) = (inner.as_str(), inner_args.as_slice()) {
                    return self.log_det(inner_span, x);
                }
            }
        }
        let a = self.lower(arg)?;
        self.apply(name, name_span, a, arg)
    }

    /// A function of two arguments: the Kronecker product, of size (mp)×(nq) for an m×n and a
    /// p×q argument.
    #[inline(never)]
    fn call2(&mut self, name: &str, a: &Ast, b: &Ast) -> R<Low> {
        let f = Func::from_name(name).unwrap_or(Func::Kron);
        let (a, b) = (self.lower(a)?, self.lower(b)?);
        match f.info().typing {
            Typing::Kronecker => Ok(self.kron(a, b)),
            _ => Err(Diagnostic::new(
                0..0,
                format!("internal: `{name}` has no typing of two arguments"),
            )
            .into()),
        }
    }

    /// `kron(a, b)`, also written `a ⊗ b`: an m×n and a p×q argument give (mp)×(nq).
    fn kron(&mut self, a: Low, b: Low) -> Low {
        let r = self.dims.product(a.s.r, b.s.r);
        let c = self.dims.product(a.s.c, b.s.c);
        Low::new(Expr::call2(Func::Kron, a.e, b.e), TS { r, c })
    }

    #[inline(never)]
    fn log_det(&mut self, det_span: &Span, x: &Ast) -> R<Low> {
        let a = self.lower(x)?;
        self.square(a.s, "log det", det_span.clone(), x.span.clone())?;
        Ok(Low::new(Expr::call(Func::LogDet, a.e), TS::SCALAR))
    }

    /// Applies the function `name` to its lowered argument.
    #[inline(never)]
    fn apply(&mut self, name: &str, name_span: &Span, a: Low, arg: &Ast) -> R<Low> {
        let at = name_span.clone();
        let arg_span = arg.span.clone();
        if name == "inv" {
            self.square(a.s, "inv", at, arg_span)?;
            let s = a.s;
            return Ok(Low::new(Expr::inv(a.e), s));
        }
        let f = if name == "logdet" {
            Func::LogDet
        } else {
            Func::from_name(name).unwrap_or(Func::Exp)
        };
        match f.info().typing {
            Typing::SquareToScalar => {
                self.square(a.s, &format!("`{name}`"), at, arg_span)?;
                Ok(Low::new(Expr::call(f, a.e), TS::SCALAR))
            }
            Typing::SquareToSquare => {
                self.square(a.s, &format!("`{name}`"), at, arg_span)?;
                let s = a.s;
                Ok(Low::new(Expr::call(f, a.e), s))
            }
            Typing::AnyToScalar => Ok(Low::new(Expr::call(f, a.e), TS::SCALAR)),
            Typing::VectorToVector => {
                let s = a.s;
                if !self.dims.unify(s.c, D::One) {
                    let shown = self.show(s);
                    return Err(Diagnostic::new(
                        at,
                        format!("`{name}` takes a column vector, not a {shown}"),
                    )
                    .with_label(arg_span, shown)
                    .into());
                }
                Ok(Low::new(Expr::call(f, a.e), s))
            }
            Typing::VectorToDiagonal | Typing::DiagonalOf => {
                let s = a.s;
                if s.is_scalar() || s.r == D::One {
                    let shown = self.show(s);
                    return Err(Diagnostic::new(
                        at,
                        format!("diag takes a column vector or a square matrix, not a {shown}"),
                    )
                    .with_label(arg_span, shown)
                    .into());
                }
                if s.c == D::One {
                    Ok(Low::new(Expr::call(Func::Diag, a.e), TS { r: s.r, c: s.r }))
                } else {
                    self.square(s, "diag of a matrix", at, arg_span)?;
                    Ok(Low::new(
                        Expr::call(Func::DiagOf, a.e),
                        TS { r: s.r, c: D::One },
                    ))
                }
            }
            Typing::Elementwise => {
                let s = a.s;
                Ok(Low::new(Expr::call(f, a.e), s))
            }
            // Two arguments: `call` checked the count, so this is not reached.
            Typing::Kronecker => {
                Err(Diagnostic::new(at, format!("`{name}` takes two arguments")).into())
            }
        }
    }

    fn eye_call(&mut self, args: &[Ast], span: Span) -> R<Low> {
        match args {
            [] => Ok(self.eye()),
            [a] => match fold_const(a) {
                Some(k) if k.fract() == 0.0 && (2.0..=MAX_DIM as f64).contains(&k) => {
                    let n = D::Num(k as usize);
                    Ok(Low::new(Expr::Eye(Dim::Num(k as usize)), TS { r: n, c: n }))
                }
                _ => Err(Diagnostic::new(
                    a.span.clone(),
                    "the size of eye(·) must be a whole number from 2 to 1000",
                )
                .with_hint("or write I (or eye) alone and let the size be inferred")
                .into()),
            },
            _ => Err(Diagnostic::new(span, "eye takes at most one argument, its size").into()),
        }
    }

    fn ones_call(&mut self, name: &str, args: &[Ast], span: Span) -> R<Low> {
        let c = match args {
            [] => 1.0,
            [a] => match fold_const(a) {
                Some(c) => c,
                None => {
                    return Err(Diagnostic::new(
                        a.span.clone(),
                        format!("{name}(c) takes a number c"),
                    )
                    .with_hint(format!(
                        "{name}(c) is the {name} with every entry c, of inferred size"
                    ))
                    .into())
                }
            },
            _ => return Err(Diagnostic::new(span, format!("{name}(c) takes one number")).into()),
        };
        let s = if name == "vector" {
            TS {
                r: self.dims.fresh(),
                c: D::One,
            }
        } else {
            TS {
                r: self.dims.fresh(),
                c: self.dims.fresh(),
            }
        };
        let ones = Expr::Ones(Rc::new(Shape::new(
            self.dims.hole(s.r),
            self.dims.hole(s.c),
        )));
        if c == 1.0 {
            return Ok(Low::new(ones, s));
        }
        Ok(Low {
            e: Expr::Mul(vec![Expr::Num(c), ones]),
            s,
            fs: vec![TS::SCALAR, s],
        })
    }
}

/// A call with the wrong number of arguments: the extra arguments marked, or the whole call
/// when some are missing, with the call's name labelled.
#[cold]
#[inline(never)]
fn bad_arity(name: &str, name_span: &Span, args: &[Ast], arity: usize, call: &Span) -> Fail {
    let count = |n: usize| match n {
        1 => "one argument".to_string(),
        2 => "two arguments".to_string(),
        n => format!("{n} arguments"),
    };
    let example = match arity {
        1 => format!("{name}(X)"),
        _ => format!("{name}(A, B)"),
    };
    if args.is_empty() && arity == 1 {
        return Diagnostic::new(name_span.clone(), format!("`{name}` needs an argument"))
            .with_hint(format!("write it like {example}"))
            .into();
    }
    if args.len() > arity {
        let first = &args[arity].span;
        let extra = first.start..args.last().map_or(first.end, |a| a.span.end);
        return Diagnostic::new(extra, format!("`{name}` takes {}", count(arity)))
            .with_label(name_span.clone(), format!("`{name}` is called here"))
            .into();
    }
    Diagnostic::new(
        call.clone(),
        format!(
            "`{name}` takes {}, but it is given {}",
            count(arity),
            match args.len() {
                0 => "none".to_string(),
                n => count(n),
            }
        ),
    )
    .with_label(name_span.clone(), format!("`{name}` is called here"))
    .with_hint(format!("write it like {example}"))
    .into()
}

/// `-e`: a negated number, or `-1` prepended to the product.
fn negate(a: Low) -> Low {
    if let Expr::Num(x) = a.e {
        return Low::new(Expr::Num(-x), a.s);
    }
    let s = a.s;
    let (mut es, mut fs) = (vec![Expr::Num(-1.0)], vec![TS::SCALAR]);
    let (e2, f2) = a.factors();
    es.extend(e2);
    fs.extend(f2);
    Low {
        e: Expr::Mul(es),
        s,
        fs,
    }
}

/// Refuses a divisor that is a literal zero (`a/0`, `x./(1-1)`), where it is written.
fn nonzero_divisor(divisor: &Ast) -> Result<(), Diagnostic> {
    if fold_const(divisor) == Some(0.0) {
        return Err(Diagnostic::new(divisor.span.clone(), "division by zero")
            .with_hint("f is undefined everywhere: divide by a nonzero number"));
    }
    Ok(())
}
