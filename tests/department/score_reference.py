#!/usr/bin/env python3
"""An independent reference of what a department computes from a folder of result bundles,
written from the documents (not from the Rust code), to check `survey report --format json`:

- opening: age files are decrypted with the `age` tool; every bundle is verified with the
  independent Python verifier tests/bundles/verify_bundle.py (docs/bundle-format.md); a bundle
  signed by a device that is not on the roster (`unknown_key`) is quarantined, any other failure
  refused, and a bundle of another survey (fingerprint) refused as `unknown_survey`;
- importing (crates/survey-core/src/analysis/import.rs, module doc): a set union keyed by response id; the
  same id with the same content counts once, the same id with different content is a conflict
  and counts in neither; per device, the sequence numbers 1..max(device_seq_high) that no bundle
  carried are missing;
- scoring (docs/scoring.md): items, item statistics, the weighted indicator tree, index and rate,
  groups per unit with suppression (fewer than 5 responses) and complementary suppression, the
  competition ranking on indices rounded to 2 decimals, and Cronbach's alpha per dimension;
- quality flags (crates/survey-core/src/analysis/quality.rs, module doc): speeding and contradiction
  (straight-lining needs a matrix question, which the survey used here does not have; it is
  implemented all the same).

Sums are exact (math.fsum), so the numbers are the correctly rounded values of the formulas; an
implementation that sums in another order agrees to far better than 1e-9.

Usage:
    python3 tests/department/score_reference.py --survey S.json --roster R.json \
        [--identity ID.txt] FILE_OR_FOLDER...
prints the expected result (the shape of tests/fixtures/department/expected.json) as JSON.
Needs: cryptography, rfc8785 (tests/requirements.txt) and the `age` tool for .age files.
"""

import argparse
import base64
import hashlib
import json
import math
import pathlib
import subprocess
import sys

import rfc8785

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bundles"))
import verify_bundle  # noqa: E402

MIN_UNIT_RESPONSES = 5
Z_95 = 1.96
ZERO_VARIANCE = 1e-9
# quality.rs module doc
SPEEDING_FRACTION = 0.3
STRAIGHT_LINE_SHARE = 0.9
STRAIGHT_LINE_MIN_ROWS = 4
CONTRADICTION_GAP = 75.0


# ------------------------------------------------------------------------ opening, import --


def fingerprint(survey):
    return hashlib.sha256(rfc8785.dumps(survey)).hexdigest()


def bundle_files(inputs):
    """Files as given; folders searched (not recursively) for *.bundle.json(.age), sorted."""
    files = []
    for item in inputs:
        path = pathlib.Path(item)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.name.endswith(".bundle.json") or p.name.endswith(".bundle.json.age")
                )
            )
        else:
            files.append(path)
    return files


def open_file(path, identity):
    data = path.read_bytes()
    if data.startswith(b"age-encryption.org/"):
        if identity is None:
            raise verify_bundle.BundleError("encrypted", "an age file and no identity")
        done = subprocess.run(["age", "-d", "-i", str(identity), str(path)], capture_output=True)
        if done.returncode != 0:
            raise verify_bundle.BundleError("decryption", done.stderr.decode("utf-8", "replace"))
        data = done.stdout
    return data


def import_files(files, roster_bytes, identity, survey_fingerprint):
    """Opens, verifies and imports the files; returns the department's import state."""
    roster_keys = verify_bundle.load_roster(roster_bytes)
    evaluators = {d["keyid"]: d["evaluator"] for d in json.loads(roster_bytes)["devices"]}
    accepted = {}  # id -> (hash, response)
    conflicts = {}  # id -> set of hashes
    devices = {}  # keyid -> {"seq_high", "received", "evaluator"}
    bundle_ids = set()
    not_imported = []
    for path in files:
        try:
            data = open_file(path, identity)
            verify_bundle.verify(data, roster_keys)
        except verify_bundle.BundleError as e:
            code = "quarantined" if e.code == "unknown_key" else e.code
            not_imported.append({"file": path.name, "code": code})
            continue
        payload = json.loads(base64.b64decode(json.loads(data)["payload"]))
        if payload["survey"]["fingerprint"] != survey_fingerprint:
            not_imported.append({"file": path.name, "code": "unknown_survey"})
            continue
        bundle_ids.add(payload["bundle_id"])
        kid = json.loads(data)["signatures"][0]["keyid"]
        device = devices.setdefault(kid, {"seq_high": 0, "received": set(), "evaluator": evaluators[kid]})
        device["seq_high"] = max(device["seq_high"], payload["device_seq_high"])
        for entry in payload["responses"]:
            response, digest = entry["response"], entry["hash"]
            device["received"].add(response["seq"])
            rid = response["id"]
            if rid in conflicts:
                conflicts[rid].add(digest)
            elif rid in accepted and accepted[rid][0] != digest:
                conflicts[rid] = {accepted.pop(rid)[0], digest}
            elif rid not in accepted:
                accepted[rid] = (digest, response)
    return {
        "responses": [accepted[rid][1] for rid in sorted(accepted)],
        "conflicts": [{"id": rid, "hashes": sorted(conflicts[rid])} for rid in sorted(conflicts)],
        "devices": [
            {
                "keyid": kid,
                "evaluator": devices[kid]["evaluator"],
                "seq_high": devices[kid]["seq_high"],
                "missing_count": len(
                    [s for s in range(1, devices[kid]["seq_high"] + 1) if s not in devices[kid]["received"]]
                ),
                "missing": [s for s in range(1, devices[kid]["seq_high"] + 1) if s not in devices[kid]["received"]][
                    :1000
                ],
            }
            for kid in sorted(devices)
        ],
        "bundles": len(bundle_ids),
        "not_imported": not_imported,
    }


