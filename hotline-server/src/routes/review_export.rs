//! The review list's CSV and JSON exports (`GET /api/v1/review/export.csv` and `/export.json`): every matching
//! row, no paging, streamed. A reader thread walks the rows of one read snapshot and encodes them into chunks of
//! about 64 KiB, handed to the response through a small bounded channel, so the server's memory stays flat however
//! many rows match and a slow download slows the query instead of piling up bytes. When the client goes away the
//! query stops. An error before the first chunk answers in the contract's error shape; one after it aborts the
//! response (no final chunk), so a client never takes a cut-off export for a whole one; so does a shutdown of the
//! server, which does not wait for a slow download to finish.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hotline_protocol::{REVIEW_CSV_COLUMNS, ReviewRow};
use rusqlite::Connection;
use tokio::sync::mpsc;

use super::review::{ReviewParams, require_reviewer};
use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use crate::store::review::{self, ReviewFilter};

/// A chunk is sent once it holds at least this many bytes.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks encoded ahead of the client, at most.
const CHUNKS_AHEAD: usize = 4;

/// GET /api/v1/review/export.csv: every matching row (no paging), columns as docs/review.md lists them.
pub async fn export_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> AppResult<Response> {
    export(state, caller, params, Format::Csv).await
}

/// GET /api/v1/review/export.json: every matching row (no paging) as one array of objects.
pub async fn export_json(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> AppResult<Response> {
    export(state, caller, params, Format::Json).await
}

/// How rows are written out.
#[derive(Debug, Clone, Copy)]
enum Format {
    /// [`REVIEW_CSV_COLUMNS`], a header line first; `controls` space-separated, absent values empty.
    Csv,
    /// One JSON array of [`ReviewRow`] objects.
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    fn disposition(self) -> &'static str {
        match self {
            Format::Csv => "attachment; filename=\"review.csv\"",
            Format::Json => "attachment; filename=\"review.json\"",
        }
    }

    fn start(self, out: &mut Vec<u8>) -> Result<(), String> {
        match self {
            Format::Csv => csv_record(out, REVIEW_CSV_COLUMNS.iter().copied()),
            Format::Json => {
                out.push(b'[');
                Ok(())
            }
        }
    }

    fn row(self, out: &mut Vec<u8>, row: &ReviewRow, first: bool) -> Result<(), String> {
        match self {
            Format::Csv => csv_row(out, row),
            Format::Json => {
                if !first {
                    out.push(b',');
                }
                serde_json::to_writer(out, row).map_err(|e| e.to_string())
            }
        }
    }

    fn finish(self, out: &mut Vec<u8>) {
        if let Format::Json = self {
            out.push(b']');
        }
    }
}

/// One CSV line (RFC 4180 quoting) appended to `out`.
fn csv_record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    let mut writer = csv::WriterBuilder::new().buffer_capacity(1024).from_writer(out);
    writer.write_record(fields).and_then(|()| writer.flush().map_err(csv::Error::from)).map_err(|e| e.to_string())
}

/// One row as a CSV line in the order of [`REVIEW_CSV_COLUMNS`]: the row's own strings borrowed, only the codes
/// and the numbers formatted.
fn csv_row(out: &mut Vec<u8>, row: &ReviewRow) -> Result<(), String> {
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let (controls, first_response, resolution) =
        (row.controls.join(" "), number(row.first_response_s), number(row.resolution_s));
    csv_record(
        out,
        [
            row.id.as_str(),
            row.created_at.as_str(),
            optional(&row.claimed_at),
            optional(&row.closed_at),
            row.officer.as_str(),
            optional(&row.expert),
            optional(&row.verdict),
            controls.as_str(),
            row.subject.as_str(),
            optional(&row.hs_code),
            optional(&row.origin_country),
            optional(&row.destination_country),
            first_response.as_str(),
            resolution.as_str(),
        ],
    )
}

