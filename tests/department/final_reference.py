#!/usr/bin/env python3
"""An independent reference of the final scores (stages/1), written from the section
"Final scores (`stages/1`, `survey_dept::stages`)" of docs/scoring.md alone (not from the Rust
code), to check `survey report --stages FILE` and the department page:

- the stages file: UTF-8 JSON (one leading byte-order mark allowed) with exactly the members the
  document lists; every problem is reported at once with its JSON path (`stages[1].weight`);
- the lists: CSV (RFC 4180, UTF-8, one BOM removed, LF or CRLF, no line breaks inside cells) or
  the first sheet of an XLSX workbook (told apart by the zip signature); empty rows skipped, the
  first remaining row is the header, columns found by name in any order and letter case; every
  row problem is reported at its file and row (rows counted from 1 as the file shows them);
- per unit: the stage scores, the weighted score, the deductions with their caps, the floor at 0,
  the vetoes; then the competition ranking at 2 decimals, the grades (threshold or share) and the
  veto cap on the grade.

Nothing is computed while any problem remains. Sums are plain left-to-right float sums in the
order the document gives ("in stage order", rows in file order, items in code point order), as
an implementation is expected to write them.

As a module:
    compute(stages_text, residents, lists, stages_name="stages.json")
        -> ("ok", final) | ("errors", [{"file": ..., "at": ...}, ...])
    `residents` is the residents' report reduced to what the section needs:
        {"dimensions": [top-level dimension ids],
         "units": [{"unit": id, "suppressed": bool, "index": number or None,
                    "dimensions": {dimension id: score}}]}     (dimensions absent: none)
    `lists` maps the file names the stages file gives to the files' bytes.
    compute_with_messages(...) is the same with a "message" member on every problem.

As a command:
    python3 tests/department/final_reference.py --stages STAGES.json --residents RESIDENTS.json
prints the `final` object as JSON, or the problems one a line (`FILE: AT: message`) and exits 1.
The lists are read from the stages file's folder. Needs: openpyxl (tests/requirements.txt).
"""

import argparse
import io
import json
import math
import pathlib
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts

FORMAT = "stages/1"
WEIGHT_SUM_TOLERANCE = 1e-9
SHARE_EPSILON = 1e-9  # keeps 0.3 x 10 at 3 places
ZIP_SIGNATURE = b"PK\x03\x04"
BOM = "\ufeff"

# The column table of "### Lists": role -> accepted names (compared lower-cased, trimmed).
COLUMN_NAMES = {
    "unit": ("unit", "单位编号", "单位"),
    "score": ("score", "得分", "分数"),
    "item": ("item", "项目", "事项"),
    "points": ("points", "扣分", "分值"),
    "evidence": ("evidence", "依据", "说明"),
    "veto": ("veto", "否决", "一票否决"),
}
# Which columns each kind of list must have (the table's "in" column).
LIST_COLUMNS = {
    "stage": ("unit", "score"),
    "deductions": ("unit", "item", "points", "evidence"),
    "vetoes": ("unit", "item", "evidence", "veto"),
}
VETO_YES = {"yes", "y", "true", "1", "是", "否决"}
VETO_NO = {"no", "n", "false", "0", "否", ""}
NUMBER_CHARS = re.compile(r"[0-9+\-.eE]+")


class Problems:
    """Collects problems as {"file", "at", "message"}, in the order they are found."""

    def __init__(self):
        self.items = []

    def add(self, file, at, message):
        self.items.append({"file": file, "at": at, "message": message})

    def __bool__(self):
        return bool(self.items)


# ------------------------------------------------------------------------- the stages file --


def is_number(value):
    # JSON true/false load as Python bools, which are ints: they are not numbers here.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def non_empty_text(value):
    return isinstance(value, str) and value != ""


def load_json(text):
    """Parses JSON strictly: duplicate members and NaN/Infinity are errors (ValueError)."""

    def pairs(items):
        seen = {}
        for key, value in items:
            if key in seen:
                raise ValueError(f"the member {key!r} appears twice")
            seen[key] = value
        return seen

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


