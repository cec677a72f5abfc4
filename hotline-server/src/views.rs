//! What each role sees of people: trainers get officers pseudonymised (a stable alias per officer), everyone
//! else sees names. Applied to every request and event a trainer reads.

use hotline_protocol::{Event, Request, Role, User};
use sha2::{Digest, Sha256};

use crate::access::Caller;

/// The stable alias of an officer as trainers see it.
pub fn pseudonym(user: &User) -> User {
    let digest = hex::encode(Sha256::digest(format!("hotline officer alias\n{}", user.id).as_bytes()));
    let alias = format!("officer-{}", &digest[..8]);
    User { id: alias.clone(), username: alias.clone(), display_name: alias, role: Role::Officer }
}

fn user_for(caller: &Caller, user: User) -> User {
    if caller.role() == Role::Trainer && user.role == Role::Officer { pseudonym(&user) } else { user }
}

/// A request as the caller may see it.
pub fn request_for(caller: &Caller, mut request: Request) -> Request {
    if caller.role() == Role::Trainer {
        request.officer = user_for(caller, request.officer);
    }
    request
}

/// An event as the caller may see it.
pub fn event_for(caller: &Caller, mut event: Event) -> Event {
    if caller.role() == Role::Trainer {
        event.author = event.author.map(|author| user_for(caller, author));
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trainers_see_a_stable_alias_and_others_the_name() {
        let officer = User { id: "u1".into(), username: "olga".into(), display_name: "Olga".into(), role: Role::Officer };
        let trainer = Caller { user: User { id: "t".into(), username: "tom".into(), display_name: "Tom".into(), role: Role::Trainer } };
        let expert = Caller { user: User { role: Role::Expert, ..trainer.user.clone() } };
        let alias = user_for(&trainer, officer.clone());
        assert!(alias.username.starts_with("officer-"));
        assert_eq!(alias, user_for(&trainer, officer.clone()));
        assert_eq!(user_for(&expert, officer.clone()), officer);
    }
}
