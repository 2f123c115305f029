//! latex (work in progress).
