-- patient_updates_quarantine: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE STREAMING TABLE patient_updates_quarantine
COMMENT 'Patient change events that failed a validation rule, with _failed_expectations naming every rule they failed.'
TBLPROPERTIES ('quality' = 'silver')
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
  _ingested_at,
  filter(array(CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END, CASE WHEN NOT coalesce(updated_at IS NOT NULL, FALSE) THEN 'valid_updated_at' END, CASE WHEN NOT coalesce(op IN ('UPSERT', 'DELETE'), FALSE) THEN 'valid_op' END), x -> x IS NOT NULL) AS _failed_expectations
FROM STREAM(patient_updates_bronze)
WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(updated_at IS NOT NULL, FALSE) AND coalesce(op IN ('UPSERT', 'DELETE'), FALSE));
