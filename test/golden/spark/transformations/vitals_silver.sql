-- vitals_silver: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE STREAMING TABLE vitals_silver
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
FROM STREAM(vitals_bronze)
WHERE patient_id IS NOT NULL
  AND measured_at IS NOT NULL
  AND (heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL)
  AND (heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250)
  AND (systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260)
  AND (diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160)
  AND (temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45)
  AND (spo2 IS NULL OR spo2 BETWEEN 50 AND 100)
  AND (systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp)
  AND (respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80)
  AND (consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U'));
