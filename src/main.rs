//! The `deskbell` command: flags → config → logging → serve.
fn main() {}
