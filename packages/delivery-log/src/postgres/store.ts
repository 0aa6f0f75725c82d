// The delivery log in PostgreSQL (the distributed mode: the webhooks service and its replicas share it).
import pg from 'pg'
import { migratePostgres, quoteIdent, transaction, type PgMigration } from '@leadstream/runtime'
import { deliveryOf, type NewDelivery } from '../messages.js'
import { recentMinutes, type Attempted, type WebhookStore } from '../port.js'
import { newDeliveryColumns, newDeliveryValues, toDelivery, toTraits, toSubscription, type DeliveryRow, type SubscriptionRow } from '../rows.js'

const migrations: ReadonlyArray<PgMigration> = [
  (s) => `CREATE TABLE ${s}.subscriptions (
     id              text PRIMARY KEY,
     url             text NOT NULL,
     events          text NOT NULL,
     filters         text NOT NULL,
     secret          text NOT NULL,
     include_contact boolean NOT NULL,
     description     text,
     created_at      text NOT NULL,
     last_success_at text,
     last_error_at   text,
     last_error      text,
     last_status     integer
   );
   CREATE TABLE ${s}.lead_facts (lead_id text PRIMARY KEY, facts text NOT NULL);
   CREATE TABLE ${s}.checkpoints (partition integer PRIMARY KEY, "offset" bigint NOT NULL);
   CREATE TABLE ${s}.deliveries (
     seq             bigserial PRIMARY KEY,
     id              text NOT NULL UNIQUE,
     subscription_id text NOT NULL REFERENCES ${s}.subscriptions (id) ON DELETE CASCADE,
     type            text NOT NULL,
     lead_id         text NOT NULL,
     event_id        text NOT NULL,
     position        bigint NOT NULL,
     recorded_at     text NOT NULL,
     payload         text NOT NULL,
     personal        text,
     status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'parked')),
     attempts        integer NOT NULL DEFAULT 0,
     next_at         bigint,
     last_error      text,
     last_status     integer,
     delivered_at    text
   );
   CREATE INDEX deliveries_by_status ON ${s}.deliveries (subscription_id, status, seq);
   CREATE INDEX deliveries_due ON ${s}.deliveries (subscription_id, next_at, seq) WHERE status = 'pending';
   CREATE INDEX deliveries_in_line ON ${s}.deliveries (subscription_id, lead_id, seq) WHERE status IN ('pending', 'parked');
   CREATE INDEX deliveries_by_lead ON ${s}.deliveries (lead_id);
   CREATE INDEX deliveries_delivered ON ${s}.deliveries (delivered_at) WHERE status = 'delivered';
   -- Who received each lead, kept apart from the deliveries (which retention deletes): an erasure reaches them all.
   CREATE TABLE ${s}.recipients (
     subscription_id text NOT NULL REFERENCES ${s}.subscriptions (id) ON DELETE CASCADE,
     lead_id         text NOT NULL,
     PRIMARY KEY (lead_id, subscription_id)
   );
   CREATE TABLE ${s}.attempt_minutes (
     subscription_id text NOT NULL REFERENCES ${s}.subscriptions (id) ON DELETE CASCADE,
     minute          bigint NOT NULL,
     attempts        integer NOT NULL,
     failures        integer NOT NULL,
     PRIMARY KEY (subscription_id, minute)
   );`,
]

export interface PostgresWebhookStoreOptions {
  readonly connectionString: string
  /** Its own schema: `<LEADSTREAM_POSTGRES_SCHEMA>_webhooks`. */
  readonly schema: string
  readonly poolSize?: number
}

type SubscriptionStatsRow = SubscriptionRow & {
  last_success_at: string | null
  last_error_at: string | null
  last_error: string | null
  last_status: number | null
}

