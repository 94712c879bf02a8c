#!/usr/bin/env python3
"""An independent reference of the department's fieldwork-compliance check, written from
docs/compliance.md alone (with docs/sampling.md, docs/round-format.md, docs/bundle-format.md and
docs/scoring.md, which it builds on), not from the Rust code, to check the `compliance` object
of `survey report --round FILE --format json`:

- the round file is verified with the independent round checker tests/rounds/check_round.py
  (every step of round-format.md; with `organiser`, the announced key id too), and
  `round_sha256` is the SHA-256 of its payload bytes;
- each bundle file is verified with the independent verifier tests/bundles/verify_bundle.py,
  with the round's `devices` as the roster, then checked against the round in the order of the
  table of "Inputs" (unknown_key quarantined; any other failure, not_in_round, other_round,
  unknown_survey refused);
- responses of the imported bundles are merged by id (same hash once, different hashes a
  conflict that counts in neither version), contacts by id (different content, or the same id
  from another device, is a contact conflict: every version dropped);
- findings per accepted response, in the order of the table of "Findings"; the available
  households at a time; household statuses; the per-unit and per-evaluator figures; the MAD
  flag; and the `compliance` JSON object of the last section.

Points docs/compliance.md states explicitly (it was tightened where this reference first found
it open), followed here as written:
- `out_of_order` is checked in sampled units only (availability from that unit's contacts).
- `position` in a finding is the household's position in `order(r.unit)` for any unit of the
  round whose frame holds it (sampled or not), else null.
- Contacts count for a unit's availability and statuses whichever device signed them (the
  text filters them by `unit` only); `contacts` is the number of all accepted contacts, of any
  unit (also units that are not sampled or not in the round, and households outside frames).
- The median of the absolute deviations (`mad`) is taken like the median of the rates (the
  mean of the two middle values for an even count); `threshold` is evaluated left to right,
  `median + ((3 × 1.4826) × mad)`.
- After a final outcome, a later `not_at_home` contact makes the household `not_at_home × 1`
  ("else"), as the walk is written.
- `round.title` is the payload's title object whole (both languages), as "as in the payload"
  says, although the sketch shows only `zh-CN`.

Usage:
    python3 tests/department/compliance_reference.py ROUND_FILE BUNDLE_FILE_OR_FOLDER... \
        [--include-noncompliant] [--include-off-sample] [--organiser KEYID]
prints {"files": [...], "compliance": {...}, "counted": n} as JSON.
Needs: cryptography, rfc8785 (tests/requirements.txt).
"""

import argparse
import base64
import hashlib
import importlib.util
import json
import pathlib
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "bundles"))
import verify_bundle  # noqa: E402  (the same module check_round.py uses)


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_round = _load("check_round", ROOT / "tests" / "rounds" / "check_round.py")

FINDING_CODES = ["not_drawn", "wrong_unit", "not_assigned", "out_of_order", "duplicate_household",
                 "off_sample_not_allowed"]  # fmt: skip
FINAL_OUTCOMES = ("refused", "vacant", "not_eligible")
MAD_SCALE = 1.4826
MIN_DRAWN_FOR_FLAG = 10


def utf8(s):
    return s.encode("utf-8")


# ------------------------------------------------------------------------------ the round --


class RoundRefused(Exception):
    pass


def open_round(data, organiser=None):
    """Verifies a round file (round-format.md, every step; `organiser`: the announced keyid or
    None). Returns (payload dict, payload bytes); raises RoundRefused."""
    try:
        payload, findings = check_round.verify_round(data, organiser)
    except check_round.RoundError as e:
        raise RoundRefused(f"{e.code}: {e.message}") from None
    if findings:
        raise RoundRefused("; ".join(f"{f.path}: {f.code}: {f.message}" for f in findings))
    payload_bytes = base64.b64decode(json.loads(data)["payload"])
    return payload, payload_bytes


def round_sha256(payload_bytes):
    return hashlib.sha256(payload_bytes).hexdigest()


def roster_of(payload):
    """The round's devices as the roster of bundle-format.md: keyid -> raw key."""
    return {d["keyid"]: base64.b64decode(d["key"]) for d in payload["devices"]}


class Round:
    """What the findings need from a verified round payload."""

    def __init__(self, payload):
        self.payload = payload
        self.units = {u["id"]: u for u in payload["units"]}
        self.frames = {u["id"]: set(u["households"]) for u in payload["units"]}
        self.orders = {
            u["id"]: check_round.draw(payload["seed"], payload["id"], "households/" + u["id"], u["households"])
            for u in payload["units"]
        }
        self.positions = {uid: {h: i for i, h in enumerate(order, 1)} for uid, order in self.orders.items()}
        self.assigned = {a["unit"]: a["device"] for a in payload["assignments"]}
        self.evaluators = {d["keyid"]: d["evaluator"] for d in payload["devices"]}

    def sampled(self, uid):
        return uid in self.units and self.units[uid]["sampled"]

    def unit_ids(self):
        return sorted(self.units, key=utf8)


