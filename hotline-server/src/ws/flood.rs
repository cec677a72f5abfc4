//! Flood control for one connection: a token bucket (burst, then a sustained rate per minute).

use std::time::Instant;

/// Frames allowed back to back (`burst`), refilled at `per_minute`.
#[derive(Debug)]
pub struct FloodGate {
    tokens: f64,
    burst: f64,
    per_second: f64,
    last: Instant,
}

impl FloodGate {
    /// A full bucket.
    pub fn new(burst: u32, per_minute: u32) -> FloodGate {
        FloodGate {
            tokens: burst as f64,
            burst: burst as f64,
            per_second: per_minute as f64 / 60.0,
            last: Instant::now(),
        }
    }

    /// Takes one token; false when the connection floods.
    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_and_more_is_refused() {
        let mut gate = FloodGate::new(200, 1000);
        assert!((0..200).all(|_| gate.allow()));
        assert!(!(0..10).all(|_| gate.allow()));
    }
}
