//! Practice mode: the derivation hidden after `dy = d(f)`; at each step the learner chooses the
//! rule (buttons with its identity in LaTeX, arrow keys move among them), types the next line,
//! or asks to be shown it; at the end the learner writes ∇f (the claim slot).

use super::math::Math;
use crate::practice::{Feedback, How, Move, Run};
use matdiff_core::api::rule_note;
use matdiff_core::{Analysis, Lhs};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PracticeProps {
    pub analysis: Rc<Analysis>,
    /// Every practised line is revealed.
    pub on_done: Callback<()>,
}

impl Reducible for RunState {
    type Action = Move;
    fn reduce(self: Rc<Self>, m: Move) -> Rc<Self> {
        Rc::new(RunState {
            run: self.run.apply(&self.analysis, m),
            analysis: self.analysis.clone(),
        })
    }
}

/// The run with the analysis it practises (the reducer needs both).
#[derive(PartialEq)]
struct RunState {
    analysis: Rc<Analysis>,
    run: Run,
}

/// What the feedback line says.
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

#[function_component(PracticeView)]
pub fn practice_view(props: &PracticeProps) -> Html {
    let state = {
        let analysis = props.analysis.clone();
        use_reducer(move || RunState {
            analysis,
            run: Run::default(),
        })
    };
    let root = use_node_ref();
    let Some(d) = props.analysis.derivation.as_ref() else {
        return html! {};
    };
    let run = &state.run;
    let finished = run.finished(&props.analysis);
    // The end of the run is reported once.
    {
        let on_done = props.on_done.clone();
        use_effect_with(finished, move |f| {
            if *f {
                on_done.emit(());
            }
        });
    }
    // After a step is revealed the focus goes to the first choice of the next one (or to what
    // follows at the end), so that keyboard users continue where they are.
    {
        let root = root.clone();
        use_effect_with(run.revealed.len(), move |n| {
            if *n > 0 {
                if let Some(el) = root.cast::<web_sys::Element>() {
                    crate::dom::focus_first(&el, ".choices button, [data-testid=show-gradient]");
                }
            }
        });
    }
    let lhs = d.lhs_latex(Lhs::Dy);
    let mut lines = vec![html! {
        <li class="step" data-lhs="dy">
            <span class="num" aria-hidden="true">{ "(1)" }</span>
            <div class="eq scroll-x"><Math tex={format!("{lhs} = {}", d.steps[0].latex)} display=true /></div>
            <span class="rule first">{ "take the differential" }</span>
        </li>
    }];
    for (k, how) in run.revealed.iter().enumerate() {
        let s = &d.steps[k + 1];
        let by = match how {
            How::Chosen => "you chose",
            How::Typed => "you typed it",
            How::Shown => "shown",
        };
        lines.push(html! {
            <li class="step" data-lhs="dy" data-how={by}>
                <span class="num" aria-hidden="true">{ format!("({})", k + 2) }</span>
                <div class="eq scroll-x"><Math tex={format!(r"\phantom{{{lhs}}} = {}", s.latex)} display=true /></div>
                <span class="rule" data-rule={s.rule.map(|r| r.id)}>{ s.rule.map(|r| rule_note(&r)).unwrap_or_default() }
                    <span class="how">{ format!(" ({by})") }</span></span>
            </li>
        });
    }
    if run.gradient_shown {
        for (i, s) in d
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.lhs == Lhs::Gradient)
        {
            lines.push(html! {
                <li class="step" data-lhs="grad">
                    <span class="num" aria-hidden="true">{ format!("({})", i + 1) }</span>
                    <div class="eq scroll-x"><Math tex={format!("{} = {}", d.lhs_latex(Lhs::Gradient), s.latex)} display=true /></div>
                    <span class="rule">{ s.rule.map(|r| rule_note(&r)).unwrap_or_default() }</span>
                </li>
            });
        }
    }
    let send = |m: Move| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(m.clone()))
    };
    let choices = run.choices(&props.analysis).into_iter().map(|r| {
        let wrong = run.wrong.contains(&r.id);
        html! {
            <button type="button" class={classes!("choice", wrong.then_some("wrong"))} data-testid="rule-choice"
                data-rule={r.id} aria-label={format!("{}{}", r.name, if wrong { " (not this step)" } else { "" })}
                onclick={send(Move::Choose(r.id.to_string()))}>
                <span class="name">{ r.name }</span>
                <Math tex={r.identity} />
            </button>
        }
    });
    let onkeydown = {
        let root = root.clone();
        Callback::from(move |e: KeyboardEvent| {
            let by = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => 1,
                "ArrowLeft" | "ArrowUp" => -1,
                _ => return,
            };
            e.prevent_default();
            if let Some(el) = root.cast::<web_sys::Element>() {
                crate::dom::move_focus(&el, ".choices button", by);
            }
        })
    };
    let on_type = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            dispatch.dispatch(Move::Type(input.value()));
        })
    };
    let on_submit = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatch.dispatch(Move::SubmitLine);
        })
    };
    let feedback = run.feedback.as_ref().map(feedback_text);
    html! {
        <section class="derivation practice" aria-labelledby="practice-h" data-testid="practice" ref={root}>
            <h2 id="practice-h">{ "Practice" }</h2>
            <p class="help f">{ "f = " }<Math tex={d.f_latex.clone()} />{ ", with respect to " }<code>{ &d.wrt }</code>
                { ". Derive dy one rule at a time, then write ∇f." }</p>
            <ol class="steps" data-testid="practice-lines">{ for lines }</ol>
            <p class={classes!("feedback", feedback.as_ref().map(|f| f.0))} role="status" aria-live="polite"
                data-testid="practice-feedback">{ feedback.map(|f| f.1).unwrap_or_default() }</p>
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
                    <p data-testid="practice-end">{ "Every line of dy is there. Now write ∇f." }</p>
                    // The "Your ∇f =" field (check my answer) goes here.
                    <div data-slot="claim"></div>
                    if !run.gradient_shown {
                        <button type="button" data-testid="show-gradient" onclick={send(Move::ShowGradient)}>{ "Show ∇f" }</button>
                    }
                </div>
            }
        </section>
    }
}
