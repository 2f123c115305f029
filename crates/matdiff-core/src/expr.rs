//! The typed expression tree every layer after parsing works on, with symbols, dimensions and shapes.

use crate::funcs::Typing;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

/// One dimension of a shape, after inference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dim {
    /// The literal 1 of scalars, column vectors (`n×1`) and row vectors (`1×n`).
    One,
    /// A fixed size other than one, from a declaration such as `A: 3x4`.
    Num(usize),
    /// A symbolic size (`n`, `m`, …), declared or named by inference; the name is shared.
    Name(Rc<str>),
    /// The product of two or more sizes, not all numbers and none 1 (`m·p`, the rows of a
    /// Kronecker product); built by [`Dim::product`].
    Prod(Rc<[Dim]>),
}

impl Dim {
    /// Whether this is the size 1 (without the general comparison, on the hot paths).
    #[inline]
    pub fn is_one(&self) -> bool {
        matches!(self, Dim::One)
    }

    /// Calls `f` on every symbolic size in the dimension (one, or the factors of a product).
    pub fn for_each_name(&self, f: &mut impl FnMut(&str)) {
        match self {
            Dim::Name(n) => f(n),
            Dim::Prod(ps) => ps.iter().for_each(|p| p.for_each_name(f)),
            Dim::One | Dim::Num(_) => {}
        }
    }

    /// `a·b`: 1 is dropped, numbers multiply, nested products flatten.
    #[must_use]
    pub fn product(a: &Dim, b: &Dim) -> Dim {
        let mut num = 1usize;
        let mut names: Vec<Dim> = Vec::new();
        for d in [a, b] {
            let parts: &[Dim] = match d {
                Dim::Prod(ps) => ps,
                d => std::slice::from_ref(d),
            };
            for p in parts {
                match p {
                    Dim::One => {}
                    Dim::Num(n) => num = num.saturating_mul(*n),
                    other => names.push(other.clone()),
                }
            }
        }
        if names.is_empty() {
            return if num == 1 { Dim::One } else { Dim::Num(num) };
        }
        if num != 1 {
            names.insert(0, Dim::Num(num));
        }
        if names.len() == 1 {
            return names.pop().unwrap_or(Dim::One);
        }
        Dim::Prod(names.into())
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::One => write!(f, "1"),
            Dim::Num(n) => write!(f, "{n}"),
            Dim::Name(s) => write!(f, "{s}"),
            Dim::Prod(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        f.write_str("·")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
        }
    }
}

/// Rows × columns. Scalars are `1×1`, column vectors `n×1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shape {
    pub rows: Dim,
    pub cols: Dim,
}

impl Shape {
    #[must_use]
    pub fn scalar() -> Shape {
        Shape {
            rows: Dim::One,
            cols: Dim::One,
        }
    }
    #[must_use]
    pub fn new(rows: Dim, cols: Dim) -> Shape {
        Shape { rows, cols }
    }
    pub fn is_scalar(&self) -> bool {
        self.rows.is_one() && self.cols.is_one()
    }
    pub fn is_col_vector(&self) -> bool {
        !self.rows.is_one() && self.cols.is_one()
    }
    pub fn is_square(&self) -> bool {
        self.rows == self.cols
    }
    #[must_use]
    pub fn transposed(&self) -> Shape {
        Shape {
            rows: self.cols.clone(),
            cols: self.rows.clone(),
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.rows, &self.cols) {
            (Dim::One, Dim::One) => write!(f, "scalar"),
            (r, Dim::One) => write!(f, "vector {r}×1"),
            (Dim::One, c) => write!(f, "row vector 1×{c}"),
            (r, c) => write!(f, "matrix {r}×{c}"),
        }
    }
}

/// What a symbol stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Scalar,
    Vector,
    Matrix,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Scalar => "scalar",
            Kind::Vector => "vector",
            Kind::Matrix => "matrix",
        })
    }
}

/// A symbol of the expression with its inferred (or declared) type. Its JSON also says
/// `declared` (whether `origin` is `declared`), as it did before `origin` existed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "SymbolJson", from = "SymbolJson")]
pub struct Symbol {
    pub name: String,
    pub kind: Kind,
    pub shape: Shape,
    /// Declared `symmetric` (also true for `spd`).
    pub symmetric: bool,
    /// Declared `spd` (symmetric positive definite).
    pub spd: bool,
    /// Where its kind came from: a declaration, its value, the context it is used in, or its
    /// first letter.
    pub origin: Origin,
}

