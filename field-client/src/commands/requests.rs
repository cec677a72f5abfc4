//! `field requests`: the officer's requests with their status.

use hotline_protocol::RequestList;

use crate::home::FieldHome;
use crate::terminal::Style;

/// Lists the requests (`{"requests": [...]}` with `--json`).
pub fn run(home: &FieldHome, json: bool) -> anyhow::Result<()> {
    let (_, api) = super::signed_in(home)?;
    let requests = crate::block_on(api.requests())??;
    if json {
        println!("{}", serde_json::to_string(&RequestList { requests })?);
        return Ok(());
    }
    if requests.is_empty() {
        println!("no requests yet: `field ask --subject ...` opens one");
        return Ok(());
    }
    let style = Style::detect();
    for request in &requests {
        let expert = request.assignee.as_ref().map_or(String::new(), |a| format!(" · {}", a.display_name));
        let verdict = request.outcome.as_ref().map_or(String::new(), |o| format!(" · {}", o.verdict.as_str()));
        println!(
            "{}  {:<8} {}  {}",
            style.bold(&request.id),
            request.status.as_str(),
            request.subject,
            style.dim(&format!("{}{expert}{verdict} · {} events", request.created_at, request.last_seq))
        );
    }
    Ok(())
}
