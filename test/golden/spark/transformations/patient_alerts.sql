-- patient_alerts: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE STREAMING TABLE patient_alerts
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
