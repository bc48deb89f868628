/** The condition grammar's tree. `of` selectors are resolved to identifiers at parse time. */
export type Condition =
  | { t: 'id'; name: string }
  | { t: 'not'; x: Condition }
  | { t: 'and'; xs: Condition[] }
  | { t: 'or'; xs: Condition[] }
  | { t: 'const'; value: boolean };

export function showCondition(c: Condition): string {
  switch (c.t) {
    case 'id':
      return c.name;
    case 'not':
      return `not ${showCondition(c.x)}`;
    case 'and':
      return `(${c.xs.map(showCondition).join(' and ')})`;
    case 'or':
      return `(${c.xs.map(showCondition).join(' or ')})`;
    case 'const':
      return String(c.value);
  }
}