class StagesChecker:
    """Checks the parsed stages file; `report(at, message)` is called for every problem."""

    TOP = ("format", "title", "stages", "deductions", "vetoes", "veto_grade", "grades")
    STAGE = ("id", "title", "weight", "source", "dimension", "file")
    LEVEL = ("id", "title", "min", "share")

    def __init__(self, report):
        self.report = report

    def unknown_members(self, obj, known, path):
        for key in obj:
            if key not in known:
                self.report(f"{path}.{key}" if path else key, "unknown member")

    def text(self, value, path):
        # A text is an object of language -> string, like {"zh-CN": ..., "en": ...}.
        if not isinstance(value, dict) or not value:
            self.report(path, "a text must be an object such as {\"zh-CN\": ..., \"en\": ...}")
            return
        for lang, string in value.items():
            if not isinstance(string, str):
                self.report(f"{path}.{lang}", "a text's translations are strings")

    def check(self, doc):
        if not isinstance(doc, dict):
            self.report(None, "the stages file must be a JSON object")
            return
        self.unknown_members(doc, self.TOP, "")
        if "format" not in doc:
            self.report("format", f"missing (\"{FORMAT}\")")
        elif doc["format"] != FORMAT:
            self.report("format", f"must be \"{FORMAT}\"")
        if "title" in doc:
            self.text(doc["title"], "title")
        self.check_stages(doc)
        for member in ("deductions", "vetoes"):
            if member in doc:
                self.check_list_member(doc[member], member)
        level_ids = self.check_grades(doc)
        if "veto_grade" in doc:
            grade = doc["veto_grade"]
            if not isinstance(grade, str) or grade not in level_ids:
                self.report("veto_grade", "must be the id of one of the grades' levels")
        elif "vetoes" in doc:
            self.report("veto_grade", "required with vetoes")

    def check_stages(self, doc):
        if "stages" not in doc:
            self.report("stages", "missing")
            return
        stages = doc["stages"]
        if not isinstance(stages, list) or not stages:
            self.report("stages", "must be a non-empty array of stages")
            return
        ids = set()
        weights = []
        whole_index_seen = False
        for i, stage in enumerate(stages):
            path = f"stages[{i}]"
            if not isinstance(stage, dict):
                self.report(path, "a stage must be an object")
                weights.append(None)
                continue
            self.unknown_members(stage, self.STAGE, path)
            if "id" not in stage:
                self.report(f"{path}.id", "missing")
            elif not non_empty_text(stage["id"]):
                self.report(f"{path}.id", "must be a non-empty string")
            elif stage["id"] in ids:
                self.report(f"{path}.id", f"a second stage {stage['id']!r}")
            else:
                ids.add(stage["id"])
            if "title" in stage:
                self.text(stage["title"], f"{path}.title")
            weight = stage.get("weight")
            if "weight" not in stage:
                self.report(f"{path}.weight", "missing")
                weights.append(None)
            elif not is_number(weight) or not 0 < weight <= 1:
                self.report(f"{path}.weight", "must be a number with 0 < weight <= 1")
                weights.append(None)
            else:
                weights.append(weight)
            source = stage.get("source")
            if "source" not in stage:
                self.report(f"{path}.source", "missing (\"residents\" or \"file\")")
            elif source == "residents":
                if "file" in stage:
                    self.report(f"{path}.file", "a residents' stage has no file")
                if "dimension" in stage:
                    if not non_empty_text(stage["dimension"]):
                        self.report(f"{path}.dimension", "must be a non-empty string")
                elif whole_index_seen:
                    self.report(f"{path}.source", "the residents' index is a stage at most once")
                else:
                    whole_index_seen = True
            elif source == "file":
                if "file" not in stage:
                    self.report(f"{path}.file", "missing (a stage from a file names it)")
                elif not non_empty_text(stage["file"]):
                    self.report(f"{path}.file", "must be a non-empty string")
                if "dimension" in stage:
                    self.report(f"{path}.dimension", "only a residents' stage has a dimension")
            else:
                self.report(f"{path}.source", "must be \"residents\" or \"file\"")
        # The sum is only meaningful when every weight is a valid number.
        if all(w is not None for w in weights):
            total = 0.0
            for w in weights:
                total += w
            if abs(total - 1) > WEIGHT_SUM_TOLERANCE:
                self.report("stages", f"the weights sum to {total:.12g}, not 1")

    def check_list_member(self, value, member):
        if not isinstance(value, dict):
            self.report(member, "must be an object with a file")
            return
        known = ("file", "cap_per_item", "cap_total") if member == "deductions" else ("file",)
        self.unknown_members(value, known, member)
        if "file" not in value:
            self.report(f"{member}.file", "missing")
        elif not non_empty_text(value["file"]):
            self.report(f"{member}.file", "must be a non-empty string")
        for cap in ("cap_per_item", "cap_total"):
            if cap in value and cap in known:
                if not is_number(value[cap]) or value[cap] < 0:
                    self.report(f"{member}.{cap}", "must be a number >= 0")

    def check_grades(self, doc):
        """Checks `grades`; returns the set of level ids (for veto_grade)."""
        if "grades" not in doc:
            return set()
        grades = doc["grades"]
        if not isinstance(grades, dict):
            self.report("grades", "must be an object {\"by\", \"levels\"}")
            return set()
        self.unknown_members(grades, ("by", "levels"), "grades")
        by = grades.get("by")
        if "by" not in grades:
            self.report("grades.by", "missing (\"threshold\" or \"share\")")
        elif by not in ("threshold", "share"):
            self.report("grades.by", "must be \"threshold\" or \"share\"")
            by = None
        if "levels" not in grades:
            self.report("grades.levels", "missing")
            return set()
        levels = grades["levels"]
        if not isinstance(levels, list) or not levels:
            self.report("grades.levels", "must be a non-empty array of levels")
            return set()
        ids = set()
        previous = None  # the last valid min (threshold) or share (share)
        for i, level in enumerate(levels):
            path = f"grades.levels[{i}]"
            last = i == len(levels) - 1
            if not isinstance(level, dict):
                self.report(path, "a level must be an object")
                continue
            self.unknown_members(level, self.LEVEL, path)
            if "id" not in level:
                self.report(f"{path}.id", "missing")
            elif not non_empty_text(level["id"]):
                self.report(f"{path}.id", "must be a non-empty string")
            elif level["id"] in ids:
                self.report(f"{path}.id", f"a second level {level['id']!r}")
            else:
                ids.add(level["id"])
            if "title" in level:
                self.text(level["title"], f"{path}.title")
            if by == "threshold":
                if "share" in level:
                    self.report(f"{path}.share", "no share with by: threshold")
                if "min" not in level:
                    if not last:
                        self.report(f"{path}.min", "missing (only the last level may omit it)")
                elif not is_number(level["min"]) or not 0 <= level["min"] <= 100:
                    self.report(f"{path}.min", "must be a number from 0 to 100")
                elif previous is not None and not level["min"] < previous:
                    self.report(f"{path}.min", "the mins must be strictly decreasing")
                else:
                    previous = level["min"]
            elif by == "share":
                if "min" in level:
                    self.report(f"{path}.min", "no min with by: share")
                if "share" not in level:
                    if not last:
                        self.report(f"{path}.share", "missing (only the last level may omit it)")
                elif not is_number(level["share"]) or not 0 < level["share"] <= 1:
                    self.report(f"{path}.share", "must be a number with 0 < share <= 1")
                elif previous is not None and not level["share"] > previous:
                    self.report(f"{path}.share", "the shares must be strictly increasing")
                else:
                    previous = level["share"]
        return ids


