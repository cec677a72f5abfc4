//! Reading request bodies with a size cap. A body over the cap is still read (and thrown away) up to
//! [`DRAIN_CAP`], so that the client, still sending, receives the 413 instead of a reset connection.

use axum::body::{Body, Bytes};
use http_body_util::BodyExt;

use crate::error::AppError;

/// Most bytes read in all from an oversized body before the connection is given up.
pub const DRAIN_CAP: usize = 32 * 1024 * 1024;

/// The whole body if it has at most `limit` bytes; `TooLarge` otherwise.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, AppError> {
    let mut body = body;
    let mut collected: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| AppError::bad_request("invalid_body", "the request body could not be read"))?;
        let Ok(data) = frame.into_data() else { continue };
        total += data.len();
        if total <= limit {
            collected.extend_from_slice(&data);
        } else if total > DRAIN_CAP {
            break;
        }
    }
    if total > limit {
        return Err(AppError::TooLarge(format!("the request body is larger than {limit} bytes")));
    }
    Ok(Bytes::from(collected))
}
