//! Why a typed amount, count or rate was refused, naming what was typed. One renderer for every
//! command that reads numbers (check-ins, goals, budgets): the sentence stands on its own, so a
//! caller may put it after its own context (`spend=abc: …`) or use it alone.

use crate::domain::lang::Lang;
use crate::domain::money::AmountError;
use crate::tr;

use super::html::Html;

/// `<code>abc</code> is not a number I understand (e.g. …).`
pub fn amount_reason(lang: Lang, err: &AmountError) -> Html {
    let (key, input) = match err {
        AmountError::Invalid { input } => ("amount.invalid", input),
        AmountError::Negative { input } => ("amount.negative", input),
        AmountError::TooPrecise { input } => ("amount.too_precise", input),
        AmountError::TooLarge { input } => ("amount.too_large", input),
        AmountError::NotInteger { input } => ("amount.not_integer", input),
    };
    tr!(lang, key, input = input.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_quotes_the_input_escaped_in_both_languages() {
        let input = "<b>1".to_string();
        let errors = [
            AmountError::Invalid {
                input: input.clone(),
            },
            AmountError::Negative {
                input: input.clone(),
            },
            AmountError::TooPrecise {
                input: input.clone(),
            },
            AmountError::TooLarge {
                input: input.clone(),
            },
            AmountError::NotInteger { input },
        ];
        for lang in [Lang::En, Lang::Zh] {
            for e in &errors {
                let text = amount_reason(lang, e);
                assert!(text.as_str().contains("<code>&lt;b&gt;1</code>"), "{text}");
                assert!(!text.as_str().starts_with("amount."), "{text}");
            }
        }
    }
}