def as_read(doc):
    """The stages file as read: members in the document's order, numbers as floats, absent
    optional members left out."""

    def floats(value):
        if isinstance(value, dict):
            return {k: floats(v) for k, v in value.items()}
        if is_number(value):
            return float(value)
        return value

    def ordered(obj, keys):
        return {k: floats(obj[k]) for k in keys if k in obj}

    out = ordered(doc, ("format", "title"))
    out["stages"] = [ordered(s, StagesChecker.STAGE) for s in doc["stages"]]
    out.update(ordered(doc, ("deductions", "vetoes", "veto_grade")))
    if "deductions" in out:
        out["deductions"] = ordered(doc["deductions"], ("file", "cap_per_item", "cap_total"))
    if "grades" in doc:
        grades = doc["grades"]
        out["grades"] = {
            "by": grades["by"],
            "levels": [ordered(level, StagesChecker.LEVEL) for level in grades["levels"]],
        }
    return out


def parse_stages(stages_text, problems, name):
    """Returns the parsed stages file, or None with problems added."""
    if stages_text.startswith(BOM):
        stages_text = stages_text[1:]
    try:
        doc = load_json(stages_text)
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        problems.add(name, None, f"not JSON: {e}")
        return None
    StagesChecker(lambda at, message: problems.add(name, at, message)).check(doc)
    return None if problems else doc


