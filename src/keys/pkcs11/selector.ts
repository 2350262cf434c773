/**
 * Which token a PKCS#11 key is on. Apart from the session code (which loads the native binding) so that the
 * public declarations of `evoucher/keys/pkcs11` never need the optional `pkcs11js` package.
 */

/** Which token to use; every field present must match (RFC 7512 §2.3 semantics). */
export interface TokenSelector {
  /** CK_TOKEN_INFO.label. */
  readonly token?: string;
  /** CK_TOKEN_INFO.manufacturerID. */
  readonly manufacturer?: string;
  /** CK_TOKEN_INFO.serialNumber. */
  readonly serial?: string;
  /** CK_TOKEN_INFO.model. */
  readonly model?: string;
  /** CK_SLOT_ID. */
  readonly slotId?: number;
  /** CK_SLOT_INFO.slotDescription. */
  readonly slotDescription?: string;
  /** CK_SLOT_INFO.manufacturerID. */
  readonly slotManufacturer?: string;
  /** CK_INFO.manufacturerID of the library. */
  readonly libraryManufacturer?: string;
  /** CK_INFO.libraryDescription. */
  readonly libraryDescription?: string;
  /** CK_INFO.libraryVersion. */
  readonly libraryVersion?: { readonly major: number; readonly minor: number };
}
