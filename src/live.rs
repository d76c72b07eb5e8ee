//! Live settings: one handle through which a running server reads the current settings
//! snapshot and replaces it (CA rotation, CRLs, users, switches) without dropping connections.

use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::audit::DecisionCounters;
use crate::classify::VerifiedClient;
use crate::error::{AuthError, SettingsError};
use crate::ldap::Directory;
use crate::policy::{
    Authenticator, Decision, Principal, Settings, SettingsBuilder, SettingsWarning,
};

/// The `tracing` target of the events a settings change logs.
pub const SETTINGS_TARGET: &str = "x509_dbauth::settings";

/// An [`Authenticator`] whose settings can be replaced while the server runs.
///
/// Readers take the current snapshot with [`LiveAuthenticator::snapshot`] (a lock-free load)
/// and make each decision under that one snapshot; a change publishes a whole new snapshot
/// at once, so no decision ever sees half of one. Connections verified under an older
/// snapshot keep working: [`Authenticator::authenticate`] verifies such a client's chain
/// again under the current snapshot (its anchors, CRLs and clock), so a CA removed or a CRL
/// added in between refuses it at login.
///
/// Changes are serialized: [`swap`](Self::swap) installs built settings,
/// [`update`](Self::update) edits the current ones, and `reload_file` (feature
/// `settings-files`) reads a settings file. A change that fails (settings that do not build, a
/// file with an error, a directory that cannot be set up) leaves the current snapshot in place
/// and returns the error.
///
/// # The LDAP directory and its cache across a change
///
/// | change | directory | cached LDAP answers |
/// |---|---|---|
/// | `swap`, `update` | kept | kept (the cache is keyed by LDAP DN and query, so a changed mapping or query template asks afresh) |
/// | `reload_file`, file names the same live directory (`ldap://…`, identical connection settings) | kept, with its connections | kept |
/// | `reload_file`, file names another live directory or other connection settings | replaced | emptied (answers from another directory are not served) |
/// | `reload_file`, file names an LDIF snapshot (`ldif:…`) | re-read from the file | emptied |
/// | `reload_file`, file names no directory | the program's own directory (given to [`LiveAuthenticator::new`]) is kept; one from an earlier file is dropped | kept / emptied |
///
/// The per-settings login memo is always rebuilt, and the decision counters always carry on.
///
/// ```
/// use std::sync::Arc;
/// use x509_dbauth::{Authenticator, LiveAuthenticator, Settings, TrustAnchors};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let project = TrustAnchors::from_pem(&std::fs::read("examples/pki/project-root-ca.pem")?)?;
/// let settings = Settings::builder().enable_self_managed(project).build()?;
/// let live = LiveAuthenticator::new(Authenticator::new(Arc::new(settings)));
/// assert_eq!(live.generation(), 0);
///
/// // An admin switches self-managed X.509 off; the next decision sees it.
/// live.update(|s| s.disable_self_managed())?;
/// assert_eq!(live.generation(), 1);
/// assert!(!live.snapshot().settings().self_managed_enabled());
/// # Ok(()) }
/// ```
pub struct LiveAuthenticator {
    current: ArcSwap<Current>,
    /// Serializes changes, and remembers where the directory came from.
    changes: Mutex<Origin>,
}

struct Current {
    generation: u64,
    authenticator: Arc<Authenticator>,
}

/// Where the current directory came from.
struct Origin {
    /// The directory the program attached (kept when a file names none).
    #[cfg_attr(not(feature = "settings-files"), allow(dead_code))]
    program_directory: Option<Arc<dyn Directory>>,
    /// The live directory's settings from the last file that named one.
    #[cfg(feature = "ldap")]
    file_ldap_client: Option<crate::ldap::LdapClientConfig>,
}

impl core::fmt::Debug for LiveAuthenticator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let current = self.current.load();
        f.debug_struct("LiveAuthenticator")
            .field("generation", &current.generation)
            .field("authenticator", &current.authenticator)
            .finish()
    }
}

/// What a change did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Change {
    /// The generation now current (one more than before).
    pub generation: u64,
    /// What happened to the LDAP directory.
    pub directory: DirectoryChange,
    /// The new snapshot's warnings at the time of the change (CAs near expiry, unreachable
    /// users, ...), also logged at `WARN` under [`SETTINGS_TARGET`].
    pub warnings: Vec<SettingsWarning>,
}

/// What a change did to the LDAP directory and its answer cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DirectoryChange {
    /// The directory and its cached answers were kept.
    Kept,
    /// A new directory replaced the old one (or was attached); the cache starts empty.
    Replaced,
    /// The directory from an earlier file was dropped, and no other took its place (or the
    /// program's own came back); the cache starts empty.
    Removed,
}

