//! The derivation: numbered display-math lines, each naming its rule (identity on hover, focus or tap)
//! and carrying the mark of its numeric step check; the gradient in a box.

use super::math::Math;
use crate::state::Shown;
use matdiff_core::api::rule_note;
use matdiff_core::{Lhs, Rule};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DerivationProps {
    pub shown: Rc<Shown>,
    /// The input has changed into something with errors: this derivation is an earlier one.
    pub stale: bool,
}

/// Step-check marks by line, from the report's checks of the lines ([`CheckReport::lines`]);
/// all `None` while the check is pending or when it could not run.
///
/// [`CheckReport::lines`]: matdiff_core::CheckReport::lines
pub fn marks(shown: &Shown) -> Vec<Option<bool>> {
    let Some(d) = shown.analysis.derivation.as_ref() else {
        return Vec::new();
    };
    match shown.check.as_ref().and_then(|c| c.as_ref().ok()) {
        Some(r) => r.lines(d).iter().map(|(_, c)| c.passed()).collect(),
        None => vec![None; d.steps.len()],
    }
}

#[derive(Properties, PartialEq)]
struct RuleProps {
    rule: Rule,
    /// The id of the tip, for `aria-describedby`.
    tip: AttrValue,
    /// The pointer or the focus entered the name: tips dismissed with Escape may show again.
    on_enter: Callback<()>,
}

/// A step's rule name and its tip. The identity in the tip is typeset only once the tip is wanted
/// (the pointer over the name, or the name focused or tapped): set up front, every line would carry
/// a hidden formula as large as the shown one, built and thrown away on each keystroke.
#[function_component(RuleName)]
fn rule_name(props: &RuleProps) -> Html {
    let open = use_state_eq(|| false);
    let want = {
        let open = open.clone();
        move || open.set(true)
    };
    let (over, focus) = (want.clone(), want);
    let (enter, enter_focus) = (props.on_enter.clone(), props.on_enter.clone());
    let r = props.rule;
    html! {
        <span class="rule" tabindex="0" aria-describedby={props.tip.clone()} data-rule={r.id}
            onmouseover={move |_: MouseEvent| over()}
            onmouseenter={move |_: MouseEvent| enter.emit(())}
            onfocusin={move |_: FocusEvent| { focus(); enter_focus.emit(()) }}>
            { r.name }
            <span class="tip" role="tooltip" id={props.tip.clone()}>
                if *open { <Math tex={r.identity} /> }
                <span class="cookbook">{ r.cookbook.map(|c| format!(" Matrix Cookbook ({c})")).unwrap_or_default() }</span>
            </span>
        </span>
    }
}

/// The class, text and label of a line's check mark: a dy line is checked against dy, a ∇f line
/// is marked by the gradient check.
pub fn mark_of(dy: bool, mark: Option<bool>) -> (&'static str, &'static str, &'static str) {
    match (mark, dy) {
        (Some(true), true) => ("mark pass", "✓", "step agrees numerically with dy"),
        (Some(false), true) => ("mark fail", "✗", "step disagrees numerically with dy"),
        (Some(true), false) => ("mark pass", "✓", "gradient agrees with finite differences"),
        (Some(false), false) => (
            "mark fail",
            "✗",
            "gradient disagrees with finite differences",
        ),
        (None, _) => ("mark none", "·", "step not checked"),
    }
}

/// One derivation line: its number, the equation, the mark of its step check, the rule.
fn line(
    i: usize,
    tex: String,
    dy: bool,
    rule: Option<Rule>,
    mark: Option<bool>,
    on_enter: &Callback<()>,
) -> Html {
    let rule_html = match rule {
        Some(r) => {
            html! { <RuleName rule={r} tip={format!("tip-{i}")} on_enter={on_enter.clone()} /> }
        }
        None => html! { <span class="rule first">{ "take the differential" }</span> },
    };
    let title = rule.map(|r| rule_note(&r));
    let (mark_class, mark_text, mark_label) = mark_of(dy, mark);
    html! {
        <li class="step" data-lhs={ if dy { "dy" } else { "grad" } }>
            <span class="num" aria-hidden="true">{ format!("({})", i + 1) }</span>
            <div class="eq scroll-x" title={title}><Math tex={tex} display=true /></div>
            <span class={mark_class} title={mark_label} role="img" aria-label={mark_label}>{ mark_text }</span>
            { rule_html }
        </li>
    }
}

