# patients_bronze: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). A Python flow because SQL cannot read files in open-source Spark.

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()
SOURCE_PATH = spark.conf.get("source_path", "/data/incoming")


@dp.table(
    name="patients_bronze",
    comment="Daily patient admission files as received: every record, with _rescued_data for values that do not fit and the file and line of each row.",
    table_properties={"quality": "bronze"},
)
def patients_bronze() -> DataFrame:
    """Daily patient admission files as received: every record, with _rescued_data for values that do not fit and the file and line of each row."""
    return (
        spark.readStream.format("csv")
        .option("header", "true")
        .option("multiLine", "true")
        .option("escape", "\"")
        .option("lineSep", "\n")
        .option("ignoreLeadingWhiteSpace", "true")
        .option("ignoreTrailingWhiteSpace", "true")
        .option("mode", "PERMISSIVE")
        .schema("patient_id STRING, name STRING, age STRING, gender STRING, address STRING, contact_number STRING, admission_date STRING, diagnosis_code STRING")
        .load(SOURCE_PATH + "/patients_daily_file_*.csv")
        .selectExpr(
            "CASE WHEN lower(trim(BOTH ' \\t' FROM patient_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM patient_id) END AS patient_id",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM name)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM name) END AS name",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM age)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM age) END AS age",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM gender)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM gender) END AS gender",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM address)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM address) END AS address",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM contact_number)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM contact_number) END AS contact_number",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM admission_date)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM admission_date) END AS admission_date",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM diagnosis_code)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM diagnosis_code) END AS diagnosis_code",
            "_metadata.file_name AS _source_file",
        )
        .selectExpr(
            "patient_id",
            "name",
            "CASE WHEN age RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(age AS INT) END AS age",
            "gender",
            "address",
            "contact_number",
            "CASE WHEN admission_date RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2})\\\\z' THEN try_cast(admission_date AS DATE) END AS admission_date",
            "diagnosis_code",
            "age AS _text_age",
            "admission_date AS _text_admission_date",
            "_source_file",
        )
        .selectExpr(
            "patient_id",
            "name",
            "age",
            "gender",
            "address",
            "contact_number",
            "admission_date",
            "diagnosis_code",
            "nullif(to_json(map_filter(map('age', CASE WHEN age IS NULL THEN _text_age END, 'admission_date', CASE WHEN admission_date IS NULL THEN _text_admission_date END), (k, v) -> v IS NOT NULL)), '{}') AS _rescued_data",
            "_source_file",
            "CAST(NULL AS BIGINT) AS _line",
            "current_timestamp() AS _ingested_at",
        )
    )
