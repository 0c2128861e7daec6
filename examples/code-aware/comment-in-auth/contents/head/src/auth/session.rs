//! Sessions.

pub struct Session {
    user_id: u64,
    expires_at: u64,
}

impl Session {
    // A session is valid until its expiry time; the clock is the caller's.
    pub fn is_valid(&self, now: u64) -> bool {
        now < self.expires_at
    }
}
