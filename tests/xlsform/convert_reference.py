#!/usr/bin/env python3
"""Reference converter: XLSForm workbook (.xlsx) -> survey definition (`survey/1` JSON).

What this is
    An independent second implementation of the conversion that `survey convert FORM.xlsx`
    performs, written from ``docs/xlsform.md`` alone (plus the field names of
    ``survey-schemas/survey.schema.json`` and the example definitions beside it). It was written
    without reading the Rust converter (``crates/**/*.rs``) or the fixture generator
    (``tests/xlsform/make_fixtures.py``), so that agreement with the fixtures shows the document
    is complete enough to implement from, and disagreement shows where it is not.

    Where the document is ambiguous or silent, the code takes the most literal reading and says
    so in a comment starting with ``DOC:``; those are the places the document should settle.

    Things the document delegates to ``survey check`` (the validation of the finished
    definition, whose rules are not on that page) are not re-implemented; the checker therefore
    only compares the warnings whose kind docs/xlsform.md itself defines.

How to run (python3 with openpyxl; no network, no Rust build)
    python3 tests/xlsform/convert_reference.py FORM.xlsx
        prints the definition as indented JSON with sorted keys (exit 0), warnings on stderr;
        or prints every problem as ``FORM: error: sheet S, row R, column C: message``
        (exit 1); exit 2 when the workbook cannot be read.
    python3 tests/xlsform/convert_reference.py --check
        converts every fixture in crates/survey-xlsform/test_data/fixtures/ and compares:
        NAME.expected.json (equal JSON values, numbers compared as floats), NAME.errors.txt
        (the set of (sheet, row) locations, and the messages the document fixes word for word),
        NAME.warnings.txt (locations of the warnings the document defines). Prints one line per
        check and "N of M XLSForm reference checks passed"; exit 0 only when all pass.
    python3 tests/xlsform/convert_reference.py --samples
        only reports whether each public form in test_data/samples/ converts or is refused.
"""

import datetime
import json
import math
import os
import re
import sys

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "crates", "survey-xlsform", "test_data", "fixtures")
SAMPLES = os.path.join(ROOT, "crates", "survey-xlsform", "test_data", "samples")


# --------------------------------------------------------------------------------------------
# Problems


class Problem:
    """One finding, located as the document requires: sheet, row (spreadsheet numbering), column."""

    def __init__(self, severity, sheet, row, column, en, zh=None):
        self.severity = severity  # "error" or "warning"
        self.sheet = sheet
        self.row = row
        self.column = column
        self.en = en
        self.zh = zh

    def location_en(self):
        # The format of the one example in "Checks and messages":
        # "sheet survey, row 12, column relevant: ..."
        if self.column is None:
            return "sheet %s, row %d" % (self.sheet, self.row)
        return "sheet %s, row %d, column %s" % (self.sheet, self.row, self.column)

    def text_en(self):
        return "%s: %s" % (self.location_en(), self.en)

    def text_zh(self):
        if self.zh is None:
            return None
        if self.column is None:
            return "%s 表第 %d 行：%s" % (self.sheet, self.row, self.zh)
        return "%s 表第 %d 行 %s 列：%s" % (self.sheet, self.row, self.column, self.zh)


class Problems:
    def __init__(self):
        self.items = []

    def error(self, sheet, row, column, en, zh=None):
        self.items.append(Problem("error", sheet, row, column, en, zh))

    def warning(self, sheet, row, column, en, zh=None):
        self.items.append(Problem("warning", sheet, row, column, en, zh))

    @property
    def errors(self):
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self):
        return [p for p in self.items if p.severity == "warning"]


class ConversionFailed(Exception):
    def __init__(self, problems):
        super().__init__("conversion failed")
        self.problems = problems


