//! Routes of the app, kept in the URL fragment so that a reload lands on the same screen:
//! `#/` home, `#/settings`, `#/welcome` (self-completion), `#/fill/<response id>`,
//! `#/done/<response id>`.

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
}

impl Route {
    /// Parses a fragment (without `#`); anything unknown is home.
    pub fn parse(fragment: &str) -> Route {
        let path = fragment.trim_start_matches('/');
        let mut parts = path.splitn(2, '/');
        match (parts.next(), parts.next()) {
            (Some("fill"), Some(id)) if !id.is_empty() => Route::Fill(id.to_owned()),
            (Some("done"), Some(id)) if !id.is_empty() => Route::Done(id.to_owned()),
            (Some("settings"), None) => Route::Settings,
            (Some("welcome"), None) => Route::Welcome,
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_and_unknown_is_home() {
        for route in
            [Route::Home, Route::Settings, Route::Welcome, Route::Fill("abc".into()), Route::Done("x-1".into())]
        {
            assert_eq!(Route::parse(&route.fragment()), route);
        }
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("/fill/"), Route::Home);
        assert_eq!(Route::parse("/nowhere/1"), Route::Home);
    }
}
