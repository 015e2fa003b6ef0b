// Who may use the shared test cluster now: each test file holds a lease while it runs. Leases of different
// schemas share the cluster; two leases naming one schema (the example's raw/core/mart) take turns, and a
// lease that injects faults (kills a worker, the Connect server) has the cluster to itself. Requests are
// granted first come, first served: a request waits behind an earlier one it conflicts with, so an exclusive
// one is not starved.

/** What a test file asks for. */
export interface LeaseRequest {
  readonly file: string; // for the daemon's log
  readonly schemas: readonly string[]; // the schemas it builds (dropped when it gets them)
  readonly exclusive: boolean; // it injects faults
  readonly suite: string; // the test run it belongs to (tap's runner), as processIdentity() names it
}

interface Lease extends LeaseRequest {
  readonly id: number;
  readonly grant: () => void;
}

const conflict = (a: LeaseRequest, b: LeaseRequest) =>
  a.exclusive || b.exclusive || a.schemas.some((s) => b.schemas.includes(s));

/** The leases held and waiting; `heal` runs after an exclusive lease ends, before any other is granted. */
export class Leases {
  private next = 1;
  private readonly held: Lease[] = [];
  private readonly waiting: Lease[] = [];
  private healing = false;

  constructor(private readonly heal: () => Promise<void>) {}

  /** Queues a request; `grant` is called once it may go. Returns the lease's id. */
  request(request: LeaseRequest, grant: () => void): number {
    const id = this.next++;
    this.waiting.push({ ...request, id, grant });
    this.pump();
    return id;
  }

  /** A lease ended (its file closed the connection, or died): the next ones may go. */
  release(id: number): void {
    const waiting = this.waiting.findIndex((l) => l.id === id);
    if (waiting >= 0) this.waiting.splice(waiting, 1);
    const index = this.held.findIndex((l) => l.id === id);
    const [ended] = index >= 0 ? this.held.splice(index, 1) : [];
    if (ended?.exclusive) void this.healed();
    else this.pump();
  }

  /** Whether no lease is held, waiting, or being cleaned up after. */
  get idle(): boolean {
    return this.held.length + this.waiting.length === 0 && !this.healing;
  }

  private async healed(): Promise<void> {
    this.healing = true;
    try {
      await this.heal();
    } finally {
      this.healing = false;
      this.pump();
    }
  }

  private pump(): void {
    if (this.healing) return;
    for (let i = 0; i < this.waiting.length;) {
      const lease = this.waiting[i];
      const blocked = [...this.held, ...this.waiting.slice(0, i)].some((other) => conflict(lease, other));
      if (blocked) i++;
      else {
        this.waiting.splice(i, 1);
        this.held.push(lease);
        lease.grant();
      }
    }
  }
}
