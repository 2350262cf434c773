/**
 * The seal part of `evoucher inspect`: decoded facts of each stamp of an envelope (signer, time, algorithm,
 * carried certificates; for `ses` the seal's name, esID, validity, maker and picture), the same for a bare
 * seal file (`.esl` `SESeal`, or an `SES_Signature` such as `SignedValue.dat`), and `--picture <out>` to write a
 * seal's picture. Nothing here is verified: that is `evoucher verify` / `verify-seal`.
 */
import { EvoucherError } from '../../errors.js';
import { parseCertificate } from '../../pki/index.js';
import { parseSeal, parseSesSignature, parseStamp, stampFacts, type SealObject } from '../../seal/index.js';
import { parseEnvelope, type StampEntry } from '../../voucher/index.js';
import { writeOutput } from '../args.js';
import { printError, printJson, printLines } from '../output.js';
import { errorEntry } from '../verify_output.js';

/** What inspect shows of a seal object. */
export interface SealDescription {
  readonly name: string;
  readonly esId: string;
  readonly structure: 4 | 2014;
  readonly vendor: string;
  readonly type: number;
  readonly validStart: string;
  readonly validEnd: string;
  readonly maker: string;
  /** Subjects of the certList certificates, or the digests (`algorithm:hex`) of a certListType 2 seal. */
  readonly certList: readonly string[];
  readonly picture: { readonly type: string; readonly width: number; readonly height: number; readonly size: number };
}

function subjectOf(der: Uint8Array): string {
  try {
    return parseCertificate(der).subject;
  } catch (e) {
    return `(unreadable certificate: ${e instanceof EvoucherError ? e.code : 'error'})`;
  }
}

/**
 * Describes a seal object.
 *
 * @param seal - the parsed seal.
 * @returns its name, esID, validity, maker, certList and picture facts.
 */
export function describeSealObject(seal: SealObject): SealDescription {
  return {
    name: seal.name,
    esId: seal.esId,
    structure: seal.version,
    vendor: seal.header.vid,
    type: seal.type,
    validStart: seal.validStart.toISOString(),
    validEnd: seal.validEnd.toISOString(),
    maker: subjectOf(seal.makerCert),
    certList: seal.certList.kind === 'certs' ? seal.certList.certs.map(subjectOf) : seal.certList.digests.map((d) => `${d.algorithm}:${Buffer.from(d.value).toString('hex')}`),
    picture: { type: seal.picture.type, width: seal.picture.width, height: seal.picture.height, size: seal.picture.data.length },
  };
}

/**
 * The `describeStamp` hook of inspect: decoded facts of one stamp, or its parse error.
 *
 * @param stamp - the stamp.
 * @returns facts to merge into the stamp's description.
 */
export function describeStampSeal(stamp: StampEntry): Readonly<Record<string, unknown>> {
  try {
    const parsed = parseStamp(stamp);
    const facts = stampFacts(parsed);
    return {
      signer: subjectOf(facts.signerCertificate),
      signingTime: facts.signingTime.toISOString(),
      algorithm: facts.signatureAlgorithm,
      certificates: facts.certificates.map(subjectOf),
      ...(parsed.format === 'ses' ? { seal: describeSealObject(parsed.ses.seal) } : {}),
    };
  } catch (e) {
    return { error: { code: e instanceof EvoucherError ? e.code : 'SEAL_MALFORMED', message: e instanceof Error ? e.message : String(e) } };
  }
}

/** A bare seal file as shown by inspect. */
export type SealFileDescription =
  | { readonly kind: 'seal'; readonly seal: SealDescription; readonly quirks: readonly string[] }
  | {
      readonly kind: 'seal-signature';
      readonly structure: 4 | 2014;
      readonly signingTime: string;
      readonly propertyInfo: string;
      readonly dataHash: string;
      readonly sealer: string;
      readonly seal: SealDescription;
      readonly quirks: readonly string[];
    };

/**
 * Reads a bare seal file: an `SES_Signature` (tried first) or an `SESeal`.
 *
 * @param bytes - the DER.
 * @returns the description and the seal object (for its picture).
 * @throws EvoucherError the seal parsers' codes when it is neither.
 */
export function describeSealFile(bytes: Uint8Array): { readonly description: SealFileDescription; readonly seal: SealObject } {
  try {
    const sig = parseSesSignature(bytes);
    const time = sig.timeInfo instanceof Date ? sig.timeInfo.toISOString() : (sig.timeInfo.text ?? Buffer.from(sig.timeInfo.bytes).toString('hex'));
    return {
      seal: sig.seal,
      description: {
        kind: 'seal-signature',
        structure: sig.version,
        signingTime: time,
        propertyInfo: sig.propertyInfo,
        dataHash: Buffer.from(sig.dataHash).toString('hex'),
        sealer: subjectOf(sig.sealerCert),
        seal: describeSealObject(sig.seal),
        quirks: sig.quirks.map((q) => q.quirk),
      },
    };
  } catch (first) {
    try {
      const seal = parseSeal(bytes);
      return { seal, description: { kind: 'seal', seal: describeSealObject(seal), quirks: seal.quirks.map((q) => q.quirk) } };
    } catch {
      throw first;
    }
  }
}

