//! canon (work in progress).
