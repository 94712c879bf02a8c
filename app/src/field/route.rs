//! Routes of the app, kept in the URL fragment so that a reload lands on the same screen:
//! `#/` home, `#/settings`, `#/welcome` (self-completion), `#/fill/<response id>`,
//! `#/done/<response id>`, `#/today` (the round's work of the day), `#/round/<round>/<unit>`
//! (one unit's households).

/// A screen of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// The evaluator's details and the device's storage.
    Settings,
    /// The welcome screen of self-completion: the tablet is in a resident's hands.
    Welcome,
    Fill(String),
    Done(String),
    /// Today's work: the units of every round assigned to this device.
    Today,
    /// One assigned unit: its released households, contacts and interviews.
    Unit {
        round: String,
        unit: String,
    },
}

impl Route {
    /// Parses a fragment (without `#`); anything unknown is home.
    pub fn parse(fragment: &str) -> Route {
        let path = fragment.trim_start_matches('/');
        if let Some(rest) = path.strip_prefix("round/") {
            if let Some((round, unit)) = rest.split_once('/') {
                if !round.is_empty() && !unit.is_empty() && !unit.contains('/') {
                    return Route::Unit { round: decode(round), unit: decode(unit) };
                }
            }
            return Route::Home;
        }
        let mut parts = path.splitn(2, '/');
        match (parts.next(), parts.next()) {
            (Some("fill"), Some(id)) if !id.is_empty() => Route::Fill(id.to_owned()),
            (Some("done"), Some(id)) if !id.is_empty() => Route::Done(id.to_owned()),
            (Some("settings"), None) => Route::Settings,
            (Some("welcome"), None) => Route::Welcome,
            (Some("today"), None) => Route::Today,
            _ => Route::Home,
        }
    }

    /// The fragment for this route (without `#`).
    pub fn fragment(&self) -> String {
        match self {
            Route::Home => "/".to_owned(),
            Route::Settings => "/settings".to_owned(),
            Route::Welcome => "/welcome".to_owned(),
            Route::Fill(id) => format!("/fill/{id}"),
            Route::Done(id) => format!("/done/{id}"),
            Route::Today => "/today".to_owned(),
            Route::Unit { round, unit } => format!("/round/{}/{}", encode(round), encode(unit)),
        }
    }
}

/// Round and unit ids are free text in the round file: `/`, `%` and spaces are escaped so that
/// any id makes one path segment.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for ch in segment.chars() {
        match ch {
            '%' | '/' | ' ' | '#' | '?' => out.push_str(&format!("%{:02X}", ch as u32)),
            _ => out.push(ch),
        }
    }
    out
}

/// Percent-decodes a segment as UTF-8 (browsers may hand back non-ASCII ids escaped); a `%`
/// not followed by two hex digits stays as it is.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let escaped = (bytes[idx] == b'%')
            .then(|| segment.get(idx + 1..idx + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                idx += 3;
            }
            None => {
                out.push(bytes[idx]);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_and_unknown_is_home() {
        for route in [
            Route::Home,
            Route::Settings,
            Route::Welcome,
            Route::Fill("abc".into()),
            Route::Done("x-1".into()),
            Route::Today,
            Route::Unit { round: "2026-q4".into(), unit: "cun-01".into() },
            Route::Unit { round: "a/b %c".into(), unit: "x y".into() },
        ] {
            assert_eq!(Route::parse(&route.fragment()), route);
        }
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("/fill/"), Route::Home);
        assert_eq!(Route::parse("/nowhere/1"), Route::Home);
        assert_eq!(Route::parse("/round/r"), Route::Home);
        assert_eq!(Route::parse("/round/r/u/extra"), Route::Home);
        assert_eq!(Route::parse("/round/r/%zz"), Route::Unit { round: "r".into(), unit: "%zz".into() });
        // Chromium hands back a fragment with non-ASCII characters percent-encoded.
        assert_eq!(Route::parse("/round/r/%E6%9D%91"), Route::Unit { round: "r".into(), unit: "村".into() });
    }
}
