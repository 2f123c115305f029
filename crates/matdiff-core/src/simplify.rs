//! simplify (work in progress).
