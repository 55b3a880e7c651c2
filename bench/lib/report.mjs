// Report formatting shared by the benchmarks' printed summaries.

/** An integer with thousands separators, or `n/a`. */
export const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');

/** A Markdown table: the first row is the header; the first column is left-aligned, the others right-aligned. */
export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])));
      const s = `| ${line.join(' | ')} |`;
      return i === 0 ? `${s}\n|${widths.map((w, c) => (c === 0 ? ':' : '') + '-'.repeat(w + 1) + (c === 0 ? '' : ':')).join('|')}|` : s;
    })
    .join('\n');
}
