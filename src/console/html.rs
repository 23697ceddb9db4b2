//! Telegram's `parse_mode=HTML` dialect, checked the way the Bot API checks it.
//!
//! The emulator needs this to reject the same messages Telegram would reject ("can't parse
//! entities") and to measure message length on the text *after* markup is removed, which is what
//! Telegram's 4096 / 1024 limits apply to. The rules follow tdlib's `parse_html`, with one
//! deliberate difference: Telegram silently keeps an unknown `&name;` or a bare `&`/`>` as literal
//! text, while the documentation says they "must be replaced with the corresponding HTML
//! entities". We reject them, so a bot that forgets to escape user input fails here instead of
//! showing mangled text in production (`&lt` in a product name would be decoded by Telegram).

use std::fmt;

/// Why a piece of HTML would be refused by Telegram. The message mirrors Telegram's wording; the
/// Bot API prefixes it with "Bad Request: can't parse entities: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlError {
    message: String,
}

impl HtmlError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HtmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HtmlError {}

/// One formatting entity produced by the markup, offsets and lengths in UTF-16 code units like
/// the Bot API's `MessageEntity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlEntity {
    /// Bot API entity type: "bold", "italic", "text_link", "pre", ...
    pub kind: &'static str,
    pub offset: usize,
    pub length: usize,
    /// `href` for links, language for `pre`, emoji id for custom emoji.
    pub argument: Option<String>,
}

/// Parse Telegram HTML and return the plain text the user would see (entities decoded).
pub fn parse_telegram_html(s: &str) -> Result<String, HtmlError> {
    parse_telegram_html_entities(s).map(|(text, _)| text)
}

/// Like [`parse_telegram_html`], also returning the formatting entities, so two messages can be
/// compared the way Telegram does when deciding whether an edit changed anything.
pub fn parse_telegram_html_entities(s: &str) -> Result<(String, Vec<HtmlEntity>), HtmlError> {
    Parser::new(s).run()
}

/// Best-effort plain text for the terminal: the parsed text, or the input unchanged when it is
/// not valid Telegram HTML (the terminal should still show *something*).
pub fn html_to_plain(s: &str) -> String {
    parse_telegram_html(s).unwrap_or_else(|_| s.to_owned())
}

/// Escape text for inclusion in Telegram HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

const SUPPORTED_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
];