# ---------------------------------------------------------------------------- the import --


def _files(files):
    """[(name, bytes)] from a list of bytes or of (name, bytes) pairs."""
    out = []
    for i, f in enumerate(files):
        if isinstance(f, (bytes, bytearray)):
            out.append((f"file {i + 1}", bytes(f)))
        else:
            out.append((f[0], bytes(f[1])))
    return out


def import_bundles(payload, payload_bytes, files):
    """The steps 2 and 3 of "Inputs". `files`: bundle file bytes, or (name, bytes) pairs, in the
    order given. Returns the import state:
        files            [{"file", "outcome", "code"}] in the order given
        responses        the accepted responses (each with its signing device), in id order
        conflicts        [{"id", "hashes"}] of responses that arrived with different hashes
        contacts         the accepted contacts, in (at, id) order, each with its device
        contact_conflicts  the conflicting contact ids, sorted
    """
    roster = roster_of(payload)
    sha = round_sha256(payload_bytes)
    outcomes = []
    accepted = {}  # response id -> (hash, response)
    conflicts = {}  # response id -> set of hashes
    contacts = {}  # contact id -> (device, contact)
    contact_conflicts = set()
    for name, data in _files(files):
        try:
            p = verify_bundle.verify_payload(data, roster)
        except verify_bundle.BundleError as e:
            if e.code == "unknown_key":
                outcomes.append({"file": name, "outcome": "quarantined", "code": "unknown_key"})
            else:
                outcomes.append({"file": name, "outcome": "refused", "code": e.code})
            continue
        if p["format"] == "bundle/1":
            outcomes.append({"file": name, "outcome": "refused", "code": "not_in_round"})
            continue
        if p["round"]["id"] != payload["id"] or p["round"]["sha256"] != sha:
            outcomes.append({"file": name, "outcome": "refused", "code": "other_round"})
            continue
        if p["survey"]["fingerprint"] != payload["survey_fingerprint"]:
            outcomes.append({"file": name, "outcome": "refused", "code": "unknown_survey"})
            continue
        outcomes.append({"file": name, "outcome": "imported", "code": None})
        device = json.loads(data)["signatures"][0]["keyid"]
        for entry in p["responses"]:
            response, digest = entry["response"], entry["hash"]
            rid = response["id"]
            if rid in conflicts:
                conflicts[rid].add(digest)
            elif rid in accepted and accepted[rid][0] != digest:
                conflicts[rid] = {accepted.pop(rid)[0], digest}
            elif rid not in accepted:
                accepted[rid] = (digest, response)
        for c in p["contacts"]:
            cid = c["id"]
            if cid in contact_conflicts:
                continue
            if cid in contacts and contacts[cid] != (device, c):
                del contacts[cid]
                contact_conflicts.add(cid)
            elif cid not in contacts:
                contacts[cid] = (device, c)
    kept = [dict(c, device=device) for device, c in contacts.values()]
    kept.sort(key=lambda c: (c["at"], utf8(c["id"])))
    return {
        "files": outcomes,
        "responses": [accepted[rid][1] for rid in sorted(accepted, key=utf8)],
        "conflicts": [{"id": rid, "hashes": sorted(conflicts[rid])} for rid in sorted(conflicts, key=utf8)],
        "contacts": kept,
        "contact_conflicts": sorted(contact_conflicts, key=utf8),
    }


# ------------------------------------------------------------------ statuses, availability --


def walk(contacts):
    """household -> status after the contacts (in the order given): ("not_at_home", k) or one
    of "refused", "vacant", "not_eligible"."""
    status = {}
    for c in contacts:
        h = c["household"]
        if c["outcome"] == "not_at_home":
            before = status.get(h)
            k = before[1] if isinstance(before, tuple) else 0
            status[h] = ("not_at_home", k + 1)
        else:
            status[h] = c["outcome"]
    return status


def is_final(status, attempts):
    if status in FINAL_OUTCOMES:
        return True
    return isinstance(status, tuple) and status[1] >= attempts


def contacts_of(state, uid):
    """The accepted contacts of a unit, sorted by (at, id by UTF-8 bytes)."""
    return [c for c in state["contacts"] if c["unit"] == uid]  # already in (at, id) order