/// [`Symbol`] as JSON.
#[derive(Clone, Serialize, Deserialize)]
struct SymbolJson {
    name: String,
    kind: Kind,
    shape: Shape,
    symmetric: bool,
    spd: bool,
    declared: bool,
    origin: Origin,
}

impl From<Symbol> for SymbolJson {
    fn from(s: Symbol) -> SymbolJson {
        SymbolJson {
            declared: s.declared(),
            name: s.name,
            kind: s.kind,
            shape: s.shape,
            symmetric: s.symmetric,
            spd: s.spd,
            origin: s.origin,
        }
    }
}

impl From<SymbolJson> for Symbol {
    fn from(s: SymbolJson) -> Symbol {
        Symbol {
            name: s.name,
            kind: s.kind,
            shape: s.shape,
            symmetric: s.symmetric,
            spd: s.spd,
            origin: s.origin,
        }
    }
}

impl Symbol {
    /// Whether the user declared it.
    pub fn declared(&self) -> bool {
        self.origin == Origin::Declared
    }
}

/// Where a symbol's kind (scalar, vector, matrix) came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A declaration (`A: 3x4`).
    Declared,
    /// The value given for it (`grad --at`): a number a scalar, a flat array a vector, an array
    /// of rows a matrix.
    Value,
    /// The only kind under which the expression is well-typed (`b` in `x'*A*x + b'*x`).
    Context,
    /// The first-letter convention: `a`–`g` scalars, `h`–`z` vectors, capitals matrices.
    Letter,
}

impl Origin {
    /// How the page and the command say it.
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Declared => "declared",
            Origin::Value => "from its value",
            Origin::Context => "from context",
            Origin::Letter => "from its first letter",
        }
    }
}

/// The symbols of one expression, in order of first appearance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SymbolTable {
    pub symbols: Vec<Symbol>,
}

impl SymbolTable {
    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.symbols.iter().find(|s| same_name(&s.name, name))
    }
    /// Every symbolic dimension name in use, in order of first appearance.
    pub fn dim_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.symbols {
            for d in [&s.shape.rows, &s.shape.cols] {
                d.for_each_name(&mut |n| {
                    if !out.iter().any(|o| **o == *n) {
                        out.push(n.to_string());
                    }
                });
            }
        }
        out
    }
}

