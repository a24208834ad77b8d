// IP addresses, CIDRs and ports, with upstream's messages.
import { isIP } from 'node:net';
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from '../errors.ts';
import { isValidPortName, isValidPortNum } from './names.ts';

export const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
/** Sorted, as upstream lists them in "supported values". */
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const isValidIP = (value: string): boolean => isIP(value) !== 0;

export function isValidCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export function validateIP(value: unknown, field: string): FieldError[] {
  return typeof value === 'string' && isValidIP(value) ? [] : [fieldInvalid(field, value ?? '', IP_MESSAGE)];
}

export function validateCIDR(value: unknown, field: string): FieldError[] {
  return typeof value === 'string' && isValidCIDR(value)
    ? []
    : [fieldInvalid(field, value ?? '', CIDR_MESSAGE)];
}

export function validatePortNumber(value: unknown, field: string): FieldError[] {
  return isValidPortNum(Number(value)).map((msg) => fieldInvalid(field, value, msg));
}

/** An int-or-string port: a number in range, or an IANA service name. */
export function validatePortNumOrName(value: unknown, field: string): FieldError[] {
  if (typeof value === 'number') return validatePortNumber(value, field);
  if (typeof value === 'string') {
    // A numeric string is an int-or-string holding a number.
    if (/^\d+$/.test(value)) return validatePortNumber(Number(value), field);
    return isValidPortName(value).map((msg) => fieldInvalid(field, value, msg));
  }
  return [fieldInvalid(field, value ?? null, 'must be an integer or string')];
}

export function validateProtocol(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === '') return [fieldRequired(field)];
  return PORT_PROTOCOLS.includes(value as string) ? [] : [fieldNotSupported(field, value, PORT_PROTOCOLS)];
}