struct OpenTag {
    name: String,
    argument: Option<String>,
    expandable: bool,
    /// Where the entity starts in the output, in UTF-16 code units.
    utf16_start: usize,
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: String,
    utf16_len: usize,
    open: Vec<OpenTag>,
    entities: Vec<HtmlEntity>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            out: String::with_capacity(src.len()),
            utf16_len: 0,
            open: Vec::new(),
            entities: Vec::new(),
        }
    }

    /// The byte at `i`, or 0 past the end (tdlib reads a NUL-terminated buffer; keeping that
    /// convention keeps the checks below close to the original).
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn push_char(&mut self, c: char) {
        self.out.push(c);
        self.utf16_len += c.len_utf16();
    }

    fn run(mut self) -> Result<(String, Vec<HtmlEntity>), HtmlError> {
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'&' => {
                    let start = self.pos;
                    let c = self.decode_entity()?;
                    debug_assert!(self.pos > start);
                    self.push_char(c);
                }
                b'<' => {
                    if self.at(self.pos + 1) == b'/' {
                        self.end_tag()?;
                    } else {
                        self.start_tag()?;
                    }
                }
                b'>' => {
                    return Err(HtmlError::new(format!(
                        "Unescaped \">\" at byte offset {}; use &gt;",
                        self.pos
                    )));
                }
                _ => {
                    // Copy one whole UTF-8 character; `pos` only ever stops on char boundaries.
                    let c = self.src[self.pos..].chars().next().unwrap_or('\u{FFFD}');
                    self.pos += c.len_utf8().max(1);
                    self.push_char(c);
                }
            }
        }
        if let Some(tag) = self.open.last() {
            return Err(HtmlError::new(format!(
                "Can't find end tag corresponding to start tag \"{}\"",
                tag.name
            )));
        }
        self.entities
            .sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length)));
        Ok((self.out, self.entities))
    }

    /// Decode `&...;` at `pos` and advance past it.
    fn decode_entity(&mut self) -> Result<char, HtmlError> {
        let start = self.pos;
        let mut end = start + 1;
        let value: u32 = if self.at(end) == b'#' {
            end += 1;
            let hex = matches!(self.at(end), b'x' | b'X');
            if hex {
                end += 1;
            }
            let digits_start = end;
            let mut value: u32 = 0;
            while (hex && self.at(end).is_ascii_hexdigit())
                || (!hex && self.at(end).is_ascii_digit())
            {
                let digit = char::from(self.at(end)).to_digit(16).unwrap_or(0);
                value = value
                    .saturating_mul(if hex { 16 } else { 10 })
                    .saturating_add(digit);
                end += 1;
            }
            if end == digits_start || value == 0 || value >= 0x10FFFF {
                return Err(self.bad_entity(start, end));
            }
            value
        } else {
            while self.at(end).is_ascii_alphabetic() {
                end += 1;
            }
            match &self.src[start + 1..end] {
                "lt" => '<' as u32,
                "gt" => '>' as u32,
                "amp" => '&' as u32,
                "quot" => '"' as u32,
                _ => return Err(self.bad_entity(start, end)),
            }
        };
        // Like Telegram, the terminating ';' is optional.
        if self.at(end) == b';' {
            end += 1;
        }
        let c = char::from_u32(value).ok_or_else(|| self.bad_entity(start, end))?;
        self.pos = end;
        Ok(c)
    }

    fn bad_entity(&self, start: usize, end: usize) -> HtmlError {
        if end == start + 1 {
            return HtmlError::new(format!("Unescaped \"&\" at byte offset {start}; use &amp;"));
        }
        let shown_end = if self.at(end) == b';' { end + 1 } else { end };
        HtmlError::new(format!(
            "Unsupported HTML entity \"{}\" at byte offset {start}",
            &self.src[start..shown_end.min(self.src.len())]
        ))
    }

    fn start_tag(&mut self) -> Result<(), HtmlError> {
        let begin = self.pos;
        let mut i = begin + 1;
        while i < self.bytes.len() && !is_space(self.bytes[i]) && self.bytes[i] != b'>' {
            i += 1;
        }
        if i >= self.bytes.len() {
            return Err(HtmlError::new(format!(
                "Unclosed start tag at byte offset {begin}"
            )));
        }
        let name = self.src[begin + 1..i].to_ascii_lowercase();
        if !SUPPORTED_TAGS.contains(&name.as_str()) {
            return Err(HtmlError::new(format!(
                "Unsupported start tag \"{name}\" at byte offset {begin}"
            )));
        }

        let mut argument: Option<String> = None;
        let mut expandable = false;
        loop {
            while is_space(self.at(i)) {
                i += 1;
            }
            match self.at(i) {
                b'>' => break,
                0 if i >= self.bytes.len() => {
                    return Err(HtmlError::new(format!(
                        "Unclosed start tag \"{name}\" at byte offset {begin}"
                    )));
                }
                _ => {}
            }
            let attr_start = i;
            while i < self.bytes.len()
                && !is_space(self.bytes[i])
                && self.bytes[i] != b'='
                && self.bytes[i] != b'>'
            {
                i += 1;
            }
            let attr = self.src[attr_start..i].to_owned();
            if attr.is_empty() {
                return Err(HtmlError::new(format!(
                    "Empty attribute name in the tag \"{name}\" at byte offset {begin}"
                )));
            }
            while is_space(self.at(i)) {
                i += 1;
            }
            if self.at(i) != b'=' {
                // `<blockquote expandable>` is the one value-less attribute Telegram accepts.
                if name == "blockquote" && attr == "expandable" {
                    expandable = true;
                    continue;
                }
                return Err(HtmlError::new(format!(
                    "Expected equal sign in declaration of an attribute of the tag \"{name}\" at byte offset {begin}"
                )));
            }
            i += 1;
            while is_space(self.at(i)) {
                i += 1;
            }
            if i >= self.bytes.len() {
                return Err(HtmlError::new(format!(
                    "Unclosed start tag \"{name}\" at byte offset {begin}"
                )));
            }
            let value = match self.at(i) {
                quote @ (b'"' | b'\'') => {
                    i += 1;
                    let mut value = String::new();
                    loop {
                        match self.at(i) {
                            _ if i >= self.bytes.len() => {
                                return Err(HtmlError::new(format!(
                                    "Unclosed start tag at byte offset {begin}"
                                )));
                            }
                            b if b == quote => {
                                i += 1;
                                break;
                            }
                            b'&' => {
                                self.pos = i;
                                value.push(self.decode_entity()?);
                                i = self.pos;
                            }
                            _ => {
                                let c = self.src[i..].chars().next().unwrap_or('\u{FFFD}');
                                value.push(c);
                                i += c.len_utf8().max(1);
                            }
                        }
                    }
                    value
                }
                _ => {
                    // An unquoted "name token": letters, digits, '.', '-'.
                    let token_start = i;
                    while self.at(i).is_ascii_alphanumeric() || matches!(self.at(i), b'.' | b'-') {
                        i += 1;
                    }
                    if !is_space(self.at(i)) && self.at(i) != b'>' {
                        return Err(HtmlError::new(format!(
                            "Unexpected end of name token at byte offset {token_start}"
                        )));
                    }
                    self.src[token_start..i].to_ascii_lowercase()
                }
            };
            match (name.as_str(), attr.as_str()) {
                ("a", "href") => argument = Some(value),
                ("code", "class") => {
                    if let Some(lang) = value.strip_prefix("language-") {
                        argument = Some(lang.to_owned());
                    }
                }
                ("span", "class") => {
                    if let Some(kind) = value.strip_prefix("tg-") {
                        argument = Some(kind.to_owned());
                    }
                }
                ("tg-emoji", "emoji-id") => argument = Some(value),
                // Telegram ignores attributes it does not know.
                _ => {}
            }
        }
        if name == "span" && argument.as_deref() != Some("spoiler") {
            return Err(HtmlError::new(format!(
                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
            )));
        }
        if name == "tg-emoji" && argument.is_none() {
            return Err(HtmlError::new(format!(
                "Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset {begin}"
            )));
        }
        self.pos = i + 1;
        self.open.push(OpenTag {
            name,
            argument,
            expandable,
            utf16_start: self.utf16_len,
        });
        Ok(())
    }

    fn end_tag(&mut self) -> Result<(), HtmlError> {
        let begin = self.pos;
        if self.open.is_empty() {
            return Err(HtmlError::new(format!(
                "Unexpected end tag at byte offset {begin}"
            )));
        }
        let mut i = begin + 2;
        while i < self.bytes.len() && !is_space(self.bytes[i]) && self.bytes[i] != b'>' {
            i += 1;
        }
        let end_name = self.src[begin + 2..i].to_ascii_lowercase();
        while is_space(self.at(i)) {
            i += 1;
        }
        if self.at(i) != b'>' {
            return Err(HtmlError::new(format!(
                "Unclosed end tag at byte offset {begin}"
            )));
        }
        let Some(tag) = self.open.pop() else {
            return Err(HtmlError::new(format!(
                "Unexpected end tag at byte offset {begin}"
            )));
        };
        // `</>` closes whatever is open, as in Telegram.
        if !end_name.is_empty() && end_name != tag.name {
            return Err(HtmlError::new(format!(
                "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{end_name}>\"",
                tag.name
            )));
        }
        self.pos = i + 1;
        self.close_entity(tag);
        Ok(())
    }

    fn close_entity(&mut self, tag: OpenTag) {
        let length = self.utf16_len - tag.utf16_start;
        if length == 0 {
            return;
        }
        let (kind, argument) = match tag.name.as_str() {
            "b" | "strong" => ("bold", None),
            "i" | "em" => ("italic", None),
            "u" | "ins" => ("underline", None),
            "s" | "strike" | "del" => ("strikethrough", None),
            "span" | "tg-spoiler" => ("spoiler", None),
            "a" => match tag.argument {
                Some(href) => ("text_link", Some(href)),
                // A link without href is just text.
                None => return,
            },
            "code" => {
                // `<pre><code class="language-x">` makes the surrounding pre carry the language.
                if let (Some(lang), Some(parent)) = (&tag.argument, self.open.last_mut())
                    && parent.name == "pre"
                    && parent.utf16_start == tag.utf16_start
                {
                    parent.argument = Some(lang.clone());
                    return;
                }
                ("code", None)
            }
            "pre" => ("pre", tag.argument),
            "blockquote" if tag.expandable => ("expandable_blockquote", None),
            "blockquote" => ("blockquote", None),
            "tg-emoji" => ("custom_emoji", tag.argument),
            _ => return,
        };
        self.entities.push(HtmlEntity {
            kind,
            offset: tag.utf16_start,
            length,
            argument,
        });
    }
}

