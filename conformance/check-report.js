// Compares a newman JSON report with the list of deliberate deviations.
// Exit 0 when every failed assertion is listed (and every listed one still
// fails, so the list cannot rot); otherwise print the differences, exit 1.
'use strict';
const fs = require('fs');
const [reportPath, devPath] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const expected = new Map();
for (const line of fs.readFileSync(devPath, 'utf8').split('\n')) {
  const t = line.trim();
  if (!t || t.startsWith('#')) continue;
  const [key, reason] = t.split(' -- ');
  expected.set(key.trim(), (reason || '').trim());
}
const failed = new Set();
for (const f of report.run.failures) {
  const name = (f.source && f.source.name) || '?';
  const test = (f.error && (f.error.test || f.error.name)) || '?';
  failed.add(`${name} :: ${test}`);
}
const stats = report.run.stats;
console.log(`microsoft collection: ${stats.requests.total} requests, ${stats.assertions.total} assertions, ${stats.assertions.failed} failed, ${failed.size} distinct failures`);
let bad = false;
for (const k of failed) {
  if (expected.has(k)) console.log(`  expected deviation: ${k} (${expected.get(k)})`);
  else { console.log(`  UNEXPECTED FAILURE: ${k}`); bad = true; }
}
for (const k of expected.keys()) {
  if (!failed.has(k)) { console.log(`  listed deviation no longer fails (remove it from the list): ${k}`); bad = true; }
}
if (stats.requests.total === 0 || stats.assertions.total === 0) { console.log('  no request or assertion ran'); bad = true; }
const passed = stats.assertions.total - stats.assertions.failed;
console.log(`microsoft collection: ${passed} of ${stats.assertions.total} assertions passed; the rest are the listed deviations: ${bad ? 'NOT OK' : 'OK'}`);
process.exit(bad ? 1 : 0);
