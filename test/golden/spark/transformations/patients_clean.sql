-- patients_clean: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE TEMPORARY VIEW patients_clean
COMMENT 'Admissions with normalised gender (M/F) and diagnosis codes, checked by the validation rules.'
-- properties: quality = silver (a temporary view has no TBLPROPERTIES)
AS
SELECT
  patient_id,
  name,
  age,
  gender,
  address,
  contact_number,
  admission_date,
  diagnosis_code,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    age,
    CASE WHEN upper(gender) = 'MALE' THEN 'M' WHEN upper(gender) = 'FEMALE' THEN 'F' ELSE upper(gender) END AS gender,
    address,
    contact_number,
    admission_date,
    upper(diagnosis_code) AS diagnosis_code,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at
  FROM STREAM(patients_bronze)
) AS q
WHERE patient_id IS NOT NULL
  AND age IS NOT NULL AND age BETWEEN 0 AND 120
  AND gender IN ('M', 'F')
  AND admission_date IS NOT NULL;
