//! Unit tests on small workbooks written in memory; the real public forms are in `tests/`.

use super::*;

/// A workbook of sheets, each a list of rows of text cells (`=TRUE` writes a boolean cell, a
/// cell that parses as a number a number cell, as Excel stores them).
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if *cell == "=TRUE" {
                    sheet.write_boolean(r, c, true).expect("write");
                } else if let Ok(n) = cell.parse::<f64>() {
                    sheet.write_number(r, c, n).expect("write");
                } else if !cell.is_empty() {
                    sheet.write_string(r, c, *cell).expect("write");
                }
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

fn definition(conversion: &Conversion) -> Value {
    let text = conversion.definition.as_deref().unwrap_or_else(|| panic!("no definition: {:#?}", conversion.problems));
    serde_json::from_str(text).expect("JSON")
}

fn rendered(conversion: &Conversion) -> Vec<String> {
    conversion.problems.iter().map(|p| p.render(MessageLang::En)).collect()
}

const SETTINGS: (&str, &[&[&str]]) = (
    "settings",
    &[&["form_id", "version", "form_title", "default_language"], &["care", "3", "Care survey", "English (en)"]],
);

#[test]
fn groups_become_sections_and_ungrouped_runs_sections_of_their_own() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "relevant", "required"],
        &["text", "intro_name", "Your name", "", ""],
        &["begin_group", "care", "Care", "${intro_name} != ''", ""],
        &["select_one yn", "visited", "Visited?", "", "yes"],
        &["begin group", "inner", "", "${visited} = 'y'", ""],
        &["integer", "times", "How many times?", "", "=TRUE"],
        &["end group", "", "", "", ""],
        &["end_group", "", "", "", ""],
        &["note", "bye", "Thank you", "", ""],
        &["", "", "", "", ""],
    ];
    let choices: &[&[&str]] = &[&["list name", "name", "label"], &["yn", "y", "Yes"], &["yn", "n", "No"]];
    let conversion = convert(&workbook(&[("survey", survey), ("choices", choices), SETTINGS]));
    let d = definition(&conversion);
    assert_eq!(d["id"], "care");
    assert_eq!(d["languages"], json!(["en"]));
    let sections = d["sections"].as_array().expect("sections");
    let ids: Vec<&str> = sections.iter().map(|s| s["id"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["part_1", "care", "part_2"]);
    let care = &sections[1]["questions"];
    assert_eq!(care[0]["kind"], "single");
    assert_eq!(care[0]["required"], true);
    assert_eq!(care[0]["relevant"], "(${intro_name} != '')");
    // The nested group's relevance and the outer one, and-ed; TRUE cells are yes.
    assert_eq!(care[1]["relevant"], "(${intro_name} != '') and (${visited} = 'y')");
    assert_eq!(sections[2]["questions"][0]["kind"], "note");
    assert_eq!(care[1]["required"], true);
}

#[test]
fn every_mistake_is_named_by_sheet_row_and_column_at_once() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "relevant"],
        &["text", "q-1", "Bad name", ""],
        &["text", "q2", "Refers to nothing", "${q7} = 'x'"],
        &["geopoint", "where", "Where?", ""],
        &["select_one missing", "q3", "No list", ""],
        &["end_group", "", "", ""],
    ];
    let conversion = convert(&workbook(&[("survey", survey), SETTINGS]));
    assert!(conversion.definition.is_none(), "nothing is written when there is an error");
    assert_eq!(
        rendered(&conversion),
        [
            "sheet survey, row 2, column name: the name q-1 may only hold ASCII letters, digits and underscores (it is not renamed)",
            "sheet survey, row 3, column relevant: ${q7} is not a question of this form",
            "sheet survey, row 4, column type: geopoint is not supported by the kit",
            "sheet survey, row 5, column type: the choices sheet has no list missing",
            "sheet survey, row 6, column type: begin_group and end_group do not pair up",
        ]
    );
    assert_eq!(
        conversion.problems[1].render(MessageLang::ZhCn),
        "survey 表第 3 行 relevant 列：引用了不存在的题目 ${q7}"
    );
}

