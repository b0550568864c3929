import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

/** Figures for a table cell: few significant digits, since repeated runs vary by more than that. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export const ratio = (a: number, b: number): string => (b === 0 ? '–' : `${num(a / b)}×`);

/** The markdown the bench prints and keeps in bench/results/<timestamp>.md. */
export class Report {
  private readonly parts: string[] = [];

  heading(text: string): void {
    this.parts.push(`\n## ${text}\n`);
  }

  line(text: string): void {
    this.parts.push(text);
  }

  table(headers: string[], rows: string[][]): void {
    const numeric = headers.map((_, i) => i > 0 && rows.every((r) => /^[\d,.–×%-]*( MB)?$/.test(r[i] ?? '')));
    this.parts.push(
      [
        `| ${headers.join(' | ')} |`,
        `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
        ...rows.map((r) => `| ${r.join(' | ')} |`),
      ].join('\n'),
    );
  }

  text(): string {
    return `${this.parts.join('\n')}\n`;
  }

  /** Writes the report and returns its path. */
  save(started: Date): string {
    mkdirSync(RESULTS, { recursive: true });
    const path = `${RESULTS}${started.toISOString().replace(/[:.]/g, '-')}.md`;
    writeFileSync(path, this.text());
    return path;
  }
}
