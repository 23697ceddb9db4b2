//! Reply texts live in `locales/{en,zh}.yml`; every lookup names its language (no process-wide
//! locale, since one process serves teams in both languages at once).

use crate::domain::lang::Lang;

/// The text for `key` in `lang`, with `%{name}` placeholders filled from `args`.
/// Arguments are inserted as given: callers escape user text (`html::escape`) first.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let template = crate::_rust_i18n_try_translate(lang.code(), key)
        .or_else(|| crate::_rust_i18n_try_translate("en", key))
        .map(|t| t.into_owned())
        .unwrap_or_else(|| {
            tracing::error!(key, "missing translation");
            key.to_string()
        });
    fill(&template, args)
}

/// Whether `key` exists for `lang` (used by `/help <command>`).
pub fn has(lang: Lang, key: &str) -> bool {
    crate::_rust_i18n_try_translate(lang.code(), key).is_some()
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find("%{") {
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

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fills_placeholders_and_keeps_unknown_ones() {
        assert_eq!(fill("a %{x} b %{y}", &[("x", "1")]), "a 1 b %{y}");
        assert_eq!(fill("%{x}%{x}", &[("x", "é")]), "éé");
        assert_eq!(fill("no close %{x", &[("x", "1")]), "no close %{x");
    }
}
