// One PostgreSQL transaction on a pooled client: BEGIN, the body, then COMMIT or ROLLBACK; a throw rolls back.
import type pg from 'pg'

/**
 * Runs `body` in a READ COMMITTED transaction (named, not left to the server default: the store's writers take
 * an advisory lock and then rely on every later statement seeing what the previous lock holder committed, which
 * REPEATABLE READ would not). Commits when `commits(result)` holds, rolls back otherwise; a throw rolls back and
 * is rethrown. A client whose ROLLBACK failed is in an unknown state, so the pool destroys it.
 */
export const transaction = async <A>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<A>, commits: (a: A) => boolean = () => true): Promise<A> => {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED')
    const result = await body(client)
    await client.query(commits(result) ? 'COMMIT' : 'ROLLBACK')
    return result
  } catch (e) {
    await client.query('ROLLBACK').catch((err: Error) => {
      broken = err
    })
    throw e
  } finally {
    client.release(broken)
  }
}
