//! Where a remembered window may come back: on a monitor that is attached now.
//!
//! tauri-plugin-window-state restores the saved position only when a corner of the window lies
//! on some monitor, so a window whose title bar hangs off the top of the screen, or of which a
//! sliver is left on a monitor, comes back where nobody can grab it. Before the plugin reads
//! its file, the app corrects the saved rectangles with [`correct_saved_states`]: a window whose
//! title bar is not reachable on any monitor is moved (and shrunk, if it no longer fits) onto
//! the monitor it overlaps most, or onto the primary monitor when it overlaps none — the usual
//! case of a monitor since unplugged. Plain geometry, no Tauri types, so it is tested here.

use serde_json::Value;

/// The height of the band at the top of a window that must be on a monitor for the window to
/// be grabbed and moved (a title bar, with some slack).
pub const TITLE_BAND: u32 = 32;
/// How much of that band, in width, must be on one monitor.
pub const MIN_GRAB_WIDTH: u32 = 96;

/// A rectangle in physical pixels: a window's outer position and size, or a monitor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn new(x: i32, y: i32, width: u32, height: u32) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    fn right(&self) -> i64 {
        i64::from(self.x) + i64::from(self.width)
    }

    fn bottom(&self) -> i64 {
        i64::from(self.y) + i64::from(self.height)
    }

    /// Width and height of the overlap with `other` (zero when they don't overlap).
    fn overlap(&self, other: &Rect) -> (i64, i64) {
        let w = self.right().min(other.right()) - i64::from(self.x.max(other.x));
        let h = self.bottom().min(other.bottom()) - i64::from(self.y.max(other.y));
        (w.max(0), h.max(0))
    }

    fn overlap_area(&self, other: &Rect) -> i64 {
        let (w, h) = self.overlap(other);
        w * h
    }
}

/// True when the window's title band lies fully (in height) on one monitor, over at least
/// [`MIN_GRAB_WIDTH`] pixels (or the whole width of a narrower window).
pub fn is_reachable(window: Rect, monitors: &[Rect]) -> bool {
    let band = Rect::new(
        window.x,
        window.y,
        window.width,
        TITLE_BAND.min(window.height),
    );
    let need_width = i64::from(MIN_GRAB_WIDTH.min(window.width));
    monitors.iter().any(|m| {
        let (w, h) = band.overlap(m);
        w >= need_width && h == i64::from(band.height)
    })
}

