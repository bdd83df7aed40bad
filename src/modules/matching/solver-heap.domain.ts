/**
 * A binary min-heap of node indices keyed by a shared `Float64Array`, with decrease-key. Equal keys
 * pop in increasing index order, so every run pops nodes in the same order.
 */
export class IndexedMinHeap {
  private readonly nodes: Int32Array;
  /** Position of each node in `nodes`, or -1 when it is not in the heap. */
  private readonly position: Int32Array;
  private count = 0;

  constructor(
    capacity: number,
    private readonly key: Float64Array,
  ) {
    this.nodes = new Int32Array(capacity);
    this.position = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** The node with the smallest key; only meaningful when `size > 0`. */
  peek(): number {
    return this.nodes[0] ?? -1;
  }

  /** Inserts `node`, or moves it up after its key decreased. */
  pushOrDecrease(node: number): void {
    let at = this.position[node] ?? -1;
    if (at < 0) {
      at = this.count++;
      this.nodes[at] = node;
      this.position[node] = at;
    }
    this.siftUp(at);
  }

  pop(): number {
    const nodes = this.nodes;
    const top = nodes[0] ?? -1;
    this.position[top] = -1;
    const last = nodes[--this.count] ?? -1;
    if (this.count > 0) {
      nodes[0] = last;
      this.position[last] = 0;
      this.siftDown(0);
    }
    return top;
  }

  /** Empties the heap (positions of the remaining nodes are reset). */
  clear(): void {
    for (let k = 0; k < this.count; k++) this.position[this.nodes[k] ?? 0] = -1;
    this.count = 0;
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a] ?? 0;
    const kb = this.key[b] ?? 0;
    return ka < kb || (ka === kb && a < b);
  }

  private siftUp(start: number): void {
    const nodes = this.nodes;
    const node = nodes[start] ?? 0;
    let at = start;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = nodes[parentAt] ?? 0;
      if (!this.less(node, parent)) break;
      nodes[at] = parent;
      this.position[parent] = at;
      at = parentAt;
    }
    nodes[at] = node;
    this.position[node] = at;
  }

  private siftDown(start: number): void {
    const nodes = this.nodes;
    const node = nodes[start] ?? 0;
    let at = start;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.count) break;
      const right = child + 1;
      if (right < this.count && this.less(nodes[right] ?? 0, nodes[child] ?? 0)) child = right;
      const childNode = nodes[child] ?? 0;
      if (!this.less(childNode, node)) break;
      nodes[at] = childNode;
      this.position[childNode] = at;
      at = child;
    }
    nodes[at] = node;
    this.position[node] = at;
  }
}