#[test]
fn languages_come_from_codes_and_known_names() {
    assert_eq!(language_tag("Deutsch (de)").as_deref(), Some("de"));
    assert_eq!(language_tag("中文 (zh)").as_deref(), Some("zh-CN"));
    assert_eq!(language_tag("Chinese (zh-Hans)").as_deref(), Some("zh-CN"));
    assert_eq!(language_tag("English").as_deref(), Some("en"));
    assert_eq!(language_tag("简体中文").as_deref(), Some("zh-CN"));
    assert_eq!(language_tag("Deutsch"), None);
    assert_eq!(language_tag("Tigirigna"), None);

    let survey: &[&[&str]] = &[&["type", "name", "label::English", "label::Deutsch"], &["text", "q1", "Name", "Name"]];
    let conversion = convert(&workbook(&[("survey", survey)]));
    assert_eq!(
        rendered(&conversion),
        ["sheet survey, row 1, column label::Deutsch: the language Deutsch is not known: write it as \"Name (code)\", e.g. Deutsch (de)"]
    );
    let plain: &[&[&str]] = &[&["type", "name", "label"], &["text", "q1", "Name"]];
    let conversion = convert(&workbook(&[("survey", plain)]));
    assert_eq!(conversion.problems[0].message, Message::NoDefaultLanguage);
}

#[test]
fn literals_follow_the_kind_they_are_compared_with() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label::English (en)", "label::中文 (zh)", "relevant", "constraint"],
        &["select_one sat", "sat", "Satisfied?", "满意吗？", "", ""],
        &["select_one pick", "pick", "Pick", "选", "${sat} >= '4'", ""],
        &["integer", "n", "How many?", "多少？", "${pick} = 1 and selected(${pick}, 2)", ". <= ‘10’"],
    ];
    let choices: &[&[&str]] = &[
        &["list_name", "name", "label::English (en)", "label::中文 (zh)", "satisfied", "unscored"],
        &["sat", "1", "No", "不满意", "", ""],
        &["sat", "5", "Yes", "满意", "yes", ""],
        &["sat", "9", "Don't know", "不了解", "", "yes"],
        &["pick", "1", "One", "一", "", ""],
        &["pick", "2", "Two", "二", "", ""],
    ];
    let conversion = convert(&workbook(&[("survey", survey), ("choices", choices)]));
    let d = definition(&conversion);
    assert_eq!(d["languages"], json!(["en", "zh-CN"]));
    let q = &d["sections"][0]["questions"];
    assert_eq!(q[0]["kind"], "scale", "integer names and satisfied marks make a scale");
    assert_eq!(q[0]["satisfied"], json!([5]));
    assert_eq!(q[0]["unscored"][0]["value"], 9);
    assert_eq!(q[1]["kind"], "single");
    assert_eq!(q[1]["relevant"], "(${sat} >= 4)");
    assert_eq!(q[2]["relevant"], "((${pick} = '1') and selected(${pick}, '2'))");
    assert_eq!(q[2]["constraint"], "(. <= 10)", "smart quotes straightened, the number typed");
}

#[test]
fn metadata_and_dropped_columns_warn_and_a_likert_list_without_marks_stays_a_choice() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "appearance", "required_message"],
        &["start", "start", "", "", ""],
        &["select_one l5", "q1", "Rate", "likert", "Please answer"],
    ];
    let choices: &[&[&str]] = &[&["list_name", "name", "label"], &["l5", "1", "Bad"], &["l5", "2", "Good"]];
    let conversion = convert(&workbook(&[("survey", survey), ("choices", choices), SETTINGS]));
    let d = definition(&conversion);
    assert_eq!(d["sections"][0]["questions"][0]["kind"], "single");
    assert_eq!(
        rendered(&conversion),
        [
            "sheet survey, row 2, column type: the metadata field start was dropped (the kit records times and devices itself)",
            "sheet survey, row 3, column required_message: this column has no place in survey/1 and was dropped",
            "sheet survey, row 3, column appearance: appearance likert alone does not make a scored scale: mark the satisfied choices in the choices sheet's satisfied column",
        ]
    );
}

