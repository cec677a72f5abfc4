//! `field ask`: queues the request, its shrunk photos and its first message in the outbox, delivers them in
//! that order (create, upload, `send` with the attachment ids), then prints the request or opens the chat.

use std::path::Path;

use anyhow::bail;
use hotline_protocol::{NewRequest, Priority, Request, RequestEnvelope, Shipment};

use crate::cli::AskArgs;
use crate::delivery::{Delivered, flush_with_own_link};
use crate::home::FieldHome;
use crate::outbox::{Outbox, Payload};
use crate::photo;

/// Runs `field ask`.
pub fn run(home: &FieldHome, args: &AskArgs) -> anyhow::Result<()> {
    let (session, api) = super::signed_in(home)?;
    let outbox = super::open_outbox(home)?;
    // Progress goes to stderr under --json, so that stdout holds the JSON document alone.
    let note = |text: String| if args.json { eprintln!("{text}") } else { println!("{text}") };

    let client_request_id = uuid::Uuid::new_v4().to_string();
    let mut shrunk = Vec::new();
    for path in &args.photos {
        let photo = photo::shrink_file(path)?;
        note(format!("photo {}: {}", path.display(), photo.summary()));
        shrunk.push((path, photo));
    }
    queue(home, &outbox, &client_request_id, new_request(args, &client_request_id), shrunk, args.message.as_deref())?;

    let mut created: Option<Request> = None;
    let mut refused: Option<String> = None;
    let delivered = crate::block_on(flush_with_own_link(&api, &outbox, &mut |delivered| match delivered {
        Delivered::Request { client_id, request } if *client_id == client_request_id => {
            created = Some((**request).clone())
        }
        Delivered::Photo { attachment_id, bytes, .. } => {
            note(format!("photo uploaded as {attachment_id} ({})", photo::human_bytes(*bytes)));
        }
        Delivered::Refused { client_id, reason } if *client_id == client_request_id => refused = Some(reason.clone()),
        Delivered::Refused { client_id, reason } => note(format!("outbox entry {client_id} was refused: {reason}")),
        _ => {}
    }))?;
    if let Some(reason) = refused {
        bail!("the request was not accepted: {reason}");
    }
    let request = match (delivered, created) {
        (Ok(()), Some(request)) => request,
        (Ok(()), None) => bail!("the request was not created; see `field outbox`"),
        (Err(error), Some(request)) if error.is_transient() => {
            eprintln!(
                "field: request {} is open, but {error}; its photos and message wait in the outbox (`field outbox --flush`)",
                request.id
            );
            request
        }
        (Err(error), None) if error.is_transient() && !args.json => {
            println!(
                "{error}: the request is queued in the outbox and goes out with `field outbox --flush` or `field send`"
            );
            return Ok(());
        }
        (Err(error), None) if error.is_transient() => {
            bail!(
                "{error}: the request is queued in the outbox (id {client_request_id}) and goes out with `field outbox --flush`"
            )
        }
        (Err(error), _) => return Err(error.into()),
    };
    let request = crate::block_on(api.request(&request.id))?.unwrap_or(request);
    if args.json {
        println!("{}", serde_json::to_string(&RequestEnvelope { request })?);
        return Ok(());
    }
    println!("request {} is open ({}); an expert will answer here", request.id, request.status.as_str());
    super::chat::chat(home, &session, &api, &outbox, &request.id)
}

fn new_request(args: &AskArgs, client_request_id: &str) -> NewRequest {
    NewRequest {
        client_request_id: client_request_id.to_string(),
        subject: args.subject.clone(),
        shipment: Shipment {
            declared_description: args.declared.clone().unwrap_or_else(|| args.subject.clone()),
            hs_code: args.hs.clone(),
            origin_country: args.origin.as_ref().map(|c| c.to_uppercase()),
            destination_country: args.destination.as_ref().map(|c| c.to_uppercase()),
            consignee: args.consignee.clone(),
            reference: args.reference.clone(),
        },
        priority: Some(if args.urgent { Priority::Urgent } else { Priority::Normal }),
        body: None,
    }
}

/// Writes the ask, each photo and the message to the outbox, in delivery order.
fn queue(
    home: &FieldHome,
    outbox: &Outbox,
    client_request_id: &str,
    new: NewRequest,
    photos: Vec<(&std::path::PathBuf, photo::ShrunkPhoto)>,
    message: Option<&str>,
) -> anyhow::Result<()> {
    outbox.enqueue(client_request_id, client_request_id, &Payload::Ask { new })?;
    let mut photo_ids = Vec::new();
    for (path, photo) in photos {
        photo_ids.push(queue_photo(home, outbox, client_request_id, path, &photo.jpeg)?);
    }
    if message.is_some() || !photo_ids.is_empty() {
        let body = message.unwrap_or_default().to_string();
        outbox.enqueue(
            &uuid::Uuid::new_v4().to_string(),
            client_request_id,
            &Payload::Message { body, photos: photo_ids },
        )?;
    }
    Ok(())
}

/// Keeps a shrunk photo in the outbox's folder and queues its upload to `request`; returns its client id.
pub fn queue_photo(
    home: &FieldHome,
    outbox: &Outbox,
    request: &str,
    original: &Path,
    jpeg: &[u8],
) -> anyhow::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let dir = home.outbox_photos_dir();
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("{id}.jpg"));
    std::fs::write(&file, jpeg)?;
    let stem = original.file_stem().and_then(|s| s.to_str()).unwrap_or("photo");
    outbox.enqueue(&id, request, &Payload::Photo { file, name: format!("{stem}.jpg") })?;
    Ok(id)
}
