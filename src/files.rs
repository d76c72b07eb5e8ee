//! Bounded file reads: the one way the library (settings, CA bundles, CRLs, LDIF) and the
//! command-line tool read a file from disk.

use std::io::Read as _;
use std::path::Path;

use crate::error::ReadFileError;
use crate::limits::FileKind;

impl FileKind {
    /// Reads the file at `path` whole, if it is a regular file no larger than
    /// [`FileKind::max_bytes`]: the one way the library and the command-line tool read a file
    /// (see `read_regular_file` below for what is refused, and when).
    ///
    /// ```
    /// use x509_dbauth::settings::FileKind;
    /// let pem = FileKind::Certificates
    ///     .read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki/managed-ca.pem"))?;
    /// assert!(pem.starts_with(b"-----BEGIN CERTIFICATE-----"));
    /// assert_eq!(
    ///     FileKind::Settings.read("/dev/zero").unwrap_err().kind(),
    ///     "not_regular_file"
    /// );
    /// # Ok::<(), x509_dbauth::errors::ReadFileError>(())
    /// ```
    pub fn read(self, path: impl AsRef<Path>) -> Result<Vec<u8>, ReadFileError> {
        read_regular_file(path, self)
    }
}

/// Reads the file at `path` whole, if it is a regular file no larger than
/// [`FileKind::max_bytes`] for `kind`.
///
/// Symbolic links are followed (secret mounts are links to regular files). A directory,
/// FIFO, socket or device is refused from its metadata, before it is opened, so a FIFO with no
/// writer cannot block the caller and `/dev/zero` cannot exhaust memory; the file is then
/// opened without blocking (`O_NONBLOCK` where its value is known), so a FIFO swapped in
/// between the check and the open cannot block either, and the opened file is checked again;
/// the read stops one byte past the limit whatever the metadata said (a file that grows while
/// being read is refused too).
pub(crate) fn read_regular_file(
    path: impl AsRef<Path>,
    kind: FileKind,
) -> Result<Vec<u8>, ReadFileError> {
    let path = path.as_ref();
    let shown = || path.display().to_string();
    let io = |e: std::io::Error| ReadFileError::Io {
        path: shown(),
        kind,
        reason: e.to_string(),
    };
    let limit = kind.max_bytes();
    let check = |meta: &std::fs::Metadata| -> Result<(), ReadFileError> {
        if !meta.is_file() {
            return Err(ReadFileError::NotRegularFile {
                path: shown(),
                kind,
                found: file_type_name(meta.file_type()),
            });
        }
        if meta.len() > limit {
            return Err(ReadFileError::TooLarge {
                path: shown(),
                kind,
                limit,
            });
        }
        Ok(())
    };
    // `metadata` follows symbolic links; checking before `open` is what keeps a FIFO from
    // blocking the open call.
    check(&std::fs::metadata(path).map_err(io)?)?;
    // The path may be replaced between the two calls (a regular file swapped for a FIFO, which
    // an attacker who controls the directory can win within a few attempts): opening without
    // blocking keeps that FIFO from blocking `open` forever, and what was opened is checked.
    let file = open_nonblocking(path).map_err(io)?;
    check(&file.metadata().map_err(io)?)?;
    let capacity = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > capacity {
        return Err(ReadFileError::TooLarge {
            path: shown(),
            kind,
            limit,
        });
    }
    Ok(bytes)
}

/// What a non-regular file is, for messages.
fn file_type_name(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir()
                .join(format!("x509-dbauth-files-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn dev_zero_is_refused_before_reading() {
        let e = read_regular_file("/dev/zero", FileKind::Certificates).unwrap_err();
        assert_eq!(e.kind(), "not_regular_file");
        assert_eq!(
            e.to_string(),
            "cannot read certificate file /dev/zero: it is a character device, not a regular file (a symbolic link to a regular file is fine)"
        );
    }

    #[test]
    fn a_fifo_without_a_writer_does_not_block() {
        let dir = TempDir::new("fifo");
        let fifo = dir.0.join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // Opening a FIFO for reading with no writer would block forever: the metadata check
        // refuses it before `open`, so this returns at once.
        let e = read_regular_file(&fifo, FileKind::Crl).unwrap_err();
        assert_eq!(
            e,
            ReadFileError::NotRegularFile {
                path: fifo.display().to_string(),
                kind: FileKind::Crl,
                found: "a FIFO (named pipe)",
            }
        );
    }

    #[test]
    fn directory_over_limit_missing_and_symlink() {
        let dir = TempDir::new("kinds");
        let e = read_regular_file(&dir.0, FileKind::Ldif).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "cannot read LDIF file {}: it is a directory, not a regular file (a symbolic link to a regular file is fine)",
                dir.0.display()
            )
        );

        let limit = FileKind::Settings.max_bytes();
        let big = dir.0.join("big.toml");
        std::fs::write(&big, vec![b'#'; usize::try_from(limit).unwrap() + 1]).unwrap();
        let e = read_regular_file(&big, FileKind::Settings).unwrap_err();
        assert_eq!(e.kind(), "file_too_large");
        assert_eq!(
            e.to_string(),
            format!(
                "cannot read settings file {}: it is larger than 1 MiB (1048576 bytes), the limit for a settings file",
                big.display()
            )
        );
        // Exactly at the limit is fine.
        let at = dir.0.join("at.toml");
        std::fs::write(&at, vec![b'#'; usize::try_from(limit).unwrap()]).unwrap();
        assert_eq!(
            read_regular_file(&at, FileKind::Settings).unwrap().len() as u64,
            limit
        );

        let target = dir.0.join("ca.pem");
        std::fs::write(&target, b"contents").unwrap();
        let link = dir.0.join("link.pem");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(
            read_regular_file(&link, FileKind::Certificates).unwrap(),
            b"contents"
        );
        // A link to a device is judged by what it points to.
        let dev_link = dir.0.join("zero.pem");
        std::os::unix::fs::symlink("/dev/zero", &dev_link).unwrap();
        assert_eq!(
            read_regular_file(&dev_link, FileKind::Certificates)
                .unwrap_err()
                .kind(),
            "not_regular_file"
        );

        let missing = dir.0.join("missing.pem");
        let e = read_regular_file(&missing, FileKind::Certificates).unwrap_err();
        assert_eq!(e.kind(), "io");
        assert_eq!(
            e.to_string(),
            format!(
                "cannot read certificate file {}: No such file or directory (os error 2)",
                missing.display()
            )
        );
    }
}

/// `O_NONBLOCK` of the targets whose value is known here: opening a FIFO for reading then
/// returns at once instead of waiting for a writer (regular files are unaffected).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: Option<i32> = Some(0o4000);
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const O_NONBLOCK: Option<i32> = Some(0x0004);
#[cfg(not(any(
    all(
        any(target_os = "linux", target_os = "android"),
        not(any(
            target_arch = "mips",
            target_arch = "mips64",
            target_arch = "sparc",
            target_arch = "sparc64"
        ))
    ),
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
)))]
#[cfg_attr(not(unix), allow(dead_code))]
const O_NONBLOCK: Option<i32> = None;

/// Opens `path` for reading without waiting for a FIFO writer where the platform allows it.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if let Some(flag) = O_NONBLOCK {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(flag);
    }
    options.open(path)
}
