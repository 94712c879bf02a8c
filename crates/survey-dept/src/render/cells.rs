//! Cells of the exported tables, typed once and written twice: to CSV as text that spreadsheet
//! programs can neither misread nor run, and to XLSX as typed cells (numbers as numbers, times
//! as dates, text as string cells, never formulas). Also the times of day of a fixed UTC offset
//! and the display width the plain-text table pads by.

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number as it is (a count, a stored answer): CSV writes it exactly.
    Number(f64),
    /// A score or a percentage, 0–100: CSV writes up to 4 decimals, XLSX shows 2.
    Score(f64),
    /// A share, 0–1 (a spreadsheet shows it as a percentage).
    Ratio(f64),
    Bool(bool),
    /// A moment, in milliseconds since 1970 (UTC), shown at the presentation's offset.
    Time(i64),
    /// A calendar date, `YYYY-MM-DD`, as a date answer stores it.
    Date(String),
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }
}

/// How times are shown: an offset from UTC in minutes (China: +480).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(pub i32);

impl Default for UtcOffset {
    /// China Standard Time, where the kit's surveys are run.
    fn default() -> Self {
        UtcOffset(8 * 60)
    }
}

impl UtcOffset {
    /// Reads `+08:00`, `-05:30`, `+0800`, `+08` or `Z`; the offset must lie within ±18:00 (the
    /// range ISO 8601 and every time zone database allow).
    pub fn parse(text: &str) -> Result<UtcOffset, String> {
        let bad = || format!("`{text}` is not a UTC offset such as +08:00, -05:30 or Z");
        let text_trimmed = text.trim();
        if text_trimmed == "Z" || text_trimmed == "z" {
            return Ok(UtcOffset(0));
        }
        let (sign, rest) = match text_trimmed.as_bytes().first() {
            Some(b'+') => (1, &text_trimmed[1..]),
            Some(b'-') => (-1, &text_trimmed[1..]),
            _ => return Err(bad()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        let colon_ok = match rest.find(':') {
            None => true,
            Some(at) => at == 2 && rest.len() == 5,
        };
        if !colon_ok || !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
            return Err(bad());
        }
        let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
        let minutes: i32 = if digits.len() == 4 { digits[2..].parse().map_err(|_| bad())? } else { 0 };
        if minutes >= 60 || hours * 60 + minutes > 18 * 60 {
            return Err(bad());
        }
        Ok(UtcOffset(sign * (hours * 60 + minutes)))
    }

    /// `+08:00`.
    pub fn suffix(self) -> String {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let minutes = self.0.unsigned_abs();
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }

    /// `ms` as ISO 8601 local time with this offset, to the second: `2026-05-01T09:30:00+08:00`.
    pub fn iso(self, ms: i64) -> String {
        let local_seconds = ms.div_euclid(1000) + i64::from(self.0) * 60;
        let days = local_seconds.div_euclid(86_400);
        let second_of_day = local_seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60,
            self.suffix()
        )
    }

    /// `ms` as a spreadsheet date serial (days since 1899-12-30) in local time at this offset:
    /// spreadsheets have no time zones, so the cell holds the wall-clock time the header names.
    pub fn serial(self, ms: i64) -> f64 {
        let local_ms = ms + i64::from(self.0) * 60_000;
        local_ms as f64 / 86_400_000.0 + UNIX_EPOCH_SERIAL
    }
}

/// 1970-01-01 as a spreadsheet date serial.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;

/// The date of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day count since 1970-01-01 of a valid date (inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The spreadsheet serial of a `YYYY-MM-DD` date, or none when it is not a real date.
pub fn date_serial(date: &str) -> Option<f64> {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = date[..4].parse().ok()?;
    let month: u32 = date[5..7].parse().ok()?;
    let day: u32 = date[8..].parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    (civil_from_days(days) == (year, month, day)).then_some(days as f64 + UNIX_EPOCH_SERIAL)
}

/// A score as CSV writes it: integers without a fraction, others with up to 4 decimals.
pub fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Text that a spreadsheet would run as a formula or read as one (OWASP's CSV-injection
/// characters) gets a leading `'`, which the spreadsheet shows as text.
pub fn safe_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A text field of a CSV file: made safe, then quoted when it holds a separator, a quote or a
/// line break (RFC 4180).
pub fn csv_text(text: &str) -> String {
    let safe = safe_text(text);
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe.into_owned()
    }
}

