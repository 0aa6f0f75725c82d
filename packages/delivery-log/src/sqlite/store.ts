// The delivery log on SQLite (webhooks.db in the data dir, the embedded mode).
import { openSqlite, type Sqlite } from '@leadstream/runtime'
import { deliveryOf, type LeadTraits, type NewDelivery, type Outgoing } from '../messages.js'
import { recentMinutes, type Attempted, type WebhookStore } from '../port.js'
import { newDeliveryColumns, newDeliveryValues, toDelivery, toTraits, toSubscription, type DeliveryRow, type SubscriptionRow } from '../rows.js'

const migrations = [
  `CREATE TABLE subscriptions (
     id              TEXT PRIMARY KEY,
     url             TEXT NOT NULL,
     events          TEXT NOT NULL,
     filters         TEXT NOT NULL,
     secret          TEXT NOT NULL,
     include_contact INTEGER NOT NULL,
     description     TEXT,
     created_at      TEXT NOT NULL,
     last_success_at TEXT,
     last_error_at   TEXT,
     last_error      TEXT,
     last_status     INTEGER
   );
   CREATE TABLE lead_facts (lead_id TEXT PRIMARY KEY, facts TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE checkpoints (partition INTEGER PRIMARY KEY, "offset" INTEGER NOT NULL);
   CREATE TABLE deliveries (
     seq             INTEGER PRIMARY KEY AUTOINCREMENT,
     id              TEXT NOT NULL UNIQUE,
     subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
     type            TEXT NOT NULL,
     lead_id         TEXT NOT NULL,
     event_id        TEXT NOT NULL,
     position        INTEGER NOT NULL,
     recorded_at     TEXT NOT NULL,
     payload         TEXT NOT NULL,
     personal        TEXT,
     status          TEXT NOT NULL DEFAULT 'pending',
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_at         INTEGER,
     last_error      TEXT,
     last_status     INTEGER,
     delivered_at    TEXT
   );
   CREATE INDEX deliveries_by_status ON deliveries (subscription_id, status, seq);
   CREATE INDEX deliveries_due ON deliveries (subscription_id, next_at, seq) WHERE status = 'pending';
   CREATE INDEX deliveries_in_line ON deliveries (subscription_id, lead_id, seq) WHERE status IN ('pending', 'parked');
   CREATE INDEX deliveries_by_lead ON deliveries (lead_id);
   CREATE INDEX deliveries_delivered ON deliveries (delivered_at) WHERE status = 'delivered';
   -- Who received each lead, kept apart from the deliveries (which retention deletes): an erasure reaches them all.
   CREATE TABLE recipients (
     subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
     lead_id         TEXT NOT NULL,
     PRIMARY KEY (lead_id, subscription_id)
   ) WITHOUT ROWID;
   CREATE TABLE attempt_minutes (
     subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
     minute          INTEGER NOT NULL,
     attempts        INTEGER NOT NULL,
     failures        INTEGER NOT NULL,
     PRIMARY KEY (subscription_id, minute)
   ) WITHOUT ROWID;`,
]

