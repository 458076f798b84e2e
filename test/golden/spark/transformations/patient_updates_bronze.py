# patient_updates_bronze: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). A Python flow because SQL cannot read files in open-source Spark.

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()
SOURCE_PATH = spark.conf.get("source_path", "/data/incoming")


@dp.table(
    name="patient_updates_bronze",
    comment="Patient change events as received (UPSERT or DELETE with the time of the change): every record, with _rescued_data and the file and line of each row.",
    table_properties={"quality": "bronze"},
)
def patient_updates_bronze() -> DataFrame:
    """Patient change events as received (UPSERT or DELETE with the time of the change): every record, with _rescued_data and the file and line of each row."""
    return (
        spark.readStream.format("csv")
        .option("header", "true")
        .option("multiLine", "true")
        .option("escape", "\"")
        .option("lineSep", "\n")
        .option("ignoreLeadingWhiteSpace", "true")
        .option("ignoreTrailingWhiteSpace", "true")
        .option("mode", "PERMISSIVE")
        .schema("patient_id STRING, name STRING, address STRING, contact_number STRING, insurance_id STRING, op STRING, updated_at STRING")
        .load(SOURCE_PATH + "/patient_updates_*.csv")
        .selectExpr(
            "CASE WHEN lower(trim(BOTH ' \\t' FROM patient_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM patient_id) END AS patient_id",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM name)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM name) END AS name",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM address)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM address) END AS address",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM contact_number)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM contact_number) END AS contact_number",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM insurance_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM insurance_id) END AS insurance_id",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM op)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM op) END AS op",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM updated_at)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM updated_at) END AS updated_at",
            "_metadata.file_name AS _source_file",
        )
        .selectExpr(
            "patient_id",
            "name",
            "address",
            "contact_number",
            "insurance_id",
            "op",
            "CASE WHEN updated_at RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?)\\\\z' THEN try_cast(regexp_replace(upper(updated_at), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '$1 $2:00$3') AS TIMESTAMP) END AS updated_at",
            "updated_at AS _text_updated_at",
            "_source_file",
        )
        .selectExpr(
            "patient_id",
            "name",
            "address",
            "contact_number",
            "insurance_id",
            "op",
            "updated_at",
            "nullif(to_json(map_filter(map('updated_at', CASE WHEN updated_at IS NULL THEN _text_updated_at END), (k, v) -> v IS NOT NULL)), '{}') AS _rescued_data",
            "_source_file",
            "CAST(NULL AS BIGINT) AS _line",
            "current_timestamp() AS _ingested_at",
        )
    )
