//! Static derivations for notes: `derive --format html` (typeset natively by the `katex` crate,
//! HTML and MathML), `--standalone` pages, and the Markdown math syntaxes (`--math`).
//!
//! The template (escaping, wrapper, rule names, boxed result) is the core's
//! [`matdiff_core::publish`]; this module only typesets the formulas and reads the flags.

use crate::cli::DeriveFormat;
use clap::{Args, ValueEnum};
use matdiff_core::publish::{self, MathSyntax, DEFAULT_KATEX_CSS};
use matdiff_core::Derivation;

/// The flags of `derive` for static output.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// With `--format html`: a whole HTML page (no script) that links KaTeX's CSS, instead of a
    /// fragment to drop into a page that loads it.
    #[arg(long)]
    pub standalone: bool,
    /// With `--standalone`: the address of KaTeX 0.16.4's katex.min.css, its fonts/ folder beside
    /// it [default: katex/katex.min.css, a local copy of node_modules/katex/dist].
    #[arg(long, value_name = "PATH", requires = "standalone")]
    pub katex_css: Option<String>,
    /// With `--format markdown`: how display math is written [default: pandoc].
    #[arg(long, value_enum, value_name = "SYNTAX")]
    pub math: Option<MathFlavour>,
}

/// The Markdown math syntaxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MathFlavour {
    /// `$$…$$` blocks: Pandoc, Quarto, Jupyter Book (MyST), GitHub.
    Pandoc,
    /// `\\[…\\]` with the TeX's punctuation backslash-escaped: mdBook with `mathjax-support`.
    Mdbook,
}

impl PublishArgs {
    /// A usage error when a flag does not go with the format.
    pub fn validate(&self, format: DeriveFormat) -> Result<(), String> {
        if self.standalone && format != DeriveFormat::Html {
            return Err("error: --standalone needs --format html\n".to_string());
        }
        if self.math.is_some() && format != DeriveFormat::Markdown {
            return Err("error: --math needs --format markdown\n".to_string());
        }
        Ok(())
    }

    /// The Markdown of `d` in the chosen math syntax.
    pub fn markdown(&self, d: &Derivation) -> String {
        let syntax = match self.math.unwrap_or(MathFlavour::Pandoc) {
            MathFlavour::Pandoc => MathSyntax::Pandoc,
            MathFlavour::Mdbook => MathSyntax::MdBook,
        };
        publish::markdown(d, syntax)
    }

    /// The HTML of `d`, a fragment or a standalone page; an error when KaTeX refuses a formula.
    pub fn html(&self, d: &Derivation) -> Result<String, String> {
        let fragment = html_fragment(d)?;
        Ok(if self.standalone {
            let css = self.katex_css.as_deref().unwrap_or(DEFAULT_KATEX_CSS);
            publish::standalone_page(&publish::title(d), &[fragment], css)
        } else {
            fragment
        })
    }
}

/// KaTeX's options: display math, HTML and MathML, errors reported (never rendered), no trust.
fn options() -> Result<katex::Opts, String> {
    katex::Opts::builder()
        .display_mode(true)
        .output_type(katex::OutputType::HtmlAndMathml)
        .throw_on_error(true)
        .trust(false)
        .build()
        .map_err(|e| format!("error: KaTeX options: {e}\n"))
}

/// The derivation as an HTML fragment, every formula typeset by KaTeX.
pub fn html_fragment(d: &Derivation) -> Result<String, String> {
    let opts = options()?;
    publish::html(d, |tex| {
        katex::render_with_opts(tex, &opts)
            .map_err(|e| format!("error: KaTeX cannot typeset `{tex}`: {e} (internal error)\n"))
    })
}
