//! `field outbox`: what waits to be delivered (and what the server refused); `--flush` delivers it now.

use anyhow::bail;
use serde_json::json;

use crate::cli::OutboxArgs;
use crate::delivery::{Delivered, flush_with_own_link};
use crate::home::FieldHome;
use crate::outbox::{OutboxEntry, Payload};

/// Lists, and with `--flush` first delivers, the outbox.
pub fn run(home: &FieldHome, args: &OutboxArgs) -> anyhow::Result<()> {
    let outbox = super::open_outbox(home)?;
    let mut delivered = 0usize;
    let mut failure = None;
    if args.flush && !outbox.pending()?.is_empty() {
        let (_, api) = super::signed_in(home)?;
        let result = crate::block_on(flush_with_own_link(&api, &outbox, &mut |outcome| match outcome {
            Delivered::Refused { client_id, reason } => eprintln!("field: {client_id} was refused: {reason}"),
            _ => delivered += 1,
        }))?;
        failure = result.err();
    }
    let entries = outbox.all()?;
    if args.json {
        let mut document = json!({"entries": entries});
        if args.flush {
            document["delivered"] = json!(delivered);
        }
        println!("{document}");
    } else {
        if args.flush {
            println!("delivered {delivered}");
        }
        if entries.is_empty() {
            println!("the outbox is empty");
        }
        for entry in &entries {
            println!("{}", describe(entry));
        }
    }
    if let Some(error) = failure {
        bail!("{error}; {} entries stay queued", outbox.pending()?.len());
    }
    Ok(())
}

fn describe(entry: &OutboxEntry) -> String {
    let what = match &entry.payload {
        Payload::Ask { new } => format!("ask {:?}", new.subject),
        Payload::Photo { name, .. } => format!("photo {name}"),
        Payload::Message { body, photos } if photos.is_empty() => format!("message {body:?}"),
        Payload::Message { body, photos } => format!("message {body:?} with {} photo(s)", photos.len()),
    };
    let state = entry.failure.as_ref().map_or_else(|| "waiting".to_string(), |f| format!("refused: {f}"));
    format!("#{} {} · request {} · queued {} · {state}", entry.seq, what, entry.request, entry.queued_at)
}
