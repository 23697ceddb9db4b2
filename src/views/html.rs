//! `Html`: text that is valid Telegram HTML by construction. User text becomes `Html` only by
//! being escaped; markup comes from translations or from fixed strings written in this crate.
//! The translation lookup (`tr!`) escapes plain-text arguments itself, so an unescaped user
//! string cannot reach Telegram.

use std::borrow::Cow;
use std::fmt;

use crate::domain::lang::Lang;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Html(String);

impl Html {
    pub fn new() -> Html {
        Html(String::new())
    }

    /// Plain text, escaped.
    pub fn text(s: &str) -> Html {
        Html(teloxide::utils::html::escape(s))
    }

    /// Markup written in this crate (a fixed tag, an emoji, a separator). Never pass user text.
    pub fn markup(s: &'static str) -> Html {
        Html(s.to_string())
    }

    /// Markup assembled by a renderer from pieces that are already safe (translations, escaped
    /// text, numbers). The name is the warning: the caller vouches for every piece.
    pub fn from_trusted(s: String) -> Html {
        Html(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, other: &Html) {
        self.0.push_str(&other.0);
    }

    pub fn push_text(&mut self, s: &str) {
        self.0.push_str(&teloxide::utils::html::escape(s));
    }

    /// `<b>text</b>`, escaped.
    pub fn bold(s: &str) -> Html {
        Html(format!("<b>{}</b>", teloxide::utils::html::escape(s)))
    }

    /// `<code>text</code>`, escaped.
    pub fn code(s: &str) -> Html {
        Html(format!("<code>{}</code>", teloxide::utils::html::escape(s)))
    }

    /// Joins pieces with a fixed separator.
    pub fn join<'a>(parts: impl IntoIterator<Item = &'a Html>, sep: &str) -> Html {
        let mut out = String::new();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push_str(&teloxide::utils::html::escape(sep));
            }
            out.push_str(&part.0);
        }
        Html(out)
    }

    /// Joins owned pieces with line breaks.
    pub fn lines(parts: impl IntoIterator<Item = Html>) -> Html {
        let parts: Vec<Html> = parts.into_iter().collect();
        Html::join(&parts, "\n")
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Html {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What a translation placeholder may be filled with: plain text (escaped on the way in),
/// `Html` (inserted as is) or a number.
pub trait TrArg: Sync {
    fn to_html(&self) -> Cow<'_, str>;
}

impl TrArg for str {
    fn to_html(&self) -> Cow<'_, str> {
        Cow::Owned(teloxide::utils::html::escape(self))
    }
}

impl TrArg for String {
    fn to_html(&self) -> Cow<'_, str> {
        self.as_str().to_html()
    }
}

impl TrArg for Html {
    fn to_html(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

impl<T: TrArg + ?Sized> TrArg for &T {
    fn to_html(&self) -> Cow<'_, str> {
        (**self).to_html()
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl TrArg for $t {
            fn to_html(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize);

/// The text for `key` in `lang` (English when the key is missing there), with `%{name}`
/// placeholders filled. Templates are trusted markup (tests/locales.rs validates them).
pub fn tr(lang: Lang, key: &str, args: &[(&str, &dyn TrArg)]) -> Html {
    let filled: Vec<(&str, Cow<'_, str>)> = args.iter().map(|(k, v)| (*k, v.to_html())).collect();
    let pairs: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    Html(crate::i18n::tr(lang, key, &pairs))
}

/// `tr!(lang, "key", name = value, …)`: the translation with its placeholders filled; `value`
/// is text (escaped), `Html` (as is) or a number.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::views::html::tr(
            $lang,
            $key,
            &[$((stringify!($name), &$value as &dyn $crate::views::html::TrArg)),*],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_arguments_are_escaped_and_html_arguments_are_not() {
        let user = "<b>a&b</b>";
        let html = Html::bold("x");
        let pairs: [(&str, &dyn TrArg); 3] = [("t", &user), ("h", &html), ("n", &7i64)];
        let filled: Vec<String> = pairs
            .iter()
            .map(|(_, v)| v.to_html().into_owned())
            .collect();
        assert_eq!(filled, ["&lt;b&gt;a&amp;b&lt;/b&gt;", "<b>x</b>", "7"]);
    }

    #[test]
    fn join_escapes_the_separator_only() {
        let parts = [Html::bold("a"), Html::text("<c>")];
        assert_eq!(
            Html::join(&parts, " & ").as_str(),
            "<b>a</b> &amp; &lt;c&gt;"
        );
    }

    #[test]
    fn tr_macro_fills_from_the_locale() {
        let out = crate::tr!(Lang::En, "no.such.key.for.test", x = "<y>");
        assert_eq!(out.as_str(), "no.such.key.for.test");
    }
}
