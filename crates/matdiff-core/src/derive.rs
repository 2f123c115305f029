//! derive (work in progress).
