# vitals_bronze: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). A Python flow because SQL cannot read files in open-source Spark.

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()
SOURCE_PATH = spark.conf.get("source_path", "/data/incoming")


@dp.table(
    name="vitals_bronze",
    comment="Vital-sign readings as received: every record, with _rescued_data for values that do not fit and the file and line of each row.",
    table_properties={"quality": "bronze"},
)
def vitals_bronze() -> DataFrame:
    """Vital-sign readings as received: every record, with _rescued_data for values that do not fit and the file and line of each row."""
    return (
        spark.readStream.format("csv")
        .option("header", "true")
        .option("multiLine", "true")
        .option("escape", "\"")
        .option("lineSep", "\n")
        .option("ignoreLeadingWhiteSpace", "true")
        .option("ignoreTrailingWhiteSpace", "true")
        .option("mode", "PERMISSIVE")
        .schema("patient_id STRING, measured_at STRING, heart_rate STRING, systolic_bp STRING, diastolic_bp STRING, temperature_c STRING, spo2 STRING, respiration_rate STRING, on_oxygen STRING, consciousness STRING")
        .load(SOURCE_PATH + "/vitals_*.csv")
        .selectExpr(
            "CASE WHEN lower(trim(BOTH ' \\t' FROM patient_id)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM patient_id) END AS patient_id",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM measured_at)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM measured_at) END AS measured_at",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM heart_rate)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM heart_rate) END AS heart_rate",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM systolic_bp)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM systolic_bp) END AS systolic_bp",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM diastolic_bp)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM diastolic_bp) END AS diastolic_bp",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM temperature_c)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM temperature_c) END AS temperature_c",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM spo2)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM spo2) END AS spo2",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM respiration_rate)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM respiration_rate) END AS respiration_rate",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM on_oxygen)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM on_oxygen) END AS on_oxygen",
            "CASE WHEN lower(trim(BOTH ' \\t' FROM consciousness)) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE trim(BOTH ' \\t' FROM consciousness) END AS consciousness",
            "_metadata.file_name AS _source_file",
        )
        .selectExpr(
            "patient_id",
            "CASE WHEN measured_at RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?)\\\\z' THEN try_cast(regexp_replace(upper(measured_at), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '$1 $2:00$3') AS TIMESTAMP) END AS measured_at",
            "CASE WHEN heart_rate RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(heart_rate AS INT) END AS heart_rate",
            "CASE WHEN systolic_bp RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(systolic_bp AS INT) END AS systolic_bp",
            "CASE WHEN diastolic_bp RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(diastolic_bp AS INT) END AS diastolic_bp",
            "CASE WHEN temperature_c RLIKE '^([+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?)\\\\z' AND abs(try_cast(temperature_c AS DOUBLE)) <= 1.7976931348623157E308 THEN try_cast(temperature_c AS DOUBLE) END AS temperature_c",
            "CASE WHEN spo2 RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(spo2 AS INT) END AS spo2",
            "CASE WHEN respiration_rate RLIKE '^([+-]?[0-9]+)\\\\z' THEN try_cast(respiration_rate AS INT) END AS respiration_rate",
            "CASE lower(on_oxygen) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END AS on_oxygen",
            "consciousness",
            "measured_at AS _text_measured_at",
            "heart_rate AS _text_heart_rate",
            "systolic_bp AS _text_systolic_bp",
            "diastolic_bp AS _text_diastolic_bp",
            "temperature_c AS _text_temperature_c",
            "spo2 AS _text_spo2",
            "respiration_rate AS _text_respiration_rate",
            "on_oxygen AS _text_on_oxygen",
            "_source_file",
        )
        .selectExpr(
            "patient_id",
            "measured_at",
            "heart_rate",
            "systolic_bp",
            "diastolic_bp",
            "temperature_c",
            "spo2",
            "respiration_rate",
            "on_oxygen",
            "consciousness",
            "nullif(to_json(map_filter(map('measured_at', CASE WHEN measured_at IS NULL THEN _text_measured_at END, 'heart_rate', CASE WHEN heart_rate IS NULL THEN _text_heart_rate END, 'systolic_bp', CASE WHEN systolic_bp IS NULL THEN _text_systolic_bp END, 'diastolic_bp', CASE WHEN diastolic_bp IS NULL THEN _text_diastolic_bp END, 'temperature_c', CASE WHEN temperature_c IS NULL THEN _text_temperature_c END, 'spo2', CASE WHEN spo2 IS NULL THEN _text_spo2 END, 'respiration_rate', CASE WHEN respiration_rate IS NULL THEN _text_respiration_rate END, 'on_oxygen', CASE WHEN on_oxygen IS NULL THEN _text_on_oxygen END), (k, v) -> v IS NOT NULL)), '{}') AS _rescued_data",
            "_source_file",
            "CAST(NULL AS BIGINT) AS _line",
            "current_timestamp() AS _ingested_at",
        )
    )
