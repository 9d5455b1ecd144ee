// PyTorch's default initialization for Linear and Conv2d (reset_parameters):
// weight ~ kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Values are drawn in PyTorch layout order.

import type { Rng } from '../random';

export function pytorchDefaultInit(
  rng: Rng,
  fanIn: number,
  weightSize: number,
  bias: boolean,
  biasSize: number,
): Float64Array[] {
  const bound = 1 / Math.sqrt(fanIn);
  const weight = rng.uniformArray(weightSize, -bound, bound);
  return bias ? [weight, rng.uniformArray(biasSize, -bound, bound)] : [weight];
}
