// Elementwise activations (BackPACK's elementwise modules): a layer file supplies f and how to
// multiply by f′ from what f saved; this factory builds the layer — shapes, forward, the
// hand-written backward (dy ⊙ f′) and jacTMatProd (each of the stack's M vectors ⊙ f′ of its
// sample, f′ read from the cached rows and broadcast, never repeated in memory).

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../errors';
import type { Ops } from '../tensor/ops';
import type { Cache, Forward, LayerModule } from './layer';
import { noParams } from './layer';
import { engineShape } from './layout';
import { cachedRows, stackDims } from './stack';

export interface Activation<S extends LayerSpec> {
  readonly type: S['type'];
  /** Fields of the spec that must be finite numbers (e.g. alpha, negative_slope). */
  readonly numberFields?: readonly (keyof S & string)[];
  /** f(x), caching what f′ needs. */
  forward<T>(ops: Ops<T>, x: T, spec: S): Forward<T>;
  /** v ⊙ f′, f′ from `cache`: the forward's cache, or its rows for a stack's samples (which
   *  broadcast over the stack's leading axis). */
  timesDerivative<T>(ops: Ops<T>, cache: Cache<T>, v: T, spec: S): T;
}

export function elementwise<S extends LayerSpec>(activation: Activation<S>): LayerModule<S> {
  const where = `${activation.type}.jacTMatProd`;
  return {
    type: activation.type,
    create(spec, inShape, place) {
      for (const field of activation.numberFields ?? []) {
        const value = spec[field];
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new LayerShapeError(
            place.index,
            `must be a finite number, got ${String(value)}`,
            field,
          );
        }
      }
      const perSample = engineShape(inShape);
      return {
        spec,
        inShape: [...inShape],
        outShape: [...inShape],
        ...noParams,
        forward: (ops, _params, x) => activation.forward(ops, x, spec),
        backward: (ops, _params, cache, dy) => ({
          dx: activation.timesDerivative(ops, cache, dy, spec),
          dparams: [],
        }),
        jacTMatProd(ops, _params, cache, v, samples) {
          const cached = Object.values(cache);
          stackDims(ops, v, perSample, samples, ops.shape(cached[0])[0], where);
          const rows = samples
            ? Object.fromEntries(
                Object.entries(cache).map(([k, t]) => [k, cachedRows(ops, t, samples)]),
              )
            : cache;
          return activation.timesDerivative(ops, rows, v, spec);
        },
      };
    },
  };
}