/// Declares [`Func`] with one row of the table of functions ([`crate::funcs`]) per variant, so a
/// variant without a row does not compile; [`Func::ALL`] lists them in order.
macro_rules! funcs {
    ($($(#[$doc:meta])* $variant:ident => $row:ident,)*) => {
        /// Functions; what each one does (and how many arguments it takes) is its row of [`crate::funcs`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Func {
            $($(#[$doc])* $variant,)*
        }

        impl Func {
            /// Every function, in table order.
            pub const ALL: &'static [Func] = &[$(Func::$variant),*];

            /// The function's row of the table.
            #[inline]
            pub fn info(self) -> &'static crate::funcs::FuncInfo {
                match self {
                    $(Func::$variant => &crate::funcs::$row,)*
                }
            }
        }
    };
}

funcs! {
    /// Trace of a square matrix.
    Tr => TR,
    Det => DET,
    /// log det, of a matrix with positive determinant.
    LogDet => LOG_DET,
    /// Sum of all entries.
    Sum => SUM,
    /// Mean of all entries: their sum over their number.
    Mean => MEAN,
    /// log Σ exp of the entries, evaluated with the largest entry taken out.
    LogSumExp => LOG_SUM_EXP,
    /// exp(z) / Σ exp(z) of a column vector, evaluated with the largest entry taken out.
    Softmax => SOFTMAX,
    /// Sum of absolute values of the entries.
    Norm1 => NORM1,
    /// Euclidean norm of a vector, Frobenius norm of a matrix.
    Norm2 => NORM2,
    /// Vector → diagonal matrix.
    Diag => DIAG,
    /// Square matrix → vector of its diagonal.
    DiagOf => DIAG_OF,
    /// Adjugate of a square matrix: det(X)·X⁻¹ for an invertible X.
    Adj => ADJ,
    /// Kronecker product of two matrices.
    Kron => KRON,
    // Elementwise functions (on scalars, vectors and matrices alike).
    Exp => EXP,
    Log => LOG,
    Sin => SIN,
    Cos => COS,
    Tan => TAN,
    Asin => ASIN,
    Acos => ACOS,
    Atan => ATAN,
    Tanh => TANH,
    Sqrt => SQRT,
    Abs => ABS,
    Sign => SIGN,
    Relu => RELU,
    /// Heaviside step, 1 where the argument is positive: the derivative of relu.
    Step => STEP,
    /// The logistic function 1/(1 + e⁻ˣ).
    Sigmoid => SIGMOID,
    /// log(1 + eˣ), a smooth relu.
    Softplus => SOFTPLUS,
    /// log(1 + x), for x > −1.
    Log1p => LOG1P,
}

/// The arguments of a call, each shared like the operand of a unary node.
pub type Args = Rc<[Rc<Expr>]>;

/// The arguments of a call in serialized form: the argument itself for a call of one (as a
/// call has always been written), a list for more.
mod args_serde {
    use super::{Args, Expr};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::rc::Rc;

    pub fn serialize<S: Serializer>(args: &Args, s: S) -> Result<S::Ok, S::Error> {
        match &**args {
            [a] => a.serialize(s),
            many => many.serialize(s),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Rc<Expr>),
        Many(Vec<Rc<Expr>>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Args, D::Error> {
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(a) => Rc::from([a]),
            OneOrMany::Many(v) => v.into(),
        })
    }
}

/// An expression. Products are n-ary chains read left to right; a `1×1` factor
/// multiplies as a scalar. Subtraction is `Add` of a term times `Num(-1)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    Num(f64),
    /// A symbol, looked up in the [`SymbolTable`]; the name is shared, so copies of a tree do not
    /// copy names.
    Sym(Rc<str>),
    /// The identity matrix of the given size.
    Eye(Dim),
    /// The all-ones matrix (`vector(c)` and `matrix(c)` are `c` times it).
    Ones(Rc<Shape>),
    Add(Vec<Expr>),
    Mul(Vec<Expr>),
    /// Division by a scalar.
    Div(Rc<Expr>, Rc<Expr>),
    /// Hadamard (elementwise) product.
    Had(Vec<Expr>),
    /// Elementwise division.
    HadDiv(Rc<Expr>, Rc<Expr>),
    /// Elementwise power by a constant.
    HadPow(Rc<Expr>, f64),
    /// Power by a constant: any real power of a scalar, an integer power ≥ 2 of a square matrix.
    Pow(Rc<Expr>, f64),
    Transpose(Rc<Expr>),
    Inv(Rc<Expr>),
    /// A function applied to its arguments, as many as its row of [`crate::funcs`] says
    /// (`arity`); lowering checks the count.
    Call(Func, #[serde(with = "args_serde")] Args),
    /// The differential operator d(·), not yet pushed inward. `D(Sym(x))` for the
    /// variable `x` is the differential dx itself.
    D(Rc<Expr>),
}

impl Expr {
    pub fn sym(name: &str) -> Expr {
        Expr::Sym(name.into())
    }
    #[allow(clippy::should_implement_trait)] // a constructor, not negation of self
    pub fn neg(e: Expr) -> Expr {
        Expr::Mul(vec![Expr::Num(-1.0), e])
    }
    pub fn t(e: Expr) -> Expr {
        Expr::Transpose(Rc::new(e))
    }
    pub fn inv(e: Expr) -> Expr {
        Expr::Inv(Rc::new(e))
    }
    /// `f(e)`, a call of one argument.
    pub fn call(f: Func, e: Expr) -> Expr {
        Expr::Call(f, Rc::from([Rc::new(e)]))
    }
    /// `f(a)` of a shared operand.
    pub fn call_shared(f: Func, a: Rc<Expr>) -> Expr {
        Expr::Call(f, Rc::from([a]))
    }
    /// `f(a, b)`, a call of two arguments.
    pub fn call2(f: Func, a: Expr, b: Expr) -> Expr {
        Expr::Call(f, Rc::from([Rc::new(a), Rc::new(b)]))
    }
    /// The function and argument of a call of one argument.
    pub fn as_call1(&self) -> Option<(Func, &Rc<Expr>)> {
        match self {
            Expr::Call(f, args) => match &**args {
                [a] => Some((*f, a)),
                _ => None,
            },
            _ => None,
        }
    }
    /// The function and arguments of a call of two arguments.
    pub fn as_call2(&self) -> Option<(Func, &Rc<Expr>, &Rc<Expr>)> {
        match self {
            Expr::Call(f, args) => match &**args {
                [a, b] => Some((*f, a, b)),
                _ => None,
            },
            _ => None,
        }
    }
    pub fn d(e: Expr) -> Expr {
        Expr::D(Rc::new(e))
    }
    pub fn is_zero(&self) -> bool {
        matches!(self, Expr::Num(x) if *x == 0.0)
    }
    /// Takes the tree's printed size (a shared operand counted wherever it appears) out of
    /// `budget`; `false`, with the budget at 0, when the tree is larger than what was left.
    /// Stops counting once the budget is spent, so it visits at most `budget` nodes.
    #[must_use]
    pub fn spend_printed_size(&self, budget: &mut usize) -> bool {
        // `any` walks every node in order and stops at the first `true`: the node the budget
        // cannot pay for.
        !self.any(&mut |_| {
            if *budget == 0 {
                return true;
            }
            *budget -= 1;
            false
        })
    }
    pub fn is_one(&self) -> bool {
        matches!(self, Expr::Num(x) if *x == 1.0)
    }

    // Traversal. `find_map_child`, `map_children` and `map_children_ref` are the only walks
    // that name every variant: a new node adds its children there, and every generic walk
    // (`any`, `children`, `size`, the phases' rebuilds) follows.

    /// The first `Some` of `f` over the direct children, in order: the walk by reference every
    /// other read-only walk is built on.
    pub fn find_map_child<'a, T>(&'a self, mut f: impl FnMut(&'a Expr) -> Option<T>) -> Option<T> {
        match self {
            Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => None,
            Expr::Add(v) | Expr::Mul(v) | Expr::Had(v) => v.iter().find_map(f),
            Expr::Call(_, args) => args.iter().find_map(|a| f(a)),
            Expr::Div(a, b) | Expr::HadDiv(a, b) => f(a).or_else(|| f(b)),
            Expr::HadPow(a, _)
            | Expr::Pow(a, _)
            | Expr::Transpose(a)
            | Expr::Inv(a)
            | Expr::D(a) => f(a),
        }
    }

    /// Calls `f` on every direct child, in order.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        self.find_map_child(|c| {
            f(c);
            None::<()>
        });
    }

    /// The direct children, in order.
    pub fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.for_each_child(|c| out.push(c));
        out
    }

    /// How many direct children the node has.
    pub fn child_count(&self) -> usize {
        let mut n = 0;
        self.for_each_child(|_| n += 1);
        n
    }

    /// Whether `pred` holds for this node or any node below it (pre-order, stopping at the
    /// first `true`). `pred` is `dyn`: one compiled instance for all callers (the page's wasm size).
    pub fn any(&self, pred: &mut dyn FnMut(&Expr) -> bool) -> bool {
        pred(self)
            || (!self.is_leaf() && self.find_map_child(|c| c.any(pred).then_some(())).is_some())
    }

    /// Whether the node has no children (a number, a symbol, `I` or `ones`).
    #[inline]
    fn is_leaf(&self) -> bool {
        matches!(
            self,
            Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_)
        )
    }

    /// The node with each direct child replaced by `f(child)`, in order; an operand held in an
    /// `Rc` is rewritten in place when it is not shared.
    #[must_use]
    #[inline]
    pub fn map_children(self, f: impl FnMut(Expr) -> Expr) -> Expr {
        // A leaf is returned without the call below (most nodes of a tree are leaves).
        if self.is_leaf() {
            return self;
        }
        self.map_inner_children(f)
    }

    /// [`Expr::map_children`] of a node that may have children.
    fn map_inner_children(self, mut f: impl FnMut(Expr) -> Expr) -> Expr {
        // A list of children is rewritten in its own vector, child by child.
        fn each(mut v: Vec<Expr>, f: &mut impl FnMut(Expr) -> Expr) -> Vec<Expr> {
            for x in &mut v {
                rewrite_in_place(x, &mut *f);
            }
            v
        }
        match self {
            Expr::Add(v) => Expr::Add(each(v, &mut f)),
            Expr::Mul(v) => Expr::Mul(each(v, &mut f)),
            Expr::Had(v) => Expr::Had(each(v, &mut f)),
            e => e.map_operands(f),
        }
    }

    /// [`Expr::map_children`] of a node whose children are `Rc`-held operands.
    fn map_operands(self, mut f: impl FnMut(Expr) -> Expr) -> Expr {
        let mut b = |x: Rc<Expr>| map_rc(x, &mut f);
        match self {
            e @ (Expr::Add(_) | Expr::Mul(_) | Expr::Had(_)) => e,
            Expr::Div(x, y) => {
                let x = b(x);
                Expr::Div(x, b(y))
            }
            Expr::HadDiv(x, y) => {
                let x = b(x);
                Expr::HadDiv(x, b(y))
            }
            Expr::HadPow(x, p) => Expr::HadPow(b(x), p),
            Expr::Pow(x, p) => Expr::Pow(b(x), p),
            Expr::Transpose(x) => Expr::Transpose(b(x)),
            Expr::Inv(x) => Expr::Inv(b(x)),
            Expr::Call(g, mut args) => match Rc::get_mut(&mut args) {
                Some(slots) => {
                    for x in slots.iter_mut() {
                        // Rewritten in its allocation when not shared, as `map_rc` does.
                        match Rc::get_mut(x) {
                            Some(e) => {
                                rewrite_in_place(e, &mut f);
                            }
                            None => *x = Rc::new(f((**x).clone())),
                        }
                    }
                    Expr::Call(g, args)
                }
                None => Expr::Call(g, args.iter().map(|x| b(x.clone())).collect()),
            },
            Expr::D(x) => Expr::D(b(x)),
            e @ (Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_)) => e,
        }
    }

    /// Calls `f` on every direct child, mutably, in order (a shared operand is copied first).
    pub fn for_each_child_mut(&mut self, mut f: impl FnMut(&mut Expr)) {
        let e = std::mem::replace(self, Expr::Num(0.0));
        *self = e.map_children(|mut c| {
            f(&mut c);
            c
        });
    }

    /// A copy of the node with the children for which `f` gives `Some` replaced, the others
    /// kept (a shared operand only referenced); `None`, without allocating, when `f` gives
    /// `None` for every child. `f` sees every child, in order.
    pub fn map_children_ref(&self, mut f: impl FnMut(&Expr) -> Option<Expr>) -> Option<Expr> {
        let rc = |x: &Rc<Expr>, new: Option<Expr>| new.map_or_else(|| x.clone(), Rc::new);
        match self {
            Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => None,
            Expr::Add(v) => map_slice_ref(v, f).map(Expr::Add),
            Expr::Mul(v) => map_slice_ref(v, f).map(Expr::Mul),
            Expr::Had(v) => map_slice_ref(v, f).map(Expr::Had),
            Expr::Div(x, y) | Expr::HadDiv(x, y) => {
                let (nx, ny) = (f(x), f(y));
                if nx.is_none() && ny.is_none() {
                    return None;
                }
                let (x, y) = (rc(x, nx), rc(y, ny));
                Some(match self {
                    Expr::Div(..) => Expr::Div(x, y),
                    _ => Expr::HadDiv(x, y),
                })
            }
            Expr::HadPow(x, p) => f(x).map(|n| Expr::HadPow(Rc::new(n), *p)),
            Expr::Pow(x, p) => f(x).map(|n| Expr::Pow(Rc::new(n), *p)),
            Expr::Transpose(x) => f(x).map(Expr::t),
            Expr::Inv(x) => f(x).map(Expr::inv),
            Expr::Call(g, args) if args.len() == 1 => {
                let new = args.first().and_then(|a| f(a))?;
                Some(Expr::Call(*g, Rc::from([Rc::new(new)])))
            }
            Expr::Call(g, args) => {
                let new: Vec<Option<Expr>> = args.iter().map(|a| f(a)).collect();
                if new.iter().all(Option::is_none) {
                    return None;
                }
                let args = args.iter().zip(new).map(|(a, n)| rc(a, n)).collect();
                Some(Expr::Call(*g, args))
            }
            Expr::D(x) => f(x).map(Expr::d),
        }
    }

    /// Whether the symbol `name` occurs in the expression.
    pub fn mentions(&self, name: &str) -> bool {
        self.any(&mut |e| matches!(e, Expr::Sym(s) if same_name(s, name)))
    }

    /// Whether a differential operator occurs in the expression.
    pub fn has_d(&self) -> bool {
        self.any(&mut |e| matches!(e, Expr::D(_)))
    }

    /// Number of nodes.
    pub fn size(&self) -> usize {
        // Counted by a walk that visits every node once, without a vector per node.
        let mut n = 0;
        self.any(&mut |_| {
            n += 1;
            false
        });
        n
    }
}