def available(rnd, state, uid, t):
    """How many households of `uid`, in draw order, are available at time t (sampling.md's
    substitution rule over the contacts with at <= t)."""
    unit = rnd.units[uid]
    order = rnd.orders[uid]
    status = walk([c for c in contacts_of(state, uid) if c["at"] <= t])
    final = [is_final(status.get(h), unit["attempts_before_substitute"]) for h in order]
    n = min(unit["n"], len(order))
    count = n
    while count < len(order) and sum(final[:count]) >= count - n + 1:
        count += 1
    return count


# ------------------------------------------------------------------------------ findings --


def facts(r):
    s = r["sample"]
    return r.get("unit"), s["household"], s["off_sample"]


def findings_of(rnd, state):
    """response id -> [codes], in the order of the table, for every accepted response."""
    responses = state["responses"]
    on_sample = {}  # (unit, household) -> count of accepted responses, not off
    for r in responses:
        unit, household, off = facts(r)
        if not off:
            on_sample[(unit, household)] = on_sample.get((unit, household), 0) + 1
    out = {}
    for r in responses:
        unit, household, off = facts(r)
        known = isinstance(unit, str) and unit in rnd.units
        sampled = known and rnd.sampled(unit)
        in_unit = known and household in rnd.frames[unit]
        in_any = any(household in frame for frame in rnd.frames.values())
        in_other = any(household in frame for uid, frame in rnd.frames.items() if uid != unit)
        codes = []
        if not off and sampled and not in_any:
            codes.append("not_drawn")
        if not known or not sampled or (not off and sampled and not in_unit and in_other):
            codes.append("wrong_unit")
        if sampled and rnd.assigned.get(unit) != r["device"]:
            codes.append("not_assigned")
        if not off and in_unit and sampled:
            s = rnd.positions[unit][household]
            if s > rnd.units[unit]["n"] and available(rnd, state, unit, r["started_at"]) < s:
                codes.append("out_of_order")
        if not off and in_unit and sampled and on_sample[(unit, household)] > 1:
            codes.append("duplicate_household")
        if off and sampled and not rnd.units[unit]["off_sample"]:
            codes.append("off_sample_not_allowed")
        out[r["id"]] = codes
    return out


def position_of(rnd, r):
    unit, household, _ = facts(r)
    if isinstance(unit, str) and unit in rnd.units:
        return rnd.positions[unit].get(household)
    return None


# --------------------------------------------------------------------------- the figures --


def median(values):
    xs = sorted(values)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def ratio(a, b):
    return None if b == 0 else a / b


SUMMED = ["drawn", "interviewed", "substitutes", "off_sample", "refused", "vacant", "not_eligible",
          "not_at_home_final"]  # fmt: skip


def unit_rows(rnd, state, findings):
    rows = []
    for uid in rnd.unit_ids():
        if not rnd.sampled(uid):
            continue
        unit = rnd.units[uid]
        mine = [r for r in state["responses"] if r.get("unit") == uid]
        compliant = [r for r in mine if not facts(r)[2] and not findings[r["id"]]]
        allowed_off = [r for r in mine if facts(r)[2] and not findings[r["id"]]]
        status = walk(contacts_of(state, uid))
        for r in compliant:
            status[facts(r)[1]] = "interviewed"
        frame = unit["households"]
        statuses = [status.get(h) for h in frame]
        interviewed = len({facts(r)[1] for r in compliant})
        substitutes = sum(1 for r in compliant if rnd.positions[uid][facts(r)[1]] > unit["n"])
        refused = statuses.count("refused")
        nah_final = sum(1 for s in statuses if isinstance(s, tuple) and s[1] >= unit["attempts_before_substitute"])
        device = rnd.assigned[uid]
        rows.append({
            "unit": uid,
            "device": device,
            "evaluator": rnd.evaluators[device],
            "drawn": unit["n"],
            "interviewed": interviewed,
            "substitutes": substitutes,
            "off_sample": len(allowed_off),
            "refused": refused,
            "vacant": statuses.count("vacant"),
            "not_eligible": statuses.count("not_eligible"),
            "not_at_home_final": nah_final,
            "noncompliant": sum(1 for r in mine if findings[r["id"]]),
            "response_rate": ratio(interviewed, interviewed + refused + nah_final),
            "substitution_rate": ratio(substitutes, interviewed),
        })  # fmt: skip
    return rows


