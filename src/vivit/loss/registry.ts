// LossName -> the module that implements it.

import type { LossName } from '../../protocol/definition';
import { crossEntropy } from './cross-entropy';
import type { LossModule } from './loss';
import { mse } from './mse';

export const lossModules: { [K in LossName]: LossModule } = {
  cross_entropy: crossEntropy,
  mse,
};

export function lossModule(name: LossName): LossModule {
  const loss = lossModules[name] as LossModule | undefined;
  if (!loss) throw new Error(`unknown loss '${String(name)}' (expected cross_entropy or mse)`);
  return loss;
}
