// The export's CSV: RFC 4180 rows (CRLF, quotes doubled, quoted only when needed) of the columns the API
// contract names, with spreadsheet formulas neutralised so opening an export never runs a lead's text.
import { exportColumns } from '@leadstream/api'
import type { LeadView } from '@leadstream/view-store'

/** What `present` shows of a lead, and what the exports read from the views. */
export type PresentedLead = LeadView

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) or that starts with a tab or carriage
 * return (which some spreadsheets strip before looking for one) gets a leading `'` (OWASP's CSV injection
 * advice). Values are text, so nothing numeric is harmed: no column holds a signed number.
 */
export const neutralise = (cell: string): string => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell)

/** RFC 4180: a field holding `,` `"` CR or LF is quoted, its quotes doubled. */
export const quote = (cell: string): string => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)

export const csvCell = (cell: string): string => quote(neutralise(cell))

export const csvLine = (cells: ReadonlyArray<string>): string => `${cells.map(csvCell).join(',')}\r\n`

/** Lists (actions, campaign names) in one cell, separated by `;`. */
const list = (xs: ReadonlyArray<string>): string => xs.join(';')

/** One lead's cells in the order of `exportColumns` (the type makes a missing or extra column a compile error). */
const cellsOf = (l: PresentedLead): { readonly [K in (typeof exportColumns)[number]]: string } => ({
  leadId: l.leadId,
  capturedAt: l.capturedAt,
  updatedAt: l.updatedAt,
  state: l.state,
  storefront: l.storefront,
  campaign: l.campaign,
  leadSource: l.leadSource,
  offerId: l.offer.id ?? '',
  offerTitle: l.offer.title ?? '',
  offerKind: l.offer.kind,
  actions: list(l.actions),
  doNotContact: String(l.doNotContact),
  isTest: String(l.isTest),
  firstName: l.customer.firstName,
  lastName: l.customer.lastName,
  email: l.customer.email,
  phone: l.customer.phone,
  country: l.customer.country,
  company: l.customer.company,
  title: l.customer.title,
  description: l.description ?? '',
  campaigns: list(l.campaigns),
  erasedAt: l.erasedAt ?? '',
})

export const csvHeader = (): string => csvLine(exportColumns)

export const csvRow = (l: PresentedLead): string => {
  const cells = cellsOf(l)
  return csvLine(exportColumns.map((c) => cells[c]))
}
