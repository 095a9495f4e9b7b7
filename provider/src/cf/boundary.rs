//! The trust boundary: where credentials (password, client secret, tokens) may go.
//! Only to the origins of the configured API and of the UAA and policy-server links
//! its discovery document names; only over https, except when the API itself is
//! plain http on a loopback address and so is every link. Never through a redirect
//! (the transport follows none), never to a pagination link on another origin, and
//! no URL with a user name or password in it is accepted or printed. The transport
//! asks `Boundary::allows` before every request that carries a credential. Knows
//! nothing of Terraform.

use std::net::IpAddr;

use reqwest::Url;

use super::error::{Error, Result};

/// Scheme, host and port: what a credential is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an absolute http(s) URL.
    pub fn of(url: &str) -> Option<Origin> {
        let u = Url::parse(url).ok()?;
        Some(Origin {
            scheme: u.scheme().to_string(),
            host: u.host_str()?.to_ascii_lowercase(),
            port: u.port_or_known_default()?,
        })
    }

    fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// True for `localhost` and loopback addresses (`127.0.0.0/8`, `[::1]`).
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// True when `url` holds a user name or password (`user:password@host`). Any `@`
/// before the path counts, whatever a URL parser would make of the rest: parsers
/// disagree on such URLs, and that disagreement is the attack.
pub fn has_userinfo(url: &str) -> bool {
    url.split_once("://").is_some_and(|(_, rest)| {
        rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].contains('@')
    })
}

/// `url` fit to print: a user name or password in it becomes `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Why an API URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadApiUrl {
    /// Plain http to a host that is not this machine (the rest is malformed).
    pub insecure: bool,
    /// What is wrong and what to write instead; never repeats a user name or
    /// password.
    pub message: String,
}

/// Checks an API URL: a scheme, a host, no user name or password, and https unless
/// the host is a loopback address. Returns it without a trailing slash.
pub fn check_api_url(url: &str) -> std::result::Result<String, BadApiUrl> {
    let url = url.trim();
    let bad = |message: String| BadApiUrl {
        insecure: false,
        message,
    };
    if has_userinfo(url) {
        return Err(bad(format!(
            "\"{}\" holds a user name or password before '@'. Credentials never go in the URL: set `user` and \
             `password` (CF_USER / CF_PASSWORD), and write the API's address alone, such as \
             \"https://api.fr.cloud.gov\".",
            redact(url)
        )));
    }
    let Some((scheme, _)) = url.split_once("://") else {
        return Err(bad(format!(
            "\"{url}\" has no scheme. Write the full URL, for example \"https://{}\".",
            url.trim_start_matches('/')
        )));
    };
    let host = Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .filter(|h| !h.is_empty());
    match (scheme, host) {
        ("https", Some(_)) => Ok(url.trim_end_matches('/').to_string()),
        ("http", Some(h)) if is_loopback_host(&h) => Ok(url.trim_end_matches('/').to_string()),
        ("http", Some(_)) => Err(BadApiUrl {
            insecure: true,
            message: format!(
                "\"{url}\" uses plain http, which is accepted only for loopback addresses. Use https."
            ),
        }),
        _ => Err(bad(format!(
            "\"{url}\" is not an https URL with a host, such as \"https://api.fr.cloud.gov\"."
        ))),
    }
}

/// The origins that may receive credentials.
#[derive(Debug, Clone)]
pub struct Boundary {
    api: Origin,
    origins: Vec<Origin>,
}

impl Boundary {
    /// The API's own origin; `api` has passed `check_api_url`.
    pub fn new(api: &str) -> Result<Boundary> {
        let origin = Origin::of(api).ok_or_else(|| {
            Error::Config(format!("\"{}\" is not a URL with a host", redact(api)))
        })?;
        Ok(Boundary {
            api: origin.clone(),
            origins: vec![origin],
        })
    }

    /// Admits a link of the discovery document (`GET /`), named `name` (such as
    /// `links.uaa`), describing it as `what` in messages; returns it without a
    /// trailing slash. Refused: anything but an absolute http(s) URL, a user name or
    /// password in it, plain http when the API is https or the link is not loopback,
    /// and a loopback link when the API is not loopback (it would hand this
    /// machine's other servers the credentials).
    pub fn admit(&mut self, name: &str, what: &str, href: &str) -> Result<String> {
        let refuse = |why: &str| {
            Error::Untrusted(format!(
                "the platform's discovery document (GET {}/) names {what} ({name}) at \"{}\", {why}. The provider \
                 sends credentials only over https to the foundation's own servers, so nothing was sent. Check \
                 api_url: it must be the foundation's API, such as https://api.fr.cloud.gov, reached without a \
                 proxy that rewrites answers",
                self.api,
                redact(href)
            ))
        };
        if has_userinfo(href) {
            return Err(refuse("which holds a user name or password"));
        }
        let origin =
            Origin::of(href).ok_or_else(|| refuse("which is not an absolute URL with a host"))?;
        match origin.scheme.as_str() {
            "https" => {}
            "http" if self.api.scheme == "http" && origin.is_loopback() => {}
            "http" => return Err(refuse("plain http, a downgrade from the API's https")),
            _ => return Err(refuse("which is not an https URL")),
        }
        if origin.is_loopback() && !self.api.is_loopback() {
            return Err(refuse("an address of this machine, while the API is not"));
        }
        if !self.origins.contains(&origin) {
            self.origins.push(origin);
        }
        Ok(href.trim_end_matches('/').to_string())
    }

