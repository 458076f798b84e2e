-- vitals_quarantine: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE STREAMING TABLE vitals_quarantine
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