def evaluator_rows(rnd, state, findings, units):
    by_unit = {row["unit"]: row for row in units}
    rows = []
    for d in sorted(rnd.payload["devices"], key=lambda d: utf8(d["keyid"])):
        kid = d["keyid"]
        assigned = [uid for uid in rnd.unit_ids() if rnd.assigned.get(uid) == kid]
        if not assigned:
            continue
        row = {"device": kid, "evaluator": d["evaluator"], "units": len(assigned)}
        for field in SUMMED:
            row[field] = sum(by_unit[uid][field] for uid in assigned)
        row["noncompliant"] = sum(1 for r in state["responses"] if r["device"] == kid and findings[r["id"]])
        row["response_rate"] = ratio(row["interviewed"], row["interviewed"] + row["refused"] + row["not_at_home_final"])
        row["substitution_rate"] = ratio(row["substitutes"], row["interviewed"])
        row["flagged"] = False
        rows.append(row)
    group = [row for row in rows if row["drawn"] >= MIN_DRAWN_FOR_FLAG and row["substitution_rate"] is not None]
    substitution = {"median": None, "mad": None, "threshold": None}
    if group:
        med = median([row["substitution_rate"] for row in group])
        mad = median([abs(row["substitution_rate"] - med) for row in group])
        threshold = med + 3 * MAD_SCALE * mad  # left to right: (3 * 1.4826) * mad, then med +
        for row in group:
            row["flagged"] = row["substitution_rate"] > threshold
        substitution = {"median": med, "mad": mad, "threshold": threshold}
    return rows, substitution


def organiser_keyid(payload):
    return hashlib.sha256(base64.b64decode(payload["organiser"]["key"])).hexdigest()


def compliance(payload, payload_bytes, state, include_noncompliant=False, include_off_sample=False):
    """The `compliance` object of docs/compliance.md for an import state (import_bundles)."""
    rnd = Round(payload)
    findings = findings_of(rnd, state)
    units = unit_rows(rnd, state, findings)
    evaluators, substitution = evaluator_rows(rnd, state, findings, units)
    listed, off = [], []
    for r in state["responses"]:  # in response-id order
        unit, household, is_off = facts(r)
        if findings[r["id"]]:
            listed.append({"response": r["id"], "device": r["device"], "unit": unit, "household": household,
                           "position": position_of(rnd, r), "findings": findings[r["id"]]})  # fmt: skip
        elif is_off:
            off.append({"response": r["id"], "device": r["device"], "unit": unit, "household": household})
    return {
        "round": {
            "id": payload["id"],
            "sha256": round_sha256(payload_bytes),
            "title": payload["title"],
            "period": payload["period"],
            "organiser": {"name": payload["organiser"]["name"], "keyid": organiser_keyid(payload)},
            "survey_fingerprint": payload["survey_fingerprint"],
            "seed": payload["seed"],
            "seed_source": payload["seed_source"],
            "frame_commitment": payload["frame_commitment"],
        },
        "include_noncompliant": include_noncompliant,
        "include_off_sample": include_off_sample,
        "contacts": len(state["contacts"]),
        "contact_conflicts": state["contact_conflicts"],
        "units": units,
        "evaluators": evaluators,
        "substitution": substitution,
        "findings": listed,
        "off_sample": off,
    }


def counted(payload, state, include_noncompliant=False, include_off_sample=False):
    """The responses that are scored under the switches ("What is counted"), in id order."""
    findings = findings_of(Round(payload), state)
    out = []
    for r in state["responses"]:
        if findings[r["id"]]:
            if include_noncompliant:
                out.append(r)
        elif facts(r)[2]:
            if include_off_sample:
                out.append(r)
        else:
            out.append(r)
    return out


def check(payload, payload_bytes, files, include_noncompliant=False, include_off_sample=False):
    """Everything at once: (import state, compliance object, counted responses)."""
    state = import_bundles(payload, payload_bytes, files)
    return (
        state,
        compliance(payload, payload_bytes, state, include_noncompliant, include_off_sample),
        counted(payload, state, include_noncompliant, include_off_sample),
    )


# ---------------------------------------------------------------------------------- CLI --


def bundle_paths(inputs):
    paths = []
    for item in inputs:
        path = pathlib.Path(item)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.name.endswith(".bundle.json")))
        else:
            paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fieldwork compliance of a round's bundles (docs/compliance.md).")
    parser.add_argument("round")
    parser.add_argument("inputs", nargs="+", metavar="BUNDLE_FILE_OR_FOLDER")
    parser.add_argument("--include-noncompliant", action="store_true")
    parser.add_argument("--include-off-sample", action="store_true")
    parser.add_argument("--organiser", help="the organiser key id announced (full hex or short form)")
    args = parser.parse_args(argv)
    try:
        payload, payload_bytes = open_round(pathlib.Path(args.round).read_bytes(), args.organiser)
    except (OSError, RoundRefused) as e:
        print(f"{args.round}: rejected: {e}", file=sys.stderr)
        return 1
    files = [(p.name, p.read_bytes()) for p in bundle_paths(args.inputs)]
    state, result, scored = check(payload, payload_bytes, files, args.include_noncompliant, args.include_off_sample)
    print(json.dumps({"files": state["files"], "compliance": result, "counted": len(scored)},
                     ensure_ascii=False, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
