//! Key files and what lies beside them (issue 12, point 7): the matcher sees one buffer at a
//! time, so a private key whose certificate is a sibling file (`firma.key` + `firma.crt`), or
//! a PKCS#12 bundle whose password is written in a test elsewhere, needs the files found here.

use std::collections::BTreeMap;

use crate::sources::SourceFile;

/// Sibling files larger than this are not certificates (nor key files worth opening).
pub(crate) const MAX_CERTIFICATE_FILE: u64 = 1024 * 1024;

/// What kind of key file a name suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFileKind {
    /// `.p12`, `.pfx`
    Pkcs12,
    /// `.key`, `.pem`
    Pem,
}

/// A key file and the certificate files of its directory.
#[derive(Debug)]
pub(crate) struct KeyFile<'a> {
    pub(crate) file: &'a SourceFile,
    pub(crate) kind: KeyFileKind,
    /// `.crt`, `.cer`, `.pem`, `.der` files of the same directory (not the key file).
    pub(crate) siblings: Vec<&'a SourceFile>,
}

fn extension(display: &str) -> String {
    let file = display.rsplit('/').next().unwrap_or(display);
    file.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

pub(crate) fn directory(display: &str) -> &str {
    display.rsplit_once('/').map_or("", |(d, _)| d)
}

/// What kind of key file a name suggests, if any.
pub(crate) fn key_file_kind(name: &str) -> Option<KeyFileKind> {
    match extension(name).as_str() {
        "p12" | "pfx" => Some(KeyFileKind::Pkcs12),
        "key" | "pem" => Some(KeyFileKind::Pem),
        _ => None,
    }
}

/// Whether a name is that of a certificate file: `.crt`, `.cer`, `.pem`, `.der`.
pub(crate) fn is_certificate_name(name: &str) -> bool {
    ["crt", "cer", "pem", "der"].contains(&extension(name).as_str())
}

/// The key files among `files` (by extension), each with its directory's certificate files.
pub(crate) fn key_files(files: &[SourceFile]) -> Vec<KeyFile<'_>> {
    let mut certs: BTreeMap<&str, Vec<&SourceFile>> = BTreeMap::new();
    for f in files {
        // An unknown size is checked once read, by the key-file pass.
        if f.size.is_none_or(|size| size <= MAX_CERTIFICATE_FILE) && is_certificate_name(&f.display)
        {
            certs.entry(directory(&f.display)).or_default().push(f);
        }
    }
    files
        .iter()
        .filter_map(|f| {
            let kind = key_file_kind(&f.display)?;
            let siblings = certs
                .get(directory(&f.display))
                .map(|c| c.iter().copied().filter(|c| c.path != f.path).collect())
                .unwrap_or_default();
            Some(KeyFile {
                file: f,
                kind,
                siblings,
            })
        })
        .filter(|k| k.kind == KeyFileKind::Pkcs12 || !k.siblings.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(display: &str) -> SourceFile {
        SourceFile {
            path: display.into(),
            display: display.into(),
            size: Some(100),
            limit: 1 << 20,
            stream: false,
        }
    }

    #[test]
    fn key_files_get_the_certificates_of_their_directory() {
        let files: Vec<SourceFile> = [
            "certs/firma.key",
            "certs/firma.crt",
            "certs/readme.md",
            "other/cert.pem",
            "lone/key.pem",
            "test/ksef.P12",
        ]
        .into_iter()
        .map(file)
        .collect();
        let found: Vec<(&str, KeyFileKind, Vec<&str>)> = key_files(&files)
            .iter()
            .map(|k| {
                (
                    k.file.display.as_str(),
                    k.kind,
                    k.siblings.iter().map(|s| s.display.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("certs/firma.key", KeyFileKind::Pem, vec!["certs/firma.crt"]),
                ("test/ksef.P12", KeyFileKind::Pkcs12, vec![]),
            ]
        );
    }
}