impl LiveAuthenticator {
    /// A handle whose first snapshot (generation 0) is `authenticator`. Its directory, if
    /// any, is the program's own: a settings file that names no directory keeps it.
    pub fn new(authenticator: Authenticator) -> LiveAuthenticator {
        let origin = Origin {
            program_directory: authenticator.directory().cloned(),
            #[cfg(feature = "ldap")]
            file_ldap_client: None,
        };
        LiveAuthenticator {
            current: ArcSwap::from_pointee(Current {
                generation: 0,
                authenticator: Arc::new(authenticator),
            }),
            changes: Mutex::new(origin),
        }
    }

    /// The current snapshot: make one decision under it. Lock-free.
    pub fn snapshot(&self) -> Arc<Authenticator> {
        Arc::clone(&self.current.load().authenticator)
    }

    /// How many changes have been published (0 for the first snapshot).
    pub fn generation(&self) -> u64 {
        self.current.load().generation
    }

    /// Installs `settings`, keeping the directory, its cache, the clock and the counters.
    pub fn swap(&self, settings: Settings) -> Change {
        let origin = self.lock();
        let next = self.snapshot().with_settings(Arc::new(settings));
        self.publish(&origin, next, DirectoryChange::Kept)
    }

    /// Edits the current settings: `edit` gets a builder holding them, and what it returns is
    /// built and installed as by [`Self::swap`]. Changes are serialized, so two concurrent
    /// edits both apply. Settings that do not build leave the current snapshot in place.
    pub fn update(
        &self,
        edit: impl FnOnce(SettingsBuilder) -> SettingsBuilder,
    ) -> Result<Change, SettingsError> {
        let origin = self.lock();
        let current = self.snapshot();
        let settings = edit(current.settings().to_builder()).build()?;
        let next = current.with_settings(Arc::new(settings));
        Ok(self.publish(&origin, next, DirectoryChange::Kept))
    }

    /// Phase 1 under the current snapshot: see [`Authenticator::verify_client`].
    pub fn verify_client(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<VerifiedClient, AuthError> {
        self.snapshot().verify_client(presented, now)
    }

    /// Phase 2 under the current snapshot: see [`Authenticator::authenticate`]. A client
    /// verified under an older snapshot is verified again under this one first.
    pub async fn authenticate(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
    ) -> Result<Principal, AuthError> {
        self.snapshot().authenticate(client, claimed_user).await
    }

    /// [`Self::authenticate`], naming the client's address in the audit event.
    pub async fn authenticate_from(
        &self,
        client: &VerifiedClient,
        claimed_user: Option<&str>,
        peer: Option<std::net::SocketAddr>,
    ) -> Result<Principal, AuthError> {
        self.snapshot()
            .authenticate_from(client, claimed_user, peer)
            .await
    }

    /// Both phases with their trace, under the current snapshot: see
    /// [`Authenticator::explain`].
    pub async fn explain(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        claimed_user: Option<&str>,
    ) -> Decision {
        self.snapshot().explain(presented, now, claimed_user).await
    }

    /// The decision counters (shared by every snapshot).
    pub fn counters(&self) -> Arc<DecisionCounters> {
        Arc::clone(self.snapshot().counters())
    }

    fn lock(&self) -> MutexGuard<'_, Origin> {
        match self.changes.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Publishes `next` as the new generation (the caller holds the change lock).
    fn publish(&self, _origin: &Origin, next: Authenticator, directory: DirectoryChange) -> Change {
        let generation = self.current.load().generation.saturating_add(1);
        let warnings = next.settings().warnings(UnixTime::now());
        for w in &warnings {
            tracing::warn!(target: SETTINGS_TARGET, generation, code = w.code, "{}", crate::display::Escaped(&w.message));
        }
        self.current.store(Arc::new(Current {
            generation,
            authenticator: Arc::new(next),
        }));
        tracing::info!(
            target: SETTINGS_TARGET,
            generation,
            directory = ?directory,
            warnings = warnings.len(),
            "settings snapshot installed"
        );
        Change {
            generation,
            directory,
            warnings,
        }
    }
}

#[cfg(feature = "settings-files")]
mod file {
    use std::path::Path;
    use std::sync::Arc;

    use super::{Change, DirectoryChange, LiveAuthenticator, Origin};
    use crate::config::{SettingsFile, SettingsFileError};
    use crate::error::LdapConfigError;
    use crate::ldap::Directory;
    use crate::policy::Authenticator;

