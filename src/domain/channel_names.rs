//! Channel names as a team speaks of them: letters of any script, digits and `_`, up to 20
//! characters (`淘宝`, `xhs`, `视频号_2`), and the common platforms' aliases both ways, so a
//! team whose channel is `淘宝` can write `taobao`, `#淘宝` or `天猫`. Resolution of what was
//! typed against the team's channels happens here and nowhere else.

/// The longest channel name, in characters.
pub const MAX_NAME_CHARS: usize = 20;

/// Names that mean the same platform, the first being the usual Latin slug. Checked before
/// [`FAMILIES`].
const ALIASES: &[&[&str]] = &[
    &["taobao", "淘宝"],
    &["tmall", "天猫"],
    &["douyin", "抖音", "千川"],
    &["xhs", "小红书", "红书", "xiaohongshu", "red"],
    &["jd", "京东", "jingdong"],
    &["pdd", "拼多多", "pinduoduo"],
    &["channels", "视频号", "shipinhao"],
    &["wechat", "微信", "私域", "weixin"],
    &["kuaishou", "快手"],
    &["wecom", "企业微信", "企微"],
    &["weibo", "微博"],
    &["bilibili", "b站", "哔哩哔哩"],
];

/// Platforms people name interchangeably (淘宝 and 天猫 are one marketplace to most teams):
/// used only when no closer alias matches exactly one channel.
const FAMILIES: &[&[&str]] = &[&["taobao", "tmall"]];

/// The stored form of a typed name: `#` dropped, full-width ASCII folded (`ｘｈｓ`), lowercase.
pub fn fold(s: &str) -> String {
    // Full-width first, so `＃ ＃xhs` loses every leading mark, not just the first run.
    let half: String = s
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    half.trim_start_matches(|c: char| c == '#' || c.is_whitespace())
        .trim_end()
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a folded name may be a channel's: letters of any script, digits, `_`.
pub fn valid_chars(name: &str) -> bool {
    name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The alias group of a folded name, if it is a known platform.
fn group(name: &str) -> Option<&'static [&'static str]> {
    ALIASES.iter().copied().find(|g| g.contains(&name))
}

/// The usual Latin slug of a known platform name (`淘宝` → `taobao`).
pub fn latin_slug(name: &str) -> Option<&'static str> {
    group(&fold(name)).and_then(|g| g.first().copied())
}

/// Which of `names` (the team's stored channel names) `typed` refers to: the exact name, else
/// the one channel sharing its alias group, else the one sharing its family. None when nothing
/// or more than one channel fits (the caller lists the channels).
pub fn resolve<'a>(typed: &str, names: &'a [String]) -> Option<&'a String> {
    let key = fold(typed);
    if key.is_empty() {
        return None;
    }
    if let Some(n) = names.iter().find(|n| **n == key) {
        return Some(n);
    }
    let slug = group(&key)?.first().copied()?;
    let in_group = |n: &String| latin_slug(n) == Some(slug);
    if let Some(n) = only(names.iter().filter(|n| in_group(n))) {
        return Some(n);
    }
    let family = FAMILIES.iter().find(|f| f.contains(&slug))?;
    only(
        names
            .iter()
            .filter(|n| latin_slug(n).is_some_and(|s| family.contains(&s))),
    )
}

/// Whether two names are spellings of one platform (`淘宝` and `taobao`, not `tmall`).
pub fn same_platform(a: &str, b: &str) -> bool {
    let (a, b) = (fold(a), fold(b));
    a == b || group(&a).is_some_and(|g| g.contains(&b.as_str()))
}

fn only<T>(mut it: impl Iterator<Item = T>) -> Option<T> {
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn typed_names_resolve_both_ways() {
        let team = names(&["淘宝", "douyin", "小红书", "jd_2", "私域"]);
        let cases = [
            ("淘宝", Some("淘宝")),
            ("#淘宝", Some("淘宝")),
            ("＃淘宝", Some("淘宝")),
            ("taobao", Some("淘宝")),
            ("TaoBao", Some("淘宝")),
            ("天猫", Some("淘宝")),
            ("tmall", Some("淘宝")),
            ("抖音", Some("douyin")),
            ("千川", Some("douyin")),
            ("#ｄｏｕｙｉｎ", Some("douyin")),
            ("xhs", Some("小红书")),
            ("红书", Some("小红书")),
            ("wechat", Some("私域")),
            ("微信", Some("私域")),
            ("jd_2", Some("jd_2")),
            ("jd", None),
            ("京东", None),
            ("快手", None),
            ("", None),
            ("#", None),
        ];
        for (typed, want) in cases {
            assert_eq!(resolve(typed, &team).map(String::as_str), want, "{typed}");
        }
    }

    #[test]
    fn the_closer_alias_wins_and_a_tie_is_refused() {
        let both = names(&["淘宝", "tmall"]);
        assert_eq!(resolve("taobao", &both).map(String::as_str), Some("淘宝"));
        assert_eq!(resolve("天猫", &both).map(String::as_str), Some("tmall"));
        let twins = names(&["抖音", "千川"]);
        assert_eq!(resolve("douyin", &twins), None);
        assert_eq!(resolve("千川", &twins).map(String::as_str), Some("千川"));
    }

    #[test]
    fn names_fold_and_validate() {
        assert_eq!(fold(" #XHS "), "xhs");
        assert_eq!(fold("＃ＸＨＳ"), "xhs");
        // Found by the fuzz suite: a full-width mark after a space kept its `#`.
        assert_eq!(fold("＃ ＃ ＃"), "");
        assert_eq!(fold("# ＃xhs"), "xhs");
        assert_eq!(fold("淘宝"), "淘宝");
        for ok in ["淘宝", "xhs", "视频号_2", "ozon", "вконтакте", "라인"] {
            assert!(valid_chars(&fold(ok)), "{ok}");
        }
        for bad in ["my-shop", "a b", "<b>", "x\u{200B}", "淘宝!", "a.b"] {
            assert!(!valid_chars(&fold(bad)), "{bad}");
        }
        assert_eq!(latin_slug("小红书"), Some("xhs"));
        assert!(same_platform("淘宝", "TAOBAO"));
        assert!(!same_platform("淘宝", "tmall"));
        assert!(same_platform("x", "#X"));
        assert_eq!(latin_slug("某平台"), None);
    }

    proptest! {
        #[test]
        fn a_stored_name_always_resolves_to_itself(
            list in prop::collection::vec("[a-z淘宝抖音小红书天猫京东_0-9]{1,6}", 1..6),
            pick in any::<prop::sample::Index>(),
        ) {
            let mut list = list;
            list.sort();
            list.dedup();
            let name = pick.get(&list).clone();
            prop_assert_eq!(resolve(&name, &list), Some(&name));
            prop_assert_eq!(resolve(&format!("#{name}"), &list), Some(&name));
        }

        #[test]
        fn resolve_never_panics_and_returns_a_member(typed in "\\PC{0,30}", list in prop::collection::vec("\\PC{0,8}", 0..5)) {
            if let Some(n) = resolve(&typed, &list) {
                prop_assert!(list.contains(n));
            }
        }
    }
}
