//! The interactive REPL (SPEC §6): a rustyline editor with a helper for
//! completion, hints, highlighting and multi-line validation, over a
//! [`session::Session`].

pub mod session;
