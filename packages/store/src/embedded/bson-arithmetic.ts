/**
 * Arithmetic over BSON numbers with MongoDB's result types, for the embedded engine's
 * `$sum`, `$avg`, `$add`, `$subtract`, `$multiply`, `$divide`, `$abs` and `$inc`/`$mul`:
 * int op int is an int (a long when it overflows), anything with a long is a long (a double
 * when it overflows), anything with a double is a double, anything with a decimal is a
 * decimal. JS numbers read back from the store are ints when integral and in int32 range,
 * doubles otherwise (an integral double reads back as a number too, so it counts as an int:
 * a known difference). Decimal arithmetic is done in double precision (documented).
 */
import { Decimal128, Long } from 'bson';
import { bsonType, isNumeric, toDouble } from './bson-order.js';

/** The BSON numeric types, narrowest first. */
type NumberKind = 'int' | 'long' | 'double' | 'decimal';
const WIDTH: Readonly<Record<NumberKind, number>> = { int: 0, long: 1, double: 2, decimal: 3 };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function numberKind(value: unknown): NumberKind {
  switch (bsonType(value)) {
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'Double':
      return 'double';
    case 'Int32':
      return 'int';
    default: {
      const n = toDouble(value);
      return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? 'int' : 'double';
    }
  }
}

function widest(a: NumberKind, b: NumberKind): NumberKind {
  return WIDTH[a] >= WIDTH[b] ? a : b;
}

function integer(value: unknown): bigint {
  return bsonType(value) === 'Long'
    ? BigInt((value as Long).toString())
    : BigInt(Math.trunc(toDouble(value)));
}

/** An integral result of kind `kind` (int or long), widened as MongoDB widens on overflow. */
function integral(result: bigint, kind: NumberKind): unknown {
  if (kind === 'int' && result >= BigInt(INT32_MIN) && result <= BigInt(INT32_MAX)) {
    return Number(result);
  }
  if (result >= INT64_MIN && result <= INT64_MAX) return Long.fromBigInt(result);
  return Number(result);
}

function decimal(n: number): Decimal128 {
  return Decimal128.fromString(
    Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN',
  );
}

type Operation = 'add' | 'subtract' | 'multiply';

/** `a op b` for two BSON numbers, typed as MongoDB types it. */
export function arithmetic(operation: Operation, a: unknown, b: unknown): unknown {
  const kind = widest(numberKind(a), numberKind(b));
  if (kind === 'int' || kind === 'long') {
    const x = integer(a);
    const y = integer(b);
    const result = operation === 'add' ? x + y : operation === 'subtract' ? x - y : x * y;
    return integral(result, kind);
  }
  const x = toDouble(a);
  const y = toDouble(b);
  const result = operation === 'add' ? x + y : operation === 'subtract' ? x - y : x * y;
  return kind === 'decimal' ? decimal(result) : result;
}

/** `a / b`: a double (a decimal when either is one); null for division by zero is the caller's. */
export function divide(a: unknown, b: unknown): unknown {
  const result = toDouble(a) / toDouble(b);
  return numberKind(a) === 'decimal' || numberKind(b) === 'decimal' ? decimal(result) : result;
}

/** `|a|`, of a's type (an int's minimum becomes a long). */
export function absolute(a: unknown): unknown {
  const kind = numberKind(a);
  if (kind === 'int' || kind === 'long') {
    const x = integer(a);
    return integral(x < 0n ? -x : x, kind);
  }
  const result = Math.abs(toDouble(a));
  return kind === 'decimal' ? decimal(result) : result;
}

/** The sum of the numbers among `values` (others ignored), typed; 0 for none. */
export function sum(values: readonly unknown[]): unknown {
  let total: unknown = 0;
  for (const value of values) if (isNumeric(value)) total = arithmetic('add', total, value);
  return total;
}

/** The mean of the numbers among `values` (others ignored): a double, or a decimal; null for none. */
export function average(values: readonly unknown[]): unknown {
  const numbers = values.filter(isNumeric);
  if (numbers.length === 0) return null;
  const total = numbers.reduce<number>((acc, value) => acc + toDouble(value), 0);
  const mean = total / numbers.length;
  return numbers.some((value) => numberKind(value) === 'decimal') ? decimal(mean) : mean;
}
