// WCAG 2.1 AA contrast of the app's palette, read from app.css itself: text 4.5:1 against the
// backgrounds it is drawn on (1.4.3), the focus ring 3:1 against what surrounds it (1.4.11).
import { describe, expect, it } from 'vitest';
import css from '../app.css?raw';

const root = css.slice(css.indexOf(':root {'), css.indexOf('}', css.indexOf(':root {')));
const vars = new Map([...root.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));

/** A colour: a `--name` of the palette or a literal `#rrggbb` used in app.css. */
function hex(c: string): string {
  const v = c.startsWith('--') ? vars.get(c.slice(2)) : c;
  if (!v) throw new Error(`${c} is not in app.css's palette`);
  if (!c.startsWith('--') && !css.includes(c)) throw new Error(`${c} is not used in app.css`);
  return v;
}

function luminance(c: string): number {
  const channel = (i: number) => {
    const s = parseInt(c.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function ratio(a: string, b: string): number {
  const [hi, lo] = [luminance(hex(a)), luminance(hex(b))].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('the palette meets WCAG 2.1 AA', () => {
  // [text, background] as app.css pairs them.
  const text: [string, string][] = [
    ['--text', '--bg'],
    ['--text', '--card'],
    ['--muted', '--bg'],
    ['--muted', '--card'],
    ['--muted', '#f0f2f7'], // table headers
    ['--text', '#fff8eb'], // the active row
    ['--primary-text', '--primary'],
    ['--danger', '--card'],
    ['--danger', '#fdecea'], // errors
    ['--primary', '#eef2ff'], // the current navigation entry
    ['#ffffff', '#b42318'], // the navigation badge
    ['--ok-fg', '--ok-bg'],
    ['--warn-fg', '--warn-bg'],
    ['--off-fg', '--off-bg'],
  ];
  it.each(text)('text %s on %s: at least 4.5:1', (fg, bg) => {
    expect(ratio(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(['--bg', '--card', '#fff8eb'])('the focus ring on %s: at least 3:1', (bg) => {
    expect(ratio('--focus', bg)).toBeGreaterThanOrEqual(3);
  });
});
