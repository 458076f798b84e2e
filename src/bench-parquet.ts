/**
 * The Parquet compression measurement behind the per-column codec choice of
 * engine/sinks/parquet.ts (README "Performance"): each column of a table's
 * data file, on its own, encoded with every codec the writer offers, with the
 * encoding the engine picks for it (dictionary or plain); encode time (median
 * of 5) and bytes. `node dist/src/bench-parquet.js <data file.parquet> [...]`.
 */
import { encodeParquet, type ParquetCodec, decodeParquetFile } from '../engine/sinks/parquet.js';
import type { Batch } from '../engine/batch.js';

const CODECS: ParquetCodec[] = ['uncompressed', 'snappy', 'lz4_raw', 'zstd'];

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

for (const file of process.argv.slice(2)) {
  const b = decodeParquetFile(file);
  process.stdout.write(`${file}: ${b.length} rows\n| column | type | ${CODECS.map((c) => `${c} KB (ms)`).join(' | ')} |\n|---|---|${CODECS.map(() => '---').join('|')}|\n`);
  const totals = new Map<string, { bytes: number; ms: number }>();
  for (let j = 0; j < b.schema.length; j++) {
    const one: Batch = { schema: [b.schema[j]], columns: [b.columns[j]], length: b.length };
    const cells: string[] = [];
    for (const codec of CODECS) {
      const times: number[] = [];
      let size = 0;
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        size = encodeParquet(one, { compression: codec }).length;
        times.push(performance.now() - t0);
      }
      const ms = median(times);
      const t = totals.get(codec) ?? { bytes: 0, ms: 0 };
      t.bytes += size; t.ms += ms; totals.set(codec, t);
      cells.push(`${(size / 1024).toFixed(0)} (${ms.toFixed(1)})`);
    }
    process.stdout.write(`| ${b.schema[j].name} | ${b.schema[j].type} | ${cells.join(' | ')} |\n`);
  }
  process.stdout.write(`| all columns | | ${CODECS.map((c) => `${(totals.get(c)!.bytes / 1024).toFixed(0)} (${totals.get(c)!.ms.toFixed(0)})`).join(' | ')} |\n`);
  // the whole file, each setting in turn, 11 rounds (medians): a busy machine slows every setting alike
  const settings = ['auto', ...CODECS] as const;
  const times = new Map<string, number[]>(settings.map((x) => [x, []]));
  const sizes = new Map<string, number>();
  for (let k = 0; k < 11; k++) {
    for (const c of settings) {
      const t0 = performance.now();
      sizes.set(c, encodeParquet(b, { compression: c }).length);
      times.get(c)!.push(performance.now() - t0);
    }
  }
  for (const c of settings) process.stdout.write(`whole file, ${c}: ${(sizes.get(c)! / 1024).toFixed(0)} KB, ${median(times.get(c)!).toFixed(0)} ms (median of 11)\n`);
}
