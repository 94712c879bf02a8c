#!/usr/bin/env python3
"""Writes the committed example inputs of an evaluation round and the draw fixtures, written from
docs/sampling.md and docs/round-format.md alone (not from the Rust code).

Layout of tests/fixtures/rounds/example/ (paths in plan.json are relative to it):
    frames/<unit id>.csv     one household frame per unit of the survey (household,address,head);
                             fictional door codes, addresses and names
    organiser.pem            the organiser's Ed25519 key, PKCS#8 PEM: a TEST KEY from a fixed
                             seed, public in this repository; never use it for a real round
    device-1.seed.hex,       the two test devices' Ed25519 seeds (32 bytes, hex), equally public
    device-2.seed.hex
    roster.json              roster/1 with the two devices
    plan.json                plan/1 drawing 4 of the 6 units; its assignments follow the unit
                             draw (draw/1, scope `units`), alternately device 1 and device 2
    (2026-q4-example.round.json is built from plan.json by `survey round build`; not written here)

and crates/survey-core/test_data/draw/NNNN_name.json: draw cases {seed, round, scope, members,
expected} with `expected` computed by check_round.draw (the Python draw/1).

The frames exercise the CSV rules: yunling_qingxi has an address quoted because of a comma
and one with a doubled quote; baisha_taoyuan starts with a UTF-8 BOM; chengnan_zhulin is what
Excel's "CSV UTF-8" writes (BOM and CRLF); chengnan_heping uses CRLF and quotes some household
cells that need no quotes; baisha_shimen ends with a fully empty row; yunling_shangtang has codes
with a character outside the BMP (𠮷) and full-width brackets, whose UTF-8 and UTF-16 orders
differ (the frame hash sorts by UTF-8 bytes).

Deterministic: every choice comes from SHA-256 of fixed strings, keys from fixed seeds, and
Ed25519 and PKCS#8 encodings are deterministic, so a re-run writes identical files.

Usage: python3 tests/rounds/make_example.py [--check]
  --check   write everything into a temporary folder and compare with the committed files
            (exit 1 on any difference or missing file)
Needs: cryptography, rfc8785 (tests/requirements.txt).
"""

import argparse
import base64
import hashlib
import json
import pathlib
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_round  # noqa: E402  draw/1 and the text rules

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

ROOT = check_round.ROOT
EXAMPLE = ROOT / "tests" / "fixtures" / "rounds" / "example"
DRAW_FIXTURES = check_round.DRAW_FIXTURES
SURVEY_FILE = ROOT / "survey-schemas" / "party-building-satisfaction.json"

ROUND_ID = "2026-q4-example"
SEED = "2026-12-01 福利彩票 3D 第2026318期 开奖号码 5 8 2"
SEED_SOURCE = "中国福利彩票 3D 第2026318期开奖公告, 2026-12-01"
DRAW_UNITS = 4

# TEST KEYS: fixed, public seeds. Never use them for anything real.
ORGANISER_SEED = hashlib.sha256(b"survey-kit example organiser").digest()
DEVICE_SEEDS = [hashlib.sha256(b"survey-kit example device 1").digest(),
                hashlib.sha256(b"survey-kit example device 2").digest()]  # fmt: skip
EVALUATORS = [("王芳", "一组"), ("张伟", "二组")]

GROUPS = {
    "yunling": {"zh-CN": "云岭镇", "en": "Yunling Town"},
    "baisha": {"zh-CN": "白沙乡", "en": "Baisha Township"},
    "chengnan": {"zh-CN": "城南街道", "en": "Chengnan Subdistrict"},
}
N_OVERRIDE = {"baisha_taoyuan": 25}

CN_DIGITS = "零一二三四五六七八九十"


class Stream:
    """Deterministic pseudo-random numbers: SHA-256 of a fixed label and a counter."""

    def __init__(self, label):
        self.label = label.encode("utf-8")
        self.counter = 0

    def below(self, n):
        self.counter += 1
        digest = hashlib.sha256(self.label + b"\x00" + str(self.counter).encode("ascii")).digest()
        return int.from_bytes(digest[:8], "big") % n

    def choice(self, items):
        return items[self.below(len(items))]

    def chance(self, percent):
        return self.below(100) < percent