# -------------------------------------------------------------------------------- scoring --


class Item:
    """A scored item: a scale question, or one row of a matrix question."""

    def __init__(self, question, row=None):
        self.qid = question["id"]
        self.row = row["id"] if row else None
        self.key = self.qid if row is None else f"{self.qid}.{self.row}"
        self.indicator = (row or {}).get("indicator", question.get("indicator"))
        self.weight = (row or {}).get("weight", question.get("weight", 1))
        self.reverse = bool(question.get("reverse")) or bool((row or {}).get("reverse"))
        self.reverse_of = (row or {}).get("reverse_of", question.get("reverse_of"))
        self.points = [p["value"] for p in question.get("points", [])]
        self.unscored = [u["value"] for u in question.get("unscored", [])]
        self.satisfied = question.get("satisfied")
        self.lo = min(self.points) if self.points else None
        self.hi = max(self.points) if self.points else None

    def observe(self, response):
        """('missing'|'unscored'|'invalid', None, None) or ('scored', original point, 0-100 score)."""
        answers = response.get("answers", {})
        if self.qid not in answers:
            return ("missing", None, None)
        value = answers[self.qid]["value"]
        if self.row is not None:
            if not isinstance(value, dict):
                return ("invalid", None, None)
            if self.row not in value:
                return ("missing", None, None)
            value = value[self.row]
        if isinstance(value, bool) or not isinstance(value, int):
            return ("invalid", None, None)
        if value in self.unscored:
            return ("unscored", None, None)
        if value in self.points and self.hi > self.lo:
            x = self.lo + self.hi - value if self.reverse else value
            return ("scored", value, (x - self.lo) / (self.hi - self.lo) * 100)
        return ("invalid", None, None)


def items_of(survey):
    out = []
    for section in survey["sections"]:
        for q in section["questions"]:
            if q["kind"] == "scale":
                out.append(Item(q))
            elif q["kind"] == "matrix":
                out.extend(Item(q, row) for row in q["rows"])
    return out


def mean(xs):
    return math.fsum(xs) / len(xs) if xs else None


def sample_var(xs):
    if len(xs) < 2:
        return None
    m = mean(xs)
    return math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def wm(pairs):
    """Weighted mean over the parts that have a value; None when none has."""
    defined = [(w, v) for w, v in pairs if v is not None]
    total = math.fsum(w for w, _ in defined)
    if not defined or total == 0:
        return None
    return math.fsum(w * v for w, v in defined) / total


def item_stats(item, responses):
    obs = [item.observe(r) for r in responses]
    scores = [s for kind, _, s in obs if kind == "scored"]
    points = [p for kind, p, _ in obs if kind == "scored"]
    n = len(scores)
    m = mean(scores)
    var = sample_var(scores)
    sd = math.sqrt(var) if var is not None else None
    ci = None
    if sd is not None:
        half = Z_95 * sd / math.sqrt(n)
        ci = {"low": m - half, "high": m + half}
    rate = None
    if item.satisfied is not None and n > 0:
        rate = 100 * sum(1 for p in points if p in item.satisfied) / n
    return {
        "item": item.key,
        "indicator": item.indicator,
        "n": n,
        "n_unscored": sum(1 for kind, _, _ in obs if kind == "unscored"),
        "n_invalid": sum(1 for kind, _, _ in obs if kind == "invalid"),
        "mean": m,
        "sd": sd,
        "ci95": ci,
        "rate": rate,
    }


