// The orders-service's database access: one pg pool per process, from DATABASE_URL (Tollgate's
// deployer sets it to the environment's database). Plain SQL against the schema in migrations/.
import pg from 'pg';

let pool;

/** The process-wide pool; created on first use so a process without a database can still start. */
export function getPool() {
  if (pool) return pool;
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; point it at the environment database (postgres://…)');
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
  pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 4) });
  // An idle client losing its server emits 'error' on the pool; log it instead of crashing.
  pool.on('error', (error) => console.error(`orders-service: database connection lost: ${error.message}`));
  return pool;
}

export async function closePool() {
  const current = pool;
  pool = undefined;
  if (current) await current.end();
}

/** True when the database answers; used by /health. */
export async function ping() {
  const result = await getPool().query('SELECT 1 AS ok');
  return result.rows[0]?.ok === 1;
}

const ORDER_COLUMNS = 'id, customer_id, total_cents, status, note, created_at';

const toOrder = (row) => ({
  id: Number(row.id),
  customerId: Number(row.customer_id),
  totalCents: row.total_cents,
  status: row.status,
  note: row.note,
  createdAt: row.created_at.toISOString(),
});

export async function listOrders({ limit = 50, customerId } = {}) {
  const bounded = Math.min(Math.max(Number(limit) || 50, 1), 500);
  const result =
    customerId === undefined
      ? await getPool().query(`SELECT ${ORDER_COLUMNS} FROM orders ORDER BY id DESC LIMIT $1`, [bounded])
      : await getPool().query(
          `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`,
          [customerId, bounded],
        );
  return result.rows.map(toOrder);
}

export async function getOrder(id) {
  const result = await getPool().query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]);
  return result.rows[0] ? toOrder(result.rows[0]) : undefined;
}

/** Inserts an order; a missing customer surfaces as the FK error's code 23503 for the caller to map. */
export async function createOrder({ customerId, totalCents, status = 'pending', note = null }) {
  const result = await getPool().query(
    `INSERT INTO orders (customer_id, total_cents, status, note) VALUES ($1, $2, $3, $4) RETURNING ${ORDER_COLUMNS}`,
    [customerId, totalCents, status, note],
  );
  return toOrder(result.rows[0]);
}

export async function getCustomer(id) {
  const result = await getPool().query(
    'SELECT id, email, name, phone, created_at FROM customers WHERE id = $1',
    [id],
  );
  const row = result.rows[0];
  return row
    ? {
        id: Number(row.id),
        email: row.email,
        name: row.name,
        phone: row.phone,
        createdAt: row.created_at.toISOString(),
      }
    : undefined;
}

export async function countRows() {
  const result = await getPool().query(
    'SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders',
  );
  return { customers: Number(result.rows[0].customers), orders: Number(result.rows[0].orders) };
}
