//! multipart/form-data (axum's multipart feature is not enabled in this crate, and the format
//! teloxide/reqwest produce is simple).

pub(super) struct Part {
    pub(super) name: String,
    pub(super) file_name: Option<String>,
    pub(super) content_type: Option<String>,
    pub(super) body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        if haystack[i] == first && haystack[i..i + needle.len()] == *needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

pub(super) fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = find(body, delimiter.as_bytes(), 0).ok_or("multipart boundary not found")?
        + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Ok(parts);
        }
        if body.get(pos..pos + 2) == Some(b"\r\n") {
            pos += 2;
        }
        let headers_end = find(body, b"\r\n\r\n", pos).ok_or("multipart part has no header end")?;
        let headers = std::str::from_utf8(&body[pos..headers_end])
            .map_err(|_| "multipart part headers are not UTF-8")?;
        let content_start = headers_end + 4;
        let content_end = find(body, next_delimiter.as_bytes(), content_start)
            .ok_or("multipart body is truncated")?;

        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    name = header_param(value, "name")
                        .or_else(|| header_param(value, "name*").map(|v| decode_ext_value(&v)));
                    file_name = header_param(value, "filename");
                }
                "content-type" => content_type = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        let name = name.ok_or("multipart part has no name")?;
        parts.push(Part {
            name,
            file_name,
            content_type,
            body: body[content_start..content_end].to_vec(),
        });
        pos = content_end + next_delimiter.len();
    }
}

/// `key=value` or `key="quoted \" value"` from a header such as Content-Disposition.
pub(super) fn header_param(header: &str, key: &str) -> Option<String> {
    let mut rest = header;
    while let Some(semi) = rest.find(';') {
        rest = rest[semi + 1..].trim_start();
        let Some(eq) = rest.find('=') else { break };
        let k = rest[..eq].trim();
        let after = &rest[eq + 1..];
        let (value, consumed) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, 1 + end)
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_owned(), end)
        };
        if k.eq_ignore_ascii_case(key) {
            return Some(value);
        }
        rest = &after[consumed.min(after.len())..];
        if !rest.starts_with(';') {
            // Re-add a separator so the loop finds the next parameter.
            match rest.find(';') {
                Some(i) => rest = &rest[i..],
                None => break,
            }
        }
    }
    None
}

/// RFC 8187 `utf-8''percent%20encoded` (reqwest uses it for non-ASCII field names).
fn decode_ext_value(v: &str) -> String {
    let encoded = v.split_once("''").map_or(v, |(_, rest)| rest);
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = encoded.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
