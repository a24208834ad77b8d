// The table format every package module (tables/*.ts) is written in: for each protobuf message,
// its fields as [number, jsonName, type, mode?], in the Go struct's order (so decoded JSON keys come
// out in the order the Go server would print them).

/** Wire scalars. `int64` decodes to a JS number and is refused outside the safe-integer range. */
export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double';

/**
 * Messages whose JSON form is not an object (see wellknown.ts):
 * - Time, MicroTime: metav1 {seconds, nanos} ↔ RFC 3339 string (MicroTime with microseconds)
 * - Duration: metav1 {duration ns} ↔ Go duration string ("1m30s")
 * - Quantity: resource.Quantity {string} ↔ string
 * - IntOrString: intstr {type, intVal, strVal} ↔ number or string
 * - RawExtension, FieldsV1: {raw bytes} ↔ the embedded JSON value
 * - StringList: a message wrapping `repeated string items = 1` that Go types as []string
 *   (authentication's and authorization's ExtraValue) ↔ array of strings
 */
export type WellKnownType =
  | 'Time'
  | 'MicroTime'
  | 'Duration'
  | 'Quantity'
  | 'IntOrString'
  | 'RawExtension'
  | 'FieldsV1'
  | 'StringList';

/**
 * - (none): a non-pointer Go field with `omitempty`: a zero scalar on the wire is dropped, because
 *   Go writes every non-pointer scalar and its JSON encoder then omits the zero.
 * - keep: a Go pointer (proto2 presence) or a field without `omitempty`: a zero value that is on
 *   the wire stays in the JSON (`replicas: 0`, `automountServiceAccountToken: false`).
 * - rep: repeated; an empty list is absent.
 * - map: map<string, type> (wire: repeated entries {1: key, 2: value}).
 * - inline: an embedded Go struct with `json:",inline"` (e.g. Probe's ProbeHandler): its fields are
 *   merged into the parent's JSON object; the JSON name is unused ('').
 */
export type FieldMode = 'keep' | 'rep' | 'map' | 'inline';

/** A type is a ScalarType, a WellKnownType, a message of the same package, or `package.Message`. */
export type FieldSpec = readonly [num: number, json: string, type: string, mode?: FieldMode];

/** Message name → fields. */
export type MessageTable = Readonly<Record<string, readonly FieldSpec[]>>;

export const SCALAR_TYPES: ReadonlySet<string> = new Set<ScalarType>([
  'string',
  'bytes',
  'bool',
  'int32',
  'int64',
  'double',
]);

export const WELL_KNOWN_TYPES: ReadonlySet<string> = new Set<WellKnownType>([
  'Time',
  'MicroTime',
  'Duration',
  'Quantity',
  'IntOrString',
  'RawExtension',
  'FieldsV1',
  'StringList',
]);
