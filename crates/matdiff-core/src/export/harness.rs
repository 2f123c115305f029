//! The check harness of an exported module: `sample_values(seed)`, drawing values the way
//! `numeric/sample.rs` does (the same kinds of entries and the same SPD construction, from
//! Python's own generator), and `check_gradient(seed=0)`, the page's entrywise check of the
//! gradient against central finite differences (and, for PyTorch and JAX, against autodiff).

use super::Target;
use crate::expr::{Dim, Expr, Problem};
use crate::numeric::{needs_with_steps, resolve_problem_sizes, Sizes};
use std::fmt::Write as _;

/// A size as Python, over `_SIZES`.
fn size(d: &Dim) -> String {
    match d {
        Dim::One => "1".into(),
        Dim::Num(n) => n.to_string(),
        Dim::Name(n) => format!("_SIZES[\"{n}\"]"),
        Dim::Prod(ps) => ps.iter().map(size).collect::<Vec<_>>().join(" * "),
    }
}

/// The Python text from `_SIZES` to the end of `check_gradient`.
pub(super) fn harness(problem: &Problem, steps: &[Expr], target: Target) -> Result<String, String> {
    let sizes = resolve_problem_sizes(problem, &Sizes::new()).map_err(|d| d.message)?;
    let needs = needs_with_steps(&problem.expr, steps, &problem.symbols);
    let mut out = String::new();
    out.push_str(
        "\n\n# What sample_values draws, as matdiff's sampler: name, kind, rows, columns, entries\n\
         # (positive: in [0.5, 2]; bounded: in (-0.9, 0.9)), structure (spd: B B'/n + I).\n",
    );
    let entries: Vec<String> = sizes.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    let _ = writeln!(out, "_SIZES = {{{}}}", entries.join(", "));
    out.push_str("_ARGUMENTS = [\n");
    for sym in &problem.symbols.symbols {
        let n = needs.get(&sym.name).copied().unwrap_or_default();
        let (rows, cols) = (&sym.shape.rows, &sym.shape.cols);
        let kind = match (rows, cols) {
            (Dim::One, Dim::One) => "scalar",
            (_, Dim::One) => "vector",
            (Dim::One, _) => "vector",
            _ => "matrix",
        };
        let entry = if n.positive {
            "positive"
        } else if n.bounded {
            "bounded"
        } else {
            "normal"
        };
        let square = rows == cols;
        let structure = if square && (sym.spd || n.spd) {
            if sym.spd || sym.symmetric {
                "spd"
            } else {
                "spd-skew"
            }
        } else if square && sym.symmetric {
            "symmetric"
        } else {
            "general"
        };
        let _ = writeln!(
            out,
            "    (\"{}\", \"{kind}\", {}, {}, \"{entry}\", \"{structure}\"),",
            sym.name,
            size(rows),
            size(cols)
        );
    }
    out.push_str("]\n");
    let _ = writeln!(out, "_WRT = \"{}\"", problem.wrt);
    out.push_str(COMMON);
    out.push_str(match target {
        Target::Numpy => ENTRIES_NUMPY,
        Target::Torch => ENTRIES_TORCH,
        Target::Jax => ENTRIES_JAX,
    });
    out.push_str(CHECK);
    out.push_str(match target {
        Target::Numpy => "",
        Target::Torch => AUTODIFF_TORCH,
        Target::Jax => AUTODIFF_JAX,
    });
    out.push_str("    return passed\n");
    Ok(out)
}

const COMMON: &str = r#"

def _draw(rng, kind, rows, cols, entries, structure):
    def entry():
        if entries == "positive":
            return rng.uniform(0.5, 2.0)
        if entries == "bounded":
            return rng.uniform(-0.9, 0.9)
        return rng.gauss(0.0, 1.0)

    m = [[entry() for _ in range(cols)] for _ in range(rows)]
    n = rows
    if structure.startswith("spd"):
        m = [[sum(m[i][k] * m[j][k] for k in range(n)) / n + (i == j) for j in range(n)] for i in range(n)]
    if structure != "general":
        m = [[(m[i][j] + m[j][i]) / 2 for j in range(n)] for i in range(n)]
    if structure == "spd-skew":
        k = [[rng.gauss(0.0, 1.0) for _ in range(n)] for _ in range(n)]
        m = [[m[i][j] + (k[i][j] - k[j][i]) / 4 for j in range(n)] for i in range(n)]
    if kind == "scalar":
        return m[0][0]
    return [v for row in m for v in row] if kind == "vector" else m


def sample_values(seed=0):
    """Random values respecting the declarations, where f is finite (up to 30 draws)."""
    last = None
    for attempt in range(30):
        rng = random.Random(seed * 1000003 + attempt)
        values = {a[0]: _draw(rng, *a[1:]) for a in _ARGUMENTS}
        try:
            if math.isfinite(float(f(**values))):
                return values
        except Exception as e:  # outside the domain of f: draw again
            last = e
    raise ValueError(f"f is undefined at 30 random samples (last error: {last!r})")


