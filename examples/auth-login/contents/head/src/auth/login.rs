//! Password login.

use crate::auth::rate_limit::RateLimiter;
use crate::auth::session::Session;
use crate::store::Users;

pub struct Login<'a> {
    users: &'a Users,
    limiter: RateLimiter,
}

impl<'a> Login<'a> {
    pub fn new(users: &'a Users) -> Self {
        Login { users, limiter: RateLimiter::new(5, 15 * 60) }
    }

    /// Checks a password and opens a session; five failures lock the account for 15 minutes.
    pub fn attempt(&mut self, name: &str, password: &str) -> Option<Session> {
        if self.limiter.is_locked(name) {
            return None;
        }
        let user = self.users.find(name)?;
        if user.password_matches(password) {
            self.limiter.reset(name);
            Some(Session::open(&user))
        } else {
            self.limiter.record_failure(name);
            None
        }
    }
}
