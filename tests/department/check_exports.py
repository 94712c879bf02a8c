#!/usr/bin/env python3
"""Reads back what `survey report` writes for an office, with Python's csv module and openpyxl,
as Excel or WPS would see it, and checks it against the JSON report of the same files.

The bundles are made here (one enrolled tablet, signed with the test key of
tests/bundles/make_fixtures.py): residents of two units, two responses without a unit, "don't
know" answers, and open answers that a spreadsheet would run as formulas (`=1+2 合计不对`,
`+86…`, `-…`, `@…`, a leading tab).

Checked, in Chinese (`--lang zh-CN`) and English:
- every CSV starts with a UTF-8 byte-order mark; headers, unit and indicator names are in the
  language asked for;
- the units table has the whole evaluation's row, a row per unit (suppressed ones with empty
  numbers and their reason) and the row of the responses without a unit, and its counts add up
  to the whole, in the CSV and in the XLSX units sheet;
- raw data: ISO 8601 times at the offset asked for (`--utc-offset`) beside the millisecond
  columns, the device's full key id, labels beside codes, "don't know" marked and never a
  number; a text beginning with = + - @ or a tab has a leading ' in CSV, numbers stay numbers;
- XLSX cells are typed: numbers are numbers, times are dates (the wall-clock time at the
  offset), text is a string cell holding the text unchanged (never a formula).

Usage: python3 tests/department/check_exports.py [--survey-bin target/debug/survey]
"""

import argparse
import csv
import datetime
import importlib.util
import io
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import openpyxl

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bf = _load("bundle_fixtures", ROOT / "tests" / "bundles" / "make_fixtures.py")

HOSTILE = ["=1+2 合计不对", "+86 138 0000 0000", "-5 分太低", "@SUM(A1:A9)", "\t缩进的意见", "=HYPERLINK(\"http://x\",\"点我\")"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# (unit, count): a unit that is shown, a small one (suppressed), and responses without a unit.
GROUPS = [("yunling_qingxi", 7), ("yunling_shangtang", 6), ("baisha_shimen", 2), (None, 2)]


def responses():
    out = []
    seq = 0
    for unit, count in GROUPS:
        for _ in range(count):
            seq += 1
            r = bf.response_one(seq, bf.DEVICE_KEYID)
            r["id"] = f"00000000-0000-4000-8000-{seq:012d}"
            r["unit"] = unit
            shift = seq * 17 * bf.MINUTE
            r["started_at"] += shift
            r["finished_at"] += shift
            for answer in r["answers"].values():
                answer["at"] += shift
            r["answers"]["suggestions"]["value"] = HOSTILE[seq % len(HOSTILE)]
            if seq % 3 == 0:
                r["answers"]["branch_unity"]["value"] = 9  # don't know
            out.append(r)
    return out


class Report:
    def __init__(self):
        self.failures = 0
        self.passed = 0

    def check(self, name, problem):
        if problem:
            self.failures += 1
            print(f"FAIL {name}: {problem}")
        else:
            self.passed += 1
            print(f"ok   {name}")


def run(binary, args):
    return subprocess.run([binary, "report", *args], capture_output=True, check=False)


def read_csv(data):
    if not data.startswith(b"\xef\xbb\xbf"):
        raise ValueError("no UTF-8 byte-order mark")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def local_iso(ms, minutes):
    zone = datetime.timezone(datetime.timedelta(minutes=minutes))
    return datetime.datetime.fromtimestamp(ms / 1000, zone).isoformat(timespec="seconds")


def local_naive(ms, minutes):
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms + minutes * 60_000)


def check_units(report, name, header, rows, units_json, overall_n, words, typed):
    """The units table (CSV rows of strings, or XLSX rows of values) against the JSON units."""
    col = {h: i for i, h in enumerate(header)}
    need = [words["unit"], words["n"], words["index"], words["suppressed"], words["reason"]]
    missing = [h for h in need if h not in col]
    report.check(f"{name}: the header names its columns in the language asked for", missing and f"missing {missing} in {header}")
    if missing:
        return
    by_id = {r[col[words["unit"]]]: r for r in rows}
    report.check(f"{name}: the whole evaluation's row comes first", None if rows[0][0] == "(all)" else f"first row {rows[0][:3]}")
    want_ids = {u["unit"] if u["unit"] is not None else "(none)" for u in units_json}
    got_ids = set(by_id) - {"(all)"}
    report.check(f"{name}: a row for every unit and for the responses without a unit",
                 None if got_ids == want_ids else f"rows {sorted(got_ids)}, units {sorted(want_ids)}")
    n_of = lambda r: int(r[col[words["n"]]]) if not typed else r[col[words["n"]]]  # noqa: E731
    total = sum(n_of(r) for key, r in by_id.items() if key != "(all)")
    report.check(f"{name}: the rows' counts add up to the whole ({overall_n})",
                 None if total == overall_n and n_of(rows[0]) == overall_n else f"{total} vs {overall_n}")
    for unit in units_json:
        key = unit["unit"] if unit["unit"] is not None else "(none)"
        row = by_id.get(key)
        if row is None:
            continue
        index = row[col[words["index"]]]
        reason = row[col[words["reason"]]]
        if unit["suppressed"]:
            problem = None if index in ("", None) and reason else f"index {index!r}, reason {reason!r}"
            report.check(f"{name}: {key} is suppressed ({unit['reason']}): no number, a reason", problem)
        elif unit["unit"] is None:
            report.check(f"{name}: the responses without a unit say why they are not ranked", None if reason else "no reason")
        if typed:
            n_cell = row[col[words["n"]]]
            report.check(f"{name}: {key}: the count is a number cell", None if isinstance(n_cell, (int, float)) else repr(n_cell))
            if not unit["suppressed"] and unit["scores"] and unit["scores"]["index"] is not None:
                ok = isinstance(index, float) and abs(index - unit["scores"]["index"]) < 1e-9
                report.check(f"{name}: {key}: the index is a number cell equal to the JSON's", None if ok else repr(index))
            flag = row[col[words["suppressed"]]]
            report.check(f"{name}: {key}: suppressed is a boolean cell", None if isinstance(flag, bool) else repr(flag))


