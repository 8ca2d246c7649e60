//! mufakat-server: the HTTP API, live updates, the store and the background work behind the
//! `mufakat` binary (`main.rs`, the command line). A library so the integration tests and
//! the load generator can start real servers in-process.

pub mod api;
pub mod app;
pub mod auth;
pub mod background;
pub mod conn;
pub mod demo;
pub mod error;
pub mod export;
pub mod hub;
pub mod live;
pub mod logging;
pub mod login_guard;
pub mod logtimes;
pub mod low_priority;
pub mod metrics;
pub mod origin;
pub mod published;
pub mod ratelimit;
pub mod security_headers;
pub mod state;
pub mod store;
pub mod votelog;
pub mod writer;
pub mod xid;
