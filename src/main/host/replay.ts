// Reading a saved session log for replay: the parsed log plus what the display needs to know
// about how the run ended, and one sentence about any lines that had to be skipped.
import { parseLog, type LogProblem, type ParsedLog } from '../../protocol/log-codec';
import type { BodyRecord } from '../../protocol/records';
import type { RunState } from '../../protocol/worker';

/** At most this many skipped lines are listed one by one; the rest are counted. */
const MAX_LISTED_PROBLEMS = 5;

export interface Replay extends ParsedLog {
  /** How the run ended, from its last run event; a log cut short reads 'stopped'. */
  state: RunState;
  /** The last step the log reaches. */
  step: number;
}

/** Parses a log for replay; throws LogFormatError when it has no usable header. */
export function readReplay(text: string): Replay {
  const parsed = parseLog(text);
  return {
    ...parsed,
    state: endState(parsed.records),
    step: parsed.records.reduce((max, r) => Math.max(max, r.step), 0),
  };
}

function endState(records: BodyRecord[]): RunState {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.type !== 'event') continue;
    if (r.kind === 'finished' || r.kind === 'stopped' || r.kind === 'error') return r.kind;
    break;
  }
  return 'stopped';
}

/** `run.jsonl: line 12 is ...; skipped; and 3 more problem lines skipped.` */
export function describeProblems(name: string, problems: LogProblem[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => p.message);
  const more = problems.length - listed.length;
  return `${name}: ${listed.join('; ')}${more > 0 ? `; and ${more} more problem lines skipped` : ''}.`;
}
