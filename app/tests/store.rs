//! Browser tests of the IndexedDB store, run by wasm-bindgen-test in headless Chromium against the
//! real IndexedDB: writes commit, reads return what was written, the upgrade creates every store.

#![cfg(target_arch = "wasm32")]

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use survey_app::field::store::{
    ResponseHead, ResponseIndex, Store, StoredContact, StoredRound, StoredSurvey, ANSWERS, CONTACTS, INDEX, KEYS, META,
    RESPONSES, ROUNDS, SURVEYS,
};
use survey_core::bundle::{Contact, ContactOutcome, Sample};
use survey_core::{load_survey, AnswerValue, Draft, DraftStart, Mode, Status};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EXAMPLE: &str = include_str!("../../survey-schemas/party-building-satisfaction.json");

/// A database name no other test uses, so tests do not see each other's data.
fn unique_name(label: &str) -> String {
    format!("test-{label}-{}", js_sys::Math::random())
}

fn sample_draft(id: &str) -> (survey_core::Survey, Draft) {
    let loaded = load_survey(EXAMPLE);
    let survey = loaded.survey.expect("example is valid");
    let start = DraftStart {
        id: id.into(),
        unit: Some("qingxi".into()),
        now: 1_700_000_000_000,
        mode: Mode::Interview,
        lang: "zh-CN".into(),
        app_version: "test".into(),
    };
    let draft = Draft::new(&survey, &loaded.fingerprint.expect("fingerprint"), start);
    (survey, draft)
}

#[wasm_bindgen_test]
async fn upgrade_creates_every_store() {
    let store = Store::open_named(&unique_name("upgrade")).await.expect("open");
    let mut names = store.store_names();
    names.sort();
    let mut expected: Vec<String> =
        [ANSWERS, CONTACTS, INDEX, KEYS, META, RESPONSES, ROUNDS, SURVEYS].map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(names, expected);
    store.close();
}

/// A tablet still on schema version 1 (no `keys` store) keeps its responses when the app with
/// version 2 opens the database.
#[wasm_bindgen_test]
async fn upgrade_from_version_1_keeps_the_data() {
    let name = unique_name("upgrade-v1");
    let (_, draft) = sample_draft("r-old");
    {
        let db = Database::open(name.as_str())
            .with_version(1u32)
            .with_on_upgrade_needed(|_, db| {
                for store in [SURVEYS, RESPONSES, META] {
                    db.create_object_store(store).build()?;
                }
                Ok(())
            })
            .await
            .expect("open v1");
        let tx = db.transaction(RESPONSES).with_mode(TransactionMode::Readwrite).build().expect("tx");
        let text = serde_json::to_string(&draft).expect("json");
        tx.object_store(RESPONSES)
            .expect("store")
            .put(text)
            .with_key("r-old".to_owned())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        tx.commit().await.expect("commit");
        db.close();
    }
    let store = Store::open_named(&name).await.expect("open v2");
    assert!(store.store_names().contains(&KEYS.to_owned()));
    assert_eq!(store.response("r-old").await.expect("read"), Some(draft));
    store.close();
}

/// A tablet on version 2 (with its device key) keeps responses and key when version 3 adds the
/// round stores; contact attempts and rounds then commit and read back.
#[wasm_bindgen_test]
async fn upgrade_from_version_2_keeps_the_data_and_adds_rounds_and_contacts() {
    let name = unique_name("upgrade-v2");
    let (_, draft) = sample_draft("r-v2");
    {
        let db = Database::open(name.as_str())
            .with_version(2u32)
            .with_on_upgrade_needed(|_, db| {
                for store in [SURVEYS, RESPONSES, META, KEYS] {
                    db.create_object_store(store).build()?;
                }
                Ok(())
            })
            .await
            .expect("open v2");
        let tx = db.transaction([RESPONSES, META]).with_mode(TransactionMode::Readwrite).build().expect("tx");
        let text = serde_json::to_string(&draft).expect("json");
        tx.object_store(RESPONSES)
            .expect("store")
            .put(text)
            .with_key("r-v2".to_owned())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        tx.object_store(META)
            .expect("meta")
            .put("7".to_owned())
            .with_key("device_seq".to_owned())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        tx.commit().await.expect("commit");
        db.close();
    }
    let store = Store::open_named(&name).await.expect("open v3");
    let names = store.store_names();
    assert!(names.contains(&ROUNDS.to_owned()) && names.contains(&CONTACTS.to_owned()), "{names:?}");
    assert_eq!(store.response("r-v2").await.expect("read"), Some(draft));
    assert_eq!(store.seq_high().await.expect("seq"), 7);

    let contact = |id: &str, round: &str, outcome| StoredContact {
        round: round.into(),
        contact: Contact {
            id: id.into(),
            unit: "u1".into(),
            household: "3号楼2单元501".into(),
            at: 1,
            outcome,
            note: "邻居说周末在家".into(),
        },
    };
    store.put_contact(&contact("c1", "r1", ContactOutcome::NotAtHome)).await.expect("contact");
    store.put_contact(&contact("c2", "r1", ContactOutcome::Refused)).await.expect("contact");
    store.put_contact(&contact("c3", "r2", ContactOutcome::Vacant)).await.expect("contact");
    let round = StoredRound { id: "r1".into(), sha256: "ab".repeat(32), file: "{}".into(), imported_at: 5 };
    store.put_round(&round).await.expect("round");
    store.close();

    // Reopened: everything committed is there, contacts per round.
    let store = Store::open_named(&name).await.expect("reopen");
    let mut r1: Vec<String> = store.contacts("r1").await.expect("contacts").into_iter().map(|c| c.id).collect();
    r1.sort();
    assert_eq!(r1, vec!["c1".to_owned(), "c2".to_owned()]);
    assert_eq!(store.contacts("r2").await.expect("contacts").len(), 1);
    assert_eq!(store.rounds().await.expect("rounds"), vec![Ok(round)]);
    store.close();
}

