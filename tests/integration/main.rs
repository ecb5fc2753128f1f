//! The one integration test binary: every test of the CLI and the library from outside.

mod support;
mod validate;
