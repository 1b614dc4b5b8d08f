/** A half-open range [start, end) of UTF-16 offsets into one file's text: how every phase locates things. */
export interface Span {
  readonly start: number;
  readonly end: number;
}
