//! Time on the wire: RFC 3339 UTC strings with millisecond precision, and unix seconds for expiry checks.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// Always three fraction digits, so that stored times sort as text.
const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Now, as the store and the wire write it: RFC 3339 UTC, milliseconds.
pub fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// `at` as RFC 3339 UTC with milliseconds.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(FORMAT).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Now as unix seconds.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as RFC 3339 UTC.
pub fn unix_to_rfc3339(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds).map(rfc3339).unwrap_or_default()
}
