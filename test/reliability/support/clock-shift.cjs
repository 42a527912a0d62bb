/**
 * Test-only clock shift for a Node process, what faketime does for C programs (faketime is not
 * installed here, and the platform offers no clock setting: services read `new Date()` at their
 * edges). Loaded with `node --require` through NODE_OPTIONS, it replaces the global Date so that
 * `Date.now()` and `new Date()` run the offset in milliseconds written in the file named by
 * RELIABILITY_CLOCK_FILE ahead of (or, negative, behind) the real clock. The file is read again
 * every 20 ms, so a test can set the clock of a running server back or forward, as an NTP step or
 * an operator would. `performance.now()` (monotonic) is left alone, as it is on a real machine.
 */
'use strict';
const fs = require('node:fs');

const file = process.env.RELIABILITY_CLOCK_FILE;
let offset = 0;
function read() {
  try {
    const value = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isFinite(value)) offset = value;
  } catch {
    // keep the last offset
  }
}
if (file) {
  read();
  setInterval(read, 20).unref();
}

const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
  // Dates made before the shim was loaded (or by native code) still count as dates.
  static [Symbol.hasInstance](value) {
    return value instanceof RealDate;
  }
}
globalThis.Date = ShiftedDate;
