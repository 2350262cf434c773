import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digest } from '../../src/crypto/index.js';
import { EvoucherError } from '../../src/errors.js';
import { caughtCode } from '../helpers/codes.js';
import {
  EVOUCHER_OID_ARC,
  buildTbs,
  chainOrder,
  decodeTbs,
  encodeTbs,
  type TbsFields,
} from '../../src/seal/tbs.js';

const d = (s: string, alg: 'sm3' | 'sha256' = 'sm3'): Uint8Array => digest(alg, new TextEncoder().encode(s));

function sample(overrides: Partial<TbsFields> = {}): TbsFields {
  return {
    version: 1,
    digestAlgorithm: 'sm3',
    voucher: {
      admDivCode: '520000',
      stYear: '2026',
      vtCode: '5201',
      voucherNo: 'ZF2026000123',
      view: 'original',
      voucherDigest: d('voucher'),
    },
    position: { id: 'cz_zfzyz', sequence: 2, format: 'ses' },
    previousSeals: [{ positionId: 'dw_gz', sequence: 1, view: 'original', digest: d('seal 1') }],
    signingTime: new Date('2026-11-27T08:30:00Z'),
    signerCertificateDigest: d('cert'),
    sealObject: { esId: '52000000000000000001', digest: d('seal object') },
    ...overrides,
  };
}

describe('EvoucherTbs', () => {
  it('round-trips and is deterministic', () => {
    const f = sample();
    const der = encodeTbs(f);
    expect(encodeTbs(f)).toEqual(der);
    const back = decodeTbs(der);
    expect(back.position).toEqual(f.position);
    expect(back.voucher.voucherNo).toBe('ZF2026000123');
    expect(back.previousSeals).toHaveLength(1);
    expect(back.signingTime.toISOString()).toBe('2026-11-27T08:30:00.000Z');
    expect(back.sealObject?.esId).toBe('52000000000000000001');
    expect(encodeTbs(back)).toEqual(der);
  });

  it('pins the v1 encoding (known-answer vector: other systems verify this format)', () => {
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32).fill(1);
    const f: TbsFields = {
      version: 1,
      digestAlgorithm: 'sha256',
      voucher: { admDivCode: '520000', stYear: '2026', vtCode: '8202', voucherNo: 'SQ1', view: 'receipt', voucherDigest: zero, originalDigest: one },
      position: { id: 'yh_zqz', sequence: 3, format: 'cms' },
      previousSeals: [{ positionId: 'dw_cwzyz', sequence: 1, view: 'original', digest: one }],
      signingTime: new Date('2026-11-28T00:00:00Z'),
      signerCertificateDigest: zero,
    };
    const hex = Buffer.from(encodeTbs(f)).toString('hex');
    const z = '00'.repeat(32);
    const o = '01'.repeat(32);
    expect(hex).toBe(
      '3081ef' +
        '020101' +
        '300b0609608648016503040201' +
        '3060' + '0c06353230303030' + '0c0432303236' + '0c0438323032' + '0c03535131' + '0a0101' + '0420' + z + '8020' + o +
        '3010' + '1606' + Buffer.from('yh_zqz').toString('hex') + '020103' + '1603636d73' +
        '3034' + '3032' + '1608' + Buffer.from('dw_cwzyz').toString('hex') + '020101' + '0a0100' + '0420' + o +
        '180f' + Buffer.from('20261128000000Z').toString('hex') +
        '3022' + '0420' + z,
    );
  });

  it('is parsed by OpenSSL asn1parse (independent oracle)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-tbs-'));
    try {
      const file = join(dir, 'tbs.der');
      await writeFile(file, encodeTbs(sample()));
      const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file], { encoding: 'utf8' });
      expect(out).toContain('GENERALIZEDTIME   :20261127083000Z');
      expect(out).toContain(':cz_zfzyz');
      expect(out).toContain('UTF8STRING        :ZF2026000123');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses a UUID-derived OID arc', () => {
    expect(EVOUCHER_OID_ARC.startsWith('2.25.')).toBe(true);
  });

  it('refuses trailing bytes, BER lengths, truncation and a non-canonical encoding', () => {
    const der = encodeTbs(sample());
    expect(caughtCode(() => decodeTbs(Uint8Array.of(...der, 0)))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => decodeTbs(der.subarray(0, der.length - 1)))).toBe('SEAL_TBS_MALFORMED');
    // Indefinite length on the outer SEQUENCE.
    const indefinite = Uint8Array.of(0x30, 0x80, ...der.subarray(3), 0, 0);
    expect(caughtCode(() => decodeTbs(indefinite))).toBe('SEAL_TBS_MALFORMED');
    // Non-minimal length form of the version INTEGER: 02 81 01 01.
    const body = der.subarray(3);
    const nonMinimal = Uint8Array.of(...body.subarray(0, 1), 0x81, ...body.subarray(1));
    const wrapped = Uint8Array.of(0x30, 0x81, nonMinimal.length, ...nonMinimal);
    expect(caughtCode(() => decodeTbs(wrapped))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => decodeTbs(new Uint8Array(0)))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => decodeTbs(new Uint8Array(20000)))).toBe('SEAL_TBS_MALFORMED');
  });

  it('refuses another version with SEAL_VERSION_UNSUPPORTED', () => {
    const der = encodeTbs(sample());
    const v2 = Uint8Array.from(der);
    const i = v2.indexOf(0x02); // first INTEGER is the version
    v2[i + 2] = 2;
    expect(caughtCode(() => decodeTbs(v2))).toBe('SEAL_VERSION_UNSUPPORTED');
    expect(caughtCode(() => encodeTbs({ ...sample(), version: 2 }))).toBe('SEAL_VERSION_UNSUPPORTED');
  });

  it('refuses out-of-range fields on encode', () => {
    const s = sample();
    expect(caughtCode(() => encodeTbs({ ...s, position: { ...s.position, id: 'xx_gz' } }))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => encodeTbs({ ...s, position: { ...s.position, sequence: 1 } }))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => encodeTbs({ ...s, signerCertificateDigest: new Uint8Array(20) }))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => encodeTbs({ ...s, signingTime: new Date('2026-11-27T08:30:00.500Z') }))).toBe('SEAL_TBS_MALFORMED');
    const { sealObject: _drop, ...noSeal } = s;
    expect(caughtCode(() => encodeTbs(noSeal))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => encodeTbs({ ...s, voucher: { ...s.voucher, originalDigest: d('x') } }))).toBe('SEAL_TBS_MALFORMED');
    expect(caughtCode(() => encodeTbs({ ...s, voucher: { ...s.voucher, view: 'receipt' } }))).toBe('SEAL_TBS_MALFORMED');
    // Chain not ascending.
    expect(
      caughtCode(() =>
        encodeTbs({
          ...s,
          position: { ...s.position, sequence: 5 },
          previousSeals: [
            { positionId: 'cz_zfzyz', sequence: 2, view: 'original', digest: d('a') },
            { positionId: 'dw_gz', sequence: 1, view: 'original', digest: d('b') },
          ],
        }),
      ),
    ).toBe('SEAL_TBS_MALFORMED');
  });

  it('never throws anything but a coded error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          decodeTbs(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(EvoucherError);
        }
      }),
    );
  });

  it('never throws anything but a coded error on mutated valid encodings', () => {
    const der = encodeTbs(sample());
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const m = Uint8Array.from(der);
        m[i] = (m[i] as number) ^ x;
        try {
          const f = decodeTbs(m);
          // If it still decodes, it must be a different, canonical value.
          expect(encodeTbs(f)).toEqual(m);
        } catch (e) {
          expect(e).toBeInstanceOf(EvoucherError);
        }
      }),
    );
  });
});

