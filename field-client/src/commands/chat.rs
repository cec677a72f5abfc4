//! `field chat`: the live chat of one request. Events show as they come; typed lines go to the outbox first
//! and out at once when connected. After every drop it reconnects (exponential backoff with jitter),
//! subscribes from the last seq it showed, and delivers whatever waited in the outbox, in order.

use std::io::BufRead;
use std::time::Duration;

use anyhow::anyhow;
use hotline_protocol::{ClientFrame, ServerFrame};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::api::HotlineApi;
use crate::backoff::Backoff;
use crate::delivery::{Delivered, LinkSlot, flush};
use crate::error::{ClientError, Result};
use crate::home::FieldHome;
use crate::link::Link;
use crate::outbox::{Outbox, Payload};
use crate::render::EventView;
use crate::session::Session;

/// Runs `field chat REQUEST_ID`.
pub fn run(home: &FieldHome, request_id: &str) -> anyhow::Result<()> {
    let (session, api) = super::signed_in(home)?;
    let outbox = super::open_outbox(home)?;
    let Some(request_id) = outbox.resolve_request(request_id)? else {
        anyhow::bail!(
            "request {request_id} is still queued in the outbox; it opens once `field outbox --flush` delivers it"
        );
    };
    chat(home, &session, &api, &outbox, &request_id)
}

/// The chat loop, also entered by `field ask` once its request is open.
pub fn chat(
    home: &FieldHome,
    session: &Session,
    api: &HotlineApi,
    outbox: &Outbox,
    request_id: &str,
) -> anyhow::Result<()> {
    println!("chat on request {request_id}: type a message and press Enter; /photo FILE sends a photo; /quit leaves");
    let mut chat = Chat {
        home,
        outbox,
        request_id: request_id.to_string(),
        timeline: Timeline {
            view: EventView::new(home, &session.user),
            request_id: request_id.to_string(),
            last_seq: 0,
            fatal: None,
        },
        input: spawn_input(),
        input_open: true,
    };
    crate::block_on(chat.run(api))?
}

/// What a typed line asks for.
enum Line {
    Nothing,
    Queued,
    Quit,
}

/// How a connected spell ended.
enum Spell {
    Quit,
    Dropped(ClientError),
}

/// The shown part of the timeline: events are printed once each, in seq order.
struct Timeline {
    view: EventView,
    request_id: String,
    last_seq: u64,
    /// Set when the server refuses the subscription itself (unknown request, no access).
    fatal: Option<String>,
}

impl Timeline {
    fn frame(&mut self, frame: ServerFrame) {
        match frame {
            ServerFrame::Event { event } if event.request_id == self.request_id && event.seq > self.last_seq => {
                self.last_seq = event.seq;
                for line in self.view.lines(&event) {
                    println!("{line}");
                }
            }
            ServerFrame::Error { code, message, reference }
                if reference.as_deref() == Some(self.request_id.as_str()) =>
            {
                self.fatal = Some(format!("{message} ({code})"));
            }
            ServerFrame::Error { code, message, .. } => eprintln!("field: the server says: {message} ({code})"),
            _ => {}
        }
    }
}

/// The open link of a connected spell, lent to a flush; frames that are not answers go to the timeline.
struct ChatSlot<'a> {
    link: &'a mut Link,
    timeline: &'a mut Timeline,
}

impl LinkSlot for ChatSlot<'_> {
    async fn link(&mut self) -> Result<&mut Link> {
        Ok(&mut *self.link)
    }

    fn other_frame(&mut self, frame: ServerFrame) {
        self.timeline.frame(frame);
    }
}

struct Chat<'a> {
    home: &'a FieldHome,
    outbox: &'a Outbox,
    request_id: String,
    timeline: Timeline,
    input: UnboundedReceiver<String>,
    input_open: bool,
}