/// `*slot = f(*slot)`: the old value is moved out and the new one moved in, with no drop of the
/// stand-in left in the slot meanwhile (a number, which owns nothing).
#[inline]
fn rewrite_in_place(slot: &mut Expr, f: impl FnOnce(Expr) -> Expr) {
    let old = std::mem::replace(slot, Expr::Num(0.0));
    let new = f(old);
    std::mem::forget(std::mem::replace(slot, new));
}

/// `f` of the expression behind `x`, in the same allocation when `x` is not shared.
pub(crate) fn map_rc(mut x: Rc<Expr>, f: impl FnOnce(Expr) -> Expr) -> Rc<Expr> {
    match Rc::get_mut(&mut x) {
        Some(e) => {
            rewrite_in_place(e, f);
            x
        }
        None => Rc::new(f((*x).clone())),
    }
}

/// [`Expr::map_children_ref`] over a list of children: `None` when `f` changes none of them.
fn map_slice_ref(v: &[Expr], mut f: impl FnMut(&Expr) -> Option<Expr>) -> Option<Vec<Expr>> {
    let mut out: Option<Vec<Expr>> = None;
    for (i, c) in v.iter().enumerate() {
        match (f(c), &mut out) {
            (Some(n), Some(o)) => o.push(n),
            (None, Some(o)) => o.push(c.clone()),
            (Some(n), None) => {
                let mut o = Vec::with_capacity(v.len());
                o.extend(v[..i].iter().cloned());
                o.push(n);
                out = Some(o);
            }
            (None, None) => {}
        }
    }
    out
}

