-- patients_quarantine: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE STREAMING TABLE patients_quarantine
COMMENT 'Admissions that failed a validation rule, with _failed_expectations naming every rule they failed.'
TBLPROPERTIES ('quality' = 'silver')
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
  _ingested_at,
  filter(array(CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END, CASE WHEN NOT coalesce(age IS NOT NULL AND age BETWEEN 0 AND 120, FALSE) THEN 'valid_age' END, CASE WHEN NOT coalesce(gender IN ('M', 'F'), FALSE) THEN 'valid_gender' END, CASE WHEN NOT coalesce(admission_date IS NOT NULL, FALSE) THEN 'valid_admission_date' END), x -> x IS NOT NULL) AS _failed_expectations
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
WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(age IS NOT NULL AND age BETWEEN 0 AND 120, FALSE) AND coalesce(gender IN ('M', 'F'), FALSE) AND coalesce(admission_date IS NOT NULL, FALSE));
