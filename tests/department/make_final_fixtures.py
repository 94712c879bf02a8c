#!/usr/bin/env python3
"""Writes crates/survey-dept/test_data/final/: the fixtures of the final scores (stages/1, docs/scoring.md,
"Final scores"), one folder per case, NNNN_name, each with

    stages.json        the stages file
    residents.json     the residents' report as the section needs it: {"dimensions": [...],
                       "units": [{"unit", "suppressed", "index", "dimensions"}]}
    the lists          the files the stages file names (CSV, one with a BOM and CRLF, some with
                       Chinese headers; XLSX written with openpyxl); a case about a list that
                       was not provided leaves that file out
    expected.json      the `final` object, for a case that computes, or
    errors.json        [{"file", "at"}] sorted by (file, at), for a case that must be refused

and README.md, the cases one a line. expected.json and errors.json are worked out by the
independent reference tests/department/final_reference.py; every case also states what it was
designed to show (ranks, grades, reasons, scores, or the problems), and that design is checked
against the reference's result, so a slip in either shows.

Deterministic: no randomness, no timestamps in the text files. XLSX files carry openpyxl's save
time in their properties, so --check compares their cell values, not their bytes.

Usage: python3 tests/department/make_final_fixtures.py            (write the fixtures)
       python3 tests/department/make_final_fixtures.py --check    (regenerate into a temporary
                                                                  folder and fail if any file
                                                                  differs from crates/survey-dept/test_data/final/)
Both end with `N of M final-score fixture checks passed` and exit 1 when any check fails.
Needs: openpyxl (tests/requirements.txt).
"""

import argparse
import io
import json
import pathlib
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "crates" / "survey-dept" / "test_data" / "final"
sys.path.insert(0, str(HERE))
import final_reference  # noqa: E402

import openpyxl  # noqa: E402

DIMENSIONS = ["organisation", "service", "conduct"]


# ----------------------------------------------------------------------------- builders --


def unit(uid, index, dimensions=None, suppressed=False):
    """A residents' unit. A suppressed unit has no index and no dimensions; an unsuppressed one
    gets dimension scores around its index unless told otherwise (they only matter for stages
    with `dimension`)."""
    if suppressed:
        return {"unit": uid, "suppressed": True, "index": None}
    u = {"unit": uid, "suppressed": False, "index": index}
    if dimensions is None and index is not None:
        dimensions = {"organisation": index + 1.5, "service": index - 2.0, "conduct": index + 0.5}
    if dimensions is not None:
        u["dimensions"] = dimensions
    return u


def residents(*units, dimensions=DIMENSIONS):
    return {"dimensions": list(dimensions), "units": list(units)}