/// Whether two names are equal: `a == b` compared inline, byte by byte (names are short, and
/// the library call of a slice comparison costs more than the comparison on the hot paths).
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// The shape of a well-typed expression. Unknown symbols are treated as scalars, so
/// the function is total; expressions built by lowering are always well typed.
pub fn shape_of(e: &Expr, table: &SymbolTable) -> Shape {
    let (rows, cols) = dims_of(e, table);
    Shape::new(rows.into_owned(), cols.into_owned())
}

/// The dimension `1`, for [`dims_of`] to point at.
const ONE: Dim = Dim::One;

/// Rows and columns of `e`, borrowed from the expression or the table where they are there (a
/// Kronecker product's are built): [`shape_of`] without allocating. The same rules as [`shape_of`].
pub fn dims_of<'a>(e: &'a Expr, table: &'a SymbolTable) -> (Cow<'a, Dim>, Cow<'a, Dim>) {
    dims_with(e, &|name: &str| table.get(name).map(|s| &s.shape))
}

/// [`dims_of`] with the symbols' shapes from `lookup` (e.g. an index of a large table).
/// `lookup` is `dyn`: one compiled instance for all callers (the page's wasm size).
pub fn dims_with<'a>(
    e: &'a Expr,
    lookup: &dyn Fn(&str) -> Option<&'a Shape>,
) -> (Cow<'a, Dim>, Cow<'a, Dim>) {
    let scalar = || (Cow::Borrowed(&ONE), Cow::Borrowed(&ONE));
    let is_scalar = |d: &(Cow<Dim>, Cow<Dim>)| d.0.is_one() && d.1.is_one();
    match e {
        Expr::Num(_) => scalar(),
        Expr::Sym(s) => {
            lookup(s).map_or_else(scalar, |s| (Cow::Borrowed(&s.rows), Cow::Borrowed(&s.cols)))
        }
        Expr::Eye(n) => (Cow::Borrowed(n), Cow::Borrowed(n)),
        Expr::Ones(s) => (Cow::Borrowed(&s.rows), Cow::Borrowed(&s.cols)),
        Expr::Add(v) | Expr::Had(v) => {
            // Scalars broadcast in neither, so any non-scalar term gives the shape.
            v.iter()
                .map(|t| dims_with(t, lookup))
                .find(|s| !is_scalar(s))
                .unwrap_or_else(scalar)
        }
        Expr::Mul(v) => {
            let mut acc = scalar();
            for f in v {
                let s = dims_with(f, lookup);
                if is_scalar(&acc) {
                    acc = s;
                } else if !is_scalar(&s) {
                    acc = (acc.0, s.1);
                }
            }
            acc
        }
        Expr::Div(a, _) | Expr::HadPow(a, _) | Expr::Pow(a, _) | Expr::Inv(a) | Expr::D(a) => {
            dims_with(a, lookup)
        }
        Expr::HadDiv(a, b) => {
            let s = dims_with(a, lookup);
            if is_scalar(&s) {
                dims_with(b, lookup)
            } else {
                s
            }
        }
        Expr::Transpose(a) => {
            let (r, c) = dims_with(a, lookup);
            (c, r)
        }
        Expr::Call(f, args) => {
            let Some(a) = args.first() else {
                return scalar();
            };
            match f.info().typing {
                Typing::SquareToScalar | Typing::AnyToScalar => scalar(),
                Typing::VectorToDiagonal => {
                    let (r, _) = dims_with(a, lookup);
                    (r.clone(), r)
                }
                Typing::DiagonalOf => (dims_with(a, lookup).0, Cow::Borrowed(&ONE)),
                Typing::Elementwise | Typing::SquareToSquare | Typing::VectorToVector => {
                    dims_with(a, lookup)
                }
                Typing::Kronecker => {
                    let (r1, c1) = dims_with(a, lookup);
                    let Some(b) = args.get(1) else {
                        return (r1, c1);
                    };
                    let (r2, c2) = dims_with(b, lookup);
                    (
                        Cow::Owned(Dim::product(&r1, &r2)),
                        Cow::Owned(Dim::product(&c1, &c2)),
                    )
                }
            }
        }
    }
}

