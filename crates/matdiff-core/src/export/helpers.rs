//! The small Python functions an exported module defines, per target (NumPy, PyTorch, JAX), and
//! how each function of the table maps onto them.

use super::Target;
use crate::expr::Func;

/// A Python helper: its name and its definition for each target, `XP` standing for the array
/// module (`np`, `torch`, `jnp`) where the three agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Helper {
    Scalar,
    Column,
    Row,
    Matrix,
    Const,
    Eye,
    Ones,
    Zeros,
    Inv,
    Solve,
    RSolve,
    Det,
    LogDet,
    LogDetSpd,
    MatrixPower,
    Trace,
    Sum,
    Mean,
    LogSumExp,
    Softmax,
    Norm1,
    Norm2,
    Diag,
    DiagOf,
    Adj,
    Kron,
    Relu,
    Step,
    Sigmoid,
    Softplus,
    OutScalar,
}

/// What a function of the table becomes in Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mapping {
    /// A function of the array module with the same meaning on 2-D arrays (`XP.exp`).
    Module(&'static str),
    /// One of the helpers.
    Helper(Helper),
}

/// The Python form of `f`, or why it has none. Every function of the table is listed: the
/// compiler asks for a new one here (`export::tests` also walks `Func::ALL`).
pub(super) fn mapping(f: Func) -> Result<Mapping, String> {
    use Mapping::{Helper as H, Module as M};
    Ok(match f {
        Func::Tr => H(Helper::Trace),
        Func::Det => H(Helper::Det),
        Func::LogDet => H(Helper::LogDet),
        Func::Sum => H(Helper::Sum),
        Func::Mean => H(Helper::Mean),
        Func::LogSumExp => H(Helper::LogSumExp),
        Func::Softmax => H(Helper::Softmax),
        Func::Norm1 => H(Helper::Norm1),
        Func::Norm2 => H(Helper::Norm2),
        Func::Diag => H(Helper::Diag),
        Func::DiagOf => H(Helper::DiagOf),
        Func::Adj => H(Helper::Adj),
        Func::Kron => H(Helper::Kron),
        Func::Exp => M("exp"),
        Func::Log => M("log"),
        Func::Sin => M("sin"),
        Func::Cos => M("cos"),
        Func::Tan => M("tan"),
        Func::Asin => M("arcsin"),
        Func::Acos => M("arccos"),
        Func::Atan => M("arctan"),
        Func::Tanh => M("tanh"),
        Func::Sqrt => M("sqrt"),
        Func::Abs => M("abs"),
        Func::Sign => M("sign"),
        Func::Relu => H(Helper::Relu),
        Func::Step => H(Helper::Step),
        Func::Sigmoid => H(Helper::Sigmoid),
        Func::Softplus => H(Helper::Softplus),
        Func::Log1p => M("log1p"),
    })
}

impl Helper {
    /// Every helper, in the order a module defines them.
    pub(super) const ALL: [Helper; 31] = [
        Helper::Scalar,
        Helper::Column,
        Helper::Row,
        Helper::Matrix,
        Helper::Const,
        Helper::Eye,
        Helper::Ones,
        Helper::Zeros,
        Helper::Inv,
        Helper::Solve,
        Helper::RSolve,
        Helper::Det,
        Helper::LogDet,
        Helper::LogDetSpd,
        Helper::MatrixPower,
        Helper::Trace,
        Helper::Sum,
        Helper::Mean,
        Helper::LogSumExp,
        Helper::Softmax,
        Helper::Norm1,
        Helper::Norm2,
        Helper::Diag,
        Helper::DiagOf,
        Helper::Adj,
        Helper::Kron,
        Helper::Relu,
        Helper::Step,
        Helper::Sigmoid,
        Helper::Softplus,
        Helper::OutScalar,
    ];

    /// The helper's bit in a set of helpers.
    pub(super) fn bit(self) -> u64 {
        1 << (self as u32)
    }

