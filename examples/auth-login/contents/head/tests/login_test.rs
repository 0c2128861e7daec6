use shop::auth::rate_limit::RateLimiter;

#[test]
fn five_failures_lock_the_account() {
    let mut limiter = RateLimiter::new(5, 900);
    for _ in 0..5 {
        limiter.record_failure("carol");
    }
    assert!(limiter.is_locked("carol"));
}