#[function_component(DerivationView)]
pub fn derivation_view(props: &DerivationProps) -> Html {
    let Some(d) = props.shown.analysis.derivation.as_ref() else {
        return html! {};
    };
    let marks = marks(&props.shown);
    // Escape hides the rule tips (WCAG 1.4.13) until the pointer or the focus enters a rule again.
    let dismissed = use_state_eq(|| false);
    {
        let dismissed = dismissed.clone();
        use_effect_with((), move |_| {
            let listener = crate::dom::OnEscape::new(move || dismissed.set(true));
            move || drop(listener)
        });
    }
    let on_enter = {
        let dismissed = dismissed.clone();
        Callback::from(move |()| dismissed.set(false))
    };
    let mut prev: Option<Lhs> = None;
    let lines = d.steps.iter().zip(marks).enumerate().map(|(i, (s, mark))| {
        let lhs = d.lhs_latex(s.lhs);
        let tex = if prev == Some(s.lhs) {
            format!(r"\phantom{{{lhs}}} = {}", s.latex)
        } else {
            format!("{lhs} = {}", s.latex)
        };
        prev = Some(s.lhs);
        html! {
            { line(i, tex, s.lhs == Lhs::Dy, s.rule, mark, &on_enter) }
        }
    });
    let grad = format!("{} = {}", d.lhs_latex(Lhs::Gradient), d.gradient_latex);
    html! {
        <section class={classes!("derivation", props.stale.then_some("stale"))} aria-labelledby="deriv-h">
            <h2 id="deriv-h">{ "Derivation" }
                if props.stale { <span class="stale-note">{ " (of the last valid input)" }</span> }
            </h2>
            <p class="help f">{ "f = " }<Math tex={d.f_latex.clone()} />{ ", with respect to " }<code>{ &d.wrt }</code></p>
            <ol class={classes!("steps", dismissed.then_some("tips-dismissed"))} data-testid="derivation">{ for lines }</ol>
            <div class="result scroll-x" data-testid="gradient" data-gradient-text={d.gradient_text.clone()}
                data-wrt={d.wrt.clone()} aria-label="gradient">
                <Math tex={grad} display=true />
            </div>
            if let Some(note) = &d.note {
                <p class="help derivation-note" data-testid="derivation-note">{ note }{ "." }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{run_check, Shown};
    use matdiff_core::{analyze, Input};

    #[test]
    fn every_line_gets_its_mark_dy_lines_from_the_steps_and_grad_lines_from_the_gradient() {
        let a = Rc::new(analyze(&Input {
            expr: "logdet(X'*X)".into(),
            decls: String::new(),
            wrt: None,
        }));
        let pending = Shown {
            analysis: a.clone(),
            input: Default::default(),
            check: None,
        };
        let n = a.derivation.as_ref().unwrap().steps.len();
        assert_eq!(marks(&pending), vec![None; n]);
        let check = Some(run_check(&a, &Default::default(), 1));
        let done = Shown {
            analysis: a,
            input: Default::default(),
            check,
        };
        let m = marks(&done);
        assert_eq!(m.len(), n);
        assert!(m.iter().all(|x| *x == Some(true)), "{m:?}");
    }

    #[test]
    fn a_broken_gradient_leaves_the_gradient_lines_unmarked_and_a_wrong_line_is_marked() {
        let mut a = analyze(&Input {
            expr: "tr(A*X*B)".into(),
            decls: "A: 3x4, X: 4x5, B: 5x3".into(),
            wrt: None,
        });
        let d = a.derivation.as_mut().expect("a derivation");
        d.gradient = matdiff_core::Expr::sym("A");
        d.steps[2].expr = matdiff_core::Expr::neg(d.steps[2].expr.clone());
        let dy = d.dy_lines().count();
        let n = d.steps.len();
        assert!(dy < n);
        let a = Rc::new(a);
        let check = Some(run_check(&a, &Default::default(), 1));
        let m = marks(&Shown {
            analysis: a,
            input: Default::default(),
            check,
        });
        let mut want = vec![Some(true); dy];
        want[2] = Some(false);
        want.resize(n, None);
        assert_eq!(m, want);
    }

    #[test]
    fn a_gradient_line_is_labelled_by_the_gradient_check_not_as_a_step() {
        assert_eq!(
            mark_of(true, Some(true)).2,
            "step agrees numerically with dy"
        );
        assert_eq!(
            mark_of(false, Some(true)).2,
            "gradient agrees with finite differences"
        );
        assert_eq!(mark_of(false, Some(false)).0, "mark fail");
        assert_eq!(mark_of(false, None).1, "·");
    }
}
