//! lower (stub until the front end lands).
use crate::{Diagnostic, Problem};
pub fn lower(_e: &str, _d: &str, _w: Option<&str>) -> Result<Problem, Vec<Diagnostic>> {
    Err(vec![])
}
