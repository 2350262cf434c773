// Writes src/crypto/sm2_field_unrolled.ts: the unrolled Montgomery product and square, and the subtraction, of sm2p256v1's field
// (run with `npm run gen:sm2-field`; test/crypto/sm2_field.test.ts checks that the file is what this writes).
// Unrolled because V8 runs the same arithmetic written as loops over typed arrays about five times slower.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const LIMBS = 11;
const BITS = 24;
const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const B = 2 ** BITS;
const P_LIMBS = Array.from({ length: LIMBS }, (_, i) => Number((P >> BigInt(BITS * i)) % BigInt(B)));

/** The columns of a·b (mul) or a·a (sqr): column k as a list of terms. */
function productColumns(square) {
  const cols = [];
  for (let k = 0; k <= 2 * LIMBS - 2; k++) {
    const terms = [];
    for (let i = Math.max(0, k - LIMBS + 1); i <= Math.min(k, LIMBS - 1); i++) {
      const j = k - i;
      if (!square) terms.push(`a${i} * b${j}`);
      else if (i < j) terms.push(`d${i} * a${j}`);
      else if (i === j) terms.push(`a${i} * a${i}`);
    }
    cols.push(terms);
  }
  return cols;
}

/** The body shared by both: Montgomery reduction of t0..t20 and the final subtraction of p. */
function reduction() {
  if (P_LIMBS[0] !== B - 1) throw new Error('the reduction below needs p ≡ −1 (mod 2^24)');
  const out = [];
  out.push('  let q = 0;', '  let m = 0;');
  for (let i = 0; i < LIMBS; i++) {
    // m = t_i mod 2^24 (−p⁻¹ ≡ 1 mod 2^24); t_i + m·p0 = q·2^24 + m + m·(2^24 − 1) = (q + m)·2^24.
    out.push(`  q = Math.floor(t${i} / ${B});`, `  m = t${i} - q * ${B};`, `  t${i + 1} += q + m;`);
    for (let j = 1; j < LIMBS; j++) if (P_LIMBS[j] !== 0) out.push(`  t${i + j} += m * ${P_LIMBS[j]};`);
  }
  // The result is t11..t21 / carries: below 2p, so one conditional subtraction of p.
  out.push('  let c = 0;', '  let v = 0;');
  for (let i = 0; i < LIMBS; i++) {
    const col = LIMBS + i;
    out.push(`  v = ${col <= 2 * LIMBS - 2 ? `t${col} + ` : ''}c;`, `  c = Math.floor(v / ${B});`, `  const r${i} = v - c * ${B};`);
  }
  out.push('  let w = 0;', '  let br = 0;');
  for (let i = 0; i < LIMBS; i++) out.push(`  w = r${i} - ${P_LIMBS[i]} - br;`, '  br = w < 0 ? 1 : 0;', `  const s${i} = w + br * ${B};`);
  out.push('  if (c > 0 || br === 0) {');
  for (let i = 0; i < LIMBS; i++) out.push(`    o[${i}] = s${i};`);
  out.push('  } else {');
  for (let i = 0; i < LIMBS; i++) out.push(`    o[${i}] = r${i};`);
  out.push('  }');
  return out;
}

const DOCS = {
  feMul: [' * o = a·b / R mod p (Montgomery product), fully reduced. `o` may be `a` or `b`.', ' *', ' * @param o - the result.', ' * @param a - a field element (limbs below 2^24, value below p).', ' * @param b - a field element (likewise).'],
  feSqr: [' * o = a² / R mod p (Montgomery square), fully reduced. `o` may be `a`.', ' *', ' * @param o - the result.', ' * @param a - a field element (limbs below 2^24, value below p).'],
  feMulAt: [
    ' * o = a·b / R mod p as {@link feMul}, with b the 11 limbs of `table` from index `at` (a table point\'s',
    ' * coordinate, read where it is stored instead of copied out first).',
    ' *',
    ' * @param o - the result.',
    ' * @param a - a field element (limbs below 2^24, value below p).',
    ' * @param table - field elements one after the other.',
    ' * @param at - where b starts in `table`.',
  ],
};

