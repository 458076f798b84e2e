# vitals_15min: part of pipeline "patients", compiled by localdlt for Apache Spark 4.1 Declarative Pipelines (regenerate, do not edit). A Python flow because the watermark is set with withWatermark.

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.active()


@dp.table(
    name="vitals_15min",
    comment="Per patient: readings and average vitals over 15-minute windows sliding every 5 minutes, written once when the 10-minute watermark passes the window end (append mode).",
    table_properties={"quality": "gold"},
)
def vitals_15min() -> DataFrame:
    """Per patient: readings and average vitals over 15-minute windows sliding every 5 minutes, written once when the 10-minute watermark passes the window end (append mode)."""
    return (
        spark.readStream.table("vitals_silver")
        .withWatermark("measured_at", "10 minutes")
        .where("measured_at IS NOT NULL")
        .groupBy(F.window(F.col("measured_at"), "15 minutes", "5 minutes").alias("w"), F.expr("patient_id").alias("patient_id"))
        .agg(F.expr("count(*)").alias("readings"), F.expr("avg(heart_rate)").alias("avg_heart_rate"), F.expr("avg(systolic_bp)").alias("avg_systolic_bp"), F.expr("avg(diastolic_bp)").alias("avg_diastolic_bp"), F.expr("avg(temperature_c)").alias("avg_temperature_c"), F.expr("avg(spo2)").alias("avg_spo2"))
        .selectExpr("w.start AS window_start", "w.end AS window_end", "patient_id", "readings", "avg_heart_rate", "avg_systolic_bp", "avg_diastolic_bp", "avg_temperature_c", "avg_spo2")
    )