class UnreadableWorkbook(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Reading cells and headers


def cell_text(value):
    """A cell as trimmed text ("Reading the sheets": numbers without a trailing .0, booleans
    as true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        # DOC: silent on date cells (a min_date typed as a date in Excel). A date at midnight
        # is read as YYYY-MM-DD, which is what min_date/max_date want.
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    return str(value).strip()


# Bases of text columns per sheet, i.e. the columns that carry "::LANGUAGE".
TEXT_BASES = {
    "survey": ("label", "hint", "constraint_message"),
    "choices": ("label",),
    "indicators": ("label",),
    "rows": ("label",),
    "units": ("name",),
    "settings": ("form_title", "description"),
}

# Columns the document names, per sheet (other columns are ignored; see read_sheet on why
# this matters for "a row with content").
KNOWN_COLUMNS = {
    "survey": {
        "type", "name", "label", "hint", "required", "relevant", "constraint",
        "constraint_message", "default", "appearance", "indicator", "reverse_of", "reverse",
        "weight", "min", "max", "max_length", "min_selected", "max_selected", "min_date",
        "max_date", "required_message", "image", "media::image", "audio", "video", "read_only",
        "choice_filter", "calculation", "repeat_count", "trigger", "parameters",
    },
    "choices": {"list_name", "name", "label", "satisfied", "unscored"},
    "indicators": {"id", "parent", "label", "weight"},
    "units": {"id", "name"},
    "rows": {"matrix", "id", "label", "reverse", "reverse_of", "indicator", "weight"},
    "settings": {
        "form_id", "id_string", "version", "form_title", "description", "recipients",
        "min_seconds_per_question", "default_language",
    },
}


class Header:
    """A header cell: its key (the current spelling, lower case), and for a text column
    `BASE::LANGUAGE` its base and the language as written."""

    def __init__(self, index, original, key, base=None, language=None):
        self.index = index
        self.original = original  # as written (trimmed), used when a message names the column
        self.key = key
        self.base = base  # for text columns: "label", "hint", ...
        self.language = language  # None for a plain text column


def parse_header(index, raw, sheet):
    original = cell_text(raw)
    low = original.lower()
    # Legacy spellings ("Reading the sheets").
    if low == "list name":
        low = "list_name"
    if low == "constraint message":
        low = "constraint_message"
    if low.startswith("bind:"):
        # "`bind:relevant` / `bind::relevant` (any `bind:` prefix) is `relevant`"
        low = low[len("bind:"):].lstrip(":")
    bases = TEXT_BASES.get(sheet, ())
    if "::" in low:
        base, _ = low.split("::", 1)
        base = base.strip()
        if base == "constraint message":
            base = "constraint_message"
        if base in bases:
            # Keep the language as written (case preserved) for the tag rules and messages.
            pos = original.lower().find("::")
            if original.lower().startswith("bind:"):
                pos = original.lower().find("::", len("bind:") + 1)
            language = original[pos + 2:].strip() if pos >= 0 else low.split("::", 1)[1]
            return Header(index, original, base + "::" + language.lower(), base, language)
        return Header(index, original, low)
    if ":" in low:
        base, rest = low.split(":", 1)
        base = base.strip()
        # "`label:english` (one colon) is `label::english`, likewise for `hint` and
        # `constraint_message`" -- only these three.
        if base in ("label", "hint", "constraint_message") and base in bases:
            language = original[original.find(":") + 1:].strip()
            return Header(index, original, base + "::" + language.lower(), base, language)
        return Header(index, original, low)
    if low in bases:
        return Header(index, original, low, low, None)
    return Header(index, original, low)


class Row:
    def __init__(self, number, values):
        self.number = number  # spreadsheet row number
        self.values = values  # header index -> text

    def get(self, sheet, key):
        h = sheet.by_key.get(key)
        if h is None:
            return ""
        return self.values.get(h.index, "")


class Sheet:
    def __init__(self, name, headers, rows):
        self.name = name
        self.headers = headers
        self.by_key = {}
        for h in headers:
            # DOC: silent on two columns with the same header; the first one is read.
            if h.key and h.key not in self.by_key:
                self.by_key[h.key] = h
        self.rows = rows

    def text_columns(self, base):
        return [h for h in self.headers if h.base == base]

    def has(self, key):
        return key in self.by_key


def read_sheet(ws, name):
    raw_rows = list(ws.iter_rows(values_only=True))
    if not raw_rows:
        return Sheet(name, [], [])
    headers = [parse_header(i, v, name) for i, v in enumerate(raw_rows[0])]
    known = KNOWN_COLUMNS.get(name, set())
    relevant_idx = set()
    for h in headers:
        if h.key in known or (h.base is not None):
            relevant_idx.add(h.index)
    rows = []
    for offset, values in enumerate(raw_rows[1:]):
        number = offset + 2
        texts = {}
        for i, v in enumerate(values):
            t = cell_text(v)
            if t != "":
                texts[i] = t
        # DOC: "Empty trailing rows are skipped; an empty row in the middle is skipped too" and
        # "Columns not named here are ignored" -- a row whose only content is in an ignored
        # column (pyxform's "tutorial notes") is read as empty, since that column is ignored.
        if not any(i in relevant_idx for i in texts):
            continue
        row = Row(number, texts)
        rows.append(row)
    return Sheet(name, headers, rows)


# --------------------------------------------------------------------------------------------
# Languages

LANG_NAME_CODE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def language_tag(text):
    """The tag of a language as written in a header, or None when it is not known."""
    text = text.strip()
    m = LANG_NAME_CODE.match(text)
    if m and m.group(2).strip():
        code = m.group(2).strip()
        # DOC: "`zh`, `zh-CN`, `zh-Hans` (as a code) are `zh-CN`" -- read as applying to the
        # code inside "Name (code)" as well (the example's `中文 (zh)` becomes `zh-CN`), and
        # ignoring case, as headers are matched ignoring case. Other codes are kept as written.
        if code.lower() in ("zh", "zh-cn", "zh-hans"):
            return "zh-CN"
        return code
    if text.lower() in ("zh", "zh-cn", "zh-hans"):
        return "zh-CN"
    # DOC: "a bare `English` / `english` is `en`; a bare `Chinese`, `中文` or `简体中文`" -- read
    # ignoring case (ENGLISH too), as header cells are matched ignoring case.
    if text.lower() == "english":
        return "en"
    if text.lower() == "chinese" or text in ("中文", "简体中文"):
        return "zh-CN"
    if re.fullmatch(r"[A-Za-z]{1,3}", text):
        return text
    return None


class Languages:
    """Resolves the language of each text column; reports unknown languages at row 1."""

    def __init__(self, problems, default_language_text, settings_row):
        self.problems = problems
        self.default_text = default_language_text
        self.default_tag = None
        self.default_bad = False
        if default_language_text:
            self.default_tag = language_tag(default_language_text)
            if self.default_tag is None:
                self.default_bad = True
                # DOC: silent on where an unknown default_language is reported ("by the same
                # rules" says it is an error, the rules say "naming the column (row 1)", but
                # default_language is a cell of the settings row). Reported at that cell.
                problems.error(
                    "settings", settings_row, "default_language",
                    'the language %s is not known: write it as "Name (code)", e.g. %s (xx)'
                    % (default_language_text, default_language_text))

    def tag(self, sheet_name, header):
        if header.language is None:
            if self.default_tag is not None:
                return self.default_tag
            if self.default_bad:
                return None  # already reported at the settings row
            self.problems.error(
                sheet_name, 1, header.original,
                "this column has no language: set default_language on the settings sheet, "
                "or write %s::English (en)" % header.base)
            return None
        t = language_tag(header.language)
        if t is None:
            self.problems.error(
                sheet_name, 1, header.original,
                'the language %s is not known: write it as "Name (code)", e.g. %s (xx)'
                % (header.language, header.language))
        return t


def read_text(sheet, row, base, langs, tags):
    """The multilingual text of `base` on `row`: {tag: text} for the filled cells."""
    out = {}
    for h in sheet.text_columns(base):
        tag = tags.get(h.index)
        if tag is None:
            continue
        v = row.values.get(h.index, "")
        # DOC: silent on two columns with the same tag (`label::English` and
        # `label::English (en)`); the first filled one is kept.
        if v != "" and tag not in out:
            out[tag] = v
    return out


def every_language(text, languages):
    return {lang: text for lang in languages}


# --------------------------------------------------------------------------------------------
# Values

YES = {"yes", "true", "1", "true()"}
NO = {"", "no", "false", "0", "false()"}


def parse_yes_no(text):
    """True / False, or None when the text is neither (the `required` rule)."""
    low = text.strip().lower()
    if low in YES:
        return True
    if low in NO:
        return False
    return None


NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
INTEGER_RE = re.compile(r"^[+-]?\d+$")


def parse_number(text):
    """A number cell's text as a JSON number (int when whole), or None."""
    t = text.strip()
    if not NUMBER_RE.match(t):
        return None
    if INTEGER_RE.match(t):
        return int(t)
    f = float(t)
    if math.isfinite(f) and f == int(f) and "e" not in t.lower():
        # "2.0" cannot arrive from a number cell (it reads "2"), but may be typed as text.
        return int(f)
    return f


def parse_whole(text):
    t = text.strip()
    # DOC: "whole numbers" -- read as non-negative integers (the schema's uint32).
    if re.fullmatch(r"\+?\d+", t):
        return int(t)
    return None


def is_integer_name(name):
    # DOC: "every name of LIST is an integer" -- read as an optional minus sign and digits
    # (the real forms use -88 / -99 for "don't know").
    return re.fullmatch(r"-?\d+", name) is not None


# --------------------------------------------------------------------------------------------
# Expressions


class ExprError(Exception):
    pass


class Node:
    pass


class Num(Node):
    def __init__(self, lexeme):
        self.lexeme = lexeme


class Str(Node):
    def __init__(self, value):
        self.value = value


class Ref(Node):
    def __init__(self, name):
        self.name = name


class Dot(Node):
    pass


class Neg(Node):
    def __init__(self, operand):
        self.operand = operand


class Bin(Node):
    def __init__(self, op, left, right):
        self.op = op
        self.left = left
        self.right = right


class Call(Node):
    def __init__(self, name, args):
        self.name = name
        self.args = args


FUNCTIONS = {"not": 1, "selected": 2, "count-selected": 1, "string-length": 1, "if": 3}
COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}
ARITHMETIC = {"+", "-", "*", "div", "mod"}

TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{[^}]*\})
  | (?P<num>\d+(\.\d+)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    """,
    re.VERBOSE,
)


def tokenize(text):
    tokens = []
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ExprError("unexpected %r at character %d" % (text[pos], pos + 1))
        kind = m.lastgroup
        val = m.group(0)
        pos = m.end()
        if kind == "ws":
            continue
        tokens.append((kind, val))
    tokens.append(("end", ""))
    return tokens


class Parser:
    """XPath-style precedence: or < and < = != < relational < additive < multiplicative < unary.

    DOC: the page points to the grammar in crates/survey-core/src/definition/expr.rs (which this
    implementation may not read) and lists its pieces only; precedence, the arithmetic operators
    (`div`, `mod`?), unary minus and the quoting of strings are taken from XPath.
    """

    def __init__(self, text):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        t = self.tokens[self.i]
        self.i += 1
        return t

    def accept(self, kind, val=None):
        t = self.peek()
        if t[0] == kind and (val is None or t[1] == val):
            self.i += 1
            return True
        return False

    def expect(self, kind, val):
        if not self.accept(kind, val):
            raise ExprError("expected %s, found %s" % (val, self.peek()[1] or "the end"))

    def parse(self):
        node = self.or_expr()
        if self.peek()[0] != "end":
            raise ExprError("unexpected %s" % self.peek()[1])
        return node

    def or_expr(self):
        node = self.and_expr()
        while self.accept("name", "or"):
            node = Bin("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.eq_expr()
        while self.accept("name", "and"):
            node = Bin("and", node, self.eq_expr())
        return node

    def eq_expr(self):
        node = self.rel_expr()
        while self.peek()[0] == "op" and self.peek()[1] in ("=", "!="):
            op = self.take()[1]
            node = Bin(op, node, self.rel_expr())
        return node

    def rel_expr(self):
        node = self.add_expr()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", "<=", ">", ">="):
            op = self.take()[1]
            node = Bin(op, node, self.add_expr())
        return node

    def add_expr(self):
        node = self.mul_expr()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = Bin(op, node, self.mul_expr())
        return node

    def mul_expr(self):
        node = self.unary()
        while True:
            t = self.peek()
            if (t[0] == "op" and t[1] == "*") or (t[0] == "name" and t[1] in ("div", "mod")):
                self.take()
                node = Bin(t[1], node, self.unary())
            else:
                return node

    def unary(self):
        if self.accept("op", "-"):
            operand = self.unary()
            if isinstance(operand, Num) and not operand.lexeme.startswith("-"):
                return Num("-" + operand.lexeme)
            return Neg(operand)
        return self.primary()

    def primary(self):
        kind, val = self.take()
        if kind == "num":
            return Num(val)
        if kind == "str":
            return Str(val[1:-1])
        if kind == "ref":
            name = val[2:-1].strip()
            return Ref(name)
        if kind == "dot":
            return Dot()
        if kind == "op" and val == "(":
            node = self.or_expr()
            self.expect("op", ")")
            return node
        if kind == "name" and self.peek() == ("op", "("):
            if val not in FUNCTIONS:
                raise ExprError("unknown function %s()" % val)
            self.take()
            args = []
            if not self.accept("op", ")"):
                args.append(self.or_expr())
                while self.accept("op", ","):
                    args.append(self.or_expr())
                self.expect("op", ")")
            if len(args) != FUNCTIONS[val]:
                raise ExprError("%s() takes %d argument(s), not %d" % (val, FUNCTIONS[val], len(args)))
            return Call(val, args)
        raise ExprError("unexpected %s" % (val or "end of expression"))


def refs_of(node):
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Bin):
        yield from refs_of(node.left)
        yield from refs_of(node.right)
    elif isinstance(node, Neg):
        yield from refs_of(node.operand)
    elif isinstance(node, Call):
        for a in node.args:
            yield from refs_of(a)


def reads_as_number(s):
    # DOC: "a string that reads as a number" -- read as an optional minus, digits, an optional
    # fraction, surrounding spaces allowed.
    return re.fullmatch(r"\s*-?(\d+(\.\d+)?|\.\d+)\s*", s) is not None


NUMERIC_KINDS = ("scale", "integer", "decimal")
TEXT_KINDS = ("single", "multiple", "text")


def type_literals(node, kinds, dot_kind):
    """Rule 3 of "Expressions": a literal beside a question takes that question's type."""

    def kind_of(n):
        if isinstance(n, Ref):
            return kinds.get(n.name)
        if isinstance(n, Dot):
            return dot_kind
        return None

    def convert(lit, kind):
        if kind in NUMERIC_KINDS and isinstance(lit, Str) and reads_as_number(lit.value):
            return Num(lit.value.strip())
        # DOC: the rule lists `.` only for the numeric kinds ("(or `.` of one)"); `.` of a
        # single / multiple / text is treated the same way here, as the rule is symmetric.
        if kind in TEXT_KINDS and isinstance(lit, Num):
            # DOC: "a number becomes its text" -- the text as written (`1.50` -> '1.50').
            return Str(lit.lexeme)
        return lit

    if isinstance(node, Bin):
        node.left = type_literals(node.left, kinds, dot_kind)
        node.right = type_literals(node.right, kinds, dot_kind)
        if node.op in COMPARISONS or node.op in ARITHMETIC:
            lk, rk = kind_of(node.left), kind_of(node.right)
            if lk is not None and isinstance(node.right, (Num, Str)):
                node.right = convert(node.right, lk)
            if rk is not None and isinstance(node.left, (Num, Str)):
                node.left = convert(node.left, rk)
        return node
    if isinstance(node, Neg):
        node.operand = type_literals(node.operand, kinds, dot_kind)
        return node
    if isinstance(node, Call):
        node.args = [type_literals(a, kinds, dot_kind) for a in node.args]
        if node.name == "selected" and isinstance(node.args[1], Num):
            # "The second argument of `selected()` is always text."
            node.args[1] = Str(node.args[1].lexeme)
        return node
    return node


def format_number(lexeme):
    # DOC: silent on how numbers are printed; the canonical form is used (`4.50` -> 4.5,
    # `04` -> 4), matching "2.0 reads 2" for cells.
    v = float(lexeme)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def print_expr(node):
    """Rule 4: every binary operation in parentheses."""
    if isinstance(node, Num):
        return format_number(node.lexeme)
    if isinstance(node, Str):
        # DOC: silent on quoting; single quotes (as in every example), double quotes when
        # the text holds a single quote.
        if "'" in node.value:
            return '"%s"' % node.value
        return "'%s'" % node.value
    if isinstance(node, Ref):
        return "${%s}" % node.name
    if isinstance(node, Dot):
        return "."
    if isinstance(node, Neg):
        return "-%s" % print_expr(node.operand)
    if isinstance(node, Bin):
        return "(%s %s %s)" % (print_expr(node.left), node.op, print_expr(node.right))
    if isinstance(node, Call):
        return "%s(%s)" % (node.name, ", ".join(print_expr(a) for a in node.args))
    raise AssertionError(node)


def smart_quotes(text):
    return (text.replace("\u2018", "'").replace("\u2019", "'")
            .replace("\u201c", '"').replace("\u201d", '"'))


# --------------------------------------------------------------------------------------------
# Types

METADATA = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "imei", "start-geopoint",
}
SIMPLE = {
    "integer": "integer", "int": "integer", "decimal": "decimal", "text": "text",
    "string": "text", "date": "date", "note": "note", "yes_no": "yes_no",
}


