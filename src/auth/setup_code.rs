//! The one-time setup code's life outside memory: written at start-up (while no admin
//! exists) to a file only the service user can read, and retired once the first admin
//! exists (by `POST /api/setup` or `deskbell add-admin`). The code itself is made by
//! [`super::new_setup_code`]; this file owns its name on disk.

use std::path::Path;

use super::AuthError;
use super::token::new_setup_code;
use crate::config::Config;
use crate::store::Store;

/// File in the data directory holding the one-time setup code until it is used.
pub const SETUP_CODE_FILE: &str = "setup-code.txt";

/// While no admin exists: a fresh one-time code, logged and written to
/// [`SETUP_CODE_FILE`] for the console's setup page. With an admin: None, and the file
/// (if an older run left one) is removed.
pub fn prepare(store: &Store, config: &Config) -> Result<Option<String>, AuthError> {
    let path = config.data_dir.join(SETUP_CODE_FILE);
    if store.has_admin()? {
        let _ = std::fs::remove_file(&path);
        return Ok(None);
    }
    let code = new_setup_code()?;
    write_private(&path, &format!("{code}\n")).map_err(|source| AuthError::SetupCodeFile {
        path: path.display().to_string(),
        source,
    })?;
    tracing::info!(
        setup_code = %code,
        file = %path.display(),
        "no admin yet: open the console and enter this one-time setup code"
    );
    Ok(Some(code))
}

/// Removes the setup-code file once the first admin exists (a missing file is fine).
pub fn retire(data_dir: &Path) {
    let _ = std::fs::remove_file(data_dir.join(SETUP_CODE_FILE));
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}
