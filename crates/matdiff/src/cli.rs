//! Command-line syntax of `matdiff` (clap derive): subcommands, flags and their help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};
use matdiff_core::Func;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  matdiff derive '||A*x - b||^2'
  matdiff derive 'tr(A*X*B)' --format latex
  matdiff derive \"logdet(X'*X)\" --format markdown
  matdiff derive 'tr(A*X*B)' --format html --standalone > page.html
  matdiff derive \"x'*S*x\" --let 'S: symmetric n' --wrt x
  matdiff check 'tr(A*inv(X)*B)' --size n=4 --seed 7
  matdiff grad 'tr(A*X)' --wrt X --at values.json --format json
  matdiff export \"x'*inv(A)*x\" --wrt x --to numpy > grad.py
  matdiff compare \"x'*A*x\" --wrt x --claim '2*A*x'";

const EXIT_STATUS: &str = "Exit status: 0 success, 1 a numeric check failed (check) or the claim is
not correct (compare), 2 bad input or usage, 3 the claim is undecided (compare).";

/// The forms of the input language that are not functions of the table.
const OTHER_FORMS: &str = "inv ||v|| ||X||_F eye/I vector(c) matrix(c)";

/// The text after the main help: the examples, the input language with its functions listed
/// from the table of functions, the exit status.
fn after_help() -> String {
    let names = |elementwise: bool| {
        let mut out: Vec<&str> = Vec::new();
        for f in Func::ALL {
            if f.is_elementwise() == elementwise && !out.contains(&f.name()) {
                out.push(f.name());
            }
        }
        out.join(" ")
    };
    let language = format!(
        "Input language: numbers, symbols typed by their first letter unless declared \
         (a-g and lower-case Greek: scalars, h-z: vectors, A-Z: matrices), + - * / .* ./ .^ ^ \
         ' (transpose), ^T, ^-1, implicit products (2x, A x, AXB), {} {OTHER_FORMS}, and \
         elementwise {}.",
        names(false),
        names(true)
    );
    format!("{EXAMPLES}\n\n{}\n\n{EXIT_STATUS}", wrap(&language, 80))
}

/// `text` broken into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

/// Step-by-step gradients of scalar functions of matrices and vectors, by differentials,
/// with numeric checks.
#[derive(Debug, Parser)]
#[command(name = "matdiff", version, after_help = after_help(), arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the derivation of the gradient, one rule per step.
    #[command(after_help = "Example: matdiff derive 'tr(A*X*B)' --format latex")]
    Derive(DeriveArgs),
    /// Check the derivation numerically: the gradient against finite differences, and every step.
    ///
    /// Prints the relative errors and a mark per step; exits with status 1 when a check fails.
    #[command(after_help = "Example: matdiff check \"logdet(X'*X)\" --size n=3 --seed 1")]
    Check(CheckArgs),
    /// Evaluate f and its gradient at the values in a JSON file.
    ///
    /// The file maps each symbol to a number (scalar), a flat array (column vector) or an
    /// array of rows (matrix, row-major); shapes come from the values.
    #[command(
        after_help = "Example: echo '{\"A\": [[1,2],[3,4]], \"X\": [[1,0],[0,1]]}' > v.json\n         \
                             matdiff grad 'tr(A*X)' --wrt X --at v.json"
    )]
    Grad(GradArgs),
    /// Evaluate a vector- or matrix-valued f and its Jacobian at the values in a JSON file.
    ///
    /// The Jacobian is ∂ vec F / ∂ (vec X)ᵀ (numerator layout, vec stacking columns): rows
    /// numel(F) × numel(X), taken from the derived linear map dX ↦ dF.
    #[command(after_help = "Example: matdiff jacobian 'A*X*B' --wrt X --at v.json --format json")]
    Jacobian(JacobianArgs),
    /// Print the gradient as a self-contained Python module (NumPy, PyTorch or JAX).
    ///
    /// The module defines f(**values), grad_f(**values), sample_values(seed) and
    /// check_gradient(seed=0), which compares grad_f with finite differences (and, for torch
    /// and jax, with the framework's autodiff). Run it with `python3 module.py`.
    #[command(after_help = "Example: matdiff export \"x'*inv(A)*x\" --wrt x --to numpy > grad.py")]
    Export(ExportArgs),
    /// Check a claimed gradient: correct, not correct (and what is wrong), or undecided.
    ///
    /// The claim is decided numerically at random samples against finite differences of f;
    /// when it is wrong, the usual mistakes are tested against matdiff's gradient: the
    /// transpose, a scalar factor, the sign, a matrix that would have to be symmetric, one term
    /// missing or too many, the shape. Exits 0 when correct, 1 when not, 3 when undecided
    /// (no random sample allowed a reliable check), 2 on bad input.
    #[command(after_help = "Example: matdiff compare \"x'*A*x\" --wrt x --claim '2*A*x'")]
    Compare(CompareArgs),
}