/// Where to put `window` so it can be reached, or `None` when it can be as it is (or there is
/// no monitor to put it on). `primary` is used when the window overlaps no monitor at all.
pub fn bring_on_screen(window: Rect, monitors: &[Rect], primary: Option<Rect>) -> Option<Rect> {
    if monitors.is_empty() || is_reachable(window, monitors) {
        return None;
    }
    let most_overlapped = monitors
        .iter()
        .copied()
        .filter(|m| window.overlap_area(m) > 0)
        .max_by_key(|m| window.overlap_area(m));
    let (target, overlapping) = match most_overlapped {
        Some(m) => (m, true),
        None => (primary.unwrap_or(monitors[0]), false),
    };
    let width = window.width.min(target.width);
    let height = window.height.min(target.height);
    // Both differences are ≥ 0 because the size was just fitted to the monitor.
    let max_x = target.right() - i64::from(width);
    let max_y = target.bottom() - i64::from(height);
    let (x, y) = if overlapping {
        // Partly visible: slide it the shortest way back onto that monitor.
        (
            i64::from(window.x).clamp(i64::from(target.x), max_x),
            i64::from(window.y).clamp(i64::from(target.y), max_y),
        )
    } else {
        // Nowhere near any monitor: centre it on the primary one.
        (
            i64::from(target.x) + (i64::from(target.width) - i64::from(width)) / 2,
            i64::from(target.y) + (i64::from(target.height) - i64::from(height)) / 2,
        )
    };
    Some(Rect::new(to_i32(x), to_i32(y), width, height))
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

/// Corrects, in place, every window of a tauri-plugin-window-state file
/// (`{"<label>": {"x","y","width","height","prev_x","prev_y",…}}`) that would come back out of
/// reach. Both the current position and `prev_x`/`prev_y` (where a maximised window returns
/// when it is restored) are checked. Returns whether anything changed. Entries it doesn't
/// understand are left alone: the plugin then falls back to its defaults.
pub fn correct_saved_states(states: &mut Value, monitors: &[Rect], primary: Option<Rect>) -> bool {
    let Some(map) = states.as_object_mut() else {
        return false;
    };
    let mut changed = false;
    for state in map.values_mut() {
        let Some(state) = state.as_object_mut() else {
            continue;
        };
        let field = |name: &str| state.get(name).and_then(Value::as_i64);
        let size = field("width")
            .zip(field("height"))
            .and_then(|(w, h)| Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?)))
            .filter(|&(w, h)| w > 0 && h > 0);
        let positions = [("x", "y"), ("prev_x", "prev_y")].map(|(x_key, y_key)| {
            let position = field(x_key)
                .zip(field(y_key))
                .and_then(|(x, y)| Some((i32::try_from(x).ok()?, i32::try_from(y).ok()?)));
            (x_key, y_key, position)
        });
        let Some((width, height)) = size else {
            continue;
        };
        let mut new_size = None;
        for (x_key, y_key, position) in positions {
            let Some((x, y)) = position else {
                continue;
            };
            let (w, h) = new_size.unwrap_or((width, height));
            if let Some(fixed) = bring_on_screen(Rect::new(x, y, w, h), monitors, primary) {
                state.insert(x_key.into(), fixed.x.into());
                state.insert(y_key.into(), fixed.y.into());
                new_size = Some((fixed.width, fixed.height));
            }
        }
        if let Some((w, h)) = new_size {
            state.insert("width".into(), w.into());
            state.insert("height".into(), h.into());
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LEFT: Rect = Rect {
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
    };
    const RIGHT: Rect = Rect {
        x: 1920,
        y: 0,
        width: 2560,
        height: 1440,
    };

    #[test]
    fn a_window_on_a_monitor_stays_where_it_is() {
        let w = Rect::new(100, 100, 1180, 780);
        assert_eq!(bring_on_screen(w, &[LEFT], Some(LEFT)), None);
        // Spanning two monitors is fine too.
        assert_eq!(
            bring_on_screen(Rect::new(1500, 50, 1000, 700), &[LEFT, RIGHT], Some(LEFT)),
            None
        );
    }

    #[test]
    fn a_window_on_an_unplugged_monitor_is_centred_on_the_primary() {
        // Saved on RIGHT, which is gone.
        let w = Rect::new(2200, 300, 1180, 780);
        let placed = bring_on_screen(w, &[LEFT], Some(LEFT)).expect("moved");
        assert_eq!(placed, Rect::new(370, 150, 1180, 780));
        assert!(is_reachable(placed, &[LEFT]));
    }

    #[test]
    fn a_window_larger_than_the_remaining_monitor_is_shrunk_to_fit() {
        let small = Rect::new(0, 0, 1280, 800);
        let placed =
            bring_on_screen(Rect::new(2000, 100, 2400, 1300), &[small], None).expect("moved");
        assert_eq!(placed, Rect::new(0, 0, 1280, 800));
    }

    #[test]
    fn a_title_bar_above_the_screen_is_pulled_down() {
        let placed =
            bring_on_screen(Rect::new(200, -300, 1000, 700), &[LEFT], Some(LEFT)).expect("moved");
        assert_eq!(placed, Rect::new(200, 0, 1000, 700));
    }

    #[test]
    fn a_sliver_left_on_a_monitor_is_slid_back_onto_it() {
        // Only 40 px of the window are on LEFT; RIGHT is gone.
        let placed =
            bring_on_screen(Rect::new(1880, 200, 1000, 700), &[LEFT], Some(LEFT)).expect("moved");
        assert_eq!(placed, Rect::new(920, 200, 1000, 700));
        // …but a grab-width strip is enough to leave it alone.
        assert_eq!(
            bring_on_screen(Rect::new(1800, 200, 1000, 700), &[LEFT], Some(LEFT)),
            None
        );
    }

    #[test]
    fn the_first_monitor_stands_in_for_an_unknown_primary_and_no_monitor_changes_nothing() {
        let placed =
            bring_on_screen(Rect::new(-5000, -5000, 800, 600), &[RIGHT], None).expect("moved");
        assert_eq!(placed, Rect::new(1920 + 880, 420, 800, 600));
        assert_eq!(
            bring_on_screen(Rect::new(-5000, 0, 800, 600), &[], None),
            None
        );
    }

    #[test]
    fn saved_states_are_corrected_in_place_and_the_rest_is_kept() {
        let mut states = json!({
            "main": {"width": 1180, "height": 780, "x": 2200, "y": 300, "prev_x": 2200,
                     "prev_y": 300, "maximized": true, "visible": true, "decorated": true,
                     "fullscreen": false},
            "other": {"width": 400, "height": 300, "x": 10, "y": 10, "prev_x": 10, "prev_y": 10},
            "broken": "not an object",
        });
        assert!(correct_saved_states(&mut states, &[LEFT], Some(LEFT)));
        assert_eq!(states["main"]["x"], 370);
        assert_eq!(states["main"]["y"], 150);
        assert_eq!(states["main"]["prev_x"], 370);
        assert_eq!(states["main"]["prev_y"], 150);
        assert_eq!(states["main"]["maximized"], true);
        assert_eq!(states["other"]["x"], 10);
        assert_eq!(states["broken"], "not an object");
        // A second pass finds nothing to do.
        assert!(!correct_saved_states(&mut states, &[LEFT], Some(LEFT)));
    }

    #[test]
    fn malformed_files_are_left_alone() {
        for mut v in [
            json!([1, 2]),
            json!({"main": {"x": 1}}),
            json!({"main": {"width": 0,
            "height": 0, "x": 9999, "y": 9999}}),
        ] {
            let before = v.clone();
            assert!(!correct_saved_states(&mut v, &[LEFT], Some(LEFT)));
            assert_eq!(v, before);
        }
    }
}
