//! What each role sees of people: trainers get officers pseudonymised (a stable alias per officer), everyone
//! else sees names. Applied to every request and event a trainer reads.

use hotline_protocol::{Event, Request, Role, User};

use crate::access::Caller;
use crate::store::review::officer_alias;

/// The stable alias of an officer as trainers see it: the same keyed alias (HMAC with the server's pseudonym
/// key) as the review routes use, so a trainer meets one name per officer everywhere.
pub fn pseudonym(key: &[u8], user: &User) -> User {
    let alias = officer_alias(key, &user.id);
    User { id: alias.clone(), username: alias.clone(), display_name: alias, role: Role::Officer }
}

/// A person as the caller may see them.
pub fn user_for(caller: &Caller, key: &[u8], user: User) -> User {
    if caller.role() == Role::Trainer && user.role == Role::Officer { pseudonym(key, &user) } else { user }
}

/// A request as the caller may see it.
pub fn request_for(caller: &Caller, key: &[u8], mut request: Request) -> Request {
    if caller.role() == Role::Trainer {
        request.officer = user_for(caller, key, request.officer);
    }
    request
}

/// An event as the caller may see it.
pub fn event_for(caller: &Caller, key: &[u8], mut event: Event) -> Event {
    if caller.role() == Role::Trainer {
        event.author = event.author.map(|author| user_for(caller, key, author));
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trainers_see_a_stable_alias_and_others_the_name() {
        let officer =
            User { id: "u1".into(), username: "olga".into(), display_name: "Olga".into(), role: Role::Officer };
        let trainer = Caller {
            user: User { id: "t".into(), username: "tom".into(), display_name: "Tom".into(), role: Role::Trainer },
        };
        let expert = Caller { user: User { role: Role::Expert, ..trainer.user.clone() } };
        let key = b"server key";
        let alias = user_for(&trainer, key, officer.clone());
        assert!(alias.username.starts_with("officer-"));
        assert_eq!(alias, user_for(&trainer, key, officer.clone()));
        assert_eq!(alias.username, officer_alias(key, &officer.id), "the review routes' alias");
        assert_ne!(alias, user_for(&trainer, b"another server", officer.clone()));
        assert_eq!(user_for(&expert, key, officer.clone()), officer);
    }
}
