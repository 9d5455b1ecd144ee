import { describe, expect, it } from 'vitest';
import { batchesPerEpoch, plannedSteps, planSteps } from '../../src/protocol/plan';
import { sampleDefinition, sampleHeader } from './sample-records';

describe('planned steps', () => {
  const definition = { ...sampleDefinition, steps: undefined };

  it('--steps wins, then the definition’s steps, then epochs of full batches', () => {
    expect(planSteps({ ...definition, steps: 50 }, 1000, 7)).toBe(7);
    expect(planSteps({ ...definition, steps: 50 }, 1000)).toBe(50);
    expect(planSteps({ ...definition, epochs: 2, batch_size: 100 }, 1000)).toBe(20);
    expect(planSteps({ ...definition, epochs: 1, batch_size: 300 }, 1000)).toBe(3);
    expect(planSteps({ ...definition, epochs: 5, batch_size: 128 }, 60000)).toBe(5 * 468);
    expect(planSteps({ ...definition, epochs: 3 }, 70)).toBe(3 * 4); // 70 samples in 16s
    // Fewer samples than a batch still make one step per epoch.
    expect(planSteps({ ...definition, epochs: 1, batch_size: 128 }, 100)).toBe(1);
    expect(batchesPerEpoch(100, 128)).toBe(1);
  });

  it('reads the header’s count, falling back to the definition for older logs', () => {
    expect(plannedSteps(sampleHeader({ plannedSteps: 3 }))).toBe(3);
    expect(plannedSteps(sampleHeader())).toBe(20);
    const byEpochs = sampleHeader({ definition: { ...definition, epochs: 3 }, trainSamples: 70 });
    expect(plannedSteps(byEpochs)).toBe(12);
  });
});
