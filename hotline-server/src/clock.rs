//! The server's one clock, and time on the wire: RFC 3339 UTC strings with millisecond precision, and unix
//! seconds for expiry checks.
//!
//! Every time the server records (requests, events, attachments, annotations, sessions, users) comes from
//! [`Clock`], which lives in [`Config`](crate::config::Config). The real binary always runs on
//! [`Clock::System`]. [`Clock::SteeredByFile`] exists so that a test can lay out weeks of history through the
//! real API in seconds: the test's own build of the command line (`hotline-server-under-test`) selects it from
//! an environment variable, and the test writes the time it wants into the file before each step. No route,
//! flag or setting of the real binary can select it.

use std::path::PathBuf;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Always three fraction digits, so that stored times sort as text.
const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Where "now" comes from.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The operating system's clock.
    #[default]
    System,
    /// The RFC 3339 time written in this file, read at every call; the system clock while the file is absent.
    /// For tests only (see the module documentation).
    SteeredByFile(Arc<PathBuf>),
}

impl Clock {
    /// A clock steered by the file at `path`.
    pub fn steered_by(path: impl Into<PathBuf>) -> Clock {
        Clock::SteeredByFile(Arc::new(path.into()))
    }

    /// Now.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::SteeredByFile(path) => match std::fs::read_to_string(path.as_path()) {
                Ok(text) => OffsetDateTime::parse(text.trim(), &Rfc3339).unwrap_or_else(|error| {
                    tracing::warn!(%error, file = %path.display(), "the steering file holds no RFC 3339 time; using the system clock");
                    OffsetDateTime::now_utc()
                }),
                Err(_) => OffsetDateTime::now_utc(),
            },
        }
    }

    /// Now, as the store and the wire write it: RFC 3339 UTC, milliseconds.
    pub fn now_rfc3339(&self) -> String {
        rfc3339(self.now())
    }

    /// Now as unix seconds.
    pub fn now_unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

/// `at` as RFC 3339 UTC with milliseconds.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(FORMAT).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Unix seconds as RFC 3339 UTC.
pub fn unix_to_rfc3339(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds).map(rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steered_clock_reads_its_file_and_falls_back_to_the_system_clock() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("now");
        let clock = Clock::steered_by(&file);
        let before = OffsetDateTime::now_utc().unix_timestamp();
        assert!(clock.now_unix() >= before, "no file: the system clock");
        std::fs::write(&file, "2026-10-05T08:30:00.250Z\n").unwrap();
        assert_eq!(clock.now_rfc3339(), "2026-10-05T08:30:00.250Z");
        std::fs::write(&file, "2026-10-06T09:00:00Z").unwrap();
        assert_eq!(clock.now_rfc3339(), "2026-10-06T09:00:00.000Z");
        std::fs::write(&file, "yesterday").unwrap();
        assert!(clock.now_unix() >= before, "not a time: the system clock");
    }
}
