//! numeric (work in progress).
pub struct CheckReport;
