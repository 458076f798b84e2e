# patients_silver: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). A Python flow because dropDuplicates has no SQL form.

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()


@dp.table(
    name="patients_silver",
    comment="Valid admissions, de-duplicated on (patient_id, admission_date, diagnosis_code), with the diagnosis description.",
    table_properties={"quality": "silver"},
)
# expectation known_diagnosis (warn): diagnosis_description IS NOT NULL -- not enforced on Apache Spark 4.1 (Declarative Pipelines)
# expectation has_contact_number (warn): contact_number IS NOT NULL -- not enforced on Apache Spark 4.1 (Declarative Pipelines)
def patients_silver() -> DataFrame:
    """Valid admissions, de-duplicated on (patient_id, admission_date, diagnosis_code), with the diagnosis description."""
    return (
        spark.readStream.table("patients_clean")
        .dropDuplicates(["patient_id", "admission_date", "diagnosis_code"])
        .alias("l")
        .join(spark.read.table("diagnosis_mapping").alias("r"), F.expr("l.diagnosis_code = r.diagnosis_code"), "left")
        .selectExpr("l.patient_id AS patient_id", "l.name AS name", "l.age AS age", "l.gender AS gender", "l.address AS address", "l.contact_number AS contact_number", "l.admission_date AS admission_date", "l.diagnosis_code AS diagnosis_code", "l._rescued_data AS _rescued_data", "l._source_file AS _source_file", "l._line AS _line", "l._ingested_at AS _ingested_at", "r.diagnosis_description AS diagnosis_description")
        .selectExpr("patient_id", "name", "age", "gender", "address", "contact_number", "admission_date", "diagnosis_code", "diagnosis_description", "_rescued_data", "_source_file", "_line", "_ingested_at")
    )