    /// True when a credential may be sent to `url`.
    pub fn allows(&self, url: &str) -> bool {
        !has_userinfo(url) && Origin::of(url).is_some_and(|o| self.origins.contains(&o))
    }
}

/// The next page of a listing: `href` resolved against the page that named it,
/// refused unless it stays on that page's origin (the request carries a token).
pub fn next_page(current: &str, href: &str) -> Result<String> {
    let next = Url::parse(current)
        .and_then(|base| base.join(href))
        .map_err(|_| Error::Untrusted(format!(
            "the listing {} names its next page as \"{}\", which is not a URL; the listing was stopped",
            redact(current),
            redact(href)
        )))?;
    if has_userinfo(href) || Origin::of(next.as_str()) != Origin::of(current) {
        return Err(Error::Untrusted(format!(
            "the listing {} names its next page at \"{}\", on another server. A page's token goes only to the \
             server that answered the first page, so the listing was stopped and nothing was sent there",
            redact(current),
            redact(href)
        )));
    }
    Ok(next.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_found_whatever_the_parser_thinks() {
        for url in [
            "http://[::1]@evil.example:8080",
            "https://u:hunter2@api.example.org",
            "https://api.example.org@evil.example/",
            "http://localhost@127.0.0.2:1",
        ] {
            assert!(has_userinfo(url), "{url}");
            assert!(!redact(url).contains("hunter2"), "{url}");
            assert!(check_api_url(url).is_err(), "{url}");
        }
        assert_eq!(
            redact("https://u:hunter2@api.example.org/v3?x=@"),
            "https://***@api.example.org/v3?x=@"
        );
        assert!(!has_userinfo("https://api.example.org/v3?user=a@b"));
    }

    #[test]
    fn api_urls_are_https_or_loopback_http() {
        assert_eq!(
            check_api_url("https://api.fr.cloud.gov/").as_deref(),
            Ok("https://api.fr.cloud.gov")
        );
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:99",
        ] {
            assert!(check_api_url(ok).is_ok(), "{ok}");
        }
        let e = check_api_url("http://api.example.org").unwrap_err();
        assert!(e.insecure, "{e:?}");
        let e = check_api_url("https://u:hunter2@api.example.org").unwrap_err();
        assert!(
            !e.message.contains("hunter2") && e.message.contains("***@"),
            "{e:?}"
        );
        assert!(check_api_url("ftp://api.example.org").is_err());
        assert!(check_api_url("api.example.org").is_err());
    }

    #[test]
    fn discovery_links_stay_on_https_and_off_this_machine() {
        let mut b = Boundary::new("https://api.example.org").unwrap();
        assert_eq!(
            b.admit("links.uaa", "the UAA server", "https://uaa.example.org/")
                .unwrap(),
            "https://uaa.example.org"
        );
        assert!(b.allows("https://uaa.example.org/oauth/token"));
        assert!(b.allows("https://API.example.org:443/v3/apps"));
        assert!(!b.allows("https://evil.example/oauth/token"));
        assert!(!b.allows("http://api.example.org/v3/apps"));
        for bad in [
            "http://uaa.example.org",
            "https://u:p@uaa.example.org",
            "https://127.0.0.1:9",
            "ftp://uaa.example.org",
            "/oauth",
        ] {
            let e = b.admit("links.uaa", "the UAA server", bad).unwrap_err();
            assert!(matches!(e, Error::Untrusted(_)), "{bad}: {e:?}");
            assert!(e.to_string().contains("links.uaa"), "{e}");
            assert!(!e.to_string().contains("u:p@"), "{e}");
        }
        // An https API on this machine must not hand out an http link either.
        let mut local = Boundary::new("https://localhost:8443").unwrap();
        assert!(
            local
                .admit("links.uaa", "UAA", "http://127.0.0.1:9")
                .is_err()
        );
        let mut plain = Boundary::new("http://127.0.0.1:8080").unwrap();
        assert!(
            plain
                .admit("links.uaa", "UAA", "http://localhost:9")
                .is_ok()
        );
        assert!(
            plain
                .admit("links.uaa", "UAA", "http://uaa.example.org")
                .is_err()
        );
    }

    #[test]
    fn pages_stay_on_their_origin() {
        let cur = "https://api.example.org/v3/apps?per_page=1000";
        assert_eq!(
            next_page(cur, "https://api.example.org/v3/apps?page=2").unwrap(),
            "https://api.example.org/v3/apps?page=2"
        );
        assert_eq!(
            next_page(cur, "/v3/apps?page=2").unwrap(),
            "https://api.example.org/v3/apps?page=2"
        );
        for bad in [
            "https://evil.example/v3/apps?page=2",
            "http://api.example.org/v3/apps?page=2",
            "https://api.example.org:8443/v3/apps",
            "https://x@api.example.org/v3/apps",
        ] {
            assert!(
                matches!(next_page(cur, bad), Err(Error::Untrusted(_))),
                "{bad}"
            );
        }
    }
}
