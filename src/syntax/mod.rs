//! Text → AST. The grammar lives in `grammar/flow.pest`; [`parse`] turns a
//! script into an [`ast::Program`] whose every node carries its byte span.

pub mod ast;
mod parse;

pub use parse::{parse, MAX_DEPTH};
