//! Lenient query strings as the API server reads them: empty pairs (`?&limit=500`), a trailing
//! `?`, unknown parameters, percent-encoding and `+` for space; booleans are true unless `0` or
//! `false`.

/// Parsed query parameters, in order (later duplicates win on lookup).
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (decode(key), decode(value)),
                None => (decode(pair), String::new()),
            })
            .collect();
        Query { pairs }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter: present and not `0`/`false`.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|value| !value.eq_ignore_ascii_case("false") && value != "0")
    }

    /// A whole-number parameter; absent or malformed values are `None`.
    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(|value| value.parse().ok())
    }
}

/// Percent-decoding with `+` as space; invalid escapes stay as written.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(index + 1..index + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    index += 3;
                    continue;
                }
                out.push(b'%');
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parsing() {
        let query = Query::parse(Some(
            "&watch=1&fieldSelector=metadata.name%3Dwf-a&labelSelector=a+in+(b)&x&timeout=32s&",
        ));
        assert!(query.flag("watch"));
        assert_eq!(query.get("fieldSelector"), Some("metadata.name=wf-a"));
        assert_eq!(query.get("labelSelector"), Some("a in (b)"));
        assert_eq!(query.get("x"), Some(""));
        assert!(!Query::parse(Some("watch=false")).flag("watch"));
        assert!(!Query::parse(Some("watch=0")).flag("watch"));
        assert!(!Query::parse(None).flag("watch"));
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(Query::parse(Some("limit=500")).number("limit"), Some(500));
    }
}
