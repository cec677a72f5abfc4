//! Delivering the outbox: asks and photos over REST, messages over one WebSocket with a window of frames in
//! flight, strictly in queue order. An entry leaves the outbox only when the server confirmed it.

use std::collections::VecDeque;

use hotline_protocol::{ClientFrame, ServerFrame};

use crate::api::HotlineApi;
use crate::error::{ClientError, Result};
use crate::link::Link;
use crate::outbox::{Outbox, OutboxEntry, Payload};

/// Frames in flight before waiting for acks (well under the server's 200-frame burst allowance).
const WINDOW: usize = 32;

/// What happened to one entry.
#[derive(Debug, Clone)]
pub enum Delivered {
    /// The request exists on the server now.
    Request { client_id: String, request: Box<hotline_protocol::Request> },
    /// The photo is an attachment now.
    Photo { attachment_id: String, bytes: u64 },
    /// The message is stored, at `seq` of its request.
    Message { client_id: String, seq: u64 },
    /// The server refused it for good; it stays in the outbox, marked.
    Refused { client_id: String, reason: String },
}

/// The WebSocket a flush uses: an open one (chat) or one opened on demand.
pub trait LinkSlot {
    /// The open link, connecting when needed.
    fn link(&mut self) -> impl Future<Output = Result<&mut Link>>;
    /// A frame that is not an answer to the flush (an event of a subscription).
    fn other_frame(&mut self, frame: ServerFrame);
}

/// A link opened on the first message and owned by the flush (for `send`, `ask`, `outbox --flush`).
#[derive(Debug)]
pub struct OwnLink<'a> {
    api: &'a HotlineApi,
    link: Option<Link>,
}

impl<'a> OwnLink<'a> {
    /// No connection until a message needs one.
    pub fn new(api: &'a HotlineApi) -> OwnLink<'a> {
        OwnLink { api, link: None }
    }

    /// Closes the link if one was opened.
    pub async fn close(self) {
        if let Some(link) = self.link {
            link.close().await;
        }
    }
}

impl LinkSlot for OwnLink<'_> {
    async fn link(&mut self) -> Result<&mut Link> {
        if self.link.is_none() {
            self.link = Some(Link::connect(self.api).await?);
        }
        Ok(self.link.as_mut().expect("connected just above"))
    }

    fn other_frame(&mut self, _frame: ServerFrame) {}
}

/// [`flush`] over a link of its own, opened on the first message and closed at the end: what `send`, `ask` and
/// `outbox --flush` do.
pub async fn flush_with_own_link(api: &HotlineApi, outbox: &Outbox, report: &mut impl FnMut(&Delivered)) -> Result<()> {
    let mut link = OwnLink::new(api);
    let result = flush(api, outbox, &mut link, report).await;
    link.close().await;
    result
}

/// Delivers every waiting entry in order. Stops at the first transient failure (offline, server down) and
/// returns it; entries refused for good are marked and skipped. `report` hears of each entry as it goes.
pub async fn flush(
    api: &HotlineApi,
    outbox: &Outbox,
    slot: &mut impl LinkSlot,
    report: &mut impl FnMut(&Delivered),
) -> Result<()> {
    let pending = outbox.pending()?;
    let mut index = 0;
    while index < pending.len() {
        let entry = &pending[index];
        if matches!(entry.payload, Payload::Message { .. }) {
            let run = pending[index..].iter().take_while(|e| matches!(e.payload, Payload::Message { .. })).count();
            deliver_messages(outbox, slot, &pending[index..index + run], report).await?;
            index += run;
            continue;
        }
        match deliver_rest(api, outbox, entry).await {
            Ok(delivered) => report(&delivered),
            Err(error) if error.is_transient() || matches!(error, ClientError::Unauthorised) => return Err(error),
            Err(error) => refuse(outbox, &entry.client_id, &error.to_string(), report)?,
        }
        index += 1;
    }
    Ok(())
}

fn refuse(outbox: &Outbox, client_id: &str, reason: &str, report: &mut impl FnMut(&Delivered)) -> Result<()> {
    outbox.refused(client_id, reason)?;
    report(&Delivered::Refused { client_id: client_id.to_string(), reason: reason.to_string() });
    Ok(())
}

