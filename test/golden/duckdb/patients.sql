-- Pipeline "patients", compiled by localdlt for DuckDB: one batch over the CSV files in /data/incoming.
-- Every dataset becomes a table of the same name (views stay views); rows dropped by expectations
-- are filtered out, a failed "fail" expectation stops the script, quarantines are tables.
-- Run (DuckDB 1.1+): duckdb pipeline.duckdb -c ".read patients.sql"   (differences from the engine: portability.md)
SET TimeZone = 'UTC';
BEGIN TRANSACTION;

-- ------------------------------------------------------------ diagnosis_mapping (materialized view)
-- the files of diagnosis_mapping: diagnosis_mapping.csv in the input folder (else its fallback copy), in byte order of their names
SET VARIABLE diagnosis_mapping_files = (SELECT CASE WHEN len(f0) > 0 THEN f0 ELSE f1 END
  FROM (SELECT (SELECT coalesce(list(file ORDER BY file), []) FROM glob('/data/incoming/diagnosis_mapping.csv')
    WHERE NOT (parse_filename(file) LIKE '.%' OR file LIKE '%.tmp' OR file LIKE '%.partial' OR file LIKE '%~')) AS f0,
    (SELECT coalesce(list(file), []) FROM glob('data/diagnosis_mapping.csv')) AS f1));
CREATE OR REPLACE TABLE diagnosis_mapping AS
SELECT diagnosis_code, diagnosis_description
FROM (
  SELECT
    diagnosis_code,
    diagnosis_description,
    _file,
    _line,
    list_filter(list_transform(range(1, 11), lambda i: {'i': i, 'k': CASE WHEN i = _p_diagnosis_code THEN 'diagnosis_code' WHEN i = _p_diagnosis_description THEN 'diagnosis_description' ELSE coalesce(nullif(_h[i], ''), '_c' || (i - 1)) END, 'v': CASE WHEN i = _p_diagnosis_code THEN NULL WHEN i = _p_diagnosis_description THEN NULL ELSE _v[i] END}), lambda e: e.v IS NOT NULL) AS _e
  FROM (
    SELECT
      diagnosis_code,
      diagnosis_description,
      _file,
      _line,
      _h,
      _v,
      _p_diagnosis_code,
      _p_diagnosis_description
    FROM (
      SELECT
        _v[_p_diagnosis_code] AS diagnosis_code,
        _v[_p_diagnosis_description] AS diagnosis_description,
        _file,
        _line,
        _h,
        _v,
        _p_diagnosis_code,
        _p_diagnosis_description
      FROM (
        SELECT
          _file,
          _line,
          _h,
          list_transform(_t, lambda x: CASE WHEN lower(x) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE x END) AS _v,
          list_position(list_transform(_h, lambda x: lower(x)), 'diagnosis_code') AS _p_diagnosis_code,
          list_position(list_transform(_h, lambda x: lower(x)), 'diagnosis_description') AS _p_diagnosis_description
        FROM (
          SELECT
            _file,
            _line,
            _t,
            first_value(_t) OVER (PARTITION BY _file ORDER BY _line) AS _h,
            row_number() OVER (PARTITION BY _file ORDER BY _line) AS _n
          FROM (
            SELECT
              _file,
              row_number() OVER (PARTITION BY _file ORDER BY _rec) AS _line,
              list_transform(_f, lambda x: trim(x, ' ' || chr(9))) AS _t,
              _f[1] IS NOT NULL AND trim(_f[1], ' ' || chr(9)) = '' AND len(list_filter(_f[2:], lambda x: x IS NOT NULL)) = 0 AS _blank
            FROM (
              SELECT filename AS _file, row_number() OVER () AS _rec, _f
              FROM query(CASE WHEN len(getvariable('diagnosis_mapping_files')) = 0
                THEN 'SELECT NULL::VARCHAR AS filename, NULL::VARCHAR[] AS _f WHERE false'
                ELSE 'SELECT filename, [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9] AS _f FROM read_csv(getvariable(''diagnosis_mapping_files''), header = false, auto_detect = false, delim = '','', quote = ''"'', escape = ''"'', null_padding = true, strict_mode = false, filename = true, columns = {''c0'': ''VARCHAR'', ''c1'': ''VARCHAR'', ''c2'': ''VARCHAR'', ''c3'': ''VARCHAR'', ''c4'': ''VARCHAR'', ''c5'': ''VARCHAR'', ''c6'': ''VARCHAR'', ''c7'': ''VARCHAR'', ''c8'': ''VARCHAR'', ''c9'': ''VARCHAR''})' END)
            ) AS records
          ) AS lines
          WHERE NOT _blank
        ) AS records
        WHERE _n > 1
      ) AS fields
    ) AS texts
  ) AS typed
) AS rescued;
COMMENT ON TABLE diagnosis_mapping IS 'Diagnosis code to description mapping (reference data).';

-- ------------------------------------------------------------ patients_bronze (streaming table)
-- the files of patients_bronze: patients_daily_file_*.csv in the input folder, in byte order of their names
SET VARIABLE patients_bronze_files = (SELECT coalesce(list(file ORDER BY file), []) FROM glob('/data/incoming/patients_daily_file_*.csv')
    WHERE NOT (parse_filename(file) LIKE '.%' OR file LIKE '%.tmp' OR file LIKE '%.partial' OR file LIKE '%~'));
CREATE OR REPLACE TABLE patients_bronze AS
SELECT
  patient_id,
  name,
  age,
  gender,
  address,
  contact_number,
  admission_date,
  diagnosis_code,
  CASE WHEN len(_e) > 0 THEN '{' || array_to_string(list_transform(range(1, len(_e) + 1), lambda p: to_json(CASE WHEN list_contains(list_transform(_e[1:p - 1], lambda e: e.k), _e[p].k) THEN '_c' || (_e[p].i - 1) ELSE _e[p].k END) || ':' || to_json(_e[p].v)), ',') || '}' END AS _rescued_data,
  parse_filename(_file) AS _source_file,
  _line,
  CAST(current_timestamp AS TIMESTAMP) AS _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    age,
    gender,
    address,
    contact_number,
    admission_date,
    diagnosis_code,
    _file,
    _line,
    list_filter(list_transform(range(1, 17), lambda i: {'i': i, 'k': CASE WHEN i = _p_patient_id THEN 'patient_id' WHEN i = _p_name THEN 'name' WHEN i = _p_age THEN 'age' WHEN i = _p_gender THEN 'gender' WHEN i = _p_address THEN 'address' WHEN i = _p_contact_number THEN 'contact_number' WHEN i = _p_admission_date THEN 'admission_date' WHEN i = _p_diagnosis_code THEN 'diagnosis_code' ELSE coalesce(nullif(_h[i], ''), '_c' || (i - 1)) END, 'v': CASE WHEN i = _p_patient_id THEN NULL WHEN i = _p_name THEN NULL WHEN i = _p_age THEN CASE WHEN age IS NULL THEN _text_age END WHEN i = _p_gender THEN NULL WHEN i = _p_address THEN NULL WHEN i = _p_contact_number THEN NULL WHEN i = _p_admission_date THEN CASE WHEN admission_date IS NULL THEN _text_admission_date END WHEN i = _p_diagnosis_code THEN NULL ELSE _v[i] END}), lambda e: e.v IS NOT NULL) AS _e
  FROM (
    SELECT
      patient_id,
      name,
      CASE WHEN regexp_full_match(age, '[+-]?[0-9]+') THEN TRY_CAST(age AS INTEGER) END AS age,
      gender,
      address,
      contact_number,
      CASE WHEN regexp_full_match(admission_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(admission_date AS DATE) END AS admission_date,
      diagnosis_code,
      age AS _text_age,
      admission_date AS _text_admission_date,
      _file,
      _line,
      _h,
      _v,
      _p_patient_id,
      _p_name,
      _p_age,
      _p_gender,
      _p_address,
      _p_contact_number,
      _p_admission_date,
      _p_diagnosis_code
    FROM (
      SELECT
        _v[_p_patient_id] AS patient_id,
        _v[_p_name] AS name,
        _v[_p_age] AS age,
        _v[_p_gender] AS gender,
        _v[_p_address] AS address,
        _v[_p_contact_number] AS contact_number,
        _v[_p_admission_date] AS admission_date,
        _v[_p_diagnosis_code] AS diagnosis_code,
        _file,
        _line,
        _h,
        _v,
        _p_patient_id,
        _p_name,
        _p_age,
        _p_gender,
        _p_address,
        _p_contact_number,
        _p_admission_date,
        _p_diagnosis_code
      FROM (
        SELECT
          _file,
          _line,
          _h,
          list_transform(_t, lambda x: CASE WHEN lower(x) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE x END) AS _v,
          list_position(list_transform(_h, lambda x: lower(x)), 'patient_id') AS _p_patient_id,
          list_position(list_transform(_h, lambda x: lower(x)), 'name') AS _p_name,
          list_position(list_transform(_h, lambda x: lower(x)), 'age') AS _p_age,
          list_position(list_transform(_h, lambda x: lower(x)), 'gender') AS _p_gender,
          list_position(list_transform(_h, lambda x: lower(x)), 'address') AS _p_address,
          list_position(list_transform(_h, lambda x: lower(x)), 'contact_number') AS _p_contact_number,
          list_position(list_transform(_h, lambda x: lower(x)), 'admission_date') AS _p_admission_date,
          list_position(list_transform(_h, lambda x: lower(x)), 'diagnosis_code') AS _p_diagnosis_code
        FROM (
          SELECT
            _file,
            _line,
            _t,
            first_value(_t) OVER (PARTITION BY _file ORDER BY _line) AS _h,
            row_number() OVER (PARTITION BY _file ORDER BY _line) AS _n
          FROM (
            SELECT
              _file,
              row_number() OVER (PARTITION BY _file ORDER BY _rec) AS _line,
              list_transform(_f, lambda x: trim(x, ' ' || chr(9))) AS _t,
              _f[1] IS NOT NULL AND trim(_f[1], ' ' || chr(9)) = '' AND len(list_filter(_f[2:], lambda x: x IS NOT NULL)) = 0 AS _blank
            FROM (
              SELECT filename AS _file, row_number() OVER () AS _rec, _f
              FROM query(CASE WHEN len(getvariable('patients_bronze_files')) = 0
                THEN 'SELECT NULL::VARCHAR AS filename, NULL::VARCHAR[] AS _f WHERE false'
                ELSE 'SELECT filename, [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15] AS _f FROM read_csv(getvariable(''patients_bronze_files''), header = false, auto_detect = false, delim = '','', quote = ''"'', escape = ''"'', null_padding = true, strict_mode = false, filename = true, columns = {''c0'': ''VARCHAR'', ''c1'': ''VARCHAR'', ''c2'': ''VARCHAR'', ''c3'': ''VARCHAR'', ''c4'': ''VARCHAR'', ''c5'': ''VARCHAR'', ''c6'': ''VARCHAR'', ''c7'': ''VARCHAR'', ''c8'': ''VARCHAR'', ''c9'': ''VARCHAR'', ''c10'': ''VARCHAR'', ''c11'': ''VARCHAR'', ''c12'': ''VARCHAR'', ''c13'': ''VARCHAR'', ''c14'': ''VARCHAR'', ''c15'': ''VARCHAR''})' END)
            ) AS records
          ) AS lines
          WHERE NOT _blank
        ) AS records
        WHERE _n > 1
      ) AS fields
    ) AS texts
  ) AS typed
) AS rescued;
COMMENT ON TABLE patients_bronze IS 'Daily patient admission files as received: every record, with _rescued_data for values that do not fit and the file and line of each row.';

