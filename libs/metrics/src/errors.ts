/** One problem with a metric specification, in the shape the API turns into a 400 problem. */
export interface MetricFieldError {
  /**
   * Dotted path relative to a metric specification `{name, options}`: `name` for the metric's
   * name, `options.<option>` for one of its options (`options` for the options object itself).
   */
  field: string;
  message: string;
}

/** Base class of every error this library raises on purpose. */
export class MetricError extends Error {
  constructor(
    message: string,
    /** Name of the metric concerned, when known. */
    readonly metric: string | null,
    /** First offending field; see {@link MetricFieldError.field}. */
    readonly field: string,
    /** Every offending field (at least one). */
    readonly errors: MetricFieldError[] = [{ field, message }],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The metric name is not in the registry. `known` lists the registered names. */
export class UnknownMetricError extends MetricError {
  constructor(
    name: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown metric '${name}'. Known metrics: ${known.join(', ')}.`, name, 'name');
  }
}

/**
 * A metric's options are not valid: an unknown key, a wrong type, a value out of range, an
 * invalid regular expression or JSON Schema. `option` is the offending option's name (null when
 * the options object as a whole is wrong) and `field` its path, `options.<option>` (or deeper,
 * e.g. `options.scale.1`).
 */
export class MetricOptionError extends MetricError {
  readonly option: string | null;

  constructor(
    metric: string | null,
    option: string | null,
    message: string,
    errors?: MetricFieldError[],
  ) {
    const field = errors?.[0]?.field ?? (option === null ? 'options' : `options.${option}`);
    super(message, metric, field, errors?.length ? errors : [{ field, message }]);
    this.option = option;
  }
}

/** A model-backed metric was asked for but its port (embeddings or judge) was not provided. */
export class MetricUnavailableError extends MetricError {
  constructor(
    metric: string,
    readonly missing: readonly ('embeddings' | 'judge')[],
  ) {
    super(
      `Metric '${metric}' needs ${missing.map((m) => (m === 'embeddings' ? 'an embeddings model' : 'a judge model')).join(' and ')}, which is not configured.`,
      metric,
      'name',
    );
  }
}

/**
 * `program` scores the code in an answer by running it (libs/code-eval). That happens only in a
 * worker process during an evaluation, for test cases marked `runner: python|javascript`; this
 * library, and the API that serves `POST /metrics/compute`, never run code.
 */
export class MetricRunsInWorkerError extends MetricError {
  constructor(metric: string) {
    super(
      `Metric '${metric}' runs the answer's code, which happens only in a worker process during an evaluation (test cases marked runner: python or javascript); it is not computed here.`,
      metric,
      'name',
    );
  }
}
