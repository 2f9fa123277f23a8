# The helpers of an exported program that give flow's semantics to data,
# sources, aggregations, sinks and output (SPEC §2). Each section is one
# helper; `src/export/prelude.rs` explains the format. The expression
# helpers are in `expr.py`.

# helper: FlowError
class FlowError(Exception):
    """A run-time error as flow reports it: a diagnostic code and a message."""

    def __init__(self, code, message):
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self):
        return self.message


# helper: _key
def _key(v):
    """flow's total order as a sort key, and its equality as a hashable
    value: null < bool < numbers (by value, NaN last) < str (by code point)
    < list < record. `1` and `1.0` are equal; `True` and `1` are not."""
    if v is None:
        return (0,)
    if v is True or v is False:
        return (1, v)
    if isinstance(v, (int, float)):
        return (2, 1) if v != v else (2, 0, v)
    if isinstance(v, str):
        return (3, v)
    if isinstance(v, list):
        return (4, tuple(_key(x) for x in v))
    return (5, tuple((k, _key(x)) for k, x in v.items()))


# helper: _json
def _json(v):
    """Compact JSON exactly as flow writes it (`--format json`, `write_json`):
    no spaces, non-ASCII as is, NaN and the infinities as Python writes them."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        return repr(v)
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, list):
        return "[" + ",".join(_json(x) for x in v) + "]"
    return "{" + ",".join(_json_str(k) + ":" + _json(x) for k, x in v.items()) + "}"


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_JSON_ESCAPES.update({chr(c): "\\u%04x" % c for c in range(0x20) if chr(c) not in _JSON_ESCAPES})


def _json_str(s):
    return '"' + "".join(_JSON_ESCAPES.get(c, c) for c in s) + '"'
