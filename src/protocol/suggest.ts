// "Did you mean ...?" for misspelled field names and type names. Besides edit distance it knows
// common names from PyTorch/Keras/everyday use (learning_rate -> lr, dense -> linear), so that
// a misspelled synonym ('lerning_rate') still finds the intended field.

/** Other names users write for our names (normalized: lower case, '_' separators). */
const SYNONYMS: Record<string, string> = {
  learning_rate: 'lr',
  learningrate: 'lr',
  step_size: 'lr',
  classes: 'outputs',
  num_classes: 'outputs',
  n_classes: 'outputs',
  out_features: 'out',
  in_features: 'in',
  output_size: 'out',
  input_size: 'in',
  units: 'out',
  kernel: 'kernel_size',
  filters: 'out_channels',
  weightdecay: 'weight_decay',
  l2: 'weight_decay',
  beta: 'betas',
  epsilon: 'eps',
  batchsize: 'batch_size',
  batch: 'batch_size',
  iterations: 'steps',
  iters: 'steps',
  max_steps: 'steps',
  num_steps: 'steps',
  num_epochs: 'epochs',
  n_epochs: 'epochs',
  epoch: 'epochs',
  dataset: 'data',
  network: 'model',
  layers: 'model',
  net: 'model',
  criterion: 'loss',
  loss_fn: 'loss',
  optim: 'optimizer',
  evaluation: 'eval',
  validation: 'eval',
  alpha_slope: 'negative_slope',
  slope: 'negative_slope',
  rate: 'p',
  dropout_rate: 'p',
  // type names
  dense: 'linear',
  fc: 'linear',
  fully_connected: 'linear',
  conv: 'conv2d',
  convolution: 'conv2d',
  maxpool: 'maxpool2d',
  max_pool2d: 'maxpool2d',
  max_pool: 'maxpool2d',
  avgpool: 'avgpool2d',
  avg_pool2d: 'avgpool2d',
  averagepooling2d: 'avgpool2d',
  zero_pad2d: 'zeropad2d',
  zeropadding2d: 'zeropad2d',
  leakyrelu: 'leaky_relu',
  crossentropy: 'cross_entropy',
  cross_entropy_loss: 'cross_entropy',
  categorical_crossentropy: 'cross_entropy',
  sparse_categorical_crossentropy: 'cross_entropy',
  ce: 'cross_entropy',
  nll: 'cross_entropy',
  mean_squared_error: 'mse',
  mse_loss: 'mse',
  squared_error: 'mse',
};

function normalize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[rows - 1][cols - 1];
}

/** The allowed name the user most likely meant, or undefined if nothing is close. */
export function suggest(name: string, allowed: readonly string[]): string | undefined {
  // Case and separators are normalized first: 'Linear' or 'batchSize' match at distance 0.
  const wanted = normalize(name);
  const candidates: { spelled: string; means: string }[] = allowed.map((a) => ({
    spelled: a,
    means: a,
  }));
  for (const [spelled, means] of Object.entries(SYNONYMS)) {
    if (allowed.includes(means)) candidates.push({ spelled, means });
  }
  let best: { means: string; distance: number } | undefined;
  for (const c of candidates) {
    const distance = editDistance(wanted, c.spelled);
    // Allow about one typo per three letters, at least one.
    const tolerance = Math.max(1, Math.floor(Math.min(wanted.length, c.spelled.length) / 3));
    if (distance <= tolerance && (!best || distance < best.distance)) {
      best = { means: c.means, distance };
    }
  }
  return best?.means;
}