-- ------------------------------------------------------------ patients_clean (view)
CREATE OR REPLACE VIEW patients_clean AS
SELECT
  patient_id,
  name,
  age,
  gender,
  address,
  contact_number,
  admission_date,
  diagnosis_code,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    age,
    CASE WHEN upper(gender) = 'MALE' THEN 'M' WHEN upper(gender) = 'FEMALE' THEN 'F' ELSE upper(gender) END AS gender,
    address,
    contact_number,
    admission_date,
    upper(diagnosis_code) AS diagnosis_code,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at
  FROM patients_bronze
) AS q
WHERE patient_id IS NOT NULL
  AND age IS NOT NULL AND age BETWEEN 0 AND 120
  AND gender IN ('M', 'F')
  AND admission_date IS NOT NULL;
COMMENT ON VIEW patients_clean IS 'Admissions with normalised gender (M/F) and diagnosis codes, checked by the validation rules.';

-- ------------------------------------------------------------ patients_quarantine (streaming table, quarantine of patients_clean)
CREATE OR REPLACE TABLE patients_quarantine AS
SELECT
  patient_id,
  name,
  age,
  gender,
  address,
  contact_number,
  admission_date,
  diagnosis_code,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at,
  list_filter([CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END, CASE WHEN NOT coalesce(age IS NOT NULL AND age BETWEEN 0 AND 120, FALSE) THEN 'valid_age' END, CASE WHEN NOT coalesce(gender IN ('M', 'F'), FALSE) THEN 'valid_gender' END, CASE WHEN NOT coalesce(admission_date IS NOT NULL, FALSE) THEN 'valid_admission_date' END], lambda x: x IS NOT NULL) AS _failed_expectations
FROM (
  SELECT
    patient_id,
    name,
    age,
    CASE WHEN upper(gender) = 'MALE' THEN 'M' WHEN upper(gender) = 'FEMALE' THEN 'F' ELSE upper(gender) END AS gender,
    address,
    contact_number,
    admission_date,
    upper(diagnosis_code) AS diagnosis_code,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at
  FROM patients_bronze
) AS q
WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(age IS NOT NULL AND age BETWEEN 0 AND 120, FALSE) AND coalesce(gender IN ('M', 'F'), FALSE) AND coalesce(admission_date IS NOT NULL, FALSE));
COMMENT ON TABLE patients_quarantine IS 'Admissions that failed a validation rule, with _failed_expectations naming every rule they failed.';

-- ------------------------------------------------------------ patients_silver (streaming table)
-- expectation known_diagnosis (warn): diagnosis_description IS NOT NULL -- not enforced on DuckDB
-- expectation has_contact_number (warn): contact_number IS NOT NULL -- not enforced on DuckDB
CREATE OR REPLACE TABLE patients_silver AS
SELECT
  l.patient_id AS patient_id,
  l.name AS name,
  l.age AS age,
  l.gender AS gender,
  l.address AS address,
  l.contact_number AS contact_number,
  l.admission_date AS admission_date,
  l.diagnosis_code AS diagnosis_code,
  r.diagnosis_description AS diagnosis_description,
  l._rescued_data AS _rescued_data,
  l._source_file AS _source_file,
  l._line AS _line,
  l._ingested_at AS _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    age,
    gender,
    address,
    contact_number,
    admission_date,
    diagnosis_code,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at
  FROM patients_clean
  QUALIFY row_number() OVER (PARTITION BY patient_id, admission_date, diagnosis_code ORDER BY _source_file, _line) = 1
) AS l
LEFT JOIN diagnosis_mapping AS r ON l.diagnosis_code = r.diagnosis_code;
COMMENT ON TABLE patients_silver IS 'Valid admissions, de-duplicated on (patient_id, admission_date, diagnosis_code), with the diagnosis description.';

-- ------------------------------------------------------------ patient_stats_by_diagnosis (materialized view)
CREATE OR REPLACE TABLE patient_stats_by_diagnosis AS
SELECT
  diagnosis_description,
  count(patient_id) AS patient_count,
  avg(age) AS avg_age,
  count(DISTINCT gender) AS unique_gender_count,
  min(age) AS min_age,
  max(age) AS max_age
FROM patients_silver
GROUP BY diagnosis_description;
COMMENT ON TABLE patient_stats_by_diagnosis IS 'Patients per diagnosis: count, age statistics and number of genders.';
-- fail expectations of patient_stats_by_diagnosis: the script stops here when a row violates one
SELECT CASE WHEN NOT coalesce(patient_count > 0, FALSE) THEN error('EXPECTATION_FAILED: expectation "positive_count" failed on patient_stats_by_diagnosis: (patient_count > 0) was not true') WHEN NOT coalesce(avg_age BETWEEN 0 AND 120, FALSE) THEN error('EXPECTATION_FAILED: expectation "plausible_avg_age" failed on patient_stats_by_diagnosis: (avg_age BETWEEN 0 AND 120) was not true') END AS failed_expectation
FROM patient_stats_by_diagnosis;

-- ------------------------------------------------------------ patient_stats_by_gender (materialized view)
CREATE OR REPLACE TABLE patient_stats_by_gender AS
SELECT
  gender,
  count(patient_id) AS patient_count,
  avg(age) AS avg_age,
  count(DISTINCT diagnosis_description) AS unique_diagnosis_count,
  min(age) AS min_age,
  max(age) AS max_age
FROM patients_silver
GROUP BY gender;
COMMENT ON TABLE patient_stats_by_gender IS 'Patients per gender: count, age statistics and number of diagnoses.';
-- fail expectations of patient_stats_by_gender: the script stops here when a row violates one
SELECT CASE WHEN NOT coalesce(patient_count > 0, FALSE) THEN error('EXPECTATION_FAILED: expectation "positive_count" failed on patient_stats_by_gender: (patient_count > 0) was not true') WHEN NOT coalesce(avg_age BETWEEN 0 AND 120, FALSE) THEN error('EXPECTATION_FAILED: expectation "plausible_avg_age" failed on patient_stats_by_gender: (avg_age BETWEEN 0 AND 120) was not true') END AS failed_expectation
FROM patient_stats_by_gender;

-- ------------------------------------------------------------ daily_admissions_by_diagnosis (materialized view)
CREATE OR REPLACE TABLE daily_admissions_by_diagnosis AS
SELECT
  make_timestamp(__start) AS window_start,
  make_timestamp(__start + 86400000000) AS window_end,
  diagnosis_description,
  count(*) AS admissions,
  avg(age) AS avg_age
FROM (
  SELECT
    patient_id,
    name,
    age,
    gender,
    address,
    contact_number,
    admission_date,
    diagnosis_code,
    diagnosis_description,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at,
    __t,
    __t - ((__t % 86400000000) + 86400000000) % 86400000000 AS __start
  FROM (
    SELECT
      patient_id,
      name,
      age,
      gender,
      address,
      contact_number,
      admission_date,
      diagnosis_code,
      diagnosis_description,
      _rescued_data,
      _source_file,
      _line,
      _ingested_at,
      epoch_us(CAST(admission_date AS TIMESTAMP)) AS __t
    FROM patients_silver
  ) AS q
  WHERE __t IS NOT NULL
) AS q
GROUP BY __start, diagnosis_description;
COMMENT ON TABLE daily_admissions_by_diagnosis IS 'Admissions per day and diagnosis (tumbling 1-day windows on admission_date).';

-- ------------------------------------------------------------ admissions_rolling_7d (materialized view)
CREATE OR REPLACE TABLE admissions_rolling_7d AS
SELECT
  make_timestamp(__start) AS window_start,
  make_timestamp(__start + 604800000000) AS window_end,
  count(*) AS admissions,
  avg(age) AS avg_age,
  count(DISTINCT patient_id) AS unique_patients
FROM (
  SELECT
    patient_id,
    name,
    age,
    gender,
    address,
    contact_number,
    admission_date,
    diagnosis_code,
    diagnosis_description,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at,
    __t,
    __t - ((__t % 86400000000) + 86400000000) % 86400000000 - w.k * 86400000000 AS __start
  FROM (
    SELECT
      patient_id,
      name,
      age,
      gender,
      address,
      contact_number,
      admission_date,
      diagnosis_code,
      diagnosis_description,
      _rescued_data,
      _source_file,
      _line,
      _ingested_at,
      epoch_us(CAST(admission_date AS TIMESTAMP)) AS __t
    FROM patients_silver
  ) AS q
  CROSS JOIN range(0, 7) AS w(k)
  WHERE __t IS NOT NULL
) AS q
WHERE __start > __t - 604800000000
GROUP BY __start;
COMMENT ON TABLE admissions_rolling_7d IS 'Admissions over 7-day windows sliding by 1 day on admission_date.';

-- ------------------------------------------------------------ vitals_bronze (streaming table)
-- the files of vitals_bronze: vitals_*.csv in the input folder, in byte order of their names
SET VARIABLE vitals_bronze_files = (SELECT coalesce(list(file ORDER BY file), []) FROM glob('/data/incoming/vitals_*.csv')
    WHERE NOT (parse_filename(file) LIKE '.%' OR file LIKE '%.tmp' OR file LIKE '%.partial' OR file LIKE '%~'));
CREATE OR REPLACE TABLE vitals_bronze AS
SELECT
  patient_id,
  measured_at,
  heart_rate,
  systolic_bp,
  diastolic_bp,
  temperature_c,
  spo2,
  respiration_rate,
  on_oxygen,
  consciousness,
  CASE WHEN len(_e) > 0 THEN '{' || array_to_string(list_transform(range(1, len(_e) + 1), lambda p: to_json(CASE WHEN list_contains(list_transform(_e[1:p - 1], lambda e: e.k), _e[p].k) THEN '_c' || (_e[p].i - 1) ELSE _e[p].k END) || ':' || to_json(_e[p].v)), ',') || '}' END AS _rescued_data,
  parse_filename(_file) AS _source_file,
  _line,
  CAST(current_timestamp AS TIMESTAMP) AS _ingested_at