def cn_number(n):
    """1..99 in Chinese numerals (for 组 names)."""
    if n <= 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + ("" if ones == 0 else CN_DIGITS[ones])


# --------------------------------------------------------------------- household frames --

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "玉梅", "德明", "春生", "丽华", "国华", "红梅", "永福",
         "金凤", "长青", "淑珍", "文军", "小平", "春花", "建华", "明亮", "翠萍", "宝山", "凤英", "家福"]  # fmt: skip


def head_name(rng):
    if rng.chance(4):
        return ""  # not known: the column is ignored anyway
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def pick(rng, pool, count):
    """`count` entries of `pool`, chosen by hash rank, kept in pool order."""
    ranked = sorted(range(len(pool)), key=lambda i: hashlib.sha256(rng.label + b"\x01" + str(i).encode()).digest())
    keep = set(ranked[:count])
    return [entry for i, entry in enumerate(pool) if i in keep]


def qingxi(rng):
    pool = []
    for g in range(1, 9):
        for n in range(1, 27):
            pool.append((f"青溪村{cn_number(g)}组{n}号", f"云岭镇青溪村{cn_number(g)}组"))
            if n % 7 == 3:  # a second household on the same plot
                pool.append((f"青溪村{cn_number(g)}组{n}-1号", f"云岭镇青溪村{cn_number(g)}组"))
    rows = pick(rng, pool, 137)
    rows[5] = (rows[5][0], rows[5][1] + ",村委会对面")  # RFC 4180: quoted because of the comma
    rows[40] = (rows[40][0], rows[40][1] + '"老屋场"')  # a doubled quote inside a quoted cell
    return rows


def shangtang(rng):
    pool = [(f"上塘村{n}号", "云岭镇上塘村") for n in range(1, 96)]
    pool[11:12] = [("上塘村12号（东）", "云岭镇上塘村"), ("上塘村12号（西）", "云岭镇上塘村")]
    pool += [(f"上塘村𠮷家坪{n}号", "云岭镇上塘村𠮷家坪") for n in range(1, 9)]
    special = {"上塘村12号（东）", "上塘村12号（西）", "上塘村𠮷家坪3号", "上塘村𠮷家坪5号"}
    keep = set(pick(rng, [r for r in pool if r[0] not in special], 84)) | {r for r in pool if r[0] in special}
    return [r for r in pool if r in keep]


def taoyuan(rng):
    pool = [(f"桃源村{g}组{n}号", f"白沙乡桃源村{g}组") for g in range(1, 10) for n in range(1, 29)]
    pool += [(f"安置点{b}-{f}{r:02d}", f"白沙乡桃源村安置点{b}栋") for b in "AB" for f in range(1, 4) for r in range(1, 7)]
    return pick(rng, pool, 214)


def shimen(rng):
    pool = [(f"石门村{place}{n}号", f"白沙乡石门村{place}")
            for place in ["上湾", "下湾", "老街"] for n in range(1, 31)]  # fmt: skip
    return pick(rng, pool, 63)


def zhulin(rng):
    pool = [(f"{b}号楼{u}单元{f}{r:02d}", f"城南街道竹林社区{b}号楼{u}单元")
            for b in range(1, 11) for u in range(1, 4) for f in range(1, 7) for r in range(1, 3)]  # fmt: skip
    return pick(rng, pool, 276)


def heping(rng):
    pool = [(f"{b}-{u}-{f}{r:02d}", f"城南街道和平社区{b}栋{u}单元")
            for b in range(1, 7) for u in range(1, 3) for f in range(1, 8) for r in range(1, 3)]  # fmt: skip
    pool += [(f"{b}-1{r:02d}", f"城南街道和平社区沿街平房{b}排") for b in "ABC" for r in range(1, 13)]
    return pick(rng, pool, 171)


# unit id -> (rows maker, line end, BOM, quote the household cell of every 10th row, empty rows at the end)
FRAMES = {
    "yunling_qingxi": (qingxi, "\n", False, False, 0),
    "yunling_shangtang": (shangtang, "\n", False, False, 0),
    "baisha_taoyuan": (taoyuan, "\n", True, False, 0),
    "baisha_shimen": (shimen, "\n", False, False, 1),
    "chengnan_zhulin": (zhulin, "\r\n", True, False, 0),
    "chengnan_heping": (heping, "\r\n", False, True, 0),
}


