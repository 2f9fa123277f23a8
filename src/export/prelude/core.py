# The helpers of an exported program that give flow's semantics to data,
# sources, aggregations, sinks and output (SPEC §2). Each section is one
# helper; `src/export/prelude.rs` explains the format. The expression
# helpers are in `expr.py`.

# helper: _here
# Where the element a thread is working on was read, for the error that
# element may raise: a file source's reader sets it on its thread before each
# element it yields (a partition's task runs in one thread, its reader lazily
# inside it) and clears it when done; a FlowError takes it, and `_main` turns
# it into "element from FILE:LINE". Kept on the thread object, not in a
# module-level table: Dask pickles the helpers, and each copy would have a
# table of its own.
import threading as _threading


def _here():
    return _threading.current_thread()


# helper: FlowError
# needs: _here
class FlowError(Exception):
    """A run-time error as flow reports it: a diagnostic code and a message,
    and where the element being worked on was read (`_here`), if it was."""

    def __init__(self, code, message):
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.origin = getattr(_here(), "flow_origin", None)

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


# helper: _type_error
# needs: FlowError, _show, _type_name
def _type_error(op, want, v):
    return FlowError(
        "flow::exec::element_type",
        "`%s` needs %s elements, but got %s %s" % (op, want, _type_name(v), _show(v, 60)),
    )


# helper: _type_name
def _type_name(v):
    if v is None:
        return "null"
    if v is True or v is False:
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list"}.get(type(v), "record")


# helper: _show
def _show(v, width):
    """Python's repr of a value (`None`, `True`, `'a'`), cut to `width` code points."""
    s = repr(v)
    return s if len(s) <= width else s[: width - 3] + "..."


# helper: _str_op
# needs: _type_error
def _str_op(op, f):
    """`lower`, `strip`, …: `f` on a str element; any other element is an error."""

    def run(v):
        if not isinstance(v, str):
            raise _type_error(op, "str", v)
        return f(v)

    return run


# helper: _PURGE_DELIMS
_PURGE_DELIMS = frozenset(".,;:?$@^<>#%`!*-=()[]{}/\"'")


# helper: _purge
# needs: _PURGE_DELIMS
def _purge(chars):
    """`purge [CHARS]`: every char of CHARS (default: the delimiters) becomes a space."""
    table = {ord(c): " " for c in (_PURGE_DELIMS if chars is None else chars)}
    return lambda s: s.translate(table)


# helper: _split_stage
# needs: _type_error
def _split_stage(b, sep):
    """`split [SEP]`: `s.split()` / `s.split(SEP)`, each piece an element.
    `map` then `flatten`, which Dask runs lazily inside a partition's task
    (see `_take`), unlike `map_partitions`."""

    def pieces(v):
        if not isinstance(v, str):
            raise _type_error("split", "str", v)
        return v.split(sep)

    return b.map(pieces).flatten()


# helper: _filter
# needs: FlowError, _type_name
def _filter(pred):
    """`filter EXPR`: keeps the elements where EXPR is true; a non-bool is an error."""

    def keep(v):
        t = pred(v)
        if t is True or t is False:
            return t
        raise FlowError(
            "flow::exec::expression",
            "`filter` needs a bool, but the expression gave %s %s" % (_type_name(t), repr(t)),
        )

    return keep


# helper: _flatten
# needs: _type_error
def _flatten(b):
    """`flatten`: each item of each list element (lazily, see `_split_stage`)."""

    def items(v):
        if not isinstance(v, list):
            raise _type_error("flatten", "list", v)
        return v

    return b.map(items).flatten()


# helper: _pluck
# needs: FlowError, _type_error, _show, _flow_literal
_MISSING = object()


def _pluck(key, default=_MISSING):
    """`pluck KEY [default=V]`: a record's field or a list's item (negative from the end)."""

    def run(v):
        if isinstance(key, int) and not isinstance(key, bool):
            if not isinstance(v, list):
                raise _type_error("pluck", "list", v)
            i = key + len(v) if key < 0 else key
            found = v[i] if 0 <= i < len(v) else _MISSING
        else:
            if not isinstance(v, dict):
                raise _type_error("pluck", "record", v)
            found = v.get(key, _MISSING)
        if found is _MISSING:
            if default is _MISSING:
                raise FlowError(
                    "flow::exec::missing_key",
                    "key %s not found in %s" % (_flow_literal(key), _show(v, 80)),
                )
            return default
        return found

    return run


# helper: _flow_literal
def _flow_literal(v):
    """A value as flow source writes it (`"a"`, `3`)."""
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(v)


# helper: _from_json
# needs: FlowError
def _from_json(text):
    """One JSON value as flow reads it: integers beyond 64 bits become floats;
    `NaN` and `Infinity` are not JSON."""
    import json

    def bad(c):
        raise ValueError("invalid constant " + c)

    v = json.loads(text, parse_constant=bad)
    return _narrow(v)