FROM (
  SELECT
    patient_id,
    measured_at,
    heart_rate,
    systolic_bp,
    diastolic_bp,
    temperature_c,
    spo2,
    respiration_rate,
    on_oxygen,
    consciousness,
    _file,
    _line,
    list_filter(list_transform(range(1, 19), lambda i: {'i': i, 'k': CASE WHEN i = _p_patient_id THEN 'patient_id' WHEN i = _p_measured_at THEN 'measured_at' WHEN i = _p_heart_rate THEN 'heart_rate' WHEN i = _p_systolic_bp THEN 'systolic_bp' WHEN i = _p_diastolic_bp THEN 'diastolic_bp' WHEN i = _p_temperature_c THEN 'temperature_c' WHEN i = _p_spo2 THEN 'spo2' WHEN i = _p_respiration_rate THEN 'respiration_rate' WHEN i = _p_on_oxygen THEN 'on_oxygen' WHEN i = _p_consciousness THEN 'consciousness' ELSE coalesce(nullif(_h[i], ''), '_c' || (i - 1)) END, 'v': CASE WHEN i = _p_patient_id THEN NULL WHEN i = _p_measured_at THEN CASE WHEN measured_at IS NULL THEN _text_measured_at END WHEN i = _p_heart_rate THEN CASE WHEN heart_rate IS NULL THEN _text_heart_rate END WHEN i = _p_systolic_bp THEN CASE WHEN systolic_bp IS NULL THEN _text_systolic_bp END WHEN i = _p_diastolic_bp THEN CASE WHEN diastolic_bp IS NULL THEN _text_diastolic_bp END WHEN i = _p_temperature_c THEN CASE WHEN temperature_c IS NULL THEN _text_temperature_c END WHEN i = _p_spo2 THEN CASE WHEN spo2 IS NULL THEN _text_spo2 END WHEN i = _p_respiration_rate THEN CASE WHEN respiration_rate IS NULL THEN _text_respiration_rate END WHEN i = _p_on_oxygen THEN CASE WHEN on_oxygen IS NULL THEN _text_on_oxygen END WHEN i = _p_consciousness THEN NULL ELSE _v[i] END}), lambda e: e.v IS NOT NULL) AS _e
  FROM (
    SELECT
      patient_id,
      CASE WHEN regexp_full_match(measured_at, '[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?') THEN CAST(TRY_CAST(regexp_replace(upper(measured_at), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '\1 \2:00\3') AS TIMESTAMPTZ) AS TIMESTAMP) END AS measured_at,
      CASE WHEN regexp_full_match(heart_rate, '[+-]?[0-9]+') THEN TRY_CAST(heart_rate AS INTEGER) END AS heart_rate,
      CASE WHEN regexp_full_match(systolic_bp, '[+-]?[0-9]+') THEN TRY_CAST(systolic_bp AS INTEGER) END AS systolic_bp,
      CASE WHEN regexp_full_match(diastolic_bp, '[+-]?[0-9]+') THEN TRY_CAST(diastolic_bp AS INTEGER) END AS diastolic_bp,
      CASE WHEN regexp_full_match(temperature_c, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') AND abs(TRY_CAST(temperature_c AS DOUBLE)) <= 1.7976931348623157E308 THEN TRY_CAST(temperature_c AS DOUBLE) END AS temperature_c,
      CASE WHEN regexp_full_match(spo2, '[+-]?[0-9]+') THEN TRY_CAST(spo2 AS INTEGER) END AS spo2,
      CASE WHEN regexp_full_match(respiration_rate, '[+-]?[0-9]+') THEN TRY_CAST(respiration_rate AS INTEGER) END AS respiration_rate,
      CASE lower(on_oxygen) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END AS on_oxygen,
      consciousness,
      measured_at AS _text_measured_at,
      heart_rate AS _text_heart_rate,
      systolic_bp AS _text_systolic_bp,
      diastolic_bp AS _text_diastolic_bp,
      temperature_c AS _text_temperature_c,
      spo2 AS _text_spo2,
      respiration_rate AS _text_respiration_rate,
      on_oxygen AS _text_on_oxygen,
      _file,
      _line,
      _h,
      _v,
      _p_patient_id,
      _p_measured_at,
      _p_heart_rate,
      _p_systolic_bp,
      _p_diastolic_bp,
      _p_temperature_c,
      _p_spo2,
      _p_respiration_rate,
      _p_on_oxygen,
      _p_consciousness
    FROM (
      SELECT
        _v[_p_patient_id] AS patient_id,
        _v[_p_measured_at] AS measured_at,
        _v[_p_heart_rate] AS heart_rate,
        _v[_p_systolic_bp] AS systolic_bp,
        _v[_p_diastolic_bp] AS diastolic_bp,
        _v[_p_temperature_c] AS temperature_c,
        _v[_p_spo2] AS spo2,
        _v[_p_respiration_rate] AS respiration_rate,
        _v[_p_on_oxygen] AS on_oxygen,
        _v[_p_consciousness] AS consciousness,
        _file,
        _line,
        _h,
        _v,
        _p_patient_id,
        _p_measured_at,
        _p_heart_rate,
        _p_systolic_bp,
        _p_diastolic_bp,
        _p_temperature_c,
        _p_spo2,
        _p_respiration_rate,
        _p_on_oxygen,
        _p_consciousness
      FROM (
        SELECT
          _file,
          _line,
          _h,
          list_transform(_t, lambda x: CASE WHEN lower(x) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE x END) AS _v,
          list_position(list_transform(_h, lambda x: lower(x)), 'patient_id') AS _p_patient_id,
          list_position(list_transform(_h, lambda x: lower(x)), 'measured_at') AS _p_measured_at,
          list_position(list_transform(_h, lambda x: lower(x)), 'heart_rate') AS _p_heart_rate,
          list_position(list_transform(_h, lambda x: lower(x)), 'systolic_bp') AS _p_systolic_bp,
          list_position(list_transform(_h, lambda x: lower(x)), 'diastolic_bp') AS _p_diastolic_bp,
          list_position(list_transform(_h, lambda x: lower(x)), 'temperature_c') AS _p_temperature_c,
          list_position(list_transform(_h, lambda x: lower(x)), 'spo2') AS _p_spo2,
          list_position(list_transform(_h, lambda x: lower(x)), 'respiration_rate') AS _p_respiration_rate,
          list_position(list_transform(_h, lambda x: lower(x)), 'on_oxygen') AS _p_on_oxygen,
          list_position(list_transform(_h, lambda x: lower(x)), 'consciousness') AS _p_consciousness
        FROM (
          SELECT
            _file,
            _line,
            _t,
            first_value(_t) OVER (PARTITION BY _file ORDER BY _line) AS _h,
            row_number() OVER (PARTITION BY _file ORDER BY _line) AS _n
          FROM (
            SELECT
              _file,
              row_number() OVER (PARTITION BY _file ORDER BY _rec) AS _line,
              list_transform(_f, lambda x: trim(x, ' ' || chr(9))) AS _t,
              _f[1] IS NOT NULL AND trim(_f[1], ' ' || chr(9)) = '' AND len(list_filter(_f[2:], lambda x: x IS NOT NULL)) = 0 AS _blank
            FROM (
              SELECT filename AS _file, row_number() OVER () AS _rec, _f
              FROM query(CASE WHEN len(getvariable('vitals_bronze_files')) = 0
                THEN 'SELECT NULL::VARCHAR AS filename, NULL::VARCHAR[] AS _f WHERE false'
                ELSE 'SELECT filename, [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17] AS _f FROM read_csv(getvariable(''vitals_bronze_files''), header = false, auto_detect = false, delim = '','', quote = ''"'', escape = ''"'', null_padding = true, strict_mode = false, filename = true, columns = {''c0'': ''VARCHAR'', ''c1'': ''VARCHAR'', ''c2'': ''VARCHAR'', ''c3'': ''VARCHAR'', ''c4'': ''VARCHAR'', ''c5'': ''VARCHAR'', ''c6'': ''VARCHAR'', ''c7'': ''VARCHAR'', ''c8'': ''VARCHAR'', ''c9'': ''VARCHAR'', ''c10'': ''VARCHAR'', ''c11'': ''VARCHAR'', ''c12'': ''VARCHAR'', ''c13'': ''VARCHAR'', ''c14'': ''VARCHAR'', ''c15'': ''VARCHAR'', ''c16'': ''VARCHAR'', ''c17'': ''VARCHAR''})' END)
            ) AS records
          ) AS lines
          WHERE NOT _blank
        ) AS records
        WHERE _n > 1
      ) AS fields
    ) AS texts
  ) AS typed
) AS rescued;
COMMENT ON TABLE vitals_bronze IS 'Vital-sign readings as received: every record, with _rescued_data for values that do not fit and the file and line of each row.';

-- ------------------------------------------------------------ vitals_silver (streaming table)
CREATE OR REPLACE TABLE vitals_silver AS
SELECT
  patient_id,
  measured_at,
  heart_rate,
  systolic_bp,
  diastolic_bp,
  temperature_c,
  spo2,
  respiration_rate,
  on_oxygen,
  consciousness,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at
FROM vitals_bronze
WHERE patient_id IS NOT NULL
  AND measured_at IS NOT NULL
  AND (heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL)
  AND (heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250)
  AND (systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260)
  AND (diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160)
  AND (temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45)
  AND (spo2 IS NULL OR spo2 BETWEEN 50 AND 100)
  AND (systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp)
  AND (respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80)
  AND (consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U'));
COMMENT ON TABLE vitals_silver IS 'Valid vital-sign readings: a patient, a measurement time, at least one vital, every vital in its plausible range, systolic above diastolic.';

-- ------------------------------------------------------------ vitals_quarantine (streaming table, quarantine of vitals_silver)
CREATE OR REPLACE TABLE vitals_quarantine AS
SELECT
  patient_id,
  measured_at,
  heart_rate,
  systolic_bp,
  diastolic_bp,
  temperature_c,
  spo2,
  respiration_rate,
  on_oxygen,
  consciousness,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at,
  list_filter([CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END, CASE WHEN NOT coalesce(measured_at IS NOT NULL, FALSE) THEN 'valid_measured_at' END, CASE WHEN NOT coalesce(heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL, FALSE) THEN 'has_vitals' END, CASE WHEN NOT coalesce(heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250, FALSE) THEN 'heart_rate_range' END, CASE WHEN NOT coalesce(systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260, FALSE) THEN 'systolic_bp_range' END, CASE WHEN NOT coalesce(diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160, FALSE) THEN 'diastolic_bp_range' END, CASE WHEN NOT coalesce(temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45, FALSE) THEN 'temperature_c_range' END, CASE WHEN NOT coalesce(spo2 IS NULL OR spo2 BETWEEN 50 AND 100, FALSE) THEN 'spo2_range' END, CASE WHEN NOT coalesce(systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp, FALSE) THEN 'bp_order' END, CASE WHEN NOT coalesce(respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80, FALSE) THEN 'respiration_rate_range' END, CASE WHEN NOT coalesce(consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U'), FALSE) THEN 'consciousness_acvpu' END], lambda x: x IS NOT NULL) AS _failed_expectations
FROM vitals_bronze
WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(measured_at IS NOT NULL, FALSE) AND coalesce(heart_rate IS NOT NULL OR systolic_bp IS NOT NULL OR diastolic_bp IS NOT NULL OR temperature_c IS NOT NULL OR spo2 IS NOT NULL OR respiration_rate IS NOT NULL, FALSE) AND coalesce(heart_rate IS NULL OR heart_rate BETWEEN 20 AND 250, FALSE) AND coalesce(systolic_bp IS NULL OR systolic_bp BETWEEN 50 AND 260, FALSE) AND coalesce(diastolic_bp IS NULL OR diastolic_bp BETWEEN 20 AND 160, FALSE) AND coalesce(temperature_c IS NULL OR temperature_c BETWEEN 30 AND 45, FALSE) AND coalesce(spo2 IS NULL OR spo2 BETWEEN 50 AND 100, FALSE) AND coalesce(systolic_bp IS NULL OR diastolic_bp IS NULL OR systolic_bp > diastolic_bp, FALSE) AND coalesce(respiration_rate IS NULL OR respiration_rate BETWEEN 3 AND 80, FALSE) AND coalesce(consciousness IS NULL OR upper(consciousness) IN ('A', 'C', 'V', 'P', 'U'), FALSE));
COMMENT ON TABLE vitals_quarantine IS 'Vital-sign readings that failed a validation rule, with _failed_expectations naming every rule they failed.';

-- ------------------------------------------------------------ vitals_15min (streaming table)
CREATE OR REPLACE TABLE vitals_15min AS
SELECT
  make_timestamp(__start) AS window_start,
  make_timestamp(__start + 900000000) AS window_end,
  patient_id,
  count(*) AS readings,
  avg(heart_rate) AS avg_heart_rate,
  avg(systolic_bp) AS avg_systolic_bp,
  avg(diastolic_bp) AS avg_diastolic_bp,
  avg(temperature_c) AS avg_temperature_c,
  avg(spo2) AS avg_spo2
FROM (
  SELECT
    patient_id,
    measured_at,
    heart_rate,
    systolic_bp,
    diastolic_bp,
    temperature_c,
    spo2,
    respiration_rate,
    on_oxygen,
    consciousness,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at,
    __wm_max_us,
    __t,
    __t - ((__t % 300000000) + 300000000) % 300000000 - w.k * 300000000 AS __start
  FROM (
    SELECT
      patient_id,
      measured_at,
      heart_rate,
      systolic_bp,
      diastolic_bp,
      temperature_c,
      spo2,
      respiration_rate,
      on_oxygen,
      consciousness,
      _rescued_data,
      _source_file,
      _line,
      _ingested_at,
      __wm_max_us,
      epoch_us(measured_at) AS __t
    FROM (
      SELECT
        patient_id,
        measured_at,
        heart_rate,
        systolic_bp,
        diastolic_bp,
        temperature_c,
        spo2,
        respiration_rate,
        on_oxygen,
        consciousness,
        _rescued_data,
        _source_file,
        _line,
        _ingested_at,
        max(epoch_us(measured_at)) OVER () AS __wm_max_us
      FROM vitals_silver
    ) AS q
  ) AS q
  CROSS JOIN range(0, 3) AS w(k)
  WHERE __t IS NOT NULL
) AS q
WHERE __start > __t - 900000000
GROUP BY __start, patient_id
HAVING __start + 900000000 <= max(__wm_max_us) - 600000000;
COMMENT ON TABLE vitals_15min IS 'Per patient: readings and average vitals over 15-minute windows sliding every 5 minutes, written once when the 10-minute watermark passes the window end (append mode).';

-- ------------------------------------------------------------ patient_early_warning (streaming table)
CREATE OR REPLACE TABLE patient_early_warning AS
SELECT
  window_start,
  window_end,
  patient_id,
  readings,
  respiration_rate,
  spo2,
  on_oxygen,
  systolic_bp,
  heart_rate,
  temperature_c,
  consciousness_rank,
  respiration_score,
  spo2_score,
  oxygen_score,
  systolic_bp_score,
  pulse_score,
  consciousness_score,
  temperature_score,
  news2_total,
  news2_missing = 0 AS news2_complete,
  news2_missing,
  news2_red,
  CASE WHEN news2_total >= 7 THEN 'high' WHEN news2_total >= 5 THEN 'medium' WHEN news2_red THEN 'low_medium' ELSE 'low' END AS news2_band
FROM (
  SELECT
    window_start,
    window_end,
    patient_id,
    readings,
    respiration_rate,
    spo2,
    on_oxygen,
    systolic_bp,
    heart_rate,
    temperature_c,
    consciousness_rank,
    respiration_score,
    spo2_score,
    oxygen_score,
    systolic_bp_score,
    pulse_score,
    consciousness_score,
    temperature_score,
    CASE WHEN respiration_score IS NULL THEN 0 ELSE respiration_score END + CASE WHEN spo2_score IS NULL THEN 0 ELSE spo2_score END + CASE WHEN oxygen_score IS NULL THEN 0 ELSE oxygen_score END + CASE WHEN systolic_bp_score IS NULL THEN 0 ELSE systolic_bp_score END + CASE WHEN pulse_score IS NULL THEN 0 ELSE pulse_score END + CASE WHEN consciousness_score IS NULL THEN 0 ELSE consciousness_score END + CASE WHEN temperature_score IS NULL THEN 0 ELSE temperature_score END AS news2_total,
    CASE WHEN respiration_score IS NULL THEN 1 ELSE 0 END + CASE WHEN spo2_score IS NULL THEN 1 ELSE 0 END + CASE WHEN oxygen_score IS NULL THEN 1 ELSE 0 END + CASE WHEN systolic_bp_score IS NULL THEN 1 ELSE 0 END + CASE WHEN pulse_score IS NULL THEN 1 ELSE 0 END + CASE WHEN consciousness_score IS NULL THEN 1 ELSE 0 END + CASE WHEN temperature_score IS NULL THEN 1 ELSE 0 END AS news2_missing,
    (((((coalesce(respiration_score = 3, FALSE) OR coalesce(spo2_score = 3, FALSE)) OR coalesce(oxygen_score = 3, FALSE)) OR coalesce(systolic_bp_score = 3, FALSE)) OR coalesce(pulse_score = 3, FALSE)) OR coalesce(consciousness_score = 3, FALSE)) OR coalesce(temperature_score = 3, FALSE) AS news2_red
  FROM (
    SELECT
      window_start,
      window_end,
      patient_id,
      readings,
      respiration_rate,
      spo2,
      on_oxygen,
      systolic_bp,
      heart_rate,
      temperature_c,
      consciousness_rank,
      CASE WHEN respiration_rate <= 8 THEN 3 WHEN respiration_rate >= 9 AND respiration_rate <= 11 THEN 1 WHEN respiration_rate >= 12 AND respiration_rate <= 20 THEN 0 WHEN respiration_rate >= 21 AND respiration_rate <= 24 THEN 2 WHEN respiration_rate >= 25 THEN 3 ELSE CAST(NULL AS INTEGER) END AS respiration_score,
      CASE WHEN spo2 <= 91 THEN 3 WHEN spo2 >= 92 AND spo2 <= 93 THEN 2 WHEN spo2 >= 94 AND spo2 <= 95 THEN 1 WHEN spo2 >= 96 THEN 0 ELSE CAST(NULL AS INTEGER) END AS spo2_score,
      CASE WHEN on_oxygen THEN 2 WHEN NOT on_oxygen THEN 0 ELSE CAST(NULL AS INTEGER) END AS oxygen_score,
      CASE WHEN systolic_bp <= 90 THEN 3 WHEN systolic_bp >= 91 AND systolic_bp <= 100 THEN 2 WHEN systolic_bp >= 101 AND systolic_bp <= 110 THEN 1 WHEN systolic_bp >= 111 AND systolic_bp <= 219 THEN 0 WHEN systolic_bp >= 220 THEN 3 ELSE CAST(NULL AS INTEGER) END AS systolic_bp_score,
      CASE WHEN heart_rate <= 40 THEN 3 WHEN heart_rate >= 41 AND heart_rate <= 50 THEN 1 WHEN heart_rate >= 51 AND heart_rate <= 90 THEN 0 WHEN heart_rate >= 91 AND heart_rate <= 110 THEN 1 WHEN heart_rate >= 111 AND heart_rate <= 130 THEN 2 WHEN heart_rate >= 131 THEN 3 ELSE CAST(NULL AS INTEGER) END AS pulse_score,
      CASE WHEN consciousness_rank = 0 THEN 0 WHEN consciousness_rank > 0 THEN 3 ELSE CAST(NULL AS INTEGER) END AS consciousness_score,
      CASE WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 35 THEN 3 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(35.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 36 THEN 1 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(36.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 38 THEN 0 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(38.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 39 THEN 1 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(39.1 AS DOUBLE) THEN 2 ELSE CAST(NULL AS INTEGER) END AS temperature_score
    FROM (
      SELECT
        window_start,
        window_end,
        patient_id,
        readings,
        CAST(((CAST((respiration_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS respiration_rate,
        CAST(((CAST((spo2_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS spo2,
        oxygen_key % 1000 = 1 AS on_oxygen,
        CAST(((CAST((systolic_bp_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS systolic_bp,
        CAST(((CAST((heart_rate_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS heart_rate,
        CAST((temperature_key % 1000) AS DOUBLE) / nullif(10, 0) AS temperature_c,
        consciousness_rank
      FROM (
        SELECT
          make_timestamp(__start) AS window_start,
          make_timestamp(__start + 900000000) AS window_end,
          patient_id,
          count(*) AS readings,
          max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(respiration_rate AS BIGINT)) AS respiration_key,
          max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(spo2 AS BIGINT)) AS spo2_key,
          max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(CASE WHEN on_oxygen THEN 1 WHEN NOT on_oxygen THEN 0 ELSE CAST(NULL AS INTEGER) END AS BIGINT)) AS oxygen_key,
          max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(systolic_bp AS BIGINT)) AS systolic_bp_key,
          max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(heart_rate AS BIGINT)) AS heart_rate_key,
          max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + (CASE WHEN isnan(((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10)) THEN 0 WHEN ((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10) >= 9.223372036854775808e18 THEN NULL WHEN ((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10) <= -9.223372036854775808e18 THEN -9223372036854775808 ELSE CAST(trunc(((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10)) AS BIGINT) END)) AS temperature_key,
          max(CASE WHEN upper(consciousness) = 'A' THEN 0 WHEN upper(consciousness) = 'C' THEN 1 WHEN upper(consciousness) = 'V' THEN 2 WHEN upper(consciousness) = 'P' THEN 3 WHEN upper(consciousness) = 'U' THEN 4 ELSE CAST(NULL AS INTEGER) END) AS consciousness_rank
        FROM (
          SELECT
            patient_id,
            measured_at,
            heart_rate,
            systolic_bp,
            diastolic_bp,
            temperature_c,
            spo2,
            respiration_rate,
            on_oxygen,
            consciousness,
            _rescued_data,
            _source_file,
            _line,
            _ingested_at,
            __wm_max_us,
            __t,
            __t - ((__t % 900000000) + 900000000) % 900000000 AS __start
          FROM (
            SELECT
              patient_id,
              measured_at,
              heart_rate,
              systolic_bp,
              diastolic_bp,
              temperature_c,
              spo2,
              respiration_rate,
              on_oxygen,
              consciousness,
              _rescued_data,
              _source_file,
              _line,
              _ingested_at,
              __wm_max_us,
              epoch_us(measured_at) AS __t
            FROM (
              SELECT
                patient_id,
                measured_at,
                heart_rate,
                systolic_bp,
                diastolic_bp,
                temperature_c,
                spo2,
                respiration_rate,
                on_oxygen,
                consciousness,
                _rescued_data,
                _source_file,
                _line,
                _ingested_at,
                max(epoch_us(measured_at)) OVER () AS __wm_max_us
              FROM vitals_silver
            ) AS q
          ) AS q
          WHERE __t IS NOT NULL
        ) AS q
        GROUP BY __start, patient_id
        HAVING __start + 900000000 <= max(__wm_max_us) - 600000000
      ) AS q
    ) AS q
  ) AS q
) AS q;
COMMENT ON TABLE patient_early_warning IS 'NEWS2 (RCP 2017) per patient and closed 15-minute window: the sub-scores of the latest reading of each parameter (consciousness: the worst), the total of the sub-scores present, the missing count, completeness, the red flag (a single parameter scoring 3) and the band.';

-- ------------------------------------------------------------ patient_risk_features (streaming table)
CREATE OR REPLACE TABLE patient_risk_features AS
SELECT
  window_start,
  window_end,
  patient_id,
  readings,
  heart_rate,
  systolic_bp,
  respiration_rate,
  spo2,
  temperature_c,
  heart_rate - hr_mean AS heart_rate_change,
  systolic_bp - sbp_mean AS systolic_bp_change,
  respiration_rate - rr_mean AS respiration_rate_change,
  spo2 - spo2_mean AS spo2_change,
  max_temperature_c,
  oxygen_any AS on_oxygen,
  consciousness_rank,
  tachycardic_readings,
  hypoxic_readings,
  tachypnoeic_readings,
  hypotensive_readings,
  CASE WHEN CASE WHEN respiration_rate <= 8 THEN 3 WHEN respiration_rate >= 9 AND respiration_rate <= 11 THEN 1 WHEN respiration_rate >= 12 AND respiration_rate <= 20 THEN 0 WHEN respiration_rate >= 21 AND respiration_rate <= 24 THEN 2 WHEN respiration_rate >= 25 THEN 3 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN respiration_rate <= 8 THEN 3 WHEN respiration_rate >= 9 AND respiration_rate <= 11 THEN 1 WHEN respiration_rate >= 12 AND respiration_rate <= 20 THEN 0 WHEN respiration_rate >= 21 AND respiration_rate <= 24 THEN 2 WHEN respiration_rate >= 25 THEN 3 ELSE CAST(NULL AS INTEGER) END END + CASE WHEN CASE WHEN spo2 <= 91 THEN 3 WHEN spo2 >= 92 AND spo2 <= 93 THEN 2 WHEN spo2 >= 94 AND spo2 <= 95 THEN 1 WHEN spo2 >= 96 THEN 0 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN spo2 <= 91 THEN 3 WHEN spo2 >= 92 AND spo2 <= 93 THEN 2 WHEN spo2 >= 94 AND spo2 <= 95 THEN 1 WHEN spo2 >= 96 THEN 0 ELSE CAST(NULL AS INTEGER) END END + CASE WHEN CASE WHEN oxygen_any = 1 THEN 2 WHEN NOT (oxygen_any = 1) THEN 0 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN oxygen_any = 1 THEN 2 WHEN NOT (oxygen_any = 1) THEN 0 ELSE CAST(NULL AS INTEGER) END END + CASE WHEN CASE WHEN systolic_bp <= 90 THEN 3 WHEN systolic_bp >= 91 AND systolic_bp <= 100 THEN 2 WHEN systolic_bp >= 101 AND systolic_bp <= 110 THEN 1 WHEN systolic_bp >= 111 AND systolic_bp <= 219 THEN 0 WHEN systolic_bp >= 220 THEN 3 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN systolic_bp <= 90 THEN 3 WHEN systolic_bp >= 91 AND systolic_bp <= 100 THEN 2 WHEN systolic_bp >= 101 AND systolic_bp <= 110 THEN 1 WHEN systolic_bp >= 111 AND systolic_bp <= 219 THEN 0 WHEN systolic_bp >= 220 THEN 3 ELSE CAST(NULL AS INTEGER) END END + CASE WHEN CASE WHEN heart_rate <= 40 THEN 3 WHEN heart_rate >= 41 AND heart_rate <= 50 THEN 1 WHEN heart_rate >= 51 AND heart_rate <= 90 THEN 0 WHEN heart_rate >= 91 AND heart_rate <= 110 THEN 1 WHEN heart_rate >= 111 AND heart_rate <= 130 THEN 2 WHEN heart_rate >= 131 THEN 3 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN heart_rate <= 40 THEN 3 WHEN heart_rate >= 41 AND heart_rate <= 50 THEN 1 WHEN heart_rate >= 51 AND heart_rate <= 90 THEN 0 WHEN heart_rate >= 91 AND heart_rate <= 110 THEN 1 WHEN heart_rate >= 111 AND heart_rate <= 130 THEN 2 WHEN heart_rate >= 131 THEN 3 ELSE CAST(NULL AS INTEGER) END END + CASE WHEN CASE WHEN consciousness_rank = 0 THEN 0 WHEN consciousness_rank > 0 THEN 3 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN consciousness_rank = 0 THEN 0 WHEN consciousness_rank > 0 THEN 3 ELSE CAST(NULL AS INTEGER) END END + CASE WHEN CASE WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 35 THEN 3 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(35.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 36 THEN 1 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(36.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 38 THEN 0 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(38.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 39 THEN 1 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(39.1 AS DOUBLE) THEN 2 ELSE CAST(NULL AS INTEGER) END IS NULL THEN 0 ELSE CASE WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 35 THEN 3 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(35.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 36 THEN 1 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(36.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 38 THEN 0 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(38.1 AS DOUBLE) AND CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END <= 39 THEN 1 WHEN CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END >= CAST(39.1 AS DOUBLE) THEN 2 ELSE CAST(NULL AS INTEGER) END END AS news2_total
FROM (
  SELECT
    window_start,
    window_end,
    patient_id,
    readings,
    CAST(((CAST((hr_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS heart_rate,
    CAST(((CAST((sbp_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS systolic_bp,
    CAST(((CAST((rr_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS respiration_rate,
    CAST(((CAST((spo2_key % 1000) AS HUGEINT) + 2147483648::HUGEINT) % 4294967296::HUGEINT + 4294967296::HUGEINT) % 4294967296::HUGEINT - 2147483648::HUGEINT AS INTEGER) AS spo2,
    CAST((temp_key % 1000) AS DOUBLE) / nullif(10, 0) AS temperature_c,
    hr_mean,
    sbp_mean,
    rr_mean,
    spo2_mean,
    max_temperature_c,
    oxygen_any,
    consciousness_rank,
    tachycardic_readings,
    hypoxic_readings,
    tachypnoeic_readings,
    hypotensive_readings
  FROM (
    SELECT
      make_timestamp(__start) AS window_start,
      make_timestamp(__start + 14400000000) AS window_end,
      patient_id,
      count(*) AS readings,
      max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(heart_rate AS BIGINT)) AS hr_key,
      max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(systolic_bp AS BIGINT)) AS sbp_key,
      max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(respiration_rate AS BIGINT)) AS rr_key,
      max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + CAST(spo2 AS BIGINT)) AS spo2_key,
      max(CAST(floor(epoch_us(measured_at) / 1000000) AS BIGINT) * 1000 + (CASE WHEN isnan(((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10)) THEN 0 WHEN ((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10) >= 9.223372036854775808e18 THEN NULL WHEN ((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10) <= -9.223372036854775808e18 THEN -9223372036854775808 ELSE CAST(trunc(((CASE WHEN isfinite(temperature_c) AND abs(temperature_c) < 1e20 THEN CAST((round((CAST(CAST(temperature_c AS VARCHAR) AS DECIMAL(38, 18)) * CAST('10' AS DECIMAL(2, 0)))) * CAST('0.1' AS DECIMAL(1, 1))) AS DOUBLE) ELSE temperature_c END) * 10)) AS BIGINT) END)) AS temp_key,
      avg(heart_rate) AS hr_mean,
      avg(systolic_bp) AS sbp_mean,
      avg(respiration_rate) AS rr_mean,
      avg(spo2) AS spo2_mean,
      max(temperature_c) AS max_temperature_c,
      max(CASE WHEN on_oxygen THEN 1 WHEN NOT on_oxygen THEN 0 ELSE CAST(NULL AS INTEGER) END) AS oxygen_any,
      max(CASE WHEN upper(consciousness) = 'A' THEN 0 WHEN upper(consciousness) = 'C' THEN 1 WHEN upper(consciousness) = 'V' THEN 2 WHEN upper(consciousness) = 'P' THEN 3 WHEN upper(consciousness) = 'U' THEN 4 ELSE CAST(NULL AS INTEGER) END) AS consciousness_rank,
      count(*) FILTER (WHERE heart_rate > 110) AS tachycardic_readings,
      count(*) FILTER (WHERE spo2 < 94) AS hypoxic_readings,
      count(*) FILTER (WHERE respiration_rate > 20) AS tachypnoeic_readings,
      count(*) FILTER (WHERE systolic_bp < 100) AS hypotensive_readings
    FROM (
      SELECT
        patient_id,
        measured_at,
        heart_rate,
        systolic_bp,
        diastolic_bp,
        temperature_c,
        spo2,
        respiration_rate,
        on_oxygen,
        consciousness,
        _rescued_data,
        _source_file,
        _line,
        _ingested_at,
        __wm_max_us,
        __t,
        __t - ((__t % 900000000) + 900000000) % 900000000 - w.k * 900000000 AS __start
      FROM (
        SELECT
          patient_id,
          measured_at,
          heart_rate,
          systolic_bp,
          diastolic_bp,
          temperature_c,
          spo2,
          respiration_rate,
          on_oxygen,
          consciousness,
          _rescued_data,
          _source_file,
          _line,
          _ingested_at,
          __wm_max_us,
          epoch_us(measured_at) AS __t
        FROM (
          SELECT
            patient_id,
            measured_at,
            heart_rate,
            systolic_bp,
            diastolic_bp,
            temperature_c,
            spo2,
            respiration_rate,
            on_oxygen,
            consciousness,
            _rescued_data,
            _source_file,
            _line,
            _ingested_at,
            max(epoch_us(measured_at)) OVER () AS __wm_max_us
          FROM vitals_silver
        ) AS q
      ) AS q
      CROSS JOIN range(0, 16) AS w(k)
      WHERE __t IS NOT NULL
    ) AS q
    WHERE __start > __t - 14400000000
    GROUP BY __start, patient_id
    HAVING __start + 14400000000 <= max(__wm_max_us) - 600000000
  ) AS q
) AS q;
COMMENT ON TABLE patient_risk_features IS 'Per patient, 4-hour windows sliding every 15 minutes: latest vitals, changes against the 4-hour mean, extremes, abnormal-reading counts, oxygen, worst consciousness and the NEWS2 of the latest values.';

-- ------------------------------------------------------------ patient_risk (streaming table)
CREATE OR REPLACE TABLE patient_risk AS
SELECT
  window_start,
  window_end,
  patient_id,
  readings,
  news2_total,
  risk_probability,
  CASE WHEN risk_probability >= CAST(0.11966573728683218 AS DOUBLE) THEN 'high' WHEN risk_probability >= CAST(0.05983286864341609 AS DOUBLE) THEN 'elevated' ELSE 'low' END AS risk_level,
  top_feature_1,
  top_feature_2,
  top_feature_3
FROM (
  SELECT
    window_start,
    window_end,
    patient_id,
    readings,
    news2_total,
    risk_probability,
    contribution_heart_rate,
    contribution_systolic_bp,
    contribution_respiration_rate,
    contribution_spo2,
    contribution_temperature_c,
    contribution_heart_rate_change,
    contribution_systolic_bp_change,
    contribution_respiration_rate_change,
    contribution_spo2_change,
    contribution_max_temperature_c,
    contribution_on_oxygen,
    contribution_consciousness_rank,
    contribution_tachycardic_readings,
    contribution_hypoxic_readings,
    contribution_tachypnoeic_readings,
    contribution_hypotensive_readings,
    contribution_news2_total,
    contribution_age,
    contribution_cardiorespiratory,
    top_feature_1,
    top_feature_2,
    CASE WHEN CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate' WHEN CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp' WHEN CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate' WHEN CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2' WHEN CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'temperature_c' WHEN CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate_change' WHEN CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp_change' WHEN CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate_change' WHEN CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2_change' WHEN CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'max_temperature_c' WHEN CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'on_oxygen' WHEN CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'consciousness_rank' WHEN CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachycardic_readings' WHEN CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypoxic_readings' WHEN CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachypnoeic_readings' WHEN CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypotensive_readings' WHEN CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'news2_total' WHEN CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'age' WHEN CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END = greatest(CASE WHEN top_feature_1 = 'heart_rate' OR top_feature_2 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' OR top_feature_2 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' OR top_feature_2 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' OR top_feature_2 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' OR top_feature_2 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' OR top_feature_2 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' OR top_feature_2 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' OR top_feature_2 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' OR top_feature_2 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' OR top_feature_2 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' OR top_feature_2 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' OR top_feature_2 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' OR top_feature_2 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' OR top_feature_2 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' OR top_feature_2 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' OR top_feature_2 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' OR top_feature_2 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' OR top_feature_2 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' OR top_feature_2 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'cardiorespiratory' ELSE NULL END AS top_feature_3
  FROM (
    SELECT
      window_start,
      window_end,
      patient_id,
      readings,
      news2_total,
      risk_probability,
      contribution_heart_rate,
      contribution_systolic_bp,
      contribution_respiration_rate,
      contribution_spo2,
      contribution_temperature_c,
      contribution_heart_rate_change,
      contribution_systolic_bp_change,
      contribution_respiration_rate_change,
      contribution_spo2_change,
      contribution_max_temperature_c,
      contribution_on_oxygen,
      contribution_consciousness_rank,
      contribution_tachycardic_readings,
      contribution_hypoxic_readings,
      contribution_tachypnoeic_readings,
      contribution_hypotensive_readings,
      contribution_news2_total,
      contribution_age,
      contribution_cardiorespiratory,
      top_feature_1,
      CASE WHEN CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate' WHEN CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp' WHEN CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate' WHEN CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2' WHEN CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'temperature_c' WHEN CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'heart_rate_change' WHEN CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'systolic_bp_change' WHEN CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'respiration_rate_change' WHEN CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'spo2_change' WHEN CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'max_temperature_c' WHEN CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'on_oxygen' WHEN CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'consciousness_rank' WHEN CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachycardic_readings' WHEN CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypoxic_readings' WHEN CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'tachypnoeic_readings' WHEN CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'hypotensive_readings' WHEN CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'news2_total' WHEN CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'age' WHEN CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END = greatest(CASE WHEN top_feature_1 = 'heart_rate' THEN -1e+308 ELSE contribution_heart_rate END, CASE WHEN top_feature_1 = 'systolic_bp' THEN -1e+308 ELSE contribution_systolic_bp END, CASE WHEN top_feature_1 = 'respiration_rate' THEN -1e+308 ELSE contribution_respiration_rate END, CASE WHEN top_feature_1 = 'spo2' THEN -1e+308 ELSE contribution_spo2 END, CASE WHEN top_feature_1 = 'temperature_c' THEN -1e+308 ELSE contribution_temperature_c END, CASE WHEN top_feature_1 = 'heart_rate_change' THEN -1e+308 ELSE contribution_heart_rate_change END, CASE WHEN top_feature_1 = 'systolic_bp_change' THEN -1e+308 ELSE contribution_systolic_bp_change END, CASE WHEN top_feature_1 = 'respiration_rate_change' THEN -1e+308 ELSE contribution_respiration_rate_change END, CASE WHEN top_feature_1 = 'spo2_change' THEN -1e+308 ELSE contribution_spo2_change END, CASE WHEN top_feature_1 = 'max_temperature_c' THEN -1e+308 ELSE contribution_max_temperature_c END, CASE WHEN top_feature_1 = 'on_oxygen' THEN -1e+308 ELSE contribution_on_oxygen END, CASE WHEN top_feature_1 = 'consciousness_rank' THEN -1e+308 ELSE contribution_consciousness_rank END, CASE WHEN top_feature_1 = 'tachycardic_readings' THEN -1e+308 ELSE contribution_tachycardic_readings END, CASE WHEN top_feature_1 = 'hypoxic_readings' THEN -1e+308 ELSE contribution_hypoxic_readings END, CASE WHEN top_feature_1 = 'tachypnoeic_readings' THEN -1e+308 ELSE contribution_tachypnoeic_readings END, CASE WHEN top_feature_1 = 'hypotensive_readings' THEN -1e+308 ELSE contribution_hypotensive_readings END, CASE WHEN top_feature_1 = 'news2_total' THEN -1e+308 ELSE contribution_news2_total END, CASE WHEN top_feature_1 = 'age' THEN -1e+308 ELSE contribution_age END, CASE WHEN top_feature_1 = 'cardiorespiratory' THEN -1e+308 ELSE contribution_cardiorespiratory END) THEN 'cardiorespiratory' ELSE NULL END AS top_feature_2
    FROM (
      SELECT
        window_start,
        window_end,
        patient_id,
        readings,
        news2_total,
        risk_probability,
        contribution_heart_rate,
        contribution_systolic_bp,
        contribution_respiration_rate,
        contribution_spo2,
        contribution_temperature_c,
        contribution_heart_rate_change,
        contribution_systolic_bp_change,
        contribution_respiration_rate_change,
        contribution_spo2_change,
        contribution_max_temperature_c,
        contribution_on_oxygen,
        contribution_consciousness_rank,
        contribution_tachycardic_readings,
        contribution_hypoxic_readings,
        contribution_tachypnoeic_readings,
        contribution_hypotensive_readings,
        contribution_news2_total,
        contribution_age,
        contribution_cardiorespiratory,
        CASE WHEN contribution_heart_rate = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'heart_rate' WHEN contribution_systolic_bp = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'systolic_bp' WHEN contribution_respiration_rate = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'respiration_rate' WHEN contribution_spo2 = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'spo2' WHEN contribution_temperature_c = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'temperature_c' WHEN contribution_heart_rate_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'heart_rate_change' WHEN contribution_systolic_bp_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'systolic_bp_change' WHEN contribution_respiration_rate_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'respiration_rate_change' WHEN contribution_spo2_change = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'spo2_change' WHEN contribution_max_temperature_c = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'max_temperature_c' WHEN contribution_on_oxygen = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'on_oxygen' WHEN contribution_consciousness_rank = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'consciousness_rank' WHEN contribution_tachycardic_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'tachycardic_readings' WHEN contribution_hypoxic_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'hypoxic_readings' WHEN contribution_tachypnoeic_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'tachypnoeic_readings' WHEN contribution_hypotensive_readings = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'hypotensive_readings' WHEN contribution_news2_total = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'news2_total' WHEN contribution_age = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'age' WHEN contribution_cardiorespiratory = greatest(contribution_heart_rate, contribution_systolic_bp, contribution_respiration_rate, contribution_spo2, contribution_temperature_c, contribution_heart_rate_change, contribution_systolic_bp_change, contribution_respiration_rate_change, contribution_spo2_change, contribution_max_temperature_c, contribution_on_oxygen, contribution_consciousness_rank, contribution_tachycardic_readings, contribution_hypoxic_readings, contribution_tachypnoeic_readings, contribution_hypotensive_readings, contribution_news2_total, contribution_age, contribution_cardiorespiratory) THEN 'cardiorespiratory' ELSE NULL END AS top_feature_1
      FROM (
        SELECT
          window_start,
          window_end,
          patient_id,
          readings,
          news2_total,
          1 / nullif((1 + exp(-(CAST(-3.7545189000731165 AS DOUBLE) + coalesce((CAST(heart_rate AS DOUBLE) - CAST(76.76760382621195 AS DOUBLE)) / nullif(CAST(11.993357924074868 AS DOUBLE), 0), 0) * CAST(0.17348890053861804 AS DOUBLE) + coalesce((CAST(systolic_bp AS DOUBLE) - CAST(125.39142783813843 AS DOUBLE)) / nullif(CAST(10.722927165682979 AS DOUBLE), 0), 0) * CAST(-0.10404607938491896 AS DOUBLE) + coalesce((CAST(respiration_rate AS DOUBLE) - CAST(15.852972880485927 AS DOUBLE)) / nullif(CAST(2.8939850062784496 AS DOUBLE), 0), 0) * CAST(0.03839081090498994 AS DOUBLE) + coalesce((CAST(spo2 AS DOUBLE) - CAST(97.12161977134251 AS DOUBLE)) / nullif(CAST(2.8620103188830344 AS DOUBLE), 0), 0) * CAST(-0.1283780129730859 AS DOUBLE) + coalesce((temperature_c - CAST(36.87183103532987 AS DOUBLE)) / nullif(CAST(0.3203487829619176 AS DOUBLE), 0), 0) * CAST(-0.015033940768162841 AS DOUBLE) + coalesce((heart_rate_change - CAST(0.34200183770248144 AS DOUBLE)) / nullif(CAST(5.737766869211991 AS DOUBLE), 0), 0) * CAST(0.10887434875695881 AS DOUBLE) + coalesce((systolic_bp_change - CAST(-0.19048481280793897 AS DOUBLE)) / nullif(CAST(3.0037542980663963 AS DOUBLE), 0), 0) * CAST(-0.5337837040145232 AS DOUBLE) + coalesce((respiration_rate_change - CAST(0.09619930363834885 AS DOUBLE)) / nullif(CAST(1.1214013664510616 AS DOUBLE), 0), 0) * CAST(0.5488324828734973 AS DOUBLE) + coalesce((spo2_change - CAST(-0.06564860222310458 AS DOUBLE)) / nullif(CAST(2.0817432312719495 AS DOUBLE), 0), 0) * CAST(0.05073298456852411 AS DOUBLE) + coalesce((max_temperature_c - CAST(36.951712100481565 AS DOUBLE)) / nullif(CAST(0.31124105491342147 AS DOUBLE), 0), 0) * CAST(0.12081594431287031 AS DOUBLE) + coalesce((CAST(on_oxygen AS DOUBLE) - CAST(0.06103173924202242 AS DOUBLE)) / nullif(CAST(0.23938852530392582 AS DOUBLE), 0), 0) * CAST(-0.1450788601981158 AS DOUBLE) + coalesce((CAST(consciousness_rank AS DOUBLE) - CAST(0.010933356146804688 AS DOUBLE)) / nullif(CAST(0.12962389479111572 AS DOUBLE), 0), 0) * CAST(-0.28256979439702173 AS DOUBLE) + coalesce((CAST(tachycardic_readings AS DOUBLE) - CAST(0.05834545298999059 AS DOUBLE)) / nullif(CAST(0.262819722642289 AS DOUBLE), 0), 0) * CAST(-0.07050920999062779 AS DOUBLE) + coalesce((CAST(hypoxic_readings AS DOUBLE) - CAST(0.11888099923004534 AS DOUBLE)) / nullif(CAST(0.5003209649491087 AS DOUBLE), 0), 0) * CAST(-0.07240919549838132 AS DOUBLE) + coalesce((CAST(tachypnoeic_readings AS DOUBLE) - CAST(0.11828214560698093 AS DOUBLE)) / nullif(CAST(0.6878100397811113 AS DOUBLE), 0), 0) * CAST(-0.02233616424458492 AS DOUBLE) + coalesce((CAST(hypotensive_readings AS DOUBLE) - CAST(0.01055693386944991 AS DOUBLE)) / nullif(CAST(0.11422005406754249 AS DOUBLE), 0), 0) * CAST(0.003606206768011624 AS DOUBLE) + coalesce((CAST(news2_total AS DOUBLE) - CAST(0.6172298742407392 AS DOUBLE)) / nullif(CAST(1.6477250538142234 AS DOUBLE), 0), 0) * CAST(0.029486150105063395 AS DOUBLE) + coalesce((CAST(age AS DOUBLE) - CAST(60.30555333119795 AS DOUBLE)) / nullif(CAST(16.641827399433026 AS DOUBLE), 0), 0) * CAST(0.030314965910980297 AS DOUBLE) + coalesce((CAST(cardiorespiratory AS DOUBLE) - CAST(0.3930382156670207 AS DOUBLE)) / nullif(CAST(0.4884252007136958 AS DOUBLE), 0), 0) * CAST(-0.13938358283952632 AS DOUBLE)))), 0) AS risk_probability,
          coalesce((CAST(heart_rate AS DOUBLE) - CAST(76.76760382621195 AS DOUBLE)) / nullif(CAST(11.993357924074868 AS DOUBLE), 0), 0) * CAST(0.17348890053861804 AS DOUBLE) AS contribution_heart_rate,
          coalesce((CAST(systolic_bp AS DOUBLE) - CAST(125.39142783813843 AS DOUBLE)) / nullif(CAST(10.722927165682979 AS DOUBLE), 0), 0) * CAST(-0.10404607938491896 AS DOUBLE) AS contribution_systolic_bp,
          coalesce((CAST(respiration_rate AS DOUBLE) - CAST(15.852972880485927 AS DOUBLE)) / nullif(CAST(2.8939850062784496 AS DOUBLE), 0), 0) * CAST(0.03839081090498994 AS DOUBLE) AS contribution_respiration_rate,
          coalesce((CAST(spo2 AS DOUBLE) - CAST(97.12161977134251 AS DOUBLE)) / nullif(CAST(2.8620103188830344 AS DOUBLE), 0), 0) * CAST(-0.1283780129730859 AS DOUBLE) AS contribution_spo2,
          coalesce((temperature_c - CAST(36.87183103532987 AS DOUBLE)) / nullif(CAST(0.3203487829619176 AS DOUBLE), 0), 0) * CAST(-0.015033940768162841 AS DOUBLE) AS contribution_temperature_c,
          coalesce((heart_rate_change - CAST(0.34200183770248144 AS DOUBLE)) / nullif(CAST(5.737766869211991 AS DOUBLE), 0), 0) * CAST(0.10887434875695881 AS DOUBLE) AS contribution_heart_rate_change,
          coalesce((systolic_bp_change - CAST(-0.19048481280793897 AS DOUBLE)) / nullif(CAST(3.0037542980663963 AS DOUBLE), 0), 0) * CAST(-0.5337837040145232 AS DOUBLE) AS contribution_systolic_bp_change,
          coalesce((respiration_rate_change - CAST(0.09619930363834885 AS DOUBLE)) / nullif(CAST(1.1214013664510616 AS DOUBLE), 0), 0) * CAST(0.5488324828734973 AS DOUBLE) AS contribution_respiration_rate_change,
          coalesce((spo2_change - CAST(-0.06564860222310458 AS DOUBLE)) / nullif(CAST(2.0817432312719495 AS DOUBLE), 0), 0) * CAST(0.05073298456852411 AS DOUBLE) AS contribution_spo2_change,
          coalesce((max_temperature_c - CAST(36.951712100481565 AS DOUBLE)) / nullif(CAST(0.31124105491342147 AS DOUBLE), 0), 0) * CAST(0.12081594431287031 AS DOUBLE) AS contribution_max_temperature_c,
          coalesce((CAST(on_oxygen AS DOUBLE) - CAST(0.06103173924202242 AS DOUBLE)) / nullif(CAST(0.23938852530392582 AS DOUBLE), 0), 0) * CAST(-0.1450788601981158 AS DOUBLE) AS contribution_on_oxygen,
          coalesce((CAST(consciousness_rank AS DOUBLE) - CAST(0.010933356146804688 AS DOUBLE)) / nullif(CAST(0.12962389479111572 AS DOUBLE), 0), 0) * CAST(-0.28256979439702173 AS DOUBLE) AS contribution_consciousness_rank,
          coalesce((CAST(tachycardic_readings AS DOUBLE) - CAST(0.05834545298999059 AS DOUBLE)) / nullif(CAST(0.262819722642289 AS DOUBLE), 0), 0) * CAST(-0.07050920999062779 AS DOUBLE) AS contribution_tachycardic_readings,
          coalesce((CAST(hypoxic_readings AS DOUBLE) - CAST(0.11888099923004534 AS DOUBLE)) / nullif(CAST(0.5003209649491087 AS DOUBLE), 0), 0) * CAST(-0.07240919549838132 AS DOUBLE) AS contribution_hypoxic_readings,
          coalesce((CAST(tachypnoeic_readings AS DOUBLE) - CAST(0.11828214560698093 AS DOUBLE)) / nullif(CAST(0.6878100397811113 AS DOUBLE), 0), 0) * CAST(-0.02233616424458492 AS DOUBLE) AS contribution_tachypnoeic_readings,
          coalesce((CAST(hypotensive_readings AS DOUBLE) - CAST(0.01055693386944991 AS DOUBLE)) / nullif(CAST(0.11422005406754249 AS DOUBLE), 0), 0) * CAST(0.003606206768011624 AS DOUBLE) AS contribution_hypotensive_readings,
          coalesce((CAST(news2_total AS DOUBLE) - CAST(0.6172298742407392 AS DOUBLE)) / nullif(CAST(1.6477250538142234 AS DOUBLE), 0), 0) * CAST(0.029486150105063395 AS DOUBLE) AS contribution_news2_total,
          coalesce((CAST(age AS DOUBLE) - CAST(60.30555333119795 AS DOUBLE)) / nullif(CAST(16.641827399433026 AS DOUBLE), 0), 0) * CAST(0.030314965910980297 AS DOUBLE) AS contribution_age,
          coalesce((CAST(cardiorespiratory AS DOUBLE) - CAST(0.3930382156670207 AS DOUBLE)) / nullif(CAST(0.4884252007136958 AS DOUBLE), 0), 0) * CAST(-0.13938358283952632 AS DOUBLE) AS contribution_cardiorespiratory
        FROM (
          SELECT
            l.window_start AS window_start,
            l.window_end AS window_end,
            l.patient_id AS patient_id,
            l.readings AS readings,
            l.heart_rate AS heart_rate,
            l.systolic_bp AS systolic_bp,
            l.respiration_rate AS respiration_rate,
            l.spo2 AS spo2,
            l.temperature_c AS temperature_c,
            l.heart_rate_change AS heart_rate_change,
            l.systolic_bp_change AS systolic_bp_change,
            l.respiration_rate_change AS respiration_rate_change,
            l.spo2_change AS spo2_change,
            l.max_temperature_c AS max_temperature_c,
            l.on_oxygen AS on_oxygen,
            l.consciousness_rank AS consciousness_rank,
            l.tachycardic_readings AS tachycardic_readings,
            l.hypoxic_readings AS hypoxic_readings,
            l.tachypnoeic_readings AS tachypnoeic_readings,
            l.hypotensive_readings AS hypotensive_readings,
            l.news2_total AS news2_total,
            r.age AS age,
            r.diagnosis_code AS diagnosis_code,
            CASE WHEN r.diagnosis_code IS NULL THEN CAST(NULL AS INTEGER) WHEN r.diagnosis_code IN ('D003', 'D004', 'D005', 'D007', 'D010') THEN 1 ELSE 0 END AS cardiorespiratory
          FROM patient_risk_features AS l
          LEFT JOIN (
            SELECT
              patient_id,
              age,
              diagnosis_code,
              admitted_from,
              lead(admitted_from, 1) OVER (PARTITION BY patient_id ORDER BY admitted_from ASC NULLS FIRST, age ASC NULLS FIRST, diagnosis_code ASC NULLS FIRST) AS admitted_until
            FROM (
              SELECT
                patient_id,
                age,
                diagnosis_code,
                (CAST(admission_date AS TIMESTAMP) - INTERVAL (0) MICROSECOND) AS admitted_from
              FROM patients_silver
            ) AS q
          ) AS r ON l.patient_id = r.patient_id AND r.admitted_from <= l.window_end AND (r.admitted_until IS NULL OR l.window_end < r.admitted_until)
        ) AS q
      ) AS q
    ) AS q
  ) AS q
) AS q;
COMMENT ON TABLE patient_risk IS 'Per patient and 4-hour window sliding every 15 minutes: the probability of a threshold alert within the next 4 hours (logistic model of layers/models/risk.json, trained on synthetic data; not clinically validated, not for clinical decisions), its level and the three features that raise it most.';

-- ------------------------------------------------------------ patient_alerts (streaming table)
CREATE OR REPLACE TABLE patient_alerts AS
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
  avg_spo2,
  CAST(NULL AS INTEGER) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM vitals_15min
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
  avg_spo2,
  CAST(NULL AS INTEGER) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM vitals_15min
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
  avg_spo2,
  CAST(NULL AS INTEGER) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM vitals_15min
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
  avg_spo2,
  CAST(NULL AS INTEGER) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM vitals_15min
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
  avg_spo2,
  CAST(NULL AS INTEGER) AS news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM vitals_15min
WHERE avg_systolic_bp < 90
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'early_warning_high' AS reason,
  readings,
  CAST(NULL AS DOUBLE) AS avg_heart_rate,
  CAST(NULL AS DOUBLE) AS avg_systolic_bp,
  CAST(NULL AS DOUBLE) AS avg_diastolic_bp,
  CAST(NULL AS DOUBLE) AS avg_temperature_c,
  CAST(NULL AS DOUBLE) AS avg_spo2,
  news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM patient_early_warning
WHERE news2_total >= 7
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'early_warning_red' AS reason,
  readings,
  CAST(NULL AS DOUBLE) AS avg_heart_rate,
  CAST(NULL AS DOUBLE) AS avg_systolic_bp,
  CAST(NULL AS DOUBLE) AS avg_diastolic_bp,
  CAST(NULL AS DOUBLE) AS avg_temperature_c,
  CAST(NULL AS DOUBLE) AS avg_spo2,
  news2_total,
  CAST(NULL AS DOUBLE) AS risk_probability
FROM patient_early_warning
WHERE news2_red = TRUE
UNION ALL
SELECT
  window_start,
  window_end,
  patient_id,
  'risk_high' AS reason,
  readings,
  CAST(NULL AS DOUBLE) AS avg_heart_rate,
  CAST(NULL AS DOUBLE) AS avg_systolic_bp,
  CAST(NULL AS DOUBLE) AS avg_diastolic_bp,
  CAST(NULL AS DOUBLE) AS avg_temperature_c,
  CAST(NULL AS DOUBLE) AS avg_spo2,
  CAST(NULL AS INTEGER) AS news2_total,
  risk_probability
FROM patient_risk
WHERE risk_level = 'high';
COMMENT ON TABLE patient_alerts IS 'One row per closed window, patient and alert reason: tachycardia, bradycardia, hypoxemia, fever, hypotension (with the window averages), early_warning_high and early_warning_red (with the NEWS2 total), risk_high (with the model probability).';

-- ------------------------------------------------------------ patient_updates_bronze (streaming table)
-- the files of patient_updates_bronze: patient_updates_*.csv in the input folder, in byte order of their names
SET VARIABLE patient_updates_bronze_files = (SELECT coalesce(list(file ORDER BY file), []) FROM glob('/data/incoming/patient_updates_*.csv')
    WHERE NOT (parse_filename(file) LIKE '.%' OR file LIKE '%.tmp' OR file LIKE '%.partial' OR file LIKE '%~'));
CREATE OR REPLACE TABLE patient_updates_bronze AS
SELECT
  patient_id,
  name,
  address,
  contact_number,
  insurance_id,
  op,
  updated_at,
  CASE WHEN len(_e) > 0 THEN '{' || array_to_string(list_transform(range(1, len(_e) + 1), lambda p: to_json(CASE WHEN list_contains(list_transform(_e[1:p - 1], lambda e: e.k), _e[p].k) THEN '_c' || (_e[p].i - 1) ELSE _e[p].k END) || ':' || to_json(_e[p].v)), ',') || '}' END AS _rescued_data,
  parse_filename(_file) AS _source_file,
  _line,
  CAST(current_timestamp AS TIMESTAMP) AS _ingested_at
FROM (
  SELECT
    patient_id,
    name,
    address,
    contact_number,
    insurance_id,
    op,
    updated_at,
    _file,
    _line,
    list_filter(list_transform(range(1, 16), lambda i: {'i': i, 'k': CASE WHEN i = _p_patient_id THEN 'patient_id' WHEN i = _p_name THEN 'name' WHEN i = _p_address THEN 'address' WHEN i = _p_contact_number THEN 'contact_number' WHEN i = _p_insurance_id THEN 'insurance_id' WHEN i = _p_op THEN 'op' WHEN i = _p_updated_at THEN 'updated_at' ELSE coalesce(nullif(_h[i], ''), '_c' || (i - 1)) END, 'v': CASE WHEN i = _p_patient_id THEN NULL WHEN i = _p_name THEN NULL WHEN i = _p_address THEN NULL WHEN i = _p_contact_number THEN NULL WHEN i = _p_insurance_id THEN NULL WHEN i = _p_op THEN NULL WHEN i = _p_updated_at THEN CASE WHEN updated_at IS NULL THEN _text_updated_at END ELSE _v[i] END}), lambda e: e.v IS NOT NULL) AS _e
  FROM (
    SELECT
      patient_id,
      name,
      address,
      contact_number,
      insurance_id,
      op,
      CASE WHEN regexp_full_match(updated_at, '[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?') THEN CAST(TRY_CAST(regexp_replace(upper(updated_at), '^(.{10})[T ]([0-9]{2}:[0-9]{2})([Z+-]|$)', '\1 \2:00\3') AS TIMESTAMPTZ) AS TIMESTAMP) END AS updated_at,
      updated_at AS _text_updated_at,
      _file,
      _line,
      _h,
      _v,
      _p_patient_id,
      _p_name,
      _p_address,
      _p_contact_number,
      _p_insurance_id,
      _p_op,
      _p_updated_at
    FROM (
      SELECT
        _v[_p_patient_id] AS patient_id,
        _v[_p_name] AS name,
        _v[_p_address] AS address,
        _v[_p_contact_number] AS contact_number,
        _v[_p_insurance_id] AS insurance_id,
        _v[_p_op] AS op,
        _v[_p_updated_at] AS updated_at,
        _file,
        _line,
        _h,
        _v,
        _p_patient_id,
        _p_name,
        _p_address,
        _p_contact_number,
        _p_insurance_id,
        _p_op,
        _p_updated_at
      FROM (
        SELECT
          _file,
          _line,
          _h,
          list_transform(_t, lambda x: CASE WHEN lower(x) IN ('', 'null', 'na', 'n/a', 'nan', 'none') THEN NULL ELSE x END) AS _v,
          list_position(list_transform(_h, lambda x: lower(x)), 'patient_id') AS _p_patient_id,
          list_position(list_transform(_h, lambda x: lower(x)), 'name') AS _p_name,
          list_position(list_transform(_h, lambda x: lower(x)), 'address') AS _p_address,
          list_position(list_transform(_h, lambda x: lower(x)), 'contact_number') AS _p_contact_number,
          list_position(list_transform(_h, lambda x: lower(x)), 'insurance_id') AS _p_insurance_id,
          list_position(list_transform(_h, lambda x: lower(x)), 'op') AS _p_op,
          list_position(list_transform(_h, lambda x: lower(x)), 'updated_at') AS _p_updated_at
        FROM (
          SELECT
            _file,
            _line,
            _t,
            first_value(_t) OVER (PARTITION BY _file ORDER BY _line) AS _h,
            row_number() OVER (PARTITION BY _file ORDER BY _line) AS _n
          FROM (
            SELECT
              _file,
              row_number() OVER (PARTITION BY _file ORDER BY _rec) AS _line,
              list_transform(_f, lambda x: trim(x, ' ' || chr(9))) AS _t,
              _f[1] IS NOT NULL AND trim(_f[1], ' ' || chr(9)) = '' AND len(list_filter(_f[2:], lambda x: x IS NOT NULL)) = 0 AS _blank
            FROM (
              SELECT filename AS _file, row_number() OVER () AS _rec, _f
              FROM query(CASE WHEN len(getvariable('patient_updates_bronze_files')) = 0
                THEN 'SELECT NULL::VARCHAR AS filename, NULL::VARCHAR[] AS _f WHERE false'
                ELSE 'SELECT filename, [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14] AS _f FROM read_csv(getvariable(''patient_updates_bronze_files''), header = false, auto_detect = false, delim = '','', quote = ''"'', escape = ''"'', null_padding = true, strict_mode = false, filename = true, columns = {''c0'': ''VARCHAR'', ''c1'': ''VARCHAR'', ''c2'': ''VARCHAR'', ''c3'': ''VARCHAR'', ''c4'': ''VARCHAR'', ''c5'': ''VARCHAR'', ''c6'': ''VARCHAR'', ''c7'': ''VARCHAR'', ''c8'': ''VARCHAR'', ''c9'': ''VARCHAR'', ''c10'': ''VARCHAR'', ''c11'': ''VARCHAR'', ''c12'': ''VARCHAR'', ''c13'': ''VARCHAR'', ''c14'': ''VARCHAR''})' END)
            ) AS records
          ) AS lines
          WHERE NOT _blank
        ) AS records
        WHERE _n > 1
      ) AS fields
    ) AS texts
  ) AS typed
) AS rescued;
COMMENT ON TABLE patient_updates_bronze IS 'Patient change events as received (UPSERT or DELETE with the time of the change): every record, with _rescued_data and the file and line of each row.';

-- ------------------------------------------------------------ patient_updates_clean (view)
CREATE OR REPLACE VIEW patient_updates_clean AS
SELECT
  patient_id,
  name,
  address,
  contact_number,
  insurance_id,
  op,
  updated_at,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at
FROM patient_updates_bronze
WHERE patient_id IS NOT NULL
  AND updated_at IS NOT NULL
  AND op IN ('UPSERT', 'DELETE');
COMMENT ON VIEW patient_updates_clean IS 'Patient change events with a patient, a valid time and a known operation, in the shape AUTO CDC reads.';

-- ------------------------------------------------------------ patient_updates_quarantine (streaming table, quarantine of patient_updates_clean)
CREATE OR REPLACE TABLE patient_updates_quarantine AS
SELECT
  patient_id,
  name,
  address,
  contact_number,
  insurance_id,
  op,
  updated_at,
  _rescued_data,
  _source_file,
  _line,
  _ingested_at,
  list_filter([CASE WHEN NOT coalesce(patient_id IS NOT NULL, FALSE) THEN 'valid_patient_id' END, CASE WHEN NOT coalesce(updated_at IS NOT NULL, FALSE) THEN 'valid_updated_at' END, CASE WHEN NOT coalesce(op IN ('UPSERT', 'DELETE'), FALSE) THEN 'valid_op' END], lambda x: x IS NOT NULL) AS _failed_expectations
FROM patient_updates_bronze
WHERE NOT (coalesce(patient_id IS NOT NULL, FALSE) AND coalesce(updated_at IS NOT NULL, FALSE) AND coalesce(op IN ('UPSERT', 'DELETE'), FALSE));
COMMENT ON TABLE patient_updates_quarantine IS 'Patient change events that failed a validation rule, with _failed_expectations naming every rule they failed.';

-- ------------------------------------------------------------ patients_current (streaming table)
CREATE OR REPLACE TABLE patients_current AS
WITH feed AS (
  SELECT
    patient_id,
    name,
    address,
    contact_number,
    insurance_id,
    op,
    updated_at,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at
  FROM patient_updates_clean
),
ev0 AS (
  SELECT patient_id,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE name END AS name,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE address END AS address,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE contact_number END AS contact_number,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE insurance_id END AS insurance_id,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE updated_at END AS updated_at,
         updated_at AS __seq,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN 1 ELSE 0 END AS __op
  FROM feed
  WHERE updated_at IS NOT NULL
),
ev AS (
  SELECT * FROM ev0
),
ranked AS (
  SELECT ev.*, row_number() OVER (PARTITION BY ev.patient_id ORDER BY __seq, __op, CAST(patient_id AS VARCHAR) NULLS FIRST, CAST(name AS VARCHAR) NULLS FIRST, CAST(address AS VARCHAR) NULLS FIRST, CAST(contact_number AS VARCHAR) NULLS FIRST, CAST(insurance_id AS VARCHAR) NULLS FIRST, CAST(updated_at AS VARCHAR) NULLS FIRST) AS __rank
  FROM ev
)
SELECT patient_id,
       first(CASE WHEN __op = 0 THEN name END ORDER BY __rank DESC) AS name,
       first(CASE WHEN __op = 0 THEN address END ORDER BY __rank DESC) AS address,
       first(CASE WHEN __op = 0 THEN contact_number END ORDER BY __rank DESC) AS contact_number,
       first(CASE WHEN __op = 0 THEN insurance_id END ORDER BY __rank DESC) AS insurance_id,
       first(CASE WHEN __op = 0 THEN updated_at END ORDER BY __rank DESC) AS updated_at
FROM ranked
GROUP BY patient_id
HAVING first(__op ORDER BY __rank DESC) = 0;
COMMENT ON TABLE patients_current IS 'The current record of every patient (SCD type 1): the latest change by updated_at; an erased patient has no row.';

-- ------------------------------------------------------------ patients_history (streaming table)
CREATE OR REPLACE TABLE patients_history AS
WITH feed AS (
  SELECT
    patient_id,
    name,
    address,
    contact_number,
    insurance_id,
    op,
    updated_at,
    _rescued_data,
    _source_file,
    _line,
    _ingested_at
  FROM patient_updates_clean
),
ev0 AS (
  SELECT patient_id,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE name END AS name,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE address END AS address,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE contact_number END AS contact_number,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN NULL ELSE insurance_id END AS insurance_id,
         updated_at AS __seq,
         CASE WHEN coalesce(op = 'DELETE', FALSE) THEN 1 ELSE 0 END AS __op
  FROM feed
  WHERE updated_at IS NOT NULL
),
ev AS (
  SELECT * FROM ev0
),
ranked AS (
  SELECT ev.*, row_number() OVER (PARTITION BY ev.patient_id ORDER BY __seq, __op, CAST(patient_id AS VARCHAR) NULLS FIRST, CAST(name AS VARCHAR) NULLS FIRST, CAST(address AS VARCHAR) NULLS FIRST, CAST(contact_number AS VARCHAR) NULLS FIRST, CAST(insurance_id AS VARCHAR) NULLS FIRST) AS __rank
  FROM ev
),
state AS (
  SELECT patient_id,
    __seq,
    __rank,
    __op,
    CASE WHEN __op = 0 THEN name END AS name,
    CASE WHEN __op = 0 THEN address END AS address,
    CASE WHEN __op = 0 THEN contact_number END AS contact_number,
    CASE WHEN __op = 0 THEN insurance_id END AS insurance_id
  FROM ranked
),
perseq AS (
  SELECT * FROM state
  QUALIFY row_number() OVER (PARTITION BY patient_id, __seq ORDER BY __rank DESC) = 1
),
marked AS (
  SELECT *, lag(__op) OVER w AS __prev_op, lag(name) OVER w AS __p0, lag(address) OVER w AS __p1, lag(contact_number) OVER w AS __p2
  FROM perseq
  WINDOW w AS (PARTITION BY patient_id ORDER BY __seq)
),
starts AS (
  SELECT *, CASE WHEN __op = 0 AND (__prev_op IS NULL OR __prev_op <> 0 OR name IS DISTINCT FROM __p0 OR address IS DISTINCT FROM __p1 OR contact_number IS DISTINCT FROM __p2) THEN 1 ELSE 0 END AS __start
  FROM marked
),
islands AS (
  SELECT *, sum(__start) OVER (PARTITION BY patient_id ORDER BY __seq ROWS UNBOUNDED PRECEDING) AS __island, lead(__seq) OVER (PARTITION BY patient_id ORDER BY __seq) AS __next
  FROM starts
)
SELECT patient_id,
       first(name ORDER BY __seq DESC) AS name,
       first(address ORDER BY __seq DESC) AS address,
       first(contact_number ORDER BY __seq DESC) AS contact_number,
       first(insurance_id ORDER BY __seq DESC) AS insurance_id,
       min(__seq) AS "__START_AT",
       first(__next ORDER BY __seq DESC) AS "__END_AT"
FROM islands
WHERE __op = 0
GROUP BY patient_id, __island;
COMMENT ON TABLE patients_history IS 'Every version of every patient (SCD type 2): a change of name, address or contact number opens a version; __START_AT and __END_AT (NULL: current) are the times of the changes.';

-- ------------------------------------------------------------ admissions_with_address (materialized view)
CREATE OR REPLACE TABLE admissions_with_address AS
SELECT
  l.patient_id AS patient_id,
  l.name AS name,
  l.age AS age,
  l.gender AS gender,
  l.address AS address,
  l.contact_number AS contact_number,
  l.admission_date AS admission_date,
  l.diagnosis_code AS diagnosis_code,
  l.diagnosis_description AS diagnosis_description,
  l._rescued_data AS _rescued_data,
  l._source_file AS _source_file,
  l._line AS _line,
  l._ingested_at AS _ingested_at,
  r.address AS address_at_admission
FROM patients_silver AS l
LEFT JOIN patients_history AS r ON l.patient_id = r.patient_id AND r."__START_AT" <= CAST(l.admission_date AS TIMESTAMP) AND (r."__END_AT" IS NULL OR CAST(l.admission_date AS TIMESTAMP) < r."__END_AT");
COMMENT ON TABLE admissions_with_address IS 'Valid admissions with the address the patient''s history held on the admission date (an as-of join on patients_history).';

COMMIT;
