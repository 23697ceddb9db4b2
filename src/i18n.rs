//! Reply texts live in `locales/{en,zh}.yml`; every lookup names its language (no process-wide
//! locale, since one process serves teams in both languages at once).

use crate::domain::lang::Lang;

/// The text for `key` in `lang`, with `%{name}` placeholders filled from `args`.
/// Arguments are inserted as given: callers escape user text (`html::escape`) first.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    // Filled from the stored text as is, not from a copy of it.
    match crate::_rust_i18n_try_translate(lang.code(), key)
        .or_else(|| crate::_rust_i18n_try_translate("en", key))
    {
        Some(template) => fill(&template, args),
        None => {
            tracing::error!(key, "missing translation");
            fill(key, args)
        }
    }
}

/// Whether `key` exists for `lang` (used by `/help <command>`).
pub fn has(lang: Lang, key: &str) -> bool {
    crate::_rust_i18n_try_translate(lang.code(), key).is_some()
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = find_placeholder(rest) {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the next `%{` starts. A byte scan: `str::find` with a two-byte pattern sets up a
/// two-way search on each call, most of a translation's cost (issue 13: 25 per `/checkin`).
fn find_placeholder(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| b == b'%') {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{fill, find_placeholder};
    use proptest::prelude::*;

    #[test]
    fn fills_placeholders_and_keeps_unknown_ones() {
        assert_eq!(fill("a %{x} b %{y}", &[("x", "1")]), "a 1 b %{y}");
        assert_eq!(fill("%{x}%{x}", &[("x", "é")]), "éé");
        assert_eq!(fill("no close %{x", &[("x", "1")]), "no close %{x");
        assert_eq!(fill("100% {x} %%{x}%", &[("x", "1")]), "100% {x} %1%");
        assert_eq!(fill("增长 %{x}%", &[("x", "5")]), "增长 5%");
    }

    proptest! {
        /// The byte scan finds what `str::find("%{")` finds, in any text.
        #[test]
        fn the_byte_scan_finds_what_str_find_finds(text in "[%{}a-zé增 ]{0,40}") {
            prop_assert_eq!(find_placeholder(&text), text.find("%{"));
        }
    }
}