def classify_type(type_text):
    """(what, list_name): what is one of select_one, select_multiple, scale, matrix, a simple
    kind, begin, end, metadata, unsupported."""
    # DOC: silent on case and on repeated spaces in `type`; words are split on white space and
    # matched as written (lower case).
    words = type_text.split()
    if len(words) == 2 and words[0] == "select_one":
        return "select_one", words[1]
    if len(words) == 4 and words[:3] == ["select", "one", "from"]:
        return "select_one", words[3]
    if len(words) == 2 and words[0] == "select_multiple":
        return "select_multiple", words[1]
    if len(words) == 4 and words[:3] == ["select", "multiple", "from"]:
        return "select_multiple", words[3]
    if len(words) == 6 and words[:5] == ["select", "all", "that", "apply", "from"]:
        return "select_multiple", words[5]
    if len(words) == 2 and words[0] == "scale":
        return "scale", words[1]
    if len(words) == 2 and words[0] == "matrix":
        return "matrix", words[1]
    joined = " ".join(words)
    if joined in SIMPLE:
        return SIMPLE[joined], None
    if joined in ("begin_group", "begin group"):
        return "begin", None
    if joined in ("end_group", "end group"):
        return "end", None
    if joined in METADATA:
        return "metadata", None
    return "unsupported", None


NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")


# --------------------------------------------------------------------------------------------
# The conversion


def load_workbook(path):
    try:
        wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as e:  # noqa: BLE001 -- any reader failure is "cannot be read"
        raise UnreadableWorkbook(str(e))
    sheets = {}
    for ws in wb.worksheets:
        key = ws.title.strip().lower()
        # "Sheets are found by name, ignoring case"
        if key in KNOWN_COLUMNS and key not in sheets:
            sheets[key] = read_sheet(ws, key)
    return sheets


def convert_file(path):
    """Returns (definition, problems); raises ConversionFailed when there are errors."""
    sheets = load_workbook(path)
    return convert_sheets(sheets)


