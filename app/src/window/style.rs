//! Text people can read: no text below the body size, and every text colour of both themes at
//! WCAG 2.1 AA contrast (4.5:1) on every background text is drawn on.
//!
//! egui's defaults draw `small()` text at 9 px and, in the light theme, weak text, warnings,
//! errors and links below 4.5:1 on its panels (weak grey ≈ 3:1, the orange warning ≈ 2.9:1).
//! [`readable`] sets the small style to the body size (weak colour, not size, marks what is
//! secondary) and picks colours that pass; the test below measures them.

use eframe::egui::{self, Color32, TextStyle};

/// Applies the window's readable text to `style` (both themes call it).
pub(super) fn readable(style: &mut egui::Style) {
    if let Some(body) = style.text_styles.get(&TextStyle::Body).cloned() {
        style.text_styles.insert(TextStyle::Small, body);
    }
    let visuals = &mut style.visuals;
    if visuals.dark_mode {
        visuals.weak_text_color = Some(Color32::from_gray(160));
        visuals.hyperlink_color = Color32::from_rgb(110, 180, 255);
        visuals.error_fg_color = Color32::from_rgb(255, 95, 95);
    } else {
        visuals.weak_text_color = Some(Color32::from_gray(95));
        visuals.warn_fg_color = Color32::from_rgb(170, 70, 0);
        visuals.error_fg_color = Color32::from_rgb(190, 0, 0);
        visuals.hyperlink_color = Color32::from_rgb(0, 85, 170);
    }
}

#[cfg(test)]
mod tests {
    use eframe::egui::Visuals;

    use super::*;

    /// Named colours.
    type Named = Vec<(&'static str, Color32)>;

    /// WCAG 2.1 relative luminance of an opaque colour.
    fn luminance(c: Color32) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.040_45 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }

    /// `fg` (which may be translucent) drawn over the opaque `bg`.
    fn over(fg: Color32, bg: Color32) -> Color32 {
        let [red, green, blue, alpha] = fg.to_srgba_unmultiplied();
        let alpha = f64::from(alpha) / 255.0;
        let mix = |front: u8, back: u8| {
            // Rounded to the nearest channel value; the result lies in 0..=255.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let mixed = (f64::from(front) * alpha + f64::from(back) * (1.0 - alpha)).round() as u8;
            mixed
        };
        Color32::from_rgb(mix(red, bg.r()), mix(green, bg.g()), mix(blue, bg.b()))
    }

    /// The contrast ratio of `fg` drawn on `bg`, 1 to 21.
    fn contrast(fg: Color32, bg: Color32) -> f64 {
        let (a, b) = (luminance(over(fg, bg)), luminance(bg));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The text colours of `visuals`, named, and the backgrounds text is drawn on.
    fn text_on_backgrounds(visuals: &Visuals) -> (Named, Named) {
        let panel = visuals.panel_fill;
        (
            vec![
                ("text", visuals.text_color()),
                ("strong text", visuals.strong_text_color()),
                ("weak text", visuals.weak_text_color()),
                ("warning", visuals.warn_fg_color),
                ("error", visuals.error_fg_color),
                ("link", visuals.hyperlink_color),
            ],
            vec![
                ("panel", panel),
                ("window", visuals.window_fill),
                ("text field", visuals.extreme_bg_color),
                ("striped row", over(visuals.faint_bg_color, panel)),
            ],
        )
    }

    #[test]
    fn every_text_colour_passes_wcag_aa_on_every_background_in_both_themes() {
        let mut failures = Vec::new();
        for dark in [false, true] {
            let mut style = egui::Style {
                visuals: if dark {
                    Visuals::dark()
                } else {
                    Visuals::light()
                },
                ..egui::Style::default()
            };
            readable(&mut style);
            let (texts, backgrounds) = text_on_backgrounds(&style.visuals);
            for (text, fg) in &texts {
                for (background, bg) in &backgrounds {
                    let ratio = contrast(*fg, *bg);
                    if ratio < 4.5 {
                        failures.push(format!(
                            "{} theme: {text} on {background}: {ratio:.2}:1",
                            if dark { "dark" } else { "light" }
                        ));
                    }
                }
            }
            let body = style.text_styles[&TextStyle::Body].size;
            for (name, font) in &style.text_styles {
                if !matches!(name, TextStyle::Heading) && font.size < body {
                    failures.push(format!("{name:?} text at {} px, body {body} px", font.size));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn egui_defaults_fail_where_this_module_says() {
        // The reason the module exists, measured: the light theme's weak text and warning.
        let light = Visuals::light();
        assert!(contrast(light.weak_text_color(), light.panel_fill) < 4.5);
        assert!(contrast(light.warn_fg_color, light.panel_fill) < 4.5);
        assert!(egui::Style::default().text_styles[&TextStyle::Small].size < 12.0);
    }
}