/// Whether the rows and the columns of `e` are 1: [`dims_with`] followed by [`Dim::is_one`]
/// on both, without building or dropping the dimensions (the hot paths ask only this).
pub fn unit_dims_with<'a, F>(e: &'a Expr, lookup: &F) -> (bool, bool)
where
    F: Fn(&str) -> Option<&'a Shape>,
{
    const SCALAR: (bool, bool) = (true, true);
    match e {
        Expr::Num(_) => SCALAR,
        Expr::Sym(s) => lookup(s).map_or(SCALAR, |s| (s.rows.is_one(), s.cols.is_one())),
        Expr::Eye(n) => (n.is_one(), n.is_one()),
        Expr::Ones(s) => (s.rows.is_one(), s.cols.is_one()),
        Expr::Add(v) | Expr::Had(v) => v
            .iter()
            .map(|t| unit_dims_with(t, lookup))
            .find(|s| *s != SCALAR)
            .unwrap_or(SCALAR),
        Expr::Mul(v) => {
            let mut acc = SCALAR;
            for f in v {
                let s = unit_dims_with(f, lookup);
                if acc == SCALAR {
                    acc = s;
                } else if s != SCALAR {
                    acc.1 = s.1;
                }
            }
            acc
        }
        Expr::Div(a, _) | Expr::HadPow(a, _) | Expr::Pow(a, _) | Expr::Inv(a) | Expr::D(a) => {
            unit_dims_with(a, lookup)
        }
        Expr::HadDiv(a, b) => {
            let s = unit_dims_with(a, lookup);
            if s == SCALAR {
                unit_dims_with(b, lookup)
            } else {
                s
            }
        }
        Expr::Transpose(a) => {
            let (r, c) = unit_dims_with(a, lookup);
            (c, r)
        }
        Expr::Call(f, args) => {
            let Some(a) = args.first() else {
                return SCALAR;
            };
            match f.info().typing {
                Typing::SquareToScalar | Typing::AnyToScalar => SCALAR,
                Typing::VectorToDiagonal => {
                    let (r, _) = unit_dims_with(a, lookup);
                    (r, r)
                }
                Typing::DiagonalOf => (unit_dims_with(a, lookup).0, true),
                Typing::Elementwise | Typing::SquareToSquare | Typing::VectorToVector => {
                    unit_dims_with(a, lookup)
                }
                Typing::Kronecker => {
                    let (r, c) = dims_with(e, lookup);
                    (r.is_one(), c.is_one())
                }
            }
        }
    }
}

