//! Glyphs and border sets, in Unicode or (for non-UTF-8 locales) plain ASCII.

use ratatui::symbols::border;

/// The glyphs the UI draws with.
#[derive(Debug, Clone, Copy)]
pub struct Symbols {
    pub border: border::Set<'static>,
    pub warning: &'static str,
    pub separator: &'static str,
    pub cursor: &'static str,
    pub pointer: &'static str,
    /// Plain ASCII only (no UTF-8 terminal, or asked for): drawings pick ASCII forms too.
    pub ascii: bool,
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Symbols {
    pub const UNICODE: Symbols = Symbols {
        border: border::ROUNDED,
        warning: "⚠",
        separator: "│",
        cursor: "█",
        pointer: "›",
        ascii: false,
    };

    pub const ASCII: Symbols = Symbols {
        border: ASCII_BORDER,
        warning: "!",
        separator: "|",
        cursor: "_",
        pointer: ">",
        ascii: true,
    };

    pub fn new(ascii: bool) -> Symbols {
        if ascii {
            Symbols::ASCII
        } else {
            Symbols::UNICODE
        }
    }
}
