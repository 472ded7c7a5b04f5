// What a number field on the Settings page holds, as a choice: a whole number, or null while
// it is emptied or holds no number (WebKit hands `value` back as '' for "abc" or "1e"), so an
// emptied field is never saved as 0 and clamped to the minimum behind the user's back.
export function chosenNumber(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? Math.round(n) : null;
}