def _flatten(v):
    if isinstance(v, list) and v and isinstance(v[0], list):
        cols = len(v[0])
        return [x for row in v for x in row], lambda e: [e[i * cols:(i + 1) * cols] for i in range(len(v))]
    if isinstance(v, list):
        return list(v), list
    return [v], lambda e: e[0]


def _norm(xs):
    return math.sqrt(sum(x * x for x in xs))


def _relative_error(a, b):
    scale = max(_norm(a), _norm(b)) or 1.0
    return _norm([x - y for x, y in zip(a, b)]) / scale
"#;

const ENTRIES_NUMPY: &str = r#"

def _entries(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).reshape(-1)]
"#;

const ENTRIES_JAX: &str = ENTRIES_NUMPY;

const ENTRIES_TORCH: &str = r#"

def _entries(a):
    return torch.as_tensor(a, dtype=torch.float64).detach().reshape(-1).tolist()
"#;

const CHECK: &str = r#"

def check_gradient(seed=0, tolerance=1e-6):
    """grad_f against central differences of f at sample_values(seed); prints the error."""
    values = sample_values(seed)
    x, rebuild = _flatten(values[_WRT])
    g = _entries(grad_f(**values))
    if len(g) != len(x):
        raise ValueError("grad_f is not shaped like " + _WRT)
    h = 1e-5 * max(_norm(x) / math.sqrt(len(x)), 0.1)
    fd, err = [], []
    for i in range(len(x)):
        def at(t):
            moved = list(x)
            moved[i] += t
            return float(f(**{**values, _WRT: rebuild(moved)}))

        p1, m1, p2, m2 = at(h), at(-h), at(2 * h), at(-2 * h)
        c1, c2 = (p1 - m1) / (2 * h), (p2 - m2) / (4 * h)
        fd.append((4 * c1 - c2) / 3)
        err.append(abs(c1 - c2) + 8 * 2.220446049250313e-16 * max(map(abs, (p1, m1, p2, m2))) / h)
    error = _relative_error(g, fd)
    bound = max(tolerance, 10 * _norm(err) / (max(_norm(g), _norm(fd)) or 1.0))
    passed = error <= bound
    print(f"grad_f against central finite differences: relative error {error:.1e} "
          f"(tolerance {bound:.0e}): {'passed' if passed else 'FAILED'}")
"#;

const AUTODIFF_JAX: &str = r#"    auto = _entries(jax.grad(lambda v: f(**{**values, _WRT: v}))(
        jnp.asarray(values[_WRT], dtype=jnp.float64)))
    auto_error = _relative_error(g, auto)
    print(f"grad_f against jax.grad: relative error {auto_error:.1e} (tolerance 1e-08): "
          f"{'passed' if auto_error <= 1e-8 else 'FAILED'}")
    passed = passed and auto_error <= 1e-8
"#;

const AUTODIFF_TORCH: &str = r#"    v = torch.tensor(values[_WRT], dtype=torch.float64, requires_grad=True)
    f(**{**values, _WRT: v}).backward()
    auto = _entries(v.grad)
    auto_error = _relative_error(g, auto)
    print(f"grad_f against torch.autograd: relative error {auto_error:.1e} (tolerance 1e-08): "
          f"{'passed' if auto_error <= 1e-8 else 'FAILED'}")
    passed = passed and auto_error <= 1e-8
"#;

/// The Python text of `check_hessian(seed=0)`: `hessian_f` against central differences of
/// `grad_f` (column k moves entry k of vec X, column-major), its symmetry, and for PyTorch and
/// JAX the framework's own Hessian of f on the flattened variable.
pub(super) fn hessian_check(target: Target) -> String {
    let mut out = String::from(CHECK_HESSIAN);
    out.push_str(match target {
        Target::Numpy => "",
        Target::Torch => HESSIAN_AUTODIFF_TORCH,
        Target::Jax => HESSIAN_AUTODIFF_JAX,
    });
    out.push_str("    return passed\n");
    out
}

const CHECK_HESSIAN: &str = r#"

def _dims(v):
    if isinstance(v, list) and v and isinstance(v[0], list):
        return len(v), len(v[0])
    if isinstance(v, list):
        return len(v), 1
    return 1, 1


def _vec_entries(a, rows, cols):
    """The entries of a (shaped rows x cols, or flat, or a number) in vec order."""
    e = _entries(a)
    if len(e) != rows * cols:
        raise ValueError(f"expected {rows * cols} entries, got {len(e)}")
    return [e[i * cols + j] for j in range(cols) for i in range(rows)]


def _error_above(a, b, floor):
    """The relative error of a against b, a scale below floor counting as floor."""
    scale = max(_norm(a), _norm(b), floor)
    return _norm([x - y for x, y in zip(a, b)]) / scale


