import { describe, expect, it } from 'vitest';
import { csvCell, exportFileName, filterWords, render, toCsv, toJson, type ExportTable } from './exportFile';

const table: ExportTable = {
  view: 'API Keys',
  dataAsOf: '2026-12-03T05:00:00Z',
  filter: { Search: 'zap', Status: 'Active' },
  columns: [
    { key: 'name', label: 'Name' },
    { key: 'scopes', label: 'Scopes' },
    { key: 'last_used_at', label: 'Last used' },
  ],
  rows: [
    { name: 'Zapier, production', scopes: ['messages.read', 'contacts.read'], last_used_at: null },
    { name: '=HYPERLINK("http://evil")', scopes: [], last_used_at: '2026-12-02T10:00:00Z' },
  ],
};

/** A small RFC 4180 reader, to prove the files parse back to the view. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('CSV cells', () => {
  it('quotes commas, quotes, line breaks and edge spaces', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['a', 'b'])).toBe('a b');
    expect(csvCell(3)).toBe('3');
  });

  it('never lets a spreadsheet run a cell as a formula', () => {
    for (const evil of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) {
      expect(csvCell(evil).replace(/^"/, '').startsWith("'"), evil).toBe(true);
    }
  });
});

describe('the files', () => {
  it('CSV: a header, the rows in order, the time and the filter on every row; it parses back', () => {
    const parsed = parseCsv(toCsv(table));
    expect(parsed[0]).toEqual(['Name', 'Scopes', 'Last used', 'Data as of', 'Filter']);
    expect(parsed).toHaveLength(3);
    expect(parsed[1]).toEqual(['Zapier, production', 'messages.read contacts.read', '', '2026-12-03T05:00:00Z', 'Search: zap; Status: Active']);
    expect(parsed[2][0]).toBe('\'=HYPERLINK("http://evil")');
  });

  it('JSON: the view, the times, the filter and the rows with their keys', () => {
    const doc = JSON.parse(toJson(table, new Date('2026-12-03T06:00:00Z')));
    expect(doc).toMatchObject({
      view: 'API Keys',
      exported_at: '2026-12-03T06:00:00.000Z',
      data_as_of: '2026-12-03T05:00:00Z',
      filter: { Search: 'zap', Status: 'Active' },
      count: 2,
    });
    expect(doc.rows[0]).toEqual({ name: 'Zapier, production', scopes: ['messages.read', 'contacts.read'], last_used_at: null });
    expect(doc.rows[1].name).toBe('=HYPERLINK("http://evil")');
  });

  it('an empty view is a header alone, or no rows', () => {
    const empty = { ...table, rows: [] };
    expect(parseCsv(render(empty, 'csv'))).toHaveLength(1);
    expect(JSON.parse(render(empty, 'json')).count).toBe(0);
  });

  it('says the filter in words, or None', () => {
    expect(filterWords({})).toBe('None');
    expect(filterWords({ Search: '', Status: 'All' })).toBe('Status: All');
  });

  it('suggests a file name from the view and the day', () => {
    expect(exportFileName('API Keys', new Date('2026-12-03T06:00:00Z'))).toBe('keebai-api-keys-2026-12-03');
    expect(exportFileName('Activity', new Date('2026-12-03T06:00:00Z'))).toBe('keebai-activity-2026-12-03');
  });
});
