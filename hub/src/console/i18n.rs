//! The console's words: Chinese in the templates and handlers (the source),
//! English from `hub/console/lang/en.po`, built into the binary. The same
//! convention as the kiosk: a message's Chinese text is its key, and a new
//! language is one more catalog.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The language a page is shown in (the `lang` cookie; Chinese first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse_po(include_str!("../../console/lang/en.po")));

/// The entries of a gettext catalog (single-line `msgid`/`msgstr` pairs).
pub fn parse_po(text: &str) -> HashMap<String, String> {
    let unquote = |s: &str| -> Option<String> {
        let s = s.trim().strip_prefix('"')?.strip_suffix('"')?;
        Some(s.replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"))
    };
    let mut out = HashMap::new();
    let mut id: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgid ") {
            id = unquote(rest);
        } else if let Some(rest) = line.strip_prefix("msgstr ")
            && let (Some(k), Some(v)) = (id.take(), unquote(rest))
            && !k.is_empty()
            && !v.is_empty()
        {
            out.insert(k, v);
        }
    }
    out
}

/// Translates for one page.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// `zh` in the page's language (itself when the catalog lacks it; the
    /// console's tests make sure none is lacking).
    pub fn s<'a>(&self, zh: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => EN.get(zh).map(String::as_str).unwrap_or(zh),
        }
    }

    /// `s`, with each `{}` replaced by the next argument.
    pub fn f(&self, zh: &str, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut parts = self.s(zh).split("{}");
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            if let Some(a) = args.next() {
                out.push_str(&a.to_string());
            }
            out.push_str(part);
        }
        out
    }

    /// `f` with one argument, for templates.
    pub fn f1(&self, zh: &str, a: impl std::fmt::Display) -> String {
        self.f(zh, &[&a])
    }

    /// `f` with two arguments, for templates.
    pub fn f2(&self, zh: &str, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
        self.f(zh, &[&a, &b])
    }

    /// `f` with three arguments, for templates.
    pub fn f3(
        &self,
        zh: &str,
        a: impl std::fmt::Display,
        b: impl std::fmt::Display,
        c: impl std::fmt::Display,
    ) -> String {
        self.f(zh, &[&a, &b, &c])
    }

    /// A time in county time, `2026-11-29 14:30`.
    /// (Templates pass their arguments by reference.)
    pub fn time(&self, ms: &i64) -> String {
        protocol::county_time::minute_text(*ms)
    }

    pub fn opt_time(&self, ms: &Option<i64>) -> String {
        ms.map(protocol::county_time::minute_text).unwrap_or_else(|| "—".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_source_and_english_comes_from_the_catalog() {
        let zh = Tr { lang: Lang::Zh };
        let en = Tr { lang: Lang::En };
        assert_eq!(zh.s("首页"), "首页");
        assert_eq!(en.s("首页"), "Home");
        assert_eq!(en.f("{} 的目录同步失败", &[&"k1"]), "k1: catalog sync failed");
        let po = parse_po("msgid \"a \\\"b\\\"\"\nmsgstr \"c\"\n\nmsgid \"\"\nmsgstr \"header\"\n");
        assert_eq!(po.get("a \"b\"").map(String::as_str), Some("c"));
        assert_eq!(po.len(), 1);
    }
}
