//! The GitHub App's own endpoints, which take the App's JWT: the installation, installation
//! tokens, and the webhook deliveries and their redelivery; and the manifest flow's conversion,
//! which takes nothing but the code.

use serde_json::{Value, json};

use super::{Answer, AppAuth, INSTALLATION_TOKEN, State, answer, message};

/// `POST app-manifests/{code}/conversions`: the App the code stands for, once (201), then 404.
pub(super) fn conversion(state: &mut State, code: &str) -> Answer {
    match state.manifest_codes.remove(code) {
        Some(app) => answer(201, app),
        None => message(404, "Not Found"),
    }
}

/// `app/...` and `repos/{repo}/installation`, after checking that `auth` carries a JWT.
pub(super) fn route(app: &mut AppAuth, home: &str, method: &str, path: &str, segments: &[&str], auth: &str) -> Answer {
    let jwt = auth.strip_prefix("Bearer ").unwrap_or_default();
    if jwt.split('.').count() != 3 {
        return message(401, "A JSON web token could not be decoded");
    }
    app.last_jwt = Some(jwt.to_string());
    if method == "POST" && segments.len() == 4 && segments[3] == "access_tokens" {
        let known = |id: &u64| segments[2] == id.to_string();
        if !known(&app.installation_id) && !app.accounts.values().any(known) {
            return message(404, "Not Found");
        }
        app.tokens_issued += 1;
        let expires = chrono_like_in_an_hour();
        return answer(201, json!({ "token": INSTALLATION_TOKEN, "expires_at": expires }));
    }
    if method == "GET" && path == "/app/hook/deliveries" {
        return answer(200, Value::from(app.hook_deliveries.clone()));
    }
    if method == "POST" && segments.len() == 5 && segments[1] == "hook" && segments[4] == "attempts" {
        return match segments[3].parse() {
            Ok(id) => {
                app.redelivered.push(id);
                answer(202, json!({}))
            }
            Err(_) => message(404, "Not Found"),
        };
    }
    // Another account's repository: the App's installation there, if it has one.
    if let ["repos", owner, _, "installation"] = segments
        && !owner.eq_ignore_ascii_case(home)
        && !app.accounts.is_empty()
    {
        return match app.accounts.get(*owner) {
            Some(id) => answer(200, json!({ "id": id, "app_id": app.app_id })),
            None => message(404, "Not Found"),
        };
    }
    if segments.len() == 3 && segments[0] == "orgs" && app.org.as_deref() != Some(segments[1]) {
        return message(404, "Not Found");
    }
    answer(
        200,
        json!({ "id": app.installation_id, "app_id": app.app_id, "permissions": app.permissions, "events": app.events }),
    )
}

fn chrono_like_in_an_hour() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
