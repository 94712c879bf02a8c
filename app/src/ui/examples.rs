//! Example surveys bundled into the app, so a fresh tablet has something to collect with.

/// `(file name, definition text)` of each bundled survey.
pub const BUNDLED: &[(&str, &str)] = &[
    ("party-building-satisfaction.json", include_str!("../../../survey-schemas/party-building-satisfaction.json")),
    ("openness-of-affairs.json", include_str!("../../../survey-schemas/openness-of-affairs.json")),
    ("property-and-owners-committee.json", include_str!("../../../survey-schemas/property-and-owners-committee.json")),
    ("secretary-project-delivery.json", include_str!("../../../survey-schemas/secretary-project-delivery.json")),
];
