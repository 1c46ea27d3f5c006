#!/usr/bin/env node
// Seeds a realistic "prod" orders database with PII: customers with real-looking names, e-mail
// addresses on real domains and phone numbers, and orders whose free-text notes mention them.
// Deterministic: the same seed always produces byte-identical data, so tests and benches can rely on
// exact counts. A few customers deliberately share an e-mail address that differs only in case
// (Ann@Example.com / ann@example.com); that is what the UNIQUE(lower(email)) migration trips over.
//
// Usage: DATABASE_URL=postgres://… node seed/seed-prod.mjs [--customers 10000] [--orders 100000] [--seed 42]
// The schema must exist (migrations 0001 and 0002).
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const FIRST = [
  'Ann',
  'Ben',
  'Carla',
  'Dmitri',
  'Elif',
  'Farah',
  'Gustav',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Marco',
  'Nadia',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tomoko',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Aiko',
  'Bruno',
  'Chloe',
  'Diego',
  'Esther',
  'Felix',
];
const LAST = [
  'Lee',
  'Schmidt',
  'Garcia',
  'Okafor',
  'Novak',
  'Haddad',
  'Larsen',
  'Kowalski',
  'Tanaka',
  'Silva',
  'Moreau',
  'Rossi',
  'Nguyen',
  'Patel',
  'Johansson',
  'Murphy',
  'Yilmaz',
  'Fischer',
  'Costa',
  'Ivanova',
  'Mensah',
  'Dubois',
  'Kim',
  'Andersen',
  'Bauer',
  'Cohen',
  'Horvat',
  'Ortiz',
  'Sato',
  'Walsh',
  'Zhang',
  'Abebe',
];
const DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'proton.me',
  'fastmail.com',
  'gmx.de',
  'web.de',
  'orange.fr',
  'acme-corp.com',
  'globex.io',
  'initech.net',
  'umbrella.co.uk',
  'hooli.xyz',
];
const STATUSES = [
  ['delivered', 55],
  ['shipped', 15],
  ['paid', 12],
  ['pending', 8],
  ['cancelled', 6],
  ['refunded', 4],
];
const NOTES = [
  (c) => `Leave at the back door, call ${c.phone ?? 'the office'} on arrival`,
  (c) => `Gift for ${c.name.split(' ')[0]}'s birthday, no invoice in the box`,
  (c) => `Customer emailed from ${c.email} asking for faster shipping`,
  () => 'Fragile, please double-box',
  (c) => `Deliver to ${c.name} at reception`,
];

/** mulberry32: tiny, fast, and deterministic across Node versions. */
export function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

function weighted(random, table) {
  let roll = random() * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of table) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return table[table.length - 1][0];
}

/** Flips the case of a few letters so the address differs from the original but not under lower(). */
function mixCase(random, email) {
  const [local, domain] = email.split('@');
  const flipped = local.charAt(0).toUpperCase() + local.slice(1);
  const mixedDomain =
    random() < 0.5 ? domain.charAt(0).toUpperCase() + domain.slice(1) : domain.toUpperCase();
  return `${flipped}@${mixedDomain}`;
}

const EPOCH = Date.UTC(2021, 0, 1);
const DAY = 86_400_000;

/**
 * Builds the customers. About 1 in 100 reuses an earlier customer's address in different case, and
 * customer 50 always does if none has yet: a small dataset must still hold the duplicates the
 * UNIQUE(lower(email)) scenario is about (300 customers with seed 42 had none by chance).
 */
