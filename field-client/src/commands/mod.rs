//! One module per `field` command.

pub mod index;
pub mod search;
pub mod show;
