//! The exercise set: each exercise's statement, difficulty and whether it is done; one click
//! opens it in practice mode. Progress stays in the browser and can be reset.

use crate::progress::Progress;
use matdiff_core::exercises::EXERCISES;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExercisesProps {
    pub done: Rc<Progress>,
    /// The exercise on screen, highlighted.
    pub current: Option<&'static str>,
    pub on_open: Callback<usize>,
    pub on_reset: Callback<()>,
}

#[function_component(Exercises)]
pub fn exercises(props: &ExercisesProps) -> Html {
    let items = EXERCISES.iter().enumerate().map(|(i, e)| {
        let cb = props.on_open.clone();
        let done = props.done.contains(e.id);
        let current = props.current == Some(e.id);
        html! {
            <li data-exercise={e.id} data-done={ if done { "true" } else { "false" } }>
                <button type="button" class={classes!("exercise", current.then_some("current"), done.then_some("done"))}
                    aria-pressed={ if current { "true" } else { "false" } }
                    onclick={Callback::from(move |_: MouseEvent| cb.emit(i))}>
                    <span class="mark" aria-label={ if done { "done" } else { "not done" } }>{ if done { "✓" } else { "○" } }</span>
                    <span class="statement">{ e.statement }</span>
                    <code class="expr">{ e.expr }</code>
                    <span class={classes!("difficulty", e.difficulty.name())}>{ e.difficulty.name() }</span>
                    <span class="topic">{ e.topic }</span>
                </button>
            </li>
        }
    });
    let reset = props.on_reset.clone();
    html! {
        <section class="exercises" aria-labelledby="exercises-h">
            <h2 id="exercises-h">{ "Exercises" }</h2>
            <p class="help" data-testid="exercises-progress">
                { format!("{} of {} done. Progress stays in this browser; nothing is sent anywhere. ", props.done.len(), EXERCISES.len()) }
                <button type="button" data-testid="reset-progress" onclick={Callback::from(move |_: MouseEvent| reset.emit(()))}
                    disabled={props.done.is_empty()}>{ "Reset progress" }</button>
            </p>
            <ol data-testid="exercises">{ for items }</ol>
        </section>
    }
}
