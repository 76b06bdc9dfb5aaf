//! Colours in theme files (`"#89b4fa"`, `"#fff"`, `"red"`, `"reset"`, `123`) and how many colours
//! the terminal shows (truecolor, 256, 16 or none), with the downgrade between them.

use ratatui::style::Color;

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    /// No colour at all (`NO_COLOR`, the mono theme, or a dumb terminal): modifiers only.
    None,
}

impl ColorDepth {
    /// Reads `NO_COLOR`, `COLORTERM` and `TERM` the way most terminal programs do.
    pub fn detect(no_color: bool, colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        if no_color {
            return ColorDepth::None;
        }
        if colorterm.is_some_and(|value| value == "truecolor" || value == "24bit") {
            return ColorDepth::TrueColor;
        }
        match term {
            Some("dumb") => ColorDepth::None,
            Some(term) if term.contains("truecolor") || term.contains("direct") => {
                ColorDepth::TrueColor
            }
            Some(term) if term.contains("256") => ColorDepth::Ansi256,
            _ => ColorDepth::Ansi16,
        }
    }

    /// Parses the `color` setting (`auto` is handled by the caller).
    pub fn from_setting(value: &str) -> Option<ColorDepth> {
        match value {
            "truecolor" | "24bit" => Some(ColorDepth::TrueColor),
            "256" => Some(ColorDepth::Ansi256),
            "16" => Some(ColorDepth::Ansi16),
            "none" | "mono" => Some(ColorDepth::None),
            _ => None,
        }
    }

    /// `color` in a form the terminal can show, or `None` at depth `None`.
    pub fn adapt(self, color: Color) -> Option<Color> {
        match (self, color) {
            (ColorDepth::None, _) => None,
            (ColorDepth::TrueColor, color) => Some(color),
            (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Some(Color::Indexed(rgb_to_256(r, g, b))),
            (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => Some(nearest_16(r, g, b)),
            (ColorDepth::Ansi16, Color::Indexed(index)) if index >= 16 => {
                let (r, g, b) = indexed_to_rgb(index);
                Some(nearest_16(r, g, b))
            }
            (_, color) => Some(color),
        }
    }
}

const NAMED: &[(&str, Color)] = &[
    ("reset", Color::Reset),
    ("default", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("grey", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("darkgrey", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

/// Parses a colour literal: `#rrggbb`, `#rgb`, an ANSI name, or `reset`.
pub fn parse_color(text: &str) -> Option<Color> {
    if let Some(hex) = text.strip_prefix('#') {
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect::<Option<_>>()?;
        return match digits.as_slice() {
            [r, g, b] => Some(Color::Rgb(r * 17, g * 17, b * 17)),
            [r1, r2, g1, g2, b1, b2] => Some(Color::Rgb(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => None,
        };
    }
    let lower = text.to_ascii_lowercase().replace(['_', '-', ' '], "");
    NAMED
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, color)| *color)
}

/// The xterm-256 index nearest to an RGB colour (colour cube or grey ramp).
pub fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    const STEPS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let cube_index = |v: u8| -> usize {
        STEPS
            .iter()
            .enumerate()
            .min_by_key(|(_, step)| (i32::from(**step) - i32::from(v)).abs())
            .map(|(i, _)| i)
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (cube_index(r), cube_index(g), cube_index(b));
    let cube = (STEPS[ri], STEPS[gi], STEPS[bi]);
    let average = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let grey_index = (average.saturating_sub(3) / 10).min(23) as u8;
    let grey_level = 8 + 10 * grey_index;
    let grey = (grey_level, grey_level, grey_level);
    if distance((r, g, b), grey) < distance((r, g, b), cube) {
        232 + grey_index
    } else {
        16 + (36 * ri + 6 * gi + bi) as u8
    }
}

/// RGB of an xterm-256 index ≥ 16.
fn indexed_to_rgb(index: u8) -> (u8, u8, u8) {
    const STEPS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    if index >= 232 {
        let level = 8 + 10 * (index - 232);
        return (level, level, level);
    }
    let cube = index.saturating_sub(16) as usize;
    (STEPS[cube / 36 % 6], STEPS[cube / 6 % 6], STEPS[cube % 6])
}

/// The ANSI colour that best keeps an RGB colour's meaning: greys by lightness, other colours
/// by hue, with the bright variant for light colours. (Plain nearest-distance turns pastel reds
/// and greens into grey, losing the meaning of the colour.)
fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    let (rf, gf, bf) = (
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
    );
    let max = rf.max(gf).max(bf);
    let min = rf.min(gf).min(bf);
    let chroma = max - min;
    let lightness = (max + min) / 2.0;
    if chroma < 0.15 {
        return match lightness {
            l if l < 0.2 => Color::Black,
            l if l < 0.5 => Color::DarkGray,
            l if l < 0.8 => Color::Gray,
            _ => Color::White,
        };
    }
    let hue = if max == rf {
        60.0 * ((gf - bf) / chroma).rem_euclid(6.0)
    } else if max == gf {
        60.0 * ((bf - rf) / chroma + 2.0)
    } else {
        60.0 * ((rf - gf) / chroma + 4.0)
    };
    let bright = lightness >= 0.5;
    let pick = |normal: Color, light: Color| if bright { light } else { normal };
    match hue {
        h if !(30.0..330.0).contains(&h) => pick(Color::Red, Color::LightRed),
        h if h < 90.0 => pick(Color::Yellow, Color::LightYellow),
        h if h < 150.0 => pick(Color::Green, Color::LightGreen),
        h if h < 210.0 => pick(Color::Cyan, Color::LightCyan),
        h if h < 270.0 => pick(Color::Blue, Color::LightBlue),
        _ => pick(Color::Magenta, Color::LightMagenta),
    }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_literals() {
        assert_eq!(parse_color("#ff8000"), Some(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("#f80"), Some(Color::Rgb(255, 136, 0)));
        assert_eq!(parse_color("LightRed"), Some(Color::LightRed));
        assert_eq!(parse_color("dark-gray"), Some(Color::DarkGray));
        assert_eq!(parse_color("#ggg"), None);
        assert_eq!(parse_color("#12345"), None);
        assert_eq!(parse_color("chartreuse"), None);
    }

    #[test]
    fn downgrades_to_the_nearest_colour() {
        assert_eq!(rgb_to_256(255, 0, 0), 196);
        assert_eq!(rgb_to_256(0, 0, 0), 16);
        assert_eq!(rgb_to_256(128, 128, 128), 244);
        assert_eq!(
            ColorDepth::Ansi16.adapt(Color::Rgb(250, 10, 10)),
            Some(Color::LightRed)
        );
        assert_eq!(
            ColorDepth::Ansi16.adapt(Color::Indexed(196)),
            Some(Color::LightRed)
        );
        assert_eq!(ColorDepth::None.adapt(Color::Red), None);
        assert_eq!(ColorDepth::Ansi256.adapt(Color::Green), Some(Color::Green));
    }

    #[test]
    fn detects_depth_from_the_environment() {
        assert_eq!(
            ColorDepth::detect(true, Some("truecolor"), Some("xterm-256color")),
            ColorDepth::None
        );
        assert_eq!(
            ColorDepth::detect(false, Some("truecolor"), Some("screen")),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect(false, None, Some("tmux-256color")),
            ColorDepth::Ansi256
        );
        assert_eq!(
            ColorDepth::detect(false, None, Some("xterm")),
            ColorDepth::Ansi16
        );
        assert_eq!(
            ColorDepth::detect(false, None, Some("dumb")),
            ColorDepth::None
        );
    }
}