/// The expression and how to read it: shared by every subcommand.
#[derive(Debug, Args)]
pub struct ProblemArgs {
    /// The expression, e.g. 'tr(A*X*B)' or '||A x - b||^2' (quote it for the shell); a vector-
    /// or matrix-valued one (derive, check, jacobian) gets its Jacobian.
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: String,
    /// Declarations: comma-separated `name: [scalar|vector|matrix] [dims] [symmetric|spd]`,
    /// e.g. 'A: 3x4, S: symmetric n, P: spd n, x: vector n'.
    #[arg(
        long = "let",
        short = 'l',
        value_name = "DECLS",
        default_value = "",
        hide_default_value = true
    )]
    pub decls: String,
}

#[derive(Debug, Args)]
pub struct DeriveArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The variable of differentiation [default: X, else x, else the first matrix, vector, scalar].
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wrt: Option<String>,
    /// Output format: plain text, a LaTeX `align*` block, Markdown with display math, HTML
    /// typeset by KaTeX, or JSON.
    #[arg(long, short = 'f', value_enum, default_value_t = DeriveFormat::Text)]
    pub format: DeriveFormat,
    /// The layout of the result: the gradient, shaped like the variable (the default), or
    /// numerator layout df/dX = (grad f)', the Jacobian convention; says which, in one sentence.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    pub layout: Option<crate::forms::LayoutArg>,
    #[command(flatten)]
    pub publish: crate::html::PublishArgs,
    /// Derive the Hessian of a scalar f by the second differential instead of the gradient.
    #[arg(long)]
    pub hessian: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The variable of differentiation [default: X, else x, else the first matrix, vector, scalar].
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wrt: Option<String>,
    /// Sizes of the symbolic dimensions, e.g. 'm=3,n=4' (missing ones get small defaults).
    #[arg(long, short = 's', value_name = "SIZES")]
    pub size: Option<String>,
    /// Seed of the random values.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// The layout of the result: the gradient, shaped like the variable (the default), or
    /// numerator layout df/dX = (grad f)', the Jacobian convention; says which, in one sentence.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    pub layout: Option<crate::forms::LayoutArg>,
    /// Check the Hessian derivation of a scalar f instead of the gradient's.
    #[arg(long)]
    pub hessian: bool,
}

#[derive(Debug, Args)]
pub struct GradArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The variable of differentiation.
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wrt: String,
    /// JSON file with the value of every symbol (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub at: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// The layout of the result: the gradient, shaped like the variable (the default), or
    /// numerator layout df/dX = (grad f)', the Jacobian convention; says which, in one sentence.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    pub layout: Option<crate::forms::LayoutArg>,
    /// Also print the Hessian (N×N, N = numel(X), in vec order: column-major).
    #[arg(long)]
    pub hessian: bool,
}

#[derive(Debug, Args)]
pub struct JacobianArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The variable of differentiation.
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wrt: String,
    /// JSON file with the value of every symbol (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub at: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The variable of differentiation [default: X, else x, else the first matrix, vector, scalar].
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wrt: Option<String>,
    /// The array library the module is written for.
    #[arg(long, value_enum, value_name = "TARGET")]
    pub to: ExportTarget,
    /// Also export the Hessian: `hessian_f` (N×N, vec order: column-major) and `check_hessian`.
    #[arg(long)]
    pub hessian: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    Numpy,
    Torch,
    Jax,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The variable of differentiation [default: X, else x, else the first matrix, vector, scalar].
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wrt: Option<String>,
    /// The claimed gradient, in the input syntax (Unicode and LaTeX accepted), with f's symbols.
    #[arg(long, short = 'c', value_name = "CLAIM", allow_hyphen_values = true)]
    pub claim: String,
    /// Sizes of the symbolic dimensions, e.g. 'm=3,n=4' (missing ones get small defaults).
    #[arg(long, short = 's', value_name = "SIZES")]
    pub size: Option<String>,
    /// Seed of the random values.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeriveFormat {
    /// Plain lines `dy = …   [rule-id: rule name]`.
    Text,
    /// An `align*` block with `\text{…}` rule annotations, ready to paste.
    Latex,
    /// Display math with the rule names: `$$…$$` (Pandoc, Quarto, Jupyter Book) or, with
    /// `--math mdbook`, `\\[…\\]` for mdBook.
    Markdown,
    /// HTML typeset by KaTeX (HTML and MathML, no script) in one `<div>`; needs KaTeX's CSS.
    Html,
    /// The whole analysis (symbols, steps with rules, LaTeX and text, gradient) as JSON.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::{after_help, Cli, OTHER_FORMS};
    use clap::CommandFactory;
    use matdiff_core::syntax::is_function_name;
    use matdiff_core::Func;

    /// The help lists every function of the table, and its other forms are names the parser
    /// knows.
    #[test]
    fn help_lists_every_function() {
        let help = Cli::command().render_long_help().to_string();
        let words: Vec<&str> = help.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        for f in Func::ALL {
            assert!(words.contains(&f.name()), "the help lacks {}", f.name());
        }
        for form in OTHER_FORMS.split(' ') {
            let name: String = form
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            assert!(name.is_empty() || is_function_name(&name), "{form}");
        }
        assert!(help.contains(&after_help()[..40]));
        assert!(after_help().lines().all(|l| l.chars().count() <= 80));
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
