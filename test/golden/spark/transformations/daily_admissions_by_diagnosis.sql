-- daily_admissions_by_diagnosis: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

CREATE MATERIALIZED VIEW daily_admissions_by_diagnosis
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
