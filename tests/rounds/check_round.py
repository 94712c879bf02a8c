#!/usr/bin/env python3
"""An independent checker of verifiable sampling draws (`draw/1`) and round files (`round/1`),
written from docs/sampling.md and docs/round-format.md alone (conventions from
docs/bundle-format.md), not from the Rust code, so that it shows the formats can be checked by
others.

What it checks, one line `ok: ...` or `FAIL: ...` each, then `N of M round checks passed`:

1. The draw fixtures crates/survey-core/test_data/draw/*.json (written by make_example.py):
   each is {"seed", "round", "scope", "members", "expected"}; the texts follow the rules, the
   members are unique and `expected` is their draw order under draw/1.
2. The example inputs tests/fixtures/rounds/example/ (plan.json, frames/*.csv, roster.json,
   organiser.pem): every frame parses as round-format.md says, and a round built from the plan
   by this script (`build_round`, a second `survey round build`) verifies.
3. The round file (default tests/fixtures/rounds/example/2026-q4-example.round.json, built by
   the Rust tool from plan.json): the verification steps 1-6 of round-format.md, that the frame
   CSVs parse to exactly the recorded households in file order, and that the file is byte for
   byte the Python build of the plan (Ed25519 signatures are deterministic, and a round's
   meaning has one byte form).
4. Negative self-checks: mutated copies of the round (re-signed with the example organiser.pem
   where the mutation is in the payload) must be rejected with the expected reason; the round
   verifies with its organiser's keyid announced (`--organiser`, full and short form).
5. The rejection fixtures tests/fixtures/rounds/<code>[-variant]/ (written by make_fixtures.py:
   round.json, expected.txt with the code, organiser.txt with the announced keyid for
   unknown_organiser): there is one for every reason of round-format.md, and this verifier
   refuses each with its code (the only reason for steps 1-5 and 7; among the findings for a
   finding of step 6).
6. When a `survey` binary with the `round` command is available (env SURVEY_BIN, else
   target/debug/survey): `survey round draw` must print the same orders for every fixture and
   for the example round, follow the stdin rules of sampling.md, `survey round show FILE
   --format csv` must print the rendering below, `survey round verify [--organiser KEYID]` must
   accept the round (also with its keyid announced), refuse the mutated copies, and refuse
   every fixture folder with exit 1 and the documented output: `FILE: rejected: CODE: message`
   for a reason of the whole round, or `FILE: PATH: CODE: message` lines and then
   `FILE: rejected: N findings` with the fixture's code among them (a note, not counted, when
   the binary's findings differ from this verifier's). Without the binary these checks are
   skipped with a note (not counted).

Usage: python3 tests/rounds/check_round.py [ROUND_FILE] [--example DIR]
Exit 0 when every check passes, 1 otherwise.
Needs: cryptography, rfc8785 (tests/requirements.txt). The strict base64, strict JSON, PAE and
strict Ed25519 helpers are those of tests/bundles/verify_bundle.py (same conventions).

Where the docs leave a choice, this checker reads them as follows (see the report that came
with it; survey-core may differ):
- Rule 4 (at most 64 scalar values) applies to unit ids, household codes and the round id; the
  scope `households/<unit id>` is checked as `households/` + a valid unit id, not for length.
- The seed source follows rules 1-3 (sampling.md), which include "no control characters".
- Household codes are unique within their unit (the scope), not across the round.
- A frame CSV: a row whose raw text is empty or only commas is "fully empty"; such rows are
  ignored at the end of the file and an error elsewhere. The header must name `household`
  exactly once. A lone CR that does not end a line stays in its cell.
- The frame commitment is compared with the commitment over the recorded frame hashes
  (sampling.md), so a wrong frame_hash alone is frame_hash_mismatch only.
- "Sampled" in `drawn_households` and in the assignment rule is the recorded `sampled` flag;
  whether the flags are what the draw gives is draw_mismatch on its own. (survey-core checks
  the assignments against the draw, so it adds assignment findings where a flag is wrong.)
- `unit_sample.n` out of range and `attempts_before_substitute` < 1 are bad_n; assignments out
  of unit-id order are order (a unit assigned twice, next to itself, is assignment); a unit
  whose name differs from the survey's is unknown_unit. `recipients` must equal the survey's
  `recipients`, [] when the survey has none.
- Every field of the tables is required, including the nullable `group` and `unit_sample` and
  each device's `team`; a missing one is payload_malformed. A title or unit name is an object
  of `zh-CN` and `en` only (another key: payload_malformed); a language missing or empty is
  bad_text. A `group` must have both keys (its texts are not checked: the docs name only
  "title or name"). A `format` that is not a string is payload_malformed, another string
  unsupported_version.
- "The survey must itself be a valid survey/1 definition" is only checked as far as these docs
  go: an object with format `survey/1`; tests/schema/check_schema.py checks the survey files.
- With two or more signatures, the base64 of every `sig` is checked before their number (step
  2 lists base64 first).
- `--organiser KEYID`: the full hex or the short form (first 8 bytes), with or without the
  spaces of the printed short form (`9376 2727 043f b9fa`), hex digits in either case. It is
  checked after the findings (step 7).
"""

import argparse
import base64
import collections
import copy
import datetime
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts

import rfc8785  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bundles"))
import verify_bundle as vb  # noqa: E402  strict_b64, parse_json, pae, ed25519_verify_strict

DRAW_FIXTURES = ROOT / "crates" / "survey-core" / "test_data" / "draw"
EXAMPLE = ROOT / "tests" / "fixtures" / "rounds" / "example"
DEFAULT_ROUND = EXAMPLE / "2026-q4-example.round.json"

PAYLOAD_TYPE = "application/vnd.survey-kit.round+json"
MAX_INT = 2**53

# ------------------------------------------------------------------ texts (sampling.md) --

FORBIDDEN = [(0x0000, 0x001F), (0x007F, 0x009F), (0x200B, 0x200F), (0x2028, 0x202E),
             (0x2060, 0x2064), (0xFEFF, 0xFEFF)]  # fmt: skip
EDGE_SPACES = {0x0020, 0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000}

# kind -> (maximum scalar values or None, "/" refused)
TEXT_KINDS = {
    "seed": (256, False),
    "round": (64, True),
    "unit": (64, True),
    "household": (64, True),
    "source": (None, False),  # the seed source: rules 1-3 only
}


def text_problem(s, kind):
    """None if `s` follows the text rules for its kind, else what is wrong."""
    if not isinstance(s, str):
        return "not a string"
    if s == "":
        return "empty"
    if not unicodedata.is_normalized("NFC", s):
        return "not in Unicode Normalization Form C"
    for ch in s:
        cp = ord(ch)
        if any(lo <= cp <= hi for lo, hi in FORBIDDEN):
            return f"contains U+{cp:04X}"
    if ord(s[0]) in EDGE_SPACES:
        return f"starts with a space (U+{ord(s[0]):04X})"
    if ord(s[-1]) in EDGE_SPACES:
        return f"ends with a space (U+{ord(s[-1]):04X})"
    limit, no_slash = TEXT_KINDS[kind]
    if limit is not None and len(s) > limit:  # Python str length = Unicode scalar values
        return f"{len(s)} scalar values, at most {limit}"
    if no_slash and "/" in s:
        return "contains /"
    return None


def scope_problem(scope):
    if scope == "units":
        return None
    if isinstance(scope, str) and scope.startswith("households/"):
        p = text_problem(scope[len("households/"):], "unit")
        return None if p is None else f"unit id of the scope: {p}"
    return "neither `units` nor `households/` + a unit id"


def utf8(s):
    return s.encode("utf-8")


# ------------------------------------------------------------------- the draw (draw/1) --


def draw_key(seed, round_id, scope, member):
    return hashlib.sha256(b"\x00".join(utf8(t) for t in ("draw/1", seed, round_id, scope, member))).digest()


