#!/usr/bin/env node
// CI's end-to-end smoke test of the README's first command: checks what `npx edx-pipeline demo`
// wrote in its folder (default `edx-demo`) and printed (its stdout, saved to a file).
//
//   node tools/check-demo.mjs <demo folder> <demo stdout file> <milliseconds it took>
//
// Prints one line per check and exits 1 when any fails.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [out = 'edx-demo', stdoutFile = '', millisText = 'NaN'] = process.argv.slice(2);
const failures = [];
const check = (what, ok, detail = '') => {
  console.log(`check-demo: ${ok ? 'ok  ' : 'FAIL'} ${what}${detail === '' ? '' : ` (${detail})`}`);
  if (!ok) failures.push(what);
};

const seconds = Number(millisText) / 1000;
check('the demo took under 2 minutes', seconds < 120, `${seconds.toFixed(1)} s`);
const printed = stdoutFile === '' ? '' : readFileSync(stdoutFile, 'utf8');
const counts = /Checked against ground-truth\.json: all (\d+) counts equal/u.exec(printed);
check('every ground-truth count equal', counts !== null, counts?.[0] ?? 'no such line');

const folders = (dir) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory()) : [];
const courses = folders(join(out, 'reports'));
check('a reports folder per course', courses.length >= 1, courses.join(', '));
for (const course of courses) {
  const dir = join(out, 'reports', course);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const files = manifest.reports.flatMap((r) => r.files);
  const onDisk = readdirSync(dir).filter((f) => f.endsWith('.csv'));
  check(
    `${course}: every report of the manifest on disk, with its data dictionary`,
    files.length > 30 &&
      files.every((f) => onDisk.includes(f.file)) &&
      manifest.reports.every((r) => existsSync(join(dir, r.schema))),
    `${files.length} files`,
  );
  const anonymised = join(out, 'anonymised', course);
  const auditFile = join(anonymised, 'anonymisation-audit.json');
  const audit = existsSync(auditFile) ? JSON.parse(readFileSync(auditFile, 'utf8')) : null;
  check(
    `${course}: an anonymised copy of every report, k reached`,
    audit !== null &&
      audit.files.length === files.length &&
      audit.files.every((f) => existsSync(join(anonymised, f.output.split('/').pop()))) &&
      (audit.kReached === null || audit.kReached >= audit.options.k),
    audit === null ? 'no audit' : `${audit.files.length} files, k reached ${audit.kReached}`,
  );
  const written = files.reduce((sum, f) => sum + f.rows, 0);
  const kept = audit?.files.reduce((sum, f) => sum + f.rowsWritten + f.rowsSuppressed, 0);
  check(
    `${course}: anonymised rows (written + suppressed) = exported rows`,
    kept === written,
    `${kept} / ${written}`,
  );
}
const report = join(out, 'report.html');
const html = existsSync(report) ? readFileSync(report, 'utf8') : '';
check(
  'report.html written, self-contained',
  html.includes('<svg') && !/\b(?:src|href)=["']?https?:/iu.test(html),
  `${html.length} bytes`,
);

console.log(
  `check-demo: ${failures.length === 0 ? 'all checks passed' : `${failures.length} failed`}`,
);
process.exit(failures.length === 0 ? 0 : 1);
