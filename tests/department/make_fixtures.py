#!/usr/bin/env python3
"""Writes tests/fixtures/department/: one evaluation round of the party-building survey as a
department receives it (three enrolled tablets, their bundle files with the usual accidents),
and expected.json, what the department must compute from them, worked out by the independent
reference tests/department/score_reference.py.

The story (counted responses per unit; the numbers are in expected.json):

    device 1, 张敏, 云岭镇   yunling_qingxi 13 (+1 in conflict), yunling_shangtang 11
    device 2, 李强, 白沙乡   baisha_taoyuan 12, baisha_shimen 2 (rained off)
    device 3, 王芳, 城南街道 chengnan_zhulin 10, chengnan_heping 7 (2 more not delivered)

    - baisha_shimen has 2 responses: suppressed (too_few_responses). That leaves a remainder of 2
      responses, so the smallest published unit, chengnan_heping (7), is withheld too
      (complementary), and neither is ranked.
    - yunling_shangtang and chengnan_zhulin have different indices that round to the same value
      at 2 decimals: the ranking is 1, 2, 2, 4 (qingxi, the tie in unit-id order, taoyuan).
    - "don't know" (9) answers throughout; open_board_stale is the reverse item.
    - quality flags: device 2 seq 5 far too fast for its number of answers (under 2 s a
      question), device 3 seq 16 under 0.3 x the median duration but above that floor, device 1
      seq 6 contradicts itself (very satisfied with openness, strongly agrees the notice board
      was not updated). The default report counts them; expected.json lists the flags.

Files (all `*.bundle.json` or `*.bundle.json.age`, as `survey report` collects from a folder):

    roster.json, department-identity.txt   the 3 enrolled devices; the department's age identity
    device1-a.bundle.json                  device 1, seq 1-13
    device1-b.bundle.json.age              device 1, seq 12-25, encrypted to the department:
                                           seq 12 again (same content: counted once), seq 13 with
                                           an answer changed (a conflict: counted in neither)
    device2.bundle.json                    device 2, seq 1-14
    device2-again.bundle.json              device 2 re-exported seq 8-14: adds nothing
    device3.bundle.json                    device 3, seq 1-12
    device3-later.bundle.json              device 3, seq 15-19, device_seq_high 19: 13, 14 missing
    unknown-device.bundle.json             signed by a tablet not on the roster: quarantined
    expected.json                          from score_reference.py

Deterministic: seeds, ids and times are fixed and Ed25519 signatures are deterministic, so a
re-run writes identical files, except the age file (random by design), which is kept when it
still decrypts to the current bundle.

Usage: python3 tests/department/make_fixtures.py            (write the fixtures)
       python3 tests/department/make_fixtures.py --check    (regenerate into a temporary folder
                                                            and fail if anything differs)
Needs: cryptography, rfc8785 (tests/requirements.txt) and the `age`, `age-keygen` tools.
The bundle primitives come from tests/bundles/make_fixtures.py, imported as a module.
"""

import argparse
import hashlib
import importlib.util
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import uuid

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "tests" / "fixtures" / "department"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Same file name as this script, so import it under another name.
bf = _load("bundle_fixtures", ROOT / "tests" / "bundles" / "make_fixtures.py")
ref = _load("score_reference", HERE / "score_reference.py")

SURVEY = bf.SURVEY
SURVEY_FILE = bf.SURVEY_FILE
QUESTIONS = [q for section in SURVEY["sections"] for q in section["questions"]]
DAY_MS = 24 * 60 * bf.MINUTE


def seed_of(label):
    """A fixed 32-byte Ed25519 seed (test only) derived from a label."""
    return hashlib.sha256(f"survey-kit department fixture: {label}".encode("utf-8")).digest()


def uuid_of(label):
    return str(uuid.UUID(bytes=hashlib.sha256(f"uuid: {label}".encode("utf-8")).digest()[:16], version=4))