/// Finishing a response takes the next device sequence number in the same transaction.
#[wasm_bindgen_test]
async fn finished_responses_get_consecutive_sequence_numbers() {
    let store = Store::open_named(&unique_name("seq")).await.expect("open");
    let (_, mut first) = sample_draft("r-1");
    first.status = Status::Complete;
    let (_, mut second) = sample_draft("r-2");
    second.status = Status::Complete;
    let (_, draft) = sample_draft("r-3");
    assert_eq!(store.put_response_numbered(&draft).await.expect("draft").0, None, "a draft gets no number");
    assert_eq!(store.put_response_numbered(&first).await.expect("first").0, Some(1));
    assert_eq!(store.put_response_numbered(&second).await.expect("second").0, Some(2));
    // Saving a numbered response again keeps its number.
    let stored = store.response("r-1").await.expect("read").expect("present");
    assert_eq!(stored.seq, Some(1));
    assert_eq!(store.put_response_numbered(&stored).await.expect("again").0, Some(1));
    assert_eq!(store.seq_high().await.expect("high"), 2);
    store.close();
}

#[wasm_bindgen_test]
async fn a_written_response_is_read_back_after_reopening() {
    let name = unique_name("responses");
    let (survey, mut draft) = sample_draft("r-1");
    draft.set_answer(&survey, "branch_unity", AnswerValue::Number(4), 1_700_000_001_000).expect("valid answer");
    draft.page = 1;
    {
        let store = Store::open_named(&name).await.expect("open");
        store.put_response(&draft).await.expect("write commits");
        store.close();
    }
    // A new connection sees the committed data, as a reloaded page would.
    let store = Store::open_named(&name).await.expect("reopen");
    let read = store.response("r-1").await.expect("read").expect("present");
    assert_eq!(read, draft);
    assert_eq!(store.response("missing").await.expect("read"), None);

    // Overwriting keeps one record per id; listing returns it.
    draft.set_answer(&survey, "branch_unity", AnswerValue::Number(9), 1_700_000_002_000).expect("don't know");
    store.put_response(&draft).await.expect("overwrite");
    let all: Vec<Draft> = store.responses().await.expect("list").into_iter().map(|r| r.expect("decodes")).collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].answers["branch_unity"].changes, 1);
    assert_eq!(all[0].status, Status::Draft);

    store.delete_response("r-1").await.expect("delete");
    assert!(store.responses().await.expect("list").is_empty());
    store.close();
}

