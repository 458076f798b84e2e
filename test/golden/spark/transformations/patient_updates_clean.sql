-- patient_updates_clean: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE TEMPORARY VIEW patient_updates_clean
COMMENT 'Patient change events with a patient, a valid time and a known operation, in the shape AUTO CDC reads.'
-- properties: quality = silver (a temporary view has no TBLPROPERTIES)
AS
SELECT
  patient_id,
  name,
  address,
  contact_number,
  insurance_id,
  op,
  updated_at,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at
FROM STREAM(patient_updates_bronze)
WHERE patient_id IS NOT NULL
  AND updated_at IS NOT NULL
  AND op IN ('UPSERT', 'DELETE');