def csv_bytes(rows, bom=False, crlf=False):
    """RFC 4180 CSV; cells with a comma or a quote are quoted; numbers as Python writes them."""

    def cell(value):
        text = "" if value is None else str(value)
        if "," in text or '"' in text:
            text = '"' + text.replace('"', '""') + '"'
        return text

    eol = "\r\n" if crlf else "\n"
    text = eol.join(",".join(cell(c) for c in row) for row in rows) + eol
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(rows, sheet="Sheet1"):
    """A workbook whose first sheet holds the rows from A1; a row given as None is left blank."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        if row is None:
            continue
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text(zh, en):
    return {"zh-CN": zh, "en": en}


def stage(sid, weight, source="file", file=None, dimension=None, title=None):
    s = {"id": sid}
    if title is not None:
        s["title"] = title
    s["weight"] = weight
    s["source"] = source
    if dimension is not None:
        s["dimension"] = dimension
    if file is not None:
        s["file"] = file
    return s


def stars(last_min=None):
    """Five stars >= 90, four >= 80, three >= 70, then the last level (with last_min or none)."""
    last = {"id": "two_star", "title": text("二星", "two stars"), "min": last_min} if last_min is not None \
        else {"id": "unrated", "title": text("未评星", "not rated")}
    return {
        "by": "threshold",
        "levels": [
            {"id": "five_star", "title": text("五星", "five stars"), "min": 90},
            {"id": "four_star", "title": text("四星", "four stars"), "min": 80},
            {"id": "three_star", "title": text("三星", "three stars"), "min": 70},
            last,
        ],
    }


def stages_file(stages, title=None, **members):
    doc = {"format": "stages/1"}
    if title is not None:
        doc["title"] = title
    doc["stages"] = stages
    for key in ("deductions", "vetoes", "veto_grade", "grades"):
        if key in members:
            doc[key] = members.pop(key)
    doc.update(members)  # anything else: the unknown-member cases
    return doc


TITLE = text("2026年度基层党建工作考核", "2026 assessment of grassroots party building")
SELF = stage("self", 0.1, file="self.csv", title=text("支部自评", "self-assessment"))
RESIDENTS = stage("residents", 0.5, source="residents", title=text("群众评议", "residents' evaluation"))


# -------------------------------------------------------------------------------- cases --

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Case:
    def __init__(self, description, stages, residents, files, design, stages_bom=False):
        self.description = description
        self.stages = stages  # a dict, written as JSON
        self.residents = residents
        self.files = files  # the lists: name -> bytes
        self.design = design  # {unit: {member: value}} in output order, or the sorted errors
        self.stages_bom = stages_bom


def err(file, at):
    return {"file": file, "at": at}


@case
def four_stages():
    return Case(
        "four stages (self-assessment, residents' index, township list, county list as .xlsx), "
        "weights 0.1/0.5/0.2/0.2, threshold stars",
        stages_file(
            [
                SELF,
                RESIDENTS,
                stage("township", 0.2, file="township.csv", title=text("乡镇考评", "township review")),
                stage("county", 0.2, file="county.xlsx", title=text("县级验收", "county acceptance")),
            ],
            title=TITLE,
            grades=stars(),
        ),
        residents(
            unit("yunling_qingxi", 92.4),
            unit("yunling_shangtang", 84.6),
            unit("baisha_taoyuan", 75.2),
            unit("baisha_shimen", 63.8),
            unit("chengnan_heping", 90.3),
            unit("chengnan_zhulin", 80.1),
        ),
        {
            # An extra column is ignored.
            "self.csv": csv_bytes([
                ["unit", "score", "note"],
                ["yunling_qingxi", 95, "自评"],
                ["yunling_shangtang", 90, ""],
                ["baisha_taoyuan", 85, ""],
                ["baisha_shimen", 80, ""],
                ["chengnan_heping", 98, ""],
                ["chengnan_zhulin", 88, ""],
            ]),
            # Columns in another order, letter case and spaces around the names.
            "township.csv": csv_bytes([
                [" Score ", "UNIT "],
                [94, "yunling_qingxi"],
                [86, "yunling_shangtang"],
                [78, "baisha_taoyuan"],
                [66, "baisha_shimen"],
                [92, "chengnan_heping"],
                [82, "chengnan_zhulin"],
            ]),
            # A blank row in the middle is skipped.
            "county.xlsx": xlsx_bytes([
                ["单位编号", "得分", "备注"],
                ["yunling_qingxi", 93, "验收合格"],
                ["yunling_shangtang", 83, None],
                ["baisha_taoyuan", 74.5, None],
                None,
                ["baisha_shimen", 65, None],
                ["chengnan_heping", 90, None],
                ["chengnan_zhulin", 79, None],
            ], sheet="县级验收"),
        },
        {
            "yunling_qingxi": {"rank": 1, "grade": "five_star", "score": 93.1},
            "chengnan_heping": {"rank": 2, "grade": "five_star", "score": 91.35},
            "yunling_shangtang": {"rank": 3, "grade": "four_star", "score": 85.1},
            "chengnan_zhulin": {"rank": 4, "grade": "four_star", "score": 81.05},
            "baisha_taoyuan": {"rank": 5, "grade": "three_star", "score": 76.6},
            "baisha_shimen": {"rank": 6, "grade": "unrated", "score": 66.1},
        },
    )


@case
def dimension_stage():
    return Case(
        "a stage from one residents' dimension (service) beside the whole index; a unit without "
        "that dimension's score misses the stage; a list with Chinese headers 单位编号,得分",
        stages_file(
            [
                stage("residents", 0.3, source="residents"),
                stage("service", 0.3, source="residents", dimension="service",
                      title=text("群众评议：服务群众", "residents: service")),
                stage("review", 0.4, file="review.csv", title=text("乡镇考评", "township review")),
            ],
            grades={
                "by": "threshold",
                "levels": [
                    {"id": "excellent", "title": text("优秀", "excellent"), "min": 85},
                    {"id": "good", "title": text("良好", "good"), "min": 75},
                    {"id": "fair", "title": text("一般", "fair")},
                ],
            },
        ),
        residents(
            unit("yunling_qingxi", 88.2, {"organisation": 86.0, "service": 91.0, "conduct": 87.5}),
            unit("yunling_shangtang", 79.5, {"organisation": 82.0, "service": 72.4, "conduct": 84.1}),
            unit("baisha_taoyuan", 84.0, {"organisation": 81.0, "service": 86.5, "conduct": 84.5}),
            unit("baisha_shimen", 70.2, {"organisation": 71.0, "conduct": 69.4}),
            unit("chengnan_heping", 91.6, {"organisation": 90.0, "service": 94.2, "conduct": 90.6}),
        ),
        {
            "review.csv": csv_bytes([
                ["单位编号", "得分"],
                ["yunling_qingxi", 90],
                ["yunling_shangtang", 85],
                ["baisha_taoyuan", 80],
                ["baisha_shimen", 75],
                ["chengnan_heping", 88],
            ]),
        },
        {
            "chengnan_heping": {"rank": 1, "grade": "excellent", "score": 90.94},
            "yunling_qingxi": {"rank": 2, "grade": "excellent", "score": 89.76},
            "baisha_taoyuan": {"rank": 3, "grade": "good", "score": 83.15},
            "yunling_shangtang": {"rank": 4, "grade": "good", "score": 79.57},
            "baisha_shimen": {"rank": None, "grade": None, "score": None,
                              "reason": "missing_stage", "missing": ["service"]},
        },
    )


@case
def missing_stage():
    return Case(
        "units missing from one list, from two lists, and without a residents' index (not "
        "suppressed): missing_stage, unranked; the township list has a BOM and CRLF line ends, "
        "the stages file a BOM",
        stages_file(
            [
                stage("residents", 0.6, source="residents"),
                stage("township", 0.2, file="township.csv"),
                stage("county", 0.2, file="county.csv"),
            ],
            grades=stars(),
        ),
        residents(
            unit("yunling_qingxi", 90.0),
            unit("yunling_shangtang", 82.0),
            unit("baisha_taoyuan", 76.5),
            unit("baisha_shimen", 80.0),
            unit("chengnan_zhulin", 77.0),
            unit("chengnan_heping", None),
        ),
        {
            "township.csv": csv_bytes([
                ["unit", "score"],
                ["yunling_qingxi", 92],
                ["yunling_shangtang", 80],
                ["baisha_taoyuan", 78],
                ["chengnan_heping", 85],
            ], bom=True, crlf=True),
            "county.csv": csv_bytes([
                ["unit", "score"],
                ["yunling_qingxi", 88],
                ["yunling_shangtang", 85],
                ["baisha_taoyuan", 74],
                ["baisha_shimen", 82],
                ["chengnan_heping", 86],
            ]),
        },
        {
            "yunling_qingxi": {"rank": 1, "grade": "five_star", "score": 90.0},
            "yunling_shangtang": {"rank": 2, "grade": "four_star", "score": 82.2},
            "baisha_taoyuan": {"rank": 3, "grade": "three_star", "score": 76.3},
            "baisha_shimen": {"rank": None, "reason": "missing_stage", "missing": ["township"]},
            "chengnan_heping": {"rank": None, "reason": "missing_stage", "missing": ["residents"]},
            "chengnan_zhulin": {"rank": None, "reason": "missing_stage", "missing": ["township", "county"]},
        },
        stages_bom=True,
    )


@case
def suppressed():
    return Case(
        "a suppressed residents' unit with scores in every list, and one also missing from a "
        "list: both reason suppressed, no final score",
        stages_file([stage("residents", 0.5, source="residents"), stage("self", 0.5, file="self.csv")],
                    grades=stars()),
        residents(
            unit("yunling_qingxi", 88.0),
            unit("yunling_shangtang", None, suppressed=True),
            unit("baisha_taoyuan", 80.0),
            unit("baisha_shimen", None, suppressed=True),
            unit("chengnan_heping", 70.0),
        ),
        {
            "self.csv": csv_bytes([
                ["unit", "score"],
                ["yunling_qingxi", 90],
                ["yunling_shangtang", 95],
                ["baisha_taoyuan", 84],
                ["chengnan_heping", 72],
            ]),
        },
        {
            "yunling_qingxi": {"rank": 1, "grade": "four_star", "score": 89.0},
            "baisha_taoyuan": {"rank": 2, "grade": "four_star", "score": 82.0},
            "chengnan_heping": {"rank": 3, "grade": "three_star", "score": 71.0},
            "baisha_shimen": {"rank": None, "grade": None, "reason": "suppressed", "weighted": None},
            "yunling_shangtang": {"rank": None, "grade": None, "reason": "suppressed", "weighted": None},
        },
    )


@case
def suppressed_without_residents_stage():
    return Case(
        "a suppressed residents' unit when no stage comes from the residents: it is scored and "
        "ranked like any other (nothing suppressed is republished); no grades",
        stages_file([stage("self", 0.4, file="self.csv"), stage("county", 0.6, file="county.csv")]),
        residents(
            unit("yunling_qingxi", 88.0),
            unit("yunling_shangtang", None, suppressed=True),
            unit("baisha_taoyuan", 75.0),
        ),
        {
            "self.csv": csv_bytes([["unit", "score"], ["yunling_qingxi", 90], ["yunling_shangtang", 80],
                                   ["baisha_taoyuan", 70]]),
            "county.csv": csv_bytes([["unit", "score"], ["yunling_qingxi", 85], ["yunling_shangtang", 90],
                                     ["baisha_taoyuan", 75]]),
        },
        {
            "yunling_qingxi": {"rank": 1, "grade": None, "score": 87.0, "reason": None},
            "yunling_shangtang": {"rank": 2, "grade": None, "score": 86.0, "reason": None},
            "baisha_taoyuan": {"rank": 3, "grade": None, "score": 73.0, "reason": None},
        },
    )


@case
def deductions_capped():
    return Case(
        "deductions with cap_per_item 5 and cap_total 8: several rows for one item, several items "
        "(sorted by code point: Archive, 三会一课台账, 组织生活会), a unit whose deductions exceed "
        "its weighted score (floors at 0), deductions of an unranked unit still listed, points "
        "written 1e0 and 0, evidence with a comma and quotes",
        stages_file([stage("residents", 0.5, source="residents"), stage("county", 0.5, file="county.csv")],
                    deductions={"file": "deductions.csv", "cap_per_item": 5, "cap_total": 8},
                    grades=stars()),
        residents(
            unit("yunling_qingxi", 92.0),
            unit("yunling_shangtang", 86.0),
            unit("baisha_taoyuan", 5.0),
            unit("baisha_shimen", 80.0),
            unit("chengnan_heping", 78.0),
            unit("chengnan_zhulin", 84.0),
        ),
        {
            "county.csv": csv_bytes([
                ["unit", "score"],
                ["yunling_qingxi", 90],
                ["yunling_shangtang", 88],
                ["baisha_taoyuan", 7],
                ["chengnan_heping", 80],
                ["chengnan_zhulin", 82],
            ]),
            "deductions.csv": csv_bytes([
                ["unit", "item", "points", "evidence"],
                ["yunling_qingxi", "组织生活会", 2, "2026年3月未按期召开"],
                ["yunling_qingxi", "三会一课台账", 4, "台账缺三月、四月"],
                ["baisha_taoyuan", "组织生活会", 4, "全年仅召开一次"],
                ["yunling_qingxi", "组织生活会", " 1.5 ", "会议记录无签名"],
                ["yunling_qingxi", "Archive", 0.5, 'scan "missing", see p. 3'],
                ["yunling_shangtang", "Archive", 0.25, "目录不全，缺页"],
                ["baisha_taoyuan", "三会一课台账", 4, "无台账"],
                ["yunling_qingxi", "三会一课台账", 3, "记录不全, 缺签名"],
                ["baisha_shimen", "组织生活会", 2, "未按期召开"],
                ["chengnan_zhulin", "党费收缴", "1e0", "逾期两个月"],
                ["chengnan_zhulin", "党费收缴", "0", "已补缴"],
            ]),
        },
        {
            "yunling_shangtang": {"rank": 1, "grade": "four_star", "score": 86.75, "deducted": 0.25},
            "yunling_qingxi": {"rank": 2, "grade": "four_star", "weighted": 91.0, "deducted": 8.0,
                               "score": 83.0,
                               "deductions": [("Archive", 0.5, 0.5, 1), ("三会一课台账", 7.0, 5.0, 2),
                                              ("组织生活会", 3.5, 3.5, 2)]},
            "chengnan_zhulin": {"rank": 3, "grade": "four_star", "score": 82.0, "deducted": 1.0},
            "chengnan_heping": {"rank": 4, "grade": "three_star", "score": 79.0, "deducted": 0.0,
                                "deductions": []},
            "baisha_taoyuan": {"rank": 5, "grade": "unrated", "weighted": 6.0, "deducted": 8.0, "score": 0.0},
            "baisha_shimen": {"rank": None, "grade": None, "score": None, "deducted": 2.0,
                              "reason": "missing_stage", "deductions": [("组织生活会", 2.0, 2.0, 1)]},
        },
    )


@case
def deductions_per_item_cap_xlsx():
    return Case(
        "deductions from an .xlsx list (Chinese headers 单位,项目,扣分,说明, a blank row, points as "
        "numbers and as text) with only cap_per_item 3; a single residents' stage; no grades",
        stages_file([stage("residents", 1, source="residents")],
                    deductions={"file": "deductions.xlsx", "cap_per_item": 3}),
        residents(unit("yunling_qingxi", 90.0), unit("yunling_shangtang", 80.0), unit("baisha_taoyuan", 87.0)),
        {
            "deductions.xlsx": xlsx_bytes([
                ["单位", "项目", "扣分", "说明"],
                ["yunling_qingxi", "阵地建设", 2, "活动室挪作他用"],
                None,
                ["yunling_qingxi", "阵地建设", 2.5, "标识缺失"],
                ["yunling_qingxi", "党员管理", "1", "流动党员未登记"],
                ["yunling_shangtang", "阵地建设", 0.5, None],
            ], sheet="扣分清单"),
        },
        {
            "baisha_taoyuan": {"rank": 1, "score": 87.0, "deducted": 0.0},
            "yunling_qingxi": {"rank": 2, "score": 86.0, "deducted": 4.0,
                               "deductions": [("党员管理", 1.0, 1.0, 1), ("阵地建设", 4.5, 3.0, 2)]},
            "yunling_shangtang": {"rank": 3, "score": 79.5, "deducted": 0.5},
        },
    )


@case
def vetoes():
    return Case(
        "vetoes (Chinese headers 单位,事项,一票否决,依据) with veto_grade three_star: a five-star and "
        "a four-star unit come down to three stars, a two-star unit stays, a unit without a grade "
        "keeps none, an unranked vetoed unit keeps none; veto cells 是/否/yes/YES/否决/No/0/empty",
        stages_file([stage("residents", 0.5, source="residents"), stage("township", 0.5, file="township.csv")],
                    vetoes={"file": "vetoes.csv"}, veto_grade="three_star", grades=stars(last_min=60)),
        residents(
            unit("yunling_qingxi", 94.0),
            unit("yunling_shangtang", 86.0),
            unit("baisha_taoyuan", 66.0),
            unit("baisha_shimen", 56.0),
            unit("chengnan_heping", 92.0),
            unit("chengnan_zhulin", 88.0),
            unit("baisha_xiping", 82.0),
            unit("chengnan_dongjie", 75.0),
        ),
        {
            "township.csv": csv_bytes([
                ["unit", "score"],
                ["yunling_qingxi", 92],
                ["yunling_shangtang", 84],
                ["baisha_taoyuan", 64],
                ["baisha_shimen", 54],
                ["chengnan_heping", 90],
                ["baisha_xiping", 80],
                ["chengnan_dongjie", 77],
            ]),
            "vetoes.csv": csv_bytes([
                ["单位", "事项", "一票否决", "依据"],
                ["yunling_qingxi", "发生重大安全事故", "是", "县应急局通报"],
                ["yunling_qingxi", "信访", "否", "已化解"],
                ["yunling_shangtang", "违规违纪", "yes", "纪委通报"],
                ["baisha_taoyuan", "安全生产", "yes", "安监通报"],
                ["baisha_shimen", "安全生产", "是", "安监通报"],
                ["chengnan_heping", "信访", "0", ""],
                ["chengnan_heping", "意识形态", "", "无"],
                ["chengnan_zhulin", "安全生产", "是", "安监通报"],
                ["yunling_shangtang", "意识形态", "YES", "宣传部通报"],
                ["baisha_xiping", "违规违纪", "否决", "纪委通报"],
                ["chengnan_dongjie", "信访", "No", ""],
            ]),
        },
        {
            "yunling_qingxi": {"rank": 1, "score": 93.0, "grade": "three_star",
                               "vetoes": [{"item": "发生重大安全事故", "evidence": "县应急局通报"}]},
            "chengnan_heping": {"rank": 2, "score": 91.0, "grade": "five_star", "vetoes": []},
            "yunling_shangtang": {"rank": 3, "score": 85.0, "grade": "three_star",
                                  "vetoes": [{"item": "违规违纪", "evidence": "纪委通报"},
                                             {"item": "意识形态", "evidence": "宣传部通报"}]},
            "baisha_xiping": {"rank": 4, "score": 81.0, "grade": "three_star"},
            "chengnan_dongjie": {"rank": 5, "score": 76.0, "grade": "three_star", "vetoes": []},
            "baisha_taoyuan": {"rank": 6, "score": 65.0, "grade": "two_star"},
            "baisha_shimen": {"rank": 7, "score": 55.0, "grade": None},
            "chengnan_zhulin": {"rank": None, "grade": None, "reason": "missing_stage",
                                "vetoes": [{"item": "安全生产", "evidence": "安监通报"}]},
        },
    )


@case
def threshold_boundary():
    return Case(
        "threshold boundary: 89.996 rounds to 90.00 and is five stars (and ties with 90 for rank "
        "1), 89.994 is not; 79.999 reaches four stars, 69.994 does not reach three",
        stages_file([stage("county", 1, file="county.csv")], grades=stars()),
        residents(*(unit(u, 80.0) for u in ("yunling_qingxi", "yunling_shangtang", "baisha_taoyuan",
                                             "baisha_shimen", "chengnan_heping", "chengnan_zhulin"))),
        {
            "county.csv": csv_bytes([
                ["unit", "score"],
                ["yunling_qingxi", "89.996"],
                ["yunling_shangtang", "89.994"],
                ["baisha_taoyuan", "90"],
                ["baisha_shimen", "79.999"],
                ["chengnan_heping", "70"],
                ["chengnan_zhulin", "69.994"],
            ]),
        },
        {
            "baisha_taoyuan": {"rank": 1, "grade": "five_star", "score": 90.0},
            "yunling_qingxi": {"rank": 1, "grade": "five_star", "score": 89.996},
            "yunling_shangtang": {"rank": 3, "grade": "four_star", "score": 89.994},
            "baisha_shimen": {"rank": 4, "grade": "four_star", "score": 79.999},
            "chengnan_heping": {"rank": 5, "grade": "three_star", "score": 70.0},
            "chengnan_zhulin": {"rank": 6, "grade": "unrated", "score": 69.994},
        },
    )


SHARE_LEVELS = [
    {"id": "top", "title": text("示范", "model"), "share": 0.1},
    {"id": "excellent", "title": text("优秀", "excellent"), "share": 0.3},
]

TEN = ["yunling_qingxi", "yunling_shangtang", "baisha_taoyuan", "baisha_shimen", "chengnan_heping",
       "chengnan_zhulin", "baisha_xiping", "chengnan_dongjie", "yunling_dashan", "baisha_hetou"]


@case
def share_ties():
    return Case(
        "share grades (0.1, 0.3, last without share) over 10 ranked units: two units tied at "
        "rank 3 across the 0.3 boundary (88.501 and 88.499, equal at 2 decimals) both qualify",
        stages_file([stage("residents", 1.0, source="residents")],
                    grades={"by": "share", "levels": SHARE_LEVELS + [{"id": "good", "title": text("良好", "good")}]}),
        residents(*(unit(u, x) for u, x in zip(TEN, [95, 92, 88.501, 88.499, 85, 80, 80, 75, 70, 65]))),
        {},
        {
            "yunling_qingxi": {"rank": 1, "grade": "top"},
            "yunling_shangtang": {"rank": 2, "grade": "excellent"},
            "baisha_shimen": {"rank": 3, "grade": "excellent", "score": 88.499},
            "baisha_taoyuan": {"rank": 3, "grade": "excellent", "score": 88.501},
            "chengnan_heping": {"rank": 5, "grade": "good"},
            "baisha_xiping": {"rank": 6, "grade": "good"},
            "chengnan_zhulin": {"rank": 6, "grade": "good"},
            "chengnan_dongjie": {"rank": 8, "grade": "good"},
            "yunling_dashan": {"rank": 9, "grade": "good"},
            "baisha_hetou": {"rank": 10, "grade": "good"},
        },
    )


@case
def share_exact_tenths():
    return Case(
        "share grades 0.1/0.3/0.6/rest over 10 distinct ranked units (an 11th misses the list and "
        "does not count in N): 0.3 x 10 is 3 places, so rank 4 is not excellent; vetoes with "
        "veto_grade excellent bring rank 1 down and leave rank 5 (already worse) as it is",
        stages_file([stage("county", 1, file="county.csv")],
                    vetoes={"file": "vetoes.csv"}, veto_grade="excellent",
                    grades={"by": "share", "levels": SHARE_LEVELS + [
                        {"id": "good", "title": text("良好", "good"), "share": 0.6},
                        {"id": "fair", "title": text("一般", "fair")}]}),
        residents(*(unit(u, 80.0) for u in TEN + ["chengnan_xinhe"])),
        {
            "county.csv": csv_bytes([["unit", "score"]] + [[u, x] for u, x in
                                                           zip(TEN, [98, 95, 91, 88, 85, 82, 79, 76, 73, 70])]),
            "vetoes.csv": csv_bytes([
                ["unit", "item", "veto", "evidence"],
                ["yunling_qingxi", "safety", "true", "county notice 12"],
                ["chengnan_heping", "petitions", "1", "county notice 15"],
                ["baisha_taoyuan", "petitions", "false", "resolved"],
            ]),
        },
        {
            "yunling_qingxi": {"rank": 1, "grade": "excellent"},
            "yunling_shangtang": {"rank": 2, "grade": "excellent"},
            "baisha_taoyuan": {"rank": 3, "grade": "excellent", "vetoes": []},
            "baisha_shimen": {"rank": 4, "grade": "good"},
            "chengnan_heping": {"rank": 5, "grade": "good"},
            "chengnan_zhulin": {"rank": 6, "grade": "good"},
            "baisha_xiping": {"rank": 7, "grade": "fair"},
            "chengnan_dongjie": {"rank": 8, "grade": "fair"},
            "yunling_dashan": {"rank": 9, "grade": "fair"},
            "baisha_hetou": {"rank": 10, "grade": "fair"},
            "chengnan_xinhe": {"rank": None, "grade": None, "reason": "missing_stage", "missing": ["county"]},
        },
    )


@case
def ranking_ties():
    return Case(
        "ranking ties at 2 decimals: 85.1249 and 85.123 tie (ranks 1, 2, 2, 4, listed by unit id), "
        "80.125 rounds half away from zero to 80.13 and ties with 80.13; a suppressed unit last; "
        "no grades",
        stages_file([stage("residents", 1, source="residents")]),
        residents(
            unit("yunling_qingxi", 90.0),
            unit("yunling_shangtang", 85.123),
            unit("baisha_taoyuan", 85.1249),
            unit("chengnan_heping", 80.13),
            unit("baisha_shimen", 80.125),
            unit("chengnan_zhulin", 70.0),
            unit("baisha_xiping", None, suppressed=True),
        ),
        {},
        {
            "yunling_qingxi": {"rank": 1, "score": 90.0},
            "baisha_taoyuan": {"rank": 2, "score": 85.1249},
            "yunling_shangtang": {"rank": 2, "score": 85.123},
            "baisha_shimen": {"rank": 4, "score": 80.125},
            "chengnan_heping": {"rank": 4, "score": 80.13},
            "chengnan_zhulin": {"rank": 6, "score": 70.0},
            "baisha_xiping": {"rank": None, "reason": "suppressed"},
        },
    )


# ------------------------------------------------------------------- cases refused --

SMALL = residents(unit("yunling_qingxi", 90.0), unit("yunling_shangtang", 82.0), unit("baisha_taoyuan", 76.0))


def small_list(header=("unit", "score"), rows=None):
    rows = rows if rows is not None else [["yunling_qingxi", 91], ["yunling_shangtang", 80], ["baisha_taoyuan", 70]]
    return csv_bytes([list(header)] + rows)


TWO_STAGES = [stage("residents", 0.5, source="residents"), stage("township", 0.5, file="township.csv")]


@case
def weights_sum_0_9():
    return Case(
        "refused: the weights sum to 0.9",
        stages_file([stage("self", 0.4, file="self.csv"), stage("residents", 0.5, source="residents")]),
        SMALL, {"self.csv": small_list()},
        [err("stages.json", "stages")],
    )


@case
def bad_scores():
    return Case(
        "refused: a score \"abc\" (township.csv row 3) and a score 101 (county.xlsx row 4, after a "
        "blank row 3)",
        stages_file([stage("residents", 0.5, source="residents"), stage("township", 0.25, file="township.csv"),
                     stage("county", 0.25, file="county.xlsx")]),
        SMALL,
        {
            "township.csv": small_list(rows=[["yunling_qingxi", 91], ["yunling_shangtang", "abc"],
                                             ["baisha_taoyuan", 70]]),
            "county.xlsx": xlsx_bytes([["unit", "score"], ["yunling_qingxi", 90], None,
                                       ["yunling_shangtang", 101], ["baisha_taoyuan", 75]]),
        },
        [err("county.xlsx", "row 4"), err("township.csv", "row 3")],
    )


@case
def unknown_unit():
    return Case(
        "refused: a list row naming a unit that is not in the residents' report",
        stages_file(TWO_STAGES),
        SMALL,
        {"township.csv": small_list(rows=[["yunling_qingxi", 91], ["yunling_shangtang", 80],
                                          ["yunling_dongshan", 85], ["baisha_taoyuan", 70]])},
        [err("township.csv", "row 4")],
    )


@case
def duplicate_unit():
    return Case(
        "refused: a unit with two scores in one list (the second row is the problem)",
        stages_file(TWO_STAGES),
        SMALL,
        {"township.csv": small_list(rows=[["yunling_qingxi", 91], ["yunling_shangtang", 80],
                                          ["yunling_qingxi", 85], ["baisha_taoyuan", 70]])},
        [err("township.csv", "row 4")],
    )


@case
def missing_column():
    return Case(
        "refused: a stage list without a score column (分值 is the points column, not a score)",
        stages_file(TWO_STAGES),
        SMALL,
        {"township.csv": small_list(header=("unit", "分值"))},
        [err("township.csv", "row 1")],
    )


VETO_STAGES = dict(vetoes={"file": "vetoes.csv"}, veto_grade="three_star", grades=stars())


@case
def bad_veto():
    return Case(
        "refused: a veto cell \"maybe\"",
        stages_file(TWO_STAGES, **VETO_STAGES),
        SMALL,
        {
            "township.csv": small_list(),
            "vetoes.csv": csv_bytes([["unit", "item", "veto", "evidence"],
                                     ["yunling_qingxi", "安全生产", "是", "通报"],
                                     ["yunling_shangtang", "信访", "maybe", "待核实"]]),
        },
        [err("vetoes.csv", "row 3")],
    )


@case
def veto_grade_unknown():
    return Case(
        "refused: veto_grade is not a level id",
        stages_file(TWO_STAGES, **dict(VETO_STAGES, veto_grade="six_star")),
        SMALL,
        {"township.csv": small_list(),
         "vetoes.csv": csv_bytes([["unit", "item", "veto", "evidence"], ["yunling_qingxi", "安全生产", "是", "通报"]])},
        [err("stages.json", "veto_grade")],
    )


@case
def vetoes_without_veto_grade():
    return Case(
        "refused: vetoes without veto_grade",
        stages_file(TWO_STAGES, vetoes={"file": "vetoes.csv"}, grades=stars()),
        SMALL,
        {"township.csv": small_list(),
         "vetoes.csv": csv_bytes([["unit", "item", "veto", "evidence"], ["yunling_qingxi", "安全生产", "是", "通报"]])},
        [err("stages.json", "veto_grade")],
    )


@case
def list_not_provided():
    return Case(
        "refused: the stages file names county.csv, which is not in the folder",
        stages_file([stage("residents", 0.5, source="residents"), stage("township", 0.25, file="township.csv"),
                     stage("county", 0.25, file="county.csv")]),
        SMALL,
        {"township.csv": small_list()},
        [err("stages.json", None)],
    )


@case
def unknown_members():
    return Case(
        "refused: unknown members in the stages file (top level `comment`, `stages[0].note`)",
        stages_file([dict(stage("residents", 0.5, source="residents"), note="群众评议"),
                     stage("township", 0.5, file="township.csv")], comment="draft"),
        SMALL,
        {"township.csv": small_list()},
        [err("stages.json", "comment"), err("stages.json", "stages[0].note")],
    )


@case
def min_not_decreasing():
    return Case(
        "refused: threshold mins 90, 80, 85 (not strictly decreasing)",
        stages_file(TWO_STAGES, grades={"by": "threshold", "levels": [
            {"id": "five_star", "min": 90}, {"id": "four_star", "min": 80},
            {"id": "three_star", "min": 85}, {"id": "unrated"}]}),
        SMALL,
        {"township.csv": small_list()},
        [err("stages.json", "grades.levels[2].min")],
    )


@case
def unknown_dimension():
    return Case(
        "refused: a stage's dimension is not a top-level dimension of the survey (found when "
        "computing, against the residents' report)",
        stages_file([stage("residents", 0.5, source="residents"),
                     stage("discipline", 0.2, source="residents", dimension="discipline"),
                     stage("township", 0.3, file="township.csv")]),
        SMALL,
        {"township.csv": small_list()},
        [err("stages.json", "stages[1].dimension")],
    )


@case
def list_not_utf8():
    return Case(
        "refused: a list saved in GBK (as some spreadsheet programs export CSV), not UTF-8",
        stages_file(TWO_STAGES),
        SMALL,
        {"township.csv": "单位编号,得分\nyunling_qingxi,91\nyunling_shangtang,80\nbaisha_taoyuan,70\n".encode("gbk")},
        [err("township.csv", None)],
    )


@case
def many_stage_problems():
    return Case(
        "refused: every problem of the stages file at once (format, a weight of 0, a duplicate "
        "stage id, a file on a residents' stage, a missing id, an unknown source, a negative "
        "cap, a share on a threshold level, a min out of range, a duplicate level id); the weights "
        "that are numbers sum to 1, and the lists are not read",
        {
            "format": "stages/2",
            "stages": [
                {"id": "self", "weight": 0, "source": "file", "file": "self.csv"},
                {"id": "self", "weight": 0.5, "source": "residents", "file": "residents.csv"},
                {"weight": 0.5, "source": "survey"},
            ],
            "deductions": {"file": "deductions.csv", "cap_total": -1},
            "grades": {"by": "threshold", "levels": [
                {"id": "a", "min": 90, "share": 0.1}, {"id": "b", "min": -5}, {"id": "a"}]},
        },
        SMALL,
        {},
        sorted([err("stages.json", at) for at in (
            "format", "stages[0].weight", "stages[1].id", "stages[1].file", "stages[2].id",
            "stages[2].source", "deductions.cap_total", "grades.levels[0].share",
            "grades.levels[1].min", "grades.levels[2].id")], key=lambda e: (e["file"], e["at"] or "")),
    )


# ---------------------------------------------------------------------- writing, checking --


def dump(value):
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def design_failures(c, status, value):
    """What in the reference's result differs from what the case was designed to show."""
    if isinstance(c.design, list):
        if status != "errors":
            return ["designed to be refused, but it computes"]
        return [] if value == c.design else [f"problems {value}, designed {c.design}"]
    if status != "ok":
        return [f"designed to compute, but refused: {value}"]
    failures = []
    units = value["units"]
    order = [u["unit"] for u in units]
    if order != list(c.design):
        failures.append(f"order {order}, designed {list(c.design)}")
    by_id = {u["unit"]: u for u in units}
    for uid, members in c.design.items():
        got = by_id.get(uid)
        if got is None:
            continue
        for member, want in members.items():
            have = got.get(member)
            if member == "deductions" and want and isinstance(want[0], tuple):
                have = [(d["item"], d["points"], d["counted"], len(d["rows"])) for d in have]
            if not same(have, want):
                failures.append(f"{uid}.{member} = {have!r}, designed {want!r}")
    return failures