def group_scores(survey, items, responses):
    stats = [item_stats(item, responses) for item in items]
    by_leaf = {}
    for item, st in zip(items, stats):
        if item.indicator is not None:
            by_leaf.setdefault(item.indicator, []).append((item.weight, st))
    rows = []

    def node(ind, parent):
        row = {"id": ind["id"], "parent": parent, "weight": ind.get("weight", 1), "score": None, "rate": None}
        rows.append(row)
        children = ind.get("children") or []
        if children:
            parts = [(c.get("weight", 1), node(c, ind["id"])) for c in children]
            row["score"] = wm([(w, s) for w, (s, _) in parts])
            row["rate"] = wm([(w, r) for w, (_, r) in parts])
        else:
            members = by_leaf.get(ind["id"], [])
            row["score"] = wm([(w, st["mean"]) for w, st in members])
            row["rate"] = wm([(w, st["rate"]) for w, st in members])
        return row["score"], row["rate"]

    tops = [(ind.get("weight", 1), node(ind, None)) for ind in survey.get("indicators", [])]
    return {
        "n_responses": len(responses),
        "index": wm([(w, s) for w, (s, _) in tops]),
        "rate": wm([(w, r) for w, (_, r) in tops]),
        "indicators": rows,
        "items": stats,
    }


def round2(x):
    """round(x * 100), halves away from zero (indices are never negative)."""
    return math.floor(x * 100 + 0.5)


def leaves_under(ind):
    children = ind.get("children") or []
    if not children:
        return [ind["id"]]
    return [leaf for c in children for leaf in leaves_under(c)]


def alpha_of(rows):
    """Cronbach's alpha of complete-case rows (lists of k item scores)."""
    if not rows:
        return None
    k, n = len(rows[0]), len(rows)
    if k < 2 or n < 2:
        return None
    var_t = sample_var([math.fsum(r) for r in rows])
    if var_t <= ZERO_VARIANCE:
        return None
    sum_var = math.fsum(sample_var([r[i] for r in rows]) for i in range(k))
    return k / (k - 1) * (1 - sum_var / var_t)


def alphas(survey, items, responses):
    out = []
    for dim in survey.get("indicators", []):
        leaves = set(leaves_under(dim))
        mine = [it for it in items if it.indicator in leaves]
        rows = []
        for r in responses:
            obs = [it.observe(r) for it in mine]
            if all(kind == "scored" for kind, _, _ in obs):
                rows.append([s for _, _, s in obs])
        k = len(mine)
        if_deleted = []
        for i, it in enumerate(mine):
            value = None
            if k - 1 >= 2:
                value = alpha_of([r[:i] + r[i + 1 :] for r in rows])
            if_deleted.append({"item": it.key, "alpha": value})
        out.append(
            {"dimension": dim["id"], "k": k, "n": len(rows), "alpha": alpha_of(rows) if k >= 2 else None,
             "if_deleted": if_deleted}
        )
    return out


def score(survey, responses):
    """The report of docs/scoring.md, in the shape `survey report --format json` prints."""
    items = items_of(survey)
    groups = {}
    for u in survey.get("units", []):
        groups[u["id"]] = []
    nameless = []
    for r in responses:
        unit = r.get("unit")
        if unit is None:
            nameless.append(r)
        else:
            groups.setdefault(unit, []).append(r)
    order = ([None] if nameless else []) + sorted(groups)
    members = {None: nameless, **groups}
    sizes = {g: len(members[g]) for g in order}

    # Suppression, from the sizes alone.
    reason = {g: ("too_few_responses" if sizes[g] < MIN_UNIT_RESPONSES else None) for g in order}
    r = sum(sizes[g] for g in order if reason[g] is not None)
    if 1 <= r <= 4:
        published = [g for g in order if reason[g] is None]
        if published:
            smallest = min(published, key=lambda g: (sizes[g], order.index(g)))
            reason[smallest] = "complementary"

    units = []
    for g in order:
        units.append(
            {
                "unit": g,
                "n_responses": sizes[g],
                "suppressed": reason[g] is not None,
                "reason": reason[g],
                "scores": None if reason[g] else group_scores(survey, items, members[g]),
            }
        )

    def rank_by(value_of):
        ranked, unranked = [], []
        for u in units:
            if u["unit"] is None:
                continue
            value = value_of(u["scores"]) if u["scores"] else None
            if u["suppressed"] or value is None:
                unranked.append({"unit": u["unit"], "rank": None, "index": None, "suppressed": u["suppressed"]})
            else:
                ranked.append({"unit": u["unit"], "rank": None, "index": value, "suppressed": False})
        ranked.sort(key=lambda e: (-round2(e["index"]), e["unit"]))
        for pos, e in enumerate(ranked):
            if pos > 0 and round2(e["index"]) == round2(ranked[pos - 1]["index"]):
                e["rank"] = ranked[pos - 1]["rank"]
            else:
                e["rank"] = pos + 1
        unranked.sort(key=lambda e: e["unit"])
        return ranked + unranked

    def dimension_score(dim_id):
        return lambda scores: next(
            (row["score"] for row in scores["indicators"] if row["parent"] is None and row["id"] == dim_id), None
        )

    return {
        "overall": group_scores(survey, items, responses),
        "units": units,
        "ranking": rank_by(lambda scores: scores["index"]),
        "dimension_rankings": [
            {"dimension": dim["id"], "ranking": rank_by(dimension_score(dim["id"]))}
            for dim in survey.get("indicators", [])
        ],
        "alpha": alphas(survey, items, responses),
    }


