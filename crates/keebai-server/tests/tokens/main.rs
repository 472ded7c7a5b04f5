//! The token lifecycle, one test per rule of the spec and the contract, by subject:
//! [`lifecycle`] (create, list, validation, expiry, the contract's error bodies), [`limit`] (10
//! active tokens a user, under concurrency), [`access`] (revoke, and what a PAT may reach) and
//! [`last_used`] (last-used times, batching, durability).

use keebai_testkit as support;

mod access;
mod last_used;
mod lifecycle;
mod limit;

use chrono::{Duration as ChronoDuration, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{assert_error, TestServer};

const DEV: &[&str] = &["developer.manage_tokens", "messages.read", "messages.write"];