/// A cell as CSV text. Numbers stay numbers (a negative number is not text to neutralise).
pub fn csv_cell(cell: &Cell, offset: UtcOffset, yes_no: (&str, &str)) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => csv_text(text),
        Cell::Number(value) => format!("{value}"),
        Cell::Score(value) | Cell::Ratio(value) => number_text(*value),
        Cell::Bool(value) => csv_text(if *value { yes_no.0 } else { yes_no.1 }),
        Cell::Time(ms) => offset.iso(*ms),
        Cell::Date(date) => csv_text(date),
    }
}

/// The width a terminal gives `text`: East Asian wide and full-width characters take two
/// columns (the blocks CJK text and its punctuation use), everything else one.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let wide = matches!(c as u32,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
                | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
                | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// `text` padded with spaces to `width` display columns (left-aligned).
pub fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(display_width(text))));
    out
}

/// `text` padded with spaces on the left to `width` display columns (right-aligned).
pub fn pad_left(text: &str, width: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(display_width(text))).collect();
    out.push_str(text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_at_the_offset() {
        let china = UtcOffset::default();
        // 2026-05-01T01:30:00Z.
        let ms = 1_777_599_000_000;
        assert_eq!(china.iso(ms), "2026-05-01T09:30:00+08:00");
        assert_eq!(UtcOffset(0).iso(ms), "2026-05-01T01:30:00+00:00");
        assert_eq!(UtcOffset(-330).iso(ms), "2026-04-30T20:00:00-05:30");
        assert_eq!(china.iso(0), "1970-01-01T08:00:00+08:00");
        // Before 1970 and at a leap day.
        assert_eq!(UtcOffset(0).iso(-1000), "1969-12-31T23:59:59+00:00");
        assert_eq!(UtcOffset(0).iso(951_782_400_000), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn spreadsheet_serials_are_local_wall_clock_days() {
        assert_eq!(UtcOffset(0).serial(0), 25_569.0);
        assert_eq!(UtcOffset(8 * 60).serial(0), 25_569.0 + 8.0 / 24.0);
        assert_eq!(date_serial("1970-01-01"), Some(25_569.0));
        assert_eq!(date_serial("2026-05-01"), Some(46_143.0));
        assert_eq!(date_serial("2024-02-29"), Some(45_351.0));
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-5-1", "", "abcd-ef-gh"] {
            assert_eq!(date_serial(bad), None, "{bad}");
        }
    }

    #[test]
    fn offsets_parse_in_the_usual_spellings_and_nothing_else() {
        for (text, minutes) in
            [("+08:00", 480), ("+0800", 480), ("+08", 480), ("-05:30", -330), ("Z", 0), ("+00:00", 0)]
        {
            assert_eq!(UtcOffset::parse(text), Ok(UtcOffset(minutes)), "{text}");
        }
        for bad in ["08:00", "+8", "+08:0", "+08:60", "+19:00", "+08:00:00", "", "+0a:00", "+080:0"] {
            assert!(UtcOffset::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(UtcOffset(-330).suffix(), "-05:30");
    }

    #[test]
    fn formula_characters_are_neutralised_and_numbers_are_not() {
        let offset = UtcOffset::default();
        let yes_no = ("true", "false");
        for (text, want) in [
            ("=1+2 合计不对", "'=1+2 合计不对"),
            ("+86 138", "'+86 138"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("a,b", "\"a,b\""),
            ("=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""),
            ("\rline", "\"'\rline\""),
            ("plain", "plain"),
        ] {
            assert_eq!(csv_cell(&Cell::text(text), offset, yes_no), want, "{text:?}");
        }
        assert_eq!(csv_cell(&Cell::Number(-3.5), offset, yes_no), "-3.5");
        assert_eq!(csv_cell(&Cell::Number(4.0), offset, yes_no), "4");
        assert_eq!(csv_cell(&Cell::Number(1.234_567_89), offset, yes_no), "1.23456789", "answers exactly");
        assert_eq!(csv_cell(&Cell::Number(1_777_599_000_000.0), offset, yes_no), "1777599000000");
        assert_eq!(csv_cell(&Cell::Score(66.666_666), offset, yes_no), "66.6667");
        assert_eq!(csv_cell(&Cell::Score(75.0), offset, yes_no), "75");
        assert_eq!(csv_cell(&Cell::Bool(true), offset, ("是", "否")), "是");
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("东湖村"), 6);
        assert_eq!(display_width("（未填）"), 8);
        assert_eq!(pad("东湖", 6), "东湖  ");
        assert_eq!(pad_left("7", 3), "  7");
    }
}
