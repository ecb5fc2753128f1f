//! The one integration test binary: every test of the CLI and the library from outside.

mod backtest;
mod capture;
mod ci_recipes;
mod cli_apply;
mod client;
mod comment;
mod conformance;
mod crash;
mod doctor;
mod emulator_contract;
mod environments;
mod fire;
mod first_run;
mod hardening;
mod install;
mod layers;
mod plan;
mod plan_property;
mod record;
mod render;
mod rule_tests;
mod sandbox;
mod scope;
mod support;
mod trust;
mod validate;
