// Loaded into the benchmarked server with NODE_OPTIONS=--require (bench/load.ts): writes the
// process's memory once a second, and the heap left after each major garbage collection (the live
// set: a leak makes it climb, a warming cache makes it level off), as JSON lines to
// LOOKAHEAD_MEMORY_PROBE_FILE. Only in the `next start` process (not in the migration run).
'use strict';
const fs = require('node:fs');
const { PerformanceObserver, constants } = require('node:perf_hooks');

const file = process.env.LOOKAHEAD_MEMORY_PROBE_FILE;
if (file && process.argv.some((argument) => /next[\\/]dist[\\/]bin[\\/]next$/.test(argument)) && process.argv.includes('start')) {
  const write = (record) => fs.appendFileSync(file, `${JSON.stringify({ t: Date.now(), ...record })}\n`);
  const timer = setInterval(() => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    write({ rss, heapTotal, heapUsed, external, arrayBuffers });
  }, 1000);
  timer.unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) write({ majorGc: true, heapUsed: process.memoryUsage().heapUsed });
    }
  }).observe({ entryTypes: ['gc'] });
}
