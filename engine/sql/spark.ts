/**
 * Open-source Apache Spark 4.1 Declarative Pipelines: a project folder with
 * `spark-pipeline.yml` and `transformations/` holding one `.sql` or `.py` file
 * per dataset.
 *
 * OSS SQL cannot read files and has no expectations, so: file ingestion is a
 * Python flow (`spark.readStream.format("csv")…` with the bronze rules as
 * `selectExpr` levels); drop expectations become WHERE filters; warn and fail
 * expectations become comments (listed in the report); a watermark and a
 * `dropDuplicates` are Python; `CREATE STREAMING TABLE` / `CREATE MATERIALIZED
 * VIEW` / `CREATE TEMPORARY VIEW` without `OR REFRESH`.
 */
import type { Dialect, PackagedFiles } from './dialect.js';
import { SPARK_CSV_OPTIONS, bronzeLevels, errorNote, flowStatementsOf, levelCalls, pythonGroups, pythonModule, reportCsvLimits, sparkSpellings, sqlStatement, stringSchemaDdl } from './spark-common.js';
import { sessionSettings, type CompiledPipeline } from './compiler.js';
import { py } from './python.js';
import { reportMarkdown } from './report.js';
import { sparkFilesReader } from './files-source.js';
import { UnsupportedError } from '../errors.js';
import { databricks, fileStem, SOURCE_PATH_KEY } from './databricks.js';
import { flowStatements } from './cdc.js';