def convert_sheets(sheets):
    P = Problems()
    if "survey" not in sheets:
        P.error("survey", 1, None, "the workbook has no survey sheet")
        raise ConversionFailed(P)
    survey = sheets["survey"]
    choices = sheets.get("choices")
    settings = sheets.get("settings")

    # ---- settings (first data row)
    srow = settings.rows[0] if settings is not None and settings.rows else None

    def setting(key):
        if srow is None:
            return ""
        return srow.get(settings, key)

    srow_no = srow.number if srow is not None else 2
    langs = Languages(P, setting("default_language"), srow_no)

    # ---- languages of text columns
    tags = {}  # sheet name -> {header index: tag}
    for name, sheet in sheets.items():
        t = {}
        for h in sheet.headers:
            if h.base is not None:
                if name == "settings" and h.language is None:
                    # Plain form_title / description are "the same text in every language of
                    # the form", not default_language text columns: they need no tag.
                    continue
                tag = langs.tag(name, h)
                if tag is not None:
                    t[h.index] = tag
        tags[name] = t

    languages = []
    for name in ("survey", "choices"):
        sheet = sheets.get(name)
        if sheet is None:
            continue
        for h in sheet.text_columns("label"):
            tag = tags[name].get(h.index)
            if tag is not None and tag not in languages:
                languages.append(tag)

    form_id = setting("form_id") or setting("id_string") or "survey"
    version = setting("version") or "1"

    def settings_text(base):
        plain = None
        per = {}
        if settings is None or srow is None:
            return None
        for h in settings.text_columns(base):
            v = srow.values.get(h.index, "")
            if v == "":
                continue
            if h.language is None:
                # DOC: `form_title` "the same text in every language of the form" -- the plain
                # column is *not* a default_language text column (the table says so for
                # form_title; `description` says "likewise").
                plain = v
            else:
                tag = tags["settings"].get(h.index)
                if tag is not None:
                    per.setdefault(tag, v)
        if plain is None and not per:
            return None
        out = every_language(plain, languages) if plain is not None else {}
        out.update(per)
        return out

    form_title = settings_text("form_title")
    plain_form_title = ""
    if settings is not None and srow is not None:
        for h in settings.text_columns("form_title"):
            if h.language is None and srow.values.get(h.index, ""):
                plain_form_title = srow.values[h.index]
                break
    title = form_title if form_title is not None else every_language(form_id, languages)
    description = settings_text("description")

    recipients = [r for r in re.split(r"[\s,]+", setting("recipients")) if r]
    quality = None
    msq = setting("min_seconds_per_question")
    if msq != "":
        n = parse_number(msq)
        if n is None:
            P.error("settings", srow_no, "min_seconds_per_question",
                    "min_seconds_per_question must be a number, not %s" % msq)
        else:
            quality = {"min_seconds_per_question": n}

    # ---- choices
    lists = {}  # list name -> [choice dict with row]
    if choices is not None:
        seen = {}
        for row in choices.rows:
            ln = row.get(choices, "list_name")
            if ln == "":
                continue  # "Rows without a list name are skipped"
            nm = row.get(choices, "name")
            if nm == "":
                P.error("choices", row.number, "name", "this choice has no name")
                continue
            key = (ln, nm)
            if key in seen:
                P.error("choices", row.number, "name",
                        "the name %s is used twice in the list %s" % (nm, ln))
                continue
            seen[key] = row.number
            flags = {}
            for col in ("satisfied", "unscored"):
                v = row.get(choices, col)
                yn = parse_yes_no(v)
                if yn is None:
                    P.error("choices", row.number, col, "%s must be yes or no, not %s" % (col, v))
                    yn = False
                flags[col] = yn
            label = read_text(choices, row, "label", langs, tags["choices"])
            if not label:
                label = every_language(nm, languages)
            lists.setdefault(ln, []).append(
                {"name": nm, "label": label, "satisfied": flags["satisfied"],
                 "unscored": flags["unscored"], "row": row.number})

    def is_scale_list(items):
        return (bool(items) and all(is_integer_name(c["name"]) for c in items)
                and any(c["satisfied"] for c in items))

    def scale_fields(items):
        points = [{"value": int(c["name"]), "label": c["label"]} for c in items if not c["unscored"]]
        unscored = [{"value": int(c["name"]), "label": c["label"]} for c in items if c["unscored"]]
        satisfied = [int(c["name"]) for c in items if c["satisfied"]]
        out = {"points": points, "satisfied": satisfied}
        # DOC: silent on whether an empty `unscored` is written; left out when empty.
        if unscored:
            out["unscored"] = unscored
        return out

    # ---- survey rows: first pass, classify and collect question names / kinds
    entries = []  # (row, what, list)
    for row in survey.rows:
        type_text = row.get(survey, "type")
        if type_text == "":
            P.error("survey", row.number, "type", "this row has no type")
            continue
        what, lst = classify_type(type_text)
        entries.append((row, what, lst, type_text))

    kinds = {}  # question name -> kind (for expression typing and references)
    for row, what, lst, type_text in entries:
        name = row.get(survey, "name")
        kind = None
        if what == "select_one":
            items = lists.get(lst)
            kind = "scale" if items is not None and is_scale_list(items) else "single"
        elif what == "select_multiple":
            kind = "multiple"
        elif what in ("scale", "matrix"):
            kind = what
        elif what in SIMPLE.values():
            kind = what
        if kind is not None and name != "" and name not in kinds:
            kinds[name] = kind

    # ---- second pass: build sections
    sections = []
    group_stack = []  # [(row, name, relevant_node or None)]
    current = None  # the section questions go into
    run_count = 0
    used_names = {}

    def close_run():
        nonlocal current
        current = None

    def parse_expression(text, row, column, dot_kind):
        text = smart_quotes(text)
        try:
            node = Parser(text).parse()
        except ExprError as e:
            P.error("survey", row.number, column, "cannot read the expression: %s" % e)
            return None
        ok = True
        for r in refs_of(node):
            if r.name not in kinds:
                P.error("survey", row.number, column,
                        "${%s} is not a question of this form" % r.name,
                        "引用了不存在的题目 ${%s}" % r.name)
                ok = False
        if not ok:
            return None
        return type_literals(node, kinds, dot_kind)

    def group_relevant_text(row):
        rel = row.get(survey, "relevant")
        if rel == "":
            return None
        # A group's relevance is typed without a `.` (a group has no answer).
        return parse_expression(rel, row, "relevant", None)

    for row, what, lst, type_text in entries:
        name = row.get(survey, "name")

        # Columns that are errors / dropped, whatever the type.
        for col in ("choice_filter", "calculation", "repeat_count", "trigger", "parameters"):
            if row.get(survey, col) != "":
                P.error("survey", row.number, col, "the column %s is not supported by the kit" % col)

        if what == "begin":
            if not group_stack:
                # A top-level group: a section of its own.
                close_run()
                if name == "":
                    # DOC: silent on a group without a name (its name is the section id).
                    P.error("survey", row.number, "name", "this group has no name")
                elif not NAME_RE.match(name):
                    # DOC: the name rule is stated for questions; applied to section ids too.
                    P.error("survey", row.number, "name",
                            "the name %s may only hold ASCII letters, digits and underscores "
                            "(it is not renamed)" % name)
                label = read_text(survey, row, "label", langs, tags["survey"])
                if not label:
                    label = every_language(name, languages)
                current = {"id": name, "title": label, "questions": []}
                sections.append(current)
            rel = group_relevant_text(row)
            group_stack.append((row, name, rel))
            continue
        if what == "end":
            if not group_stack:
                P.error("survey", row.number, "type", "begin_group and end_group do not pair up",
                        "分组的开始（begin_group）与结束（end_group）不配对")
                continue
            group_stack.pop()
            if not group_stack:
                close_run()
            continue
        if what == "metadata":
            P.warning("survey", row.number, "type",
                      "the metadata field %s was dropped (the kit records times and devices itself)"
                      % type_text)
            continue
        if what == "unsupported":
            P.error("survey", row.number, "type", "%s is not supported by the kit" % type_text)
            continue

        # ---- a question
        q = {}
        if name == "":
            P.error("survey", row.number, "name", "this question has no name")
        elif not NAME_RE.match(name):
            P.error("survey", row.number, "name",
                    "the name %s may only hold ASCII letters, digits and underscores "
                    "(it is not renamed)" % name)
        if name != "":
            if name in used_names:
                # DOC: "a name used twice is an error" -- reported at the second use.
                P.error("survey", row.number, "name", "the name %s is used twice" % name)
            else:
                used_names[name] = row.number
        q["id"] = name

        kind = None
        if what in ("select_one", "select_multiple", "scale", "matrix"):
            items = lists.get(lst)
            if items is None:
                P.error("survey", row.number, "type", "the choices sheet has no list %s" % lst)
            else:
                scale_list = is_scale_list(items)
                if what == "select_one":
                    kind = "scale" if scale_list else "single"
                elif what == "select_multiple":
                    kind = "multiple"
                else:
                    kind = what
                    if not scale_list:
                        P.error("survey", row.number, "type",
                                "the list %s is not a scale list (integer names, at least one "
                                "marked satisfied)" % lst)
                if kind in ("single", "multiple"):
                    q["choices"] = [{"value": c["name"], "label": c["label"]} for c in items]
                elif scale_list:
                    q.update(scale_fields(items))
                appearance = row.get(survey, "appearance")
                if "likert" in appearance and not scale_list and what in ("select_one", "select_multiple"):
                    P.warning("survey", row.number, "appearance",
                              "appearance likert on %s does not make a scored scale: the list %s "
                              "is not a scale list" % (name, lst))
        else:
            kind = what
        if kind is None:
            kind = "single"  # only to go on collecting problems
        q["kind"] = kind

        label = read_text(survey, row, "label", langs, tags["survey"])
        q["title"] = label if label else every_language(name, languages)
        hint = read_text(survey, row, "hint", langs, tags["survey"])
        if hint:
            q["help"] = hint

        req = row.get(survey, "required")
        yn = parse_yes_no(req)
        if yn is None:
            P.error("survey", row.number, "required",
                    "required must be yes or no, not %s" % req,
                    "required 应为 yes 或 no，而不是 %s" % req)
        elif yn:
            q["required"] = True

        # relevant: every enclosing group's, then the question's own.
        parts = [g[2] for g in group_stack if g[2] is not None]
        own = row.get(survey, "relevant")
        if own != "":
            node = parse_expression(own, row, "relevant", kind)
            if node is not None:
                parts.append(node)
        if parts:
            # DOC: "`(outer) and (inner) and (own)`" together with rule 4 ("every binary
            # operation in parentheses") -- read as the left-nested and of the parts, printed
            # by rule 4: (((outer) and (inner)) and (own)).
            node = parts[0]
            for p in parts[1:]:
                node = Bin("and", node, p)
            q["relevant"] = print_expr(node)

        cons = row.get(survey, "constraint")
        if cons != "":
            node = parse_expression(cons, row, "constraint", kind)
            if node is not None:
                q["constraint"] = print_expr(node)
            cm = read_text(survey, row, "constraint_message", langs, tags["survey"])
            if cm:
                q["constraint_message"] = cm
        # DOC: "(only with a constraint)" -- a constraint_message without a constraint is
        # left out silently (the page does not say whether it warns).

        default = row.get(survey, "default")
        if default != "":
            if kind in ("integer", "scale"):
                n = parse_number(default)
                if n is None or not isinstance(n, int):
                    # DOC: silent on a default that does not fit the kind; an error here.
                    P.error("survey", row.number, "default",
                            "default must be a whole number, not %s" % default)
                else:
                    q["default"] = n
            elif kind == "decimal":
                n = parse_number(default)
                if n is None:
                    P.error("survey", row.number, "default",
                            "default must be a number, not %s" % default)
                else:
                    q["default"] = float(n)
            elif kind == "multiple":
                q["default"] = default.split()
            else:
                q["default"] = default

        appearance = row.get(survey, "appearance")
        if kind == "text" and "multiline" in appearance:
            q["multiline"] = True

        for col in ("indicator", "reverse_of"):
            v = row.get(survey, col)
            if v != "":
                q[col] = v
        rev = row.get(survey, "reverse")
        if rev != "":
            # DOC: "`reverse: true` when yes" -- yes/no read as for `required`, anything else
            # an error.
            yn = parse_yes_no(rev)
            if yn is None:
                P.error("survey", row.number, "reverse", "reverse must be yes or no, not %s" % rev)
            elif yn:
                q["reverse"] = True
        for col in ("weight", "min", "max"):
            v = row.get(survey, col)
            if v != "":
                n = parse_number(v)
                if n is None:
                    P.error("survey", row.number, col, "%s must be a number, not %s" % (col, v))
                else:
                    q[col] = n
        for col in ("max_length", "min_selected", "max_selected"):
            v = row.get(survey, col)
            if v != "":
                n = parse_whole(v)
                if n is None:
                    P.error("survey", row.number, col, "%s must be a whole number, not %s" % (col, v))
                else:
                    q[col] = n
        for col in ("min_date", "max_date"):
            v = row.get(survey, col)
            if v != "":
                q[col] = v
        for col in ("required_message", "image", "media::image", "audio", "video", "read_only"):
            if row.get(survey, col) != "":
                P.warning("survey", row.number, col, "the column %s was dropped" % col)

        q["_row"] = row.number
        if current is None:
            run_count += 1
            # DOC: "titled with `form_title` in every language (else with the first
            # question's name)" -- read literally: the plain form_title cell, copied into every
            # language; form_title::LANGUAGE columns do not title the parts.
            part_title = (every_language(plain_form_title, languages) if plain_form_title
                          else every_language(name, languages))
            current = {"id": "part_%d" % run_count, "title": dict(part_title), "questions": []}
            sections.append(current)
        current["questions"].append(q)

    for row, name, _rel in group_stack:
        P.error("survey", row.number, "type", "the group %s is never closed" % name,
                "分组的开始（begin_group）与结束（end_group）不配对")

    # ---- matrix rows
    rows_sheet = sheets.get("rows")
    matrix_questions = {}
    for s in sections:
        for q in s["questions"]:
            if q["kind"] == "matrix":
                matrix_questions[q["id"]] = q
    if rows_sheet is not None:
        for row in rows_sheet.rows:
            mname = row.get(rows_sheet, "matrix")
            if mname == "":
                continue
            rid = row.get(rows_sheet, "id")
            if rid == "":
                P.error("rows", row.number, "id", "this row has no id")
                continue
            q = matrix_questions.get(mname)
            if q is None:
                # DOC: silent on a rows-sheet row naming no matrix question; an error here.
                P.error("rows", row.number, "matrix", "%s is not a matrix question" % mname)
                continue
            label = read_text(rows_sheet, row, "label", langs, tags["rows"])
            mr = {"id": rid, "label": label if label else every_language(rid, languages)}
            for col in ("indicator", "reverse_of"):
                v = row.get(rows_sheet, col)
                if v != "":
                    mr[col] = v
            rev = row.get(rows_sheet, "reverse")
            if rev != "":
                yn = parse_yes_no(rev)
                if yn is None:
                    P.error("rows", row.number, "reverse", "reverse must be yes or no, not %s" % rev)
                elif yn:
                    mr["reverse"] = True
            w = row.get(rows_sheet, "weight")
            if w != "":
                n = parse_number(w)
                if n is None:
                    P.error("rows", row.number, "weight", "weight must be a number, not %s" % w)
                else:
                    mr["weight"] = n
            q.setdefault("rows", []).append(mr)
    # DOC: silent on a matrix question with no rows on the rows sheet; left to survey check.

    # ---- indicators
    indicators = []
    ind_sheet = sheets.get("indicators")
    if ind_sheet is not None:
        by_id = {}
        for row in ind_sheet.rows:
            iid = row.get(ind_sheet, "id")
            if iid == "":
                # DOC: "Each row is an indicator" -- silent on a row without an id; an error.
                P.error("indicators", row.number, "id", "this indicator has no id")
                continue
            label = read_text(ind_sheet, row, "label", langs, tags["indicators"])
            # DOC: silent on an indicator without a label; its id in every language (as for
            # units and matrix rows).
            node = {"id": iid, "title": label if label else every_language(iid, languages)}
            w = row.get(ind_sheet, "weight")
            n = parse_number(w)
            if n is None:
                # DOC: "`weight` (a number)" -- silent on an empty weight (the schema requires
                # one); an empty weight is an error here, as it is not a number.
                P.error("indicators", row.number, "weight", "weight must be a number, not %s" % (w or "empty"))
                n = 0
            node["weight"] = n
            parent = row.get(ind_sheet, "parent")
            if parent == "":
                indicators.append(node)
            elif parent in by_id:
                by_id[parent].setdefault("children", []).append(node)
            else:
                P.error("indicators", row.number, "parent",
                        "the parent %s is not on an earlier row" % parent)
            by_id.setdefault(iid, node)

    # ---- units
    units = []
    units_sheet = sheets.get("units")
    if units_sheet is not None:
        for row in units_sheet.rows:
            uid = row.get(units_sheet, "id")
            if uid == "":
                continue
            name = read_text(units_sheet, row, "name", langs, tags["units"])
            units.append({"id": uid, "name": name if name else every_language(uid, languages)})

    if P.errors:
        raise ConversionFailed(P)

    for s in sections:
        for q in s["questions"]:
            q.pop("_row", None)

    definition = {
        "format": "survey/1",
        "id": form_id,
        "version": version,
        "title": title,
        "languages": languages,
        "sections": sections,
    }
    if description is not None:
        definition["description"] = description
    if units:
        definition["units"] = units
    if indicators:
        definition["indicators"] = indicators
    # DOC: "`recipients` and `quality` (when set)" -- read as: both only when set.
    if recipients:
        definition["recipients"] = recipients
    if quality is not None:
        definition["quality"] = quality
    return definition, P