export const sqliteWebhookStore = (options: { readonly path: string }): WebhookStore & { readonly db: Sqlite } => {
  const db = openSqlite(options.path, migrations, { kind: 'webhooks' })
  // WAL with synchronous=NORMAL: a commit survives kill -9 (it is in the WAL) and may be lost only to a power
  // cut or an OS crash, which then rolls the log back to an earlier consistent state: deliveries and checkpoint
  // together (the log is read again), outcomes with them (deliveries are sent again, same webhook-id). Nothing
  // is lost, at worst repeated, which at-least-once allows; and no fsync per group of outcomes.
  db.pragma('synchronous = NORMAL')
  const q = {
    addSub: db.prepare(
      'INSERT INTO subscriptions (id, url, events, filters, secret, include_contact, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    subs: db.prepare<[], SubscriptionRow>('SELECT * FROM subscriptions ORDER BY created_at, id'),
    sub: db.prepare<[string], SubscriptionRow>('SELECT * FROM subscriptions WHERE id = ?'),
    removeSub: db.prepare('DELETE FROM subscriptions WHERE id = ?'),
    checkpoints: db.prepare<[], { partition: number; offset: number }>('SELECT partition, "offset" FROM checkpoints'),
    checkpoint: db.prepare<[number], { offset: number }>('SELECT "offset" FROM checkpoints WHERE partition = ?'),
    setCheckpoint: db.prepare('INSERT INTO checkpoints (partition, "offset") VALUES (?, ?) ON CONFLICT (partition) DO UPDATE SET "offset" = excluded."offset"'),
    facts: db.prepare<[string], { lead_id: string; facts: string }>('SELECT lead_id, facts FROM lead_facts WHERE lead_id IN (SELECT value FROM json_each(?))'),
    setFact: db.prepare('INSERT INTO lead_facts (lead_id, facts) VALUES (?, ?) ON CONFLICT (lead_id) DO UPDATE SET facts = excluded.facts'),
    insert: db.prepare(
      `INSERT INTO deliveries (${newDeliveryColumns.join(', ')}) VALUES (${newDeliveryColumns.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`,
    ),
    recipients: db.prepare<[string], { subscription_id: string }>('SELECT subscription_id FROM recipients WHERE lead_id = ?'),
    addRecipient: db.prepare('INSERT INTO recipients (subscription_id, lead_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    forget: db.prepare('UPDATE deliveries SET personal = NULL WHERE lead_id = ? AND personal IS NOT NULL'),
    due: db.prepare<[string, number, number], DeliveryRow>(
      `SELECT d.* FROM deliveries d
        WHERE d.subscription_id = ? AND d.status = 'pending' AND d.next_at <= ?
          AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.subscription_id = d.subscription_id AND e.lead_id = d.lead_id
                          AND e.seq < d.seq AND e.status IN ('pending', 'parked'))
        ORDER BY d.next_at, d.seq LIMIT ?`,
    ),
    nextDue: db.prepare<[string], { at: number | null }>("SELECT min(next_at) AS at FROM deliveries WHERE subscription_id = ? AND status = 'pending'"),
    delivered: db.prepare(
      "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_status = ?, next_at = NULL WHERE seq = ?",
    ),
    failed: db.prepare('UPDATE deliveries SET status = ?, attempts = attempts + 1, next_at = ?, last_error = ?, last_status = ? WHERE seq = ?'),
    subOf: db.prepare<[number], { subscription_id: string }>('SELECT subscription_id FROM deliveries WHERE seq = ?'),
    subSuccess: db.prepare('UPDATE subscriptions SET last_success_at = ? WHERE id = ?'),
    subError: db.prepare('UPDATE subscriptions SET last_error_at = ?, last_error = ?, last_status = ? WHERE id = ?'),
    bucket: db.prepare(
      `INSERT INTO attempt_minutes (subscription_id, minute, attempts, failures) VALUES (?, ?, 1, ?)
       ON CONFLICT (subscription_id, minute) DO UPDATE SET attempts = attempts + 1, failures = failures + excluded.failures`,
    ),
    pruneMinutes: db.prepare('DELETE FROM attempt_minutes WHERE minute < ?'),
    counts: db.prepare<[string], { status: string; n: number }>('SELECT status, count(*) AS n FROM deliveries WHERE subscription_id = ? GROUP BY status'),
    oldest: db.prepare<[string], { at: string | null }>("SELECT min(recorded_at) AS at FROM deliveries WHERE subscription_id = ? AND status = 'pending'"),
    recent: db.prepare<[string, number], { a: number | null; f: number | null }>(
      'SELECT sum(attempts) AS a, sum(failures) AS f FROM attempt_minutes WHERE subscription_id = ? AND minute >= ?',
    ),
    list: db.prepare<[string, number, number], DeliveryRow>('SELECT * FROM deliveries WHERE subscription_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    listBy: db.prepare<[string, string, number, number], DeliveryRow>(
      'SELECT * FROM deliveries WHERE subscription_id = ? AND status = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    prune: db.prepare("DELETE FROM deliveries WHERE status = 'delivered' AND delivered_at < ?"),
    dropId: db.prepare('DELETE FROM deliveries WHERE id = ?'),
    replayParked: db.prepare("UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ? WHERE subscription_id = ? AND status = 'parked'"),
    replayPosition: db.prepare(
      "UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ?, delivered_at = NULL WHERE subscription_id = ? AND position >= ?",
    ),
    replayTime: db.prepare(
      "UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ?, delivered_at = NULL WHERE subscription_id = ? AND recorded_at >= ?",
    ),
  }

  const put = (d: NewDelivery, now: number) => q.insert.run(...newDeliveryValues(d, now))

  const record = db.transaction((b: { partition: number; offset: number; facts: ReadonlyArray<LeadTraits>; outgoing: ReadonlyArray<Outgoing>; now: Date }) => {
    const stored = q.checkpoint.get(b.partition)?.offset
    if (stored !== undefined && stored >= b.offset) return
    const now = b.now.getTime()
    for (const f of b.facts) q.setFact.run(f.leadId, JSON.stringify(f))
    for (const o of b.outgoing) {
      if (o._tag === 'Deliver') {
        put(o.delivery, now)
        q.addRecipient.run(o.delivery.subscriptionId, o.delivery.message.leadId)
        continue
      }
      const to = q.recipients.all(o.message.leadId).map((r) => r.subscription_id)
      q.forget.run(o.message.leadId)
      for (const s of to) put(deliveryOf(s, o.message), now)
    }
    q.setCheckpoint.run(b.partition, b.offset)
  })

  const replayed = db.transaction((ds: ReadonlyArray<NewDelivery>, now: number) => {
    for (const d of ds) {
      q.dropId.run(d.id)
      put(d, now)
      q.addRecipient.run(d.subscriptionId, d.message.leadId)
    }
  })

  const attemptedOne = (a: Attempted) => {
    const sub = q.subOf.get(a.seq)?.subscription_id
    if (sub === undefined) return
    const at = a.at.toISOString()
    if (a.ok) {
      q.delivered.run(at, a.status, a.seq)
      q.subSuccess.run(at, sub)
    } else {
      q.failed.run(a.retryAt === null ? 'parked' : 'pending', a.retryAt?.getTime() ?? null, a.error, a.status, a.seq)
      q.subError.run(at, a.error ?? `HTTP ${a.status ?? '?'}`, a.status, sub)
    }
    const minute = Math.floor(a.at.getTime() / 60000)
    q.bucket.run(sub, minute, a.ok ? 0 : 1)
    if (minute % 60 === 0) q.pruneMinutes.run(minute - 24 * 60)
  }
  const attempted = db.transaction((as: ReadonlyArray<Attempted>) => {
    for (const a of as) attemptedOne(a)
  })

  return {
    db,
    addSubscription: async (s) => {
      q.addSub.run(s.id, s.url, JSON.stringify(s.events), JSON.stringify(s.filters), s.secret, s.includeContact ? 1 : 0, s.description, s.createdAt)
    },
    subscriptions: async () => q.subs.all().map(toSubscription),
    subscription: async (id) => {
      const r = q.sub.get(id)
      return r === undefined ? null : toSubscription(r)
    },
    removeSubscription: async (id) => q.removeSub.run(id).changes > 0,
    checkpoints: async () => q.checkpoints.all().map((r) => ({ partition: r.partition, offset: r.offset })),
    facts: async (leadIds) =>
      leadIds.length === 0 ? new Map() : new Map(q.facts.all(JSON.stringify(leadIds)).map((r) => [r.lead_id, toTraits(r.lead_id, r.facts)])),
    record: async (b) => {
      record.immediate(b)
    },
    due: async (subscriptionId, now, limit, busy) =>
      q.due
        .all(subscriptionId, now.getTime(), limit + busy.size)
        .filter((r) => !busy.has(r.lead_id))
        .slice(0, limit)
        .map(toDelivery),
    attempted: async (as) => {
      if (as.length > 0) attempted.immediate(as)
    },
    nextDue: async (subscriptionId) => {
      const at = q.nextDue.get(subscriptionId)?.at ?? null
      return at === null ? null : new Date(at)
    },
    stats: async (subscriptionId, now) => {
      const counts = new Map(q.counts.all(subscriptionId).map((r) => [r.status, r.n]))
      const s = q.sub.get(subscriptionId) as
        | (SubscriptionRow & { last_success_at: string | null; last_error_at: string | null; last_error: string | null; last_status: number | null })
        | undefined
      const recent = q.recent.get(subscriptionId, Math.floor(now.getTime() / 60000) - recentMinutes + 1)
      return {
        pending: counts.get('pending') ?? 0,
        parked: counts.get('parked') ?? 0,
        delivered: counts.get('delivered') ?? 0,
        oldestPendingAt: q.oldest.get(subscriptionId)?.at ?? null,
        lastSuccessAt: s?.last_success_at ?? null,
        lastError: s?.last_error_at == null ? null : { at: s.last_error_at, message: s.last_error ?? '', status: s.last_status },
        attemptsRecent: recent?.a ?? 0,
        failuresRecent: recent?.f ?? 0,
      }
    },
    deliveries: async (subscriptionId, { status, after, limit }) =>
      (status === undefined ? q.list.all(subscriptionId, after ?? 0, limit) : q.listBy.all(subscriptionId, status, after ?? 0, limit)).map(toDelivery),
    prune: async (before) => q.prune.run(before.toISOString()).changes,
    replay: async (subscriptionId, what, now) => {
      const at = now.getTime()
      if (what.parked === true) return q.replayParked.run(at, subscriptionId).changes
      if (what.fromPosition !== undefined) return q.replayPosition.run(at, subscriptionId, what.fromPosition).changes
      if (what.fromTime !== undefined) return q.replayTime.run(at, subscriptionId, what.fromTime).changes
      return 0
    },
    replayed: async (ds, now) => {
      if (ds.length > 0) replayed.immediate(ds, now.getTime())
    },
    close: async () => {
      db.close()
    },
  }
}
