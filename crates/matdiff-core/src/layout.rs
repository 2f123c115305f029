//! Layouts of a result (issue 13 §4): the gradient (denominator) layout ∇f, shaped like X, and
//! the numerator layout ∂f/∂X = (∇f)ᵀ, the Jacobian convention.

use crate::api::Derivation;
use crate::ctx::{Ctx, SymbolIndex};
use crate::expr::{Expr, SymbolTable};
use crate::print::Renderer;
use crate::simplify::{simplify, smart_t};
use crate::symmetric::Form;

/// Which convention a derivative of a scalar f is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// ∇f, shaped like X (the default).
    #[default]
    Gradient,
    /// ∂f/∂X = (∇f)ᵀ, shaped like Xᵀ.
    Numerator,
}

impl Layout {
    /// `"gradient"` or `"numerator"`, as the command and the URL write it.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Gradient => "gradient",
            Layout::Numerator => "numerator",
        }
    }

    /// The layout of a name written by [`Layout::name`].
    pub fn from_name(name: &str) -> Option<Layout> {
        match name {
            "gradient" => Some(Layout::Gradient),
            "numerator" => Some(Layout::Numerator),
            _ => None,
        }
    }

    /// The one sentence saying which convention a result is in.
    pub fn sentence(self) -> &'static str {
        match self {
            Layout::Gradient => {
                "Gradient (denominator) layout: the result is the gradient, shaped like the \
                 variable, with dy = tr(grad^T dX)."
            }
            Layout::Numerator => {
                "Numerator layout: the result is df/dX = (grad f)^T, shaped like the transposed \
                 variable (the Jacobian convention), with dy = tr(df/dX dX)."
            }
        }
    }
}

/// The derivative in numerator layout, ∂f/∂X = (∇f)ᵀ, simplified, with its renderings.
pub fn numerator_form(d: &Derivation, table: &SymbolTable) -> Form {
    let index = SymbolIndex::new(table);
    let ctx = Ctx {
        table,
        wrt: &d.wrt,
        index: &index,
    };
    let expr = if d.gradient.is_zero() {
        Expr::Num(0.0)
    } else {
        simplify(smart_t(&d.gradient, ctx), ctx)
    };
    let render = Renderer::new(table);
    Form {
        latex: render.latex(&expr),
        text: render.text(&expr),
        expr,
    }
}

/// LaTeX of the left-hand side of the numerator form: `\frac{\partial f}{\partial X}`.
pub fn numerator_lhs_latex(d: &Derivation) -> String {
    format!(r"\frac{{\partial f}}{{\partial {}}}", d.wrt_latex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{analyze, Input};

    #[test]
    fn numerator_forms_are_the_transposed_gradients() {
        let mut out = String::new();
        for (expr, wrt) in [
            ("tr(A*X*B)", "X"),
            ("x'*A*x", "x"),
            ("logdet(X)", "X"),
            ("a'*X*b", "X"),
            ("tr(A)", "X"),
        ] {
            let a = analyze(&Input {
                expr: expr.into(),
                decls: String::new(),
                wrt: Some(wrt.into()),
            });
            let d = a.derivation.as_ref().expect("a derivation");
            let p = a.problem.as_ref().expect("a problem");
            let n = numerator_form(d, &p.symbols);
            out.push_str(&format!(
                "{expr}: grad = {}, df/d{wrt} = {}   $ {} = {} $\n",
                d.gradient_text,
                n.text,
                numerator_lhs_latex(d),
                n.latex
            ));
        }
        expect_test::expect![[r#"
            tr(A*X*B): grad = A'*B', df/dX = B*A   $ \frac{\partial f}{\partial \mathbf{X}} = \mathbf{B} \mathbf{A} $
            x'*A*x: grad = (A + A')*x, df/dx = x'*(A + A')   $ \frac{\partial f}{\partial \mathbf{x}} = \mathbf{x}^\top (\mathbf{A} + \mathbf{A}^\top) $
            logdet(X): grad = inv(X)', df/dX = inv(X)   $ \frac{\partial f}{\partial \mathbf{X}} = \mathbf{X}^{-1} $
            a'*X*b: grad = a*b', df/dX = b*a'   $ \frac{\partial f}{\partial \mathbf{X}} = \mathbf{b} \mathbf{a}^\top $
            tr(A): grad = 0, df/dX = 0   $ \frac{\partial f}{\partial \mathbf{X}} = 0 $
        "#]].assert_eq(&out);
    }
}
