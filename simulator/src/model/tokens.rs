//! Tokens: issuing, authenticating, revoking and expiring them.

use super::*;

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
        let token = crate::uaa::make_jwt(&crate::uaa::Grant {
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
