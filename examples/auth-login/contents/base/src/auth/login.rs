//! Password login.

use crate::auth::session::Session;
use crate::store::Users;

pub struct Login<'a> {
    users: &'a Users,
}

impl<'a> Login<'a> {
    pub fn new(users: &'a Users) -> Self {
        Login { users }
    }

    /// Checks a password and opens a session.
    pub fn attempt(&self, name: &str, password: &str) -> Option<Session> {
        let user = self.users.find(name)?;
        if user.password_matches(password) {
            Some(Session::open(&user))
        } else {
            None
        }
    }
}
