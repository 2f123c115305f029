//! The table of functions: per [`Func`] its names, arity, typing, LaTeX, derivative, numeric
//! evaluation and sampling domain. Every other layer reads a function's behaviour from here.

use crate::build::{add, mul};
use crate::ctx::Ctx;
use crate::derive::{epow, one_like};
use crate::expr::{Expr, Func};
use crate::numeric::eval::{logdet, scalar, shape_str, EvalError, M};
use crate::rules::{self, Rule};

/// One row of the table: everything the engine knows about a function.
pub struct FuncInfo {
    pub func: Func,
    /// The name the printers write (`f.name()`).
    pub name: &'static str,
    /// The names the parser accepts for it, the printed name first where it is accepted
    /// (`diag` of a matrix is [`Func::DiagOf`], chosen by lowering, so that row accepts none).
    pub accepts: &'static [&'static str],
    /// Number of arguments.
    pub arity: usize,
    /// Which argument shapes it takes and the shape it gives.
    pub typing: Typing,
    /// How the LaTeX printer writes a call.
    pub latex: Latex,
    /// How the differentiation phase pushes d(·) through a call.
    pub derivative: Derivative,
    /// Its value at a numeric argument.
    pub eval: Eval,
    /// What the sampler must respect in its argument.
    pub domain: Domain,
    /// What a numeric error message calls a call of it ("a trace", "exp").
    pub what: &'static str,
}

/// Argument shape → result shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typing {
    /// Entry by entry: any shape, the same shape back.
    Elementwise,
    /// A square matrix to a scalar.
    SquareToScalar,
    /// Any shape to a scalar.
    AnyToScalar,
    /// A column vector to the diagonal matrix with it on the diagonal.
    VectorToDiagonal,
    /// A square matrix to the column vector of its diagonal.
    DiagonalOf,
    /// A square matrix to a matrix of the same shape.
    SquareToSquare,
    /// A column vector to a column vector of the same size.
    VectorToVector,
    /// Two matrices, m×n and p×q, to their Kronecker product, (mp)×(nq).
    Kronecker,
}

impl Typing {
    /// How many arguments a function of this typing takes.
    pub fn arity(self) -> usize {
        match self {
            Typing::Kronecker => 2,
            _ => 1,
        }
    }
}

/// The LaTeX of a call. Delimiters are sized to the argument (`\left( … \right)`) only when it
/// is tall (see `print`); the table names the plain ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latex {
    /// An operator name before the argument in parentheses.
    Operator(&'static str),
    /// The argument inside a construct of its own, always taller than a line of text (`\sqrt{…}`).
    Around(&'static str, &'static str),
    /// The argument between vertical bars, single (`|x|`) or double (`‖x‖`), then a subscript.
    Bars { double: bool, sub: &'static str },
    /// `‖ … ‖_2` for a vector, `_F` for a matrix.
    Norm2,
    /// The operator between the arguments (`A \otimes B`), each operand in parentheses unless it
    /// is an atom, a postfix form or a differential (`A \otimes \mathrm{d}X`).
    Infix(&'static str),
}

/// How d(·) goes through a call.
#[derive(Clone, Copy)]
pub enum Derivative {
    /// An elementwise function: f'(a), of the shape of `a`, for d f(a) = f'(a) ⊙ da.
    Elementwise(fn(&Expr, Ctx) -> Expr),
    /// A matrix function, differentiated by this rule of the catalog.
    Rule(Rule),
}

/// How a call is evaluated.
#[derive(Clone, Copy)]
pub enum Eval {
    /// Entry by entry.
    Entry(fn(f64) -> Result<f64, EvalError>),
    /// On the whole argument.
    Matrix(fn(M) -> Result<M, EvalError>),
    /// On two whole arguments.
    Matrix2(fn(&M, &M) -> Result<M, EvalError>),
}

/// What the sampler must respect in the argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Anything.
    Any,
    /// Positive entries (log, sqrt).
    Positive,
    /// Entries inside (−1, 1) and away from the poles of tan.
    Bounded,
    /// Invertible: a square matrix positive definite, a scalar positive (det, logdet, adj,
    /// whose differentials hold the inverse).
    Invertible,
    /// Not differentiable at 0: samples near it are rejected (abs, sign, relu, step, norm1).
    Kink,
    /// Entries above −1 (log1p); sampled inside (−1, 1) like [`Domain::Bounded`].
    AboveMinusOne,
}

impl Func {
    /// Whether the function acts entry by entry.
    pub fn is_elementwise(self) -> bool {
        self.info().typing == Typing::Elementwise
    }

    /// The name in the input language (what [`Func::from_name`] accepts first).
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Looks up a function name of the input language. `diag` maps to [`Func::Diag`];
    /// lowering turns it into [`Func::DiagOf`] when the argument is a matrix.
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL
            .iter()
            .copied()
            .find(|f| f.info().accepts.contains(&name))
    }
}

