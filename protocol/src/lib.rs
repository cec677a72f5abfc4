//! `hotline-protocol`: the wire types of `spec/protocol-v1.md` (REST bodies and WebSocket frames), nothing else.
//! Only these types cross the wire; the server and the clients convert to and from their own.

pub mod catalogue;

pub use catalogue::{CatalogueInfo, SearchHit, SearchResult};
