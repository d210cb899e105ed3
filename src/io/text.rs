//! Text encodings: UTF-8, Latin-1/CP1252 and the DOS and Windows code pages that
//! DBF files declare.

use std::borrow::Cow;

/// A text encoding a layer's bytes are in. A catalog's `encoding` is read with
/// [`TextEncoding::from_label`].
///
/// ```
/// use sitematch::TextEncoding;
/// let latin1 = TextEncoding::from_label("latin1").unwrap();
/// assert_eq!(latin1.decode(b"M\xe9zi\xe8res").as_deref(), Some("Mézières"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum TextEncoding {
    /// UTF-8 (invalid bytes are an error for the feature).
    Utf8,
    /// An encoding_rs encoding (windows-1252 also stands for Latin-1, its subset).
    Whatwg(&'static encoding_rs::Encoding),
    /// IBM code page 437 (DBF language driver 0x01).
    Cp437,
    /// IBM code page 850 (DBF language driver 0x02), common in old French DBFs.
    Cp850,
    /// UTF-8 where the bytes are valid UTF-8, else CP1252: what a DBF with no `.cpg`
    /// and no language driver gets.
    Utf8OrLatin1,
}

impl TryFrom<String> for TextEncoding {
    type Error = String;

    fn try_from(label: String) -> Result<TextEncoding, String> {
        TextEncoding::from_label(&label)
            .ok_or_else(|| format!("unknown encoding {label:?}; use utf-8, latin1 or cp1252"))
    }
}

impl TextEncoding {
    /// The encoding for a name as catalogs and `.cpg` files write it (`utf-8`,
    /// `latin1`, `cp1252`, `1252`, `ANSI 1252`, `ISO-8859-15`, `850`...).
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let l = label
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        let l = l.strip_prefix("ansi ").unwrap_or(&l).trim().to_string();
        match l.as_str() {
            "utf-8" | "utf8" | "65001" => return Some(TextEncoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" | "8859-1" | "88591" | "iso8859-1" => {
                return Some(TextEncoding::Whatwg(encoding_rs::WINDOWS_1252))
            }
            "437" | "cp437" | "ibm437" => return Some(TextEncoding::Cp437),
            "850" | "cp850" | "ibm850" => return Some(TextEncoding::Cp850),
            _ => {}
        }
        let digits = l.strip_prefix("cp").unwrap_or(&l);
        if digits.len() == 4 && digits.starts_with("125") {
            return encoding_rs::Encoding::for_label(format!("windows-{digits}").as_bytes())
                .map(TextEncoding::Whatwg);
        }
        if let Some(part) = l.strip_prefix("8859-").or_else(|| l.strip_prefix("8859")) {
            return encoding_rs::Encoding::for_label(format!("iso-8859-{part}").as_bytes())
                .map(TextEncoding::Whatwg);
        }
        encoding_rs::Encoding::for_label(l.as_bytes()).map(|e| {
            if e == encoding_rs::UTF_8 {
                TextEncoding::Utf8
            } else {
                TextEncoding::Whatwg(e)
            }
        })
    }

    /// The encoding a DBF header's language-driver byte (offset 29) declares, if any.
    pub fn from_dbf_language_driver(ldid: u8) -> Option<TextEncoding> {
        use encoding_rs as e;
        Some(match ldid {
            0x01 => TextEncoding::Cp437,
            0x02 | 0x37 | 0x64 => TextEncoding::Cp850,
            0x03 | 0x57 | 0x58 | 0x59 => TextEncoding::Whatwg(e::WINDOWS_1252),
            0x26 | 0x65 => TextEncoding::Whatwg(e::IBM866),
            0xC8 => TextEncoding::Whatwg(e::WINDOWS_1250),
            0xC9 => TextEncoding::Whatwg(e::WINDOWS_1251),
            0xCA => TextEncoding::Whatwg(e::WINDOWS_1254),
            0xCB => TextEncoding::Whatwg(e::WINDOWS_1253),
            0x13 | 0x7B => TextEncoding::Whatwg(e::SHIFT_JIS),
            0x4D | 0x7A => TextEncoding::Whatwg(e::GBK),
            0x4E | 0x79 => TextEncoding::Whatwg(e::EUC_KR),
            0x4F | 0x78 => TextEncoding::Whatwg(e::BIG5),
            _ => return None,
        })
    }

    /// A name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Whatwg(e) => e.name(),
            TextEncoding::Cp437 => "CP437",
            TextEncoding::Cp850 => "CP850",
            TextEncoding::Utf8OrLatin1 => "UTF-8 (else Latin-1)",
        }
    }

    /// Decodes bytes; `None` only for invalid UTF-8 under [`TextEncoding::Utf8`].
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
        use yore::CodePage;
        match self {
            TextEncoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            TextEncoding::Whatwg(e) => Some(e.decode_without_bom_handling(bytes).0),
            TextEncoding::Cp437 => Some(yore::code_pages::CP437.decode_lossy(bytes)),
            TextEncoding::Cp850 => Some(yore::code_pages::CP850.decode_lossy(bytes)),
            TextEncoding::Utf8OrLatin1 => Some(match std::str::from_utf8(bytes) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => {
                    encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(bytes)
                        .0
                }
            }),
        }
    }
}

