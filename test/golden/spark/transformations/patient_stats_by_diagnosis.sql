-- patient_stats_by_diagnosis: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit).
SET spark.sql.session.timeZone = UTC;
SET spark.sql.ansi.enabled = false;

-- expectation positive_count (fail): patient_count > 0 -- not enforced on Apache Spark 4.1 (Declarative Pipelines)
-- expectation plausible_avg_age (fail): avg_age BETWEEN 0 AND 120 -- not enforced on Apache Spark 4.1 (Declarative Pipelines)
CREATE MATERIALIZED VIEW patient_stats_by_diagnosis
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