def _narrow(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v if -(2**63) <= v < 2**63 else float(v)
    if isinstance(v, list):
        return [_narrow(x) for x in v]
    if isinstance(v, dict):
        return {k: _narrow(x) for k, x in v.items()}
    return v


# helper: _parse_json
# needs: FlowError, _from_json, _type_error
def _parse_json(v):
    """`parse_json`: a str element as the JSON value it holds."""
    if not isinstance(v, str):
        raise _type_error("parse_json", "str", v)
    try:
        return _from_json(v)
    except ValueError as e:
        shown = v[:60] + ("..." if len(v) > 60 else "")
        raise FlowError("flow::exec::bad_json", "invalid JSON: %s in %r" % (e, shown)) from None


# helper: _to_json
# needs: _json
def _to_json(v):
    """`to_json`: the element as compact JSON text."""
    return _json(v)


# helper: _glob
# needs: FlowError
def _glob(pattern):
    """The files a path or glob names, sorted by path, as flow resolves them."""
    import glob

    if not any(c in pattern for c in "*?["):
        if os.path.isdir(pattern):
            raise FlowError("flow::io::not_a_file", "%s is a directory" % pattern)
        if not os.path.exists(pattern):
            raise FlowError(
                "flow::io::file_not_found",
                "cannot open %s: No such file or directory" % pattern,
            )
        return [pattern]
    files = [
        p
        for p in glob.glob(pattern, recursive=True, include_hidden=True)
        if os.path.isfile(p)
    ]
    if not files:
        raise FlowError("flow::io::glob_matched_nothing", "no file matches %s" % pattern)
    # By path component, as flow (Rust's PathBuf) orders paths.
    return sorted(files, key=lambda p: p.split("/"))


# helper: _splits
# needs: _glob
def _splits(pattern, blocksize, compression, splittable):
    """flow's partitions of a file source: (path, start, end, gzip, name) byte
    ranges, each owning the lines that start in it; a gzip or unsized file is
    one. `path` is absolute, resolved here, against this program's working
    directory, as Dask resolves paths: a worker of a cluster may run
    elsewhere. `name` is the path as matched, for messages."""
    files = []
    for p in _glob(pattern):
        st = os.stat(p)
        gz = compression == "gzip" or (compression == "infer" and p.endswith(".gz"))
        sized = os.path.isfile(p) and st.st_size > 0
        files.append((p, st.st_size if sized else 0, sized, gz))
    total = sum(f[1] for f in files)
    if blocksize is None:
        # flow's automatic blocksize: a few partitions per core, 1–64 MiB.
        per = total // max(4 * (os.cpu_count() or 1), 1)
        blocksize = min(max(per, 1 << 20), 64 << 20)
    else:
        blocksize = max(blocksize, -(-total // (1 << 16)), 1)
    out = []
    for p, size, sized, gz in files:
        if not sized:
            out.append((os.path.abspath(p), 0, None, gz, p))
        elif gz or not splittable or size <= blocksize:
            out.append((os.path.abspath(p), 0, size, gz, p))
        else:
            for start in range(0, size, blocksize):
                out.append((os.path.abspath(p), start, min(start + blocksize, size), gz, p))
    return out


# helper: _lines
# needs: FlowError
def _lines(path, start, end, gz, encoding, errors, name):
    """The lines of one partition: those starting in `start..end` (to the end
    of the file when `end` is None), without `\\n` / `\\r\\n`, a leading
    UTF-8 BOM dropped; each with its byte offset."""
    import gzip

    fh = gzip.open(path, "rb") if gz else open(path, "rb")
    with fh:
        pos = start
        if start > 0:
            fh.seek(start - 1)
            if fh.read(1) != b"\n":
                pos = start + len(fh.readline())
        while end is None or pos < end:
            raw = fh.readline()
            if not raw:
                break
            off = pos
            pos += len(raw)
            line = raw[:-1] if raw.endswith(b"\n") else raw
            if off == 0 and line.startswith(b"\xef\xbb\xbf"):
                line, off = line[3:], 3
                if not line and not raw.endswith(b"\n"):
                    break
            if line.endswith(b"\r"):
                line = line[:-1]
            yield off, _decode(line, off, name, gz, encoding, errors)


def _decode(line, off, path, gz, encoding, errors):
    if encoding == "latin-1":
        return line.decode("latin-1")
    try:
        return line.decode("utf-8", errors)
    except UnicodeDecodeError as e:
        what = "decompressed byte offset" if gz else "byte offset"
        raise FlowError(
            "flow::io::invalid_utf8",
            "invalid UTF-8 in %s at %s %d" % (path, what, off + e.start),
        ) from None


# helper: _from_splits
def _from_splits(splits, part):
    """A file source as a bag: one partition per split, whose elements
    `part(*split)` yields. Each partition holds a `_Split` and is flattened:
    Dask runs the stages of a partition fused in one task, lazily from
    `flatten` and `map` to `map` (the `list`/`reify` between them are
    dropped), so `take` stops reading where flow stops. (A partition that
    is a generator, as `map_partitions` or `from_delayed` would make, cannot
    be pickled when it leaves its task: on a cluster that hung the run.)"""
    parts = [_Split(part, *s) for s in splits]
    return db.from_sequence(parts, npartitions=len(parts)).flatten()


class _Split:
    """A partition of a file source, read when iterated: a picklable
    iterable, where a generator is not."""

    def __init__(self, read, *args):
        self.read, self.args = read, args

    def __iter__(self):
        return iter(self.read(*self.args))


# helper: _read_text
# needs: _here, _splits, _lines, _from_splits
def _read_text(pattern, blocksize=None, encoding="utf-8", errors="strict", compression="infer"):
    """`read_text`: the lines of every file, one partition per byte range."""

    def part(path, start, end, gz, name):
        here = _here()
        try:
            for off, s in _lines(path, start, end, gz, encoding, errors, name):
                here.flow_origin = (name, path, gz, off)
                yield s
        finally:
            here.flow_origin = None

    return _from_splits(_splits(pattern, blocksize, compression, True), part)


# helper: _read_json
# needs: FlowError, _here, _splits, _lines, _from_json, _from_splits, _line_number
def _read_json(pattern, blocksize=None, encoding="utf-8", errors="strict", compression="infer"):
    """`read_json`: one JSON value per non-blank line, errors with file:line:column."""

    def part(path, start, end, gz, name):
        here = _here()
        try:
            for off, s in _lines(path, start, end, gz, encoding, errors, name):
                if not s.strip():
                    continue
                try:
                    v = _from_json(s)
                except ValueError as e:
                    line = _line_number(path, gz, off)
                    col = getattr(e, "colno", 0)
                    msg = getattr(e, "msg", str(e))
                    raise FlowError(
                        "flow::io::bad_json",
                        "invalid JSON at %s:%d:%d: %s" % (name, line, col, msg),
                    ) from None
                here.flow_origin = (name, path, gz, off)
                yield v
        finally:
            here.flow_origin = None

    return _from_splits(_splits(pattern, blocksize, compression, True), part)


# helper: _line_number
def _line_number(path, gz, offset):
    import gzip

    with gzip.open(path, "rb") if gz else open(path, "rb") as fh:
        return fh.read(offset).count(b"\n") + 1


# helper: _read_csv
# needs: FlowError, _here, _splits, _from_splits, _csv_convert
def _read_csv(pattern, sep=",", header=True, types=None, encoding="utf-8", compression="infer", columns=None):
    """`read_csv`: one record per row, one partition per file; fields are str
    except those `types` names, converted as Python's int()/float() read them
    (an empty field is None). The text is decoded as the rows are read, so
    that `take` stops before a bad byte further on. `columns`: the first
    file's header as flow read it when checking; every file must have it."""
    import csv
    import gzip
    import io

    def part(path, start, end, gz, name):
        raw = gzip.open(path, "rb") if gz else open(path, "rb")
        with raw:
            data = raw.read()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        enc = "latin-1" if encoding == "latin-1" else "utf-8"
        text = io.TextIOWrapper(io.BytesIO(data), encoding=enc, newline="")
        rows = csv.reader(text, delimiter=sep, strict=False)
        names = None
        here, first = _here(), 1
        try:
            for row in rows:
                # The line the row starts on (a quoted field may span lines).
                first, start = rows.line_num + 1, first
                if not row:
                    continue
                if header and names is None:
                    names = row
                    if columns is not None and names != columns:
                        raise FlowError(
                            "flow::io::bad_csv",
                            "the header of %s is `%s`, but the first file's is `%s`"
                            % (name, ",".join(names), ",".join(columns)),
                        )
                    continue
                keys = names if names is not None else ["c%d" % i for i in range(len(row))]
                if len(keys) != len(row):
                    raise FlowError(
                        "flow::io::bad_csv",
                        "invalid CSV at %s:%d: the row has %d fields, the header %d"
                        % (name, rows.line_num, len(row), len(keys)),
                    )
                if types:
                    row = [_csv_convert(types.get(k), k, v, name, rows.line_num) for k, v in zip(keys, row)]
                here.flow_origin = (name, None, None, start)
                yield dict(zip(keys, row))
        except UnicodeDecodeError:
            try:
                data.decode(enc)
                offset = 0
            except UnicodeDecodeError as e:
                offset = e.start
            raise FlowError(
                "flow::io::invalid_utf8",
                "invalid UTF-8 in %s at byte offset %d" % (name, offset),
            ) from None
        finally:
            here.flow_origin = None

    return _from_splits(_splits(pattern, None, compression, False), part)


# helper: _csv_convert
# needs: FlowError, _flow_literal
def _csv_convert(ty, key, text, name, line):
    """One CSV field as `read_csv types=` reads it: None when empty; int and
    float as Python's int()/float() (an int must fit in 64 bits, as flow's);
    bool from true/false in any case."""
    if ty is None:
        return text
    if text == "":
        return None
    try:
        if ty == "int":
            v = int(text)
            if -(1 << 63) <= v < (1 << 63):
                return v
        elif ty == "float":
            return float(text)
        elif ty == "bool":
            t = text.strip().lower()
            if t in ("true", "false"):
                return t == "true"
        else:
            return text
    except ValueError:
        pass
    raise FlowError(
        "flow::io::bad_csv_value",
        "cannot read field `%s` as %s at %s:%d: %s" % (key, ty, name, line, _flow_literal(text)),
    )


# helper: _range
def _range(n):
    """`range N`: 0..N-1 in flow's partitions (about 1 Mi elements each, at most 256)."""
    n = max(n, 0)
    parts = min(max(-(-n // (1 << 20)), 1), 256)
    size, extra = divmod(n, parts)
    bounds, start = [], 0
    for i in range(parts):
        length = size + (1 if i < extra else 0)
        bounds.append((start, start + length))
        start += length
    return db.from_delayed([dask.delayed(lambda a, b: list(range(a, b)))(a, b) for a, b in bounds])


# helper: _stdin
# needs: FlowError
def _stdin():
    """`stdin`: the lines of standard input, read by this program, one partition."""
    data = sys.stdin.buffer.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out, off = [], 0
    for raw in lines:
        line = raw[:-1] if raw.endswith(b"\r") else raw
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise FlowError(
                "flow::io::invalid_utf8",
                "invalid UTF-8 on standard input at byte offset %d" % (off + e.start),
            ) from None
        off += len(raw) + 1
    return db.from_sequence(out, npartitions=1)


# helper: _Sum
# needs: FlowError, _show, _type_name
class _Sum:
    """An exact running sum, as flow's: ints (and bools) exactly, floats with
    `math.fsum`, so the total does not depend on partitioning."""

    def __init__(self, op):
        self.op, self.int, self.floats, self.has_float = op, 0, [], False

    def add(self, v):
        if v is True or v is False or isinstance(v, int):
            self.int += int(v)
        elif isinstance(v, float):
            self.has_float = True
            self.floats.append(v)
        else:
            raise FlowError(
                "flow::exec::aggregate",
                "`%s` needs numbers, but got %s %s" % (self.op, _type_name(v), _show(v, 60)),
            )
        return self

    def merge(self, other):
        self.int += other.int
        self.floats += other.floats
        self.has_float |= other.has_float
        return self

    def float_total(self):
        import math

        hi = float(self.int)
        lo = float(self.int - int(hi))
        xs = self.floats + [hi, lo]
        special = [x for x in xs if x != x or x in (math.inf, -math.inf)]
        if special:
            return sum(special)
        try:
            return math.fsum(xs)
        except OverflowError:
            return sum(xs)

    def total(self):
        if self.has_float:
            return self.float_total()
        if not -(2**63) <= self.int < 2**63:
            raise FlowError("flow::exec::aggregate", "the sum overflows a 64-bit integer")
        return self.int


# helper: _reduce
def _reduce(b, part, combine, finish):
    """An aggregation as a tree reduction, as flow splits one into a partial
    and a merge: `part` folds a partition into a partial state, `combine`
    folds partial states of consecutive partitions (in partition order) into
    one, `finish` makes the result of the last. Dask's `reduction` applies
    its aggregate at every level of its tree (8 partials at a time, so with
    more than 8 partitions the aggregate also receives its own results): the
    aggregate is `combine`, and `finish` comes after. An empty partition
    gives no partial state; `combine` of nothing is the empty state."""
    return b.reduction(part, combine).apply(finish)


# helper: _sum
# needs: _Sum, _reduce
def _sum(b, f=None):
    """`sum [EXPR]`: an exact sum (an int of ints, else a float)."""
    part = lambda p: _fold(_Sum("sum"), p, f)
    combine = lambda ss: _merged(_Sum("sum"), ss)
    return _reduce(b, part, combine, lambda s: s.total())


def _fold(s, part, f):
    for v in part:
        s.add(v if f is None else f(v))
    return s


def _merged(s, sums):
    for t in sums:
        s.merge(t)
    return s


# helper: _mean
# needs: _Sum, _reduce
def _mean(b, f=None):
    """`mean [EXPR]`: the exact sum over the count; null when empty."""

    def part(p):
        s, n = _Sum("mean"), 0
        for v in p:
            s.add(v if f is None else f(v))
            n += 1
        return (s, n)

    def combine(parts):
        s, n = _Sum("mean"), 0
        for t, c in parts:
            s.merge(t)
            n += c
        return (s, n)

    def finish(sn):
        return None if sn[1] == 0 else sn[0].float_total() / sn[1]

    return _reduce(b, part, combine, finish)


# helper: _count
def _count(b):
    """`count`: the number of elements."""
    return b.count()


# helper: _minmax
# needs: _key, _reduce
def _minmax(b, which, f=None):
    """`min`/`max [EXPR]` in flow's total order; of equal values the first
    seen wins, as Python's `min`/`max`; null when empty. A partial state is
    [] or [the best so far]."""
    pick = min if which == "min" else max

    def best(vals):
        return [pick(vals, key=_key)] if vals else []

    part = lambda p: best([v if f is None else f(v) for v in p])
    combine = lambda parts: best([v for p in parts for v in p])
    return _reduce(b, part, combine, lambda p: p[0] if p else None)


# helper: _distinct
# needs: _key, _reduce, _as_bag
def _distinct(b):
    """`distinct`: each value once (the first seen of equal ones), sorted by value."""

    def part(p):
        seen = {}
        for v in p:
            seen.setdefault(_key(v), v)
        return seen

    def combine(parts):
        seen = {}
        for p in parts:
            for k, v in p.items():
                seen.setdefault(k, v)
        return seen

    return _as_bag(_reduce(b, part, combine, lambda seen: [seen[k] for k in sorted(seen)]))


# helper: _as_bag
def _as_bag(item):
    """An aggregation's list as a one-partition bag, for the stages after it."""
    return db.from_delayed([item.to_delayed()])


# helper: _frequencies
# needs: _key, _reduce, _as_bag
def _frequencies(b):
    """`frequencies`: {value, count} records, by count descending, then value."""

    def part(p):
        seen = {}
        for v in p:
            # `_key` inlined for words, the common case.
            k = (3, v) if type(v) is str else _key(v)
            e = seen.get(k)
            if e is None:
                seen[k] = [v, 1]
            else:
                e[1] += 1
        return seen

    def combine(parts):
        seen = {}
        for p in parts:
            for k, (v, c) in p.items():
                if k in seen:
                    seen[k][1] += c
                else:
                    seen[k] = [v, c]
        return seen

    def finish(seen):
        ordered = sorted(seen.items(), key=lambda kv: kv[0])
        ordered.sort(key=lambda kv: kv[1][1], reverse=True)
        return [{"value": v, "count": c} for _, (v, c) in ordered]

    return _as_bag(_reduce(b, part, combine, finish))


# helper: _topk
# needs: _key, _reduce, _as_bag
def _topk(b, n, by=None):
    """`topk N [by=EXPR]`: the N largest by EXPR (default: a record's `count`
    field, else the element), ties by value ascending, then input order."""

    def key_of(v):
        if by is not None:
            return by(v)
        if isinstance(v, dict) and "count" in v:
            return v["count"]
        return v

    def best(pairs):
        if n <= 0:
            return []
        if len(pairs) > n:
            # Only pairs whose key reaches the n-th largest can win; ties
            # at the cut are kept, for the full order below to decide.
            import heapq

            keys = [_key(k) for k, _ in pairs]
            cut = heapq.nlargest(n, keys)[-1]
            pairs = [p for p, kk in zip(pairs, keys) if kk >= cut]
        pairs = sorted(pairs, key=lambda kv: _key(kv[1]))
        pairs.sort(key=lambda kv: _key(kv[0]), reverse=True)
        return pairs[:n]

    part = lambda p: best([(key_of(v), v) for v in p])
    combine = lambda parts: best([kv for p in parts for kv in p])
    return _as_bag(_reduce(b, part, combine, lambda pairs: [v for _, v in pairs]))


# helper: _sort
# needs: _key, _reduce, _as_bag
def _sort(b, by=None, desc=False, limit=None):
    """`sort [by=EXPR] [desc=true] [limit=N]`: a stable global sort. With a
    limit, each partial state keeps only its first N (sorted, ties in input
    order); without, partial states are (key, element) pairs in input order."""

    def order(pairs):
        pairs = sorted(pairs, key=lambda kv: _key(kv[0]), reverse=desc)
        return pairs if limit is None else pairs[:limit]

    def part(p):
        pairs = [(v if by is None else by(v), v) for v in p]
        return pairs if limit is None else order(pairs)

    def combine(parts):
        pairs = [kv for p in parts for kv in p]
        return pairs if limit is None else order(pairs)

    return _as_bag(_reduce(b, part, combine, lambda pairs: [v for _, v in order(pairs)]))


# helper: _take
def _take(b, n):
    """`take N`: the first N elements in input order; as in flow, reading
    stops as soon as they are known, so an error (invalid UTF-8, bad JSON,
    a failing expression) is reported only when it comes before the N-th
    element. Each partition is taken lazily: sources and elementwise stages
    are generators, fused by Dask into the partition's task, so a partition
    stops at its N-th element. A partition that fails keeps what it gave
    before and its error; the partitions are then joined in order until N
    elements are known, and the first error before that is raised.
    (`Bag.take(npartitions=-1)` computes every partition whole.)"""

    def part(p):
        got = []
        try:
            for v in p if n > 0 else ():
                got.append(v)
                if len(got) >= n:
                    break
        except Exception as e:
            if type(e).__name__ != "FlowError":
                raise
            return [(got, e)]
        return [(got, None)]

    def join(parts):
        out = []
        for got, err in (x for p in parts for x in p):
            out.extend(got[: n - len(out)])
            if len(out) >= n:
                break
            if err is not None:
                raise err
        return out

    taken = b.map_partitions(part).to_delayed()
    return db.from_delayed([dask.delayed(join)(taken)])


# helper: _groupby
# needs: _key, _reduce, _as_bag, _Sum, _show
def _groupby(b, key, agg, f=None):
    """`groupby KEY AGG [EXPR]`: {key, AGG} records ordered by key. A map-side
    combine: each partition folds its groups, the merge folds the partitions
    in order. (Dask's `foldby` would hash keys with Python's equality, where
    `True == 1`; flow's keys are told apart by `_key`.)"""

    def new():
        # min/max start with no value (a tuple: flow values are never tuples).
        return {"count": 0, "sum": _Sum("sum"), "mean": [_Sum("mean"), 0], "collect": []}.get(agg, ())

    def add(acc, v):
        if agg == "count":
            return acc + 1
        if agg == "sum":
            return acc.add(v)
        if agg == "mean":
            acc[0].add(v)
            acc[1] += 1
            return acc
        if agg == "collect":
            acc.append(v)
            return acc
        pick = min if agg == "min" else max
        return v if acc == () else pick([acc, v], key=_key)

    def merge(a, c):
        if agg == "count":
            return a + c
        if agg == "sum":
            return a.merge(c)
        if agg == "mean":
            a[0].merge(c[0])
            a[1] += c[1]
            return a
        if agg == "collect":
            return a + c
        return a if c == () else add(a, c)

    def finish(acc):
        if agg == "sum":
            return acc.total()
        if agg == "mean":
            return None if acc[1] == 0 else acc[0].float_total() / acc[1]
        return acc

    def part(p):
        groups = {}
        for v in p:
            k = key(v)
            x = None if agg == "count" else (v if f is None else f(v))
            kk = _key(k)
            if kk not in groups:
                groups[kk] = [k, new()]
            groups[kk][1] = add(groups[kk][1], x)
        return groups

    def combine(parts):
        groups = {}
        for p in parts:
            for kk, (k, acc) in p.items():
                if kk in groups:
                    groups[kk][1] = merge(groups[kk][1], acc)
                else:
                    groups[kk] = [k, acc]
        return groups

    def records(groups):
        return [{"key": k, agg: finish(acc)} for _, (k, acc) in sorted(groups.items(), key=lambda g: g[0])]

    return _as_bag(_reduce(b, part, combine, records))


# helper: _join
# needs: _key, _reduce
def _join(b, other, on, other_on, how):
    """`join OTHER on=EXPR [other_on=EXPR] [how=...]`: OTHER as one dict from
    flow's key (`_key`: `1` and `1.0` are one key, `True` and `1` two) to its
    elements in input order, built once by a reduction; each partition of
    the left side probes it, giving {left, right} in the left side's order
    and, for each left element, its matches in OTHER's order. (Dask's
    `Bag.join` keys with Python's equality, where `True == 1`.)"""

    def part(p):
        table = {}
        for r in p:
            table.setdefault(_key(other_on(r)), []).append(r)
        return table

    def combine(tables):
        table = {}
        for t in tables:
            for k, rs in t.items():
                table.setdefault(k, []).extend(rs)
        return table

    def probe(p, table):
        out = []
        for l in p:
            rs = table.get(_key(on(l)))
            if rs:
                out.extend({"left": l, "right": r} for r in rs)
            elif how == "left":
                out.append({"left": l, "right": None})
        return out

    return b.map_partitions(probe, _reduce(other, part, combine, lambda t: t))


# helper: _FAILED_HERE
# A flag for Dask's threads, which share this process (a list: the helpers
# that read it are pickled for other processes, and a lock cannot be). `_run`
# sets it; `_failed` reads it (a program without sinks has no reader).
_FAILED_HERE = []


# helper: _failed
# needs: _FAILED_HERE

def _failed(token):
    """Whether run `token` has failed. `_run` says so before it removes the
    sinks' temporary files, and a sink task checks after writing one: a task
    that was still running when another failed then removes what it wrote
    (`compute` returns at the first error; on a cluster the other tasks go
    on). On a worker of a cluster the scheduler knows (a distributed Event);
    in this process, a flag; Dask's process pool finishes its tasks before
    `compute` returns."""
    d = sys.modules.get("distributed")
    if d is not None:
        try:
            d.get_worker()
        except Exception:
            pass
        else:
            return d.Event("flow-failed-" + token).is_set()
    return bool(_FAILED_HERE)


# helper: _makedirs
def _makedirs(d):
    """Makes directory `d` and its missing parents; gives those this call
    made, deepest first."""
    missing = []
    while d and not os.path.exists(d):
        missing.append(d)
        d = os.path.dirname(d)
    made = []
    for m in reversed(missing):
        try:
            os.mkdir(m)
            made.insert(0, m)
        except FileExistsError:
            pass
    return made


# helper: _discard
def _discard(files, dirs):
    """Removes files and then (empty) directories, whatever is already gone."""
    for f in files:
        try:
            os.remove(f)
        except OSError:
            pass
    for d in dirs:
        try:
            os.rmdir(d)
        except OSError:
            pass


# helper: _Writer
# needs: FlowError, _json, _show, _type_name, _failed, _discard, _makedirs
class _Writer:
    """One file of a sink, written under a temporary name (renamed by `_run`
    when the whole run has succeeded); a device or a FIFO is written through."""

    def __init__(self, target, fmt, tmp, token):
        import gzip

        self.target, self.fmt, self.columns, self.token = target, fmt, None, token
        if os.path.isdir(target):
            raise FlowError("flow::io::write_failed", "cannot write %s: it is a directory" % target)
        if os.path.exists(target) and not os.path.isfile(target):
            self.tmp, self.made = None, []
            self.fh = open(target, "w", encoding="utf-8", newline="")
            return
        self.made = _makedirs(os.path.dirname(target))
        self.tmp = tmp
        if target.endswith(".gz"):
            self.fh = gzip.open(tmp, "wt", encoding="utf-8", newline="")
        else:
            self.fh = open(tmp, "w", encoding="utf-8", newline="")

    def write(self, values):
        out = []
        for v in values:
            if self.fmt == "text":
                out.append(v if isinstance(v, str) else _py_str(v))
            elif self.fmt == "json":
                out.append(_json(v))
            else:
                out.append(self.csv_row(v))
        if out:
            self.fh.write("\n".join(out) + "\n")

    def csv_row(self, v):
        if not isinstance(v, dict):
            raise FlowError(
                "flow::write::not_a_record",
                "`write_csv` needs records; it got a %s: %s" % (_type_name(v), _show(v, 10**9)),
            )
        cells = []
        _flatten_record(v, "", cells)
        head = ""
        if self.columns is None:
            self.columns = {}
            for k, _ in cells:
                self.columns.setdefault(k, len(self.columns))
            head = ",".join(_csv_field(k) for k in self.columns) + "\n"
        row = [""] * len(self.columns)
        for k, cell in cells:
            if k not in self.columns:
                raise FlowError(
                    "flow::write::not_a_column",
                    "`write_csv`: key `%s` is not a column of %s" % (k, self.target),
                )
            row[self.columns[k]] = _csv_field(cell)
        return head + ",".join(row)

    def close(self):
        self.fh.close()
        if not self.tmp:
            return []
        if _failed(self.token):
            _discard([self.tmp], self.made)
            return []
        return [(self.tmp, self.target)]


def _py_str(v):
    """Python's `str()` of a value, as flow's `write_text` writes a non-str."""
    return str(v) if not isinstance(v, float) else repr(v)


def _flatten_record(r, prefix, cells):
    for k, v in r.items():
        key = prefix + "." + k if prefix else k
        if isinstance(v, dict) and v:
            _flatten_record(v, key, cells)
        else:
            cells.append((key, _cell(v)))


def _cell(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return _json(v) if v == v and v not in (float("inf"), float("-inf")) else _py_str(v)
    return _json(v)


def _csv_field(s):
    if any(c in s for c in ',"\n\r') or s.startswith(" ") or s.endswith(" "):
        return '"' + s.replace('"', '""') + '"'
    return s


# helper: _sink
# needs: _Writer, _run, _failed
def _sink(coll, path, fmt):
    """A sink: with `*` in PATH one file per partition (`part-0000`, …), else
    one file holding every partition in order. Gives delayed lists of
    (temporary, target) pairs, computed with the outputs."""
    import pickle

    # Resolved here, as Dask resolves paths: a worker may run elsewhere.
    path = os.path.abspath(path)
    token = _RUN_TOKEN
    tmp_of = lambda target: os.path.join(
        os.path.dirname(target), ".%s.flow-tmp-%s" % (os.path.basename(target), token)
    )
    parts = coll.to_delayed() if hasattr(coll, "npartitions") else [dask.delayed(lambda v: [v])(coll)]
    if "*" in path:

        def write_part(values, i):
            target = path.replace("*", "part-%04d" % i, 1)
            w = _Writer(target, fmt, tmp_of(target), token)
            w.write(values)
            return w.close()

        return [dask.delayed(write_part)(p, i) for i, p in enumerate(parts)]

    # One file: each partition is kept beside it, then joined in order.
    def keep_part(values, i):
        spill = tmp_of(path) + "-%d" % i
        made = _makedirs(os.path.dirname(path))
        with open(spill, "wb") as fh:
            pickle.dump(list(values), fh)
        if _failed(token):
            _discard([spill], made)
        return spill

    def join(spills):
        w = _Writer(path, fmt, tmp_of(path), token)
        try:
            for s in spills:
                with open(s, "rb") as fh:
                    w.write(pickle.load(fh))
                os.remove(s)
        finally:
            done = w.close()
        return done

    return [dask.delayed(join)([dask.delayed(keep_part)(p, i) for i, p in enumerate(parts)])]


# helper: _run
# needs: _json, _FAILED_HERE, _discard
import uuid as _uuid

_RUN_TOKEN = "%d-%s" % (os.getpid(), _uuid.uuid4().hex[:8])


def _run(outputs, sinks, sink_paths):
    """Computes every output and sink in ONE `dask.compute` (work they share
    is done once), then renames the sinks' files into place and prints the
    outputs in script order as JSON Lines, as `flow --format json` does. A
    failure removes every temporary file, and the directories made for the
    sinks, as flow does, and goes on to `_main`. `outputs` holds
    (collection, "bag" | "scalar" | "written")."""
    import glob
    import time

    client = None
    if os.environ.get("DASK_SCHEDULER_ADDRESS"):
        from dask.distributed import Client

        client = Client(os.environ["DASK_SCHEDULER_ADDRESS"])
    live = [o for o, kind in outputs if kind != "written"]
    # The sinks' directories that do not exist yet, deepest first.
    made = []
    for p in sink_paths:
        d = os.path.dirname(os.path.abspath(p))
        while d and not os.path.exists(d) and d not in made:
            made.append(d)
            d = os.path.dirname(d)
    made.sort(key=len, reverse=True)
    # Outputs are bags and items, sinks delayed objects, and those two have
    # different default schedulers: without a cluster or a configured
    # scheduler, use dask.bag's, processes.
    how = {}
    if client is None and dask.config.get("scheduler", None) is None:
        how["scheduler"] = "processes"
    try:
        try:
            results = dask.compute(*live, *sinks, **how)
        except BaseException:
            # Say so first: a sink task still running removes what it writes.
            _FAILED_HERE.append(True)
            if client is not None and sinks:
                from dask.distributed import Event

                Event("flow-failed-" + _RUN_TOKEN, client=client).set()
            # A task that was still writing removes its file after the
            # glob: the directories made for the sinks may take a moment
            # to be empty (on a cluster; a bounded wait).
            for attempt in range(20):
                for p in sink_paths:
                    pattern = os.path.join(os.path.dirname(p), ".*.flow-tmp-" + _RUN_TOKEN + "*")
                    _discard(glob.glob(pattern, include_hidden=True), [])
                _discard([], made)
                if client is None or not any(os.path.exists(d) for d in made):
                    break
                time.sleep(0.1)
            raise
        for pairs in results[len(live) :]:
            for tmp, target in pairs:
                os.replace(tmp, target)
        framed = os.environ.get("FLOW_OUTPUT") == "framed"
        values = iter(results[: len(live)])
        out = sys.stdout
        for i, (_, kind) in enumerate(outputs):
            if framed:
                out.write("#flow-output %d\n" % i)
            if kind == "scalar":
                out.write(_json(next(values)) + "\n")
            elif kind == "bag":
                for v in next(values):
                    out.write(_json(v) + "\n")
        out.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as flow does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        if client is not None:
            client.close()


# helper: _main
# needs: _json, _line_number
def _main(main):
    """Runs the program. A flow error — raised while the graph is built (a
    missing input file) or by a task (bad data; one raised on a worker comes
    back as a copy of the class) — is reported as `--engine dask` reads it:
    a last stderr line `flow-error: {"code": ..., "message": ...}`, exit 1."""
    try:
        main()
    except Exception as e:
        if type(e).__name__ != "FlowError":
            raise
        message = e.message
        origin = getattr(e, "origin", None)
        if origin is not None and e.code == "flow::exec::expression":
            name, path, gz, at = origin
            line = at if path is None else _line_number(path, gz, at)
            message += " (element from %s:%d)" % (name, line)
        sys.stderr.write("flow-error: " + _json({"code": e.code, "message": message}) + "\n")
        sys.exit(1)
