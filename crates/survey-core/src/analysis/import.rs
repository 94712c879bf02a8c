//! Importing verified bundles at a department: deduplication, conflicts, and missing responses.
//!
//! Importing is a set union keyed by response id, so the outcome does not depend on the order
//! of the files or on importing one twice: the same response with the same content is counted
//! once; the same id with different content is a conflict, kept aside with both versions and
//! counted in neither. Per device, the sequence numbers received are compared with the highest
//! number the device reported (`device_seq_high`) to list the responses not received yet.

use crate::bundle::{ExportedResponse, VerifiedBundle};
use crate::canonical::sha256_canonical_hex;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Two different responses under one id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub id: String,
    /// The hashes of the versions seen.
    pub hashes: Vec<String>,
}

/// What is known about one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceProgress {
    pub keyid: String,
    pub evaluator: String,
    /// The highest sequence number any of its bundles reported.
    pub seq_high: u64,
    pub received: BTreeSet<u64>,
}

impl DeviceProgress {
    /// How many sequence numbers the device issued that no imported bundle contained.
    pub fn missing_count(&self) -> u64 {
        // Verification keeps every received number within 1..=seq_high.
        self.seq_high.saturating_sub(self.received.len() as u64)
    }

    /// The first [`MISSING_LISTED`] of those numbers, in order. Capped because a device's
    /// `device_seq_high` is only bounded by the bundle it signed: listing a gap of billions would
    /// stall every report.
    pub fn missing(&self) -> Vec<u64> {
        (1..=self.seq_high).filter(|seq| !self.received.contains(seq)).take(MISSING_LISTED).collect()
    }
}

/// How many missing sequence numbers of one device are listed (the count is always given).
pub const MISSING_LISTED: usize = 1000;

/// The department's accumulated import of one survey version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Import {
    /// Response id → (hash, response).
    accepted: BTreeMap<String, (String, ExportedResponse)>,
    conflicts: BTreeMap<String, BTreeSet<String>>,
    devices: BTreeMap<String, DeviceProgress>,
    bundles: BTreeSet<String>,
}

/// What one bundle added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Added {
    pub new: usize,
    pub duplicates: usize,
    pub conflicts: usize,
}

impl Import {
    /// Adds a verified bundle. Re-adding a bundle changes nothing.
    pub fn add(&mut self, bundle: &VerifiedBundle) -> Added {
        let responses = bundle.responses.iter().enumerate().map(|(idx, response)| {
            // The verifier already checked each response against its hash; reuse it.
            (bundle.response_hashes.get(idx).cloned(), Cow::Borrowed(response))
        });
        self.add_responses(bundle, responses)
    }

    /// [`Import::add`] for a bundle the caller no longer needs: its responses are moved into the
    /// import instead of copied.
    pub fn add_owned(&mut self, mut bundle: VerifiedBundle) -> Added {
        let responses = std::mem::take(&mut bundle.responses);
        let mut hashes = std::mem::take(&mut bundle.response_hashes).into_iter();
        let responses = responses.into_iter().map(|response| (hashes.next(), Cow::Owned(response)));
        self.add_responses(&bundle, responses)
    }

    fn add_responses<'r>(
        &mut self,
        bundle: &VerifiedBundle,
        responses: impl Iterator<Item = (Option<String>, Cow<'r, ExportedResponse>)>,
    ) -> Added {
        self.bundles.insert(bundle.bundle_id.clone());
        let device = self.devices.entry(bundle.keyid.clone()).or_insert_with(|| DeviceProgress {
            keyid: bundle.keyid.clone(),
            evaluator: bundle.device.evaluator.clone(),
            seq_high: 0,
            received: BTreeSet::new(),
        });
        device.seq_high = device.seq_high.max(bundle.device_seq_high);
        let mut added = Added::default();
        for (hash, response) in responses {
            device.received.insert(response.seq);
            let hash =
                hash.unwrap_or_else(|| sha256_canonical_hex(&serde_json::to_value(&*response).unwrap_or_default()));
            if let Some(seen) = self.conflicts.get_mut(&response.id) {
                seen.insert(hash);
                added.conflicts += 1;
                continue;
            }
            match self.accepted.get(&response.id) {
                Some((known, _)) if *known == hash => added.duplicates += 1,
                Some((known, _)) => {
                    let known = known.clone();
                    self.accepted.remove(&response.id);
                    self.conflicts.insert(response.id.clone(), [known, hash].into_iter().collect());
                    added.conflicts += 1;
                }
                None => {
                    self.accepted.insert(response.id.clone(), (hash, response.into_owned()));
                    added.new += 1;
                }
            }
        }
        added
    }

