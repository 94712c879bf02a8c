"""Checks the XLSForm converter against pyxform 4.5.0, the reference implementation of XLSForm.

For each `ok_*` fixture of crates/survey-xlsform/test_data/fixtures/, pyxform turns the workbook
into an XForm; the definition our converter gives (pinned in NAME.expected.json by the Rust test
fixtures.rs) must agree with it on: the question names and their order, each question's kind
family, whether it has a relevance (its own or an enclosing group's, which our converter and-s
onto it), a constraint and `required`, and its label in every language. Prints one line per
fixture; exits 1 on any disagreement.
"""

import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

from pyxform.xls2xform import convert

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "crates/survey-xlsform/test_data/fixtures"
NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms", "jr": "http://openrosa.org/javarosa"}
X = "{http://www.w3.org/2002/xforms}"

# Our kinds per XForm control and bind type.
FAMILY = {"single": "select1", "scale": "select1", "multiple": "select", "integer": "int", "decimal": "decimal",
          "text": "string", "date": "date", "note": "note", "yes_no": "select1"}


def tag_of(lang):
    """The survey/1 tag of a pyxform translation language (as docs/xlsform.md defines it)."""
    match = re.search(r"\(([^()]*)\)\s*$", lang)
    code = match.group(1).strip() if match else {"english": "en", "chinese": "zh-CN", "中文": "zh-CN"}.get(lang.lower(), lang)
    return "zh-CN" if code in ("zh", "zh-CN", "zh-Hans") else code


def xform_questions(path):
    """(name, family, has_relevant, has_constraint, required, {tag: label}) per control, in body order."""
    result = convert(xlsform=str(path))
    root = ET.fromstring(result.xform)
    head = root.find("h:head", NS)
    model = head.find("x:model", NS)
    binds = {b.get("nodeset"): b for b in model.findall("x:bind", NS)}
    texts = {}
    itext = model.find("x:itext", NS)
    if itext is not None:
        for translation in itext.findall("x:translation", NS):
            tag = tag_of(translation.get("lang"))
            for text in translation.findall("x:text", NS):
                value = text.find("x:value", NS)
                texts.setdefault(text.get("id"), {})[tag] = "".join(value.itertext()) if value is not None else ""
    out = []

    def label_of(control):
        label = control.find("x:label", NS)
        if label is None:
            return {}
        ref = label.get("ref")
        if ref:
            key = re.match(r"jr:itext\('(.*)'\)", ref).group(1)
            return texts.get(key, {})
        return {"*": "".join(label.itertext())}

    def walk(element, group_relevant):
        for child in element:
            local = child.tag.replace(X, "")
            if local == "group":
                ref = child.get("ref")
                bind = binds.get(ref)
                walk(child, group_relevant or (bind is not None and bind.get("relevant") is not None))
            elif local in ("input", "select1", "select"):
                ref = child.get("ref")
                bind = binds.get(ref, ET.Element("bind"))
                if local == "input":
                    family = "note" if bind.get("readonly") == "true()" else bind.get("type", "string").split(":")[-1]
                else:
                    family = local
                out.append((
                    ref.split("/")[-1],
                    family,
                    group_relevant or bind.get("relevant") is not None,
                    bind.get("constraint") is not None,
                    bind.get("required") == "true()",
                    label_of(child),
                ))

    walk(root.find("h:body", NS), False)
    return out


def ours(definition):
    out = []
    for section in definition["sections"]:
        for q in section["questions"]:
            out.append((q["id"], FAMILY[q["kind"]], "relevant" in q, "constraint" in q, bool(q.get("required")), q["title"]))
    return out


def main():
    failures = []
    checked = 0
    for path in sorted(FIXTURES.glob("ok_*.xlsx")):
        expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
        theirs = xform_questions(path)
        mine = ours(expected)
        problems = []
        if [t[0] for t in theirs] != [m[0] for m in mine]:
            problems.append(f"names: pyxform {[t[0] for t in theirs]}, ours {[m[0] for m in mine]}")
        for t, m in zip(theirs, mine):
            for what, a, b in (("kind", t[1], m[1]), ("relevant", t[2], m[2]), ("constraint", t[3], m[3]), ("required", t[4], m[4])):
                if a != b:
                    problems.append(f"{m[0]}: {what}: pyxform {a}, ours {b}")
            labels = t[5]
            if "*" in labels:
                labels = {tag: labels["*"] for tag in m[5]}
            if labels != m[5]:
                problems.append(f"{m[0]}: labels: pyxform {labels}, ours {m[5]}")
        checked += 1
        status = "ok" if not problems else "DIFFERS"
        print(f"{path.name}: {status} ({len(mine)} questions)")
        failures += [f"{path.name}: {p}" for p in problems]
    if checked < 4:
        failures.append(f"only {checked} ok_ fixtures found in {FIXTURES}")
    for failure in failures:
        print(failure)
    failed_fixtures = len({f.split(":")[0] for f in failures})
    print(f"{checked - failed_fixtures} of {checked} XLSForm fixtures agree with pyxform: checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