/// An absent text as an empty cell.
fn optional(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

type Chunk = Result<Bytes, AppError>;

async fn export(state: AppState, caller: Caller, params: ReviewParams, format: Format) -> AppResult<Response> {
    require_reviewer(&caller)?;
    let filter = params.filter()?;
    let (chunks, mut received) = mpsc::channel::<Chunk>(CHUNKS_AHEAD);
    let readers = state.store.readers.clone();
    tokio::task::spawn_blocking(move || {
        let outcome = readers.read_blocking(|conn| Ok(encode(conn, &caller, &filter, format, &chunks)));
        if let Err(error) = outcome.unwrap_or_else(|store| Err(store.into())) {
            // The receiver may be gone already; then there is no one left to tell.
            let _ = chunks.blocking_send(Err(error));
        }
    });
    let first = match received.recv().await {
        Some(first) => first?,
        None => return Err(AppError::internal("the export stopped before its first chunk")),
    };
    // On shutdown the download ends with an error rather than waiting for a slow client or looking complete.
    let rest = futures_util::stream::unfold(Some((received, state.shutdown.clone())), |open| async move {
        let (mut received, shutdown) = open?;
        tokio::select! {
            biased;
            () = shutdown.cancelled() => Some((Err(AppError::Unavailable {
                code: "shutting_down",
                message: "the server is shutting down; export again once it is back".into(),
            }), None)),
            chunk = received.recv() => chunk.map(|chunk| (chunk, Some((received, shutdown)))),
        }
    });
    let body = Body::from_stream(futures_util::stream::once(async move { Ok(first) }).chain(rest));
    Ok(([(header::CONTENT_TYPE, format.content_type()), (header::CONTENT_DISPOSITION, format.disposition())], body)
        .into_response())
}

/// Encodes every matching row into chunks sent on `chunks`, the last one closing the document. Stops early,
/// without an error, when the client has gone away (the channel is closed).
fn encode(
    conn: &Connection,
    caller: &Caller,
    filter: &ReviewFilter,
    format: Format,
    chunks: &mpsc::Sender<Chunk>,
) -> AppResult<()> {
    let fresh = || Vec::with_capacity(CHUNK_BYTES + 4 * 1024);
    let mut chunk = fresh();
    format.start(&mut chunk).map_err(AppError::internal)?;
    let mut first = true;
    let mut gone = false;
    let mut failed = None;
    review::visit_rows(conn, caller, filter, |row| {
        if let Err(error) = format.row(&mut chunk, &row, first) {
            failed = Some(error);
            return Ok(false);
        }
        first = false;
        if chunk.len() >= CHUNK_BYTES
            && chunks.blocking_send(Ok(Bytes::from(std::mem::replace(&mut chunk, fresh())))).is_err()
        {
            gone = true;
            return Ok(false);
        }
        Ok(true)
    })?;
    if let Some(error) = failed {
        return Err(AppError::internal(format!("encoding an export row: {error}")));
    }
    if !gone {
        format.finish(&mut chunk);
        let _ = chunks.blocking_send(Ok(Bytes::from(chunk)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: &str) -> ReviewRow {
        ReviewRow {
            id: "r1".into(),
            created_at: "2026-06-01T08:00:00.000Z".into(),
            claimed_at: None,
            closed_at: Some("2026-06-01T09:00:00.000Z".into()),
            officer: "officer-1a2b3c4d".into(),
            expert: Some("erik".into()),
            verdict: Some("controlled".into()),
            controls: vec!["2B001".into(), "2B201".into()],
            subject: subject.into(),
            hs_code: None,
            origin_country: None,
            destination_country: None,
            first_response_s: Some(60.5),
            resolution_s: None,
        }
    }

    fn document(format: Format, rows: &[ReviewRow]) -> Vec<u8> {
        let mut out = Vec::new();
        format.start(&mut out).unwrap();
        for (i, row) in rows.iter().enumerate() {
            format.row(&mut out, row, i == 0).unwrap();
        }
        format.finish(&mut out);
        out
    }

    #[test]
    fn csv_rows_quote_what_needs_quoting_and_parse_back() {
        let rows = [row("plain"), row("comma, \"quote\"\nand a new line")];
        let text = document(Format::Csv, &rows);
        let mut reader = csv::Reader::from_reader(&text[..]);
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), REVIEW_CSV_COLUMNS);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[1][8], "comma, \"quote\"\nand a new line");
        assert_eq!(&records[0][7], "2B001 2B201");
        assert_eq!(&records[0][12], "60.5");
        assert_eq!(&records[0][13], "");
    }

    #[test]
    fn json_rows_form_one_array() {
        for rows in [vec![], vec![row("a")], vec![row("a"), row("b"), row("c")]] {
            let parsed: Vec<ReviewRow> = serde_json::from_slice(&document(Format::Json, &rows)).unwrap();
            assert_eq!(
                parsed.iter().map(|r| r.subject.as_str()).collect::<Vec<_>>(),
                rows.iter().map(|r| r.subject.as_str()).collect::<Vec<_>>()
            );
        }
    }
}
