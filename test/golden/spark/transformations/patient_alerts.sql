-- patient_alerts: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE STREAMING TABLE patient_alerts
COMMENT 'One row per closed window, patient and alert reason (tachycardia, bradycardia, hypoxemia, fever, hypotension), with the window averages that triggered it.'
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
  avg_spo2
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
  avg_spo2
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
  avg_spo2
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
  avg_spo2
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
  avg_spo2
FROM STREAM(vitals_15min)
WHERE avg_systolic_bp < 90;