# -------------------------------------------------------------------------- quality flags --


def quality_flags(survey, responses):
    """[{id, flags}] of the flagged responses, in the order given (id order after import)."""
    items = items_of(survey)
    by_key = {it.key: it for it in items}

    def seconds(r):
        return max(r["finished_at"] - r["started_at"], 0) / 1000

    durations = sorted(seconds(r) for r in responses)
    if not durations:
        median = 0.0
    elif len(durations) % 2:
        median = durations[len(durations) // 2]
    else:
        median = (durations[len(durations) // 2 - 1] + durations[len(durations) // 2]) / 2
    per_question = (survey.get("quality") or {}).get("min_seconds_per_question") or 0.0
    out = []
    for r in responses:
        flags = []
        s = seconds(r)
        floor = per_question * len(r["answers"])
        if s < SPEEDING_FRACTION * median or s < floor:
            flags.append({"flag": "speeding", "seconds": s, "median_seconds": median, "floor_seconds": floor})
        grids = {}
        for it in items:
            if it.row is not None:
                kind, point, _ = it.observe(r)
                grids.setdefault(it.qid, []).append(point if kind == "scored" else None)
        for qid, points in grids.items():
            points = [p for p in points if p is not None]
            if len(points) >= STRAIGHT_LINE_MIN_ROWS:
                top = max(sorted(set(points)), key=lambda p: (points.count(p), -p))
                if points.count(top) >= STRAIGHT_LINE_SHARE * len(points):
                    flags.append({"flag": "straight_lining", "question": qid, "point": top, "rows": len(points)})
        for it in items:
            partner = by_key.get(it.reverse_of) if it.reverse_of else None
            if partner is None:
                continue
            a, b = it.observe(r), partner.observe(r)
            if a[0] == "scored" and b[0] == "scored" and abs(a[2] - b[2]) >= CONTRADICTION_GAP:
                flags.append({"flag": "contradiction", "item": it.key, "partner": partner.key, "gap": abs(a[2] - b[2])})
        if flags:
            out.append({"id": r["id"], "flags": flags})
    return out


# ------------------------------------------------------------------------------ expected --


def expected(survey_path, roster_path, identity_path, inputs):
    survey = json.loads(pathlib.Path(survey_path).read_text(encoding="utf-8"))
    fp = fingerprint(survey)
    state = import_files(bundle_files(inputs), pathlib.Path(roster_path).read_bytes(), identity_path, fp)
    responses = state["responses"]
    flags = quality_flags(survey, responses)
    counts = {"speeding": 0, "straight_lining": 0, "contradiction": 0}
    for f in flags:
        for flag in f["flags"]:
            counts[flag["flag"]] += 1
    return {
        "generated_by": "tests/department/score_reference.py (independent of the Rust code)",
        "survey": {"id": survey["id"], "version": survey["version"], "fingerprint": fp},
        "bundles": state["bundles"],
        "not_imported": state["not_imported"],
        "quarantined": [f["file"] for f in state["not_imported"] if f["code"] == "quarantined"],
        "devices": state["devices"],
        "conflicts": state["conflicts"],
        "quality_flags": flags,
        "flag_counts": counts,
        "report": score(survey, responses),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--survey", required=True)
    parser.add_argument("--roster", required=True)
    parser.add_argument("--identity")
    parser.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER")
    args = parser.parse_args(argv)
    result = expected(args.survey, args.roster, args.identity, args.inputs)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
