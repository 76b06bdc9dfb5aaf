//! Credentials for fetch and push, as git would find them: ssh-agent for SSH remotes, a token
//! from `FLIGHTDECK_GIT_TOKEN`, else git's credential helper. Nothing here is logged or shown,
//! and URLs in messages lose any user:password they carry.

use git2::{Cred, CredentialType, RemoteCallbacks};

/// How many times libgit2 may ask before giving up (it asks again after a refusal).
const ATTEMPTS: usize = 3;

/// Callbacks that answer credential requests.
pub fn callbacks<'a>() -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    let mut attempts = 0;
    callbacks.credentials(move |url, username, allowed| {
        attempts += 1;
        if attempts > ATTEMPTS {
            return Err(git2::Error::from_str(
                "authentication failed (ssh-agent, FLIGHTDECK_GIT_TOKEN and the credential helper were tried)",
            ));
        }
        if allowed.contains(CredentialType::SSH_KEY)
            && let Some(user) = username
        {
            return Cred::ssh_key_from_agent(user);
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Ok(token) = std::env::var("FLIGHTDECK_GIT_TOKEN")
                && !token.is_empty()
            {
                return Cred::userpass_plaintext(username.unwrap_or("x-access-token"), &token);
            }
            if let Ok(config) = git2::Config::open_default() {
                return Cred::credential_helper(&config, url, username);
            }
        }
        Cred::default()
    });
    callbacks
}

/// `text` with `user:password@` removed from any URL in it.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || c == '/' || c == '\'' || c == '"')
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***@");
                out.push_str(&authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_messages() {
        assert_eq!(
            redact("cannot push to https://jane:s3cret@git.example.com/org/repo.git: 403"),
            "cannot push to https://***@git.example.com/org/repo.git: 403"
        );
        assert_eq!(redact("git://127.0.0.1:9418/x"), "git://127.0.0.1:9418/x");
        assert_eq!(redact("no url here"), "no url here");
    }
}
