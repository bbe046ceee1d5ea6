// A small CSV reader for tables and datasets we ship or users give: header row, comma separated,
// double quotes for fields holding commas or quotes. Enough for data files; not a general parser.

export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const lines: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') lines.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    lines.push(row);
  }
  const [header = [], ...rows] = lines;
  return { header: header.map((h) => h.trim()), rows };
}
