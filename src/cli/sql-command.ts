/**
 * `sql`: compiles the pipeline to Databricks SQL (DLT / Lakeflow), to an
 * Apache Spark 4.1 Declarative Pipelines project, or to a DuckDB script.
 *
 * Without `--out` the main file(s) go to stdout and nothing else does (the
 * portability report goes to stderr); with `--out` every file is written
 * there, the report included (`portability.md`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { loadPipeline } from './pipeline-module.js';
import { PIPELINE_OPTIONS } from './pipeline-options.js';
import { compilePipeline, DIALECT_NAMES, reportText, type DialectName } from '../../engine/sql/index.js';

export const SQL_HELP = `usage: node dist/run.js sql [--pipeline <module.js>] [--dialect databricks|spark|duckdb]
                           [--input <dir>] [--out <dir>] [--partial]

Compiles the pipeline's table definitions to SQL (and Python where SQL has no
form for a flow). The portability report, listing what the target does
differently from the local engine, goes to stderr and to portability.md.

dialects:
  databricks  (default) a Databricks SQL notebook in current DLT / Lakeflow syntax
              (CREATE OR REFRESH STREAMING TABLE, read_files, CONSTRAINT … EXPECT),
              Python files for flows without a SQL form (dropDuplicates), and a
              databricks.yml Asset Bundle: deploy with "databricks bundle deploy"
  spark       an Apache Spark 4.1 Declarative Pipelines project: spark-pipeline.yml
              and transformations/*.sql|*.py; run with "spark-pipelines run"
  duckdb      one batch SQL script over the CSV files, a table per dataset

options:
  --pipeline <path>       compile this pipeline instead of the patient pipeline (.sql, folder,
                          spark-pipeline.yml, databricks.yml or .js; with --conf, --source, --path-map, --target)
  --dialect <name>        databricks, spark or duckdb (default databricks)
  --input <dir>           the folder the CSV sources are read from, written into the output
                          (default: the pipeline's configured input, e.g. incoming)
  --out <dir>             write every file into <dir> (default: print the main file(s) to stdout)
  --partial               compile the datasets that can be and report the others
                          (e.g. a udf without SQL) instead of failing

examples:
  node dist/run.js sql --dialect databricks --input /Volumes/main/raw/patients --out build/databricks
  node dist/run.js sql --dialect duckdb --input data > patients.sql && duckdb -c ".read patients.sql"`;

const COMMENT: Record<string, string> = { '.sql': '--', '.py': '#', '.yml': '#', '.yaml': '#', '.md': '<!--' };

function banner(file: string): string {
  const c = COMMENT[path.extname(file)] ?? '#';
  return c === '<!--' ? `<!-- ==== ${file} ==== -->` : `${c} ==== ${file} ====`;
}

/** Removes files a previous run wrote under `dir/transformations/` that this run no longer produces. */
function removeStale(out: string, files: Record<string, string>): void {
  const t = path.join(out, 'transformations');
  if (!fs.existsSync(t)) return;
  for (const name of fs.readdirSync(t)) {
    const rel = `transformations/${name}`;
    if (rel in files || !/\.(sql|py)$/.test(name)) continue;
    const abs = path.join(t, name);
    const head = fs.readFileSync(abs, 'utf8').slice(0, 400);
    if (head.includes('compiled by localdlt')) fs.rmSync(abs);
  }
}

export async function cmdSql(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    ...PIPELINE_OPTIONS, dialect: {}, input: {}, out: {}, partial: { flag: true },
    'log-level': {}, 'log-format': {}, verbose: { flag: true }, help: { flag: true, aliases: ['h'] },
  }, 'sql');
  if (a.flags.has('help')) { process.stdout.write(SQL_HELP + '\n'); return 0; }
  if (a.positionals.length) throw new UsageError(`sql: unexpected argument "${a.positionals[0]}" (options: --pipeline, --dialect, --input, --out, --partial)`);
  const dialect = (a.values.dialect ?? 'databricks').toLowerCase();
  if (!DIALECT_NAMES.includes(dialect as DialectName)) throw new UsageError(`sql: --dialect must be ${DIALECT_NAMES.join(', ')}, got "${a.values.dialect}"`);
  if (a.values.input !== undefined && a.values.input.trim() === '') throw new UsageError('sql: --input needs a folder');
  if (a.values.out !== undefined && a.values.out.trim() === '') throw new UsageError('sql: --out needs a folder');
  const pipeline = await loadPipeline(a.values.pipeline, a, a.values.input);
  const result = compilePipeline(pipeline, { dialect: dialect as DialectName, input: a.values.input, partial: a.flags.has('partial') });
  const notCompiled = result.datasets.filter((d) => d.error).map((d) => d.name);
  if (a.values.out) {
    const out = a.values.out;
    fs.mkdirSync(out, { recursive: true });
    removeStale(out, result.files);
    for (const [rel, content] of Object.entries(result.files)) {
      const abs = path.join(out, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
    process.stderr.write(`sql: wrote ${Object.keys(result.files).length} files to ${out}: ${Object.keys(result.files).join(', ')}\n`);
  } else {
    const parts = result.main.map((f, i) => (i === 0 ? result.files[f] : `\n${banner(f)}\n${result.files[f]}`));
    process.stdout.write(parts.join(''));
  }
  process.stderr.write(reportText(result.report, dialect as DialectName));
  if (notCompiled.length) process.stderr.write(`sql: not compiled (--partial): ${notCompiled.join(', ')}\n`);
  return 0;
}
