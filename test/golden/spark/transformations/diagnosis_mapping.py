# diagnosis_mapping: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). A Python flow because SQL cannot read files in open-source Spark.

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()
SOURCE_PATH = spark.conf.get("source_path", "/data/incoming")


@dp.materialized_view(
    name="diagnosis_mapping",
    comment="Diagnosis code to description mapping (reference data).",
    table_properties={"quality": "bronze"},
)
def diagnosis_mapping() -> DataFrame:
    """Diagnosis code to description mapping (reference data)."""
    return (
        spark.read.format("csv")
        .option("header", "true")
        .option("multiLine", "true")
        .option("escape", "\"")
        .option("lineSep", "\n")
        .option("ignoreLeadingWhiteSpace", "true")
        .option("ignoreTrailingWhiteSpace", "true")
        .option("mode", "PERMISSIVE")
        .schema("diagnosis_code STRING, diagnosis_description STRING")
        .load(SOURCE_PATH + "/diagnosis_mapping.csv")
        .selectExpr(
            "CASE WHEN lower(trim(BOTH ' \\t' FROM diagnosis_code)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM diagnosis_code) END AS diagnosis_code",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM diagnosis_description)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM diagnosis_description) END AS diagnosis_description",
            "_metadata.file_name AS _source_file",
        )
        .selectExpr(
            "diagnosis_code",
            "diagnosis_description",
            "CAST(NULL AS STRING) AS _rescued_data",
            "_source_file",
            "CAST(NULL AS BIGINT) AS _line",
            "current_timestamp() AS _ingested_at",
        )
        .selectExpr("diagnosis_code", "diagnosis_description")
    )
