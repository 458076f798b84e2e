/**
 * Databricks (Lakeflow Spark Declarative Pipelines, formerly Delta Live
 * Tables): a SQL notebook in current syntax (`CREATE OR REFRESH STREAMING
 * TABLE`, `CREATE OR REFRESH MATERIALIZED VIEW`, `CREATE TEMPORARY VIEW`,
 * `STREAM(x)`, `CONSTRAINT … EXPECT … ON VIOLATION …`, `WATERMARK … DELAY OF`,
 * `window()`), Python files for the flows SQL cannot express (a streaming
 * `dropDuplicates`), and a `databricks.yml` Asset Bundle declaring the
 * pipeline with the source folder as a configuration value.
 */
import type { CsvOptions } from '../ir/plan.js';
import type { Dialect, PackagedFiles } from './dialect.js';
import { SPARK_CSV_OPTIONS, sparkOptionLiteral, bronzeLevels, errorNote, levelCalls, nestLevels, pythonGroups, pythonModule, reportCsvLimits, sparkSpellings, sparkString, sqlStatement, flowStatementsOf, stringSchemaDdl } from './spark-common.js';
import { sessionSettings, type CompiledPipeline } from './compiler.js';
import { py } from './python.js';
import { reportMarkdown } from './report.js';
import { databricksFilesSource } from './files-source.js';

/** The pipeline configuration key holding the source folder (`${source_path}` in SQL). */
export const SOURCE_PATH_KEY = 'source_path';
const RESCUED_RAW = '_rescued_raw';
const CELL = '\n\n-- COMMAND ----------\n\n';

function readFilesArgs(o: CsvOptions, streaming: boolean): string[] {
  const args = [
    sparkString(`\${${SOURCE_PATH_KEY}}/${o.glob}`),
    `format => 'csv'`,
    `header => ${o.header}`,
    ...SPARK_CSV_OPTIONS.map(([k, v]) => `${k} => ${v === 'true' ? v : sparkOptionLiteral(v)}`),
    `schema => ${sparkString(stringSchemaDdl(o, sparkSpellings))}`,
  ];
  if (o.metadataColumns) args.push(`readerCaseSensitive => false`, `rescuedDataColumn => '${RESCUED_RAW}'`);
  if (streaming) {
    if (o.maxFilesPerTrigger !== 1000) args.push(`maxFilesPerTrigger => ${o.maxFilesPerTrigger}`);
    if (!o.includeExistingFiles) args.push('includeExistingFiles => false');
    if (o.allowOverwrites) args.push('allowOverwrites => true');
  }
  return args;
}

/** What Auto Loader's header matching and rescued-data column do differently. */
function reportAutoLoader(ctx: Parameters<Dialect['csvSource']>[1], o: CsvOptions): void {
  if (!o.metadataColumns) return;
  const values = [...o.schema.map((f) => f.name), '_rescued_data'];
  ctx.report({
    table: ctx.table, code: 'RESCUED_KEY_ORDER', treatment: 'approximated', columns: ['_rescued_data'], condition: 'a row has both a value that fails its conversion and a field of a column not in the schema',
    detail: `_rescued_data joins the values that fail a conversion (built in SQL) and Auto Loader's rescued fields (${RESCUED_RAW}, trimmed, without NULL markers and _file_path): the same JSON object, its keys possibly in another order.`,
  });
  ctx.report({
    table: ctx.table, code: 'RESCUED_EXTRA_FIELDS', treatment: 'not-reproduced', columns: ['_rescued_data'], condition: "a record has more fields than its file's header",
    detail: 'the engine rescues fields beyond the header as _c<index>; Auto Loader drops them.',
  });
  ctx.report({
    table: ctx.table, code: 'HEADER_NAME_REPEATED', treatment: 'not-reproduced', columns: values, condition: 'a header repeats a name (ignoring case) or has an empty name',
    detail: 'the engine maps the exact spelling first and rescues a repeat or an empty name under _c<index>; Auto Loader maps the first of the names that match ignoring case, and a rescued key that repeats a declared column is left out.',
  });
}

/** A file name usable in a bundle and as a Python module name. */
export function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function yamlString(s: string): string {
  return /^[A-Za-z0-9_./${}:-]+$/.test(s) && !/^[-:]/.test(s) ? s : JSON.stringify(s);
}

