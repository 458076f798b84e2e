const fs = require('fs');
const orig = fs.openSync;
const stats = new Map();
globalThis.__openStats = stats;
fs.openSync = function (p, flags, mode) {
  const t = performance.now();
  try { return orig.apply(this, arguments); } finally {
    const dt = performance.now() - t;
    const where = String(p).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'U').replace(/\d{5,}/g, 'N').replace(/^\/tmp\/incr\/out\//, '');
    const k = (flags === undefined ? 'r' : String(flags)) + ' ' + where.replace(/\/[^/]*$/, '/*');
    const s = stats.get(k) ?? { n: 0, ms: 0 }; s.n++; s.ms += dt; stats.set(k, s);
  }
};
process.on('exit', () => { const l = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30); for (const [k, s] of l) console.error(String(s.n).padStart(6), s.ms.toFixed(0).padStart(6), k); });