def to_json(definition):
    return json.dumps(definition, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------------------------
# Checker

LINE_EN = re.compile(r"^sheet (?P<sheet>\S+), row (?P<row>\d+)(, column (?P<col>.+?))?: (?P<msg>.*)$")
LINE_ZH = re.compile(r"^(?P<sheet>\S+) 表第 (?P<row>\d+) 行( (?P<col>.+?) 列)?：(?P<msg>.*)$")

# Messages whose wording docs/xlsform.md fixes ("Checks and messages").
FIXED_EN = re.compile(r"^\$\{[^}]*\} is not a question of this form$")
FIXED_ZH = re.compile(r"^引用了不存在的题目 \$\{[^}]*\}$")

# Warnings whose kind the document defines, by column: the dropped metadata types (column
# type), the dropped columns, and `likert` on a select that is not a scale list.
DOC_WARNING_COLUMNS = {"type", "appearance", "required_message", "image", "media::image",
                       "audio", "video", "read_only"}


def parse_listing(path):
    en, zh = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            m = LINE_EN.match(line)
            if m:
                en.append((m.group("sheet"), int(m.group("row")), m.group("col"), m.group("msg"), line))
                continue
            m = LINE_ZH.match(line)
            if m:
                zh.append((m.group("sheet"), int(m.group("row")), m.group("col"), m.group("msg"), line))
                continue
            raise ValueError("%s: cannot read line %r" % (path, line))
    return en, zh


def numbers_as_floats(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [numbers_as_floats(x) for x in v]
    if isinstance(v, dict):
        return {k: numbers_as_floats(x) for k, x in v.items()}
    return v


def json_diff(a, b, path="$"):
    """The differences between two JSON values, as readable lines."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append("%s.%s: missing in ours, expected %s" % (path, k, json.dumps(b[k], ensure_ascii=False)))
            elif k not in b:
                out.append("%s.%s: ours has %s, not expected" % (path, k, json.dumps(a[k], ensure_ascii=False)))
            else:
                out.extend(json_diff(a[k], b[k], "%s.%s" % (path, k)))
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: ours has %d items, expected %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(json_diff(x, y, "%s[%d]" % (path, i)))
    elif a != b:
        out.append("%s: ours %s, expected %s" % (path, json.dumps(a, ensure_ascii=False), json.dumps(b, ensure_ascii=False)))
    return out


def run_checks():
    results = []  # (ok, text)

    def check(ok, text):
        results.append((ok, text))
        print("%s %s" % ("PASS" if ok else "FAIL", text))

    names = sorted({f[:-len(".xlsx")] for f in os.listdir(FIXTURES) if f.endswith(".xlsx")})
    for name in names:
        xlsx = os.path.join(FIXTURES, name + ".xlsx")
        expected_json = os.path.join(FIXTURES, name + ".expected.json")
        errors_txt = os.path.join(FIXTURES, name + ".errors.txt")
        warnings_txt = os.path.join(FIXTURES, name + ".warnings.txt")
        definition, problems, failure = None, None, None
        try:
            definition, problems = convert_file(xlsx)
        except ConversionFailed as e:
            problems = e.problems
            failure = "refused"
        except UnreadableWorkbook as e:
            failure = "unreadable: %s" % e

        if os.path.exists(expected_json):
            with open(expected_json, encoding="utf-8") as f:
                expected = json.load(f)
            if definition is None:
                detail = "; ".join(p.text_en() for p in (problems.errors if problems else []))
                check(False, "%s: converts to expected.json (%s: %s)" % (name, failure, detail))
            else:
                diffs = json_diff(numbers_as_floats(definition), numbers_as_floats(expected))
                if diffs:
                    check(False, "%s: converts to expected.json -- %s" % (name, " | ".join(diffs)))
                else:
                    check(True, "%s: converts to expected.json" % name)

        if os.path.exists(errors_txt):
            exp_en, exp_zh = parse_listing(errors_txt)
            if definition is not None:
                check(False, "%s: refused (ours converts)" % name)
            elif problems is None:
                check(False, "%s: refused (%s)" % (name, failure))
            else:
                ours = {(p.sheet, p.row) for p in problems.errors}
                want = {(s, r) for s, r, _c, _m, _l in exp_en}
                ok = ours == want
                detail = ""
                if not ok:
                    detail = " -- ours only: %s; expected only: %s" % (
                        sorted(ours - want), sorted(want - ours))
                # Columns are reported as information; the brief compares (sheet, row).
                ours_cols = {(p.sheet, p.row, p.column) for p in problems.errors}
                want_cols = {(s, r, c) for s, r, c, _m, _l in exp_en}
                if ours_cols != want_cols:
                    detail += " [columns differ: ours only %s; expected only %s]" % (
                        sorted(ours_cols - want_cols, key=str), sorted(want_cols - ours_cols, key=str))
                check(ok, "%s: refused at the expected (sheet, row) locations%s" % (name, detail))
                # Messages the document fixes word for word.
                fixed_en = [l for s, r, c, m, l in exp_en if FIXED_EN.match(m)]
                fixed_zh = [l for s, r, c, m, l in exp_zh if FIXED_ZH.match(m)]
                if fixed_en or fixed_zh:
                    ours_en = {p.text_en() for p in problems.errors}
                    ours_zh = {p.text_zh() for p in problems.errors}
                    missing = [l for l in fixed_en if l not in ours_en] + \
                              [l for l in fixed_zh if l not in ours_zh]
                    check(not missing, "%s: messages fixed by the doc match%s" % (
                        name, (" -- missing: %s" % missing) if missing else ""))

        if os.path.exists(warnings_txt):
            exp_en, _exp_zh = parse_listing(warnings_txt)
            defined = [(s, r, c) for s, r, c, _m, _l in exp_en if c in DOC_WARNING_COLUMNS]
            skipped = [l for s, r, c, _m, l in exp_en if c not in DOC_WARNING_COLUMNS]
            if problems is None:
                check(False, "%s: warnings (%s)" % (name, failure))
            else:
                ours = {(p.sheet, p.row) for p in problems.warnings}
                want = {(s, r) for s, r, _c in defined}
                ok = ours == want
                detail = ""
                if not ok:
                    detail = " -- ours only: %s; expected only: %s" % (
                        sorted(ours - want), sorted(want - ours))
                if skipped:
                    detail += " [not compared, kind not defined by docs/xlsform.md: %s]" % skipped
                check(ok, "%s: warnings at the expected locations%s" % (name, detail))

    passed = sum(1 for ok, _ in results if ok)
    print("%d of %d XLSForm reference checks passed" % (passed, len(results)))
    return 0 if passed == len(results) else 1


def run_samples():
    for f in sorted(os.listdir(SAMPLES)):
        if not f.endswith((".xlsx", ".xls", ".ods")):
            continue
        path = os.path.join(SAMPLES, f)
        try:
            definition, problems = convert_file(path)
            n = sum(len(s["questions"]) for s in definition["sections"])
            print("%s: converts (%d sections, %d questions, %d warnings)" % (
                f, len(definition["sections"]), n, len(problems.warnings)))
        except ConversionFailed as e:
            errs = e.problems.errors
            print("%s: refused (%d errors), first: %s" % (f, len(errs), "; ".join(p.text_en() for p in errs[:4])))
        except UnreadableWorkbook as e:
            print("%s: cannot be read (%s)" % (f, str(e).splitlines()[0] if str(e) else "error"))
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--check":
        return run_checks()
    if len(argv) == 2 and argv[1] == "--samples":
        return run_samples()
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: convert_reference.py FORM.xlsx | --check | --samples", file=sys.stderr)
        return 2
    path = argv[1]
    form = os.path.basename(path)
    try:
        definition, problems = convert_file(path)
    except UnreadableWorkbook as e:
        print("%s: error: the workbook cannot be read: %s" % (form, e), file=sys.stderr)
        return 2
    except ConversionFailed as e:
        for p in e.problems.items:
            print("%s: %s: %s" % (form, p.severity, p.text_en()), file=sys.stderr)
        return 1
    for p in problems.warnings:
        print("%s: warning: %s" % (form, p.text_en()), file=sys.stderr)
    sys.stdout.write(to_json(definition))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