def csv_cell(text, force=False):
    if force or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def frame_csv(unit_id):
    make, eol, bom, quote_some, empty_rows = FRAMES[unit_id]
    rng = Stream(f"survey-kit example frame {unit_id}")
    rows = make(rng)
    codes = [code for code, _ in rows]
    assert 60 <= len(codes) <= 300 and len(set(codes)) == len(codes), unit_id
    for code in codes:
        assert check_round.text_problem(code, "household") is None, code
    lines = ["household,address,head"]
    for i, (code, address) in enumerate(rows):
        lines.append(",".join([csv_cell(code, quote_some and i % 10 == 0), csv_cell(address), csv_cell(head_name(rng))]))
    text = eol.join(lines) + eol + eol * empty_rows
    data = ("\ufeff" if bom else "") + text
    return data.encode("utf-8"), codes


# ------------------------------------------------------------------------- keys, plan --


def public_b64(seed):
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return base64.b64encode(check_round.public_raw(key)).decode("ascii")


def keyid(seed):
    return hashlib.sha256(base64.b64decode(public_b64(seed))).hexdigest()


def pretty(value):
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def example_files():
    """relative path -> bytes, for tests/fixtures/rounds/example/."""
    survey = json.loads(SURVEY_FILE.read_text(encoding="utf-8"))
    unit_ids = [u["id"] for u in survey["units"]]
    assert set(unit_ids) == set(FRAMES)
    files = {}
    frames = {}
    for uid in unit_ids:
        files[f"frames/{uid}.csv"], frames[uid] = frame_csv(uid)

    organiser = Ed25519PrivateKey.from_private_bytes(ORGANISER_SEED)
    pem = organiser.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    files["organiser.pem"] = pem
    devices = []
    for i, (seed, (evaluator, team)) in enumerate(zip(DEVICE_SEEDS, EVALUATORS), 1):
        files[f"device-{i}.seed.hex"] = (seed.hex() + "\n").encode("ascii")
        devices.append({"key": public_b64(seed), "keyid": keyid(seed), "evaluator": evaluator, "team": team})
    files["roster.json"] = pretty({"format": "roster/1", "devices": devices})

    drawn = check_round.draw(SEED, ROUND_ID, "units", unit_ids)[:DRAW_UNITS]
    assignments = [{"unit": uid, "device": devices[i % 2]["keyid"]} for i, uid in enumerate(drawn)]
    units = []
    for uid in unit_ids:
        entry = {"id": uid, "frame": f"frames/{uid}.csv", "group": GROUPS[uid.split("_")[0]]}
        if uid in N_OVERRIDE:
            entry["n"] = N_OVERRIDE[uid]
        units.append(entry)
    plan = {
        "format": "plan/1",
        "id": ROUND_ID,
        "title": {"zh-CN": "2026年第四季度测评", "en": "2026 Q4 evaluation"},
        "period": {"from": "2026-12-01", "to": "2026-12-20"},
        "organiser": "县委组织部",
        "survey": "../../../../survey-schemas/party-building-satisfaction.json",
        "seed": SEED,
        "seed_source": SEED_SOURCE,
        "draw_units": DRAW_UNITS,
        "defaults": {"n": 20, "attempts_before_substitute": 3, "off_sample": False},
        "units": units,
        "roster": "roster.json",
        "assignments": assignments,
    }
    files["plan.json"] = pretty(plan)
    return files, frames, drawn, assignments


# ----------------------------------------------------------------------- draw fixtures --


