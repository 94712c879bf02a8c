#!/usr/bin/env python3
"""Writes tests/fixtures/department-round/: one evaluation round of the party-building survey
(round file, plan and frames) and the bundle/2 files of its tablets as a department receives
them, with every way of leaving the sample that docs/compliance.md names, and expected.json,
what the department must compute from them, worked out by the independent references
tests/department/compliance_reference.py (the compliance check) and
tests/department/score_reference.py (the scored report).

The round (2026-q4-compliance, built by tests/rounds/check_round.py's build_round from plan.json
with the example organiser key): all six units of the survey, five drawn (chengnan_zhulin is not
sampled), attempts_before_substitute 3 everywhere, off-sample interviews allowed only in
chengnan_heping. Five enrolled tablets:

    device 1, 王芳 (device-1 seed)   yunling_qingxi n 5, yunling_shangtang n 5   substitution 1/10
    device 2, 张伟 (device-2 seed)   baisha_taoyuan n 10                          0/8
    device 3, 李强                   baisha_shimen n 10 (many refusals)          5/8, flagged
    device 4, 陈静                   chengnan_heping n 10 (off-sample allowed)    1/8
    device 5, 刘洋                   no assignment (a reserve tablet)

    - substitution rates 0.1, 0, 0.625, 0.125 (all four drew 10): median 0.1125, MAD 0.0625,
      threshold 0.1125 + 3 x 1.4826 x 0.0625 = 0.3904875: only device 3 is flagged.
    - findings: not_drawn, wrong_unit (a unit chosen wrongly, the unsampled unit, no unit),
      not_assigned (device 3 in device 1's unit, device 5 twice), out_of_order (interviewed
      before the non-response that releases the household was recorded; never released, with a
      false sample.slot), duplicate_household (the same household twice by one device, and by
      two devices), off_sample_not_allowed; README.md lists them by response id.
    - statuses: refusals, vacant and not-eligible households, not at home x1, x2 and x3 (final),
      substitutes released and interviewed (one with started_at equal to the releasing
      contact's at), a contact re-exported with another outcome (a contact conflict), a
      response re-exported with an answer changed (a response conflict), contacts of the
      unsampled unit and of a household outside its unit's frame.
    - refused or quarantined files carry contacts that would change the figures if they were
      imported.

Files:

    plan.json, frames/*.csv                    the organiser's plan (devices inline)
    2026-q4-compliance.round.json              the round file (round/1)
    device1-a, device1-b .bundle.json          device 1, day 1 and day 2 (b repeats a)
    device1-stale-round.bundle.json            device 1, naming an earlier build: other_round
    device2-a, device2-b .bundle.json          device 2 (b: a contact and a response changed)
    device2-outside-round.bundle.json          device 2, bundle/1 of the survey: not_in_round
    device3-a, device3-b .bundle.json          device 3
    device3-other-survey.bundle.json           device 3, another survey's fingerprint: unknown_survey
    device4-a, device4-b .bundle.json          device 4
    device4-other-round.bundle.json            device 4, another round: other_round
    device5.bundle.json                        device 5 (enrolled, no assignment)
    unenrolled-device.bundle.json              a tablet not in the round: quarantined (unknown_key)
    expected.json                              files, compliance, counted, report
    README.md                                  the story, response by response

Deterministic: seeds, ids (UUIDs from labels) and times are fixed and Ed25519 signatures are
deterministic, so a re-run writes identical files.

Usage: python3 tests/department/make_round_fixtures.py            (write the fixtures)
       python3 tests/department/make_round_fixtures.py --check    (regenerate into a temporary
                                                                  folder and fail if anything
                                                                  differs; then self-checks)
Both end with `N of M compliance checks passed` (the story is what it was designed to be) and
exit 1 when any check fails.
Needs: cryptography, rfc8785 (tests/requirements.txt). The bundle primitives come from
tests/bundles/make_fixtures.py and the answers from tests/department/make_fixtures.py, imported
as modules; the draw and build_round from tests/rounds/check_round.py.
"""

import argparse
import base64
import copy
import datetime
import hashlib
import importlib.util
import json
import pathlib
import sys
import tempfile

import rfc8785

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "tests" / "fixtures" / "department-round"
EXAMPLE = ROOT / "tests" / "fixtures" / "rounds" / "example"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dm = _load("department_fixtures", HERE / "make_fixtures.py")  # answers, Rng, uuid_of
bf = dm.bf  # tests/bundles/make_fixtures.py: canonical JSON, signing, payloads
sref = dm.ref  # tests/department/score_reference.py
cref = _load("compliance_reference", HERE / "compliance_reference.py")
check_round = cref.check_round  # tests/rounds/check_round.py

SURVEY = bf.SURVEY
ROUND_ID = "2026-q4-compliance"
ROUND_FILE = f"{ROUND_ID}.round.json"
SEED = "2026-11-30 福利彩票 3D 第2026317期 开奖号码 4 0 7"
SEED_SOURCE = "中国福利彩票 3D 第2026317期开奖公告, 2026-11-30"
TITLE = {"zh-CN": "2026年第四季度测评（实地核查）", "en": "2026 Q4 evaluation (fieldwork check)"}
PERIOD = {"from": "2026-12-01", "to": "2026-12-20"}
ORGANISER = "县委组织部"
OTHER_ROUND_ID = "2026-q4-supplement"

QINGXI, SHANGTANG, TAOYUAN, SHIMEN, ZHULIN, HEPING = (
    "yunling_qingxi", "yunling_shangtang", "baisha_taoyuan", "baisha_shimen", "chengnan_zhulin",
    "chengnan_heping")  # fmt: skip


def seed_of(label):
    """A fixed 32-byte Ed25519 seed (test only) derived from a label."""
    return hashlib.sha256(f"survey-kit department-round fixture: {label}".encode("utf-8")).digest()


def uuid_of(label):
    return dm.uuid_of(f"department-round: {label}")


def example_seed(n):
    return bytes.fromhex((EXAMPLE / f"device-{n}.seed.hex").read_text(encoding="ascii").strip())


DEVICES = {
    "d1": {"n": 1, "seed": example_seed(1), "evaluator": "王芳", "team": "一组"},
    "d2": {"n": 2, "seed": example_seed(2), "evaluator": "张伟", "team": "二组"},
    "d3": {"n": 3, "seed": seed_of("device 3"), "evaluator": "李强", "team": "三组"},
    "d4": {"n": 4, "seed": seed_of("device 4"), "evaluator": "陈静", "team": "四组"},
    "d5": {"n": 5, "seed": seed_of("device 5"), "evaluator": "刘洋", "team": "机动组"},
}
UNENROLLED = {"n": 9, "seed": seed_of("unenrolled device"), "evaluator": "孙浩", "team": ""}
for _name, _d in list(DEVICES.items()) + [("u", UNENROLLED)]:
    _d["name"] = _name
    _d["key"] = bf.public_key(_d["seed"])
    _d["keyid"] = bf.keyid(_d["key"])

