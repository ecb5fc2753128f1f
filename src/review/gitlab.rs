//! A GitLab merge request's notes (the notes REST API), with a project or personal access
//! token (`PRIVATE-TOKEN`) or the job's own token (`JOB-TOKEN`).

use reqwest::Method;
use serde_json::{Value, json};

use super::http::{Api, ReviewError};
use super::{Comment, Thread};

/// At most this many pages of 100 notes are read.
const PAGES: usize = 50;

/// Which header the token goes in.
pub enum GitLabToken {
    /// A project, group or personal access token with the `api` scope.
    Private(String),
    /// `CI_JOB_TOKEN`, where the server lets it write notes.
    Job(String),
}

pub struct GitLab {
    api: Api,
    project: String,
    iid: u64,
}

impl GitLab {
    /// `base` is `CI_API_V4_URL` (https://gitlab.com/api/v4, or a self-managed server's).
    pub fn new(
        base: &str,
        token: GitLabToken,
        project: &str,
        iid: u64,
    ) -> Result<GitLab, ReviewError> {
        let header = match token {
            GitLabToken::Private(token) => ("private-token", token),
            GitLabToken::Job(token) => ("job-token", token),
        };
        let api = Api::new(
            "GitLab",
            base,
            vec![header],
            "set FLEX_ALERTS_GITLAB_TOKEN to a project access token with the `api` scope and at least the Reporter role (the job token cannot write notes on most servers)".to_owned(),
        )?;
        Ok(GitLab {
            api,
            project: project.to_owned(),
            iid,
        })
    }

    fn notes(&self) -> String {
        format!(
            "/projects/{}/merge_requests/{}/notes",
            encode(&self.project),
            self.iid
        )
    }
}

impl Thread for GitLab {
    fn describe(&self) -> String {
        format!("merge request !{} of project {}", self.iid, self.project)
    }

    async fn list(&self) -> Result<Vec<Comment>, ReviewError> {
        let mut notes = Vec::new();
        for page in 1..=PAGES {
            let path = format!("{}?per_page=100&page={page}&sort=asc", self.notes());
            let answer = self.api.send(Method::GET, &path, None).await?;
            let items = answer.as_array().cloned().unwrap_or_default();
            let full = items.len() == 100;
            notes.extend(items.iter().filter_map(note));
            if !full {
                break;
            }
        }
        Ok(notes)
    }

    async fn create(&self, body: &str) -> Result<(), ReviewError> {
        self.api
            .send(Method::POST, &self.notes(), Some(json!({ "body": body })))
            .await
            .map(drop)
    }

    async fn update(&self, id: u64, body: &str) -> Result<(), ReviewError> {
        let path = format!("{}/{id}", self.notes());
        self.api
            .send(Method::PUT, &path, Some(json!({ "body": body })))
            .await
            .map(drop)
    }

    async fn delete(&self, id: u64) -> Result<(), ReviewError> {
        let path = format!("{}/{id}", self.notes());
        self.api.send(Method::DELETE, &path, None).await.map(drop)
    }
}

/// System notes ("added 1 commit") are GitLab's, never ours.
fn note(item: &Value) -> Option<Comment> {
    if item.get("system").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    Some(Comment {
        id: item.get("id")?.as_u64()?,
        body: item.get("body")?.as_str()?.to_owned(),
    })
}

/// A project path (`group/name`) as one path segment; a numeric id stays as it is.
fn encode(project: &str) -> String {
    project.replace('%', "%25").replace('/', "%2F")
}
