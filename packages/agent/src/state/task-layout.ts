// The layout of a workload's directory under <dataDir>/workloads/<id>/, shared by the store that
// writes records there and the spare pool that makes such directories ahead (see the top of
// workload-store.ts for who owns what).

/** The workload's record, the temp file it is written through (then renamed), and the name the
 * previous record keeps meanwhile, to become the next temp file (record-file.ts). */
export const RECORD = 'workload.json';
export const RECORD_TMP = `${RECORD}.tmp`;
export const RECORD_OLD = `${RECORD}.old`;
/** What a workload owns in its directory: its working dir and home, and its $MO_OUTPUT. */
export const WORK_DIR = 'work';
export const OUTPUT_FILE = 'output';
export const TASK_DIR_MODE = 0o711;
export const WORK_DIR_MODE = 0o700;
/** Records and logs: a spec's env may hold secrets. */
export const PRIVATE_FILE_MODE = 0o600;
