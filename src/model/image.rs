//! Container image references as Kubernetes and Kargo write them: `repository[:tag][@digest]`,
//! where the repository may carry a registry with a port (`registry:5000/team/web:1.4.2`).

/// The parts of an image reference (each empty when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImageRef<'a> {
    pub repository: &'a str,
    pub tag: &'a str,
    pub digest: &'a str,
}

impl<'a> ImageRef<'a> {
    /// Splits `image`: the digest after `@`, the tag after the last `:` that is not a registry's
    /// port (a port is followed by a `/`).
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let (name, digest) = image.split_once('@').unwrap_or((image, ""));
        let (repository, tag) = match name.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => (repository, tag),
            _ => (name, ""),
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }

    /// The keys an index files this image under: `repository@digest` and `repository:tag`,
    /// those it has.
    pub fn keys(&self) -> impl Iterator<Item = String> + '_ {
        let digest =
            (!self.digest.is_empty()).then(|| format!("{}@{}", self.repository, self.digest));
        let tag = (!self.tag.is_empty()).then(|| format!("{}:{}", self.repository, self.tag));
        digest.into_iter().chain(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_digests_and_registry_ports() {
        let parse = |image| {
            let r = ImageRef::parse(image);
            (r.repository, r.tag, r.digest)
        };
        assert_eq!(parse("web:1.4.2"), ("web", "1.4.2", ""));
        assert_eq!(
            parse("registry:5000/team/web:1.4.2"),
            ("registry:5000/team/web", "1.4.2", "")
        );
        assert_eq!(
            parse("registry:5000/team/web"),
            ("registry:5000/team/web", "", "")
        );
        assert_eq!(
            parse("ghcr.io/acme/web@sha256:abc"),
            ("ghcr.io/acme/web", "", "sha256:abc")
        );
        assert_eq!(
            parse("ghcr.io/acme/web:1.4.2@sha256:abc"),
            ("ghcr.io/acme/web", "1.4.2", "sha256:abc")
        );
        assert_eq!(parse(""), ("", "", ""));
        let keys: Vec<String> = ImageRef::parse("r/web:1@sha256:d").keys().collect();
        assert_eq!(keys, ["r/web@sha256:d", "r/web:1"]);
    }
}
