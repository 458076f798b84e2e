-- admissions_rolling_7d: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE MATERIALIZED VIEW admissions_rolling_7d
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