def same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def write_all(root):
    """Writes every case under root; returns [(case name, design failures)]."""
    root.mkdir(parents=True, exist_ok=True)
    results = []
    readme = ["# Final-score fixtures (stages/1)", "",
              "Written by tests/department/make_final_fixtures.py from docs/scoring.md, \"Final scores\";",
              "expected.json / errors.json come from tests/department/final_reference.py.", ""]
    for number, fn in enumerate(CASES, start=1):
        c = fn()
        name = f"{number:04d}_{fn.__name__}"
        folder = root / name
        folder.mkdir()
        stages_text = ("\ufeff" if c.stages_bom else "") + dump(c.stages)
        (folder / "stages.json").write_bytes(stages_text.encode("utf-8"))
        (folder / "residents.json").write_text(dump(c.residents), encoding="utf-8")
        for file, data in c.files.items():
            (folder / file).write_bytes(data)
        status, value = final_reference.compute(stages_text, c.residents, c.files, "stages.json")
        if status == "ok":
            (folder / "expected.json").write_text(dump(value), encoding="utf-8")
        else:
            value = sorted(value, key=lambda e: (e["file"], e["at"] or ""))
            (folder / "errors.json").write_text(dump(value), encoding="utf-8")
        results.append((name, design_failures(c, status, value)))
        readme.append(f"- `{name}`: {c.description}.")
    (root / "README.md").write_text("\n".join(readme) + "\n", encoding="utf-8")
    return results