/// Length as Telegram counts it: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse_telegram_html(s).expect_err(s).message().to_owned()
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(parse_telegram_html("hello world").unwrap(), "hello world");
        assert_eq!(parse_telegram_html("").unwrap(), "");
    }

    #[test]
    fn nested_tags_are_removed_and_become_entities() {
        let (text, entities) = parse_telegram_html_entities(
            "<b>bold <i>both</i></b> <a href=\"https://x.io/?a=1&amp;b=2\">link</a>",
        )
        .unwrap();
        assert_eq!(text, "bold both link");
        assert_eq!(
            entities,
            vec![
                HtmlEntity {
                    kind: "bold",
                    offset: 0,
                    length: 9,
                    argument: None
                },
                HtmlEntity {
                    kind: "italic",
                    offset: 5,
                    length: 4,
                    argument: None
                },
                HtmlEntity {
                    kind: "text_link",
                    offset: 10,
                    length: 4,
                    argument: Some("https://x.io/?a=1&b=2".into())
                },
            ]
        );
    }

    #[test]
    fn all_supported_tags_parse() {
        let s = "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike>\
                 <del>g</del><span class=\"tg-spoiler\">h</span><tg-spoiler>i</tg-spoiler>\
                 <code>j</code><pre>k</pre><blockquote>l</blockquote>\
                 <blockquote expandable>m</blockquote><tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>\
                 <B>n</B>";
        assert_eq!(parse_telegram_html(s).unwrap(), "abcdefghijklm👍n");
    }

    #[test]
    fn pre_with_language() {
        let (text, entities) = parse_telegram_html_entities(
            "<pre><code class=\"language-rust\">fn x() {}</code></pre>",
        )
        .unwrap();
        assert_eq!(text, "fn x() {}");
        assert_eq!(
            entities,
            vec![HtmlEntity {
                kind: "pre",
                offset: 0,
                length: 9,
                argument: Some("rust".into())
            }]
        );
    }

    #[test]
    fn bare_less_than_is_an_unclosed_tag() {
        assert_eq!(err("a<b"), "Unclosed start tag at byte offset 1");
        assert_eq!(err("1 < 2"), "Unsupported start tag \"\" at byte offset 2");
        assert_eq!(err("x <"), "Unclosed start tag at byte offset 2");
    }

    #[test]
    fn escaped_entities_decode() {
        assert_eq!(
            parse_telegram_html("a &lt;b&gt; &amp; &quot;c&quot; &#65;&#x42;&#X43;").unwrap(),
            "a <b> & \"c\" ABC"
        );
        // Telegram tolerates a missing ';'.
        assert_eq!(parse_telegram_html("&amp &lt").unwrap(), "& <");
    }

    #[test]
    fn unknown_or_bare_entities_are_rejected() {
        assert_eq!(
            err("a&nbsp;b"),
            "Unsupported HTML entity \"&nbsp;\" at byte offset 1"
        );
        assert_eq!(
            err("Tom & Jerry"),
            "Unescaped \"&\" at byte offset 4; use &amp;"
        );
        assert_eq!(
            err("&#0;"),
            "Unsupported HTML entity \"&#0;\" at byte offset 0"
        );
        assert_eq!(
            err("&#xD800;"),
            "Unsupported HTML entity \"&#xD800;\" at byte offset 0"
        );
        assert_eq!(err("a > b"), "Unescaped \">\" at byte offset 2; use &gt;");
    }

    #[test]
    fn unsupported_tags_are_rejected() {
        assert_eq!(
            err("<script>x</script>"),
            "Unsupported start tag \"script\" at byte offset 0"
        );
        assert_eq!(
            err("ok<br>"),
            "Unsupported start tag \"br\" at byte offset 2"
        );
        assert_eq!(
            err("<span>x</span>"),
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
        );
    }

    #[test]
    fn tags_must_close_in_order() {
        assert_eq!(
            err("<b>bold"),
            "Can't find end tag corresponding to start tag \"b\""
        );
        assert_eq!(err("x</b>"), "Unexpected end tag at byte offset 1");
        assert_eq!(
            err("<b><i>x</b></i>"),
            "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""
        );
        assert_eq!(err("<b>x</b"), "Unclosed end tag at byte offset 4");
        // `</>` closes the innermost tag.
        assert_eq!(parse_telegram_html("<b>x</>").unwrap(), "x");
    }

    #[test]
    fn injected_end_tag_in_user_text_is_caught() {
        // A user-supplied "</pre>" inside a <pre> block closes it early and breaks the markup.
        assert_eq!(
            err("<pre>user said </pre> hi</pre>"),
            "Unexpected end tag at byte offset 24"
        );
        // Escaped, it is harmless.
        let escaped = format!("<pre>{}</pre>", escape("user said </pre> hi"));
        assert_eq!(
            parse_telegram_html(&escaped).unwrap(),
            "user said </pre> hi"
        );
    }

    #[test]
    fn attributes() {
        assert_eq!(parse_telegram_html("<a href='x'>y</a>").unwrap(), "y");
        assert_eq!(parse_telegram_html("<a href=x.y-z>y</a>").unwrap(), "y");
        assert_eq!(
            err("<a href=\"x>y</a>"),
            "Unclosed start tag at byte offset 0"
        );
        assert_eq!(
            err("<a href>y</a>"),
            "Expected equal sign in declaration of an attribute of the tag \"a\" at byte offset 0"
        );
        assert_eq!(
            err("<a href=x/y>y</a>"),
            "Unexpected end of name token at byte offset 8"
        );
    }

    #[test]
    fn lengths_are_counted_in_utf16() {
        let text = parse_telegram_html("<b>👍</b>日本").unwrap();
        assert_eq!(text.chars().count(), 3);
        assert_eq!(utf16_len(&text), 4);
        let (_, entities) = parse_telegram_html_entities("日本<b>👍</b>").unwrap();
        assert_eq!(entities[0].offset, 2);
        assert_eq!(entities[0].length, 2);
    }

    #[test]
    fn html_to_plain_falls_back_to_input() {
        assert_eq!(html_to_plain("<b>x</b> &amp; y"), "x & y");
        assert_eq!(html_to_plain("<b>x"), "<b>x");
    }
}
