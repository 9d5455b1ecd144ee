// Pooling geometries shared by the max- and average-pooling tests.
import type { Padding, Pair } from '../../../src/protocol/definition';

export const poolCases: {
  name: string;
  kernel: Pair;
  stride: Pair;
  padding: Padding;
  inShape: number[];
  outShape: number[];
}[] = [
  {
    name: '2x2 stride 2',
    kernel: 2,
    stride: 2,
    padding: 0,
    inShape: [3, 6, 6],
    outShape: [3, 3, 3],
  },
  {
    name: '3x3 stride 2 padding 1 (overlapping)',
    kernel: 3,
    stride: 2,
    padding: 1,
    inShape: [2, 7, 6],
    outShape: [2, 4, 3],
  },
  {
    name: '3x3 stride 1 padding 1 (overlapping)',
    kernel: 3,
    stride: 1,
    padding: 1,
    inShape: [2, 5, 5],
    outShape: [2, 5, 5],
  },
  {
    name: '3x2 stride (2,1) padding (1,0)',
    kernel: [3, 2],
    stride: [2, 1],
    padding: [1, 0],
    inShape: [2, 6, 5],
    outShape: [2, 3, 4],
  },
  {
    name: "3x3 stride 2 'same'",
    kernel: 3,
    stride: 2,
    padding: 'same',
    inShape: [2, 7, 7],
    outShape: [2, 4, 4],
  },
  {
    name: "2x2 stride 2 'same' (odd size, asymmetric)",
    kernel: 2,
    stride: 2,
    padding: 'same',
    inShape: [2, 5, 5],
    outShape: [2, 3, 3],
  },
  {
    name: '3x3 stride 3, unused tail',
    kernel: 3,
    stride: 3,
    padding: 'valid',
    inShape: [1, 8, 7],
    outShape: [1, 2, 2],
  },
];
