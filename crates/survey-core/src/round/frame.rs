//! A unit's household frame from the organiser's CSV file (`docs/round-format.md`): RFC 4180
//! with commas, UTF-8 (one leading BOM removed), CRLF or LF, the header in row 1 and the codes in
//! the column named exactly `household`.
//!
//! Read strictly, by hand: the usual CSV readers are lenient by design (a stray quote, a quoted
//! line break or a ragged row is read somehow), while a frame decides who is asked, so each of
//! those is an error at its row. Cells are not trimmed; the draw's text rules judge the codes.

use super::draw::{check_text, TextKind};
use std::fmt;

/// The column that holds the household codes.
pub const HOUSEHOLD_COLUMN: &str = "household";

/// A fault of a frame file, at a row numbered from 1 (the header), or of the whole file (row 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub row: usize,
    pub message: String,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.row == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.row, self.message)
        }
    }
}

fn at(row: usize, message: impl Into<String>) -> FrameError {
    FrameError { row, message: message.into() }
}

/// Splits CSV text into rows of cells, each row with its number, or the row's fault: a quoted
/// line break, a quote in an unquoted cell or text after a closing quote. Line breaks never
/// belong to a cell, so each line is read on its own and one fault does not hide the next.
/// (The department's stage, deduction and veto lists are read the same way.)
pub fn csv_rows(text: &str) -> Vec<(usize, Result<Vec<String>, String>)> {
    let mut out: Vec<(usize, Result<Vec<String>, String>)> = text
        .split('\n')
        .enumerate()
        .map(|(idx, line)| (idx + 1, cells(line.strip_suffix('\r').unwrap_or(line))))
        .collect();
    // A final line end leaves one empty piece after it: not a row.
    if text.ends_with('\n') {
        out.pop();
    }
    out
}

fn cells(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut cell = String::new();
            let mut chars = quoted.char_indices();
            let after = loop {
                match chars.next() {
                    None => {
                        return Err(
                            "a quoted cell is not closed on its row (line breaks inside cells are not allowed)".into()
                        )
                    }
                    Some((idx, '"')) => {
                        if quoted[idx + 1..].starts_with('"') {
                            cell.push('"');
                            chars.next();
                        } else {
                            break &quoted[idx + 1..];
                        }
                    }
                    Some((_, '\r')) => return Err("a carriage return inside a cell".into()),
                    Some((_, c)) => cell.push(c),
                }
            };
            out.push(cell);
            match after.strip_prefix(',') {
                Some(next) => rest = next,
                None if after.is_empty() => return Ok(out),
                None => {
                    return Err(
                        "text after a closing quote (quote the whole cell, and write a quote inside as \"\")".into()
                    )
                }
            }
        } else {
            let (cell, next) = match rest.find(',') {
                Some(idx) => (&rest[..idx], Some(&rest[idx + 1..])),
                None => (rest, None),
            };
            if cell.contains('"') {
                return Err(
                    "a quote inside an unquoted cell (quote the whole cell, and write a quote inside as \"\")".into()
                );
            }
            if cell.contains('\r') {
                return Err("a carriage return inside a cell".into());
            }
            out.push(cell.to_owned());
            match next {
                Some(next) => rest = next,
                None => return Ok(out),
            }
        }
    }
}

