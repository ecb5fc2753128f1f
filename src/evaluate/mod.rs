//! Knowing before it pages: the evaluation engine and what is built on it (rule test files,
//! backtests on a metric history, the paging impact of a plan).

pub mod engine;
pub mod rule;
pub mod test_file;
pub mod testing;
