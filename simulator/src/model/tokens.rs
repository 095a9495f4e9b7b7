//! Tokens: their format (JWT-shaped, with UAA's claims), issuing, authenticating,
//! revoking and expiring them.

use base64::Engine;
use serde_json::json;

use super::*;

/// The scopes every token carries.
pub(crate) const SCOPES: [&str; 6] = [
    "cloud_controller.read",
    "cloud_controller.write",
    "openid",
    "uaa.user",
    "network.write",
    "password.write",
];

/// A user's GUID in UAA: stable for a name.
pub(crate) fn user_guid(name: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("uaa-user:{name}").as_bytes(),
    )
    .to_string()
}

/// What a token is issued for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grant<'a> {
    /// Who.
    pub subject: &'a Subject,
    /// The user's identity provider (`uaa`); ignored for clients.
    pub origin: &'a str,
    /// `password`, `client_credentials` or `refresh_token`.
    pub grant_type: &'a str,
    /// Issued at (Unix seconds).
    pub iat: f64,
    /// Expires at (Unix seconds).
    pub exp: f64,
    /// The issuer URL (`{base}/oauth/token`).
    pub issuer: &'a str,
}

/// A JWT-shaped token with the claims UAA puts in its tokens: user tokens carry
/// `user_id`, `user_name`, `origin`, `email` and `sub` (the user's GUID); client
/// tokens carry none of the user claims, and `sub` is the client id. The signature is
/// random: nothing checks it.
pub(crate) fn make_jwt(grant: &Grant<'_>) -> String {
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "cloudgov-sim"});
    let client_id = match grant.subject {
        Subject::User(_) => "cf",
        Subject::Client(c) => c.as_str(),
    };
    let mut claims = json!({
        "jti": new_guid().replace('-', ""),
        "scope": SCOPES,
        "client_id": client_id,
        "cid": client_id,
        "azp": client_id,
        "grant_type": grant.grant_type,
        "iat": whole_seconds(grant.iat),
        "exp": whole_seconds(grant.exp),
        "iss": grant.issuer,
        "zid": "uaa",
        "aud": ["cloud_controller", "openid", "uaa", "network", "password", client_id],
        "sub": client_id,
        "rev_sig": "cloudgov",
    });
    if let Subject::User(name) = grant.subject {
        let id = user_guid(name);
        claims["user_id"] = json!(id);
        claims["sub"] = json!(id);
        claims["user_name"] = json!(name);
        claims["email"] = json!(if name.contains('@') {
            name.clone()
        } else {
            format!("{name}@cloudgov-sim.invalid")
        });
        claims["origin"] = json!(grant.origin);
        claims["auth_time"] = json!(whole_seconds(grant.iat));
    }
    format!(
        "{}.{}.{}",
        b64(&header),
        b64(&claims),
        new_guid().replace('-', "")
    )
}

impl State {
    /// Issues an access token (and, for users, a refresh token).
    pub fn issue_token(
        &mut self,
        subject: Subject,
        with_refresh: bool,
        grant_type: &str,
        issuer: &str,
    ) -> (String, Option<String>, f64) {
        let ttl = self.settings.token_ttl;
        let origin = match &subject {
            Subject::User(name) => self.users.get(name).map(|u| u.origin.clone()),
            Subject::Client(_) => None,
        }
        .unwrap_or_else(|| "uaa".into());
        let token = make_jwt(&Grant {
            subject: &subject,
            origin: &origin,
            grant_type,
            iat: self.now(),
            exp: self.now() + ttl,
            issuer,
        });
        self.access_tokens.insert(
            token.clone(),
            Token {
                subject: subject.clone(),
                expires_at: self.now() + ttl,
            },
        );
        let refresh = with_refresh.then(|| {
            let r = format!("{}-r", new_guid().replace('-', ""));
            self.refresh_tokens.insert(r.clone(), subject);
            r
        });
        (token, refresh, ttl)
    }

    /// The actor behind an `Authorization` header value.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Actor, TokenProblem> {
        let header = header.ok_or(TokenProblem::Missing)?;
        let token = header
            .strip_prefix("bearer ")
            .or_else(|| header.strip_prefix("Bearer "))
            .ok_or(TokenProblem::Invalid)?
            .trim();
        let info = self.access_tokens.get(token).ok_or(TokenProblem::Invalid)?;
        if info.expires_at <= self.now() {
            return Err(TokenProblem::Invalid);
        }
        self.actor(&info.subject).ok_or(TokenProblem::Invalid)
    }

    /// The actor for a subject, if it still exists.
    pub fn actor(&self, subject: &Subject) -> Option<Actor> {
        let roles = match subject {
            Subject::User(name) => self.users.get(name)?.roles.clone(),
            Subject::Client(id) => self.clients.get(id)?.roles.clone(),
        };
        Some(Actor {
            subject: subject.clone(),
            roles,
        })
    }

    /// Revokes every token (access and refresh) of a subject.
    pub fn revoke(&mut self, subject: &Subject) -> usize {
        let before = self.access_tokens.len() + self.refresh_tokens.len();
        self.access_tokens.retain(|_, t| &t.subject != subject);
        self.refresh_tokens.retain(|_, s| s != subject);
        before - self.access_tokens.len() - self.refresh_tokens.len()
    }

    /// Expires every access token now (refresh tokens stay valid).
    pub fn expire_access_tokens(&mut self) {
        let now = self.now();
        for t in self.access_tokens.values_mut() {
            t.expires_at = now;
        }
    }
}