/// An answer written alone is part of the response read back (after a reload too, and in the
/// export's listing); a cleared answer is gone; writing the whole response again absorbs them.
#[wasm_bindgen_test]
async fn answers_written_alone_are_read_back_with_their_response() {
    let name = unique_name("answers");
    let (survey, mut draft) = sample_draft("r-2");
    let store = Store::open_named(&name).await.expect("open");
    // Not yet a committed draft: the answer is not written alone, the caller writes it all.
    assert!(!store.put_answer("r-2", "branch_unity", None).await.expect("refused cleanly"));
    draft.set_answer(&survey, "branch_unity", AnswerValue::Number(4), 1).expect("valid answer");
    store.put_response(&draft).await.expect("whole response");
    store.response_index().await.expect("index lists it as open");

    draft.set_answer(&survey, "branch_unity", AnswerValue::Number(5), 2).expect("changed");
    assert!(store.put_answer("r-2", "branch_unity", draft.answers.get("branch_unity")).await.expect("written"));
    draft.set_answer(&survey, "branch_contact", AnswerValue::Number(3), 3).expect("new answer");
    assert!(store.put_answer("r-2", "branch_contact", draft.answers.get("branch_contact")).await.expect("written"));
    store.close();

    let store = Store::open_named(&name).await.expect("reopen");
    assert_eq!(store.response("r-2").await.expect("read"), Some(draft.clone()), "a reload sees every answer");
    let index = store.response_index().await.expect("index");
    assert_eq!(store.open_responses(&index).await.expect("open ones"), vec![draft.clone()]);

    assert!(draft.clear_answer("branch_unity"));
    assert!(store.put_answer("r-2", "branch_unity", None).await.expect("cleared"));
    let all: Vec<Draft> = store.responses().await.expect("list").into_iter().map(|r| r.expect("decodes")).collect();
    assert_eq!(all, vec![draft.clone()], "the listing sees the cleared answer gone");

    // The whole response written again: no answer record is left to lay over it.
    draft.page = 1;
    store.put_response(&draft).await.expect("whole response");
    let tx = Database::open(&name).await.expect("raw open");
    let raw = tx.transaction(ANSWERS).build().expect("tx");
    let left: Vec<String> = raw
        .object_store(ANSWERS)
        .expect("store")
        .get_all()
        .primitive()
        .expect("query")
        .await
        .expect("read")
        .collect::<Result<_, _>>()
        .expect("texts");
    assert!(left.is_empty(), "answer records left after a whole write: {left:?}");
    drop(raw);
    tx.close();
    assert_eq!(store.response("r-2").await.expect("read"), Some(draft));

    store.delete_response("r-2").await.expect("delete");
    assert_eq!(store.response("r-2").await.expect("read"), None);
    store.close();
}

#[wasm_bindgen_test]
async fn surveys_and_meta_round_trip() {
    let store = Store::open_named(&unique_name("surveys")).await.expect("open");
    let loaded = load_survey(EXAMPLE);
    let record = StoredSurvey {
        fingerprint: loaded.fingerprint.clone().expect("fingerprint"),
        id: "party-building-satisfaction".into(),
        version: "2026.1".into(),
        source: EXAMPLE.into(),
        origin: "test".into(),
        rules: Some(survey_core::definition::RULES.into()),
    };
    store.put_survey(&record).await.expect("write survey");
    store.put_survey(&record).await.expect("writing twice is harmless");
    let surveys: Vec<StoredSurvey> =
        store.surveys().await.expect("list").into_iter().map(|r| r.expect("decodes")).collect();
    assert_eq!(surveys, vec![record]);

    store.put_meta("evaluator", &serde_json::json!({"name": "张三"})).await.expect("write meta");
    let value: Option<serde_json::Value> = store.meta("evaluator").await.expect("read meta");
    assert_eq!(value, Some(serde_json::json!({"name": "张三"})));
    store.close();
}