class Rng:
    """A small deterministic generator (SplitMix64): the same numbers on every Python version."""

    MASK = (1 << 64) - 1

    def __init__(self, label):
        self.state = int.from_bytes(hashlib.sha256(label.encode("utf-8")).digest()[:8], "little")

    def random(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return ((z ^ (z >> 31)) >> 11) / float(1 << 53)

    def uniform(self, a, b):
        return a + (b - a) * self.random()

    def below(self, n):
        return min(int(self.random() * n), n - 1)

    def pick(self, weighted):
        """One value of [(value, weight), ...]."""
        x = self.random() * sum(w for _, w in weighted)
        for value, w in weighted:
            x -= w
            if x < 0:
                return value
        return weighted[-1][0]


DEVICES = [
    {"n": 1, "seed": seed_of("device 1"), "evaluator": "张敏", "team": "第三方测评一组", "day": 0},
    {"n": 2, "seed": seed_of("device 2"), "evaluator": "李强", "team": "第三方测评二组", "day": 1},
    {"n": 3, "seed": seed_of("device 3"), "evaluator": "王芳", "team": "第三方测评三组", "day": 2},
]
UNKNOWN = {"n": 9, "seed": bf.UNENROLLED_SEED, "evaluator": "赵磊", "team": "第三方测评四组", "day": 2}
for _d in DEVICES + [UNKNOWN]:
    _d["key"] = bf.public_key(_d["seed"])
    _d["keyid"] = bf.keyid(_d["key"])

# How residents of each unit feel on the whole (the centre of the 1-5 answers), and how many
# responses each device recorded there, in visiting order.
MOOD = {
    "yunling_qingxi": 4.45,
    "yunling_shangtang": 3.95,
    "baisha_taoyuan": 3.35,
    "baisha_shimen": 2.9,
    "chengnan_zhulin": 3.8,
    "chengnan_heping": 3.2,
}
VISITS = {
    1: [("yunling_qingxi", 14), ("yunling_shangtang", 11)],
    2: [("baisha_taoyuan", 12), ("baisha_shimen", 2)],
    3: [("chengnan_zhulin", 10), ("chengnan_heping", 9)],
}
# Questions residents rate lower than the rest, and how often they do not know.
LEANING = {"dev_economy": -0.6, "member_review": -0.35, "open_decisions": -0.25, "svc_requests": -0.2,
           "branch_unity": 0.15, "dev_environment": 0.2}
DONT_KNOW = {"member_review": 0.15, "story_examples": 0.1, "dev_economy": 0.1, "conduct_fair": 0.06,
             "records_lists": 0.06, "open_decisions": 0.05}
SUGGESTIONS = [
    "希望村里的路灯晚上能多开一会儿。",
    "公示栏的内容可以更新得更勤一些，字也印大一点。",
    "建议多组织几次政策宣讲，讲得再通俗一些。",
    "村道坑洼的地方希望尽快修补。",
    "党群服务中心周末也能开门就好了。",
    "希望多关心一下独居老人。",
    "垃圾分类点的清运可以再及时一点。",
]
# Special responses: (device, seq) -> what is special about them.
SPEEDING_FLOOR = (2, 5)  # about 1 s a question: under the 2 s a question floor
SPEEDING_MEDIAN = (3, 16)  # about 3 s a question: above the floor, under 0.3 x median
CONTRADICTION = (1, 6)  # open_affairs 5 and open_board_stale 5
CONFLICT = (1, 13)  # re-exported with one answer changed


def likert(rng, centre):
    return max(1, min(5, round(centre + rng.uniform(-1.05, 1.05))))


def answers_for(rng, unit, mood, special):
    """The (question id, value, changes) answers of one resident, in page order, only the
    relevant questions; required questions always answered."""
    person = mood + rng.uniform(-0.55, 0.55)
    community = unit.startswith("chengnan_")
    relation = rng.pick(
        [("registered", 0.45 if community else 0.8), ("resident_nonlocal", 0.4 if community else 0.1),
         ("resident_short", 0.05), ("works_here", 0.1 if community else 0.05)]
    )
    years = "lt1" if relation == "resident_short" else rng.pick([("y1_3", 0.2), ("y3_10", 0.3), ("gt10", 0.5)])
    pairs = [
        ("bg_relation", relation, 0),
        ("bg_years", years, 0),
        ("bg_identity", rng.pick([("public", 0.72), ("party_member", 0.18), ("representative", 0.1)]), 0),
    ]
    values = {}
    for q in QUESTIONS:
        qid = q["id"]
        if q["kind"] != "scale" or qid in ("open_board_stale", "svc_asked_result"):
            continue
        if rng.random() < DONT_KNOW.get(qid, 0.02):
            values[qid] = 9
        else:
            values[qid] = likert(rng, person + LEANING.get(qid, 0.0))
    # The reverse item follows open_affairs ("the notice board was not updated"): agreeing goes
    # with being dissatisfied, give or take one point.
    affairs = values["open_affairs"]
    if affairs == 9:
        values["open_board_stale"] = 9 if rng.random() < 0.7 else 3
    else:
        values["open_board_stale"] = max(1, min(5, 6 - affairs + rng.pick([(-1, 0.25), (0, 0.5), (1, 0.25)])))
    if special == "contradiction":
        values["open_affairs"], values["open_board_stale"] = 5, 5
    asked = rng.random() < 0.4
    for q in QUESTIONS:
        qid = q["id"]
        if q["kind"] == "scale" and qid != "svc_asked_result":
            pairs.append((qid, values[qid], 1 if rng.random() < 0.08 else 0))
        elif qid == "svc_asked":
            pairs.append((qid, asked, 0))
        elif qid == "svc_asked_result" and asked:  # relevant only when svc_asked is true
            pairs.append((qid, likert(rng, person - 0.1), 0))
        elif qid == "suggestions" and rng.random() < 0.35:
            pairs.append((qid, SUGGESTIONS[rng.below(len(SUGGESTIONS))], rng.below(3)))
    return pairs


def make_response(device, seq, unit, start, attempt):
    special = {SPEEDING_FLOOR: "fast", SPEEDING_MEDIAN: "hasty", CONTRADICTION: "contradiction"}.get(
        (device["n"], seq)
    )
    rng = Rng(f"device {device['n']} seq {seq} attempt {attempt}")
    pairs = answers_for(rng, unit, MOOD[unit], special)
    apart = {"fast": 1, "hasty": 3}.get(special, 12 + rng.below(10))
    answers = bf.answers_in_order(pairs, start, seconds_apart=apart)
    last = max(a["at"] for a in answers.values())
    return {
        "id": uuid_of(f"response device {device['n']} seq {seq}"),
        "survey_id": bf.SURVEY_ID,
        "fingerprint": bf.FINGERPRINT,
        "unit": unit,
        "device": device["keyid"],
        "seq": seq,
        "answers": answers,
        "started_at": start,
        "finished_at": last + (2_000 if special in ("fast", "hasty") else 4_000 + rng.below(20_000)),
        "mode": "self" if rng.random() < 0.15 else "interview",
        "lang": "zh-CN",
        "app_version": bf.APP_VERSION,
    }


def device_responses(device, attempts):
    """All responses the device recorded, seq 1.., a day's visits from 08:30 local time."""
    out = []
    t = bf.DAY + device["day"] * DAY_MS - 30 * bf.MINUTE  # DAY is 09:00 +08:00
    seq = 0
    for unit, count in VISITS[device["n"]]:
        for _ in range(count):
            seq += 1
            r = make_response(device, seq, unit, t, attempts.get(unit, 0))
            out.append(r)
            t = r["finished_at"] + (8 + Rng(f"walk {device['n']} {seq}").below(15)) * bf.MINUTE
        t += 40 * bf.MINUTE  # to the next village
    return out


def unit_index(responses, unit):
    group = [r for r in responses if r["unit"] == unit]
    return ref.group_scores(SURVEY, ref.items_of(SURVEY), group)["index"]


def choose_tie_attempt(all_responses):
    """Re-draws chengnan_zhulin's residents until its index differs from yunling_shangtang's
    but prints the same at 2 decimals (away from a rounding half)."""
    target = unit_index(all_responses(1, {}), "yunling_shangtang")
    for attempt in range(1, 5000):
        index = unit_index(all_responses(3, {"chengnan_zhulin": attempt}), "chengnan_zhulin")
        if (
            ref.round2(index) == ref.round2(target)
            and abs(index - target) > 1e-3
            and abs((index * 100) % 1 - 0.5) > 0.05
            and abs((target * 100) % 1 - 0.5) > 0.05
        ):
            return attempt
    sys.exit("no tie found; change MOOD")


def payload(device, responses, seq_high, label, created_at):
    p = bf.payload_dict(responses, seq_high, seed=device["seed"], bundle_id=uuid_of(f"bundle {label}"))
    p["created_at"] = created_at
    p["device"]["evaluator"] = device["evaluator"]
    p["device"]["team"] = device["team"]
    return p


def signed(device, responses, seq_high, label, created_at):
    return bf.signed_file(payload(device, responses, seq_high, label, created_at), device["seed"])


def roster_bytes():
    devices = [
        {"key": bf.b64(d["key"]), "keyid": d["keyid"], "evaluator": d["evaluator"], "team": d["team"]}
        for d in DEVICES
    ]
    return (json.dumps({"format": "roster/1", "devices": devices}, ensure_ascii=False, indent=2) + "\n").encode()


def generate(out):
    """Writes every fixture into `out`; returns the names written."""
    out.mkdir(parents=True, exist_ok=True)
    bf.VALID = out  # department_identity() keeps the identity there (made once, then reused)
    d1, d2, d3 = DEVICES

    def all_responses(n, attempts):
        return device_responses(DEVICES[n - 1], attempts)

    tie = choose_tie_attempt(all_responses)
    r1 = all_responses(1, {})
    r2 = all_responses(2, {})
    r3 = all_responses(3, {"chengnan_zhulin": tie})
    by_seq = lambda rs: {r["seq"]: r for r in rs}  # noqa: E731
    s1, s2, s3 = by_seq(r1), by_seq(r2), by_seq(r3)

    def after(rs):  # a few minutes after the last response in the file
        return max(r["finished_at"] for r in rs) + 7 * bf.MINUTE + 12_345

    files = {}
    a = [s1[s] for s in range(1, 14)]
    files["device1-a.bundle.json"] = signed(d1, a, 13, "device1-a", after(a))
    # Seq 13 again, but with one answer changed after the first export: a conflict.
    edited = json.loads(json.dumps(s1[CONFLICT[1]]))
    answer = edited["answers"]["branch_unity"]
    answer["value"] = 2 if answer["value"] != 2 else 3
    answer["changes"] += 1
    b = [s1[12], edited] + [s1[s] for s in range(14, 26)]
    files["device1-b.bundle.json"] = signed(d1, b, 25, "device1-b", after(b))
    c = [s2[s] for s in range(1, 15)]
    files["device2.bundle.json"] = signed(d2, c, 14, "device2", after(c))
    again = [s2[s] for s in range(8, 15)]
    files["device2-again.bundle.json"] = signed(d2, again, 14, "device2-again", after(again) + 95 * bf.MINUTE)
    e = [s3[s] for s in range(1, 13)]
    files["device3.bundle.json"] = signed(d3, e, 12, "device3", after(e))
    f = [s3[s] for s in range(15, 20)]  # 13 and 14 were never delivered
    files["device3-later.bundle.json"] = signed(d3, f, 19, "device3-later", after(f))
    unknown = [
        make_response(UNKNOWN, seq, "chengnan_heping", bf.DAY + 2 * DAY_MS + seq * 20 * bf.MINUTE, 0)
        for seq in (1, 2, 3)
    ]
    files["unknown-device.bundle.json"] = signed(UNKNOWN, unknown, 3, "unknown-device", after(unknown))

    written = {"roster.json", "department-identity.txt", "expected.json"}
    bf.write(out / "roster.json", roster_bytes())
    bf.department_identity()
    for name, data in files.items():
        bf.write(out / name, data)
        written.add(name)
    # Only the encrypted copy of device1-b is delivered.
    plain = out / "device1-b.bundle.json"
    bf.write_age(plain)
    plain.unlink()
    written.discard("device1-b.bundle.json")
    written.add("device1-b.bundle.json.age")

    result = ref.expected(SURVEY_FILE, out / "roster.json", out / "department-identity.txt", [out])
    bf.write(out / "expected.json", json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return written


def decrypt(path, identity):
    return subprocess.run(["age", "-d", "-i", str(identity), str(path)], capture_output=True, check=True).stdout


def check():
    """Regenerates into a temporary folder (with the committed identity) and compares."""
    problems = []
    identity = OUT / "department-identity.txt"
    if not identity.exists():
        print(f"{identity.relative_to(ROOT)} is missing; run make_fixtures.py", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        shutil.copyfile(identity, tmp / identity.name)
        generate(tmp)
        fresh = sorted(p.name for p in tmp.iterdir())
        committed = sorted(p.name for p in OUT.iterdir())
        for name in sorted(set(fresh) ^ set(committed)):
            problems.append(f"{name}: {'not committed' if name in fresh else 'no longer generated'}")
        for name in sorted(set(fresh) & set(committed)):
            new, old = tmp / name, OUT / name
            if name.endswith(".age"):
                try:
                    same = decrypt(new, identity) == decrypt(old, identity)
                except subprocess.CalledProcessError as err:
                    problems.append(f"{name}: does not decrypt: {err.stderr.decode('utf-8', 'replace').strip()}")
                    continue
            else:
                same = new.read_bytes() == old.read_bytes()
            if not same:
                problems.append(f"{name}: differs from a fresh generation")
    for p in problems:
        print(f"tests/fixtures/department/{p}", file=sys.stderr)
    summary = f"{OUT.relative_to(ROOT)} checked against a fresh generation"
    print(f"FAIL: {summary}" if problems else f"ok: {summary}", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description="Write (or --check) tests/fixtures/department/.")
    parser.add_argument("--check", action="store_true", help="fail if the committed fixtures are not current")
    args = parser.parse_args()
    if args.check:
        return check()
    written = generate(OUT)
    for stale in sorted(p for p in OUT.iterdir() if p.name not in written):
        stale.unlink()
    print(f"wrote {OUT.relative_to(ROOT)}: {len(written)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
