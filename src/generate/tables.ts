/** Pre-built text tables (names, streets, numbers) and their byte forms, and per-diagnosis age tables. */
import { ByteTable } from './bytes.js';
import { DIAGNOSES } from './catalog.js';
import { invNorm } from './random.js';

export const T3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
export const T4: string[] = Array.from({ length: 10000 }, (_, i) => String(i).padStart(4, '0'));
export const NUM: string[] = Array.from({ length: 10000 }, (_, i) => String(i));

const FIRST_M = ['James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas', 'Charles', 'Daniel', 'Matthew',
  'Anthony', 'Mark', 'Steven', 'Paul', 'Andrew', 'Joshua', 'Kevin', 'Brian', 'George', 'Edward', 'Ronald', 'Timothy', 'Jason', 'Jeffrey',
  'Ryan', 'Jacob', 'Gary', 'Eric', 'Carlos', 'Luis', 'Wei', 'Ahmed', 'Omar', 'Raj', 'Hiroshi', 'Ivan', 'Kofi', 'Mateo'];
const FIRST_F = ['Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Barbara', 'Susan', 'Jessica', 'Sarah', 'Karen', 'Lisa', 'Nancy',
  'Betty', 'Sandra', 'Margaret', 'Ashley', 'Kimberly', 'Emily', 'Donna', 'Michelle', 'Carol', 'Amanda', 'Melissa', 'Deborah', 'Laura',
  'Rebecca', 'Sharon', 'Cynthia', 'Maria', 'Ana', 'Mei', 'Fatima', 'Aisha', 'Priya', 'Yuki', 'Olga', 'Amara', 'Sofia', 'Chloe', 'Ingrid'];
export const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris',
  'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill',
  'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Chen', 'Patel', 'Kim',
  'Singh', 'Okafor', 'Schmidt', 'Rossi', 'Dubois', 'Kowalski', "O'Brien"];
const STREETS = ['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm', 'Washington', 'Lake', 'Hill', 'Walnut', 'Park', 'Sunset', 'Lincoln',
  'Jackson', 'Church', 'Highland', 'River', 'Spring', 'Ridge', 'Meadow', 'Forest', 'Willow', 'Chestnut', 'Franklin', 'Jefferson',
  'Madison', 'Adams', 'Center', 'Mill', 'Valley', 'Harbor', 'Prospect', 'Orchard', 'Birch', 'Cherry', 'Union'];
const SUFFIX = ['St', 'Ave', 'Rd', 'Blvd', 'Ln', 'Dr', 'Ct', 'Way', 'Pl', 'Ter'];
// Pre-joined combinations, so that a row costs few string concatenations.
export const NAMES_M: string[] = FIRST_M.flatMap((a) => LAST.map((b) => a + ' ' + b));
export const NAMES_F: string[] = FIRST_F.flatMap((a) => LAST.map((b) => a + ' ' + b));
export const STREET_SUFFIX: string[] = STREETS.flatMap((a) => SUFFIX.map((b) => ' ' + a + ' ' + b));
export const PHONE3: string[] = T3.map((x) => '555-' + x + '-');

export const B_T3C = ByteTable.fixed(T3.join(',') + ',', 1000, 4);
export const B_NAMES_M = ByteTable.of(NAMES_M.map((x) => x + ','));
export const B_NAMES_F = ByteTable.of(NAMES_F.map((x) => x + ','));
export const AGE_STR: string[] = Array.from({ length: 256 }, (_, i) => String(i));
export const B_AGE_GENDER = ByteTable.of(AGE_STR.flatMap((a) => [a + ',M,', a + ',F,']));
export const B_NUM = ByteTable.of(NUM);
export const B_STREET_SUFFIX = ByteTable.of(STREET_SUFFIX.map((x) => x + ','));
export const B_PHONE3 = ByteTable.fixed(PHONE3.join(''), 1000, 8);
export const B_T4C = ByteTable.fixed(T4.join(',') + ',', 10000, 5);
export const B_INS = ByteTable.fixed(',INS' + T4.join(',INS'), 10000, 8);
export const B_T4 = ByteTable.fixed(T4.join(''), 10000, 4);

export const AGE_TABLE_SIZE = 1024;
/** The standard normal at the 1024 evenly spaced quantiles. */
const Z: Float64Array = Float64Array.from({ length: AGE_TABLE_SIZE }, (_, i) => invNorm((i + 0.5) / AGE_TABLE_SIZE));
/** Per diagnosis, 1024 ages at evenly spaced quantiles of its (clamped) normal distribution. */
export const AGE_TABLES: Uint8Array[] = DIAGNOSES.map((dg) => {
  const t = new Uint8Array(AGE_TABLE_SIZE);
  for (let i = 0; i < AGE_TABLE_SIZE; i++) {
    const age = Math.round(dg.ageMean + dg.ageSd * Z[i]);
    t[i] = Math.min(dg.ageMax, Math.max(dg.ageMin, age));
  }
  return t;
});
export const P_MALE = DIAGNOSES.map((d) => d.pMale);
export const CODES: string[] = DIAGNOSES.map((d) => d.code);
