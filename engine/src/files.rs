//! Evidence files: what the sync server accepts, how a file is named, and every refusal with
//! its status. A file is named by the SHA-256 of its bytes, which its Evidence record also
//! carries, so the hash-chained log vouches for the content. The app checks a file with the
//! same rules before it keeps it, so a person hears at once what the server would refuse.

use crate::wire::ErrorBody;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Largest file the server takes unless its operator sets `RATCHET_FILE_MAX_BYTES`.
pub const FILE_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Most bytes of files one organisation may keep unless the operator sets
/// `RATCHET_ORG_FILE_QUOTA_BYTES`.
pub const ORG_QUOTA_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The kinds of file evidence may be, with how a person would name them and the extension a
/// file of the kind is saved with: images, PDF, plain text, CSV and the common office
/// documents.
pub const MEDIA_TYPES: &[MediaType] = &[
    MediaType {
        essence: "image/jpeg",
        words: "JPEG image",
        extension: "jpg",
    },
    MediaType {
        essence: "image/png",
        words: "PNG image",
        extension: "png",
    },
    MediaType {
        essence: "image/webp",
        words: "WebP image",
        extension: "webp",
    },
    MediaType {
        essence: "image/gif",
        words: "GIF image",
        extension: "gif",
    },
    MediaType {
        essence: "application/pdf",
        words: "PDF document",
        extension: "pdf",
    },
    MediaType {
        essence: "text/plain",
        words: "text file",
        extension: "txt",
    },
    MediaType {
        essence: "text/csv",
        words: "CSV file",
        extension: "csv",
    },
    MediaType {
        essence: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        words: "Word document",
        extension: "docx",
    },
    MediaType {
        essence: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        words: "Excel workbook",
        extension: "xlsx",
    },
    MediaType {
        essence: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        words: "PowerPoint presentation",
        extension: "pptx",
    },
    MediaType {
        essence: "application/msword",
        words: "Word document",
        extension: "doc",
    },
    MediaType {
        essence: "application/vnd.ms-excel",
        words: "Excel workbook",
        extension: "xls",
    },
    MediaType {
        essence: "application/vnd.ms-powerpoint",
        words: "PowerPoint presentation",
        extension: "ppt",
    },
    MediaType {
        essence: "application/vnd.oasis.opendocument.text",
        words: "OpenDocument text",
        extension: "odt",
    },
    MediaType {
        essence: "application/vnd.oasis.opendocument.spreadsheet",
        words: "OpenDocument spreadsheet",
        extension: "ods",
    },
    MediaType {
        essence: "application/vnd.oasis.opendocument.presentation",
        words: "OpenDocument presentation",
        extension: "odp",
    },
];

/// One kind of file evidence may be.
pub struct MediaType {
    pub essence: &'static str,
    pub words: &'static str,
    pub extension: &'static str,
}

/// The accepted kind a media type names, if any.
pub fn accepted(media_type: &str) -> Option<&'static MediaType> {
    let essence = essence(media_type);
    MEDIA_TYPES.iter().find(|m| m.essence == essence)
}

/// The extension a file of this media type is saved with: its accepted kind's, never one a
/// person chose ("bin" for any other type).
pub fn extension(media_type: &str) -> &'static str {
    accepted(media_type).map_or("bin", |m| m.extension)
}

/// The type a file may be shown as inside the app, proved by its first bytes: a raster image
/// (JPEG, PNG, GIF, WebP) or a PDF. Any other file, whatever type it is said to be, is only
/// ever downloaded, so that no upload can render as a page of the app's origin.
pub fn inline_type(bytes: &[u8]) -> Option<&'static str> {
    let webp = bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if webp {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Whether a file said to be of `media_type` may be taken with this content: an image or a
/// PDF must be one by its first bytes (a type that would be shown is never taken on trust).
pub fn check_content(media_type: &str, bytes: &[u8]) -> Result<(), FileRefusal> {
    let essence = essence(media_type);
    let shown = essence.starts_with("image/") || essence == "application/pdf";
    if shown && inline_type(bytes) != Some(essence.as_str()) {
        return Err(FileRefusal::ContentNotType {
            media_type: essence,
        });
    }
    Ok(())
}

/// What the server's file limits are, as its operator set them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FileLimits {
    pub file_max_bytes: u64,
    pub org_quota_bytes: u64,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            file_max_bytes: FILE_MAX_BYTES,
            org_quota_bytes: ORG_QUOTA_BYTES,
        }
    }
}

/// The server's answer to a stored (or already held) file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// False when the organisation already held this file (an upload repeated after a drop).
    pub created: bool,
}

