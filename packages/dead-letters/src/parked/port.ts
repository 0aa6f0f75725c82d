// The parked-events port: upstream lifecycle events that arrived before their lead's capture are held here,
// durably, for a bounded time; applied in order when the capture comes, dead-lettered with a reason when the
// bound passes. Kept beside dead letters (same store choice), since both hold inbound payloads awaiting an outcome.

export interface NewParkedEvent {
  readonly leadId: string
  /** The upstream event id: parking the same event of the same lead again keeps one copy. */
  readonly eventId: string
  /** Where it came from (`http:/v1/leads`, `kafka:leads.inbound`, `import`…), for the dead letter if it expires. */
  readonly source: string
  readonly format: string
  /** The payload as received; may hold personal data: never log it. */
  readonly payload: string
  /** The event's own time: parked events of a lead are applied in this order. */
  readonly occurredAt: string
  readonly parkedAt: string
  /** After this instant the event is dead-lettered instead of applied. */
  readonly until: string
}

export interface ParkedEvent extends NewParkedEvent {
  readonly id: number
  /**
   * Set while an expirer holds the entry (it is being moved to dead letters): until this instant nobody else
   * claims it, and it is never applied. A claim whose instant has passed has lapsed (its holder crashed or
   * stalled): the next expirer claims the entry again. Null when unclaimed.
   */
  readonly claimedUntil: string | null
}

export interface ParkedEvents {
  /** Parks each entry once per (leadId, eventId); answers its id and bound (the earlier copy's when parked before). */
  park(entries: ReadonlyArray<NewParkedEvent>): Promise<ReadonlyArray<{ readonly id: number; readonly until: string }>>
  /** The events parked for these leads, in the order to apply them: occurredAt, then arrival. */
  forLeads(leadIds: ReadonlyArray<string>): Promise<ReadonlyArray<ParkedEvent>>
  /** Events whose bound has passed at `now` and that nobody holds a live claim on at `now`, oldest first. */
  expired(now: string, limit: number): Promise<ReadonlyArray<ParkedEvent>>
  /**
   * Claims, in one atomic statement, those of these entries whose bound has passed at `now` and that are unclaimed
   * or whose claim has lapsed (`claimedUntil <= now`), marking them claimed until `leaseUntil`; answers the ids this
   * call claimed. Of two callers claiming the same entry at once, one gets its id back and acts on it (dead-letters
   * it, then removes it), the other gets nothing. The claim survives a crash of its holder, so the entry is not lost:
   * once the lease lapses another expirer claims it again.
   */
  claim(ids: ReadonlyArray<number>, now: string, leaseUntil: string): Promise<ReadonlyArray<number>>
  /** Removes entries (applied, or dead-lettered once claimed); answers the ids this call removed, which were still there. */
  remove(ids: ReadonlyArray<number>): Promise<ReadonlyArray<number>>
  /** Removes every event parked for these leads (an erasure: they may hold the person's data); answers their ids. */
  purgeLeads(leadIds: ReadonlyArray<string>): Promise<ReadonlyArray<number>>
  /** Operators' listing, in arrival order with keyset paging. */
  list(options: { readonly after?: number; readonly limit: number }): Promise<ReadonlyArray<ParkedEvent>>
  count(): Promise<number>
  close(): Promise<void>
}
