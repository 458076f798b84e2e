-- Databricks notebook source
-- Pipeline "patients", compiled by localdlt from its definitions (do not edit: regenerate with "localdlt sql --dialect databricks").
-- The CSV sources are read from ${source_path}, a pipeline configuration value (databricks.yml; here /data/incoming).
-- Flows without a SQL form are Python files of the same pipeline: patients_silver.py.
-- What Databricks does differently from the local engine: portability.md.

-- COMMAND ----------

SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW diagnosis_mapping
COMMENT 'Diagnosis code to description mapping (reference data).'
TBLPROPERTIES ('quality' = 'bronze')
AS
SELECT diagnosis_code, diagnosis_description
FROM (
  SELECT
    CASE WHEN lower(trim(BOTH ' \t' FROM diagnosis_code)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM diagnosis_code) END AS diagnosis_code,
    CASE WHEN lower(trim(BOTH ' \t' FROM diagnosis_description)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM diagnosis_description) END AS diagnosis_description,
    _rescued_raw,
    _metadata.file_name AS _source_file
  FROM read_files(
    '${source_path}/diagnosis_mapping.csv',
    format => 'csv',
    header => true,
    multiLine => true,
    escape => '"',
    lineSep => '\n',
    ignoreLeadingWhiteSpace => true,
    ignoreTrailingWhiteSpace => true,
    mode => 'PERMISSIVE',
    schema => 'diagnosis_code STRING, diagnosis_description STRING',
    readerCaseSensitive => false,
    rescuedDataColumn => '_rescued_raw'
  )
) AS raw;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_bronze
COMMENT 'Daily patient admission files as received: every record, with _rescued_data for values that do not fit and the file and line of each row.'
TBLPROPERTIES ('quality' = 'bronze')
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
  nullif(to_json(map_concat(map_filter(map('age', CASE WHEN age IS NULL THEN _text_age END, 'admission_date', CASE WHEN admission_date IS NULL THEN _text_admission_date END), (k, v) -> v IS NOT NULL), map_filter(transform_values(from_json(coalesce(_rescued_raw, '{}'), 'MAP<STRING, STRING>'), (k, v) -> trim(BOTH ' \t' FROM v)), (k, v) -> k <> '_file_path' AND NOT coalesce(lower(v) IN ('', 'null', 'na', 'n/a', 'nan', 'none'), TRUE) AND NOT array_contains(array('age', 'admission_date'), k)))), '{}') AS _rescued_data,
  _source_file,
  CAST(NULL AS BIGINT) AS _line,
  current_timestamp() AS _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    CASE WHEN age RLIKE '^([+-]?[0-9]+)\\z' THEN try_cast(age AS INT) END AS age,
    gender,
    address,
    contact_number,
    CASE WHEN admission_date RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2})\\z' THEN try_cast(admission_date AS DATE) END AS admission_date,
    diagnosis_code,
    age AS _text_age,
    admission_date AS _text_admission_date,
    _rescued_raw,
    _source_file
  FROM (
    SELECT
      CASE WHEN lower(trim(BOTH ' \t' FROM patient_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM patient_id) END AS patient_id,
      CASE WHEN lower(trim(BOTH ' \t' FROM name)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM name) END AS name,
      CASE WHEN lower(trim(BOTH ' \t' FROM age)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM age) END AS age,
      CASE WHEN lower(trim(BOTH ' \t' FROM gender)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM gender) END AS gender,
      CASE WHEN lower(trim(BOTH ' \t' FROM address)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM address) END AS address,
      CASE WHEN lower(trim(BOTH ' \t' FROM contact_number)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM contact_number) END AS contact_number,
      CASE WHEN lower(trim(BOTH ' \t' FROM admission_date)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM admission_date) END AS admission_date,
      CASE WHEN lower(trim(BOTH ' \t' FROM diagnosis_code)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM diagnosis_code) END AS diagnosis_code,
      _rescued_raw,
      _metadata.file_name AS _source_file
    FROM STREAM read_files(
      '${source_path}/patients_daily_file_*.csv',
      format => 'csv',
      header => true,
      multiLine => true,
      escape => '"',
      lineSep => '\n',
      ignoreLeadingWhiteSpace => true,
      ignoreTrailingWhiteSpace => true,
      mode => 'PERMISSIVE',
      schema => 'patient_id STRING, name STRING, age STRING, gender STRING, address STRING, contact_number STRING, admission_date STRING, diagnosis_code STRING',
      readerCaseSensitive => false,
      rescuedDataColumn => '_rescued_raw'
    )
  ) AS raw
) AS l2;

-- COMMAND ----------

