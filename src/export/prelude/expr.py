# The helpers that give flow's expression semantics (SPEC §3) to an
# exported program: operators and functions whose Python spelling differs
# from flow's meaning (integer overflow, comparisons across types, the
# delimiter set). Each section is one helper; see `src/export/prelude.rs`.