export const spark: Dialect = {
  name: 'spark',
  title: 'Apache Spark 4.1 (Declarative Pipelines)',
  ...sparkSpellings,
  expectations: { warn: 'comment', drop: 'filter', fail: 'comment' },
  windows: 'spark',
  watermark: 'python',
  dedupInPython: true,
  csvInPython: true,
  appendFlows: 'create_flow',
  onceFlows: false,
  autoCdc: 'unsupported',

  csvSource(o, ctx) {
    throw new UnsupportedError('NON_PORTABLE_SOURCE', `open-source Spark SQL cannot read the files of ${ctx.table}`, { table: ctx.table, dialect: 'spark', glob: o.glob });
  },

  pythonFilesReader(o, ctx) {
    return sparkFilesReader(o, ctx);
  },

  pythonCsvReader(o, ctx) {
    reportCsvLimits(ctx, o, 'Spark');
    const values = [...o.schema.map((f) => f.name), ...(o.metadataColumns ? ['_rescued_data'] : [])];
    if (o.metadataColumns) {
      ctx.report({ table: ctx.table, code: 'RESCUED_DATA', treatment: 'not-reproduced', columns: ['_rescued_data'], condition: 'a file has a column not in the schema, or a record has more fields than its header', detail: '_rescued_data holds the values that fail a conversion; Spark\'s CSV reader has no rescued-data column, so unknown columns and fields beyond the header are not rescued.' });
    }
    if (o.header) {
      ctx.report({ table: ctx.table, code: 'HEADER_BY_POSITION', treatment: 'not-reproduced', columns: values, condition: "a file's header differs from the declared columns (order, names or number)", detail: 'Spark\'s CSV reader maps columns by position, not by header name: a file whose header has another order, other names or an extra column is misread (the engine matches names case-insensitively).' });
    }
    const calls = [
      `.option("header", ${py(String(o.header))})`, ...SPARK_CSV_OPTIONS.map(([k, v]) => `.option(${py(k)}, ${py(v)})`),
      `.schema(${py(stringSchemaDdl(o, sparkSpellings))})`,
    ];
    if (ctx.streaming && o.maxFilesPerTrigger !== 1000) calls.push(`.option("maxFilesPerTrigger", ${o.maxFilesPerTrigger})`);
    calls.push(`.load(SOURCE_PATH + ${py('/' + o.glob)})`);
    const lv = levelCalls(bronzeLevels(this, o, { rescuedRaw: null, fileName: '_metadata.file_name' }), this);
    return { head: `spark.${ctx.streaming ? 'readStream' : 'read'}.format("csv")`, calls: [...calls, ...lv.calls], fragments: lv.fragments };
  },

  package(c: CompiledPipeline): PackagedFiles {
    const name = c.pipeline.name;
    const files: Record<string, string> = {};
    const main: string[] = [];
    const groups = pythonGroups(c);
    const inGroup = new Set(groups.flat().map((u) => u.name));
    const banner = (what: string) => `part of pipeline "${name}", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). ${what}`;
    for (const u of c.datasets) {
      if (u.omitted) {
        const f = `transformations/${fileStem(u.name)}.sql`;
        const lines = [`-- ${u.name}: ${banner('')}`.trimEnd(), `-- ${u.name} is left out: ${u.omitted} (see portability.md).`];
        for (const fl of u.flows ?? []) if (fl.kind === 'auto_cdc') lines.push('-- On Databricks it is:', ...flowStatements({ ...fl, omitted: undefined }, databricks).join('\n\n').split('\n').map((l) => `--   ${l}`));
        files[f] = lines.join('\n') + '\n';
        main.push(f);
        continue;
      }
      if (u.error) {
        const f = `transformations/${fileStem(u.name)}.sql`;
        files[f] = errorNote(u, '--') + '\n';
        main.push(f);
        continue;
      }
      if (u.language === 'python') {
        if (!inGroup.has(u.name)) continue;
        const g = groups.find((x) => x[0] === u);
        if (!g) continue;
        const f = `transformations/${fileStem(u.name)}.py`;
        const why = g.some((x) => x.python && /\.format\("csv"\)/.test(x.python.head)) ? 'SQL cannot read files in open-source Spark.'
          : g.some((x) => x.python?.calls.some((call) => call.startsWith('.dropDuplicates'))) ? 'dropDuplicates has no SQL form.'
            : 'the watermark is set with withWatermark.';
        files[f] = pythonModule(g, { header: [`# ${g.map((x) => x.name).join(', ')}: ${banner(`A Python flow because ${why}`)}`], expectations: false, sourcePath: c.input, dialect: this });
        main.push(f);
        const flows = g.flatMap((x) => x.flows ?? []);
        if (flows.length) {
          const ff = `transformations/${fileStem(u.name)}_flows.sql`;
          files[ff] = [`-- flows into ${u.name}: ${banner('')}`.trimEnd(), ...sessionSettings(c.pipeline).map(([k, v]) => `SET ${k} = ${v};`), '', ...flows.flatMap((fl) => flowStatements(fl, this)), ''].join('\n\n');
          main.push(ff);
        }
        continue;
      }
      const f = `transformations/${fileStem(u.name)}.sql`;
      files[f] = [`-- ${u.name}: ${banner('')}`.trimEnd(), ...sessionSettings(c.pipeline).map(([k, v]) => `SET ${k} = ${v};`), '', [sqlStatement(u, this, { refresh: false, constraints: false }), ...flowStatementsOf(u, this)].join('\n\n'), ''].join('\n');
      main.push(f);
    }
    files['spark-pipeline.yml'] = [
      `# Spark Declarative Pipelines project for pipeline "${name}", generated by localdlt.`,
      '# Run from this folder with Apache Spark 4.1+:  spark-pipelines run',
      '# storage holds checkpoints and tables: point it at a durable location.',
      `name: ${JSON.stringify(name)}`,
      `storage: ${JSON.stringify(`file:///tmp/spark-pipelines/${fileStem(name)}`)}`,
      'libraries:',
      '  - glob:',
      '      include: transformations/**',
      'configuration:',
      ...sessionSettings(c.pipeline).map(([k, v]) => `  ${k}: ${/^[A-Za-z0-9_./+-]+$/.test(v) ? v : JSON.stringify(v)}`),
      `  ${SOURCE_PATH_KEY}: ${JSON.stringify(c.input)}`,
      '',
    ].join('\n');
    files['portability.md'] = reportMarkdown(c.report, { pipeline: name, dialect: 'spark', title: 'Apache Spark 4.1 Declarative Pipelines' });
    return { files, main };
  },
};
