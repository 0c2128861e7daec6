//! A check run as flowgate publishes it: the plan `report` fills from a verdict and `github`
//! sends, so that the GitHub client needs nothing from the renderers.

/// GitHub takes at most this many annotations per request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// The check run's name, which branch protection requires.
pub const CHECK_NAME: &str = "flowgate";

/// The conclusion of every run in shadow mode (`enforcement: evaluate`): GitHub shows it grey, and
/// a required check that concluded `neutral` does not block a merge.
pub const NEUTRAL: &str = "neutral";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunReport {
    /// `None` while the run stays in progress (pending); else `success`, `failure` or, in shadow
    /// mode, `neutral`.
    pub conclusion: Option<&'static str>,
    pub title: String,
    pub summary: String,
    pub annotations: Vec<Annotation>,
}

impl CheckRunReport {
    pub fn status(&self) -> &'static str {
        if self.conclusion.is_some() { "completed" } else { "in_progress" }
    }

    /// A fingerprint of the annotations, stored as the run's `external_id`: GitHub appends
    /// annotations on every update, so an update sends them only when they changed.
    pub fn annotations_fingerprint(&self) -> String {
        // FNV-1a: stable across builds, unlike std's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for a in &self.annotations {
            for part in [a.path.as_str(), a.level, &a.title, &a.message, &a.start_line.to_string()] {
                for byte in part.bytes().chain([0]) {
                    hash ^= u64::from(byte);
                    hash = hash.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        format!("flowgate:annotations:{}:{hash:016x}", self.annotations.len())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    /// `notice`, `warning` or `failure`.
    pub level: &'static str,
    pub title: String,
    pub message: String,
}

impl Annotation {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.level,
            "title": self.title,
            "message": self.message,
        })
    }
}

/// Why flowgate could not judge a PR, for the check run that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannotEvaluate {
    /// The policy on the base branch does not load: nothing changes until someone fixes it.
    PolicyBroken,
    /// Reading the PR kept failing, and flowgate has stopped trying.
    GaveUp { attempts: i32 },
    /// Every attempt stopped before finishing, without an error of its own (the process crashed
    /// or was killed, or the evaluation lost its lease), and flowgate has stopped trying.
    Stopped { attempts: i32 },
    /// GitHub refused the App a permission it needs: nothing changes until someone grants it.
    Forbidden,
}