def xlsx_values(path):
    workbook = openpyxl.load_workbook(path, data_only=True)
    return [(ws.title, [[cell.value for cell in row] for row in ws.iter_rows()]) for ws in workbook.worksheets]


def files_under(root):
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def compare(fresh, stored):
    """[(relative path, None or what differs)] for every file on either side."""
    out = []
    for rel in sorted(files_under(fresh) | files_under(stored)):
        a, b = fresh / rel, stored / rel
        if not b.exists():
            out.append((rel, "missing from crates/survey-dept/test_data/final/"))
        elif not a.exists():
            out.append((rel, "in crates/survey-dept/test_data/final/ but not written by this script"))
        elif rel.endswith(".xlsx"):
            out.append((rel, None if xlsx_values(a) == xlsx_values(b) else "cell values differ"))
        else:
            out.append((rel, None if a.read_bytes() == b.read_bytes() else "content differs"))
    return out


def main():
    parser = argparse.ArgumentParser(description="Write (or --check) crates/survey-dept/test_data/final/.")
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and compare with crates/survey-dept/test_data/final/")
    args = parser.parse_args()
    passed = total = 0

    def check(ok, label):
        nonlocal passed, total
        total += 1
        passed += bool(ok)
        if not ok:
            print(f"FAIL {label}")

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp) / "final"
            for name, failures in write_all(fresh):
                check(not failures, f"{name}: design: {'; '.join(failures)}")
            for rel, problem in compare(fresh, OUT):
                check(problem is None, f"{rel}: {problem}")
    else:
        if OUT.exists():
            shutil.rmtree(OUT)
        for name, failures in write_all(OUT):
            check(not failures, f"{name}: design: {'; '.join(failures)}")
        print(f"wrote {len(CASES)} cases to {OUT.relative_to(ROOT)}/")
    print(f"{passed} of {total} final-score fixture checks passed")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
