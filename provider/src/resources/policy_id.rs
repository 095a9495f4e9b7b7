//! A policy's port range (`"8080"`, `"8080-8090"`, printed canonically) and its
//! importable id (`SOURCE:DESTINATION:PROTOCOL:START-END`), shared by the resource,
//! the data source and the list resource. Pure: no platform, no Terraform.

/// The port the platform terminates TLS on.
pub(crate) const TLS_PORT: u16 = 61443;

/// A port range parsed from `"8080"` or `"8080-8090"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port.
    pub end: u16,
}

impl PortRange {
    /// Parses the `port` argument, with a message fit for a diagnostic on failure.
    pub(crate) fn parse(text: &str) -> Result<PortRange, String> {
        let one = |s: &str| -> Result<u16, String> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "\"{text}\" is not a port or port range: write \"8080\" or \"8080-8090\"."
                ));
            }
            match s.parse::<u32>().ok().and_then(|p| u16::try_from(p).ok()) {
                Some(p) if p >= 1 => Ok(p),
                _ => Err(format!("Port {s} is out of range: ports are 1 to 65535.")),
            }
        };
        let (start, end) = match text.split_once('-') {
            Some((a, b)) => (one(a)?, one(b)?),
            None => {
                let p = one(text)?;
                (p, p)
            }
        };
        if start > end {
            return Err(format!(
                "The range \"{text}\" starts after it ends: write the lower port first."
            ));
        }
        Ok(PortRange { start, end })
    }

    /// The canonical text: `"8080"` for one port, `"8080-8090"` for a range.
    pub(crate) fn canonical(self) -> String {
        if self.start == self.end {
            self.start.to_string()
        } else {
            format!("{}-{}", self.start, self.end)
        }
    }

    /// True when the range covers the platform's TLS port.
    pub(crate) fn covers_tls(self) -> bool {
        (self.start..=self.end).contains(&TLS_PORT)
    }
}

/// The importable id: `SOURCE:DESTINATION:PROTOCOL:START-END`.
pub(crate) fn policy_id(
    source: &str,
    destination: &str,
    protocol: &str,
    range: PortRange,
) -> String {
    format!(
        "{source}:{destination}:{protocol}:{}-{}",
        range.start, range.end
    )
}

/// Parses an import id (`SOURCE:DESTINATION:PROTOCOL:START-END`, or a single `PORT`).
pub(crate) fn parse_id(id: &str) -> Result<(String, String, String, PortRange), String> {
    let parts: Vec<&str> = id.split(':').collect();
    let [source, destination, protocol, port] = parts.as_slice() else {
        return Err(format!(
            "\"{id}\" is not a policy id. Write SOURCE_APP_GUID:DESTINATION_APP_GUID:PROTOCOL:PORT, for example \
             <source-guid>:<destination-guid>:tcp:61443 or ...:tcp:8080-8090."
        ));
    };
    if source.is_empty() || destination.is_empty() {
        return Err(format!("\"{id}\" names no source or destination app."));
    }
    if *protocol != "tcp" && *protocol != "udp" {
        return Err(format!(
            "\"{id}\": the protocol must be tcp or udp, not \"{protocol}\"."
        ));
    }
    Ok((
        source.to_string(),
        destination.to_string(),
        protocol.to_string(),
        PortRange::parse(port)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Any text at all: a port, an error, never a panic.
        #[test]
        fn port_parsing_never_panics(text in "\\PC{0,24}") {
            let _ = PortRange::parse(&text);
        }

        #[test]
        fn port_ranges_round_trip(a in 1u16..=65535, b in 1u16..=65535) {
            let (start, end) = (a.min(b), a.max(b));
            let r = PortRange::parse(&format!("{start}-{end}")).unwrap();
            prop_assert_eq!(r, PortRange { start, end });
            prop_assert_eq!(PortRange::parse(&r.canonical()).unwrap(), r);
            let backwards = format!("{end}-{start}");
            prop_assert!(PortRange::parse(&backwards).is_err() || start == end);
        }

        #[test]
        fn id_parsing_never_panics(text in "\\PC{0,80}") {
            let _ = parse_id(&text);
        }

        #[test]
        fn ids_round_trip(
            src in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            dst in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            udp in any::<bool>(),
            a in 1u16..=65535,
            b in 1u16..=65535,
        ) {
            let protocol = if udp { "udp" } else { "tcp" };
            let range = PortRange { start: a.min(b), end: a.max(b) };
            let id = policy_id(&src, &dst, protocol, range);
            prop_assert_eq!(parse_id(&id).unwrap(), (src, dst, protocol.to_string(), range));
        }

        #[test]
        fn guid_checks_never_panic(text in "\\PC{0,40}") {
            let _ = crate::checks::is_guid(&text);
            let _ = crate::checks::guid(
                &crate::framework::Value::from(text.as_str()),
                "app_id",
                "app",
                "",
                crate::framework::AttributePath::root("app_id"),
            );
        }
    }

    #[test]
    fn ports_parse_and_print_canonically() {
        assert_eq!(
            PortRange::parse("8080").unwrap(),
            PortRange {
                start: 8080,
                end: 8080
            }
        );
        assert_eq!(PortRange::parse("8080-8080").unwrap().canonical(), "8080");
        assert_eq!(
            PortRange::parse("8080-8090").unwrap().canonical(),
            "8080-8090"
        );
        assert!(PortRange::parse("61000-62000").unwrap().covers_tls());
        assert!(!PortRange::parse("8080").unwrap().covers_tls());
        assert_eq!(
            PortRange::parse("0").unwrap_err(),
            "Port 0 is out of range: ports are 1 to 65535."
        );
        assert_eq!(
            PortRange::parse("70000").unwrap_err(),
            "Port 70000 is out of range: ports are 1 to 65535."
        );
        assert_eq!(
            PortRange::parse("90-80").unwrap_err(),
            "The range \"90-80\" starts after it ends: write the lower port first."
        );
        for bad in ["", "http", "80-", "-80", "8080,8081", "80-90-100", " 80"] {
            assert!(PortRange::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn import_ids_accept_a_range_or_one_port() {
        let (s, d, p, r) = parse_id("a:b:tcp:61443").unwrap();
        assert_eq!(
            (s.as_str(), d.as_str(), p.as_str(), r),
            (
                "a",
                "b",
                "tcp",
                PortRange {
                    start: 61443,
                    end: 61443
                }
            )
        );
        assert_eq!(
            policy_id("a", "b", "udp", PortRange::parse("53").unwrap()),
            "a:b:udp:53-53"
        );
        assert!(parse_id("a:b:icmp:1").is_err());
        assert!(parse_id("a:b:tcp").is_err());
    }
}
