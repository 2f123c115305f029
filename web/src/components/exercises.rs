//! The exercise set: each exercise's statement, difficulty and whether it is done; one click
//! opens it in practice mode. Progress stays in the browser and can be reset. A view function
//! (the progress is part of the page's state).

use crate::progress::Progress;
use matdiff_core::exercises::EXERCISES;
use yew::prelude::*;

/// The list, with `done` marked and `current` (the exercise on screen) highlighted.
pub fn exercises_view(
    done: &Progress,
    current: Option<&'static str>,
    on_open: &Callback<usize>,
    on_reset: Callback<MouseEvent>,
) -> Html {
    let items = EXERCISES.iter().enumerate().map(|(i, e)| {
        let cb = on_open.clone();
        let done = done.contains(e.id);
        let current = current == Some(e.id);
        html! {
            <li data-exercise={e.id} data-done={ if done { "true" } else { "false" } }>
                <button type="button" class={classes!("exercise", current.then_some("current"), done.then_some("done"))}
                    aria-pressed={ if current { "true" } else { "false" } }
                    onclick={Callback::from(move |_: MouseEvent| cb.emit(i))}>
                    <span class="mark" aria-label={ if done { "done" } else { "not done" } }>{ if done { "✓" } else { "○" } }</span>
                    <span class="statement">{ e.statement }</span>
                    <code class="expr">{ e.expr }</code>
                    <span class={classes!("difficulty", e.difficulty.name())}>{ e.difficulty.name() }</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="exercises" aria-labelledby="exercises-h">
            <h2 id="exercises-h">{ "Exercises" }</h2>
            <p class="help" data-testid="exercises-progress">
                { format!("{} of {} done. Progress stays in this browser; nothing is sent anywhere. ", done.len(), EXERCISES.len()) }
                <button type="button" data-testid="reset-progress" onclick={on_reset}
                    disabled={done.is_empty()}>{ "Reset progress" }</button>
            </p>
            <ol data-testid="exercises">{ for items }</ol>
        </section>
    }
}
