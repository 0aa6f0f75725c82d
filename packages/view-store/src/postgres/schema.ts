// The PostgreSQL view store's tables, as forward-only migrations (run by migrate.ts; `s` is the quoted schema).
import type { PgMigration } from '@leadstream/runtime'

// lead_id and captured_at sort as bytes (COLLATE "C"), as SQLite's TEXT does: pages come out in the same
// order on both stores whatever the database's locale, and the keyset cursor compares the same way.
// doc is the summary's JSON as text: jsonb refuses the escape \u0000, which a lead's free text may carry
// (SQLite stores it), and no query reads inside the document; text also skips a parse on every write.
// captured_at stays the ISO string the summary carries (always UTC with milliseconds, the Instant codec's
// form), so it round-trips exactly and sorts chronologically. Counter keys sort as bytes for the same reason.
export const migrations: ReadonlyArray<PgMigration> = [
  (s) => `
    CREATE TABLE ${s}.leads (
      lead_id     text COLLATE "C" PRIMARY KEY,
      revision    integer NOT NULL,
      storefront  text NOT NULL,
      campaign    text NOT NULL,
      offer_key   text NOT NULL,
      offer_key2  text,
      offer_kind  text NOT NULL,
      state       text NOT NULL,
      is_test     boolean NOT NULL,
      captured_at text COLLATE "C" NOT NULL,
      doc         text NOT NULL
    );
    CREATE INDEX leads_by_time ON ${s}.leads (captured_at DESC, lead_id DESC);
    CREATE INDEX leads_by_state ON ${s}.leads (state, captured_at DESC, lead_id DESC);
    CREATE INDEX leads_by_storefront ON ${s}.leads (storefront, captured_at DESC, lead_id DESC);
    CREATE INDEX leads_by_campaign ON ${s}.leads (campaign, captured_at DESC, lead_id DESC);
    CREATE INDEX leads_by_kind ON ${s}.leads (offer_kind, captured_at DESC, lead_id DESC);
    CREATE INDEX leads_by_offer ON ${s}.leads (offer_key);
    CREATE INDEX leads_by_offer2 ON ${s}.leads (offer_key2) WHERE offer_key2 IS NOT NULL;
    CREATE TABLE ${s}.counts (
      dimension text COLLATE "C" NOT NULL,
      key       text COLLATE "C" NOT NULL,
      metric    text COLLATE "C" NOT NULL,
      bucket    text COLLATE "C" NOT NULL,
      test      boolean NOT NULL,
      n         bigint NOT NULL,
      PRIMARY KEY (dimension, key, metric, bucket, test)
    );
    CREATE TABLE ${s}.offers (offer_key text PRIMARY KEY, doc text NOT NULL);
    CREATE TABLE ${s}.checkpoints (
      projection text NOT NULL,
      partition  integer NOT NULL,
      "offset"   bigint NOT NULL,
      position   bigint NOT NULL,
      PRIMARY KEY (projection, partition)
    );`,
  // Which generation of each projection is live (only generation 1's schema uses it). jsonb, so the
  // compare-and-set compares entries as values, whatever their key order.
  (s) => `CREATE TABLE ${s}.registry (projection text PRIMARY KEY, entry jsonb NOT NULL);`,
  // Projection v3: the analytics facts of each lead as columns (columns.ts), as in the SQLite store.
  (s) => `
    ALTER TABLE ${s}.leads
      ADD COLUMN country         text COLLATE "C" NOT NULL DEFAULT 'unknown',
      ADD COLUMN actions         text NOT NULL DEFAULT '',
      ADD COLUMN action_other    boolean NOT NULL DEFAULT false,
      ADD COLUMN offer_id        text COLLATE "C",
      ADD COLUMN offer_title     text COLLATE "C",
      ADD COLUMN captured_ms     bigint NOT NULL DEFAULT 0,
      ADD COLUMN contacted_ms    bigint,
      ADD COLUMN nurturing_ms    bigint,
      ADD COLUMN qualified_ms    bigint,
      ADD COLUMN converted_ms    bigint,
      ADD COLUMN disqualified_ms bigint,
      ADD COLUMN dq_reason       text;
    CREATE INDEX leads_by_country ON ${s}.leads (country, captured_at DESC, lead_id DESC);`,
  // Each lead row's write sequence (port `factsSince`): existing rows start at 0.
  (s) => `
    ALTER TABLE ${s}.leads ADD COLUMN changed bigint NOT NULL DEFAULT 0;
    CREATE INDEX leads_by_changed ON ${s}.leads (changed, lead_id);`,
]

/**
 * The lead indexes only readers use, which the upsert rewrites on every event. A generation being rebuilt
 * (nobody reads it) is loaded without them and creates them once it has caught up (`finishBuild`). The offer
 * indexes stay (a reclassification reads an offer's leads while projecting), and so does leads_by_changed
 * (the upsert takes each batch's write sequence from its last entry). Same definitions as the migrations above.
 */
export const deferredIndexes: ReadonlyArray<readonly [string, (s: string) => string]> = [
  ['leads_by_time', (s) => `${s}.leads (captured_at DESC, lead_id DESC)`],
  ['leads_by_state', (s) => `${s}.leads (state, captured_at DESC, lead_id DESC)`],
  ['leads_by_storefront', (s) => `${s}.leads (storefront, captured_at DESC, lead_id DESC)`],
  ['leads_by_campaign', (s) => `${s}.leads (campaign, captured_at DESC, lead_id DESC)`],
  ['leads_by_kind', (s) => `${s}.leads (offer_kind, captured_at DESC, lead_id DESC)`],
  ['leads_by_country', (s) => `${s}.leads (country, captured_at DESC, lead_id DESC)`],
]
