//! One training case (or any closed request) as a self-contained HTML file for trainers and admins:
//! shipment, the whole transcript with times and citations, the outcome, the annotations and the photos embedded
//! as `data:` URIs. Every piece of user text is HTML-escaped; the file carries a CSP meta tag that allows
//! only inline styles and `data:` images, and contains no script.

use std::fmt::Write as _;
use std::path::Path as FsPath;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hotline_protocol::{EventKind, ReviewDetail, User};

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::routes::review::require_reviewer;
use crate::state::AppState;
use crate::store::review;

/// The Content-Security-Policy of the exported file (as a meta tag; there is no server when it is opened).
pub const EXPORT_CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/// A photo to embed: its attachment id, content type and bytes.
pub struct Photo {
    pub id: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `text` escaped for HTML text and quoted attribute values (`&`, `<`, `>`, `"` and `'`).
pub fn escape(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

/// Only the types the upload path stores; anything else is not embedded.
fn image_type(content_type: &str) -> Option<(&'static str, &'static str)> {
    match content_type {
        "image/jpeg" => Some(("image/jpeg", "jpg")),
        "image/png" => Some(("image/png", "png")),
        "image/webp" => Some(("image/webp", "webp")),
        _ => None,
    }
}

fn person(user: Option<&User>) -> String {
    user.map(|u| escape(&u.display_name)).unwrap_or_else(|| "—".into())
}

fn row(out: &mut String, label: &str, value: Option<&str>) {
    let value = value.filter(|v| !v.is_empty()).map(escape).unwrap_or_else(|| "—".into());
    let _ = write!(out, "<dt>{}</dt><dd>{value}</dd>", escape(label));
}

fn codes(list: &[String]) -> String {
    list.iter().map(|c| escape(c)).collect::<Vec<_>>().join(", ")
}

fn img(photo: &Photo) -> Option<String> {
    let (mime, _) = image_type(&photo.content_type)?;
    Some(format!(
        "<figure id=\"photo-{}\"><img alt=\"photo {}\" src=\"data:{mime};base64,{}\"></figure>",
        escape(&photo.id),
        escape(&photo.id),
        STANDARD.encode(&photo.bytes)
    ))
}

/// The whole HTML file of `detail` with `photos`.
pub fn render(detail: &ReviewDetail, photos: &[Photo]) -> String {
    let request = &detail.request;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{EXPORT_CSP}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>Training case: {}</title>\
         <style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.4}}\
         dt{{font-weight:bold}}dd{{margin:0 0 .4rem 1rem}}.event{{border-top:1px solid #ccc;padding:.5rem 0}}\
         .when{{color:#555;font-size:.9em}}.body{{white-space:pre-wrap}}img{{max-width:100%}}</style></head><body>\n",
        escape(&request.subject)
    );
    let _ = write!(out, "<h1>{}</h1>\n<h2>Request</h2><dl>", escape(&request.subject));
    row(&mut out, "Request", Some(&request.id));
    let _ = write!(out, "<dt>Officer</dt><dd>{}</dd>", person(Some(&request.officer)));
    let _ = write!(out, "<dt>Expert</dt><dd>{}</dd>", person(request.assignee.as_ref()));
    row(&mut out, "Priority", Some(&format!("{:?}", request.priority).to_lowercase()));
    row(&mut out, "Created", Some(&request.created_at));
    row(&mut out, "Claimed", request.claimed_at.as_deref());
    row(&mut out, "Closed", request.closed_at.as_deref());
    out.push_str("</dl>\n<h2>Shipment</h2><dl>");
    let shipment = &request.shipment;
    row(&mut out, "Description", Some(&shipment.declared_description));
    row(&mut out, "HS code", shipment.hs_code.as_deref());
    row(&mut out, "Origin", shipment.origin_country.as_deref());
    row(&mut out, "Destination", shipment.destination_country.as_deref());
    row(&mut out, "Consignee", shipment.consignee.as_deref());
    row(&mut out, "Reference", shipment.reference.as_deref());
    out.push_str("</dl>\n<h2>Transcript</h2>\n");
    for event in &detail.events {
        let _ = write!(
            out,
            "<div class=\"event\"><div class=\"when\">{} · {} · {}</div>",
            escape(&event.at),
            escape(event.kind.as_str()),
            person(event.author.as_ref())
        );
        if let Some(message) = &event.message {
            let _ = write!(out, "<div class=\"body\">{}</div>", escape(&message.body));
            if !message.cites.is_empty() {
                let _ = write!(out, "<div>Cites: {}</div>", codes(&message.cites));
            }
            for id in &message.attachments {
                if let Some(html) = photos.iter().find(|p| &p.id == id).and_then(img) {
                    out.push_str(&html);
                }
            }
        }
        if let (EventKind::Transferred, Some(to)) =
            (event.kind, event.data.get("to").and_then(|u| u.get("display_name")).and_then(|v| v.as_str()))
        {
            let _ = write!(out, "<div>To {}</div>", escape(to));
        }
        out.push_str("</div>\n");
    }
    let referenced: Vec<&str> = detail
        .events
        .iter()
        .filter_map(|e| e.message.as_ref())
        .flat_map(|m| m.attachments.iter().map(String::as_str))
        .collect();
    let loose: Vec<String> = photos.iter().filter(|p| !referenced.contains(&p.id.as_str())).filter_map(img).collect();
    if !loose.is_empty() {
        out.push_str("<h2>Other photos</h2>\n");
        for html in loose {
            out.push_str(&html);
        }
    }
    out.push_str("<h2>Outcome</h2>");
    match &request.outcome {
        Some(outcome) => {
            out.push_str("<dl>");
            row(&mut out, "Verdict", Some(outcome.verdict.as_str()));
            let _ = write!(
                out,
                "<dt>Controls</dt><dd>{}</dd>",
                if outcome.controls.is_empty() { "—".into() } else { codes(&outcome.controls) }
            );
            row(&mut out, "Note", Some(&outcome.note));
            out.push_str("</dl>\n");
        }
        None => out.push_str("<p>—</p>\n"),
    }
    out.push_str("<h2>Annotations</h2>\n");
    if detail.annotations.is_empty() {
        out.push_str("<p>None.</p>\n");
    }
    for annotation in &detail.annotations {
        let _ = writeln!(
            out,
            "<div class=\"event\"><div class=\"when\">{} · {}{}</div><div class=\"body\">{}</div></div>",
            escape(&annotation.at),
            person(Some(&annotation.author)),
            if annotation.training_case { " · training case" } else { "" },
            escape(&annotation.note)
        );
    }
    out.push_str("</body></html>\n");
    out
}

fn read_photos(dir: &FsPath, records: Vec<(String, String)>) -> std::io::Result<Vec<Photo>> {
    let mut photos = Vec::new();
    for (id, content_type) in records {
        let Some((_, extension)) = image_type(&content_type) else { continue };
        if uuid::Uuid::parse_str(&id).is_err() {
            continue;
        }
        let bytes = std::fs::read(dir.join(format!("{id}.{extension}")))?;
        photos.push(Photo { id, content_type, bytes });
    }
    Ok(photos)
}

/// GET /api/v1/review/requests/{id}/export.html: the closed request as one self-contained HTML file.
pub async fn export_html(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> AppResult<Response> {
    require_reviewer(&caller)?;
    let lookup = id.clone();
    let (detail, records) = state
        .store
        .readers
        .read(move |conn| {
            Ok::<_, crate::store::StoreError>((review::detail(conn, &caller, &lookup)?, review::photos(conn, &lookup)?))
        })
        .await?;
    let dir = state.config.attachments_dir();
    let photos = tokio::task::spawn_blocking(move || read_photos(&dir, records))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let html = render(&detail, &photos);
    let safe_id: String = detail.request.id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"case-{safe_id}.html\"")).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(EXPORT_CSP)),
        ],
        html,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#x27;b&#x27;&lt;/script&gt;"
        );
    }
}