    /// The responses to score, in id order.
    pub fn responses(&self) -> Vec<ExportedResponse> {
        self.accepted.values().map(|(_, response)| response.clone()).collect()
    }

    /// The responses to score, in id order, without copying them.
    pub fn responses_ref(&self) -> impl Iterator<Item = &ExportedResponse> + '_ {
        self.accepted.values().map(|(_, response)| response)
    }

    /// [`Import::responses`] of an import that is no longer needed, moved out instead of copied.
    pub fn into_responses(self) -> Vec<ExportedResponse> {
        self.accepted.into_values().map(|(_, response)| response).collect()
    }

    pub fn conflicts(&self) -> Vec<Conflict> {
        self.conflicts
            .iter()
            .map(|(id, hashes)| Conflict { id: id.clone(), hashes: hashes.iter().cloned().collect() })
            .collect()
    }

    pub fn devices(&self) -> Vec<DeviceProgress> {
        self.devices.values().cloned().collect()
    }

    pub fn bundle_count(&self) -> usize {
        self.bundles.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{RosterDevice, SurveyRef};
    use crate::response::Mode;
    use proptest::prelude::*;

    fn response(id: &str, seq: u64, unit: &str) -> ExportedResponse {
        ExportedResponse {
            id: id.into(),
            survey_id: "s".into(),
            fingerprint: "f".into(),
            unit: Some(unit.into()),
            device: "d".into(),
            seq,
            answers: BTreeMap::new(),
            started_at: 0,
            finished_at: 1,
            mode: Mode::Interview,
            lang: "zh-CN".into(),
            app_version: "0".into(),
            sample: None,
        }
    }

    fn bundle(id: &str, high: u64, responses: Vec<ExportedResponse>) -> VerifiedBundle {
        VerifiedBundle {
            keyid: "d".into(),
            device: RosterDevice {
                key: "k".into(), keyid: "d".into(), evaluator: "李明".into(), team: String::new()
            },
            bundle_id: id.into(),
            created_at: 0,
            survey: SurveyRef { id: "s".into(), version: "1".into(), fingerprint: "f".into() },
            device_seq_high: high,
            responses,
            response_hashes: Vec::new(),
            round: None,
            contacts: Vec::new(),
        }
    }

    #[test]
    fn duplicates_count_once_conflicts_are_set_aside_and_gaps_listed() {
        let mut import = Import::default();
        let first = bundle("b1", 2, vec![response("r1", 1, "east"), response("r2", 2, "west")]);
        assert_eq!(import.add(&first), Added { new: 2, duplicates: 0, conflicts: 0 });
        assert_eq!(import.add(&first), Added { new: 0, duplicates: 2, conflicts: 0 }, "re-import changes nothing");
        let changed = bundle("b2", 5, vec![response("r2", 2, "north"), response("r5", 5, "east")]);
        assert_eq!(import.add(&changed), Added { new: 1, duplicates: 0, conflicts: 1 });
        assert_eq!(import.responses().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["r1", "r5"]);
        assert_eq!(import.conflicts().len(), 1);
        assert_eq!(import.devices()[0].missing(), vec![3, 4]);
    }

    proptest! {
        #[test]
        fn import_order_does_not_matter(order in Just(vec![0usize, 1, 2]).prop_shuffle(), twice in any::<bool>()) {
            let bundles = [
                bundle("b1", 2, vec![response("r1", 1, "east"), response("r2", 2, "west")]),
                bundle("b2", 4, vec![response("r2", 2, "north"), response("r4", 4, "east")]),
                bundle("b3", 3, vec![response("r3", 3, "west")]),
            ];
            let mut reference = Import::default();
            for b in &bundles {
                reference.add(b);
            }
            let mut shuffled = Import::default();
            for &idx in &order {
                shuffled.add(&bundles[idx]);
                if twice {
                    shuffled.add(&bundles[idx]);
                }
            }
            prop_assert_eq!(shuffled.responses(), reference.responses());
            prop_assert_eq!(shuffled.conflicts(), reference.conflicts());
            prop_assert_eq!(shuffled.devices(), reference.devices());

            // Moving the bundles in is the same as copying them.
            let mut owned = Import::default();
            for &idx in &order {
                owned.add_owned(bundles[idx].clone());
            }
            prop_assert_eq!(&owned, &shuffled);
            prop_assert_eq!(owned.responses_ref().cloned().collect::<Vec<_>>(), reference.responses());
            prop_assert_eq!(owned.into_responses(), reference.responses());
        }
    }
}
