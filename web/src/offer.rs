//! The reading offer: where another kind of one symbol also types, what the page says it chose and the action that takes the other, pure.

use crate::decls::SymbolEdit;
use crate::state::{Action, State};
use matdiff_core::{Kind, Origin, OtherReading};

/// One offer: "reading a as a scalar (from its first letter); read it as a vector?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The symbol.
    pub name: String,
    /// What the page says it chose: `as a scalar (from its first letter)`.
    pub chosen: String,
    /// The button's text: `read it as a vector?`.
    pub other: String,
    /// The kind the button declares.
    pub kind: Kind,
}

impl Offer {
    /// The offer of one other reading.
    pub fn of(r: &OtherReading) -> Offer {
        Offer {
            name: r.name.clone(),
            chosen: format!("as {} ({})", with_article(r.chosen), r.origin.describe()),
            other: format!("read it as {}?", with_article(r.other)),
            kind: r.other,
        }
    }

    /// The action that takes the other reading: the symbol declared of that kind (`a: vector`
    /// in the declarations, so in the URL).
    pub fn action(&self) -> Action {
        Action::EditSymbol(self.name.clone(), SymbolEdit::Kind(self.kind))
    }
}

/// `a scalar`, `a vector`, `a matrix`.
fn with_article(k: Kind) -> String {
    format!("a {k}")
}

/// The offers for the current input: one per other reading the core found, none while the
/// input has errors. At most two are shown.
pub fn offers(state: &State) -> Vec<Offer> {
    if state.stale() || state.expr.trim().is_empty() {
        return Vec::new();
    }
    let readings = &state.analysis.other_readings;
    readings
        .iter()
        .filter(|r| r.origin != Origin::Declared)
        .take(2)
        .map(Offer::of)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::{self, Permalink};

    fn state(f: &str) -> State {
        State::from_permalink(Permalink {
            f: f.to_string(),
            ..Permalink::default()
        })
    }

    fn kind_of(s: &State, name: &str) -> Option<Kind> {
        s.analysis
            .symbols()
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.kind)
    }

    #[test]
    fn the_offer_says_the_reading_chosen_and_takes_the_other() {
        let s = state("sum(a.*x)");
        let offers = offers(&s);
        assert_eq!(
            offers,
            vec![Offer {
                name: "a".into(),
                chosen: "as a scalar (from its first letter)".into(),
                other: "read it as a vector?".into(),
                kind: Kind::Vector,
            }]
        );
        let s2 = s.apply(offers[0].action());
        assert_eq!(s2.decls, "a: vector");
        assert_eq!(kind_of(&s2, "a"), Some(Kind::Vector));
        assert!(s2.analysis.derivation.is_some());
        // The declaration is in the link, and the new reading offers nothing more.
        assert!(
            url::encode(&s2.permalink()).contains("decls=a:%20vector"),
            "{}",
            url::encode(&s2.permalink())
        );
        assert_eq!(super::offers(&s2), Vec::new());
        // The derivation under the new reading passes its check.
        let checked = s2.apply(Action::RunCheck);
        let report = checked.shown.as_ref().and_then(|sh| sh.check.clone());
        assert!(matches!(report, Some(Ok(r)) if r.passed));
    }

    #[test]
    fn no_offer_where_one_reading_types_or_the_input_has_errors() {
        for f in ["tr(A*X*B)", "||A*x - b||^2", "a'*X*b", "", "sum(a.*"] {
            assert_eq!(offers(&state(f)), Vec::new(), "{f}");
        }
    }
}