    /// The name it is defined under (`_solve`), read from its definition.
    pub(super) fn name(self) -> &'static str {
        let def = self.bodies().0;
        let end = def.find('(').unwrap_or(def.len());
        def.get(4..end).unwrap_or(def)
    }

    /// The definition for `target` (`def …`, without a trailing blank line).
    pub(super) fn definition(self, target: Target) -> String {
        let (np, torch, jax) = self.bodies();
        match target {
            Target::Numpy => np.replace("XP", "np"),
            // torch's `asarray` is `as_tensor`, its other names are NumPy's.
            Target::Torch => torch
                .unwrap_or(np)
                .replace("XP.asarray(", "torch.as_tensor(")
                .replace("XP", "torch"),
            Target::Jax => jax.unwrap_or(np).replace("XP", "jnp"),
        }
    }

    /// The definition for NumPy, and for PyTorch and JAX where they differ from it.
    fn bodies(self) -> (&'static str, Option<&'static str>, Option<&'static str>) {
        match self {
            Helper::Scalar => (
                "def _scalar(v):\n    return XP.asarray(v, dtype=XP.float64).reshape(1, 1)",
                None,
                None,
            ),
            Helper::Column => (
                "def _column(v):\n    return XP.asarray(v, dtype=XP.float64).reshape(-1, 1)",
                None,
                None,
            ),
            Helper::Row => (
                "def _row(v):\n    return XP.asarray(v, dtype=XP.float64).reshape(1, -1)",
                None,
                None,
            ),
            Helper::Matrix => (
                "def _matrix(v):\n    a = XP.asarray(v, dtype=XP.float64)\n    if a.ndim != 2:\n        raise ValueError(\"expected a matrix (an array of rows)\")\n    return a",
                None,
                None,
            ),
            Helper::Const => (
                "def _const(x):\n    return XP.full((1, 1), x, dtype=XP.float64)",
                None,
                None,
            ),
            Helper::Eye => (
                "def _eye(n):\n    return XP.eye(n, dtype=XP.float64)",
                None,
                None,
            ),
            Helper::Ones => (
                "def _ones(rows, cols):\n    return XP.ones((rows, cols), dtype=XP.float64)",
                None,
                None,
            ),
            Helper::Zeros => (
                "def _zeros(rows, cols):\n    return XP.zeros((rows, cols), dtype=XP.float64)",
                None,
                None,
            ),
            Helper::Inv => (
                "def _inv(a):\n    return XP.linalg.inv(a)",
                None,
                None,
            ),
            Helper::Solve => (
                "def _solve(a, b):\n    return XP.linalg.solve(a, b)",
                None,
                None,
            ),
            Helper::RSolve => (
                "def _rsolve(b, a):\n    return XP.linalg.solve(a.T, b.T).T",
                None,
                None,
            ),
            Helper::Det => (
                "def _det(a):\n    return XP.linalg.det(a).reshape(1, 1)",
                None,
                None,
            ),
            Helper::LogDet => (
                "def _logdet(a):\n    sign, logabs = XP.linalg.slogdet(a)\n    return XP.where(sign > 0, logabs, XP.nan).reshape(1, 1)",
                Some("def _logdet(a):\n    sign, logabs = torch.linalg.slogdet(a)\n    return torch.where(sign > 0, logabs, torch.full_like(logabs, float(\"nan\"))).reshape(1, 1)"),
                None,
            ),
            Helper::LogDetSpd => (
                "def _logdet_spd(a):\n    return (2.0 * XP.sum(XP.log(XP.diagonal(XP.linalg.cholesky(a))))).reshape(1, 1)",
                None,
                None,
            ),
            Helper::MatrixPower => (
                "def _matrix_power(a, k):\n    return XP.linalg.matrix_power(a, k)",
                None,
                None,
            ),
            Helper::Trace => (
                "def _trace(a):\n    return XP.trace(a).reshape(1, 1)",
                None,
                None,
            ),
            Helper::Sum => (
                "def _sum(a):\n    return XP.sum(a).reshape(1, 1)",
                None,
                None,
            ),
            Helper::Mean => (
                "def _mean(a):\n    return XP.mean(a).reshape(1, 1)",
                None,
                None,
            ),
            Helper::LogSumExp => (
                "def _logsumexp(a):\n    m = XP.max(a)\n    return (m + XP.log(XP.sum(XP.exp(a - m)))).reshape(1, 1)",
                None,
                None,
            ),
            Helper::Softmax => (
                "def _softmax(a):\n    e = XP.exp(a - XP.max(a))\n    return e / XP.sum(e)",
                None,
                None,
            ),
            Helper::Norm1 => (
                "def _norm1(a):\n    return XP.sum(XP.abs(a)).reshape(1, 1)",
                None,
                None,
            ),
            Helper::Norm2 => (
                "def _norm2(a):\n    return XP.sqrt(XP.sum(a * a)).reshape(1, 1)",
                None,
                None,
            ),
            Helper::Diag => (
                "def _diag(a):\n    return XP.diag(a.reshape(-1))",
                None,
                None,
            ),
            Helper::DiagOf => (
                "def _diag_of(a):\n    return XP.diagonal(a).reshape(-1, 1)",
                None,
                None,
            ),
            Helper::Adj => (
                "def _adj(a):\n    if a.shape[0] == 1:\n        return XP.ones((1, 1), dtype=XP.float64)\n    return XP.linalg.det(a) * XP.linalg.inv(a)",
                None,
                None,
            ),
            Helper::Kron => (
                "def _kron(a, b):\n    return XP.kron(a, b)",
                // torch.kron views its operands, which a transpose leaves non-contiguous.
                Some("def _kron(a, b):\n    return torch.kron(a.contiguous(), b.contiguous())"),
                None,
            ),
            Helper::Relu => (
                "def _relu(a):\n    return XP.maximum(a, 0.0)",
                Some("def _relu(a):\n    return torch.clamp(a, min=0.0)"),
                None,
            ),
            Helper::Step => (
                "def _step(a):\n    return XP.where(a > 0, 1.0, 0.0)",
                Some("def _step(a):\n    return (a > 0).to(torch.float64)"),
                None,
            ),
            Helper::Sigmoid => (
                "def _sigmoid(a):\n    return XP.exp(-XP.logaddexp(0.0, -a))",
                Some("def _sigmoid(a):\n    return torch.sigmoid(a)"),
                None,
            ),
            Helper::Softplus => (
                "def _softplus(a):\n    return XP.logaddexp(0.0, a)",
                Some("def _softplus(a):\n    return torch.logaddexp(a, torch.zeros_like(a))"),
                None,
            ),
            Helper::OutScalar => (
                "def _out_scalar(v):\n    return float(XP.asarray(v).reshape(()))",
                Some("def _out_scalar(v):\n    return torch.as_tensor(v, dtype=torch.float64).reshape(())"),
                Some("def _out_scalar(v):\n    return jnp.asarray(v, dtype=jnp.float64).reshape(())"),
            ),
        }
    }
}
