//! lower (work in progress).
