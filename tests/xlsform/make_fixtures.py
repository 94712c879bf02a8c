"""Writes the XLSForm fixtures of crates/survey-xlsform/test_data/fixtures/ (small workbooks, one per
rule), reproducibly: fixed document dates and zip timestamps, so `--check` can compare bytes.

    python3 tests/xlsform/make_fixtures.py           # write them
    python3 tests/xlsform/make_fixtures.py --check   # exit 1 when a committed one differs

A fixture named `ok_*` must convert (its definition is pinned in `NAME.expected.json` by the Rust
test `crates/survey-xlsform/tests/fixtures.rs`, and checked against pyxform by
`check_pyxform.py`); `kit_*` likewise, but it uses the kit's own extensions, which pyxform does
not know; one named `err_*` must be refused (its messages pinned in `NAME.errors.txt`).
"""

import datetime
import io
import pathlib
import re
import sys
import zipfile

import openpyxl

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/survey-xlsform/test_data/fixtures"
FIXED = datetime.datetime(2026, 1, 1, 0, 0, 0)

SETTINGS_EN_ZH = [["form_id", "version", "form_title", "default_language"], ["care", "1", "Care", "English (en)"]]

FIXTURES = {
    # Two languages, every basic type, groups (one nested with its own relevance), required.
    "ok_types_groups_languages": {
        "survey": [
            ["type", "name", "label::English (en)", "label::中文 (zh)", "hint::English (en)", "required", "relevant", "constraint"],
            ["text", "resident", "Your name", "您的姓名", "As you like", "", "", ""],
            ["begin_group", "household", "Household", "家庭", "", "", "", ""],
            ["integer", "members", "Members", "人数", "", "yes", "", ". >= 1 and . <= 20"],
            ["decimal", "income", "Income", "收入", "", "", "${members} > 0", ""],
            ["begin_group", "children", "Children", "子女", "", "", "${members} > 1", ""],
            ["select_one yn", "school", "At school?", "上学吗？", "", "TRUE", "", ""],
            ["end_group", "", "", "", "", "", "", ""],
            ["end_group", "", "", "", "", "", "", ""],
            ["date", "visited", "Visit date", "走访日期", "", "", "", ""],
            ["select_multiple services", "used", "Services used", "使用过的服务", "", "", "", ""],
            ["note", "thanks", "Thank you", "谢谢", "", "", "", ""],
        ],
        "choices": [
            ["list_name", "name", "label::English (en)", "label::中文 (zh)"],
            ["yn", "yes", "Yes", "是"],
            ["yn", "no", "No", "否"],
            ["services", "clinic", "Clinic", "卫生室"],
            ["services", "library", "Library", "书屋"],
        ],
        "settings": SETTINGS_EN_ZH,
    },
    # Legacy spellings: select one from, begin group / end group, list name, bind:relevant, label:english.
    "ok_legacy_spellings": {
        "survey": [
            ["type", "name", "label:English", "bind:relevant"],
            ["begin group", "intro", "Introduction", ""],
            ["select one from yes_or_no", "agree", "Do you agree?", ""],
            ["text", "why", "Why not?", "${agree} = 'no'"],
            ["end group", "", "", ""],
        ],
        "choices": [["list name", "name", "label:English"], ["yes_or_no", "yes", "Yes"], ["yes_or_no", "no", "No"]],
        "settings": [["form_id", "version", "form_title"], ["legacy", "2", "Legacy"]],
    },
    # A scale from the satisfied marks, an unscored "don't know", numbers typed in expressions.
    "ok_scale_and_typed_expressions": {
        "survey": [
            ["type", "name", "label::中文 (zh-CN)", "relevant", "indicator"],
            ["select_one sat", "service", "您对服务是否满意？", "", ""],
            ["select_one reason", "reason", "主要原因", "${service} <= '2'", ""],
            ["text", "detail", "请具体说明", "${reason} = 1", ""],
        ],
        "choices": [
            ["list_name", "name", "label::中文 (zh-CN)", "satisfied", "unscored"],
            ["sat", "1", "很不满意", "", ""],
            ["sat", "2", "不太满意", "", ""],
            ["sat", "3", "一般", "", ""],
            ["sat", "4", "比较满意", "yes", ""],
            ["sat", "5", "很满意", "yes", ""],
            ["sat", "9", "不了解", "", "yes"],
            ["reason", "1", "态度", "", ""],
            ["reason", "2", "效率", "", ""],
        ],
        "settings": [["form_id", "version", "form_title", "default_language"], ["sat", "1", "满意度", "中文 (zh)"]],
    },
    # Ungrouped runs around a group become sections of their own; metadata is dropped with a warning.
    "ok_ungrouped_runs_and_metadata": {
        "survey": [
            ["type", "name", "label", "appearance"],
            ["start", "start", "", ""],
            ["text", "opening", "Opening", "multiline"],
            ["begin_group", "middle", "", ""],
            ["integer", "count", "Count", ""],
            ["end_group", "", "", ""],
            ["text", "closing", "Closing", ""],
        ],
        "settings": [["form_id", "version", "form_title", "default_language"], ["runs", "1", "Runs", "English"]],
    },
    # The example of docs/xlsform.md: an evaluation survey with units, a weighted indicator tree,
    # scale items with a "don't know", a reverse item and skip logic, in zh-CN and English.
    "ok_evaluation_example": {
        "survey": [
            ["type", "name", "label::中文 (zh)", "label::English (en)", "required", "relevant", "indicator", "weight", "reverse", "reverse_of"],
            ["select_one years", "lived_years", "您在本村居住多久了？", "How long have you lived here?", "yes", "", "", "", "", ""],
            ["begin_group", "service", "便民服务", "Services", "", "${lived_years} != 'lt1'", "", "", "", ""],
            ["select_one sat", "service_attitude", "您对服务态度是否满意？", "Are you satisfied with how staff treat you?", "yes", "", "service_staff", "2", "", ""],
            ["select_one sat", "service_delay", "办事经常要跑好几趟吗？", "Do errands often take several trips?", "yes", "", "service_staff", "", "yes", ""],
            ["select_one sat", "service_hall", "您对便民服务大厅是否满意？", "Are you satisfied with the service hall?", "", "", "service_place", "", "", ""],
            ["end_group", "", "", "", "", "", "", "", "", ""],
            ["text", "suggestion", "您还有什么建议？", "Any other suggestion?", "", "", "", "", "", ""],
        ],
        "choices": [
            ["list_name", "name", "label::中文 (zh)", "label::English (en)", "satisfied", "unscored"],
            ["years", "lt1", "不到一年", "Less than a year", "", ""],
            ["years", "1to5", "一到五年", "One to five years", "", ""],
            ["years", "gt5", "五年以上", "More than five years", "", ""],
            ["sat", "1", "很不满意", "Very dissatisfied", "", ""],
            ["sat", "2", "不太满意", "Dissatisfied", "", ""],
            ["sat", "3", "一般", "Neutral", "", ""],
            ["sat", "4", "比较满意", "Satisfied", "yes", ""],
            ["sat", "5", "很满意", "Very satisfied", "yes", ""],
            ["sat", "9", "不了解", "Don't know", "", "yes"],
        ],
        "indicators": [
            ["id", "parent", "label::中文 (zh)", "label::English (en)", "weight"],
            ["service", "", "便民服务", "Services", "1"],
            ["service_staff", "service", "服务态度与效率", "Staff and speed", "0.6"],
            ["service_place", "service", "服务场所", "Service places", "0.4"],
        ],
        "units": [
            ["id", "name::中文 (zh)", "name::English (en)"],
            ["qingxi", "青溪村", "Qingxi Village"],
            ["shimen", "石门社区", "Shimen Community"],
        ],
        "settings": [
            ["form_id", "version", "form_title", "default_language", "description"],
            ["service-evaluation", "2026.1", "便民服务满意度测评", "中文 (zh)", "第三方入户测评"],
        ],
    },
    # The kit's own extensions, which pyxform does not know (so not compared with it): a matrix
    # with its rows sheet, recipients, the quality setting, a title per language.
    "kit_matrix_and_settings": {
        "survey": [
            ["type", "name", "label::中文 (zh)", "label::English (en)", "indicator"],
            ["matrix sat", "hall", "对服务大厅各方面的评价", "The service hall", ""],
            ["yes_no", "visited", "您去过服务大厅吗？", "Have you been to the hall?", ""],
        ],
        "choices": [
            ["list_name", "name", "label::中文 (zh)", "label::English (en)", "satisfied", "unscored"],
            ["sat", "1", "不满意", "Dissatisfied", "", ""],
            ["sat", "2", "一般", "Neutral", "", ""],
            ["sat", "3", "满意", "Satisfied", "yes", ""],
            ["sat", "9", "不了解", "Don't know", "", "yes"],
        ],
        "rows": [
            ["matrix", "id", "label::中文 (zh)", "label::English (en)", "indicator", "weight", "reverse"],
            ["hall", "hall_clean", "整洁", "Clean", "place", "2", ""],
            ["hall", "hall_wait", "排队时间长", "Long queues", "place", "", "yes"],
        ],
        "indicators": [["id", "parent", "label::中文 (zh)", "label::English (en)", "weight"], ["place", "", "场所", "Places", "1"]],
        "settings": [
            ["form_id", "version", "form_title::中文 (zh)", "form_title::English (en)", "default_language", "recipients", "min_seconds_per_question"],
            ["hall", "1", "服务大厅测评", "Service hall survey", "中文 (zh)", "age1nmvjhe853dzlqlkfdju2qs2cjxrxxzeaxgezwjctfdayczsm3ffqrgtgdh", "2"],
        ],
    },
    # Every mistake at once, each at its row and column.
    "err_names_types_references": {
        "survey": [
            ["type", "name", "label", "relevant", "required"],
            ["text", "first-name", "First name", "", ""],
            ["text", "ok", "Fine", "${nothing} = 'x'", "maybe"],
            ["calculate", "total", "", "", ""],
            ["select_one nolist", "pick", "Pick", "", ""],
            ["text", "ok", "Again", "", ""],
            ["begin_repeat", "people", "People", "", ""],
            ["end_group", "", "", "", ""],
        ],
        "settings": [["form_id", "default_language"], ["bad", "English (en)"]],
    },
    # Languages that cannot be told.
    "err_languages": {
        "survey": [["type", "name", "label::Deutsch", "label"], ["text", "q1", "Name", "Name"]],
    },
}


