//! The rule catalog: every rule a derivation step can cite, as data with a stable kebab-case id.

use serde::Serialize;

/// A rule a derivation step cites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable kebab-case id, e.g. `product-rule`.
    pub id: &'static str,
    /// Human name, e.g. "product rule".
    pub name: &'static str,
    /// The identity, in LaTeX.
    pub identity: &'static str,
    /// Equation number in the Matrix Cookbook (2012 edition), where there is one.
    pub cookbook: Option<&'static str>,
}

macro_rules! rules {
    ($($konst:ident = $id:literal, $name:literal, $identity:literal, $cookbook:expr;)*) => {
        $(pub const $konst: Rule = Rule { id: $id, name: $name, identity: $identity, cookbook: $cookbook };)*
        /// Every rule, in catalog order.
        pub const ALL: &[Rule] = &[$($konst),*];
    };
}

rules! {
    // Differentials.
    CONSTANT = "constant", "differential of a constant",
        r"\mathrm{d}\mathbf{C} = 0", Some("33");
    INDEPENDENT = "independent", "f does not depend on the variable",
        r"\mathrm{d}f = 0 \text{ when } \mathbf{X} \text{ does not occur in } f", None;
    LINEARITY = "linearity", "linearity of the differential",
        r"\mathrm{d}(\alpha\mathbf{X} + \beta\mathbf{Y}) = \alpha\,\mathrm{d}\mathbf{X} + \beta\,\mathrm{d}\mathbf{Y}", Some("34, 35");
    PRODUCT = "product-rule", "product rule",
        r"\mathrm{d}(\mathbf{X}\mathbf{Y}) = (\mathrm{d}\mathbf{X})\mathbf{Y} + \mathbf{X}(\mathrm{d}\mathbf{Y})", Some("37");
    TRANSPOSE = "transpose", "differential of a transpose",
        r"\mathrm{d}(\mathbf{X}^\top) = (\mathrm{d}\mathbf{X})^\top", Some("44");
    TRACE = "trace", "differential of a trace",
        r"\mathrm{d}\operatorname{Tr}(\mathbf{X}) = \operatorname{Tr}(\mathrm{d}\mathbf{X})", Some("36");
    INVERSE = "inverse", "differential of an inverse",
        r"\mathrm{d}(\mathbf{X}^{-1}) = -\mathbf{X}^{-1}(\mathrm{d}\mathbf{X})\mathbf{X}^{-1}", Some("40");
    DETERMINANT = "determinant", "differential of a determinant",
        r"\mathrm{d}\det(\mathbf{X}) = \det(\mathbf{X})\operatorname{Tr}(\mathbf{X}^{-1}\mathrm{d}\mathbf{X})", Some("42");
    LOG_DET = "log-det", "differential of a log-determinant",
        r"\mathrm{d}\log\det(\mathbf{X}) = \operatorname{Tr}(\mathbf{X}^{-1}\mathrm{d}\mathbf{X})", Some("43");
    ADJUGATE = "adjugate", "differential of an adjugate",
        r"\mathrm{d}\operatorname{adj}(\mathbf{X}) = \operatorname{adj}(\mathbf{X})\operatorname{Tr}(\mathbf{X}^{-1}\mathrm{d}\mathbf{X}) - \mathbf{X}^{-1}(\mathrm{d}\mathbf{X})\operatorname{adj}(\mathbf{X})", None;
    MATRIX_POWER = "matrix-power", "differential of a matrix power",
        r"\mathrm{d}(\mathbf{X}^k) = \sum_{i=0}^{k-1} \mathbf{X}^{i}(\mathrm{d}\mathbf{X})\mathbf{X}^{k-1-i}", None;
    SCALAR_POWER = "scalar-power", "power rule",
        r"\mathrm{d}(u^p) = p\,u^{p-1}\,\mathrm{d}u", None;
    QUOTIENT = "quotient", "quotient rule",
        r"\mathrm{d}\left(\frac{\mathbf{X}}{u}\right) = \frac{\mathrm{d}\mathbf{X}}{u} - \frac{\mathbf{X}\,\mathrm{d}u}{u^2}", None;
    NORM_SQUARED = "norm-squared", "squared norm as an inner product",
        r"\|\mathbf{x}\|_2^2 = \mathbf{x}^\top\mathbf{x},\quad \|\mathbf{X}\|_F^2 = \operatorname{Tr}(\mathbf{X}^\top\mathbf{X})", None;
    NORM = "norm", "differential of a norm",
        r"\mathrm{d}\|\mathbf{X}\|_F = \frac{\operatorname{Tr}(\mathbf{X}^\top\mathrm{d}\mathbf{X})}{\|\mathbf{X}\|_F}", None;
    NORM1 = "norm1", "differential of the 1-norm",
        r"\mathrm{d}\|\mathbf{X}\|_1 = \operatorname{sum}(\operatorname{sign}(\mathbf{X}) \odot \mathrm{d}\mathbf{X})", None;
    HADAMARD = "hadamard-product", "product rule for the Hadamard product",
        r"\mathrm{d}(\mathbf{X} \odot \mathbf{Y}) = (\mathrm{d}\mathbf{X}) \odot \mathbf{Y} + \mathbf{X} \odot \mathrm{d}\mathbf{Y}", Some("38");
    KRONECKER = "kronecker-product", "product rule for the Kronecker product",
        r"\mathrm{d}(\mathbf{A} \otimes \mathbf{B}) = (\mathrm{d}\mathbf{A}) \otimes \mathbf{B} + \mathbf{A} \otimes \mathrm{d}\mathbf{B}", None;
    HADAMARD_QUOTIENT = "hadamard-quotient", "quotient rule for elementwise division",
        r"\mathrm{d}(\mathbf{X} \oslash \mathbf{Y}) = \mathrm{d}\mathbf{X} \oslash \mathbf{Y} - (\mathbf{X} \oslash \mathbf{Y}^{\circ 2}) \odot \mathrm{d}\mathbf{Y}", None;
    HADAMARD_POWER = "hadamard-power", "elementwise power rule",
        r"\mathrm{d}(\mathbf{X}^{\circ p}) = p\,\mathbf{X}^{\circ (p-1)} \odot \mathrm{d}\mathbf{X}", None;
    ELEMENTWISE = "elementwise-function", "elementwise function",
        r"\mathrm{d}f(\mathbf{X}) = f'(\mathbf{X}) \odot \mathrm{d}\mathbf{X}", None;
    CHAIN_SCALAR = "chain-scalar", "chain rule through a scalar function",
        r"\mathrm{d}f(u) = f'(u)\,\mathrm{d}u", None;
    SUM = "sum", "differential of a sum of entries",
        r"\mathrm{d}\operatorname{sum}(\mathbf{X}) = \operatorname{sum}(\mathrm{d}\mathbf{X})", None;
    MEAN = "mean", "differential of a mean of entries",
        r"\mathrm{d}\operatorname{mean}(\mathbf{X}) = \operatorname{mean}(\mathrm{d}\mathbf{X})", None;
    LOG_SUM_EXP = "logsumexp", "differential of log-sum-exp",
        r"\mathrm{d}\operatorname{logsumexp}(\mathbf{z}) = \operatorname{softmax}(\mathbf{z})^\top \mathrm{d}\mathbf{z} = \operatorname{sum}(\operatorname{softmax}(\mathbf{z}) \odot \mathrm{d}\mathbf{z})", None;
    SOFTMAX = "softmax", "differential of softmax",
        r"\mathrm{d}\operatorname{softmax}(\mathbf{z}) = (\operatorname{diag}(\mathbf{s}) - \mathbf{s}\mathbf{s}^\top)\,\mathrm{d}\mathbf{z} = \mathbf{s} \odot \mathrm{d}\mathbf{z} - \mathbf{s}(\mathbf{s}^\top \mathrm{d}\mathbf{z}),\ \mathbf{s} = \operatorname{softmax}(\mathbf{z})", None;
    DIAG = "diag", "differential of diag",
        r"\mathrm{d}\operatorname{diag}(\mathbf{X}) = \operatorname{diag}(\mathrm{d}\mathbf{X})", None;
    // Rearrangement into dy = Tr(G^T dX).
    DISTRIBUTE = "distribute", "distributivity",
        r"\mathbf{A}(\mathbf{B} + \mathbf{C}) = \mathbf{A}\mathbf{B} + \mathbf{A}\mathbf{C}", None;
    TRACE_LINEARITY = "trace-linearity", "linearity of the trace",
        r"\operatorname{Tr}(\alpha\mathbf{A} + \beta\mathbf{B}) = \alpha\operatorname{Tr}(\mathbf{A}) + \beta\operatorname{Tr}(\mathbf{B})", Some("15");
    SCALAR_FACTOR = "scalar-factor", "scalars commute",
        r"\mathbf{A}\,\alpha\,\mathbf{B} = \alpha\,\mathbf{A}\mathbf{B}", None;
    SCALAR_AS_TRACE = "scalar-as-trace", "a scalar equals its trace",
        r"a = \operatorname{Tr}(a)", None;
    TRACE_OF_SCALAR = "trace-of-scalar", "the trace of a scalar is the scalar",
        r"\operatorname{Tr}(a) = a", None;
    SCALAR_TRANSPOSE = "scalar-transpose", "a scalar equals its transpose",
        r"\mathbf{p}^\top\mathbf{q} = \mathbf{q}^\top\mathbf{p}", None;
    TRACE_TRANSPOSE = "trace-transpose", "trace of a transpose",
        r"\operatorname{Tr}(\mathbf{P}) = \operatorname{Tr}(\mathbf{P}^\top)", Some("13");
    TRACE_CYCLIC = "trace-cyclic", "cyclic property of the trace",
        r"\operatorname{Tr}(\mathbf{P}\mathbf{Q}) = \operatorname{Tr}(\mathbf{Q}\mathbf{P})", Some("14, 16");
    TRACE_HADAMARD = "trace-hadamard", "trace of a Hadamard product",
        r"\operatorname{Tr}(\mathbf{A}^\top(\mathbf{B} \odot \mathbf{C})) = \operatorname{Tr}((\mathbf{A} \odot \mathbf{B})^\top\mathbf{C})", None;
    SUM_AS_TRACE = "sum-as-trace", "sum of entries as a trace",
        r"\operatorname{sum}(\mathbf{A}) = \operatorname{Tr}(\mathbf{1}^\top\mathbf{A})", None;
    MEAN_AS_TRACE = "mean-as-trace", "mean of entries as a trace",
        r"\operatorname{mean}(\mathbf{A}) = \frac{\operatorname{Tr}(\mathbf{1}^\top\mathbf{A})}{N},\ N = \operatorname{sum}(\mathbf{1}) \text{ the number of entries}", None;
    KRONECKER_TRANSPOSE = "kronecker-transpose", "transpose of a Kronecker product",
        r"(\mathbf{A} \otimes \mathbf{B})^\top = \mathbf{A}^\top \otimes \mathbf{B}^\top", None;
    KRONECKER_MIXED_PRODUCT = "kronecker-mixed-product", "mixed-product property of the Kronecker product",
        r"(\mathbf{A} \otimes \mathbf{B})(\mathbf{C} \otimes \mathbf{D}) = \mathbf{A}\mathbf{C} \otimes \mathbf{B}\mathbf{D}", None;
    TRACE_KRONECKER = "trace-kronecker", "trace of a Kronecker product",
        r"\operatorname{Tr}(\mathbf{A} \otimes \mathbf{B}) = \operatorname{Tr}(\mathbf{A})\operatorname{Tr}(\mathbf{B})", None;
    TRACE_DIAG = "trace-diag", "trace against a diagonal matrix",
        r"\operatorname{Tr}(\mathbf{A}\operatorname{diag}(\mathbf{v})) = \operatorname{diag}(\mathbf{A})^\top\mathbf{v}", None;
    DIAG_TRACE = "diag-trace", "inner product with a diagonal",
        r"\mathbf{u}^\top\operatorname{diag}(\mathbf{A}) = \operatorname{Tr}(\operatorname{diag}(\mathbf{u})\mathbf{A})", None;
    COLLECT = "collect", "collect terms",
        r"\operatorname{Tr}(\mathbf{A}^\top\mathrm{d}\mathbf{X}) + \operatorname{Tr}(\mathbf{B}^\top\mathrm{d}\mathbf{X}) = \operatorname{Tr}((\mathbf{A} + \mathbf{B})^\top\mathrm{d}\mathbf{X})", None;
    READ_OFF = "read-off", "differential-gradient equation",
        r"\mathrm{d}y = \operatorname{Tr}(\nabla f^\top \mathrm{d}\mathbf{X}) \implies \nabla f", None;
    TRANSPOSE_PRODUCT = "transpose-product", "transpose of a product",
        r"(\mathbf{A}\mathbf{B})^\top = \mathbf{B}^\top\mathbf{A}^\top,\ (\mathbf{A}^\top)^\top = \mathbf{A},\ \mathbf{S}^\top = \mathbf{S}", Some("4, 5");
    // Named identities of the final simplification (`simplify::IDENTITIES`).
    POWER_OF_POWER = "power-of-power", "power of a power",
        r"(a^{p})^{q} = a^{pq}\ (q \in \mathbb{Z})", None;
    MERGE_POWERS = "merge-powers", "powers of a scalar",
        r"a^{p}\,a^{q} = a^{p+q}", None;
    MERGE_MATRIX_POWERS = "merge-matrix-powers", "powers of a matrix",
        r"\mathbf{X}^{k}\mathbf{X}^{l} = \mathbf{X}^{k+l},\ \mathbf{X}\mathbf{X}^{-1} = \mathbf{I}", None;
    CANCEL_WITH_INVERSE = "cancel-with-inverse", "a factor cancels its inverse",
        r"\mathbf{F}(\mathbf{R}\mathbf{F})^{-1} = \mathbf{R}^{-1},\ (\mathbf{F}\mathbf{R})^{-1}\mathbf{F} = \mathbf{R}^{-1}", Some("1, 2");
    CANCEL_IN_QUOTIENT = "cancel-in-quotient", "powers cancel in a quotient",
        r"\frac{a^{p}\,\mathbf{B}}{a^{q}} = a^{p-q}\,\mathbf{B}", None;
    NEGATIVE_POWER_AS_QUOTIENT = "negative-power-as-quotient", "negative power as a quotient",
        r"\tfrac{1}{n}\,a^{-p}\,\mathbf{B} = \frac{\mathbf{B}}{n\,a^{p}}", None;
    NESTED_QUOTIENT = "nested-quotient", "quotient of a quotient",
        r"\frac{\mathbf{A}/s}{t} = \frac{\mathbf{A}}{s\,t}", None;
    HALF_POWER_AS_SQRT = "half-power-as-sqrt", "half power as a square root",
        r"a^{1/2} = \sqrt{a}", None;
    CANCEL_IN_HADAMARD_QUOTIENT = "cancel-in-hadamard-quotient", "a factor cancels in an elementwise quotient",
        r"(\mathbf{A} \odot \mathbf{B}) \oslash \mathbf{B} = \mathbf{A}", None;
    QUOTIENT_INNER_PRODUCT = "quotient-inner-product", "inner product with an elementwise quotient's divisor",
        r"(\mathbf{a} \oslash \mathbf{b})^\top \mathbf{b} = \operatorname{sum}(\mathbf{a})", None;
    LOGISTIC_AS_SIGMOID = "logistic-as-sigmoid", "the logistic function",
        r"e^{\mathbf{u}} \oslash (\mathbf{1} + e^{\mathbf{u}}) = \sigma(\mathbf{u})", None;
    SOFTMAX_AS_QUOTIENT = "softmax-as-quotient", "softmax written out",
        r"e^{\mathbf{z}} / \operatorname{sum}(e^{\mathbf{z}}) = \operatorname{softmax}(\mathbf{z})", None;
    HADAMARD_INVERSE_AS_QUOTIENT = "hadamard-inverse-as-quotient", "elementwise inverse as a quotient",
        r"\mathbf{A} \odot \mathbf{B}^{\circ -1} = \mathbf{A} \oslash \mathbf{B}", None;
    EXPAND_HADAMARD = "expand-hadamard", "elementwise products expanded and like terms collected",
        r"\mathbf{a} \odot (\mathbf{1} - \mathbf{b}) + \mathbf{a} \odot \mathbf{b} = \mathbf{a}", None;
    SCALAR_OUT_OF_HADAMARD = "scalar-out-of-hadamard", "numbers out of a Hadamard product",
        r"(\alpha\mathbf{A}) \odot \mathbf{B} = \alpha(\mathbf{A} \odot \mathbf{B})", None;
    FACTOR_COMMON = "factor-common", "common scalar factor",
        r"\alpha\mathbf{A} + \alpha\mathbf{B} = \alpha(\mathbf{A} + \mathbf{B}),\ \frac{\mathbf{A}}{s} + \frac{\mathbf{B}}{s} = \frac{\mathbf{A} + \mathbf{B}}{s}", None;
    LIKE_TERMS = "like-terms", "like terms collected",
        r"\alpha\mathbf{A} + \beta\mathbf{A} = (\alpha + \beta)\mathbf{A}", None;
    SIMPLIFY = "simplify", "identities and constants",
        r"\mathbf{I}\mathbf{A} = \mathbf{A},\ 1\cdot\mathbf{A} = \mathbf{A},\ \mathbf{A}^{k}\mathbf{A}^{l} = \mathbf{A}^{k+l}", None;
    // Jacobians and Hessians (`jacobian.rs`).
    VEC_KRONECKER = "vec-kronecker", "vec of a product",
        r"\operatorname{vec}(\mathbf{A}\,\mathrm{d}\mathbf{X}\,\mathbf{B}) = (\mathbf{B}^\top \otimes \mathbf{A})\operatorname{vec}\mathrm{d}\mathbf{X}", Some("520");
    COMMUTATION = "commutation", "commutation matrix",
        r"\operatorname{vec}(\mathrm{d}\mathbf{X}^\top) = \mathbf{K}\operatorname{vec}\mathrm{d}\mathbf{X}", None;
    VEC_HADAMARD = "vec-hadamard", "vec of a Hadamard product",
        r"\operatorname{vec}(\mathbf{P} \odot \mathrm{d}\mathbf{X}) = \operatorname{diag}(\operatorname{vec}\mathbf{P})\operatorname{vec}\mathrm{d}\mathbf{X}", None;
    VEC_SCALAR = "vec-scalar", "vec of a matrix times a scalar",
        r"\operatorname{vec}(\mathbf{M}\,s) = \operatorname{vec}(\mathbf{M})\,s", None;
    VEC_TRACE = "vec-trace", "trace as an inner product of vecs",
        r"\operatorname{Tr}(\mathbf{P}\,\mathrm{d}\mathbf{X}) = \operatorname{vec}(\mathbf{P}^\top)^\top\operatorname{vec}\mathrm{d}\mathbf{X}", Some("521");
    FIRST_IDENTIFICATION = "first-identification", "first identification theorem",
        r"\mathrm{d}\operatorname{vec}F = \mathbf{J}\,\mathrm{d}\operatorname{vec}\mathbf{X} \implies \frac{\partial \operatorname{vec} F}{\partial (\operatorname{vec}\mathbf{X})^\top} = \mathbf{J}", None;
    SECOND_DIFFERENTIAL = "second-differential", "second differential",
        r"\mathrm{d}^2 y = \mathrm{d}(\mathrm{d}y) = \operatorname{Tr}(\mathrm{d}(\nabla f)^\top\mathrm{d}\mathbf{X}),\ \mathrm{d}^2\mathbf{X} = 0", None;
    SUBSTITUTE = "substitute", "the differential of the gradient substituted",
        r"\mathrm{d}^2 y = \operatorname{Tr}(\mathrm{d}(\nabla f)^\top\mathrm{d}\mathbf{X})", None;
    TRACE_AS_VEC = "trace-as-vec", "trace as an inner product of vecs",
        r"\operatorname{Tr}(\mathbf{A}^\top\mathbf{B}) = (\operatorname{vec}\mathbf{A})^\top\operatorname{vec}\mathbf{B}", Some("521");
    SECOND_IDENTIFICATION = "second-identification", "second identification theorem",
        r"\mathrm{d}^2 y = (\mathrm{d}\operatorname{vec}\mathbf{X})^\top\mathbf{B}\,\mathrm{d}\operatorname{vec}\mathbf{X} \implies \mathbf{H} = \tfrac{1}{2}(\mathbf{B} + \mathbf{B}^\top) = \mathbf{B}\ (\mathbf{B} \text{ the Jacobian of } \nabla f \text{ is symmetric})", None;
}

/// Looks a rule up by its id.
pub fn by_id(id: &str) -> Option<Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        for (i, r) in ALL.iter().enumerate() {
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.id
            );
            assert!(
                ALL[i + 1..].iter().all(|s| s.id != r.id),
                "duplicate id {}",
                r.id
            );
            assert_eq!(by_id(r.id), Some(*r));
        }
    }
}
