//! Every key exists in both locale files with the same placeholders, so no reply falls back to a
//! key name or loses a value in one language.

use std::collections::{BTreeMap, BTreeSet};

fn flatten(prefix: &str, value: &serde_yaml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            for (k, v) in map {
                let key = k.as_str().expect("string keys");
                if key.starts_with('_') {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.to_string()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        serde_yaml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!("{prefix}: unexpected value {other:?}"),
    }
}

/// Every `locales/*.yml` whose name ends in `<lang>` (`en.yml`, `plan.en.yml`), merged.
fn load(lang: &str) -> BTreeMap<String, String> {
    let dir = format!("{}/locales", env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("locales dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if name != format!("{lang}.yml") && !name.ends_with(&format!(".{lang}.yml")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("locale file");
        let value: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        let mut part = BTreeMap::new();
        flatten("", &value, &mut part);
        for (k, v) in part {
            assert!(
                out.insert(k.clone(), v).is_none(),
                "{k} is defined twice for {lang}"
            );
        }
    }
    out
}

fn placeholders(s: &str) -> BTreeSet<String> {
    s.split("%{")
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn both_locales_have_the_same_keys_and_placeholders() {
    let en = load("en");
    let zh = load("zh");
    let en_keys: BTreeSet<_> = en.keys().collect();
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    assert_eq!(
        en_keys.symmetric_difference(&zh_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "keys present in only one locale"
    );
    for (key, en_text) in &en {
        assert_eq!(
            placeholders(en_text),
            placeholders(&zh[key]),
            "placeholders differ for {key}"
        );
    }
    assert!(en.len() > 20, "locale files look empty");
}

#[test]
fn every_locale_text_is_valid_telegram_html_once_filled() {
    for lang in ["en", "zh"] {
        for (key, text) in load(lang) {
            let filled = placeholders(&text)
                .iter()
                .fold(text.clone(), |t, p| t.replace(&format!("%{{{p}}}"), "x"));
            if let Err(err) = campaign_bot::console::html::parse_telegram_html(&filled) {
                panic!("{lang}.{key} is not valid Telegram HTML: {err:?}");
            }
        }
    }
}
