// Time-zone buckets: exact bucket starts across DST changes and for offsets that are not whole hours.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { bucketIndex, bucketStarts, instantOfWall, isoInZone, offsetAt } from './zone.js'

const ms = (iso: string) => Date.parse(iso)
const starts = (interval: 'hour' | 'day' | 'week' | 'month', tz: string, from: string, to: string) =>
  bucketStarts(interval, tz, ms(from), ms(to)).map((s) => isoInZone(tz, s))

const test = suite('zone')

test('offset :: whole, half and three-quarter hours; DST in and out', () => {
  assert.is(offsetAt('Asia/Kolkata', ms('2026-06-01T00:00:00Z')), 5.5 * 3_600_000)
  assert.is(offsetAt('Asia/Kathmandu', ms('2026-06-01T00:00:00Z')), 5.75 * 3_600_000)
  assert.is(offsetAt('Europe/Berlin', ms('2026-03-29T00:59:59Z')), 3_600_000)
  assert.is(offsetAt('Europe/Berlin', ms('2026-03-29T01:00:00Z')), 7_200_000)
  assert.is(offsetAt('America/New_York', ms('2026-11-01T06:00:00Z')), -5 * 3_600_000)
  assert.is(isoInZone('America/St_Johns', ms('2026-01-15T12:00:00Z')), '2026-01-15T08:30:00-03:30')
})

test('wall :: a skipped reading starts when the clocks jump; a repeated one at its first instant', () => {
  // 02:30 on 2026-03-29 does not exist in Berlin: clocks go from 02:00 CET to 03:00 CEST (01:00Z)
  assert.is(new Date(instantOfWall('Europe/Berlin', ms('2026-03-29T02:30:00Z'))).toISOString(), '2026-03-29T01:00:00.000Z')
  // 02:30 on 2026-10-25 happens twice in Berlin: the first is CEST (00:30Z)
  assert.is(new Date(instantOfWall('Europe/Berlin', ms('2026-10-25T02:30:00Z'))).toISOString(), '2026-10-25T00:30:00.000Z')
})

test('day :: Berlin days across both DST changes are 23 and 25 hours long', () => {
  const spring = bucketStarts('day', 'Europe/Berlin', ms('2026-03-28T12:00:00Z'), ms('2026-03-30T12:00:00Z'))
  assert.is(spring[2]! - spring[1]!, 23 * 3_600_000)
  const autumn = bucketStarts('day', 'Europe/Berlin', ms('2026-10-24T12:00:00Z'), ms('2026-10-26T12:00:00Z'))
  assert.is(autumn[2]! - autumn[1]!, 25 * 3_600_000)
  assert.equal(starts('day', 'Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z'), [
    '2026-10-24T00:00:00+02:00',
    '2026-10-25T00:00:00+02:00',
    '2026-10-26T00:00:00+01:00',
  ])
})

test('day :: a zone whose midnight is skipped starts that day at 01:00 (America/Santiago, September)', () => {
  const days = starts('day', 'America/Santiago', '2026-09-05T12:00:00Z', '2026-09-07T12:00:00Z')
  assert.equal(days, ['2026-09-05T00:00:00-04:00', '2026-09-06T01:00:00-03:00', '2026-09-07T00:00:00-03:00'])
})

test('day :: Asia/Kolkata and Asia/Kathmandu days start at 18:30Z and 18:15Z', () => {
  assert.equal(starts('day', 'Asia/Kolkata', '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z'), [
    '2026-03-28T00:00:00+05:30',
    '2026-03-29T00:00:00+05:30',
    '2026-03-30T00:00:00+05:30',
  ])
  assert.is(
    new Date(bucketStarts('day', 'Asia/Kathmandu', ms('2026-03-28T00:00:00Z'), ms('2026-03-29T00:00:00Z'))[0]!).toISOString(),
    '2026-03-27T18:15:00.000Z',
  )
})

test('hour :: the repeated autumn hour is two buckets, the skipped spring hour none', () => {
  const autumn = starts('hour', 'Europe/Berlin', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z')
  assert.equal(autumn, ['2026-10-25T01:00:00+02:00', '2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00', '2026-10-25T03:00:00+01:00'])
  const spring = starts('hour', 'Europe/Berlin', '2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z')
  assert.equal(spring, ['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00'])
  assert.equal(starts('hour', 'Asia/Kolkata', '2026-03-28T00:10:00Z', '2026-03-28T01:00:00Z'), ['2026-03-28T05:00:00+05:30', '2026-03-28T06:00:00+05:30'])
})

test('week and month :: ISO weeks start on Monday; months on the 1st in the zone', () => {
  assert.equal(starts('week', 'UTC', '2026-03-28T00:00:00Z', '2026-04-07T00:00:00Z'), [
    '2026-03-23T00:00:00+00:00',
    '2026-03-30T00:00:00+00:00',
    '2026-04-06T00:00:00+00:00',
  ])
  assert.equal(starts('month', 'America/New_York', '2026-02-15T00:00:00Z', '2026-04-01T03:00:00Z'), ['2026-02-01T00:00:00-05:00', '2026-03-01T00:00:00-05:00'])
  assert.equal(starts('month', 'America/New_York', '2026-02-15T00:00:00Z', '2026-04-01T05:00:00Z').length, 3)
})

test('index :: a lead falls in the last bucket that starts at or before it', () => {
  const s = [10, 20, 30]
  assert.equal(
    [5, 10, 19, 20, 35].map((x) => bucketIndex(s, x)),
    [-1, 0, 0, 1, 2],
  )
})

test('limit :: stops once a range would need more buckets than asked', () => {
  assert.is(bucketStarts('day', 'UTC', ms('2020-01-01T00:00:00Z'), ms('2026-01-01T00:00:00Z'), 100).length, 101)
})

test.run()
