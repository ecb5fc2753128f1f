//! A GitHub pull request's comments (the issue comments REST API), with `GITHUB_TOKEN`.

use reqwest::Method;
use serde_json::{Value, json};

use super::http::{Api, ReviewError};
use super::{Comment, Thread};

/// At most this many pages of 100 comments are read.
const PAGES: usize = 50;

pub struct GitHub {
    api: Api,
    repository: String,
    number: u64,
}

impl GitHub {
    /// `base` is `GITHUB_API_URL` (https://api.github.com, or a GitHub Enterprise server's).
    pub fn new(
        base: &str,
        token: &str,
        repository: &str,
        number: u64,
    ) -> Result<GitHub, ReviewError> {
        let api = Api::new(
            "GitHub",
            base,
            vec![
                ("authorization", format!("Bearer {token}")),
                ("accept", "application/vnd.github+json".to_owned()),
                ("x-github-api-version", "2022-11-28".to_owned()),
            ],
            "give the job's token `pull-requests: write` (in the workflow's `permissions:`), and for a pull request from a fork post the comment from a `workflow_run` job".to_owned(),
        )?;
        Ok(GitHub {
            api,
            repository: repository.to_owned(),
            number,
        })
    }
}

impl Thread for GitHub {
    fn describe(&self) -> String {
        format!("pull request #{} of {}", self.number, self.repository)
    }

    async fn list(&self) -> Result<Vec<Comment>, ReviewError> {
        let mut comments = Vec::new();
        for page in 1..=PAGES {
            let path = format!(
                "/repos/{}/issues/{}/comments?per_page=100&page={page}",
                self.repository, self.number
            );
            let answer = self.api.send(Method::GET, &path, None).await?;
            let items = answer.as_array().cloned().unwrap_or_default();
            let full = items.len() == 100;
            comments.extend(items.iter().filter_map(comment));
            if !full {
                break;
            }
        }
        Ok(comments)
    }

    async fn create(&self, body: &str) -> Result<(), ReviewError> {
        let path = format!("/repos/{}/issues/{}/comments", self.repository, self.number);
        self.api
            .send(Method::POST, &path, Some(json!({ "body": body })))
            .await
            .map(drop)
    }

    async fn update(&self, id: u64, body: &str) -> Result<(), ReviewError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repository);
        self.api
            .send(Method::PATCH, &path, Some(json!({ "body": body })))
            .await
            .map(drop)
    }

    async fn delete(&self, id: u64) -> Result<(), ReviewError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repository);
        self.api.send(Method::DELETE, &path, None).await.map(drop)
    }
}

fn comment(item: &Value) -> Option<Comment> {
    Some(Comment {
        id: item.get("id")?.as_u64()?,
        body: item.get("body")?.as_str()?.to_owned(),
    })
}
