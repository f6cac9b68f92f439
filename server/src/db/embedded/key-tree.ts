/**
 * The B+tree behind every index: unique entries in the index's order, with insert, delete,
 * ceiling and in-order walks both ways, and a bulk load from sorted entries.
 *
 * Why our own tree rather than a library's: an index's entries are mostly records, whose key
 * values are read from the record's current document in every comparison (index-btree.ts). In
 * a library tree the separators of the inner nodes are such entries too, so each of the ~17
 * comparisons of a descent reads two or three objects scattered over a heap of 10^6 documents
 * (a cache miss each: an insert into a ledger index cost ~4 µs). Here the separators are *copies
 * of key values* (`KeyCodec.writeSep`: the key fields and `_id`), stored flat in one array per
 * inner node, `width` values per separator: a descent compares against values side by side,
 * and only the comparisons inside the last leaf read documents.
 *
 * A separator is a bound: every entry of child i is greater than separator i-1 and at most
 * separator i. It need not be the key of an entry still in the tree (deleting an entry leaves
 * the bounds true), so a delete rewrites inner nodes only when nodes merge or share entries.
 * The values a separator copies are the stored, immutable ones.
 *
 * Leaves are linked both ways for the walks. A walk must not outlive a change of the tree: the
 * engine reads synchronously, and a walk throws if the tree changed under it.
 */

/** How a tree compares its entries and copies their keys into separators. */
export interface KeyCodec<E> {
  /** values per separator */
  readonly width: number;
  compare(a: E, b: E): number;
  /** `e` against the separator stored at keys[at .. at + width) */
  compareSep(e: E, keys: unknown[], at: number): number;
  /** copy the key of `e` into keys[at .. at + width) */
  writeSep(e: E, keys: unknown[], at: number): void;
}

class Leaf<E> {
  next: Leaf<E> | null = null;
  prev: Leaf<E> | null = null;
  constructor(public entries: E[]) {}
}

class Inner<E> {
  /**
   * children.length - 1 separators, `width` values each, flat: the entries of children[i] are
   * above separator i-1 and at most separator i
   */
  constructor(
    public children: Node<E>[],
    public keys: unknown[],
  ) {}
}

type Node<E> = Leaf<E> | Inner<E>;

export class KeyTree<E> {
  private root: Node<E> = new Leaf<E>([]);
  private count = 0;
  /** bumped by every change: a walk checks it between steps */
  private version = 0;
  /** a node with fewer (entries or children) is merged with or refilled from a sibling */
  private readonly min: number;
  /** set by search(): whether the position it returned holds an entry equal to the probe */
  private found = false;

  private readonly compare: (a: E, b: E) => number;
  private readonly width: number;

  constructor(
    private readonly codec: KeyCodec<E>,
    private readonly max = 64,
  ) {
    if (max < 8) throw new Error('embedded mongo: internal: KeyTree nodes need room for 8 entries');
    this.min = max >> 2;
    this.compare = codec.compare;
    this.width = codec.width;
  }

  /** The separator for "at most `e`", as a value list of its own. */
  private sepOf(e: E): unknown[] {
    const sep = new Array<unknown>(this.width);
    this.codec.writeSep(e, sep, 0);
    return sep;
  }

  get size(): number {
    return this.count;
  }

