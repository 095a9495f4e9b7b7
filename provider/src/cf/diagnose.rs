//! What a transport failure most likely means, in words that say what to change:
//! the certificate problem behind a TLS failure, and for a platform never reached,
//! whether retrying can help and what to check (naming the proxy when one is in the
//! way). Knows nothing of requests or tokens.

use super::boundary::redact;

/// The rustls error behind a reqwest error, if any.
pub(super) fn rustls_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(r) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(r.to_string());
        }
        cur = e.source();
    }
    None
}

/// The proxy requests to `url` go through, as the transport takes it from the
/// environment (`env` looks a variable up): the variable's name and its value fit to
/// print. None when no proxy is set or `NO_PROXY` exempts the host.
pub(super) fn proxy_for(
    url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Option<(String, String)> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let first = |names: &[&str]| {
        names.iter().find_map(|n| {
            env(n)
                .filter(|v| !v.trim().is_empty())
                .map(|v| ((*n).to_string(), v))
        })
    };
    let exempt = first(&["NO_PROXY", "no_proxy"]).is_some_and(|(_, list)| {
        list.split(',')
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .any(|e| e == "*" || (!e.is_empty() && (host == e || host.ends_with(&format!(".{e}")))))
    });
    if exempt {
        return None;
    }
    let specific: &[&str] = if parsed.scheme() == "https" {
        &["HTTPS_PROXY", "https_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy"]
    };
    first(specific)
        .or_else(|| first(&["ALL_PROXY", "all_proxy"]))
        .map(|(name, value)| (name, redact(value.trim())))
}

/// Whether a transport failure on first contact is final, and what probably went
/// wrong, in words that say what to change. `proxy` is the proxy in the way, if any
/// (`proxy_for`): a refused or unresolvable connection is then most likely its.
pub(super) fn unreachable_hint(
    url: &str,
    reason: &str,
    proxy: Option<&(String, String)>,
) -> (bool, String) {
    let r = reason.to_ascii_lowercase();
    let https = url.starts_with("https://");
    if let Some((name, value)) = proxy
        && (r.contains("connection refused")
            || r.contains("dns error")
            || r.contains("failed to lookup address")
            || r.contains("proxy"))
    {
        return (
            false,
            format!(
                "Every request goes through the proxy {value} ({name}), and it could not be used: check that it \
                 is up and that {name} names it right, or add the API's host to NO_PROXY if it needs no proxy"
            ),
        );
    }
    if r.contains("dns error")
        || r.contains("failed to lookup address")
        || r.contains("name or service not known")
    {
        (
            true,
            "The host name does not resolve: check api_url for a typo (cloud.gov's API is https://api.fr.cloud.gov)"
                .into(),
        )
    } else if r.contains("connection refused") {
        (
            false,
            "Nothing accepts connections there: check the host and port in api_url, and that the platform is up"
                .into(),
        )
    } else if !https && (r.contains("invalid http version") || r.contains("invalid status line")) {
        (
            true,
            "It did not answer plain HTTP: if it serves HTTPS, write https:// in api_url".into(),
        )
    } else if !https
        && (r.contains("connection closed before message completed")
            || r.contains("connection reset"))
    {
        // Also what an HTTPS server does to plain HTTP, but a flaky network too.
        (
            false,
            "The connection was closed without an answer: if the platform serves HTTPS, write https:// in api_url"
                .into(),
        )
    } else if https
        && (r.contains("invalidcontenttype")
            || r.contains("corrupt message")
            || r.contains("wrong version"))
    {
        (
            true,
            "It did not answer TLS: if it serves plain HTTP (a local simulator), write http:// in api_url".into(),
        )
    } else {
        (
            false,
            "Check api_url, and any proxy or firewall between here and the platform".into(),
        )
    }
}

pub(super) fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut cur = std::error::Error::source(err);
    while let Some(e) = cur {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cur = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_in_the_way_is_named() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        let dead = env(&[("HTTPS_PROXY", "http://u:pw@127.0.0.1:1")]);
        let proxy = proxy_for("https://api.fr.cloud.gov/", dead);
        assert_eq!(
            proxy,
            Some((
                "HTTPS_PROXY".to_string(),
                "http://***@127.0.0.1:1".to_string()
            ))
        );
        let (_, hint) = unreachable_hint(
            "https://api.fr.cloud.gov/",
            "tcp connect error: Connection refused",
            proxy.as_ref(),
        );
        assert!(
            hint.contains("proxy http://***@127.0.0.1:1 (HTTPS_PROXY)"),
            "{hint}"
        );
        assert!(!hint.contains("api_url"), "{hint}");
        let exempt = env(&[
            ("https_proxy", "http://p:3128"),
            ("NO_PROXY", "localhost,.cloud.gov"),
        ]);
        assert_eq!(proxy_for("https://api.fr.cloud.gov/", exempt), None);
        let plain = env(&[("HTTP_PROXY", "http://p:3128")]);
        assert_eq!(proxy_for("https://api.fr.cloud.gov/", plain), None);
        assert!(proxy_for("http://127.0.0.1:8080/", plain).is_some());
        let (_, hint) = unreachable_hint("https://x/", "Connection refused", None);
        assert!(hint.contains("api_url"), "{hint}");
    }
}