#[test]
fn a_file_that_is_no_workbook_is_refused_cleanly() {
    let conversion = convert(b"type,name\ntext,q1\n");
    assert!(conversion.definition.is_none());
    assert!(matches!(conversion.problems[0].message, Message::Unreadable(_)));
}

#[test]
fn findings_of_the_kit_validation_point_at_their_row() {
    let survey: &[&[&str]] = &[&["type", "name", "label", "indicator"], &["select_one sat", "q1", "Rate", "nowhere"]];
    let choices: &[&[&str]] =
        &[&["list_name", "name", "label", "satisfied"], &["sat", "1", "Bad", ""], &["sat", "2", "Good", "yes"]];
    let conversion = convert(&workbook(&[("survey", survey), ("choices", choices), SETTINGS]));
    assert!(conversion.definition.is_none());
    let first = &conversion.problems[0];
    assert_eq!(
        (first.sheet.as_str(), first.row, first.column.as_deref()),
        ("survey", Some(2), Some("indicator")),
        "{first:?}"
    );
}

#[test]
fn indicators_units_and_ranges_come_from_their_sheets_and_columns() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "indicator", "weight", "reverse", "min", "max"],
        &["select_one sat", "q1", "Service", "service_staff", "2", "", "", ""],
        &["select_one sat", "q2", "Complaints", "service_staff", "", "yes", "", ""],
        &["integer", "years", "Years here", "", "", "", "0", "120"],
    ];
    let choices: &[&[&str]] =
        &[&["list_name", "name", "label", "satisfied"], &["sat", "1", "Bad", ""], &["sat", "2", "Good", "yes"]];
    let indicators: &[&[&str]] = &[
        &["id", "parent", "label", "weight"],
        &["service", "", "Service", "1"],
        &["service_staff", "service", "Staff", "1"],
        &["orphan", "nowhere", "Orphan", "1"],
    ];
    let units: &[&[&str]] = &[&["id", "name"], &["east", "East village"]];
    let conversion = convert(&workbook(&[
        ("survey", survey),
        ("choices", choices),
        ("indicators", indicators),
        ("units", units),
        SETTINGS,
    ]));
    assert_eq!(
        rendered(&conversion),
        ["sheet indicators, row 4, column parent: the parent nowhere is not an indicator above this row"]
    );
    let fixed: &[&[&str]] = &indicators[..3];
    let conversion = convert(&workbook(&[
        ("survey", survey),
        ("choices", choices),
        ("indicators", fixed),
        ("units", units),
        SETTINGS,
    ]));
    let d = definition(&conversion);
    assert_eq!(d["indicators"][0]["children"][0]["id"], "service_staff");
    assert_eq!(d["units"], json!([{ "id": "east", "name": { "en": "East village" } }]));
    let q = &d["sections"][0]["questions"];
    assert_eq!((&q[0]["weight"], &q[1]["reverse"]), (&json!(2.0), &json!(true)));
    assert_eq!((&q[2]["min"], &q[2]["max"]), (&json!(0.0), &json!(120.0)));
}

#[test]
fn a_scale_or_matrix_needs_a_scale_list() {
    let survey: &[&[&str]] =
        &[&["type", "name", "label"], &["scale yn", "q1", "Rate"], &["matrix nolist", "q2", "Rate"]];
    let choices: &[&[&str]] = &[&["list_name", "name", "label"], &["yn", "y", "Yes"], &["yn", "n", "No"]];
    let conversion = convert(&workbook(&[("survey", survey), ("choices", choices), SETTINGS]));
    assert_eq!(
        rendered(&conversion),
        [
            "sheet survey, row 2, column type: the list yn is not a scale: its names must be whole numbers, with at least one marked satisfied",
            "sheet survey, row 3, column type: the choices sheet has no list nolist",
        ]
    );
}