# ------------------------------------------------------------------------------- the lists --


class CsvRowError(Exception):
    pass


def split_csv_line(line):
    """Splits one line into cells by RFC 4180 (quotes, "" inside quotes); a quoted cell must
    close on its line, since line breaks inside cells are not allowed."""
    cells = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise CsvRowError("a quoted cell is not closed on its line")
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(line[i])
                i += 1
            cells.append("".join(buf))
            if i == n:
                return cells
            if line[i] != ",":
                raise CsvRowError("text after a closing quote")
            i += 1
        else:
            j = line.find(",", i)
            cell = line[i:] if j < 0 else line[i:j]
            if '"' in cell:
                raise CsvRowError("a quote inside an unquoted cell")
            cells.append(cell)
            if j < 0:
                return cells
            i = j + 1


def read_rows(name, data, problems):
    """The rows of a list as (row number, [cell values]), or None with a problem. CSV cells are
    strings; XLSX cells are what openpyxl reads (str, int, float, bool, None, ...)."""
    if data.startswith(ZIP_SIGNATURE):
        try:
            import openpyxl

            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            sheet = workbook.worksheets[0]
            # iter_rows starts at row 1 and column 1, so cell.row is the spreadsheet's number.
            return [(row[0].row, [cell.value for cell in row]) for row in sheet.iter_rows()]
        except Exception as e:  # any failure to open the workbook
            problems.add(name, None, f"not loaded as an XLSX workbook: {e}")
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.add(name, None, "not UTF-8")
        return None
    if text.startswith(BOM):
        text = text[1:]
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            line = line[:-1]
        try:
            rows.append((number, split_csv_line(line)))
        except CsvRowError as e:
            problems.add(name, f"row {number}", str(e))
    return rows


def cell_text(value):
    """A cell as trimmed text (XLSX numbers are written the way a person reads them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_number(value):
    """A number cell: only digits, signs, '.' and e/E, parsing as a finite number; XLSX number
    cells are numbers already. None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = cell_text(value)
    if not NUMBER_CHARS.fullmatch(text):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read_list(name, data, kind, unit_ids, problems):
    """Reads one list into [(row number, {role: value})] for its valid rows, adding a problem
    for every bad row. Returns None when the whole file cannot be read."""
    rows = read_rows(name, data, problems)
    if rows is None:
        return None
    rows = [(n, cells) for n, cells in rows if any(cell_text(c) != "" for c in cells)]
    if not rows:
        problems.add(name, None, "empty (no header row)")
        return None
    header_row, header = rows[0]
    columns = {}
    for j, cell in enumerate(header):
        label = cell_text(cell).lower()
        for role, names in COLUMN_NAMES.items():
            if label in names:
                if role in columns:
                    problems.add(name, f"row {header_row}", f"two columns for {role}")
                columns[role] = j
    missing = [role for role in LIST_COLUMNS[kind] if role not in columns]
    for role in missing:
        names = ", ".join(COLUMN_NAMES[role])
        problems.add(name, f"row {header_row}", f"no column named {role} ({names})")
    if missing:
        return None

    def cell(cells, role):
        j = columns[role]
        return cells[j] if j < len(cells) else None

    out = []
    seen_units = set()
    for number, cells in rows[1:]:
        at = f"row {number}"
        unit = cell_text(cell(cells, "unit"))
        if unit == "":
            problems.add(name, at, "no unit")
            continue
        if unit not in unit_ids:
            # Left out with a problem: its other cells are not looked at.
            problems.add(name, at, f"{unit!r} is not a unit of the residents' report")
            continue
        row = {"unit": unit}
        ok = True
        if kind == "stage":
            score = cell_number(cell(cells, "score"))
            if score is None or not 0 <= score <= 100:
                problems.add(name, at, "the score must be a number from 0 to 100")
                ok = False
            if unit in seen_units:
                problems.add(name, at, f"a second score for {unit!r}")
                ok = False
            seen_units.add(unit)
            row["score"] = score
        else:
            row["item"] = cell_text(cell(cells, "item"))
            row["evidence"] = cell_text(cell(cells, "evidence"))
        if kind == "deductions":
            points = cell_number(cell(cells, "points"))
            if points is None or points < 0:
                problems.add(name, at, "points must be a number >= 0")
                ok = False
            row["points"] = points
        if kind == "vetoes":
            veto = cell_text(cell(cells, "veto")).lower()
            if veto in VETO_YES:
                row["veto"] = True
            elif veto in VETO_NO:
                row["veto"] = False
            else:
                problems.add(name, at, f"the veto cell {veto!r} is neither yes nor no")
                ok = False
        if ok:
            out.append((number, row))
    return out