# ------------------------------------------------------------------------ frames, plan --

GROUPS = {
    "yunling": {"zh-CN": "云岭镇", "en": "Yunling Town"},
    "baisha": {"zh-CN": "白沙乡", "en": "Baisha Township"},
    "chengnan": {"zh-CN": "城南街道", "en": "Chengnan Subdistrict"},
}
# unit id -> (household codes in file order, address of each)
FRAMES = {
    QINGXI: [(f"青溪村{g}组{n}号", f"云岭镇青溪村{g}组") for g in "一二三" for n in (1, 2, 3, 5)],
    SHANGTANG: [(f"上塘村{n}号", "云岭镇上塘村") for n in range(1, 13)],
    TAOYUAN: [(f"桃源村{g}组{n}号", f"白沙乡桃源村{g}组") for g in (1, 2, 3) for n in range(1, 7)],
    SHIMEN: [(f"石门村{p}{n}号", f"白沙乡石门村{p}") for p in ("上湾", "下湾") for n in range(1, 10)],
    ZHULIN: [(f"1号楼{u}单元{f}0{r}", f"城南街道竹林社区1号楼{u}单元") for u in (1, 2) for f in (1, 2, 3) for r in (1, 2)],
    HEPING: [(f"{b}-1-{f}0{r}", f"城南街道和平社区{b}栋1单元") for b in (1, 2, 3) for f in (1, 2, 3) for r in (1, 2)],
}
N = {QINGXI: 5, SHANGTANG: 5, TAOYUAN: 10, SHIMEN: 10, HEPING: 10}  # others: the default 5
OFF_SAMPLE = {HEPING}
ASSIGNED = {QINGXI: "d1", SHANGTANG: "d1", TAOYUAN: "d2", SHIMEN: "d3", HEPING: "d4"}
DRAW_UNITS = 5


def frame_csv(unit):
    lines = ["household,address"] + [f"{code},{address}" for code, address in FRAMES[unit]]
    return ("\n".join(lines) + "\n").encode("utf-8")


def plan_dict():
    units = []
    for u in SURVEY["units"]:
        entry = {"id": u["id"], "frame": f"frames/{u['id']}.csv", "group": GROUPS[u["id"].split("_")[0]]}
        if u["id"] in N:
            entry["n"] = N[u["id"]]
        if u["id"] in OFF_SAMPLE:
            entry["off_sample"] = True
        units.append(entry)
    return {
        "format": "plan/1",
        "id": ROUND_ID,
        "title": TITLE,
        "period": PERIOD,
        "organiser": ORGANISER,
        "survey": "../../../survey-schemas/party-building-satisfaction.json",
        "seed": SEED,
        "seed_source": SEED_SOURCE,
        "draw_units": DRAW_UNITS,
        "defaults": {"n": 5, "attempts_before_substitute": 3, "off_sample": False},
        "units": units,
        "devices": [
            {"key": bf.b64(d["key"]), "keyid": d["keyid"], "evaluator": d["evaluator"], "team": d["team"]}
            for d in DEVICES.values()
        ],
        "assignments": [{"unit": u, "device": DEVICES[d]["keyid"]} for u, d in ASSIGNED.items()],
    }


def order_of(unit):
    return check_round.draw(SEED, ROUND_ID, "households/" + unit, [code for code, _ in FRAMES[unit]])


# ----------------------------------------------------------------------------- the story --


