/**
 * security.md §1.13 ("timestamp imprint ≠ signature ⇒ INVALID; TSA outside its trust list ⇒ not VALID") and
 * §1.10 ("after the timestamp"): evoucher verifies no timestamp (docs/verification.md "Not checked"), so a stamp
 * that carries one is refused by the profile rather than shown as if it had been checked. The token lies outside
 * what the sealer signed (`SES_Signature.timeStamp`, a CMS unsigned attribute): anyone can add one to the last
 * stamp, and a reader that trusted it would take a signing time or a "revoked later" proof from the sender.
 * Here the token is junk with a mismatching imprint by construction; the verifier must refuse it either way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { derBitString, derChildren, derContextTag, derExplicit, derOid, derSequence, derTlv, DER_TAG, readDerSequence } from '../../../src/encoding/der.js';
import { parseCertificate } from '../../../src/pki/index.js';
import { anchor, b64, craftSesStamp, failures, key, makeSealObject, manifest, pkiText, replaceBytes, seal, sealedOriginal, stampsOf, T, unsealed, verifyOne } from '../helpers.js';

/** An RFC 3161 TimeStampToken stand-in: a ContentInfo of id-signedData with nothing a verifier could accept. */
const TOKEN = derSequence(derOid('1.2.840.113549.1.7.2'), derExplicit(0, derSequence()));
const ID_AA_TIME_STAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';

function patchStamp(envelope: Uint8Array, index: number, f: (stamp: Uint8Array) => Uint8Array): Uint8Array {
  const s = stampsOf(envelope)[index];
  if (s === undefined) throw new Error('no stamp');
  return replaceBytes(envelope, Buffer.from(b64(s.bytes)), Buffer.from(b64(f(s.bytes))));
}

let sesSealed: Uint8Array;
let cmsSealed: Uint8Array;
beforeAll(async () => {
  const czCert = parseCertificate(pkiText(manifest.roles['cz-sm2']?.cert ?? '')).der;
  const dwSeal = await makeSealObject(key('maker-sm2'), [parseCertificate(pkiText(manifest.roles['dw-sm2']?.cert ?? '')).der], { esId: 'TEST-SEAL-DW' });
  const dw = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0), { format: 'ses', seal: dwSeal });
  sesSealed = await craftSesStamp(dw, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: await makeSealObject(key('maker-sm2'), [czCert]) });
  cmsSealed = await sealedOriginal('p256');
});

describe('a timestamp token added to the last stamp', () => {
  it('control: both envelopes verify untouched', async () => {
    expect((await verifyOne(sesSealed, { trust: [anchor('sm2')] })).status).toBe('VALID');
    expect((await verifyOne(cmsSealed)).status).toBe('VALID');
  });

  it('ses: SES_Signature.timeStamp [0] present → format failure (SEAL_MALFORMED), not an unchecked pass', async () => {
    const withToken = (s: Uint8Array): Uint8Array => derSequence(...readDerSequence(s, 'SES_Signature').map((n) => n.raw), derExplicit(0, derBitString(TOKEN)));
    const r = await verifyOne(patchStamp(sesSealed, 1, withToken), { trust: [anchor('sm2')] });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_MALFORMED']);
    expect(r.errors[0]?.message).toMatch(/timestamp/);
  });

  it('ses: the untagged timestamp form (one vendor reading) is refused alike', async () => {
    const untagged = (s: Uint8Array): Uint8Array => derSequence(...readDerSequence(s, 'SES_Signature').map((n) => n.raw), derBitString(TOKEN));
    const r = await verifyOne(patchStamp(sesSealed, 1, untagged), { trust: [anchor('sm2')] });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_MALFORMED']);
  });

  it('cms: an unsigned signature-time-stamp attribute (RFC 3161 id-aa-timeStampToken) → SEAL_CMS_MALFORMED', async () => {
    const withToken = (stamp: Uint8Array): Uint8Array => {
      const [type, wrapped] = readDerSequence(stamp, 'ContentInfo');
      const sd = derChildren(derChildren(wrapped as never, 'content')[0] as never, 'SignedData');
      const si = derChildren(derChildren(sd[4] as never, 'signerInfos')[0] as never, 'SignerInfo').map((n) => n.raw);
      const unsigned = derTlv(derContextTag(1), derSequence(derOid(ID_AA_TIME_STAMP_TOKEN), derTlv(DER_TAG.SET, TOKEN)));
      const signedData = derSequence(...[0, 1, 2, 3].map((i) => sd[i]?.raw as Uint8Array), derTlv(DER_TAG.SET, derSequence(...si, unsigned)));
      return derSequence(type?.raw as Uint8Array, derTlv(derContextTag(0), signedData));
    };
    const r = await verifyOne(patchStamp(cmsSealed, 1, withToken));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
    expect(r.errors[0]?.message).toMatch(/unsigned attributes/);
  });
});