/// Why a file was not taken. Nothing is stored for any of them.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum FileRefusal {
    #[error("A file is named by the SHA-256 of its content: 64 lowercase hexadecimal characters.")]
    BadName,
    #[error("This file is {} and a file may be at most {}.", size_words(*size), size_words(*max))]
    TooLarge { size: u64, max: u64 },
    #[error("Send the file's length (Content-Length); a file may be at most {}.", size_words(*max))]
    LengthRequired { max: u64 },
    #[error(
        "{} cannot be kept as evidence. Use an image, a PDF, a text or CSV file, or an office document.",
        type_words(media_type)
    )]
    UnsupportedType { media_type: String },
    #[error(
        "This file is sent as a {}, but its content is not one: send it as the kind of file it is.",
        accepted(media_type).map_or(media_type.as_str(), |m| m.words)
    )]
    ContentNotType { media_type: String },
    #[error(
        "The file's content does not match its name: its SHA-256 is {actual}. It may have been damaged on the way; send it again."
    )]
    DigestMismatch { actual: String },
    #[error("This organisation keeps {} of files, and this one would pass its limit of {}.", size_words(*used), size_words(*quota))]
    QuotaExceeded { used: u64, quota: u64 },
}

impl FileRefusal {
    pub fn status(&self) -> u16 {
        match self {
            Self::BadName => 400,
            Self::TooLarge { .. } | Self::QuotaExceeded { .. } => 413,
            Self::LengthRequired { .. } => 411,
            Self::UnsupportedType { .. } | Self::ContentNotType { .. } => 415,
            Self::DigestMismatch { .. } => 422,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadName => "invalid_digest",
            Self::TooLarge { .. } => "file_too_large",
            Self::LengthRequired { .. } => "length_required",
            Self::UnsupportedType { .. } => "unsupported_file_type",
            Self::ContentNotType { .. } => "content_not_type",
            Self::DigestMismatch { .. } => "digest_mismatch",
            Self::QuotaExceeded { .. } => "quota_exceeded",
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.to_string())
    }
}