def at(text):
    """'MM-DD HH:MM:SS[.mmm]' in 2026, +08:00 -> ms since the epoch."""
    day, clock = text.split(" ")
    ms = 0
    if "." in clock:
        clock, frac = clock.split(".")
        ms = int(frac)
    month, mday = (int(x) for x in day.split("-"))
    h, m, s = (int(x) for x in clock.split(":"))
    t = datetime.datetime(2026, month, mday, h, m, s, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    return int(t.timestamp()) * 1000 + ms


def C(time, unit, hh, outcome, note, label):  # noqa: N802  a contact attempt
    return {"kind": "contact", "time": time, "unit": unit, "hh": hh, "outcome": outcome, "note": note,
            "label": label}  # fmt: skip


def I(time, unit, hh, label, expect=(), why="", off=False, slot=None):  # noqa: N802,E741  an interview
    return {"kind": "interview", "time": time, "unit": unit, "hh": hh, "label": label, "expect": list(expect),
            "why": why, "off": off, "slot": slot}  # fmt: skip


def EDIT(time, label, **changes):  # noqa: N802  a recorded contact changed on the tablet
    return {"kind": "edit", "time": time, "label": label, "changes": changes}


def AMEND(time, label):  # noqa: N802  a finished response whose answer changed (a tablet bug)
    return {"kind": "amend", "time": time, "label": label}


# hh: a position (int) in the draw order of the event's unit, ("unit", position) in another
# unit's draw order, or a household code (str).
STORY = {
    "d1": [
        C("12-01 09:05:12", QINGXI, 1, "not_at_home", "家中无人，邻居说下午回来。", "qingxi p1 not at home"),
        C("12-01 09:25:40", QINGXI, 2, "refused", "户主说太忙，不愿意接受访问。", "qingxi p2 refused"),
        I("12-01 09:40:05", QINGXI, 3, "qingxi p3"),
        I("12-01 10:20:31", QINGXI, 4, "qingxi p4"),
        I("12-01 11:00:47", QINGXI, 5, "qingxi p5"),
        I("12-01 11:40:10", QINGXI, "青溪村村口小卖部", "qingxi off-sample shopkeeper", ["off_sample_not_allowed"],
          "an off-sample interview (the shopkeeper at the village entrance) in yunling_qingxi, whose "
          "off_sample is false", off=True),
        I("12-01 13:30:22", QINGXI, 6, "qingxi p6",
          why="substitute: released by the refusal of position 2 at 09:25"),
        C("12-01 14:20:03", QINGXI, "青溪村四组9号", "not_at_home", "门牌不在名单上，顺路记录。",
          "qingxi household outside the frame"),
        I("12-01 15:00:18", QINGXI, 1, "qingxi p1 second visit", why="interviewed after one not-at-home"),
        C("12-02 09:00:44", SHANGTANG, 2, "not_at_home", "", "shangtang p2 not at home 1"),
        I("12-02 09:20:15", SHANGTANG, 1, "shangtang p1"),
        I("12-02 10:00:09", SHANGTANG, 3, "shangtang p3"),
        C("12-02 10:40:36", SHANGTANG, 2, "not_at_home", "第二次上门仍无人。", "shangtang p2 not at home 2"),
        I("12-02 11:00:52", SHANGTANG, 4, "shangtang p4"),
        I("12-02 11:40:27", SHANGTANG, 5, "shangtang p5"),
        I("12-02 13:30:11", SHANGTANG, "上塘村99号", "shangtang household not in any frame", ["not_drawn"],
          "上塘村99号 is in no frame of the round (sample.slot 6 is not trusted)", slot=6),
        I("12-02 14:30:40", QINGXI, (SHANGTANG, 8), "qingxi unit with a shangtang household", ["wrong_unit"],
          "unit yunling_qingxi, but the household is in yunling_shangtang's frame (the unit was not "
          "switched on the tablet)"),
        I("12-02 15:30:05", SHANGTANG, 2, "shangtang p2 third visit",
          why="interviewed after two not-at-homes (not final: attempts_before_substitute is 3)"),
    ],
    "d2": [
        I("12-01 09:00:30", TAOYUAN, 1, "taoyuan p1"),
        I("12-01 09:40:12", TAOYUAN, 2, "taoyuan p2"),
        C("12-01 10:20:05", TAOYUAN, 3, "not_at_home", "家中无人。", "taoyuan p3 not at home"),
        I("12-01 10:40:48", TAOYUAN, 4, "taoyuan p4",
          why="a response conflict: device2-b carries it with an answer changed, so neither version counts"),
        I("12-01 11:20:19", TAOYUAN, 5, "taoyuan p5"),
        I("12-01 14:00:37", TAOYUAN, 3, "taoyuan p3 second visit"),
        C("12-01 15:00:02", TAOYUAN, 10, "refused", "", "taoyuan p10"),
        I("12-02 09:00:14", TAOYUAN, 6, "taoyuan p6"),
        I("12-02 09:40:50", TAOYUAN, 7, "taoyuan p7"),
        I("12-02 10:20:33", TAOYUAN, 8, "taoyuan p8"),
        I("12-02 11:00:26", TAOYUAN, 9, "taoyuan p9"),
        I("12-02 14:00:08", None, "桃源村集市摊位3号", "no unit, off-sample", ["wrong_unit"],
          "unit null (an off-sample interview at the market recorded without a unit)", off=True),
        EDIT("12-02 15:10:00", "taoyuan p10", outcome="not_eligible", note="核实后该户常住外地，不属于调查对象。"),
        AMEND("12-02 16:00:00", "taoyuan p4"),
    ],
    "d3": [
        I("12-01 16:00:25", QINGXI, 2, "qingxi p2 by device 3", ["not_assigned"],
          "yunling_qingxi is assigned to device 1; position 2 had refused device 1 that morning and stays refused"),
        C("12-02 08:40:10", SHIMEN, 1, "refused", "不愿意参加。", "shimen p1 refused"),
        C("12-02 09:00:33", SHIMEN, 2, "vacant", "房屋空置。", "shimen p2 vacant"),
        C("12-02 09:15:47", SHIMEN, 3, "not_eligible", "住户为临时借住人员，不属于调查对象。", "shimen p3 not eligible"),
        C("12-02 09:30:02", SHIMEN, 4, "not_at_home", "", "shimen p4 not at home 1"),
        C("12-02 09:45:29", SHIMEN, 5, "refused", "", "shimen p5 refused"),
        I("12-02 10:00:41", SHIMEN, 8, "shimen p8"),
        I("12-02 10:40:16", SHIMEN, 9, "shimen p9"),
        I("12-02 11:20:55", SHIMEN, 11, "shimen p11", why="substitute: 4 final non-responses released 11-14"),
        I("12-02 13:30:07", SHIMEN, 12, "shimen p12", why="substitute"),
        I("12-02 14:10:38", SHIMEN, 13, "shimen p13", why="substitute"),
        C("12-02 14:50:21", SHIMEN, 4, "not_at_home", "第二次上门仍无人。", "shimen p4 not at home 2"),
        C("12-02 15:10:44", SHIMEN, 6, "refused", "", "shimen p6 refused"),
        C("12-02 15:30:19", SHIMEN, 7, "vacant", "房屋在翻修，无人居住。", "shimen p7 vacant"),
        I("12-02 15:50:03", SHIMEN, 14, "shimen p14", why="substitute"),
        C("12-03 09:00:26", SHIMEN, 4, "not_at_home", "第三次上门仍无人。", "shimen p4 not at home 3"),
        I("12-03 09:20:58", SHIMEN, 10, "shimen p10"),
        I("12-03 10:00:34", SHIMEN, 15, "shimen p15", why="substitute: the third not-at-home of position 4 is final"),
        C("12-03 10:40:12", SHIMEN, 16, "not_at_home", "", "shimen p16 not at home 1"),
        C("12-03 11:00:49", SHIMEN, 17, "not_at_home", "", "shimen p17 not at home 1"),
        C("12-03 14:00:15", SHIMEN, 17, "not_at_home", "第二次上门仍无人。", "shimen p17 not at home 2"),
        I("12-03 14:30:42", SHIMEN, 18, "shimen p18", ["out_of_order"],
          "position 18 needs 8 final non-responses among positions 1-17 and there are 7 (then and at the "
          "end); the tablet wrote sample.slot 3, which the department does not trust", slot=3),
    ],
    "d4": [
        I("12-03 09:00:18", HEPING, 1, "heping p1"),
        I("12-03 10:00:04", HEPING, 11, "heping p11", ["out_of_order", "duplicate_household"],
          "interviewed at 10:00, before the refusal of position 3 was recorded (10:30): only positions 1-10 "
          "were available; device 5 interviewed position 11 again on 12-04"),
        C("12-03 10:30:27", HEPING, 3, "refused", "户主表示不愿参加。", "heping p3 refused"),
        I("12-03 11:00:39", HEPING, 2, "heping p2"),
        I("12-03 11:40:55", HEPING, 5, "heping p5 first", ["duplicate_household"],
          "position 5 interviewed twice by device 4 (again on 12-04): neither counts"),
        I("12-03 13:00:31", HEPING, "和平社区广场晨练居民", "heping off-sample square", off=True,
          why="an allowed off-sample interview (chengnan_heping allows them)"),
        C("12-03 14:00:00.000", HEPING, 7, "vacant", "房屋出售中，无人居住。", "heping p7 vacant"),
        I("12-03 14:00:00.000", HEPING, 12, "heping p12",
          why="substitute released by the vacancy of position 7 recorded at the very millisecond the interview "
              "started (at <= started_at)"),
        I("12-03 15:00:22", HEPING, 4, "heping p4"),
        I("12-03 16:00:47", ZHULIN, 2, "zhulin p2", ["wrong_unit"],
          "chengnan_zhulin is not sampled (position 2 of its draw order)"),
        C("12-03 16:30:09", ZHULIN, 1, "not_at_home", "", "zhulin p1 not at home"),
        I("12-04 09:00:13", HEPING, 6, "heping p6"),
        I("12-04 09:40:36", HEPING, 8, "heping p8"),
        I("12-04 10:20:51", HEPING, 9, "heping p9"),
        I("12-04 11:00:28", HEPING, 10, "heping p10"),
        I("12-04 15:00:40", HEPING, 5, "heping p5 second", ["duplicate_household"],
          "position 5 again (first on 12-03)"),
    ],
    "d5": [
        I("12-04 10:00:19", HEPING, "和平社区快递驿站", "heping off-sample by device 5", ["not_assigned"],
          "an off-sample interview in chengnan_heping (allowed there) by device 5, which has no assignment",
          off=True),
        I("12-04 11:00:35", HEPING, 11, "heping p11 by device 5", ["not_assigned", "duplicate_household"],
          "device 5 is not assigned chengnan_heping; position 11 was available by then, but device 4 had "
          "interviewed it too"),
    ],
    "u": [
        C("12-04 09:30:14", HEPING, 14, "refused", "", "heping p14 refused by the unenrolled tablet"),
        I("12-04 10:30:52", HEPING, 13, "heping p13 by the unenrolled tablet"),
    ],
}

# The bundles each device exported: (file, time); each carries every response and contact of
# the device up to that time (contacts as edited by then).
BUNDLES = {
    "d1": [("device1-a.bundle.json", "12-01 18:10:00"), ("device1-b.bundle.json", "12-02 18:20:00")],
    "d2": [("device2-a.bundle.json", "12-01 17:30:00"), ("device2-b.bundle.json", "12-02 17:40:00")],
    "d3": [("device3-a.bundle.json", "12-02 18:00:00"), ("device3-b.bundle.json", "12-03 18:00:00")],
    "d4": [("device4-a.bundle.json", "12-03 18:00:00"), ("device4-b.bundle.json", "12-04 18:00:00")],
    "d5": [("device5.bundle.json", "12-04 17:00:00")],
    "u": [("unenrolled-device.bundle.json", "12-04 16:00:00")],
}
STALE_SHA256 = hashlib.sha256(
    b"survey-kit department-round fixture: an earlier build of 2026-q4-compliance").hexdigest()
OTHER_ROUND_SHA256 = hashlib.sha256(b"survey-kit department-round fixture: 2026-q4-supplement").hexdigest()

# What the files must come to (self-check).
EXPECTED_FILES = {
    "device1-stale-round.bundle.json": ("refused", "other_round"),
    "device2-outside-round.bundle.json": ("refused", "not_in_round"),
    "device3-other-survey.bundle.json": ("refused", "unknown_survey"),
    "device4-other-round.bundle.json": ("refused", "other_round"),
    "unenrolled-device.bundle.json": ("quarantined", "unknown_key"),
}
# The figures designed by hand (self-check): drawn, interviewed, substitutes, off_sample,
# refused, vacant, not_eligible, not_at_home_final, noncompliant.
FIGURES = ["drawn", "interviewed", "substitutes", "off_sample", "refused", "vacant", "not_eligible",
           "not_at_home_final", "noncompliant"]  # fmt: skip
EXPECTED_UNITS = {
    QINGXI: [5, 5, 1, 0, 1, 0, 0, 0, 3],
    SHANGTANG: [5, 5, 0, 0, 0, 0, 0, 0, 1],
    TAOYUAN: [10, 8, 0, 0, 0, 0, 0, 0, 0],
    SHIMEN: [10, 8, 5, 0, 3, 2, 1, 1, 1],
    HEPING: [10, 8, 1, 1, 1, 1, 0, 0, 5],
}
EXPECTED_EVALUATORS = {
    "d1": [10, 10, 1, 0, 1, 0, 0, 0, 3],
    "d2": [10, 8, 0, 0, 0, 0, 0, 0, 1],
    "d3": [10, 8, 5, 0, 3, 2, 1, 1, 2],
    "d4": [10, 8, 1, 1, 1, 1, 0, 0, 4],
}
EXPECTED_FLAGGED = {"d3"}
EXPECTED_COUNTED = {"default": 34, "include_noncompliant": 46, "include_off_sample": 35, "both": 47}
EXPECTED_CONTACTS = 21


def household(event):
    hh = event["hh"]
    if isinstance(hh, int):
        return order_of(event["unit"])[hh - 1]
    if isinstance(hh, tuple):
        return order_of(hh[0])[hh[1] - 1]
    return hh


def slot_of(event):
    """The sample.slot the tablet wrote: null off-sample, else the given one or the position."""
    if event["off"]:
        return None
    if event["slot"] is not None:
        return event["slot"]
    hh = event["hh"]
    return hh if isinstance(hh, int) else hh[1]


def make_response(device, seq, event, round_id=ROUND_ID, sample=True):
    unit = event["unit"]
    start = at(event["time"])
    rng = dm.Rng(f"department-round {device['name']} {event['label']}")
    mood = dm.MOOD.get(unit, 3.6)
    pairs = dm.answers_for(rng, unit or "", mood, None)
    answers = bf.answers_in_order(pairs, start, seconds_apart=12 + rng.below(10))
    last = max(a["at"] for a in answers.values())
    r = {
        "id": uuid_of(f"response {device['name']} {event['label']}"),
        "survey_id": bf.SURVEY_ID,
        "fingerprint": bf.FINGERPRINT,
        "unit": unit,
        "device": device["keyid"],
        "seq": seq,
        "answers": answers,
        "started_at": start,
        "finished_at": last + 4_000 + rng.below(20_000),
        "mode": "self" if rng.random() < 0.1 else "interview",
        "lang": "zh-CN",
        "app_version": bf.APP_VERSION,
    }
    if not sample:
        return r
    return bf.with_sample(r, household(event), slot_of(event), off_sample=event["off"], round_id=round_id)


def amended(response):
    """The same response with one answer changed afterwards (a new hash)."""
    r = copy.deepcopy(response)
    answer = r["answers"]["branch_unity"]
    answer["value"] = 2 if answer["value"] != 2 else 3
    answer["changes"] += 1
    return r


def make_contact(device, event):
    return {
        "id": uuid_of(f"contact {device['name']} {event['label']}"),
        "unit": event["unit"],
        "household": household(event),
        "at": at(event["time"]),
        "outcome": event["outcome"],
        "note": event["note"],
    }


def device_history(name):
    """[(time, responses so far, contacts so far)] after each event of the device: the state of
    the tablet (responses by label, contacts by label, in recording order)."""
    device = DEVICES.get(name, UNENROLLED)
    responses, contacts, seq = {}, {}, 0
    states = []
    for event in STORY[name]:
        if event["kind"] == "interview":
            seq += 1
            responses[event["label"]] = make_response(device, seq, event)
        elif event["kind"] == "contact":
            contacts[event["label"]] = make_contact(device, event)
        elif event["kind"] == "edit":
            contacts[event["label"]] = dict(contacts[event["label"]], **event["changes"])
        elif event["kind"] == "amend":
            responses[event["label"]] = amended(responses[event["label"]])
        states.append((at(event["time"]), dict(responses), dict(contacts), seq))
    return states


def state_at(name, time):
    last = ({}, {}, 0)
    for t, responses, contacts, seq in device_history(name):
        if t <= time:
            last = (responses, contacts, seq)
    return last


def bundle_payload(device, responses, contacts, seq_high, file, created_at, round_id=ROUND_ID,
                   round_sha=None, survey=None):  # fmt: skip
    p = bf.payload_dict(responses, seq_high, seed=device["seed"], bundle_id=uuid_of(f"bundle {file}"))
    p["created_at"] = created_at
    p["device"]["evaluator"] = device["evaluator"]
    p["device"]["team"] = device["team"]
    if survey is not None:
        p["survey"] = survey
    if round_sha is None:  # bundle/1
        return p
    p["format"] = "bundle/2"
    p["round"] = {"id": round_id, "sha256": round_sha}
    p["contacts"] = contacts
    return p


def bundle_files(round_sha):
    """file name -> bytes of every bundle file."""
    files = {}
    for name, exports in BUNDLES.items():
        device = DEVICES.get(name, UNENROLLED)
        for file, time in exports:
            responses, contacts, seq = state_at(name, at(time))
            p = bundle_payload(device, list(responses.values()), list(contacts.values()), seq, file, at(time),
                               round_sha=round_sha)  # fmt: skip
            files[file] = bf.signed_file(p, device["seed"])

    # Device 1 at noon on day 1, while the tablet still held an earlier build of the round (same
    # id, other bytes); the refusal of qingxi p2 carried no note yet, so importing this file
    # would make that contact a conflict (and qingxi p6 out of order).
    d1 = DEVICES["d1"]
    responses, contacts, seq = state_at("d1", at("12-01 12:05:00"))
    contacts = {k: dict(v, note="") if k == "qingxi p2 refused" else v for k, v in contacts.items()}
    p = bundle_payload(d1, list(responses.values()), list(contacts.values()), seq, "device1-stale-round",
                       at("12-01 12:05:00"), round_sha=STALE_SHA256)  # fmt: skip
    files["device1-stale-round.bundle.json"] = bf.signed_file(p, d1["seed"])

    # Device 2 after the round, the same survey outside any round: bundle/1.
    d2 = DEVICES["d2"]
    seq = state_at("d2", at("12-31 00:00:00"))[2] + 1
    event = I("12-05 10:00:21", TAOYUAN, 11, "taoyuan after the round")
    r = make_response(d2, seq, event, sample=False)
    p = bundle_payload(d2, [r], None, seq, "device2-outside-round", at("12-05 10:30:00"))
    files["device2-outside-round.bundle.json"] = bf.signed_file(p, d2["seed"])

    # Device 3 with another survey's fingerprint (openness-of-affairs), for this round: a contact
    # that would release shimen p18 if it were imported.
    d3 = DEVICES["d3"]
    seq = state_at("d3", at("12-31 00:00:00"))[2]
    other = bf.OTHER_SURVEY
    survey = {"id": other["id"], "version": other["version"], "fingerprint": bf.sha256_hex(bf.canon(other))}
    trap = make_contact(d3, C("12-03 14:10:00", SHIMEN, 17, "refused", "", "shimen p17 refused (other survey)"))
    p = bundle_payload(d3, [], [trap], seq, "device3-other-survey", at("12-03 18:05:00"), round_sha=round_sha,
                       survey=survey)  # fmt: skip
    files["device3-other-survey.bundle.json"] = bf.signed_file(p, d3["seed"])

    # Device 4 two days later in another round (the county's supplement round).
    d4 = DEVICES["d4"]
    seq = state_at("d4", at("12-31 00:00:00"))[2] + 1
    event = I("12-06 10:00:44", HEPING, 13, "heping p13 in the supplement round")
    r = make_response(d4, seq, event, round_id=OTHER_ROUND_ID)
    trap = make_contact(d4, C("12-06 09:30:08", HEPING, 14, "refused", "", "heping p14 refused (supplement)"))
    p = bundle_payload(d4, [r], [trap], seq, "device4-other-round", at("12-06 11:00:00"), round_id=OTHER_ROUND_ID,
                       round_sha=OTHER_ROUND_SHA256)  # fmt: skip
    files["device4-other-round.bundle.json"] = bf.signed_file(p, d4["seed"])
    return files


# ---------------------------------------------------------------------------- expected --


def story_responses():
    """(device name, event, response id) of every interview of the enrolled devices."""
    out = []
    for name, events in STORY.items():
        if name == "u":
            continue
        for e in events:
            if e["kind"] == "interview":
                out.append((name, e, uuid_of(f"response {name} {e['label']}")))
    return out


def compute(round_bytes, files):
    payload, payload_bytes = cref.open_round(round_bytes)
    named = sorted(files.items())
    state = cref.import_bundles(payload, payload_bytes, named)
    result = cref.compliance(payload, payload_bytes, state)
    counted = {
        "default": cref.counted(payload, state),
        "include_noncompliant": cref.counted(payload, state, include_noncompliant=True),
        "include_off_sample": cref.counted(payload, state, include_off_sample=True),
        "both": cref.counted(payload, state, include_noncompliant=True, include_off_sample=True),
    }
    return payload, state, result, counted


def expected_json(payload, state, result, counted):
    return {
        "generated_by": "tests/department/make_round_fixtures.py with tests/department/compliance_reference.py "
                        "and tests/department/score_reference.py (independent of the Rust code)",
        "files": state["files"],
        "compliance": result,
        "counted": {k: len(v) for k, v in counted.items()},
        "report": sref.score(payload["survey"], counted["default"]),
    }


def readme(payload, state, result):
    rnd = cref.Round(payload)
    kid = {d["keyid"]: name for name, d in DEVICES.items()}
    lines = [
        "# Department fixtures with a round: fieldwork compliance",
        "",
        "Written by `tests/department/make_round_fixtures.py` (do not edit by hand); `expected.json` is",
        "computed by the independent references `tests/department/compliance_reference.py`",
        "(docs/compliance.md) and `tests/department/score_reference.py` (docs/scoring.md). Check with",
        "`python3 tests/department/make_round_fixtures.py --check`.",
        "",
        f"Round `{payload['id']}` (`{ROUND_FILE}`, built from `plan.json` with",
        "`tests/fixtures/rounds/example/organiser.pem`, a public test key): all six units of the survey,",
        f"{DRAW_UNITS} drawn; attempts_before_substitute 3 everywhere; off-sample interviews allowed only in",
        "chengnan_heping.",
        "",
        "| unit | sampled | n | frame | off_sample | assigned to |",
        "|---|---|---|---|---|---|",
    ]
    for u in payload["units"]:
        dev = rnd.assigned.get(u["id"])
        who = f"device {DEVICES[kid[dev]]['n']}, {DEVICES[kid[dev]]['evaluator']}" if dev else ""
        lines.append(f"| {u['id']} | {'yes' if u['sampled'] else 'no'} | {u['n']} | {len(u['households'])} | "
                     f"{'true' if u['off_sample'] else 'false'} | {who} |")  # fmt: skip
    lines += ["", "Devices (keyid order is the order of `evaluators`):", ""]
    for name, d in sorted(DEVICES.items(), key=lambda x: x[1]["keyid"]):
        lines.append(f"- device {d['n']}, {d['evaluator']} ({d['team']}), `{d['keyid'][:16]}…`"
                     + (" (no assignment)" if d["keyid"] not in rnd.assigned.values() else ""))  # fmt: skip
    lines.append(f"- not enrolled: {UNENROLLED['evaluator']}, `{UNENROLLED['keyid'][:16]}…`")
    lines += ["", "## Files", "", "| file | outcome | code |", "|---|---|---|"]
    for f in state["files"]:
        lines.append(f"| {f['file']} | {f['outcome']} | {f['code'] or ''} |")
    lines += [
        "",
        "Refused and quarantined files carry contacts that would change the figures if they were imported",
        "(device1-stale-round: the refusal of qingxi position 2 without its note, a contact conflict that",
        "would drop it; device3-other-survey: a refusal of shimen position 17 that would release position 18;",
        "device4-other-round and unenrolled-device: refusals in chengnan_heping).",
        "",
        "## Responses",
        "",
        "Positions are the department's (draw order of the response's unit); `findings` as computed.",
        "",
        "| response | device | unit | household | position | findings | why |",
        "|---|---|---|---|---|---|---|",
    ]
    by_id = {r["id"]: r for r in state["responses"]}
    listed = {f["response"]: f["findings"] for f in result["findings"]}
    conflicted = {c["id"] for c in state["conflicts"]}
    for name, e, rid in sorted(story_responses(), key=lambda x: (DEVICES[x[0]]["n"], at(x[1]["time"]))):
        r = by_id.get(rid)
        if r is None:
            codes = "(conflict: not accepted)" if rid in conflicted else "(not imported)"
            pos = ""
        else:
            codes = ", ".join(listed.get(rid, [])) or ("allowed off-sample" if e["off"] else "compliant")
            p = cref.position_of(rnd, r)
            pos = "" if p is None else str(p)
        lines.append(f"| `{rid}` | {DEVICES[name]['n']} | {e['unit'] or 'null'} | {household(e)} | {pos} | "
                     f"{codes} | {e['why']} |")  # fmt: skip
    lines += [
        "",
        "## Contacts",
        "",
        f"{result['contacts']} accepted contacts (device 1: qingxi position 1 not at home, position 2 refused, a",
        "household outside the frame; shangtang position 2 not at home x2. Device 2: taoyuan position 3 not at",
        "home; its refusal of position 10 was re-exported as not_eligible under the same id, a contact",
        f"conflict (`{', '.join(result['contact_conflicts'])}`), so position 10 has no status. Device 3: shimen",
        "positions 1-7 refused/vacant/not eligible/refused/refused/vacant and position 4 not at home x3",
        "(final), position 16 not at home x1, 17 x2. Device 4: heping position 3 refused, 7 vacant; a contact",
        "in the unsampled chengnan_zhulin, which changes no status).",
        "",
        "## Compliance (expected.json)",
        "",
        "| unit | drawn | interviewed | substitutes | off_sample | refused | vacant | not_eligible | "
        "not_at_home_final | noncompliant | response_rate | substitution_rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def fmt(x):
        return "null" if x is None else (f"{x:.4f}" if isinstance(x, float) else str(x))

    for u in result["units"]:
        lines.append("| " + " | ".join([u["unit"]] + [fmt(u[k]) for k in FIGURES + ["response_rate",
                                                                                  "substitution_rate"]]) + " |")
    lines += ["", "| evaluator | units | drawn | interviewed | substitutes | off_sample | refused | vacant | "
              "not_eligible | not_at_home_final | noncompliant | response_rate | substitution_rate | flagged |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for e in result["evaluators"]:
        d = DEVICES[kid[e["device"]]]
        lines.append("| " + " | ".join([f"device {d['n']}, {e['evaluator']}", str(e["units"])]
                                       + [fmt(e[k]) for k in FIGURES + ["response_rate", "substitution_rate"]]
                                       + ["yes" if e["flagged"] else "no"]) + " |")  # fmt: skip
    s = result["substitution"]
    lines += ["", f"Substitution: median {s['median']}, MAD {s['mad']}, threshold {s['threshold']} "
              "(median + 3 × 1.4826 × MAD): only device 3 is flagged.", ""]  # fmt: skip
    return "\n".join(lines)


def generate(out):
    """Writes every fixture into `out`; returns (names written, computed results)."""
    out.mkdir(parents=True, exist_ok=True)
    written = set()

    def put(name, data):
        bf.write(out / name, data)
        written.add(name)

    for unit in FRAMES:
        put(f"frames/{unit}.csv", frame_csv(unit))
    put("plan.json", json.dumps(plan_dict(), ensure_ascii=False, indent=2) + "\n")
    key = check_round.load_key((EXAMPLE / "organiser.pem").read_bytes())
    # Built from a copy of the plan with absolute paths, so that `out` may be any folder (the
    # committed plan's survey path is relative to tests/fixtures/department-round/).
    plan = plan_dict()
    plan["survey"] = str(bf.SURVEY_FILE)
    for u in plan["units"]:
        u["frame"] = str(out / u["frame"])
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        round_bytes = check_round.build_round(pathlib.Path(tmp) / "plan.json", key)
    put(ROUND_FILE, round_bytes)
    payload, payload_bytes = cref.open_round(round_bytes)
    files = bundle_files(cref.round_sha256(payload_bytes))
    for name, data in files.items():
        put(name, data)
    payload, state, result, counted = compute(round_bytes, files)
    expected = expected_json(payload, state, result, counted)
    put("expected.json", json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
    put("README.md", readme(payload, state, result))
    return written, (payload, state, result, counted, files)


# --------------------------------------------------------------------------- self-checks --


class Checks:
    def __init__(self):
        self.passed = self.total = 0

    def check(self, name, problem):
        self.total += 1
        if problem:
            print(f"FAIL: {name}: {problem}")
        else:
            self.passed += 1
            print(f"ok: {name}")


def self_checks(checks, computed, out):
    payload, state, result, counted, files = computed
    rnd = cref.Round(payload)
    kid = {d["keyid"]: name for name, d in DEVICES.items()}
    round_bytes = (out / ROUND_FILE).read_bytes()
    try:
        _, findings = check_round.verify_round(round_bytes, cref.organiser_keyid(payload))
        problem = "; ".join(f"{f.code} at {f.path}" for f in findings)
    except check_round.RoundError as e:
        problem = f"{e.code}: {e.message}"
    checks.check(f"{ROUND_FILE} verifies (tests/rounds/check_round.py, organiser announced)", problem)
    pem_key = bf.b64(check_round.public_raw(check_round.load_key((EXAMPLE / "organiser.pem").read_bytes())))
    checks.check("the round is signed with the example organiser key",
                 None if payload["organiser"]["key"] == pem_key else "another key")  # fmt: skip
    unsampled = [u["id"] for u in payload["units"] if not u["sampled"]]
    checks.check(f"all {len(SURVEY['units'])} units of the survey are in the round, {ZHULIN} is the unsampled one",
                 None if len(payload["units"]) == len(SURVEY["units"]) and unsampled == [ZHULIN]
                 else f"unsampled: {unsampled}")  # fmt: skip
    offs = [u["id"] for u in payload["units"] if u["off_sample"]]
    checks.check("exactly one unit allows off-sample interviews", None if offs == [HEPING] else str(offs))
    enrolled = len(payload["devices"])
    checks.check("five devices enrolled, four assigned", None if enrolled == 5 and len(set(rnd.assigned.values())) == 4
                 else f"{enrolled} enrolled")  # fmt: skip

    # files
    names = [f["file"] for f in state["files"]]
    checks.check("files listed in file-name order", None if names == sorted(names) else str(names))
    for f in state["files"]:
        want = EXPECTED_FILES.get(f["file"], ("imported", None))
        got = (f["outcome"], f["code"])
        checks.check(f"{f['file']}: {want[0]}" + (f" ({want[1]})" if want[1] else ""),
                     None if got == want else f"got {got}")  # fmt: skip

    # findings, response by response
    by_id = {r["id"]: r for r in state["responses"]}
    listed = {f["response"]: f["findings"] for f in result["findings"]}
    conflicted = {c["id"] for c in state["conflicts"]}
    for name, e, rid in story_responses():
        if rid in conflicted:
            checks.check(f"device {DEVICES[name]['n']} {e['label']}: a response conflict, not accepted",
                         None if rid not in by_id else "accepted")  # fmt: skip
            continue
        got = listed.get(rid, []) if rid in by_id else None
        checks.check(f"device {DEVICES[name]['n']} {e['label']}: findings {e['expect'] or 'none'}",
                     None if got == e["expect"] else f"got {got}")  # fmt: skip
    present = {code for f in result["findings"] for code in f["findings"]}
    for code in cref.FINDING_CODES:
        checks.check(f"finding {code} present", None if code in present else "missing")
    multi = [f for f in result["findings"] if len(f["findings"]) > 1]
    checks.check("a response with two findings", None if multi else "none")
    want_off = [rid for name, e, rid in story_responses() if e["off"] and not e["expect"]]
    checks.check("allowed off-sample interviews as designed",
                 None if want_off and [o["response"] for o in result["off_sample"]] == sorted(want_off)
                 else f"{result['off_sample']}")  # fmt: skip
    want = [uuid_of("contact d2 taoyuan p10")]
    checks.check("one contact conflict (taoyuan p10)", None if result["contact_conflicts"] == want
                 else str(result["contact_conflicts"]))  # fmt: skip
    want = [uuid_of("response d2 taoyuan p4")]
    checks.check("one response conflict (taoyuan p4)",
                 None if [c["id"] for c in state["conflicts"]] == want else str(state["conflicts"]))  # fmt: skip
    checks.check(f"{EXPECTED_CONTACTS} accepted contacts (repeated ones de-duplicated)",
                 None if result["contacts"] == EXPECTED_CONTACTS else str(result["contacts"]))  # fmt: skip

    # statuses seen
    shimen = cref.walk(cref.contacts_of(state, SHIMEN))
    order = rnd.orders[SHIMEN]
    checks.check("not at home x1, x2 and x3 statuses (shimen 16, 17, 4)",
                 None if (shimen.get(order[15]), shimen.get(order[16]), shimen.get(order[3]))
                 == (("not_at_home", 1), ("not_at_home", 2), ("not_at_home", 3)) else "other statuses")  # fmt: skip

    # figures
    for row in result["units"]:
        got = [row[k] for k in FIGURES]
        want = EXPECTED_UNITS.get(row["unit"])
        checks.check(f"unit {row['unit']}: {dict(zip(FIGURES, want or []))}", None if got == want else f"got {got}")
    checks.check("one unit row per sampled unit, in unit-id order",
                 None if [r["unit"] for r in result["units"]] == sorted(EXPECTED_UNITS) else "other rows")  # fmt: skip
    for row in result["evaluators"]:
        name = kid[row["device"]]
        got = [row[k] for k in FIGURES]
        want = EXPECTED_EVALUATORS.get(name)
        checks.check(f"evaluator device {DEVICES[name]['n']}: {dict(zip(FIGURES, want or []))}",
                     None if got == want else f"got {got}")  # fmt: skip
    checks.check("evaluator rows: the four assigned devices, in keyid order",
                 None if [r["device"] for r in result["evaluators"]]
                 == sorted(DEVICES[n]["keyid"] for n in EXPECTED_EVALUATORS) else "other rows")  # fmt: skip
    flagged = {kid[r["device"]] for r in result["evaluators"] if r["flagged"]}
    checks.check("only device 3 flagged by the MAD rule", None if flagged == EXPECTED_FLAGGED else str(flagged))
    s = result["substitution"]
    rates = sorted(r["substitution_rate"] for r in result["evaluators"])
    margin = min(abs(r - s["threshold"]) for r in rates) if s["threshold"] is not None else 0
    checks.check("no substitution rate within 0.05 of the threshold", None if margin > 0.05 else f"margin {margin}")
    checks.check("the threshold does not depend on the order of the multiplications",
                 None if s["median"] + 3 * 1.4826 * s["mad"] == s["median"] + 3 * (1.4826 * s["mad"])
                 == s["median"] + s["mad"] * 1.4826 * 3 else "it does")  # fmt: skip
    got = {k: len(v) for k, v in counted.items()}
    checks.check(f"counted {EXPECTED_COUNTED}", None if got == EXPECTED_COUNTED else str(got))
    report = sref.score(payload["survey"], counted["default"])
    bad = [u["unit"] for u in report["units"] if u["unit"] in EXPECTED_UNITS and u["suppressed"]]
    checks.check("no sampled unit suppressed in the default report", None if not bad else str(bad))
    small = [u["unit"] for u in result["units"] if u["interviewed"] < 5]
    checks.check("at least 5 compliant interviews per sampled unit", None if not small else str(small))
    # The refused and quarantined files matter: made acceptable, each would change the figures.
    for file, fixed in traps_made_acceptable(payload, files).items():
        names = sorted(n for n in files if n not in EXPECTED_FILES) + [file]
        other = payload
        if file.startswith("unenrolled"):  # enrolled for this check only
            other = dict(payload, devices=payload["devices"] + [TRAP_ENROLMENT])
        payload_bytes = rfc8785.dumps(payload)
        state2 = cref.import_bundles(other, payload_bytes, [(n, fixed if n == file else files[n]) for n in names])
        imported = state2["files"][-1]["outcome"] == "imported"
        changed = cref.compliance(other, payload_bytes, state2)["units"] != result["units"]
        checks.check(f"{file}, made acceptable, would be imported and change the unit figures",
                     None if imported and changed else f"imported {imported}, changed {changed}")  # fmt: skip
    try:
        key = check_round.load_key((EXAMPLE / "organiser.pem").read_bytes())
        rebuilt = check_round.build_round(OUT / "plan.json", key)
        problem = None if rebuilt == round_bytes else "other bytes"
    except (OSError, ValueError, check_round.FrameError) as e:
        problem = str(e)
    checks.check(f"the committed plan.json builds to {ROUND_FILE} (check_round.build_round)", problem)
    text = (out / "README.md").read_text(encoding="utf-8")
    missing = [f["response"] for f in result["findings"] if f["response"] not in text]
    checks.check("README.md names every response with a finding", None if not missing else str(missing))


TRAP_ENROLMENT = {"key": bf.b64(UNENROLLED["key"]), "keyid": UNENROLLED["keyid"], "evaluator": UNENROLLED["evaluator"],
                  "team": UNENROLLED["team"]}  # fmt: skip


def traps_made_acceptable(payload, files):
    """file -> bytes of each refused file re-made so that it passes (the unenrolled device's as
    it is: the check enrols it)."""
    sha = hashlib.sha256(rfc8785.dumps(payload)).hexdigest()
    survey = {"id": SURVEY["id"], "version": SURVEY["version"], "fingerprint": payload["survey_fingerprint"]}

    def remade(file, seed, change):
        p = json.loads(base64.b64decode(json.loads(files[file])["payload"]))
        change(p)
        for e in p["responses"]:
            e["response"]["sample"]["round"] = p["round"]["id"]
            e["hash"] = bf.sha256_hex(bf.canon(e["response"]))
        return bf.signed_file(p, seed)

    return {
        "device1-stale-round.bundle.json": remade("device1-stale-round.bundle.json", DEVICES["d1"]["seed"],
                                                  lambda p: p["round"].update(sha256=sha)),
        "device3-other-survey.bundle.json": remade("device3-other-survey.bundle.json", DEVICES["d3"]["seed"],
                                                   lambda p: p.update(survey=survey)),
        "device4-other-round.bundle.json": remade("device4-other-round.bundle.json", DEVICES["d4"]["seed"],
                                                  lambda p: p.update(round={"id": ROUND_ID, "sha256": sha})),
        "unenrolled-device.bundle.json": files["unenrolled-device.bundle.json"],
    }


def compare(tmp):
    problems = []
    fresh = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
    committed = sorted(str(p.relative_to(OUT)) for p in OUT.rglob("*") if p.is_file()) if OUT.exists() else []
    for name in sorted(set(fresh) ^ set(committed)):
        problems.append(f"{name}: {'not committed' if name in fresh else 'no longer generated'}")
    for name in sorted(set(fresh) & set(committed)):
        if (tmp / name).read_bytes() != (OUT / name).read_bytes():
            problems.append(f"{name}: differs from a fresh generation")
    return problems


def main():
    parser = argparse.ArgumentParser(description="Write (or --check) tests/fixtures/department-round/.")
    parser.add_argument("--check", action="store_true", help="fail if the committed fixtures are not current")
    args = parser.parse_args()
    checks = Checks()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            _, computed = generate(tmp)
            problems = compare(tmp)
            for p in problems:
                print(f"  {OUT.relative_to(ROOT)}/{p}", file=sys.stderr)
            checks.check(f"{OUT.relative_to(ROOT)} is identical to a fresh generation",
                         f"{len(problems)} difference(s)" if problems else None)  # fmt: skip
            with tempfile.TemporaryDirectory() as tmp2:
                generate(pathlib.Path(tmp2))
                again = [str(p.relative_to(tmp2)) for p in pathlib.Path(tmp2).rglob("*") if p.is_file()
                         and p.read_bytes() != (tmp / p.relative_to(tmp2)).read_bytes()]  # fmt: skip
            checks.check("two generations are byte for byte identical", f"differ: {again}" if again else None)
            self_checks(checks, computed, OUT if not problems else tmp)
    else:
        written, computed = generate(OUT)
        for stale in sorted(p for p in OUT.rglob("*") if p.is_file() and str(p.relative_to(OUT)) not in written):
            stale.unlink()
        print(f"wrote {OUT.relative_to(ROOT)}: {len(written)} files")
        self_checks(checks, computed, OUT)
    print(f"{checks.passed} of {checks.total} compliance checks passed")
    return 0 if checks.passed == checks.total else 1


if __name__ == "__main__":
    sys.exit(main())
