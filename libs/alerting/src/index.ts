export * from './alert-rule.schema';
export * from './alert-rules.repository';
export * from './compiled.rule';
export * from './duration';
export * from './rule.stat';
export * from './silence.match';
export * from './silences.repository';
