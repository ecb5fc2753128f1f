//! `flex-alerts comment` against stand-ins of GitHub's and GitLab's REST APIs on 127.0.0.1:
//! a plan's parts created, updated in place, grown and shrunk, other environments' and
//! people's comments untouched, refusals and rate limits said and exit 1, the token never
//! printed.

use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::support::*;

const TOKEN: &str = "ghs_TESTTOKEN0123456789";

/// What the stand-in holds and saw.
#[derive(Default)]
pub struct Forge {
    pub comments: Vec<(u64, String)>,
    next: u64,
    pub requests: Vec<String>,
    /// Answers to give before any real one: (status, headers).
    faults: Vec<(u16, Vec<(&'static str, String)>)>,
    /// The headers that may carry the token, and its value.
    auth: Vec<(&'static str, String)>,
}

pub type Shared = Arc<Mutex<Forge>>;

async fn handle(
    State(forge): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    UrlPath(rest): UrlPath<String>,
    body: Option<axum::Json<Value>>,
) -> Response {
    let mut forge = forge.lock().unwrap();
    forge.requests.push(format!("{method} {}", uri.path()));
    if !forge.faults.is_empty() {
        let (status, extra) = forge.faults.remove(0);
        let mut response = (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(json!({"message": "stand-in refusal"})),
        )
            .into_response();
        for (name, value) in extra {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        return response;
    }
    let signed = forge
        .auth
        .iter()
        .any(|(name, value)| headers.get(*name).and_then(|v| v.to_str().ok()) == Some(value));
    if !signed {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "Bad credentials"})),
        )
            .into_response();
    }
    // `.../comments` or `.../notes` lists and creates; `.../ID` updates and deletes.
    let id: Option<u64> = rest.rsplit('/').next().and_then(|last| last.parse().ok());
    let query = |key: &str| -> Option<usize> {
        uri.query()?
            .split('&')
            .find_map(|p| p.strip_prefix(key)?.strip_prefix('='))?
            .parse()
            .ok()
    };
    let (page, per_page) = (query("page").unwrap_or(1), query("per_page").unwrap_or(30));
    let body_text = body.and_then(|b| b.0.get("body").and_then(Value::as_str).map(str::to_owned));
    match (method.as_str(), id) {
        ("GET", None) => {
            let items: Vec<Value> = forge
                .comments
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|(id, body)| json!({"id": id, "body": body, "system": false}))
                .collect();
            axum::Json(Value::Array(items)).into_response()
        }
        ("POST", None) => {
            forge.next += 1;
            let id = forge.next;
            forge.comments.push((id, body_text.unwrap()));
            (StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response()
        }
        ("PATCH" | "PUT", Some(id)) => {
            let text = body_text.unwrap();
            match forge.comments.iter_mut().find(|(i, _)| *i == id) {
                Some(comment) => {
                    comment.1 = text;
                    axum::Json(json!({"id": id})).into_response()
                }
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        ("DELETE", Some(id)) => {
            forge.comments.retain(|(i, _)| *i != id);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A stand-in forge on 127.0.0.1 that takes a token in any of `auth`.
pub async fn stand_in(auth: Vec<(&'static str, String)>) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Forge {
        next: 100,
        auth,
        ..Forge::default()
    }));
    let app = axum::Router::new()
        .route("/{*rest}", axum::routing::any(handle))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

/// A Markdown plan of `parts` parts for `environment`, as `plan --format markdown` writes it.
fn plan(environment: &str, parts: usize, words: &str) -> String {
    (1..=parts)
        .map(|index| {
            format!(
                "<!-- flex-alerts plan {environment} part {index} of {parts} -->\n### flex-alerts plan: {environment}\n{words} {index}\n"
            )
        })
        .collect()
}

fn github(url: &str) -> assert_cmd::Command {
    let mut command = cli();
    command
        .env_remove("GITLAB_CI")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_API_URL", url)
        .env("GITHUB_REPOSITORY", "owl/alerts")
        .env("GITHUB_TOKEN", TOKEN)
        .args(["comment", "--pr", "7"]);
    command
}

async fn post(mut command: assert_cmd::Command, markdown: String) -> Run {
    tokio::task::spawn_blocking(move || {
        let run = run(command.write_stdin(markdown));
        assert!(
            !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
            "the token was printed"
        );
        run
    })
    .await
    .unwrap()
}

pub fn bodies(forge: &Shared) -> Vec<String> {
    forge
        .lock()
        .unwrap()
        .comments
        .iter()
        .map(|(_, body)| body.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn github_comments_are_created_updated_grown_and_shrunk_per_environment() {
    let (url, forge) = stand_in(vec![("authorization", format!("Bearer {TOKEN}"))]).await;
    // A busy pull request: 150 comments of people first, so ours are on the second page.
    for id in 1..=150 {
        forge
            .lock()
            .unwrap()
            .comments
            .push((id, "Looks good to me!".to_owned()));
    }
    forge.lock().unwrap().next = 200;

    // Create: two parts of staging, and production's one.
    let first = post(github(&url), plan("staging", 2, "create")).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains(
            "The plan (staging, 2 part(s)) is on pull request #7 of owl/alerts: created part 1, 2."
        ),
        "{}",
        first.stderr
    );
    let production = post(github(&url), plan("production", 1, "prod")).await;
    assert_eq!(production.code, 0, "{}", production.stderr);
    assert_eq!(bodies(&forge).len(), 153);

    // Update in place: the same comment ids, new text; an unchanged part is not sent.
    let ids_before: Vec<u64> = forge.lock().unwrap().comments.iter().map(|c| c.0).collect();
    let mut changed = plan("staging", 2, "create");
    changed = changed.replace("create 2", "update 2");
    forge.lock().unwrap().requests.clear();
    let updated = post(github(&url), changed).await;
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert!(
        updated.stderr.contains("updated part 2, part 1 unchanged"),
        "{}",
        updated.stderr
    );
    let ids_after: Vec<u64> = forge.lock().unwrap().comments.iter().map(|c| c.0).collect();
    assert_eq!(ids_before, ids_after);
    let writes: Vec<String> = forge
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|r| !r.starts_with("GET"))
        .cloned()
        .collect();
    assert_eq!(writes, ["PATCH /repos/owl/alerts/issues/comments/202"]);
    assert!(bodies(&forge).iter().any(|b| b.contains("update 2")));

    // Grown: a third part is added.
    let grown = post(github(&url), plan("staging", 3, "grow")).await;
    assert!(grown.stderr.contains("created part 3"), "{}", grown.stderr);
    // Shrunk: parts 2 and 3 of staging go; production's and the person's stay.
    let shrunk = post(github(&url), plan("staging", 1, "shrink")).await;
    assert!(
        shrunk.stderr.contains("deleted 2 old part(s)"),
        "{}",
        shrunk.stderr
    );
    let left = bodies(&forge);
    assert_eq!(left.len(), 152, "{left:?}");
    assert!(left.contains(&"Looks good to me!".to_owned()));
    assert!(
        left.iter()
            .any(|b| b.starts_with("<!-- flex-alerts comment production part 1 of 1 -->"))
    );
    assert!(left.iter().any(|b| b.starts_with(
        "<!-- flex-alerts comment staging part 1 of 1 -->\n### flex-alerts plan: staging\nshrink 1"
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn github_refusals_and_rate_limits_fail_the_step_and_say_why() {
    let (url, forge) = stand_in(vec![("authorization", format!("Bearer {TOKEN}"))]).await;

    // 403: the token may not write.
    forge.lock().unwrap().faults.push((403, vec![]));
    let forbidden = post(github(&url), plan("staging", 1, "x")).await;
    assert_eq!(forbidden.code, 1);
    assert!(
        forbidden
            .stderr
            .contains("error: the plan was not posted to pull request #7 of owl/alerts")
            && forbidden
                .stderr
                .contains("GitHub forbids GET /repos/owl/alerts/issues/7/comments")
            && forbidden.stderr.contains("pull-requests: write"),
        "{}",
        forbidden.stderr
    );

    // 401: a wrong token.
    let mut wrong = github(&url);
    wrong.env("GITHUB_TOKEN", "not-the-token");
    let refused = post(wrong, plan("staging", 1, "x")).await;
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("GitHub refused the token (401)"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("not-the-token"));

    // 404: no such pull request.
    forge.lock().unwrap().faults.push((404, vec![]));
    let missing = post(github(&url), plan("staging", 1, "x")).await;
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("(404)"), "{}", missing.stderr);

    // 429 with Retry-After: 1, twice: waited out, then posted.
    for _ in 0..2 {
        forge
            .lock()
            .unwrap()
            .faults
            .push((429, vec![("retry-after", "1".to_owned())]));
    }
    let started = std::time::Instant::now();
    let waited = post(github(&url), plan("staging", 1, "x")).await;
    assert_eq!(waited.code, 0, "{}", waited.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert_eq!(bodies(&forge).len(), 1);

    // A rate limit that asks for more than a minute: not waited for; exit 1, nothing posted.
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    forge.lock().unwrap().faults.push((
        403,
        vec![
            ("x-ratelimit-remaining", "0".to_owned()),
            ("x-ratelimit-reset", reset.to_string()),
        ],
    ));
    let limited = post(github(&url), plan("staging", 1, "y")).await;
    assert_eq!(limited.code, 1);
    assert!(
        limited.stderr.contains("GitHub's rate limit stopped GET"),
        "{}",
        limited.stderr
    );
    assert!(bodies(&forge)[0].contains("x 1"));

    // An http:// API anywhere but this machine would carry the token in clear text.
    let mut remote = github("http://api.example.com");
    remote.env("GITHUB_API_URL", "http://api.example.com");
    let clear = post(remote, plan("staging", 1, "x")).await;
    assert_eq!(clear.code, 1);
    assert!(
        clear.stderr.contains("GITHUB_API_URL must be https"),
        "{}",
        clear.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gitlab_notes_are_kept_the_same_way() {
    let (url, forge) = stand_in(vec![("private-token", "glpat-TESTTOKEN".to_owned())]).await;
    let gitlab = || {
        let mut command = cli();
        command
            .env_remove("GITHUB_ACTIONS")
            .env("GITLAB_CI", "true")
            .env("CI_API_V4_URL", &url)
            .env("CI_PROJECT_ID", "42")
            .env("CI_MERGE_REQUEST_IID", "9")
            .env("FLEX_ALERTS_GITLAB_TOKEN", "glpat-TESTTOKEN")
            .arg("comment");
        command
    };
    let created = post(gitlab(), plan("production", 2, "a")).await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created.stderr.contains("merge request !9 of project 42"),
        "{}",
        created.stderr
    );
    let shrunk = post(gitlab(), plan("production", 1, "b")).await;
    assert_eq!(shrunk.code, 0, "{}", shrunk.stderr);
    assert_eq!(bodies(&forge).len(), 1);
    let requests = forge.lock().unwrap().requests.clone();
    assert!(
        requests.contains(&"PUT /projects/42/merge_requests/9/notes/101".to_owned()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"DELETE /projects/42/merge_requests/9/notes/102".to_owned()),
        "{requests:?}"
    );

    // No token at all: said before any request.
    let before = forge.lock().unwrap().requests.len();
    let mut none = gitlab();
    none.env_remove("FLEX_ALERTS_GITLAB_TOKEN")
        .env_remove("CI_JOB_TOKEN")
        .env_remove("GITLAB_TOKEN");
    let refused = post(none, plan("production", 1, "c")).await;
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("no GitLab token"),
        "{}",
        refused.stderr
    );
    assert_eq!(forge.lock().unwrap().requests.len(), before);
}
