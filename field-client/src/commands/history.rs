//! `field history`: a request and its whole timeline.

use hotline_protocol::{Event, Request};
use serde::Serialize;

use crate::cli::HistoryArgs;
use crate::home::FieldHome;
use crate::render::EventView;

/// `{"request": Request, "events": [Event...]}`.
#[derive(Debug, Serialize)]
struct History<'a> {
    request: &'a Request,
    events: &'a [Event],
}

/// Prints the timeline.
pub fn run(home: &FieldHome, args: &HistoryArgs) -> anyhow::Result<()> {
    let (session, api) = super::signed_in(home)?;
    let (request, events) = crate::block_on(async {
        let request = api.request(&args.request_id).await?;
        let events = api.all_events(&args.request_id).await?;
        Ok::<_, crate::error::ClientError>((request, events))
    })??;
    if args.json {
        println!("{}", serde_json::to_string(&History { request: &request, events: &events })?);
        return Ok(());
    }
    println!("{}  {}  {}", request.id, request.status.as_str(), request.subject);
    let view = EventView::new(home, &session.user);
    for event in &events {
        for line in view.lines(event) {
            println!("{line}");
        }
    }
    Ok(())
}