    /// Why a settings file could not be installed; the current snapshot stays.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum ReloadError {
        /// The file could not be read, or its settings are invalid.
        #[error(transparent)]
        File(#[from] SettingsFileError),
        /// The live directory the file names could not be set up.
        #[error("the LDAP directory of {file} cannot be set up: {source}")]
        Directory {
            /// The settings file.
            file: String,
            /// Why.
            source: LdapConfigError,
        },
    }

    impl ReloadError {
        /// A stable machine-readable name: the file error's kind, or `directory`.
        pub fn kind(&self) -> &'static str {
            match self {
                ReloadError::File(e) => e.kind,
                ReloadError::Directory { .. } => "directory",
            }
        }
    }

    impl LiveAuthenticator {
        /// A handle whose first snapshot comes from the settings file at `path`, with the
        /// directory it names (set up, not yet connected).
        pub fn from_file(path: impl AsRef<Path>) -> Result<LiveAuthenticator, ReloadError> {
            let path = path.as_ref();
            let loaded = SettingsFile::load(path)?;
            let first = Authenticator::new(Arc::new(loaded.settings.clone()));
            let live = LiveAuthenticator::new(first);
            let mut origin = live.lock();
            let current = live.snapshot();
            let (directory, _) = live.directory_for(&mut origin, &loaded, &current, path)?;
            let first = current.with_fresh_directory(directory);
            live.current.store(Arc::new(super::Current {
                generation: 0,
                authenticator: Arc::new(first),
            }));
            drop(origin);
            Ok(live)
        }

        /// Reads the settings file at `path` and installs it: see the table on
        /// [`LiveAuthenticator`] for what happens to the directory. On any error the current
        /// snapshot stays and the error says why. The file is read in turn with other changes,
        /// so concurrent reloads install the file as each found it when its turn came, in
        /// that order.
        pub fn reload_file(&self, path: impl AsRef<Path>) -> Result<Change, ReloadError> {
            let path = path.as_ref();
            // The file is read once the change lock is held: a reload that waited for its turn
            // installs what the file says then, never an older reading published after a
            // newer one. (The read is bounded and does no network I/O.)
            let mut origin = self.lock();
            let loaded = SettingsFile::load(path)?;
            let current = self.snapshot();
            let (directory, change) = self.directory_for(&mut origin, &loaded, &current, path)?;
            let next = current.with_settings(Arc::new(loaded.settings));
            let next = match change {
                DirectoryChange::Kept => next,
                DirectoryChange::Replaced | DirectoryChange::Removed => {
                    next.with_fresh_directory(directory)
                }
            };
            Ok(self.publish(&origin, next, change))
        }

        /// The directory the reloaded snapshot uses, and what changed.
        fn directory_for(
            &self,
            origin: &mut Origin,
            loaded: &SettingsFile,
            current: &Authenticator,
            path: &Path,
        ) -> Result<(Option<Arc<dyn Directory>>, DirectoryChange), ReloadError> {
            #[cfg(feature = "ldap")]
            if let Some(config) = &loaded.ldap_client {
                if origin.file_ldap_client.as_ref() == Some(config) {
                    return Ok((current.directory().cloned(), DirectoryChange::Kept));
                }
                let directory =
                    crate::ldap::LdapDirectory::new(config.clone()).map_err(|source| {
                        ReloadError::Directory {
                            file: path.display().to_string(),
                            source,
                        }
                    })?;
                origin.file_ldap_client = Some(config.clone());
                return Ok((Some(Arc::new(directory)), DirectoryChange::Replaced));
            }
            let _ = path;
            let from_file = self.directory_came_from_file(origin, current);
            #[cfg(feature = "ldap")]
            {
                origin.file_ldap_client = None;
            }
            if let Some(ldif) = &loaded.directory {
                let d: Arc<dyn Directory> = Arc::clone(ldif) as Arc<dyn Directory>;
                return Ok((Some(d), DirectoryChange::Replaced));
            }
            if from_file {
                Ok((origin.program_directory.clone(), DirectoryChange::Removed))
            } else {
                Ok((current.directory().cloned(), DirectoryChange::Kept))
            }
        }

        /// Whether the current directory is one a settings file named (not the program's).
        fn directory_came_from_file(&self, origin: &Origin, current: &Authenticator) -> bool {
            match (current.directory(), &origin.program_directory) {
                (None, _) => false,
                (Some(d), Some(p)) => !Arc::ptr_eq(d, p),
                (Some(_), None) => true,
            }
        }
    }
}

#[cfg(feature = "settings-files")]
pub use file::ReloadError;
