//! The "Export code" control: the derivation's f and gradient as a Python module (NumPy, PyTorch
//! or JAX, written by the core's `export`), shown on demand with a copy button.

use crate::dom;
use matdiff_core::export::{python, Target};
use matdiff_core::Analysis;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub analysis: Rc<Analysis>,
}

#[function_component(ExportCode)]
pub fn export_code(props: &ExportProps) -> Html {
    let target = use_state(|| None::<Target>);
    let copied = use_state(|| None::<bool>);
    let code = target.and_then(|t| {
        let (Some(p), Some(d)) = (&props.analysis.problem, &props.analysis.derivation) else {
            return None;
        };
        Some(python(p, d, t).unwrap_or_else(|e| format!("# cannot export: {}", e.message)))
    });
    let choose = |t: Target| {
        let target = target.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            copied.set(None);
            target.set(if *target == Some(t) { None } else { Some(t) });
        })
    };
    let on_copy = code.clone().map(|text| {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            dom::copy_text(text.clone(), move |ok| copied.set(Some(ok)));
        })
    });
    html! {
        <div class="export" role="group" aria-label="export code">
            <span>{ "Export code:" }</span>
            { for Target::ALL.iter().map(|t| html! {
                <button type="button" aria-pressed={(*target == Some(*t)).to_string()}
                    onclick={choose(*t)}>{ t.label() }</button>
            }) }
            if let (Some(code), Some(on_copy)) = (code, on_copy) {
                <button type="button" onclick={on_copy}>{ "Copy code" }</button>
                <span class="copy-status" aria-live="polite">{ match *copied {
                    Some(true) => "Copied the code.",
                    Some(false) => "The browser did not allow copying: select the code below.",
                    None => "",
                } }</span>
                <pre class="export-code mono" data-testid="export-code">{ code }</pre>
            }
        </div>
    }
}
