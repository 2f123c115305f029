//! Errors under the field they are about (the expression, the declarations): the message, the
//! offending part of the text underlined, labels and hint.
//!
//! The input text is shown as text nodes only, never as HTML, and only a bounded excerpt of it
//! around the offending part (a huge input is not repeated).

use crate::diag::{excerpt, source_text, CONTEXT_CHARS};
use matdiff_core::Diagnostic;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    pub diagnostics: Vec<Diagnostic>,
    pub expr: AttrValue,
    pub decls: AttrValue,
    /// The area's id, for the field's `aria-describedby`.
    pub id: AttrValue,
    /// The area's `data-testid` (`error` for the expression's).
    pub testid: AttrValue,
}

#[function_component(ErrorView)]
pub fn error_view(props: &ErrorProps) -> Html {
    if props.diagnostics.is_empty() {
        return html! {};
    }
    let items = props.diagnostics.iter().take(4).map(|d| {
        let src = source_text(d, &props.expr, &props.decls).map(|(what, text)| {
            let m = excerpt(text, &d.range, CONTEXT_CHARS);
            let marked = if m.marked.is_empty() { "\u{2002}".to_string() } else { m.marked };
            html! {
                <pre class="src" aria-label={format!("in the {what}")}><span>{ m.before }</span><mark class="bad">{ marked }</mark><span>{ m.after }</span></pre>
            }
        });
        html! {
            <li>
                <p class="msg">{ &d.message }</p>
                { for src }
                <ul class="labels">
                    { for d.labels.iter().map(|l| {
                        let part = source_text(d, &props.expr, &props.decls)
                            .map(|(_, text)| excerpt(text, &l.range, CONTEXT_CHARS).marked)
                            .filter(|p| !p.is_empty());
                        html! {
                            <li>
                                if let Some(p) = part { <code>{ p }</code>{ ": " } }
                                { &l.message }
                            </li>
                        }
                    }) }
                </ul>
                if let Some(h) = &d.hint { <p class="hint">{ format!("hint: {h}") }</p> }
            </li>
        }
    });
    html! {
        <div class="error" id={props.id.clone()} data-testid={props.testid.clone()} role="alert">
            <ul>{ for items }</ul>
        </div>
    }
}