CREATE TEMPORARY VIEW patients_clean (
  CONSTRAINT valid_patient_id EXPECT (patient_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_age EXPECT (age IS NOT NULL AND age BETWEEN 0 AND 120) ON VIOLATION DROP ROW,
  CONSTRAINT valid_gender EXPECT (gender IN ('M', 'F')) ON VIOLATION DROP ROW,
  CONSTRAINT valid_admission_date EXPECT (admission_date IS NOT NULL) ON VIOLATION DROP ROW
)
COMMENT 'Admissions with normalised gender (M/F) and diagnosis codes, checked by the validation rules.'
-- properties: quality = silver (a temporary view has no TBLPROPERTIES)
AS
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
FROM STREAM(patients_bronze);

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_quarantine
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

-- COMMAND ----------

-- patients_silver (streaming table): a Python flow in patients_silver.py (dropDuplicates has no SQL form).

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW patient_stats_by_diagnosis (
  CONSTRAINT positive_count EXPECT (patient_count > 0) ON VIOLATION FAIL UPDATE,
  CONSTRAINT plausible_avg_age EXPECT (avg_age BETWEEN 0 AND 120) ON VIOLATION FAIL UPDATE
)
COMMENT 'Patients per diagnosis: count, age statistics and number of genders.'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  diagnosis_description,
  count(patient_id) AS patient_count,
  avg(age) AS avg_age,
  count(DISTINCT gender) AS unique_gender_count,
  min(age) AS min_age,
  max(age) AS max_age
FROM patients_silver
GROUP BY diagnosis_description;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW patient_stats_by_gender (
  CONSTRAINT positive_count EXPECT (patient_count > 0) ON VIOLATION FAIL UPDATE,
  CONSTRAINT plausible_avg_age EXPECT (avg_age BETWEEN 0 AND 120) ON VIOLATION FAIL UPDATE
)
COMMENT 'Patients per gender: count, age statistics and number of diagnoses.'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  gender,
  count(patient_id) AS patient_count,
  avg(age) AS avg_age,
  count(DISTINCT diagnosis_description) AS unique_diagnosis_count,
  min(age) AS min_age,
  max(age) AS max_age
FROM patients_silver
GROUP BY gender;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW daily_admissions_by_diagnosis
COMMENT 'Admissions per day and diagnosis (tumbling 1-day windows on admission_date).'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT w.start AS window_start, w.end AS window_end, diagnosis_description, admissions, avg_age
FROM (
  SELECT
    window(CAST(admission_date AS TIMESTAMP), '1 day') AS w,
    diagnosis_description,
    count(*) AS admissions,
    avg(age) AS avg_age
  FROM patients_silver
  WHERE admission_date IS NOT NULL
  GROUP BY window(CAST(admission_date AS TIMESTAMP), '1 day'), diagnosis_description
) AS q;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW admissions_rolling_7d
COMMENT 'Admissions over 7-day windows sliding by 1 day on admission_date.'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT w.start AS window_start, w.end AS window_end, admissions, avg_age, unique_patients
FROM (
  SELECT
    window(CAST(admission_date AS TIMESTAMP), '7 days', '1 day') AS w,
    count(*) AS admissions,
    avg(age) AS avg_age,
    count(DISTINCT patient_id) AS unique_patients
  FROM patients_silver
  WHERE admission_date IS NOT NULL
  GROUP BY window(CAST(admission_date AS TIMESTAMP), '7 days', '1 day')
) AS q;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE vitals_bronze
COMMENT 'Vital-sign readings as received: every record, with _rescued_data for values that do not fit and the file and line of each row.'
TBLPROPERTIES ('quality' = 'bronze')
AS
SELECT
  patient_id,
  measured_at,
  heart_rate,
  systolic_bp,
  diastolic_bp,
  temperature_c,
  spo2,
  respiration_rate,
  on_oxygen,
  consciousness,
  nullif(to_json(map_concat(map_filter(map('measured_at', CASE WHEN measured_at IS NULL THEN _text_measured_at END, 'heart_rate', CASE WHEN heart_rate IS NULL THEN _text_heart_rate END, 'systolic_bp', CASE WHEN systolic_bp IS NULL THEN _text_systolic_bp END, 'diastolic_bp', CASE WHEN diastolic_bp IS NULL THEN _text_diastolic_bp END, 'temperature_c', CASE WHEN temperature_c IS NULL THEN _text_temperature_c END, 'spo2', CASE WHEN spo2 IS NULL THEN _text_spo2 END, 'respiration_rate', CASE WHEN respiration_rate IS NULL THEN _text_respiration_rate END, 'on_oxygen', CASE WHEN on_oxygen IS NULL THEN _text_on_oxygen END), (k, v) -> v IS NOT NULL), map_filter(transform_values(from_json(coalesce(_rescued_raw, '{}'), 'MAP<STRING, STRING>'), (k, v) -> trim(BOTH ' \t' FROM v)), (k, v) -> k <> '_file_path' AND NOT coalesce(lower(v) IN ('', 'null', 'na', 'n/a', 'nan', 'none'), TRUE) AND NOT array_contains(array('measured_at', 'heart_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'spo2', 'respiration_rate', 'on_oxygen'), k)))), '{}') AS _rescued_data,
  _source_file,
  CAST(NULL AS BIGINT) AS _line,
  current_timestamp() AS _ingested_at
FROM (
  SELECT
    patient_id,
    CASE WHEN measured_at RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?)\\z' THEN try_cast(regexp_replace(upper(measured_at), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '$1 $2:00$3') AS TIMESTAMP) END AS measured_at,
    CASE WHEN heart_rate RLIKE '^([+-]?[0-9]+)\\z' THEN try_cast(heart_rate AS INT) END AS heart_rate,
    CASE WHEN systolic_bp RLIKE '^([+-]?[0-9]+)\\z' THEN try_cast(systolic_bp AS INT) END AS systolic_bp,
    CASE WHEN diastolic_bp RLIKE '^([+-]?[0-9]+)\\z' THEN try_cast(diastolic_bp AS INT) END AS diastolic_bp,
    CASE WHEN temperature_c RLIKE '^([+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?)\\z' AND abs(try_cast(temperature_c AS DOUBLE)) <= 1.7976931348623157E308 THEN try_cast(temperature_c AS DOUBLE) END AS temperature_c,
    CASE WHEN spo2 RLIKE '^([+-]?[0-9]+)\\z' THEN try_cast(spo2 AS INT) END AS spo2,
    CASE WHEN respiration_rate RLIKE '^([+-]?[0-9]+)\\z' THEN try_cast(respiration_rate AS INT) END AS respiration_rate,
    CASE lower(on_oxygen) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END AS on_oxygen,
    consciousness,
    measured_at AS _text_measured_at,
    heart_rate AS _text_heart_rate,
    systolic_bp AS _text_systolic_bp,
    diastolic_bp AS _text_diastolic_bp,
    temperature_c AS _text_temperature_c,
    spo2 AS _text_spo2,
    respiration_rate AS _text_respiration_rate,
    on_oxygen AS _text_on_oxygen,
    _rescued_raw,
    _source_file
  FROM (
    SELECT
      CASE WHEN lower(trim(BOTH ' \t' FROM patient_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM patient_id) END AS patient_id,
      CASE WHEN lower(trim(BOTH ' \t' FROM measured_at)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM measured_at) END AS measured_at,
      CASE WHEN lower(trim(BOTH ' \t' FROM heart_rate)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM heart_rate) END AS heart_rate,
      CASE WHEN lower(trim(BOTH ' \t' FROM systolic_bp)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM systolic_bp) END AS systolic_bp,
      CASE WHEN lower(trim(BOTH ' \t' FROM diastolic_bp)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM diastolic_bp) END AS diastolic_bp,
      CASE WHEN lower(trim(BOTH ' \t' FROM temperature_c)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM temperature_c) END AS temperature_c,
      CASE WHEN lower(trim(BOTH ' \t' FROM spo2)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM spo2) END AS spo2,
      CASE WHEN lower(trim(BOTH ' \t' FROM respiration_rate)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM respiration_rate) END AS respiration_rate,
      CASE WHEN lower(trim(BOTH ' \t' FROM on_oxygen)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM on_oxygen) END AS on_oxygen,
      CASE WHEN lower(trim(BOTH ' \t' FROM consciousness)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM consciousness) END AS consciousness,
      _rescued_raw,
      _metadata.file_name AS _source_file
    FROM STREAM read_files(
      '${source_path}/vitals_*.csv',
      format => 'csv',
      header => true,
      multiLine => true,
      escape => '"',
      lineSep => '\n',
      ignoreLeadingWhiteSpace => true,
      ignoreTrailingWhiteSpace => true,
      mode => 'PERMISSIVE',
      schema => 'patient_id STRING, measured_at STRING, heart_rate STRING, systolic_bp STRING, diastolic_bp STRING, temperature_c STRING, spo2 STRING, respiration_rate STRING, on_oxygen STRING, consciousness STRING',
      readerCaseSensitive => false,
      rescuedDataColumn => '_rescued_raw'
    )
  ) AS raw
) AS l2;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE vitals_silver (
  CONSTRAINT valid_patient_id EXPECT (patient_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_measured_at EXPECT (measured_at IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT has_vitals EXPECT (heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT heart_rate_range EXPECT (heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250) ON VIOLATION DROP ROW,
  CONSTRAINT systolic_bp_range EXPECT (systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260) ON VIOLATION DROP ROW,
  CONSTRAINT diastolic_bp_range EXPECT (diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160) ON VIOLATION DROP ROW,
  CONSTRAINT temperature_c_range EXPECT (temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45) ON VIOLATION DROP ROW,
  CONSTRAINT spo2_range EXPECT (spo2 IS NULL OR spo2 BETWEEN 50 AND 100) ON VIOLATION DROP ROW,
  CONSTRAINT bp_order EXPECT (systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp) ON VIOLATION DROP ROW,
  CONSTRAINT respiration_rate_range EXPECT (respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80) ON VIOLATION DROP ROW,
  CONSTRAINT consciousness_acvpu EXPECT (consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U')) ON VIOLATION DROP ROW
)
COMMENT 'Valid vital-sign readings: a patient, a measurement time, at least one vital, every vital in its plausible range, systolic above diastolic.'
TBLPROPERTIES ('quality' = 'silver')
AS
SELECT
  patient_id,
  measured_at,
  heart_rate,
  systolic_bp,
  diastolic_bp,
  temperature_c,
  spo2,
  respiration_rate,
  on_oxygen,
  consciousness,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at
FROM STREAM(vitals_bronze);

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE vitals_quarantine
COMMENT 'Vital-sign readings that failed a validation rule, with _failed_expectations naming every rule they failed.'
TBLPROPERTIES ('quality' = 'silver')
AS
SELECT
  patient_id,
  measured_at,
  heart_rate,
  systolic_bp,
  diastolic_bp,
  temperature_c,
  spo2,
  respiration_rate,
  on_oxygen,
  consciousness,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at,
  filter(array(CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END, CASE WHEN NOT coalesce(measured_at IS NOT NULL, FALSE) THEN 'valid_measured_at' END, CASE WHEN NOT coalesce(heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL, FALSE) THEN 'has_vitals' END, CASE WHEN NOT coalesce(heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250, FALSE) THEN 'heart_rate_range' END, CASE WHEN NOT coalesce(systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260, FALSE) THEN 'systolic_bp_range' END, CASE WHEN NOT coalesce(diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160, FALSE) THEN 'diastolic_bp_range' END, CASE WHEN NOT coalesce(temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45, FALSE) THEN 'temperature_c_range' END, CASE WHEN NOT coalesce(spo2 IS NULL OR spo2 BETWEEN 50 AND 100, FALSE) THEN 'spo2_range' END, CASE WHEN NOT coalesce(systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp, FALSE) THEN 'bp_order' END, CASE WHEN NOT coalesce(respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80, FALSE) THEN 'respiration_rate_range' END, CASE WHEN NOT coalesce(consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U'), FALSE) THEN 'consciousness_acvpu' END), x -> x IS NOT NULL) AS _failed_expectations
FROM STREAM(vitals_bronze)
WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(measured_at IS NOT NULL, FALSE) AND coalesce(heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL, FALSE) AND coalesce(heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250, FALSE) AND coalesce(systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260, FALSE) AND coalesce(diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160, FALSE) AND coalesce(temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45, FALSE) AND coalesce(spo2 IS NULL OR spo2 BETWEEN 50 AND 100, FALSE) AND coalesce(systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp, FALSE) AND coalesce(respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80, FALSE) AND coalesce(consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U'), FALSE));

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE vitals_15min
COMMENT 'Per patient: readings and average vitals over 15-minute windows sliding every 5 minutes, written once when the 10-minute watermark passes the window end (append mode).'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  w.start AS window_start,
  w.end AS window_end,
  patient_id,
  readings,
  avg_heart_rate,
  avg_systolic_bp,
  avg_diastolic_bp,
  avg_temperature_c,
  avg_spo2
FROM (
  SELECT
    window(measured_at, '15 minutes', '5 minutes') AS w,
    patient_id,
    count(*) AS readings,
    avg(heart_rate) AS avg_heart_rate,
    avg(systolic_bp) AS avg_systolic_bp,
    avg(diastolic_bp) AS avg_diastolic_bp,
    avg(temperature_c) AS avg_temperature_c,
    avg(spo2) AS avg_spo2
  FROM STREAM vitals_silver WATERMARK measured_at DELAY OF INTERVAL 10 MINUTES AS s
  WHERE measured_at IS NOT NULL
  GROUP BY window(measured_at, '15 minutes', '5 minutes'), patient_id
) AS q;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patient_early_warning
COMMENT 'NEWS2 (RCP 2017) per patient and closed 15-minute window: the sub-scores of the latest reading of each parameter (consciousness: the worst), the total of the sub-scores present, the missing count, completeness, the red flag (a single parameter scoring 3) and the band.'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  window_start,
  window_end,
  patient_id,
  readings,
  respiration_rate,
  spo2,
  on_oxygen,
  systolic_bp,
  heart_rate,
  temperature_c,
  consciousness_rank,
  respiration_score,
  spo2_score,
  oxygen_score,
  systolic_bp_score,
  pulse_score,
  consciousness_score,
  temperature_score,
  news2_total,
  news2_missing = 0 AS news2_complete,
  news2_missing,
  news2_red,
  CASE WHEN news2_total >= 7 THEN 'high' WHEN news2_total >= 5 THEN 'medium' WHEN news2_red THEN 'low_medium' ELSE 'low' END AS news2_band
FROM (
  SELECT
    window_start,
    window_end,
    patient_id,
    readings,
    respiration_rate,
    spo2,
    on_oxygen,
    systolic_bp,
    heart_rate,
    temperature_c,
    consciousness_rank,
    respiration_score,
    spo2_score,
    oxygen_score,
    systolic_bp_score,
    pulse_score,
    consciousness_score,
    temperature_score,
    CASE WHEN respiration_score IS NULL THEN 0 ELSE respiration_score END + CASE WHEN spo2_score IS NULL THEN 0 ELSE spo2_score END + CASE WHEN oxygen_score IS NULL THEN 0 ELSE oxygen_score END + CASE WHEN systolic_bp_score IS NULL THEN 0 ELSE systolic_bp_score END + CASE WHEN pulse_score IS NULL THEN 0 ELSE pulse_score END + CASE WHEN consciousness_score IS NULL THEN 0 ELSE consciousness_score END + CASE WHEN temperature_score IS NULL THEN 0 ELSE temperature_score END AS news2_total,
    CASE WHEN respiration_score IS NULL THEN 1 ELSE 0 END + CASE WHEN spo2_score IS NULL THEN 1 ELSE 0 END + CASE WHEN oxygen_score IS NULL THEN 1 ELSE 0 END + CASE WHEN systolic_bp_score IS NULL THEN 1 ELSE 0 END + CASE WHEN pulse_score IS NULL THEN 1 ELSE 0 END + CASE WHEN consciousness_score IS NULL THEN 1 ELSE 0 END + CASE WHEN temperature_score IS NULL THEN 1 ELSE 0 END AS news2_missing,
    (((((coalesce(respiration_score = 3, FALSE) OR coalesce(spo2_score = 3, FALSE)) OR coalesce(oxygen_score = 3, FALSE)) OR coalesce(systolic_bp_score = 3, FALSE)) OR coalesce(pulse_score = 3, FALSE)) OR coalesce(consciousness_score = 3, FALSE)) OR coalesce(temperature_score = 3, FALSE) AS news2_red
  FROM (
    SELECT
      window_start,
      window_end,
      patient_id,
      readings,
      respiration_rate,
      spo2,
      on_oxygen,
      systolic_bp,
      heart_rate,
      temperature_c,
      consciousness_rank,
      CASE WHEN respiration_rate <= 8 THEN 3 WHEN respiration_rate >= 9 AND respiration_rate <= 11 THEN 1 WHEN respiration_rate >= 12 AND respiration_rate <= 20 THEN 0 WHEN respiration_rate >= 21 AND respiration_rate <= 24 THEN 2 WHEN respiration_rate >= 25 THEN 3 ELSE CAST(NULL AS INT) END AS respiration_score,
      CASE WHEN spo2 <= 91 THEN 3 WHEN spo2 >= 92 AND spo2 <= 93 THEN 2 WHEN spo2 >= 94 AND spo2 <= 95 THEN 1 WHEN spo2 >= 96 THEN 0 ELSE CAST(NULL AS INT) END AS spo2_score,
      CASE WHEN on_oxygen THEN 2 WHEN NOT on_oxygen THEN 0 ELSE CAST(NULL AS INT) END AS oxygen_score,
      CASE WHEN systolic_bp <= 90 THEN 3 WHEN systolic_bp >= 91 AND systolic_bp <= 100 THEN 2 WHEN systolic_bp >= 101 AND systolic_bp <= 110 THEN 1 WHEN systolic_bp >= 111 AND systolic_bp <= 219 THEN 0 WHEN systolic_bp >= 220 THEN 3 ELSE CAST(NULL AS INT) END AS systolic_bp_score,
      CASE WHEN heart_rate <= 40 THEN 3 WHEN heart_rate >= 41 AND heart_rate <= 50 THEN 1 WHEN heart_rate >= 51 AND heart_rate <= 90 THEN 0 WHEN heart_rate >= 91 AND heart_rate <= 110 THEN 1 WHEN heart_rate >= 111 AND heart_rate <= 130 THEN 2 WHEN heart_rate >= 131 THEN 3 ELSE CAST(NULL AS INT) END AS pulse_score,
      CASE WHEN consciousness_rank = 0 THEN 0 WHEN consciousness_rank > 0 THEN 3 ELSE CAST(NULL AS INT) END AS consciousness_score,
      CASE WHEN round(temperature_c, 1) <= 35 THEN 3 WHEN round(temperature_c, 1) >= CAST(35.1 AS DOUBLE) AND round(temperature_c, 1) <= 36 THEN 1 WHEN round(temperature_c, 1) >= CAST(36.1 AS DOUBLE) AND round(temperature_c, 1) <= 38 THEN 0 WHEN round(temperature_c, 1) >= CAST(38.1 AS DOUBLE) AND round(temperature_c, 1) <= 39 THEN 1 WHEN round(temperature_c, 1) >= CAST(39.1 AS DOUBLE) THEN 2 ELSE CAST(NULL AS INT) END AS temperature_score
    FROM (
      SELECT
        window_start,
        window_end,
        patient_id,
        readings,
        CAST(try_mod(respiration_key, 1000) AS INT) AS respiration_rate,
        CAST(try_mod(spo2_key, 1000) AS INT) AS spo2,
        try_mod(oxygen_key, 1000) = 1 AS on_oxygen,
        CAST(try_mod(systolic_bp_key, 1000) AS INT) AS systolic_bp,
        CAST(try_mod(heart_rate_key, 1000) AS INT) AS heart_rate,
        try_divide(CAST(try_mod(temperature_key, 1000) AS DOUBLE), 10) AS temperature_c,
        consciousness_rank
      FROM (
        SELECT
          w.start AS window_start,
          w.end AS window_end,
          patient_id,
          readings,
          respiration_key,
          spo2_key,
          oxygen_key,
          systolic_bp_key,
          heart_rate_key,
          temperature_key,
          consciousness_rank
        FROM (
          SELECT
            window(measured_at, '15 minutes') AS w,
            patient_id,
            count(*) AS readings,
            max(unix_seconds(measured_at) * 1000 + CAST(respiration_rate AS BIGINT)) AS respiration_key,
            max(unix_seconds(measured_at) * 1000 + CAST(spo2 AS BIGINT)) AS spo2_key,
            max(unix_seconds(measured_at) * 1000 + CAST(CASE WHEN on_oxygen THEN 1 WHEN NOT on_oxygen THEN 0 ELSE CAST(NULL AS INT) END AS BIGINT)) AS oxygen_key,
            max(unix_seconds(measured_at) * 1000 + CAST(systolic_bp AS BIGINT)) AS systolic_bp_key,
            max(unix_seconds(measured_at) * 1000 + CAST(heart_rate AS BIGINT)) AS heart_rate_key,
            max(unix_seconds(measured_at) * 1000 + CAST((round(temperature_c, 1) * 10) AS BIGINT)) AS temperature_key,
            max(CASE WHEN upper(consciousness) = 'A' THEN 0 WHEN upper(consciousness) = 'C' THEN 1 WHEN upper(consciousness) = 'V' THEN 2 WHEN upper(consciousness) = 'P' THEN 3 WHEN upper(consciousness) = 'U' THEN 4 ELSE CAST(NULL AS INT) END) AS consciousness_rank
          FROM STREAM vitals_silver WATERMARK measured_at DELAY OF INTERVAL 10 MINUTES AS s
          WHERE measured_at IS NOT NULL
          GROUP BY window(measured_at, '15 minutes'), patient_id
        ) AS q
      ) AS q
    ) AS q
  ) AS q
) AS q;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patient_risk_features
COMMENT 'Per patient, 4-hour windows sliding every 15 minutes: latest vitals, changes against the 4-hour mean, extremes, abnormal-reading counts, oxygen, worst consciousness and the NEWS2 of the latest values.'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  window_start,
  window_end,
  patient_id,
  readings,
  heart_rate,
  systolic_bp,
  respiration_rate,
  spo2,
  temperature_c,
  heart_rate - hr_mean AS heart_rate_change,
  systolic_bp - sbp_mean AS systolic_bp_change,
  respiration_rate - rr_mean AS respiration_rate_change,
  spo2 - spo2_mean AS spo2_change,
  max_temperature_c,
  oxygen_any AS on_oxygen,
  consciousness_rank,
  tachycardic_readings,
  hypoxic_readings,
  tachypnoeic_readings,
  hypotensive_readings,
  CASE WHEN CASE WHEN respiration_rate <= 8 THEN 3 WHEN respiration_rate >= 9 AND respiration_rate <= 11 THEN 1 WHEN respiration_rate >= 12 AND respiration_rate <= 20 THEN 0 WHEN respiration_rate >= 21 AND respiration_rate <= 24 THEN 2 WHEN respiration_rate >= 25 THEN 3 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN respiration_rate <= 8 THEN 3 WHEN respiration_rate >= 9 AND respiration_rate <= 11 THEN 1 WHEN respiration_rate >= 12 AND respiration_rate <= 20 THEN 0 WHEN respiration_rate >= 21 AND respiration_rate <= 24 THEN 2 WHEN respiration_rate >= 25 THEN 3 ELSE CAST(NULL AS INT) END END + CASE WHEN CASE WHEN spo2 <= 91 THEN 3 WHEN spo2 >= 92 AND spo2 <= 93 THEN 2 WHEN spo2 >= 94 AND spo2 <= 95 THEN 1 WHEN spo2 >= 96 THEN 0 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN spo2 <= 91 THEN 3 WHEN spo2 >= 92 AND spo2 <= 93 THEN 2 WHEN spo2 >= 94 AND spo2 <= 95 THEN 1 WHEN spo2 >= 96 THEN 0 ELSE CAST(NULL AS INT) END END + CASE WHEN CASE WHEN oxygen_any = 1 THEN 2 WHEN NOT (oxygen_any = 1) THEN 0 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN oxygen_any = 1 THEN 2 WHEN NOT (oxygen_any = 1) THEN 0 ELSE CAST(NULL AS INT) END END + CASE WHEN CASE WHEN systolic_bp <= 90 THEN 3 WHEN systolic_bp >= 91 AND systolic_bp <= 100 THEN 2 WHEN systolic_bp >= 101 AND systolic_bp <= 110 THEN 1 WHEN systolic_bp >= 111 AND systolic_bp <= 219 THEN 0 WHEN systolic_bp >= 220 THEN 3 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN systolic_bp <= 90 THEN 3 WHEN systolic_bp >= 91 AND systolic_bp <= 100 THEN 2 WHEN systolic_bp >= 101 AND systolic_bp <= 110 THEN 1 WHEN systolic_bp >= 111 AND systolic_bp <= 219 THEN 0 WHEN systolic_bp >= 220 THEN 3 ELSE CAST(NULL AS INT) END END + CASE WHEN CASE WHEN heart_rate <= 40 THEN 3 WHEN heart_rate >= 41 AND heart_rate <= 50 THEN 1 WHEN heart_rate >= 51 AND heart_rate <= 90 THEN 0 WHEN heart_rate >= 91 AND heart_rate <= 110 THEN 1 WHEN heart_rate >= 111 AND heart_rate <= 130 THEN 2 WHEN heart_rate >= 131 THEN 3 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN heart_rate <= 40 THEN 3 WHEN heart_rate >= 41 AND heart_rate <= 50 THEN 1 WHEN heart_rate >= 51 AND heart_rate <= 90 THEN 0 WHEN heart_rate >= 91 AND heart_rate <= 110 THEN 1 WHEN heart_rate >= 111 AND heart_rate <= 130 THEN 2 WHEN heart_rate >= 131 THEN 3 ELSE CAST(NULL AS INT) END END + CASE WHEN CASE WHEN consciousness_rank = 0 THEN 0 WHEN consciousness_rank > 0 THEN 3 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN consciousness_rank = 0 THEN 0 WHEN consciousness_rank > 0 THEN 3 ELSE CAST(NULL AS INT) END END + CASE WHEN CASE WHEN round(temperature_c, 1) <= 35 THEN 3 WHEN round(temperature_c, 1) >= CAST(35.1 AS DOUBLE) AND round(temperature_c, 1) <= 36 THEN 1 WHEN round(temperature_c, 1) >= CAST(36.1 AS DOUBLE) AND round(temperature_c, 1) <= 38 THEN 0 WHEN round(temperature_c, 1) >= CAST(38.1 AS DOUBLE) AND round(temperature_c, 1) <= 39 THEN 1 WHEN round(temperature_c, 1) >= CAST(39.1 AS DOUBLE) THEN 2 ELSE CAST(NULL AS INT) END IS NULL THEN 0 ELSE CASE WHEN round(temperature_c, 1) <= 35 THEN 3 WHEN round(temperature_c, 1) >= CAST(35.1 AS DOUBLE) AND round(temperature_c, 1) <= 36 THEN 1 WHEN round(temperature_c, 1) >= CAST(36.1 AS DOUBLE) AND round(temperature_c, 1) <= 38 THEN 0 WHEN round(temperature_c, 1) >= CAST(38.1 AS DOUBLE) AND round(temperature_c, 1) <= 39 THEN 1 WHEN round(temperature_c, 1) >= CAST(39.1 AS DOUBLE) THEN 2 ELSE CAST(NULL AS INT) END END AS news2_total
FROM (
  SELECT
    window_start,
    window_end,
    patient_id,
    readings,
    CAST(try_mod(hr_key, 1000) AS INT) AS heart_rate,
    CAST(try_mod(sbp_key, 1000) AS INT) AS systolic_bp,
    CAST(try_mod(rr_key, 1000) AS INT) AS respiration_rate,
    CAST(try_mod(spo2_key, 1000) AS INT) AS spo2,
    try_divide(CAST(try_mod(temp_key, 1000) AS DOUBLE), 10) AS temperature_c,
    hr_mean,
    sbp_mean,
    rr_mean,
    spo2_mean,
    max_temperature_c,
    oxygen_any,
    consciousness_rank,
    tachycardic_readings,
    hypoxic_readings,
    tachypnoeic_readings,
    hypotensive_readings
  FROM (
    SELECT
      w.start AS window_start,
      w.end AS window_end,
      patient_id,
      readings,
      hr_key,
      sbp_key,
      rr_key,
      spo2_key,
      temp_key,
      hr_mean,
      sbp_mean,
      rr_mean,
      spo2_mean,
      max_temperature_c,
      oxygen_any,
      consciousness_rank,
      tachycardic_readings,
      hypoxic_readings,
      tachypnoeic_readings,
      hypotensive_readings
    FROM (
      SELECT
        window(measured_at, '4 hours', '15 minutes') AS w,
        patient_id,
        count(*) AS readings,
        max(unix_seconds(measured_at) * 1000 + CAST(heart_rate AS BIGINT)) AS hr_key,
        max(unix_seconds(measured_at) * 1000 + CAST(systolic_bp AS BIGINT)) AS sbp_key,
        max(unix_seconds(measured_at) * 1000 + CAST(respiration_rate AS BIGINT)) AS rr_key,
        max(unix_seconds(measured_at) * 1000 + CAST(spo2 AS BIGINT)) AS spo2_key,
        max(unix_seconds(measured_at) * 1000 + CAST((round(temperature_c, 1) * 10) AS BIGINT)) AS temp_key,
        avg(heart_rate) AS hr_mean,
        avg(systolic_bp) AS sbp_mean,
        avg(respiration_rate) AS rr_mean,
        avg(spo2) AS spo2_mean,
        max(temperature_c) AS max_temperature_c,
        max(CASE WHEN on_oxygen THEN 1 WHEN NOT on_oxygen THEN 0 ELSE CAST(NULL AS INT) END) AS oxygen_any,
        max(CASE WHEN upper(consciousness) = 'A' THEN 0 WHEN upper(consciousness) = 'C' THEN 1 WHEN upper(consciousness) = 'V' THEN 2 WHEN upper(consciousness) = 'P' THEN 3 WHEN upper(consciousness) = 'U' THEN 4 ELSE CAST(NULL AS INT) END) AS consciousness_rank,
        count(*) FILTER (WHERE heart_rate > 110) AS tachycardic_readings,
        count(*) FILTER (WHERE spo2 < 94) AS hypoxic_readings,
        count(*) FILTER (WHERE respiration_rate > 20) AS tachypnoeic_readings,
        count(*) FILTER (WHERE systolic_bp < 100) AS hypotensive_readings
      FROM STREAM vitals_silver WATERMARK measured_at DELAY OF INTERVAL 10 MINUTES AS s
      WHERE measured_at IS NOT NULL
      GROUP BY window(measured_at, '4 hours', '15 minutes'), patient_id
    ) AS q
  ) AS q
) AS q;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patient_risk
COMMENT 'Per patient and 4-hour window sliding every 15 minutes: the probability of a threshold alert within the next 4 hours (logistic model of layers/models/risk.json, trained on synthetic data; not clinically validated, not for clinical decisions), its level and the three features that raise it most.'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  window_start,
  window_end,
  patient_id,
  readings,
  news2_total,
  risk_probability,
  CASE WHEN risk_probability >= CAST(0.11966573728683218 AS DOUBLE) THEN 'high' WHEN risk_probability >= CAST(0.05983286864341609 AS DOUBLE) THEN 'elevated' ELSE 'low' END AS risk_level,
  top_feature_1,
  top_feature_2,
  top_feature_3
FROM (
  SELECT
    window_start,
    window_end,
    patient_id,
    readings,
    news2_total,
    risk_probability,
    contribution_heart_rate,
    contribution_systolic_bp,
    contribution_respiration_rate,
    contribution_spo2,
    contribution_temperature_c,
    contribution_heart_rate_change,
    contribution_systolic_bp_change,
    contribution_respiration_rate_change,
    contribution_spo2_change,
    contribution_max_temperature_c,
    contribution_on_oxygen,
    contribution_consciousness_rank,
    contribution_tachycardic_readings,
    contribution_hypoxic_readings,
    contribution_tachypnoeic_readings,
    contribution_hypotensive_readings,
    contribution_news2_total,
    contribution_age,
    contribution_cardiorespiratory,
    top_feature_1,
    top_feature_2,
    CASE WHEN CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate' WHEN CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp' WHEN CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate' WHEN CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2' WHEN CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'temperature_c' WHEN CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate_change' WHEN CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp_change' WHEN CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate_change' WHEN CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2_change' WHEN CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'max_temperature_c' WHEN CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'on_oxygen' WHEN CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'consciousness_rank' WHEN CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachycardic_readings' WHEN CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypoxic_readings' WHEN CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachypnoeic_readings' WHEN CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypotensive_readings' WHEN CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'news2_total' WHEN CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'age' WHEN CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'cardiorespiratory' ELSE NULL END AS top_feature_3
  FROM (
    SELECT
      window_start,
      window_end,
      patient_id,
      readings,
      news2_total,
      risk_probability,
      contribution_heart_rate,
      contribution_systolic_bp,
      contribution_respiration_rate,
      contribution_spo2,
      contribution_temperature_c,
      contribution_heart_rate_change,
      contribution_systolic_bp_change,
      contribution_respiration_rate_change,
      contribution_spo2_change,
      contribution_max_temperature_c,
      contribution_on_oxygen,
      contribution_consciousness_rank,
      contribution_tachycardic_readings,
      contribution_hypoxic_readings,
      contribution_tachypnoeic_readings,
      contribution_hypotensive_readings,
      contribution_news2_total,
      contribution_age,
      contribution_cardiorespiratory,
      top_feature_1,
      CASE WHEN CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate' WHEN CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp' WHEN CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate' WHEN CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2' WHEN CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'temperature_c' WHEN CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate_change' WHEN CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp_change' WHEN CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate_change' WHEN CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2_change' WHEN CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'max_temperature_c' WHEN CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'on_oxygen' WHEN CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'consciousness_rank' WHEN CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachycardic_readings' WHEN CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypoxic_readings' WHEN CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachypnoeic_readings' WHEN CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypotensive_readings' WHEN CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'news2_total' WHEN CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'age' WHEN CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'cardiorespiratory' ELSE NULL END AS top_feature_2
    FROM (
      SELECT
        window_start,
        window_end,
        patient_id,
        readings,
        news2_total,
        risk_probability,
        contribution_heart_rate,
        contribution_systolic_bp,
        contribution_respiration_rate,
        contribution_spo2,
        contribution_temperature_c,
        contribution_heart_rate_change,
        contribution_systolic_bp_change,
        contribution_respiration_rate_change,
        contribution_spo2_change,
        contribution_max_temperature_c,
        contribution_on_oxygen,
        contribution_consciousness_rank,
        contribution_tachycardic_readings,
        contribution_hypoxic_readings,
        contribution_tachypnoeic_readings,
        contribution_hypotensive_readings,
        contribution_news2_total,
        contribution_age,
        contribution_cardiorespiratory,
        CASE WHEN contribution_heart_rate = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'heart_rate' WHEN contribution_systolic_bp = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'systolic_bp' WHEN contribution_respiration_rate = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'respiration_rate' WHEN contribution_spo2 = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'spo2' WHEN contribution_temperature_c = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'temperature_c' WHEN contribution_heart_rate_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'heart_rate_change' WHEN contribution_systolic_bp_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'systolic_bp_change' WHEN contribution_respiration_rate_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'respiration_rate_change' WHEN contribution_spo2_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'spo2_change' WHEN contribution_max_temperature_c = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'max_temperature_c' WHEN contribution_on_oxygen = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'on_oxygen' WHEN contribution_consciousness_rank = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'consciousness_rank' WHEN contribution_tachycardic_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'tachycardic_readings' WHEN contribution_hypoxic_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'hypoxic_readings' WHEN contribution_tachypnoeic_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'tachypnoeic_readings' WHEN contribution_hypotensive_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'hypotensive_readings' WHEN contribution_news2_total = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'news2_total' WHEN contribution_age = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'age' WHEN contribution_cardiorespiratory = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'cardiorespiratory' ELSE NULL END AS top_feature_1
      FROM (
        SELECT
          window_start,
          window_end,
          patient_id,
          readings,
          news2_total,
          try_divide(1, (1 + exp(-(CAST(-3.7545189000731165 AS DOUBLE) + coalesce(try_divide((CAST(heart_rate AS DOUBLE) - CAST(76.76760382621195 AS DOUBLE)), CAST(11.993357924074868 AS DOUBLE)), 0) * CAST(0.17348890053861804 AS DOUBLE) + coalesce(try_divide((CAST(systolic_bp AS DOUBLE) - CAST(125.39142783813843 AS DOUBLE)), CAST(10.722927165682979 AS DOUBLE)), 0) * CAST(-0.10404607938491896 AS DOUBLE) + coalesce(try_divide((CAST(respiration_rate AS DOUBLE) - CAST(15.852972880485927 AS DOUBLE)), CAST(2.8939850062784496 AS DOUBLE)), 0) * CAST(0.03839081090498994 AS DOUBLE) + coalesce(try_divide((CAST(spo2 AS DOUBLE) - CAST(97.12161977134251 AS DOUBLE)), CAST(2.8620103188830344 AS DOUBLE)), 0) * CAST(-0.1283780129730859 AS DOUBLE) + coalesce(try_divide((temperature_c - CAST(36.87183103532987 AS DOUBLE)), CAST(0.3203487829619176 AS DOUBLE)), 0) * CAST(-0.015033940768162841 AS DOUBLE) + coalesce(try_divide((heart_rate_change - CAST(0.34200183770248144 AS DOUBLE)), CAST(5.737766869211991 AS DOUBLE)), 0) * CAST(0.10887434875695881 AS DOUBLE) + coalesce(try_divide((systolic_bp_change - CAST(-0.19048481280793897 AS DOUBLE)), CAST(3.0037542980663963 AS DOUBLE)), 0) * CAST(-0.5337837040145232 AS DOUBLE) + coalesce(try_divide((respiration_rate_change - CAST(0.09619930363834885 AS DOUBLE)), CAST(1.1214013664510616 AS DOUBLE)), 0) * CAST(0.5488324828734973 AS DOUBLE) + coalesce(try_divide((spo2_change - CAST(-0.06564860222310458 AS DOUBLE)), CAST(2.0817432312719495 AS DOUBLE)), 0) * CAST(0.05073298456852411 AS DOUBLE) + coalesce(try_divide((max_temperature_c - CAST(36.951712100481565 AS DOUBLE)), CAST(0.31124105491342147 AS DOUBLE)), 0) * CAST(0.12081594431287031 AS DOUBLE) + coalesce(try_divide((CAST(on_oxygen AS DOUBLE) - CAST(0.06103173924202242 AS DOUBLE)), CAST(0.23938852530392582 AS DOUBLE)), 0) * CAST(-0.1450788601981158 AS DOUBLE) + coalesce(try_divide((CAST(consciousness_rank AS DOUBLE) - CAST(0.010933356146804688 AS DOUBLE)), CAST(0.12962389479111572 AS DOUBLE)), 0) * CAST(-0.28256979439702173 AS DOUBLE) + coalesce(try_divide((CAST(tachycardic_readings AS DOUBLE) - CAST(0.05834545298999059 AS DOUBLE)), CAST(0.262819722642289 AS DOUBLE)), 0) * CAST(-0.07050920999062779 AS DOUBLE) + coalesce(try_divide((CAST(hypoxic_readings AS DOUBLE) - CAST(0.11888099923004534 AS DOUBLE)), CAST(0.5003209649491087 AS DOUBLE)), 0) * CAST(-0.07240919549838132 AS DOUBLE) + coalesce(try_divide((CAST(tachypnoeic_readings AS DOUBLE) - CAST(0.11828214560698093 AS DOUBLE)), CAST(0.6878100397811113 AS DOUBLE)), 0) * CAST(-0.02233616424458492 AS DOUBLE) + coalesce(try_divide((CAST(hypotensive_readings AS DOUBLE) - CAST(0.01055693386944991 AS DOUBLE)), CAST(0.11422005406754249 AS DOUBLE)), 0) * CAST(0.003606206768011624 AS DOUBLE) + coalesce(try_divide((CAST(news2_total AS DOUBLE) - CAST(0.6172298742407392 AS DOUBLE)), CAST(1.6477250538142234 AS DOUBLE)), 0) * CAST(0.029486150105063395 AS DOUBLE) + coalesce(try_divide((CAST(age AS DOUBLE) - CAST(60.30555333119795 AS DOUBLE)), CAST(16.641827399433026 AS DOUBLE)), 0) * CAST(0.030314965910980297 AS DOUBLE) + coalesce(try_divide((CAST(cardiorespiratory AS DOUBLE) - CAST(0.3930382156670207 AS DOUBLE)), CAST(0.4884252007136958 AS DOUBLE)), 0) * CAST(-0.13938358283952632 AS DOUBLE))))) AS risk_probability,
          coalesce(try_divide((CAST(heart_rate AS DOUBLE) - CAST(76.76760382621195 AS DOUBLE)), CAST(11.993357924074868 AS DOUBLE)), 0) * CAST(0.17348890053861804 AS DOUBLE) AS contribution_heart_rate,
          coalesce(try_divide((CAST(systolic_bp AS DOUBLE) - CAST(125.39142783813843 AS DOUBLE)), CAST(10.722927165682979 AS DOUBLE)), 0) * CAST(-0.10404607938491896 AS DOUBLE) AS contribution_systolic_bp,
          coalesce(try_divide((CAST(respiration_rate AS DOUBLE) - CAST(15.852972880485927 AS DOUBLE)), CAST(2.8939850062784496 AS DOUBLE)), 0) * CAST(0.03839081090498994 AS DOUBLE) AS contribution_respiration_rate,
          coalesce(try_divide((CAST(spo2 AS DOUBLE) - CAST(97.12161977134251 AS DOUBLE)), CAST(2.8620103188830344 AS DOUBLE)), 0) * CAST(-0.1283780129730859 AS DOUBLE) AS contribution_spo2,
          coalesce(try_divide((temperature_c - CAST(36.87183103532987 AS DOUBLE)), CAST(0.3203487829619176 AS DOUBLE)), 0) * CAST(-0.015033940768162841 AS DOUBLE) AS contribution_temperature_c,
          coalesce(try_divide((heart_rate_change - CAST(0.34200183770248144 AS DOUBLE)), CAST(5.737766869211991 AS DOUBLE)), 0) * CAST(0.10887434875695881 AS DOUBLE) AS contribution_heart_rate_change,
          coalesce(try_divide((systolic_bp_change - CAST(-0.19048481280793897 AS DOUBLE)), CAST(3.0037542980663963 AS DOUBLE)), 0) * CAST(-0.5337837040145232 AS DOUBLE) AS contribution_systolic_bp_change,
          coalesce(try_divide((respiration_rate_change - CAST(0.09619930363834885 AS DOUBLE)), CAST(1.1214013664510616 AS DOUBLE)), 0) * CAST(0.5488324828734973 AS DOUBLE) AS contribution_respiration_rate_change,
          coalesce(try_divide((spo2_change - CAST(-0.06564860222310458 AS DOUBLE)), CAST(2.0817432312719495 AS DOUBLE)), 0) * CAST(0.05073298456852411 AS DOUBLE) AS contribution_spo2_change,
          coalesce(try_divide((max_temperature_c - CAST(36.951712100481565 AS DOUBLE)), CAST(0.31124105491342147 AS DOUBLE)), 0) * CAST(0.12081594431287031 AS DOUBLE) AS contribution_max_temperature_c,
          coalesce(try_divide((CAST(on_oxygen AS DOUBLE) - CAST(0.06103173924202242 AS DOUBLE)), CAST(0.23938852530392582 AS DOUBLE)), 0) * CAST(-0.1450788601981158 AS DOUBLE) AS contribution_on_oxygen,
          coalesce(try_divide((CAST(consciousness_rank AS DOUBLE) - CAST(0.010933356146804688 AS DOUBLE)), CAST(0.12962389479111572 AS DOUBLE)), 0) * CAST(-0.28256979439702173 AS DOUBLE) AS contribution_consciousness_rank,
          coalesce(try_divide((CAST(tachycardic_readings AS DOUBLE) - CAST(0.05834545298999059 AS DOUBLE)), CAST(0.262819722642289 AS DOUBLE)), 0) * CAST(-0.07050920999062779 AS DOUBLE) AS contribution_tachycardic_readings,
          coalesce(try_divide((CAST(hypoxic_readings AS DOUBLE) - CAST(0.11888099923004534 AS DOUBLE)), CAST(0.5003209649491087 AS DOUBLE)), 0) * CAST(-0.07240919549838132 AS DOUBLE) AS contribution_hypoxic_readings,
          coalesce(try_divide((CAST(tachypnoeic_readings AS DOUBLE) - CAST(0.11828214560698093 AS DOUBLE)), CAST(0.6878100397811113 AS DOUBLE)), 0) * CAST(-0.02233616424458492 AS DOUBLE) AS contribution_tachypnoeic_readings,
          coalesce(try_divide((CAST(hypotensive_readings AS DOUBLE) - CAST(0.01055693386944991 AS DOUBLE)), CAST(0.11422005406754249 AS DOUBLE)), 0) * CAST(0.003606206768011624 AS DOUBLE) AS contribution_hypotensive_readings,
          coalesce(try_divide((CAST(news2_total AS DOUBLE) - CAST(0.6172298742407392 AS DOUBLE)), CAST(1.6477250538142234 AS DOUBLE)), 0) * CAST(0.029486150105063395 AS DOUBLE) AS contribution_news2_total,
          coalesce(try_divide((CAST(age AS DOUBLE) - CAST(60.30555333119795 AS DOUBLE)), CAST(16.641827399433026 AS DOUBLE)), 0) * CAST(0.030314965910980297 AS DOUBLE) AS contribution_age,
          coalesce(try_divide((CAST(cardiorespiratory AS DOUBLE) - CAST(0.3930382156670207 AS DOUBLE)), CAST(0.4884252007136958 AS DOUBLE)), 0) * CAST(-0.13938358283952632 AS DOUBLE) AS contribution_cardiorespiratory
        FROM (
          SELECT
            l.window_start AS window_start,
            l.window_end AS window_end,
            l.patient_id AS patient_id,
            l.readings AS readings,
            l.heart_rate AS heart_rate,
            l.systolic_bp AS systolic_bp,
            l.respiration_rate AS respiration_rate,
            l.spo2 AS spo2,
            l.temperature_c AS temperature_c,
            l.heart_rate_change AS heart_rate_change,
            l.systolic_bp_change AS systolic_bp_change,
            l.respiration_rate_change AS respiration_rate_change,
            l.spo2_change AS spo2_change,
            l.max_temperature_c AS max_temperature_c,
            l.on_oxygen AS on_oxygen,
            l.consciousness_rank AS consciousness_rank,
            l.tachycardic_readings AS tachycardic_readings,
            l.hypoxic_readings AS hypoxic_readings,
            l.tachypnoeic_readings AS tachypnoeic_readings,
            l.hypotensive_readings AS hypotensive_readings,
            l.news2_total AS news2_total,
            r.age AS age,
            r.diagnosis_code AS diagnosis_code,
            CASE WHEN r.diagnosis_code IS NULL THEN CAST(NULL AS INT) WHEN r.diagnosis_code IN ('D003', 'D004', 'D005', 'D007', 'D010') THEN 1 ELSE 0 END AS cardiorespiratory
          FROM STREAM(patient_risk_features) AS l
          LEFT JOIN (
            SELECT
              patient_id,
              age,
              diagnosis_code,
              admitted_from,
              lead(admitted_from, 1) OVER (PARTITION BY patient_id ORDER BY admitted_from ASC NULLS FIRST, age ASC NULLS FIRST, diagnosis_code ASC NULLS FIRST) AS admitted_until
            FROM (
              SELECT patient_id, age, diagnosis_code, CAST(admission_date AS TIMESTAMP) AS admitted_from
              FROM patients_silver
            ) AS q
          ) AS r ON l.patient_id = r.patient_id AND r.admitted_from <= l.window_end AND (r.admitted_until IS NULL OR l.window_end < r.admitted_until)
        ) AS q
      ) AS q
    ) AS q
  ) AS q
) AS q;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patient_alerts
COMMENT 'One row per closed window, patient and alert reason: tachycardia, bradycardia, hypoxemia, fever, hypotension (with the window averages), early_warning_high and early_warning_red (with the NEWS2 total), risk_high (with the model probability).'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  window_start,
  window_end,
  patient_id,
  'tachycardia' AS reason,
  readings,
  avg_heart_rate,
  avg_systolic_bp,
  avg_diastolic_bp,
  avg_temperature_c,
  avg_spo2,
  CAST(NULL AS INT) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(vitals_15min)
WHERE avg_heart_rate > 120
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'bradycardia' AS reason,
  readings,
  avg_heart_rate,
  avg_systolic_bp,
  avg_diastolic_bp,
  avg_temperature_c,
  avg_spo2,
  CAST(NULL AS INT) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(vitals_15min)
WHERE avg_heart_rate < 40
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'hypoxemia' AS reason,
  readings,
  avg_heart_rate,
  avg_systolic_bp,
  avg_diastolic_bp,
  avg_temperature_c,
  avg_spo2,
  CAST(NULL AS INT) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(vitals_15min)
WHERE avg_spo2 < 90
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'fever' AS reason,
  readings,
  avg_heart_rate,
  avg_systolic_bp,
  avg_diastolic_bp,
  avg_temperature_c,
  avg_spo2,
  CAST(NULL AS INT) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(vitals_15min)
WHERE avg_temperature_c >= CAST(38.5 AS DOUBLE)
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'hypotension' AS reason,
  readings,
  avg_heart_rate,
  avg_systolic_bp,
  avg_diastolic_bp,
  avg_temperature_c,
  avg_spo2,
  CAST(NULL AS INT) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(vitals_15min)
WHERE avg_systolic_bp < 90
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'early_warning_high' AS reason,
  readings,
  CAST(NULL AS DOUBLE) AS avg_heart_rate,
  CAST(NULL AS DOUBLE) AS avg_systolic_bp,
  CAST(NULL AS DOUBLE) AS avg_diastolic_bp,
  CAST(NULL AS DOUBLE) AS avg_temperature_c,
  CAST(NULL AS DOUBLE) AS avg_spo2,
  news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(patient_early_warning)
WHERE news2_total >= 7
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'early_warning_red' AS reason,
  readings,
  CAST(NULL AS DOUBLE) AS avg_heart_rate,
  CAST(NULL AS DOUBLE) AS avg_systolic_bp,
  CAST(NULL AS DOUBLE) AS avg_diastolic_bp,
  CAST(NULL AS DOUBLE) AS avg_temperature_c,
  CAST(NULL AS DOUBLE) AS avg_spo2,
  news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM STREAM(patient_early_warning)
WHERE news2_red = TRUE
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'risk_high' AS reason,
  readings,
  CAST(NULL AS DOUBLE) AS avg_heart_rate,
  CAST(NULL AS DOUBLE) AS avg_systolic_bp,
  CAST(NULL AS DOUBLE) AS avg_diastolic_bp,
  CAST(NULL AS DOUBLE) AS avg_temperature_c,
  CAST(NULL AS DOUBLE) AS avg_spo2,
  CAST(NULL AS INT) AS news2_total,
  risk_probability
FROM STREAM(patient_risk)
WHERE risk_level = 'high';

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patient_updates_bronze
COMMENT 'Patient change events as received (UPSERT or DELETE with the time of the change): every record, with _rescued_data and the file and line of each row.'
TBLPROPERTIES ('quality' = 'bronze')
AS
SELECT
  patient_id,
  name,
  address,
  contact_number,
  insurance_id,
  op,
  updated_at,
  nullif(to_json(map_concat(map_filter(map('updated_at', CASE WHEN updated_at IS NULL THEN _text_updated_at END), (k, v) -> v IS NOT NULL), map_filter(transform_values(from_json(coalesce(_rescued_raw, '{}'), 'MAP<STRING, STRING>'), (k, v) -> trim(BOTH ' \t' FROM v)), (k, v) -> k <> '_file_path' AND NOT coalesce(lower(v) IN ('', 'null', 'na', 'n/a', 'nan', 'none'), TRUE) AND NOT array_contains(array('updated_at'), k)))), '{}') AS _rescued_data,
  _source_file,
  CAST(NULL AS BIGINT) AS _line,
  current_timestamp() AS _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    address,
    contact_number,
    insurance_id,
    op,
    CASE WHEN updated_at RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?)\\z' THEN try_cast(regexp_replace(upper(updated_at), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '$1 $2:00$3') AS TIMESTAMP) END AS updated_at,
    updated_at AS _text_updated_at,
    _rescued_raw,
    _source_file
  FROM (
    SELECT
      CASE WHEN lower(trim(BOTH ' \t' FROM patient_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM patient_id) END AS patient_id,
      CASE WHEN lower(trim(BOTH ' \t' FROM name)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM name) END AS name,
      CASE WHEN lower(trim(BOTH ' \t' FROM address)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM address) END AS address,
      CASE WHEN lower(trim(BOTH ' \t' FROM contact_number)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM contact_number) END AS contact_number,
      CASE WHEN lower(trim(BOTH ' \t' FROM insurance_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM insurance_id) END AS insurance_id,
      CASE WHEN lower(trim(BOTH ' \t' FROM op)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM op) END AS op,
      CASE WHEN lower(trim(BOTH ' \t' FROM updated_at)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \t' FROM updated_at) END AS updated_at,
      _rescued_raw,
      _metadata.file_name AS _source_file
    FROM STREAM read_files(
      '${source_path}/patient_updates_*.csv',
      format => 'csv',
      header => true,
      multiLine => true,
      escape => '"',
      lineSep => '\n',
      ignoreLeadingWhiteSpace => true,
      ignoreTrailingWhiteSpace => true,
      mode => 'PERMISSIVE',
      schema => 'patient_id STRING, name STRING, address STRING, contact_number STRING, insurance_id STRING, op STRING, updated_at STRING',
      readerCaseSensitive => false,
      rescuedDataColumn => '_rescued_raw'
    )
  ) AS raw
) AS l2;

-- COMMAND ----------

CREATE TEMPORARY VIEW patient_updates_clean (
  CONSTRAINT valid_patient_id EXPECT (patient_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_updated_at EXPECT (updated_at IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_op EXPECT (op IN ('UPSERT', 'DELETE')) ON VIOLATION DROP ROW
)
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
FROM STREAM(patient_updates_bronze);

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patient_updates_quarantine
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

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_current
COMMENT 'The current record of every patient (SCD type 1): the latest change by updated_at; an erased patient has no row.'
TBLPROPERTIES ('quality' = 'silver');

-- COMMAND ----------

CREATE FLOW patients_current AS AUTO CDC INTO patients_current
FROM STREAM(patient_updates_clean)
KEYS (patient_id)
APPLY AS DELETE WHEN op = 'DELETE'
SEQUENCE BY updated_at
COLUMNS * EXCEPT (op, _rescued_data, _source_file, _line, _ingested_at)
STORED AS SCD TYPE 1;

-- COMMAND ----------

CREATE OR REFRESH STREAMING TABLE patients_history
COMMENT 'Every version of every patient (SCD type 2): a change of name, address or contact number opens a version; __START_AT and __END_AT (NULL: current) are the times of the changes.'
TBLPROPERTIES ('quality' = 'silver');

-- COMMAND ----------

CREATE FLOW patients_history AS AUTO CDC INTO patients_history
FROM STREAM(patient_updates_clean)
KEYS (patient_id)
APPLY AS DELETE WHEN op = 'DELETE'
SEQUENCE BY updated_at
COLUMNS * EXCEPT (op, _rescued_data, _source_file, _line, _ingested_at, updated_at)
STORED AS SCD TYPE 2
TRACK HISTORY ON name, address, contact_number;

-- COMMAND ----------

CREATE OR REFRESH MATERIALIZED VIEW admissions_with_address
COMMENT 'Valid admissions with the address the patient\'s history held on the admission date (an as-of join on patients_history).'
TBLPROPERTIES ('quality' = 'gold')
AS
SELECT
  l.patient_id AS patient_id,
  l.name AS name,
  l.age AS age,
  l.gender AS gender,
  l.address AS address,
  l.contact_number AS contact_number,
  l.admission_date AS admission_date,
  l.diagnosis_code AS diagnosis_code,
  l.diagnosis_description AS diagnosis_description,
  l._rescued_data AS _rescued_data,
  l._source_file AS _source_file,
  l._line AS _line,
  l._ingested_at AS _ingested_at,
  r.address AS address_at_admission
FROM patients_silver AS l
LEFT JOIN patients_history AS r ON l.patient_id = r.patient_id AND r.`__START_AT` <= CAST(l.admission_date AS TIMESTAMP) AND (r.`__END_AT` IS NULL OR CAST(l.admission_date AS TIMESTAMP) < r.`__END_AT`);
