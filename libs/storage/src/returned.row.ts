/**
 * The row an `INSERT/UPDATE ... RETURNING` answered. Such a statement returns one row when it did what
 * it says; none means it did not (a lost race, a missing parent), which is a bug to surface, not a
 * value to carry on with.
 */
export function returnedRow<T>(rows: readonly T[], statement: string): T {
  const row = rows[0];
  if (row === undefined) throw new Error(`${statement} returned no row`);
  return row;
}
