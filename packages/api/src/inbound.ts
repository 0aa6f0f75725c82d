// Request bodies that come in from outside: leadstream's native lead event (its io-ts codec), the marketplace's
// loose formats (any key casing, so their JSON Schemas under schemas/inbound describe them), commands, catalogue.
import * as t from 'io-ts'
import { CatalogueEntryBody, Instant, LeadId, NativeLeadCapturedV1, nativeLifecycleCodecs, QualificationCommandBody } from '@leadstream/domain'
import instantSchema from '../../../schemas/common/instant.v1.schema.json' with { type: 'json' }
import httpsSchema from '../../../schemas/inbound/marketplace-https.v1.schema.json' with { type: 'json' }
import tableSchema from '../../../schemas/inbound/azure-table.v1.schema.json' with { type: 'json' }
import crmSchema from '../../../schemas/inbound/crm-form.v1.schema.json' with { type: 'json' }
import { withSchema, type JsonSchema } from './annotate.js'

// ---------------------------------------------------------------------------------------------------------
// the domain's string codecs, which io-ts cannot describe by structure
// ---------------------------------------------------------------------------------------------------------

/** A schema file as a component: its own `$schema`, `$id` and `$comment` belong to the file, not the document. */
const embedded = (file: Record<string, unknown>): JsonSchema => {
  const { $schema: _s, $id: _i, $comment: _c, ...schema } = file
  return schema
}

withSchema(Instant, embedded(instantSchema))
withSchema(LeadId, { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$', description: 'URL-safe, at most 128 characters' })

// ---------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------

const c = nativeLifecycleCodecs
/** One native event: a capture, or a lifecycle event of a lead (schemas/inbound/native). */
export const NativeLeadEvent = t.union(
  [NativeLeadCapturedV1, c.LeadContacted, c.LeadNurturingStarted, c.LeadQualified, c.LeadConverted, c.LeadDisqualified, c.LeadReopened, c.LeadActionRecorded],
  'NativeLeadEvent',
)
/** One native event, or a batch of them (each answered on its own). */
export const NativeLeadBody = t.union([NativeLeadEvent, t.array(NativeLeadEvent)])

/** A codec that takes any JSON and carries a JSON Schema: the route's handler does the real decoding. */
const described = (name: string, schema: JsonSchema): t.Type<unknown> =>
  withSchema(new t.Type<unknown>(name, (_u): _u is unknown => true, t.success, t.identity), schema)

export const MarketplaceHttpsLead = described('MarketplaceHttpsLead', embedded(httpsSchema))
export const MarketplaceTableRow = described('MarketplaceTableRow', embedded(tableSchema))
export const MarketplaceCrmForm = described('MarketplaceCrmForm', embedded(crmSchema))

/**
 * A marketplace lead in any of its three shapes (key casing is free: keys are renamed to the canonical spelling,
 * ignoring case, before they are checked), or a batch of them.
 */
export const MarketplaceLeadBody = t.union([
  t.union([MarketplaceHttpsLead, MarketplaceTableRow, MarketplaceCrmForm]),
  t.array(t.union([MarketplaceHttpsLead, MarketplaceTableRow, MarketplaceCrmForm])),
])

/** The body of `POST /v1/leads/{id}/commands` (the lead id comes from the path; the time from `occurredAt` or the server). */
export const QualificationCommandInput = t.intersection(QualificationCommandBody.types, 'QualificationCommand')

/** The body of `POST /v1/catalogue`: an offer named by `offerId` and/or `offerTitle`, and its kind. */
export const CatalogueEntryInput = t.intersection(CatalogueEntryBody.types, 'CatalogueEntry')