/// Reads the household codes of a frame file, in file order, or every fault found (each row's
/// first fault; a file that is not UTF-8 or has no `household` column is one fault of the file).
pub fn read_frame(bytes: &[u8]) -> Result<Vec<String>, Vec<FrameError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        vec![at(
            0,
            format!(
                "not UTF-8 (at byte {}): saved as GBK or another encoding? In Excel, save it as \"CSV UTF-8 (comma delimited)\"",
                err.valid_up_to()
            ),
        )]
    })?;
    let rows = csv_rows(text);
    let header = match rows.first() {
        None => return Err(vec![at(0, "empty file: row 1 must be the header")]),
        Some((row, Err(message))) => return Err(vec![at(*row, message.clone())]),
        Some((_, Ok(header))) => header,
    };
    let Some(column) = header.iter().position(|name| name == HOUSEHOLD_COLUMN) else {
        return Err(vec![at(1, format!("no column named `{HOUSEHOLD_COLUMN}` in the header"))]);
    };
    if header.iter().filter(|name| *name == HOUSEHOLD_COLUMN).count() > 1 {
        return Err(vec![at(1, format!("two columns named `{HOUSEHOLD_COLUMN}`"))]);
    }
    // Fully empty rows at the end (as spreadsheets leave them) are not rows of the frame.
    let is_blank =
        |cells: &Result<Vec<String>, String>| cells.as_ref().is_ok_and(|cells| cells.iter().all(String::is_empty));
    let last = rows.iter().rposition(|(_, cells)| !is_blank(cells)).unwrap_or(0);
    let mut codes = Vec::new();
    let mut rows_of_codes = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in &rows[1..=last] {
        let cells = match cells {
            Ok(cells) => cells,
            Err(message) => {
                errors.push(at(*row, message.clone()));
                continue;
            }
        };
        if cells.len() != header.len() {
            errors.push(at(*row, format!("{} cells, the header has {}", cells.len(), header.len())));
            continue;
        }
        let code = &cells[column];
        if let Err(err) = check_text(code, TextKind::Household) {
            errors.push(at(*row, format!("household code {code:?}: {err}")));
            continue;
        }
        codes.push(code.clone());
        rows_of_codes.push(*row);
    }
    let mut seen = std::collections::HashMap::new();
    for (idx, code) in codes.iter().enumerate() {
        if let Some(first) = seen.insert(code.as_str(), idx) {
            errors.push(at(
                rows_of_codes[idx],
                format!("duplicate household code {code:?} (first at row {})", rows_of_codes[first]),
            ));
            seen.insert(code.as_str(), first);
        }
    }
    if errors.is_empty() {
        Ok(codes)
    } else {
        errors.sort_by_key(|err| err.row);
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(errors: Vec<FrameError>) -> Vec<usize> {
        errors.into_iter().map(|e| e.row).collect()
    }

    #[test]
    fn reads_codes_with_quotes_bom_and_crlf() {
        let file = "\u{feff}address,household\r\n\"Lane 3, No. 5\",A-101\r\n\"say \"\"hi\"\"\",3号楼2单元501\r\n,,\r\n";
        // The last row is ragged but blank, so it is trailing emptiness.
        assert_eq!(read_frame(file.as_bytes()), Ok(vec!["A-101".to_owned(), "3号楼2单元501".to_owned()]));
        assert_eq!(read_frame(b"household\nA\nB"), Ok(vec!["A".to_owned(), "B".to_owned()]));
        assert_eq!(read_frame(b"household\nA\n\n\n"), Ok(vec!["A".to_owned()]));
    }

    #[test]
    fn every_fault_is_at_its_row() {
        assert_eq!(rows_of(read_frame(b"household,x\nA,1\nB\n,2\nA,3\n C,4\n").unwrap_err()), vec![3, 4, 5, 6]);
        assert_eq!(rows_of(read_frame(b"household\n\"A\nB\"\n").unwrap_err()), vec![2, 3]);
        assert_eq!(rows_of(read_frame(b"household\nA\"B\n").unwrap_err()), vec![2]);
        assert_eq!(rows_of(read_frame(b"household\n\"A\"B\n").unwrap_err()), vec![2]);
        assert_eq!(rows_of(read_frame(b"household\nA\n\nB\n").unwrap_err()), vec![3]);
        assert_eq!(rows_of(read_frame(b"code\nA\n").unwrap_err()), vec![1]);
        // A cell is never trimmed: " A" is refused by the text rules, not read as "A".
        let err = read_frame(b"household\n A\n").unwrap_err();
        assert!(err[0].message.contains("starts or ends with a space"), "{err:?}");
    }

    #[test]
    fn gbk_is_refused_with_the_hint_to_save_as_csv_utf8() {
        // "户号" in GBK.
        let err = read_frame(b"household\n\xbb\xa7\xba\xc5\n").unwrap_err();
        assert_eq!(err[0].row, 0);
        assert!(err[0].message.contains("CSV UTF-8"), "{err:?}");
    }
}
