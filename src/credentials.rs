//! The user's credentials and cookies from the command line, checked:
//! `-u USER[:PASS]` (the password asked for on the terminal when it is
//! missing, as curl does), `-b name=value; …`, and the files of `--cert`
//! and `--key`. Messages never quote a password or a cookie's value.

use std::io::IsTerminal;
use std::path::Path;

use crate::engine::auth::Credentials;
use crate::engine::target;
use crate::text::escape;
use crate::usage::UsageError;

/// `-u USER[:PASS]`; asks for a missing password when stdin and stderr are
/// a terminal, and is a usage error otherwise.
pub fn user(arg: Option<&str>) -> Result<Option<Credentials>, UsageError> {
    let Some(raw) = arg else {
        return Ok(None);
    };
    let (user, password) = Credentials::split(raw);
    if user.is_empty() {
        return Err(UsageError::new(
            "-u: the user name is empty; write -u USER:PASS",
        ));
    }
    let password = match password {
        Some(p) => p,
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            rpassword::prompt_password(format!(
                "Enter host password for user '{}': ",
                escape(&user)
            ))
            .map_err(|e| UsageError::new(format!("-u: cannot read the password ({e})")))?
        }
        None => {
            return Err(UsageError::new(format!(
                "-u {}: no password given and no terminal to ask for one; write -u USER:PASS",
                escape(&user)
            )));
        }
    };
    Ok(Some(Credentials { user, password }))
}

/// `-b` values: each `name=value` pairs separated by `;`, printable.
pub fn cookies(args: &[String]) -> Result<Vec<String>, UsageError> {
    for value in args {
        let Some((name, _)) = value.split_once('=') else {
            return Err(UsageError::new(format!(
                "-b `{}`: cookies are written name=value (several joined with `; `); reading \
                 cookies from a file is not supported",
                escape(value)
            )));
        };
        target::check_header_value(&format!("-b {}", escape(name.trim())), value)?;
    }
    Ok(args.to_vec())
}

/// `--cert FILE` / `--key FILE` must name files.
pub fn file(flag: &str, path: Option<&Path>) -> Result<(), UsageError> {
    match path {
        Some(p) if !p.is_file() => Err(UsageError::new(format!(
            "{flag} {}: no such file; give the path of a PEM file",
            escape(&p.display().to_string())
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_cookies_are_checked_without_quoting_secrets() {
        let c = user(Some("me:p:w")).unwrap().unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("me", "p:w"));
        assert!(user(Some(":pw")).is_err());
        assert_eq!(user(None).unwrap(), None);
        assert!(cookies(&["a=1; b=2".into()]).is_ok());
        let e = cookies(&["jar.txt".into()]).unwrap_err().to_string();
        assert!(e.contains("name=value"), "{e}");
        let e = cookies(&["sid=s3cret\n".into()]).unwrap_err().to_string();
        assert!(e.contains("-b sid") && !e.contains("s3cret"), "{e}");
    }
}
