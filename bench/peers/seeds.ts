// The jaffle shop's three seed tables, generated deterministically (a seeded PRNG), with the original's
// columns and row counts: raw_customers (id, first_name, last_name) 100 rows, raw_orders (id, user_id,
// order_date, status) 99 rows, raw_payments (id, order_id, payment_method, amount in cents) 113 rows.
// Written here, not copied: the values are made up; only the shape follows the project.

/** mulberry32: a small deterministic PRNG, uniform in [0, 1). */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ada',
  'Ben',
  'Cleo',
  'Dan',
  'Eve',
  'Finn',
  'Gus',
  'Hana',
  'Ivo',
  'June',
  'Kai',
  'Lena',
  'Milo',
  'Nia',
  'Omar',
  'Pia',
  'Quin',
  'Rosa',
  'Sami',
  'Tess',
];
const STATUS = ['completed', 'completed', 'completed', 'completed', 'shipped', 'placed', 'returned', 'return_pending'];
const METHODS = ['credit_card', 'credit_card', 'credit_card', 'coupon', 'bank_transfer', 'gift_card'];

export function jaffleSeeds(): Record<'raw_customers' | 'raw_orders' | 'raw_payments', string> {
  const rnd = prng(20180101);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const customers = ['id,first_name,last_name'];
  for (let id = 1; id <= 100; id++)
    customers.push(`${id},${pick(FIRST)},${String.fromCharCode(65 + Math.floor(rnd() * 26))}.`);
  const orders = ['id,user_id,order_date,status'];
  for (let id = 1; id <= 99; id++) {
    const day = new Date(Date.UTC(2018, 0, 1) + Math.floor((id - 1) * 0.99) * 86_400_000).toISOString().slice(0, 10);
    orders.push(`${id},${1 + Math.floor(rnd() * 100)},${day},${id > 90 ? pick(['placed', 'shipped']) : pick(STATUS)}`);
  }
  const payments = ['id,order_id,payment_method,amount'];
  const twice = new Set<number>();
  while (twice.size < 14) twice.add(1 + Math.floor(rnd() * 99)); // 99 orders, 14 of them paid in two parts: 113 payments
  let id = 0;
  for (let order = 1; order <= 99; order++) {
    for (let part = 0; part < (twice.has(order) ? 2 : 1); part++) {
      const method = part === 1 ? 'coupon' : pick(METHODS);
      payments.push(
        `${++id},${order},${method},${method === 'coupon' && rnd() < 0.2 ? 0 : 100 * Math.floor(rnd() * 30)}`,
      );
    }
  }
  return {
    raw_customers: `${customers.join('\n')}\n`,
    raw_orders: `${orders.join('\n')}\n`,
    raw_payments: `${payments.join('\n')}\n`,
  };
}