def check_raw_csv(report, name, rows, sent, minutes, words):
    header, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(header)}
    started = next((h for h in header if h.startswith(words["started"] + " (UTC")), None)
    report.check(f"{name}: a row per response", None if len(body) == len(sent) else f"{len(body)} rows, {len(sent)} sent")
    report.check(f"{name}: the started-at column names its offset", None if started else f"no {words['started']} (UTC…) in {header}")
    by_id = {r[col[words["id"]]]: r for r in body}
    suggestion = next((i for i, h in enumerate(header) if "建议" in h or "suggest" in h.lower()), None)
    unity = [i for i, h in enumerate(header) if h.startswith(words["unity"])]
    for r in sent:
        row = by_id.get(r["id"])
        if row is None:
            report.check(f"{name}: response {r['id']}", "missing")
            continue
        tag = r["id"][-4:]
        ms = row[col[words["started_ms"]]]
        iso = row[col[started]] if started else ""
        report.check(f"{name} {tag}: milliseconds {r['started_at']} and ISO time {local_iso(r['started_at'], minutes)}",
                     None if ms == str(r["started_at"]) and iso == local_iso(r["started_at"], minutes) else f"{ms!r}, {iso!r}")
        device = row[col[words["device"]]]
        report.check(f"{name} {tag}: the device's full key id", None if device == r["device"] and len(device) == 64 else device)
        seq = row[col[words["seq"]]]
        report.check(f"{name} {tag}: seq is a plain number", None if seq == str(r["seq"]) else repr(seq))
        text = r["answers"]["suggestions"]["value"]
        cell = row[suggestion] if suggestion is not None else None
        want = "'" + text if text.startswith(FORMULA_START) else text
        report.check(f"{name} {tag}: the open answer {text!r} cannot run as a formula", None if cell == want else repr(cell))
        if len(unity) >= 2:
            code, label = row[unity[0]], row[unity[1]]
            value = r["answers"]["branch_unity"]["value"]
            if value == 9:
                ok = not re.fullmatch(r"-?\d+(\.\d+)?", code) and code.startswith("9") and label
            else:
                ok = code == str(value) and label and label != code
            report.check(f"{name} {tag}: branch_unity {value}: code {code!r} and label {label!r}", None if ok else "wrong")
    report.check(f"{name}: the scale question has a code and a label column", None if len(unity) >= 2 else f"{unity}")


def check_xlsx(report, name, path, sent, minutes, words, units_json, overall_n):
    book = openpyxl.load_workbook(path)
    sheets = book.sheetnames
    report.check(f"{name}: sheets named in the language asked for", None if words["units_sheet"] in sheets else f"{sheets}")
    if words["units_sheet"] in sheets:
        sheet = book[words["units_sheet"]]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        header = [str(h) for h in values[0]]
        rows = [[("" if v is None else v) if i in (0,) else v for i, v in enumerate(r)] for r in values[1:]]
        check_units(report, f"{name} units sheet", header, rows, units_json, overall_n, words, typed=True)
    if words["responses_sheet"] not in sheets:
        report.check(f"{name}: a responses sheet (--raw)", f"{sheets}")
        return
    sheet = book[words["responses_sheet"]]
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    col = {h: i for i, h in enumerate(header)}
    started = next((h for h in header if str(h).startswith(words["started"] + " (UTC")), None)
    suggestion = next((i for i, h in enumerate(header) if "建议" in str(h) or "suggest" in str(h).lower()), None)
    by_id = {row[col[words["id"]]].value: row for row in cells[1:]}
    formulas = [c.coordinate for row in cells for c in row if c.data_type == "f"]
    report.check(f"{name}: no formula cell anywhere in the responses sheet", None if not formulas else f"{formulas[:5]}")
    for r in sent:
        row = by_id.get(r["id"])
        if row is None:
            report.check(f"{name}: response {r['id']}", "missing")
            continue
        tag = r["id"][-4:]
        seq = row[col[words["seq"]]].value
        ms = row[col[words["started_ms"]]].value
        report.check(f"{name} {tag}: seq and milliseconds are number cells",
                     None if isinstance(seq, (int, float)) and seq == r["seq"] and ms == r["started_at"] else f"{seq!r} {ms!r}")
        when = row[col[started]].value if started else None
        want = local_naive(r["started_at"], minutes)
        ok = isinstance(when, datetime.datetime) and abs((when - want).total_seconds()) < 0.01
        report.check(f"{name} {tag}: started at is a date cell at {want}", None if ok else repr(when))
        cell = row[suggestion] if suggestion is not None else None
        text = r["answers"]["suggestions"]["value"]
        ok = cell is not None and cell.data_type == "s" and cell.value == text
        report.check(f"{name} {tag}: the open answer is a string cell, unchanged", None if ok else f"{cell and (cell.data_type, cell.value)!r}")


