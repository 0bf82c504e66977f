//! The server: everything below the pages. Dependencies point down this list:
//! `web` and `api` (HTTP edges) and `workers` (background loops) → `services` → `store`, `views`
//! and `acquirer` → `crate::domain`. `state`, `config`, `clock` and `crypto` are shared plumbing;
//! `cli` is the binary's commands.

pub mod acquirer;
pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo_shop;
pub mod services;
pub mod state;
pub mod store;
pub mod views;
pub mod web;
pub mod workers;

pub use web::Application;