/// Every name the parser accepts for a function of the table, in table order.
pub fn accepted_names() -> impl Iterator<Item = &'static str> {
    Func::ALL
        .iter()
        .flat_map(|f| f.info().accepts.iter().copied())
}

// The rows. Adding a [`Func`] variant means adding a row here (`expr.rs` names it), and every
// column is a required field.

use Derivative::{Elementwise as Df, Rule as ByRule};
use Eval::{Entry, Matrix};
use Latex::{Around, Operator};

pub static TR: FuncInfo = FuncInfo {
    func: Func::Tr,
    name: "tr",
    accepts: &["tr", "Tr", "trace"],
    arity: 1,
    typing: Typing::SquareToScalar,
    latex: Operator(r"\operatorname{Tr}"),
    derivative: ByRule(rules::TRACE),
    eval: Matrix(trace),
    domain: Domain::Any,
    what: "a trace",
};
pub static DET: FuncInfo = FuncInfo {
    func: Func::Det,
    name: "det",
    accepts: &["det"],
    arity: 1,
    typing: Typing::SquareToScalar,
    latex: Operator(r"\det"),
    derivative: ByRule(rules::DETERMINANT),
    eval: Matrix(det),
    domain: Domain::Invertible,
    what: "a determinant",
};
pub static LOG_DET: FuncInfo = FuncInfo {
    func: Func::LogDet,
    name: "logdet",
    accepts: &["logdet"],
    arity: 1,
    typing: Typing::SquareToScalar,
    latex: Operator(r"\log\det"),
    derivative: ByRule(rules::LOG_DET),
    eval: Matrix(log_det),
    domain: Domain::Invertible,
    what: "a log-determinant",
};
pub static SUM: FuncInfo = FuncInfo {
    func: Func::Sum,
    name: "sum",
    accepts: &["sum"],
    arity: 1,
    typing: Typing::AnyToScalar,
    latex: Operator(r"\operatorname{sum}"),
    derivative: ByRule(rules::SUM),
    eval: Matrix(|a| Ok(scalar(a.sum()))),
    domain: Domain::Any,
    what: "a sum of entries",
};
pub static MEAN: FuncInfo = FuncInfo {
    func: Func::Mean,
    name: "mean",
    accepts: &["mean"],
    arity: 1,
    typing: Typing::AnyToScalar,
    latex: Operator(r"\operatorname{mean}"),
    derivative: ByRule(rules::MEAN),
    eval: Matrix(mean),
    domain: Domain::Any,
    what: "a mean of entries",
};
pub static LOG_SUM_EXP: FuncInfo = FuncInfo {
    func: Func::LogSumExp,
    name: "logsumexp",
    accepts: &["logsumexp"],
    arity: 1,
    typing: Typing::AnyToScalar,
    latex: Operator(r"\operatorname{logsumexp}"),
    derivative: ByRule(rules::LOG_SUM_EXP),
    eval: Matrix(log_sum_exp),
    domain: Domain::Any,
    what: "a log-sum-exp",
};
pub static SOFTMAX: FuncInfo = FuncInfo {
    func: Func::Softmax,
    name: "softmax",
    accepts: &["softmax"],
    arity: 1,
    typing: Typing::VectorToVector,
    latex: Operator(r"\operatorname{softmax}"),
    derivative: ByRule(rules::SOFTMAX),
    eval: Matrix(softmax),
    domain: Domain::Any,
    what: "a softmax",
};
pub static NORM1: FuncInfo = FuncInfo {
    func: Func::Norm1,
    name: "norm1",
    accepts: &["norm1"],
    arity: 1,
    typing: Typing::AnyToScalar,
    latex: Latex::Bars {
        double: true,
        sub: "_1",
    },
    derivative: ByRule(rules::NORM1),
    eval: Matrix(|a| Ok(scalar(a.iter().map(|x| x.abs()).sum()))),
    domain: Domain::Kink,
    what: "a norm",
};
pub static NORM2: FuncInfo = FuncInfo {
    func: Func::Norm2,
    name: "norm2",
    accepts: &["norm2", "norm"],
    arity: 1,
    typing: Typing::AnyToScalar,
    latex: Latex::Norm2,
    derivative: ByRule(rules::NORM),
    eval: Matrix(|a| Ok(scalar(a.norm()))),
    domain: Domain::Any,
    what: "a norm",
};
pub static DIAG: FuncInfo = FuncInfo {
    func: Func::Diag,
    name: "diag",
    accepts: &["diag"],
    arity: 1,
    typing: Typing::VectorToDiagonal,
    latex: Operator(r"\operatorname{diag}"),
    derivative: ByRule(rules::DIAG),
    eval: Matrix(diag),
    domain: Domain::Any,
    what: "diag",
};
pub static DIAG_OF: FuncInfo = FuncInfo {
    func: Func::DiagOf,
    name: "diag",
    accepts: &[],
    arity: 1,
    typing: Typing::DiagonalOf,
    latex: Operator(r"\operatorname{diag}"),
    derivative: ByRule(rules::DIAG),
    eval: Matrix(diag_of),
    domain: Domain::Any,
    what: "diag",
};
pub static ADJ: FuncInfo = FuncInfo {
    func: Func::Adj,
    name: "adj",
    accepts: &["adj"],
    arity: 1,
    typing: Typing::SquareToSquare,
    latex: Operator(r"\operatorname{adj}"),
    derivative: ByRule(rules::ADJUGATE),
    eval: Matrix(adjugate),
    domain: Domain::Invertible,
    what: "an adjugate",
};
pub static KRON: FuncInfo = FuncInfo {
    func: Func::Kron,
    name: "kron",
    accepts: &["kron"],
    arity: 2,
    typing: Typing::Kronecker,
    latex: Latex::Infix(r" \otimes "),
    derivative: ByRule(rules::KRONECKER),
    eval: Eval::Matrix2(kron),
    domain: Domain::Any,
    what: "a Kronecker product",
};
pub static EXP: FuncInfo = FuncInfo {
    func: Func::Exp,
    name: "exp",
    accepts: &["exp"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\exp"),
    derivative: Df(|a, _| Expr::call(Func::Exp, a.clone())),
    eval: Entry(|x| Ok(x.exp())),
    domain: Domain::Any,
    what: "exp",
};
pub static LOG: FuncInfo = FuncInfo {
    func: Func::Log,
    name: "log",
    accepts: &["log", "ln"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\log"),
    derivative: Df(|a, ctx| epow(a.clone(), -1.0, ctx.is_scalar(a))),
    eval: Entry(log),
    domain: Domain::Positive,
    what: "an elementwise function",
};
pub static SIN: FuncInfo = FuncInfo {
    func: Func::Sin,
    name: "sin",
    accepts: &["sin"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\sin"),
    derivative: Df(|a, _| Expr::call(Func::Cos, a.clone())),
    eval: Entry(|x| Ok(x.sin())),
    domain: Domain::Any,
    what: "an elementwise function",
};
pub static COS: FuncInfo = FuncInfo {
    func: Func::Cos,
    name: "cos",
    accepts: &["cos"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\cos"),
    derivative: Df(|a, _| Expr::neg(Expr::call(Func::Sin, a.clone()))),
    eval: Entry(|x| Ok(x.cos())),
    domain: Domain::Any,
    what: "an elementwise function",
};
pub static TAN: FuncInfo = FuncInfo {
    func: Func::Tan,
    name: "tan",
    accepts: &["tan"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\tan"),
    derivative: Df(|a, ctx| epow(Expr::call(Func::Cos, a.clone()), -2.0, ctx.is_scalar(a))),
    eval: Entry(|x| Ok(x.tan())),
    domain: Domain::Bounded,
    what: "tan",
};
pub static ASIN: FuncInfo = FuncInfo {
    func: Func::Asin,
    name: "arcsin",
    accepts: &["arcsin", "asin"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\arcsin"),
    derivative: Df(|a, ctx| epow(one_minus_square(a, ctx), -0.5, ctx.is_scalar(a))),
    eval: Entry(asin),
    domain: Domain::Bounded,
    what: "an elementwise function",
};
pub static ACOS: FuncInfo = FuncInfo {
    func: Func::Acos,
    name: "arccos",
    accepts: &["arccos", "acos"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\arccos"),
    derivative: Df(|a, ctx| Expr::neg(epow(one_minus_square(a, ctx), -0.5, ctx.is_scalar(a)))),
    eval: Entry(acos),
    domain: Domain::Bounded,
    what: "an elementwise function",
};
pub static ATAN: FuncInfo = FuncInfo {
    func: Func::Atan,
    name: "arctan",
    accepts: &["arctan", "atan"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\arctan"),
    derivative: Df(|a, ctx| {
        let scalar = ctx.is_scalar(a);
        let one = one_like(&ctx.shape(a));
        epow(add(vec![one, epow(a.clone(), 2.0, scalar)]), -1.0, scalar)
    }),
    eval: Entry(|x| Ok(x.atan())),
    domain: Domain::Any,
    what: "an elementwise function",
};
pub static TANH: FuncInfo = FuncInfo {
    func: Func::Tanh,
    name: "tanh",
    accepts: &["tanh"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\tanh"),
    derivative: Df(|a, ctx| {
        let scalar = ctx.is_scalar(a);
        let one = one_like(&ctx.shape(a));
        add(vec![
            one,
            Expr::neg(epow(Expr::call(Func::Tanh, a.clone()), 2.0, scalar)),
        ])
    }),
    eval: Entry(|x| Ok(x.tanh())),
    domain: Domain::Any,
    what: "tanh",
};
pub static SQRT: FuncInfo = FuncInfo {
    func: Func::Sqrt,
    name: "sqrt",
    accepts: &["sqrt"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Around(r"\sqrt{", "}"),
    derivative: Df(|a, ctx| {
        mul(
            ctx,
            vec![Expr::Num(0.5), epow(a.clone(), -0.5, ctx.is_scalar(a))],
        )
    }),
    eval: Entry(sqrt),
    domain: Domain::Positive,
    what: "an elementwise function",
};
pub static ABS: FuncInfo = FuncInfo {
    func: Func::Abs,
    name: "abs",
    accepts: &["abs"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Latex::Bars {
        double: false,
        sub: "",
    },
    derivative: Df(|a, _| Expr::call(Func::Sign, a.clone())),
    eval: Entry(|x| Ok(x.abs())),
    domain: Domain::Kink,
    what: "an elementwise function",
};
// sign and step are flat away from their jump.
pub static SIGN: FuncInfo = FuncInfo {
    func: Func::Sign,
    name: "sign",
    accepts: &["sign"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\operatorname{sign}"),
    derivative: Df(|_, _| Expr::Num(0.0)),
    eval: Entry(sign),
    domain: Domain::Kink,
    what: "an elementwise function",
};
pub static RELU: FuncInfo = FuncInfo {
    func: Func::Relu,
    name: "relu",
    accepts: &["relu"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\operatorname{relu}"),
    derivative: Df(|a, _| Expr::call(Func::Step, a.clone())),
    eval: Entry(|x| Ok(x.max(0.0))),
    domain: Domain::Kink,
    what: "an elementwise function",
};
pub static STEP: FuncInfo = FuncInfo {
    func: Func::Step,
    name: "step",
    accepts: &["step"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\operatorname{step}"),
    derivative: Df(|_, _| Expr::Num(0.0)),
    eval: Entry(|x| Ok(if x > 0.0 { 1.0 } else { 0.0 })),
    domain: Domain::Kink,
    what: "an elementwise function",
};

pub static SIGMOID: FuncInfo = FuncInfo {
    func: Func::Sigmoid,
    name: "sigmoid",
    accepts: &["sigmoid"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\operatorname{sigmoid}"),
    // σ' = σ ⊙ (1 − σ).
    derivative: Df(|a, ctx| {
        let s = || Expr::call(Func::Sigmoid, a.clone());
        let rest = add(vec![one_like(&ctx.shape(a)), Expr::neg(s())]);
        if ctx.is_scalar(a) {
            mul(ctx, vec![s(), rest])
        } else {
            Expr::Had(vec![s(), rest])
        }
    }),
    eval: Entry(|x| Ok(sigmoid(x))),
    domain: Domain::Any,
    what: "an elementwise function",
};
pub static SOFTPLUS: FuncInfo = FuncInfo {
    func: Func::Softplus,
    name: "softplus",
    accepts: &["softplus"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\operatorname{softplus}"),
    derivative: Df(|a, _| Expr::call(Func::Sigmoid, a.clone())),
    eval: Entry(|x| Ok(softplus(x))),
    domain: Domain::Any,
    what: "an elementwise function",
};
pub static LOG1P: FuncInfo = FuncInfo {
    func: Func::Log1p,
    name: "log1p",
    accepts: &["log1p"],
    arity: 1,
    typing: Typing::Elementwise,
    latex: Operator(r"\operatorname{log1p}"),
    derivative: Df(|a, ctx| {
        let scalar = ctx.is_scalar(a);
        epow(add(vec![one_like(&ctx.shape(a)), a.clone()]), -1.0, scalar)
    }),
    eval: Entry(log1p),
    domain: Domain::AboveMinusOne,
    what: "an elementwise function",
};

/// 1 − a², elementwise (the radicand of arcsin' and arccos').
fn one_minus_square(a: &Expr, ctx: Ctx) -> Expr {
    let one = one_like(&ctx.shape(a));
    add(vec![one, Expr::neg(epow(a.clone(), 2.0, ctx.is_scalar(a)))])
}

fn square(a: &M, what: &str) -> Result<(), EvalError> {
    if a.is_square() {
        Ok(())
    } else {
        Err(EvalError::Shape(format!(
            "{what} of a non-square {} matrix",
            shape_str(a)
        )))
    }
}

fn trace(a: M) -> Result<M, EvalError> {
    square(&a, "trace")?;
    Ok(scalar(a.trace()))
}

fn det(a: M) -> Result<M, EvalError> {
    square(&a, "determinant")?;
    Ok(scalar(a.lu().determinant()))
}

fn log_det(a: M) -> Result<M, EvalError> {
    square(&a, "log-determinant")?;
    Ok(scalar(logdet(a)?))
}

/// A ⊗ B, refused when it would be larger than the evaluator's largest size.
fn kron(a: &M, b: &M) -> Result<M, EvalError> {
    let rows = a.nrows().saturating_mul(b.nrows());
    let cols = a.ncols().saturating_mul(b.ncols());
    if rows > crate::numeric::MAX_SIZE || cols > crate::numeric::MAX_SIZE {
        return Err(EvalError::Domain(format!(
            "a Kronecker product of {} and {} matrices is larger than {max}×{max}",
            shape_str(a),
            shape_str(b),
            max = crate::numeric::MAX_SIZE
        )));
    }
    Ok(a.kronecker(b))
}

fn diag(a: M) -> Result<M, EvalError> {
    if a.ncols() != 1 {
        return Err(EvalError::Shape(format!(
            "diag of a {} matrix, not a vector",
            shape_str(&a)
        )));
    }
    Ok(M::from_diagonal(&a.column(0).into_owned()))
}

fn diag_of(a: M) -> Result<M, EvalError> {
    square(&a, "diagonal")?;
    let d = a.diagonal();
    Ok(M::from_iterator(d.len(), 1, d.iter().copied()))
}

/// Above this size the adjugate of a singular matrix is not computed by cofactors.
const MAX_COFACTOR_SIZE: usize = 12;

/// adj A: det(A)·A⁻¹ when A is invertible, else by cofactors, (adj A)ᵢⱼ = (−1)ⁱ⁺ʲ det(A without
/// row j and column i).
fn adjugate(a: M) -> Result<M, EvalError> {
    square(&a, "adjugate")?;
    let n = a.nrows();
    if n == 1 {
        return Ok(scalar(1.0));
    }
    let lu = a.clone().lu();
    let det = lu.determinant();
    if det != 0.0 {
        if let Some(inv) = lu.try_inverse() {
            return Ok(inv * det);
        }
    }
    if n > MAX_COFACTOR_SIZE {
        return Err(EvalError::Domain(format!(
            "adjugate of a singular matrix larger than {MAX_COFACTOR_SIZE}×{MAX_COFACTOR_SIZE}"
        )));
    }
    Ok(M::from_fn(n, n, |i, j| {
        let minor = a.clone().remove_row(j).remove_column(i);
        let sign = if (i + j) % 2 == 0 { 1.0 } else { -1.0 };
        sign * minor.determinant()
    }))
}

/// The mean of the entries (an empty matrix has none: refused rather than NaN).
fn mean(a: M) -> Result<M, EvalError> {
    if a.is_empty() {
        return Err(EvalError::Shape("mean of an empty matrix".into()));
    }
    Ok(scalar(a.sum() / a.len() as f64))
}

/// log Σ exp(a) = m + log Σ exp(a − m), m the largest entry: no overflow, and the sum is at
/// least 1. An empty matrix, or one with an entry that is not a number, is refused.
fn log_sum_exp(a: M) -> Result<M, EvalError> {
    let m = stable_max(&a, "logsumexp")?;
    if m.is_infinite() {
        return Ok(scalar(m));
    }
    Ok(scalar(
        m + a.iter().map(|x| (x - m).exp()).sum::<f64>().ln(),
    ))
}

/// exp(a − m) / Σ exp(a − m), m the largest entry: the same value as exp(a) / Σ exp(a),
/// computed without overflow.
fn softmax(a: M) -> Result<M, EvalError> {
    let m = stable_max(&a, "softmax")?;
    if m.is_infinite() {
        return Err(EvalError::Domain("softmax of an infinite entry".into()));
    }
    let e = a.map(|x| (x - m).exp());
    let total = e.sum();
    Ok(e / total)
}

/// The largest entry, for the stable forms of logsumexp and softmax.
fn stable_max(a: &M, name: &str) -> Result<f64, EvalError> {
    if a.is_empty() {
        return Err(EvalError::Shape(format!("{name} of an empty matrix")));
    }
    if a.iter().any(|x| x.is_nan()) {
        return Err(EvalError::Domain(format!(
            "{name} of an entry that is not a number"
        )));
    }
    Ok(a.max())
}

/// 1/(1 + e⁻ˣ), with the exponential taken of −|x| only, so it never overflows.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)): no overflow for large x, no loss for small.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn log1p(x: f64) -> Result<f64, EvalError> {
    if x > -1.0 {
        Ok(x.ln_1p())
    } else {
        Err(EvalError::Domain("log1p of an entry not above -1".into()))
    }
}

fn log(x: f64) -> Result<f64, EvalError> {
    if x > 0.0 {
        Ok(x.ln())
    } else {
        Err(EvalError::Domain("log of a non-positive entry".into()))
    }
}

fn asin(x: f64) -> Result<f64, EvalError> {
    if (-1.0..=1.0).contains(&x) {
        Ok(x.asin())
    } else {
        Err(EvalError::Domain(
            "arcsin of an entry outside [-1, 1]".into(),
        ))
    }
}

fn acos(x: f64) -> Result<f64, EvalError> {
    if (-1.0..=1.0).contains(&x) {
        Ok(x.acos())
    } else {
        Err(EvalError::Domain(
            "arccos of an entry outside [-1, 1]".into(),
        ))
    }
}

fn sqrt(x: f64) -> Result<f64, EvalError> {
    if x >= 0.0 {
        Ok(x.sqrt())
    } else {
        Err(EvalError::Domain("square root of a negative entry".into()))
    }
}

/// The sign of 0 is 0 (`f64::signum(0.0)` is 1).
fn sign(x: f64) -> Result<f64, EvalError> {
    Ok(if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function has a row of its own, and the columns agree with each other.
    #[test]
    fn every_function_has_a_consistent_row() {
        for (i, &f) in Func::ALL.iter().enumerate() {
            let row = f.info();
            assert_eq!(row.func, f, "the row of {f:?} is another function's");
            assert!(!Func::ALL[i + 1..].contains(&f), "{f:?} listed twice");
            assert!(!row.name.is_empty() && !row.what.is_empty(), "{f:?}");
            assert_eq!(
                row.arity,
                row.typing.arity(),
                "{f:?}: the arity is the typing's"
            );
            assert_eq!(
                row.arity == 2,
                matches!(row.eval, Eval::Matrix2(_)),
                "{f:?}: a function of two arguments is evaluated on two matrices"
            );
            let elementwise = row.typing == Typing::Elementwise;
            assert_eq!(
                elementwise,
                matches!(row.derivative, Derivative::Elementwise(_)),
                "{f:?}: an elementwise typing goes with f', a matrix typing with a rule"
            );
            assert_eq!(
                elementwise,
                matches!(row.eval, Eval::Entry(_)),
                "{f:?}: an elementwise typing goes with an entry evaluation"
            );
            if let Derivative::Rule(r) = row.derivative {
                assert_eq!(
                    rules::by_id(r.id),
                    Some(r),
                    "{f:?}: rule not in the catalog"
                );
            }
            for name in row.accepts {
                assert!(
                    name.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{f:?}: {name}"
                );
                assert_eq!(
                    Func::from_name(name),
                    Some(f),
                    "{name} names another function"
                );
            }
            if f != Func::DiagOf {
                assert_eq!(row.accepts.first(), Some(&row.name), "{f:?}");
            }
        }
        assert_eq!(Func::from_name("diag"), Some(Func::Diag));
        assert_eq!(Func::from_name("nope"), None);
    }

    #[test]
    fn sigmoid_and_softplus_are_stable_and_log1p_refuses_its_outside() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(-40.0) - (-40f64).exp()).abs() < 1e-30);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
        assert_eq!(softplus(1000.0), 1000.0);
        assert_eq!(softplus(-1000.0), 0.0);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
        assert!((softplus(-40.0) - (-40f64).exp()).abs() < 1e-30);
        assert!((softplus(3.0) - softplus(-3.0) - 3.0).abs() < 1e-14);
        assert_eq!(log1p(1e-20).unwrap(), 1e-20);
        assert!(log1p(-1.0).is_err() && log1p(f64::NAN).is_err());
        assert!(
            (mean(M::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 6.0])).unwrap()[(0, 0)] - 3.0).abs()
                < 1e-15
        );
        assert!(mean(M::zeros(0, 3)).is_err());
    }

    #[test]
    fn logsumexp_and_softmax_are_stable() {
        let big = M::from_column_slice(3, 1, &[1000.0, 1000.0, 1000.0]);
        let lse = log_sum_exp(big.clone()).unwrap()[(0, 0)];
        assert!((lse - (1000.0 + 3f64.ln())).abs() < 1e-12);
        let s = softmax(big).unwrap();
        assert!(s.iter().all(|v| (v - 1.0 / 3.0).abs() < 1e-15));
        let small = M::from_column_slice(2, 1, &[-1000.0, 0.0]);
        assert!(log_sum_exp(small.clone()).unwrap()[(0, 0)].abs() < 1e-300);
        let s = softmax(small).unwrap();
        assert_eq!((s[(0, 0)], s[(1, 0)]), (0.0, 1.0));
        let z = M::from_column_slice(3, 1, &[0.5, -1.0, 2.0]);
        let direct = z.map(f64::exp).sum().ln();
        assert!((log_sum_exp(z.clone()).unwrap()[(0, 0)] - direct).abs() < 1e-14);
        assert!((softmax(z).unwrap().sum() - 1.0).abs() < 1e-15);
        assert!(log_sum_exp(M::zeros(0, 1)).is_err() && softmax(M::zeros(0, 1)).is_err());
        let nan = M::from_column_slice(2, 1, &[f64::NAN, 0.0]);
        assert!(log_sum_exp(nan.clone()).is_err() && softmax(nan).is_err());
    }

    #[test]
    fn kron_is_the_block_matrix_and_refuses_huge_results() {
        let a = M::from_row_slice(2, 1, &[1.0, 2.0]);
        let b = M::from_row_slice(1, 2, &[3.0, 4.0]);
        let k = kron(&a, &b).unwrap();
        assert_eq!(k, M::from_row_slice(2, 2, &[3.0, 4.0, 6.0, 8.0]));
        assert!(kron(&M::zeros(20, 1), &M::zeros(20, 1)).is_err());
    }

    #[test]
    fn adjugate_is_det_times_inverse_and_defined_when_singular() {
        let a = M::from_row_slice(3, 3, &[2.0, 1.0, 0.0, 1.0, 3.0, 1.0, 0.0, 1.0, 4.0]);
        let adj = adjugate(a.clone()).unwrap();
        let want = a.clone().try_inverse().unwrap() * a.determinant();
        assert!((&adj - want).norm() < 1e-12, "{adj}");
        // A rank-one matrix: singular, adj A = 0 for n = 3 (every 2×2 minor vanishes).
        let r = M::from_row_slice(3, 3, &[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 3.0, 6.0, 9.0]);
        assert!(adjugate(r).unwrap().norm() < 1e-12);
        // A rank-two 3×3 matrix: adj A is rank one and A adj A = det A · I = 0.
        let s = M::from_row_slice(3, 3, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        let adj = adjugate(s.clone()).unwrap();
        assert_eq!(adj[(2, 2)], 1.0);
        assert!((&s * &adj).norm() < 1e-12);
        assert_eq!(adjugate(M::from_element(1, 1, 5.0)).unwrap()[(0, 0)], 1.0);
        assert!(adjugate(M::zeros(2, 3)).is_err());
    }
}
