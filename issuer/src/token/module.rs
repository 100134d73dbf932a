//! One PKCS#11 context per module file per process.
//!
//! A PKCS#11 module keeps its state per process: `C_Initialize` may be called once, and a
//! second caller gets `CKR_CRYPTOKI_ALREADY_INITIALIZED`. So the contexts are kept here, keyed
//! by the module's path, and shared by every token opened through it. A module is never
//! finalized by this code (a service keeps its tokens for its life).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

static MODULES: Mutex<Vec<(PathBuf, Pkcs11)>> = Mutex::new(Vec::new());

/// The initialised context of the module at `path`, loading it the first time.
pub(super) fn context(path: &Path) -> Result<Pkcs11, CkError> {
    let mut modules = MODULES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, ctx)) = modules.iter().find(|(p, _)| p == path) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(path)?;
    reinitialize(&ctx)?;
    modules.push((path.to_path_buf(), ctx.clone()));
    Ok(ctx)
}

/// `C_Initialize` (OS locking: the sessions are used from several threads, one at a time);
/// already initialised is fine.
pub(super) fn reinitialize(ctx: &Pkcs11) -> Result<(), CkError> {
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(e),
    }
}
