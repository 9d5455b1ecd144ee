// The curvature monitor of a run: whether a curvature step is due, measuring one on the
// parameters before the next update (a failure ends the monitoring, not the training), and the
// inspector's per-sample detail of one direction while paused. The session calls these from its
// run's work queue, so they never overlap a training step.
import * as tf from '@tensorflow/tfjs';
import type { BodyRecord } from '../../protocol/records';
import type { WorkerMessage } from '../../protocol/worker';
import { errorText, type Monitor, type Run } from '../run';
import { inspectDirection } from './inspect';
import { curvatureSeed, measureCurvature, type CurvatureBatchTensors } from './monitor';
import { dominantSampleImages } from './sample-images';

/** Where the monitor's records and messages go (the session's outputs). */
export interface MonitorOutput {
  emit(message: WorkerMessage): void;
  record(record: BodyRecord): void;
}

export function curvatureDue(run: Run): boolean {
  const m = run.monitor;
  return !!m && m.measuredStep !== run.step && run.step < run.maxSteps && m.due(run.step);
}

/** The curvature batch: the fixed one, or the first `samples` rows of step `step`'s batch. */
function curvatureBatch(
  run: Run,
  m: Monitor,
  indices?: number[],
): { batch: CurvatureBatchTensors; owned: boolean } {
  if (m.fixed) return { batch: m.fixed, owned: false };
  const rows = indices ?? Array.from(run.batches.indices(run.step).subarray(0, m.spec.samples));
  return { batch: { ...run.batches.tensors(rows), indices: rows }, owned: true };
}

/** One curvature step on the parameters before update run.step + 1. A failure (e.g. the
 *  memory budget) ends the monitoring, not the training. */
export async function measureRunCurvature(run: Run, out: MonitorOutput): Promise<void> {
  const m = run.monitor!;
  m.measuredStep = run.step;
  const t0 = performance.now();
  const { batch, owned } = curvatureBatch(run, m);
  const batchMs = performance.now() - t0;
  try {
    const { record } = await measureCurvature({
      trainer: run.trainer,
      batch,
      spec: m.spec,
      model: run.definition.model,
      runSeed: run.definition.seed,
      step: run.step,
    });
    record.timings.batch = batchMs;
    record.timings.total += batchMs;
    m.last = {
      indices: batch.indices,
      seed: curvatureSeed(run.definition.seed, run.step),
      step: run.step,
    };
    out.record(record);
    out.emit({ type: 'status', message: costMessage(run, m, record.timings.total) });
  } catch (e) {
    run.monitor = undefined;
    if (m.fixed) tf.dispose([m.fixed.x, m.fixed.y]);
    out.emit({
      type: 'error',
      message: `curvature monitoring stopped at step ${run.step}: ${errorText(e)}; training continues`,
      step: run.step,
    });
  } finally {
    if (owned) tf.dispose([batch.x, batch.y]);
  }
}

/** "curvature step 10: 412 ms (N = 32, MC 1, whole net, every 10 steps; a training step
 *  takes 9 ms)": the cost the UI states. */
function costMessage(run: Run, m: Monitor, ms: number): string {
  const s = m.spec;
  const when =
    'every' in s.schedule
      ? `every ${s.schedule.every} steps`
      : `${s.schedule.log.points} log-spaced steps up to ${s.schedule.log.end}`;
  const train = run.recent.length
    ? `; a training step takes ${(run.recent.reduce((a, r) => a + r.ms, 0) / run.recent.length).toFixed(0)} ms`
    : '';
  return (
    `curvature step ${run.step}: ${ms.toFixed(0)} ms (N = ${s.samples}, ` +
    `${s.mc_samples > 0 ? `MC ${s.mc_samples}` : 'exact'}, ` +
    `${s.groups === 'whole' ? 'whole net' : 'per layer'}, ${s.batch} batch, ${when}${train})`
  );
}

/** The inspector (while paused): per-sample detail of one direction at the current
 *  parameters, on the latest curvature batch. Reads only; training resumes unchanged. */
export async function inspectRun(
  run: Run,
  group: number,
  direction: number,
  out: MonitorOutput,
): Promise<void> {
  const m = run.monitor;
  if (!m) {
    out.emit({
      type: 'error',
      message: 'cannot inspect a direction: this run has no curvature section',
      step: run.step,
    });
    return;
  }
  const { batch, owned } = curvatureBatch(run, m, m.last?.indices);
  try {
    const record = await inspectDirection({
      trainer: run.trainer,
      batch,
      spec: m.spec,
      model: run.definition.model,
      seed: m.last?.seed ?? curvatureSeed(run.definition.seed, run.step),
      step: run.step,
      group,
      direction,
    });
    const images = dominantSampleImages(run.batches.dataset, record);
    if (images) record.images = images;
    out.record(record);
  } catch (e) {
    out.emit({ type: 'error', message: `cannot inspect: ${errorText(e)}`, step: run.step });
  } finally {
    if (owned) tf.dispose([batch.x, batch.y]);
  }
}
