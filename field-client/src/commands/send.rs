//! `field send`: queues one message, delivers the outbox in order, and returns after the ack, or after
//! queueing when the server cannot be reached.

use anyhow::bail;

use crate::cli::SendArgs;
use crate::delivery::{Delivered, flush_with_own_link};
use crate::home::FieldHome;
use crate::outbox::Payload;

/// Runs `field send`.
pub fn run(home: &FieldHome, args: &SendArgs) -> anyhow::Result<()> {
    let (_, api) = super::signed_in(home)?;
    let outbox = super::open_outbox(home)?;
    let client_msg_id = uuid::Uuid::new_v4().to_string();
    let body = args.text.join(" ");
    outbox.enqueue(&client_msg_id, &args.request_id, &Payload::Message { body, photos: Vec::new() })?;

    let mut seq = None;
    let mut refused = None;
    let result = crate::block_on(flush_with_own_link(&api, &outbox, &mut |delivered| match delivered {
        Delivered::Message { client_id, seq: at, .. } if *client_id == client_msg_id => seq = Some(*at),
        Delivered::Refused { client_id, reason } if *client_id == client_msg_id => refused = Some(reason.clone()),
        Delivered::Refused { client_id, reason } => eprintln!("field: outbox entry {client_id} was refused: {reason}"),
        _ => {}
    }))?;
    if let Some(reason) = refused {
        bail!("the message was not accepted: {reason}; it stays in `field outbox`");
    }
    match (result, seq) {
        (_, Some(seq)) => println!("sent (seq {seq} of request {})", args.request_id),
        (Err(error), None) if error.is_transient() => {
            println!("queued: {error}; the message goes out with `field outbox --flush` or the next `field send`");
        }
        (Err(error), None) => bail!("{error}; the message stays queued in the outbox"),
        (Ok(()), None) => bail!("the message was not delivered; see `field outbox`"),
    }
    Ok(())
}
