//! `field login`: signs in and keeps the server URL and token in `--home` (mode 0600).

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};

use crate::api::{HotlineApi, normalise_server};
use crate::cli::LoginArgs;
use crate::error::ClientError;
use crate::home::FieldHome;
use crate::session::Session;

/// Reads the password, signs in, saves the session.
pub fn run(home: &FieldHome, args: &LoginArgs) -> anyhow::Result<()> {
    let server = normalise_server(&args.server)?;
    let password = read_password(args.password_stdin, &args.username)?;
    let api = HotlineApi::new(&server, None)?;
    let response = match crate::block_on(api.login(&args.username, &password))? {
        Ok(response) => response,
        Err(ClientError::Unauthorised) => bail!("the user name or password is wrong"),
        Err(other) => return Err(other.into()),
    };
    home.ensure().with_context(|| "cannot create the home directory")?;
    let session =
        Session { server: server.clone(), token: response.token, expires_at: response.expires_at, user: response.user };
    session.save(&home.session_file())?;
    println!(
        "signed in to {server} as {} ({}); the session lasts until {}",
        session.user.username, session.user.role, session.expires_at
    );
    Ok(())
}

/// `--password-stdin`: the first line of stdin. Otherwise a prompt without echo on a terminal, a line elsewhere.
fn read_password(from_stdin: bool, username: &str) -> anyhow::Result<String> {
    let password = if !from_stdin && std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("password for {username}: ")).context("cannot read the password")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    if password.is_empty() {
        bail!("no password given");
    }
    Ok(password)
}
