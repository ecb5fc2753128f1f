//! Sticky review comments: a Markdown plan kept on a pull request (GitHub) or merge request
//! (GitLab) as one comment per part, found again by a marker, updated in place, with parts
//! added or deleted as the plan grows or shrinks.

mod github;
mod gitlab;
mod http;
mod parts;

pub use github::GitHub;
pub use gitlab::{GitLab, GitLabToken};
pub use http::ReviewError;
pub use parts::{Parts, split};

/// A comment on the review as the forge lists it.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub body: String,
}

/// Where the comments go: one pull or merge request of one forge.
#[allow(async_fn_in_trait)]
pub trait Thread {
    /// What to call it in messages: `pull request #12 of owner/name`.
    fn describe(&self) -> String;
    async fn list(&self) -> Result<Vec<Comment>, ReviewError>;
    async fn create(&self, body: &str) -> Result<(), ReviewError>;
    async fn update(&self, id: u64, body: &str) -> Result<(), ReviewError>;
    async fn delete(&self, id: u64) -> Result<(), ReviewError>;
}

/// What a sync did, part by part.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Synced {
    pub created: Vec<usize>,
    pub updated: Vec<usize>,
    pub unchanged: Vec<usize>,
    pub deleted: usize,
}

/// Makes the thread's comments of `parts.key` exactly `parts`: part I updates the comment
/// that holds part I (when its text differs), a part with no comment is created, and every
/// other comment of the key (parts past the new count, copies) is deleted. Comments of other
/// keys (another environment's plan) and of people are never touched.
pub async fn sync(thread: &impl Thread, parts: &Parts) -> Result<Synced, ReviewError> {
    let mut ours: Vec<(usize, Comment)> = thread
        .list()
        .await?
        .into_iter()
        .filter_map(|comment| parts::part_of(&comment.body, &parts.key).map(|i| (i, comment)))
        .collect();
    ours.sort_by_key(|(index, comment)| (*index, comment.id));
    let mut synced = Synced::default();
    let bodies = parts.bodies();
    for (index, body) in bodies.iter().enumerate() {
        let number = index + 1;
        match ours.iter().position(|(i, _)| *i == number) {
            Some(at) => {
                let (_, comment) = ours.remove(at);
                if comment.body.trim_end() == body.trim_end() {
                    synced.unchanged.push(number);
                } else {
                    thread.update(comment.id, body).await?;
                    synced.updated.push(number);
                }
            }
            None => {
                thread.create(body).await?;
                synced.created.push(number);
            }
        }
    }
    for (_, comment) in ours {
        thread.delete(comment.id).await?;
        synced.deleted += 1;
    }
    Ok(synced)
}