/// The SHA-256 of `bytes`, in lowercase hex: a file's name.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `name` can name a file (64 lowercase hex characters).
pub fn is_digest(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A media type as compared: without parameters, lower case (`Text/Plain; charset=utf-8` is
/// `text/plain`).
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// How a person would name a media type: "PDF document", or the type itself.
pub fn type_words(media_type: &str) -> String {
    let essence = essence(media_type);
    match accepted(&essence) {
        Some(MediaType { words, .. }) => format!("A {words}"),
        None if essence.is_empty() => "A file of no stated type".to_owned(),
        None => format!("A file of type “{essence}”"),
    }
}

/// A size in the unit a person reads: "512 bytes", "3.4 KiB", "10 MiB".
pub fn size_words(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    let scaled = |unit: u64, name: &str| {
        let value = bytes as f64 / unit as f64;
        if bytes.is_multiple_of(unit) {
            format!("{} {name}", bytes / unit)
        } else {
            format!("{value:.1} {name}")
        }
    };
    match bytes {
        b if b >= GIB => scaled(GIB, "GiB"),
        b if b >= MIB => scaled(MIB, "MiB"),
        b if b >= KIB => scaled(KIB, "KiB"),
        b => format!("{b} bytes"),
    }
}

impl FileLimits {
    /// What can be said of a file before its bytes arrive: its name, its declared length and
    /// its type. The app checks a chosen file the same way (with its real size).
    pub fn check_offer(
        &self,
        name: &str,
        length: Option<u64>,
        media_type: &str,
    ) -> Result<(), FileRefusal> {
        if !is_digest(name) {
            return Err(FileRefusal::BadName);
        }
        let max = self.file_max_bytes;
        match length {
            None => return Err(FileRefusal::LengthRequired { max }),
            Some(size) if size > max => return Err(FileRefusal::TooLarge { size, max }),
            Some(_) => {}
        }
        let essence = essence(media_type);
        if accepted(&essence).is_none() {
            return Err(FileRefusal::UnsupportedType {
                media_type: essence,
            });
        }
        Ok(())
    }

    /// The bytes as received, against their name and what the organisation already keeps.
    pub fn check_received(&self, name: &str, bytes: &[u8], used: u64) -> Result<(), FileRefusal> {
        let size = bytes.len() as u64;
        if size > self.file_max_bytes {
            return Err(FileRefusal::TooLarge {
                size,
                max: self.file_max_bytes,
            });
        }
        let actual = digest(bytes);
        if actual != name {
            return Err(FileRefusal::DigestMismatch { actual });
        }
        if used.saturating_add(size) > self.org_quota_bytes {
            return Err(FileRefusal::QuotaExceeded {
                used,
                quota: self.org_quota_bytes,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[test]
    fn a_file_is_named_by_the_sha256_of_its_bytes() {
        assert_eq!(digest(b"hello"), HELLO);
        assert!(is_digest(HELLO));
        assert!(!is_digest(&HELLO.to_uppercase()));
        assert!(!is_digest(&HELLO[1..]));
        assert!(!is_digest(&format!("{}g", &HELLO[1..])));
    }

    #[test]
    fn only_images_and_pdf_proved_by_their_bytes_are_shown() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        let png = *b"\x89PNG\r\n\x1a\n\0\0";
        let webp = *b"RIFF\x10\0\0\0WEBPVP8 ";
        let html = b"<!doctype html><a href=x>Sign in again</a>";
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        assert_eq!(inline_type(&jpeg), Some("image/jpeg"));
        assert_eq!(inline_type(&png), Some("image/png"));
        assert_eq!(inline_type(b"GIF89a.."), Some("image/gif"));
        assert_eq!(inline_type(&webp), Some("image/webp"));
        assert_eq!(inline_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(inline_type(html), None);
        assert_eq!(inline_type(svg), None);
        assert_eq!(inline_type(b""), None);

        assert_eq!(check_content("image/jpeg", &jpeg), Ok(()));
        assert_eq!(check_content("application/pdf; x=y", b"%PDF-1.4"), Ok(()));
        // HTML said to be text is taken: it is only ever downloaded.
        assert_eq!(check_content("text/plain", html), Ok(()));
        let refused = check_content("image/png", html).unwrap_err();
        assert_eq!(
            (refused.status(), refused.code()),
            (415, "content_not_type")
        );
        assert!(refused.to_string().contains("PNG image"), "{refused}");
        assert!(check_content("application/pdf", &jpeg).is_err());
        assert!(check_content("image/gif", svg).is_err());
    }

    #[test]
    fn an_offer_is_checked_for_name_length_and_type() {
        let limits = FileLimits::default();
        assert_eq!(limits.check_offer(HELLO, Some(5), "text/plain"), Ok(()));
        assert_eq!(
            limits.check_offer(HELLO, Some(5), "Application/PDF; name=x"),
            Ok(())
        );
        assert_eq!(
            limits.check_offer("../etc/passwd", Some(5), "text/plain"),
            Err(FileRefusal::BadName)
        );
        assert_eq!(
            limits.check_offer(HELLO, None, "text/plain"),
            Err(FileRefusal::LengthRequired {
                max: FILE_MAX_BYTES
            })
        );
        let too_large = limits
            .check_offer(HELLO, Some(FILE_MAX_BYTES + 1), "image/png")
            .unwrap_err();
        assert_eq!(
            (too_large.status(), too_large.code()),
            (413, "file_too_large")
        );
        assert_eq!(
            too_large.to_string(),
            "This file is 10.0 MiB and a file may be at most 10 MiB."
        );
        let wrong_type = limits
            .check_offer(HELLO, Some(5), "application/x-msdownload")
            .unwrap_err();
        assert_eq!(
            (wrong_type.status(), wrong_type.code()),
            (415, "unsupported_file_type")
        );
        assert!(
            wrong_type
                .to_string()
                .starts_with("A file of type “application/x-msdownload” cannot be kept")
        );
        assert!(limits.check_offer(HELLO, Some(5), "").is_err());
    }

    #[test]
    fn received_bytes_must_match_their_name_and_fit_the_quota() {
        let limits = FileLimits {
            file_max_bytes: 10,
            org_quota_bytes: 12,
        };
        assert_eq!(limits.check_received(HELLO, b"hello", 7), Ok(()));
        let mismatch = limits.check_received(HELLO, b"hellO", 0).unwrap_err();
        assert_eq!(
            (mismatch.status(), mismatch.code()),
            (422, "digest_mismatch")
        );
        assert_eq!(
            limits.check_received(HELLO, b"hello", 8),
            Err(FileRefusal::QuotaExceeded { used: 8, quota: 12 })
        );
        let long = [b'a'; 11];
        assert_eq!(
            limits.check_received(&digest(&long), &long, 0),
            Err(FileRefusal::TooLarge { size: 11, max: 10 })
        );
    }

    #[test]
    fn sizes_and_types_are_said_in_words() {
        assert_eq!(size_words(512), "512 bytes");
        assert_eq!(size_words(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(size_words(10 * 1024 * 1024), "10 MiB");
        assert_eq!(size_words(ORG_QUOTA_BYTES), "2 GiB");
        assert_eq!(type_words("application/pdf"), "A PDF document");
        assert_eq!(type_words(""), "A file of no stated type");
    }
}