def long_seed():
    """A seed of exactly 256 scalar values (the limit)."""
    text = "2027-03-02 中国福利彩票双色球 第2027024期 红球 03 11 17 22 28 31 蓝球 09 备注 "
    text += "0123456789" * ((256 - len(text)) // 10 + 1)
    text = text[:256]
    assert check_round.text_problem(text, "seed") is None
    return text


def fixture(seed, round_id, scope, members):
    return {"seed": seed, "round": round_id, "scope": scope, "members": members,
            "expected": check_round.draw(seed, round_id, scope, members)}  # fmt: skip


def draw_fixture_files(frames, unit_ids):
    long_member = ("上塘村𠮷家坪-" + "0123456789" * 6)[:64]  # 64 scalar values, 77 UTF-8 bytes
    assert len(long_member) == 64
    limits_members = ["𠮷家坪3号", "上塘村12号（东）", "Ａ-101", "A-101", "a-101", "3号楼2单元501", "3-2-501",
                      "Café-1", long_member, "青溪村五组12号"]  # fmt: skip
    mixed = ["A-101", "A-102", "B-203", "3-2-501", "3-2-502", "3号楼2单元501", "3号楼2单元502",
             "青溪村五组12号", "青溪村五组12-1号", "桃源村3组18号", "安置点A-101", "上塘村𠮷家坪3号"]  # fmt: skip
    reversed_members = list(reversed(check_round.draw(SEED, "2026-q4-reversed", "households/baisha_taoyuan", mixed)))
    cases = [
        ("0001_doc_example", fixture(SEED, ROUND_ID, "households/u1", ["A-101", "A-102", "3号楼2单元501"])),
        ("0002_example_units", fixture(SEED, ROUND_ID, "units", unit_ids)),
        ("0003_single_member", fixture(SEED, ROUND_ID, "households/chengnan_heping", ["3-2-501"])),
        ("0004_village_codes", fixture(SEED, ROUND_ID, "households/yunling_qingxi", frames["yunling_qingxi"][:30])),
        ("0005_reversed_input", fixture(SEED, "2026-q4-reversed", "households/baisha_taoyuan", reversed_members)),
        ("0006_whole_frame_276", fixture("2027-01-05 福利彩票 3D 第2027004期 开奖号码 0 7 1", "2027-q1-chengnan",
                                        "households/chengnan_zhulin", frames["chengnan_zhulin"])),
        ("0007_limits_and_no_normalising", fixture(long_seed(), "2027-q1-limits", "households/青溪村", limits_members)),
    ]
    files = {}
    for name, case in cases:
        assert check_round.check_draw_fixture(case) is None, name
        files[f"{name}.json"] = pretty(case)
    return files


# ----------------------------------------------------------------------------- writing --


def all_files():
    """(folder, relative path) -> bytes, and the unit draw with its assignments."""
    example, frames, drawn, assignments = example_files()
    survey = json.loads(SURVEY_FILE.read_text(encoding="utf-8"))
    fixtures = draw_fixture_files(frames, [u["id"] for u in survey["units"]])
    files = {("example", k): v for k, v in example.items()}
    files.update({("draw", k): v for k, v in fixtures.items()})
    return files, drawn, assignments


def write(files, roots):
    for (root, rel), data in files.items():
        path = roots[root] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the example round inputs and the draw fixtures.")
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = parser.parse_args(argv)
    roots = {"example": EXAMPLE, "draw": DRAW_FIXTURES}
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = {"example": pathlib.Path(tmp) / "example", "draw": pathlib.Path(tmp) / "draw"}
            files, _, _ = all_files()
            write(files, fresh)
            bad = []
            for root, rel in sorted(files):
                new, old = fresh[root] / rel, roots[root] / rel
                if not old.exists():
                    bad.append(f"missing: {check_round.rel(old)}")
                elif old.read_bytes() != new.read_bytes():
                    bad.append(f"differs: {check_round.rel(old)}")
            stale = sorted(set(p.name for p in DRAW_FIXTURES.glob("*.json")) - {rel for root, rel in files if root == "draw"})
            bad += [f"not made by this script: {check_round.rel(DRAW_FIXTURES / s)}" for s in stale]
        for line in bad:
            print(line)
        print(f"{len(bad)} problems" if bad else f"all {len(files)} generated files up to date")
        return 1 if bad else 0
    files, drawn, assignments = all_files()
    write(files, roots)
    print(f"wrote {len(files)} files under {check_round.rel(EXAMPLE)} and {check_round.rel(DRAW_FIXTURES)}")
    print(f"unit draw (scope units, first {DRAW_UNITS} drawn): {', '.join(drawn)}")
    for a in assignments:
        print(f"  {a['unit']} -> device {a['device'][:16]}...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
