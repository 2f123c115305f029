//! Practice mode: the derivation hidden after `dy = d(f)`; at each step the learner chooses the
//! rule (buttons with its identity in LaTeX, arrow keys move among them), types the next line,
//! or asks to be shown it; at the end the learner writes ∇f (the claim slot).
//!
//! A view function rather than a component: the run is part of the page's state
//! ([`crate::state::State::run`]), so the view needs no hooks of its own.

use super::math::Math;
use crate::practice::{Feedback, How, Move, Run};
use matdiff_core::api::rule_note;
use matdiff_core::{Analysis, Lhs};
use yew::prelude::*;

/// The lines of the run on screen (the focus moves on when there are more of them).
const LINES: &str = "[data-testid=practice-lines] > li";
/// Where the focus goes after a step is revealed: the next choices, or "Show ∇f" at the end.
const NEXT: &str = ".choices button, [data-testid=show-gradient]";

/// What the feedback line says, and its class.
fn feedback_text(f: &Feedback) -> (&'static str, String) {
    match f {
        Feedback::Right(name) => ("right", format!("Right: the {name}.")),
        Feedback::Wrong(name, why) => ("wrong", format!("The {name}? {why}")),
        Feedback::LineAccepted => (
            "right",
            "Right: your line equals dy along random dX. The step, with its rule:".to_string(),
        ),
        Feedback::LineRejected(why) => ("wrong", why.clone()),
        Feedback::Shown => ("shown", "Here is the next line, with its rule.".to_string()),
    }
}

/// The practice of `analysis`'s derivation in the state of `run`; every move goes to `on_move`.
pub fn practice_view(analysis: &Analysis, run: &Run, on_move: &Callback<Move>) -> Html {
    let Some(d) = analysis.derivation.as_ref() else {
        return html! {};
    };
    let finished = run.finished(analysis);
    let lhs = d.lhs_latex(Lhs::Dy);
    let grad = d.lhs_latex(Lhs::Gradient);
    // Line 1, the revealed dy lines with how each came, and the gradient lines once shown.
    let revealed = run.revealed.iter().enumerate().map(|(k, how)| {
        let by = match how {
            How::Chosen => "you chose",
            How::Typed => "you typed it",
            How::Shown => "shown",
        };
        (k + 1, Some(by))
    });
    let gradient = d
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| run.gradient_shown && s.lhs == Lhs::Gradient)
        .map(|(i, _)| (i, None));
    let lines = std::iter::once((0, None))
        .chain(revealed)
        .chain(gradient)
        .map(|(i, by)| {
            let s = &d.steps[i];
            let dy = s.lhs == Lhs::Dy;
            let tex = match (dy, i) {
                (true, 0) => format!("{lhs} = {}", s.latex),
                (true, _) => format!(r"\phantom{{{lhs}}} = {}", s.latex),
                (false, _) => format!("{grad} = {}", s.latex),
            };
            let rule = s
                .rule
                .map_or_else(|| "take the differential".to_string(), |r| rule_note(&r));
            html! {
                <li class="step" data-lhs={ if dy { "dy" } else { "grad" } } data-how={by}>
                    <span class="num" aria-hidden="true">{ format!("({})", i + 1) }</span>
                    <div class="eq scroll-x"><Math tex={tex} display=true /></div>
                    <span class="rule" data-rule={s.rule.map(|r| r.id)}>{ rule }
                        if let Some(by) = by { <span class="how">{ format!(" ({by})") }</span> }</span>
                </li>
            }
        });
    // A move that may reveal a step moves the focus on once it is rendered.
    let send = |m: Move| {
        let on_move = on_move.clone();
        Callback::from(move |_: MouseEvent| {
            crate::dom::focus_when_more(LINES, NEXT);
            on_move.emit(m.clone())
        })
    };
    let choices = run.choices(analysis).into_iter().map(|r| {
        let wrong = run.wrong.contains(&r.id);
        html! {
            <button type="button" class={classes!("choice", wrong.then_some("wrong"))} data-testid="rule-choice"
                data-rule={r.id} aria-describedby={wrong.then_some("practice-feedback")}
                onclick={send(Move::Choose(r.id.to_string()))}>
                <span class="name">{ r.name }</span>
                <Math tex={r.identity} />
            </button>
        }
    });
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let by = match e.key().as_str() {
            "ArrowRight" | "ArrowDown" => 1,
            "ArrowLeft" | "ArrowUp" => -1,
            _ => return,
        };
        e.prevent_default();
        // Yew delegates events to its root: the group is found from the focused button.
        let target: web_sys::Element = e.target_unchecked_into();
        let group = target.closest(".choices").ok().flatten();
        if let Some(el) = group {
            crate::dom::move_focus(&el, "button", by);
        }
    });
    let on_type = {
        let on_move = on_move.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            on_move.emit(Move::Type(input.value()));
        })
    };
    let on_submit = {
        let on_move = on_move.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            crate::dom::focus_when_more(LINES, NEXT);
            on_move.emit(Move::SubmitLine);
        })
    };
    let feedback = run.feedback.as_ref().map(feedback_text);
    html! {
        <section class="derivation practice" aria-labelledby="practice-h" data-testid="practice">
            <h2 id="practice-h">{ "Practice" }</h2>
            <p class="help f">{ "f = " }<Math tex={d.f_latex.clone()} />{ ", with respect to " }<code>{ &d.wrt }</code>
                { ". Derive dy one rule at a time, then write ∇f." }</p>
            <ol class="steps" data-testid="practice-lines">{ for lines }</ol>
            <p class={classes!("feedback", feedback.as_ref().map(|f| f.0))} role="status" aria-live="polite"
                id="practice-feedback" data-testid="practice-feedback">{ feedback.map(|f| f.1).unwrap_or_default() }</p>
            if !finished {
                <div class="next">
                    <p id="choices-h">{ format!("Which rule gives line ({})?", run.revealed.len() + 2) }</p>
                    <div class="choices" role="group" aria-labelledby="choices-h" {onkeydown}>{ for choices }</div>
                    <form class="type-line" onsubmit={on_submit}>
                        <label for="practice-line">{ "Or type the next line: dy = " }</label>
                        <input id="practice-line" class="mono" data-testid="practice-line" autocomplete="off"
                            spellcheck="false" placeholder="e.g. tr(A*dX*B)" value={run.typed.clone()} oninput={on_type} />
                        <button type="submit" data-testid="check-line">{ "Check line" }</button>
                    </form>
                    <button type="button" data-testid="show-me" onclick={send(Move::ShowMe)}>{ "Show me" }</button>
                </div>
            } else {
                <div class="next">
                    <p data-testid="practice-end">{ "Every line of dy is there. Now write ∇f in the field \u{201c}Your ∇f =\u{201d} below: it says whether it is correct." }</p>
                    if !run.gradient_shown {
                        <button type="button" data-testid="show-gradient" onclick={send(Move::ShowGradient)}>{ "Show ∇f" }</button>
                    }
                </div>
            }
        </section>
    }
}
