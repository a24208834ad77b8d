// YAML as compose reads it: `!reset` (drop the inherited value) and `!override` (replace it
// without merging) on scalars, sequences and mappings, as the marker objects merge.ts understands;
// and leading-zero integers as octal (`mode: 0440`), as Go's YAML decoder reads them.
import { type CollectionTag, type ScalarTag, type Tags, YAMLMap } from 'yaml';
import { OVERRIDE_TAG, overrideMarker, RESET_TAG, resetMarker } from './merge.ts';

const OCTAL_INT: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^0[0-7]+$/,
  resolve: (s: string) => Number.parseInt(s, 8),
};

function wrap(value: unknown, marker: 'reset' | 'override'): YAMLMap {
  const m = new YAMLMap();
  const [k] = Object.keys(marker === 'reset' ? resetMarker() : overrideMarker(null));
  m.set(k, marker === 'reset' ? true : value);
  return m;
}

const MARKER_TAGS: (ScalarTag | CollectionTag)[] = [
  { tag: RESET_TAG, resolve: () => resetMarker() },
  { tag: RESET_TAG, collection: 'seq', resolve: (v) => wrap(v, 'reset') },
  { tag: RESET_TAG, collection: 'map', resolve: (v) => wrap(v, 'reset') },
  { tag: OVERRIDE_TAG, resolve: (s: string) => overrideMarker(s) },
  { tag: OVERRIDE_TAG, collection: 'seq', resolve: (v) => wrap(v, 'override') },
  { tag: OVERRIDE_TAG, collection: 'map', resolve: (v) => wrap(v, 'override') },
];

/** For `parse(…, { customTags: composeTags })`: the octal rule must precede the core int tag. */
export const composeTags = (defaults: Tags): Tags => [OCTAL_INT, ...defaults, ...MARKER_TAGS];