WORDS = {
    "zh-CN": {"unit": "单位编号", "n": "答卷数", "index": "满意度指数", "suppressed": "不公布", "reason": "说明",
              "id": "答卷编号", "device": "设备密钥编号", "seq": "设备序号", "started": "开始时间",
              "started_ms": "开始时间（毫秒）", "unity": "党组织", "units_sheet": "单位", "responses_sheet": "答卷"},
    "en": {"unit": "unit", "n": "n_responses", "index": "index", "suppressed": "suppressed", "reason": "reason",
           "id": "response_id", "device": "device", "seq": "seq", "started": "started_at",
           "started_ms": "started_at_ms", "unity": "The Party", "units_sheet": "units", "responses_sheet": "responses"},
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--survey-bin", default=str(ROOT / "target" / "debug" / "survey"))
    args = parser.parse_args(argv)
    report = Report()
    sent = responses()
    survey = json.loads(bf.SURVEY_FILE.read_text(encoding="utf-8"))
    branch = next(q for s in survey["sections"] for q in s["questions"] if q["id"] == "branch_unity")
    WORDS["zh-CN"]["unity"] = branch["title"]["zh-CN"][:4]
    WORDS["en"]["unity"] = branch["title"]["en"][:12]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "roster.json").write_bytes(bf.roster_bytes([bf.public_key(bf.DEVICE_SEED)]))
        payload = bf.payload_dict(sent, len(sent))
        (tmp / "bundles").mkdir()
        (tmp / "bundles" / "office.bundle.json").write_bytes(bf.signed_file(payload))
        base = ["--survey", str(bf.SURVEY_FILE), "--roster", str(tmp / "roster.json"), str(tmp / "bundles")]
        done = run(args.survey_bin, [*base, "--format", "json"])
        if done.returncode != 0:
            report.check("survey report --format json", f"exit {done.returncode}: {done.stderr.decode(errors='replace')}")
            return 1
        result = json.loads(done.stdout)
        units_json, overall_n = result["report"]["units"], result["report"]["overall"]["n_responses"]
        report.check("every response sent is counted", None if overall_n == len(sent) else f"{overall_n} of {len(sent)}")
        for lang, minutes, offset in [("zh-CN", 480, "+08:00"), ("en", -330, "-05:30")]:
            words = WORDS[lang]
            opts = ["--lang", lang, "--utc-offset", offset]
            done = run(args.survey_bin, [*base, *opts, "--format", "csv"])
            try:
                rows = read_csv(done.stdout)
                report.check(f"{lang} CSV starts with a byte-order mark and parses", None)
                check_units(report, f"{lang} CSV", rows[0], rows[1:], units_json, overall_n, words, typed=False)
                names = [u["title"][lang] for u in survey["indicators"]]
                report.check(f"{lang} CSV: dimension columns carry the indicators' names",
                             None if all(n in rows[0] for n in names) else f"{rows[0]}")
            except (ValueError, UnicodeDecodeError) as e:
                report.check(f"{lang} CSV", str(e))
            done = run(args.survey_bin, [*base, *opts, "--format", "raw-csv"])
            try:
                check_raw_csv(report, f"{lang} raw CSV", read_csv(done.stdout), sent, minutes, words)
            except (ValueError, UnicodeDecodeError) as e:
                report.check(f"{lang} raw CSV", str(e))
            out = tmp / f"report-{lang}.xlsx"
            done = run(args.survey_bin, [*base, *opts, "--format", "xlsx", "--raw", "--output", str(out)])
            if done.returncode != 0:
                report.check(f"{lang} XLSX written", f"exit {done.returncode}: {done.stderr.decode(errors='replace')}")
            else:
                check_xlsx(report, f"{lang} XLSX", out, sent, minutes, words, units_json, overall_n)
    print(f"{report.passed} of {report.passed + report.failures} export checks passed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
