//! Account tasks that work directly on a stopped server's data directory.

use std::path::Path;

use crate::auth::{check_new_password, hash_password};
use crate::error::Error;
use crate::store::records::{AgentRole, AgentV4};
use crate::store::{Outcome, WriteOp, writer};
use crate::timer::unix_ms;

/// Creates an admin account in `data_dir` (the server must be stopped: the database
/// file is locked while it runs). Returns the new agent id.
pub fn add_admin_offline(data_dir: &Path, name: &str, password: &str) -> Result<u64, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::Usage("the name must be 1-64 characters".into()));
    }
    check_new_password(password)?;
    let agent = AgentV4::new(
        name.to_string(),
        AgentRole::Admin,
        hash_password(password)?,
        unix_ms(),
    );
    let result = writer::write_offline(
        data_dir,
        WriteOp::CreateAgent {
            agent,
            only_if_no_admin: false,
        },
    );
    match result? {
        Outcome::AgentCreated(id) => {
            crate::auth::setup_code::retire(data_dir);
            Ok(id)
        }
        _ => Err(Error::Usage("unexpected storage answer".into())),
    }
}