def _on_symmetric_directions(flat_h, rows, cols):
    """S H S, S = (I + K)/2 the projection onto vec of symmetric matrices, for a variable declared
    symmetric: a closed form may use the symmetry (inv(P) for inv(P)'), autodiff does not, and
    the two Hessians agree on the directions the declaration allows."""
    structure = next(a[5] for a in _ARGUMENTS if a[0] == _WRT)
    if structure not in ("spd", "symmetric") or rows != cols or rows == 1:
        return flat_h, ""
    n = rows * cols
    k = [(a // rows) + (a % rows) * rows for a in range(n)]
    out = [(flat_h[a * n + b] + flat_h[k[a] * n + b] + flat_h[a * n + k[b]] + flat_h[k[a] * n + k[b]]) / 4
           for a in range(n) for b in range(n)]
    return out, f" on symmetric directions ({_WRT} is declared symmetric)"


def check_hessian(seed=0, tolerance=1e-6):
    """hessian_f against central differences of grad_f at sample_values(seed), and its symmetry;
    prints the errors. Errors are relative to the size of H, or where H is about zero (below
    1e-6 of the size of f and its gradient), to that: rounding noise of a zero H is not an error."""
    values = sample_values(seed)
    rows, cols = _dims(values[_WRT])
    n = rows * cols
    flat_h = _entries(hessian_f(**values))
    if len(flat_h) != n * n:
        raise ValueError(f"hessian_f is not {n} x {n}")
    floor = 1e-6 * max(1.0, abs(float(f(**values))), _norm(_entries(grad_f(**values))))
    x, rebuild = _flatten(values[_WRT])
    h = 1e-5 * max(_norm(x) / math.sqrt(n), 0.1)
    fd_columns, err = [], 0.0
    for k in range(n):
        index = (k % rows) * cols + k // rows

        def at(t):
            moved = list(x)
            moved[index] += t
            return _vec_entries(grad_f(**{**values, _WRT: rebuild(moved)}), rows, cols)

        p1, m1, p2, m2 = at(h), at(-h), at(2 * h), at(-2 * h)
        c1 = [(a - b) / (2 * h) for a, b in zip(p1, m1)]
        c2 = [(a - b) / (4 * h) for a, b in zip(p2, m2)]
        fd_columns.append([(4 * a - b) / 3 for a, b in zip(c1, c2)])
        biggest = max(abs(v) for v in p1 + m1 + p2 + m2)
        err = max(err, max(abs(a - b) for a, b in zip(c1, c2)) + 8 * 2.220446049250313e-16 * biggest / h)
    fd = [fd_columns[j][i] for i in range(n) for j in range(n)]
    error = _error_above(flat_h, fd, floor)
    scale = max(_norm(flat_h), _norm(fd), floor)
    bound = max(tolerance, 10 * err * n / scale)
    passed = error <= bound
    print(f"hessian_f against central finite differences of grad_f: relative error {error:.1e} "
          f"(tolerance {bound:.0e}): {'passed' if passed else 'FAILED'}")
    transposed = [flat_h[j * n + i] for i in range(n) for j in range(n)]
    asymmetry = _error_above(flat_h, transposed, floor)
    print(f"hessian_f symmetric: relative asymmetry {asymmetry:.1e} (tolerance 1e-08): "
          f"{'passed' if asymmetry <= 1e-8 else 'FAILED'}")
    passed = passed and asymmetry <= 1e-8
"#;

const HESSIAN_AUTODIFF_JAX: &str = r#"    x_vec = jnp.asarray(_vec_entries(values[_WRT], rows, cols), dtype=jnp.float64)
    auto = _entries(jax.hessian(lambda v: f(**{**values, _WRT: v.reshape(cols, rows).T}))(x_vec))
    mine, where = _on_symmetric_directions(flat_h, rows, cols)
    auto, _ = _on_symmetric_directions(auto, rows, cols)
    auto_error = _error_above(mine, auto, floor)
    print(f"hessian_f against jax.hessian{where}: relative error {auto_error:.1e} (tolerance 1e-08): "
          f"{'passed' if auto_error <= 1e-8 else 'FAILED'}")
    passed = passed and auto_error <= 1e-8
"#;

const HESSIAN_AUTODIFF_TORCH: &str = r#"    x_vec = torch.tensor(_vec_entries(values[_WRT], rows, cols), dtype=torch.float64)
    auto = _entries(torch.autograd.functional.hessian(
        lambda v: f(**{**values, _WRT: v.reshape(cols, rows).T}), x_vec))
    mine, where = _on_symmetric_directions(flat_h, rows, cols)
    auto, _ = _on_symmetric_directions(auto, rows, cols)
    auto_error = _error_above(mine, auto, floor)
    print(f"hessian_f against torch.autograd.functional.hessian{where}: relative error {auto_error:.1e} "
          f"(tolerance 1e-08): {'passed' if auto_error <= 1e-8 else 'FAILED'}")
    passed = passed and auto_error <= 1e-8
"#;
