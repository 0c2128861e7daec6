//! Sessions.

pub struct Session {
    user_id: u64,
    expires_at: u64,
}

impl Session {
    // Checks the expiry.
    pub fn is_valid(&self, now: u64) -> bool {
        now < self.expires_at
    }
}