/// The text of a JSON file (RFC 8259: UTF-8), as GDAL reads it: a UTF-8 byte-order
/// mark is skipped, UTF-16 with its mark is decoded; other bytes that are not UTF-8
/// are refused with a message saying so.
pub(crate) fn decode_json_bytes(
    bytes: &[u8],
) -> std::result::Result<std::borrow::Cow<'_, str>, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return std::str::from_utf8(rest)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|e| {
                format!("not valid UTF-8 after its byte-order mark ({e}); save it as UTF-8")
            });
    }
    let utf16 = match bytes {
        [0xff, 0xfe, ..] => Some(encoding_rs::UTF_16LE),
        [0xfe, 0xff, ..] => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(enc) = utf16 {
        let (text, _, bad) = enc.decode(bytes);
        return if bad {
            Err(format!(
                "{} text with invalid sequences; save it as UTF-8",
                enc.name()
            ))
        } else {
            Ok(std::borrow::Cow::Owned(text.into_owned()))
        };
    }
    std::str::from_utf8(bytes)
        .map(std::borrow::Cow::Borrowed)
        .map_err(|e| format!("not valid UTF-8 ({e}); GeoJSON is UTF-8: save it as UTF-8"))
}

/// A UTF-16 byte-order mark at the start of a text file, named (`UTF-16LE`).
pub(crate) fn utf16_mark(start: &[u8]) -> Option<&'static str> {
    match start {
        [0xff, 0xfe, ..] => Some("UTF-16LE"),
        [0xfe, 0xff, ..] => Some("UTF-16BE"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(TextEncoding::from_label("UTF-8"), Some(TextEncoding::Utf8));
        assert_eq!(
            TextEncoding::from_label("ANSI 1252"),
            Some(TextEncoding::Whatwg(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(
            TextEncoding::from_label("88591"),
            Some(TextEncoding::Whatwg(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(
            TextEncoding::from_label("ISO-8859-15"),
            Some(TextEncoding::Whatwg(encoding_rs::ISO_8859_15))
        );
        assert_eq!(TextEncoding::from_label("klingon"), None);
    }

    #[test]
    fn latin1_fallback_decodes_mezieres() {
        let latin1 = b"M\xe9zi\xe8res";
        assert_eq!(TextEncoding::Utf8.decode(latin1), None);
        assert_eq!(
            TextEncoding::Utf8OrLatin1.decode(latin1).unwrap(),
            "Mézières"
        );
        assert_eq!(
            TextEncoding::Utf8OrLatin1
                .decode("Mézières".as_bytes())
                .unwrap(),
            "Mézières"
        );
        // CP850 puts é at 0x82 and è at 0x8A.
        assert_eq!(
            TextEncoding::Cp850.decode(b"M\x82zi\x8ares").unwrap(),
            "Mézières"
        );
    }
}