# ---------------------------------------------------------------------------- final scores --


def round2(x):
    """round(x x 100), half away from zero; scores are never negative."""
    return math.floor(x * 100 + 0.5)


def compute_with_messages(stages_text, residents, lists, stages_name="stages.json"):
    problems = Problems()
    doc = parse_stages(stages_text, problems, stages_name)
    if doc is None:
        return "errors", problems.items  # the lists are not read

    stages = doc["stages"]
    dimensions = set(residents.get("dimensions", []))
    for i, stage in enumerate(stages):
        if "dimension" in stage and stage["dimension"] not in dimensions:
            problems.add(stages_name, f"stages[{i}].dimension",
                         f"{stage['dimension']!r} is not a top-level dimension of the survey")

    units = residents["units"]
    unit_ids = {u["unit"] for u in units}

    def load(name, kind):
        if name not in lists:
            problems.add(stages_name, None, f"the list {name!r} was not provided")
            return None
        return read_list(name, lists[name], kind, unit_ids, problems)

    stage_rows = [load(s["file"], "stage") if s["source"] == "file" else None for s in stages]
    deduction_rows = load(doc["deductions"]["file"], "deductions") if "deductions" in doc else []
    veto_rows = load(doc["vetoes"]["file"], "vetoes") if "vetoes" in doc else []
    if problems:
        return "errors", problems.items

    stage_scores = [
        {row["unit"]: row["score"] for _, row in rows} if rows is not None else None
        for rows in stage_rows
    ]
    has_residents_stage = any(s["source"] == "residents" for s in stages)
    deductions = doc.get("deductions", {})
    levels = doc.get("grades", {}).get("levels", [])
    level_index = {level["id"]: i for i, level in enumerate(levels)}

    results = []
    for u in units:
        scores = []
        for stage, from_list in zip(stages, stage_scores):
            if stage["source"] == "file":
                score = from_list.get(u["unit"])
            elif u.get("suppressed"):
                score = None
            elif "dimension" in stage:
                score = (u.get("dimensions") or {}).get(stage["dimension"])
            else:
                score = u.get("index")
            scores.append(None if score is None else float(score))
        result = {
            "unit": u["unit"],
            "stages": [{"stage": s["id"], "score": v} for s, v in zip(stages, scores)],
            "weighted": None,
        }
        reason = None
        missing = [s["id"] for s, v in zip(stages, scores) if v is None]
        if u.get("suppressed") and has_residents_stage:
            reason = "suppressed"
        elif missing:
            reason = "missing_stage"
        else:
            weighted = 0.0
            for stage, v in zip(stages, scores):
                weighted += stage["weight"] * v
            result["weighted"] = weighted

        # Deductions, for every unit: grouped by item, items in code point order.
        by_item = {}
        for _, row in deduction_rows:
            if row["unit"] == u["unit"]:
                by_item.setdefault(row["item"], []).append(row)
        groups = []
        total = 0.0
        for item in sorted(by_item):
            points = 0.0
            for row in by_item[item]:
                points += row["points"]
            counted = min(points, float(deductions["cap_per_item"])) if "cap_per_item" in deductions else points
            total += counted
            groups.append({
                "item": item,
                "points": points,
                "counted": counted,
                "rows": [{"item": r["item"], "points": r["points"], "evidence": r["evidence"]}
                         for r in by_item[item]],
            })
        deducted = min(total, float(deductions["cap_total"])) if "cap_total" in deductions else total
        result["deductions"] = groups
        result["deducted"] = deducted
        result["vetoes"] = [{"item": row["item"], "evidence": row["evidence"]}
                            for _, row in veto_rows if row["unit"] == u["unit"] and row["veto"]]
        result["score"] = None if result["weighted"] is None else max(0.0, result["weighted"] - deducted)
        result["rank"] = None
        result["grade"] = None
        result["reason"] = reason
        if reason == "missing_stage":
            result["missing"] = missing
        results.append(result)

    # Ranking: at 2 decimals, highest first, ties by unit id, competition ranks.
    ranked = sorted((r for r in results if r["score"] is not None),
                    key=lambda r: (-round2(r["score"]), r["unit"]))
    unranked = sorted((r for r in results if r["score"] is None), key=lambda r: r["unit"])
    for place, r in enumerate(ranked, start=1):
        previous = ranked[place - 2] if place > 1 else None
        if previous is not None and round2(previous["score"]) == round2(r["score"]):
            r["rank"] = previous["rank"]
        else:
            r["rank"] = place

    if "grades" in doc:
        by = doc["grades"]["by"]
        n = len(ranked)
        for r in ranked:
            for level in levels:
                if by == "threshold":
                    if "min" not in level or round2(r["score"]) >= round2(level["min"]):
                        r["grade"] = level["id"]
                        break
                else:
                    if "share" not in level or r["rank"] <= math.ceil(level["share"] * n - SHARE_EPSILON):
                        r["grade"] = level["id"]
                        break
            # A veto caps the grade at veto_grade (later in the list is worse).
            if r["vetoes"] and r["grade"] is not None:
                if level_index[r["grade"]] < level_index[doc["veto_grade"]]:
                    r["grade"] = doc["veto_grade"]

    return "ok", {"stages": as_read(doc), "units": ranked + unranked}


