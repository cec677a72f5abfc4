//! One module per `field` command, plus what the hotline commands share (`signed_in`).

pub mod ask;
pub mod chat;
pub mod history;
pub mod index;
pub mod login;
pub mod outbox;
pub mod requests;
pub mod screen;
pub mod search;
pub mod send;
pub mod show;
pub mod sync;

use crate::api::HotlineApi;
use crate::home::FieldHome;
use crate::outbox::Outbox;
use crate::session::Session;

/// The saved session and a REST client signed in with it.
pub fn signed_in(home: &FieldHome) -> anyhow::Result<(Session, HotlineApi)> {
    let session = Session::load(&home.session_file())?;
    let api = HotlineApi::for_session(&session)?;
    Ok((session, api))
}

/// The outbox in home (created on first use).
pub fn open_outbox(home: &FieldHome) -> anyhow::Result<Outbox> {
    home.ensure()?;
    Ok(Outbox::open(&home.outbox_file())?)
}
