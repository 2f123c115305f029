//! decls (work in progress).
