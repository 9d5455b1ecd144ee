// Pure validators for data that crosses a trust boundary: requests from a renderer
// (./validate-request.ts) and records read back from session-log files (./validate-record.ts).
export type { Checked } from './checked';
export { MAX_DEFINITION_TEXT, MAX_LOG_TEXT, validateHostRequest } from './validate-request';
export { validateLogRecord } from './validate-record';