export function buildCustomers(random, count) {
  const customers = [];
  let duplicates = 0;
  for (let id = 1; id <= count; id += 1) {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    const chance = random() < 0.01;
    const duplicateOf =
      id > 10 && (chance || (id === 50 && duplicates === 0))
        ? customers[Math.floor(random() * customers.length)]
        : undefined;
    if (duplicateOf) duplicates += 1;
    const email = duplicateOf
      ? mixCase(random, duplicateOf.email)
      : `${first}.${last}${id}@${pick(random, DOMAINS)}`.toLowerCase();
    const phone =
      random() < 0.1
        ? null
        : `+1-${200 + Math.floor(random() * 700)}-${200 + Math.floor(random() * 700)}-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
    const createdAt = new Date(EPOCH + Math.floor(random() * 3 * 365 * DAY));
    customers.push({
      id,
      email,
      name: duplicateOf ? duplicateOf.name : `${first} ${last}`,
      phone,
      createdAt,
    });
  }
  return customers;
}

export function buildOrders(random, customers, count) {
  const orders = [];
  for (let id = 1; id <= count; id += 1) {
    const customer = customers[Math.floor(random() * customers.length)];
    const note = random() < 0.3 ? pick(random, NOTES)(customer) : null;
    const createdAt = new Date(customer.createdAt.getTime() + Math.floor(random() * 365 * DAY));
    orders.push({
      id,
      customerId: customer.id,
      totalCents: 100 + Math.floor(random() * 49_900),
      status: weighted(random, STATUSES),
      note,
      createdAt,
    });
  }
  return orders;
}

/** Multi-row INSERTs of `batch` rows keep the round trips few and the parameter count under 65535. */
async function insertRows(client, table, columns, rows, batch = 1000) {
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const params = [];
    const tuples = chunk.map((row) => {
      const slots = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${slots.join(', ')})`;
    });
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}

/**
 * Fills an empty schema with `customers` customers and `orders` orders in one transaction.
 * Returns the counts and how many customers share an address with another one in different case.
 */
export async function seedProd(client, { customers = 10_000, orders = 100_000, seed = 42 } = {}) {
  if (!Number.isInteger(customers) || customers < 1) throw new Error('customers must be a positive integer');
  if (!Number.isInteger(orders) || orders < 0) throw new Error('orders must be a non-negative integer');
  const random = createRandom(seed);
  const customerRows = buildCustomers(random, customers);
  const orderRows = buildOrders(random, customerRows, orders);
  await client.query('BEGIN');
  try {
    const existing = await client.query(
      'SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) AS n',
    );
    if (Number(existing.rows[0].n) > 0)
      throw new Error('customers/orders are not empty; seed an empty database');
    await insertRows(
      client,
      'customers',
      ['id', 'email', 'name', 'phone', 'created_at'],
      customerRows.map((c) => [c.id, c.email, c.name, c.phone, c.createdAt]),
    );
    await insertRows(
      client,
      'orders',
      ['id', 'customer_id', 'total_cents', 'status', 'note', 'created_at'],
      orderRows.map((o) => [o.id, o.customerId, o.totalCents, o.status, o.note, o.createdAt]),
    );
    // Explicit ids bypass the identity sequences; move them past the seeded rows.
    await client.query(
      "SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers))",
    );
    await client.query(
      "SELECT setval(pg_get_serial_sequence('orders', 'id'), greatest(1, (SELECT coalesce(max(id), 0) FROM orders)))",
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const lowered = new Map();
  for (const c of customerRows)
    lowered.set(c.email.toLowerCase(), (lowered.get(c.email.toLowerCase()) ?? 0) + 1);
  const sharedEmailCustomers = [...lowered.values()].filter((n) => n > 1).reduce((sum, n) => sum + n, 0);
  return { customers: customerRows.length, orders: orderRows.length, sharedEmailCustomers };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    if (!['customers', 'orders', 'seed'].includes(key)) throw new Error(`unknown option "${argv[i]}"`);
    const value = Number(argv[i + 1]);
    if (!Number.isInteger(value)) throw new Error(`--${key} needs an integer`);
    options[key] = value;
  }
  return options;
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('set DATABASE_URL to the prod database: DATABASE_URL=$(npx tollgate db url prod)');
  const options = parseArgs(process.argv.slice(2));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await seedProd(client, options);
    console.log(JSON.stringify(result));
  } finally {
    await client.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(`seed-prod: ${error.message}`);
    process.exit(1);
  });
}
