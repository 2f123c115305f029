//! The `matdiff` command as a library: its syntax, what each subcommand does, and its output.

pub mod cli;
pub mod compare;
pub mod export;
pub mod format;
pub mod forms;
pub mod html;
pub mod jacobian;
pub mod run;
