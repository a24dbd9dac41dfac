/** One thing wrong with one item of a request or record: what a 400 answer lists, every one. */
export interface ValidationProblem {
  /** Position of the item in the batch; 0 for a single item. */
  index: number;
  /** JSON Pointer-like path of the field, e.g. "/tags/region"; "" for the item itself. */
  field: string;
  message: string;
}