function fn(name) {
  const square = name === 'feSqr';
  const out = ['/**', ...DOCS[name], ' */'];
  if (name === 'feMul') out.push('export function feMul(o: Float64Array, a: Float64Array, b: Float64Array): void {');
  else if (name === 'feSqr') out.push('export function feSqr(o: Float64Array, a: Float64Array): void {');
  else out.push('export function feMulAt(o: Float64Array, a: Float64Array, table: Int32Array, at: number): void {');
  for (let i = 0; i < LIMBS; i++) out.push(`  const a${i} = a[${i}] as number;`);
  if (name === 'feMul') for (let i = 0; i < LIMBS; i++) out.push(`  const b${i} = b[${i}] as number;`);
  if (name === 'feMulAt') for (let i = 0; i < LIMBS; i++) out.push(`  const b${i} = table[at${i === 0 ? '' : ` + ${i}`}] as number;`);
  // The square's cross products a_i·a_j (i < j) appear twice: once, with a doubled limb.
  if (square) for (let i = 0; i < LIMBS - 1; i++) out.push(`  const d${i} = 2 * a${i};`);
  const cols = productColumns(square);
  cols.forEach((terms, k) => out.push(`  ${k === 0 ? 'const' : 'let'} t${k} = ${terms.join(' + ')};`));
  out.push(...reduction(), '}');
  return out.join('\n');
}

/** o = a − b mod p, unrolled: limb-wise with borrows, then p added back when a < b. */
function sub() {
  const out = [
    '/**',
    ' * o = a − b mod p, fully reduced. `o` may be `a` or `b`.',
    ' *',
    ' * @param o - the result.',
    ' * @param a - a field element (limbs below 2^24, value below p).',
    ' * @param b - a field element (likewise).',
    ' */',
    'export function feSub(o: Float64Array, a: Float64Array, b: Float64Array): void {',
    '  let br = 0;',
    '  let w = 0;',
  ];
  for (let i = 0; i < LIMBS; i++) out.push(`  w = (a[${i}] as number) - (b[${i}] as number) - br;`, '  br = w < 0 ? 1 : 0;', `  const r${i} = w + br * ${B};`);
  out.push('  if (br === 0) {');
  for (let i = 0; i < LIMBS; i++) out.push(`    o[${i}] = r${i};`);
  out.push('    return;', '  }', '  // a < b: the limbs hold a − b + 2^264; adding p carries out of the top limb, which takes the 2^264 away.', '  let c = 0;');
  for (let i = 0; i < LIMBS; i++) out.push(`  w = r${i} + ${P_LIMBS[i]} + c;`, `  c = w >= ${B} ? 1 : 0;`, `  o[${i}] = w - c * ${B};`);
  out.push('}');
  return out.join('\n');
}

/**
 * Checks that no column of either function can reach 2^53, where doubles stop being exact: the largest value
 * every column can take, from the largest limbs (value below p < 2^256: limbs below 2^24, the top one below
 * 2^16), through the reduction and the final carry pass as written.
 *
 * @returns the largest column value seen.
 */
export function largestColumn() {
  const limbMax = Array.from({ length: LIMBS }, (_, i) => (i === LIMBS - 1 ? 2 ** (256 - BITS * (LIMBS - 1)) - 1 : B - 1));
  let largest = 0;
  for (const square of [false, true]) {
    const t = new Array(2 * LIMBS).fill(0);
    for (let i = 0; i < LIMBS; i++) for (let j = 0; j < LIMBS; j++) t[i + j] += limbMax[i] * limbMax[j];
    // (the square's doubled cross products add up to the same column sums)
    for (let i = 0; i < LIMBS; i++) {
      t[i + 1] += Math.floor(t[i] / B) + (B - 1);
      for (let j = 1; j < LIMBS; j++) t[i + j] += (B - 1) * P_LIMBS[j];
    }
    largest = Math.max(largest, ...t);
    // The final carry pass: each of t11..t20 plus the carry out of the column below it.
    let c = 0;
    for (let i = LIMBS; i < 2 * LIMBS - 1; i++) {
      const v = t[i] + c;
      largest = Math.max(largest, v);
      c = Math.floor(v / B);
    }
  }
  if (!(largest < 2 ** 53)) throw new Error(`a column can reach ${largest}, beyond 2^53`);
  return largest;
}

/** The generated module's text. */
export function renderSm2FieldMul() {
  largestColumn();
  return [
    '// Generated by scripts/sm2_field_gen.mjs (`npm run gen:sm2-field`): do not edit by hand.',
    '/**',
    ' * Montgomery product and square, and subtraction, in the field of sm2p256v1 (p = 2^256 − 2^224 − 2^96 + 2^64 − 1), on 11 limbs',
    ' * of 24 bits held in doubles, R = 2^264. See `sm2_field.ts` for the representation and why every sum here is',
    ' * exact; unrolled, because V8 runs the same arithmetic written as loops over typed arrays about five times slower.',
    ' */',
    '',
    fn('feMul'),
    '',
    fn('feMulAt'),
    '',
    fn('feSqr'),
    '',
    sub(),
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(new URL('../src/crypto/sm2_field_unrolled.ts', import.meta.url), renderSm2FieldMul());
}
