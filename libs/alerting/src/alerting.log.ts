// The alerting app logs the way the sink does (pino argument order: fields, then message).
export { silentLog, type SinkLog as AlertingLog } from '@streammetrics/sink';