export const postgresWebhookStore = async (options: PostgresWebhookStoreOptions): Promise<WebhookStore & { readonly pool: pg.Pool }> => {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4 })
  await migratePostgres(pool, options.schema, migrations)
  const s = quoteIdent(options.schema)
  const insert = `INSERT INTO ${s}.deliveries (${newDeliveryColumns.join(', ')}) VALUES (${newDeliveryColumns.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING`
  const put = (c: pg.PoolClient, d: NewDelivery, now: number) => c.query(insert, [...newDeliveryValues(d, now)])
  const attemptedOne = async (c: pg.PoolClient, a: Attempted): Promise<void> => {
    const sub = (await c.query<{ subscription_id: string }>(`SELECT subscription_id FROM ${s}.deliveries WHERE seq = $1`, [a.seq])).rows[0]?.subscription_id
    if (sub === undefined) return
    const at = a.at.toISOString()
    if (a.ok) {
      await c.query(
        `UPDATE ${s}.deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, last_status = $2, next_at = NULL WHERE seq = $3`,
        [at, a.status, a.seq],
      )
      await c.query(`UPDATE ${s}.subscriptions SET last_success_at = $1 WHERE id = $2`, [at, sub])
    } else {
      await c.query(`UPDATE ${s}.deliveries SET status = $1, attempts = attempts + 1, next_at = $2, last_error = $3, last_status = $4 WHERE seq = $5`, [
        a.retryAt === null ? 'parked' : 'pending',
        a.retryAt?.getTime() ?? null,
        a.error,
        a.status,
        a.seq,
      ])
      await c.query(`UPDATE ${s}.subscriptions SET last_error_at = $1, last_error = $2, last_status = $3 WHERE id = $4`, [
        at,
        a.error ?? `HTTP ${a.status ?? '?'}`,
        a.status,
        sub,
      ])
    }
    const minute = Math.floor(a.at.getTime() / 60000)
    await c.query(
      `INSERT INTO ${s}.attempt_minutes (subscription_id, minute, attempts, failures) VALUES ($1, $2, 1, $3)
       ON CONFLICT (subscription_id, minute) DO UPDATE SET attempts = ${s}.attempt_minutes.attempts + 1, failures = ${s}.attempt_minutes.failures + excluded.failures`,
      [sub, minute, a.ok ? 0 : 1],
    )
    if (minute % 60 === 0) await c.query(`DELETE FROM ${s}.attempt_minutes WHERE minute < $1`, [minute - 24 * 60])
  }
  const replaySet = `status = 'pending', attempts = 0, next_at = $1, delivered_at = NULL`
  return {
    pool,
    addSubscription: async (x) => {
      await pool.query(
        `INSERT INTO ${s}.subscriptions (id, url, events, filters, secret, include_contact, description, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [x.id, x.url, JSON.stringify(x.events), JSON.stringify(x.filters), x.secret, x.includeContact, x.description, x.createdAt],
      )
    },
    subscriptions: async () => (await pool.query<SubscriptionRow>(`SELECT * FROM ${s}.subscriptions ORDER BY created_at, id`)).rows.map(toSubscription),
    subscription: async (id) => {
      const r = (await pool.query<SubscriptionRow>(`SELECT * FROM ${s}.subscriptions WHERE id = $1`, [id])).rows[0]
      return r === undefined ? null : toSubscription(r)
    },
    removeSubscription: async (id) => ((await pool.query(`DELETE FROM ${s}.subscriptions WHERE id = $1`, [id])).rowCount ?? 0) > 0,
    checkpoints: async () =>
      (await pool.query<{ partition: number; offset: string }>(`SELECT partition, "offset" FROM ${s}.checkpoints`)).rows.map((r) => ({
        partition: r.partition,
        offset: Number(r.offset),
      })),
    facts: async (leadIds) => {
      const { rows } = await pool.query<{ lead_id: string; facts: string }>(`SELECT lead_id, facts FROM ${s}.lead_facts WHERE lead_id = ANY($1)`, [leadIds])
      return new Map(rows.map((r) => [r.lead_id, toTraits(r.lead_id, r.facts)]))
    },
    record: (b) =>
      transaction(pool, async (c) => {
        // One writer per partition at a time: a replica that took the partition over waits for the other's commit.
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`leadstream:webhooks:${options.schema}:${b.partition}`])
        const stored = (await c.query<{ offset: string }>(`SELECT "offset" FROM ${s}.checkpoints WHERE partition = $1`, [b.partition])).rows[0]
        if (stored !== undefined && Number(stored.offset) >= b.offset) return
        const now = b.now.getTime()
        for (const f of b.facts)
          await c.query(`INSERT INTO ${s}.lead_facts (lead_id, facts) VALUES ($1, $2) ON CONFLICT (lead_id) DO UPDATE SET facts = excluded.facts`, [
            f.leadId,
            JSON.stringify(f),
          ])
        for (const o of b.outgoing) {
          if (o._tag === 'Deliver') {
            await put(c, o.delivery, now)
            await c.query(`INSERT INTO ${s}.recipients (subscription_id, lead_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
              o.delivery.subscriptionId,
              o.delivery.message.leadId,
            ])
            continue
          }
          const to = (await c.query<{ subscription_id: string }>(`SELECT subscription_id FROM ${s}.recipients WHERE lead_id = $1`, [o.message.leadId])).rows
          await c.query(`UPDATE ${s}.deliveries SET personal = NULL WHERE lead_id = $1 AND personal IS NOT NULL`, [o.message.leadId])
          for (const r of to) await put(c, deliveryOf(r.subscription_id, o.message), now)
        }
        await c.query(`INSERT INTO ${s}.checkpoints (partition, "offset") VALUES ($1, $2) ON CONFLICT (partition) DO UPDATE SET "offset" = excluded."offset"`, [
          b.partition,
          b.offset,
        ])
      }),
    due: async (subscriptionId, now, limit, busy) =>
      (
        await pool.query<DeliveryRow>(
          `SELECT d.* FROM ${s}.deliveries d
            WHERE d.subscription_id = $1 AND d.status = 'pending' AND d.next_at <= $2
              AND NOT EXISTS (SELECT 1 FROM ${s}.deliveries e WHERE e.subscription_id = d.subscription_id AND e.lead_id = d.lead_id
                              AND e.seq < d.seq AND e.status IN ('pending', 'parked'))
              AND NOT (d.lead_id = ANY($4))
            ORDER BY d.next_at, d.seq LIMIT $3`,
          [subscriptionId, now.getTime(), limit, [...busy]],
        )
      ).rows.map(toDelivery),
    attempted: async (as) => {
      if (as.length === 0) return
      await transaction(pool, async (c) => {
        for (const a of as) await attemptedOne(c, a)
      })
    },
    nextDue: async (subscriptionId) => {
      const at = (
        await pool.query<{ at: string | null }>(`SELECT min(next_at) AS at FROM ${s}.deliveries WHERE subscription_id = $1 AND status = 'pending'`, [
          subscriptionId,
        ])
      ).rows[0]?.at
      return at === null || at === undefined ? null : new Date(Number(at))
    },
    stats: async (subscriptionId, now) => {
      const counts = new Map(
        (
          await pool.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM ${s}.deliveries WHERE subscription_id = $1 GROUP BY status`, [
            subscriptionId,
          ])
        ).rows.map((r) => [r.status, Number(r.n)]),
      )
      const sub = (await pool.query<SubscriptionStatsRow>(`SELECT * FROM ${s}.subscriptions WHERE id = $1`, [subscriptionId])).rows[0]
      const oldest =
        (
          await pool.query<{ at: string | null }>(`SELECT min(recorded_at) AS at FROM ${s}.deliveries WHERE subscription_id = $1 AND status = 'pending'`, [
            subscriptionId,
          ])
        ).rows[0]?.at ?? null
      const recent = (
        await pool.query<{ a: string | null; f: string | null }>(
          `SELECT sum(attempts) AS a, sum(failures) AS f FROM ${s}.attempt_minutes WHERE subscription_id = $1 AND minute >= $2`,
          [subscriptionId, Math.floor(now.getTime() / 60000) - recentMinutes + 1],
        )
      ).rows[0]
      return {
        pending: counts.get('pending') ?? 0,
        parked: counts.get('parked') ?? 0,
        delivered: counts.get('delivered') ?? 0,
        oldestPendingAt: oldest,
        lastSuccessAt: sub?.last_success_at ?? null,
        lastError: sub?.last_error_at == null ? null : { at: sub.last_error_at, message: sub.last_error ?? '', status: sub.last_status },
        attemptsRecent: Number(recent?.a ?? 0),
        failuresRecent: Number(recent?.f ?? 0),
      }
    },
    deliveries: async (subscriptionId, { status, after, limit }) =>
      (status === undefined
        ? await pool.query<DeliveryRow>(`SELECT * FROM ${s}.deliveries WHERE subscription_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
            subscriptionId,
            after ?? 0,
            limit,
          ])
        : await pool.query<DeliveryRow>(`SELECT * FROM ${s}.deliveries WHERE subscription_id = $1 AND status = $2 AND seq > $3 ORDER BY seq LIMIT $4`, [
            subscriptionId,
            status,
            after ?? 0,
            limit,
          ])
      ).rows.map(toDelivery),
    prune: async (before) =>
      (await pool.query(`DELETE FROM ${s}.deliveries WHERE status = 'delivered' AND delivered_at < $1`, [before.toISOString()])).rowCount ?? 0,
    replay: async (subscriptionId, what, now) => {
      const at = now.getTime()
      const run = async (where: string, arg?: unknown) =>
        (
          await pool.query(
            `UPDATE ${s}.deliveries SET ${replaySet} WHERE subscription_id = $2 AND ${where}`,
            arg === undefined ? [at, subscriptionId] : [at, subscriptionId, arg],
          )
        ).rowCount ?? 0
      if (what.parked === true) return run(`status = 'parked'`)
      if (what.fromPosition !== undefined) return run('position >= $3', what.fromPosition)
      if (what.fromTime !== undefined) return run('recorded_at >= $3', what.fromTime)
      return 0
    },
    replayed: async (ds, now) => {
      if (ds.length === 0) return
      await transaction(pool, async (c) => {
        for (const d of ds) {
          await c.query(`DELETE FROM ${s}.deliveries WHERE id = $1`, [d.id])
          await put(c, d, now.getTime())
          await c.query(`INSERT INTO ${s}.recipients (subscription_id, lead_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [d.subscriptionId, d.message.leadId])
        }
      })
    },
    close: () => pool.end(),
  }
}