/**
 * Text lines of a seal description.
 *
 * @param d - the description.
 * @returns the lines.
 */
export function formatSealFile(d: SealFileDescription): string[] {
  const s = d.seal;
  const lines: string[] = [];
  if (d.kind === 'seal-signature') {
    lines.push(`seal signature (${d.structure === 4 ? 'GB/T 38540-2020 v4' : 'GM/T 0031-2014'}), signed ${d.signingTime}`, `  sealer: ${d.sealer}`, `  protects: ${d.propertyInfo}`, `  dataHash: ${d.dataHash}`);
  }
  lines.push(
    `seal "${s.name}" esID ${s.esId} (${s.structure === 4 ? 'v4' : '2014'}, vendor ${s.vendor}, type ${s.type})`,
    `  valid ${s.validStart} to ${s.validEnd}`,
    `  maker: ${s.maker}`,
    ...s.certList.map((c) => `  may be used by: ${c}`),
    `  picture: ${s.picture.type} ${s.picture.width}x${s.picture.height} mm, ${s.picture.size} bytes`,
    ...d.quirks.map((q) => `  tolerated: ${q}`),
  );
  return lines;
}

/**
 * Writes the picture of the first `ses` seal found in an envelope or a bare seal file.
 *
 * @param bytes - an envelope, an `SESeal` or an `SES_Signature`.
 * @param out - the output path.
 * @returns the picture type written (`PNG`, `ofd`, ...).
 * @throws EvoucherError `SEAL_MISSING` when there is no `ses` seal, `ARG_IO` when the file cannot be written.
 */
export async function writeSealPicture(bytes: Uint8Array, out: string): Promise<string> {
  const seal = findSealObject(bytes);
  if (seal === undefined) throw new EvoucherError('SEAL_MISSING', 'no ses seal with a picture was found');
  await writeOutput(out, seal.picture.data);
  return seal.picture.type;
}

/**
 * Writes the picture before anything is printed; when it cannot be written, `--format json` still gets one JSON
 * document on standard output, the `{ file, error }` entry of a file that cannot be read, and the error goes on to
 * the dispatcher (its line on standard error, exit 2).
 *
 * @param file - the inspected file, for the entry.
 * @param format - the output format.
 * @param write - writes the picture.
 * @throws EvoucherError `ARG_IO` when the picture cannot be written.
 */
export async function writePictureOrSay(file: string, format: 'text' | 'json', write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (format === 'json' && e instanceof EvoucherError) printJson(errorEntry(file, e));
    throw e;
  }
}

/**
 * The seal object of a bare seal file, or of the first readable `ses` stamp of an envelope; `undefined` when there
 * is none (a document that is not an envelope has none either).
 *
 * @param bytes - the file.
 * @returns the seal object, or `undefined`.
 */
export function findSealObject(bytes: Uint8Array): SealObject | undefined {
  let seal: SealObject | undefined;
  if (bytes[0] === 0x30) {
    try {
      return describeSealFile(bytes).seal;
    } catch {
      return undefined;
    }
  }
  let bodies: ReturnType<typeof parseEnvelope>['bodies'];
  try {
    bodies = parseEnvelope(bytes).bodies;
  } catch {
    return undefined;
  }
  {
    for (const body of bodies) {
      for (const s of body.stamps) {
        if (s.format !== 'ses' || seal !== undefined) continue;
        try {
          const p = parseStamp(s);
          if (p.format === 'ses') seal = p.ses.seal;
        } catch {
          // An unreadable stamp has no picture to show.
        }
      }
    }
  }
  return seal;
}

/**
 * `evoucher inspect` on a bare seal file (DER): prints its description and optionally writes its picture.
 *
 * @param file - the file name (for messages).
 * @param bytes - the DER.
 * @param format - `text` or `json`.
 * @param picture - where to write the picture, if asked.
 * @returns 0 shown, 1 not a readable seal file.
 * @throws EvoucherError `ARG_IO` when the picture cannot be written.
 */
export async function inspectSealFile(file: string, bytes: Uint8Array, format: 'text' | 'json', picture: string | undefined): Promise<number> {
  let d: ReturnType<typeof describeSealFile>;
  try {
    d = describeSealFile(bytes);
  } catch (e) {
    if (!(e instanceof EvoucherError)) throw e;
    if (format === 'json') printJson(errorEntry(file, e));
    else printError(`evoucher inspect: ${file}: ${e.code}: ${e.message}`);
    return 1;
  }
  if (picture !== undefined) await writePictureOrSay(file, format, () => writeOutput(picture, d.seal.picture.data));
  if (format === 'json') printJson({ file, ...d.description });
  else printLines(formatSealFile(d.description));
  return 0;
}