def draw(seed, round_id, scope, members):
    """The members in draw order: sorted by key (32-byte strings, unsigned), ties by member bytes."""
    return sorted(members, key=lambda m: (draw_key(seed, round_id, scope, m), utf8(m)))


def frame_hash(codes):
    return hashlib.sha256(b"".join(utf8(c) + b"\n" for c in sorted(codes, key=utf8))).hexdigest()


def frame_commitment(pairs):
    """pairs: (unit id, frame hash) for every unit of the round."""
    lines = sorted(pairs, key=lambda p: utf8(p[0]))
    return hashlib.sha256(b"".join(utf8(u) + b"\t" + utf8(h) + b"\n" for u, h in lines)).hexdigest()


# -------------------------------------------------------------- frame CSV (round-format.md) --


class FrameError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def split_row(line):
    """RFC 4180 cells of one line (no line break inside). Returns (cells, None) or (None, problem)."""
    cells, i, n = [], 0, len(line)
    while True:
        if i < n and line[i] == '"':
            parts, j = [], i + 1
            while True:
                k = line.find('"', j)
                if k < 0:
                    return None, "a quoted cell is not closed on its line (quoted line breaks are not allowed)"
                parts.append(line[j:k])
                if k + 1 < n and line[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            cells.append("".join(parts))
            if i == n:
                return cells, None
            if line[i] != ",":
                return None, "text after a closing quote"
            i += 1
        else:
            k = line.find(",", i)
            cell = line[i:] if k < 0 else line[i:k]
            if '"' in cell:
                return None, "a quote inside an unquoted cell"
            cells.append(cell)
            if k < 0:
                return cells, None
            i = k + 1


def parse_frame(data, name="frame.csv"):
    """The household codes of a frame CSV, in file order. Raises FrameError with every problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FrameError([f"{name}: not UTF-8 at byte {e.start}; save it as \"CSV UTF-8\""]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    pieces = text.split("\n")
    ended = pieces[-1] == ""
    if ended:
        pieces.pop()  # after the final line end
    rows = []
    for number, line in enumerate(pieces, 1):
        if line.endswith("\r") and (number < len(pieces) or ended):
            line = line[:-1]  # CRLF
        rows.append((number, line))
    while rows and set(rows[-1][1]) <= {","}:
        rows.pop()  # fully empty rows at the end
    if not rows:
        raise FrameError([f"{name}: no header row"])
    header, problem = split_row(rows[0][1])
    if problem:
        raise FrameError([f"{name}:1: {problem}"])
    columns = [j for j, c in enumerate(header) if c == "household"]
    if len(columns) != 1:
        raise FrameError([f"{name}:1: the header must name the column `household` exactly once"])
    column = columns[0]
    problems, codes, first = [], [], {}
    for number, line in rows[1:]:
        cells, problem = split_row(line)
        if problem is None and len(cells) != len(header):
            problem = f"{len(cells)} cells, the header has {len(header)}"
        if problem is None:
            code = cells[column]
            if code == "":
                problem = "empty household code"
            elif text_problem(code, "household"):
                problem = f"household code {code!r}: {text_problem(code, 'household')}"
            elif code in first:
                problem = f"duplicate household code {code!r} (first at row {first[code]})"
            else:
                first[code] = number
                codes.append(code)
        if problem:
            problems.append(f"{name}:{number}: {problem}")
    if problems:
        raise FrameError(problems)
    return codes


# ----------------------------------------------------------- verifying a round (round/1) --


class RoundError(Exception):
    """A refusal in steps 1-5 (the envelope, the signature, the payload's shape)."""

    def __init__(self, step, code, message):
        super().__init__(message)
        self.step, self.code, self.message = step, code, message


Finding = collections.namedtuple("Finding", "code path message")

STEPS = [
    "envelope: JSON, a DSSE envelope, its own RFC 8785 canonical bytes",
    "envelope: payloadType is " + PAYLOAD_TYPE,
    "envelope: payload and sig strict base64, exactly one signature",
    "envelope: organiser.key a valid Ed25519 key whose SHA-256 is signatures[0].keyid",
    "envelope: Ed25519 signature over PAE(payloadType, payload)",
    "payload: format round/1, the documented shape, canonical JSON",
]

HEX64 = re.compile(r"[0-9a-f]{64}\Z")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INT


def exact_keys(obj, keys):
    return isinstance(obj, dict) and set(obj) == set(keys)


def is_languages(v):
    """A title or unit name: an object of the two languages, strings; a language missing (or
    empty) is a finding (bad_text), another key a departure from the shape."""
    return isinstance(v, dict) and set(v) <= {"zh-CN", "en"} and all(isinstance(x, str) for x in v.values())


def is_names(v):
    return exact_keys(v, ["zh-CN", "en"]) and all(isinstance(x, str) for x in v.values())


def is_str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _envelope_shape(env):
    return (
        exact_keys(env, ["payload", "payloadType", "signatures"])
        and isinstance(env["payload"], str)
        and isinstance(env["payloadType"], str)
        and isinstance(env["signatures"], list)
        and all(exact_keys(s, ["keyid", "sig"]) and all(isinstance(x, str) for x in s.values())
                for s in env["signatures"])
    )  # fmt: skip


UNIT_KEYS = ["id", "name", "group", "sampled", "households", "frame_hash", "n",
             "drawn_households", "attempts_before_substitute", "off_sample"]  # fmt: skip
PAYLOAD_KEYS = ["format", "id", "title", "period", "organiser", "survey", "survey_fingerprint",
                "seed", "seed_source", "frame_commitment", "unit_sample", "units", "devices",
                "assignments", "recipients"]  # fmt: skip


def payload_shape(p):
    """None if the payload has the shape of round-format.md's tables, else where it departs."""
    if not exact_keys(p, PAYLOAD_KEYS):
        return f"fields {sorted(set(p) ^ set(PAYLOAD_KEYS))} unknown or missing"
    for k in ["id", "survey_fingerprint", "seed", "seed_source", "frame_commitment"]:
        if not isinstance(p[k], str):
            return f"{k} is not a string"
    if not is_languages(p["title"]):
        return "title is not {zh-CN, en}"
    if not exact_keys(p["period"], ["from", "to"]) or not all(isinstance(x, str) for x in p["period"].values()):
        return "period is not {from, to}"
    if not exact_keys(p["organiser"], ["key", "name"]) or not all(isinstance(x, str) for x in p["organiser"].values()):
        return "organiser is not {key, name}"
    if not isinstance(p["survey"], dict):
        return "survey is not an object"
    us = p["unit_sample"]
    if us is not None and not (exact_keys(us, ["n"]) and is_int(us["n"])):
        return "unit_sample is neither null nor {n}"
    if not isinstance(p["units"], list):
        return "units is not an array"
    for i, u in enumerate(p["units"]):
        if not exact_keys(u, UNIT_KEYS):
            got = set(u) if isinstance(u, dict) else set()
            return f"units[{i}]: fields {sorted(got ^ set(UNIT_KEYS))} unknown or missing"
        if not isinstance(u["id"], str) or not isinstance(u["frame_hash"], str):
            return f"units[{i}]: id or frame_hash is not a string"
        if not is_languages(u["name"]):
            return f"units[{i}].name is not {{zh-CN, en}}"
        if u["group"] is not None and not is_names(u["group"]):
            return f"units[{i}].group is neither null nor {{zh-CN, en}}"
        if not isinstance(u["sampled"], bool) or not isinstance(u["off_sample"], bool):
            return f"units[{i}]: sampled or off_sample is not a boolean"
        if not is_str_list(u["households"]) or not is_str_list(u["drawn_households"]):
            return f"units[{i}]: households or drawn_households is not an array of strings"
        if not is_int(u["n"]) or not is_int(u["attempts_before_substitute"]):
            return f"units[{i}]: n or attempts_before_substitute is not an integer in 0..2^53"
    if not isinstance(p["devices"], list):
        return "devices is not an array"
    for i, d in enumerate(p["devices"]):
        if not exact_keys(d, ["key", "keyid", "evaluator", "team"]):  # `team` always present
            return f"devices[{i}] is not {{key, keyid, evaluator, team}}"
        if not all(isinstance(x, str) for x in d.values()):
            return f"devices[{i}]: a field is not a string"
    if not isinstance(p["assignments"], list):
        return "assignments is not an array"
    for i, a in enumerate(p["assignments"]):
        if not exact_keys(a, ["unit", "device"]) or not all(isinstance(x, str) for x in a.values()):
            return f"assignments[{i}] is not {{unit, device}}"
    if not is_str_list(p["recipients"]):
        return "recipients is not an array of strings"
    return None


def open_round(data):
    """Steps 1-5 of "Verifying, in order". Returns the trusted payload; raises RoundError."""
    if data.startswith(b"\xef\xbb\xbf"):  # 1: one leading byte-order mark is not the envelope's
        data = data[3:]
    try:
        env = vb.parse_json(data)
    except ValueError as e:
        raise RoundError(0, "malformed", f"not JSON: {e}") from None
    if not _envelope_shape(env):
        raise RoundError(0, "malformed", "not a DSSE envelope {payload, payloadType, signatures}")
    if rfc8785.dumps(env) != data:
        raise RoundError(0, "not_canonical", "the file is not its own RFC 8785 canonical JSON")
    if env["payloadType"] != PAYLOAD_TYPE:  # 2
        raise RoundError(1, "unsupported_payload_type", f"payloadType {env['payloadType']!r}")
    payload = vb.strict_b64(env["payload"])
    if payload is None:
        raise RoundError(2, "bad_base64", "payload is not strict base64")
    sigs = [vb.strict_b64(s["sig"]) for s in env["signatures"]]
    if None in sigs:
        raise RoundError(2, "bad_base64", f"signatures[{sigs.index(None)}].sig is not strict base64")
    if len(sigs) != 1:
        raise RoundError(2, "signature_count", f"{len(sigs)} signatures, expected exactly one")
    try:  # 3: only to know which key to use
        p = vb.parse_json(payload)
    except ValueError as e:
        raise RoundError(3, "payload_malformed", f"the payload is not JSON: {e}") from None
    key_text = None
    if isinstance(p, dict) and isinstance(p.get("organiser"), dict):
        key_text = p["organiser"].get("key")
    if not isinstance(key_text, str):
        raise RoundError(3, "payload_malformed", "the payload has no string organiser.key")
    key = vb.strict_b64(key_text)
    if key is None or len(key) != 32 or vb._decode_point(key) is None:
        raise RoundError(3, "bad_key", "organiser.key is not base64 of a valid 32-byte Ed25519 point")
    if env["signatures"][0]["keyid"] != hashlib.sha256(key).hexdigest():
        raise RoundError(3, "keyid_mismatch", "signatures[0].keyid is not the SHA-256 of organiser.key")
    if not vb.ed25519_verify_strict(key, sigs[0], vb.pae(PAYLOAD_TYPE, payload)):  # 4
        raise RoundError(4, "bad_signature", "the Ed25519 signature does not verify")
    fmt = p.get("format")  # 5: only now trust the payload
    if isinstance(fmt, str) and fmt != "round/1":
        raise RoundError(5, "unsupported_version", f"format {fmt!r}, expected 'round/1'")
    if fmt != "round/1":
        raise RoundError(5, "payload_malformed", "no string format")
    problem = payload_shape(p)
    if problem:
        raise RoundError(5, "payload_malformed", problem)
    if rfc8785.dumps(p) != payload:
        raise RoundError(5, "not_canonical", "the payload is not canonical JSON")
    return p


# Step 6: each finding check takes a payload of the right shape and returns a list of Findings.


def check_texts(p):
    out = []
    # "a title or name without both languages": a language missing or empty.
    names = [("title", p["title"])] + [(f"units[{i}].name", u["name"]) for i, u in enumerate(p["units"])]
    for path, value in names:
        for lang in ["zh-CN", "en"]:
            if value.get(lang, "") == "":
                out.append(Finding("bad_text", f"{path}.{lang}", "missing or empty: both languages are needed"))
    for path, value, kind in [("id", p["id"], "round"), ("seed", p["seed"], "seed"),
                              ("seed_source", p["seed_source"], "source")]:  # fmt: skip
        if text_problem(value, kind):
            out.append(Finding("bad_text", path, text_problem(value, kind)))
    for i, u in enumerate(p["units"]):
        if text_problem(u["id"], "unit"):
            out.append(Finding("bad_text", f"units[{i}].id", text_problem(u["id"], "unit")))
        for j, h in enumerate(u["households"]):
            if text_problem(h, "household"):
                out.append(Finding("bad_text", f"units[{i}].households[{j}]", f"{h!r}: {text_problem(h, 'household')}"))
    return out


def check_survey(p):
    s = p["survey"]
    out = []
    if s.get("format") != "survey/1" or not isinstance(s.get("id"), str):
        out.append(Finding("survey_mismatch", "survey", "not a survey/1 definition"))
    if p["survey_fingerprint"] != hashlib.sha256(rfc8785.dumps(s)).hexdigest():
        out.append(Finding("survey_mismatch", "survey_fingerprint", "not the SHA-256 of the canonical survey"))
    return out


def check_recipients(p):
    if p["recipients"] != p["survey"].get("recipients", []):  # [] when the survey has none
        return [Finding("recipients_mismatch", "recipients", "not the survey's recipients ([] when it has none)")]
    return []


def _duplicates(items, path, what):
    out, seen = [], {}
    for i, item in enumerate(items):
        if item in seen:
            out.append(Finding("duplicate", f"{path}[{i}]", f"{what} {item!r} repeated (first at [{seen[item]}])"))
        seen.setdefault(item, i)
    return out


def _order(items, path, what):
    """Non-decreasing UTF-8 byte order (equal neighbours are a duplicate, or for assignments a
    unit assigned twice: their own findings)."""
    return [Finding("order", f"{path}[{i}]", f"{what} {items[i]!r} after {items[i - 1]!r}")
            for i in range(1, len(items)) if utf8(items[i - 1]) > utf8(items[i])]  # fmt: skip


def check_order(p):
    ids = [u["id"] for u in p["units"]]
    out = _duplicates(ids, "units", "unit id") + _order(ids, "units", "unit id")
    for i, u in enumerate(p["units"]):
        out += _duplicates(u["households"], f"units[{i}].households", "household code")
    keyids = [d["keyid"] for d in p["devices"]]
    out += _duplicates(keyids, "devices", "device keyid") + _order(keyids, "devices", "device keyid")
    out += _order([a["unit"] for a in p["assignments"]], "assignments", "assignment of")
    return out


def check_units_known(p):
    listed = p["survey"].get("units")
    if not isinstance(listed, list):
        return []
    names = {u.get("id"): u.get("name") for u in listed if isinstance(u, dict)}
    out = []
    for i, u in enumerate(p["units"]):
        if u["id"] not in names:
            out.append(Finding("unknown_unit", f"units[{i}].id", f"{u['id']!r} is not a unit of the survey"))
        elif names[u["id"]] != u["name"]:
            out.append(Finding("unknown_unit", f"units[{i}].name", "not the survey's name of the unit"))
    return out


def check_devices(p):
    out = []
    for i, d in enumerate(p["devices"]):
        raw = vb.strict_b64(d["key"])
        if raw is None or len(raw) != 32:
            out.append(Finding("bad_device", f"devices[{i}].key", "not base64 of a 32-byte key"))
        elif hashlib.sha256(raw).hexdigest() != d["keyid"]:
            out.append(Finding("bad_device", f"devices[{i}].keyid", "not the SHA-256 of its key"))
    return out


def check_frame_hashes(p):
    return [
        Finding("frame_hash_mismatch", f"units[{i}].frame_hash", f"unit {u['id']}: not the hash of its households")
        for i, u in enumerate(p["units"])
        if u["frame_hash"] != frame_hash(u["households"])
    ]


def check_commitment(p):
    # Over the recorded frame hashes (sampling.md): a wrong frame hash is its own finding.
    expected = frame_commitment([(u["id"], u["frame_hash"]) for u in p["units"]])
    if p["frame_commitment"] != expected:
        return [Finding("commitment_mismatch", "frame_commitment", f"the commitment over the units is {expected}")]
    return []


def sampled_ids(p):
    """The unit ids the draw samples (every unit when unit_sample is null)."""
    ids = [u["id"] for u in p["units"]]
    if p["unit_sample"] is None:
        return set(ids)
    return set(draw(p["seed"], p["id"], "units", ids)[: p["unit_sample"]["n"]])


def check_unit_sample(p):
    chosen = sampled_ids(p)
    return [
        Finding("draw_mismatch", f"units[{i}].sampled", f"unit {u['id']}: the draw gives {u['id'] in chosen}")
        for i, u in enumerate(p["units"])
        if u["sampled"] != (u["id"] in chosen)
    ]


def check_drawn(p):
    # Against the recorded `sampled` flag: a wrong flag is its own finding (check_unit_sample).
    out = []
    for i, u in enumerate(p["units"]):
        expected = []
        if u["sampled"]:
            expected = draw(p["seed"], p["id"], "households/" + u["id"], u["households"])[: u["n"]]
        if u["drawn_households"] != expected:
            out.append(Finding("draw_mismatch", f"units[{i}].drawn_households",
                               f"unit {u['id']}: the draw gives {expected[:3]}..."))  # fmt: skip
    return out


def check_n(p):
    out = []
    if p["unit_sample"] is not None and not 1 <= p["unit_sample"]["n"] <= len(p["units"]):
        out.append(Finding("bad_n", "unit_sample.n", f"{p['unit_sample']['n']} is not in 1..{len(p['units'])}"))
    for i, u in enumerate(p["units"]):
        if not 1 <= u["n"] <= len(u["households"]):
            out.append(Finding("bad_n", f"units[{i}].n", f"{u['n']} is not in 1..{len(u['households'])}"))
        if u["attempts_before_substitute"] < 1:
            out.append(Finding("bad_n", f"units[{i}].attempts_before_substitute", "below 1"))
    return out


def check_assignments(p):
    # "Sampled" is the recorded flag: whether the flag is what the draw gives is draw_mismatch.
    chosen = {u["id"] for u in p["units"] if u["sampled"]}
    keyids = {d["keyid"] for d in p["devices"]}
    out, count = [], collections.Counter()
    for i, a in enumerate(p["assignments"]):
        count[a["unit"]] += 1
        if a["unit"] not in chosen:
            out.append(Finding("assignment", f"assignments[{i}].unit", f"{a['unit']!r} is not a sampled unit"))
        elif count[a["unit"]] == 2:
            out.append(Finding("assignment", f"assignments[{i}].unit", f"{a['unit']!r} assigned twice"))
        if a["device"] not in keyids:
            out.append(Finding("assignment", f"assignments[{i}].device", "not a device of `devices`"))
    for i, u in enumerate(p["units"]):
        if u["id"] in chosen and count[u["id"]] == 0:
            out.append(Finding("assignment", f"units[{i}]", f"sampled unit {u['id']} is not assigned"))
    return out


def _date(text):
    if not DATE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def check_period(p):
    start, end = _date(p["period"]["from"]), _date(p["period"]["to"])
    if start is None or end is None:
        return [Finding("bad_period", "period", "not two valid YYYY-MM-DD dates")]
    if start > end:
        return [Finding("bad_period", "period", "from is after to")]
    return []


FINDING_CHECKS = [
    ("texts follow the draw rules", check_texts),
    ("survey_fingerprint is the SHA-256 of the canonical survey", check_survey),
    ("recipients are the survey's", check_recipients),
    ("units, households and devices unique and in order", check_order),
    ("units are the survey's units, with its names", check_units_known),
    ("each device keyid is the SHA-256 of its key", check_devices),
    ("frame_hash of each unit", check_frame_hashes),
    ("frame_commitment over all units", check_commitment),
    ("unit sample: sampled = the first unit_sample.n of scope units", check_unit_sample),
    ("drawn_households = the first n of scope households/<unit>", check_drawn),
    ("n and attempts_before_substitute in range", check_n),
    ("assignments: every sampled unit to exactly one device of `devices`", check_assignments),
    ("period: valid dates, from <= to", check_period),
]


SHORT_KEYID = re.compile(r"[0-9a-f]{16}\Z")


def announced_keyid(text):
    """The keyid given to `--organiser`: the full hex or the short form (first 8 bytes), as
    printed (`9376 2727 043f b9fa`) or without the spaces; hex digits in either case."""
    return text.replace(" ", "").lower()


def organiser_keyid(p):
    return hashlib.sha256(base64.b64decode(p["organiser"]["key"])).hexdigest()


def check_organiser(p, announced):
    """Step 7 (`--organiser KEYID`): the organiser key's keyid is the announced one, given as the
    full lowercase hex or its short form (the first 8 bytes, 16 hex digits). Raises RoundError."""
    announced = announced_keyid(announced)
    if not (HEX64.match(announced) or SHORT_KEYID.match(announced)):
        raise ValueError(f"--organiser {announced!r} is neither 64 nor 16 hex digits")
    kid = organiser_keyid(p)
    if kid != announced and kid[:16] != announced:
        raise RoundError(7, "unknown_organiser", f"the organiser's keyid {kid[:16]} is not the announced {announced}")


def verify_round(data, organiser=None):
    """Returns (payload, findings); raises RoundError for steps 1-5 and, when there are no
    findings, for step 7 (`organiser`: the announced keyid, or None)."""
    p = open_round(data)
    findings = []
    for _, check in FINDING_CHECKS:
        findings += check(p)
    if organiser is not None and not findings:
        check_organiser(p, organiser)
    return p, findings


def rejection_codes(data, organiser=None):
    """The set of reasons `data` is refused for (empty when it verifies)."""
    try:
        p, findings = verify_round(data)
    except RoundError as e:
        return {e.code}
    codes = {f.code for f in findings}
    if organiser is not None:
        try:
            check_organiser(p, organiser)
        except RoundError as e:
            codes.add(e.code)
    return codes


# ------------------------------------------------------------- rendering and building --


def csv_cell(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s


def render_show_csv(p):
    """What `survey round show FILE --format csv` must print."""
    lines = ["unit,position,household,role"]
    for u in sorted((u for u in p["units"] if u["sampled"]), key=lambda u: utf8(u["id"])):
        order = draw(p["seed"], p["id"], "households/" + u["id"], u["households"])
        for position, h in enumerate(order, 1):
            role = "drawn" if position <= u["n"] else "substitute"
            lines.append(",".join(csv_cell(x) for x in (u["id"], str(position), h, role)))
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_key(pem_bytes):
    return serialization.load_pem_private_key(pem_bytes, password=None)


def public_raw(private_key):
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign_payload(payload_bytes, private_key):
    """The canonical envelope around `payload_bytes`, signed by `private_key`."""
    sig = private_key.sign(vb.pae(PAYLOAD_TYPE, payload_bytes))
    return rfc8785.dumps({
        "payload": base64.b64encode(payload_bytes).decode("ascii"),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": hashlib.sha256(public_raw(private_key)).hexdigest(),
                        "sig": base64.b64encode(sig).decode("ascii")}],
    })  # fmt: skip


def build_round(plan_path, private_key):
    """A second `survey round build PLAN --key KEY`: the round file's bytes. Only for valid plans
    (a bad plan raises ValueError or FrameError with its first problem, not with all of them)."""
    base = plan_path.parent
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    if plan.get("format") != "plan/1":
        raise ValueError("not a plan/1 file")
    survey = json.loads((base / plan["survey"]).read_text(encoding="utf-8"))
    listed = {u["id"]: u["name"] for u in survey.get("units", [])}
    defaults = plan.get("defaults", {})
    units = []
    for pu in plan["units"]:
        path = base / pu["frame"]
        households = parse_frame(path.read_bytes(), pu["frame"])
        name = pu.get("name", listed.get(pu["id"]))
        if name is None or (pu["id"] in listed and name != listed[pu["id"]]):
            raise ValueError(f"unit {pu['id']}: name missing or not the survey's")
        units.append({
            "id": pu["id"], "name": name, "group": pu.get("group"), "households": households,
            "frame_hash": frame_hash(households), "n": pu.get("n", defaults.get("n")),
            "attempts_before_substitute": pu.get(
                "attempts_before_substitute", defaults.get("attempts_before_substitute", 3)),
            "off_sample": pu.get("off_sample", defaults.get("off_sample", False)),
        })  # fmt: skip
    units.sort(key=lambda u: utf8(u["id"]))
    k = plan.get("draw_units")
    ids = [u["id"] for u in units]
    chosen = set(ids) if k is None else set(draw(plan["seed"], plan["id"], "units", ids)[:k])
    for u in units:
        u["sampled"] = u["id"] in chosen
        u["drawn_households"] = (
            draw(plan["seed"], plan["id"], "households/" + u["id"], u["households"])[: u["n"]] if u["sampled"] else []
        )
    if "roster" in plan:
        devices = json.loads((base / plan["roster"]).read_text(encoding="utf-8"))["devices"]
    else:
        devices = plan["devices"]
    payload = {
        "format": "round/1",
        "id": plan["id"],
        "title": plan["title"],
        "period": plan["period"],
        "organiser": {"key": base64.b64encode(public_raw(private_key)).decode("ascii"), "name": plan["organiser"]},
        "survey": survey,
        "survey_fingerprint": hashlib.sha256(rfc8785.dumps(survey)).hexdigest(),
        "seed": plan["seed"],
        "seed_source": plan["seed_source"],
        "frame_commitment": frame_commitment([(u["id"], u["frame_hash"]) for u in units]),
        "unit_sample": None if k is None else {"n": k},
        "units": units,
        "devices": sorted(devices, key=lambda d: utf8(d["keyid"])),
        "assignments": sorted(({"unit": a["unit"], "device": a["device"]} for a in plan["assignments"]),
                              key=lambda a: utf8(a["unit"])),  # fmt: skip
        "recipients": survey.get("recipients", []),
    }
    return sign_payload(rfc8785.dumps(payload), private_key)


# ------------------------------------------------------------------------- mutations --


def _payload_of(data):
    return json.loads(base64.b64decode(json.loads(data)["payload"]))


def _first_sampled(p):
    return next(u for u in p["units"] if u["sampled"])


def _flip_household(p):
    u = _first_sampled(p)
    u["households"][0] = u["households"][0] + "甲"


def _swap_drawn_for_substitute(p):
    u = _first_sampled(p)
    order = draw(p["seed"], p["id"], "households/" + u["id"], u["households"])
    u["drawn_households"][-1] = order[u["n"]]  # the first substitute instead of the last drawn


def _swap_sampled_unit(p):
    """The organiser picks another unit: consistent flags, households and assignment."""
    inn = _first_sampled(p)
    out = next(u for u in p["units"] if not u["sampled"])
    inn["sampled"], out["sampled"] = False, True
    out["drawn_households"] = draw(p["seed"], p["id"], "households/" + out["id"], out["households"])[: out["n"]]
    inn["drawn_households"] = []
    for a in p["assignments"]:
        if a["unit"] == inn["id"]:
            a["unit"] = out["id"]
    p["assignments"].sort(key=lambda a: utf8(a["unit"]))


def _change_seed(p):
    p["seed"] = p["seed"][:-1] + ("3" if p["seed"][-1] != "3" else "4")


def _flip_hex(text):
    return text[:-1] + ("0" if text[-1] != "0" else "1")


def _change_frame_hash(p):
    p["units"][0]["frame_hash"] = _flip_hex(p["units"][0]["frame_hash"])


def _change_device_key(p):
    d = p["devices"][0]
    raw = bytearray(base64.b64decode(d["key"]))
    raw[0] ^= 1
    d["key"] = base64.b64encode(bytes(raw)).decode("ascii")


def _duplicate_household(p):
    u = p["units"][0]
    u["households"][1] = u["households"][0]


def _bad_period(p):
    p["period"] = {"from": p["period"]["to"], "to": "2020-01-01"}


def _unknown_field(p):
    p["units"][0]["note"] = "x"


def _n_zero(p):
    next(u for u in p["units"] if not u["sampled"])["n"] = 0


# (name, mutation of the payload, expected code); all re-signed with the organiser key
PAYLOAD_MUTATIONS = [
    ("one household code flipped", _flip_household, "frame_hash_mismatch"),
    ("seed changed", _change_seed, "draw_mismatch"),
    ("an assignment dropped", lambda p: p["assignments"].pop(), "assignment"),
    ("a frame_hash changed", _change_frame_hash, "frame_hash_mismatch"),
    ("frame_commitment changed", lambda p: p.update(frame_commitment=_flip_hex(p["frame_commitment"])),
     "commitment_mismatch"),
    ("a drawn household swapped for a substitute", _swap_drawn_for_substitute, "draw_mismatch"),
    ("a sampled unit swapped for another (consistently)", _swap_sampled_unit, "draw_mismatch"),
    ("units out of order", lambda p: p["units"].reverse(), "order"),
    ("a household repeated", _duplicate_household, "duplicate"),
    ("a device key changed", _change_device_key, "bad_device"),
    ("the survey changed", lambda p: p["survey"].update(version="0.0-tampered"), "survey_mismatch"),
    ("period reversed", _bad_period, "bad_period"),
    ("n of a unit 0", _n_zero, "bad_n"),
    ("an unknown field in a unit", _unknown_field, "payload_malformed"),
    ("format round/2", lambda p: p.update(format="round/2"), "unsupported_version"),
]


def envelope_mutations(data):
    """(name, bytes, expected code) of mutations that are not re-signed."""
    env = json.loads(data)
    payload = base64.b64decode(env["payload"])
    out = [("envelope pretty-printed", json.dumps(env, indent=1).encode("utf-8"), "not_canonical"),
           ("a newline after the envelope", data + b"\n", "not_canonical"),
           ("two byte-order marks before the envelope", b"\xef\xbb\xbf" * 2 + data, "malformed")]  # fmt: skip
    p = json.loads(payload)
    _change_seed(p)
    forged = dict(env, payload=base64.b64encode(rfc8785.dumps(p)).decode("ascii"))
    out.append(("payload changed, old signature kept", rfc8785.dumps(forged), "bad_signature"))
    other = dict(env, payloadType="application/vnd.survey-kit.bundle+json")
    out.append(("payloadType of a bundle", rfc8785.dumps(other), "unsupported_payload_type"))
    two = dict(env, signatures=env["signatures"] * 2)
    out.append(("two signatures", rfc8785.dumps(two), "signature_count"))
    sig = env["signatures"][0]["sig"]  # 64 bytes: always ends in "=="
    unpadded = dict(env, signatures=[dict(env["signatures"][0], sig=sig.rstrip("="))])
    out.append(("sig base64 without padding", rfc8785.dumps(unpadded), "bad_base64"))
    urlsafe = dict(env, payload=env["payload"].replace("+", "-").replace("/", "_"))
    if urlsafe["payload"] != env["payload"]:
        out.append(("payload in the URL-safe base64 alphabet", rfc8785.dumps(urlsafe), "bad_base64"))
    wrong_id = dict(env, signatures=[dict(env["signatures"][0], keyid=_flip_hex(env["signatures"][0]["keyid"]))])
    out.append(("keyid changed", rfc8785.dumps(wrong_id), "keyid_mismatch"))
    return out


def payload_mutations(data, private_key):
    """(name, bytes, expected code) of payload mutations re-signed with `private_key`."""
    out = []
    for name, mutate, code in PAYLOAD_MUTATIONS:
        p = _payload_of(data)
        mutate(p)
        out.append((name + " (re-signed)", sign_payload(rfc8785.dumps(p), private_key), code))
    p = _payload_of(data)
    pretty = json.dumps(p, ensure_ascii=False, indent=1).encode("utf-8")
    out.append(("payload pretty-printed (re-signed)", sign_payload(pretty, private_key), "not_canonical"))
    return out


# -------------------------------------------------------------------------- the checker --


class Report:
    def __init__(self):
        self.passed = self.total = 0

    def check(self, name, problem):
        """problem: None or "" when the check passed, else what failed."""
        self.total += 1
        if problem:
            print(f"FAIL: {name}: {problem}")
        else:
            self.passed += 1
            print(f"ok: {name}")
        return not problem

    @staticmethod
    def note(text):
        print(f"note: {text}")


def rel(path):
    try:
        return str(pathlib.Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def check_draw_fixture(fixture):
    keys = ["seed", "round", "scope", "members", "expected"]
    if not exact_keys(fixture, keys):
        return f"not {{{', '.join(keys)}}}"
    for k in keys[:3]:
        if not isinstance(fixture[k], str):
            return f"{k} is not a string"
    if not is_str_list(fixture["members"]) or not is_str_list(fixture["expected"]):
        return "members or expected is not an array of strings"
    for path, value, kind in [("seed", fixture["seed"], "seed"), ("round", fixture["round"], "round")]:
        if text_problem(value, kind):
            return f"{path}: {text_problem(value, kind)}"
    if scope_problem(fixture["scope"]):
        return f"scope: {scope_problem(fixture['scope'])}"
    member_kind = "unit" if fixture["scope"] == "units" else "household"
    for i, m in enumerate(fixture["members"]):
        if text_problem(m, member_kind):
            return f"members[{i}] {m!r}: {text_problem(m, member_kind)}"
    if len(set(fixture["members"])) != len(fixture["members"]):
        return "members are not unique"
    if sorted(fixture["expected"]) != sorted(fixture["members"]):
        return "expected is not an order of the members"
    got = draw(fixture["seed"], fixture["round"], fixture["scope"], fixture["members"])
    if got != fixture["expected"]:
        first = next(i for i, (a, b) in enumerate(zip(got, fixture["expected"])) if a != b)
        return f"draw/1 differs from expected at position {first + 1}: {got[first]!r} vs {fixture['expected'][first]!r}"
    return None


def load_fixtures(report):
    fixtures = []
    paths = sorted(DRAW_FIXTURES.glob("*.json"))
    report.check(f"{rel(DRAW_FIXTURES)}: at least 5 draw fixtures", None if len(paths) >= 5 else f"{len(paths)} found")
    for path in paths:
        try:
            fixture = vb.parse_json(path.read_bytes())
        except (OSError, ValueError) as e:
            report.check(f"draw fixture {path.name}", f"unreadable: {e}")
            continue
        problem = check_draw_fixture(fixture)
        count = len(fixture["members"]) if not problem else 0
        detail = "" if problem else f" ({count} member{'s' if count != 1 else ''}, scope {fixture['scope']})"
        if report.check(f"draw fixture {path.name}{detail}", problem):
            fixtures.append((path.name, fixture))
    return fixtures


def check_example_inputs(report, example):
    """Parses the plan's frames and builds the round in Python. Returns (plan, key, built bytes)."""
    plan_path = example / "plan.json"
    try:
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        key = load_key((example / "organiser.pem").read_bytes())
    except (OSError, ValueError) as e:
        report.check(f"example inputs in {rel(example)}", f"unreadable: {e}")
        return None, None, None
    for pu in plan.get("units", []):
        try:
            codes = parse_frame((example / pu["frame"]).read_bytes(), pu["frame"])
            problem = None if codes else "no households"
        except (OSError, FrameError) as e:
            codes, problem = [], str(e)
        report.check(f"example frame {pu['frame']} parses ({len(codes)} households)", problem)
    try:
        built = build_round(plan_path, key)
        p, findings = verify_round(built)
        problem = "; ".join(f"{f.code} at {f.path}: {f.message}" for f in findings[:5])
        name = f"the Python build of plan.json verifies (commitment {p['frame_commitment'][:16]}...)"
    except (OSError, ValueError, KeyError, FrameError, RoundError) as e:
        built, problem, name = None, f"{type(e).__name__}: {e}", "the Python build of plan.json verifies"
    report.check(name, problem)
    return plan, key, built


def check_round_file(report, path, example, plan, key, built):
    """Verifies the round file; returns (bytes, payload) when it verifies, else (None, None)."""
    name = rel(path)
    if not path.exists():
        report.check(f"round file {name}", "does not exist (build it from plan.json with `survey round build`)")
        return None, None
    data = path.read_bytes()
    try:
        p = open_round(data)
    except RoundError as e:
        for i in range(e.step):
            report.check(f"{name}: {STEPS[i]}", None)
        report.check(f"{name}: {STEPS[e.step]}", f"{e.code}: {e.message}")
        report.note(f"{name}: the remaining round checks are not reached")
        return None, None
    for step in STEPS:
        report.check(f"{name}: {step}", None)
    all_findings = []
    for title, check in FINDING_CHECKS:
        findings = check(p)
        all_findings += findings
        if check in (check_frame_hashes, check_drawn):  # one line per unit
            for i, u in enumerate(p["units"]):
                mine = [f for f in findings if f.path.startswith(f"units[{i}]")]
                if check is check_frame_hashes:
                    what = "frame_hash"
                elif u["sampled"]:
                    what = f"drawn_households ({len(u['drawn_households'])})"
                else:
                    what = "drawn_households empty (not sampled)"
                report.check(f"{name}: units[{i}] {u['id']}: {what}", "; ".join(f.message for f in mine))
        else:
            report.check(f"{name}: {title}", "; ".join(f"{f.code} at {f.path}: {f.message}" for f in findings[:5]))
    # The example folder: frames, organiser key, the Python build.
    if plan is not None:
        recorded = {u["id"]: u["households"] for u in p["units"]}
        for pu in plan["units"]:
            try:
                codes = parse_frame((example / pu["frame"]).read_bytes(), pu["frame"])
            except (OSError, FrameError) as e:
                report.check(f"{name}: {pu['frame']} = households of {pu['id']}", str(e))
                continue
            got = recorded.get(pu["id"])
            problem = None
            if got is None:
                problem = "the unit is not in the round"
            elif got != codes:
                problem = f"the round records {len(got)} households, the CSV has {len(codes)}" + (
                    " (same set, other order)" if sorted(got) == sorted(codes) else "")
            report.check(f"{name}: {pu['frame']} parses to the households of {pu['id']} in file order", problem)
        if key is not None:
            expected_key = base64.b64encode(public_raw(key)).decode("ascii")
            report.check(f"{name}: organiser.key is the public key of {rel(example / 'organiser.pem')}",
                         None if p["organiser"]["key"] == expected_key else "another key")  # fmt: skip
        if built is not None:
            mine = _payload_of(built)
            diffs = [k for k in PAYLOAD_KEYS if mine.get(k) != p.get(k)]
            if "units" in diffs and len(mine["units"]) == len(p["units"]):
                diffs.remove("units")
                diffs += [f"units[{i}].{k}" for i, (a, b) in enumerate(zip(mine["units"], p["units"]))
                          for k in UNIT_KEYS if a.get(k) != b.get(k)]  # fmt: skip
            report.check(f"{name}: payload equals the Python build of plan.json",
                         f"differs in {', '.join(diffs)}" if diffs else None)  # fmt: skip
            report.check(f"{name}: bytes equal the Python build of plan.json",
                         None if data == built else f"{len(data)} vs {len(built)} bytes")  # fmt: skip
    return (data, p) if not all_findings else (None, None)


def check_mutations(report, base_name, data, key):
    """Each mutated copy must be refused, with the expected reason among its reasons."""
    mutations = envelope_mutations(data) + (payload_mutations(data, key) if key is not None else [])
    for name, mutated, code in mutations:
        codes = rejection_codes(mutated)
        if not codes:
            problem = "accepted"
        elif code not in codes:
            problem = f"refused as {sorted(codes)}, expected {code}"
        else:
            problem = None
        report.check(f"negative ({base_name}): {name} is refused as {code}", problem)
    return mutations


# ------------------------------------------------------------------ rejection fixtures --

FIXTURES = ROOT / "tests" / "fixtures" / "rounds"
# Reasons a round is refused for as a whole (`FILE: rejected: CODE: message`): steps 1-5 and 7.
ENVELOPE_CODES = ["malformed", "not_canonical", "unsupported_payload_type", "bad_base64", "signature_count",
                  "payload_malformed", "bad_key", "keyid_mismatch", "bad_signature", "unsupported_version",
                  "unknown_organiser"]  # fmt: skip
# Step 6: findings (`FILE: PATH: CODE: message` lines, then `FILE: rejected: N findings`).
FINDING_CODES = ["bad_text", "survey_mismatch", "recipients_mismatch", "duplicate", "order", "unknown_unit",
                 "bad_device", "frame_hash_mismatch", "commitment_mismatch", "draw_mismatch", "bad_n",
                 "assignment", "bad_period"]  # fmt: skip

FixtureCase = collections.namedtuple("FixtureCase", "name path data code organiser")


def load_fixture_folders(report, folder=FIXTURES):
    """Every folder of `folder` with an expected.txt (written by make_fixtures.py)."""
    cases = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and (p / "expected.txt").exists()):
        try:
            code = (sub / "expected.txt").read_text(encoding="utf-8")
            data = (sub / "round.json").read_bytes()
            pin = sub / "organiser.txt"
            organiser = pin.read_text(encoding="ascii").strip() if pin.exists() else None
        except (OSError, UnicodeDecodeError) as e:
            report.check(f"fixture {sub.name}: readable", str(e))
            continue
        if not code.endswith("\n") or code.strip() not in ENVELOPE_CODES + FINDING_CODES or code.count("\n") != 1:
            report.check(f"fixture {sub.name}: expected.txt is one documented code and a newline", f"{code!r}")
            continue
        code = code.strip()
        if not (sub.name == code or sub.name.startswith(code + "-")):
            report.check(f"fixture {sub.name}: named after its code {code}", "the folder name does not start with it")
        if (organiser is not None) != (code == "unknown_organiser"):
            report.check(f"fixture {sub.name}: organiser.txt exactly for unknown_organiser", "present or missing")
        cases.append(FixtureCase(sub.name, sub / "round.json", data, code, organiser))
    covered = {c.code for c in cases}
    missing = [c for c in ENVELOPE_CODES + FINDING_CODES if c not in covered]
    report.check(f"{rel(folder)}: a fixture folder for every reason of round-format.md ({len(cases)} folders)",
                 f"none for {', '.join(missing)}" if missing else None)  # fmt: skip
    return cases


def check_fixture_folders(report, cases):
    """The Python verifier refuses each fixture with its code: the only reason for a refusal of
    the whole round, one of the findings for a finding code."""
    for c in cases:
        codes = rejection_codes(c.data, c.organiser)
        if not codes:
            problem = "accepted"
        elif c.code in ENVELOPE_CODES:
            problem = None if codes == {c.code} else f"refused as {sorted(codes)}"
        else:
            problem = None if c.code in codes else f"findings {sorted(codes)}"
        if problem is None and c.organiser is not None and rejection_codes(c.data):
            problem = f"refused without --organiser too: {sorted(rejection_codes(c.data))}"
        pin = f" with --organiser {c.organiser}" if c.organiser else ""
        report.check(f"fixture {c.name}: refused as {c.code}{pin}", problem)


def parse_verify_output(stdout, file_text):
    """`survey round verify` lines for one file: ("rejected", CODE, message) or ("findings",
    [(PATH, CODE, message)], N) or ("ok", text) or ("unreadable", text)."""
    text = stdout.decode("utf-8", errors="replace")
    prefix = file_text + ": "
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not all(line.startswith(prefix) for line in lines):
        return ("unreadable", text)
    rest = [line[len(prefix):] for line in lines]
    last = re.fullmatch(r"rejected: ([0-9]+) findings?", rest[-1])
    if last:
        findings = []
        for line in rest[:-1]:
            parts = line.split(": ", 2)
            if len(parts) != 3:
                return ("unreadable", text)
            findings.append(tuple(parts))
        return ("findings", findings, int(last.group(1)))
    if len(rest) == 1 and rest[0].startswith("rejected: "):
        parts = rest[0][len("rejected: "):].split(": ", 1)
        return ("rejected", parts[0], parts[1] if len(parts) > 1 else "")
    if len(rest) == 1 and rest[0].startswith("ok ("):
        return ("ok", rest[0])
    return ("unreadable", text)


def check_binary_fixtures(report, binary, cases):
    """`survey round verify [--organiser KEYID] FOLDER/round.json`: exit 1, and `rejected: CODE:`
    for a reason of the whole round or a finding line `PATH: CODE: message` for a finding."""
    name = rel(binary)
    for c in cases:
        file_text = rel(c.path)
        args = ["round", "verify"] + (["--organiser", c.organiser] if c.organiser else []) + [file_text]
        done = subprocess.run([str(binary), *args], capture_output=True, timeout=120, cwd=ROOT)
        got = parse_verify_output(done.stdout, file_text)
        problems = [] if done.returncode == 1 else [f"exit {done.returncode}"]
        if got[0] == "unreadable":
            problems.append(f"output not in the documented format: {text_of(done)[:200]!r}")
        elif c.code in ENVELOPE_CODES:
            if got[0] != "rejected" or got[1] != c.code:
                shown = f"rejected: {got[1]}: {got[2]}" if got[0] == "rejected" else text_of(done)[:300]
                problems.append(f"printed {shown!r}")
        elif got[0] != "findings":
            problems.append(f"printed {text_of(done)[:300]!r}")
        elif c.code not in [f[1] for f in got[1]]:
            problems.append(f"findings {sorted({f[1] for f in got[1]})}")
        elif got[2] != len(got[1]):
            problems.append(f"{len(got[1])} finding lines, then `rejected: {got[2]} findings`")
        problem = ", ".join(problems)
        pin = f" --organiser {c.organiser}" if c.organiser else ""
        report.check(f"{name} round verify{pin} {file_text}: exit 1, {c.code}", problem)
        if not problem and got[0] == "findings":
            mine = rejection_codes(c.data, c.organiser)
            theirs = {f[1] for f in got[1]}
            if theirs != mine:
                report.note(f"{c.name}: {name} finds {sorted(theirs)}, this checker {sorted(mine)}")


# ------------------------------------------------------------------- the survey binary --


def find_binary():
    """(path or None, explicitly given?)"""
    env = os.environ.get("SURVEY_BIN")
    if env:
        return pathlib.Path(env), True
    default = ROOT / "target" / "debug" / "survey"
    return (default, False) if default.exists() else (None, False)


def run(binary, args, stdin=b""):
    return subprocess.run([str(binary), *args], input=stdin, capture_output=True, timeout=120)


def run_draw(binary, seed, round_id, scope, stdin):
    return run(binary, ["round", "draw", "--seed", seed, "--round", round_id, "--scope", scope], stdin)


def text_of(done):
    return (done.stdout + done.stderr).decode("utf-8", errors="replace").strip()


def lines_of(members):
    return b"".join(utf8(m) + b"\n" for m in members)


def check_binary(report, fixtures, round_data, round_payload, mutations, round_path, fixture_cases=()):
    binary, explicit = find_binary()
    if binary is None:
        report.note("no survey binary (SURVEY_BIN unset, target/debug/survey absent): comparison with the Rust tool skipped")
        return
    try:
        probe = run_draw(binary, "s", "r", "units", b"a\n")
    except OSError as e:
        probe = None
        error = str(e)
    if probe is None or (probe.returncode != 0 and b"unknown command" in probe.stderr):
        text = f"{rel(binary)} has no `round` command" if probe is not None else f"{rel(binary)} cannot run: {error}"
        if explicit:
            report.check("SURVEY_BIN supports `survey round draw`", text)
        else:
            report.note(f"{text} (built before rounds?): comparison with the Rust tool skipped")
        return
    name = rel(binary)

    def draw_check(title, seed, round_id, scope, members, stdin=None):
        done = run_draw(binary, seed, round_id, scope, lines_of(members) if stdin is None else stdin)
        want = lines_of(draw(seed, round_id, scope, members))
        if done.returncode != 0:
            problem = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()}"
        else:
            problem = None if done.stdout == want else "stdout differs from the draw/1 order"
        report.check(f"{name} round draw: {title}", problem)

    for fname, f in fixtures:
        draw_check(f"fixture {fname}", f["seed"], f["round"], f["scope"], f["members"])
    if round_payload is not None:
        p = round_payload
        draw_check("example round, scope units", p["seed"], p["id"], "units", [u["id"] for u in p["units"]])
        for u in p["units"]:
            if u["sampled"]:
                draw_check(f"example round, scope households/{u['id']}", p["seed"], p["id"],
                           "households/" + u["id"], u["households"])  # fmt: skip

    # The stdin and argument rules of `survey round draw` (sampling.md).
    seed, rid = "2026-12-01 福利彩票 3D 第2026318期 开奖号码 5 8 2", "2026-q4-example"
    members = ["A-101", "A-102", "3号楼2单元501"]
    draw_check("BOM, CRLF and no final line end on stdin", seed, rid, "households/u1", members,
               stdin=b"\xef\xbb\xbf" + b"\r\n".join(utf8(m) for m in members))  # fmt: skip
    refusals = [
        ("an empty line", b"A-101\n\nA-102\n", b"stdin:2:"),
        ("a duplicate", b"A-101\nA-102\nA-101\n", b"stdin:3:"),
        ("a member not in NFC", "A-101\nCafe\u0301-1\n".encode(), b"stdin:2:"),
        ("a member with a trailing space", b"A-101 \n", b"stdin:1:"),
        ("a member with /", b"3/501\n", b"stdin:1:"),
    ]
    for title, stdin, prefix in refusals:
        code = 1
        done = run_draw(binary, seed, rid, "households/u1", stdin)
        ok = done.returncode == code and done.stdout == b"" and done.stderr.startswith(prefix)
        report.check(f"{name} round draw refuses {title} (exit {code}, {prefix.decode()} on stderr, nothing on stdout)",
                     None if ok else f"exit {done.returncode}, stdout {done.stdout[:40]!r}, stderr {done.stderr[:80]!r}")
    for title, s, r, scope in [("a seed ending in a space", seed + " ", rid, "units"),
                               ("a round id with /", seed, "2026/q4", "units"),
                               ("the scope households/a/b", seed, rid, "households/a/b"),
                               ("the scope items/x", seed, rid, "items/x")]:  # fmt: skip
        done = run_draw(binary, s, r, scope, b"A-101\n")
        report.check(f"{name} round draw refuses {title} with exit 2",
                     None if done.returncode == 2 and done.stdout == b"" else f"exit {done.returncode}")  # fmt: skip

    check_binary_fixtures(report, binary, fixture_cases)
    if round_data is None:
        report.note("no verified round file: `survey round show` and `survey round verify` comparisons skipped")
        return
    done = run(binary, ["round", "show", str(round_path), "--format", "csv"])
    want = render_show_csv(round_payload)
    if done.returncode != 0:
        problem = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()}"
    elif done.stdout != want:
        got_lines, want_lines = done.stdout.split(b"\n"), want.split(b"\n")
        first = next((i for i, (a, b) in enumerate(zip(got_lines, want_lines)) if a != b),
                     min(len(got_lines), len(want_lines)))  # fmt: skip
        problem = f"differs at line {first + 1}: {got_lines[first:first + 1]!r} vs {want_lines[first:first + 1]!r}"
    else:
        problem = None
    report.check(f"{name} round show --format csv equals the rendering from the docs", problem)
    done = run(binary, ["round", "verify", str(round_path)])
    commitment = utf8(round_payload["frame_commitment"])
    report.check(f"{name} round verify accepts the round and prints its commitment",
                 None if done.returncode == 0 and commitment in done.stdout + done.stderr
                 else f"exit {done.returncode}: {text_of(done)[:200]}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        bom_path = pathlib.Path(tmp) / "bom.round.json"
        bom_path.write_bytes(b"\xef\xbb\xbf" + round_path.read_bytes())
        done = run(binary, ["round", "verify", str(bom_path)])
        report.check(f"{name} round verify accepts the round saved with one leading byte-order mark",
                     None if done.returncode == 0 else f"exit {done.returncode}: {text_of(done)[:200]}")
        try:
            open_round(bom_path.read_bytes())
            problem = None
        except RoundError as e:
            problem = f"{e}"
        report.check("the Python verifier removes one leading byte-order mark", problem)
    kid = organiser_keyid(round_payload)
    for announced in [kid, kid[:16]]:
        done = run(binary, ["round", "verify", "--organiser", announced, str(round_path)])
        got = parse_verify_output(done.stdout, str(round_path))
        ok = done.returncode == 0 and got[0] == "ok"
        report.check(f"{name} round verify --organiser {announced} accepts the round (`FILE: ok (...)`)",
                     None if ok else f"exit {done.returncode}: {text_of(done)[:200]}")
    with tempfile.TemporaryDirectory() as tmp:
        for title, mutated, code in mutations:
            mpath = pathlib.Path(tmp) / "mutated.round.json"
            mpath.write_bytes(mutated)
            done = run(binary, ["round", "verify", str(mpath)])
            problem = None
            if done.returncode == 0:
                problem = "accepted"
            elif code not in text_of(done):
                problem = f"refused (exit {done.returncode}) without naming {code}: {text_of(done)[:160]}"
            report.check(f"{name} round verify refuses: {title} ({code})", problem)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check draw/1 fixtures and a round/1 file independently.")
    parser.add_argument("round", nargs="?", default=str(DEFAULT_ROUND), help="the round file")
    parser.add_argument("--example", default=str(EXAMPLE), help="the folder of plan.json and its inputs")
    args = parser.parse_args(argv)
    example, round_path = pathlib.Path(args.example), pathlib.Path(args.round)
    report = Report()

    fixtures = load_fixtures(report)
    plan, key, built = check_example_inputs(report, example)
    round_data, round_payload = check_round_file(report, round_path, example, plan, key, built)

    mutations = []
    base, base_name = (round_data, rel(round_path)) if round_data is not None else (built, "Python build of plan.json")
    if base is not None:
        mutations = check_mutations(report, base_name, base, key)
    if round_data is not None:
        kid = organiser_keyid(round_payload)
        for announced in [kid, kid[:16]]:
            report.check(f"{rel(round_path)} verifies with the announced organiser {announced}",
                         "; ".join(sorted(rejection_codes(round_data, announced))))
    fixture_cases = load_fixture_folders(report)
    check_fixture_folders(report, fixture_cases)
    if round_data is None:
        mutations = []  # the binary is only asked about mutations of the real round
    check_binary(report, fixtures, round_data, round_payload, mutations, round_path, fixture_cases)

    print(f"{report.passed} of {report.total} round checks passed")
    return 0 if report.passed == report.total else 1


if __name__ == "__main__":
    sys.exit(main())
