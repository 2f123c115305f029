//! Exercise progress: the ids of the exercises done, as the browser keeps them (localStorage,
//! nothing sent anywhere), and which exercise an input is. Pure, tested natively.

use matdiff_core::exercises::{Ask, Exercise, EXERCISES};

/// The localStorage key of the progress.
pub const STORAGE_KEY: &str = "matdiff-exercises-done";

/// The exercises done, by id, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress(Vec<&'static str>);

impl Progress {
    /// Reads the stored text: ids separated by commas; unknown ids are dropped.
    pub fn parse(text: &str) -> Progress {
        text.split(',')
            .fold(Progress::default(), |p, id| p.with(id.trim()))
    }

    /// The text stored: the ids in order, separated by commas.
    pub fn to_text(&self) -> String {
        self.0.join(",")
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(&id)
    }

    /// This progress with the exercise `id` done (unknown ids change nothing).
    #[must_use]
    pub fn with(&self, id: &str) -> Progress {
        let mut p = self.clone();
        if let Some(e) = EXERCISES.iter().find(|e| e.id == id) {
            if let Err(at) = p.0.binary_search(&e.id) {
                p.0.insert(at, e.id);
            }
        }
        p
    }

    /// How many exercises are done.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The exercise this input is (same expression, declarations and variable, spaces aside,
/// asking for `ask`).
pub fn exercise_of(
    expr: &str,
    decls: &str,
    wrt: Option<&str>,
    ask: Ask,
) -> Option<&'static Exercise> {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (expr, decls) = (squash(expr), squash(decls));
    EXERCISES.iter().find(|e| {
        e.ask == ask
            && squash(e.expr) == expr
            && squash(e.decls) == decls
            && wrt.is_none_or(|w| w == e.wrt)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_through_its_text_and_drops_unknown_ids() {
        let p = Progress::default()
            .with("note-trace-axb")
            .with("det-x")
            .with("no-such");
        assert_eq!(p.len(), 2);
        assert_eq!(p.to_text(), "det-x,note-trace-axb");
        assert_eq!(Progress::parse(&p.to_text()), p);
        assert_eq!(
            Progress::parse("det-x, bogus,,"),
            Progress::default().with("det-x")
        );
        assert!(Progress::parse("").is_empty());
    }

    #[test]
    fn an_input_is_its_exercise_spaces_aside() {
        let e =
            exercise_of("tr(A * X * B)", "", Some("X"), Ask::Gradient).expect("the trace exercise");
        assert_eq!(e.id, "note-trace-axb");
        assert_eq!(exercise_of("tr(A*X*B)", "", Some("A"), Ask::Gradient), None);
        assert_eq!(
            exercise_of("x'*S*x", "S: symmetric n", None, Ask::Gradient).map(|e| e.id),
            Some("symmetric-quadratic")
        );
        assert_eq!(exercise_of("x'*S*x", "", None, Ask::Gradient), None);
        // The same f asked for its Hessian is another exercise.
        let ids = [Ask::Gradient, Ask::Hessian]
            .map(|ask| exercise_of("x'*A*x", "", Some("x"), ask).map(|e| e.id));
        assert_eq!(ids, [Some("quadratic-xax"), Some("hessian-quadratic")]);
    }
}