  /** Index of the child whose range holds `e`: the first i with e <= separator i, or the last child. */
  private childIndex(node: Inner<E>, e: E): number {
    const keys = node.keys;
    const w = this.width;
    const codec = this.codec;
    let lo = 0;
    let hi = node.children.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (codec.compareSep(e, keys, mid * w) <= 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** First position in a leaf whose entry is >= e (this.found: it is equal). */
  private search(entries: E[], e: E): number {
    let lo = 0;
    let hi = entries.length;
    this.found = false;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const x = entries[mid]!;
      // (a delete looks for the very entry it removes: found without reading its key, which
      // would be the one comparison that reads every field of both)
      const c = x === e ? 0 : this.compare(e, x);
      if (c > 0) lo = mid + 1;
      else if (c < 0) hi = mid;
      else {
        this.found = true;
        return mid;
      }
    }
    return lo;
  }

  /** The leaf whose range holds `e`; `record`: keep the descent in path/at/depth. */
  private leafFor(e: E, record: boolean): Leaf<E> {
    let node = this.root;
    let d = 0;
    while (node instanceof Inner) {
      const i = this.childIndex(node, e);
      if (record) {
        this.path[d] = node;
        this.at[d] = i;
        d++;
      }
      node = node.children[i]!;
    }
    if (record) this.depth = d;
    return node;
  }

  // the descent of the last insert or delete (they never run re-entrantly): inner nodes and child positions
  private readonly path: Inner<E>[] = [];
  private readonly at: number[] = [];
  private depth = 0;

  /** Add an entry; one that compares equal to it is replaced. True when the tree grew. */
  set(e: E): boolean {
    const leaf = this.leafFor(e, true);
    const entries = leaf.entries;
    const j = this.search(entries, e);
    this.version++;
    if (this.found) {
      entries[j] = e;
      return false;
    }
    // (shifting by hand: splice would allocate the array of removed entries)
    let k = entries.length;
    entries.push(e);
    for (; k > j; k--) entries[k] = entries[k - 1]!;
    entries[j] = e;
    this.count++;
    if (entries.length > this.max) this.split(leaf);
    return true;
  }

  /** Split an overfull leaf, then every overfull inner node on the way up. */
  private split(leaf: Leaf<E>): void {
    const w = this.width;
    const right = new Leaf(leaf.entries.splice(leaf.entries.length >> 1));
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    leaf.next = right;
    let newNode: Node<E> = right;
    let sep = this.sepOf(leaf.entries[leaf.entries.length - 1]!);
    for (let level = this.depth - 1; ; level--) {
      if (level < 0) {
        this.root = new Inner([this.root, newNode], sep);
        return;
      }
      const parent = this.path[level]!;
      const i = this.at[level]!;
      parent.children.splice(i + 1, 0, newNode);
      parent.keys.splice(i * w, 0, ...sep);
      if (parent.children.length <= this.max) return;
      const m = parent.children.length >> 1;
      const moved = new Inner(parent.children.splice(m), parent.keys.splice(m * w));
      sep = parent.keys.splice((m - 1) * w); // (the bound between the halves moves up)
      newNode = moved;
    }
  }

  /** Remove the entry equal to `e`. False when there is none. */
  delete(e: E): boolean {
    const leaf = this.leafFor(e, true);
    const entries = leaf.entries;
    const j = this.search(entries, e);
    if (!this.found) return false;
    this.version++;
    for (let k = j + 1; k < entries.length; k++) entries[k - 1] = entries[k]!;
    entries.pop();
    this.count--;
    let node: Node<E> = leaf;
    for (let level = this.depth - 1; level >= 0 && width(node) < this.min; level--) {
      this.rebalance(this.path[level]!, this.at[level]!);
      node = this.path[level]!;
    }
    const root = this.root;
    if (root instanceof Inner && root.children.length === 1) this.root = root.children[0]!;
    return true;
  }

  /** Child i of parent is underfull: merge it with a neighbour, or share the neighbour's entries evenly. */
  private rebalance(parent: Inner<E>, i: number): void {
    const w = this.width;
    const k = i > 0 ? i - 1 : i; // the pair is children k and k+1, separator k between them
    const a = parent.children[k]!;
    const b = parent.children[k + 1]!;
    if (a instanceof Leaf) {
      const bl = b as Leaf<E>;
      if (a.entries.length + bl.entries.length <= this.max) {
        for (const x of bl.entries) a.entries.push(x);
        a.next = bl.next;
        if (bl.next !== null) bl.next.prev = a;
        parent.children.splice(k + 1, 1);
        parent.keys.splice(k * w, w);
      } else {
        const all = a.entries.concat(bl.entries);
        const h = all.length >> 1;
        a.entries = all.slice(0, h);
        bl.entries = all.slice(h);
        this.codec.writeSep(a.entries[h - 1]!, parent.keys, k * w);
      }
      return;
    }
    const bi = b as Inner<E>;
    const sep = parent.keys.slice(k * w, (k + 1) * w);
    if (a.children.length + bi.children.length <= this.max) {
      for (const c of bi.children) a.children.push(c);
      for (const v of sep) a.keys.push(v);
      for (const v of bi.keys) a.keys.push(v);
      parent.children.splice(k + 1, 1);
      parent.keys.splice(k * w, w);
    } else {
      const children = a.children.concat(bi.children);
      const keys = a.keys.concat(sep, bi.keys);
      const h = children.length >> 1;
      a.children = children.slice(0, h);
      a.keys = keys.slice(0, (h - 1) * w);
      for (let x = 0; x < w; x++) parent.keys[k * w + x] = keys[(h - 1) * w + x];
      bi.children = children.slice(h);
      bi.keys = keys.slice(h * w);
    }
  }

  /** The first entry >= e, if any. */
  ceiling(e: E): E | undefined {
    const leaf = this.leafFor(e, false);
    const j = this.search(leaf.entries, e);
    if (j < leaf.entries.length) return leaf.entries[j];
    return leaf.next?.entries[0];
  }

  /**
   * Every entry in order, as one array: a walk of the leaves without a generator's step per entry
   * (a compaction captures every index of the database this way while the gateway serves calls).
   */
  toArray(): E[] {
    let node = this.root;
    while (node instanceof Inner) node = node.children[0]!;
    const out = new Array<E>(this.count);
    let i = 0;
    for (let leaf: Leaf<E> | null = node; leaf !== null; leaf = leaf.next) {
      const entries = leaf.entries;
      for (let j = 0; j < entries.length; j++) out[i++] = entries[j]!;
    }
    if (i !== this.count) throw new Error(`embedded mongo: internal: KeyTree holds ${i} entries, counted ${this.count}`);
    return out;
  }

  /** Entries in order, from the first one >= `low` (from the start without it). */
  *entries(low?: E): Generator<E> {
    let leaf: Leaf<E> | null;
    let j: number;
    if (low === undefined) {
      let node = this.root;
      while (node instanceof Inner) node = node.children[0]!;
      leaf = node;
      j = 0;
    } else {
      leaf = this.leafFor(low, false);
      j = this.search(leaf.entries, low);
    }
    const version = this.version;
    while (leaf !== null) {
      const entries = leaf.entries;
      for (; j < entries.length; j++) {
        yield entries[j]!;
        if (this.version !== version) throw new Error('embedded mongo: internal: index changed during a walk');
      }
      leaf = leaf.next;
      j = 0;
    }
  }

  /** Entries in reverse order, from the last one <= `high` (from the end without it). */
  *entriesReversed(high?: E): Generator<E> {
    let leaf: Leaf<E> | null;
    let j: number;
    if (high === undefined) {
      let node = this.root;
      while (node instanceof Inner) node = node.children[node.children.length - 1]!;
      leaf = node;
      j = leaf.entries.length - 1;
    } else {
      leaf = this.leafFor(high, false);
      j = this.search(leaf.entries, high);
      if (!this.found) j--; // (the last entry < high)
    }
    const version = this.version;
    while (leaf !== null) {
      const entries = leaf.entries;
      for (; j >= 0; j--) {
        yield entries[j]!;
        if (this.version !== version) throw new Error('embedded mongo: internal: index changed during a walk');
      }
      leaf = leaf.prev;
      if (leaf !== null) j = leaf.entries.length - 1;
    }
  }

  /**
   * Replace the content of an empty tree with `sorted` (strictly increasing): leaves and inner
   * levels built directly, filled to 3/4 so that later inserts do not split every node at once.
   * O(n), no comparisons.
   */
  load(sorted: E[]): void {
    if (this.count !== 0) throw new Error('embedded mongo: internal: KeyTree.load needs an empty tree');
    if (sorted.length === 0) return;
    const fill = Math.max(4, Math.floor((this.max * 3) / 4));
    const leaves = groups(sorted, fill).map((g) => new Leaf(g));
    for (let i = 1; i < leaves.length; i++) {
      leaves[i - 1]!.next = leaves[i]!;
      leaves[i]!.prev = leaves[i - 1]!;
    }
    // each node of a level with the last entry of its subtree (the separator its parent needs)
    let level: { node: Node<E>; last: E }[] = leaves.map((l) => ({ node: l, last: l.entries[l.entries.length - 1]! }));
    const w = this.width;
    while (level.length > 1) {
      level = groups(level, fill).map((g) => {
        const keys = new Array<unknown>((g.length - 1) * w);
        for (let i = 0; i + 1 < g.length; i++) this.codec.writeSep(g[i]!.last, keys, i * w);
        return { node: new Inner(g.map((x) => x.node), keys), last: g[g.length - 1]!.last };
      });
    }
    this.root = level[0]!.node;
    this.count = sorted.length;
    this.version++;
  }

  /**
   * Check every invariant (tests): strictly increasing entries, each child within its
   * separators, one depth, nodes neither over- nor (except the root) empty, the leaf links
   * in order both ways, the size. Throws on the first violation.
   */
  checkValid(): void {
    const cmp = this.compare;
    const w = this.width;
    const leaves: Leaf<E>[] = [];
    let depth = -1;
    let n = 0;
    // a bound is a separator: the array holding it and its position
    type Bound = { keys: unknown[]; at: number } | undefined;
    const visit = (node: Node<E>, lo: Bound, hi: Bound, d: number, isRoot: boolean): void => {
      if (node instanceof Leaf) {
        if (depth === -1) depth = d;
        if (d !== depth) throw new Error('KeyTree: leaves at different depths');
        if (!isRoot && node.entries.length === 0) throw new Error('KeyTree: empty leaf');
        if (node.entries.length > this.max) throw new Error('KeyTree: overfull leaf');
        node.entries.forEach((e, i) => {
          if (i > 0 && cmp(node.entries[i - 1]!, e) >= 0) throw new Error('KeyTree: leaf out of order');
          if (lo !== undefined && this.codec.compareSep(e, lo.keys, lo.at) <= 0) throw new Error('KeyTree: entry not above its lower separator');
          if (hi !== undefined && this.codec.compareSep(e, hi.keys, hi.at) > 0) throw new Error('KeyTree: entry above its upper separator');
        });
        n += node.entries.length;
        leaves.push(node);
        return;
      }
      const seps = node.children.length - 1;
      if (node.keys.length !== seps * w) throw new Error('KeyTree: separators do not match children');
      if (node.children.length > this.max || node.children.length < (isRoot ? 2 : 1)) throw new Error('KeyTree: inner node size');
      node.children.forEach((c, i) => visit(c, i > 0 ? { keys: node.keys, at: (i - 1) * w } : lo, i < seps ? { keys: node.keys, at: i * w } : hi, d + 1, false));
    };
    visit(this.root, undefined, undefined, 0, true);
    if (n !== this.count) throw new Error(`KeyTree: size ${this.count}, entries ${n}`);
    leaves.forEach((l, i) => {
      if (l.prev !== (leaves[i - 1] ?? null) || l.next !== (leaves[i + 1] ?? null)) throw new Error('KeyTree: leaf links');
    });
  }
}

const width = <E>(node: Node<E>): number => (node instanceof Leaf ? node.entries.length : node.children.length);

/** Split n items into ceil(n / per) groups of nearly equal size. */
function groups<T>(items: T[], per: number): T[][] {
  const count = Math.max(1, Math.ceil(items.length / per));
  const out: T[][] = [];
  const base = Math.floor(items.length / count);
  let extra = items.length % count;
  let i = 0;
  for (let g = 0; g < count; g++) {
    const n = base + (extra-- > 0 ? 1 : 0);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}
