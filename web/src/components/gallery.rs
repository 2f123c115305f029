//! The examples gallery: one click loads one.

use crate::examples::EXAMPLES;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    /// The loaded example, highlighted.
    pub current: Option<usize>,
    pub on_load: Callback<usize>,
}

#[function_component(Gallery)]
pub fn gallery(props: &GalleryProps) -> Html {
    let cards = EXAMPLES.iter().enumerate().map(|(i, e)| {
        let cb = props.on_load.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(i));
        let current = props.current == Some(i);
        html! {
            <li>
                <button type="button" class={classes!("example", current.then_some("current"))}
                    aria-pressed={ if current { "true" } else { "false" } } onclick={onclick}
                    data-example={i.to_string()}>
                    <span class="title">{ e.title }</span>
                    <code class="expr">{ e.expr }</code>
                    <span class="source">{ e.source }</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="gallery" aria-labelledby="gallery-h">
            <h2 id="gallery-h">{ "Examples" }</h2>
            <ul data-testid="gallery">{ for cards }</ul>
        </section>
    }
}