def compute(stages_text, residents, lists, stages_name="stages.json"):
    """("ok", final) or ("errors", [{"file", "at"}]) -- see the module docstring."""
    status, value = compute_with_messages(stages_text, residents, lists, stages_name)
    if status == "errors":
        return status, [{"file": p["file"], "at": p["at"]} for p in value]
    return status, value


def list_names(stages_text):
    """The list files a (valid) stages file names, for the command line."""
    try:
        doc = load_json(stages_text.removeprefix(BOM))
    except ValueError:
        return []
    if not isinstance(doc, dict):
        return []
    names = [s.get("file") for s in doc.get("stages", []) if isinstance(s, dict)]
    names += [doc.get(m, {}).get("file") for m in ("deductions", "vetoes") if isinstance(doc.get(m), dict)]
    return [n for n in names if isinstance(n, str) and n]


def main():
    parser = argparse.ArgumentParser(description="Compute the final scores (stages/1) from the documentation.")
    parser.add_argument("--stages", required=True, type=pathlib.Path)
    parser.add_argument("--residents", required=True, type=pathlib.Path)
    args = parser.parse_args()
    raw = args.stages.read_bytes()
    try:
        stages_text = raw.decode("utf-8")
    except UnicodeDecodeError:
        print(f"{args.stages.name}: not UTF-8")
        return 1
    residents = json.loads(args.residents.read_text(encoding="utf-8"))
    lists = {}
    for name in list_names(stages_text):
        path = args.stages.parent / name
        if path.is_file():
            lists[name] = path.read_bytes()
    status, value = compute_with_messages(stages_text, residents, lists, args.stages.name)
    if status == "errors":
        for p in value:
            print(": ".join(x for x in (p["file"], p["at"], p["message"]) if x is not None))
        return 1
    print(json.dumps(value, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
