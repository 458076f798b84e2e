/**
 * The public surface of the engine. Library users import only from here:
 *
 * ```ts
 * import { streamingTable, materializedView, view, readCsv, stream, read, col, count, definePipeline } from 'localdlt';
 * ```
 */
export type { DataType, Field, Schema, Value } from './ir/types.js';
export type { ExprNode, AggNode } from './ir/expr.js';
export type { PlanNode, DatasetDef, Expectation, ExpectationAction, CsvOptions, FileSourceOptions, ReaderOptions, FileFormat, FileReadMode, ParseMode, FileSourceNode, SchemaEvolutionMode, WindowSpec, JoinHow, FlowDef, FlowKind, CdcSpec, AsOfJoinNode } from './ir/plan.js';
export { taggedColumns, SCD2_START_COLUMN, SCD2_END_COLUMN, FILE_METADATA_COLUMN, FILE_METADATA_TYPE, isFileSource } from './ir/plan.js';
// the option-driven file source (read_files / cloud_files): Spark's CSV and JSON reader options
export { readFiles } from './expr/api/files.js';
export type { ReadFilesOptions } from './expr/api/files.js';
export { resolveFileSource, SUPPORTED_READER_OPTIONS, parseDdlFields } from './sources/file-options.js';
export type { FileSourceSpec } from './sources/file-options.js';
// inferred file-source schemas fixed before a graph is built (the service and runPipeline do it; validate/graph/sql callers can too)
export { inferFileSchemas } from './runtime/file-schemas.js';
export type { InferOptions } from './runtime/file-schemas.js';

// expressions and relations
export {
  col, lit, and, or, not, coalesce, upper, lower, trim, length, isNull, isNotNull, cast, tryCast, when, udf, fn, lambda,
  count, countDistinct, sum, avg, min, max, aggregate, tumbling, sliding,
  stream, read, readCsv, rowsSource, Expr, Rel, Agg, Window, GroupedRel, CaseBuilder, DEFAULT_NULL_MARKERS,
} from './expr/builder.js';
export type { ExprLike, CsvSourceOptions, DatasetRef, JoinOn } from './expr/builder.js';
export { SortOrder } from './expr/builder.js';
// relational vocabulary: window functions and over(), sort keys, generators, inline rows
export * from './expr/api/relational.js';
// planning a SELECT list with aggregates, window functions and generators (the SQL front end's entry)
export { planSelect } from './plan/select.js';
export type { SelectItemSpec, SelectOptions } from './plan/select.js';
// the function library (docs/functions.md): one module of builders per family
export * from './expr/api/aggregates.js';
export * from './expr/api/string.js';
export * from './expr/api/datetime.js';
export * from './expr/api/collection.js';
export * from './expr/api/json.js';
export { parseExpression } from './parse/expr-parser.js';
export * from './expr/api/math.js';

// datasets, flows and pipelines
export { streamingTable, materializedView, view, definePipeline, Dataset } from './dataset.js';
export type { DatasetOptions, Pipeline, PipelineOptions } from './dataset.js';
export { appendFlow, autoCdc, Flow } from './flow.js';
export type { AppendFlowOptions, AutoCdcOptions } from './flow.js';
export { asOfJoin } from './joins.js';
export type { AsOfJoinOptions } from './joins.js';

// graph
export { buildGraph, downstreamOf } from './graph/graph.js';
export type { PipelineGraph, GraphDataset, GraphFlow, ResolvedCdc } from './graph/graph.js';
export type { RefreshMode } from './graph/refresh.js';

// errors
export { PipelineError, DefinitionError, UnsupportedError, RuntimeFailure, InternalError, isPipelineError } from './errors.js';
export type { Origin } from './errors.js';

// columnar batches
export { batchToRows, batchFromRows, type Batch, type Column } from './batch.js';

// running
export { PipelineExecutor } from './runtime/executor.js';
export type { BatchResult, FlowBatchMetrics, FlowStatus } from './runtime/executor.js';
export type { CdcMetrics } from './cdc/target.js';
export { PipelineRunner } from './runtime/runner.js';
export { PipelineService } from './runtime/service.js';
export type { ServiceOptions, OpenReport } from './runtime/service.js';
// one writer per output folder (every command that writes takes it)
export { lockOutput, readOutputLock, describeHolder, LOCK_FILE } from './runtime/lock.js';
export type { OutputLock, LockHolder, LockOptions, HolderState } from './runtime/lock.js';
export { MemoryStore, type TableStore } from './sinks/store.js';
export { DeltaStore } from './sinks/delta-store.js';
export { parseDurationUs, parseDurationMs } from './duration.js';
export { ManualClock, systemClock, type Clock } from './runtime/clock.js';

// table maintenance (Delta checkpoints and cleanup run with every commit; compaction between batches)
export { DeltaTable } from './sinks/delta-table.js';
export { compactGroups, planAutoCompaction, planOptimize, DEFAULT_COMPACTION } from './maintenance/optimize.js';
export type { CompactionPolicy, CompactionResult } from './maintenance/optimize.js';
export { vacuumTable } from './maintenance/vacuum.js';
export type { VacuumResult } from './maintenance/vacuum.js';

// event log (<output>/system/events)
export { EventLog } from './events/event-log.js';
export type { EventLogOptions } from './events/event-log.js';
export { readEventLog, eventLogExists, EventLogReader } from './events/read.js';
export { readEventSummary } from './events/summary.js';
export type { EventSummary } from './events/summary.js';
export { catalogOfEvents, catalogOfGraph, columnsTagged } from './events/catalog.js';
export type { Catalog, CatalogDataset, CatalogExpectation } from './events/catalog.js';
export { EVENT_LOG_SCHEMA, eventLogDir, pipelineIdOf } from './events/schema.js';
export type { PipelineEvent, EventOrigin, EventSequence, EventError, EventType, FlowProgressDetails } from './events/schema.js';

// testing
export { runPipeline, PipelineTester } from './testing.js';
export type { TestOptions, PipelineRun, TableResult, Row } from './testing.js';
export type { ExpectationMetric } from './operators/expectations.js';

// SQL compilation (Databricks DLT, Spark 4.1 Declarative Pipelines, DuckDB)
export { compilePipeline } from './sql/index.js';

// DLT SQL: loading SQL notebooks, folders and pipeline specs into the same IR
export { loadPipeline, loadPipelineReport } from './load/load-pipeline.js';
export type { LoadPipelineOptions, LoadReport } from './load/load-pipeline.js';
export { lowerSql } from './parse/lower.js';
export type { SqlFile, LowerOptions, LowerResult } from './parse/lower.js';
export { parseSourceBinding } from './parse/file-source.js';
export type { SourceBinding } from './parse/file-source.js';
