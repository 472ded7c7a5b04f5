// **Export**: the view on screen as CSV or JSON — the rows shown, in the order shown, with
// when the data was read ("data as of") and the filter that made the view, inside the file.
// Pure, so what a file holds is tested; Rust asks where to save it and writes it.
import type { ExportFormat } from './types';

export interface ExportColumn {
  key: string;
  label: string;
}

export type ExportValue = string | number | boolean | null | readonly string[];

export interface ExportTable {
  /** The screen's name, e.g. "API Keys". */
  view: string;
  /** When the rows were read from the server (RFC 3339). */
  dataAsOf: string;
  /** The filter that made the view, in words (search, status, …); empty when none. */
  filter: Record<string, string>;
  columns: readonly ExportColumn[];
  rows: readonly Record<string, ExportValue>[];
}

/** The filter in one line: "Search: zap; Status: Active", or "None". */
export function filterWords(filter: Record<string, string>): string {
  const parts = Object.entries(filter)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`);
  return parts.length > 0 ? parts.join('; ') : 'None';
}

function text(value: ExportValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(' ');
  return String(value);
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or edge spaces. A
 * cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe: a token's name is typed by anyone, and opening an export must not run it.
 */
export function csvCell(value: ExportValue): string {
  let s = text(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The view as CSV: one header row, then the rows; every row also says when the data is from
 * and which filter made it, so the file stands on its own and still parses as one table. */
export function toCsv(t: ExportTable): string {
  const filter = filterWords(t.filter);
  const header = [...t.columns.map((c) => c.label), 'Data as of', 'Filter'];
  const lines = [header.map(csvCell).join(',')];
  for (const row of t.rows) {
    lines.push([...t.columns.map((c) => row[c.key] ?? null), t.dataAsOf, filter].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** The view as JSON: what it is, when, which filter, and the rows with their own keys. */
export function toJson(t: ExportTable, exportedAt: Date = new Date()): string {
  const rows = t.rows.map((row) => Object.fromEntries(t.columns.map((c) => [c.key, row[c.key] ?? null])));
  return (
    JSON.stringify(
      {
        view: t.view,
        exported_at: exportedAt.toISOString(),
        data_as_of: t.dataAsOf,
        filter: t.filter,
        count: rows.length,
        rows,
      },
      null,
      2,
    ) + '\n'
  );
}

export function render(t: ExportTable, format: ExportFormat, exportedAt: Date = new Date()): string {
  return format === 'csv' ? toCsv(t) : toJson(t, exportedAt);
}

/** The name the save dialog suggests: keebai-api-keys-2026-12-03 (Rust adds the extension). */
export function exportFileName(view: string, at: Date = new Date()): string {
  const slug = view.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `keebai-${slug}-${at.toISOString().slice(0, 10)}`;
}