describe('buildTbs', () => {
  it('digests the voucher, the chain, the signer and the seal object with one algorithm', () => {
    const voucherBytes = new TextEncoder().encode('<Voucher/>');
    const prev = new Uint8Array([1, 2, 3]);
    const cert = new Uint8Array([4, 5, 6]);
    const { fields, der } = buildTbs({
      digestAlgorithm: 'sha256',
      identity: { admDivCode: '520000', stYear: '2026', vtCode: '5201', voucherNo: 'A1' },
      view: 'original',
      voucherBytes,
      position: { id: 'cz_zfzyz', sequence: 2, format: 'cms' },
      previousStamps: [{ position: 'dw_gz', sequence: 1, view: 'original', bytes: prev }],
      signingTime: new Date('2026-01-01T00:00:00.987Z'),
      signerCertificate: cert,
    });
    expect(fields.voucher.voucherDigest).toEqual(digest('sha256', voucherBytes));
    expect(fields.previousSeals[0]?.digest).toEqual(digest('sha256', prev));
    expect(fields.signerCertificateDigest).toEqual(digest('sha256', cert));
    expect(fields.signingTime.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(decodeTbs(der).digestAlgorithm).toBe('sha256');
  });

  it('binds the original bytes in the receipt view', () => {
    const { fields } = buildTbs({
      digestAlgorithm: 'sm3',
      identity: { admDivCode: '520000', stYear: '2026', vtCode: '5201', voucherNo: 'A1' },
      view: 'receipt',
      voucherBytes: new Uint8Array([1]),
      originalVoucherBytes: new Uint8Array([2]),
      position: { id: 'yh_zqz', sequence: 4, format: 'cms' },
      previousStamps: [],
      signingTime: new Date('2026-01-01T00:00:00Z'),
      signerCertificate: new Uint8Array([3]),
    });
    expect(fields.voucher.originalDigest).toEqual(digest('sm3', new Uint8Array([2])));
  });

  it('chainOrder puts original-view seals first, then ascending sequence', () => {
    const order = chainOrder([
      { sequence: 4, view: 'receipt' as const, id: 'c' },
      { sequence: 2, view: 'original' as const, id: 'b' },
      { sequence: 1, view: 'original' as const, id: 'a' },
    ]).map((s) => s.id);
    expect(order).toEqual(['a', 'b', 'c']);
  });
});