/// A tablet on schema version 3 keeps every record when version 4 adds the response index; the
/// index is built once from the records, then kept in step by every write in the same
/// transaction, so that it always equals the index of the records themselves.
#[wasm_bindgen_test]
async fn upgrade_from_version_3_keeps_the_data_and_builds_the_response_index() {
    let name = unique_name("upgrade-v3");
    let (survey, open) = sample_draft("r-open");
    let (_, mut finished) = sample_draft("r-done");
    finished.status = Status::Complete;
    finished.seq = Some(1);
    finished.exported_at = Some(1_700_000_100_000);
    let (_, mut in_round) = sample_draft("r-round");
    in_round.status = Status::Complete;
    in_round.seq = Some(2);
    in_round.sample = Some(Sample { round: "q4".into(), household: "A-101".into(), slot: Some(1), off_sample: false });
    {
        let db = Database::open(name.as_str())
            .with_version(3u32)
            .with_on_upgrade_needed(|_, db| {
                for store in [SURVEYS, RESPONSES, META, KEYS, ROUNDS, CONTACTS] {
                    db.create_object_store(store).build()?;
                }
                Ok(())
            })
            .await
            .expect("open v3");
        let tx = db.transaction([RESPONSES, META]).with_mode(TransactionMode::Readwrite).build().expect("tx");
        tx.object_store(META)
            .expect("meta")
            .put("2".to_owned())
            .with_key("device_seq".to_owned())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        for draft in [&open, &finished, &in_round] {
            let text = serde_json::to_string(draft).expect("json");
            tx.object_store(RESPONSES)
                .expect("store")
                .put(text)
                .with_key(draft.id.clone())
                .primitive()
                .expect("put")
                .await
                .expect("write");
        }
        // A damaged record is kept as it is and left out of the index.
        tx.object_store(RESPONSES)
            .expect("store")
            .put("{not json".to_owned())
            .with_key("damaged".to_owned())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        tx.commit().await.expect("commit");
        db.close();
    }
    let store = Store::open_named(&name).await.expect("open v4");
    assert!(store.store_names().contains(&INDEX.to_owned()));
    assert_eq!(store.responses().await.expect("all").len(), 4, "every record of version 3 is kept");
    let index = store.response_index().await.expect("index");
    let heads = [&open, &finished, &in_round].map(ResponseHead::of);
    assert_eq!(index, ResponseIndex::of(&heads));
    assert_eq!(index.open.iter().cloned().collect::<Vec<_>>(), vec!["r-open".to_owned()]);
    assert_eq!(index.count(|_| true), (2, 1));
    assert_eq!(index.round_done.len(), 1);
    assert_eq!(store.open_responses(&index).await.expect("open"), vec![open.clone()]);

    // Writes keep it in step: a new draft, answers to it (no index change), finishing it,
    // exporting it, deleting the open one.
    let (_, mut next) = sample_draft("r-next");
    assert!(store.put_response(&next).await.expect("new draft").expect("index changed").open.contains("r-next"));
    next.set_answer(&survey, "branch_unity", AnswerValue::Number(4), 1_700_000_001_000).expect("answer");
    assert_eq!(store.put_response(&next).await.expect("answer"), None, "an answer leaves the index as it is");
    next.status = Status::Complete;
    let (seq, after) = store.put_response_numbered(&next).await.expect("finish");
    assert_eq!(seq, Some(3));
    let after = after.expect("index changed");
    assert!(!after.open.contains("r-next"));
    assert_eq!(after.count(|_| true), (3, 1));
    let mut stored = store.response("r-next").await.expect("read").expect("present");
    stored.exported_at = Some(1_700_000_200_000);
    assert_eq!(store.mark_exported(&[stored]).await.expect("export").count(|_| true), (3, 2));
    let index = store.delete_response("r-open").await.expect("delete");
    assert!(index.open.is_empty());
    store.close();

    // Reopened: the kept index is the index of the records.
    let store = Store::open_named(&name).await.expect("reopen");
    let records: Vec<Draft> = store.responses().await.expect("all").into_iter().filter_map(Result::ok).collect();
    let heads: Vec<ResponseHead> = records.iter().map(ResponseHead::of).collect();
    assert_eq!(store.response_index().await.expect("index"), ResponseIndex::of(&heads));
    store.close();
}

/// A tablet on schema version 4 keeps every record, its response index included, when version 5
/// adds the store of answers written alone; a response in progress then takes its answers alone.
#[wasm_bindgen_test]
async fn upgrade_from_version_4_keeps_the_data_and_adds_the_answers_store() {
    let name = unique_name("upgrade-v4");
    let (survey, mut open) = sample_draft("r-open");
    open.set_answer(&survey, "branch_unity", AnswerValue::Number(4), 1).expect("answer");
    let index = ResponseIndex::of(&[ResponseHead::of(&open)]);
    {
        let db = Database::open(name.as_str())
            .with_version(4u32)
            .with_on_upgrade_needed(|_, db| {
                for store in [SURVEYS, RESPONSES, META, KEYS, ROUNDS, CONTACTS, INDEX] {
                    db.create_object_store(store).build()?;
                }
                Ok(())
            })
            .await
            .expect("open v4");
        let tx = db.transaction([RESPONSES, INDEX]).with_mode(TransactionMode::Readwrite).build().expect("tx");
        let text = serde_json::to_string(&open).expect("json");
        tx.object_store(RESPONSES)
            .expect("store")
            .put(text)
            .with_key(open.id.clone())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        let text = serde_json::to_string(&index).expect("json");
        tx.object_store(INDEX)
            .expect("store")
            .put(text)
            .with_key("responses".to_owned())
            .primitive()
            .expect("put")
            .await
            .expect("write");
        tx.commit().await.expect("commit");
        db.close();
    }
    let store = Store::open_named(&name).await.expect("upgrade to v5");
    assert!(store.store_names().contains(&ANSWERS.to_owned()));
    let kept = store.response_index().await.expect("index");
    assert_eq!(kept, index, "the index of version 4 is kept as it was");
    assert_eq!(store.open_responses(&kept).await.expect("open ones"), vec![open.clone()]);
    open.set_answer(&survey, "branch_contact", AnswerValue::Number(5), 2).expect("answer");
    assert!(store.put_answer("r-open", "branch_contact", open.answers.get("branch_contact")).await.expect("alone"));
    assert_eq!(store.response("r-open").await.expect("read"), Some(open));
    store.close();
}
