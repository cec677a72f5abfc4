//! How timeline events read in the chat and in `field history`: one line each, citations with their
//! catalogue titles (looked up offline), claims, transfers and verdicts in words.

use hotline_index::CatalogueIndex;
use hotline_protocol::{Event, EventKind, Outcome, User};

use crate::home::FieldHome;
use crate::terminal::Style;

/// Renders events for one signed-in user.
pub struct EventView {
    me: String,
    catalogue: Option<CatalogueIndex>,
    style: Style,
}

impl std::fmt::Debug for EventView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventView").field("me", &self.me).finish_non_exhaustive()
    }
}

impl EventView {
    /// Titles come from the offline catalogue in home, when one is there (no build, no network).
    pub fn new(home: &FieldHome, me: &User) -> EventView {
        EventView {
            me: me.id.clone(),
            catalogue: CatalogueIndex::open(&home.catalogue_dir()).ok(),
            style: Style::detect(),
        }
    }

    fn who(&self, user: Option<&User>) -> String {
        match user {
            Some(user) if user.id == self.me => "you".to_string(),
            Some(user) => user.display_name.clone(),
            None => "hotline".to_string(),
        }
    }

    fn user_in(data: &serde_json::Value, key: &str) -> Option<User> {
        serde_json::from_value(data.get(key)?.clone()).ok()
    }

    /// "2B001 (Numerically controlled machine tools …)" or the bare code when the catalogue lacks it.
    pub fn cite(&self, code: &str) -> String {
        let title = self.catalogue.as_ref().and_then(|index| {
            let id = hotline_index::codes::canonical_eccn(code).unwrap_or_else(|| code.to_string());
            index.entry(&id).ok().flatten().map(|entry| entry.title)
        });
        match title {
            Some(title) => format!("{} ({title})", self.style.bold(code)),
            None => self.style.bold(code),
        }
    }

    fn outcome(&self, outcome: &Outcome) -> String {
        let mut text = format!("verdict {}", self.style.bold(outcome.verdict.as_str()));
        if !outcome.controls.is_empty() {
            let cites: Vec<String> = outcome.controls.iter().map(|c| self.cite(c)).collect();
            text.push_str(&format!(", controls {}", cites.join(", ")));
        }
        if !outcome.note.is_empty() {
            text.push_str(&format!(": {}", outcome.note));
        }
        text
    }

    /// The lines of one event.
    pub fn lines(&self, event: &Event) -> Vec<String> {
        let time = event.at.get(11..16).unwrap_or(&event.at);
        let head = self.style.dim(&format!("[{} {time}]", event.seq));
        let author = self.who(event.author.as_ref());
        let mut lines = Vec::new();
        match event.kind {
            EventKind::Message => {
                let Some(message) = &event.message else { return vec![format!("{head} {author}: (empty)")] };
                lines.push(format!("{head} {}: {}", self.style.bold(&author), message.body));
                if !message.attachments.is_empty() {
                    lines.push(format!("    photos: {}", message.attachments.join(", ")));
                }
                for code in &message.cites {
                    lines.push(format!("    cites {}", self.cite(code)));
                }
            }
            EventKind::Created => {
                let subject = event.data.get("subject").and_then(|s| s.as_str()).unwrap_or("");
                lines.push(format!("{head} {author} opened the request: {subject}"));
            }
            EventKind::Claimed => lines.push(format!("{head} {author} took the request")),
            EventKind::Transferred => {
                let from = self.who(Self::user_in(&event.data, "from").as_ref());
                let to = self.who(Self::user_in(&event.data, "to").as_ref());
                lines.push(format!("{head} the request passed from {from} to {to}"));
            }
            EventKind::Closed => {
                let outcome =
                    event.data.get("outcome").cloned().and_then(|o| serde_json::from_value::<Outcome>(o).ok());
                match outcome {
                    Some(outcome) => {
                        lines.push(format!("{head} {author} closed the request: {}", self.outcome(&outcome)))
                    }
                    None => lines.push(format!("{head} {author} closed the request")),
                }
            }
        }
        lines
    }
}