/// The server's id of an entry's request, or why it has none.
fn request_of(outbox: &Outbox, entry: &OutboxEntry) -> Result<Result<String, String>> {
    Ok(outbox
        .resolve_request(&entry.request)?
        .ok_or_else(|| "its request was never created (see the refused ask above)".to_string()))
}

async fn deliver_rest(api: &HotlineApi, outbox: &Outbox, entry: &OutboxEntry) -> Result<Delivered> {
    match &entry.payload {
        Payload::Ask { new } => {
            let request = api.create_request(new).await?;
            outbox.request_created(&entry.client_id, &request.id)?;
            Ok(Delivered::Request { client_id: entry.client_id.clone(), request: Box::new(request) })
        }
        Payload::Photo { file, name } => {
            let request_id =
                request_of(outbox, entry)?.map_err(|reason| ClientError::Photo { path: file.clone(), reason })?;
            let jpeg = std::fs::read(file).map_err(|e| ClientError::io(file, e))?;
            let attachment = api.upload_photo(&request_id, name, jpeg, &entry.client_id).await?;
            outbox.photo_uploaded(&entry.client_id, &attachment.id)?;
            let _ = std::fs::remove_file(file);
            Ok(Delivered::Photo { attachment_id: attachment.id, bytes: attachment.bytes })
        }
        Payload::Message { .. } => Err(ClientError::Protocol("messages go over the WebSocket".into())),
    }
}

/// The `send` frame of a message entry, or why it cannot be sent.
fn send_frame(outbox: &Outbox, entry: &OutboxEntry) -> Result<Result<ClientFrame, String>> {
    let Payload::Message { body, photos } = &entry.payload else {
        return Ok(Err("not a message".into()));
    };
    let request_id = match request_of(outbox, entry)? {
        Ok(id) => id,
        Err(reason) => return Ok(Err(reason)),
    };
    let mut attachments = Vec::new();
    for photo in photos {
        match outbox.attachment_of(photo)? {
            Some(id) => attachments.push(id),
            None => return Ok(Err("one of its photos was refused".into())),
        }
    }
    Ok(Ok(ClientFrame::Send {
        request_id,
        client_msg_id: entry.client_id.clone(),
        body: body.clone(),
        attachments,
        cites: Vec::new(),
    }))
}

/// Sends a run of messages with up to [`WINDOW`] frames in flight; frames on one connection are handled in
/// order, so order holds, and a resend after a drop is answered with the first ack.
async fn deliver_messages(
    outbox: &Outbox,
    slot: &mut impl LinkSlot,
    run: &[OutboxEntry],
    report: &mut impl FnMut(&Delivered),
) -> Result<()> {
    let mut waiting = run.iter();
    let mut in_flight: VecDeque<String> = VecDeque::new();
    loop {
        while in_flight.len() < WINDOW {
            let Some(entry) = waiting.next() else { break };
            match send_frame(outbox, entry)? {
                Ok(frame) => {
                    slot.link().await?.send(&frame).await?;
                    in_flight.push_back(entry.client_id.clone());
                }
                Err(reason) => refuse(outbox, &entry.client_id, &reason, report)?,
            }
        }
        if in_flight.is_empty() {
            return Ok(());
        }
        let frame = slot.link().await?.next().await?;
        match frame {
            ServerFrame::Ack { client_msg_id, seq, .. } if in_flight.contains(&client_msg_id) => {
                outbox.delivered(&client_msg_id)?;
                in_flight.retain(|id| id != &client_msg_id);
                report(&Delivered::Message { client_id: client_msg_id, seq });
            }
            ServerFrame::Error { code, message, reference: Some(reference) } if in_flight.contains(&reference) => {
                let error = ClientError::FrameRefused { code, message };
                if error.is_transient() {
                    return Err(error);
                }
                in_flight.retain(|id| id != &reference);
                refuse(outbox, &reference, &error.to_string(), report)?;
            }
            other => slot.other_frame(other),
        }
    }
}
