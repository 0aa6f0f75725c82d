// A streaming RFC 4180 reader for `leadstream import`: records from chunks of text, each with the line it starts
// on (what a row error names). Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF both
// end a record. A stray quote inside an unquoted field, or a file ending inside quotes, is an error of that record.

export interface CsvRecord {
  /** 1-based line where the record starts. */
  readonly line: number
  readonly fields: ReadonlyArray<string>
  /** Why the record could not be read, or null. */
  readonly error: string | null
}

export interface CsvReader {
  /** Feeds the next chunk; answers the records it completed. */
  push(chunk: string): ReadonlyArray<CsvRecord>
  /** The end of the input: answers the last record, if the input did not end with a line break. */
  end(): ReadonlyArray<CsvRecord>
}

export const csvReader = (): CsvReader => {
  let line = 1
  let start = 1
  let fields: string[] = []
  let field = ''
  let quoted = false
  /** Inside quotes; `quoteSeen`: a quote inside quotes, either an escape (next is a quote) or the end. */
  let inQuotes = false
  let quoteSeen = false
  let error: string | null = null
  let pendingCr = false
  let empty = true

  const finish = (out: CsvRecord[]) => {
    fields.push(field)
    // A blank line is no record.
    if (!(empty && fields.length === 1 && field === '')) out.push({ line: start, fields, error })
    fields = []
    field = ''
    quoted = false
    error = null
    empty = true
  }

  const push = (chunk: string): ReadonlyArray<CsvRecord> => {
    const out: CsvRecord[] = []
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!
      if (pendingCr) {
        pendingCr = false
        if (ch === '\n') continue
      }
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false
          if (ch === '"') {
            field += '"'
            continue
          }
          inQuotes = false
          // fall through: the character after the closing quote
        } else {
          if (ch === '"') quoteSeen = true
          else {
            if (ch === '\n') line++
            field += ch
          }
          continue
        }
      }
      if (ch === ',') {
        fields.push(field)
        field = ''
        quoted = false
        empty = false
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r') pendingCr = true
        finish(out)
        line++
        start = line
      } else if (ch === '"') {
        if (field === '' && !quoted) {
          inQuotes = true
          quoted = true
          empty = false
        } else {
          error ??= `a quote inside an unquoted field (field ${fields.length + 1})`
          field += ch
        }
      } else {
        if (quoted) error ??= `text after a closing quote (field ${fields.length + 1})`
        field += ch
        empty = false
      }
    }
    return out
  }

  return {
    push,
    end: () => {
      const out: CsvRecord[] = []
      if (inQuotes && !quoteSeen) {
        error ??= 'the file ends inside a quoted field'
        inQuotes = false
      }
      inQuotes = false
      quoteSeen = false
      if (!empty || field !== '' || fields.length > 0) finish(out)
      return out
    },
  }
}
