//! The score of an eligible candidate: expertise raises it, current load and recent reviews
//! lower it, each weighted by the policy. Every part is kept so the choice can be explained.

use serde::Serialize;

use super::filters::Context;
use super::input::PeopleFacts;
use super::policy::Pool;
use crate::model::Login;
use crate::model::Principal;

/// Recent touches count with diminishing returns: the third touch matters less than the first.
const TOUCHES_HALF: f64 = 3.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub total: f64,
    /// 0 to 1: half the share of changed paths owned in CODEOWNERS, half recent work on them.
    pub expertise: f64,
    /// Effort-weighted open requests over the pool's capacity.
    pub load: f64,
    /// Reviews given in the fairness window beyond the fewest any pool member gave, over the
    /// pool's capacity: each review more than the least-asked person weighs like an open request.
    pub fairness: f64,
    /// How many changed paths the candidate owns in CODEOWNERS.
    pub owned_paths: u32,
    /// The owned paths' common directory (`src/auth/`) or the one owned path, for explanations.
    pub owned_area: Option<String>,
    pub recent_touches: u32,
    pub open_requests: u32,
    pub capacity: u32,
    pub reviews_given: u32,
}

/// The members of `team` as the caller knows them; team names compare case-insensitively.
pub fn team_members<'a>(people: &'a PeopleFacts, team: &str) -> Option<&'a [Login]> {
    people
        .teams
        .get(team)
        .or_else(|| people.teams.iter().find(|(name, _)| name.eq_ignore_ascii_case(team)).map(|(_, m)| m))
        .map(Vec::as_slice)
}

fn owns(people: &PeopleFacts, owners: &[Principal], login: &Login) -> bool {
    owners.iter().any(|owner| match owner.team() {
        Some(team) => team_members(people, team).is_some_and(|m| m.contains(login)),
        None => Login::new(owner.0.as_str()) == *login,
    })
}

/// Scores `login` as a member of `pool`; `fewest_given` is the fewest reviews any member of the
/// PR's pools gave in the fairness window. Fairness is counted in the same unit as load (a share
/// of capacity), so that a gap of a few reviews outweighs a small edge in expertise, and an even
/// load is not left to the tie-break; a count relative to the busiest person would shrink every
/// gap as the counts grow.
pub fn score(login: &Login, pool: &Pool, ctx: &Context, fewest_given: u32) -> Score {
    let people = ctx.people;
    let mut owned: Vec<&str> = ctx
        .pr
        .paths
        .iter()
        .filter(|path| people.codeowners.get(path.as_str()).is_some_and(|owners| owns(people, owners, login)))
        .map(String::as_str)
        .collect();
    owned.sort_unstable();
    owned.dedup();
    let paths = ctx.pr.paths.len().max(1) as f64;
    let touches = people.expertise.get(login).copied().unwrap_or(0);
    let touched = f64::from(touches) / (f64::from(touches) + TOUCHES_HALF);
    let expertise = (owned.len() as f64 / paths).min(1.0) / 2.0 + touched / 2.0;

    let open = people.load.get(login).copied().unwrap_or_default();
    let load = open.effort.max(0.0) / f64::from(pool.capacity.max(1));
    let given = people.reviews_given.get(login).copied().unwrap_or(0);
    let fairness = f64::from(given.saturating_sub(fewest_given)) / f64::from(pool.capacity.max(1));

    let w = ctx.policy.weights;
    let total = w.expertise * expertise - w.load * load - w.fairness * fairness;
    Score {
        total,
        expertise,
        load,
        fairness,
        owned_paths: owned.len() as u32,
        owned_area: common_area(&owned),
        recent_touches: touches,
        open_requests: open.requests,
        capacity: pool.capacity,
        reviews_given: given,
    }
}

/// `src/auth/` for `src/auth/a.rs` and `src/auth/b/c.rs`; the path itself for one path.
fn common_area(paths: &[&str]) -> Option<String> {
    match paths {
        [] => None,
        [one] => Some(one.to_string()),
        [first, rest @ ..] => {
            let mut common: Vec<&str> = first.split('/').collect();
            common.pop();
            for path in rest {
                let dirs: Vec<&str> = path.split('/').collect();
                let dirs = &dirs[..dirs.len().saturating_sub(1)];
                let same = common.iter().zip(dirs).take_while(|(a, b)| a == b).count();
                common.truncate(same);
            }
            (!common.is_empty()).then(|| format!("{}/", common.join("/")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::common_area;

    #[test]
    fn common_area_is_the_shared_directory() {
        assert_eq!(common_area(&["src/auth/a.rs", "src/auth/b/c.rs"]).as_deref(), Some("src/auth/"));
        assert_eq!(common_area(&["src/auth/a.rs"]).as_deref(), Some("src/auth/a.rs"));
        assert_eq!(common_area(&["a.rs", "src/b.rs"]), None);
        assert_eq!(common_area(&[]), None);
    }
}
