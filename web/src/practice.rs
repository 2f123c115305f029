//! A practice run of a derivation: which lines the learner has, how each came, and what the
//! last move got. The reducer is pure; the math (rule choices, reasons, the check of a typed
//! line) is the core's [`matdiff_core::practice`].

use matdiff_core::practice::{check_line, practice_steps, rule_choices, why_not, LineVerdict};
use matdiff_core::{Analysis, Rule};

/// How a revealed line came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// The learner chose its rule.
    Chosen,
    /// The learner typed it (accepted numerically).
    Typed,
    /// Shown on request ("show me").
    Shown,
}

/// What the last move got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Feedback {
    /// The rule chosen is the step's.
    Right(&'static str),
    /// The rule chosen is not, and why.
    Wrong(&'static str, String),
    /// The typed line equals the next one.
    LineAccepted,
    /// The typed line does not, or cannot be read: why.
    LineRejected(String),
    /// A step shown on request.
    Shown,
}

/// A practice run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// How each revealed line after `dy = d(f)` came, in order.
    pub revealed: Vec<How>,
    pub feedback: Option<Feedback>,
    /// The line being typed.
    pub typed: String,
    /// The rules chosen wrongly at the current step (their buttons are marked).
    pub wrong: Vec<&'static str>,
    /// The gradient lines are shown.
    pub gradient_shown: bool,
}

/// A move of the learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Move {
    /// Chooses the rule with this id for the next line.
    Choose(String),
    /// Reveals the next line.
    ShowMe,
    /// The text of the typed line changed.
    Type(String),
    /// Checks the typed line.
    SubmitLine,
    /// Shows the gradient lines (after the last dy line).
    ShowGradient,
}

impl Run {
    /// The index (in the derivation's steps) of the next line to find; `None` when every
    /// practised line is revealed.
    pub fn next_step(&self, a: &Analysis) -> Option<usize> {
        let d = a.derivation.as_ref()?;
        let next = 1 + self.revealed.len();
        practice_steps(d).contains(&next).then_some(next)
    }

    /// Whether every practised line is revealed (the learner writes ∇f next).
    pub fn finished(&self, a: &Analysis) -> bool {
        a.derivation.is_some() && self.next_step(a).is_none()
    }

    /// The rules offered for the next line.
    pub fn choices(&self, a: &Analysis) -> Vec<Rule> {
        match (self.next_step(a), &a.derivation) {
            (Some(i), Some(d)) => rule_choices(d, i),
            _ => Vec::new(),
        }
    }

    /// The run after a move. Pure.
    #[must_use]
    pub fn apply(&self, a: &Analysis, m: Move) -> Run {
        let mut r = self.clone();
        let (Some(d), Some(step)) = (&a.derivation, self.next_step(a)) else {
            if m == Move::ShowGradient && self.finished(a) {
                r.gradient_shown = true;
            }
            return r;
        };
        let reveal = |r: &mut Run, how: How| {
            r.revealed.push(how);
            r.wrong.clear();
            r.typed.clear();
        };
        match m {
            Move::Choose(id) => {
                let Some(rule) = rule_choices(d, step).into_iter().find(|c| c.id == id) else {
                    return r;
                };
                if d.steps[step].rule.is_some_and(|right| right.id == rule.id) {
                    reveal(&mut r, How::Chosen);
                    r.feedback = Some(Feedback::Right(rule.name));
                } else {
                    if !r.wrong.contains(&rule.id) {
                        r.wrong.push(rule.id);
                    }
                    r.feedback = Some(Feedback::Wrong(rule.name, why_not(d, step, &rule)));
                }
            }
            Move::ShowMe => {
                reveal(&mut r, How::Shown);
                r.feedback = Some(Feedback::Shown);
            }
            Move::Type(text) => r.typed = text,
            Move::SubmitLine => match check_line(a, step, &r.typed) {
                LineVerdict::Accepted => {
                    reveal(&mut r, How::Typed);
                    r.feedback = Some(Feedback::LineAccepted);
                }
                LineVerdict::Rejected(why) => r.feedback = Some(Feedback::LineRejected(why)),
                LineVerdict::Undecided(why) => {
                    r.feedback = Some(Feedback::LineRejected(format!(
                        "the numbers cannot decide at random values ({why}); choose a rule instead"
                    )))
                }
                LineVerdict::Invalid(diags) => {
                    let why = diags
                        .first()
                        .map(|d| d.message.clone())
                        .unwrap_or_else(|| "the line cannot be read".to_string());
                    r.feedback = Some(Feedback::LineRejected(format!(
                        "cannot read this line: {why}"
                    )));
                }
            },
            Move::ShowGradient => {}
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matdiff_core::{analyze, Input};

    fn trace() -> Analysis {
        analyze(&Input {
            expr: "tr(A*X*B)".into(),
            decls: String::new(),
            wrt: Some("X".into()),
        })
    }

    /// A whole run of tr(A*X*B): a wrong choice first (explained, nothing revealed), then the
    /// right rule at every step but one, which is shown, and one typed line.
    #[test]
    fn a_run_of_the_trace_example_reaches_its_end() {
        let a = trace();
        let d = a.derivation.as_ref().expect("derived");
        let mut r = Run::default();
        assert_eq!(r.next_step(&a), Some(1));
        let right = d.steps[1].rule.expect("a rule").id;
        let wrong = r
            .choices(&a)
            .into_iter()
            .find(|c| c.id != right)
            .expect("a wrong choice");
        r = r.apply(&a, Move::Choose(wrong.id.into()));
        assert!(r.revealed.is_empty());
        assert!(
            matches!(&r.feedback, Some(Feedback::Wrong(_, why)) if why.starts_with("Not this one"))
        );
        assert_eq!(r.wrong, vec![wrong.id]);
        // A rule not offered changes nothing.
        assert_eq!(r.apply(&a, Move::Choose("no-such".into())), r);
        r = r.apply(&a, Move::Choose(right.into()));
        assert_eq!(r.revealed, vec![How::Chosen]);
        assert!(r.wrong.is_empty());
        r = r.apply(&a, Move::ShowMe);
        assert_eq!(r.feedback, Some(Feedback::Shown));
        // The next line typed: the engine's text is accepted, a wrong one is not.
        let step = r.next_step(&a).expect("more to do");
        r = r.apply(&a, Move::Type("-tr(A*dX*B)".into()));
        r = r.apply(&a, Move::SubmitLine);
        assert!(
            matches!(r.feedback, Some(Feedback::LineRejected(_))),
            "{:?}",
            r.feedback
        );
        r = r.apply(&a, Move::Type(d.steps[step].text.clone()));
        r = r.apply(&a, Move::SubmitLine);
        assert_eq!(r.feedback, Some(Feedback::LineAccepted));
        assert!(r.typed.is_empty());
        while let Some(i) = r.next_step(&a) {
            let id = d.steps[i].rule.expect("a rule").id;
            r = r.apply(&a, Move::Choose(id.into()));
        }
        assert!(r.finished(&a));
        assert_eq!(r.revealed.len(), d.dy_lines().count() - 1);
        assert!(!r.gradient_shown);
        assert!(r.apply(&a, Move::ShowGradient).gradient_shown);
    }
}
