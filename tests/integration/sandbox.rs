//! The local sandbox store: seeded on first use, kept in its file between runs, and a file
//! that is not a sandbox is refused and left exactly as it was.

use flex_alerts::store::local::LocalStore;
use flex_alerts::store::{Store, StoreError};

use crate::support::*;

#[tokio::test]
async fn sandbox_is_seeded_once_and_keeps_its_state_between_opens() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("nested/sandbox.json");
    let store = LocalStore::open(&path).unwrap();
    assert!(
        store.describe().contains("local sandbox"),
        "{}",
        store.describe()
    );
    let live = store.snapshot().await.unwrap();
    assert!(live.rules.is_empty());
    assert_eq!(live.directory.queue("Support").unwrap().sid, SUPPORT);
    let rule = store.create_rule(&rule_body("kept")).await.unwrap();
    store.set_notifications_mode("always").await.unwrap();
    drop(store);

    // A second open reads only the file, as a second process would.
    let reopened = LocalStore::open(&path).unwrap();
    let live = reopened.snapshot().await.unwrap();
    assert_eq!(live.rules, vec![rule]);
    assert_eq!(live.notifications_mode.as_deref(), Some("always"));
}

#[tokio::test]
async fn sandbox_refuses_what_flex_refuses() {
    let directory = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&directory.path().join("sandbox.json")).unwrap();
    let mut body = rule_body("bad");
    body.task_queue_sids = vec!["WQ00000000000000000000000000000000".to_owned()];
    let error = store.create_rule(&body).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Api {
                status: 400,
                code: Some(45004),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("create alert rule `bad` (local sandbox): HTTP 400"),
        "{error}"
    );
}

#[test]
fn corrupt_sandbox_file_is_an_error_and_is_not_overwritten() {
    let directory = tempfile::tempdir().unwrap();
    for (content, expected) in [
        (
            "{\"format_version\": 1, \"rules\": [",
            "is not a flex-alerts state file (line 1",
        ),
        (
            "not json at all",
            "is not a flex-alerts sandbox or emulator state file: it is not JSON (line 1",
        ),
        (
            "{\"services\": {}}",
            "is not a flex-alerts sandbox or emulator state file: it has no `format_version`",
        ),
        ("{\"format_version\": 99}", "has state format 99"),
    ] {
        let path = directory.path().join("sandbox.json");
        std::fs::write(&path, content).unwrap();
        let error = LocalStore::open(&path).unwrap_err();
        let rendered = flex_alerts::Error::from(error).render();
        assert!(rendered.contains(expected), "{rendered}");
        assert!(
            rendered.contains("hint: the file was left as it is"),
            "{rendered}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }
    let error = LocalStore::open(directory.path()).unwrap_err();
    assert!(
        flex_alerts::Error::from(error)
            .render()
            .contains("is a directory; give a file for the state"),
    );
}
