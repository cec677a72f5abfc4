//! Photo attachments: upload (recognised from the bytes, capped, re-encoded without metadata, thumbnailed off
//! the runtime, stored under a server-chosen id) and download for whoever may see the request.

use std::path::{Path as FsPath, PathBuf};

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline_protocol::{Attachment, AttachmentEnvelope};

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::media::{self, CleanImage, MediaError};
use crate::routes::body::read_limited;
use crate::state::AppState;
use crate::store::attachments::{self, AttachmentRecord, Recorded};

/// Largest multipart body: the image cap plus room for the part headers.
pub const MAX_UPLOAD_BODY: usize = 10 * 1024 * 1024 + 64 * 1024;

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    }
}

fn photo_path(dir: &FsPath, record: &AttachmentRecord) -> PathBuf {
    dir.join(format!("{}.{}", record.id, extension(&record.content_type)))
}

fn thumb_path(dir: &FsPath, id: &str) -> PathBuf {
    dir.join(format!("{id}.thumb.jpg"))
}

fn media_error(error: MediaError) -> AppError {
    if let MediaError::Corrupt { reason } = &error {
        tracing::info!(%reason, "upload refused: image does not decode");
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    AppError::Rejected { status, code: error.code(), message: error.to_string() }
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("the upload is larger than 10 MiB; send a smaller photo".into())
    } else {
        AppError::bad_request("invalid_multipart", "send the photo as multipart/form-data with one part named `file`")
    }
}

/// Writes `bytes` to `path` whole (temporary file, fsync, rename), so no half-written file is ever visible.
fn write_whole(path: &FsPath, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = path.with_extension("partial");
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

/// The optional `Idempotency-Key` header: the client's own id (a UUID) for this photo.
fn idempotency_key(headers: &axum::http::HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    value
        .to_str()
        .ok()
        .filter(|key| uuid::Uuid::parse_str(key).is_ok())
        .map(|key| Some(key.to_ascii_lowercase()))
        .ok_or_else(|| AppError::bad_request("invalid_field", "Idempotency-Key must be a UUID, one per photo"))
}

/// The wire form of a stored attachment.
fn attachment_of(record: AttachmentRecord) -> Attachment {
    Attachment {
        url: format!("/api/v1/attachments/{}", record.id),
        thumb_url: format!("/api/v1/attachments/{}/thumb", record.id),
        id: record.id,
        content_type: record.content_type,
        width: record.width,
        height: record.height,
        bytes: record.bytes,
    }
}

/// `200` with a photo stored by an earlier upload with the same key.
fn stored_before(record: AttachmentRecord) -> Response {
    (StatusCode::OK, Json(AttachmentEnvelope { attachment: attachment_of(record) })).into_response()
}

/// POST /api/v1/requests/{id}/attachments: one multipart part named `file` (JPEG, PNG or WebP). With an
/// `Idempotency-Key` the caller used before for this request the answer is `200` with the photo stored then,
/// and nothing is stored again.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(request_id): Path<String>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    let key = idempotency_key(request.headers())?;
    let (check_caller, check_id, check_key) = (caller.clone(), request_id.clone(), key.clone());
    let earlier = state
        .store
        .readers
        .read(move |conn| {
            attachments::require_uploader(conn, &check_caller, &check_id)?;
            match check_key {
                Some(key) => attachments::earlier_upload(conn, &check_caller, &key)?
                    .map(|earlier| attachments::same_request(earlier, &check_id))
                    .transpose(),
                None => Ok(None),
            }
        })
        .await?;
    if let Some(earlier) = earlier {
        return Ok(stored_before(earlier));
    }
    // Read the body whole first (bounded, oversized ones drained) so that a 413 reaches the client.
    let (parts, body) = request.into_parts();
    let bytes = read_limited(body, MAX_UPLOAD_BODY).await?;
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    let mut multipart = Multipart::from_request(request, &state).await.map_err(|_| {
        AppError::bad_request("invalid_multipart", "send the photo as multipart/form-data with one part named `file`")
    })?;
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            upload = Some(field.bytes().await.map_err(multipart_error)?);
            break;
        }
    }
    let bytes = upload.ok_or_else(|| AppError::bad_request("missing_file", "the upload needs a part named `file`"))?;
    let _permit = state.media_permits.acquire().await.map_err(AppError::internal)?;
    let clean: CleanImage = tokio::task::spawn_blocking(move || media::clean_upload(&bytes, &media::Limits::default()))
        .await
        .map_err(AppError::internal)?
        .map_err(media_error)?;
    let record = AttachmentRecord {
        id: uuid::Uuid::new_v4().to_string(),
        request_id,
        content_type: clean.content_type.to_string(),
        width: clean.width,
        height: clean.height,
        bytes: clean.bytes.len() as u64,
    };
    let dir = state.config.attachments_dir();
    let (photo, thumb) = (photo_path(&dir, &record), thumb_path(&dir, &record.id));
    let (photo_file, thumb_file) = (photo.clone(), thumb.clone());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        write_whole(&photo_file, &clean.bytes)?;
        write_whole(&thumb_file, &clean.thumbnail)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let (stored, now) = (record.clone(), state.config.clock.now_rfc3339());
    let recorded = state
        .store
        .writer
        .write(move |conn| attachments::insert_attachment(conn, &caller, &stored, key.as_deref(), &now))
        .await;
    match recorded {
        Ok(Recorded::New) => {
            Ok((StatusCode::CREATED, Json(AttachmentEnvelope { attachment: attachment_of(record) })).into_response())
        }
        Ok(Recorded::Earlier(earlier)) => {
            // The same photo was stored while this one was being cleaned: keep that one.
            let _ = tokio::fs::remove_file(&photo).await;
            let _ = tokio::fs::remove_file(&thumb).await;
            Ok(stored_before(earlier))
        }
        Err(error) => {
            let _ = tokio::fs::remove_file(&photo).await;
            let _ = tokio::fs::remove_file(&thumb).await;
            Err(error.into())
        }
    }
}

async fn serve_file(state: &AppState, caller: Caller, id: String, thumbnail: bool) -> AppResult<Response> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound("no such attachment (or it is not yours to see)".into()));
    }
    let record = state.store.readers.read(move |conn| attachments::visible_attachment(conn, &caller, &id)).await?;
    let dir = state.config.attachments_dir();
    let (path, content_type) = if thumbnail {
        (thumb_path(&dir, &record.id), "image/jpeg".to_string())
    } else {
        (photo_path(&dir, &record), record.content_type.clone())
    };
    let bytes = tokio::fs::read(&path).await.map_err(|e| AppError::internal(format!("{}: {e}", path.display())))?;
    let content_type = HeaderValue::from_str(&content_type).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'")),
        ],
        bytes,
    )
        .into_response())
}

/// GET /api/v1/attachments/{id}: the stored (re-encoded) photo.
pub async fn photo(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> AppResult<Response> {
    serve_file(&state, caller, id, false).await
}

/// GET /api/v1/attachments/{id}/thumb: its JPEG thumbnail.
pub async fn thumbnail(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> AppResult<Response> {
    serve_file(&state, caller, id, true).await
}