export const databricks: Dialect = {
  name: 'databricks',
  title: 'Databricks',
  ...sparkSpellings,
  expectations: { warn: 'constraint', drop: 'constraint', fail: 'constraint' },
  windows: 'spark',
  watermark: 'clause',
  dedupInPython: true,
  csvInPython: false,
  appendFlows: 'create_flow',
  onceFlows: true,
  autoCdc: 'statement',

  csvSource(o, ctx) {
    reportCsvLimits(ctx, o, 'Databricks');
    reportAutoLoader(ctx, o);
    const from = { kind: 'text' as const, sql: `${ctx.streaming ? 'STREAM ' : ''}read_files(\n  ${readFilesArgs(o, ctx.streaming).join(',\n  ')}\n)` };
    return { query: nestLevels(bronzeLevels(this, o, { rescuedRaw: o.metadataColumns ? RESCUED_RAW : null, fileName: '_metadata.file_name' }), from) };
  },

  filesSource(o, ctx) {
    return databricksFilesSource(o, ctx, SOURCE_PATH_KEY);
  },

  pythonCsvReader(o, ctx) {
    reportCsvLimits(ctx, o, 'Databricks');
    reportAutoLoader(ctx, o);
    const calls = ctx.streaming ? ['.option("cloudFiles.format", "csv")'] : [];
    calls.push(`.option("header", ${py(String(o.header))})`, ...SPARK_CSV_OPTIONS.map(([k, v]) => `.option(${py(k)}, ${py(v)})`));
    if (o.metadataColumns) calls.push('.option("readerCaseSensitive", "false")', `.option("rescuedDataColumn", ${py(RESCUED_RAW)})`);
    calls.push(`.schema(${py(stringSchemaDdl(o, sparkSpellings))})`, `.load(spark.conf.get(${py(SOURCE_PATH_KEY)}) + ${py('/' + o.glob)})`);
    const lv = levelCalls(bronzeLevels(this, o, { rescuedRaw: o.metadataColumns ? RESCUED_RAW : null, fileName: '_metadata.file_name' }), this);
    return { head: ctx.streaming ? 'spark.readStream.format("cloudFiles")' : 'spark.read.format("csv")', calls: [...calls, ...lv.calls], fragments: lv.fragments };
  },

  package(c: CompiledPipeline): PackagedFiles {
    const name = c.pipeline.name;
    const stem = fileStem(name);
    const notebook = `${stem}.sql`;
    const groups = pythonGroups(c);
    const pyFiles = groups.map((g) => `${fileStem(g[0].name)}.py`);
    const header = [
      '-- Databricks notebook source',
      `-- Pipeline "${name}", compiled by localdlt from its definitions (do not edit: regenerate with "localdlt sql --dialect databricks").`,
      `-- The CSV sources are read from \${${SOURCE_PATH_KEY}}, a pipeline configuration value (databricks.yml; here ${c.input}).`,
      ...(pyFiles.length ? [`-- Flows without a SQL form are Python files of the same pipeline: ${pyFiles.join(', ')}.`] : []),
      '-- What Databricks does differently from the local engine: portability.md.',
    ].join('\n');
    const cells: string[] = [header, sessionSettings(c.pipeline).map(([k, v]) => `SET ${k} = ${v};`).join('\n')];
    for (const u of c.datasets) {
      if (u.error) { cells.push(errorNote(u, '--')); continue; }
      if (u.language === 'python') {
        const file = pyFiles[groups.findIndex((g) => g.includes(u))];
        cells.push(`-- ${u.name} (${u.kind.replace('_', ' ')}): a Python flow in ${file}${u.quarantineOf ? `, beside ${u.quarantineOf}` : ' (dropDuplicates has no SQL form)'}.`);
        cells.push(...flowStatementsOf(u, this));
        continue;
      }
      cells.push(sqlStatement(u, this, { refresh: true, constraints: true }));
      cells.push(...flowStatementsOf(u, this));
    }
    const files: Record<string, string> = { [notebook]: cells.join(CELL) + '\n' };
    groups.forEach((g, i) => {
      files[pyFiles[i]] = pythonModule(g, {
        header: [`# ${g.map((u) => u.name).join(', ')}: part of pipeline "${name}", compiled by localdlt (regenerate, do not edit).`, `# A Python flow because dropDuplicates has no SQL form; the other datasets are in ${notebook}.`],
        expectations: true, dialect: this,
      });
    });
    const key = name.replace(/[^A-Za-z0-9_]/g, '_');
    files['databricks.yml'] = [
      `# Databricks Asset Bundle for pipeline "${name}", generated by localdlt.`,
      '# Deploy and run:  databricks bundle deploy -t dev && databricks bundle run ' + key + ' -t dev',
      `# Put the CSV files in the folder given by source_path (a Unity Catalog volume path or a cloud URL).`,
      'bundle:',
      `  name: ${yamlString(key)}`,
      '',
      'variables:',
      `  ${SOURCE_PATH_KEY}:`,
      '    description: Folder holding the CSV source files.',
      `    default: ${yamlString(c.input)}`,
      '  catalog:',
      '    description: Catalog the pipeline publishes its tables to.',
      '    default: main',
      '  schema:',
      '    description: Schema the pipeline publishes its tables to.',
      `    default: ${yamlString(key)}`,
      '',
      'resources:',
      '  pipelines:',
      `    ${key}:`,
      `      name: ${yamlString(name)}`,
      '      catalog: ${var.catalog}',
      '      schema: ${var.schema}',
      '      serverless: true',
      '      continuous: false',
      '      configuration:',
      `        ${SOURCE_PATH_KEY}: \${var.${SOURCE_PATH_KEY}}`,
      ...sessionSettings(c.pipeline).map(([k, v]) => `        ${k}: ${/^[A-Za-z0-9_./+-]+$/.test(v) ? v : JSON.stringify(v)}`),
      '      libraries:',
      '        - notebook:',
      `            path: ./${notebook}`,
      ...pyFiles.flatMap((f) => ['        - file:', `            path: ./${f}`]),
      '',
      'targets:',
      '  dev:',
      '    mode: development',
      '    default: true',
      '',
    ].join('\n');
    files['portability.md'] = reportMarkdown(c.report, { pipeline: name, dialect: 'databricks', title: 'Databricks' });
    return { files, main: [notebook, ...pyFiles] };
  },
};
