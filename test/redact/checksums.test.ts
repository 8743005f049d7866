import { describe, expect, it } from 'vitest';
import { passesIbanMod97, passesLuhn, passesVerhoeff } from '../../src/core/redact/checksums.ts';
import { isIban } from '../../src/core/redact/iban.ts';

// Published examples, so the checks the redactor trusts are not only checked against themselves.
describe('checksums', () => {
  it('[LOG-05] Luhn accepts the ISO/IEC 7812 example and rejects a changed digit', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
  });

  it('[LOG-05] Verhoeff accepts the textbook examples and catches a transposition', () => {
    expect(passesVerhoeff('2363')).toBe(true);
    expect(passesVerhoeff('1428570')).toBe(true);
    expect(passesVerhoeff('2364')).toBe(false);
    expect(passesVerhoeff('2633')).toBe(false);
  });

  it('[LOG-05] mod 97 accepts the ISO 13616 examples and rejects a changed character', () => {
    expect(passesIbanMod97('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanMod97('DE89370400440532013000')).toBe(true);
    expect(passesIbanMod97('GB82WEST12345698765433')).toBe(false);
  });

  it('[LOG-05] an IBAN needs its country\'s length as well as the check', () => {
    expect(isIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isIban('GB82WEST1234569876543')).toBe(false);
    expect(isIban('ZZ82WEST12345698765432')).toBe(false);
  });
});
