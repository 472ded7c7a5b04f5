//! The X display's own picture of a window (`xwd -name`) as a PNG, for the real-window tests' screenshots.
//!
//! WebDriver's *Take Screenshot* waits for the web view's next drawing, which under Xvfb
//! without accelerated compositing (the app's default) may never be reported although the
//! screen is drawn (docs/benchmarks.md, "Without accelerated compositing"). The X server's
//! image is what a person would see, and asking for it waits on nothing in the app.

use std::process::Command;

/// The app's window title (`tauri.conf.json`).
pub const APP_WINDOW: &str = "Keebai Keys";

/// The window titled `title`, as it shows on the screen, as a PNG; `Err` says why not (no
/// `xwd`, no such window, an image format it does not read).
pub fn window_png(title: &str) -> Result<Vec<u8>, String> {
    let out = Command::new("xwd")
        .args(["-silent", "-name", title])
        .output()
        .map_err(|e| format!("xwd: {e} (apt-get install x11-apps)"))?;
    if !out.status.success() {
        return Err(format!(
            "xwd failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    to_png(&out.stdout)
}

fn field(data: &[u8], index: usize) -> Result<u32, String> {
    data.get(index * 4..index * 4 + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| "xwd: short header".to_owned())
}

/// Decodes a TrueColor ZPixmap XWD file of 24 or 32 bits a pixel (what Xvfb's screens give).
fn to_png(xwd: &[u8]) -> Result<Vec<u8>, String> {
    let header_size = field(xwd, 0)? as usize;
    let (format, bits_per_pixel) = (field(xwd, 2)?, field(xwd, 11)?);
    let (width, height) = (field(xwd, 4)?, field(xwd, 5)?);
    let (lsb_first, bytes_per_line) = (field(xwd, 7)? == 0, field(xwd, 12)? as usize);
    let masks = [field(xwd, 14)?, field(xwd, 15)?, field(xwd, 16)?];
    let colours = field(xwd, 19)? as usize;
    if format != 2 || !(bits_per_pixel == 24 || bits_per_pixel == 32) {
        return Err(format!(
            "xwd: format {format}, {bits_per_pixel} bits a pixel: only ZPixmap at 24 or 32 is read"
        ));
    }
    let size = bits_per_pixel as usize / 8;
    let pixels = xwd
        .get(header_size + colours * 12..)
        .ok_or("xwd: no pixels")?;
    let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height as usize {
        let line = pixels
            .get(y * bytes_per_line..y * bytes_per_line + width as usize * size)
            .ok_or("xwd: short image")?;
        for px in line.chunks_exact(size) {
            let v = if lsb_first {
                px.iter().rev().fold(0u32, |v, b| v << 8 | u32::from(*b))
            } else {
                px.iter().fold(0u32, |v, b| v << 8 | u32::from(*b))
            };
            rgb.extend(masks.map(|m| ((v & m) >> m.trailing_zeros()) as u8));
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb))
        .map_err(|e| format!("png: {e}"))?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×1 XWD file: one red pixel, one blue, LSB first, `size` bytes a pixel.
    fn xwd(size: u32) -> Vec<u8> {
        let mut h = [0u32; 25];
        h[0] = 100; // header size, no window name
        h[2] = 2; // ZPixmap
        (h[4], h[5]) = (2, 1);
        h[7] = 0; // LSB first
        h[11] = size * 8;
        h[12] = 2 * size + 2; // padded line
        (h[14], h[15], h[16]) = (0xff0000, 0x00ff00, 0x0000ff);
        let mut out: Vec<u8> = h.iter().flat_map(|v| v.to_be_bytes()).collect();
        for v in [0xff0000u32, 0x0000ff] {
            out.extend(&v.to_le_bytes()[..size as usize]);
        }
        out.extend([0, 0]);
        out
    }

    fn pixels(png_bytes: &[u8]) -> Vec<u8> {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
            .read_info()
            .expect("png");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (2, 1));
        buf[..info.buffer_size()].to_vec()
    }

    #[test]
    fn both_pixel_sizes_decode_to_the_same_colours() {
        for size in [3, 4] {
            let png = to_png(&xwd(size)).expect("decoded");
            assert_eq!(pixels(&png), [255, 0, 0, 0, 0, 255], "{size} bytes a pixel");
        }
    }

    #[test]
    fn other_formats_are_refused_with_a_reason() {
        let mut file = xwd(4);
        file[11] = 1; // XYPixmap
        assert!(matches!(to_png(&file), Err(e) if e.contains("format 1")));
        assert!(matches!(to_png(&file[..40]), Err(e) if e.contains("short header")));
    }
}
