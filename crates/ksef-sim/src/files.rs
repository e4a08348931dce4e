//! Files the simulator hands out (`simulate --write-tokens`): created new, never
//! through an existing file or link.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

/// Creates `path` readable and writable by its owner only (0600 on unix) and writes
/// `data`. The file must not exist: `O_CREAT|O_EXCL` with `O_NOFOLLOW`, so neither an
/// existing file (perhaps another user's) nor a symbolic link (perhaps to another
/// file) is ever opened. An existing one is an `AlreadyExists` error that says so.
pub fn create_private(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => io::Error::new(
            io::ErrorKind::AlreadyExists,
            "it already exists (a file or a link); files are only ever created new, so nothing was written\nhelp: remove it, or give --write-tokens an empty or new directory",
        ),
        _ => e,
    })?;
    file.write_all(data)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn creates_new_private_files_and_never_follows_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh = dir.path().join("a.token");
        create_private(&fresh, b"x").expect("created");
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let err = create_private(&fresh, b"y").expect_err("exists");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&fresh).expect("read"), b"x");

        let victim = dir.path().join("victim");
        std::fs::write(&victim, "theirs").expect("write");
        let link = dir.path().join("b.token");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        assert!(create_private(&link, b"secret").is_err());
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
        // A dangling link is not followed either.
        let dangling = dir.path().join("c.token");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("symlink");
        assert!(create_private(&dangling, b"secret").is_err());
        assert!(!dir.path().join("nowhere").exists());
    }
}