impl Chat<'_> {
    async fn run(&mut self, api: &HotlineApi) -> anyhow::Result<()> {
        let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
        // The request's last seq: the replay up to it is shown before anything typed is taken.
        let replay_until = match api.request(&self.request_id).await {
            Ok(request) => {
                let expert = request.assignee.as_ref().map_or(String::new(), |a| format!(", with {}", a.display_name));
                println!("{} · {}{expert}", request.subject, request.status.as_str());
                request.last_seq
            }
            Err(error) if error.is_transient() => {
                eprintln!("field: {error}; showing the chat once the link returns");
                0
            }
            Err(error) => return Err(anyhow!("cannot open the chat of request {}: {error}", self.request_id)),
        };
        loop {
            let reason = match Link::connect(api).await {
                Ok(mut link) => {
                    let progress_before = self.progress();
                    let spell = self.connected(api, &mut link, replay_until).await?;
                    if self.progress() != progress_before {
                        // The link carried something before it broke: not an outage, so retry soon.
                        backoff.reset();
                    }
                    match spell {
                        Spell::Quit => {
                            link.close().await;
                            return self.leave();
                        }
                        Spell::Dropped(reason) => reason,
                    }
                }
                Err(error) if error.is_transient() => error,
                Err(error) => return Err(error.into()),
            };
            let delay = backoff.next_delay();
            eprintln!(
                "field: {reason}; reconnecting in {:.1} s (what you type is kept in the outbox)",
                delay.as_secs_f64()
            );
            if let Line::Quit = self.offline_for(delay).await? {
                return self.leave();
            }
        }
    }

    /// Subscribes from the last seq shown, shows the replay up to `replay_until`, delivers the outbox, then shows
    /// events and sends typed lines.
    async fn connected(&mut self, api: &HotlineApi, link: &mut Link, replay_until: u64) -> anyhow::Result<Spell> {
        let subscribe =
            ClientFrame::Subscribe { request_id: self.request_id.clone(), after_seq: self.timeline.last_seq };
        if let Err(error) = link.send(&subscribe).await {
            return Ok(Spell::Dropped(error));
        }
        while self.timeline.last_seq < replay_until && self.timeline.fatal.is_none() {
            match link.next().await {
                Ok(frame) => self.timeline.frame(frame),
                Err(error) => return Ok(Spell::Dropped(error)),
            }
        }
        if let Err(error) = self.deliver(api, link).await {
            return self.dropped(error);
        }
        loop {
            if let Some(fatal) = self.timeline.fatal.take() {
                return Err(anyhow!("cannot open the chat of request {}: {fatal}", self.request_id));
            }
            if !self.input_open {
                return Ok(Spell::Quit);
            }
            tokio::select! {
                frame = link.next() => match frame {
                    Ok(frame) => self.timeline.frame(frame),
                    Err(error) => return Ok(Spell::Dropped(error)),
                },
                line = self.input.recv() => match line {
                    None => self.input_open = false,
                    Some(line) => match self.queue_line(&line)? {
                        Line::Quit => return Ok(Spell::Quit),
                        Line::Nothing => {}
                        Line::Queued => {
                            if let Err(error) = self.deliver(api, link).await {
                                return self.dropped(error);
                            }
                        }
                    },
                },
            }
        }
    }

    /// What has come through so far: the last seq shown and the outbox entries still waiting.
    fn progress(&self) -> (u64, usize) {
        (self.timeline.last_seq, self.outbox.pending().map_or(0, |p| p.len()))
    }

    fn dropped(&self, error: ClientError) -> anyhow::Result<Spell> {
        if error.is_transient() { Ok(Spell::Dropped(error)) } else { Err(error.into()) }
    }

    /// Delivers the whole outbox over the open link.
    async fn deliver(&mut self, api: &HotlineApi, link: &mut Link) -> Result<()> {
        let mut slot = ChatSlot { link, timeline: &mut self.timeline };
        flush(api, self.outbox, &mut slot, &mut |delivered| {
            if let Delivered::Refused { reason, .. } = delivered {
                eprintln!("field: not delivered: {reason} (kept in `field outbox`)");
            }
        })
        .await
    }

    /// Waits out a reconnection delay while still taking lines into the outbox.
    async fn offline_for(&mut self, delay: Duration) -> anyhow::Result<Line> {
        let timer = tokio::time::sleep(delay);
        tokio::pin!(timer);
        loop {
            tokio::select! {
                () = &mut timer => return Ok(Line::Nothing),
                line = self.input.recv(), if self.input_open => match line {
                    None => self.input_open = false,
                    Some(line) => match self.queue_line(&line)? {
                        Line::Quit => return Ok(Line::Quit),
                        Line::Queued => println!("(queued: it goes out when the link returns)"),
                        Line::Nothing => {}
                    },
                },
            }
        }
    }

    /// Turns a typed line into outbox entries.
    fn queue_line(&mut self, line: &str) -> anyhow::Result<Line> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(Line::Nothing);
        }
        if line == "/quit" {
            return Ok(Line::Quit);
        }
        if let Some(path) = line.strip_prefix("/photo ") {
            let path = std::path::Path::new(path.trim());
            let photo = match crate::photo::shrink_file(path) {
                Ok(photo) => photo,
                Err(error) => {
                    eprintln!("field: {error}");
                    return Ok(Line::Nothing);
                }
            };
            println!("photo {}: {}", path.display(), photo.summary());
            let photo_id = super::ask::queue_photo(self.home, self.outbox, &self.request_id, path, &photo.jpeg)?;
            let message = Payload::Message { body: String::new(), photos: vec![photo_id] };
            self.outbox.enqueue(&uuid::Uuid::new_v4().to_string(), &self.request_id, &message)?;
            return Ok(Line::Queued);
        }
        if line.starts_with('/') {
            eprintln!("field: commands are /photo FILE and /quit; a line that starts with / is not sent");
            return Ok(Line::Nothing);
        }
        let message = Payload::Message { body: line.to_string(), photos: Vec::new() };
        self.outbox.enqueue(&uuid::Uuid::new_v4().to_string(), &self.request_id, &message)?;
        Ok(Line::Queued)
    }

    fn leave(&self) -> anyhow::Result<()> {
        let waiting = self.outbox.pending()?.len();
        if waiting > 0 {
            eprintln!("field: {waiting} item(s) wait in the outbox; `field outbox --flush` delivers them");
        }
        Ok(())
    }
}

/// Lines typed on stdin. The reader is a plain thread (stdin has no portable async read); it ends with
/// stdin, and at exit the process ends it if it is still blocked in a read.
fn spawn_input() -> UnboundedReceiver<String> {
    let (sender, receiver) = unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}
