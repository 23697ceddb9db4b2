//! Reply languages and time-zone names.

use chrono_tz::Tz;

/// A language the bot replies in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The short code stored and used for locale lookup: `"en"` or `"zh"`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Parses what a user types after `/lang` (en/english/英文, zh/cn/chinese/中文), case-insensitive.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_lowercase();
        match s.as_str() {
            "en" | "eng" | "english" | "英文" | "英语" => Some(Lang::En),
            "zh" | "cn" | "chinese" | "中文" | "汉语" | "zh-cn" | "zh_cn" | "zh-hans" => {
                Some(Lang::Zh)
            }
            _ => None,
        }
    }

    /// Maps a Telegram `language_code` to a language: `zh*` → Zh, any other code → En, none → None.
    pub fn from_language_code(code: Option<&str>) -> Option<Lang> {
        let code = code?.trim();
        if code.is_empty() {
            return None;
        }
        if code.to_lowercase().starts_with("zh") {
            Some(Lang::Zh)
        } else {
            Some(Lang::En)
        }
    }
}

/// A time-zone name that is not an IANA zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TzError {
    /// The name is not a known IANA time zone.
    #[error("unknown time zone: {input}")]
    Unknown {
        /// What the user typed.
        input: String,
    },
}

/// Parses an exact IANA time-zone name such as `Asia/Shanghai`.
pub fn parse_time_zone(name: &str) -> Result<Tz, TzError> {
    let trimmed = name.trim();
    trimmed.parse::<Tz>().map_err(|_| TzError::Unknown {
        input: name.to_string(),
    })
}

/// A team's time zone, resolved once when the team is read (stored as its IANA name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone(pub Tz);

impl Zone {
    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl TryFrom<String> for Zone {
    type Error = TzError;

    fn try_from(name: String) -> Result<Zone, TzError> {
        parse_time_zone(&name).map(Zone)
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}

impl PartialEq<&str> for Zone {
    fn eq(&self, other: &&str) -> bool {
        self.0.name() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes() {
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::Zh.code(), "zh");
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<Lang>)] = &[
            ("en", Some(Lang::En)),
            ("EN", Some(Lang::En)),
            ("English", Some(Lang::En)),
            ("英文", Some(Lang::En)),
            ("zh", Some(Lang::Zh)),
            ("ZH", Some(Lang::Zh)),
            ("cn", Some(Lang::Zh)),
            ("Chinese", Some(Lang::Zh)),
            ("中文", Some(Lang::Zh)),
            (" zh ", Some(Lang::Zh)),
            ("fr", None),
            ("", None),
            ("zhh", None),
        ];
        for (input, want) in cases {
            assert_eq!(Lang::parse(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn language_code_table() {
        let cases: &[(Option<&str>, Option<Lang>)] = &[
            (Some("zh-hans"), Some(Lang::Zh)),
            (Some("zh"), Some(Lang::Zh)),
            (Some("zh-TW"), Some(Lang::Zh)),
            (Some("ZH"), Some(Lang::Zh)),
            (Some("en"), Some(Lang::En)),
            (Some("ru"), Some(Lang::En)),
            (Some("de-DE"), Some(Lang::En)),
            (Some(""), None),
            (None, None),
        ];
        for (input, want) in cases {
            assert_eq!(Lang::from_language_code(*input), *want, "input {input:?}");
        }
    }

    #[test]
    fn time_zones() {
        assert_eq!(
            parse_time_zone("Asia/Shanghai"),
            Ok(chrono_tz::Asia::Shanghai)
        );
        assert_eq!(
            parse_time_zone("America/New_York"),
            Ok(chrono_tz::America::New_York)
        );
        assert_eq!(parse_time_zone("UTC"), Ok(chrono_tz::UTC));
        assert_eq!(
            parse_time_zone("Mars/Base"),
            Err(TzError::Unknown {
                input: "Mars/Base".into()
            })
        );
        assert!(parse_time_zone("").is_err());
        assert!(parse_time_zone("+08:00").is_err());
    }

    proptest! {
        #[test]
        fn no_panics(s in ".*") {
            let _ = Lang::parse(&s);
            let _ = Lang::from_language_code(Some(&s));
            let _ = parse_time_zone(&s);
        }
    }
}