def workbook_bytes(sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            cells = []
            for cell in row:
                if cell == "TRUE":
                    cells.append(True)
                else:
                    cells.append(cell if cell != "" else None)
            sheet.append(cells)
    book.properties.created = FIXED
    book.properties.modified = FIXED
    raw = io.BytesIO()
    book.save(raw)
    # Rewritten with fixed timestamps: the same fixtures give the same bytes.
    fixed = io.BytesIO()
    # Stored, not deflated: deflate output may differ between zlib builds, stored bytes cannot.
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_STORED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as the modification date, whatever was set.
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)
            target.writestr(entry, data)
    return fixed.getvalue()


def main():
    check = "--check" in sys.argv[1:]
    OUT.mkdir(parents=True, exist_ok=True)
    differ = []
    for name, sheets in FIXTURES.items():
        path = OUT / f"{name}.xlsx"
        data = workbook_bytes(sheets)
        if check:
            if not path.exists() or path.read_bytes() != data:
                differ.append(str(path))
        else:
            path.write_bytes(data)
    if differ:
        print("fixtures differ from make_fixtures.py:\n  " + "\n  ".join(differ))
        sys.exit(1)
    print(f"{len(FIXTURES)} XLSForm fixtures {'match' if check else 'written'}")


if __name__ == "__main__":
    main()
