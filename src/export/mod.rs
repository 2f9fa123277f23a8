//! The Dask program writer (SPEC §7): a checked plan as one self-contained
//! Python program using `dask.bag` that computes the same outputs with
//! flow's semantics. See [`dask`].

pub mod expr;
pub mod prelude;
