// A set of field paths, stored as a trie: at each level the elements that are members of the set
// and the elements under which deeper paths continue. A path can be both (a list item that is
// owned and whose fields are owned: FieldsV1 writes that as `".": {}` inside the item).
// Set algebra is path-exact: removing `.a` from a set does not remove `.a.b`.
import { comparePE, type Json, type Path, type PathElement, parsePE, serializePE } from './path-element.ts';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** FieldsV1 as stored in managedFields[].fieldsV1. */
export type FieldsV1 = { [k: string]: FieldsV1 };

export class FieldSet {
  /** Sorted, unique. */
  readonly members: PathElement[];
  /** Sorted by element, unique; never empty sets once built by the operations below. */
  readonly children: Child[];

  constructor(members: PathElement[] = [], children: Child[] = []) {
    this.members = members;
    this.children = children;
  }

  static fromPaths(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    const [head, ...rest] = path;
    if (rest.length === 0) {
      const i = search(this.members, head, (m) => m);
      if (i < 0) this.members.splice(~i, 0, head);
      return;
    }
    this.child(head).insert(rest);
  }

  /** The set under `pe`, created when missing. For building sets only: results of the set
   * operations share structure and must not be modified. */
  child(pe: PathElement): FieldSet {
    const i = search(this.children, pe, (c) => c.pe);
    if (i >= 0) return this.children[i].set;
    const set = new FieldSet();
    this.children.splice(~i, 0, { pe, set });
    return set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const [head, ...rest] = path;
    if (rest.length === 0) return search(this.members, head, (m) => m) >= 0;
    const i = search(this.children, head, (c) => c.pe);
    return i >= 0 && this.children[i].set.has(rest);
  }

  hasMember(pe: PathElement): boolean {
    return search(this.members, pe, (m) => m) >= 0;
  }

  /** The paths under `pe`, without the prefix. */
  withPrefix(pe: PathElement): FieldSet {
    const i = search(this.children, pe, (c) => c.pe);
    return i >= 0 ? this.children[i].set : EMPTY;
  }

  isEmpty(): boolean {
    return this.members.length === 0 && this.children.every((c) => c.set.isEmpty());
  }

  union(o: FieldSet): FieldSet {
    const members = mergeSorted(
      this.members,
      o.members,
      (m) => m,
      (a) => a,
    );
    const children = mergeSorted(
      this.children,
      o.children,
      (c) => c.pe,
      (a, b) => (b ? { pe: a.pe, set: a.set.union(b.set) } : a),
    );
    return new FieldSet(members, children);
  }

  intersection(o: FieldSet): FieldSet {
    const members = this.members.filter((m) => o.hasMember(m));
    const children: Child[] = [];
    for (const c of this.children) {
      const j = search(o.children, c.pe, (x) => x.pe);
      if (j < 0) continue;
      const set = c.set.intersection(o.children[j].set);
      if (!set.isEmpty()) children.push({ pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  difference(o: FieldSet): FieldSet {
    const members = this.members.filter((m) => !o.hasMember(m));
    const children: Child[] = [];
    for (const c of this.children) {
      const j = search(o.children, c.pe, (x) => x.pe);
      const set = j < 0 ? c.set : c.set.difference(o.children[j].set);
      if (!set.isEmpty()) children.push({ pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  /** Visit every path: this level's members first, then each child's paths, in sorted order. */
  iterate(f: (path: Path) => void, prefix: PathElement[] = []): void {
    for (const m of this.members) f([...prefix, m]);
    for (const c of this.children) c.set.iterate(f, [...prefix, c.pe]);
  }

  paths(): Path[] {
    const out: Path[] = [];
    this.iterate((p) => out.push(p));
    return out;
  }

  toFieldsV1(): FieldsV1 {
    return this.emit(false);
  }

  private emit(selfMember: boolean): FieldsV1 {
    const out: FieldsV1 = {};
    if (selfMember) out['.'] = {};
    let mi = 0;
    let ci = 0;
    while (mi < this.members.length || ci < this.children.length) {
      const m = this.members[mi];
      const c = this.children[ci];
      const order = m && c ? comparePE(m, c.pe) : m ? -1 : 1;
      if (order < 0) {
        out[serializePE(m)] = {};
        mi++;
      } else if (order > 0) {
        if (!c.set.isEmpty()) out[serializePE(c.pe)] = c.set.emit(false);
        ci++;
      } else {
        out[serializePE(c.pe)] = c.set.emit(true);
        mi++;
        ci++;
      }
    }
    return out;
  }

  /** Parse FieldsV1; throws on malformed input. */
  static fromFieldsV1(v: unknown): FieldSet {
    const set = new FieldSet();
    read(v, set);
    return set;
  }
}

const EMPTY = new FieldSet();

function read(v: unknown, into: FieldSet): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('fieldsV1 must be an object');
  let self = false;
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    if (k === '.') {
      self = true;
      continue;
    }
    const pe = parsePE(k);
    const sub = new FieldSet();
    const member = read(child, sub);
    if (member || Object.keys(child as object).length === 0) into.insert([pe]);
    if (!sub.isEmpty()) {
      const target = into.child(pe);
      for (const m of sub.members) target.insert([m]);
      for (const c of sub.children) target.children.push(c);
    }
  }
  return self;
}

/** Binary search: index if found, else ~insertionPoint. */
function search<T>(arr: readonly T[], pe: PathElement, key: (x: T) => PathElement): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comparePE(key(arr[mid]), pe);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return ~lo;
}

function mergeSorted<T>(
  a: readonly T[],
  b: readonly T[],
  key: (x: T) => PathElement,
  both: (x: T, y?: T) => T,
): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i >= a.length) out.push(b[j++]);
    else if (j >= b.length) out.push(a[i++]);
    else {
      const c = comparePE(key(a[i]), key(b[j]));
      if (c < 0) out.push(a[i++]);
      else if (c > 0) out.push(b[j++]);
      else out.push(both(a[i++], b[j++]));
    }
  }
  return out;
}

export type { Json };
