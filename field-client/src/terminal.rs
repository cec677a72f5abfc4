//! Terminal presentation: highlighted snippets as bold text on a terminal, brackets elsewhere.

use std::io::IsTerminal;

/// How to render emphasis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    /// Colour on a terminal unless `NO_COLOR` is set.
    pub fn detect() -> Style {
        Style { colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        if self.colour { format!("\x1b[1m{text}\x1b[0m") } else { text.to_string() }
    }

    /// Dim text.
    pub fn dim(self, text: &str) -> String {
        if self.colour { format!("\x1b[2m{text}\x1b[0m") } else { text.to_string() }
    }

    /// Turns an HTML snippet (escaped text with `<mark>`) into terminal text.
    pub fn snippet(self, html: &str) -> String {
        let (open, close) = if self.colour { ("\x1b[1;33m", "\x1b[0m") } else { ("[", "]") };
        let text = html.replace("<mark>", open).replace("</mark>", close);
        unescape_html(&text)
    }
}

/// Reverses the escaping of snippets (any HTML entity, named or numeric).
pub fn unescape_html(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_show_as_plain_marked_text() {
        let plain = Style { colour: false };
        let html = "<mark>Five</mark>-axis &amp; &lt;B&gt; &quot;mill&quot; &#39;x&#39; &#x27;y&#x27;";
        assert_eq!(plain.snippet(html), "[Five]-axis & <B> \"mill\" 'x' 'y'");
    }
}
