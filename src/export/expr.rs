//! Typed expressions (SPEC §3) as Python expressions with flow's meaning.

use super::prelude::Helpers;
use crate::diag::Diag;
use crate::ops::expr::TExpr;

/// `e` as one Python expression over the variable `it` (the element),
/// calling prelude helpers (marked in `h`) where Python's own operator or
/// function means something else. An expression that cannot be given
/// flow's meaning in Python is a diagnostic (`flow::export::unsupported`).
pub fn py(e: &TExpr, h: &mut Helpers) -> Result<String, Diag> {
    let _ = h;
    Err(Diag::script(
        "flow::export::unsupported",
        format!("expression `{e}` does not export yet"),
    )
    .at(e.span, "this expression"))
}