/// Whether `e` is `1×1`: [`shape_of`]`(e).is_scalar()` without allocating.
pub fn is_scalar_expr(e: &Expr, table: &SymbolTable) -> bool {
    let (r, c) = unit_dims_with(e, &|name: &str| table.get(name).map(|s| &s.shape));
    r && c
}

/// Symbolic dimension names the expression uses beyond its symbols' (sizes of `eye`, `matrix(c)`).
pub fn expr_dim_names(e: &Expr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    e.any(&mut |n| {
        let dims: Vec<&Dim> = match n {
            Expr::Eye(d) => vec![d],
            Expr::Ones(s) => vec![&s.rows, &s.cols],
            _ => vec![],
        };
        for d in dims {
            d.for_each_name(&mut |name| {
                if !out.iter().any(|o| **o == *name) {
                    out.push(name.to_string());
                }
            });
        }
        false
    });
    out
}

/// The problem the derivation engine solves: a scalar expression, its symbols, the variable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub expr: Expr,
    pub symbols: SymbolTable,
    /// Name of the variable of differentiation; a symbol of `symbols`.
    pub wrt: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walks agree with each other on every node of a tree holding every kind of node.
    #[test]
    fn the_walks_agree() {
        let p = crate::lower::lower(
            "tr(inv(A*X)' * X^2) + sum(X .* B ./ C) + sum(exp(X).^2) * a / b + norm2(x) + tr(I)",
            "",
            Some("X"),
        )
        .unwrap_or_else(|d| panic!("{d:?}"));
        let whole = Expr::d(p.expr.clone());
        let mut nodes = 0;
        whole.any(&mut |e| {
            nodes += 1;
            let children = e.children();
            assert_eq!(children.len(), e.child_count());
            assert_eq!(e.clone().map_children(|c| c), *e);
            assert_eq!(e.map_children_ref(|_| None), None);
            let copy = e.map_children_ref(|c| Some(c.clone()));
            assert_eq!(copy.is_some(), !children.is_empty());
            assert_eq!(copy.unwrap_or_else(|| e.clone()), *e);
            // Replacing the last child changes exactly that child.
            if let Some(last) = children.last() {
                let n = children.len();
                let mut i = 0;
                let changed = e
                    .map_children_ref(|_| {
                        i += 1;
                        (i == n).then_some(Expr::Num(7.0))
                    })
                    .unwrap_or_else(|| e.clone());
                let new = changed.children();
                assert_eq!(new[..n - 1], children[..n - 1]);
                assert_eq!(*new[n - 1], Expr::Num(7.0), "{last:?}");
            }
            false
        });
        assert_eq!(nodes, whole.size());
        assert!(nodes > 25, "{nodes}");
        let mut leaves = 0;
        let mut copy = whole.clone();
        fn count_leaves(e: &mut Expr, n: &mut usize) {
            if e.child_count() == 0 {
                *n += 1;
            }
            e.for_each_child_mut(|c| count_leaves(c, n));
        }
        count_leaves(&mut copy, &mut leaves);
        assert_eq!(copy, whole);
        assert_eq!(
            leaves,
            whole.size() - {
                let mut inner = 0;
                whole.any(&mut |e| {
                    inner += usize::from(e.child_count() > 0);
                    false
                });
                inner
            }
        );
    }

    /// A call of one argument is written as that argument (as before calls took lists), a call
    /// of two as a list; both read back.
    #[test]
    fn calls_serialize_their_arguments() {
        let one = Expr::call(Func::Tr, Expr::sym("X"));
        let two = Expr::call2(Func::Kron, Expr::sym("A"), Expr::sym("X"));
        let text = |e: &Expr| serde_json::to_string(e).unwrap_or_default();
        assert_eq!(text(&one), r#"{"Call":["tr",{"Sym":"X"}]}"#);
        assert_eq!(text(&two), r#"{"Call":["kron",[{"Sym":"A"},{"Sym":"X"}]]}"#);
        for e in [one, two] {
            let back: Expr = serde_json::from_str(&text(&e)).unwrap_or(Expr::Num(0.0));
            assert_eq!(back, e);
        }
    }
}
