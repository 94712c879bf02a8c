#!/usr/bin/env python3
"""Checks survey-schemas/survey.schema.json with an independent JSON Schema implementation.

The schema is generated from the Rust model (`survey schema`), so a Rust test can only say that
the file is current, not that it means what we think. Here the Python `jsonschema` package
(draft 2020-12, no network: the meta-schemas ship with it) must accept every example survey and
every fixture that survey-core accepts, and must reject files with a misspelt field, an unknown
question kind or another format version, the mistakes an editor should underline.

Usage: python3 tests/schema/check_schema.py   (exit 0 when every check passes, 1 otherwise)
Needs: the `jsonschema` package (pip install jsonschema, or Debian's python3-jsonschema).
"""

import copy
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("check_schema.py needs the jsonschema package: pip install jsonschema")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "survey-schemas"
FIXTURES = ROOT / "crates" / "survey-core" / "test_data" / "schema"


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def errors(validator, document):
    return sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))


def main():
    schema = load(SCHEMAS / "survey.schema.json")
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failures = []
    checked = 0

    # What survey-core accepts, the schema must accept.
    examples = sorted(p for p in SCHEMAS.glob("*.json") if not p.name.endswith(".schema.json"))
    valid = examples + sorted((FIXTURES / "ok").glob("*.json"))
    if not examples:
        failures.append(f"no example surveys in {SCHEMAS}")
    for path in valid:
        checked += 1
        found = errors(validator, load(path))
        if found:
            reasons = "; ".join(f"{error.json_path}: {error.message}" for error in found[:3])
            failures.append(f"{path.relative_to(ROOT)}: rejected ({reasons})")

    # Mistakes the schema must catch.
    base = load(examples[0]) if examples else {}
    typo = copy.deepcopy(base)
    question = typo["sections"][0]["questions"][0]
    question["requried"] = question.pop("required", True)
    wrong_kind = copy.deepcopy(base)
    wrong_kind["sections"][0]["questions"][0]["kind"] = "slider"
    invalid = {
        f"{examples[0].name} with `required` misspelt `requried`": typo,
        f"{examples[0].name} with the kind `slider`": wrong_kind,
    }
    for name in ["0012_unknown-fields.json", "0013_unsupported-format.json", "0014_unsupported-kind.json"]:
        invalid[f"err/{name}"] = load(FIXTURES / "err" / name)
    for name, document in invalid.items():
        checked += 1
        if not errors(validator, document):
            failures.append(f"{name}: accepted, but the schema must reject it")

    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{checked - len(failures)} of {checked} schema checks passed ({validator_class.__name__})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
