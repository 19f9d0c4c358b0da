//! Reading a file that input names, as untrusted input may name it: only a
//! regular file (never a FIFO, a device, a socket or a folder, which could
//! block a run or never end), never more than a stated number of bytes,
//! and, where a file names another (`rules:` in `icslint.yaml`, a link in
//! a checked folder), never outside the folder it belongs to. Every file
//! icslint reads goes through [`read`]; the limits are stated in the README.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest `.icg` text: the model's spans are 32-bit.
pub const MAX_ICG: u64 = u32::MAX as u64;
/// The largest `icslint.yaml`.
pub const MAX_CONFIG: u64 = 1 << 20;
/// The largest rule pack.
pub const MAX_PACK: u64 = 16 << 20;
/// The largest baseline (a recorded run of 400,000 findings is about 100 MB).
pub const MAX_BASELINE: u64 = 512 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// It is a folder, a FIFO, a socket or a device: never opened.
    NotAFile(&'static str),
    /// It holds more than the limit (its size, or at least the limit plus one).
    TooLarge { size: u64, limit: u64 },
    /// The file system said no.
    Io(std::io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotAFile(kind) => write!(f, "it is {kind}, not a regular file"),
            Refused::TooLarge { size, limit } => write!(
                f,
                "it is {} and icslint reads files of this kind up to {}",
                bytes(*size),
                bytes(*limit)
            ),
            Refused::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("it does not exist")
            }
            Refused::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A size as people read it: `1 MiB`, `4.0 GiB`, `312 bytes`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            return if n % size == 0 {
                format!("{} {unit}", n / size)
            } else {
                format!("{:.1} {unit}", n as f64 / size as f64)
            };
        }
    }
    format!("{n} bytes")
}

/// What a file system entry is when it is not a regular file.
pub fn kind_of(ft: std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// The bytes of the regular file at `path` (links followed), at most
/// `limit` of them. A path that is not a regular file is refused before it
/// is opened, and opened without blocking in case it became one since, so
/// a FIFO can never hold a run; a file that grows past the limit while it
/// is read (or reports a size of 0, as `/proc` files do) is cut off at the
/// limit and refused, never read to its end.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let meta = std::fs::metadata(path).map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotAFile(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(Refused::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(Refused::Io)?;
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotAFile(kind_of(meta.file_type())));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(Refused::Io)?;
    if out.len() as u64 > limit {
        return Err(Refused::TooLarge {
            size: out.len() as u64,
            limit,
        });
    }
    Ok(out)
}

/// Where a path named relative to `root` (a folder's canonical path) leads,
/// if it stays inside `root` once `..` and links are resolved: an absolute
/// path, a `..` that climbs out or a link whose target is elsewhere is
/// `Err` with what is wrong, said for the person who wrote the path.
pub fn inside(root: &Path, rel: &Path) -> Result<PathBuf, Outside> {
    if rel.is_absolute() || rel.has_root() {
        return Err(Outside::Absolute);
    }
    // `..` past the top leaves, whether or not what it names exists.
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            std::path::Component::Normal(_) => depth += 1,
            std::path::Component::ParentDir if depth == 0 => return Err(Outside::Leaves),
            std::path::Component::ParentDir => depth -= 1,
            _ => {}
        }
    }
    let joined = root.join(rel);
    match std::fs::canonicalize(&joined) {
        Ok(real) if real.starts_with(root) => Ok(real),
        Ok(_) => Err(Outside::Leaves),
        // It does not exist (or a link is broken): say that as reading it would.
        Err(e) => Err(Outside::Missing(e)),
    }
}

/// The bytes of the file `rel` names inside the folder `root` (canonical):
/// [`inside`], then [`read`] within `limit`.
pub fn read_inside(root: &Path, rel: &Path, limit: u64) -> Result<Vec<u8>, NotRead> {
    let real = inside(root, rel).map_err(NotRead::Outside)?;
    read(&real, limit).map_err(NotRead::Refused)
}

/// Why [`read_inside`] read nothing.
#[derive(Debug)]
pub enum NotRead {
    Outside(Outside),
    Refused(Refused),
}

impl std::fmt::Display for NotRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRead::Outside(o) => o.fmt(f),
            NotRead::Refused(r) => r.fmt(f),
        }
    }
}

/// Why a path named in a file is not followed.
#[derive(Debug)]
pub enum Outside {
    Absolute,
    /// `..` or a link leads out of the folder.
    Leaves,
    Missing(std::io::Error),
}

impl std::fmt::Display for Outside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outside::Absolute => f.write_str("it is an absolute path"),
            Outside::Leaves => f.write_str("it leads outside this folder"),
            Outside::Missing(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("it does not exist")
            }
            Outside::Missing(e) => write!(f, "{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(312), "312 bytes");
        assert_eq!(bytes(1 << 20), "1 MiB");
        assert_eq!(bytes(MAX_ICG + 1), "4 GiB");
        assert_eq!(bytes(3 << 19), "1.5 MiB");
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, "0123456789").unwrap();
        assert_eq!(read(&f, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read(&f, 9),
            Err(Refused::TooLarge { size: 10, limit: 9 })
        ));
        assert!(matches!(
            read(dir.path(), 10),
            Err(Refused::NotAFile("a folder"))
        ));
        #[cfg(unix)]
        {
            // /proc files report a size of 0 and may be endless: cut at the limit.
            if Path::new("/dev/zero").exists() {
                assert!(matches!(
                    read(Path::new("/dev/zero"), 10),
                    Err(Refused::NotAFile("a device"))
                ));
            }
            if Path::new("/proc/self/environ").exists() {
                assert!(read(Path::new("/proc/self/environ"), 0).is_err());
            }
        }
    }

    #[test]
    fn paths_that_leave_their_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("ws")).unwrap();
        let ws = root.join("ws");
        std::fs::write(ws.join("p.yaml"), "").unwrap();
        std::fs::write(root.join("secret"), "").unwrap();
        assert!(inside(&ws, Path::new("p.yaml")).is_ok());
        assert!(inside(&ws, Path::new("./x/../p.yaml")).is_err()); // x does not exist
        assert!(matches!(
            inside(&ws, Path::new("../secret")),
            Err(Outside::Leaves)
        ));
        assert!(matches!(
            inside(&ws, Path::new("../nothing")),
            Err(Outside::Leaves)
        ));
        assert!(matches!(
            inside(&ws, &root.join("secret")),
            Err(Outside::Absolute)
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("secret"), ws.join("link.yaml")).unwrap();
            assert!(matches!(
                inside(&ws, Path::new("link.yaml")),
                Err(Outside::Leaves)
            ));
        }
    }
}
