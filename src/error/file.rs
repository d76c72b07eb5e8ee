//! Errors from reading a file from disk with [`crate::read_regular_file`].

use crate::limits::FileKind;

/// Why a file could not be read. Every variant names the file and the kind of file; a file
/// over its size limit names the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadFileError {
    /// The file could not be opened or read (missing, no permission, …).
    Io {
        /// The path as given.
        path: String,
        /// What the file was read as.
        kind: FileKind,
        /// The operating system's error.
        reason: String,
    },
    /// The path names a directory, FIFO, socket or device, not a regular file.
    NotRegularFile {
        /// The path as given.
        path: String,
        /// What the file was to be read as.
        kind: FileKind,
        /// What the path names: "a directory", "a FIFO", "a character device", …
        found: &'static str,
    },
    /// The file is larger than the limit for its kind ([`FileKind::max_bytes`]).
    TooLarge {
        /// The path as given.
        path: String,
        /// What the file was read as.
        kind: FileKind,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl ReadFileError {
    /// A stable machine-readable name of the variant: `io`, `not_regular_file`,
    /// `file_too_large`.
    pub fn kind(&self) -> &'static str {
        match self {
            ReadFileError::Io { .. } => "io",
            ReadFileError::NotRegularFile { .. } => "not_regular_file",
            ReadFileError::TooLarge { .. } => "file_too_large",
        }
    }

    /// What the file was to be read as.
    pub fn file_kind(&self) -> FileKind {
        match self {
            ReadFileError::Io { kind, .. }
            | ReadFileError::NotRegularFile { kind, .. }
            | ReadFileError::TooLarge { kind, .. } => *kind,
        }
    }

    /// What is wrong, without the path (for messages that name the file already).
    pub fn reason(&self) -> String {
        match self {
            ReadFileError::Io { reason, .. } => reason.clone(),
            ReadFileError::NotRegularFile { found, .. } => format!(
                "it is {found}, not a regular file (a symbolic link to a regular file is fine)"
            ),
            ReadFileError::TooLarge { kind, limit, .. } => format!(
                "it is larger than {} ({limit} bytes), the limit for a {kind}",
                human(*limit)
            ),
        }
    }

    /// The path as given.
    pub fn path(&self) -> &str {
        match self {
            ReadFileError::Io { path, .. }
            | ReadFileError::NotRegularFile { path, .. }
            | ReadFileError::TooLarge { path, .. } => path,
        }
    }
}

impl core::fmt::Display for ReadFileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "cannot read {} {}: {}",
            self.file_kind(),
            crate::display::Escaped(self.path()),
            crate::display::Escaped(self.reason())
        )
    }
}

impl std::error::Error for ReadFileError {}

/// `8 MiB`, `1 MiB`, `512 KiB`, or bytes.
fn human(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}
